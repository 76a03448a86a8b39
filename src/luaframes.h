/* luaframes.h — Lua source frames in allocation stacks (LuaJIT 2.1, x86-64 GC64).
 *
 * Promises: when an allocation's native stack runs through LuaJIT (its
 * interpreter, or a compiled trace in anonymous executable memory),
 * lt_luaframes_add inserts after the innermost such frame one synthetic
 * frame per Lua function on the running Lua thread's stack, innermost
 * first ("handler (content.lua:12)"), keeping at most `max` frames in all.
 * A synthetic frame is a tagged address no code can have (above the
 * canonical user range) naming an interned (function, file, line);
 * lt_luaframes_describe turns it back into a frame for symbols.c. For a
 * compiled trace the Lua stack is the one the trace was entered with, and
 * the line is where the interpreter last saved its position: the trace's
 * Lua start. The frames are the public debug API's (lua_getstack,
 * lua_getinfo "Snl", which neither allocate nor change the state), asked
 * or remembered by the words their answer depends on (luakey.h); nothing
 * is written to the Lua state, and nothing is added when LuaJIT is not
 * loaded, or its state cannot be found safely. */
#ifndef LT_LUAFRAMES_H
#define LT_LUAFRAMES_H
#include "lt.h"
#include "symbols.h"

/* Reads LEAKTRACE_LUA_KEYS (depot.c's init). */
void lt_luaframes_init(void) LT_HIDDEN;
/* Called by depot.c after a capture, from the allocation path (busy). */
void lt_luaframes_add(uintptr_t *ips, uint32_t *depth, uint32_t max) LT_HIDDEN;
/* fork child: the locks may have been held by a thread that is gone. */
void lt_luaframes_reset_child(void) LT_HIDDEN;
/* True once LuaJIT was found in the process: from then on a repeated
 * native stack may carry different Lua frames (depot.c). */
bool lt_luaframes_found(void) LT_HIDDEN;
/* True if ip is a synthetic Lua frame; *out then describes it. */
bool lt_luaframes_describe(uintptr_t ip, struct lt_frame_info *out) LT_HIDDEN;
#endif
