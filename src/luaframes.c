/* luaframes.c — Lua source frames in allocation stacks (see luaframes.h).
 *
 * Finding the running lua_State without the program's help. Debian's
 * /usr/bin/luajit links LuaJIT statically (its own calls to luaL_newstate
 * cannot be interposed), nginx's Lua module dynamically; both keep, on
 * x86-64 with GC64 (LuaJIT 2.1's default there), the interpreter's DISPATCH
 * pointer in r14, callee-saved, in the interpreter and in compiled traces
 * alike (vm_x64.dasc "DISPATCH, r14 // Must be C callee-save";
 * lj_target_x86.h RID_DISPATCH = r14). DISPATCH points into the GG_State
 * block (lj_dispatch.h), which starts with the main lua_State, followed by
 * the global_State:
 *   - the main thread is found by walking back from DISPATCH to a GC
 *     object of type thread (gct 6 at offset 9) whose glref (offset 16)
 *     points just past itself (the global_State follows it);
 *   - in the global_State, bc_cfunc_int/bc_cfunc_ext (two BCIns with
 *     A = LUA_MINSTACK = 20, ops FUNCC and FUNCC or FUNCCW) are followed by
 *     cur_L (the running thread, coroutines included) and jit_base (the
 *     running trace's BASE, or NULL) (lj_obj.h global_State).
 * Every candidate r14 is read with process_vm_readv first (a bad address is
 * an EFAULT, not a crash) and the result cached per DISPATCH value.
 *
 * Reading the Lua stack: lua_getstack/lua_getinfo("Snl") through the
 * program's own exported LuaJIT, or, for a level whose key was seen before,
 * the frame the API gave then (luakey.h: the raw words its answer depends
 * on; a third of the Lua-frame cost, half of lua_getinfo's and the
 * interning's, callgrind on bench/ffi.lua). Cached answers and level walks
 * are compared with the API's: the first 64 of each thread, then one in 64;
 * one difference turns the cache off. In a trace L->base is not kept up to date
 * (that is why callbacks from compiled FFI calls fail): the walk is made on
 * a copy of the lua_State whose base is jit_base. The copy keeps glref,
 * stack and cframe, so no state of the program is written. Candidate frames
 * are those in LuaJIT's text (the object defining lua_getstack) and, when
 * the unwinder stopped early, a last frame in no object (a trace). */
#include "luaframes.h"
#include "unwmask.h"
#include "luakey.h"
#include "arena.h"
#include "lock.h"
#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#define LUA_IDSIZE 60
struct lua_debug {                 /* lua.h's lua_Debug (Lua 5.1 ABI, LuaJIT) */
    int event;
    const char *name, *namewhat, *what, *source;
    int currentline, nups, linedefined, lastlinedefined;
    char short_src[LUA_IDSIZE];
    int i_ci;
};
typedef int (*getstack_fn)(void *L, int level, struct lua_debug *ar);
typedef int (*getinfo_fn)(void *L, const char *what, struct lua_debug *ar);

#define TAG_HI   UINT64_C(0xfffe000000000000)   /* never a user-space address */
#define TAG_MASK UINT64_C(0xffff000000000000)
#define MAX_LUA_FRAMES 32
#define MAX_LEVELS     200           /* Lua stack levels read, C functions included */
#define GG_SCAN  (64u << 10)        /* DISPATCH - GG start is a few KiB (jit_State) */
#define G_SCAN   2048u              /* bytes of global_State searched for cur_L */
#define L_COPY   256u
#define GG_DISP_READ 192            /* dispatch entries read: BC__MAX (97) and more */

static struct {
    int state;                      /* 0 unknown, 1 found, -1 not loaded (yet) */
    unsigned long long adds;        /* dlpi_adds at the last scan */
    uintptr_t text_lo, text_hi;
    getstack_fn getstack;
    getinfo_fn getinfo;
} lj;

struct gg { uintptr_t dispatch, mainL, G, lsize, curl_off, vm_lo, vm_hi; };
/* captures while LuaJIT is not loaded, per thread (no shared cache line):
 * a rescan every 256 */
static __thread unsigned misses;
static struct gg ggs[8];
static int ngg;
static uintptr_t bad[16];
static unsigned nbad;
static lt_lock_t gg_lock = LT_LOCK_INIT;

/* ---- interned frames -------------------------------------------------------------- */

