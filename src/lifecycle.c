/* lifecycle.c — start-up, exit paths, fork, and the check (see lifecycle.h).
 *
 * Exit context: Valgrind scans a thread's stack from its stack pointer, and
 * memcheck treats freshly pushed frames as undefined, so after exit() the
 * frames of its caller are roots, but after `return` from main the frame of
 * main is dead (research note §1, KDE bug 457860). We get the same effect by
 * recording the stack pointer and registers where the program called exit
 * (or where main returned, through a wrapper of main installed by our
 * __libc_start_main), and scanning that thread's stack from there. */
#include "lifecycle.h"
#include "dwlib.h"
#include "objects.h"
#include "unwmask.h"
#include "unwmem.h"
#include "gomem.h"
#include "coverage.h"
#include "nextalloc.h"
#include "args.h"
#include "gocgo.h"
#include "quarantine.h"
#include "arena.h"
#include "depot.h"
#include "goexit.h"
#include "ondemand.h"
#include "interpose.h"
#include "lock.h"
#include "output.h"
#include "maps.h"
#include "elfsym.h"
#include "options.h"
#include "report.h"
#include "roots.h"
#include "scan.h"
#include "signals.h"
#include "suppress.h"
#include "symbols.h"
#include "table.h"
#include "threads.h"
#include "toolstack.h"
#include "callctx.h"
#include "lsan.h"
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include <ucontext.h>
#include <sched.h>
#include <unistd.h>

#define STOP_TIMEOUT_MS 2000

static pid_t owner_pid;
static char self_path[PATH_MAX];    /* where libleaktrace.so was loaded from */
static int core_started;
static int final_done;
static volatile int in_check;        /* a check is running on some thread */
static volatile pid_t final_tid;     /* the thread that took the final check */
static int exit_status = -1;        /* what the program passed to exit/_exit/quick_exit */
static int fatal_signal;
static int fatal_code;
static uintptr_t fatal_addr;
static uint32_t fatal_stack;
static struct lt_exit_ctx exit_ctx;
static int exit_ctx_taken;
static bool libc_stdio_flushed;      /* the final check ran __libc_freeres (_IO_cleanup) */

extern void __libc_freeres(void) __attribute__((weak));
extern void _ZN9__gnu_cxx9__freeresEv(void) __attribute__((weak));

/* ---- who we are -------------------------------------------------------------- */

/* Our own text (frames to drop from stacks), writable data (never a root)
 * and path, and the dynamic loader's code, from the loader's list
 * (objects.h): no /proc/self/maps read at start-up (issue 14). */
static void find_self(void)
{
    struct lt_object me, ld;
    uintptr_t lo, hi;
    if (lt_object_at((uintptr_t)&find_self, &me)) {
        if (!me.name || !realpath(me.name, self_path))
            snprintf(self_path, sizeof self_path, "%s", me.name ? me.name : "");
        if (lt_object_span(&me, PF_X, &lo, &hi))
            lt_depot_set_self_range(lo & ~(uintptr_t)4095, hi);
        if (lt_object_span(&me, PF_W, &lo, &hi))
            lt_roots_set_self(lo & ~(uintptr_t)4095, (hi + 4095) & ~(uintptr_t)4095);
    }
    lt_objects_init();
    if (lt_object_loader(&ld) && lt_object_span(&ld, PF_X, &lo, &hi))
        lt_interpose_set_loader_range(lo & ~(uintptr_t)4095, (hi + 4095) & ~(uintptr_t)4095);
    lt_unwmask_init();
    lt_unwmem_init();
}

static void notice(void *ctx, const char *msg)
{
    (void)ctx;
    lt_warn("%s", msg);
}

