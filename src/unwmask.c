/* unwmask.c — sigprocmask as libunwind calls it inside the tool's walks
 * (see unwmask.h): a call from libunwind's code while this thread is in a
 * walk of the tool's wants every signal blocked. The first blocks them all
 * (unless the walk did at its start), the others change nothing (the old
 * mask libunwind saves comes back to this function and is ignored
 * likewise); the walk's end restores the thread's mask. Any other call is
 * passed on. */

#include "unwmask.h"
#include "interpose.h"
#include <dlfcn.h>
#include <link.h>
#include <libunwind.h>
#include <signal.h>
#include <string.h>

static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);

/* libunwind's code: the executable segments of the object that holds
 * unw_backtrace, found once by address (no symbol search, unlike dladdr). */
static uintptr_t unw_lo, unw_hi;

static int find_text(struct dl_phdr_info *info, size_t size, void *target)
{
    (void)size;
    uintptr_t t = (uintptr_t)target, lo = UINTPTR_MAX, hi = 0;
    bool holds = false;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr, b = a + ph->p_memsz;
        holds |= t >= a && t < b;
        lo = a < lo ? a : lo;
        hi = b > hi ? b : hi;
    }
    if (!holds)
        return 0;
    unw_lo = lo;
    unw_hi = hi;
    return 1;
}

bool lt_from_libunwind(const void *ra)
{
    static int known;
    if (LT_UNLIKELY(!__atomic_load_n(&known, __ATOMIC_ACQUIRE))) {
        dl_iterate_phdr(find_text, (void *)unw_backtrace);
        __atomic_store_n(&known, 1, __ATOMIC_RELEASE);
    }
    return (uintptr_t)ra >= unw_lo && (uintptr_t)ra < unw_hi;
}

LT_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (LT_UNLIKELY(lt_tls.unw_walk) && lt_from_libunwind(__builtin_return_address(0))) {
        lt_unw_walk_mask();
        if (old)
            memset(old, 0xff, sizeof *old);
        return 0;
    }
    int (*f)(int, const sigset_t *, sigset_t *) = __atomic_load_n(&real_sigprocmask, __ATOMIC_ACQUIRE);
    if (LT_UNLIKELY(!f)) {
        lt_tls.busy++;
        f = (int (*)(int, const sigset_t *, sigset_t *))dlsym(RTLD_NEXT, "sigprocmask");
        lt_tls.busy--;
        __atomic_store_n(&real_sigprocmask, f, __ATOMIC_RELEASE);
    }
    return f(how, set, old);
}
