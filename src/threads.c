/* threads.c — the thread registry and stopping the world (see threads.h).
 *
 * Stopping: first by ptrace from a helper task (ptstop.c), which the
 * program cannot see. Where ptrace is refused (a debugger or strace holds
 * the process), the checking thread sends a signal to every other task
 * listed in /proc/self/task, except those that block it or wait for
 * signals in sigwait (they would never stop, or take it for their own):
 * those are known at once, the world is then not `all_stopped`. The handler records the interrupted registers and
 * stack pointer from its ucontext and parks on a futex. A thread that is
 * inside the tool when the signal arrives (lt_tls.busy) only notes the
 * request and parks when it leaves the tool, so no parked thread ever holds
 * a tool lock or sits inside the real allocator. The handler is installed
 * once and stays: outside a stop it forwards the signal to whatever
 * disposition the program had, so a late signal changes nothing. */
#include "threads.h"
#include "table.h"
#include "mainstack.h"
#include "arena.h"
#include "depot.h"
#include "lock.h"
#include "options.h"
#include "ptstop.h"
#include "ondemand.h"
#include "signals.h"
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define LT_MAX_DEAD 1024

static lt_lock_t registry_lock = LT_LOCK_INIT;
static struct lt_thread_rec *registry;
static int ndead;

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* ---- registry ---------------------------------------------------------------- */

void lt_threads_lock(void) { lt_lock(&registry_lock); }
void lt_threads_unlock(void) { lt_unlock(&registry_lock); }
struct lt_thread_rec *lt_threads_first(void) { return registry; }

/* A dead record whose stack the new thread reuses (glibc caches stacks)
 * is recycled; so is the oldest dead one when too many pile up. */
static struct lt_thread_rec *take_record(uintptr_t lo, uintptr_t hi)
{
    struct lt_thread_rec *r, *oldest_dead = NULL;
    for (r = registry; r; r = r->next) {
        if (r->state != LT_THREAD_DEAD)
            continue;
        if (r->stack_lo < hi && lo < r->stack_hi) {
            ndead--;
            return r;
        }
        oldest_dead = r;
    }
    if (ndead >= LT_MAX_DEAD && oldest_dead) {
        ndead--;
        return oldest_dead;
    }
    r = lt_arena_bump(sizeof *r);
    if (r) {
        r->next = registry;
        registry = r;
    }
    return r;
}

static void stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    *lo = *hi = 0;
    lt_tls.busy++;              /* pthread_getattr_np may allocate */
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            *lo = (uintptr_t)addr;
            *hi = (uintptr_t)addr + size;
        }
        pthread_attr_destroy(&attr);
    }
    lt_tls.busy--;
}

/* Caller is busy (inside the tool). */
static struct lt_thread_rec *register_self(uintptr_t entry_sp)
{
    uintptr_t lo, hi;
    stack_bounds(&lo, &hi);
    lt_lock(&registry_lock);
    struct lt_thread_rec *r = take_record(lo, hi);
    if (r) {
        struct lt_thread_rec *next = r->next;
        memset(r, 0, sizeof *r);
        r->next = next;
        r->tid = my_tid();
        r->pthread_self = (uintptr_t)pthread_self();
        r->stack_lo = lo;
        r->stack_hi = hi;
        r->entry_sp = entry_sp;
        __atomic_store_n(&r->state, LT_THREAD_LIVE, __ATOMIC_RELEASE);
    }
    lt_unlock(&registry_lock);
    lt_tls.thread = r;
    lt_tls.stack_lo = lo;
    lt_tls.stack_hi = hi;
    return r;
}

/* ---- an alternate signal stack for threads that have none ------------------
 * A thread whose stack overflows gets SIGSEGV only if the kernel has a
 * stack to run the handler on; without one it dies silently. The stand-in
 * handler (signals.c, SA_ONSTACK) needs little: it switches to the tool
 * stack at once. Tool memory: never a root, never the program's heap. */
#define ALTSTACK_SIZE ((size_t)32 << 10)

static long raw_sigaltstack(const stack_t *ss, stack_t *old) { return syscall(SYS_sigaltstack, ss, old); }

static void give_altstack(struct lt_thread_rec *r)
{
    stack_t cur;
    if (raw_sigaltstack(NULL, &cur) != 0 || !(cur.ss_flags & SS_DISABLE))
        return;
    void *p = lt_arena_alloc(ALTSTACK_SIZE);
    if (!p)
        return;
    stack_t ss = { .ss_sp = p, .ss_size = ALTSTACK_SIZE, .ss_flags = 0 };
    if (raw_sigaltstack(&ss, NULL) == 0)
        r->altstack = p;
    else
        lt_arena_free(p, ALTSTACK_SIZE);
}

