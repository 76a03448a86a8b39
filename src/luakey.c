/* luakey.c — Lua frames remembered by what lua_getinfo reads (see luakey.h).
 *
 * lua_getinfo("Snl") for a level (LuaJIT lj_debug.c lj_debug_getinfo) reads:
 *   - "S": the frame's function (its ffid: a C function answers "C") and,
 *     for a Lua function, its prototype's chunkname, firstline, numline;
 *   - "l": debug_framepc — the position in the prototype taken from the
 *     next (inner) frame's link (a Lua frame's return PC, a continuation
 *     frame's saved PC two slots below), or for the innermost frame from
 *     L->cframe's saved PC; a C-type next frame sends it down the chain of
 *     cframes (not keyed: the API is asked); a PC past the bytecode is a
 *     trace's (not keyed either: the answer depends on the trace);
 *   - "n": lj_debug_funcname — the calling frame (frame_prev of the frame,
 *     of the frame below a vararg pseudo-frame), its function and the PC of
 *     the call in it (the same rules as "l").
 * The calling frame is the next level lua_getstack finds (lj_debug_frame
 * takes the same steps); a dummy frame between them (lj_err_optype_call)
 * shows as a different distance, which is part of the key.
 * Prototypes are immutable for their lifetime (bytecode patched by the JIT
 * changes opcodes, not the operands and lines read here); a function or
 * prototype freed and another allocated at its address (a chunk loaded
 * again: tests/data/luajit/reload.lua) is told apart by the prototype's
 * chunk name (pointer, hash, length), first line, number of lines, size
 * and the lineinfo entry of the PC, for the frame and for its caller. What
 * the key does not hold is the caller's names (its constants and local
 * variable names): a caller reloaded at the same address with all of the
 * above equal but a call through a renamed variable would keep the old
 * name until luaframes.c's sampled comparison sees it.
 * Every word is read from the running thread's live Lua stack, live GC
 * objects it references or this thread's C stack; type tags are checked
 * first, so a layout other than GC64's makes every level "ask". */
#include "luakey.h"
#include "arena.h"
#include "lock.h"
#include <string.h>

/* lua_State (lj_obj.h: the same in LuaJIT 2.1 and OpenResty's luajit2) */
#define L_BASE       32             /* TValue *base */
#define L_STACK      56             /* MRef stack */
#define L_CFRAME     80             /* void *cframe */
/* GC64 TValue: the object in the low 47 bits, the internal type above */
#define GCV_MASK     ((UINT64_C(1) << 47) - 1)
#define ITYPE_FUNC   UINT64_C(0x1fff7)     /* LJ_TFUNC (~8u) in 17 bits */
#define GCT_OFF      9              /* GCHeader.gct = ~itype */
#define GCT_PROTO    7
#define GCT_FUNC     8
#define FN_FFID      10             /* GCfuncHeader.ffid: FF_LUA is 0 */
#define FN_PC        32             /* GCfuncL.pc: the prototype's bytecode */
#define PT_SIZE      104            /* sizeof(GCproto); bytecode follows it */
#define PT_SIZEBC    12
#define PT_CHUNKNAME 64
#define PT_LINES     72             /* firstline, numline */
#define PT_LINEINFO  80
/* Frame links (lj_frame.h): the low bits give the type. */
#define FRAME_TYPE   3
#define FRAME_TYPEP  7
#define FRAME_LUA    0
#define FRAME_CONT   2
#define FRAME_VARG   3
/* cframe, x86-64 GC64, not Windows (lj_frame.h CFRAME_OFS_PC/_L) */
#define CF_RAWMASK   (~UINT64_C(3))
#define CF_PC        24
#define CF_L         16

#define SLOTS 1024u
struct slot { struct lt_luakey k; uintptr_t tag; };
static struct slot *slots;
static lt_lock_t slot_lock = LT_LOCK_INIT;
static int disabled;

static inline uint64_t rd64(uintptr_t a)
{
    uint64_t v;
    memcpy(&v, (const void *)a, sizeof v);
    return v;
}

static inline uint32_t rd32(uintptr_t a)
{
    uint32_t v;
    memcpy(&v, (const void *)a, sizeof v);
    return v;
}

/* The function in a frame's function slot, or 0 (a dummy frame's
 * thread, anything else). */
static uintptr_t func_of(uint64_t slot)
{
    if ((slot >> 47) != ITYPE_FUNC)
        return 0;
    uintptr_t fn = (uintptr_t)(slot & GCV_MASK);
    return *(const uint8_t *)(fn + GCT_OFF) == GCT_FUNC ? fn : 0;
}

/* The same if it is a Lua function (ffid FF_LUA), else 0. */
static uintptr_t lua_fn(uint64_t slot)
{
    uintptr_t fn = func_of(slot);
    return fn && *(const uint8_t *)(fn + FN_FFID) == 0 ? fn : 0;
}

