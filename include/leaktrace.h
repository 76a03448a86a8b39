/* leaktrace.h — what a program may ask of libleaktrace while it runs.
 *
 * Link nothing: these functions exist when the program runs under the tool
 * (LD_PRELOAD=libleaktrace.so or the `leaktrace` command). Declare them weak
 * to call them only when present:
 *
 *     #include <leaktrace.h>
 *     #pragma weak leaktrace_check
 *     if (leaktrace_check) leaktrace_check();
 */
#ifndef LEAKTRACE_H
#define LEAKTRACE_H
#ifdef __cplusplus
extern "C" {
#endif

/* Runs a full leak check now and writes its report (to the same place as
 * the final report); the program then goes on, still tracked. Returns the
 * number of leak errors found (records of the kinds in
 * --errors-for-leak-kinds, not suppressed). */
unsigned long leaktrace_check(void);

#ifdef __cplusplus
}
#endif
#endif