/* Takes the tool's stack away (thread exit, or the program installs its
 * own) unless the thread runs on it. */
static void drop_altstack(struct lt_thread_rec *r)
{
    if (!r || !r->altstack)
        return;
    stack_t cur;
    if (raw_sigaltstack(NULL, &cur) != 0 || (cur.ss_flags & SS_ONSTACK))
        return;
    if (cur.ss_sp == r->altstack && !(cur.ss_flags & SS_DISABLE)) {
        stack_t off = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
        if (raw_sigaltstack(&off, NULL) != 0)
            return;
    }
    lt_arena_free(r->altstack, ALTSTACK_SIZE);
    r->altstack = NULL;
}

int lt_threads_sigaltstack(const void *ssp, void *oldp)
{
    const stack_t *ss = ssp;
    stack_t *old = oldp;
    struct lt_thread_rec *r = lt_tls.thread;
    stack_t cur;
    bool ours = r && r->altstack && raw_sigaltstack(NULL, &cur) == 0 && cur.ss_sp == r->altstack &&
                !(cur.ss_flags & SS_DISABLE);
    if (!ours) {
        long rc = raw_sigaltstack(ss, old);
        if (rc < 0) {
            errno = (int)-rc;
            return -1;
        }
        return 0;
    }
    if (ss) {
        if (cur.ss_flags & SS_ONSTACK) {
            errno = EPERM;                 /* as the kernel says on the active stack */
            return -1;
        }
        long rc = raw_sigaltstack(ss, NULL);
        if (rc < 0) {
            errno = (int)-rc;
            return -1;
        }
    }
    if (old) {
        /* What it would see without the tool. */
        old->ss_sp = NULL;
        old->ss_size = 0;
        old->ss_flags = SS_DISABLE | (cur.ss_flags & SS_ONSTACK);
    }
    if (ss) {
        lt_tls.busy++;
        lt_arena_free(r->altstack, ALTSTACK_SIZE);
        r->altstack = NULL;
        lt_tls.busy--;
    }
    return 0;
}

/* Runs at thread exit (after return, pthread_exit and cancellation alike),
 * as the trampoline's cleanup handler: no pthread key of the program's is
 * taken (threadkeys.c), and an exit() from the thread does not run it (as
 * it did not run a key destructor): the thread is alive at the check. */
static void thread_exit(void *arg)
{
    struct lt_thread_rec *r = arg;
    if (!r)
        return;
    lt_tls.busy++;
    lt_lock(&registry_lock);
    if (r->state == LT_THREAD_LIVE) {
        r->state = LT_THREAD_DEAD;
        ndead++;
    }
    lt_unlock(&registry_lock);
    drop_altstack(r);
    lt_tls.thread = NULL;
    lt_depot_thread_exit();
    lt_threads_leave_tool();
}

/* What the new thread needs; tool memory, so the scan would not see the
 * program's `arg` in it: the blocks not yet taken by their thread are kept
 * on a list the root scan reads (LSan's bug 21621: a pthread_create
 * argument whose only copy is on its way to the new thread is not lost). */
struct start_block {
    void *(*start)(void *);
    void *arg;
    struct start_block *prev, *next;
};
static struct start_block *pending;
static lt_lock_t pending_lock = LT_LOCK_INIT;

static void pending_link(struct start_block *b)
{
    lt_lock(&pending_lock);
    b->prev = NULL;
    b->next = pending;
    if (pending)
        pending->prev = b;
    pending = b;
    lt_unlock(&pending_lock);
}

static void pending_unlink(struct start_block *b)
{
    lt_lock(&pending_lock);
    if (b->prev)
        b->prev->next = b->next;
    else
        pending = b->next;
    if (b->next)
        b->next->prev = b->prev;
    lt_unlock(&pending_lock);
}

void lt_threads_pending_args(void (*fn)(void *ctx, uintptr_t arg), void *ctx)
{
    lt_lock(&pending_lock);
    for (struct start_block *b = pending; b; b = b->next)
        fn(ctx, (uintptr_t)b->arg);
    lt_unlock(&pending_lock);
}

static void *trampoline(void *p)
{
    lt_tls.busy++;
    /* The copy on this thread's stack is a root from here on. */
    struct start_block b = *(struct start_block *)p;
    pending_unlink(p);
    lt_arena_free(p, sizeof b);
    struct lt_thread_rec *r = register_self((uintptr_t)__builtin_frame_address(0));
    if (r)
        give_altstack(r);
    lt_threads_leave_tool();
    void *ret;
    pthread_cleanup_push(thread_exit, r);
    ret = b.start(b.arg);
    pthread_cleanup_pop(1);
    return ret;
}

