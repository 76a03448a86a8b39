/* golayout.c — Go runtime variables and struct layouts from the
 * executable's own symbols and DWARF (see golayout.h).
 *
 * Go's linker emits every runtime type as a top-level DW_TAG_structure_type
 * named by its package path ("runtime.g", "runtime.mspan") with
 * DW_AT_data_member_location constants, so one pass over the top-level DIEs
 * of each compilation unit finds them without hard-coded offsets. Fields
 * that later Go versions wrap in an atomic type (mspan.state is
 * mSpanStateBox{s uint8} in 1.19, g.atomicstatus a uint32 in 1.19 and an
 * atomic.Uint32{noCopy; value} from 1.20) are followed down to their first
 * member with a size. */
#include "golayout.h"
#include "elfsym.h"
#include "lock.h"
#include <dwarf.h>
#include <elfutils/libdw.h>
#include "dwlib.h"
#include "maps.h"
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct lt_golayout layout;
static int state;                  /* 0 unresolved, 2 resolved */

static bool member(Dwarf_Die *st, const char *name, size_t len, Dwarf_Die *out, Dwarf_Word *off)
{
    Dwarf_Die c;
    if (dwarf_child(st, &c) != 0)
        return false;
    do {
        if (dwarf_tag(&c) != DW_TAG_member)
            continue;
        const char *n = dwarf_diename(&c);
        if (!n || strlen(n) != len || memcmp(n, name, len) != 0)
            continue;
        Dwarf_Attribute a;
        if (!dwarf_attr(&c, DW_AT_data_member_location, &a) || dwarf_formudata(&a, off) != 0)
            return false;
        if (!dwarf_attr(&c, DW_AT_type, &a) || !dwarf_formref_die(&a, out))
            return false;
        return dwarf_peel_type(out, out) == 0;
    } while (dwarf_siblingof(&c, &c) == 0);
    return false;
}

static int type_size(Dwarf_Die *t)
{
    if (dwarf_tag(t) == DW_TAG_pointer_type)
        return (int)sizeof(void *);
    return dwarf_bytesize(t);
}

/* Offset and size of a dotted field path inside struct `st`. */
static bool field(Dwarf_Die *st, const char *path, struct lt_gofield *f)
{
    Dwarf_Die cur = *st, t;
    Dwarf_Word total = 0, off;
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (!member(&cur, path, len, &t, &off))
            return false;
        total += off;
        cur = t;
        path += len + (dot ? 1 : 0);
    }
    /* An atomic wrapper: descend to its first member that has a size. */
    for (int depth = 0; dwarf_tag(&cur) == DW_TAG_structure_type && depth < 4; depth++) {
        Dwarf_Die c;
        bool found = false;
        if (dwarf_child(&cur, &c) == 0) {
            do {
                Dwarf_Attribute a;
                if (dwarf_tag(&c) != DW_TAG_member || !dwarf_attr(&c, DW_AT_type, &a) ||
                    !dwarf_formref_die(&a, &t) || dwarf_peel_type(&t, &t) != 0 || type_size(&t) <= 0)
                    continue;
                if (!dwarf_attr(&c, DW_AT_data_member_location, &a) || dwarf_formudata(&a, &off) != 0)
                    return false;
                total += off;
                cur = t;
                found = true;
                break;
            } while (dwarf_siblingof(&c, &c) == 0);
        }
        if (!found)
            return false;
    }
    int size = type_size(&cur);
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return false;
    f->off = (uint32_t)total;
    f->size = (uint32_t)size;
    return true;
}

enum { T_G, T_MSPAN, T_MHEAP, T_M, NT };
static const char *const type_names[NT] = { "runtime.g", "runtime.mspan", "runtime.mheap", "runtime.m" };

