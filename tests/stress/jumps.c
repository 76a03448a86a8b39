/* jumps.c — setjmp/longjmp across allocating frames, and siglongjmp out of
 * a signal handler raised in an allocating frame.
 *
 * usage: jumps ROUNDS DEPTH
 *
 * Each round recurses DEPTH frames; every frame allocates a 4093-byte block
 * (keep_site) linked into a global list (still reachable) and a 4091-byte
 * block (freed_site) that a cleanup list frees after the jump; the deepest
 * frame longjmps (or raises SIGUSR2, whose handler siglongjmps) back to the
 * top. At exit: ROUNDS*DEPTH blocks of 4093 bytes live, no 4091-byte one. */
#include "stress.h"
#include <setjmp.h>
#include <signal.h>

struct node { struct node *next; };
struct node *kept;     /* not static: the stores must stay */
static void *tofree[1 << 16];
static int ntofree;
static jmp_buf jb;
static sigjmp_buf sjb;
static int use_signal;

NOINLINE static void *keep_site(void) { count_alloc(); return malloc(4093); }
NOINLINE static void *freed_site(void) { count_alloc(); void *p = malloc(4091); touch(p); return p; }

static void on_usr2(int sig)
{
    (void)sig;
    void *p = malloc(50);       /* synchronous (raise): allocating here is fine */
    count_alloc();
    free(p);
    count_free();
    siglongjmp(sjb, 1);
}

NOINLINE static void down(int depth)
{
    if (depth < 0)
        return;
    struct node *n = keep_site();
    n->next = kept;
    kept = n;
    tofree[ntofree++] = freed_site();
    char *tmp = malloc(32);     /* freed before the jump */
    count_alloc();
    touch(tmp);
    free(tmp);
    count_free();
    if (depth == 0) {
        if (use_signal)
            raise(SIGUSR2);
        longjmp(jb, 1);
    }
    down(depth - 1);
    touch(n);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int rounds = atoi(argv[1]), depth = atoi(argv[2]);
    if (rounds * depth > (1 << 16))
        return 2;
    printf("jumps: %d rounds x %d frames\n", rounds, depth);
    signal(SIGUSR2, on_usr2);
    int jumped = 0;
    for (int r = 0; r < rounds; r++) {
        use_signal = r % 2;
        if (use_signal) {
            if (sigsetjmp(sjb, 1) == 0)
                down(depth - 1);
            else
                jumped++;
        } else {
            if (setjmp(jb) == 0)
                down(depth - 1);
            else
                jumped++;
        }
        while (ntofree > 0) {
            free(tofree[--ntofree]);
            count_free();
        }
    }
    printf("jumped back %d times\n", jumped);
    print_counts();
    return jumped == rounds ? 0 : 1;
}
