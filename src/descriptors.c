/* descriptors.c — the tool owns no file descriptor the program can see.
 *
 * Promises (issue 11, item 1; DESIGN decision 10):
 *  - libunwind's memory-validation pipe never exists. libunwind 1.6
 *    (src/x86_64/Ginit.c) opens it with pipe2(O_CLOEXEC|O_NONBLOCK) on the
 *    lowest free descriptors, and validates an address by read()ing one
 *    byte from its read end and writing one byte of the address to its
 *    write end (syscall(SYS_write, ...) in Debian's 1.6.2, write() in
 *    others). After a daemon's close_range(3, ~0U) those numbers are the
 *    program's own files. Here the pipe2 libunwind makes while the thread
 *    is inside the tool gets two numbers no process can ever have open
 *    (INT_MAX-1, INT_MAX: above the kernel's fs.nr_open ceiling), and the
 *    calls on them are answered without a descriptor: read says EAGAIN
 *    (libunwind keeps its "pipe"), close succeeds, and the write is a
 *    readability probe — rt_sigprocmask with an invalid `how` copies the
 *    new set from the address before it checks `how` (kernel/signal.c), so
 *    EFAULT means unreadable and EINVAL readable, and no state changes.
 *  - No descriptor is kept for the report: stderr is used as fd 2 while
 *    fd 2 is still the original (output.c checks), and a copy is made only
 *    at the moment the program closes or replaces fd 2 (close, dup2, dup3,
 *    close_range, freopen(stderr), daemon), at the top of its
 *    RLIMIT_NOFILE where open() reaches it last; the program's close() and
 *    close_range() pass it over (close answers EBADF, as without the tool).
 *  - Inside the tool (libunwind, libdw) read, write, open, close and msync
 *    are plain system calls (through glibc's syscall(), which is not a
 *    cancellation point): glibc's wrappers are (POSIX), and malloc must not
 *    become one.
 *  - Every other call is the program's, forwarded unchanged. */
#include "lt.h"
#include "output.h"
#include "unwmask.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LT_STR_(x) #x
#define LT_STR(x) LT_STR_(x)

#define UNW_PIPE_R (INT_MAX - 1)
#define UNW_PIPE_W INT_MAX

static inline bool is_unw_fd(long fd)
{
    return LT_UNLIKELY((int)fd >= UNW_PIPE_R && fd <= INT_MAX);
}

static inline long raw6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* glibc's syscall(): the tool's own system calls (and the program's
 * syscall() calls, through the stub below) keep being made from libc's
 * code, as before this file existed: a signal handler that looks at the
 * interrupted address (to stay out of libc, or out of the tool) sees what
 * it saw without these interposers. Raw before it is resolved. */
long (*lt_libc_syscall)(long, ...) LT_HIDDEN;

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    long (*fn)(long, ...) = __atomic_load_n(&lt_libc_syscall, __ATOMIC_ACQUIRE);
    if (!fn)
        return raw6(n, a, b, c, d, e, f);
    int saved = errno;
    long r = fn(n, a, b, c, d, e, f);
    if (r == -1) {
        r = -errno;
        errno = saved;
    }
    return r;
}

