/* unwmem.c — mmap and munmap, passed on unchanged; a mapping libunwind's
 * code makes inside a walk of the tool's is noted as tool memory, and a
 * noted mapping anyone unmaps is forgotten (see unwmem.h).
 *
 * Until start-up has resolved the next definitions (a program's
 * constructor may map memory before ours runs), a call is made as the
 * system call glibc's mmap makes on Linux (sysdeps/unix/sysv/linux/mmap64.c:
 * an offset not page-aligned is EINVAL, the rest is the kernel's). */
#include "unwmem.h"
#include "gomem.h"
#include "lock.h"
#include "unwmask.h"
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_NOTED 1024       /* beyond that, a mapping is scanned as before */

static struct { uintptr_t lo, hi; int kind; } noted[MAX_NOTED];
static int nnoted;
static lt_spin_t noted_lock;          /* held for a few stores only */

static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);

void lt_unwmem_init(void)
{
    LT_NEXT(real_mmap, "mmap");
    LT_NEXT(real_munmap, "munmap");
}

/* Slots never move (a freed one is zeroed and reused), so the unlocked
 * look of munmap (overlaps) cannot miss a range another thread's forget
 * is moving; nnoted only grows. */
static void note(uintptr_t lo, size_t len, enum lt_noted_kind kind)
{
    uintptr_t hi = lo + ((len + 4095) & ~(size_t)4095);
    lt_spin_lock(&noted_lock);
    int i = 0, free_slot = -1;
    for (; i < nnoted; i++) {
        if (!noted[i].hi && free_slot < 0)
            free_slot = i;
        /* The Go runtime maps again inside what it reserved (sysMap). */
        if (noted[i].kind == (int)kind && noted[i].lo <= lo && hi <= noted[i].hi) {
            lt_spin_unlock(&noted_lock);
            return;
        }
    }
    i = free_slot >= 0 ? free_slot : nnoted;
    if (i < MAX_NOTED) {
        noted[i].lo = lo;
        noted[i].kind = (int)kind;
        noted[i].hi = hi;
        if (i == nnoted)
            __atomic_store_n(&nnoted, i + 1, __ATOMIC_RELEASE);
    }
    lt_spin_unlock(&noted_lock);
}

static bool overlaps(uintptr_t lo, uintptr_t hi)
{
    for (int i = 0, n = __atomic_load_n(&nnoted, __ATOMIC_ACQUIRE); i < n; i++)
        if (noted[i].lo < hi && lo < noted[i].hi)
            return true;
    return false;
}

/* Only for a range that overlaps a noted one (libunwind's thread-exit
 * destructor unmapping its cache): the program's own munmaps take no lock,
 * so a signal handler's munmap cannot wait for one its thread holds. */
static void forget(uintptr_t lo, size_t len)
{
    uintptr_t hi = lo + len;
    lt_spin_lock(&noted_lock);
    for (int i = 0; i < nnoted; i++)
        if (noted[i].lo < hi && lo < noted[i].hi)
            noted[i].lo = noted[i].hi = 0;   /* partly unmapped: scanned again, the safe side */
    lt_spin_unlock(&noted_lock);
}

/* At a check a stopped thread may hold the lock (stopped inside forget):
 * after a bounded wait the list is read as it is. */
void lt_unwmem_ranges(enum lt_noted_kind kind, void (*fn)(void *ctx, uintptr_t lo, uintptr_t hi), void *ctx)
{
    bool taken = false;
    for (int spin = 0; spin < 100000 && !(taken = lt_spin_trylock(&noted_lock)); spin++)
        lt_cpu_relax();
    for (int i = 0; i < nnoted; i++)
        if (noted[i].hi && noted[i].kind == (int)kind)
            fn(ctx, noted[i].lo, noted[i].hi);
    if (taken)
        lt_spin_unlock(&noted_lock);
}

void lt_unwmem_lock(void) { lt_spin_lock(&noted_lock); }
void lt_unwmem_unlock(void) { lt_spin_unlock(&noted_lock); }
void lt_unwmem_reset_child(void) { lt_spin_reset(&noted_lock); }

LT_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p;
    if (real_mmap) {
        p = real_mmap(addr, len, prot, flags, fd, off);
    } else if (off & 4095) {
        errno = EINVAL;
        p = MAP_FAILED;
    } else {
        p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    }
    if (LT_UNLIKELY(lt_tls.unw_walk) && p != MAP_FAILED && lt_from_libunwind(__builtin_return_address(0))) {
        lt_unw_walk_mask();      /* no handler of this thread runs until the walk's end (unwmask.h) */
        note((uintptr_t)p, len, LT_NOTED_UNWIND);
    } else if (LT_UNLIKELY(lt_gomem_on) && p != MAP_FAILED && (flags & MAP_ANONYMOUS) &&
               lt_gomem_from_runtime(__builtin_return_address(0))) {
        note((uintptr_t)p, len, LT_NOTED_GO_RUNTIME);
    }
    return p;
}

LT_EXPORT int munmap(void *addr, size_t len)
{
    int r = real_munmap ? real_munmap(addr, len) : (int)syscall(SYS_munmap, addr, len);
    if (LT_UNLIKELY(__atomic_load_n(&nnoted, __ATOMIC_RELAXED)) && r == 0 &&
        overlaps((uintptr_t)addr, (uintptr_t)addr + len))
        forget((uintptr_t)addr, len);
    return r;
}
