/* test_table.c — the live-block table (src/table.c).
 *
 * Round trips with extreme sizes and stack ids; untrackable addresses;
 * replacement on re-insert; backward-shift deletion under 100k random keys
 * and a churn against a reference model; usage counters and restore;
 * snapshots (sorted, complete, decoded right); 4 writer threads with a
 * concurrent snapshot taker; the table's memory per live block at 1M blocks.
 *
 * The table is process-global: every test uses its own address range and
 * removes what it inserted, so lt_table_count() returns to its baseline. */
#include "table.h"
#include "arena.h"
#include "unit.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Test address spaces (all 16-aligned, below 2^47). */
#define AREA(k) ((uintptr_t)(k) << 40)

static int cmp_uptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

/* n distinct random 8-aligned addresses in [base, base + 2^39). */
static uintptr_t *random_addrs(size_t n, uintptr_t base, uint64_t seed)
{
    uintptr_t *v = malloc(n * sizeof *v);
    size_t k = 0;
    while (k < n) {
        for (size_t i = k; i < n; i++)
            v[i] = base + ((unit_rand(&seed) & ((UINT64_C(1) << 39) - 1)) & ~(uintptr_t)7);
        qsort(v, n, sizeof *v, cmp_uptr);
        k = 0;
        for (size_t i = 0; i < n; i++)
            if (i == 0 || v[i] != v[i - 1])
                v[k++] = v[i];
    }
    /* Shuffle so insertion order is not address order. */
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(unit_rand(&seed) % (i + 1));
        uintptr_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    return v;
}

/* Size and stack derived from the address, so any entry can be verified. */
static size_t size_of(uintptr_t a) { return (size_t)((a >> 3) * 2654435761u % 100000); }
static uint32_t stack_of(uintptr_t a) { return (uint32_t)((a >> 4) * 40503u); }

static void test_round_trip(void)
{
    size_t base = lt_table_count();
    uintptr_t a = AREA(1) + 0x1000;
    struct lt_block b;
    CHECK(!lt_table_lookup(a, &b), "lookup before insert");
    CHECK(lt_table_insert(a, 123, 77), "insert");
    CHECK_EQ_U64(lt_table_count(), base + 1);
    memset(&b, 0, sizeof b);
    CHECK(lt_table_lookup(a, &b), "lookup after insert");
    CHECK(b.addr == a && b.size == 123 && b.stack == 77, "lookup decoded %#lx %zu %u",
          (unsigned long)b.addr, b.size, b.stack);
    CHECK(lt_table_lookup(a, NULL), "lookup with out = NULL");
    memset(&b, 0, sizeof b);
    CHECK(lt_table_remove(a, &b), "remove");
    CHECK(b.addr == a && b.size == 123 && b.stack == 77, "remove decoded %#lx %zu %u",
          (unsigned long)b.addr, b.size, b.stack);
    CHECK(!lt_table_lookup(a, NULL), "lookup after remove");
    CHECK(!lt_table_remove(a, NULL), "second remove");
    CHECK_EQ_U64(lt_table_count(), base);
    /* Neighbouring addresses are distinct keys. */
    CHECK(lt_table_insert(a, 1, 1) && lt_table_insert(a + 8, 2, 2) && lt_table_insert(a + 16, 3, 3), "3 inserts");
    CHECK(lt_table_lookup(a + 8, &b) && b.size == 2 && b.stack == 2, "a+8");
    CHECK(lt_table_remove(a + 8, NULL), "remove a+8");
    CHECK(lt_table_lookup(a, &b) && b.size == 1 && lt_table_lookup(a + 16, &b) && b.size == 3, "a, a+16 survive");
    CHECK(lt_table_remove(a, NULL) && lt_table_remove(a + 16, NULL), "cleanup");
    CHECK_EQ_U64(lt_table_count(), base);
}

