#!/usr/bin/env python3
"""The check at exit() runs after every destructor, libraries' included.

A program linked against its own shared library (DT_NEEDED) whose
destructor frees one block (111 B) and drops the only pointer to another
(222 B); the program's own static C++ destructor drops its pointer to a
third (333 B), and main drops a fourth (444 B). The truth at the very end,
and Valgrind's report: 999 bytes in 3 blocks definitely lost, nothing
reachable. The tool used to run its check inside _dl_fini, before the
destructors of libraries initialised before it: the freed block counted
still reachable and the dropped 222 bytes too — a leak missed (1,110
bytes in use, 777 lost, 333 reachable). Also checked with the program
ending by returning from main and by exit() from an atexit handler."""
import os, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, parse_report

args = arg_parser(__doc__).parse_args()
work = tempfile.mkdtemp(prefix="lt-exitorder-")
LIB = r'''
#include <stdlib.h>
void *volatile held, *volatile held2;
__attribute__((constructor)) static void init(void) { held = malloc(111); held2 = malloc(222); }
__attribute__((destructor)) static void fini(void) { free(held); held = 0; held2 = 0; }
void *lib_get(void) { return held; }
'''
MAIN = r'''
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
extern "C" void *lib_get(void);
std::vector<std::string> names = {"a string long enough to live on the heap", "and another one like it"};
void *volatile kept;
struct Dropper { ~Dropper() { kept = nullptr; } } dropper;
static void again(void) { exit(0); }
int main(int argc, char **argv)
{
    kept = malloc(333);
    void *volatile lost = malloc(444);
    lost = nullptr;
    printf("library block %s\n", lib_get() ? "held" : "missing");
    if (argc > 1 && !strcmp(argv[1], "exit-in-atexit"))
        atexit(again);
    return 0;
}
'''
with open(os.path.join(work, "lib.c"), "w") as f:
    f.write(LIB)
with open(os.path.join(work, "main.cc"), "w") as f:
    f.write(MAIN)
lib = os.path.join(work, "libexitorder.so")
exe = os.path.join(work, "main")
subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", lib, os.path.join(work, "lib.c")], check=True)
subprocess.run(["c++", "-O1", "-o", exe, os.path.join(work, "main.cc"), "-L" + work, "-lexitorder",
                "-Wl,-rpath," + work], check=True)
env = clean_env()
TRUTH = {"definitely lost": (999, 3), "indirectly lost": (0, 0), "possibly lost": (0, 0),
         "still reachable": (0, 0)}

for mode in ("return", "exit-in-atexit"):
    argv = [exe] + ([mode] if mode != "return" else [])
    plain = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    shim = subprocess.run(argv, env=dict(env, LD_PRELOAD=os.path.abspath(args.lib)),
                          capture_output=True, text=True, timeout=60)
    check(shim.returncode == plain.returncode and shim.stdout == plain.stdout,
          "%s: status and output as without the tool" % mode)
    got = {k: v for k, v in parse_report(shim.stderr)["kinds"].items() if k in TRUTH}
    check(got == TRUTH, "%s: 999 bytes in 3 blocks definitely lost, nothing reachable (got %s)" % (mode, got))
    if shutil.which("valgrind"):
        vg = subprocess.run(["valgrind", "--leak-check=full"] + argv, env=env, capture_output=True,
                            text=True, timeout=300)
        theirs = {k: v for k, v in parse_report(vg.stderr)["kinds"].items() if k in TRUTH}
        check(theirs == got, "%s: as valgrind (%s)" % (mode, theirs))
shutil.rmtree(work, ignore_errors=True)
sys.exit(finish())