int lt_threads_create(void *thread, const void *attr, void *(*start)(void *), void *arg,
                      int (*real_create)(void *, const void *, void *(*)(void *), void *))
{
    lt_tls.busy++;
    lt_table_spread();           /* still the only thread, if this is the first (table.h) */
    struct start_block *b = lt_arena_alloc(sizeof *b);
    if (b) {
        b->start = start;
        b->arg = arg;
        pending_link(b);
    }
    lt_threads_leave_tool();
    if (!b)
        return real_create(thread, attr, start, arg);
    /* glibc holds its stack-cache lock inside pthread_create, and the
     * final check's __libc_freeres needs it: never park in here. Its own
     * allocations (the new thread's DTV) are still tracked, as Valgrind does. */
    lt_tls.nopark++;
    int rc = real_create(thread, attr, trampoline, b);
    lt_tls.nopark--;
    lt_tls.busy++;
    if (rc != 0) {
        pending_unlink(b);
        lt_arena_free(b, sizeof *b);
    }
    lt_threads_leave_tool();     /* parks here if a stop came meanwhile */
    return rc;
}

/* The main thread: its stack is the mapping holding the current stack
 * pointer ([stack]); found at scan time from the map, so only the record. */
void lt_threads_init(void)
{
    lt_tls.busy++;
    if (my_tid() != getpid())
        stack_bounds(&lt_tls.stack_lo, &lt_tls.stack_hi);
    else if (lt_opt.unwind_fp)
        lt_mainstack_bounds(&lt_tls.stack_lo, &lt_tls.stack_hi);   /* no malloc (mainstack.h) */
    else
        lt_mainstack_bounds_loose(&lt_tls.stack_lo, &lt_tls.stack_hi);
    lt_lock(&registry_lock);
    struct lt_thread_rec *r = take_record(0, 0);
    if (r) {
        r->tid = my_tid();
        r->pthread_self = (uintptr_t)pthread_self();
        r->state = LT_THREAD_LIVE;
    }
    lt_unlock(&registry_lock);
    lt_tls.thread = r;
    lt_tls.busy--;
}

void lt_threads_reset_child(void)
{
    lt_lock_reset(&registry_lock);
    lt_lock_reset(&pending_lock);
    pid_t self = my_tid();
    /* Only the forking thread exists in the child. */
    for (struct lt_thread_rec *r = registry; r; r = r->next) {
        if (r == lt_tls.thread) {
            r->tid = self;
        } else if (r->state == LT_THREAD_LIVE) {
            r->state = LT_THREAD_DEAD;
            ndead++;
        }
    }
}

/* ---- stopping the world -------------------------------------------------------- */

static struct lt_world *volatile stopping;  /* the stop in progress, if any */
static int acks;                            /* futex: threads that parked */
static int release_gen;                     /* futex: bumped to let parked threads go */
static int stop_sig;
static struct sigaction previous;           /* the program's disposition of stop_sig */
static bool installed;

void lt_context_regs(const void *ucontext, uintptr_t regs[LT_NREGS], uintptr_t *sp)
{
    const ucontext_t *uc = ucontext;
#if defined(__x86_64__)
    static const int gp[LT_NREGS] = {
        REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_RSP,
        REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };
    for (int i = 0; i < LT_NREGS; i++)
        regs[i] = (uintptr_t)uc->uc_mcontext.gregs[gp[i]];
    *sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    for (int i = 0; i < LT_NREGS; i++)
        regs[i] = (uintptr_t)uc->uc_mcontext.regs[i + 15];   /* x15..x30: callee-saved and fp/lr */
    *sp = (uintptr_t)uc->uc_mcontext.sp;
#else
    (void)uc;
    for (int i = 0; i < LT_NREGS; i++)
        regs[i] = 0;
    *sp = (uintptr_t)__builtin_frame_address(0);
#endif
}

void lt_context_vregs(const void *ucontext, uintptr_t vregs[LT_NVREGS])
{
    memset(vregs, 0, LT_NVREGS * sizeof *vregs);
#if defined(__x86_64__)
    /* The FXSAVE image the kernel put on the signal frame (NULL if none). */
    const ucontext_t *uc = ucontext;
    const struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    _Static_assert(sizeof fp->_xmm == LT_NVREGS * sizeof(uintptr_t), "16 xmm registers, 2 words each");
    if (fp)
        memcpy(vregs, fp->_xmm, sizeof fp->_xmm);
#else
    (void)ucontext;
#endif
}

