/* symbols.c — code address -> frames, as Valgrind 3.19 prints them (see symbols.h).
 *
 * How each part of a frame line is found, and which Valgrind rule it copies:
 *
 *  - object: the /proc/self/maps entry holding the address (snapshot taken by
 *    lt_symbols_begin), " (deleted)" stripped.
 *  - function: the ELF symbol table of the object (.symtab of the file or of
 *    its separate debug file, else .dynsym; libdwfl picks the table), cleaned
 *    up the way coregrind/m_debuginfo does it: only FUNC/OBJECT/IFUNC
 *    symbols with a name, a size and a value whose low 32 bits are not 0,
 *    lying wholly inside an executable mapping (readelf.c
 *    get_elf_symbol_info); identical ranges merged and overlapping ranges
 *    truncated (storage.c canonicaliseSymtab); among aliases the name
 *    preferName picks (shortest name up to '@', then versioned, then
 *    alphabetical: "strdup" not "__strdup", "pthread_create@@GLIBC_2.34").
 *    Demangled with libiberty in the style cplus_demangle(DMGL_PARAMS |
 *    DMGL_ANSI) uses in auto mode (Rust first, then the C++ v3 ABI), through
 *    the callback interfaces so nothing is malloc'd here.
 *  - file:line: the DWARF line table (libdw's rows), read the way
 *    Valgrind's loctab reads it, including its merging of adjacent ranges
 *    with the same line number (see line_lookup). The file is the
 *    file-table entry as Valgrind prints it (for GCC output, the last path
 *    component); the directory is built as readdwarf.c builds it: a
 *    relative include directory is prefixed with DW_AT_comp_dir (which, for
 *    DWARF 5, applies to entry 0 too, hence glibc's "./string/./string").
 *  - inlined calls: the DW_TAG_inlined_subroutine DIEs containing the
 *    address, innermost first; the name is the abstract origin's DW_AT_name
 *    (or that of its DW_AT_specification), "UnknownInlinedFun" when the
 *    origin lies in another unit (readdwarf3.c get_inlFnName); the caller's
 *    file:line is DW_AT_call_file/DW_AT_call_line.
 *
 * Debug files are looked up locally only: build ID under /usr/lib/debug,
 * then .gnu_debuglink (CRC-checked) next to the object, in its .debug/ and
 * under /usr/lib/debug; an absolute .gnu_debugaltlink path as is. dwfl_standard_find_debuginfo is NOT used: in elfutils
 * 0.188 it ends by asking debuginfod (dlopen of libdebuginfod and network
 * when DEBUGINFOD_URLS is set); our callback never does.
 *
 * Memory: everything kept is in arena memory (a session pool, freed by
 * lt_symbols_end); libdw's own allocations use malloc, which the caller's
 * guard lets through untracked. Not thread-safe: one session at a time, used
 * by the thread that writes the report. */
#include "symbols.h"
#include "gopclntab.h"
#include "arena.h"
#include "maps.h"
#include "symcache.h"
#include "options.h"
#include "unloaded.h"
#include "luaframes.h"

#include <elfutils/libdwfl.h>
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <gelf.h>
#include <libiberty/demangle.h>
#include "dwlib.h"
#include <fcntl.h>
#include <link.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) lt_arena_alloc(sz)
#define uthash_free(ptr, sz) lt_arena_free((ptr), (sz))
#include <uthash.h>

#define LT_MAX_INLINE (LT_SYMBOLS_MAX_FRAMES - 1)  /* deepest inlined-call chain described */
#define LT_POOL_CHUNK (64u << 10)

/* ------------------------------------------------------------------ */
/* Session state                                                       */

struct pool_chunk {
    struct pool_chunk *next;
    size_t cap, used;
    size_t pad_;
};

struct istr {                      /* interned string */
    UT_hash_handle hh;
    size_t len;
    char s[];
};

struct fnrange {                   /* a concrete subprogram's address range */
    Dwarf_Addr lo, hi;
    Dwarf_Off die;
};

struct cuinfo {
    UT_hash_handle hh;
    Dwarf_Off key;                 /* offset of the CU DIE */
    Dwarf_Die cudie;
    Dwarf_Files *files;
    size_t nfiles;
    const char *const *dirs;
    size_t ndirs;
    const char *comp_dir;
    int version;
    struct fnrange *fns;
    size_t nfns;
    Dwarf_Lines *lines;            /* the CU's line table, sorted by address */
    size_t nlines;
};

struct csym {                      /* canonical symbol: [lo, lo+size) */
    uintptr_t lo, size;
    const char *name;
};

struct modinfo {
    Dwfl_Module *mod;
    int syms_loaded;
    struct csym *syms;
    size_t nsyms;
    int dw_loaded;
    Dwarf *dw;
    Dwarf_Addr dwbias;
    int have_bias;
    uintptr_t bias;
    struct cuinfo *cus;
    int cache_opened;
    struct lt_symcache *cache;     /* results shared between processes */
    int curanges_built;            /* cu_by_ranges' index (no .debug_aranges) */
    struct fnrange *curanges;      /* lo/hi = CU range, die = CU DIE offset */
    size_t ncuranges;
};

struct addr_key {
    uintptr_t ip;
    uintptr_t ret;
};

struct addr_entry {
    UT_hash_handle hh;
    struct addr_key key;
    int n;
    struct lt_frame_info *f;
};

#define LT_SYMBOLS_HEADROOM ((size_t)64 << 20)

static struct {
    int active;
    struct lt_maps maps;
    int maps_ok;
    int maps_tried;                /* maps read (lazily: maps_ready) */
    int maps_shared;               /* the check's snapshot (lt_symbols_share_maps): not ours to free */
    struct pool_chunk *chunks;
    struct istr *strs;
    struct addr_entry *cache;
    Dwfl *dwfl;
    int dwfl_failed;
    int no_dwarf;                  /* the tool's memory is exhausted: no libdw */
    struct modinfo **mods;         /* every modinfo, for lt_symbols_end */
    size_t nmods, capmods;
} S;

/* ------------------------------------------------------------------ */
/* Small helpers: pool, strings, sorting                               */

static void *pool_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct pool_chunk *c = S.chunks;
    size_t hdr = sizeof(struct pool_chunk);
    if (!c || c->cap - c->used < n) {
        size_t cap = LT_POOL_CHUNK;
        if (cap < n + hdr)
            cap = n + hdr;
        c = lt_arena_alloc(cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = hdr;
        c->next = S.chunks;
        S.chunks = c;
    }
    void *p = (char *)c + c->used;
    c->used += n;
    return p;
}

static void pool_release(void)
{
    struct pool_chunk *c = S.chunks;
    while (c) {
        struct pool_chunk *next = c->next;
        lt_arena_free(c, c->cap);
        c = next;
    }
    S.chunks = NULL;
}

/* Returns a session copy of s[0..len), shared between equal strings. */
static const char *intern_n(const char *s, size_t len)
{
    if (!s)
        return NULL;
    struct istr *e = NULL;
    HASH_FIND(hh, S.strs, s, len, e);
    if (e)
        return e->s;
    e = pool_alloc(sizeof *e + len + 1);
    if (!e)
        return NULL;
    memcpy(e->s, s, len);
    e->s[len] = 0;
    e->len = len;
    HASH_ADD_KEYPTR(hh, S.strs, e->s, len, e);
    return e->s;
}

