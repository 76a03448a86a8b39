/* quarantine.c — freed blocks kept from reuse for a while (see quarantine.h).
 *
 * A ring of (pointer, size) in tool memory, allocated on first use, behind
 * one lock; the bytes it holds never exceed the volume, and it holds at
 * most RING entries (the oldest are released first when either bound is
 * hit). Released blocks are handed to the real free outside the lock. */
#include "quarantine.h"
#include "arena.h"
#include "interpose.h"
#include "lock.h"

#define RING 65536u
#define BATCH 32

struct entry { void *p; size_t size; };

static size_t volume;
static struct entry *ring;
static size_t head, count, held;      /* oldest at head */
static lt_lock_t lock = LT_LOCK_INIT;

void lt_quarantine_init(long long v) { volume = v > 0 ? (size_t)v : 0; }

void lt_quarantine_reset_child(void) { lt_lock_reset(&lock); }

static bool mmapped_chunk(const void *p)
{
    /* glibc chunk header: the size word before the user pointer, IS_MMAPPED = 2. */
    return lt_real.glibc_malloc && (((const size_t *)p)[-1] & 2);
}

void lt_quarantine_free(void *p, size_t size)
{
    if (!volume || size > volume || mmapped_chunk(p)) {
        lt_real.free(p);
        return;
    }
    void *out[BATCH];
    int nout = 0;
    lt_lock(&lock);
    if (!ring) {
        ring = lt_arena_alloc(RING * sizeof *ring);
        if (!ring) {
            lt_unlock(&lock);
            lt_real.free(p);
            return;
        }
    }
    /* Make room: at most BATCH releases per call keeps the lock short; the
     * ring may then briefly exceed the volume by this one block. */
    while (count && (count == RING || held + size > volume) && nout < BATCH) {
        struct entry *e = &ring[head];
        out[nout++] = e->p;
        held -= e->size;
        head = (head + 1) % RING;
        count--;
    }
    if (count < RING) {
        ring[(head + count) % RING] = (struct entry){ p, size };
        count++;
        held += size;
        p = NULL;
    }
    lt_unlock(&lock);
    for (int i = 0; i < nout; i++)
        lt_real.free(out[i]);
    if (p)
        lt_real.free(p);
}
