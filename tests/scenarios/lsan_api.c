// LeakSanitizer's interface, as a program annotated for LSan calls it
// (declared weak: without the tool the calls are skipped and the program
// behaves the same). Under the tool:
//   - a block passed to __lsan_ignore_object is no leak (101 B: reachable);
//   - a block allocated between __lsan_disable and __lsan_enable is no leak
//     (102 B: reachable);
//   - a region registered with __lsan_register_root_region is a root: the
//     block it points to is reachable (103 B), while the malloc'd array that
//     holds the region, whose own pointer was dropped, is lost (64 B);
//   - a plain dropped block is definitely lost (104 B);
//   - __lsan_do_recoverable_leak_check reports now and the program goes on;
//     --report-signal=USR2 writes one more report. The last report of the
//     process (at exit) is what EXPECT checks.
// OPTIONS: --report-signal=USR2
// EXPECT: definite 168/2 indirect 0/0 possible 0/0 reachable 306/3
// EXPECT-LINE: 104 bytes in 1 blocks are definitely lost
#include "scenario.h"
#include <signal.h>

void __lsan_ignore_object(const void *p) __attribute__((weak));
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));
void __lsan_register_root_region(const void *p, size_t size) __attribute__((weak));
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static NOINLINE void annotated(void)
{
    void *a = malloc(101);
    memset(a, 0, 101);
    if (__lsan_ignore_object)
        __lsan_ignore_object(a);
    launder_ptr(a);
    if (__lsan_disable)
        __lsan_disable();
    launder_ptr(malloc(102));
    if (__lsan_enable)
        __lsan_enable();
    void **arr = malloc(64);
    arr[0] = malloc(103);
    if (__lsan_register_root_region)
        __lsan_register_root_region(arr, 64);
    launder_ptr(arr);
    launder_ptr(malloc(104));
}

int main(void)
{
    annotated();
    scrub();
    if (__lsan_do_recoverable_leak_check)
        (void)__lsan_do_recoverable_leak_check();
    if (__lsan_do_recoverable_leak_check)
        raise(SIGUSR2);        /* only under the tool: plainly it would kill */
    usleep(200000);
    say("annotated\n");
    scrub();
    return 0;
}