struct lframe { const char *fn, *src, *file, *dir, *mangled; unsigned line; uint64_t h; };
static struct lframe *frames;
static uint32_t nframes, capframes;
static uint32_t *fhash;             /* open addressing: index + 1 */
static uint32_t fhash_cap;
static lt_lock_t frame_lock = LT_LOCK_INIT;

/* Eight bytes per multiply: the byte-wise FNV loop this replaces was a
 * quarter of the Lua-frame cost of a capture (luajit FFI bench, perf). The
 * length goes in first, so (fn, file) pairs cannot run together. */
static uint64_t hstr(uint64_t h, const char *s)
{
    const uint64_t mul = UINT64_C(0x9e3779b97f4a7c15);
    size_t n = s ? strlen(s) : 0;
    h = (h ^ n) * mul;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * mul;
        h ^= h >> 32;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * mul;
        h ^= h >> 32;
    }
    return h;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s);
    char *d = lt_arena_bump(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static bool grow(void)
{
    uint32_t ncap = capframes ? capframes * 2 : 256;
    struct lframe *nf = lt_arena_alloc(ncap * sizeof *nf);
    uint32_t *nh = lt_arena_alloc(2 * ncap * sizeof *nh);
    if (!nf || !nh)
        return false;
    if (frames) {
        memcpy(nf, frames, nframes * sizeof *nf);
        lt_arena_free(frames, capframes * sizeof *frames);
        lt_arena_free(fhash, fhash_cap * sizeof *fhash);
    }
    for (uint32_t i = 0; i < nframes; i++) {
        uint32_t k = (uint32_t)nf[i].h & (2 * ncap - 1);
        while (nh[k])
            k = (k + 1) & (2 * ncap - 1);
        nh[k] = i + 1;
    }
    frames = nf;
    fhash = nh;
    capframes = ncap;
    fhash_cap = 2 * ncap;
    return true;
}

/* The tag of (fn, file, line), interned; 0 if memory ran out. */
static uintptr_t intern(const char *fn, const char *file, unsigned line)
{
    uint64_t h = hstr(hstr(UINT64_C(0xcbf29ce484222325) ^ line, fn), file);
    uintptr_t tag = 0;
    lt_tls.locked++;
    lt_lock(&frame_lock);
    if (nframes < capframes || grow()) {
        uint32_t k = (uint32_t)h & (fhash_cap - 1);
        for (; fhash[k]; k = (k + 1) & (fhash_cap - 1)) {
            struct lframe *f = &frames[fhash[k] - 1];
            if (f->h == h && f->line == line && strcmp(f->fn, fn) == 0 && strcmp(f->src, file) == 0) {
                tag = TAG_HI | fhash[k];
                break;
            }
        }
        if (!tag) {
            /* name@file:line is what suppressions match (fun:): specific
             * to one line, globbable ("fun:handler@content.lua:*"). */
            char buf[512];
            const char *base = file[0] != '[' && strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
            size_t a = strlen(fn), b = strlen(base);
            if (a + b + 16 < sizeof buf) {
                memcpy(buf, fn, a);
                buf[a] = '@';
                memcpy(buf + a + 1, base, b);
                char *p = buf + a + 1 + b, num[12];
                int nd = 0;
                unsigned v = line;
                do { num[nd++] = (char)('0' + v % 10); v /= 10; } while (v);
                *p++ = ':';
                while (nd)
                    *p++ = num[--nd];
                *p = 0;
                struct lframe *f = &frames[nframes];
                f->fn = dupstr(fn);
                f->src = f->file = dupstr(file);
                /* As Valgrind prints a source file: its last component, the
                 * directory apart (XML <dir>); chunk names such as
                 * [string "..."] are kept whole. */
                const char *slash = file[0] != '[' ? strrchr(file, '/') : NULL;
                f->dir = NULL;
                if (slash && f->file) {
                    char *d = dupstr(file);
                    if (d) {
                        d[slash - file] = 0;
                        f->dir = d;
                    }
                    f->file = f->file + (slash - file) + 1;
                }
                f->mangled = dupstr(buf);
                f->line = line;
                f->h = h;
                if (f->fn && f->file && f->mangled) {
                    fhash[k] = ++nframes;
                    tag = TAG_HI | nframes;
                }
            }
        }
    }
    lt_unlock(&frame_lock);
    lt_tls.locked--;
    return tag;
}

bool lt_luaframes_describe(uintptr_t ip, struct lt_frame_info *out)
{
    if ((ip & TAG_MASK) != TAG_HI)
        return false;
    uint32_t i = (uint32_t)(ip & 0xffffffffu);
    memset(out, 0, sizeof *out);
    lt_lock(&frame_lock);
    if (i >= 1 && i <= nframes) {
        out->fn = frames[i - 1].fn;
        out->mangled = frames[i - 1].mangled;
        out->file = frames[i - 1].file;
        out->dir = frames[i - 1].dir;
        out->line = frames[i - 1].line;
    }
    lt_unlock(&frame_lock);
    return true;
}

/* ---- finding LuaJIT and its state ------------------------------------------------- */

/* Symbols are looked up in each object's GNU hash table, not with dlsym:
 * a failed dlsym makes ld.so malloc its error message, a block the program
 * never made (and, as the loader's, one the tool would track). */
static uint32_t gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

struct dynsyms { uintptr_t base; const uint32_t *gh; const ElfW(Sym) *sym; const char *str; };

static uintptr_t lookup(const struct dynsyms *d, const char *name)
{
    const uint32_t *gh = d->gh;
    uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2], bloom_shift = gh[3];
    if (!nbuckets || !bloom_size)
        return 0;
    const ElfW(Addr) *bloom = (const ElfW(Addr) *)(gh + 4);
    const uint32_t *buckets = (const uint32_t *)(bloom + bloom_size);
    const uint32_t *chain = buckets + nbuckets;
    const unsigned bits = 8 * sizeof(ElfW(Addr));
    uint32_t h = gnu_hash(name);
    ElfW(Addr) word = bloom[(h / bits) % bloom_size];
    ElfW(Addr) mask = ((ElfW(Addr))1 << (h % bits)) | ((ElfW(Addr))1 << ((h >> bloom_shift) % bits));
    if ((word & mask) != mask)
        return 0;
    uint32_t i = buckets[h % nbuckets];
    if (i < symoffset)
        return 0;
    for (;; i++) {
        uint32_t h2 = chain[i - symoffset];
        const ElfW(Sym) *sy = &d->sym[i];
        if ((h | 1) == (h2 | 1) && sy->st_shndx != SHN_UNDEF && strcmp(name, d->str + sy->st_name) == 0)
            return d->base + sy->st_value;
        if (h2 & 1)
            return 0;
    }
}

