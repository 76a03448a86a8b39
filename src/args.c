/* args.c — the program's command line as it was started (see args.h). */
#include "args.h"
#include "arena.h"
#include <string.h>

static int nargs;
static char **copy;

/* glibc calls ELF constructors with (argc, argv, envp) (elf/dl-init.c). */
__attribute__((constructor)) static void capture(int argc, char **argv, char **envp)
{
    (void)envp;
    if (argc <= 0 || !argv)
        return;
    size_t len = ((size_t)argc + 1) * sizeof(char *);
    for (int i = 0; i < argc; i++)
        len += (argv[i] ? strlen(argv[i]) : 0) + 1;
    char **v = lt_arena_bump(len);
    if (!v)
        return;
    char *p = (char *)(v + argc + 1);
    for (int i = 0; i < argc; i++) {
        size_t n = argv[i] ? strlen(argv[i]) : 0;
        if (n)
            memcpy(p, argv[i], n);
        p[n] = 0;
        v[i] = p;
        p += n + 1;
    }
    v[argc] = NULL;
    copy = v;
    nargs = argc;
}

int lt_args_argc(void) { return copy ? nargs : 0; }
char **lt_args_argv(void) { return copy; }

static size_t escaped(const char *s, char *out, bool backslashes)
{
    size_t k = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c >= 0x80) {
            if (out)
                out[k] = '_';
            k++;
            continue;
        }
        if (backslashes && strchr(" \\<>", *c)) {
            if (out)
                out[k] = '\\';
            k++;
        }
        if (out)
            out[k] = (char)*c;
        k++;
    }
    return k;
}

char *lt_args_command_line(bool backslashes)
{
    if (!copy)
        return NULL;
    size_t len = 1;
    for (int i = 0; i < nargs; i++)
        len += escaped(copy[i], NULL, backslashes) + 1;
    char *s = lt_arena_bump(len);
    if (!s)
        return NULL;
    size_t k = 0;
    for (int i = 0; i < nargs; i++) {
        if (i)
            s[k++] = ' ';
        k += escaped(copy[i], s + k, backslashes);
    }
    s[k] = 0;
    return s;
}