static void test_extreme_values(void)
{
    static const size_t sizes[] = { 0, 1, 0xffffffffu, UINT64_C(0x100000000), UINT64_C(0x100000001),
                                    UINT64_C(1) << 40, (UINT64_C(1) << 40) + 12345,
                                    (UINT64_C(1) << 47) - 8 };
    static const uint32_t stacks[] = { 0, 1, 0x7fffffffu, 0x80000000u, UINT32_MAX };
    uintptr_t addrs[] = { 8, 16, AREA(2), AREA(2) + 8, (UINT64_C(1) << 48) - 8, (UINT64_C(1) << 47) - 16 };
    size_t base = lt_table_count();
    for (size_t ai = 0; ai < sizeof addrs / sizeof addrs[0]; ai++) {
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            for (size_t ki = 0; ki < sizeof stacks / sizeof stacks[0]; ki++) {
                uintptr_t a = addrs[ai];
                struct lt_block b;
                CHECK(lt_table_insert(a, sizes[si], stacks[ki]), "insert %#lx", (unsigned long)a);
                memset(&b, 0, sizeof b);
                bool ok = lt_table_lookup(a, &b);
                CHECK(ok && b.addr == a && b.size == sizes[si] && b.stack == stacks[ki],
                      "addr %#lx size %#zx stack %#x -> found %d addr %#lx size %#zx stack %#x",
                      (unsigned long)a, sizes[si], stacks[ki], ok, (unsigned long)b.addr, b.size, b.stack);
                CHECK(lt_table_remove(a, &b) && b.size == sizes[si] && b.stack == stacks[ki], "remove");
            }
        }
    }
    CHECK_EQ_U64(lt_table_count(), base);
}

static void test_untrackable(void)
{
    size_t base = lt_table_count();
    struct lt_heap_usage u0, u1;
    lt_table_usage(&u0);
    static const uintptr_t bad[] = { 0, 1, 4, AREA(3) + 1, AREA(3) + 4, AREA(3) + 7,
                                     UINT64_C(1) << 48, UINT64_C(0xffff800000000000), UINTPTR_MAX - 7 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!lt_table_insert(bad[i], 10, 1), "insert of untrackable %#lx succeeded", (unsigned long)bad[i]);
        CHECK(!lt_table_lookup(bad[i], NULL), "untrackable %#lx is found", (unsigned long)bad[i]);
        CHECK(!lt_table_remove(bad[i], NULL), "untrackable %#lx is removed", (unsigned long)bad[i]);
    }
    /* A misaligned address must not alias the aligned one next to it. */
    CHECK(lt_table_insert(AREA(3), 5, 5), "insert aligned");
    CHECK(!lt_table_lookup(AREA(3) + 4, NULL), "AREA+4 found as AREA");
    CHECK(!lt_table_remove(AREA(3) + 1, NULL), "AREA+1 removed AREA");
    CHECK(lt_table_lookup(AREA(3), NULL), "aligned lost");
    CHECK(lt_table_remove(AREA(3), NULL), "cleanup");
    /* 2^48 + a must not alias a. */
    CHECK(lt_table_insert(AREA(3) + 64, 5, 5), "insert");
    CHECK(!lt_table_lookup((UINT64_C(1) << 48) + AREA(3) + 64, NULL), "address above 2^48 aliases");
    CHECK(lt_table_remove(AREA(3) + 64, NULL), "cleanup");
    lt_table_usage(&u1);
    CHECK_EQ_U64(u1.frees - u0.frees, 2);   /* the failed removals counted no free */
    CHECK_EQ_U64(lt_table_count(), base);
}

static void test_reinsert_replaces(void)
{
    size_t base = lt_table_count();
    uintptr_t a = AREA(4) + 0x40;
    struct lt_block b;
    CHECK(lt_table_insert(a, 10, 1), "insert");
    CHECK(lt_table_insert(a, 20, 2), "re-insert");
    CHECK_EQ_U64(lt_table_count(), base + 1);
    CHECK(lt_table_lookup(a, &b) && b.size == 20 && b.stack == 2, "re-insert did not replace: %zu %u", b.size, b.stack);
    CHECK(lt_table_remove(a, NULL), "remove");
    CHECK(!lt_table_lookup(a, NULL), "a second copy remains after re-insert + remove");
    CHECK_EQ_U64(lt_table_count(), base);
}

