/* vgoptions.h — Valgrind options leaktrace accepts and ignores.
 *
 * Promises: every option of Valgrind 3.19's core and memcheck that has no
 * meaning for a preloaded leak checker (`valgrind --help` and
 * `valgrind --help-debug`) is recognised, so a Valgrind command line runs
 * unchanged; the caller notes it unless -q is given. */
#ifndef LT_VGOPTIONS_H
#define LT_VGOPTIONS_H
#include <stdbool.h>
#include <stddef.h>

/* Whether `name` (without dashes, without "=value"; `dashes` of them, and
 * `has_value` if "=value" followed) is such an option. Long names are
 * matched whatever the dashes (LEAKTRACE_OPTIONS words may omit them). */
bool lt_vgoption_ignored(const char *name, size_t n, int dashes, bool has_value);
#endif
