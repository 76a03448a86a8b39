/* api.c — what a running program may ask of the tool (include/leaktrace.h),
 * and LeakSanitizer's entry points, so code annotated for LSan works
 * unchanged (compiler-rt's include/sanitizer/lsan_interface.h). */
#include "lt.h"
#include "interpose.h"
#include "lifecycle.h"
#include "options.h"
#include "roots.h"
#include "table.h"
#include "../include/leaktrace.h"

LT_EXPORT unsigned long leaktrace_check(void)
{
    if (lt_state != LT_STATE_TRACKING)
        return 0;
    return (unsigned long)lt_check(false);
}

LT_EXPORT int leaktrace_ignore(const void *p)
{
    if (!p || lt_state != LT_STATE_TRACKING)
        return -1;
    lt_tls.busy++;
    bool known = lt_table_set_ignored((uintptr_t)p);
    lt_tls.busy--;
    return known ? 0 : -1;
}

LT_EXPORT int leaktrace_register_root(const void *p, size_t len)
{
    lt_tls.busy++;
    int rc = lt_roots_register((uintptr_t)p, len);
    lt_tls.busy--;
    return rc;
}

LT_EXPORT int leaktrace_unregister_root(const void *p, size_t len)
{
    lt_tls.busy++;
    int rc = lt_roots_unregister((uintptr_t)p, len);
    lt_tls.busy--;
    return rc;
}

LT_EXPORT void leaktrace_disable(void) { lt_tls.disabled++; }

LT_EXPORT void leaktrace_enable(void)
{
    if (lt_tls.disabled > 0)
        lt_tls.disabled--;
}

/* ---- LeakSanitizer's interface ------------------------------------------- */

/* "Check for leaks now. This function behaves identically to the default
 * end-of-process leak check. In particular, it will terminate the process
 * if leaks are found and the exitcode runtime flag is non-zero. Subsequent
 * calls to this function will have no effect and end-of-process leak check
 * will not run." (lsan_interface.h) */
LT_EXPORT void __lsan_do_leak_check(void)
{
    if (lt_state != LT_STATE_TRACKING)
        return;
    uint64_t errors = lt_check(false);
    __atomic_store_n(&lt_state, LT_STATE_DONE, __ATOMIC_RELEASE);
    if (errors && lt_opt.error_exitcode)
        lt_real._exit(lt_opt.error_exitcode);
}

/* "Returns 1 if leaks were found, 0 otherwise"; the process goes on. */
LT_EXPORT int __lsan_do_recoverable_leak_check(void)
{
    return leaktrace_check() ? 1 : 0;
}

LT_EXPORT void __lsan_ignore_object(const void *p) { leaktrace_ignore(p); }
LT_EXPORT void __lsan_register_root_region(const void *p, size_t size) { leaktrace_register_root(p, size); }
LT_EXPORT void __lsan_unregister_root_region(const void *p, size_t size) { leaktrace_unregister_root(p, size); }
LT_EXPORT void __lsan_disable(void) { leaktrace_disable(); }
LT_EXPORT void __lsan_enable(void) { leaktrace_enable(); }
