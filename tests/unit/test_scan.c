/* test_scan.c — mark and clique passes (src/scan.c) on synthetic heaps.
 *
 * "Blocks" are ranges of an mmap'd region described by lt_block arrays;
 * roots are arrays this test controls. Checked against Valgrind memcheck's
 * rules (scan.h, research note anchor-valgrind.md §1): start pointer from a
 * root -> Reachable, interior only -> Possible, unreferenced -> Definite;
 * Possible propagates as Possible and is upgraded (and rescanned) by a
 * later start pointer; chains, trees, cycles, shared blocks and absorbed
 * earlier leaders in pass 2, with the indirect totals; 0-byte blocks; the
 * three data heuristics each on, off and near-miss; only aligned words
 * wholly inside a range are read; unreadable pages in a root range are
 * skipped (and the SIGSEGV catcher comes and goes with init/fini); long
 * chains; the init failure path. */
#include "scan.h"
#include "arena.h"
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096u
#define W sizeof(uintptr_t)
#define HEAP_BYTES (8u << 20)

static char *H;                      /* the synthetic heap */
static struct lt_block *blk;         /* its blocks, in address order */
static size_t nblk, blk_cap = 200000;
static uintptr_t roots[64];          /* a root region */
static struct lt_scan S;

static const char *kind_name(int k)
{
    static const char *const n[] = { "REACHABLE", "POSSIBLE", "INDIRECT", "DEFINITE" };
    return k >= 0 && k < 4 ? n[k] : "?";
}

static void reset(void)
{
    memset(H, 0, 1 << 20);
    nblk = 0;
    memset(roots, 0, sizeof roots);
}

/* A block at H + off; call in increasing `off` order. */
static uintptr_t mk(size_t off, size_t size)
{
    uintptr_t a = (uintptr_t)H + off;
    blk[nblk] = (struct lt_block){ .addr = a, .size = size, .stack = (uint32_t)(nblk + 1) };
    nblk++;
    return a;
}

static void put(uintptr_t at, uintptr_t value) { *(uintptr_t *)at = value; }

static void init(unsigned heuristics)
{
    CHECK(lt_scan_init(&S, blk, nblk, heuristics) == 0, "lt_scan_init");
}

static void scan_roots(void) { lt_scan_root_range(&S, (uintptr_t)roots, (uintptr_t)(roots + 64)); }

/* init + roots + both passes */
static void run(unsigned heuristics)
{
    init(heuristics);
    scan_roots();
    lt_scan_propagate(&S);
    lt_scan_cliques(&S);
}

static struct lt_scan_block *B(uintptr_t a)
{
    ptrdiff_t i = lt_scan_find(&S, a);
    static struct lt_scan_block none = { .state = 0xff };
    CHECK(i >= 0, "block %#lx not found", (unsigned long)a);
    return i >= 0 ? &S.b[i] : &none;
}

