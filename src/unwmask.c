/* unwmask.c — sigprocmask as libunwind calls it inside the tool's walks
 * (see unwmask.h): a call from libunwind's code while this thread is in a
 * walk of the tool's wants every signal blocked. The first blocks them all,
 * the others change nothing (the old mask libunwind saves comes back to
 * this function and is ignored likewise); the walk's end restores the
 * thread's mask. Any other call — the program's, a signal handler's that
 * interrupted the walk before signals were blocked — is passed on. */

#include "unwmask.h"
#include "interpose.h"
#include <dlfcn.h>
#include <link.h>
#include <libunwind.h>
#include <signal.h>
#include <string.h>

static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);

/* libunwind's code: the executable segments of the object that defines
 * unw_backtrace, found once. */
static uintptr_t unw_lo, unw_hi;

static int find_text(struct dl_phdr_info *info, size_t size, void *base)
{
    (void)size;
    if ((void *)info->dlpi_addr != base)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
            if (!unw_lo || lo < unw_lo)
                unw_lo = lo;
            if (lo + ph->p_memsz > unw_hi)
                unw_hi = lo + ph->p_memsz;
        }
    }
    return 1;
}

static bool from_libunwind(const void *ra)
{
    static int state;                 /* 0 unknown, 1 found, -1 not found */
    if (LT_UNLIKELY(state == 0)) {
        Dl_info di;
        if (dladdr((void *)unw_backtrace, &di) && di.dli_fbase)
            dl_iterate_phdr(find_text, di.dli_fbase);
        state = unw_hi ? 1 : -1;
    }
    return (uintptr_t)ra >= unw_lo && (uintptr_t)ra < unw_hi;
}

LT_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (LT_UNLIKELY(lt_tls.unw_walk) && from_libunwind(__builtin_return_address(0))) {
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
