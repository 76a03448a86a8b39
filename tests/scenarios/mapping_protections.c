// Which of the program's own mappings are roots (valgrind: memory that is
// readable and writable at the check):
//   - shared anonymous mapping (MAP_SHARED): root, block reachable (11);
//   - private file mapping, writable: root, block reachable (22);
//   - private anonymous mapping made read-only after the store: no root,
//     block definitely lost (33);
//   - mapping made PROT_NONE after the store: no root, definitely lost (44).
// EXPECT: definite 77/2 indirect 0/0 possible 0/0 reachable 33/2
// ORACLE: valgrind
#include "scenario.h"
#include <fcntl.h>
#include <sys/mman.h>

void **shared_map, **file_map, **ro_map, **none_map;

static void **map(int prot, int flags, int fd)
{
    void **m = mmap(NULL, 8192, prot, flags, fd, 0);
    SCN_CHECK(m != MAP_FAILED);
    return m;
}

static NOINLINE void setup(void)
{
    shared_map = map(PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
    shared_map[5] = malloc(11);

    char path[] = "/tmp/lt-scn-map-XXXXXX";
    int fd = mkstemp(path);
    SCN_CHECK(fd >= 0);
    SCN_CHECK(ftruncate(fd, 8192) == 0);
    file_map = map(PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
    unlink(path);
    close(fd);
    file_map[9] = malloc(22);

    ro_map = map(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    ro_map[3] = malloc(33);
    SCN_CHECK(mprotect(ro_map, 8192, PROT_READ) == 0);

    none_map = map(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    none_map[7] = malloc(44);
    SCN_CHECK(mprotect(none_map, 8192, PROT_NONE) == 0);
}

int main(void)
{
    setup();
    scrub();
    return 0;
}
