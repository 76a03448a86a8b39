/* luakey.h — Lua frames remembered by what lua_getinfo reads (LuaJIT 2.1,
 * x86-64 GC64).
 *
 * Promises: lt_luakey_make reads, for one level of a Lua stack found by
 * lua_getstack, the raw words that lua_getinfo("Snl")'s answer for that
 * level is a function of (the frame's function and its prototype's
 * identity, the words its current line and its name are derived from), or
 * says the level is a C function (lua_getinfo would answer "C") or that the
 * answer depends on more than those words (a C frame's chain of cframes:
 * ask the API). A key equal to an earlier one gives the earlier answer:
 * lt_luakey_get/put remember the interned frame of up to 1,024
 * keys (direct-mapped, last writer wins). Nothing is written to the Lua
 * state. Layout assumptions are checked on every read (type tags of the
 * function and its prototype); luaframes.c also compares samples of cached
 * answers with the API's and turns the cache off on any difference
 * (lt_luakey_off). */
#ifndef LT_LUAKEY_H
#define LT_LUAKEY_H
#include "lt.h"
#include <stdint.h>

#define LT_LUAKEY_WORDS 20
struct lt_luakey { uint64_t w[LT_LUAKEY_WORDS]; uint64_t h; };

enum lt_luakey_kind {
    LT_LUAKEY_ASK = -1,   /* the answer depends on more: ask lua_getinfo */
    LT_LUAKEY_C = 0,      /* a C function: no Lua frame (lua_getinfo: what "C") */
    LT_LUAKEY_LUA = 1,    /* a Lua function: *k is its key */
};

/* lstate: a copy of the running lua_State; ici: the level's lua_Debug.i_ci
 * from lua_getstack; next_ici: the next level's, or -1 when there is none. */
enum lt_luakey_kind lt_luakey_make(const unsigned char *lstate, int ici, int next_ici,
                                   struct lt_luakey *k) LT_HIDDEN;
/* lua_getstack's i_ci for levels 0.. of the stack in lstate (L: the
 * thread's address, for dummy frames), taking lj_debug_frame's steps
 * without calling it: up to max levels, their number, or -1 if a link
 * looks wrong (then ask lua_getstack). luaframes.c compares samples with
 * lua_getstack's. */
int lt_luakey_levels(const unsigned char *lstate, uintptr_t L, int *ici, int max) LT_HIDDEN;
/* The interned frame tag remembered for k, or 0. */
uintptr_t lt_luakey_get(const struct lt_luakey *k) LT_HIDDEN;
void lt_luakey_put(const struct lt_luakey *k, uintptr_t tag) LT_HIDDEN;
/* The cache is not used any more (a sampled answer differed). */
void lt_luakey_off(void) LT_HIDDEN;
bool lt_luakey_is_on(void) LT_HIDDEN;
void lt_luakey_reset_child(void) LT_HIDDEN;
#endif
