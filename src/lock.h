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

static inline bool lt_trylock(lt_lock_t *l)
{
    int c = 0;
    return __atomic_compare_exchange_n(&l->v, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void lt_unlock(lt_lock_t *l)
{
    if (__atomic_fetch_sub(&l->v, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
        lt_futex_wake(&l->v, 1);
    }
}

static inline void lt_lock_reset(lt_lock_t *l) { l->v = 0; }
#endif
