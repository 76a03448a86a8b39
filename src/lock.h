/* lock.h — the tool's lock: a futex-based mutex that never allocates.
 *
 * Promises: uncontended lock/unlock is one atomic operation each; contended
 * waiters sleep in the kernel instead of spinning (a preempted holder on a
 * 2-CPU machine must not cost a time slice per waiter); the state is a plain
 * int, so a fork child can reset it by storing 0. (Drepper, "Futexes Are
 * Tricky", mutex #2.) */
#ifndef LT_LOCK_H
#define LT_LOCK_H
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdbool.h>

typedef struct { int v; } lt_lock_t;   /* 0 free, 1 locked, 2 locked with waiters */
#define LT_LOCK_INIT { 0 }

static inline void lt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static inline void lt_futex_wait(int *addr, int val)
{
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}
static inline void lt_futex_wake(int *addr, int n)
{
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static inline void lt_lock(lt_lock_t *l)
{
    int c = 0;
    if (__atomic_compare_exchange_n(&l->v, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    for (int spin = 0; spin < 64; spin++) {
        lt_cpu_relax();
        c = 0;
        if (__atomic_load_n(&l->v, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&l->v, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
    }
    if (c != 2)
        c = __atomic_exchange_n(&l->v, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        lt_futex_wait(&l->v, 2);
        c = __atomic_exchange_n(&l->v, 2, __ATOMIC_ACQUIRE);
    }
}

static inline void lt_unlock(lt_lock_t *l)
{
    if (__atomic_fetch_sub(&l->v, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
        lt_futex_wake(&l->v, 1);
    }
}

/* Stores only when held: after fork an untouched page stays shared with
 * the parent (a store, even of the same value, costs a copy-on-write fault). */
static inline void lt_lock_reset(lt_lock_t *l)
{
    if (l->v)
        l->v = 0;
}

/* lt_spin_t — for the live-block table's stripes, held for a few dozen
 * instructions on every malloc and free: one atomic exchange to take it and
 * a plain release store to let it go (x86 stores are releases), where the
 * futex lock needs two atomic operations. A waiter spins briefly, then
 * yields the CPU, so a holder preempted on a busy machine gets it back. */
typedef struct { int v; } lt_spin_t;
#define LT_SPIN_INIT { 0 }

static inline void lt_spin_lock(lt_spin_t *l)
{
    if (__builtin_expect(!__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE), 1))
        return;
    for (unsigned n = 0;; n++) {
        while (__atomic_load_n(&l->v, __ATOMIC_RELAXED)) {
            if (n < 100)
                lt_cpu_relax();
            else
                syscall(SYS_sched_yield);
            n++;
        }
        if (!__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
            return;
    }
}

static inline bool lt_spin_trylock(lt_spin_t *l)
{
    return !__atomic_load_n(&l->v, __ATOMIC_RELAXED) && !__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE);
}

static inline void lt_spin_unlock(lt_spin_t *l) { __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE); }
static inline void lt_spin_reset(lt_spin_t *l)
{
    if (l->v)
        l->v = 0;
}
#endif