static const char *intern(const char *s)
{
    return s ? intern_n(s, strlen(s)) : NULL;
}

/* Copies a, b (NULL-tolerant) into buf as "a/b"; returns buf or NULL if too long. */
static char *path_join(char *buf, size_t size, const char *a, const char *b, const char *c)
{
    const char *parts[3] = { a, b, c };
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        if (!parts[i])
            continue;
        size_t l = strlen(parts[i]);
        if (n && buf[n - 1] != '/') {
            if (n + 1 >= size)
                return NULL;
            buf[n++] = '/';
        }
        if (n + l >= size)
            return NULL;
        memcpy(buf + n, parts[i], l);
        n += l;
    }
    buf[n] = 0;
    return buf;
}

/* Bottom-up merge sort with caller scratch (qsort may call malloc). */
static void msort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *),
                  void *scratch)
{
    char *a = base, *b = scratch;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (cmp(a + j * sz, a + i * sz) < 0)
                    memcpy(b + (k++) * sz, a + (j++) * sz, sz);
                else
                    memcpy(b + (k++) * sz, a + (i++) * sz, sz);
            }
            while (i < mid)
                memcpy(b + (k++) * sz, a + (i++) * sz, sz);
            while (j < hi)
                memcpy(b + (k++) * sz, a + (j++) * sz, sz);
        }
        char *t = a;
        a = b;
        b = t;
    }
    if (a != (char *)base)
        memcpy(base, a, n * sz);
}

static bool is_file_map(const struct lt_map *m)
{
    return m->inode != 0 && m->path[0] == '/';
}

/* The object path as Valgrind names it: the mapped file, " (deleted)" dropped. */
static const char *obj_name(const struct lt_map *m)
{
    if (!is_file_map(m))
        return NULL;
    size_t len = strlen(m->path);
    static const char del[] = " (deleted)";
    if (len > sizeof del - 1 && strcmp(m->path + len - (sizeof del - 1), del) == 0)
        len -= sizeof del - 1;
    return intern_n(m->path, len);
}

/* ------------------------------------------------------------------ */
/* Demangling                                                          */

struct dmbuf {
    char *p;
    size_t cap, len;               /* len counts every byte produced, even past cap */
};

static void dm_sink(const char *s, size_t n, void *opaque)
{
    struct dmbuf *b = opaque;
    if (b->len < b->cap) {
        size_t room = b->cap - b->len;
        memcpy(b->p + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

/* Runs the demangler into b; returns 1 if the name was demangled. */
static int dm_run(const char *name, struct dmbuf *b)
{
    b->len = 0;
    if (rust_demangle_callback(name, DMGL_PARAMS | DMGL_ANSI, dm_sink, b))
        return 1;
    b->len = 0;
    return cplus_demangle_v3_callback(name, DMGL_PARAMS | DMGL_ANSI, dm_sink, b);
}

const char *lt_symbols_demangle(const char *name, char *buf, size_t size)
{
    if (!name || !buf || size == 0)
        return NULL;
    struct dmbuf b = { buf, size - 1, 0 };
    if (!dm_run(name, &b))
        return NULL;
    buf[b.len < size - 1 ? b.len : size - 1] = 0;
    return buf;
}

/* Demangled name, interned; the name itself if it does not demangle. */
static const char *demangle_intern(const char *name)
{
    if (!name)
        return NULL;
    char stackbuf[2048];
    struct dmbuf b = { stackbuf, sizeof stackbuf, 0 };
    if (!dm_run(name, &b))
        return intern(name);
    if (b.len <= sizeof stackbuf)
        return intern_n(stackbuf, b.len);
    size_t need = b.len;
    char *big = lt_arena_alloc(need);
    if (!big)
        return intern(name);
    b.p = big;
    b.cap = need;
    const char *r = intern(name);
    if (dm_run(name, &b) && b.len == need)
        r = intern_n(big, need);
    lt_arena_free(big, need);
    return r;
}

/* ------------------------------------------------------------------ */
/* Local-only debug file lookup (no debuginfod)                        */

static uint32_t crc_table[256];
static int crc_ready;

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    if (!crc_ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
        crc_ready = 1;
    }
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static bool crc_matches(int fd, uint32_t want)
{
    unsigned char buf[8192];
    uint32_t crc = 0;
    off_t off = 0;
    for (;;) {
        ssize_t r = pread(fd, buf, sizeof buf, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return false;
        if (r == 0)
            break;
        crc = crc32_update(crc, buf, (size_t)r);
        off += r;
    }
    return crc == want;
}

/* Opens path if it is a regular file other than the object itself. */
static int try_debug_file(const char *path, const struct stat *main_st, uint32_t crc)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)
        || (main_st && st.st_dev == main_st->st_dev && st.st_ino == main_st->st_ino)
        || (crc != 0 && !crc_matches(fd, crc))) {
        close(fd);
        return -1;
    }
    return fd;
}

static int lt_find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
                             Dwarf_Addr base, const char *file_name,
                             const char *debuglink_file, GElf_Word debuglink_crc,
                             char **debuginfo_file_name)
{
    /* Build ID under /usr/lib/debug/.build-id (also finds dwz alt files by
     * their build ID). Local only in every elfutils version. */
    int fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name,
                                          debuglink_file, debuglink_crc,
                                          debuginfo_file_name);
    if (fd >= 0)
        return fd;
    if (!debuglink_file || !debuglink_file[0])
        return -1;

    const char *obj = file_name ? file_name : modname;
    struct stat main_st, *mst = NULL;
    if (obj && stat(obj, &main_st) == 0)
        mst = &main_st;

    if (debuglink_file[0] == '/')          /* absolute .gnu_debugaltlink */
        return try_debug_file(debuglink_file, mst, debuglink_crc);
    if (!obj || obj[0] != '/')
        return -1;

    char dir[PATH_MAX], path[PATH_MAX];
    size_t dl = (size_t)(strrchr(obj, '/') - obj);
    if (dl >= sizeof dir)
        return -1;
    memcpy(dir, obj, dl);
    dir[dl] = 0;
    /* DIR, DIR/.debug, /usr/lib/debug/DIR (readelf.c find_debug_file; the
     * CRC check makes the order immaterial). */
    if (path_join(path, sizeof path, dl ? dir : "/", NULL, debuglink_file)
        && (fd = try_debug_file(path, mst, debuglink_crc)) >= 0)
        return fd;
    if (path_join(path, sizeof path, dl ? dir : "/", ".debug", debuglink_file)
        && (fd = try_debug_file(path, mst, debuglink_crc)) >= 0)
        return fd;
    if (path_join(path, sizeof path, "/usr/lib/debug", dl ? dir : NULL, debuglink_file)
        && (fd = try_debug_file(path, mst, debuglink_crc)) >= 0)
        return fd;
    return -1;
}

static char *lt_debuginfo_path = NULL;   /* libdwfl's default; unused by our callback */

/* libdwfl's own finder, called through the private namespace (dwlib.h). */
static int lt_find_elf(Dwfl_Module *mod, void **userdata, const char *modname,
                       Dwarf_Addr base, char **file_name, Elf **elfp)
{
    return dwfl_linux_proc_find_elf(mod, userdata, modname, base, file_name, elfp);
}