static int find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    bool *first = arg;
    if (*first) {                 /* nothing loaded since the last scan: done */
        *first = false;
        if (size >= offsetof(struct dl_phdr_info, dlpi_subs) && lj.state == -1 && info->dlpi_adds == lj.adds)
            return -1;
        if (size >= offsetof(struct dl_phdr_info, dlpi_subs))
            lj.adds = info->dlpi_adds;
    }
    struct dynsyms d = { info->dlpi_addr, NULL, NULL, NULL };
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
            continue;
        for (const ElfW(Dyn) *dy = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
             dy->d_tag != DT_NULL; dy++) {
            uintptr_t p = dy->d_un.d_ptr;
            if (p < d.base)          /* the vDSO's are not relocated (glibc relocates the others) */
                p += d.base;
            if (dy->d_tag == DT_GNU_HASH)
                d.gh = (const uint32_t *)p;
            else if (dy->d_tag == DT_SYMTAB)
                d.sym = (const ElfW(Sym) *)p;
            else if (dy->d_tag == DT_STRTAB)
                d.str = (const char *)p;
        }
    }
    if (!d.gh || !d.sym || !d.str)
        return 0;
    /* LuaJIT, not PUC Lua (luaJIT_setmode): its DISPATCH convention is
     * what is relied on. */
    uintptr_t gs = lookup(&d, "lua_getstack"), gi = lookup(&d, "lua_getinfo");
    if (!gs || !gi || !lookup(&d, "luaJIT_setmode"))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (gs >= lo && gs < hi) {
            lj.text_lo = lo;
            lj.text_hi = hi;
            lj.getstack = (getstack_fn)gs;
            lj.getinfo = (getinfo_fn)gi;
            return 1;
        }
    }
    return 0;
}

void lt_luaframes_reset_child(void)
{
    lt_lock_reset(&gg_lock);
    lt_lock_reset(&frame_lock);
    lt_luakey_reset_child();
}

