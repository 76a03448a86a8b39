// 500 blocks lost from one call site (sizes 16..19) form one loss record.
// EXPECT: definite 8750/500 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 8,750 bytes in 500 blocks are definitely lost in loss record 1 of 1 | malloc | leak_one | main
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void leak_one(int i) { launder_ptr(malloc(16 + (i % 4))); }

int main(void)
{
    for (int i = 0; i < 500; i++)
        leak_one(i);
    scrub();
    return 0;
}
