#!/usr/bin/env python3
"""The preloaded library needs libc and libunwind only (issue 14).

1. ldd: libleaktrace.so's dependencies are libc, the loader, libunwind and
   what libunwind itself needs; never libdw, libelf, libz or libbz2.
2. A program that reads its own /proc/self/maps under the preload, after
   allocating, finds no libdw, libelf, libz or libbz2 mapped: nothing of
   the tool's symbolizer is in the program's namespace while it runs.
3. Its leak report still names functions and lines (libdw is loaded into a
   private namespace at exit, src/dwlib.h), and a program that dlopen()s
   libz, libelf or libbz2 maps each afresh, as without the tool (the
   scenario dlopen_fresh_libz compares libz's loader blocks with
   valgrind's).
4. With ld.so run as a command (`ld.so ./prog`) frames are still named.
5. Without libdw (LEAKTRACE_LIBDW names a missing file, and no symbol
   cache) the report still comes, with the same numbers and exit status,
   its frames named by object only, and it says why."""
import os, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, indent, parse_report

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
work = tempfile.mkdtemp(prefix="lt-deps-")
HEAVY = ("libdw", "libelf", "libz.", "libbz2")

PROG = r'''
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *volatile sink;
__attribute__((noinline)) static void leak(void) { sink = malloc(40); sink = NULL; }
static int mapped(const char *name)
{
    char line[4096];
    int n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (fgets(line, sizeof line, f)) {
        const char *path = strchr(line, '/');
        if (path && strstr(path, name)) {
            if (!name[1])
                printf("mapped: %s", path);
            n++;
        }
    }
    fclose(f);
    return n;
}
int main(int argc, char **argv)
{
    leak();
    if (argc > 1) {                 /* each library is loaded fresh, as without the tool */
        for (int i = 1; i + 1 < argc; i += 2) {   /* NAME KEY: dlopen NAME, find KEY in maps */
            int before = mapped(argv[i + 1]);
            void *h = dlopen(argv[i], RTLD_NOW);
            printf("%s: before %d, loaded %d, after %d\n", argv[i], before, h != NULL, mapped(argv[i + 1]) > 0);
        }
        return 3;
    }
    static const char *heavy[] = {"/libdw", "/libelf", "/libz.", "/libbz2"};
    for (int i = 0; i < 4; i++)
        if (mapped(heavy[i]))
            printf("mapped: %s\n", heavy[i]);
    printf("done\n");
    return 3;
}
'''


def ldd(path):
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    return [l.split()[0] for l in out.splitlines() if l.strip()]


def dependencies():
    deps = ldd(lib)
    unwind = [d for d in deps if d.startswith("libunwind")]
    check(unwind, "ldd: libunwind is a dependency (%s)" % " ".join(deps))
    allowed = {"linux-vdso.so.1", "libc.so.6", "libunwind.so.8"}
    for u in subprocess.run(["ldd", "/lib/x86_64-linux-gnu/libunwind.so.8"],
                            capture_output=True, text=True).stdout.splitlines():
        if u.strip():
            allowed.add(u.split()[0])
    extra = [d for d in deps if d not in allowed and "ld-linux" not in d]
    check(not extra, "ldd: nothing beyond libc and libunwind's own needs (extra: %s)" % extra)
    check(not any(d.startswith(HEAVY) for d in deps), "ldd: no libdw, libelf, libz, libbz2")


def build():
    src = os.path.join(work, "prog.c")
    exe = os.path.join(work, "prog")
    with open(src, "w") as f:
        f.write(PROG)
    subprocess.run(["gcc", "-g", "-O0", "-o", exe, src, "-ldl"], check=True)
    return exe


def run(exe, env, *argv):
    p = subprocess.run([exe] + list(argv), env=env, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def fresh_loads(exe):
    libs = (("libz.so.1", "/libz."), ("libelf.so.1", "/libelf"), ("libbz2.so.1.0", "/libbz2"))
    argv = [w for pair in libs for w in pair]
    _, plain, _ = run(exe, clean_env(), *argv)
    env = clean_env()
    env["LD_PRELOAD"] = lib
    _, shim, _ = run(exe, env, *argv)
    want = "".join("%s: before 0, loaded 1, after 1\n" % l for l, _ in libs)
    check(plain == want and shim == want,
          "dlopen of libz, libelf, libbz2 maps each afresh, as without the tool (plain %r, shim %r)"
          % (plain, shim))


def at_run_time(exe):
    rc0, out0, _ = run(exe, clean_env())
    env = clean_env()
    env["LD_PRELOAD"] = lib
    rc, out, err = run(exe, env)
    check(rc == rc0 == 3 and out == out0 == "done\n",
          "while running: no symbolizer library mapped in the program (plain %r, shim %r)" % (out0, out))
    rep = parse_report(err)
    frames = [fr for r in rep["records"] for fr in r["frames"]] if rep["records"] else []
    ok = rep["kinds"].get("definitely lost") == (40, 1) and "leak" in frames and "prog.c" in err
    check(ok, "the report names the leaking function and its file" + ("" if ok else "\n" + indent(err, 30)))
    return rep


def explicit_loader(exe):
    """ld.so run as a command (`ld.so ./prog`: AT_BASE is 0): libdw still
    loads after __libc_freeres (dwlib.c finds ld.so's map by _r_debug)."""
    loader = "/lib64/ld-linux-x86-64.so.2"
    if not os.path.exists(loader):
        return
    env = clean_env()
    env["LD_PRELOAD"] = lib
    env["LEAKTRACE_OPTIONS"] = "--symbol-cache=no"
    p = subprocess.run([loader, exe], env=env, capture_output=True, text=True, timeout=60)
    ok = p.returncode == 3 and "leak (prog.c:" in p.stderr and "Frames show" not in p.stderr
    check(ok, "ld.so run as a command: the report names the leaking function"
          + ("" if ok else "\n" + indent(p.stderr, 30)))


def without_libdw(exe, with_dw):
    env = clean_env()
    env["LD_PRELOAD"] = lib
    env["LEAKTRACE_LIBDW"] = os.path.join(work, "no-such-libdw.so")
    # Names cached by the first run (--symbol-cache, keyed by build ID) would
    # be served without libdw.
    env["LEAKTRACE_OPTIONS"] = "--symbol-cache=no"
    rc, out, err = run(exe, env)
    rep = parse_report(err)
    check(rc == 3 and out == "done\n", "no libdw: the program's output and exit status are unchanged")
    ok = rep["complete"] and rep["kinds"] == with_dw["kinds"]
    check(ok, "no libdw: the report is complete and counts the same" + ("" if ok else "\n" + indent(err, 30)))
    ok = "Frames show their objects only: cannot load" in err and "(in " + exe + ")" in err
    check(ok, "no libdw: frames name their objects, and the report says why" + ("" if ok else "\n" + indent(err, 30)))


dependencies()
exe = build()
rep = at_run_time(exe)
fresh_loads(exe)
explicit_loader(exe)
without_libdw(exe, rep)
sys.exit(finish())
