/* mainstack.c — see mainstack.h. glibc's rule (nptl/pthread_getattr_np.c):
 * the top is __libc_stack_end rounded up to the next page; the size is
 * RLIMIT_STACK less what lies between the top and the end of the mapping
 * that holds it, and never reaches below the end of the mapping before. */
#include "mainstack.h"
#include "maps.h"
#include <sys/resource.h>
#include <unistd.h>

extern void *__libc_stack_end;      /* ld.so: the stack pointer at process start */

/* __libc_stack_end rounded up to the next page. */
static uintptr_t stack_top(void)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    return ((uintptr_t)__libc_stack_end & -page) + page;
}

void lt_mainstack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    *lo = *hi = 0;
    struct lt_maps m;
    if (lt_maps_read(&m) != 0)
        return;
    uintptr_t end = (uintptr_t)__libc_stack_end;
    uintptr_t top = stack_top();
    for (int i = 0; i < m.n; i++) {
        if (end < m.v[i].lo || end >= m.v[i].hi)
            continue;
        uintptr_t last_to = i > 0 ? m.v[i - 1].hi : 0;
        struct rlimit rl;
        uintptr_t size = top - last_to;
        if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            rl.rlim_cur > m.v[i].hi - top) {
            uintptr_t want = rl.rlim_cur - (m.v[i].hi - top);
            if (want < size)
                size = want;
        }
        *hi = top;
        *lo = top - size;
        break;
    }
    lt_maps_free(&m);
}

void lt_mainstack_bounds_loose(uintptr_t *lo, uintptr_t *hi)
{
    uintptr_t top = stack_top();
    struct rlimit rl;
    *hi = top;
    *lo = getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < top
              ? top - rl.rlim_cur : 0;
}
