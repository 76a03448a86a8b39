/* leaktrace.h — what a program may ask of libleaktrace while it runs.
 *
 * Link nothing: these functions exist when the program runs under the tool
 * (LD_PRELOAD=libleaktrace.so or the `leaktrace` command). To call them only
 * when present, declare them weak:
 *
 *     #include <leaktrace.h>
 *     #pragma weak leaktrace_check
 *     ...
 *     if (leaktrace_check) leaktrace_check();
 *
 * From Go: `// #cgo LDFLAGS: -Wl,--unresolved-symbols=ignore-all` is not
 * needed if the call goes through a small C helper that tests the weak
 * symbol as above.
 *
 * LeakSanitizer's interface (<sanitizer/lsan_interface.h>) is provided too:
 * __lsan_do_leak_check, __lsan_do_recoverable_leak_check,
 * __lsan_ignore_object, __lsan_register_root_region,
 * __lsan_unregister_root_region, __lsan_disable, __lsan_enable — code
 * annotated for LSan works unchanged. */
#ifndef LEAKTRACE_H
#define LEAKTRACE_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Runs a full leak check now and writes its report (where the final report
 * goes; with --log-file, a later report replaces an earlier one of the same
 * process). The program then goes on, still tracked. Returns the number of
 * leak errors (records of the kinds in --errors-for-leak-kinds, not
 * suppressed). */
unsigned long leaktrace_check(void);

/* The block starting at p is not a leak, and what it points to is reached
 * through it (LSan's __lsan_ignore_object). 0, or -1 if p is not the start
 * of a live block. */
int leaktrace_ignore(const void *p);

/* [p, p+len) holds pointers the program still uses (e.g. a custom heap
 * inside a malloc'd block): scanned as a root at every check. 0, or -1.
 * Unregister with the same arguments before the memory goes away. */
int leaktrace_register_root(const void *p, size_t len);
int leaktrace_unregister_root(const void *p, size_t len);

/* Blocks allocated by this thread between disable and enable are ignored
 * (as by leaktrace_ignore). Calls nest. */
void leaktrace_disable(void);
void leaktrace_enable(void);

#ifdef __cplusplus
}
#endif
#endif