static void test_random_half_removed(void)
{
    enum { N = 100000 };
    size_t base = lt_table_count();
    uintptr_t *v = random_addrs(N, AREA(5), 12345);
    for (size_t i = 0; i < N; i++)
        CHECK(lt_table_insert(v[i], size_of(v[i]), stack_of(v[i])), "insert %zu", i);
    CHECK_EQ_U64(lt_table_count(), base + N);
    /* Remove a random half (v is shuffled: the odd positions). */
    size_t bad = 0;
    for (size_t i = 1; i < N; i += 2) {
        struct lt_block b;
        if (!lt_table_remove(v[i], &b) || b.addr != v[i] || b.size != size_of(v[i]) || b.stack != stack_of(v[i]))
            bad++;
    }
    CHECK(bad == 0, "%zu removals failed or decoded wrong", bad);
    CHECK_EQ_U64(lt_table_count(), base + N / 2);
    size_t lost = 0, ghosts = 0, wrong = 0;
    for (size_t i = 0; i < N; i++) {
        struct lt_block b;
        bool found = lt_table_lookup(v[i], &b);
        if (i % 2 == 0 && !found)
            lost++;
        else if (i % 2 == 1 && found)
            ghosts++;
        else if (found && (b.size != size_of(v[i]) || b.stack != stack_of(v[i])))
            wrong++;
    }
    CHECK(lost == 0, "%zu remaining keys no longer found after backward-shift deletes", lost);
    CHECK(ghosts == 0, "%zu removed keys still found", ghosts);
    CHECK(wrong == 0, "%zu entries decoded wrong", wrong);
    for (size_t i = 0; i < N; i += 2)
        lt_table_remove(v[i], NULL);
    CHECK_EQ_U64(lt_table_count(), base);
    free(v);
}

/* Random insert/remove/re-insert against a model; dense addresses (one
 * 16-byte step apart) so probe runs cluster and wrap. */
static void test_churn_model(void)
{
    enum { POOL = 4096, OPS = 300000 };
    size_t base = lt_table_count();
    static bool live[POOL];
    static size_t sz[POOL];
    memset(live, 0, sizeof live);
    uint64_t rng = 777;
    size_t nlive = 0, mismatches = 0;
    for (int op = 0; op < OPS; op++) {
        uint64_t r = unit_rand(&rng);
        size_t i = (size_t)(r % POOL);
        uintptr_t a = AREA(6) + i * 16;
        struct lt_block b;
        switch ((r >> 20) % 3) {
        case 0:
            lt_table_insert(a, (size_t)(r >> 32), (uint32_t)i);
            if (!live[i])
                nlive++;
            live[i] = true;
            sz[i] = (size_t)(r >> 32);
            break;
        case 1:
            if (lt_table_remove(a, &b) != live[i] || (live[i] && (b.size != sz[i] || b.stack != i)))
                mismatches++;
            if (live[i])
                nlive--;
            live[i] = false;
            break;
        default:
            if (lt_table_lookup(a, &b) != live[i] || (live[i] && (b.size != sz[i] || b.stack != i)))
                mismatches++;
        }
    }
    CHECK(mismatches == 0, "%zu operations disagreed with the model", mismatches);
    CHECK_EQ_U64(lt_table_count(), base + nlive);
    for (size_t i = 0; i < POOL; i++) {
        bool found = lt_table_lookup(AREA(6) + i * 16, NULL);
        CHECK(found == live[i], "final state of %zu: %d vs model %d", i, found, live[i]);
        if (found)
            lt_table_remove(AREA(6) + i * 16, NULL);
    }
    CHECK_EQ_U64(lt_table_count(), base);
}

