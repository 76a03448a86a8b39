#!/usr/bin/env python3
"""The tool owns no file descriptor the program can see (issue 11, item 1).

1. daemon: close_range(3, ~0U) and then the program's own input and output
   files, with allocations unwound by DWARF (no frame pointers) in between:
   libunwind's validation pipe used to take fds 3 and 4 and then read the
   program's input and write process memory into its output. The output
   file, the bytes read and the descriptor list must be those of the plain
   run (10 runs).
2. ulimit -n 5: the program's two open() calls succeed as without the tool.
3. /proc/self/fd seen by an ordinary program (no close_range) is the plain
   run's list, at start and after allocating.
4. stderr replaced (dup2 of /dev/null onto fd 2, as daemons do) with stderr
   a pipe: the report still reaches the original stderr, and the frames
   of the unwound allocations are complete (libunwind's memory validation,
   now a probe without a descriptor, still works).
5. The same daemon run with libunwind's validation forced to msync and to
   mincore (UNW_X86_64_FORCE_MEM_VALIDATE), with --unwind=fp, and with
   --num-callers=50 (deeper walks, more validation): the program's files
   are untouched each time, and the probe answers "unreadable" for an
   unmapped page and "readable" for a mapped one.
6. freopen(stderr) (glibc replaces fd 2 internally, unseen): neither the
   report nor a warning of the tool lands in the program's new file."""
import os, resource, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, indent, parse_report

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
work = tempfile.mkdtemp(prefix="lt-fds-")

PROG = r'''
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <errno.h>
static void *keep[64];
static void *volatile sink;
__attribute__((noinline)) static void *deep(int n)
{
    if (n) { void *p = deep(n - 1); __asm__ volatile("" ::: "memory"); return p; }
    return malloc(16);
}
static void list_fds(const char *when)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    printf("%s:", when);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
            printf(" %s", e->d_name);
    printf("\n");
    closedir(d);
}
int main(int argc, char **argv)
{
    const char *mode = argv[1];
    if (!strcmp(mode, "daemon")) {
        syscall(SYS_close_range, 3, ~0U, 0);
        int in = open(argv[2], O_RDONLY), out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        char buf[100];
        size_t tot = 0;
        ssize_t n;
        int k = 0;
        while ((n = read(in, buf, sizeof buf)) > 0) {
            tot += (size_t)n;
            k++;
            free(keep[k % 64]);
            keep[k % 64] = deep(k % 7);
        }
        dprintf(out, "OK %zu\n", tot);
        printf("in=%d out=%d read=%zu\n", in, out, tot);
        list_fds("end");
        close(in);
        close(out);
    } else if (!strcmp(mode, "limit")) {
        sink = deep(3);
        int a = open(argv[2], O_RDONLY), b = open(argv[2], O_RDONLY);
        sink = deep(2);
        printf("%d %d\n", a, b);
    } else if (!strcmp(mode, "list")) {
        list_fds("start");
        for (int i = 0; i < 200; i++) { free(keep[i % 64]); keep[i % 64] = deep(i % 5); }
        list_fds("end");
    } else if (!strcmp(mode, "probe")) {
        /* libunwind's validation write on its pseudo-descriptor (INT_MAX). */
        char *page = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        errno = 0;
        long ok = syscall(SYS_write, 2147483647, "x", 1);
        long bad = syscall(SYS_write, 2147483647, page, 1);
        printf("readable=%ld unreadable=%ld errno=%d\n", ok, bad, errno);
    } else if (!strcmp(mode, "freopen")) {
        /* glibc's internal close/open: no interposer sees fd 2 change. */
        freopen(argv[2], "w", stderr);
        fprintf(stderr, "program log\n");
        sink = deep(1);
        sink = 0;
    } else if (!strcmp(mode, "redirect")) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        close(fd);
        sink = deep(6);          /* leaked: 16 bytes; deep(0) tail-calls malloc: six deep() frames (as Valgrind) */
        sink = 0;
        fprintf(stderr, "to /dev/null\n");
    }
    return 0;
}
'''

src = os.path.join(work, "prog.c")
with open(src, "w") as f:
    f.write(PROG)
