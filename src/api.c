/* api.c — what a running program may ask of the tool (include/leaktrace.h),
 * and LeakSanitizer's entry points, so code annotated for LSan works
 * unchanged (compiler-rt's include/sanitizer/lsan_interface.h). */
#include "lt.h"
#include "interpose.h"
#include "lifecycle.h"
#include "options.h"
#include "roots.h"
#include "table.h"
#include "callctx.h"
#include "lsan.h"
#include "../include/leaktrace.h"
#include <sys/syscall.h>
#include <unistd.h>

/* The checks the program asks for run on the tool's stack (lifecycle.c);
 * the entry stubs (callctx.h) record the caller's stack pointer and
 * callee-saved registers, so that neither the tool's frames nor the dead
 * part of the caller's stack, nor its dead scratch registers, are roots. */
static uint64_t check_for_caller(uintptr_t sp, const uintptr_t *saved)
{
    struct lt_exit_ctx ctx = { .valid = true, .sp = sp, .tid = (pid_t)syscall(SYS_gettid) };
    lt_callctx_regs(saved, ctx.regs);
    return lt_check_from(false, &ctx);
}

LT_HIDDEN __attribute__((used)) unsigned long lt_api_check(long unused, uintptr_t sp, const uintptr_t *saved)
{
    (void)unused;
    if (lt_state != LT_STATE_TRACKING || !lt_lsan_checks_wanted())
        return 0;
    return (unsigned long)check_for_caller(sp, saved);
}

LT_EXPORT int leaktrace_ignore(const void *p)
{
    if (!p || lt_state != LT_STATE_TRACKING)
        return -1;
    lt_tls.busy++;
    bool known = lt_table_set_ignored_containing((uintptr_t)p);
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
 * will not run." (lsan_interface.h) Tracking and the recoverable check go
 * on (LSan's DoLeakCheck only sets its already_done flag). */
LT_HIDDEN __attribute__((used)) void lt_api_do_leak_check(long unused, uintptr_t sp, const uintptr_t *saved)
{
    (void)unused;
    if (lt_state != LT_STATE_TRACKING || !lt_lsan_take_final() || !lt_lsan_checks_wanted())
        return;
    uint64_t errors = check_for_caller(sp, saved);
    if (errors && lt_opt.error_exitcode)
        lt_real._exit(lt_opt.error_exitcode);
}

/* "Returns 1 if leaks were found, 0 otherwise"; the process goes on. */
LT_HIDDEN __attribute__((used)) int lt_api_recoverable_check(long unused, uintptr_t sp, const uintptr_t *saved)
{
    return lt_api_check(unused, sp, saved) ? 1 : 0;
}

#ifdef LT_CALLCTX_HAVE_STUBS
LT_CALLCTX_ENTRY(leaktrace_check, lt_api_check);
LT_CALLCTX_ENTRY(__lsan_do_leak_check, lt_api_do_leak_check);
LT_CALLCTX_ENTRY(__lsan_do_recoverable_leak_check, lt_api_recoverable_check);
#else
LT_EXPORT unsigned long leaktrace_check(void) { return lt_api_check(0, (uintptr_t)__builtin_dwarf_cfa(), NULL); }
LT_EXPORT void __lsan_do_leak_check(void) { lt_api_do_leak_check(0, (uintptr_t)__builtin_dwarf_cfa(), NULL); }
LT_EXPORT int __lsan_do_recoverable_leak_check(void)
{
    return lt_api_recoverable_check(0, (uintptr_t)__builtin_dwarf_cfa(), NULL);
}
#endif

LT_EXPORT void __lsan_ignore_object(const void *p) { leaktrace_ignore(p); }
LT_EXPORT void __lsan_register_root_region(const void *p, size_t size) { leaktrace_register_root(p, size); }
LT_EXPORT void __lsan_unregister_root_region(const void *p, size_t size) { leaktrace_unregister_root(p, size); }
LT_EXPORT void __lsan_disable(void) { leaktrace_disable(); }
LT_EXPORT void __lsan_enable(void) { leaktrace_enable(); }
