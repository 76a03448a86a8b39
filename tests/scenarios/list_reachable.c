// A 1000-node linked list hanging off a global: all still reachable.
// With --show-leak-kinds=all the one reachable record is shown.
// OPTIONS: --show-leak-kinds=all
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 16000/1000
// EXPECT-RECORD: 16,000 bytes in 1,000 blocks are still reachable in loss record 1 of 1 | malloc | build | main
// ORACLE: valgrind
#include "scenario.h"

struct item { struct item *next; long v; };
struct item *head;

static NOINLINE void build(void)
{
    for (int i = 0; i < 1000; i++) {
        struct item *it = malloc(sizeof *it);
        it->next = head;
        it->v = i;
        head = it;
    }
}

int main(void)
{
    build();
    scrub();
    return 0;
}
