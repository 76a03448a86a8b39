/* lsan.h — what a program written for LeakSanitizer tells the tool.
 *
 * Promises: the weak callbacks LSan documents (sanitizer/lsan_interface.h,
 * sanitizer/common_interface_defs.h) work when the program defines them,
 * exported or not:
 *  - __lsan_default_options(): LSan flags, of which detect_leaks,
 *    leak_check_at_exit, exitcode (when --error-exitcode is not given) and
 *    suppressions are honoured, others accepted and ignored;
 *  - __lsan_default_suppressions(): "leak:PATTERN" lines, loaded after
 *    the user's suppression files;
 *  - __lsan_is_turned_off(): asked at each check; nonzero means no check.
 * The first two are read once at start-up, as LSan reads them. */
#ifndef LT_LSAN_H
#define LT_LSAN_H
#include "lt.h"

/* Finds the callbacks and applies options and suppressions. */
void lt_lsan_init(void) LT_HIDDEN;

/* False when the program turned leak checking off (detect_leaks=0, or
 * __lsan_is_turned_off() returns nonzero now). */
bool lt_lsan_checks_wanted(void) LT_HIDDEN;

/* False when the program asked for no check at exit (leak_check_at_exit=0),
 * or when __lsan_do_leak_check already ran the once-only check. */
bool lt_lsan_exit_check_wanted(void) LT_HIDDEN;

/* __lsan_do_leak_check ran: the check at exit will not run. Returns
 * true the first time only. */
bool lt_lsan_take_final(void) LT_HIDDEN;
#endif
