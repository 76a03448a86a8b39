// Ported from LLVM compiler-rt/test/lsan/TestCases/default_options.cpp
// (idea): a program defining __lsan_default_options "detect_leaks=0" is
// not checked: no leak report, though it leaks (issue 10 item 6).
// TRUTH: a 1337-byte leak that the program asked not to hear about.
// EXPECT-NO-REPORT
#include "scenario.h"

const char *__lsan_default_options(void) { return "detect_leaks=0"; }

int main(void)
{
    void *p = launder_ptr(malloc(1337));
    memset(p, 0, 1337);
    scrub();
    return 0;
}