/* Looks for LuaJIT among the loaded objects; when it is not there (yet:
 * nginx loads it with its Lua module), again every 256 captures of a thread if an
 * object was loaded since (dlpi_adds). dlopen is not interposed for this:
 * glibc resolves a dlopen'ed name with the calling object's DT_RUNPATH
 * and $ORIGIN, which a wrapper would change. */
static bool find_luajit(void)
{
    int st = __atomic_load_n(&lj.state, __ATOMIC_ACQUIRE);
    if (st > 0)
        return true;
    if (st < 0 && (++misses & 255) != 0)
        return false;
    bool first = true;
    bool found = dl_iterate_phdr(find_cb, &first) > 0;
    __atomic_store_n(&lj.state, found ? 1 : -1, __ATOMIC_RELEASE);
    return found;
}

bool lt_luaframes_found(void)
{
    return __atomic_load_n(&lj.state, __ATOMIC_ACQUIRE) > 0;
}


static unsigned char scanbuf[GG_SCAN];

/* The GG_State around DISPATCH value d, validated; gg_lock held. */
static const struct gg *find_gg(uintptr_t d)
{
    for (int i = 0; i < ngg; i++)
        if (ggs[i].dispatch == d)
            return &ggs[i];
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (bad[i] == d)
            return NULL;
    /* GG_State may start close to the beginning of its mapping: read from
     * the lowest readable page (up to GG_SCAN) before d. */
    uintptr_t lo = d & ~(uintptr_t)4095;
    unsigned char probe[8];
    while (d - lo + 4096 <= GG_SCAN && lo >= 4096 && lt_safe_read(probe, lo - 4096, sizeof probe))
        lo -= 4096;
    size_t span = d - lo;
    if ((d & 7) || span < 512 || !lt_safe_read(scanbuf, lo, span)) {
        bad[nbad++ % (sizeof bad / sizeof bad[0])] = d;
        return NULL;
    }
    uintptr_t base = d - span;
    for (long off = (long)span - 24; off >= 0; off -= 8) {
        if (scanbuf[off + 9] != 6)
            continue;
        uintptr_t X = base + (uintptr_t)off, glref;
        memcpy(&glref, scanbuf + off + 16, 8);
        uintptr_t lsize = glref - X;
        if (glref <= X || lsize < 96 || lsize > L_COPY || (lsize & 7))
            continue;
        /* cur_L follows bc_cfunc_int / bc_cfunc_ext in the global_State */
        size_t g0 = (size_t)off + lsize;
        for (size_t k = g0; k + 24 <= span && k < g0 + G_SCAN; k += 8) {
            uint32_t a, b;
            memcpy(&a, scanbuf + k, 4);
            memcpy(&b, scanbuf + k + 4, 4);
            if ((a >> 8) != 20 || (b >> 8) != 20 || (a & 0xff) < 60 ||
                ((b & 0xff) != (a & 0xff) && (b & 0xff) != (a & 0xff) + 1))
                continue;
            if (ngg == (int)(sizeof ggs / sizeof ggs[0]))
                ngg = 0;                 /* forget the oldest states */
            /* The interpreter's machine code (lj_vm.o: the bytecode and
             * fast-function handlers the dispatch table points to, and the
             * lj_vm_* subroutines among them, lj_vm_ffi_call included). */
            uintptr_t disp[GG_DISP_READ], vlo = UINTPTR_MAX, vhi = 0;
            if (!lt_safe_read(disp, d, sizeof disp))
                break;
            for (size_t j = 0; j < GG_DISP_READ; j++)
                if (disp[j] >= lj.text_lo && disp[j] < lj.text_hi) {
                    vlo = disp[j] < vlo ? disp[j] : vlo;
                    vhi = disp[j] > vhi ? disp[j] : vhi;
                }
            if (vhi <= vlo)
                break;
            struct gg *g = &ggs[ngg++];
            g->vm_lo = vlo;
            g->vm_hi = vhi;
            g->dispatch = d;
            g->mainL = X;
            g->G = glref;
            g->lsize = lsize;
            g->curl_off = k + 8 - g0;
            return g;
        }
    }
    bad[nbad++ % (sizeof bad / sizeof bad[0])] = d;
    return NULL;
}

/* Whether ip lies in a loaded object. Asked for the outermost frame of
 * every short stack once LuaJIT is loaded (usually _start or clone3's:
 * the same few addresses), so positive answers are remembered; dladdr
 * takes the loader lock. */
