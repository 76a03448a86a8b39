/* nextalloc.c — the allocator behind the tool's wrappers (see nextalloc.h).
 *
 * "One allocator" is decided by object: a function is taken only if dladdr
 * finds it in the same loaded object as the malloc chosen (dlsym on a
 * handle or RTLD_NEXT would otherwise fall through to glibc for a function
 * jemalloc lacks, and glibc's pvalloc memory would reach jemalloc's free).
 * Emulations follow the C and POSIX rules for what they replace:
 * memalign/aligned_alloc/valloc/pvalloc through whichever aligned entry
 * the allocator has (pvalloc rounds the size up to whole pages, valloc and
 * pvalloc align to the page: glibc malloc.c), calloc checks n*size for
 * overflow (C11 7.22.3.2) and zeroes. */
#include "nextalloc.h"
#include "elfsym.h"
#include "objects.h"
#include "interpose.h"
#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

struct lt_nextalloc lt_nextalloc;
struct lt_libc_fns lt_libc;
static struct lt_real_fns *R;      /* the table resolved (lt_real), for the emulations */

enum {
    EMU_CALLOC = 1, EMU_MEMALIGN = 2, EMU_POSIX_MEMALIGN = 4, EMU_ALIGNED_ALLOC = 8,
    EMU_VALLOC = 16, EMU_PVALLOC = 32, EMU_USABLE = 64
};

/* The object holding fn, as dladdr1(RTLD_DL_LINKMAP) finds it, but by
 * address ranges (objects.h) instead of dladdr's search of the object's
 * symbol table, which cost a tenth of a millisecond per process for the
 * dozen look-ups here (issue 14). */
static const void *object_of(const void *fn, struct link_map **lm)
{
    struct lt_object o;
    uintptr_t lo, hi;
    *lm = NULL;
    if (!fn || !lt_object_at((uintptr_t)fn, &o) || !lt_object_span(&o, 0, &lo, &hi))
        return NULL;
    for (struct link_map *l = _r_debug.r_map; l; l = l->l_next)
        if (l->l_addr == o.bias && l->l_name == o.name) {
            *lm = l;
            break;
        }
    return (const void *)(lo & ~(uintptr_t)4095);
}

static void copy_name(char *dst, size_t n, const struct link_map *lm)
{
    const char *s = lm && lm->l_name && lm->l_name[0] ? lm->l_name : "the program";
    size_t len = strlen(s);
    if (len >= n)
        len = n - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* dlsym(handle, name), kept only if it lies in `object`. */
static void *same_object(void *handle, const char *name, const void *object)
{
    void *f = dlsym(handle, name);
    struct link_map *lm;
    return f && object_of(f, &lm) == object ? f : NULL;
}

static size_t page_size(void)
{
    static size_t page;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

/* ---- emulations on top of the chosen allocator -------------------------------- */

static void *emu_memalign(size_t align, size_t size)
{
    if (R->posix_memalign != NULL && !(lt_nextalloc.emulated & EMU_POSIX_MEMALIGN)) {
        void *p = NULL;
        if (align < sizeof(void *))
            align = sizeof(void *);
        int rc = R->posix_memalign(&p, align, size);
        if (rc != 0) {
            errno = rc;
            return NULL;
        }
        return p;
    }
    if (R->aligned_alloc != NULL && !(lt_nextalloc.emulated & EMU_ALIGNED_ALLOC)) {
        /* C11 wants size to be a multiple of align: round it up. */
        size_t rounded = (size + align - 1) & ~(align - 1);
        if (rounded < size) {
            errno = ENOMEM;
            return NULL;
        }
        return R->aligned_alloc(align, rounded);
    }
    errno = ENOMEM;       /* an allocator without any aligned entry: nothing to build on */
    return NULL;
}

static int emu_posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    int saved = errno;
    void *p = R->memalign(align, size);
    if (!p) {
        int e = errno ? errno : ENOMEM;
        errno = saved;
        return e;
    }
    *out = p;
    return 0;
}

static void *emu_aligned_alloc(size_t align, size_t size)
{
    return R->memalign(align, size);
}

static void *emu_valloc(size_t size)
{
    return R->memalign(page_size(), size);
}

static void *emu_pvalloc(size_t size)
{
    size_t page = page_size();
    size_t rounded = size ? (size + page - 1) & ~(page - 1) : page;
    if (rounded < size) {
        errno = ENOMEM;
        return NULL;
    }
    return R->memalign(page, rounded);
}

static void *emu_calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = R->malloc(total);
    if (p)
        memset(p, 0, total);
    return p;
}

/* ---- resolution ------------------------------------------------------------------ */

/* A non-PIE executable that takes malloc's address gets a canonical PLT
 * entry: an undefined "malloc" with the stub's address as its value, which
 * the loader (and so dlsym) answers with (System V x86-64 psABI, "Function
 * Addresses"). Debian's python3 is one. Only a defined symbol makes malloc
 * the program's own. */