static const Dwfl_Callbacks lt_dwfl_callbacks = {
    .find_elf = lt_find_elf,
    .find_debuginfo = lt_find_debuginfo,
    .section_address = NULL,
    .debuginfo_path = &lt_debuginfo_path,
};

/* ------------------------------------------------------------------ */
/* The Dwfl, built from the map snapshot                               */

static bool same_file(const struct lt_map *a, const struct lt_map *b)
{
    return a->inode == b->inode && a->dev_major == b->dev_major
        && a->dev_minor == b->dev_minor && strcmp(a->path, b->path) == 0;
}

/* The map snapshot, read when first needed: a check whose report names no
 * frame reads /proc/self/maps one time fewer (issue 14). */
static bool maps_ready(void)
{
    if (!S.maps_tried) {
        S.maps_tried = 1;
        S.maps_ok = lt_maps_read(&S.maps) == 0;
        if (S.maps_ok && lt_opt.keep_debuginfo)
            lt_unloaded_merge(&S.maps);     /* --keep-debuginfo=yes: dlclose'd objects too */
    }
    return S.maps_ok;
}

static Dwfl *get_dwfl(void)
{
    if (S.dwfl || S.dwfl_failed || !maps_ready())
        return S.dwfl;
    if (!lt_dwlib_load()) {            /* the report says why (report.c) */
        S.dwfl_failed = 1;
        return NULL;
    }
    S.dwfl = dwfl_begin(&lt_dwfl_callbacks);
    if (!S.dwfl) {
        S.dwfl_failed = 1;
        return NULL;
    }
    dwfl_report_begin(S.dwfl);
    const struct lt_map *v = S.maps.v;
    int n = S.maps.n;
    for (int i = 0; i < n;) {
        if (!is_file_map(&v[i]) || strstr(v[i].path, " (deleted)")) {
            i++;
            continue;
        }
        /* One module per run of consecutive mappings of one file; a new
         * run starts where the file is mapped again from offset 0. */
        int j = i;
        bool exec = (v[i].prot & LT_MAP_X) != 0;
        while (j + 1 < n && same_file(&v[j + 1], &v[i]) && v[j + 1].offset != 0) {
            j++;
            exec |= (v[j].prot & LT_MAP_X) != 0;
        }
        if (exec)
            dwfl_report_module(S.dwfl, v[i].path, v[i].lo, v[j].hi);
        i = j + 1;
    }
    dwfl_report_end(S.dwfl, NULL, NULL);
    return S.dwfl;
}

static struct modinfo *get_modinfo(Dwfl_Module *mod)
{
    void **slot = NULL;
    dwfl_module_info(mod, &slot, NULL, NULL, NULL, NULL, NULL, NULL);
    if (!slot)
        return NULL;
    if (*slot)
        return *slot;
    struct modinfo *mi = pool_alloc(sizeof *mi);
    if (!mi)
        return NULL;
    if (S.nmods == S.capmods) {
        size_t cap = S.capmods ? S.capmods * 2 : 64;
        struct modinfo **nv = lt_arena_alloc(cap * sizeof *nv);
        if (!nv)
            return NULL;
        if (S.mods) {
            memcpy(nv, S.mods, S.nmods * sizeof *nv);
            lt_arena_free(S.mods, S.capmods * sizeof *nv);
        }
        S.mods = nv;
        S.capmods = cap;
    }
    S.mods[S.nmods++] = mi;
    mi->mod = mod;
    *slot = mi;
    return mi;
}

/* ------------------------------------------------------------------ */
/* Symbol table, canonicalised as Valgrind's storage.c does            */

/* preferName (storage.c): true if a is the better display name. */
static bool prefer_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    const char *va = strchr(a, '@'), *vb = strchr(b, '@');
    if (va)
        la = (size_t)(va - a);
    if (vb)
        lb = (size_t)(vb - b);
    if (strncmp(a, "MPI_", 4) == 0 && strncmp(b, "PMPI_", 5) == 0 && strcmp(a, b + 1) == 0)
        return false;
    if (strncmp(b, "MPI_", 4) == 0 && strncmp(a, "PMPI_", 5) == 0 && strcmp(b, a + 1) == 0)
        return true;
    if (la && !lb)
        return true;
    if (lb && !la)
        return false;
    bool blank_a = true, blank_b = true;
    for (const char *s = a; *s; s++)
        if (!(*s == ' ' || (*s >= '\t' && *s <= '\r'))) { blank_a = false; break; }
    for (const char *s = b; *s; s++)
        if (!(*s == ' ' || (*s >= '\t' && *s <= '\r'))) { blank_b = false; break; }
    if (!blank_a && blank_b)
        return true;
    if (!blank_b && blank_a)
        return false;
    if (la < lb)
        return true;
    if (lb < la)
        return false;
    if (va && !vb)
        return true;
    if (vb && !va)
        return false;
    return strcmp(a, b) <= 0;
}

static int csym_cmp(const void *pa, const void *pb)
{
    const struct csym *a = pa, *b = pb;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->size != b->size)
        return a->size < b->size ? -1 : 1;
    return 0;
}

/* canonicaliseSymtab: merge identical ranges (keeping the preferred name),
 * truncate overlapping ones, until neither happens. */
static size_t canonicalise(struct csym *s, size_t n)
{
    if (n == 0)
        return 0;
    for (;;) {
        for (;;) {
            size_t merged = 0, w = 0;
            for (size_t r = 1; r < n; r++) {
                if (s[w].lo == s[r].lo && s[w].size == s[r].size) {
                    if (!prefer_name(s[w].name, s[r].name))
                        s[w].name = s[r].name;
                    s[r].name = NULL;
                    merged++;
                } else {
                    w = r;
                }
            }
            if (!merged)
                break;
            w = 0;
            for (size_t r = 0; r < n; r++)
                if (s[r].name)
                    s[w++] = s[r];
            n = w;
        }
        size_t truncated = 0;
        for (size_t i = 0; i + 1 < n; i++) {
            if (s[i].lo + s[i].size <= s[i + 1].lo)
                continue;
            uintptr_t sta1 = s[i].lo, end1 = sta1 + s[i].size - 1;
            uintptr_t sta2 = s[i + 1].lo, end2 = sta2 + s[i + 1].size - 1;
            const char *n1 = s[i].name, *n2 = s[i + 1].name;
            if (sta1 < sta2) {
                end1 = sta2 - 1;
            } else if (end1 > end2) {
                uintptr_t t;
                sta1 = end2 + 1;
                t = sta1; sta1 = sta2; sta2 = t;
                t = end1; end1 = end2; end2 = t;
                const char *tn = n1; n1 = n2; n2 = tn;
            } else if (end1 < end2) {
                sta2 = end1 + 1;
            }
            s[i].lo = sta1;
            s[i].size = end1 - sta1 + 1;
            s[i].name = n1;
            s[i + 1].lo = sta2;
            s[i + 1].size = end2 - sta2 + 1;
            s[i + 1].name = n2;
            for (size_t j = i + 1; j + 1 < n && s[j].lo > s[j + 1].lo; j++) {
                struct csym t = s[j];
                s[j] = s[j + 1];
                s[j + 1] = t;
            }
            truncated++;
        }
        if (!truncated)
            break;
    }
    return n;
}

