// Ported from LLVM compiler-rt/test/lsan/TestCases/link_turned_off.cpp
// (idea): __lsan_is_turned_off, defined by the program, is asked at the
// check: it returns 1 (set by the program before exiting), so there is
// no leak report (issue 10 item 6).
// TRUTH: a 1337-byte leak that the program asked not to hear about.
// EXPECT-NO-REPORT
#include "scenario.h"

static volatile int off;
int __lsan_is_turned_off(void) { return off; }

int main(void)
{
    void *p = launder_ptr(malloc(1337));
    memset(p, 0, 1337);
    off = 1;
    scrub();
    return 0;
}
