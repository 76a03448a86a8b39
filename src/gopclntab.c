/* gopclntab.c — Go function names and file:line from pclntab (see gopclntab.h).
 *
 * Layout (runtime/symtab.go, Go 1.18+): pcHeader { magic u32, pad1 u8,
 * pad2 u8, minLC u8, ptrSize u8, nfunc int, nfiles uint, textStart,
 * funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset }, the
 * offsets relative to the header. At pclnOffset: nfunc+1 functab entries
 * { entryoff u32, funcoff u32 } sorted by entry (the last one is the end of
 * the text), then the _func records { entryoff u32, nameoff i32, args i32,
 * deferreturn u32, pcsp u32, pcfile u32, pcln u32, npcdata u32,
 * cuOffset u32, [startLine i32 from 1.20] ... }. A pc's line and file
 * number are pc-value tables in pctab (runtime.pcvalue/step: zig-zag
 * value deltas and pc deltas times minLC, both varints); the file number
 * indexes cutab[cuOffset + n], an offset into filetab.
 *
 * The table is found as the section .gopclntab, else the symbol
 * runtime.pclntab, else (stripped PIE) by its header inside .data.rel.ro;
 * it is read where it is loaded, so PIE relocations are already applied. */
#include "gopclntab.h"
#include "elfsym.h"
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct pchdr {
    uint32_t magic;
    uint8_t pad1, pad2, minlc, ptrsize;
    uint64_t nfunc, nfiles, text, funcname, cu, filetab, pctab, pcln;
};

static const struct pchdr *hdr;
static int state;            /* 0 not looked for, 1 none, 2 found */
static uintptr_t gofunc;     /* moduledata.gofunc (go1.18-1.19 layout), or 0 */
static uintptr_t data_lo[2], data_hi[2];   /* .noptrdata, .data: where moduledata is */

static bool valid_header(const struct pchdr *h)
{
    return (h->magic == 0xfffffff0u || h->magic == 0xfffffff1u) && h->pad1 == 0 && h->pad2 == 0 &&
           (h->minlc == 1 || h->minlc == 2 || h->minlc == 4) && h->ptrsize == 8 && h->nfunc > 0 &&
           h->nfunc < (1u << 24) && h->pcln > sizeof *h;
}

/* The loaded address of .gopclntab, or of .data.rel.ro to search. */
static void sections(uintptr_t *pcln, uintptr_t *relro, size_t *relro_size)
{
    *pcln = *relro = 0;
    *relro_size = 0;
    struct lt_exe e;
    if (!lt_exe_map(&e))
        return;
    bool go = false;
    for (int i = 0; i < e.nsh; i++) {
        const Elf64_Shdr *sh = &e.sh[i];
        const char *name = (sh->sh_flags & SHF_ALLOC) ? lt_exe_section_name(&e, i) : NULL;
        if (!name)
            continue;
        if (strcmp(name, ".gopclntab") == 0) {
            *pcln = e.bias + sh->sh_addr;
        } else if (strcmp(name, ".go.buildinfo") == 0) {
            go = true;
        } else if (strcmp(name, ".noptrdata") == 0 || strcmp(name, ".data") == 0) {
            int k = name[1] == 'n' ? 0 : 1;
            data_lo[k] = e.bias + sh->sh_addr;
            data_hi[k] = data_lo[k] + sh->sh_size;
        } else if (strcmp(name, ".data.rel.ro") == 0) {
            *relro = e.bias + sh->sh_addr;
            *relro_size = sh->sh_size;
        }
    }
    lt_exe_unmap(&e);
    if (!go)                     /* only a Go executable's .data.rel.ro is searched */
        *relro = 0;
}

static void find(void)
{
    uintptr_t pcln, relro;
    size_t relro_size;
    sections(&pcln, &relro, &relro_size);
    if (!pcln) {
        static const char *const names[] = { "runtime.pclntab" };
        lt_elfsym_find(names, &pcln, 1);
    }
    if (!pcln && relro)
        for (uintptr_t a = (relro + 7) & ~(uintptr_t)7; a + sizeof(struct pchdr) <= relro + relro_size; a += 8)
            if (valid_header((const struct pchdr *)a)) {
                pcln = a;
                break;
            }
    if (pcln && valid_header((const struct pchdr *)pcln))
        hdr = (const struct pchdr *)pcln;
    /* moduledata (runtime/symtab.go): { pcHeader, funcnametab []byte, ... }
     * and, in go1.18-1.19 (pclntab magic 0xfffffff0), gofunc at +304: the
     * base of the funcdata offsets (the inlining tree lives there). */
    if (hdr && hdr->magic == 0xfffffff0u)
        for (int k = 0; k < 2 && !gofunc; k++)
            for (uintptr_t a = (data_lo[k] + 7) & ~(uintptr_t)7; a + 312 <= data_hi[k]; a += 8) {
                const uintptr_t *md = (const uintptr_t *)a;
                if (md[0] == (uintptr_t)hdr && md[1] == (uintptr_t)hdr + hdr->funcname) {
                    gofunc = md[38];
                    break;
                }
            }
}

static bool ready(void)
{
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s == 0) {
        /* Racing first callers both look; the result is the same. */
        find();
        __atomic_store_n(&state, hdr ? 2 : 1, __ATOMIC_RELEASE);
        s = hdr ? 2 : 1;
    }
    return s == 2;
}

