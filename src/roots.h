/* roots.h — where the program may keep pointers: the root set of a check.
 *
 * Promises: every readable and writable mapping of the process is a root
 * (module data, thread stacks, TLS, the program's own and its runtimes'
 * anonymous mappings), except: the tool's arena and its own data; the
 * allocator's memory (glibc's brk heap, its thread-arena heaps, the chunks of
 * live blocks, which are scanned only once reached); the dead part of every
 * stack (below the stack pointer of a live thread, below the frame that
 * called exit for the exiting thread, all frames of an exited thread);
 * device mappings other than /dev/zero. Registers of stopped threads and of
 * the exiting thread are roots too. */
#ifndef LT_ROOTS_H
#define LT_ROOTS_H
#include "lt.h"
#include "maps.h"
#include "scan.h"
#include "threads.h"

/* The calling thread's context at the moment the program asked to exit. */
struct lt_exit_ctx {
    bool valid;
    pid_t tid;
    uintptr_t sp;               /* stack pointer of the frame that called exit */
    uintptr_t regs[LT_NREGS];
};

/* Feeds the root set of the process to the scan (pass 1 inputs). */
void lt_roots_scan(struct lt_scan *s, const struct lt_maps *maps,
                   const struct lt_world *world, const struct lt_exit_ctx *self) LT_HIDDEN;

/* The program is Go (cgo): a thread whose stack pointer is on a goroutine
 * stack is running Go code, and cgo calls run on the thread's own system
 * stack, so no C frame of it is live: its system stack below the thread's
 * start is dead. Without this, stale copies left there by earlier cgo calls
 * would keep lost blocks alive. */
void lt_roots_set_go(bool go) LT_HIDDEN;

/* Memory the program declares as roots (leaktrace_register_root,
 * __lsan_register_root_region): scanned even where it would be excluded
 * (e.g. inside a heap block). Returns 0, or -1 when the table is full. */
int lt_roots_register(uintptr_t lo, size_t len) LT_HIDDEN;
/* Returns 0, or -1 if that exact region was not registered. */
int lt_roots_unregister(uintptr_t lo, size_t len) LT_HIDDEN;

/* Our own writable data ranges (set once at start-up). */
void lt_roots_set_self(uintptr_t lo, uintptr_t hi) LT_HIDDEN;
#endif