static void load_syms(struct modinfo *mi)
{
    mi->syms_loaded = 1;
    int n = dwfl_module_getsymtab(mi->mod);
    if (n <= 0)
        return;
    struct csym *v = pool_alloc((size_t)n * sizeof *v);
    if (!v)
        return;
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        GElf_Word shndx;
        Elf *elf;
        Dwarf_Addr bias;
        const char *name = dwfl_module_getsym_info(mi->mod, i, &sym, &addr, &shndx, &elf, &bias);
        if (!name || !name[0] || shndx == SHN_UNDEF)
            continue;
        int bind = GELF_ST_BIND(sym.st_info), type = GELF_ST_TYPE(sym.st_info);
        if (bind != STB_GLOBAL && bind != STB_LOCAL && bind != STB_WEAK)
            continue;
        if (type != STT_FUNC && type != STT_OBJECT && type != STT_GNU_IFUNC)
            continue;
        uintptr_t size = (uintptr_t)sym.st_size;
        if (size == 0 || (uint32_t)sym.st_value == 0)
            continue;
        if (size > (uintptr_t)INT_MAX)
            size = (uintptr_t)INT_MAX;
        /* Text symbols must lie inside an executable mapping. */
        const struct lt_map *m = lt_maps_find(&S.maps, (uintptr_t)addr);
        if (!m || !(m->prot & LT_MAP_X) || (uintptr_t)addr + size - 1 >= m->hi)
            continue;
        v[k].lo = (uintptr_t)addr;
        v[k].size = size;
        v[k].name = name;
        k++;
    }
    if (k > 1) {
        void *scratch = lt_arena_alloc(k * sizeof *v);
        if (!scratch)
            return;
        msort(v, k, sizeof *v, csym_cmp, scratch);
        lt_arena_free(scratch, k * sizeof *v);
    }
    mi->syms = v;
    mi->nsyms = canonicalise(v, k);
}

static const char *sym_lookup(struct modinfo *mi, uintptr_t a)
{
    if (!mi->syms_loaded)
        load_syms(mi);
    size_t lo = 0, hi = mi->nsyms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mi->syms[mid].lo <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct csym *c = &mi->syms[lo - 1];
    return a - c->lo < c->size ? c->name : NULL;
}

/* ------------------------------------------------------------------ */
/* DWARF: compile units, files, inlined calls                          */

static Dwarf *get_dwarf(struct modinfo *mi)
{
    if (!mi->dw_loaded) {
        mi->dw_loaded = 1;
        mi->dw = dwfl_module_getdwarf(mi->mod, &mi->dwbias);
    }
    return mi->dw;
}

static int fnrange_cmp(const void *pa, const void *pb)
{
    const struct fnrange *a = pa, *b = pb;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return 0;
}

/* A growing list of address ranges in scratch memory, kept sorted in the
 * session's pool when done: a CU's subprograms, an object's CUs. */
struct rangevec {
    struct fnrange *v;
    size_t n, cap;
};

static bool rv_push(struct rangevec *rv, Dwarf_Addr lo, Dwarf_Addr hi, Dwarf_Off die)
{
    if (rv->n == rv->cap) {
        size_t ncap = rv->cap ? 2 * rv->cap : 64;
        struct fnrange *nv = lt_arena_alloc(ncap * sizeof *nv);
        if (!nv)
            return false;
        if (rv->v) {
            memcpy(nv, rv->v, rv->n * sizeof *nv);
            lt_arena_free(rv->v, rv->cap * sizeof *nv);
        }
        rv->v = nv;
        rv->cap = ncap;
    }
    rv->v[rv->n++] = (struct fnrange){ .lo = lo, .hi = hi, .die = die };
    return true;
}

/* Sorted by start into the pool (*out NULL when empty); scratch freed. */
static void rv_keep(struct rangevec *rv, struct fnrange **out, size_t *nout)
{
    struct fnrange *keep = rv->n ? pool_alloc(rv->n * sizeof *keep) : NULL;
    if (keep) {
        memcpy(keep, rv->v, rv->n * sizeof *keep);
        if (rv->n > 1)
            msort(keep, rv->n, sizeof *keep, fnrange_cmp, rv->v);
        *out = keep;
        *nout = rv->n;
    }
    if (rv->v)
        lt_arena_free(rv->v, rv->cap * sizeof *rv->v);
}

/* Indexes the CU's concrete subprograms by address (once per CU), so a
 * lookup does not walk the whole unit. */
static void index_cu(struct cuinfo *ci)
{
    struct rangevec rv = { 0 };
    enum { MAXD = 64 };
    Dwarf_Die stack[MAXD];
    int sp = 0;
    if (dwarf_child(&ci->cudie, &stack[0]) == 0)
        sp = 1;
    while (sp > 0) {
        Dwarf_Die *d = &stack[sp - 1];
        int tag = dwarf_tag(d);
        if (tag == DW_TAG_subprogram) {
            Dwarf_Addr base, start, end;
            ptrdiff_t off = 0;
            while ((off = dwarf_ranges(d, off, &base, &start, &end)) > 0) {
                if (end > start && !rv_push(&rv, start, end, dwarf_dieoffset(d)))
                    break;
            }
        } else if ((tag == DW_TAG_namespace || tag == DW_TAG_module
                    || tag == DW_TAG_class_type || tag == DW_TAG_structure_type
                    || tag == DW_TAG_union_type || tag == DW_TAG_interface_type)
                   && sp < MAXD && dwarf_child(d, &stack[sp]) == 0) {
            sp++;
            continue;
        }
        while (sp > 0) {
            Dwarf_Die next;
            if (dwarf_siblingof(&stack[sp - 1], &next) == 0) {
                stack[sp - 1] = next;
                break;
            }
            sp--;
        }
    }
    rv_keep(&rv, &ci->fns, &ci->nfns);
}

static struct cuinfo *get_cuinfo(struct modinfo *mi, Dwarf_Die *cudie)
{
    Dwarf_Off key = dwarf_dieoffset(cudie);
    struct cuinfo *ci = NULL;
    HASH_FIND(hh, mi->cus, &key, sizeof key, ci);
    if (ci)
        return ci;
    ci = pool_alloc(sizeof *ci);
    if (!ci)
        return NULL;
    ci->key = key;
    ci->cudie = *cudie;
    if (dwarf_getsrcfiles(cudie, &ci->files, &ci->nfiles) != 0) {
        ci->files = NULL;
        ci->nfiles = 0;
    } else if (dwarf_getsrcdirs(ci->files, &ci->dirs, &ci->ndirs) != 0) {
        ci->dirs = NULL;
        ci->ndirs = 0;
    }
    Dwarf_Attribute attr;
    ci->comp_dir = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &attr));
    Dwarf_Half version = 0;
    if (dwarf_cu_info(cudie->cu, &version, NULL, NULL, NULL, NULL, NULL, NULL) == 0)
        ci->version = version;
    if (dwarf_getsrclines(cudie, &ci->lines, &ci->nlines) != 0) {
        ci->lines = NULL;
        ci->nlines = 0;
    }
    index_cu(ci);
    HASH_ADD(hh, mi->cus, key, sizeof key, ci);
    return ci;
}