static const unsigned char *base(void) { return (const unsigned char *)hdr; }

/* The _func of pc, or NULL. */
static const unsigned char *find_func(uintptr_t pc)
{
    if (!ready() || pc < hdr->text)
        return NULL;
    const uint32_t *ftab = (const uint32_t *)(base() + hdr->pcln);
    uint64_t off = pc - hdr->text, n = hdr->nfunc;
    if (off >= ftab[2 * n])            /* past the end of the Go text */
        return NULL;
    uint64_t lo = 0, hi = n;           /* last entry with entryoff <= off */
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (ftab[2 * mid] <= off) lo = mid; else hi = mid;
    }
    if (ftab[2 * lo] > off)
        return NULL;
    return base() + hdr->pcln + ftab[2 * lo + 1];
}

static uint32_t varint(const unsigned char **p)
{
    uint32_t v = 0, shift = 0;
    for (int i = 0; i < 5; i++) {
        unsigned char b = *(*p)++;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    return v;
}

/* runtime.pcvalue: the value of table `off` at pc, or -1. */
static int32_t pcvalue(const unsigned char *fn, uint32_t off, uintptr_t pc)
{
    if (!off)
        return -1;
    uintptr_t entry = hdr->text + *(const uint32_t *)fn, at = entry;
    const unsigned char *p = base() + hdr->pctab + off;
    int32_t val = -1;
    for (int guard = 0; guard < 1000000; guard++) {
        uint32_t uv = varint(&p);
        if (uv == 0 && at != entry)
            return -1;
        val += (int32_t)(-(uv & 1) ^ (uv >> 1));
        at += (uintptr_t)varint(&p) * hdr->minlc;
        if (pc < at)
            return val;
    }
    return -1;
}

bool lt_gopclntab_lookup(uintptr_t pc, const char **fn, const char **file, unsigned *line)
{
    const unsigned char *f = find_func(pc);
    if (!f)
        return false;
    const uint32_t *w = (const uint32_t *)f;
    /* nameoff, pcfile, pcln, cuOffset at words 1, 5, 6, 8. */
    *fn = (const char *)base() + hdr->funcname + (int32_t)w[1];
    *file = NULL;
    *line = 0;
    int32_t ln = pcvalue(f, w[6], pc), fno = pcvalue(f, w[5], pc);
    if (ln > 0)
        *line = (unsigned)ln;
    if (fno >= 0) {
        uint32_t fo = ((const uint32_t *)(base() + hdr->cu))[w[8] + (uint32_t)fno];
        if (fo != 0xffffffffu)
            *file = (const char *)base() + hdr->filetab + fo;
    }
    return true;
}

uintptr_t lt_gopclntab_func_entry(uintptr_t pc)
{
    const unsigned char *f = find_func(pc);
    return f ? hdr->text + *(const uint32_t *)f : 0;
}

bool lt_gopclntab_find(const char *name, uintptr_t *entry, uintptr_t *end)
{
    if (!ready())
        return false;
    const uint32_t *ftab = (const uint32_t *)(base() + hdr->pcln);
    for (uint64_t i = 0; i < hdr->nfunc; i++) {
        const uint32_t *w = (const uint32_t *)(base() + hdr->pcln + ftab[2 * i + 1]);
        if (strcmp((const char *)base() + hdr->funcname + (int32_t)w[1], name) == 0) {
            *entry = hdr->text + ftab[2 * i];
            *end = hdr->text + ftab[2 * i + 2];
            return true;
        }
    }
    return false;
}

/* _func (go1.18-1.19): 10 words of fixed fields, the last byte being
 * nfuncdata; then npcdata uint32 pc-value table offsets, then nfuncdata
 * uint32 funcdata offsets from moduledata.gofunc (~0: none). */
#define PCDATA_INLTREEINDEX 2
#define FUNCDATA_INLTREE 3

struct inlined_call {          /* runtime.inlinedCall, go1.19 */
    int16_t parent;
    uint8_t funcid, pad;
    int32_t file, line, func_, parentpc;
};

int lt_gopclntab_frames(uintptr_t pc, struct lt_goframe *out, int max)
{
    const unsigned char *f = find_func(pc);
    if (!f || max < 1)
        return 0;
    const uint32_t *w = (const uint32_t *)f;
    uintptr_t entry = hdr->text + w[0];
    const struct inlined_call *tree = NULL;
    uint32_t npcdata = w[7];
    uint8_t nfuncdata = f[39];
    if (gofunc && npcdata > PCDATA_INLTREEINDEX && nfuncdata > FUNCDATA_INLTREE) {
        uint32_t off = w[10 + npcdata + FUNCDATA_INLTREE];
        if (off != 0xffffffffu)
            tree = (const struct inlined_call *)(gofunc + off);
    }
    int n = 0;
    for (int guard = 0; guard < 64 && n < max - 1 && tree; guard++) {
        int32_t ix = pcvalue(f, w[10 + PCDATA_INLTREEINDEX], pc);
        if (ix < 0)
            break;
        lt_gopclntab_lookup(pc, &out[n].fn, &out[n].file, &out[n].line);
        out[n].fn = (const char *)base() + hdr->funcname + tree[ix].func_;
        n++;
        pc = entry + (uint32_t)tree[ix].parentpc;     /* the call site, in the caller */
    }
    lt_gopclntab_lookup(pc, &out[n].fn, &out[n].file, &out[n].line);
    return n + 1;
}
