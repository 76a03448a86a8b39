#!/usr/bin/env python3
"""stdio and libc's caches at exit (issue 11, item 12).

1. A process that dies of a signal (SIGTERM raised, SIGSEGV, abort) with
   text still in its stdout buffer prints nothing of it, as without the
   tool and under Valgrind: the tool must not run __libc_freeres (whose
   _IO_cleanup flushes stdio) on that path. Exit status/signal unchanged.
2. --run-libc-freeres=no is honoured: libc's own blocks (the stdout
   buffer) stay in use at exit, the numbers Valgrind gives with the same
   option; with yes they are released. After _exit with the option off,
   the buffered text is not flushed (as without the tool).
3. --run-cxx-freeres=no is accepted as an option of ours."""
import os, re, shutil, signal, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, describe_status, finish

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
work = tempfile.mkdtemp(prefix="lt-freeres-")
SRC = r'''
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void *volatile sink;
int main(int argc, char **argv)
{
    sink = malloc(10);
    printf("buffered text\n");         /* stdout is a pipe: fully buffered */
    if (!strcmp(argv[1], "term")) raise(SIGTERM);
    if (!strcmp(argv[1], "segv")) *(volatile int *)0 = 1;
    if (!strcmp(argv[1], "abort")) abort();
    if (!strcmp(argv[1], "uexit")) _exit(3);
    return 0;
}
'''
src = os.path.join(work, "p.c")
with open(src, "w") as f:
    f.write(SRC)
exe = os.path.join(work, "p")
subprocess.run(["gcc", "-g", "-O0", "-o", exe, src], check=True)
env0 = clean_env()


def run(argv, env):
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def tool(opts=""):
    return dict(env0, LD_PRELOAD=lib, LEAKTRACE_OPTIONS=opts)


for mode in ("term", "segv", "abort"):
    plain = run([exe, mode], env0)
    bad = []
    for i in range(3):
        r = run([exe, mode], tool())
        if r[:2] != plain[:2]:
            bad.append("%s, stdout %r" % (describe_status(r[0]), r[1]))
    check(not bad, "%s: stdout and status as without the tool (%s, %r): %s"
          % (mode, describe_status(plain[0]), plain[1], "; ".join(bad[:2])))
    check("HEAP SUMMARY" in run([exe, mode], tool())[2], "%s: the report is written" % mode)

in_use = {}
for o in ("yes", "no"):
    r = run([exe, "x"], tool("--run-libc-freeres=" + o))
    m = re.search(r"in use at exit: ([\d,]+) bytes in (\d+) blocks", r[2])
    in_use[o] = m.groups() if m else None
check(in_use["yes"] == ("10", "1"), "freeres yes: only the program's block in use (%r)" % (in_use["yes"],))
check(in_use["no"] is not None and int(in_use["no"][1]) > 1,
      "freeres no: libc's blocks stay in use (%r)" % (in_use["no"],))
if shutil.which("valgrind"):
    r = subprocess.run(["valgrind", "--run-libc-freeres=no", exe, "x"], env=env0, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    m = re.search(r"in use at exit: ([\d,]+) bytes in (\d+) blocks", r.stderr.decode())
    check(m and m.groups() == in_use["no"], "freeres no: valgrind's numbers (%r)" % (m.groups() if m else None,))
plain = run([exe, "uexit"], env0)
r = run([exe, "uexit"], tool("--run-libc-freeres=no"))
check(r[:2] == plain[:2], "freeres no, _exit: stdout as without the tool (%r)" % r[1])
r = run([exe, "x"], tool("--run-cxx-freeres=no -q"))
check(r[0] == 0 and r[1] == "buffered text\n" and r[2] == "", "--run-cxx-freeres=no is accepted silently")
sys.exit(finish())