static inline long to_errno(long r)
{
    if ((unsigned long)r > -4096UL) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

/* libunwind's write of one byte from addr: 1 if addr is readable, else
 * -1/EFAULT, as the pipe would answer. errno is left alone on success
 * (libunwind loops while errno == EINTR; its read just set EAGAIN). */
static long probe_readable(uintptr_t addr)
{
    long r = sys6(SYS_rt_sigprocmask, -1, (long)(addr & ~(uintptr_t)7), 0, 8, 0, 0);
    if (r == -EFAULT) {
        errno = EFAULT;
        return -1;
    }
    return 1;
}

/* ---- the stderr copy ------------------------------------------------------- */

static int stash_fd = -1;
static pid_t fd_owner;        /* the process whose descriptor table stash_fd is in */

static void after_fork_child(void)
{
    fd_owner = (pid_t)raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

static void resolve_next(void);

/* Every next definition is looked up here, before the program runs: a
 * dlsym on one of its threads would reset that thread's dlerror state
 * (glibc: every dl* call does), so a program that calls dlerror() after a
 * failed dlopen/dlsym and a read() or close() in between would find its
 * error gone. */
__attribute__((constructor)) static void descriptors_init(void)
{
    lt_tls.busy++;
    __atomic_store_n(&lt_libc_syscall, (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall"), __ATOMIC_RELEASE);
    lt_tls.busy--;
    resolve_next();
    fd_owner = (pid_t)raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
    pthread_atfork(NULL, NULL, after_fork_child);
}

/* Called before the program closes or replaces fd 2. Not in a vfork
 * child (it shares our memory, not our descriptor table, and runs no
 * atfork handler: its pid is not fd_owner). */
static void before_stderr_change(void)
{
    if (stash_fd >= 0 || lt_state == LT_STATE_OFF || raw6(SYS_getpid, 0, 0, 0, 0, 0, 0) != fd_owner)
        return;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 64 || rl.rlim_cur > INT_MAX)
        return;        /* a tiny table: every slot is the program's */
    int fd = lt_output_stash_stderr((int)rl.rlim_cur - 1);
    if (fd >= 0)
        stash_fd = fd;
}

/* close_range over [lo, hi] except the stash (a daemon's close_range(3, ~0U)). */
static long close_range_around(unsigned lo, unsigned hi, unsigned flags)
{
    if (lo <= 2 && hi >= 2 && (flags & CLOSE_RANGE_CLOEXEC) == 0)
        before_stderr_change();
    int s = stash_fd;
    if (s < 0 || (unsigned)s < lo || (unsigned)s > hi)
        return sys6(SYS_close_range, lo, hi, flags, 0, 0, 0);
    long r = 0;
    if ((unsigned)s > lo)
        r = sys6(SYS_close_range, lo, (unsigned)s - 1, flags, 0, 0, 0);
    if (r == 0 && (unsigned)s < hi)
        r = sys6(SYS_close_range, (unsigned)s + 1, hi, flags, 0, 0, 0);
    return r;
}

static long close_fd(long fd)
{
    if (is_unw_fd(fd))
        return 0;
    if (fd == 2)
        before_stderr_change();
    if (stash_fd >= 0 && fd == stash_fd)
        return -EBADF;        /* the program never had it */
    return sys6(SYS_close, fd, 0, 0, 0, 0, 0);
}

/* ---- syscall(2) ---------------------------------------------------------------
 * An assembly stub: every number but write, close and close_range goes on
 * to glibc's syscall (or straight to the kernel before it is known) with
 * the caller's stack untouched (a vfork or clone through it must not find
 * a C frame). */
long lt_syscall_slow(long n, long a, long b, long c, long d, long e, long f) LT_HIDDEN;
long lt_syscall_error(long r) LT_HIDDEN;

long lt_syscall_error(long r)
{
    errno = (int)-r;
    return -1;
}

long lt_syscall_slow(long n, long a, long b, long c, long d, long e, long f)
{
    if (n == SYS_write && is_unw_fd(a))
        return probe_readable((uintptr_t)b);
    if (n == SYS_close)
        return to_errno(close_fd(a));
    if (n == SYS_close_range)
        return to_errno(close_range_around((unsigned)a, (unsigned)b, (unsigned)c));
    return to_errno(sys6(n, a, b, c, d, e, f));
}

__asm__(".text\n"
        ".globl syscall\n"
        ".type syscall,@function\n"
        "syscall:\n"
        "    .cfi_startproc\n"
        "    cmpq $" LT_STR(SYS_write) ", %rdi\n"
        "    je 1f\n"
        "    cmpq $" LT_STR(SYS_close) ", %rdi\n"
        "    je 1f\n"
        "    cmpq $" LT_STR(SYS_close_range) ", %rdi\n"
        "    je 1f\n"
        "    movq lt_libc_syscall(%rip), %rax\n"
        "    testq %rax, %rax\n"
        "    jz 3f\n"
        "    jmp *%rax\n"
        "3:  movq %rdi, %rax\n"
        "    movq %rsi, %rdi\n"
        "    movq %rdx, %rsi\n"
        "    movq %rcx, %rdx\n"
        "    movq %r8, %r10\n"
        "    movq %r9, %r8\n"
        "    movq 8(%rsp), %r9\n"
        "    syscall\n"
        "    cmpq $-4095, %rax\n"
        "    jae 2f\n"
        "    ret\n"
        "1:  jmp lt_syscall_slow\n"
        "2:  movq %rax, %rdi\n"
        "    jmp lt_syscall_error\n"
        "    .cfi_endproc\n"
        ".size syscall, .-syscall\n");

/* ---- the descriptor calls ------------------------------------------------- */

static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_open)(const char *, int, ...);
static int (*real_close)(int);
static int (*real_msync)(void *, size_t, int);

#define REAL(fn) LT_NEXT(real_##fn, #fn)

LT_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    if (is_unw_fd(fd)) {
        errno = EAGAIN;        /* an empty non-blocking pipe: libunwind keeps it */
        return -1;
    }
    if (LT_UNLIKELY(lt_tls.busy))
        return to_errno(sys6(SYS_read, fd, (long)buf, (long)n, 0, 0, 0));
    return REAL(read)(fd, buf, n);
}

LT_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    if (is_unw_fd(fd))
        return probe_readable((uintptr_t)buf);
    if (LT_UNLIKELY(lt_tls.busy))
        return to_errno(sys6(SYS_write, fd, (long)buf, (long)n, 0, 0, 0));
    return REAL(write)(fd, buf, n);
}

