/* exit_prog.c -- for test_exit_status.py: `exit_prog LEAKS HOW STATUS`
 *   LEAKS  comma list of: none, definite, possible, reachable, tree
 *          (tree = a definite block holding the only pointer to an indirect one)
 *   HOW    return | exit | _exit | _Exit | quick_exit | sigterm | abort | segv
 *          (segv is raise(SIGSEGV): no invalid access, which valgrind would
 *          count as one more error)
 *   STATUS the status for return, exit() and _exit()
 * Every pointer is kept in a global or laundered away, so the kinds do not
 * depend on how the process ends. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

void *kept;          /* still reachable */
char *inside;        /* possibly lost */
static void *volatile sink;
static NOINLINE void launder(void *p) { sink = p; sink = NULL; }

static NOINLINE void leak_definite(void) { launder(malloc(100)); }
static NOINLINE void leak_possible(void) { inside = (char *)malloc(200) + 8; }
static NOINLINE void leak_reachable(void) { kept = malloc(300); }
static NOINLINE void leak_tree(void)
{
    void **root = malloc(2 * sizeof(void *));
    root[0] = malloc(40);
    root[1] = NULL;
    launder(root);
}

static NOINLINE void scrub(void)
{
    volatile char pad[16384];
    memset((char *)pad, 0, sizeof pad);
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx,%%ebx\n\txor %%r12d,%%r12d\n\txor %%r13d,%%r13d\n\t"
                     "xor %%r14d,%%r14d\n\txor %%r15d,%%r15d" ::: "rbx", "r12", "r13", "r14", "r15", "memory");
#endif
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 99;
    char leaks[256];
    strncpy(leaks, argv[1], sizeof leaks - 1);
    leaks[sizeof leaks - 1] = 0;
    for (char *tok = strtok(leaks, ","); tok; tok = strtok(NULL, ",")) {
        if (!strcmp(tok, "definite")) leak_definite();
        else if (!strcmp(tok, "possible")) leak_possible();
        else if (!strcmp(tok, "reachable")) leak_reachable();
        else if (!strcmp(tok, "tree")) leak_tree();
        else if (strcmp(tok, "none")) return 98;
    }
    free(malloc(7));
    int status = atoi(argv[3]);
    const char *how = argv[2];
    scrub();
    if (!strcmp(how, "exit")) exit(status);
    if (!strcmp(how, "_exit")) _exit(status);
    if (!strcmp(how, "_Exit")) _Exit(status);
    if (!strcmp(how, "quick_exit")) quick_exit(status);
    if (!strcmp(how, "sigterm")) raise(SIGTERM);
    if (!strcmp(how, "segv")) raise(SIGSEGV);
    if (!strcmp(how, "abort")) abort();
    return status;
}