static const char *resolve_types(Dwarf *dw)
{
    Dwarf_Die types[NT];
    bool have[NT] = { false };
    int left = NT;
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (left && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu, c;
        if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &c) == 0) {
            do {
                if (dwarf_tag(&c) != DW_TAG_structure_type)
                    continue;
                const char *n = dwarf_diename(&c);
                if (!n || strncmp(n, "runtime.", 8) != 0)
                    continue;
                for (int i = 0; i < NT; i++)
                    if (!have[i] && strcmp(n, type_names[i]) == 0) {
                        types[i] = c;
                        have[i] = true;
                        left--;
                    }
            } while (left && dwarf_siblingof(&c, &c) == 0);
        }
        off = next;
    }
    if (left)
        return "the DWARF types runtime.g/mspan/mheap were not found";
    struct { int t; const char *path; struct lt_gofield *f; } want[] = {
        { T_MHEAP, "allspans", &layout.h_allspans },
        { T_MHEAP, "allArenas", &layout.h_allarenas },
        { T_MHEAP, "sweepgen", &layout.h_sweepgen },
        { T_MSPAN, "startAddr", &layout.s_start },
        { T_MSPAN, "npages", &layout.s_npages },
        { T_MSPAN, "nelems", &layout.s_nelems },
        { T_MSPAN, "freeindex", &layout.s_freeindex },
        { T_MSPAN, "allocBits", &layout.s_allocbits },
        { T_MSPAN, "gcmarkBits", &layout.s_markbits },
        { T_MSPAN, "elemsize", &layout.s_elemsize },
        { T_MSPAN, "state", &layout.s_state },
        { T_MSPAN, "sweepgen", &layout.s_sweepgen },
        { T_G, "stack.lo", &layout.g_lo },
        { T_G, "stack.hi", &layout.g_hi },
        { T_G, "sched.sp", &layout.g_sp },
        { T_G, "sched.bp", &layout.g_bp },
        { T_G, "sched.pc", &layout.g_pc },
        { T_G, "sched.g", &layout.g_schedg },
        { T_G, "syscallsp", &layout.g_syscallsp },
        { T_G, "atomicstatus", &layout.g_status },
        { T_G, "m", &layout.g_m },
        { T_M, "g0", &layout.m_g0 },
        { T_M, "curg", &layout.m_curg },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!field(&types[want[i].t], want[i].path, want[i].f))
            return "a runtime field was not found in the DWARF types";
    return NULL;
}

/* Go 1.19 on amd64 (runtime/mheap.go, runtime2.go of go1.19.x, as its
 * DWARF gives them): used only for binaries without DWARF. */
static void table_go119(void)
{
    layout.h_sweepgen = (struct lt_gofield){ 65848, 4 };
    layout.h_allspans = (struct lt_gofield){ 65856, 8 };
    layout.h_allarenas = (struct lt_gofield){ 66016, 8 };
    layout.s_start = (struct lt_gofield){ 24, 8 };
    layout.s_npages = (struct lt_gofield){ 32, 8 };
    layout.s_freeindex = (struct lt_gofield){ 48, 8 };
    layout.s_nelems = (struct lt_gofield){ 56, 8 };
    layout.s_allocbits = (struct lt_gofield){ 72, 8 };
    layout.s_markbits = (struct lt_gofield){ 80, 8 };
    layout.s_sweepgen = (struct lt_gofield){ 88, 4 };
    layout.s_state = (struct lt_gofield){ 99, 1 };
    layout.s_elemsize = (struct lt_gofield){ 104, 8 };
    layout.g_lo = (struct lt_gofield){ 0, 8 };
    layout.g_hi = (struct lt_gofield){ 8, 8 };
    layout.g_sp = (struct lt_gofield){ 56, 8 };
    layout.g_pc = (struct lt_gofield){ 64, 8 };
    layout.g_schedg = (struct lt_gofield){ 72, 8 };
    layout.g_bp = (struct lt_gofield){ 104, 8 };
    layout.g_syscallsp = (struct lt_gofield){ 112, 8 };
    layout.g_status = (struct lt_gofield){ 144, 4 };
    layout.g_m = (struct lt_gofield){ 48, 8 };
    layout.m_g0 = (struct lt_gofield){ 0, 8 };
    layout.m_curg = (struct lt_gofield){ 192, 8 };
}

/* Go keeps the current g in the executable's TLS (runtime.tlsg, the only
 * thread-local of a Go binary's own TLS segment unless cgo code adds
 * some). glibc places the executable's block right below the thread
 * pointer (x86-64 TLS variant II): at tp - round_up(memsz, align). Known
 * only when the segment holds just that one word. */
static intptr_t tls_g_offset(void)
{
    const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
    unsigned long n = getauxval(AT_PHNUM);
    for (unsigned long i = 0; ph && i < n; i++)
        if (ph[i].p_type == PT_TLS && ph[i].p_memsz == 8 && ph[i].p_align <= 8)
            return -8;
    return 0;
}