LT_EXPORT int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | __O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (LT_UNLIKELY(lt_tls.busy))
        return (int)to_errno(sys6(SYS_openat, AT_FDCWD, (long)path, flags, mode, 0, 0));
    return REAL(open)(path, flags, mode);
}

LT_EXPORT int close(int fd)
{
    if (LT_UNLIKELY(is_unw_fd(fd) || lt_tls.busy))
        return (int)to_errno(close_fd(fd));
    if (fd == 2)
        before_stderr_change();
    if (LT_UNLIKELY(stash_fd >= 0 && fd == stash_fd)) {
        errno = EBADF;
        return -1;
    }
    return REAL(close)(fd);
}

LT_EXPORT int msync(void *addr, size_t len, int flags)
{
    if (LT_UNLIKELY(lt_tls.busy))
        return (int)to_errno(sys6(SYS_msync, (long)addr, (long)len, flags, 0, 0, 0));
    return REAL(msync)(addr, len, flags);
}

/* libunwind's validation pipe (see the top). Only while the thread is
 * inside the tool, from libunwind, with libunwind's flags; the program's
 * own pipes, and a libunwind the program itself initialised first, are
 * real. */
LT_EXPORT int pipe2(int fds[2], int flags)
{
    if (LT_UNLIKELY(lt_tls.busy) && flags == (O_CLOEXEC | O_NONBLOCK)
        && lt_from_libunwind(__builtin_return_address(0))) {
        fds[0] = UNW_PIPE_R;
        fds[1] = UNW_PIPE_W;
        return 0;
    }
    return (int)to_errno(sys6(SYS_pipe2, (long)fds, flags, 0, 0, 0, 0));
}

LT_EXPORT int dup2(int old, int new)
{
    if (new == 2 && old != 2)
        before_stderr_change();
    return (int)to_errno(sys6(SYS_dup2, old, new, 0, 0, 0, 0));
}

LT_EXPORT int dup3(int old, int new, int flags)
{
    if (new == 2 && old != 2)
        before_stderr_change();
    return (int)to_errno(sys6(SYS_dup3, old, new, flags, 0, 0, 0));
}

LT_EXPORT int close_range(unsigned lo, unsigned hi, int flags)
{
    return (int)to_errno(close_range_around(lo, hi, (unsigned)flags));
}

/* glibc replaces fd 2 inside freopen(stderr) and daemon() with its own
 * internal close/dup2, which no interposer sees: the copy is taken here. */
static FILE *(*real_freopen)(const char *, const char *, FILE *);
static FILE *(*real_freopen64)(const char *, const char *, FILE *);
static int (*real_daemon)(int, int);

LT_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
    if (stream == stderr)
        before_stderr_change();
    return REAL(freopen)(path, mode, stream);
}

LT_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
    if (stream == stderr)
        before_stderr_change();
    return REAL(freopen64)(path, mode, stream);
}

LT_EXPORT int daemon(int nochdir, int noclose)
{
    if (!noclose)
        before_stderr_change();
    return REAL(daemon)(nochdir, noclose);
}

static void resolve_next(void)
{
    (void)REAL(read);
    (void)REAL(write);
    (void)REAL(open);
    (void)REAL(close);
    (void)REAL(msync);
    (void)REAL(freopen);
    (void)REAL(freopen64);
    (void)REAL(daemon);
}
