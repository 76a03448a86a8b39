/* exhaust.c — the address space runs out (RLIMIT_AS, as a CI job with a
 * memory limit sets it): the program first takes all the address space
 * left in 1 MiB reservations, then allocates small blocks until malloc
 * fails, gives back one reservation, and goes on, until none is left; it
 * then frees every block and exits 0. Whoever needs more than 1 MiB at once
 * fails: the tool's own memory runs out on the way; the blocks it could not record are not tracked, and
 * the report must say so ("this report is incomplete", counted as an error)
 * instead of "All heap blocks were freed" (issue 11, item 9).
 * argv[1]: MiB of address space left to the process above what it maps
 * when it starts (0 or none: the limit set from outside, ulimit -v). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

static size_t mapped_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * 4096;
}

int main(int argc, char **argv)
{
    size_t extra = (size_t)(argc > 1 ? atoi(argv[1]) : 0) << 20;
    struct rlimit rl = { mapped_now() + extra, RLIM_INFINITY };
    rl.rlim_max = rl.rlim_cur;
    if (extra && setrlimit(RLIMIT_AS, &rl) != 0) {
        perror("setrlimit");
        return 2;
    }
    static void *reserve[1 << 16];
    int nres = 0;
    while (nres < (int)(sizeof reserve / sizeof reserve[0])) {
        void *r = mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (r == MAP_FAILED)
            break;
        reserve[nres++] = r;
    }
    void **head = NULL;      /* the blocks form a list: no array to grow */
    size_t n = 0;
    for (;;) {
        void **p = malloc(24);
        if (!p) {
            if (nres == 0)
                break;
            munmap(reserve[--nres], 1 << 20);
            continue;
        }
        memset(p, 0, 24);
        p[0] = head;
        head = p;
        n++;
    }
    while (head) {
        void **next = head[0];
        free(head);
        head = next;
    }
    printf("allocated and freed %s\n", n > 1000 ? "many blocks" : "few blocks");
    return 0;
}
