/* children.c — --trace-children=no for every way a program starts another.
 *
 * Promises (issue 11, item 12): with --trace-children=no, a program this
 * one executes through the exec family or posix_spawn runs without the
 * tool: the environment handed to it has this library taken out of
 * LD_PRELOAD (the variable dropped if nothing else is left), whatever
 * environment array the caller built. Removing LD_PRELOAD from environ at
 * start-up (lifecycle.c) is not enough: a shell keeps its own variable
 * table and exports its own getenv/unsetenv (bash), and builds the child's
 * envp itself. Nothing here allocates: an exec may follow vfork (POSIX:
 * only async-signal-safe calls), so the new array and string live on the
 * stack, and the next definitions are resolved at start-up. With
 * --trace-children=yes every call passes through unchanged. Known limit:
 * system() and popen() reach glibc's internal posix_spawn, which no
 * interposer sees; they get environ, cleaned at start-up. */
#include "lt.h"
#include "options.h"
#include <alloca.h>
#include <dlfcn.h>
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execvpe_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
typedef int (*execveat_fn)(int, const char *, char *const[], char *const[], int);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);

static execve_fn real_execve;
static execvpe_fn real_execvpe;
static fexecve_fn real_fexecve;
static execveat_fn real_execveat;
static spawn_fn real_spawn, real_spawnp;

__attribute__((constructor(102))) static void resolve(void)
{
    lt_tls.busy++;
    real_execve = (execve_fn)dlsym(RTLD_NEXT, "execve");
    real_execvpe = (execvpe_fn)dlsym(RTLD_NEXT, "execvpe");
    real_fexecve = (fexecve_fn)dlsym(RTLD_NEXT, "fexecve");
    real_execveat = (execveat_fn)dlsym(RTLD_NEXT, "execveat");
    real_spawn = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawn");
    __atomic_store_n(&real_spawnp, (spawn_fn)dlsym(RTLD_NEXT, "posix_spawnp"), __ATOMIC_RELEASE);
    lt_tls.busy--;
}

static inline void ensure(void)
{
    if (LT_UNLIKELY(!__atomic_load_n(&real_spawnp, __ATOMIC_ACQUIRE)))
        resolve();
}

/* A libc without one of them (execveat: glibc 2.34). */
static int missing(void)
{
    errno = ENOSYS;
    return -1;
}

static bool is_ours(const char *p, size_t n)
{
    const char *base = p;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '/')
            base = p + i + 1;
    return (size_t)(p + n - base) >= 12 && strncmp(base, "libleaktrace", 12) == 0;
}

/* LD_PRELOAD's value without our entries (ld.so separates them by ':' and
 * ' '), into out (at least strlen(value)+1 bytes); false if none was ours. */
static bool strip(const char *value, char *out)
{
    bool found = false;
    size_t k = 0;
    const char *p = value;
    while (*p) {
        size_t n = strcspn(p, ": ");
        if (n && is_ours(p, n)) {
            found = true;
        } else if (n) {
            if (k)
                out[k++] = ':';
            memcpy(out + k, p, n);
            k += n;
        }
        p += n;
        while (*p == ':' || *p == ' ')
            p++;
    }
    out[k] = 0;
    return found;
}

/* The child's environment: envp itself when the tool follows children or
 * nothing of ours is in it, else a copy (on the caller's stack: the macro
 * below) without us. */
static size_t env_count(char *const envp[])
{
    size_t n = 0;
    while (envp && envp[n])
        n++;
    return n;
}

static char *const *filter(char *const envp[], char **copy, char *buf)
{
    size_t j = 0;
    bool changed = false;
    for (size_t i = 0; envp[i]; i++) {
        if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0) {
            memcpy(buf, "LD_PRELOAD=", 11);
            if (strip(envp[i] + 11, buf + 11)) {
                changed = true;
                if (buf[11])
                    copy[j++] = buf;
                continue;
            }
        }
        copy[j++] = envp[i];
    }
    copy[j] = NULL;
    return changed ? copy : envp;
}

static size_t preload_len(char *const envp[])
{
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0)
            return strlen(envp[i]) + 1;
    return 1;
}

/* Before the options are read (an exec from another library's
 * constructor) the tool follows, as by default. */
#define CHILD_ENV(envp)                                                                    \
    (ensure(), lt_state == LT_STATE_OFF || lt_opt.trace_children || !(envp)               \
         ? (envp)                                                                          \
         : filter((envp), alloca((env_count(envp) + 1) * sizeof(char *)),                  \
                  alloca(preload_len(envp))))

LT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    return real_execve(path, argv, CHILD_ENV(envp));
}

LT_EXPORT int execv(const char *path, char *const argv[])
{
    return real_execve(path, argv, CHILD_ENV(environ));
}

LT_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return real_execvpe(file, argv, CHILD_ENV(envp));
}

LT_EXPORT int execvp(const char *file, char *const argv[])
{
    return real_execvpe(file, argv, CHILD_ENV(environ));
}

LT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    return real_fexecve(fd, argv, CHILD_ENV(envp));
}

LT_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
    ensure();
    if (!real_execveat)
        return missing();
    return real_execveat(dirfd, path, argv, CHILD_ENV(envp), flags);
}

LT_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    return real_spawn(pid, path, fa, attr, argv, CHILD_ENV(envp));
}

LT_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    return real_spawnp(pid, file, fa, attr, argv, CHILD_ENV(envp));
}

/* execl, execle, execlp: the list becomes an array on the stack (POSIX:
 * the list ends with a null pointer; execle's envp follows it). */
#define COLLECT_ARGS(first, argv, ap)                                                      \
    do {                                                                                   \
        size_t n_ = 1;                                                                     \
        va_start(ap, first);                                                               \
        while (va_arg(ap, char *))                                                         \
            n_++;                                                                          \
        va_end(ap);                                                                        \
        argv = alloca((n_ + 1) * sizeof(char *));                                          \
        argv[0] = (char *)(first);                                                         \
        va_start(ap, first);                                                               \
        for (size_t i_ = 1; i_ <= n_; i_++)                                                \
            argv[i_] = va_arg(ap, char *);                                                 \
    } while (0)

LT_EXPORT int execl(const char *path, const char *arg, ...)
{
    char **argv;
    va_list ap;
    COLLECT_ARGS(arg, argv, ap);
    va_end(ap);
    return real_execve(path, argv, CHILD_ENV(environ));
}

LT_EXPORT int execlp(const char *file, const char *arg, ...)
{
    char **argv;
    va_list ap;
    COLLECT_ARGS(arg, argv, ap);
    va_end(ap);
    return real_execvpe(file, argv, CHILD_ENV(environ));
}

LT_EXPORT int execle(const char *path, const char *arg, ...)
{
    char **argv;
    va_list ap;
    COLLECT_ARGS(arg, argv, ap);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return real_execve(path, argv, CHILD_ENV(envp));
}