static void test_usage_and_restore(void)
{
    size_t base = lt_table_count();
    struct lt_heap_usage u0, u;
    lt_table_usage(&u0);
    uintptr_t a = AREA(7), b = AREA(7) + 0x100, c = AREA(7) + 0x200;
    lt_table_insert(a, 100, 1);
    lt_table_insert(b, UINT64_C(5000000000), 2);
    lt_table_insert(c, 0, 3);
    lt_table_usage(&u);
    CHECK_EQ_U64(u.allocs - u0.allocs, 3);
    CHECK_EQ_U64(u.frees - u0.frees, 0);
    CHECK_EQ_U64(u.bytes_allocated - u0.bytes_allocated, UINT64_C(5000000100));
    struct lt_block out;
    CHECK(lt_table_remove(b, &out), "remove b");
    CHECK(!lt_table_remove(AREA(7) + 0x300, NULL), "remove unknown");
    lt_table_usage(&u);
    CHECK_EQ_U64(u.frees - u0.frees, 1);   /* unknown address: no free counted */
    /* A failed realloc puts the block back and undoes the free. */
    lt_table_restore(out.addr, out.size, out.stack, false);
    lt_table_usage(&u);
    CHECK_EQ_U64(u.frees - u0.frees, 0);
    CHECK_EQ_U64(u.allocs - u0.allocs, 3);
    CHECK_EQ_U64(u.bytes_allocated - u0.bytes_allocated, UINT64_C(5000000100));
    CHECK(lt_table_lookup(b, &out) && out.size == UINT64_C(5000000000) && out.stack == 2, "restored block");
    CHECK_EQ_U64(lt_table_count(), base + 3);
    lt_table_remove(a, NULL);
    lt_table_remove(b, NULL);
    lt_table_remove(c, NULL);
    lt_table_usage(&u);
    CHECK_EQ_U64(u.allocs - u0.allocs, 3);
    CHECK_EQ_U64(u.frees - u0.frees, 3);
    CHECK_EQ_U64(lt_table_count(), base);
}

static void test_snapshot(void)
{
    enum { N = 20000 };
    size_t base = lt_table_count();
    CHECK(base == 0, "test expects an empty table, has %zu", base);
    size_t n = 99, bytes = 0;
    struct lt_block *v = lt_table_snapshot(&n, &bytes, false);
    CHECK(v && n == 0, "empty snapshot: %zu blocks", n);
    if (v)
        lt_arena_free(v, bytes);

    uintptr_t *a = random_addrs(N, AREA(8), 4242);
    /* Spread over the whole 48-bit range too: each radix digit matters. */
    for (size_t i = 0; i < N; i += 7)
        a[i] = (a[i] ^ ((uintptr_t)(i * 2654435761u) << 28)) & ((UINT64_C(1) << 48) - 8);
    qsort(a, N, sizeof *a, cmp_uptr);
    size_t m = 0;
    for (size_t i = 0; i < N; i++)
        if (a[i] && (m == 0 || a[i] != a[m - 1]))
            a[m++] = a[i];
    for (size_t i = m; i-- > 0;)          /* insert in reverse address order */
        lt_table_insert(a[i], size_of(a[i]) | (size_t)(i & 3) << 33, stack_of(a[i]));
    v = lt_table_snapshot(&n, &bytes, false);
    CHECK(v != NULL, "snapshot");
    CHECK_EQ_U64(n, m);
    CHECK(bytes >= n * sizeof *v, "bytes %zu < %zu blocks", bytes, n);
    if (v) {
        size_t unsorted = 0, wrong = 0;
        for (size_t i = 0; i < n && i < m; i++) {
            if (i && v[i - 1].addr >= v[i].addr)
                unsorted++;
            size_t want = size_of(a[i]) | (size_t)(i & 3) << 33;
            if (v[i].addr != a[i] || v[i].size != want || v[i].stack != stack_of(a[i]))
                wrong++;
        }
        CHECK(unsorted == 0, "%zu snapshot entries out of address order", unsorted);
        CHECK(wrong == 0, "%zu snapshot entries differ from what was inserted", wrong);
        CHECK(lt_arena_contains((uintptr_t)v), "snapshot not in arena memory");
        lt_arena_free(v, bytes);
    }
    for (size_t i = 0; i < m; i++)
        lt_table_remove(a[i], NULL);
    CHECK_EQ_U64(lt_table_count(), 0);
    free(a);
}