static void save_context(struct lt_stopped *slot, const ucontext_t *uc)
{
    lt_context_regs(uc, slot->regs, &slot->sp);
    lt_context_vregs(uc, slot->vregs);
}

static struct lt_stopped *my_slot(struct lt_world *w)
{
    pid_t tid = my_tid();
    for (int i = 0; i < w->n; i++)
        if (w->v[i].tid == tid)
            return &w->v[i];
    return NULL;
}

static void park(struct lt_stopped *slot, const ucontext_t *uc)
{
    int gen = __atomic_load_n(&release_gen, __ATOMIC_ACQUIRE);
    save_context(slot, uc);
    __atomic_store_n(&slot->acked, 1, __ATOMIC_RELEASE);
    __atomic_fetch_add(&acks, 1, __ATOMIC_ACQ_REL);
    lt_futex_wake(&acks, 1);
    while (__atomic_load_n(&release_gen, __ATOMIC_ACQUIRE) == gen)
        lt_futex_wait(&release_gen, gen);
}

static void forward(int sig, siginfo_t *info, void *uc)
{
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction)
            previous.sa_sigaction(sig, info, uc);
    } else if (previous.sa_handler == SIG_DFL) {
        /* Default action of a real-time signal is to terminate: re-raise. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        lt_sigaction_real(sig, &dfl, NULL);
        raise(sig);
    } else if (previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
    }
}

static void on_stop_signal(int sig, siginfo_t *info, void *uc)
{
    int saved = errno;
    struct lt_world *w = stopping;
    struct lt_stopped *slot = w ? my_slot(w) : NULL;
    /* A task made by a raw clone() without a TLS of its own runs on its
     * creator's lt_tls (whose busy says nothing about this task): it parks
     * at once. */
    bool borrowed_tls = lt_tls.thread && lt_tls.thread->tid != my_tid();
    if (!slot || info->si_code != SI_TKILL || info->si_pid != getpid()) {
        forward(sig, info, uc);
    } else if ((lt_tls.busy || lt_tls.nopark) && !borrowed_tls) {
        lt_tls.park_pending = 1;     /* parks when it leaves the tool */
    } else {
        park(slot, uc);
    }
    errno = saved;
}

void lt_threads_leave_tool(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (--lt_tls.busy == 0 && !lt_tls.nopark && lt_tls.park_pending) {
        lt_tls.park_pending = 0;
        lt_threads_park_self();
    }
}

void lt_threads_park_self(void)
{
    /* Signals that came while the thread was inside the tool (the callers
     * run this when it leaves: busy is 0). */
    if (lt_tls.pending_report)
        lt_ondemand_run_pending();
    if (lt_tls.pending_signal)
        lt_signals_run_pending();
    struct lt_world *w = stopping;
    struct lt_stopped *slot = w ? my_slot(w) : NULL;
    if (!slot || slot->acked)
        return;
    ucontext_t uc;
    getcontext(&uc);
    park(slot, &uc);
}

static void install_handler(void)
{
    int sig = lt_opt.stop_signal ? lt_opt.stop_signal : SIGRTMAX - 7;
    struct sigaction sa, old;
    lt_sigaction_real(sig, NULL, &old);
    if (installed && old.sa_sigaction == on_stop_signal)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_stop_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    previous = old;
    stop_sig = sig;
    lt_sigaction_real(sig, &sa, NULL);
    installed = true;
}

/* Lists the other tasks of a process with getdents64 (opendir would
 * allocate). */
int lt_threads_list(pid_t pid, pid_t self, pid_t *out, int max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int n = 0;
    char buf[8192];
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (got <= 0)
            break;
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            off += d->d_reclen;
            pid_t tid = 0;
            const char *p = d->d_name;
            if (*p < '0' || *p > '9')
                continue;
            while (*p >= '0' && *p <= '9')
                tid = tid * 10 + (*p++ - '0');
            if (tid != self && n < max)
                out[n++] = tid;
        }
    }
    syscall(SYS_close, fd);
    return n;
}

static long read_proc(pid_t tid, const char *leaf, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/%s", (int)tid, leaf);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    long n = syscall(SYS_read, fd, buf, size - 1);
    syscall(SYS_close, fd);
    if (n >= 0)
        buf[n] = 0;
    return n;
}

/* Does thread `tid` block signal `sig` (/proc/self/task/TID/status,
 * SigBlk), or wait in sigwait/sigwaitinfo/sigtimedwait (whose set the
 * kernel unblocks while it waits, so SigBlk does not show it)? Such a
 * thread cannot be stopped by the signal, and one in sigwait() would take
 * it for its own: it is not sent. */