/* Compile units by their own DW_AT_low_pc/high_pc/ranges, for objects
 * without .debug_aranges. libdw's dwfl_module_addrdie finds a CU through
 * .debug_aranges only; clang 14 (DWARF 5) and Go emit none, so without
 * this their frames would print "(in prog)" where Valgrind, which reads the
 * CU DIEs' ranges, prints file:line. Built once per object, and only for
 * objects that lack the section: glibc's debug files have it. */
static bool has_aranges_section(Dwarf *dw)
{
    Elf *elf = dwarf_getelf(dw);
    size_t shstrndx;
    if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
        return true;
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
        if (name && strcmp(name, ".debug_aranges") == 0)
            return true;
    }
    return false;
}

static void build_cu_ranges(struct modinfo *mi)
{
    mi->curanges_built = 1;
    if (has_aranges_section(mi->dw))
        return;
    struct rangevec rv = { 0 };
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(mi->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu;
        if (dwarf_offdie(mi->dw, off + hsize, &cu)) {
            Dwarf_Addr base, start, end;
            ptrdiff_t r = 0;
            while ((r = dwarf_ranges(&cu, r, &base, &start, &end)) > 0) {
                if (end > start && !rv_push(&rv, start, end, off + hsize))
                    break;
            }
        }
        off = next;
    }
    rv_keep(&rv, &mi->curanges, &mi->ncuranges);
}