static void read_options(void)
{
    char err[512];
    lt_options_set_defaults(&lt_opt);     /* static storage, still all zero */
    const char *env = getenv("LEAKTRACE_OPTIONS");
    if (env && lt_options_parse_string_notify(&lt_opt, env, "LEAKTRACE_OPTIONS", err, sizeof err,
                                              notice, NULL) != 0) {
        /* A broken option must not mean a run that checks nothing. */
        lt_warn("%s", err);
        lt_warn("the program was not run");
        lt_real._exit(1);
    }
    if (lt_opt.xml && !lt_opt.xml_file[0] && lt_opt.xml_fd < 0) {
        /* Valgrind's words; it then runs the program and writes nothing,
         * which would be a run that checks nothing: refuse instead. */
        char msg[1024];
        int pid = (int)getpid();
        int n = snprintf(msg, sizeof msg,
                         "==%d== Bad option: --xml=yes, but no XML destination specified\n"
                         "==%d== --xml=yes has been specified, but there is no XML output\n"
                         "==%d== destination.  You must specify an XML output destination\n"
                         "==%d== using --xml-fd, --xml-file or --xml-socket.\n"
                         "==%d== Use --help for more information or consult the user manual.\n",
                         pid, pid, pid, pid, pid);
        if (n > 0 && write(2, msg, (size_t)n) < 0) {
        }
        lt_real._exit(1);
    }
    if (lt_opt.xml)
        lt_opt.leak_check = LT_CHECK_FULL;   /* valgrind: --xml=yes forces full */
}

/* Valgrind reads its suppression files before the program runs, and a
 * malformed one stops everything with a FATAL message. */
static void read_suppressions(void)
{
    char dir[PATH_MAX], err[2048];
    const char *d = lt_supp_default_dir(self_path[0] ? self_path : NULL, dir, sizeof dir);
    if (lt_supp_load_all(d, err, sizeof err) < 0) {
        struct lt_writer w;
        lt_writer_open_fd(&w, 2);
        lt_supp_write_error(&w, (int)getpid(), err);
        lt_writer_close(&w);
        lt_real._exit(1);
    }
}

void lt_lifecycle_start_core(void)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&core_started, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    lt_tls.busy++;
    lt_real_resolve();
    read_options();
    lt_depot_init();
    lt_table_init();
    find_self();
    read_suppressions();
    owner_pid = getpid();
    __atomic_store_n(&lt_state, LT_STATE_TRACKING, __ATOMIC_RELEASE);
    lt_tls.busy--;
}

/* ---- the check ---------------------------------------------------------------------- */

/* A thread we stopped may hold a libc lock that __libc_freeres needs
 * (e.g. in the middle of dlopen): a one-shot timer on this thread jumps
 * out of freeres instead of waiting forever. */
#define FREERES_TIMEOUT_S 3
static sigjmp_buf freeres_jmp;
static volatile int in_freeres;

static void on_watchdog(int sig)
{
    (void)sig;
    if (in_freeres)
        siglongjmp(freeres_jmp, 1);
}

/* Returns false if the watchdog had to cut it short. */
static bool release_libc_caches(void)
{
    /* libc's caches came from the program's malloc when it is not the
     * tool's (the program's own, or one loaded before the tool): its free
     * may be another allocator's (nextalloc.h). Leave them, unless that
     * malloc forwards to glibc's __libc_* entry points (the tool saw them). */
    if (lt_nextalloc.owner == LT_OWNER_BEFORE ||
        (lt_nextalloc.owner == LT_OWNER_PROGRAM && !lt_coverage_libc_seen()))
        return false;
    int sig = SIGRTMAX - 6;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_watchdog;
    sa.sa_flags = SA_NODEFER;
    lt_sigaction_real(sig, &sa, &old);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = sig;
    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    timer_t timer;
    bool armed = timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0;
    if (armed) {
        struct itimerspec its = { .it_value = { FREERES_TIMEOUT_S, 0 } };
        timer_settime(timer, 0, &its, NULL);
    }
    volatile bool completed = true;
    if (sigsetjmp(freeres_jmp, 1) == 0) {
        in_freeres = 1;
        /* Valgrind runs both at exit (--run-cxx-freeres, --run-libc-freeres),
         * so blocks libc and libstdc++ keep for themselves are not reported. */
        if (_ZN9__gnu_cxx9__freeresEv && lt_opt.run_cxx_freeres)
            _ZN9__gnu_cxx9__freeresEv();
        if (__libc_freeres && lt_opt.run_libc_freeres) {
            lt_dwlib_before_freeres();
            __libc_freeres();
        }
    } else {
        completed = false;
    }
    in_freeres = 0;
    if (armed)
        timer_delete(timer);
    lt_sigaction_real(sig, &old, NULL);
    if (!completed)
        lt_warn("releasing libc's caches did not finish in %d s (a stopped thread holds a "
                "libc lock); the report may list blocks libc keeps for itself",
                FREERES_TIMEOUT_S);
    return completed;
}

