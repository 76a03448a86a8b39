/* threads.h — the registry of the program's threads, and stopping them.
 *
 * Promises: every thread started through pthread_create is registered with
 * its stack bounds and the stack pointer it started with; an exited thread
 * stays known as dead until its stack is reused, so its dead frames are
 * never taken for roots. At a check, every other thread of the process
 * (registered or not, from /proc/self/task) is stopped — by ptrace from a
 * helper task (ptstop.h), or by a signal where ptrace is refused — and its
 * registers and stack pointer recorded; a thread inside the tool stops only
 * when it leaves it, so it never holds a tool or allocator lock while
 * stopped. Threads that do not answer in time, or block the stop signal,
 * are scanned whole, and the world is then not `all_stopped`. Threads
 * started through pthread_create get an alternate signal stack if they
 * have none. */
#ifndef LT_THREADS_H
#define LT_THREADS_H
#include "lt.h"
#include <sys/types.h>

#define LT_NREGS 16
/* The vector registers of a stopped thread, as words: xmm0-15 (x86-64).
 * Compilers keep pointers there (a struct copied through SSE, a vectorized
 * loop over pointers); a thread stopped mid-way holds its only copy in one
 * (LLVM lsan use_registers_extra). All are caller-saved (SysV ABI §3.2.1),
 * so the thread that called exit holds none worth reading. */
#define LT_NVREGS 32

enum lt_thread_state { LT_THREAD_LIVE = 1, LT_THREAD_DEAD = 2 };

struct lt_thread_rec {
    struct lt_thread_rec *next;
    int state;                 /* enum lt_thread_state */
    pid_t tid;
    uintptr_t pthread_self;    /* the thread descriptor (glibc: struct pthread *) */
    uintptr_t stack_lo, stack_hi;
    uintptr_t entry_sp;        /* stack pointer when the start routine was entered */
    void *altstack;            /* the alternate signal stack the tool gave it, or NULL */
};

/* What a check knows about one other thread of the process. */
struct lt_stopped {
    pid_t tid;
    volatile int acked;        /* 1 once its context is recorded (stopped, or blocked: see below);
                                  -1: gone; 0: not reached */
    uintptr_t sp;
    uintptr_t regs[LT_NREGS];
    uintptr_t vregs[LT_NVREGS];   /* 0 where unknown */
    struct lt_thread_rec *rec; /* registry record, if registered */
    /* ptrace stop (ptstop.c): */
    bool attached;             /* seized by the tracer */
    bool running;              /* attached but not in a ptrace stop (parking, or it did not park) */
    bool blocked;              /* left running inside a system call that a stop would make fail
                                  with EINTR (epoll_wait, sigtimedwait...): sp only, not stopped */
    int inject_sig;            /* a signal the stop intercepted: delivered again at detach */
    uintptr_t fs;              /* its thread pointer (x86-64 fs base), where its lt_tls is */
};

struct lt_world {
    struct lt_stopped *v;
    int n;
    int cap;                   /* slots in v (the tracer adds threads found late) */
    size_t bytes;
    bool all_stopped;          /* every other thread is stopped: libc's state may be touched */
    bool by_ptrace;            /* stopped by the tracer task (ptstop.c), not by signals */
};

/* General-purpose registers and stack pointer of a ucontext_t. */
void lt_context_regs(const void *ucontext, uintptr_t regs[LT_NREGS], uintptr_t *sp) LT_HIDDEN;
/* Its vector registers (LT_NVREGS words; zeros where the context has none). */
void lt_context_vregs(const void *ucontext, uintptr_t vregs[LT_NVREGS]) LT_HIDDEN;

void lt_threads_init(void) LT_HIDDEN;            /* registers the main thread */
/* pthread_create with a start routine that registers the new thread. */
int lt_threads_create(void *thread, const void *attr, void *(*start)(void *), void *arg,
                      int (*real_create)(void *, const void *, void *(*)(void *), void *)) LT_HIDDEN;

/* Calls fn(ctx, arg) for the argument of each thread created but not yet
 * started (its only copy may be in tool memory): roots. */
void lt_threads_pending_args(void (*fn)(void *ctx, uintptr_t arg), void *ctx) LT_HIDDEN;

/* Stops every other thread of the process; waits up to `timeout_ms` for
 * them. Returns 0 (the world may be partly stopped: see acked and
 * all_stopped). `final`: the threads will never run again, so even those
 * blocked in a system call a stop would make fail are stopped. */
int lt_world_stop(struct lt_world *w, int timeout_ms, bool final) LT_HIDDEN;
/* Lets stopped threads go on (for checks made while the program runs). */
void lt_world_resume(struct lt_world *w) LT_HIDDEN;
/* Leaves the stopped threads stopped for good (after the final check's
 * __libc_freeres: they must never run again); forgets w. */
void lt_world_keep(struct lt_world *w) LT_HIDDEN;
/* Lists the other tasks of process `pid` (the caller's tid excluded when
 * `self` is set); raw getdents64, no allocation. -1 if /proc cannot be read. */
int lt_threads_list(pid_t pid, pid_t self, pid_t *out, int max) LT_HIDDEN;
/* Parks the calling thread if a stop asked for it (it was inside the tool
 * when the signal came). */
void lt_threads_park_self(void) LT_HIDDEN;
/* Decrements lt_tls.busy and parks if a stop request is pending. */
void lt_threads_leave_tool(void) LT_HIDDEN;

/* Iterates over the registry (under its lock, held by the caller through
 * lt_threads_lock). */
struct lt_thread_rec *lt_threads_first(void) LT_HIDDEN;
void lt_threads_lock(void) LT_HIDDEN;
void lt_threads_unlock(void) LT_HIDDEN;
void lt_threads_reset_child(void) LT_HIDDEN;

/* sigaltstack() as the program sees it: the alternate signal stack the tool
 * gives a thread that has none (so a stack overflow is reported, as LSan's
 * use_sigaltstack does) looks like no stack at all, and one the program
 * installs replaces it. */
int lt_threads_sigaltstack(const void *ss, void *old) LT_HIDDEN;
#endif