static uintptr_t in_obj_cache[64];

static bool in_object(uintptr_t ip)
{
    uintptr_t *slot = &in_obj_cache[(ip >> 4) & 63];
    if (__atomic_load_n(slot, __ATOMIC_RELAXED) == ip)
        return true;
    Dl_info di;
    if (dladdr((void *)ip, &di) == 0)
        return false;
    __atomic_store_n(slot, ip, __ATOMIC_RELAXED);
    return true;
}

/* ---- the walk ----------------------------------------------------------------------- */

/* A cached state whose DISPATCH equals d, copied out; false if none. */
static bool cached_gg(uintptr_t d, struct gg *out)
{
    bool hit = false;
    lt_tls.locked++;           /* a tool lock: a nested (signal) call must not wait */
    lt_lock(&gg_lock);
    for (int i = 0; i < ngg && !hit; i++)
        if (ggs[i].dispatch == d) {
            *out = ggs[i];
            hit = true;
        }
    lt_unlock(&gg_lock);
    lt_tls.locked--;
    return hit;
}

/* r14 as the program's code that called the allocation function left it:
 * interpose.c, depot.c and this file are compiled with -ffixed-r14
 * (CMakeLists.txt), so nothing between the exported entry point and here
 * changes it, and every function they call restores it (callee-saved). */
static inline uintptr_t caller_r14(void)
{
#if defined(__x86_64__)
    uintptr_t v;
    __asm__ volatile("mov %%r14, %0" : "=r"(v));
    return v;
#else
    return 0;
#endif
}

#define FRAME_END ((uintptr_t)-1)

/* The interned frame of the level ar->i_ci names, as the API gives it: 0
 * for a C function (the native stack has it), FRAME_END when the API
 * fails. */
static uintptr_t frame_from_api(void *L, struct lua_debug *ar)
{
    /* What is read below, reset (a whole memset of ar per level was a
     * fifth of this function's time: rep stos). */
    ar->what = NULL;
    ar->name = NULL;
    ar->short_src[0] = 0;
    ar->currentline = ar->linedefined = -1;
    if (!lj.getinfo(L, "Snl", ar))
        return FRAME_END;
    if (!ar->what || ar->what[0] == 'C')
        return 0;
    /* named as Lua's own traceback names them (luaL_traceback) */
    char anon[LUA_IDSIZE + 32];
    const char *fn = ar->name;
    if (!fn && ar->what[0] == 'm') {
        fn = "main chunk";
    } else if (!fn) {
        const char *src = ar->short_src[0] != '[' && strrchr(ar->short_src, '/') ?
                          strrchr(ar->short_src, '/') + 1 : ar->short_src;
        size_t a = strlen(src);
        char num[12];
        int nd = 0;
        unsigned v = ar->linedefined > 0 ? (unsigned)ar->linedefined : 0;
        do { num[nd++] = (char)('0' + v % 10); v /= 10; } while (v);
        char *p = anon;
        memcpy(p, "function <", 10);
        p += 10;
        memcpy(p, src, a);
        p += a;
        *p++ = ':';
        while (nd)
            *p++ = num[--nd];
        *p++ = '>';
        *p = 0;
        fn = anon;
    }
    unsigned line = ar->currentline > 0 ? (unsigned)ar->currentline : 0;
    return intern(fn, ar->short_src, line);
}

/* Answers compared with the API's: the first VERIFY_FIRST a thread gets
 * from the key cache, then one in VERIFY_EVERY; a difference turns the
 * cache off for the process. LEAKTRACE_LUA_KEYS=no never uses the cache,
 * =check compares every answer and prints the counts at exit (tests). */
#define VERIFY_FIRST 64u
#define VERIFY_EVERY 64u
static __thread unsigned key_answers, walks;
enum { KEYS_ON, KEYS_OFF, KEYS_CHECK };
static int keys_mode = KEYS_ON;
static unsigned long keys_equal, keys_differ, keys_asked, walks_equal, walks_differ;

/* Whether this answer of the cache (counted in *n) is compared with the API's. */
static bool sampled(unsigned *n)
{
    unsigned k = ++*n;
    return keys_mode == KEYS_CHECK || k <= VERIFY_FIRST || k % VERIFY_EVERY == 0;
}

/* The comparison's outcome: counted in check mode, else a difference
 * turns the cache off. */