/* The checking thread's own program frames: those of its caller, when an
 * entry stub recorded them (callctx.h); those of the exit call, when this
 * thread is the one that asked to exit; otherwise everything above the
 * point where it switched to the tool stack. */
static void checking_thread_context(const struct lt_exit_ctx *caller, struct lt_exit_ctx *out)
{
    pid_t tid = (pid_t)syscall(SYS_gettid);
    if (caller && caller->valid) {
        *out = *caller;
    } else if (exit_ctx.valid && exit_ctx.tid == tid) {
        *out = exit_ctx;
    } else {
        memset(out, 0, sizeof *out);
        out->sp = lt_toolstack_caller_sp();
        out->tid = tid;
        out->valid = out->sp != 0;
    }
}

struct check_job {
    bool final;
    const struct lt_exit_ctx *caller;
    uint64_t errors;
};

static void *check_on_tool_stack(void *arg);

/* Without a report, at least what the check could not see (coverage.h). */
static void warn_coverage(void)
{
    struct lt_coverage cov;
    lt_coverage_get(&cov);
    for (int i = 0; i < cov.n; i++)
        lt_warn("%s", cov.text[i]);
}

uint64_t lt_check(bool final) { return lt_check_from(final, NULL); }

/* Runs on the tool stack (toolstack.h): nothing of the check is left on
 * the program's stack for a later check to read. */
uint64_t lt_check_from(bool final, const struct lt_exit_ctx *caller)
{
    struct check_job job = { final, caller, 0 };
    lt_tls.busy++;
    lt_toolstack_call(check_on_tool_stack, &job);
    lt_threads_leave_tool();     /* runs a signal that came meanwhile (signals.c) */
    return job.errors;
}

/* Marks what the roots reach; the blocks' kinds are then in `scan`. */
static void classify(struct lt_scan *scan, const struct lt_block *blocks, size_t n,
                     const struct lt_maps *maps, struct lt_world *world, const struct lt_exit_ctx *self)
{
    lt_roots_scan(scan, maps, world, self);
    /* Ignored blocks (leaktrace_ignore, __lsan_ignore_object,
     * leaktrace_disable) are not leaks, and what they point to is
     * reached through them (LeakSanitizer's semantics). */
    for (size_t i = 0; i < n; i++)
        if (blocks[i].ignored)
            lt_scan_root_block_of(scan, blocks[i].addr);
    lt_scan_propagate(scan);
    lt_scan_cliques(scan);
}

/* libdw (dwlib.h) comes in when the report first names a frame — or,
 * when other threads exist, before the world stops: dlmopen takes the
 * loader locks, which a stopped thread may hold. A process alone (most
 * short ones: a forked subshell, a test binary) whose report names no
 * frame never loads it (issue 14: per-process cost). */
static bool load_dwlib_before_stop(void)
{
    if (lt_table_count() == 0 || lt_opt.leak_check == LT_CHECK_NO)
        return false;
    /* glibc's flag (2.32): no thread was ever created, so none holds the
     * loader locks — no need to list /proc/self/task for it. */
    if (__libc_single_threaded)
        return false;
    pid_t other;
    pid_t self = (pid_t)syscall(SYS_gettid);
    return lt_threads_list(getpid(), self, &other, 1) != 0;
}

