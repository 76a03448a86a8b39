/* coverage.c — counting what was not tracked, and the report's words for
 * it (see coverage.h). */
#include "coverage.h"
#include "interpose.h"
#include "nextalloc.h"
#include <stdio.h>

static uint64_t dropped;
static int libc_used;

void lt_coverage_dropped(void) { __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED); }

uint64_t lt_coverage_dropped_count(void) { return __atomic_load_n(&dropped, __ATOMIC_RELAXED); }

void lt_coverage_libc_used(void)
{
    if (!__atomic_load_n(&libc_used, __ATOMIC_RELAXED))
        __atomic_store_n(&libc_used, 1, __ATOMIC_RELAXED);
}

bool lt_coverage_libc_seen(void) { return __atomic_load_n(&libc_used, __ATOMIC_RELAXED) != 0; }

static void add(struct lt_coverage *c, bool incomplete, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void add(struct lt_coverage *c, bool incomplete, const char *fmt, ...)
{
    if (c->n >= LT_COVERAGE_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->text[c->n++], LT_COVERAGE_LEN, fmt, ap);
    va_end(ap);
    c->incomplete |= incomplete;
}

void lt_coverage_get(struct lt_coverage *c)
{
    c->n = 0;
    c->incomplete = false;
    uint64_t n = lt_coverage_dropped_count();
    if (n) {
        char num[32], *e = num + sizeof num;       /* 1,234,567 as the report writes numbers */
        *--e = '\0';
        int digits = 0;
        uint64_t v = n;
        do {
            if (digits && digits % 3 == 0)
                *--e = ',';
            *--e = (char)('0' + v % 10);
            v /= 10;
            digits++;
        } while (v);
        add(c, true, "WARNING: leaktrace ran out of memory; %s allocation%s not tracked; "
            "this report is incomplete", e, n == 1 ? " was" : "s were");
    }
    bool used = __atomic_load_n(&libc_used, __ATOMIC_RELAXED);
    if (lt_nextalloc.owner == LT_OWNER_PROGRAM && !used)
        add(c, true, "WARNING: malloc is defined by the program itself; its blocks are not "
            "tracked; this report is incomplete");
    else if (lt_nextalloc.owner == LT_OWNER_BEFORE)
        add(c, true, "WARNING: malloc is served by %s, loaded before leaktrace; the heap is "
            "not tracked; this report is incomplete (preload leaktrace first)", lt_nextalloc.first);
    else if (lt_nextalloc.owner == LT_OWNER_TOOL && !lt_nextalloc.glibc && lt_nextalloc.name[0])
        add(c, false, "NOTE: blocks come from %s, not glibc's malloc; its free memory and "
            "bookkeeping are scanned as roots, so a lost block may be reported as reachable",
            lt_nextalloc.name);
}