static void compared(bool same, unsigned long *equal, unsigned long *differ)
{
    if (keys_mode == KEYS_CHECK)
        __atomic_add_fetch(same ? equal : differ, 1, __ATOMIC_RELAXED);
    else if (!same)
        lt_luakey_off();
}

void lt_luaframes_init(void)
{
    const char *e = getenv("LEAKTRACE_LUA_KEYS");
    if (e && !strcmp(e, "no"))
        keys_mode = KEYS_OFF;
    else if (e && !strcmp(e, "check"))
        keys_mode = KEYS_CHECK;
    if (keys_mode == KEYS_OFF)
        lt_luakey_off();
}

__attribute__((destructor)) static void report_keys_check(void)
{
    if (keys_mode == KEYS_CHECK && lt_luaframes_found())
        lt_warn("lua-key check: %lu walks equal to lua_getstack's, %lu differed; "
                "%lu cached answers equal to lua_getinfo's, %lu differed, %lu levels asked",
                walks_equal, walks_differ, keys_equal, keys_differ, keys_asked);
}

/* The i_ci of levels 0.. (up to MAX_LEVELS + 1), as lua_getstack gives
 * them: from the key module's walk when it is on (sampled and compared
 * with lua_getstack's like the cached answers), from lua_getstack otherwise. */
static int levels_of(void *L, uintptr_t Laddr, int *ici)
{
    int n = lt_luakey_is_on() ? lt_luakey_levels(L, Laddr, ici, MAX_LEVELS + 1) : -1;
    if (n >= 0 && !sampled(&walks))
        return n;
    struct lua_debug ar;
    int m = 0;
    bool same = n >= 0;
    for (; m <= MAX_LEVELS; m++) {
        ar.i_ci = 0;
        if (!lj.getstack(L, m, &ar))
            break;
        same = same && m < n && ici[m] == ar.i_ci;
        ici[m] = ar.i_ci;
    }
    if (n >= 0)
        compared(same && m == n, &walks_equal, &walks_differ);
    return m;
}

/* The level's frame, from the key cache when its key was seen (luakey.h),
 * from lua_getinfo otherwise. */
static uintptr_t frame_at(void *L, struct lua_debug *ar, int next_ici)
{
    struct lt_luakey key;
    enum lt_luakey_kind kind = lt_luakey_is_on() ?
                               lt_luakey_make(L, ar->i_ci, next_ici, &key) : LT_LUAKEY_ASK;
    uintptr_t cached = 0;
    if (kind == LT_LUAKEY_LUA)
        cached = lt_luakey_get(&key);
    if (kind == LT_LUAKEY_ASK || (kind == LT_LUAKEY_LUA && !cached)) {
        uintptr_t tag = frame_from_api(L, ar);
        if (kind == LT_LUAKEY_LUA && tag && tag != FRAME_END)
            lt_luakey_put(&key, tag);
        if (keys_mode == KEYS_CHECK)
            __atomic_add_fetch(&keys_asked, 1, __ATOMIC_RELAXED);
        return tag;
    }
    uintptr_t answer = kind == LT_LUAKEY_C ? 0 : cached;
    if (!sampled(&key_answers))
        return answer;
    uintptr_t tag = frame_from_api(L, ar);
    compared(tag == answer, &keys_equal, &keys_differ);
    return tag;
}

