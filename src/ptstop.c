/* ptstop.c — stopping the world with ptrace from a helper task (see ptstop.h).
 *
 * Why: a stop by signal is visible to the program. Its handler interrupts
 * poll/select/epoll_wait (they fail with EINTR whatever SA_RESTART says:
 * signal(7)), a thread that blocks every signal never stops, and one in
 * sigwaitinfo() takes the signal for its own. A ptrace stop is none of
 * that: the kernel restarts the interrupted system call on its own
 * (ERESTARTNOHAND and friends are restarted when no handler runs), the
 * signal mask does not matter, nothing is delivered. LeakSanitizer stops
 * the world the same way (sanitizer_stoptheworld_linux_libcdep.cpp).
 *
 * How: the checking thread clones a task that shares the address space,
 * files and cwd but is not a thread of the process (no CLONE_THREAD: a
 * thread cannot ptrace its own thread group, and the program's thread
 * count, /proc/self/task and unshare(CLONE_NEWUSER) stay as they were),
 * with exit signal 0 (no SIGCHLD; only a __WCLONE/__WALL wait sees it),
 * CLONE_UNTRACED (a debugger tracing the program does not follow it), on
 * the tool's auxiliary stack. It runs on the checking thread's TLS, which
 * is blocked meanwhile; it uses raw system calls only. The checking thread
 * allows it with PR_SET_PTRACER, only where Yama's ptrace_scope is 1 (the
 * one setting where it is needed: the tracer is our child, not our
 * ancestor). That setting cannot be read back, so a PR_SET_PTRACER of the
 * program's own (a crash reporter's) is replaced by ours; it is left in
 * place afterwards (as LeakSanitizer does), naming a task that is gone.
 *
 * The tracer PTRACE_SEIZEs each task, PTRACE_INTERRUPTs it (a
 * PTRACE_EVENT_STOP, no SIGSTOP), reads its registers (the roots), and
 * then looks at the thread's lt_tls (initial-exec TLS: at a fixed offset
 * from its fs base): a thread stopped inside the tool or inside
 * pthread_create (`busy`, `nopark`) may hold a lock the check needs, so it
 * is let go with `park_pending` set and parks itself when it leaves the
 * tool (threads.c), after which it is stopped again. A signal that came in
 * during the stop is held and delivered at detach.
 *
 * Not stopped, for a check the program goes on after: a thread blocked in
 * a system call that a stop makes fail with EINTR even under ptrace
 * (signal(7), "interruption by stop signals": epoll_wait, epoll_pwait,
 * sigtimedwait/sigwaitinfo, semop, semtimedop): its stack is read from
 * the stack pointer /proc/PID/task/TID/syscall gives, and the world is
 * not `all_stopped`. Where ptrace is refused (the program is traced by a
 * debugger or strace, a seccomp filter, no permission), nothing is
 * changed and the caller stops the world with signals (threads.c). */
#include "ptstop.h"
#include "toolstack.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#if defined(__x86_64__)

enum { PT_RUNNING = 0, PT_STOPPED = 1, PT_DENIED = -1, PT_DONE = 2 };

struct pt_job {
    struct lt_world *w;
    pid_t pid, self;          /* the process, the checking thread */
    bool final;
    int timeout_ms;
    uintptr_t tls_off;        /* &lt_tls minus the thread pointer (same in every thread) */
    uintptr_t my_fs;
    int go;                   /* futex: 1 once the tracer may attach */
    int state;                /* futex: PT_* */
    int cmd;                  /* futex: 1 = detach and exit */
};

static struct pt_job job;

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
    long r;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return r;
}

static long pt(long req, pid_t tid, long addr, long data) { return sys(SYS_ptrace, req, tid, addr, data, 0, 0); }

static void futex_wait(int *uaddr, int val, long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    sys(SYS_futex, (long)uaddr, FUTEX_WAIT, val, ms >= 0 ? (long)&ts : 0, 0, 0);
}

static void futex_wake(int *uaddr) { sys(SYS_futex, (long)uaddr, FUTEX_WAKE, 1 << 30, 0, 0, 0); }