/* A snapshot taken by a thread that already holds a stripe lock (exit from
 * a signal handler that interrupted a table operation) must not deadlock:
 * simulated with lt_tls.locked > 0 and no contention it is complete, and
 * leaves the thread's lock count and every stripe as they were. */
static void test_nested_snapshot(void)
{
    alarm(10);
    size_t base = lt_table_count();
    CHECK(base == 0, "expects an empty table");
    for (size_t i = 0; i < 1000; i++)
        lt_table_insert(AREA(9) + i * 64, i, (uint32_t)i);
    lt_tls.locked = 1;
    size_t n = 0, bytes = 0;
    struct lt_block *v = lt_table_snapshot(&n, &bytes, false);
    CHECK(lt_tls.locked == 1, "lt_tls.locked %d after a nested snapshot, expected 1", lt_tls.locked);
    lt_tls.locked = 0;
    CHECK(v && n == 1000, "nested snapshot: %zu blocks", n);
    size_t wrong = 0;
    for (size_t i = 0; v && i < n; i++)
        wrong += v[i].addr != AREA(9) + i * 64 || v[i].size != i || v[i].stack != i;
    CHECK(wrong == 0, "%zu wrong entries in a nested snapshot", wrong);
    if (v)
        lt_arena_free(v, bytes);
    /* Every stripe was released: a normal snapshot and updates still work. */
    v = lt_table_snapshot(&n, &bytes, false);
    CHECK(v && n == 1000, "snapshot after a nested one: %zu", n);
    if (v)
        lt_arena_free(v, bytes);
    for (size_t i = 0; i < 1000; i++)
        CHECK(lt_table_remove(AREA(9) + i * 64, NULL), "remove %zu", i);
    CHECK_EQ_U64(lt_table_count(), 0);
    alarm(0);
}

/* ---- concurrency ------------------------------------------------------------ */

#define NWRITERS 4
#define WOPS 150000
#define WPOOL 2048

static volatile int writers_done;
static int writer_bad[NWRITERS];
static int snapshots_taken;       /* writers keep going until 50 snapshots overlapped them */

static uintptr_t waddr(int t, size_t i) { return AREA(16 + t) + i * 32; }

static void *writer(void *arg)
{
    int t = (int)(intptr_t)arg;
    static __thread bool live[WPOOL];
    uint64_t rng = 99 + (uint64_t)t;
    int bad = 0;
    for (int op = 0; op < WOPS || (__atomic_load_n(&snapshots_taken, __ATOMIC_RELAXED) < 50 &&
                                   op < 40 * WOPS); op++) {
        uint64_t r = unit_rand(&rng);
        size_t i = (size_t)(r % WPOOL);
        uintptr_t a = waddr(t, i);
        struct lt_block b;
        if (live[i]) {
            if (!lt_table_remove(a, &b) || b.size != size_of(a) || b.stack != stack_of(a))
                bad++;
            live[i] = false;
        } else {
            if (!lt_table_insert(a, size_of(a), stack_of(a)))
                bad++;
            live[i] = true;
        }
    }
    for (size_t i = 0; i < WPOOL; i++) {
        if (lt_table_lookup(waddr(t, i), NULL) != live[i])
            bad++;
        if (live[i])
            lt_table_remove(waddr(t, i), NULL);
    }
    writer_bad[t] = bad;
    return NULL;
}

struct snap_result { int snapshots, unsorted, foreign, wrong, too_many; };