void lt_luaframes_add(uintptr_t *ips, uint32_t *depth, uint32_t max)
{
    uintptr_t r14_now = caller_r14();
    uint32_t n = *depth;
    if (n < 2 || !find_luajit())
        return;
    /* Which frames may run on DISPATCH: LuaJIT's text, or a last frame in
     * no object when the unwinder stopped short (a trace). */
    int first = -1;
    bool trace_last = false;
    for (uint32_t i = 1; i < n; i++)
        if (ips[i] >= lj.text_lo && ips[i] < lj.text_hi) {
            first = (int)i;
            break;
        }
    struct gg copy = { 0, 0, 0, 0, 0, 0, 0 };
    const struct gg *gg = NULL;
    uint32_t at = 0;
    /* Fast path: the allocation function's caller runs on a known DISPATCH
     * (a trace, or the interpreter's FFI call when the C code between kept
     * r14): no second unwind (libunwind's register-tracking steps block
     * signals around its cache, two system calls per step). */
    if (cached_gg(r14_now, &copy)) {
        gg = &copy;
        at = first >= 0 ? (uint32_t)first + 1 : n;
        if (first < 0 && n >= max)
            return;
    }
    if (!gg && first < 0) {
        if (n >= max || in_object(ips[n - 1]))
            return;
        trace_last = true;
        first = (int)n - 1;
    }
    /* r14 of each candidate frame, from a second, register-tracking unwind. */
    unw_context_t ctx;
    unw_cursor_t c;
    lt_unw_walk_begin();                       /* one mask at most for the walk (unwmask.h) */
    if (!gg && (unw_getcontext(&ctx) != 0 || unw_init_local(&c, &ctx) != 0)) {
        lt_unw_walk_end();
        return;
    }
    uint32_t k = (uint32_t)first;
    for (int steps = 0; !gg && steps < 600 && k < n; steps++) {
        unw_word_t ip, r14;
        if (unw_get_reg(&c, UNW_REG_IP, &ip) != 0)
            break;
        if ((uintptr_t)ip == ips[k]) {
            bool cand = trace_last ? k == n - 1 : (ips[k] >= lj.text_lo && ips[k] < lj.text_hi);
            if (cand && unw_get_reg(&c, UNW_X86_64_R14, &r14) == 0) {
                lt_tls.locked++;
                lt_lock(&gg_lock);
                gg = find_gg((uintptr_t)r14);
                if (gg) {
                    copy = *gg;
                    gg = &copy;
                }
                lt_unlock(&gg_lock);
                lt_tls.locked--;
                if (gg) {
                    at = k + 1;
                    break;
                }
            }
            k++;
        }
        if (unw_step(&c) <= 0)
            break;
    }
    lt_unw_walk_end();
    if (!gg)
        return;
    /* LuaJIT's own C code calling the allocator (LUAJIT_USE_SYSMALLOC
     * builds route every Lua allocation through realloc): the Lua stack may
     * be half updated (a stack being reallocated), so it is not read. An FFI
     * call from the interpreter comes from lj_vm_ffi_call, inside the VM;
     * from a trace, from no object; a C function called from Lua is outside
     * LuaJIT. */
    if (ips[1] >= lj.text_lo && ips[1] < lj.text_hi &&
        (ips[1] < gg->vm_lo || ips[1] > gg->vm_hi + 4096))
        return;
    /* The running thread and, in a trace, its real base. */
    uintptr_t cur = 0, jit_base = 0;
    memcpy(&cur, (const void *)(gg->G + gg->curl_off), 8);
    memcpy(&jit_base, (const void *)(gg->G + gg->curl_off + 8), 8);
    uintptr_t L = cur ? cur : gg->mainL;
    unsigned char lcopy[L_COPY] __attribute__((aligned(16)));
    /* DISPATCH is live in a frame of this thread: its state and running
     * thread are live, plain reads are safe. */
    memcpy(lcopy, (const void *)L, gg->lsize);
    if (lcopy[9] != 6)
        return;
    uintptr_t glref;
    memcpy(&glref, lcopy + 16, 8);
    if (glref != gg->G)
        return;
    if (jit_base)
        memcpy(lcopy + 32, &jit_base, 8);          /* lua_State.base (GC64) */
    uintptr_t lua[MAX_LUA_FRAMES];
    uint32_t nl = 0;
    struct lua_debug ar;                            /* frame_from_api resets what it reads */
    int ici[MAX_LEVELS + 1];
    int nlev = levels_of(lcopy, L, ici);
    for (int level = 0; level < nlev && level < MAX_LEVELS && nl < MAX_LUA_FRAMES; level++) {
        ar.i_ci = ici[level];
        uintptr_t tag = frame_at(lcopy, &ar, level + 1 < nlev ? ici[level + 1] : -1);
        if (tag == FRAME_END)
            break;
        if (tag)
            lua[nl++] = tag;
    }
    if (!nl)
        return;
    /* Insert after frame at-1; native frames after it move down, the
     * deepest fall off when the stack is full. */
    if (at > n)
        at = n;
    uint32_t keep_after = n - at;
    if (at + nl > max)
        nl = max - at;
    if (at + nl + keep_after > max)
        keep_after = max - at - nl;
    memmove(ips + at + nl, ips + at, keep_after * sizeof *ips);
    memcpy(ips + at, lua, nl * sizeof *ips);
    *depth = at + nl + keep_after;
}
