// Sixteen libraries with __thread data, dlopen'ed and touched by the main
// thread. glibc's TLS vector of the main thread has room for 14 dlopen'ed
// modules, so touching them makes ld.so resize it with malloc from
// __tls_get_addr — and libunwind's own TLS access inside the tool's stack
// capture can be the first to trigger that. The resized vector must be
// tracked (the threads' dynamic TLS blocks hang off it): none of those
// blocks may come out definitely lost. Valgrind: the vector and the 16 TLS
// blocks are "possibly lost" (the vector is known only through an interior
// pointer); the tool counts the vector reachable and its default
// suppressions hide glibc's TLS blocks. So: no definite, no possible.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0..100000/0..100 suppressed 1600..4000/17
#include "scenario.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/wait.h>

#ifndef NLIBS
#define NLIBS 16
#endif
extern char **environ;
static void *handles[NLIBS];

/* gcc runs with the tool taken out of its environment. */
static void build(const char *src, const char *out)
{
    static char *env[256];
    int n = 0;
    for (char **e = environ; *e && n < 255; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0 && strncmp(*e, "LEAKTRACE_OPTIONS=", 18) != 0)
            env[n++] = *e;
    env[n] = NULL;
    char *argv[] = {"gcc", "-shared", "-fPIC", "-O0", "-o", (char *)out, (char *)src, NULL};
    pid_t pid = fork();
    SCN_CHECK(pid >= 0);
    if (pid == 0) {
        execvpe("gcc", argv, env);
        _exit(127);
    }
    int st = 0;
    SCN_CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static NOINLINE void load_and_touch(void)
{
    char src[64], so[64], text[256], sym[32];
    for (int i = 0; i < NLIBS; i++) {
        snprintf(src, sizeof src, "lt_tls%d.c", i);
        snprintf(so, sizeof so, "./lt_tls%d.so", i);
        snprintf(text, sizeof text, "__thread char buf%d[100];\nchar *get%d(void) { buf%d[0] = 1; return buf%d; }\n",
                 i, i, i, i);
        int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        SCN_CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
        build(src, so);
        unlink(src);
        handles[i] = dlopen(so, RTLD_NOW);
        SCN_CHECK(handles[i] != NULL);
    }
    for (int i = 0; i < NLIBS; i++) {
        snprintf(sym, sizeof sym, "get%d", i);
        char *(*get)(void) = (char *(*)(void))dlsym(handles[i], sym);
        SCN_CHECK(get != NULL && get() != NULL);
    }
}

#ifdef LEAK_ONE
/* A lost block: the report then names frames, so the tool loads libdw. */
static NOINLINE void leak_one(void) { launder_ptr(malloc(48)); }
#endif

int main(void)
{
#ifdef LEAK_ONE
    leak_one();
#endif
    load_and_touch();
    say("touched\n");
    scrub();
    return 0;
}
