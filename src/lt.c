/* lt.c — state shared by every module: the per-thread guard, the global
 * lifecycle state, and one-line diagnostics. */
#include "lt.h"
#include "output.h"
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <errno.h>
#include <dlfcn.h>
#include <signal.h>
#include <sys/uio.h>

__thread struct lt_tls lt_tls __attribute__((tls_model("initial-exec")));
volatile int lt_state = LT_STATE_OFF;
int lt_err_fd = 2;

void lt_warn(const char *fmt, ...)
{
    char line[1024];
    int saved = errno;
    int n = snprintf(line, sizeof line, "leaktrace: ");
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    int fd = lt_output_diag_fd();
    if (fd < 0) {              /* no safe place to write (output.c) */
        errno = saved;
        return;
    }
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(fd, line + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += w;
    }
    errno = saved;
}

void *lt_next_symbol(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (LT_UNLIKELY(!f)) {
        lt_tls.busy++;              /* dlsym may allocate: the tool's */
        f = dlsym(RTLD_NEXT, name);
        lt_tls.busy--;
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    }
    return f;
}

/* The next sigaction in the lookup order (libc's): signals.c interposes
 * the exported one, and the tool's own handlers must bypass it. */
static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);

int lt_sigaction_real(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!LT_NEXT(real_sigaction, "sigaction")) {
        errno = ENOSYS;
        return -1;
    }
    return real_sigaction(sig, act, old);
}

/* Before the program runs, not at its first sigaction: a dlsym on its
 * thread would reset its dlerror state (descriptors.c). */
__attribute__((constructor)) static void resolve_sigaction(void)
{
    (void)LT_NEXT(real_sigaction, "sigaction");
}

/* Set once the program installs a handler for a sampling signal
 * (signals.c): walks through libunwind then block signals from their
 * start (unwmask.h). */
int lt_sampler_handlers;

/* Reads memory that may not be mapped (an object's notes, a candidate Lua
 * state): a bad address is a failed read (EFAULT), not a SIGSEGV. */
bool lt_safe_read(void *dst, uintptr_t src, size_t n)
{
    struct iovec l = { dst, n }, r = { (void *)src, n };
    return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n;
}