/* dwfl_module_addrdie, then the CU ranges when the object has no aranges. */
static Dwarf_Die *cu_of_address(struct modinfo *mi, Dwarf_Addr a, Dwarf_Die *buf,
                                Dwarf_Addr *cubias)
{
    Dwarf_Die *d = dwfl_module_addrdie(mi->mod, a, cubias);
    if (d)
        return d;
    if (!mi->curanges_built)
        build_cu_ranges(mi);
    Dwarf_Addr pc = a - mi->dwbias;
    size_t lo = 0, hi = mi->ncuranges;
    while (lo < hi) {                        /* first range with lo > pc */
        size_t mid = lo + (hi - lo) / 2;
        if (mi->curanges[mid].lo <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i > 0; i--) {        /* ranges may nest or overlap */
        const struct fnrange *r = &mi->curanges[i - 1];
        if (pc >= r->lo && pc < r->hi && dwarf_offdie(mi->dw, r->die, buf)) {
            *cubias = mi->dwbias;
            return buf;
        }
        if (lo - i > 64)
            break;
    }
    return NULL;
}

/* Splits a libdw source path (include directory + "/" + file-table name)
 * back into the file name and the directory Valgrind reports for it. */
static void split_source(const char *path, const char *const *dirs, size_t ndirs,
                         const char *comp_dir, int version,
                         const char **file, const char **dir)
{
    *file = *dir = NULL;
    if (!path)
        return;
    size_t best = 0, bestlen = 0;
    bool found = false;
    for (size_t i = 0; i < ndirs; i++) {
        const char *d = dirs[i];
        if (!d || !d[0])
            continue;
        size_t l = strlen(d);
        if (l > bestlen && strncmp(path, d, l) == 0 && path[l] == '/' && path[l + 1]) {
            best = i;
            bestlen = l;
            found = true;
        }
    }
    if (!found) {
        const char *slash = strrchr(path, '/');
        if (!slash) {
            *file = intern(path);
            if (comp_dir && comp_dir[0])
                *dir = intern(comp_dir);
            return;
        }
        *file = intern(slash + 1);
        *dir = slash == path ? intern("/") : intern_n(path, (size_t)(slash - path));
        return;
    }
    *file = intern(path + bestlen + 1);
    const char *d = dirs[best];
    if (version < 5 && best == 0) {
        *dir = intern(comp_dir && comp_dir[0] ? comp_dir : ".");
    } else if (d[0] != '/' && comp_dir && comp_dir[0]) {
        char buf[PATH_MAX];
        *dir = path_join(buf, sizeof buf, comp_dir, d, NULL) ? intern(buf) : intern(d);
    } else {
        *dir = intern(d);
    }
}

static bool has_pc_attrs(Dwarf_Die *d)
{
    return dwarf_hasattr(d, DW_AT_low_pc) || dwarf_hasattr(d, DW_AT_ranges);
}

/* Line table lookup the way Valgrind's loctab answers it.
 *
 * Valgrind turns each row of a sequence into the range [row, next row) with
 * the row's file and line, drops empty ranges, and (storage.c addLoc)
 * merges a range into the previously added one when they are adjacent and
 * have the same LINE, whatever their files, as long as the merged range
 * stays within MAX_LOC_SIZE bytes; a single range larger than that shrinks
 * to 1 byte (addLineInfo). So an address shows the file of the first range
 * of its merged run: e.g. glibc's ld.so prints "do-rel.h:170" where the
 * row says dl-reloc.c:170. Addresses past a sequence's end (padding
 * between functions) have no line, although libdw's dwfl_module_getsrc
 * would return the last row. */
#define VG_MAX_LOC_SIZE 4095            /* (1 << 12) - 1, priv_storage.h */
#define VG_MAX_LINENO 1048575           /* (1 << 20) - 1 */

struct lrow {
    Dwarf_Line *l;
    Dwarf_Addr addr;
    int line;
    bool end;
};

static bool get_row(struct cuinfo *ci, size_t k, struct lrow *r)
{
    r->l = dwarf_onesrcline(ci->lines, k);
    r->line = 0;
    r->end = false;
    return r->l && dwarf_lineaddr(r->l, &r->addr) == 0 && dwarf_lineno(r->l, &r->line) == 0
        && dwarf_lineendsequence(r->l, &r->end) == 0;
}

/* Size Valgrind gives row k's range, 0 if it has none (empty, end of
 * sequence, or a line number it rejects). */
static Dwarf_Addr row_size(struct cuinfo *ci, size_t k, const struct lrow *r)
{
    struct lrow nx;
    if (r->end || r->line < 0 || r->line > VG_MAX_LINENO || k + 1 >= ci->nlines
        || !get_row(ci, k + 1, &nx) || nx.addr <= r->addr)
        return 0;
    Dwarf_Addr size = nx.addr - r->addr;
    return size > VG_MAX_LOC_SIZE ? 1 : size;
}

/* The row whose range ends exactly where row k's begins, or -1. */
static long prev_adjacent(struct cuinfo *ci, size_t k, const struct lrow *rk, struct lrow *out)
{
    size_t j = k;
    struct lrow t;
    while (j > 0 && get_row(ci, j - 1, &t) && t.addr == rk->addr)
        j--;
    if (j == 0 || !get_row(ci, j - 1, out) || out->end)
        return -1;
    Dwarf_Addr sz = row_size(ci, j - 1, out);
    if (sz == 0 || out->addr + sz != rk->addr)
        return -1;
    return (long)(j - 1);
}

/* Finds the line of pc (a CU address); returns false if Valgrind has none. */
static bool line_lookup(struct cuinfo *ci, Dwarf_Addr pc, Dwarf_Line **file_row, int *line)
{
    if (!ci->lines || ci->nlines == 0)
        return false;
    struct lrow r;
    size_t lo = 0, hi = ci->nlines;
    while (lo < hi) {                        /* first row with addr > pc */
        size_t mid = lo + (hi - lo) / 2;
        if (!get_row(ci, mid, &r))
            return false;
        if (r.addr <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    size_t i = lo - 1;
    if (!get_row(ci, i, &r))
        return false;
    Dwarf_Addr size = row_size(ci, i, &r);
    if (size == 0 || pc - r.addr >= size)
        return false;
    /* libdw sorts a sequence's end marker before the rows at the same
     * address, so when a sequence ended at r.addr, row i may be that
     * sequence's empty last row and pc lie in the padding after it: only
     * the CU's ranges tell. */
    for (size_t j = i; j > 0; j--) {
        struct lrow t;
        if (!get_row(ci, j - 1, &t) || t.addr != r.addr)
            break;
        if (t.end) {
            if (has_pc_attrs(&ci->cudie) && dwarf_haspc(&ci->cudie, pc) <= 0)
                return false;
            break;
        }
    }

    /* Walk back over the run of adjacent ranges with the same line. */
    size_t k = i;
    struct lrow cur = r;
    for (int steps = 0; steps < 100000; steps++) {
        struct lrow p;
        long pk = prev_adjacent(ci, k, &cur, &p);
        if (pk < 0 || p.line != r.line)
            break;
        k = (size_t)pk;
        cur = p;
    }
    /* Replay addLoc forwards from the start of the run. */
    Dwarf_Line *start = cur.l;
    Dwarf_Addr acc = row_size(ci, k, &cur);
    for (size_t m = k + 1; m <= i; m++) {
        struct lrow q;
        if (!get_row(ci, m, &q))
            return false;
        Dwarf_Addr sz = row_size(ci, m, &q);
        if (sz == 0)
            continue;
        if (acc + sz <= VG_MAX_LOC_SIZE) {
            acc += sz;
        } else {
            start = q.l;
            acc = sz;
        }
    }
    *file_row = start;
    *line = r.line;
    return true;
}

/* The subprogram DIE whose code contains pc, from the CU's index. */
static bool find_subprogram(struct modinfo *mi, struct cuinfo *ci, Dwarf_Addr pc, Dwarf_Die *out)
{
    size_t lo = 0, hi = ci->nfns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ci->fns[mid].lo <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo, tries = 0; k > 0 && tries < 16; k--, tries++) {
        const struct fnrange *f = &ci->fns[k - 1];
        if (pc >= f->lo && pc < f->hi)
            return dwarf_offdie(mi->dw, f->die, out) != NULL;
    }
    return false;
}

/* Appends to chain the inlined subroutines below `parent` containing pc,
 * outermost first. */
static int inline_chain(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *chain, int depth)
{
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0)
        return depth;
    do {
        int tag = dwarf_tag(&child);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block
            && tag != DW_TAG_try_block && tag != DW_TAG_catch_block
            && tag != DW_TAG_with_stmt)
            continue;
        if (dwarf_haspc(&child, pc) > 0) {
            if (tag == DW_TAG_inlined_subroutine) {
                if (depth >= LT_MAX_INLINE)
                    return depth;
                chain[depth++] = child;
            }
            return inline_chain(&child, pc, chain, depth);
        }
        if (tag == DW_TAG_lexical_block && !has_pc_attrs(&child)) {
            /* An address-less block: look inside it. */
            int d = inline_chain(&child, pc, chain, depth);
            if (d > depth)
                return d;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return depth;
}

/* get_inlFnName: the origin's DW_AT_name (or its specification's), never
 * crossing into another unit. */
static const char *origin_name(Dwarf_Die *die, struct Dwarf_CU *unit, int depth)
{
    Dwarf_Attribute attr;
    Dwarf_Die ref;
    if (!dwarf_formref_die(dwarf_attr(die, DW_AT_abstract_origin, &attr), &ref))
        return "UnknownInlinedFun";
    if (ref.cu != unit)
        return "UnknownInlinedFun";
    Dwarf_Die *cur = &ref;
    for (; depth < 8; depth++) {
        const char *name = dwarf_formstring(dwarf_attr(cur, DW_AT_name, &attr));
        if (name)
            return name;
        Dwarf_Die spec;
        if (!dwarf_formref_die(dwarf_attr(cur, DW_AT_specification, &attr), &spec))
            break;
        if (spec.cu != unit)
            return "UnknownInlinedFun";
        ref = spec;
        cur = &ref;
    }
    return "AbsOriFnNameNotFound";
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */

/* The shared cache of an object (symcache.h), keyed by its build ID and
 * checked against its separate debug file: installing libc6-dbg after a
 * run must not keep serving the names found without it. */
static struct lt_symcache *open_cache(const unsigned char *id, int len)
{
    if (len <= 0 || len > 64)
        return NULL;
    char path[PATH_MAX], ident[128];
    int n = snprintf(path, sizeof path, "/usr/lib/debug/.build-id/%02x/", id[0]);
    for (int i = 1; i < len && n > 0 && (size_t)n + 3 < sizeof path; i++)
        n += snprintf(path + n, sizeof path - (size_t)n, "%02x", id[i]);
    struct stat st;
    if (n > 0 && (size_t)n + 7 < sizeof path && (strcpy(path + n, ".debug"), stat(path, &st) == 0))
        snprintf(ident, sizeof ident, "debug=%lld:%lld", (long long)st.st_size,
                 (long long)st.st_mtime);
    else
        snprintf(ident, sizeof ident, "debug=none");
    return lt_symcache_open(id, len, ident);
}

static struct lt_symcache *module_cache(struct modinfo *mi)
{
    if (mi->cache_opened)
        return mi->cache;
    mi->cache_opened = 1;
    const unsigned char *id;
    GElf_Addr vaddr;
    int len = dwfl_module_build_id(mi->mod, &id, &vaddr);
    mi->cache = open_cache(id, len);
    return mi->cache;
}

static int from_cache(struct lt_symcache *c, uintptr_t key, const struct lt_frame_info *base,
                      struct lt_frame_info *out);

/* ---- the shared cache before libdw ----------------------------------------------
 *
 * Most frames of a short process's report are in the shared cache from an
 * earlier run; loading libdw to find an object's build ID and load bias
 * (dwlib.h: five libraries into a namespace, about 1 ms here) only to
 * read them from the cache was most of a tiny leaky test's cost (issue 14).
 * Both come from the object's ELF header, program headers and build-ID
 * note as the loader mapped them: the file's mapping at offset 0 holds the
 * header (ELF gABI: e_phoff in the first page for every object the loader
 * maps). Read with lt_safe_read (a map snapshot may list an object since
 * unloaded: --keep-debuginfo), no lock taken. libdw's bias is the same
 * (first PT_LOAD's page against its mapping). */
#define MAX_FAST_OBJECTS 64

static struct fast_object {
    uintptr_t base;                /* the file's mapping at offset 0 */
    uintptr_t bias;
    struct lt_symcache *cache;     /* NULL: no build ID, or no cache */
} fast_objects[MAX_FAST_OBJECTS];
static int nfast_objects;

static bool read_build_id(uintptr_t bias, const ElfW(Phdr) *ph, int phnum, unsigned char *id, int *len)
{
    for (int i = 0; i < phnum; i++) {
        if (ph[i].p_type != PT_NOTE || ph[i].p_memsz > 4096)
            continue;
        unsigned char notes[4096];
        size_t size = ph[i].p_memsz;
        if (!lt_safe_read(notes, bias + ph[i].p_vaddr, size))
            continue;
        for (size_t off = 0; off + sizeof(ElfW(Nhdr)) <= size;) {
            ElfW(Nhdr) nh;
            memcpy(&nh, notes + off, sizeof nh);
            size_t name_at = off + sizeof nh, desc_at = name_at + ((nh.n_namesz + 3) & ~3u);
            size_t next = desc_at + ((nh.n_descsz + 3) & ~3u);
            if (next > size || next <= off)
                break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                memcmp(notes + name_at, "GNU", 4) == 0 && nh.n_descsz > 0 && nh.n_descsz <= 64) {
                memcpy(id, notes + desc_at, nh.n_descsz);
                *len = (int)nh.n_descsz;
                return true;
            }
            off = next;
        }
    }
    return false;
}

static void identify(struct fast_object *o)
{
    ElfW(Ehdr) eh;
    ElfW(Phdr) ph[64];
    if (!lt_safe_read(&eh, o->base, sizeof eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0
        || eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 || eh.e_phnum > 64
        || !lt_safe_read(ph, o->base + eh.e_phoff, eh.e_phnum * sizeof *ph))
        return;
    uintptr_t first = UINTPTR_MAX;
    for (int i = 0; i < eh.e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
            first = ph[i].p_vaddr & ~(uintptr_t)4095;
    if (first == UINTPTR_MAX)
        return;
    o->bias = o->base - first;
    unsigned char id[64];
    int len = 0;
    if (read_build_id(o->bias, ph, eh.e_phnum, id, &len))
        o->cache = open_cache(id, len);
}

static struct fast_object *fast_object_of(const struct lt_map *m)
{
    const struct lt_map *v = S.maps.v, *p = m;
    while (p > v && p->offset != 0 && same_file(p - 1, m))
        p--;
    if (p->offset != 0)
        return NULL;
    for (int i = 0; i < nfast_objects; i++)
        if (fast_objects[i].base == p->lo)
            return &fast_objects[i];
    if (nfast_objects == MAX_FAST_OBJECTS)
        return NULL;
    struct fast_object *o = &fast_objects[nfast_objects++];
    memset(o, 0, sizeof *o);
    o->base = p->lo;
    identify(o);
    return o;
}

/* Frames of `a` from the shared cache, without libdw; 0 when not there. */
static int from_cache_first(const struct lt_map *m, uintptr_t ip, uintptr_t a,
                            const struct lt_frame_info *base, struct lt_frame_info *out)
{
    if (lt_opt.keep_debuginfo)          /* the snapshot may list objects since unloaded */
        return 0;
    struct fast_object *o = fast_object_of(m);
    if (!o || !o->cache)
        return 0;
    struct lt_frame_info b = *base;
    b.obj_offset = ip - o->bias;
    int n = from_cache(o->cache, a - o->bias, &b, out);
    return n > 0 ? n : 0;
}

static int from_cache(struct lt_symcache *c, uintptr_t key, const struct lt_frame_info *base,
                      struct lt_frame_info *out)
{
    int n = lt_symcache_get(c, key, out, LT_SYMBOLS_MAX_FRAMES);
    for (int i = 0; i < n; i++) {
        const char *fn = out[i].fn, *file = out[i].file, *dir = out[i].dir;
        out[i].mangled = intern(out[i].mangled);
        out[i].fn = intern(fn);
        out[i].file = intern(file);
        out[i].dir = intern(dir);
        out[i].obj = base->obj;
        out[i].obj_offset = base->obj_offset;
    }
    return n;
}

static void fill_names(struct lt_frame_info *f, const char *raw)
{
    f->mangled = intern(raw);
    f->fn = raw ? demangle_intern(raw) : NULL;
}

static int describe_dwarf(struct modinfo *mi, uintptr_t a, const struct lt_frame_info *basep,
                          struct lt_frame_info *out);

static int describe(uintptr_t ip, uintptr_t a, struct lt_frame_info *out)
{
    struct lt_frame_info base;
    memset(&base, 0, sizeof base);
    const struct lt_map *m = maps_ready() ? lt_maps_find(&S.maps, a) : NULL;
    if (!m) {
        out[0] = base;
        return 1;
    }
    base.obj = obj_name(m);
    base.obj_offset = ip - (m->lo - (uintptr_t)m->offset);
    if (!base.obj || !(m->prot & LT_MAP_X)) {
        out[0] = base;
        return 1;
    }
    /* The tool's memory is exhausted: libdw would run out and its handler
     * exits the process (error(EXIT_FAILURE, ...)). Objects only. */
    if (S.no_dwarf) {
        out[0] = base;
        return 1;
    }
    int cached = from_cache_first(m, ip, a, &base, out);
    if (cached > 0)
        return cached;

    Dwfl *dwfl = get_dwfl();
    Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, a) : NULL;
    struct modinfo *mi = mod ? get_modinfo(mod) : NULL;
    if (!mi) {
        out[0] = base;
        return 1;
    }
    if (!mi->have_bias) {
        GElf_Addr bias;
        if (dwfl_module_getelf(mod, &bias))
            mi->bias = (uintptr_t)bias;
        else
            mi->bias = m->lo - (uintptr_t)m->offset;
        mi->have_bias = 1;
    }
    base.obj_offset = ip - mi->bias;

    struct lt_symcache *cache = module_cache(mi);
    cached = cache ? from_cache(cache, a - mi->bias, &base, out) : -1;
    if (cached > 0)
        return cached;
    int nf = describe_dwarf(mi, a, &base, out);
    if (cache)
        lt_symcache_put(cache, a - mi->bias, out, nf);
    return nf;
}

/* Names, file:line and inlined calls of `a` in mi from its ELF symbols and
 * DWARF. */
static int describe_dwarf(struct modinfo *mi, uintptr_t a, const struct lt_frame_info *basep,
                          struct lt_frame_info *out)
{
    const struct lt_frame_info base = *basep;
    const char *sym = sym_lookup(mi, a);

    /* Line of the address itself. */
    const char *lfile = NULL, *ldir = NULL;
    unsigned lline = 0;
    Dwarf_Die chain[LT_MAX_INLINE];
    int k = 0;
    struct cuinfo *ci = NULL;
    /* Go code: libdw finds no CU for it (Go emits .debug_aranges only for
     * its C parts) and would read every CU of the binary to be sure; Go's
     * own pclntab names it, expands Go's inlining and gives file:line. */
    struct lt_goframe gf[LT_MAX_INLINE + 1];
    int ngf = lt_gopclntab_frames(a, gf, LT_MAX_INLINE + 1);
    for (int i = 0; i < ngf; i++) {
        struct lt_frame_info *f = &out[i];
        *f = base;
        fill_names(f, i == ngf - 1 && sym ? sym : intern(gf[i].fn));
        if (gf[i].file) {
            const char *slash = strrchr(gf[i].file, '/');
            f->file = intern(slash ? slash + 1 : gf[i].file);
            f->dir = slash ? intern_n(gf[i].file, (size_t)(slash - gf[i].file)) : NULL;
        }
        f->line = gf[i].line;
    }
    if (ngf > 0)
        return ngf;
    bool go_code = false;
    if (!go_code && get_dwarf(mi)) {
        Dwarf_Addr cubias;
        Dwarf_Die cubuf;
        Dwarf_Die *cudie = cu_of_address(mi, a, &cubuf, &cubias);
        if (cudie)
            ci = get_cuinfo(mi, cudie);
        Dwarf_Line *line = NULL;
        int lineno = 0;
        if (ci && line_lookup(ci, a - cubias, &line, &lineno)) {
            Dwarf_Files *files;
            size_t idx;
            const char *path = dwarf_linesrc(line, NULL, NULL);
            const char *const *dirs = NULL;
            size_t ndirs = 0;
            if (dwarf_line_file(line, &files, &idx) != 0
                || dwarf_getsrcdirs(files, &dirs, &ndirs) != 0) {
                dirs = ci ? ci->dirs : NULL;
                ndirs = ci ? ci->ndirs : 0;
            }
            split_source(path, dirs, ndirs, ci ? ci->comp_dir : NULL,
                         ci ? ci->version : 5, &lfile, &ldir);
            lline = lineno > 0 ? (unsigned)lineno : 0;
        }
        if (ci) {
            Dwarf_Die sub;
            Dwarf_Addr pc = a - cubias;
            if (find_subprogram(mi, ci, pc, &sub))
                k = inline_chain(&sub, pc, chain, 0);
        }
    }

    /* Innermost inlined call first, the out-of-line function last. */
    int nf = 0;
    for (int i = k; i >= 0; i--) {
        struct lt_frame_info *f = &out[nf++];
        *f = base;
        fill_names(f, i > 0 ? origin_name(&chain[i - 1], chain[i - 1].cu, 0) : sym);
        if (i == k) {
            f->file = lfile;
            f->dir = ldir;
            f->line = lline;
        } else {
            /* Where chain[i] (the call inlined into this function) was called. */
            Dwarf_Attribute attr;
            Dwarf_Word fidx = 0, cline = 0;
            if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_file, &attr), &fidx) == 0
                && fidx >= 1 && ci && ci->files && fidx < ci->nfiles) {
                split_source(dwarf_filesrc(ci->files, fidx, NULL, NULL), ci->dirs, ci->ndirs,
                             ci->comp_dir, ci->version, &f->file, &f->dir);
                if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_line, &attr), &cline) == 0)
                    f->line = (unsigned)cline;
            }
        }
    }
    return nf;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