exe = os.path.join(work, "prog")
subprocess.run(["gcc", "-O2", "-g", "-fomit-frame-pointer", "-o", exe, src], check=True)
inp = os.path.join(work, "in.bin")
with open(inp, "wb") as f:
    f.write(os.urandom(1000))
env0 = clean_env()
envt = dict(env0, LD_PRELOAD=lib, LEAKTRACE_OPTIONS="--leak-check=full")


def run(argv, env, preexec_fn=None):
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, preexec_fn=preexec_fn)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def daemon(envt=envt, what="daemon"):
    outp = os.path.join(work, "out.plain")
    rc0, out0, _ = run([exe, "daemon", inp, outp], env0)
    with open(outp, "rb") as f:
        file0 = f.read()
    bad = []
    for i in range(10):
        outt = os.path.join(work, "out.tool")
        rc, out, err = run([exe, "daemon", inp, outt], envt)
        with open(outt, "rb") as f:
            file1 = f.read()
        if (rc, out, file1) != (rc0, out0, file0):
            bad.append("run %d: rc %d stdout %r file %r" % (i, rc, out, file1))
    check(file0 == b"OK 1000\n", "%s: plain run writes OK 1000" % what)
    check(not bad, "%s: output file, bytes read and fds as in the plain run, 10/10" % what
          + ("" if not bad else "\n" + indent("\n".join(bad[:3]))))


def limit():
    def five():
        resource.setrlimit(resource.RLIMIT_NOFILE, (5, 5))
    r0 = run([exe, "limit", src], env0, five)
    r1 = run([exe, "limit", src], envt, five)
    check(r0[1] == "3 4\n", "limit: plain opens fds 3 and 4 under ulimit -n 5 (%r)" % r0[1])
    check(r1[:2] == r0[:2], "limit: the same under the tool (%r)" % r1[1])
    check("HEAP SUMMARY" in r1[2], "limit: the report is written")


def listing():
    r0 = run([exe, "list"], env0)
    r1 = run([exe, "list"], envt)
    check(r0[1] == r1[1], "list: /proc/self/fd as in the plain run\n"
          + indent("plain: " + r0[1] + "tool:  " + r1[1]))


def redirect():
    rc, out, err = run([exe, "redirect"], envt)
    rep = parse_report(err)
    check(rep["complete"], "redirect: the report reaches the original stderr\n" + indent(err))
    check("to /dev/null" not in err, "redirect: the program's own stderr output went to /dev/null")
    recs = [r for r in rep["records"] if r["kind"] == "definitely lost" and r["bytes"] == 16]
    check(recs and recs[0]["frames"].count("deep") == 6 and "main" in recs[0]["frames"],
          "redirect: the leak's stack has its six deep() frames and main\n" + indent(err))


def freopen_case():
    log = os.path.join(work, "prog.log")
    env = dict(envt, LEAKTRACE_OPTIONS="--leak-check=full --log-file=/nonexistent-dir/x")
    rc, out, err = run([exe, "freopen", log], env)
    with open(log) as f:
        text = f.read()
    check(text == "program log\n", "freopen: the program's own log holds only its line (%r)" % text[:200])
    check("HEAP SUMMARY" in err, "freopen: the report reaches the original stderr")


def modes():
    for how in ("msync", "mincore"):
        daemon(dict(envt, UNW_X86_64_FORCE_MEM_VALIDATE=how), "daemon, validation by " + how)
    daemon(dict(envt, LEAKTRACE_OPTIONS="--unwind=fp"), "daemon, --unwind=fp")
    daemon(dict(envt, LEAKTRACE_OPTIONS="--num-callers=50"), "daemon, --num-callers=50")
    rc, out, err = run([exe, "probe"], envt)
    check(out == "readable=1 unreadable=-1 errno=14\n", "probe: readable 1, unmapped -1/EFAULT (%r)" % out)


tests = [("daemon", daemon), ("limit", limit), ("list", listing), ("redirect", redirect), ("freopen", freopen_case),
         ("modes", modes)]
only = sys.argv[sys.argv.index("--only") + 1:] if "--only" in sys.argv else []
for name, fn in tests:
    fn()
sys.exit(finish())