static void nap(long us)
{
    struct timespec ts = { 0, us * 1000 };
    sys(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
}

static long now_ms(void)
{
    struct timespec ts;
    sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "/proc/PID/task/TID/<leaf>" into buf; returns bytes read or -1. */
static long read_task_file(pid_t pid, pid_t tid, const char *leaf, char *buf, size_t size)
{
    char path[96], *p = path;
    const char *pre = "/proc/";
    while (*pre)
        *p++ = *pre++;
    char num[16];
    int k;
    for (int pass = 0; pass < 2; pass++) {
        long v = pass ? tid : pid;
        k = 0;
        do num[k++] = (char)('0' + v % 10); while ((v /= 10) && k < 15);
        while (k)
            *p++ = num[--k];
        const char *mid = pass ? "/" : "/task/";
        while (*mid)
            *p++ = *mid++;
    }
    while (*leaf)
        *p++ = *leaf++;
    *p = 0;
    long fd = sys(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return -1;
    long n = sys(SYS_read, fd, (long)buf, (long)size - 1, 0, 0, 0);
    sys(SYS_close, fd, 0, 0, 0, 0, 0);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return n;
}

static const char *parse_num(const char *s, unsigned long *v, int base)
{
    *v = 0;
    if (base == 16 && s[0] == '0' && s[1] == 'x')
        s += 2;
    for (;; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else
            break;
        *v = *v * (unsigned)base + (unsigned)d;
    }
    return s;
}

/* Blocked in a system call a stop would make fail with EINTR? Then its
 * stack pointer. /proc/.../syscall: "NR a1 a2 a3 a4 a5 a6 SP PC". */
static bool blocked_eintr(pid_t pid, pid_t tid, uintptr_t *sp)
{
    char buf[256];
    if (read_task_file(pid, tid, "syscall", buf, sizeof buf) <= 0 || buf[0] < '0' || buf[0] > '9')
        return false;
    unsigned long nr, v = 0;
    const char *s = parse_num(buf, &nr, 10);
    switch (nr) {
    case SYS_epoll_wait: case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
    case SYS_rt_sigtimedwait: case SYS_semop: case SYS_semtimedop:
        break;
    default:
        return false;
    }
    for (int i = 0; i < 7 && *s == ' '; i++)
        s = parse_num(s + 1, &v, 16);
    *sp = v;
    return v != 0;
}

/* A zombie or dead task (an exited main thread stays as a zombie leader). */
static bool gone(pid_t pid, pid_t tid)
{
    char buf[512];
    if (read_task_file(pid, tid, "stat", buf, sizeof buf) <= 0)
        return false;       /* unknown (no /proc): ptrace's refusal stands */
    const char *p = buf + strlen(buf);
    while (p > buf && *p != ')')
        p--;
    return p[0] == ')' && (p[2] == 'Z' || p[2] == 'X');
}

static void set_regs(struct lt_stopped *t, const struct user_regs_struct *r)
{
    const unsigned long long v[LT_NREGS] = { r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
                                             r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15 };
    for (int i = 0; i < LT_NREGS; i++)
        t->regs[i] = (uintptr_t)v[i];
    t->sp = (uintptr_t)r->rsp;
}

static long deadline_ms;      /* of the whole stop (set by the tracer) */

/* Waits for the next stop of a seized task, until the stop's deadline: a
 * task in an uninterruptible sleep (a vfork parent, a D-state read) stops
 * only when it leaves it. Returns 1 stopped, 0 gone, -2 not stopped in time
 * (it stays attached and running; the kernel detaches it when the tracer
 * exits). */
static int wait_stop(struct lt_stopped *t)
{
    long us = 20;
    for (;;) {
        int st = 0;
        long r = sys(SYS_wait4, t->tid, (long)&st, __WALL | WNOHANG, 0, 0, 0);
        if (r == -EINTR)
            continue;
        if (r == 0) {
            if (now_ms() > deadline_ms) {
                t->running = true;
                return -2;
            }
            nap(us);
            if (us < 1000)
                us *= 2;
            continue;
        }
        if (r < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
            t->attached = false;
            t->acked = -1;
            return 0;
        }
        if (!WIFSTOPPED(st))
            continue;
        int sig = WSTOPSIG(st), event = st >> 16;
        if (event == 0 && sig != SIGTRAP && !t->inject_sig)
            t->inject_sig = sig;      /* signal-delivery-stop: hold it for the detach */
        t->running = false;
        return 1;
    }
}

/* Seizes and stops one task. Returns 1 stopped, 0 gone, -1 ptrace refused. */
static int attach(struct pt_job *j, struct lt_stopped *t)
{
    if (!j->final && blocked_eintr(j->pid, t->tid, &t->sp)) {
        t->blocked = true;
        t->acked = 1;
        j->w->all_stopped = false;
        return 1;
    }
    long r = pt(PTRACE_SEIZE, t->tid, 0, 0);
    if (r == -ESRCH || (r == -EPERM && gone(j->pid, t->tid))) {
        t->acked = -1;
        return 0;
    }
    if (r < 0)
        return -1;
    t->attached = true;
    t->running = true;
    if (pt(PTRACE_INTERRUPT, t->tid, 0, 0) < 0) {
        t->acked = -1;
        return 0;
    }
    int r2 = wait_stop(t);
    if (r2 == -2) {
        j->w->all_stopped = false;    /* not stopped: scanned whole, as a thread that did not park */
        return 1;
    }
    if (r2 == 0)
        return 0;
    struct user_regs_struct regs;
    if (pt(PTRACE_GETREGS, t->tid, 0, (long)&regs) < 0)
        return 0;
    set_regs(t, &regs);
    /* xmm0-15 from the FXSAVE area (struct user_fpregs_struct). */
    struct user_fpregs_struct fpregs;
    _Static_assert(sizeof fpregs.xmm_space == sizeof t->vregs, "16 xmm registers, 2 words each");
    if (pt(PTRACE_GETFPREGS, t->tid, 0, (long)&fpregs) == 0)
        memcpy(t->vregs, fpregs.xmm_space, sizeof t->vregs);
    t->fs = (uintptr_t)regs.fs_base;
    t->acked = 1;
    return 1;
}

/* An int of a stopped tracee's memory (an aligned word around it). */
static int peek_int(pid_t tid, uintptr_t addr, int *out)
{
    uintptr_t word = addr & ~(uintptr_t)7;
    unsigned long v;
    if (pt(PTRACE_PEEKDATA, tid, (long)word, (long)&v) != 0)
        return -1;
    memcpy(out, (char *)&v + (addr - word), sizeof *out);
    return addr - word + sizeof *out <= 8 ? 0 : -1;
}

static int poke_int(pid_t tid, uintptr_t addr, int val)
{
    uintptr_t word = addr & ~(uintptr_t)7;
    unsigned long v;
    if (addr - word + sizeof val > 8 || pt(PTRACE_PEEKDATA, tid, (long)word, (long)&v) != 0)
        return -1;
    memcpy((char *)&v + (addr - word), &val, sizeof val);
    return pt(PTRACE_POKEDATA, tid, (long)word, (long)v) == 0 ? 0 : -1;
}

/* Does this task have a TLS block of its own (a thread made by
 * pthread_create, or one whose thread pointer no other task shares)? A raw
 * clone() task without CLONE_SETTLS runs on its creator's. */
static bool own_tls(struct pt_job *j, int i)
{
    struct lt_world *w = j->w;
    if (w->v[i].rec)
        return true;
    if (!w->v[i].fs || w->v[i].fs == j->my_fs)
        return false;
    for (int k = 0; k < w->n; k++)
        if (k != i && w->v[k].fs == w->v[i].fs)
            return false;
    return true;
}

static void detach(struct lt_stopped *t)
{
    if (!t->attached)
        return;
    if (t->running) {
        if (pt(PTRACE_INTERRUPT, t->tid, 0, 0) < 0 || wait_stop(t) != 1)
            return;
    }
    pt(PTRACE_DETACH, t->tid, 0, t->inject_sig);
    t->inject_sig = 0;
    t->attached = false;
}

static int tracer_main(void *arg)
{
    struct pt_job *j = arg;
    struct lt_world *w = j->w;
    /* Dies with the checking thread, which stays in exit_group after a
     * final check: then the stopped threads die with the process. */
    sys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
    while (__atomic_load_n(&j->go, __ATOMIC_ACQUIRE) == 0)
        futex_wait(&j->go, 0, 100);

    deadline_ms = now_ms() + j->timeout_ms;
    int result = PT_STOPPED;
    int done = 0;
    for (int round = 0; round < 8 && result == PT_STOPPED; round++) {
        for (int i = done; i < w->n; i++) {
            if (attach(j, &w->v[i]) < 0) {
                result = PT_DENIED;
                break;
            }
        }
        done = w->n;
        if (result != PT_STOPPED)
            break;
        /* Threads created meanwhile by threads not yet stopped. */
        static pid_t tids[4096];
        int m = lt_threads_list(j->pid, j->self, tids, 4096);
        bool added = false;
        for (int k = 0; k < m; k++) {
            bool known = false;
            for (int i = 0; i < w->n && !known; i++)
                known = w->v[i].tid == tids[k];
            if (known)
                continue;
            if (w->n == w->cap) {
                w->all_stopped = false;   /* no room: it runs on, and is scanned whole */
                continue;
            }
            memset(&w->v[w->n], 0, sizeof w->v[0]);
            w->v[w->n++].tid = tids[k];
            added = true;
        }
        if (!added)
            break;
    }
    if (result == PT_DENIED) {
        for (int i = 0; i < w->n; i++) {
            detach(&w->v[i]);
            w->v[i].acked = 0;
            w->v[i].blocked = false;
        }
        __atomic_store_n(&j->state, PT_DENIED, __ATOMIC_RELEASE);
        futex_wake(&j->state);
        return 0;
    }

    /* Threads stopped inside the tool: let them leave it and park. */
    bool any = false;
    for (int i = 0; i < w->n; i++) {
        struct lt_stopped *t = &w->v[i];
        if (!t->attached || t->acked != 1 || !own_tls(j, i))
            continue;
        /* Read through ptrace, not directly: the thread pointer of a task
         * the tool did not start may not lead to an lt_tls at all. */
        uintptr_t tls = t->fs + j->tls_off;
        int busy = 0, nopark = 0;
        if (peek_int(t->tid, tls + offsetof(struct lt_tls, busy), &busy) != 0 ||
            peek_int(t->tid, tls + offsetof(struct lt_tls, nopark), &nopark) != 0 || (!busy && !nopark))
            continue;
        if (poke_int(t->tid, tls + offsetof(struct lt_tls, park_pending), 1) != 0)
            continue;
        t->acked = 0;
        if (pt(PTRACE_CONT, t->tid, 0, 0) == 0) {
            t->running = true;
            any = true;
        }
    }
    while (any) {
        any = false;
        for (int i = 0; i < w->n; i++) {
            struct lt_stopped *t = &w->v[i];
            if (!t->attached || !t->running)
                continue;
            int st = 0;
            if (sys(SYS_wait4, t->tid, (long)&st, __WALL | WNOHANG, 0, 0, 0) > 0) {
                if (WIFEXITED(st) || WIFSIGNALED(st)) {
                    t->attached = t->running = false;
                    t->acked = -1;
                    continue;
                }
                /* A signal for it came in: let it have it, it is not stopped yet. */
                int sig = WIFSTOPPED(st) && (st >> 16) == 0 ? WSTOPSIG(st) : 0;
                pt(PTRACE_CONT, t->tid, 0, sig == SIGTRAP ? 0 : sig);
            }
            if (__atomic_load_n(&t->acked, __ATOMIC_ACQUIRE) == 1) {
                /* Parked (threads.c park()): hold it there, so no handler
                 * of the program runs on it during the check. */
                if (pt(PTRACE_INTERRUPT, t->tid, 0, 0) == 0 && wait_stop(t) == -2)
                    w->all_stopped = false;
            } else {
                any = true;
            }
        }
        if (!any)
            break;
        if (now_ms() > deadline_ms) {
            w->all_stopped = false;       /* still inside the tool: runs on */
            break;
        }
        nap(500);
    }

    __atomic_store_n(&j->state, PT_STOPPED, __ATOMIC_RELEASE);
    futex_wake(&j->state);
    while (__atomic_load_n(&j->cmd, __ATOMIC_ACQUIRE) == 0)
        futex_wait(&j->cmd, 0, -1);
    deadline_ms = now_ms() + 200;
    for (int i = 0; i < w->n; i++)
        detach(&w->v[i]);
    __atomic_store_n(&j->state, PT_DONE, __ATOMIC_RELEASE);
    futex_wake(&j->state);
    return 0;
}

static pid_t tracer_pid;

static bool yama_restricted(void)
{
    char c = 0;
    long fd = sys(SYS_openat, AT_FDCWD, (long)"/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return false;
    long n = sys(SYS_read, fd, (long)&c, 1, 0, 0, 0);
    sys(SYS_close, fd, 0, 0, 0, 0, 0);
    return n == 1 && c == '1';
}

int lt_ptstop_stop(struct lt_world *w, bool final, int timeout_ms)
{
    uintptr_t top = lt_toolstack_aux_top();
    if (!top)
        return -1;
    memset(&job, 0, sizeof job);
    job.w = w;
    job.pid = getpid();
    job.self = (pid_t)syscall(SYS_gettid);
    job.final = final;
    job.timeout_ms = timeout_ms;
    job.my_fs = (uintptr_t)__builtin_thread_pointer();
    job.tls_off = (uintptr_t)&lt_tls - job.my_fs;
    w->all_stopped = true;
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED;
    /* The tracer must never run one of the program's signal handlers:
     * without CLONE_SIGHAND it has a copy of them, and it gets a SIGCHLD
     * for every tracee that stops (Go's handler then aborts: "non-Go code
     * disabled sigaltstack"). It inherits the mask it is cloned with, all
     * blocked; wait4 needs no signal. The checking thread's own mask is
     * restored at once (a signal meanwhile is only delayed). */
    sigset_t all, old;
    sigfillset(&all);
    sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, _NSIG / 8, 0, 0);
    pid_t t = clone(tracer_main, (void *)top, flags, &job);
    sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, _NSIG / 8, 0, 0);
    if (t <= 0) {
        w->all_stopped = false;
        return -1;
    }
    tracer_pid = t;
    if (yama_restricted())
        prctl(PR_SET_PTRACER, (unsigned long)t, 0, 0, 0);
    __atomic_store_n(&job.go, 1, __ATOMIC_RELEASE);
    futex_wake(&job.go);
    long deadline = now_ms() + timeout_ms + 5000;
    int st;
    bool reaped = false;
    while ((st = __atomic_load_n(&job.state, __ATOMIC_ACQUIRE)) == PT_RUNNING) {
        if (now_ms() > deadline)
            break;
        /* A seccomp filter may kill the tracer for calling ptrace. */
        if (sys(SYS_wait4, t, 0, __WCLONE | WNOHANG, 0, 0, 0) == t) {
            reaped = true;
            break;
        }
        futex_wait(&job.state, PT_RUNNING, 50);
    }
    if (st != PT_STOPPED) {
        /* Refused (or the tracer is lost): reap it; the caller uses signals. */
        if (!reaped) {
            if (st == PT_RUNNING)
                sys(SYS_kill, t, SIGKILL, 0, 0, 0, 0);
            sys(SYS_wait4, t, 0, __WCLONE, 0, 0, 0);
        }
        /* A tracer that died mid-way left the threads it held detached
         * (the kernel does that); what it recorded is forgotten. */
        for (int i = 0; i < w->n; i++) {
            w->v[i].acked = 0;
            w->v[i].attached = w->v[i].running = w->v[i].blocked = false;
        }
        tracer_pid = 0;
        w->all_stopped = false;
        return -1;
    }
    w->by_ptrace = true;
    return 0;
}

void lt_ptstop_resume(struct lt_world *w)
{
    if (!w->by_ptrace || !tracer_pid)
        return;
    __atomic_store_n(&job.cmd, 1, __ATOMIC_RELEASE);
    futex_wake(&job.cmd);
    while (__atomic_load_n(&job.state, __ATOMIC_ACQUIRE) != PT_DONE)
        futex_wait(&job.state, PT_STOPPED, 200);
    sys(SYS_wait4, tracer_pid, 0, __WCLONE, 0, 0, 0);
    tracer_pid = 0;
    w->by_ptrace = false;
}

#else

int lt_ptstop_stop(struct lt_world *w, bool final, int timeout_ms)
{
    (void)w, (void)final, (void)timeout_ms;
    return -1;
}

void lt_ptstop_resume(struct lt_world *w) { (void)w; }

#endif