static void *check_on_tool_stack(void *arg)
{
    static lt_lock_t check_lock = LT_LOCK_INIT;
    struct check_job *job = arg;
    bool final = job->final;
    lt_lock(&check_lock);
    in_check = 1;
    struct lt_exit_ctx here;
    checking_thread_context(job->caller, &here);
    const struct lt_exit_ctx *self = &here;

    /* The tool's memory may have run out while the program ran; the
     * address space it has given back since can serve the check. */
    if (lt_arena_exhausted())
        lt_arena_retry();
    if (final)
        lt_arena_keep_pages();
    if (load_dwlib_before_stop())
        lt_dwlib_load();
    struct lt_world world;
    lt_world_stop(&world, STOP_TIMEOUT_MS, final);
    /* Only when no other thread can be inside libc (issue 11 item 2: a
     * thread that blocks every signal kept using what freeres freed), and
     * not when a signal ends the process: freeres flushes stdio
     * (_IO_cleanup), which the default action never does (nor Valgrind). */
    bool caches_released = final && world.all_stopped && !fatal_signal
                           && (lt_opt.run_libc_freeres || lt_opt.run_cxx_freeres)
                           && release_libc_caches();
    if (final)
        libc_stdio_flushed = caches_released && lt_opt.run_libc_freeres;

    size_t n = 0, nbytes = 0;
    struct lt_block *blocks = lt_table_snapshot(&n, &nbytes, world.all_stopped);
    /* No block left (a program that frees everything, or allocates
     * nothing: /bin/true): no roots to find, so no /proc/self/maps to read
     * (the kernel's text of every mapping is most of such a check). */
    bool searching = n > 0 && lt_opt.leak_check != LT_CHECK_NO;
    struct lt_maps maps = { 0 };
    if (searching)
        lt_maps_read(&maps);
    lt_symbols_begin();
    lt_symbols_share_maps(&maps);
    lt_supp_check_begin();
    struct lt_scan scan;
    uint64_t errors = 0;
    if (blocks && lt_scan_init(&scan, blocks, n, lt_opt.heuristics) == 0) {
        if (searching)
            classify(&scan, blocks, n, &maps, &world, self);
        lt_arena_free(blocks, nbytes);
        blocks = NULL;
        struct lt_records recs;
        if (lt_records_build(&recs, &scan, &lt_opt) != 0) {
            lt_warn("not enough memory for the leak records: no report");
            warn_coverage();
            errors = 1;           /* an unchecked heap never passes as clean (coverage.h) */
        } else {
            recs.checked_bytes = scan.scanned_bytes;
            struct lt_coverage cov;
            lt_coverage_get(&cov);
            if (cov.incomplete)
                recs.errors++;    /* the report says why (coverage.h) */
            struct lt_report_ctx ctx = { .pid = (int)getpid(), .command = lt_args_command_line(true),
                                         .xml_command = lt_args_command_line(false),
                                         .fatal_signal = final ? fatal_signal : 0,
                                         .fatal_stack = final ? fatal_stack : 0,
                                         .fatal_code = fatal_code,
                                         .fatal_addr = fatal_addr,
                                         .final = final,
                                         .exit_status = final ? exit_status : -1,
                                         .argc = lt_args_argc(),
                                         .argv = lt_args_argv() };
            lt_table_usage(&ctx.usage);
            lt_output_write(&recs, &ctx);
            errors = recs.errors;
            if (recs.stopped_at_first_error)
                lt_real._exit(lt_opt.error_exitcode);
            lt_records_free(&recs);
        }
        lt_scan_fini(&scan);
    } else {
        lt_warn("not enough memory for the leak check: no report");
        warn_coverage();
        errors = 1;
    }
    if (blocks)
        lt_arena_free(blocks, nbytes);
    lt_supp_check_end();
    lt_symbols_end();
    lt_maps_free(&maps);
    if (final)
        __atomic_store_n(&lt_state, LT_STATE_DONE, __ATOMIC_RELEASE);
    /* After a complete __libc_freeres the other threads must not run again
     * (libc's caches are gone): at exit they stay parked until the kernel
     * ends them. Otherwise they go on. */
    if (!caches_released)
        lt_world_resume(&world);
    else
        lt_world_keep(&world);
    in_check = 0;
    lt_unlock(&check_lock);
    job->errors = errors;
    return NULL;
}

/* Runs at exit after final_check_atexit. It does nothing, unless the
 * process is exiting from inside a check: a library the check uses gave up
 * (elfutils' out-of-memory handler calls error(EXIT_FAILURE, ...)). The
 * program must still end with its own status. */
static void exit_inside_check(void)
{
    pid_t me = (pid_t)syscall(SYS_gettid);
    pid_t checker = __atomic_load_n(&final_tid, __ATOMIC_ACQUIRE);
    if (checker && checker != me && getpid() == owner_pid) {
        /* exit() from two threads at once: the other one is writing the
         * report (or has), and ends the process; ending it from here would
         * cut the report short. Wait to be ended with it. */
        for (;;)
            syscall(SYS_futex, &final_tid, FUTEX_WAIT_PRIVATE, checker, NULL, NULL, 0);
    }
    if (!in_check || checker != me)
        return;
    lt_warn("memory ran out while the report was being written: it is incomplete");
    lt_real._exit(exit_status >= 0 ? exit_status : 0);
}

static void after_fork_child(void);

