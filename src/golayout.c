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
#include <fcntl.h>
#include <string.h>
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

enum { T_G, T_MSPAN, T_MHEAP, NT };
static const char *const type_names[NT] = { "runtime.g", "runtime.mspan", "runtime.mheap" };

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
        { T_G, "syscallsp", &layout.g_syscallsp },
        { T_G, "atomicstatus", &layout.g_status },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!field(&types[want[i].t], want[i].path, want[i].f))
            return "a runtime field was not found in the DWARF types";
    return NULL;
}

static void resolve(void)
{
    static const char *const names[] = { "runtime.mheap_", "runtime.allgs", "runtime.allglen" };
    uintptr_t addr[3];
    lt_elfsym_find(names, addr, 3);
    if (!addr[0] || !addr[1] || !addr[2]) {
        layout.why = "the executable has no Go symbol table (stripped, e.g. by go test or -ldflags=-s)";
        return;
    }
    layout.mheap = addr[0];
    layout.allgs = addr[1];
    layout.allglen = addr[2];
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        layout.why = "the executable could not be opened";
        return;
    }
    Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
    if (!dw) {
        layout.why = "the executable has no DWARF (built with -ldflags=-w)";
    } else {
        layout.why = resolve_types(dw);
        dwarf_end(dw);
    }
    syscall(SYS_close, fd);
    layout.ok = layout.why == NULL;
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
