/* signal_alloc.c — signal handlers that call malloc and free, delivered
 * asynchronously to threads that are allocating.
 *
 * usage: signal_alloc THREADS SIGNALS
 *
 * THREADS workers malloc/free in a loop; the main thread sends SIGNALS
 * SIGUSR1s to them (pthread_kill). The handler allocates a 4079-byte block
 * (handler_site) into a 64-slot ring, freeing the one it replaces, and
 * mallocs/frees a scratch block. At exit the ring holds `kept` blocks, all
 * still reachable; nothing else of the program is live.
 *
 * To stay a correct program, the handler does nothing when it interrupted
 * libc or the dynamic loader (where the allocator's own locks may be held);
 * it does run when it interrupted the program's code or the leak checker
 * (libleaktrace, libunwind), and says how often each happened. */
#define _GNU_SOURCE
#include "stress.h"
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <ucontext.h>
#include <unistd.h>

#define RING 64
#define HANDLER_SIZE 4079

static _Atomic(void *) ring[RING];
static atomic_ulong ran, skipped, in_tool, slot;
static atomic_int stop;

struct range { uintptr_t lo, hi; };
static struct range avoid[8], tool[8];
static int navoid, ntool;

static int add_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size; (void)data;
    const char *n = info->dlpi_name ? info->dlpi_name : "";
    struct range *set = NULL;
    int *count = NULL;
    if (strstr(n, "/libc.so") || strstr(n, "/ld-linux") || strstr(n, "/libm.so")) {
        set = avoid; count = &navoid;
    } else if (strstr(n, "libleaktrace") || strstr(n, "libunwind") || strstr(n, "liblzma")) {
        set = tool; count = &ntool;
    }
    if (!set)
        return 0;
    for (int i = 0; i < info->dlpi_phnum && *count < 8; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X)) {
            set[*count].lo = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
            set[*count].hi = set[*count].lo + info->dlpi_phdr[i].p_memsz;
            (*count)++;
        }
    return 0;
}

static int in(const struct range *set, int n, uintptr_t pc)
{
    for (int i = 0; i < n; i++)
        if (pc >= set[i].lo && pc < set[i].hi)
            return 1;
    return 0;
}

NOINLINE static void *handler_site(void)
{
    void *p = malloc(HANDLER_SIZE);
    memset(p, 5, 64);
    return p;
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    if (in(avoid, navoid, pc)) {
        skipped++;
        return;
    }
    if (in(tool, ntool, pc))
        in_tool++;
    ran++;
    void *p = handler_site();
    count_alloc();
    void *old = atomic_exchange(&ring[atomic_fetch_add(&slot, 1) % RING], p);
    if (old) {
        free(old);
        count_free();
    }
    void *q = malloc(33);
    count_alloc();
    touch(q);
    free(q);
    count_free();
}

static void *worker(void *arg)
{
    uint64_t r = (uint64_t)(long)arg * 31 + 7;
    void *local[16] = { 0 };
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        unsigned k = (unsigned)(rnd(&r) % 16);
        if (local[k]) {
            free(local[k]);
            count_free();
        }
        local[k] = malloc(1 + rnd(&r) % 200);
        count_alloc();
    }
    for (int k = 0; k < 16; k++)
        if (local[k]) {
            free(local[k]);
            count_free();
        }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int nt = atoi(argv[1]);
    long nsig = atol(argv[2]);
    printf("signal_alloc: %d threads, %ld signals\n", nt, nsig);
    fflush(stdout);
    dl_iterate_phdr(add_module, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t[64];
    for (long i = 0; i < nt; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (long i = 0; i < nsig; i++) {
        pthread_kill(t[i % nt], SIGUSR1);
        if (i % 4 == 3)
            usleep(50);
    }
    usleep(100000);     /* let the last signals land */
    atomic_store(&stop, 1);
    for (int i = 0; i < nt; i++)
        pthread_join(t[i], NULL);
    unsigned long kept = 0;
    for (int i = 0; i < RING; i++)
        kept += atomic_load(&ring[i]) != NULL;
    printf("handler: ran=%lu skipped=%lu in_tool=%lu\n", (unsigned long)ran, (unsigned long)skipped,
           (unsigned long)in_tool);
    printf("kept: %lu\n", kept);
    print_counts();
    return 0;
}
