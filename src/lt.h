/* lt.h — what every module of libleaktrace shares.
 *
 * Promises: one prefix (lt_) for internal symbols; the per-thread state that
 * makes the tool re-entrancy safe; the four leak kinds in Valgrind memcheck's
 * order (mc_include.h "Reachedness": Reachable < Possible < IndirectLeak <
 * Unreached), which is also the order loss records are sorted in. */
#ifndef LT_LT_H
#define LT_LT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define LT_HIDDEN  __attribute__((visibility("hidden")))
#define LT_EXPORT  __attribute__((visibility("default")))
#define LT_NOINLINE __attribute__((noinline))
#define LT_LIKELY(x)   __builtin_expect(!!(x), 1)
#define LT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Leak kinds, numbered as Valgrind's Reachedness so sorting matches. */
enum lt_kind {
    LT_REACHABLE = 0,
    LT_POSSIBLE = 1,
    LT_INDIRECT = 2,
    LT_DEFINITE = 3,
    LT_NKINDS = 4
};
#define LT_KIND_BIT(k) (1u << (k))
#define LT_KINDS_ALL 0xfu

/* Valgrind's interior-pointer heuristics (mc_leakcheck.c LeakCheckHeuristic). */
enum lt_heuristic {
    LT_HEUR_NONE = 0,
    LT_HEUR_STDSTRING = 1,
    LT_HEUR_LENGTH64 = 2,
    LT_HEUR_NEWARRAY = 3,
    LT_HEUR_MULTIPLEINHERITANCE = 4,
    LT_NHEURISTICS = 5
};
#define LT_HEUR_BIT(h) (1u << (h))
#define LT_HEUR_ALL (LT_HEUR_BIT(1) | LT_HEUR_BIT(2) | LT_HEUR_BIT(3) | LT_HEUR_BIT(4))

/* Per-thread state. initial-exec TLS: no __tls_get_addr, no allocation. */
struct lt_thread_rec;
struct lt_tls {
    int busy;                      /* >0: inside the tool; allocations are not tracked in full */
    int in_wrapper;                /* of those levels, how many are allocation wrappers */
    int locked;                    /* >0: holding a table stripe lock */
    int resolving;                 /* resolving the real allocator: serve from the bootstrap pool */
    int nopark;                    /* >0: inside libc code that holds libc locks (pthread_create) */
    int disabled;                  /* >0: leaktrace_disable() / __lsan_disable(): new blocks are ignored */
    bool tool_thread;              /* a thread of the tool's own (the reporter): never tracked */
    uintptr_t stack_lo, stack_hi;  /* this thread's stack, for --unwind=fp; 0 if unknown */
    int park_pending;              /* a stop-the-world request arrived while busy or nopark */
    int ndeferred;                 /* frees deferred while `locked` (signal handler nesting) */
    void *deferred[32];
    int nlater;                    /* blocks a nested call made while `locked`, to record later */
    struct { void *p; size_t size; uintptr_t fn, ra; } later[16];
    struct lt_thread_rec *thread;  /* this thread's registry record, if registered */
    void *depot_cache;             /* per-thread cache in front of the stack depot */
    int pending_signal;            /* an asynchronous fatal signal that came while busy: handled on leaving */
    int pending_code;              /* its si_code */
    int pending_report;            /* a --report-signal request that came while busy */
    int private_ns;                /* >0: running libdw (dwlib.h): ld.so's allocations are the tool's */
    int unw_walk;                  /* inside a libunwind walk of the tool's (unwmask.h) */
    int unw_masked;                /* ... and libunwind asked for signals to be blocked */
    uint64_t unw_saved_mask;       /* the mask to restore at the walk's end */
};
extern __thread struct lt_tls lt_tls __attribute__((tls_model("initial-exec"))) LT_HIDDEN;

/* Global lifecycle state. */
enum lt_state {
    LT_STATE_OFF = 0,      /* not initialised yet: pass through */
    LT_STATE_TRACKING = 1, /* normal operation */
    LT_STATE_DONE = 2      /* the final report is written: pass through, touch nothing */
};
extern volatile int lt_state LT_HIDDEN;

/* The private duplicate of stderr taken at start-up (programs close fd 2). */
extern int lt_err_fd LT_HIDDEN;

/* Writes a one-line diagnostic "leaktrace: ...\n" to lt_err_fd. */
void lt_warn(const char *fmt, ...) LT_HIDDEN __attribute__((format(printf, 1, 2)));

/* The next definition of `name` after this library (RTLD_NEXT), looked up
 * once into *slot; LT_NEXT(fp, "name") gives it with fp's type. */
void *lt_next_symbol(void **slot, const char *name) LT_HIDDEN;
#define LT_NEXT(fp, name) ((__typeof__(fp))lt_next_symbol((void **)&(fp), name))

/* Copies n bytes from src, which may be unmapped: false instead of a fault. */
bool lt_safe_read(void *dst, uintptr_t src, size_t n) LT_HIDDEN;

/* glibc 2.32 (<sys/single_threaded.h>): true while the process has never
 * created a thread; glibc's own code skips its locking on it. */
extern char __libc_single_threaded;

struct sigaction;
/* libc's sigaction, bypassing the interposed one (signals.c). */
int lt_sigaction_real(int sig, const struct sigaction *act, struct sigaction *old) LT_HIDDEN;
#endif
