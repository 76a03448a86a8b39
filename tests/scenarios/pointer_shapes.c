// Only aligned words that point into a block count:
//   - a pointer stored at a misaligned address (offset 1) is not seen:
//     definitely lost (41);
//   - a pointer one past the end of a block is not inside it: definitely
//     lost (42);
//   - a pointer to the last byte is an interior pointer: possibly lost (43);
//   - a pointer to a 0-byte block's address counts (a 0-byte block spans
//     one byte for this): reachable (0 bytes, 1 block);
//   - a pointer stored XORed with a constant is not seen: definitely lost (44).
// EXPECT: definite 127/3 indirect 0/0 possible 43/1 reachable 0/1
// ORACLE: valgrind
#include "scenario.h"

unsigned char misaligned[24];
char *past_end;
char *last_byte;
void *zero_block;
uintptr_t encoded;

static NOINLINE void setup(void)
{
    void *p = malloc(41);
    memcpy(misaligned + 1, &p, sizeof p);
    past_end = (char *)malloc(42) + 42;
    last_byte = (char *)malloc(43) + 42;
    zero_block = malloc(0);
    encoded = (uintptr_t)malloc(44) ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull;
    p = NULL;
}

int main(void)
{
    setup();
    scrub();
    return 0;
}
