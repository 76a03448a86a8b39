#!/usr/bin/env python3
"""--keep-debuginfo=yes: frames in objects dlclose'd before the report are named.

A program dlopens a library built with -g, leaks through it and dlcloses it;
a LuaJIT script does the same through ffi.load (lua_close dlcloses it).
Without the option the library's frame is "???" (as valgrind prints it);
with it, "lib_make (kdlib.c:3)", a stripped copy "lib_make (in .../lib.so)",
the frame is printed again by --gen-suppressions as fun:lib_make, and a
suppression naming fun:lib_make matches only with the option (what
test-nginx relies on). The same library loaded, unloaded and loaded again
at the same place is recorded once. Valgrind, when installed, must print
the same function frames."""
import os, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, failures, parse_report

args = arg_parser(__doc__).parse_args()
cc = shutil.which("cc") or shutil.which("gcc")
if not cc:
    print("SKIP: no C compiler")
    sys.exit(0)
work = tempfile.mkdtemp(prefix="lt-kd-")
LIB = """#include <stdlib.h>
void *lib_make(size_t n)
{ return malloc(n); }
"""
MAIN = """#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    for (int i = 0; i < rounds; i++) {
        void *h = dlopen(argv[1], RTLD_NOW);
        if (!h) { fprintf(stderr, "%s\\n", dlerror()); return 2; }
        void *(*mk)(size_t) = (void *(*)(size_t))dlsym(h, "lib_make");
        mk(1234);
        dlclose(h);
    }
    return 0;
}
"""
def w(name, text):
    p = os.path.join(work, name)
    with open(p, "w") as f:
        f.write(text)
    return p

lib, stripped, exe = (os.path.join(work, n) for n in ("libkd.so", "libkd_s.so", "main"))
subprocess.run([cc, "-g", "-O0", "-shared", "-fPIC", "-o", lib, w("kdlib.c", LIB)], check=True)
subprocess.run([cc, "-O0", "-shared", "-fPIC", "-s", "-o", stripped, os.path.join(work, "kdlib.c")], check=True)
subprocess.run([cc, "-g", "-O0", "-o", exe, w("main.c", MAIN), "-ldl"], check=True)
supp = w("kd.supp", "{\n   kd\n   Memcheck:Leak\n   match-leak-kinds: definite\n   fun:malloc\n   fun:lib_make\n}\n")

def shim(argv, opts):
    env = dict(os.environ, LD_PRELOAD=os.path.abspath(args.lib), LEAKTRACE_OPTIONS=opts)
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stderr

def frames(text):
    recs = [r for r in parse_report(text)["records"] if r["kind"] == "definitely lost"]
    return [list(zip(r["frames"], r["files"])) for r in recs]

rc, out = shim([exe, lib], "")
f = frames(out)
check(rc == 0 and len(f) == 1 and f[0][1][0] == "???", "default: the unloaded library's frame is ??? (%s)" % f)

rc, out = shim([exe, lib], "--keep-debuginfo=yes --gen-suppressions=all")
f = frames(out)
check(rc == 0 and len(f) == 1 and f[0][1] == ("lib_make", "kdlib.c") and f[0][2][0] == "main",
      "--keep-debuginfo=yes: malloc <- lib_make (kdlib.c:3) <- main (%s)" % f)
check("   fun:lib_make\n" in out, "--gen-suppressions prints fun:lib_make")

rc, out = shim([exe, stripped], "--keep-debuginfo=yes")
check("lib_make (in %s)" % stripped in out,
      "a stripped unloaded library: lib_make (in %s), from .dynsym" % stripped)

rc, out = shim([exe, lib, "3"], "--keep-debuginfo=yes")
r = parse_report(out)
check(r["kinds"].get("definitely lost") == (3702, 3) and len(frames(out)) == 1
      and frames(out)[0][1][0] == "lib_make",
      "loaded and unloaded three times: one record of 3 blocks in lib_make (%s)" % frames(out))

for opts, want in (("", (1234, 1)), ("--keep-debuginfo=yes", (0, 0))):
    rc, out = shim([exe, lib], "--suppressions=%s %s" % (supp, opts))
    got = parse_report(out)["kinds"].get("definitely lost", (0, 0))
    check(got == want, "fun:lib_make suppression with %r leaves %s definitely lost (got %s)"
          % (opts or "no option", want, got))

if shutil.which("valgrind"):
    vg = subprocess.run(["valgrind", "-q", "--leak-check=full", "--keep-debuginfo=yes", exe, lib],
                        capture_output=True, text=True, timeout=300)
    rc, out = shim([exe, lib], "--keep-debuginfo=yes")
    ours = [[fn for fn, _ in rec[1:]] for rec in frames(out)]
    theirs = [[fn for fn, _ in rec[1:]] for rec in frames(vg.stderr)]
    check(ours == theirs, "the same frames as valgrind --keep-debuginfo=yes (%s vs %s)" % (ours, theirs))

luajit = shutil.which("luajit")
if luajit:
    script = w("kd.lua", 'local ffi = require("ffi")\nffi.cdef[[void *lib_make(size_t);]]\n'
                         'local lib = ffi.load(arg[1])\nlib.lib_make(777)\n')
    rc, out = shim([luajit, script, lib], "--keep-debuginfo=yes")
    f = frames(out)
    check(len(f) == 1 and f[0][1] == ("lib_make", "kdlib.c"),
          "luajit ffi.load: the library lua_close unloaded is named (%s)" % (f and f[0][:3]))
shutil.rmtree(work, ignore_errors=True)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