/* A process made by clone() without fork() (clone(SIGCHLD), a raw
 * syscall): no atfork handler ran, but it has memory of its own, so it is a
 * child like a forked one and gets its own report. A child that shares our
 * memory (vfork, CLONE_VM) must not touch the parent's state: it is told
 * apart by kcmp(KCMP_VM); when that cannot be asked, no report. */
static bool adopt_new_process(void)
{
    if (lt_opt.child_silent_after_fork)
        return false;
    long same = syscall(SYS_kcmp, getpid(), owner_pid, 1 /* KCMP_VM */, 0, 0);
    if (same != 1 && same != 2)
        return false;            /* 0: the same memory; -1: cannot tell */
    struct lt_exit_ctx ctx = exit_ctx;
    int status = exit_status, taken = exit_ctx_taken;
    lt_tls.busy++;
    after_fork_child();          /* as after fork: locks reset, other threads dead */
    exit_ctx = ctx;              /* but how it is exiting is its own */
    exit_status = status;
    exit_ctx_taken = taken;
    return getpid() == owner_pid;
}

/* The final check, once, for the process that owns the tool. Returns the
 * exit status to force (the error exit code), or -1 to keep the program's. */
static int final_check(void)
{
    if (lt_state != LT_STATE_TRACKING)
        return -1;
    if (getpid() != owner_pid && !adopt_new_process())
        return -1;
    pid_t me = (pid_t)syscall(SYS_gettid);
    if (__atomic_exchange_n(&final_done, 1, __ATOMIC_ACQ_REL)) {
        /* Another thread is ending the process with its report (exit or
         * _exit from two threads at once): ending it from here would cut
         * that report short. Wait to be ended with it. */
        pid_t checker;
        while (!(checker = __atomic_load_n(&final_tid, __ATOMIC_ACQUIRE)))
            sched_yield();
        while (checker != me)
            syscall(SYS_futex, &final_tid, FUTEX_WAIT_PRIVATE, checker, NULL, NULL, 0);
        return -1;
    }
    __atomic_store_n(&final_tid, me, __ATOMIC_RELEASE);
    if (!lt_lsan_exit_check_wanted() || !lt_lsan_checks_wanted())
        return -1;          /* the program turned it off, as LSan lets it */
    uint64_t errors = lt_check(true);
    return errors && lt_opt.error_exitcode ? lt_opt.error_exitcode : -1;
}

struct fatal_job {
    int sig, code;
    uintptr_t addr;
    void *uc;
};
static void *fatal_on_tool_stack(void *arg);

void lt_lifecycle_fatal_signal(int sig, int code, uintptr_t addr, void *uc)
{
    if (lt_state != LT_STATE_TRACKING)
        return;
    if (getpid() != owner_pid && !adopt_new_process())
        return;
    /* Dying inside the tool or the allocator (heap corruption caught by
     * glibc, a crash of ours): the table or the heap may be inconsistent and
     * their locks held by this very thread. Die without a report. */
    if (lt_tls.busy || lt_tls.locked)
        return;
    if (__atomic_load_n(&final_done, __ATOMIC_ACQUIRE)) {
        /* Another thread is writing the final report: let it finish (the
         * stop signal parks us meanwhile); it ends the process. */
        for (;;)
            pause();
    }
    struct fatal_job job = { sig, code, addr, uc };
    /* The stack the handler runs on may be a small sigaltstack (Rust's
     * is 8 KiB) or what is left of an overflowing one. */
    lt_toolstack_call(fatal_on_tool_stack, &job);
}

static void *fatal_on_tool_stack(void *arg)
{
    struct fatal_job *job = arg;
    lt_tls.busy++;
    if (!__atomic_exchange_n(&exit_ctx_taken, 1, __ATOMIC_ACQ_REL)) {
        lt_context_regs(job->uc, exit_ctx.regs, &exit_ctx.sp);   /* from SP: see roots.c */
        exit_ctx.tid = (pid_t)syscall(SYS_gettid);
        exit_ctx.valid = true;
    }
    fatal_stack = lt_depot_capture_context(job->uc);
    fatal_signal = job->sig;
    fatal_code = job->code;
    fatal_addr = job->addr;
    lt_tls.busy--;
    final_check();
    return NULL;
}