/* From the section headers: the Go version in .go.buildinfo (Go 1.18+:
 * "\xff Go buildinf:", pointer size, flags; with flag 2 the version
 * follows inline at offset 32 as a uvarint-prefixed string) and the
 * bounds of .bss. Returns whether the version is `want` (e.g. "go1.19"). */
static bool scan_sections(const char *want)
{
    struct lt_exe e;
    if (!lt_exe_map(&e))
        return false;
    bool match = false;
    size_t wl = strlen(want);
    for (int i = 0; i < e.nsh; i++) {
        const Elf64_Shdr *sh = &e.sh[i];
        const char *name = lt_exe_section_name(&e, i);
        if (!name)
            continue;
        if (strcmp(name, ".bss") == 0) {
            layout.bss_lo = e.bias + sh->sh_addr;
            layout.bss_hi = layout.bss_lo + sh->sh_size;
        } else if (strcmp(name, ".go.buildinfo") == 0 && sh->sh_type == SHT_PROGBITS &&
                   sh->sh_size >= 48 && lt_exe_in_file(&e, sh->sh_offset, sh->sh_size)) {
            const unsigned char *b = e.f + sh->sh_offset;
            if (memcmp(b, "\xff Go buildinf:", 14) == 0 && (b[15] & 2) && b[32] < 0x80 &&
                b[32] >= wl && 33 + (size_t)b[32] <= sh->sh_size && memcmp(b + 33, want, wl) == 0 &&
                (b[32] == wl || b[33 + wl] < '0' || b[33 + wl] > '9'))
                match = true;
        }
    }
    lt_exe_unmap(&e);
    return match;
}

/* The runtime's types from the executable's DWARF, through libdw in its
 * private namespace (dwlib.h). NULL when they were all found. */
static const char *read_types(int fd)
{
    if (!lt_dwlib_load())
        return lt_dwlib_error();
    lt_dwlib_enter();
    Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
    const char *why = dw ? resolve_types(dw) : "the executable has no DWARF (built with -ldflags=-w)";
    if (dw)
        dwarf_end(dw);
    lt_dwlib_leave();
    return why;
}

static void resolve(void)
{
    static const char *const names[] = { "runtime.mheap_", "runtime.allgs", "runtime.allglen" };
    uintptr_t addr[3];
    lt_elfsym_find(names, addr, 3);
    bool syms = addr[0] && addr[1] && addr[2];
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        layout.why = "the executable could not be opened";
        return;
    }
    /* A Go version whose layout is built in needs no DWARF: reading it
     * inflates every compressed .debug section of the binary (~9 ms CPU per
     * run, half of a small Go program's own time). Other versions read it.
     * LEAKTRACE_GO_LAYOUT=check reads both and warns where they differ
     * (the test suite checks the built-in table against the installed Go);
     * LEAKTRACE_GO_LAYOUT=off uses neither (the whole-heap fallback). */
    bool go119 = scan_sections("go1.19");
    const char *mode = getenv("LEAKTRACE_GO_LAYOUT");
    bool check = mode && strcmp(mode, "check") == 0;
    if (mode && strcmp(mode, "off") == 0) {      /* the fallback, for tests */
        syscall(SYS_close, fd);
        layout.why = "LEAKTRACE_GO_LAYOUT=off";
        return;
    }
    if (go119) {
        table_go119();
        layout.by_version = true;
    }
    if (!go119 || check) {
        struct lt_golayout table = layout;
        const char *why = read_types(fd);
        if (go119 && !why && memcmp(&table, &layout, sizeof table) != 0)
            lt_warn("the built-in go1.19 runtime layout differs from this binary's DWARF");
        if (go119 && why)
            layout = table;
        if (!go119)
            layout.why = why ? "the executable has no DWARF (-ldflags=-w) and is not go1.19, whose layout is built in"
                             : NULL;
        layout.by_version = go119 && why;
    }
    syscall(SYS_close, fd);
    if (syms) {
        layout.mheap = addr[0];
        layout.allgs = addr[1];
        layout.allglen = addr[2];
    } else if (!layout.why && !layout.bss_lo) {
        layout.why = "the executable has neither a symbol table nor a .bss section header";
    }
    layout.tls_g = tls_g_offset();
    layout.ok = layout.why == NULL;
}

