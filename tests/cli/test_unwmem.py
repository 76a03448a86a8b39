#!/usr/bin/env python3
"""libunwind's own memory is not a root, and mmap/munmap stay the program's
(src/unwmem.h).

1. A program whose 16 threads allocate (each a walk of the tool's, so each
   gets libunwind's 256 KiB trace cache) and are still alive at exit: the
   check's `Checked N bytes` (-v, as Valgrind prints it) stays below 1 MiB —
   with the caches taken for roots it was over 4 MiB. The leak it holds is
   still found (definitely lost: 1 block).
2. The program's own mmap and munmap behave as without the tool: an
   anonymous mapping, a file mapping, an offset that is not page-aligned
   (EINVAL), munmap of an unaligned address (EINVAL) — same output and
   status as the plain run."""
import os, re, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, indent

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
work = tempfile.mkdtemp(prefix="lt-unwmem-")

THREADS = r'''
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
static pthread_barrier_t ready;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
void *volatile sink;
static void *worker(void *arg)
{
    for (int i = 0; i < 200; i++) {
        sink = malloc(16 + (size_t)(i + (long)arg) % 64);
        free(sink);
    }
    sink = 0;
    pthread_barrier_wait(&ready);
    pthread_mutex_lock(&m);
    for (;;)
        pthread_cond_wait(&never, &m);      /* alive at exit */
    return 0;
}
__attribute__((noinline)) static void leak(void)
{
    void *p = malloc(77);
    memset(p, 1, 77);
    sink = p;
    sink = 0;
}
int main(void)
{
    pthread_barrier_init(&ready, 0, 17);
    pthread_t t;
    for (long i = 0; i < 16; i++)
        pthread_create(&t, 0, worker, (void *)i);
    pthread_barrier_wait(&ready);
    leak();
    return 0;
}
'''

MAPS = r'''
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    (void)argc;
    char *a = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("anon %s\n", a == MAP_FAILED ? "failed" : (a[0] == 0 && (a[8191] = 7) == 7 ? "ok" : "bad"));
    printf("munmap %d\n", munmap(a, 8192));
    int fd = open(argv[0], O_RDONLY);
    char *f = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("file %s\n", f != MAP_FAILED && memcmp(f, "\177ELF", 4) == 0 ? "ok" : "bad");
    errno = 0;
    void *bad = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 1);
    printf("offset 1: %s %s\n", bad == MAP_FAILED ? "MAP_FAILED" : "mapped", strerror(errno));
    errno = 0;
    printf("munmap unaligned: %d %s\n", munmap(f + 1, 4096), strerror(errno));
    printf("munmap file %d\n", munmap(f, 4096));
    return 3;
}
'''


def build(name, src, *flags):
    path = os.path.join(work, name + ".c")
    exe = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(src)
    subprocess.run(["gcc", "-O1", "-g", "-o", exe, path] + list(flags), check=True)
    return exe


def run(exe, preload, opts=""):
    env = clean_env()
    if preload:
        env["LD_PRELOAD"] = lib
        env["LEAKTRACE_OPTIONS"] = opts
    p = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def trace_caches():
    exe = build("threads", THREADS, "-pthread")
    rc, out, err = run(exe, True, "-v --leak-check=full")
    m = re.search(r"Checked ([\d,]+) bytes", err)
    checked = int(m.group(1).replace(",", "")) if m else None
    lost = re.search(r"definitely lost: 77 bytes in 1 blocks", err)
    check(checked is not None and checked < (1 << 20) and lost is not None,
          "16 live threads that unwound: Checked %s bytes (< 1 MiB: their libunwind caches "
          "are not roots), the leak found%s" % (checked, "" if lost and checked is not None else
                                                "\n" + indent(err)))


def own_mappings():
    exe = build("maps", MAPS)
    plain = run(exe, False)
    got = run(exe, True, "--log-file=/dev/null")
    check(plain[:2] == got[:2] and "offset 1: MAP_FAILED Invalid argument" in plain[1],
          "the program's mmap/munmap as without the tool (status %s)%s"
          % (got[0], "" if plain[:2] == got[:2] else "\nplain:\n" + indent(plain[1]) +
             "\ntool:\n" + indent(got[1])))


trace_caches()
own_mappings()
finish()