/* A Lua function's bytecode and its size, checked to be a prototype's. */
static bool proto_of(uintptr_t fn, uintptr_t *bc, uint32_t *sizebc)
{
    *bc = (uintptr_t)rd64(fn + FN_PC);
    if (*bc < PT_SIZE || *(const uint8_t *)(*bc - PT_SIZE + GCT_OFF) != GCT_PROTO)
        return false;
    *sizebc = rd32(*bc - PT_SIZE + PT_SIZEBC);
    return true;
}

/* debug_framepc keeps a PC from bc[0] to bc[sizebc]; beyond, it is a
 * trace's (the answer then depends on the trace: ask). */
static bool pc_in(uint64_t pc, uintptr_t bc, uint32_t sizebc)
{
    return pc >= bc && pc <= bc + 4 * ((uint64_t)sizebc + 1);
}

/* The PC debug_framepc takes for a function whose next frame is nf (a
 * slot address in the stack): false if it would walk the cframes. */
static bool pc_from_next(uintptr_t nf, uint64_t *pc)
{
    uint64_t link = rd64(nf);
    if ((link & FRAME_TYPE) == FRAME_LUA)
        *pc = link;
    else if ((link & FRAME_TYPEP) == FRAME_CONT)
        *pc = rd64(nf - 16);                       /* frame_contpc (FR2) */
    else
        return false;
    return true;
}

/* Two lanes of multiply-xor, folded: the key is read on every capture. */
static uint64_t mix(const struct lt_luakey *k)
{
    uint64_t a = UINT64_C(0xcbf29ce484222325), b = UINT64_C(0x84222325cbf29ce4);
    for (int i = 0; i < LT_LUAKEY_WORDS; i += 2) {
        a = (a ^ k->w[i]) * UINT64_C(0x9e3779b97f4a7c15);
        b = (b ^ k->w[i + 1]) * UINT64_C(0xc2b2ae3d27d4eb4f);
    }
    a ^= b >> 29 ^ b << 35;
    return a ^ a >> 32;
}

static bool same_key(const struct lt_luakey *x, const struct lt_luakey *y)
{
    uint64_t d = x->h ^ y->h;
    for (int i = 0; i < LT_LUAKEY_WORDS; i++)
        d |= x->w[i] ^ y->w[i];
    return d == 0;
}

/* What names a prototype's source beyond its address: the chunk name
 * (pointer, and the interned string's hash and length: GCstr bytes 12-23
 * in LuaJIT 2.1 and luajit2 alike), its first line and number of lines. */
static void proto_words(uintptr_t bc, uint64_t *w)
{
    uintptr_t name = (uintptr_t)rd64(bc - PT_SIZE + PT_CHUNKNAME);
    w[0] = name;
    w[1] = name ? rd64(name + 12) ^ (uint64_t)rd32(name + 20) << 23 : 0;
    w[2] = rd64(bc - PT_SIZE + PT_LINES);
}

/* The lineinfo entry lj_debug_line reads for a PC (+1; 0 when it reads
 * none): a prototype reloaded at the same address with the same size can
 * still put the call on another line. */
static uint64_t line_word(uintptr_t bc, uint32_t sizebc, uint64_t pc)
{
    uint64_t idx = (pc - bc) / 4;
    uintptr_t info = (uintptr_t)rd64(bc - PT_SIZE + PT_LINEINFO);
    if (pc < bc || idx < 2 || idx - 2 >= sizebc || !info)
        return 0;
    uint32_t numline = rd32(bc - PT_SIZE + PT_LINES + 4);
    idx -= 2;
    if (numline < 256)
        return 1 + (uint64_t)((const uint8_t *)info)[idx];
    if (numline < 65536)
        return 1 + (uint64_t)((const uint16_t *)info)[idx];
    return 1 + (uint64_t)((const uint32_t *)info)[idx];
}