#define CHECK_KIND(a, k)                                                              \
    do {                                                                              \
        int got_ = B(a)->state;                                                       \
        CHECK(got_ == (k), "%s is %s, expected %s", #a, kind_name(got_), kind_name(k)); \
    } while (0)

/* Pass 2's invariant: what the leaders hold is exactly the indirect bytes. */
static void check_indirect_invariant(void)
{
    uint64_t held = 0, ind = 0;
    for (size_t i = 0; i < S.n; i++) {
        if (S.b[i].state == LT_DEFINITE)
            held += S.b[i].indirect;
        if (S.b[i].state == LT_INDIRECT)
            ind += S.b[i].size;
    }
    CHECK(held == ind, "leaders hold %llu indirect bytes, indirect blocks total %llu",
          (unsigned long long)held, (unsigned long long)ind);
}

/* ---- pass 1 ----------------------------------------------------------------- */

static void test_root_pointers(void)
{
    reset();
    uintptr_t a = mk(0, 32), b = mk(64, 32), c = mk(128, 32), z = mk(192, 0), z2 = mk(208, 0),
              e = mk(256, 48);
    roots[0] = a;              /* start pointer */
    roots[1] = b + 8;          /* interior pointer */
    roots[2] = z;              /* a 0-byte block's address */
    roots[3] = z2 + 1;         /* one past a 0-byte block: not it */
    roots[4] = e + 48;         /* one past the end of e */
    roots[5] = c - 8;          /* a gap between blocks */
    run(LT_HEUR_ALL);
    CHECK_KIND(a, LT_REACHABLE);
    CHECK(B(a)->heuristic == 0, "a: heuristic %d", B(a)->heuristic);
    CHECK_KIND(b, LT_POSSIBLE);
    CHECK_KIND(c, LT_DEFINITE);
    CHECK(B(c)->indirect == 0, "c.indirect %llu", (unsigned long long)B(c)->indirect);
    CHECK_KIND(z, LT_REACHABLE);
    CHECK_KIND(z2, LT_DEFINITE);
    CHECK_KIND(e, LT_DEFINITE);

    /* lt_scan_find. */
    CHECK(lt_scan_find(&S, a) == 0 && lt_scan_find(&S, a + 31) == 0, "find in a");
    CHECK(lt_scan_find(&S, a + 32) == -1, "find just past a");
    CHECK(lt_scan_find(&S, z) == 3 && lt_scan_find(&S, z + 1) == -1, "find of a 0-byte block");
    CHECK(lt_scan_find(&S, e + 47) == 5 && lt_scan_find(&S, e + 48) == -1, "find at e's end");
    CHECK(lt_scan_find(&S, a - 1) == -1 && lt_scan_find(&S, 0) == -1 && lt_scan_find(&S, UINTPTR_MAX) == -1,
          "find outside");
    lt_scan_fini(&S);

    /* lt_scan_root_word and lt_scan_root_block_of do the same. */
    reset();
    a = mk(0, 32);
    b = mk(64, 32);
    c = mk(128, 32);
    init(0);
    lt_scan_root_word(&S, a);
    lt_scan_root_word(&S, b + 31);
    lt_scan_root_block_of(&S, c + 17);     /* as if by a start pointer */
    lt_scan_root_block_of(&S, c + 4096);   /* no block: nothing */
    lt_scan_propagate(&S);
    lt_scan_cliques(&S);
    CHECK_KIND(a, LT_REACHABLE);
    CHECK_KIND(b, LT_POSSIBLE);
    CHECK_KIND(c, LT_REACHABLE);
    lt_scan_fini(&S);
}

static void test_propagation(void)
{
    reset();
    /* root -> a -start-> b -interior-> c -start-> d;  root -interior-> p -start-> q */
    uintptr_t a = mk(0, 32), b = mk(64, 32), c = mk(128, 32), d = mk(192, 32), p = mk(256, 32),
              q = mk(320, 32), x = mk(384, 20), y = mk(448, 16);
    put(a + 8, b);
    put(b + 24, c + 16);
    put(c, d);
    put(p + 16, q);
    put(x + 16, y);            /* word at 16..24 overlaps the end of the 20-byte x: not read */
    roots[0] = a;
    roots[1] = p + 4;
    roots[2] = x;
    run(LT_HEUR_ALL);
    CHECK_KIND(a, LT_REACHABLE);
    CHECK_KIND(b, LT_REACHABLE);
    CHECK_KIND(c, LT_POSSIBLE);
    CHECK_KIND(d, LT_POSSIBLE);    /* start pointer, but from a Possible block */
    CHECK_KIND(p, LT_POSSIBLE);
    CHECK_KIND(q, LT_POSSIBLE);
    CHECK_KIND(x, LT_REACHABLE);
    CHECK_KIND(y, LT_DEFINITE);
    lt_scan_fini(&S);

    /* Upgrade and rescan: p is Possible and scanned; a later start pointer
     * makes it Reachable and its targets Reachable too. */
    reset();
    p = mk(0, 32);
    q = mk(64, 32);
    uintptr_t r = mk(128, 32);
    put(p + 8, q);
    put(q + 8, r);
    init(0);
    lt_scan_root_word(&S, p + 8);
    lt_scan_propagate(&S);
    CHECK_KIND(p, LT_POSSIBLE);
    CHECK_KIND(q, LT_POSSIBLE);
    CHECK_KIND(r, LT_POSSIBLE);
    lt_scan_root_word(&S, p);
    lt_scan_propagate(&S);
    CHECK_KIND(p, LT_REACHABLE);
    CHECK_KIND(q, LT_REACHABLE);
    CHECK_KIND(r, LT_REACHABLE);
    lt_scan_cliques(&S);
    CHECK_KIND(r, LT_REACHABLE);
    lt_scan_fini(&S);

    /* Interior then start pointer in the same root range (p still pending
     * when it is upgraded): its children are Reachable. */
    reset();
    p = mk(0, 32);
    q = mk(64, 32);
    put(p + 8, q);
    roots[0] = p + 16;
    roots[1] = p;
    run(0);
    CHECK_KIND(p, LT_REACHABLE);
    CHECK_KIND(q, LT_REACHABLE);
    lt_scan_fini(&S);

    /* A Possible block pointing at a Reachable one changes nothing, and
     * Possible blocks are not absorbed by lost cliques. */
    reset();
    p = mk(0, 32);
    q = mk(64, 32);
    uintptr_t l = mk(128, 32);
    put(p, q);
    put(l, p);
    roots[0] = p + 8;
    roots[1] = q;
    run(0);
    CHECK_KIND(p, LT_POSSIBLE);
    CHECK_KIND(q, LT_REACHABLE);
    CHECK_KIND(l, LT_DEFINITE);
    CHECK(B(l)->indirect == 0, "a Possible block was absorbed into a clique: %llu",
          (unsigned long long)B(l)->indirect);
    lt_scan_fini(&S);
}

/* ---- pass 2 ----------------------------------------------------------------- */

static void test_chain_and_tree(void)
{
    /* Lost chain a -> b -> c, leader first in address order. */
    reset();
    uintptr_t a = mk(0, 16), b = mk(64, 32), c = mk(128, 64);
    put(a, b);
    put(b + 8, c);
    run(LT_HEUR_ALL);
    CHECK_KIND(a, LT_DEFINITE);
    CHECK_KIND(b, LT_INDIRECT);
    CHECK_KIND(c, LT_INDIRECT);
    CHECK_EQ_U64(B(a)->indirect, 96);
    check_indirect_invariant();
    lt_scan_fini(&S);

    /* The same chain with the head last in address order: c and b lead
     * first and are absorbed, bringing what they gathered. */
    reset();
    c = mk(0, 64);
    b = mk(128, 32);
    a = mk(256, 16);
    put(a, b);
    put(b + 8, c);
    run(LT_HEUR_ALL);
    CHECK_KIND(a, LT_DEFINITE);
    CHECK_KIND(b, LT_INDIRECT);
    CHECK_KIND(c, LT_INDIRECT);
    CHECK_EQ_U64(B(a)->indirect, 96);
    check_indirect_invariant();
    lt_scan_fini(&S);

    /* A tree, the root in the middle of the address order:
     *   r -> l1, l2;  l1 -> l11, l12 (interior pointer);  l2 -> l21 */
    reset();
    uintptr_t l11 = mk(0, 8), l1 = mk(64, 24), r = mk(128, 40), l21 = mk(256, 100), l2 = mk(384, 16),
              l12 = mk(512, 1000);
    put(r, l1);
    put(r + 8, l2);
    put(l1, l11);
    put(l1 + 16, l12 + 500);
    put(l2 + 8, l21);
    run(LT_HEUR_ALL);
    CHECK_KIND(r, LT_DEFINITE);
    CHECK_KIND(l1, LT_INDIRECT);
    CHECK_KIND(l2, LT_INDIRECT);
    CHECK_KIND(l11, LT_INDIRECT);
    CHECK_KIND(l12, LT_INDIRECT);
    CHECK_KIND(l21, LT_INDIRECT);
    CHECK_EQ_U64(B(r)->indirect, 24 + 16 + 8 + 1000 + 100);
    check_indirect_invariant();
    lt_scan_fini(&S);

    /* A tree hanging from a Reachable block is all Reachable. */
    reset();
    r = mk(0, 16);
    l1 = mk(64, 16);
    l2 = mk(128, 16);
    put(r, l1);
    put(l1 + 8, l2);
    roots[10] = r;
    run(LT_HEUR_ALL);
    CHECK_KIND(r, LT_REACHABLE);
    CHECK_KIND(l1, LT_REACHABLE);
    CHECK_KIND(l2, LT_REACHABLE);
    lt_scan_fini(&S);
}

static void test_cycles_and_sharing(void)
{
    /* 2-cycle: the lowest address is the leader. */
    reset();
    uintptr_t x = mk(0, 16), y = mk(64, 48);
    put(x, y);
    put(y + 40, x);
    run(LT_HEUR_ALL);
    CHECK_KIND(x, LT_DEFINITE);
    CHECK_KIND(y, LT_INDIRECT);
    CHECK_EQ_U64(B(x)->indirect, 48);
    check_indirect_invariant();
    lt_scan_fini(&S);

    /* 3-cycle p -> q -> r -> p entered nowhere; r has the lowest address. */
    reset();
    uintptr_t r = mk(0, 16), p = mk(64, 32), q = mk(128, 64);
    put(p, q);
    put(q, r);
    put(r, p);
    run(LT_HEUR_ALL);
    CHECK_KIND(r, LT_DEFINITE);
    CHECK_KIND(p, LT_INDIRECT);
    CHECK_KIND(q, LT_INDIRECT);
    CHECK_EQ_U64(B(r)->indirect, 96);
    check_indirect_invariant();
    lt_scan_fini(&S);

    /* A self-pointer: definite, nothing indirect. */
    reset();
    uintptr_t s = mk(0, 32);
    put(s + 8, s);
    put(s + 16, s + 20);
    run(LT_HEUR_ALL);
    CHECK_KIND(s, LT_DEFINITE);
    CHECK_EQ_U64(B(s)->indirect, 0);
    lt_scan_fini(&S);

    /* A block shared by two lost leaders counts once, for the first. */
    reset();
    x = mk(0, 16);
    y = mk(64, 16);
    uintptr_t z = mk(128, 80);
    put(x, z);
    put(y, z + 40);
    run(LT_HEUR_ALL);
    CHECK_KIND(x, LT_DEFINITE);
    CHECK_KIND(y, LT_DEFINITE);
    CHECK_KIND(z, LT_INDIRECT);
    CHECK_EQ_U64(B(x)->indirect, 80);
    CHECK_EQ_U64(B(y)->indirect, 0);
    check_indirect_invariant();
    lt_scan_fini(&S);

    /* Two cliques: p (earlier) leads p -> q; later r -> p absorbs p and
     * what p gathered. */
    reset();
    p = mk(0, 16);
    q = mk(64, 32);
    r = mk(128, 8);
    put(p, q);
    put(r, p + 8);             /* pass 2: interior pointers count as start */
    run(LT_HEUR_ALL);
    CHECK_KIND(p, LT_INDIRECT);
    CHECK_KIND(q, LT_INDIRECT);
    CHECK_KIND(r, LT_DEFINITE);
    CHECK_EQ_U64(B(r)->indirect, 16 + 32);
    check_indirect_invariant();
    lt_scan_fini(&S);

    /* Lost structure pointing into a Reachable block: the reachable one
     * stays Reachable and is not counted. */
    reset();
    uintptr_t keep = mk(0, 64), lost = mk(128, 16);
    put(lost, keep);
    roots[0] = keep;
    run(LT_HEUR_ALL);
    CHECK_KIND(keep, LT_REACHABLE);
    CHECK_KIND(lost, LT_DEFINITE);
    CHECK_EQ_U64(B(lost)->indirect, 0);
    lt_scan_fini(&S);
}

/* ---- heuristics ------------------------------------------------------------- */

struct heur_case {
    const char *name;
    size_t size;
    uintptr_t w0, w1;          /* first two words */
    size_t ptr_off;            /* where the root points */
    unsigned heuristics;
    int want_state, want_heur;
};

static void run_heur_case(const struct heur_case *hc)
{
    reset();
    uintptr_t pad = mk(0, 16);     /* a block before, so the target is not the first */
    uintptr_t t = mk(64, hc->size);
    put(t, hc->w0);
    put(t + W, hc->w1);
    roots[0] = t + hc->ptr_off;
    run(hc->heuristics);
    struct lt_scan_block *b = B(t);
    CHECK(b->state == hc->want_state && b->heuristic == hc->want_heur,
          "%s: state %s heuristic %d, expected %s heuristic %d", hc->name, kind_name(b->state), b->heuristic,
          kind_name(hc->want_state), hc->want_heur);
    CHECK_KIND(pad, LT_DEFINITE);
    lt_scan_fini(&S);
}

static void test_heuristics(void)
{
    const unsigned ALL = LT_HEUR_ALL;
    const unsigned STR = LT_HEUR_BIT(LT_HEUR_STDSTRING), L64 = LT_HEUR_BIT(LT_HEUR_LENGTH64),
                   ARR = LT_HEUR_BIT(LT_HEUR_NEWARRAY);
    const struct heur_case cases[] = {
        /* stdstring: size = 3W + capacity + 1, length <= capacity, ptr at +3W */
        { "stdstring", 3 * W + 15 + 1, 5, 15, 3 * W, ALL, LT_REACHABLE, LT_HEUR_STDSTRING },
        { "stdstring only", 3 * W + 15 + 1, 15, 15, 3 * W, STR, LT_REACHABLE, LT_HEUR_STDSTRING },
        { "stdstring, heuristics none", 3 * W + 15 + 1, 5, 15, 3 * W, 0, LT_POSSIBLE, 0 },
        { "stdstring, other heuristics", 3 * W + 15 + 1, 5, 15, 3 * W, L64 | ARR, LT_POSSIBLE, 0 },
        { "stdstring, length > capacity", 3 * W + 15 + 1, 16, 15, 3 * W, ALL, LT_POSSIBLE, 0 },
        { "stdstring, wrong size", 3 * W + 15 + 2, 5, 15, 3 * W, STR, LT_POSSIBLE, 0 },
        { "stdstring, ptr at +2W", 3 * W + 15 + 1, 5, 15, 2 * W, STR, LT_POSSIBLE, 0 },
        /* length64: u64 at start = size - 8 > 0, ptr at +8 */
        { "length64", 40, 32, 0, 8, ALL, LT_REACHABLE, LT_HEUR_LENGTH64 },
        { "length64 only", 40, 32, 0, 8, L64, LT_REACHABLE, LT_HEUR_LENGTH64 },
        { "length64 shape, newarray only", 40, 32, 0, 8, ARR, LT_REACHABLE, LT_HEUR_NEWARRAY },
        { "length64, heuristics none", 40, 32, 0, 8, 0, LT_POSSIBLE, 0 },
        { "length64, wrong length", 40, 31, 0, 8, L64, LT_POSSIBLE, 0 },
        { "length64, ptr at +16", 40, 32, 0, 16, L64, LT_POSSIBLE, 0 },
        /* newarray: n = word 0 > 0, (size - W) % n == 0, ptr at +W */
        { "newarray", 8 + 3 * 16, 3, 0, W, ALL, LT_REACHABLE, LT_HEUR_NEWARRAY },
        { "newarray only", 8 + 3 * 16, 3, 0, W, ARR, LT_REACHABLE, LT_HEUR_NEWARRAY },
        { "newarray, n = 1", 8 + 7, 1, 0, W, ARR, LT_REACHABLE, LT_HEUR_NEWARRAY },
        { "newarray, heuristics none", 8 + 3 * 16, 3, 0, W, 0, LT_POSSIBLE, 0 },
        { "newarray, n does not divide", 8 + 3 * 16, 5, 0, W, ALL, LT_POSSIBLE, 0 },
        { "newarray, n = 0", 8 + 3 * 16, 0, 0, W, ALL, LT_POSSIBLE, 0 },
        { "newarray, length64 only", 8 + 3 * 16, 3, 0, W, L64, LT_POSSIBLE, 0 },
        /* A start pointer never needs a heuristic. */
        { "start pointer", 8 + 3 * 16, 3, 0, 0, ALL, LT_REACHABLE, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_heur_case(&cases[i]);

    /* Reached via a heuristic, then by a start pointer: no longer "via
     * heuristic". The other order keeps it clear too. */
    for (int order = 0; order < 2; order++) {
        reset();
        uintptr_t t = mk(0, 40);
        put(t, 32);
        roots[order] = t + 8;
        roots[1 - order] = t;
        run(ALL);
        CHECK_KIND(t, LT_REACHABLE);
        CHECK(B(t)->heuristic == 0, "order %d: still marked via heuristic %d", order, B(t)->heuristic);
        lt_scan_fini(&S);
    }

    /* A heuristic match from a Possible block gives Possible; children of
     * a heuristic-reachable block are reached by their start pointers. */
    reset();
    uintptr_t p = mk(0, 32), n = mk(64, 40), k = mk(128, 16), n2 = mk(192, 40), k2 = mk(256, 16);
    put(p, n + 8);
    put(n, 32);
    put(n + 16, k);
    put(n2, 32);
    put(n2 + 16, k2);
    roots[0] = p + 8;
    roots[1] = n2 + 8;
    run(ALL);
    CHECK_KIND(p, LT_POSSIBLE);
    CHECK_KIND(n, LT_POSSIBLE);
    CHECK_KIND(k, LT_POSSIBLE);
    CHECK_KIND(n2, LT_REACHABLE);
    CHECK(B(n2)->heuristic == LT_HEUR_LENGTH64, "n2 heuristic %d", B(n2)->heuristic);
    CHECK_KIND(k2, LT_REACHABLE);
    lt_scan_fini(&S);
}

/* ---- reading memory ------------------------------------------------------------ */

static void test_alignment(void)
{
    reset();
    uintptr_t a = mk(0, 16), b = mk(64, 16), c = mk(128, 16), d = mk(192, 16);
    unsigned char *rb = (unsigned char *)roots;
    put((uintptr_t)&roots[0], a);           /* excluded: range starts at +1, rounded up */
    put((uintptr_t)&roots[1], b);           /* included */
    put((uintptr_t)&roots[2], c);           /* excluded: range ends at +17, rounded down */
    memcpy(rb + 8 * 4 + 4, &d, sizeof d);   /* unaligned: never read */
    init(0);
    lt_scan_root_range(&S, (uintptr_t)roots + 1, (uintptr_t)roots + 17);
    lt_scan_root_range(&S, (uintptr_t)&roots[3], (uintptr_t)&roots[8]);
    lt_scan_root_range(&S, (uintptr_t)&roots[9], (uintptr_t)&roots[9]);     /* empty */
    lt_scan_root_range(&S, (uintptr_t)&roots[9], (uintptr_t)&roots[8]);     /* inverted */
    lt_scan_propagate(&S);
    lt_scan_cliques(&S);
    CHECK_KIND(a, LT_DEFINITE);
    CHECK_KIND(b, LT_REACHABLE);
    CHECK_KIND(c, LT_DEFINITE);
    CHECK_KIND(d, LT_DEFINITE);
    lt_scan_fini(&S);
}

static void test_unreadable_pages(void)
{
    struct sigaction before, during, after;
    sigaction(SIGSEGV, NULL, &before);
    reset();
    uintptr_t a = mk(0, 16), b = mk(64, 16), c = mk(128, 16), d = mk(192, 16), e = mk(256, 16);
    /* RW | NONE | RW | NONE | NONE | RW */
    char *r = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(r != MAP_FAILED, "mmap");
    put((uintptr_t)r + PG - W, a);          /* last word before the hole */
    put((uintptr_t)r + 2 * PG, b);          /* first word after it */
    put((uintptr_t)r + 2 * PG + 1000, c);
    put((uintptr_t)r + 5 * PG, d);          /* after two unreadable pages */
    put((uintptr_t)r + 6 * PG - W, e);      /* the very last word */
    mprotect(r + PG, PG, PROT_NONE);
    mprotect(r + 3 * PG, 2 * PG, PROT_NONE);
    init(0);
    sigaction(SIGSEGV, NULL, &during);
    CHECK((during.sa_flags & SA_SIGINFO) && during.sa_sigaction != NULL &&
              during.sa_handler != SIG_DFL && during.sa_handler != SIG_IGN,
          "lt_scan_init installed no SIGSEGV catcher");
    lt_scan_root_range(&S, (uintptr_t)r, (uintptr_t)r + 6 * PG);
    CHECK(S.skipped_bytes >= 3 * PG, "skipped %llu bytes, 3 pages unreadable",
          (unsigned long long)S.skipped_bytes);
    lt_scan_propagate(&S);
    CHECK_KIND(a, LT_REACHABLE);
    CHECK_KIND(b, LT_REACHABLE);
    CHECK_KIND(c, LT_REACHABLE);
    CHECK_KIND(d, LT_REACHABLE);
    CHECK_KIND(e, LT_REACHABLE);
    lt_scan_fini(&S);

    /* A range that starts on an unreadable page; one that is all unreadable. */
    reset();
    b = mk(64, 16);
    init(0);
    lt_scan_root_range(&S, (uintptr_t)r + 3 * PG, (uintptr_t)r + 5 * PG);
    lt_scan_root_range(&S, (uintptr_t)r + PG + 8, (uintptr_t)r + 2 * PG + 8);
    lt_scan_propagate(&S);
    CHECK_KIND(b, LT_REACHABLE);
    lt_scan_fini(&S);
    sigaction(SIGSEGV, NULL, &after);
    CHECK(after.sa_handler == before.sa_handler && !(after.sa_flags & SA_SIGINFO),
          "lt_scan_fini did not restore the SIGSEGV disposition");
    munmap(r, 6 * PG);
}

static volatile int own_handler_calls;
static void own_handler(int sig) { (void)sig; own_handler_calls++; }

/* The program's own handler survives a scan (and nested init/fini). */
static void test_handler_restored(void)
{
    struct sigaction mine, cur;
    memset(&mine, 0, sizeof mine);
    mine.sa_handler = own_handler;
    sigaction(SIGSEGV, &mine, NULL);
    reset();
    mk(0, 16);
    struct lt_scan s1, s2;
    CHECK(lt_scan_init(&s1, blk, nblk, 0) == 0 && lt_scan_init(&s2, blk, nblk, 0) == 0, "two inits");
    lt_scan_fini(&s2);
    sigaction(SIGSEGV, NULL, &cur);
    CHECK(cur.sa_handler != own_handler, "inner fini dropped the catcher while the outer scan is live");
    lt_scan_fini(&s1);
    sigaction(SIGSEGV, NULL, &cur);
    CHECK(cur.sa_handler == own_handler, "the program's SIGSEGV handler was not restored");
    raise(SIGSEGV);
    CHECK(own_handler_calls == 1, "program's handler not called");
    signal(SIGSEGV, SIG_DFL);
}

/* ---- sizes ------------------------------------------------------------------------ */

static void test_empty_and_large(void)
{
    struct lt_scan s;
    CHECK(lt_scan_init(&s, NULL, 0, LT_HEUR_ALL) == 0, "init with no blocks");
    lt_scan_root_range(&s, (uintptr_t)roots, (uintptr_t)(roots + 64));
    lt_scan_root_word(&s, (uintptr_t)H);
    lt_scan_propagate(&s);
    lt_scan_cliques(&s);
    CHECK(lt_scan_find(&s, (uintptr_t)H) == -1, "find in an empty scan");
    lt_scan_fini(&s);

    /* A lost singly linked list of 100,000 nodes (the head last in address
     * order, so every node first leads its own clique), and a reachable one. */
    enum { N = 100000 };
    memset(H, 0, (size_t)2 * N * 32);
    nblk = 0;
    for (size_t i = 0; i < N; i++)
        mk(i * 32, 24);
    for (size_t i = 1; i < N; i++)
        put(blk[i].addr, blk[i - 1].addr);      /* node i -> node i-1 */
    init(LT_HEUR_ALL);
    scan_roots();
    lt_scan_propagate(&S);
    lt_scan_cliques(&S);
    size_t wrong = 0;
    for (size_t i = 0; i + 1 < N; i++)
        wrong += S.b[i].state != LT_INDIRECT;
    CHECK(wrong == 0, "%zu list nodes not indirect", wrong);
    CHECK(S.b[N - 1].state == LT_DEFINITE, "list head %s", kind_name(S.b[N - 1].state));
    CHECK_EQ_U64(S.b[N - 1].indirect, (uint64_t)(N - 1) * 24);
    check_indirect_invariant();
    lt_scan_fini(&S);

    memset(roots, 0, sizeof roots);
    roots[0] = blk[N - 1].addr;
    init(0);
    scan_roots();
    lt_scan_propagate(&S);
    lt_scan_cliques(&S);
    wrong = 0;
    for (size_t i = 0; i < N; i++)
        wrong += S.b[i].state != LT_REACHABLE;
    CHECK(wrong == 0, "%zu nodes of a reachable list not reachable", wrong);
    lt_scan_fini(&S);

    /* One block pointing at all others: the mark stack holds them all. */
    memset(H, 0, (size_t)2 * N * 32);
    nblk = 0;
    uintptr_t hub = mk(0, (size_t)N * 8);
    for (size_t i = 1; i < N; i++)
        mk((size_t)N * 8 + i * 16, 16);
    for (size_t i = 1; i < N; i++)
        put(hub + (i - 1) * 8, blk[i].addr);
    memset(roots, 0, sizeof roots);
    roots[0] = hub;
    run(0);
    wrong = 0;
    for (size_t i = 0; i < N; i++)
        wrong += S.b[i].state != LT_REACHABLE;
    CHECK(wrong == 0, "%zu blocks under a reachable hub not reachable", wrong);
    lt_scan_fini(&S);
    memset(roots, 0, sizeof roots);
}

/* When lt_scan_init fails half-way (one arena allocation succeeds, the
 * other does not), lt_scan_fini must not undo a fault catcher that was
 * never installed: later scans must still catch faults. In a child: the
 * failing init reserves gigabytes of arena address space. */
static void test_init_failure_keeps_catcher(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        lt_err_fd = open("/dev/null", O_WRONLY);     /* the arena's out-of-memory warning */
        struct lt_scan s;
        /* 2^44 blocks: their lt_scan_block array is beyond the arena's
         * largest size class (2^47 bytes) and cannot be had, whatever the
         * machine; the mark stack might be. blocks is never read. */
        static struct lt_block one;
        int rc = lt_scan_init(&s, &one, (size_t)1 << 44, 0);
        if (rc != -1)
            _exit(3);
        reset();
        uintptr_t a = mk(0, 16);
        char *r = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        put((uintptr_t)r + PG, a);
        mprotect(r, PG, PROT_NONE);
        if (lt_scan_init(&s, blk, nblk, 0) != 0)
            _exit(4);
        lt_scan_root_range(&s, (uintptr_t)r, (uintptr_t)r + 2 * PG);   /* faults if not caught */
        lt_scan_propagate(&s);
        int state = s.b[0].state;
        lt_scan_fini(&s);
        _exit(state == LT_REACHABLE ? 0 : 5);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(!WIFEXITED(st) || (WEXITSTATUS(st) != 3 && WEXITSTATUS(st) != 4), "setup failed: status %#x", st);
    /* A failed lt_scan_init must leave the SIGSEGV/SIGBUS catcher usable
     * for the next scan. */
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "after a failed lt_scan_init, a scan over an unreadable page %s (child status %#x)",
          WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV ? "dies of SIGSEGV" : "goes wrong", st);
}

int main(void)
{
    H = mmap(NULL, HEAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    blk = malloc(blk_cap * sizeof *blk);
    if (H == MAP_FAILED || !blk)
        return 1;
    RUN(test_root_pointers);
    RUN(test_propagation);
    RUN(test_chain_and_tree);
    RUN(test_cycles_and_sharing);
    RUN(test_heuristics);
    RUN(test_alignment);
    RUN(test_unreadable_pages);
    RUN(test_handler_restored);
    RUN(test_empty_and_large);
    RUN(test_init_failure_keeps_catcher);
    return UNIT_DONE();
}
