/* unwmask.c — sigprocmask as libunwind calls it inside the tool's walks
 * (see unwmask.h): a call from libunwind's code while this thread is in a
 * walk of the tool's wants every signal blocked. The first blocks them all
 * (unless the walk did at its start), the others change nothing (the old
 * mask libunwind saves comes back to this function and is ignored
 * likewise); the walk's end restores the thread's mask. Any other call is
 * passed on. */

#include "unwmask.h"
#include "interpose.h"
#include "objects.h"
#include <libunwind.h>
#include <signal.h>
#include <string.h>

static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);
/* libunwind's code: the executable segments of the object that holds
 * unw_backtrace (objects.h: no symbol search, unlike dladdr). */
static uintptr_t unw_lo, unw_hi;
static int unw_known;

void lt_unwmask_init(void)
{
    struct lt_object o;
    if (lt_object_at((uintptr_t)unw_backtrace, &o))
        lt_object_span(&o, PF_X, &unw_lo, &unw_hi);
    __atomic_store_n(&unw_known, 1, __ATOMIC_RELEASE);
    /* Now, not at the program's first call: a dlsym on its thread would
     * reset its dlerror state (descriptors.c). */
    (void)LT_NEXT(real_sigprocmask, "sigprocmask");
}

bool lt_from_libunwind(const void *ra)
{
    if (LT_UNLIKELY(!__atomic_load_n(&unw_known, __ATOMIC_ACQUIRE)))
        lt_unwmask_init();
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
    return LT_NEXT(real_sigprocmask, "sigprocmask")(how, set, old);
}
