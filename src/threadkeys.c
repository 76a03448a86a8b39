/* threadkeys.c — the tool takes none of the program's pthread keys.
 *
 * Promises (issue 11, item 11): a program can still create all
 * PTHREAD_KEYS_MAX (1,024) keys under the tool.
 *  - The tool's own per-thread state is __thread TLS, and its thread-exit
 *    work is registered with glibc's __cxa_thread_atexit_impl (the C++
 *    thread_local destructor list), which uses no key (threads.c).
 *  - libunwind 1.6 creates a key for its per-thread trace cache
 *    (src/x86_64/Gtrace.c: pthread_once -> pthread_key_create(&key,
 *    trace_cache_free); pthread_setspecific on the first unw_backtrace of
 *    each thread). A pthread_key_create made while the thread is inside the
 *    tool gets a key number glibc never hands out (>= PTHREAD_KEYS_MAX), and
 *    pthread_setspecific on it keeps the value in TLS here (libunwind never
 *    reads it back: it keeps its own __thread copy); at thread exit
 *    its destructor runs as glibc would run a key's: value cleared, then
 *    destructor called, repeated while it sets a value again, at most
 *    PTHREAD_DESTRUCTOR_ITERATIONS times (POSIX). Not for the main thread:
 *    glibc runs no key destructors at process exit either.
 *  - Every other call is the program's, forwarded unchanged. */
#include "unwmask.h"
#include "lt.h"
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NFAKE 4
#define FAKE_BASE (UINT_MAX - NFAKE + 1)    /* keys FAKE_BASE..UINT_MAX */

extern int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso);
extern void *__dso_handle;

static void (*fake_dtor[NFAKE])(void *);
static unsigned nfake;
static __thread const void *fake_value[NFAKE];
static __thread bool exit_registered;

static inline bool is_fake(pthread_key_t k)
{
    return LT_UNLIKELY(k >= FAKE_BASE);
}

static void run_fake_dtors(void *unused)
{
    (void)unused;
    lt_tls.busy++;
    for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
        bool any = false;
        for (unsigned i = 0; i < NFAKE; i++) {
            const void *v = fake_value[i];
            if (!v || !fake_dtor[i])
                continue;
            fake_value[i] = NULL;
            fake_dtor[i]((void *)v);
            any = true;
        }
        if (!any)
            break;
    }
    lt_tls.busy--;
}

static int (*real_key_create)(pthread_key_t *, void (*)(void *));
static int (*real_setspecific)(pthread_key_t, const void *);

/* Looked up before the program runs: a dlsym on one of its threads resets
 * that thread's dlerror state (every dl* call does in glibc), which a
 * program reading dlerror() after a failed dlsym would see (LLVM lsan
 * detached_thread_dlsym: tests/scenarios/lsan_detached_thread_dlsym.c). */
__attribute__((constructor)) static void threadkeys_init(void)
{
    (void)LT_NEXT(real_key_create, "pthread_key_create");
    (void)LT_NEXT(real_setspecific, "pthread_setspecific");
}

LT_EXPORT int pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
    /* libunwind's own call (libunwind 1.6 has the one key); any other
     * library the tool calls gets a real key, since only libunwind is known
     * never to read its value back through pthread_getspecific. */
    if (LT_UNLIKELY(lt_tls.busy) && lt_from_libunwind(__builtin_return_address(0))) {
        unsigned i = __atomic_fetch_add(&nfake, 1, __ATOMIC_RELAXED);
        if (i < NFAKE) {
            fake_dtor[i] = dtor;
            *key = FAKE_BASE + i;
            return 0;
        }
    }
    return LT_NEXT(real_key_create, "pthread_key_create")(key, dtor);   /* before the constructor: looked up now */
}

LT_EXPORT int pthread_setspecific(pthread_key_t key, const void *value)
{
    if (is_fake(key)) {
        fake_value[key - FAKE_BASE] = value;
        if (value && !exit_registered && syscall(SYS_gettid) != getpid()) {
            exit_registered = true;
            lt_tls.busy++;        /* glibc allocates the list entry */
            __cxa_thread_atexit_impl(run_fake_dtors, NULL, &__dso_handle);
            lt_tls.busy--;
        }
        return 0;
    }
    return LT_NEXT(real_setspecific, "pthread_setspecific")(key, value);
}