void lt_symbols_begin(void)
{
    if (S.active)
        lt_symbols_end();
    memset(&S, 0, sizeof S);
    nfast_objects = 0;
    /* libdw's allocations come from the tool's arena; if they cannot be
     * had, libdw's out-of-memory handler exits the process. Without room
     * for it, frames are described by their objects only. */
    S.no_dwarf = lt_arena_exhausted() || !lt_arena_headroom(LT_SYMBOLS_HEADROOM);
    S.active = 1;
    lt_dwlib_enter();
}

void lt_symbols_end(void)
{
    if (!S.active)
        return;
    lt_symcache_end();
    if (S.dwfl)
        dwfl_end(S.dwfl);
    for (size_t i = 0; i < S.nmods; i++)
        HASH_CLEAR(hh, S.mods[i]->cus);
    if (S.mods)
        lt_arena_free(S.mods, S.capmods * sizeof *S.mods);
    HASH_CLEAR(hh, S.cache);
    HASH_CLEAR(hh, S.strs);
    pool_release();
    if (S.maps_ok && !S.maps_shared)
        lt_maps_free(&S.maps);
    memset(&S, 0, sizeof S);
    nfast_objects = 0;             /* their caches are gone (lt_symcache_end) */
    lt_dwlib_leave();
}

void lt_symbols_share_maps(const struct lt_maps *m)
{
    /* --keep-debuginfo merges dlclose'd objects into the snapshot: that
     * one is built (and freed) here. */
    if (!S.active || S.maps_tried || !m->v || lt_opt.keep_debuginfo)
        return;
    S.maps = *m;
    S.maps_tried = S.maps_ok = S.maps_shared = 1;
}