static void *snapshotter(void *arg)
{
    struct snap_result *res = arg;
    while (!__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE)) {
        size_t n = 0, bytes = 0;
        struct lt_block *v = lt_table_snapshot(&n, &bytes, false);
        if (!v)
            continue;
        res->snapshots++;
        __atomic_fetch_add(&snapshots_taken, 1, __ATOMIC_RELAXED);
        if (n > (size_t)NWRITERS * WPOOL)
            res->too_many++;
        for (size_t i = 0; i < n; i++) {
            if (i && v[i - 1].addr >= v[i].addr)
                res->unsorted++;
            uintptr_t a = v[i].addr;
            int t = (int)(a >> 40) - 16;
            if (t < 0 || t >= NWRITERS || (a & 31) || ((a - AREA(16 + t)) / 32) >= WPOOL)
                res->foreign++;
            else if (v[i].size != size_of(a) || v[i].stack != stack_of(a))
                res->wrong++;
        }
        lt_arena_free(v, bytes);
    }
    return NULL;
}

static void test_threads(void)
{
    size_t base = lt_table_count();
    struct lt_heap_usage before, after;
    lt_table_usage(&before);
    pthread_t w[NWRITERS], s;
    struct snap_result res = { 0 };
    writers_done = 0;
    pthread_create(&s, NULL, snapshotter, &res);
    for (int t = 0; t < NWRITERS; t++)
        pthread_create(&w[t], NULL, writer, (void *)(intptr_t)t);
    for (int t = 0; t < NWRITERS; t++)
        pthread_join(w[t], NULL);
    __atomic_store_n(&writers_done, 1, __ATOMIC_RELEASE);
    pthread_join(s, NULL);
    for (int t = 0; t < NWRITERS; t++)
        CHECK(writer_bad[t] == 0, "writer %d: %d operations went wrong", t, writer_bad[t]);
    CHECK(res.snapshots > 0, "no snapshot taken");
    CHECK(res.unsorted == 0 && res.foreign == 0 && res.wrong == 0 && res.too_many == 0,
          "%d snapshots: %d unsorted, %d foreign, %d wrong entries, %d too large", res.snapshots,
          res.unsorted, res.foreign, res.wrong, res.too_many);
    CHECK_EQ_U64(lt_table_count(), base);
    lt_table_usage(&after);
    CHECK_EQ_U64(after.allocs - before.allocs, after.frees - before.frees);
    printf("  (%d concurrent snapshots)\n", res.snapshots);
}

/* The memory figure: bytes of table storage per live block at 1M blocks. */
static void test_memory_per_block(void)
{
    enum { N = 1000000 };
    size_t base = lt_table_count();
    uintptr_t *v = random_addrs(N, AREA(30), 31337);
    size_t storage0 = lt_table_storage_bytes();
    for (size_t i = 0; i < N; i++)
        lt_table_insert(v[i], 32, 1);
    size_t count = lt_table_count() - base;
    size_t storage = lt_table_storage_bytes();
    CHECK_EQ_U64(count, N);
    double per = (double)storage / (double)lt_table_count();
    printf("  table memory at %zu live blocks: %zu bytes = %.1f bytes per live block "
           "(storage before: %zu)\n", lt_table_count(), storage, per, storage0);
    /* table.c: 16-byte entries, load between 3/8 and 3/4 -> 21..43 bytes. */
    CHECK(per >= 16.0 && per <= 43.0, "%.1f bytes per block outside 16..43", per);
    /* Storage is really used: every slot array is counted in the arena. */
    CHECK(lt_arena_committed() >= storage, "arena committed %zu < table storage %zu",
          lt_arena_committed(), storage);
    for (size_t i = 0; i < N; i++)
        lt_table_remove(v[i], NULL);
    CHECK_EQ_U64(lt_table_count(), base);
    free(v);
}

int main(void)
{
    lt_table_init();
    RUN(test_memory_per_block);   /* first: the figure should not include other tests' growth */
    RUN(test_round_trip);
    RUN(test_extreme_values);
    RUN(test_untrackable);
    RUN(test_reinsert_replaces);
    RUN(test_random_half_removed);
    RUN(test_churn_model);
    RUN(test_usage_and_restore);
    RUN(test_snapshot);
    RUN(test_nested_snapshot);
    RUN(test_threads);
    return UNIT_DONE();
}