static bool exe_defines_malloc(void)
{
    static const char *const names[] = { "malloc" };
    uintptr_t addr = 0;
    lt_elfsym_find(names, &addr, 1);
    return addr != 0;
}

void lt_nextalloc_resolve(struct lt_real_fns *r)
{
    struct link_map *self_lm, *first_lm, *alloc_lm, *lm;
    R = r;
    const void *self = object_of((const void *)lt_nextalloc_resolve, &self_lm);
    const void *first = object_of(dlsym(RTLD_DEFAULT, "malloc"), &first_lm);
    void *handle = RTLD_NEXT;
    if (first && first != self && first_lm == _r_debug.r_map && !exe_defines_malloc())
        first = NULL;
    if (first && first != self) {
        /* The first malloc in the lookup order is not ours. Its own
         * executable: the program's allocator (or hooks forwarding to
         * __libc_malloc); the tool keeps the next one for what reaches it.
         * A library: an allocator preloaded before the tool, which every
         * entry point that reaches the tool must use too. */
        struct link_map *main_lm = _r_debug.r_map;
        lt_nextalloc.owner = first_lm == main_lm ? LT_OWNER_PROGRAM : LT_OWNER_BEFORE;
        copy_name(lt_nextalloc.first, sizeof lt_nextalloc.first, first_lm);
        if (lt_nextalloc.owner == LT_OWNER_BEFORE)
            handle = RTLD_DEFAULT;
    }
    r->malloc = (void *(*)(size_t))dlsym(handle, "malloc");
    const void *alloc = object_of((const void *)r->malloc, &alloc_lm);
    copy_name(lt_nextalloc.name, sizeof lt_nextalloc.name, alloc_lm);
    const void *libc = object_of((const void *)gnu_get_libc_version, &lm);
    lt_nextalloc.glibc = alloc != NULL && alloc == libc;

#define TAKE(field, name) r->field = (__typeof__(r->field))same_object(handle, name, alloc)
    TAKE(free, "free");
    TAKE(calloc, "calloc");
    TAKE(realloc, "realloc");
    TAKE(memalign, "memalign");
    TAKE(posix_memalign, "posix_memalign");
    TAKE(aligned_alloc, "aligned_alloc");
    TAKE(valloc, "valloc");
    TAKE(pvalloc, "pvalloc");
    TAKE(malloc_usable_size, "malloc_usable_size");
#undef TAKE
    /* Without malloc, free and realloc of its own there is no allocator to
     * speak of: fall back to the next definitions as before. */
    if (!r->free || !r->realloc) {
        r->free = (void (*)(void *))dlsym(handle, "free");
        r->realloc = (void *(*)(void *, size_t))dlsym(handle, "realloc");
    }
    unsigned emu = 0;
    if (!r->posix_memalign)
        emu |= EMU_POSIX_MEMALIGN;
    if (!r->aligned_alloc)
        emu |= EMU_ALIGNED_ALLOC;
    lt_nextalloc.emulated = emu;
    if (!r->memalign) {
        r->memalign = emu_memalign;
        emu |= EMU_MEMALIGN;
    }
    if (!r->posix_memalign)
        r->posix_memalign = emu_posix_memalign;
    if (!r->aligned_alloc)
        r->aligned_alloc = emu_aligned_alloc;
    if (!r->calloc) {
        r->calloc = emu_calloc;
        emu |= EMU_CALLOC;
    }
    if (!r->valloc) {
        r->valloc = emu_valloc;
        emu |= EMU_VALLOC;
    }
    if (!r->pvalloc) {
        r->pvalloc = emu_pvalloc;
        emu |= EMU_PVALLOC;
    }
    if (!r->malloc_usable_size)
        emu |= EMU_USABLE;      /* interpose.c answers from the table */
    lt_nextalloc.emulated = emu;

    /* __libc_*: what the program reaches without the tool is the next
     * definition (glibc's, or tcmalloc's, which exports them too). */
#define LIBC(field, name) lt_libc.field = (__typeof__(lt_libc.field))dlsym(RTLD_NEXT, name)
    LIBC(malloc, "__libc_malloc");
    LIBC(free, "__libc_free");
    LIBC(calloc, "__libc_calloc");
    LIBC(realloc, "__libc_realloc");
    LIBC(memalign, "__libc_memalign");
    LIBC(valloc, "__libc_valloc");
    LIBC(pvalloc, "__libc_pvalloc");
#undef LIBC
    lt_libc.same = lt_libc.malloc && object_of((const void *)lt_libc.malloc, &lm) == alloc &&
                   lt_libc.free && object_of((const void *)lt_libc.free, &lm) == alloc;
    /* Missing ones (not every allocator has all seven): the tool's own
     * path, which is the same allocator when `same`, else glibc's names
     * are simply absent and the tool's wrappers forward to lt_real. */
}