enum lt_luakey_kind lt_luakey_make(const unsigned char *ls, int ici, int next_ici, struct lt_luakey *k)
{
    uint64_t stack, cframe;
    memcpy(&stack, ls + L_STACK, 8);
    memcpy(&cframe, ls + L_CFRAME, 8);
    uint32_t off = (uint32_t)ici & 0xffff, size = (uint32_t)ici >> 16;
    if (!stack || off < 2)
        return LT_LUAKEY_ASK;
    uintptr_t frame = (uintptr_t)stack + 8 * off;
    uint64_t fslot = rd64(frame - 8);
    if (!func_of(fslot))
        return LT_LUAKEY_ASK;
    uintptr_t fn = lua_fn(fslot), bc;
    uint32_t sizebc;
    if (!fn)
        return LT_LUAKEY_C;
    if (!proto_of(fn, &bc, &sizebc))
        return LT_LUAKEY_ASK;
    memset(k, 0, sizeof *k);
    k->w[0] = fslot;
    k->w[1] = bc;
    proto_words(bc, &k->w[2]);                     /* w[2..4] */
    k->w[5] = sizebc;
    /* "l": the current position */
    if (size) {
        if (!pc_from_next(frame + 8 * size, &k->w[6]) || !pc_in(k->w[6], bc, sizebc))
            return LT_LUAKEY_ASK;
        k->w[7] = rd64(frame + 8 * size);
    } else {                                       /* innermost: L->cframe's PC */
        uintptr_t cf = (uintptr_t)(cframe & CF_RAWMASK);
        k->w[5] |= UINT64_C(1) << 32;
        if (cf) {
            k->w[6] = rd64(cf + CF_PC);
            k->w[7] = rd64(cf + CF_L);
            if (k->w[6] && k->w[6] != k->w[7] && !pc_in(k->w[6], bc, sizebc))
                return LT_LUAKEY_ASK;
        }
    }
    k->w[8] = line_word(bc, sizebc, k->w[6]);
    /* "n": the caller's function and the PC of the call in it */
    uintptr_t nfr = frame;
    k->w[9] = rd64(frame);
    if ((k->w[9] & FRAME_TYPEP) == FRAME_VARG) {
        nfr = frame - (uintptr_t)(k->w[9] & ~(uint64_t)FRAME_TYPEP);
        if (nfr <= (uintptr_t)stack + 8 || nfr >= frame)
            return LT_LUAKEY_ASK;
        k->w[10] = rd64(nfr);
    }
    if (next_ici >= 0) {
        uintptr_t up = (uintptr_t)stack + 8 * ((uint32_t)next_ici & 0xffff);
        if (up >= nfr)
            return LT_LUAKEY_ASK;
        k->w[11] = rd64(up - 8);
        k->w[12] = nfr - up;
        uintptr_t ufn = lua_fn(k->w[11]), ubc;
        uint32_t usize;
        if (ufn) {
            if (!proto_of(ufn, &ubc, &usize) || !pc_from_next(nfr, &k->w[13]) ||
                !pc_in(k->w[13], ubc, usize))
                return LT_LUAKEY_ASK;
            k->w[14] = ubc;                        /* the caller's prototype */
            k->w[15] = usize | line_word(ubc, usize, k->w[13]) << 32;
            proto_words(ubc, &k->w[16]);           /* w[16..18] */
        }
    }
    k->h = mix(k);
    return LT_LUAKEY_LUA;
}

int lt_luakey_levels(const unsigned char *ls, uintptr_t L, int *ici, int max)
{
    uint64_t stack, base;
    memcpy(&stack, ls + L_STACK, 8);
    memcpy(&base, ls + L_BASE, 8);
    if (!stack || base <= stack + 8 || ((base - stack) & 7) || (base - stack) / 8 > 0xffff)
        return -1;
    uintptr_t bot = (uintptr_t)stack + 8, frame = (uintptr_t)base - 8, nextframe = frame;
    int n = 0, c = 0;
    while (frame > bot && n < max) {
        bool dummy = (rd64(frame - 8) & GCV_MASK) == L;   /* lj_err_optype_call's */
        if (!dummy) {
            if (c == n)
                ici[n++] = (int)(((nextframe - frame) / 8) << 16 | (frame - (uintptr_t)stack) / 8);
            c++;
        }
        nextframe = frame;
        uint64_t link = rd64(frame);
        uintptr_t down;
        if ((link & FRAME_TYPE) == FRAME_LUA) {     /* frame_prevl: A of the call before the PC */
            if (link < 4096 || link >= (UINT64_C(1) << 47))
                return -1;
            down = 8 * (2 + ((rd32((uintptr_t)link - 4) >> 8) & 0xff));
        } else {                                     /* frame_prevd */
            if ((link & FRAME_TYPEP) == FRAME_VARG)
                c--;                                 /* the frame below is the same level */
            down = (uintptr_t)(link & ~(uint64_t)FRAME_TYPEP);
        }
        if (down < 8 || down > frame - (uintptr_t)stack)
            return -1;
        frame -= down;
    }
    return n;
}

uintptr_t lt_luakey_get(const struct lt_luakey *k)
{
    uintptr_t tag = 0;
    if (__atomic_load_n(&disabled, __ATOMIC_RELAXED))
        return 0;
    lt_tls.locked++;                 /* a tool lock: a nested (signal) capture must not wait */
    lt_lock(&slot_lock);
    if (slots) {
        const struct slot *s = &slots[k->h & (SLOTS - 1)];
        if (s->tag && same_key(&s->k, k))
            tag = s->tag;
    }
    lt_unlock(&slot_lock);
    lt_tls.locked--;
    return tag;
}

void lt_luakey_put(const struct lt_luakey *k, uintptr_t tag)
{
    if (__atomic_load_n(&disabled, __ATOMIC_RELAXED))
        return;
    lt_tls.locked++;
    lt_lock(&slot_lock);
    if (!slots)
        slots = lt_arena_alloc(SLOTS * sizeof *slots);
    if (slots) {
        struct slot *s = &slots[k->h & (SLOTS - 1)];
        s->k = *k;
        s->tag = tag;
    }
    lt_unlock(&slot_lock);
    lt_tls.locked--;
}

void lt_luakey_off(void) { __atomic_store_n(&disabled, 1, __ATOMIC_RELAXED); }
bool lt_luakey_is_on(void) { return !__atomic_load_n(&disabled, __ATOMIC_RELAXED); }
void lt_luakey_reset_child(void) { lt_lock_reset(&slot_lock); }
