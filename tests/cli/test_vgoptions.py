#!/usr/bin/env python3
"""Valgrind command lines and pthread keys (issue 11, item 11).

1. -q prints nothing on a clean run, even with Valgrind-only options and
   wherever -q stands (Valgrind's -q prints nothing then): through the
   launcher and through LEAKTRACE_OPTIONS.
2. Valgrind 3.19's core options seen on real command lines (--xml-socket,
   --log-socket, --error-markers, --vex-iropt-register-updates, --px-*,
   --xtree-*, --extra-debuginfo-path, -d, --stats, ...) are accepted; without -q
   each gets one notice and the program runs.
3. --xml=yes --xml-fd=N writes the XML report to descriptor N.
4. The tool takes none of the program's pthread keys: the program creates
   as many as without the tool (1,024), and threads that allocate with
   DWARF unwinding and exit (return or pthread_exit) leave no mapping
   behind (libunwind's per-thread cache is freed at thread exit)."""
import os, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, indent

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
cli = os.path.abspath(args.cli)
work = tempfile.mkdtemp(prefix="lt-vgopt-")
VG = ["--xml-socket=127.0.0.1:1500", "--log-socket=127.0.0.1:1500", "--error-markers=BEGIN,END",
      "--vex-iropt-register-updates=allregs-at-mem-access", "--px-default=allregs-at-mem-access",
      "--px-file-backed=unwindregs-at-mem-access", "--xtree-memory=full", "--xtree-leak=yes",
      "--xtree-memory-file=xt.%p", "--extra-debuginfo-path=/nonexistent", "--track-origins=yes", "--vgdb=no",
      "--vex-guest-max-insns=50", "--aspace-minaddr=0x1000", "--stats=no", "-d",
      "--trace-syscalls=no", "--sym-offsets=no", "--require-text-symbol=:a:b", "--sanity-level=1",
      "--time-stamp=yes", "--show-emwarns=no", "--fair-sched=no"]
SRC = r'''
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *volatile sink;
__attribute__((noinline)) static void *deep(int n)
{
    if (n) { void *p = deep(n - 1); __asm__ volatile("" ::: "memory"); return p; }
    return malloc(16);
}
static void *worker(void *a)
{
    for (int i = 0; i < 50; i++)
        free(deep(i % 6));
    if (a)
        pthread_exit(0);
    return 0;
}
static int maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char l[512];
    int n = 0;
    while (fgets(l, sizeof l, f))
        n++;
    fclose(f);
    return n;
}
int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "clean")) {
        free(deep(2));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "leak")) {
        sink = deep(2);
        sink = 0;
        return 0;
    }
    pthread_t t;
    free(deep(3));
    pthread_create(&t, 0, worker, 0);
    pthread_join(t, 0);
    int m0 = maps();
    for (int i = 0; i < 200; i++) {
        pthread_create(&t, 0, worker, (void *)(long)(i & 1));
        pthread_join(t, 0);
    }
    int m1 = maps();
    int n = 0;
    pthread_key_t k;
    while (pthread_key_create(&k, 0) == 0)
        n++;
    printf("keys %d mapgrowth %d\n", n, m1 - m0);
    return 0;
}
'''
src = os.path.join(work, "p.c")
with open(src, "w") as f:
    f.write(SRC)
exe = os.path.join(work, "p")
subprocess.run(["gcc", "-O2", "-g", "-fomit-frame-pointer", "-o", exe, src, "-lpthread"], check=True)
env0 = clean_env()


def run(argv, env, **kw):
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, cwd=work, **kw)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def quiet():
    for where in ("first", "last"):
        argv = [cli] + (["-q"] + VG if where == "first" else VG + ["-q"]) + [exe, "clean"]
        rc, out, err = run(argv, env0)
        check(rc == 0 and err == "", "launcher, -q %s: nothing on stderr (rc %d)\n%s" % (where, rc, indent(err, 8)))
    env = dict(env0, LD_PRELOAD=lib, LEAKTRACE_OPTIONS=" ".join(VG + ["-q"]))
    rc, out, err = run([exe, "clean"], env)
    check(rc == 0 and err == "", "LEAKTRACE_OPTIONS with -q last: nothing on stderr\n" + indent(err, 8))


def notices():
    rc, out, err = run([cli] + VG + [exe, "clean"], env0)
    n = err.count("ignoring valgrind-only option")
    check(rc == 0 and n == len(VG) and "HEAP SUMMARY" in err,
          "without -q: one notice per option (%d of %d) and the report" % (n, len(VG)))
    rc, out, err = run([cli, "--no-such-option=1", exe, "clean"], env0)
    check(rc != 0 and "unknown option" in err, "an unknown option is still an error")


def xml_fd():
    r, w = os.pipe()
    p = subprocess.Popen([cli, "--xml=yes", "--xml-fd=%d" % w, exe, "leak"], env=env0, pass_fds=(w,),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        xml = f.read().decode(errors="replace")
    p.communicate(timeout=120)
    check(p.returncode == 0 and "<valgrindoutput>" in xml and "<kind>Leak_DefinitelyLost</kind>" in xml,
          "--xml-fd: the XML report arrives on the descriptor\n" + indent(xml, 5))


def keys():
    rc0, out0, _ = run([exe], env0)
    rc1, out1, err1 = run([exe], dict(env0, LD_PRELOAD=lib))
    k0 = int(out0.split()[1])
    k1 = int(out1.split()[1]) if out1.startswith("keys") else -1
    g1 = int(out1.split()[3]) if out1.startswith("keys") else 999
    check(k0 == k1, "keys: the program creates as many pthread keys as without the tool (%d, %d)" % (k0, k1))
    check(g1 <= int(out0.split()[3]) + 3,
          "keys: 200 exited threads leave no mappings behind (%s vs plain %s)" % (g1, out0.split()[3]))


for fn in (quiet, notices, xml_fd, keys):
    fn()
sys.exit(finish())
