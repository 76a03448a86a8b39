/* toolstack.h — a stack of the tool's own for the heavy work (the check).
 *
 * Promises: `lt_toolstack_call` runs a function on one tool-owned stack
 * (reserved at start-up, with a guard page, never a root), so a check never
 * needs more of the program's stack than a few hundred bytes (a thread
 * stack of PTHREAD_STACK_MIN, a coroutine, a sigaltstack), and none of the
 * tool's frames lands on a stack the scan reads. Calls are serialised (one
 * stack); a call made while already on it runs directly. Where the stack
 * could not be had, the function runs on the current stack. */
#ifndef LT_TOOLSTACK_H
#define LT_TOOLSTACK_H
#include "lt.h"

/* Reserves the stack (constructor; idempotent). */
void lt_toolstack_init(void) LT_HIDDEN;

/* Runs fn(arg) on the tool stack and returns its result. */
void *lt_toolstack_call(void *(*fn)(void *), void *arg) LT_HIDDEN;

/* The stack's address range [lo, hi) (guard page included), or 0, 0. */
void lt_toolstack_range(uintptr_t *lo, uintptr_t *hi) LT_HIDDEN;

/* The program's stack pointer at the moment the calling thread switched to
 * the tool stack (valid only on the tool stack), or 0. */
uintptr_t lt_toolstack_caller_sp(void) LT_HIDDEN;

/* The top of a second, small (128 KiB) tool stack for one helper task
 * sharing the address space (the ptrace stopper), or 0. Same range, same
 * exclusion from the roots; its user serialises itself. */
uintptr_t lt_toolstack_aux_top(void) LT_HIDDEN;

/* Whether the calling code runs on the (main) tool stack. */
bool lt_toolstack_on(void) LT_HIDDEN;

/* fork: the child has one thread, which may be the one holding it. */
void lt_toolstack_reset_child(void) LT_HIDDEN;
#endif
