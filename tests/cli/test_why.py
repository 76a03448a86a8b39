#!/usr/bin/env python3
"""LEAKTRACE_WHY=SIZE: which word took a block out of "definitely lost".

A debugging aid for the roots (src/scan.c): for every block of SIZE bytes
that the first pass marks reachable or possibly lost, the tool prints the
word that did it — where it was read (a root range with its
/proc/self/maps line, or another block) and its value. The program below
holds a 77-byte block from a global, and a 99-byte block only through an
interior pointer stored in the 77-byte one; the truth, and Valgrind's
report: 77 still reachable, 99 possibly lost. The explanations must name
the global's mapping (the executable's data) for the first and the 77-byte
block for the second, and the report must not change."""
import os, re, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, parse_report

args = arg_parser(__doc__).parse_args()
work = tempfile.mkdtemp(prefix="lt-why-")
src = os.path.join(work, "why.c")
exe = os.path.join(work, "why")
with open(src, "w") as f:
    f.write(r'''
#include <stdlib.h>
void *held;
int main(void)
{
    void **a = malloc(77);
    a[1] = (char *)malloc(99) + 8;   /* only an interior pointer */
    held = a;
    return 0;
}
''')
subprocess.run(["cc", "-O0", "-g", "-o", exe, src], check=True)
env = dict(clean_env(), LD_PRELOAD=os.path.abspath(args.lib))


def run(why=None):
    e = dict(env, **({"LEAKTRACE_WHY": why} if why else {}))
    return subprocess.run([exe], env=e, capture_output=True, text=True, timeout=60).stderr


plain = run()
kinds = parse_report(plain)["kinds"]
check(kinds["still reachable"] == (77, 1) and kinds["possibly lost"] == (99, 1),
      "the report: 77 B still reachable, 99 B possibly lost (got %s)" % kinds)

out = run("77")
m = re.search(r"why: 77-byte block (0x[0-9a-f]+) now reachable: word (0x[0-9a-f]+) at 0x[0-9a-f]+, a root\n"
              r"leaktrace: why:   in [0-9a-f]+-[0-9a-f]+ rw-p .*%s" % re.escape(exe), out)
check(m is not None and m.group(1) == m.group(2),
      "77: reached by its start address from a root in the executable's data\n%s"
      % "\n".join(l for l in out.splitlines() if "why" in l))
out = run("99")
check(re.search(r"why: 99-byte block 0x[0-9a-f]+ now possibly lost: word 0x[0-9a-f]+ at 0x[0-9a-f]+, "
                r"in the 77-byte block 0x[0-9a-f]+", out) is not None,
      "99: possibly lost through a word inside the 77-byte block\n%s"
      % "\n".join(l for l in out.splitlines() if "why" in l))
check(parse_report(out)["kinds"] == kinds, "the explanation does not change the report")
check("why:" not in plain, "nothing is printed without LEAKTRACE_WHY")
sys.exit(finish())
