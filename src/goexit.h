/* goexit.h — Go programs end with a raw exit_group: route it through the
 * final check.
 *
 * Promises: in a dynamically linked Go program (cgo), runtime.exit — the
 * only way Go ends a process: return from main.main, os.Exit, a fatal panic
 * — writes the report first and then ends the process with the same
 * status. Nothing is inherited by programs it executes, no privilege is
 * needed, and Go's signal handling is not touched. */
#ifndef LT_GOEXIT_H
#define LT_GOEXIT_H
#include "lt.h"

/* Finds runtime.exit in the executable and redirects it (no-op for
 * programs that are not Go). Returns true if the program is Go and its exit
 * is now routed through the check. */
bool lt_goexit_init(void) LT_HIDDEN;
#endif