/* [a, a+len) readable, possibly across adjacent mappings (.bss starts in
 * the file-backed data mapping and goes on in an anonymous one). */
static bool readable(const struct lt_maps *maps, uintptr_t a, size_t len)
{
    uintptr_t end = a + len;
    if (end < a)
        return false;
    while (a < end) {
        const struct lt_map *m = lt_maps_find(maps, a);
        if (!m || !(m->prot & LT_MAP_R))
            return false;
        a = m->hi;
    }
    return true;
}

/* allgs: a slice {ptr, len, cap} whose first elements are goroutines, each
 * of which names itself in g.sched.g (newproc1 sets it; it is never
 * cleared). allglen always equals len(allgs) with the world stopped. */
static bool is_allgs(const struct lt_maps *maps, uintptr_t a)
{
    const uintptr_t *w = (const uintptr_t *)a;
    uintptr_t ptr = w[0], len = w[1], cap = w[2];
    if (!len || len > (1u << 24) || cap < len || cap > (1u << 26) || (ptr & 7) ||
        !readable(maps, ptr, len * 8))
        return false;
    for (uintptr_t i = 0; i < len && i < 4; i++) {
        uintptr_t g = ((const uintptr_t *)ptr)[i];
        if ((g & 7) || !readable(maps, g, layout.g_status.off + 8) || lt_go_read(g, layout.g_schedg) != g)
            return false;
    }
    return true;
}

/* mheap_: allspans and allArenas slices at their offsets, the first span
 * with a start address and pages, the first arena mapped, sweepgen even
 * (it advances by 2 per cycle). */
static bool is_mheap(const struct lt_maps *maps, uintptr_t h)
{
    const uintptr_t *sp = (const uintptr_t *)(h + layout.h_allspans.off);
    const uintptr_t *ar = (const uintptr_t *)(h + layout.h_allarenas.off);
    if (!sp[1] || sp[2] < sp[1] || sp[1] > (1u << 26) || (sp[0] & 7) || !readable(maps, sp[0], sp[1] * 8))
        return false;
    if (!ar[1] || ar[2] < ar[1] || ar[1] > (1u << 22) || (ar[0] & 7) || !readable(maps, ar[0], ar[1] * 8))
        return false;
    if (lt_go_read(h, layout.h_sweepgen) & 1)
        return false;
    uintptr_t s = ((const uintptr_t *)sp[0])[0];
    if (!s || (s & 7) || !readable(maps, s, layout.s_elemsize.off + 8) || !lt_go_read(s, layout.s_start) ||
        !lt_go_read(s, layout.s_npages))
        return false;
    uintptr_t base = ((const uintptr_t *)ar[0])[0] * ((uintptr_t)64 << 20) + (uintptr_t)0xffff800000000000ull;
    return readable(maps, base, 8);
}

bool lt_golayout_locate(const struct lt_maps *maps)
{
    const struct lt_golayout *L = lt_golayout();
    if (!L->ok)
        return false;
    if (L->mheap && L->allgs)
        return true;
    uintptr_t allgs = 0, mheap = 0;
    size_t need = layout.h_allarenas.off + 24;
    if (!readable(maps, layout.bss_lo, layout.bss_hi - layout.bss_lo)) {
        layout.why = ".bss of the stripped executable is not readable";
        layout.ok = false;
        return false;
    }
    for (uintptr_t a = (layout.bss_lo + 7) & ~(uintptr_t)7; a + 24 <= layout.bss_hi && !allgs; a += 8)
        if (is_allgs(maps, a))
            allgs = a;
    for (uintptr_t a = (layout.bss_lo + 7) & ~(uintptr_t)7; a + need <= layout.bss_hi && !mheap; a += 8)
        if (is_mheap(maps, a))
            mheap = a;
    if (!allgs || !mheap) {
        layout.why = "runtime.mheap_ or runtime.allgs not found in .bss of the stripped executable";
        layout.ok = false;
        return false;
    }
    layout.allgs = allgs;
    layout.allglen = allgs + 8;
    layout.mheap = mheap;
    return true;
}

const struct lt_golayout *lt_golayout(void)
{
    static lt_lock_t lock = LT_LOCK_INIT;
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
        return &layout;
    lt_lock(&lock);
    if (state != 2) {
        resolve();
        __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
    }
    lt_unlock(&lock);
    return &layout;
}