static bool blocks_signal(pid_t tid, int sig)
{
    char buf[2048], want[16];
    int k = snprintf(want, sizeof want, "%d ", (int)SYS_rt_sigtimedwait);
    if (read_proc(tid, "syscall", buf, 64) > 0 && strncmp(buf, want, (size_t)k) == 0)
        return true;
    if (read_proc(tid, "status", buf, sizeof buf) <= 0)
        return false;
    const char *p = strstr(buf, "SigBlk:");
    if (!p)
        return false;
    p += 7;
    while (*p == ' ' || *p == '\t')
        p++;
    unsigned long long mask = 0;
    for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
        mask = mask * 16 + (unsigned)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
    return (mask >> (sig - 1)) & 1;
}

static long remaining_ms(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int lt_world_stop(struct lt_world *w, int timeout_ms, bool final)
{
    enum { MAXTASKS = 65536, SPARE = 256 };
    memset(w, 0, sizeof *w);
    w->all_stopped = true;
    /* No thread was ever created (glibc's flag; a task cloned behind
     * glibc's back would already break glibc's malloc, which skips its
     * locks on the same flag): alone, without listing /proc/self/task
     * (an open, two getdents and a close in every short process). */
    if (__libc_single_threaded)
        return 0;
    static pid_t tids[MAXTASKS];
    int n = lt_threads_list(getpid(), my_tid(), tids, MAXTASKS);
    if (n == 0)
        return 0;        /* alone: no other task could start one meanwhile; no tracer needed */
    if (n < 0) {
        /* No /proc (a bare container): the threads we know of; others may
         * exist, so libc's state is not to be touched. */
        n = 0;
        w->all_stopped = false;
        lt_lock(&registry_lock);
        for (struct lt_thread_rec *r = registry; r && n < MAXTASKS; r = r->next)
            if (r->state == LT_THREAD_LIVE && r->tid != my_tid())
                tids[n++] = r->tid;
        lt_unlock(&registry_lock);
    }
    w->cap = n + SPARE;
    w->bytes = (size_t)w->cap * sizeof *w->v;
    w->v = lt_arena_alloc(w->bytes);
    if (!w->v) {
        w->all_stopped = w->all_stopped && n == 0;
        return -1;
    }
    memset(w->v, 0, w->bytes);
    w->n = n;
    lt_lock(&registry_lock);
    for (int i = 0; i < n; i++) {
        w->v[i].tid = tids[i];
        for (struct lt_thread_rec *r = registry; r; r = r->next)
            if (r->tid == tids[i] && r->state == LT_THREAD_LIVE)
                w->v[i].rec = r;
    }
    lt_unlock(&registry_lock);

    __atomic_store_n(&acks, 0, __ATOMIC_RELEASE);
    stopping = w;
    /* First choice: ptrace, which the program cannot see (ptstop.c). The
     * tracer also finds threads created meanwhile. The stop signal's
     * handler is installed only when it is first needed. */
    if (lt_ptstop_stop(w, final, timeout_ms) == 0)
        return 0;
    install_handler();
    int expected = 0;
    for (int i = 0; i < n; i++) {
        if (blocks_signal(w->v[i].tid, stop_sig)) {
            w->all_stopped = false;        /* known at once: it will not stop */
            continue;
        }
        if (syscall(SYS_tgkill, getpid(), w->v[i].tid, stop_sig) == 0)
            expected++;
        else
            w->v[i].acked = -1;           /* gone already */
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    for (;;) {
        int got = __atomic_load_n(&acks, __ATOMIC_ACQUIRE);
        if (got >= expected)
            break;
        long ms = remaining_ms(&deadline);
        if (ms <= 0)
            break;
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
        syscall(SYS_futex, &acks, FUTEX_WAIT_PRIVATE, got, &ts, NULL, 0);
    }
    for (int i = 0; i < n; i++)
        if (__atomic_load_n(&w->v[i].acked, __ATOMIC_ACQUIRE) == 0)
            w->all_stopped = false;
    return 0;
}

void lt_world_keep(struct lt_world *w)
{
    (void)w;
    stopping = NULL;     /* w dies with the check's frame; the threads stay where they are */
}

void lt_world_resume(struct lt_world *w)
{
    stopping = NULL;
    __atomic_fetch_add(&release_gen, 1, __ATOMIC_ACQ_REL);
    lt_futex_wake(&release_gen, 1 << 30);
    lt_ptstop_resume(w);
    if (w->v)
        lt_arena_free(w->v, w->bytes);
    w->v = NULL;
    w->n = 0;
}