int lt_symbols_resolve(uintptr_t ip, bool is_return_address,
                       struct lt_frame_info *out, int max)
{
    if (max <= 0 || !out)
        return 0;
    if (lt_luaframes_describe(ip, out))     /* a Lua source frame */
        return 1;
    if (!S.active)
        lt_symbols_begin();
    struct addr_key key = { ip, is_return_address ? 1u : 0u };
    struct addr_entry *e = NULL;
    HASH_FIND(hh, S.cache, &key, sizeof key, e);
    if (!e) {
        struct lt_frame_info tmp[LT_MAX_INLINE + 1];
        uintptr_t a = is_return_address && ip > 0 ? ip - 1 : ip;
        int n = describe(ip, a, tmp);
        e = pool_alloc(sizeof *e);
        struct lt_frame_info *f = e ? pool_alloc((size_t)n * sizeof *f) : NULL;
        if (!e || !f) {
            int m = n < max ? n : max;
            memcpy(out, tmp, (size_t)m * sizeof *out);
            return m;
        }
        memcpy(f, tmp, (size_t)n * sizeof *f);
        e->key = key;
        e->n = n;
        e->f = f;
        HASH_ADD(hh, S.cache, key, sizeof key, e);
    }
    int m = e->n < max ? e->n : max;
    memcpy(out, e->f, (size_t)m * sizeof *out);
    return m;
}

bool lt_symbols_is_vtable(uintptr_t addr)
{
    if (!S.active)
        lt_symbols_begin();
    if (addr < 4096 || (addr & (sizeof(uintptr_t) - 1)) || !maps_ready())
        return false;
    const struct lt_map *seg = lt_maps_find(&S.maps, addr);
    if (!seg || !is_file_map(seg) || !(seg->prot & LT_MAP_R) || (seg->prot & LT_MAP_GONE))
        return false;
    /* As mc_leakcheck.c: words addr .. addr + 20 words inclusive, but not
     * the mapping's last word (Valgrind's seg->end is inclusive and it
     * stops at end - sizeof(Addr)). */
    uintptr_t scan_max = addr + 20 * sizeof(uintptr_t);
    if (scan_max > seg->hi - 1 - sizeof(uintptr_t))
        scan_max = seg->hi - 1 - sizeof(uintptr_t);
    int nr_fn_ptrs = 0;
    for (uintptr_t scan = addr; scan <= scan_max; scan += sizeof(uintptr_t)) {
        uintptr_t pot_fn = *(const volatile uintptr_t *)scan;
        if (pot_fn == 0)
            continue;
        const struct lt_map *t = lt_maps_find(&S.maps, pot_fn);
        if (!t || !is_file_map(t) || !(t->prot & LT_MAP_X) || (t->prot & LT_MAP_GONE))
            return false;
        if (++nr_fn_ptrs == 2)
            return true;
    }
    return false;
}