int lt_lifecycle_exit_from(int status, uintptr_t sp)
{
    __atomic_compare_exchange_n(&exit_status, &(int){ -1 }, status & 0xff, false,
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    if (!__atomic_exchange_n(&exit_ctx_taken, 1, __ATOMIC_ACQ_REL)) {
        exit_ctx.sp = sp;
        exit_ctx.tid = (pid_t)syscall(SYS_gettid);
        exit_ctx.valid = true;     /* registers: those of the exit path, nothing to find */
    }
    return final_check();
}

static void final_check_atexit(void)
{
    int code = final_check();
    if (code >= 0) {
        /* stdio was flushed by __libc_freeres (_IO_cleanup), unless it was
         * skipped (release_libc_caches, --run-libc-freeres=no, a thread
         * that could not be stopped): then as exit() would. */
        if (!libc_stdio_flushed)
            fflush(NULL);
        lt_real._exit(code);
    }
}

/* ---- exit paths ------------------------------------------------------------------------ */

/* Records where the program asked to exit: the caller's stack pointer (its
 * frame, with what it still holds, is scanned; nothing below it, the
 * tool's frames included) and its callee-saved registers, the only ones a
 * call preserves (callctx.h). The first thread to ask wins. */
static void take_exit_context(uintptr_t caller_sp, const uintptr_t *saved)
{
    if (__atomic_exchange_n(&exit_ctx_taken, 1, __ATOMIC_ACQ_REL))
        return;
    lt_callctx_regs(saved, exit_ctx.regs);
    exit_ctx.sp = caller_sp;
    exit_ctx.tid = (pid_t)syscall(SYS_gettid);
    exit_ctx.valid = true;
}

static void note_exit_status(int status)
{
    __atomic_compare_exchange_n(&exit_status, &(int){ -1 }, status & 0xff, false,
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* exit() or quick_exit() from a second thread while a first one runs the
 * exit handlers: glibc lets the second walk the (by then empty) handler
 * list and call its internal _exit at once, which would end the process in
 * the middle of the first thread's report. Either thread's status is a
 * valid outcome (C11 7.22.4.4: calling exit more than once is undefined;
 * glibc ends with whichever gets there), so the second waits to be ended
 * with the first. exit() again from the same thread (from an atexit
 * handler) goes on as glibc allows. */
static pid_t exiting_tid;

static void one_exiting_thread(void)
{
    pid_t me = (pid_t)syscall(SYS_gettid), first = 0;
    if (__atomic_compare_exchange_n(&exiting_tid, &first, me, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE) || first == me || getpid() != owner_pid)
        return;
    for (;;)
        pause();
}

/* exit(): the report is written by final_check_atexit, after the
 * program's own atexit handlers and destructors. */
LT_HIDDEN __attribute__((noreturn, used)) void lt_exit_entry(int status, uintptr_t sp, const uintptr_t *saved)
{
    one_exiting_thread();
    take_exit_context(sp, saved);
    note_exit_status(status);
    if (!lt_real.exit)
        lt_real_resolve();
    lt_real.exit(status);
}

/* _exit() and _Exit(): no handlers run; the report is written now. */
LT_HIDDEN __attribute__((noreturn, used)) void lt_exit_now_entry(int status, uintptr_t sp, const uintptr_t *saved)
{
    take_exit_context(sp, saved);
    note_exit_status(status);
    if (!lt_real._exit)
        lt_real_resolve();
    int code = final_check();
    lt_real._exit(code >= 0 ? code : status);
}

LT_HIDDEN __attribute__((noreturn, used)) void lt_quick_exit_entry(int status, uintptr_t sp, const uintptr_t *saved)
{
    one_exiting_thread();
    take_exit_context(sp, saved);
    note_exit_status(status);
    if (!lt_real.quick_exit)
        lt_real_resolve();
    lt_real.quick_exit(status);   /* at_quick_exit handlers, ours last */
}

/* The program's main, called by the trampoline below. */
LT_HIDDEN int (*lt_real_main)(int, char **, char **);
int lt_main_trampoline(int argc, char **argv, char **envp) LT_HIDDEN;

#ifdef LT_CALLCTX_HAVE_STUBS
LT_CALLCTX_ENTRY(exit, lt_exit_entry);
LT_CALLCTX_ENTRY(_exit, lt_exit_now_entry);
LT_CALLCTX_ENTRY(_Exit, lt_exit_now_entry);
LT_CALLCTX_ENTRY(quick_exit, lt_quick_exit_entry);

/* main's caller, __libc_start_call_main, calls exit(result) when main
 * returns; so does this trampoline, by a jump with the stack exactly as it
 * was when it was entered: exit() then sees main's caller as its caller,
 * main's frame is below the recorded stack pointer (dead, as after a
 * return under Valgrind: KDE bug 457860) and the registers are the ones
 * main restored for its caller. */
__asm__(".text\n"
        ".globl lt_main_trampoline\n"
        ".hidden lt_main_trampoline\n"
        ".type lt_main_trampoline,@function\n"
        "lt_main_trampoline:\n"
        "    .cfi_startproc\n"
        "    subq $8, %rsp\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    call *lt_real_main(%rip)\n"
        "    addq $8, %rsp\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    movl %eax, %edi\n"
        "    jmp exit\n"
        "    .cfi_endproc\n"
        ".size lt_main_trampoline, .-lt_main_trampoline\n");
#else
/* Other architectures: the caller's frame by its CFA; no registers. */
LT_EXPORT void exit(int status) { lt_exit_entry(status, (uintptr_t)__builtin_dwarf_cfa(), NULL); }
LT_EXPORT void _exit(int status) { lt_exit_now_entry(status, (uintptr_t)__builtin_dwarf_cfa(), NULL); }
LT_EXPORT void _Exit(int status) { lt_exit_now_entry(status, (uintptr_t)__builtin_dwarf_cfa(), NULL); }
LT_EXPORT void quick_exit(int status) { lt_quick_exit_entry(status, (uintptr_t)__builtin_dwarf_cfa(), NULL); }

int lt_main_trampoline(int argc, char **argv, char **envp)
{
    int status = lt_real_main(argc, argv, envp);
    lt_exit_entry(status, (uintptr_t)__builtin_dwarf_cfa(), NULL);
}
#endif

LT_EXPORT int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                                void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
                                void *stack_end)
{
    if (!lt_real.libc_start_main)
        lt_real_resolve();
    lt_real_main = main;
    return lt_real.libc_start_main(lt_main_trampoline, argc, argv, init, fini, rtld_fini, stack_end);
}

/* ---- fork ------------------------------------------------------------------------------------ */

/* The tool's locks are taken around fork so that no other thread is
 * inside the tool's state when it is copied. With no other thread
 * (__libc_single_threaded) and this one outside every lock, there is
 * nothing to wait for, and taking them would cost: each lock word written
 * just before the copy is copied again on write by the parent's unlock and
 * the child's reset — two page copies per lock per fork (issue 14: a
 * shell's subshells; the table's 512 stripes were 8 pages). glibc's own
 * malloc skips its locks on the same flag. */
static bool fork_quiet;
/* fork() from a signal handler that interrupted this thread inside one of
 * the tool's locks (a stripe, the arena): taking the tool's locks would
 * wait on this very thread (a 1 ms timer whose handler forks then starved
 * the program: test_adversarial). The child gets them as they are; this
 * thread's interrupted operation finishes, in parent and child alike, when
 * the handler returns. */
static bool fork_inside_tool;
static int locked_at_fork;      /* this thread's lock count before before_fork's locks */

static void before_fork(void)
{
    lt_tls.busy++;
    locked_at_fork = lt_tls.locked;
    fork_inside_tool = lt_tls.locked > 0 || lt_arena_held();
    fork_quiet = fork_inside_tool || __libc_single_threaded;
    if (fork_quiet)
        return;
    lt_depot_lock();
    lt_table_lock_all();
    lt_threads_lock();
    lt_unwmem_lock();
    lt_arena_lock();
}

static void after_fork_parent(void)
{
    if (!fork_quiet) {
        lt_arena_unlock();
        lt_unwmem_unlock();
        lt_threads_unlock();
        lt_table_unlock_all();
        lt_depot_unlock();
    }
    lt_tls.busy--;
}

static void after_fork_child(void)
{
    if (exiting_tid)
        exiting_tid = 0;
    lt_toolstack_reset_child();
    lt_arena_reset_child();
    lt_threads_reset_child();
    lt_unwmem_reset_child();
    lt_table_reset_child();
    lt_depot_reset_child();
    lt_quarantine_reset_child();
    /* The locks taken for the fork are reset above, not released: the
     * count goes back to what it was (0, or the interrupted operation's). */
    lt_tls.locked = locked_at_fork;
    lt_tls.busy--;
    owner_pid = getpid();
    exit_status = -1;
    exit_ctx_taken = 0;
    exit_ctx.valid = false;
    /* Forked inside the tool: the interrupted operation still runs in this
     * child (its lock count stays, to come back to zero), and the state it
     * was changing is half-changed: the child is not checked, as with
     * --child-silent-after-fork=yes. */
    if (lt_opt.child_silent_after_fork || fork_inside_tool)
        __atomic_store_n(&lt_state, LT_STATE_DONE, __ATOMIC_RELEASE);
}

/* ---- start-up --------------------------------------------------------------------------------- */

extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);

static void run_void(void *fn)
{
    ((void (*)(void))fn)();
}

/* --trace-children=no: programs this one executes run without the tool. */
static void drop_preload_for_children(void)
{
    const char *pre = getenv("LD_PRELOAD");
    if (!pre)
        return;
    char keep[4096];
    size_t k = 0;
    const char *p = pre;
    while (*p) {
        size_t n = strcspn(p, ": ");
        const char *base = p;
        for (size_t i = 0; i < n; i++)
            if (p[i] == '/')
                base = p + i + 1;
        bool ours = (size_t)(p + n - base) >= 12 && strncmp(base, "libleaktrace", 12) == 0;
        if (!ours && n && k + n + 1 < sizeof keep) {
            if (k)
                keep[k++] = ':';
            memcpy(keep + k, p, n);
            k += n;
        }
        p += n;
        while (*p == ':' || *p == ' ')
            p++;
    }
    keep[k] = 0;
    if (k)
        setenv("LD_PRELOAD", keep, 1);
    else
        unsetenv("LD_PRELOAD");
}

/* Relative file names in options are relative to where the program
 * started, even if it changes directory later. */
static void absolutize(char *path, size_t size)
{
    if (!path[0] || path[0] == '/')
        return;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return;
    char joined[PATH_MAX];
    int n = snprintf(joined, sizeof joined, "%s/%s", cwd, path);
    if (n > 0 && (size_t)n < size)
        memcpy(path, joined, (size_t)n + 1);
}

__attribute__((constructor(101))) static void leaktrace_init(void)
{
    lt_exe_hold();               /* one mapping of the executable for start-up's readers */
    lt_lifecycle_start_core();
    lt_tls.busy++;
    lt_output_init();
    absolutize(lt_opt.log_file, sizeof lt_opt.log_file);
    absolutize(lt_opt.xml_file, sizeof lt_opt.xml_file);
    absolutize(lt_opt.json_file, sizeof lt_opt.json_file);
    absolutize(lt_opt.sarif_file, sizeof lt_opt.sarif_file);
    absolutize(lt_opt.folded_file, sizeof lt_opt.folded_file);
    if (!lt_opt.trace_children)
        drop_preload_for_children();
    lt_threads_init();
    lt_toolstack_init();
    lt_signals_init();
    bool go = lt_goexit_init();
    lt_roots_set_go(go);
    if (go) {
        lt_gocgo_init();
        lt_gomem_init();
    }
    lt_quarantine_init(lt_opt.freelist_vol >= 0 ? lt_opt.freelist_vol : go ? 20000000 : 0);
    lt_lsan_init();
    lt_exe_release();
    if (lt_opt.report_signal && lt_ondemand_init(lt_opt.report_signal) != 0)
        lt_warn("--report-signal=%d: the reporter could not be started", lt_opt.report_signal);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    /* Registered before the program's own handlers and before
     * __libc_start_main registers _dl_fini, so they run after all of them
     * (exit_inside_check last: an exit from inside the check reaches it).
     * With no DSO handle: atexit() in a shared object passes its
     * __dso_handle (libc_nonshared.a), and _dl_fini's __cxa_finalize of
     * this library would then run the check inside _dl_fini, where every
     * object's open count is raised and __libc_freeres' dlclose of
     * libgcc_s (loaded by pthread_exit/pthread_cancel) frees nothing
     * (scenario thread_exit_libgcc). After _dl_fini, as Valgrind checks at
     * the process's very end. */
    __cxa_atexit(run_void, (void *)exit_inside_check, NULL);
    __cxa_atexit(run_void, (void *)final_check_atexit, NULL);
    at_quick_exit(final_check_atexit);
    lt_tls.busy--;
}
