// stdio allocates behind the program's back: the stdout buffer (stdout is
// a pipe here, so fully buffered) and, for a FILE the program leaves open,
// the FILE object and its buffer. Valgrind runs glibc's __libc_freeres at
// exit, which flushes and releases the stream buffers; the open FILE object
// itself stays allocated and reachable from glibc's list of streams. One
// block the program drops: definitely lost.
// EXPECT: definite 15/1 indirect 0/0 possible 0/0 reachable 472/1
// ORACLE: valgrind
#include "scenario.h"

FILE *log_file;
static char path[64];

static NOINLINE void leak(void) { launder_ptr(malloc(15)); }

int main(void)
{
    for (int i = 0; i < 100; i++)
        printf("line %d of buffered output\n", i);
    fprintf(stderr, "a line on stderr\n");
    strcpy(path, "/tmp/lt-scn-stdio-XXXXXX");
    int fd = mkstemp(path);
    SCN_CHECK(fd >= 0);
    log_file = fdopen(fd, "w");
    SCN_CHECK(log_file != NULL);
    fprintf(log_file, "kept open until exit\n");
    unlink(path);
    leak();
    scrub();
    return 0;
}
