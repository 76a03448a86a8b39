/* dwlib.c — libdw and libelf in a private link-map namespace (see dwlib.h).
 *
 * glibc gives a namespace made by dlmopen(LM_ID_NEWLM) its own copy of
 * every library it needs, libc included, and never puts LD_PRELOAD objects
 * in it (preloads are loaded into the base namespace only). Its first
 * object is libleaktrace-dw.so (nsmalloc.c), which needs libdw.so.1: its
 * malloc family, first in the namespace's scope, hands every allocation
 * made there to this library's exported allocator, which inside the tool
 * serves the tool's arena — as when libdw was linked here. The namespace's
 * libc needs static TLS, which ld.so keeps a surplus of for such
 * namespaces (the rtld.nns tunable, 4 by default). */
#define LT_DWLIB_DEFINE
#include "dwlib.h"
#include "lock.h"
#include "nsmalloc.h"
#include "objects.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>

struct lt_dwlib lt_dwlib;

static int state;                 /* 0 not tried, 1 loaded, -1 failed */
static char why[4096 + 256];
static const char *sealed_reason;   /* set: a first load now fails with this */

static bool resolve_all(void *h)
{
#define LT_DWLIB_RESOLVE(f)                                                          \
    if (!(lt_dwlib.f = (__typeof__(lt_dwlib.f))dlsym(h, #f))) {                      \
        snprintf(why, sizeof why, "libdw.so.1 has no %s", #f);                       \
        return false;                                                                \
    }
    LT_DWLIB_FUNCS(LT_DWLIB_RESOLVE)
#undef LT_DWLIB_RESOLVE
    return true;
}

/* LEAKTRACE_LIBDW as the program started (another build of
 * libleaktrace-dw.so, or a missing file to see a report without libdw):
 * at exit __libc_freeres has cleared the environment (its setenv.c part
 * ends with clearenv). */
static char override_path[4096];

__attribute__((constructor)) static void remember_override(void)
{
    const char *env = getenv("LEAKTRACE_LIBDW");
    if (env && strlen(env) < sizeof override_path)
        strcpy(override_path, env);
}

/* libleaktrace-dw.so, next to this library, unless overridden. */
static bool shim_path(char *out, size_t size)
{
    if (override_path[0])
        return (size_t)snprintf(out, size, "%s", override_path) < size;
    Dl_info info;
    if (!dladdr((void *)lt_dwlib_load, &info) || !info.dli_fname)
        return false;
    const char *slash = strrchr(info.dli_fname, '/');
    int dir = slash ? (int)(slash - info.dli_fname) : 1;
    const char *base = slash ? info.dli_fname : ".";
    return (size_t)snprintf(out, size, "%.*s/%s", dir, base, LT_NSMALLOC_LIB) < size;
}

static void *open_namespace(void)
{
    char path[4096];
    if (!shim_path(path, sizeof path)) {
        snprintf(why, sizeof why, "cannot find %s", LT_NSMALLOC_LIB);
        return NULL;
    }
    /* RTLD_NOW: every relocation is done here, before any report starts,
     * so no lazy binding (and no loader lock) happens inside libdw later. */
    void *h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, sizeof why, "cannot load %s: %s", path, e ? e : "dlmopen failed");
        return NULL;
    }
    void (*set)(const struct lt_nsmalloc_ops *) =
        (void (*)(const struct lt_nsmalloc_ops *))dlsym(h, LT_NSMALLOC_SET);
    if (!set) {
        snprintf(why, sizeof why, "%s has no %s", path, LT_NSMALLOC_SET);
        return NULL;
    }
    /* The exported allocator: inside the tool (lt_tls.busy) it serves the
     * tool's arena (interpose.c, ROUTE_TOOL). */
    static const struct lt_nsmalloc_ops ops = { malloc, free, calloc, realloc, memalign,
                                                malloc_usable_size };
    set(&ops);
    return h;
}

/* ld.so's own link map, as <link.h> starts it and glibc's include/link.h
 * goes on (unchanged since glibc 2.3): l_real, l_ns, then l_libname. */
struct libname_node {
    const char *name;
    struct libname_node *next;
    int dont_free;
};
struct rtld_map_head {
    ElfW(Addr) l_addr;
    char *l_name;
    ElfW(Dyn) *l_ld;
    struct link_map *l_next, *l_prev;
    struct link_map *l_real;
    Lmid_t l_ns;
    struct libname_node *l_libname;
};

static struct rtld_map_head *rtld;
static struct libname_node *rtld_soname;   /* the node freeres unlinks */

void lt_dwlib_before_freeres(void)
{
    if (state != 0 || rtld)
        return;
    /* Found at start-up: the world is stopped now (objects.h). */
    struct lt_object ld;
    bool found = lt_object_loader(&ld);
    for (struct link_map *l = _r_debug.r_map; l && found; l = l->l_next) {
        struct rtld_map_head *m = (struct rtld_map_head *)l;
        /* Trust the layout only where it shows itself: ld.so's map is its
         * own l_real, in namespace 0, its first name its path. */
        if (m->l_addr != ld.bias || m->l_real != l || m->l_ns != LM_ID_BASE || !m->l_libname
            || !m->l_libname->name || !m->l_name || strcmp(m->l_libname->name, m->l_name) != 0)
            continue;
        struct libname_node *second = m->l_libname->next;
        if (second && second->dont_free && !second->next) {
            rtld = m;
            rtld_soname = second;
        }
        break;
    }
    if (!rtld)
        sealed_reason = "libc's caches were released before it was needed";
}

/* Links ld.so's soname back if freeres unlinked it (see dwlib.h). */
static void restore_rtld_soname(void)
{
    if (rtld && !rtld->l_libname->next)
        rtld->l_libname->next = rtld_soname;
}

static void load_once(void)
{
    if (sealed_reason) {
        snprintf(why, sizeof why, "libdw.so.1 not loaded: %s", sealed_reason);
        __atomic_store_n(&state, -1, __ATOMIC_RELEASE);
        return;
    }
    restore_rtld_soname();
    lt_dwlib_enter();
    void *h = open_namespace();
    bool ok = h && resolve_all(h);
    lt_dwlib_leave();
    if (!ok)
        memset(&lt_dwlib, 0, sizeof lt_dwlib);
    __atomic_store_n(&state, ok ? 1 : -1, __ATOMIC_RELEASE);
}

bool lt_dwlib_load(void)
{
    static lt_lock_t lock = LT_LOCK_INIT;
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s == 0) {
        lt_lock(&lock);
        if (state == 0)
            load_once();
        lt_unlock(&lock);
        s = state;
    }
    return s == 1;
}

const char *lt_dwlib_error(void)
{
    return state == -1 ? why : NULL;
}
