#!/usr/bin/env python3
"""The symbolization cache shared between processes (src/symcache.c).

usage: test_symcache.py --lib LIB --cli CLI --build BUILD_DIR --src SOURCE_DIR

Truth: a cache may only make reports cheaper, never different. Checks, with
XDG_CACHE_HOME pointing to a fresh folder:
  - cold and warm runs of a leaky program (gcc -g -O0, frames in the program,
    libc and the tool) write identical reports, and the cold run leaves one
    file per object build ID under $XDG_CACHE_HOME/leaktrace/symbols;
  - a cache file that is garbage, truncated, or has another header is ignored
    (same report) and replaced by a valid one;
  - a cache file whose entries lie (names that are not the truth) but whose
    header is not the current one is not believed;
  - a symlink planted at a cache file's name is not followed: its target is
    untouched;
  - --symbol-cache=no writes nothing; --symbol-cache=DIR writes there;
  - a warm run needs no libdw (the build ID and load bias come from the
    object as loaded, src/symbols.c "the shared cache before libdw"): with
    LEAKTRACE_LIBDW pointing nowhere it still writes the reference report,
    file:line included.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import arg_parser, check, clean_env

PROGRAM = r'''
#include <stdlib.h>
void *volatile keep;
static void *__attribute__((noinline)) make(size_t n) { return malloc(n); }
int main(void) { keep = make(40); keep = 0; keep = make(24); return 0; }
'''

PID = re.compile(r"^==\d+==", re.M)
ADDR = re.compile(r"0x[0-9A-Fa-f]+")


def normalized(text):
    return ADDR.sub("0xADDR", PID.sub("==PID==", text))


def run(exe, lib, cache_home, options="", extra_env=None):
    env = clean_env()
    env["LD_PRELOAD"] = lib
    env["XDG_CACHE_HOME"] = cache_home
    env.update(extra_env or {})
    if options:
        env["LEAKTRACE_OPTIONS"] = options
    r = subprocess.run([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return normalized(r.stderr.decode(errors="replace"))


def cache_files(cache_home):
    d = os.path.join(cache_home, "leaktrace", "symbols")
    return sorted(os.path.join(d, f) for f in os.listdir(d)) if os.path.isdir(d) else []


def main():
    a = arg_parser(__doc__).parse_args()
    lib = os.path.abspath(a.lib)
    work = tempfile.mkdtemp(prefix="lt-symcache-")
    try:
        src = os.path.join(work, "leak.c")
        exe = os.path.join(work, "leak")
        with open(src, "w") as f:
            f.write(PROGRAM)
        subprocess.run(["gcc", "-g", "-O0", "-o", exe, src], check=True)
        home = os.path.join(work, "cache")

        ref = run(exe, lib, home, "--symbol-cache=no")
        check("definitely lost" in ref and "leak.c:" in ref, "reference report has the leak at leak.c")
        check(cache_files(home) == [], "--symbol-cache=no writes nothing")

        cold = run(exe, lib, home)
        files = cache_files(home)
        check(len(files) >= 2, "the cold run wrote one cache file per object (%d)" % len(files))
        check(cold == ref, "cold run's report is the reference report")
        warm = run(exe, lib, home)
        check(warm == ref, "warm run's report is the reference report")
        no_dw = run(exe, lib, home, extra_env={"LEAKTRACE_LIBDW": os.path.join(work, "no-libdw.so")})
        check(no_dw == ref, "a warm run without libdw writes the reference report%s"
              % ("" if no_dw == ref else "\n" + harness.indent(no_dw)))

        # Corrupt every file in a different way: each must be ignored.
        for i, path in enumerate(files):
            with open(path, "rb") as f:
                data = f.read()
            if i % 3 == 0:
                data = b"\x00garbage\nA zz\n"
            elif i % 3 == 1:
                data = data[: len(data) // 2]
            else:                        # a lie behind another header
                data = data.replace(b"leaktrace-symcache 1 ", b"leaktrace-symcache 0 ")
                data = data.replace(b"\tmain\t", b"\tliar\t").replace(b"leak.c", b"lie.c")
            with open(path, "wb") as f:
                f.write(data)
        check(run(exe, lib, home) == ref, "corrupt or foreign cache files do not change the report")
        check(run(exe, lib, home) == ref, "... nor do the files that replaced them")
        with open(files[0], "rb") as f:
            check(f.read().startswith(b"leaktrace-symcache 1 "), "a corrupt file was replaced by a valid one")

        # A planted symlink is not followed.
        target = os.path.join(work, "victim")
        with open(target, "w") as f:
            f.write("precious\n")
        for path in files:
            os.unlink(path)
            os.symlink(target, path)
        check(run(exe, lib, home) == ref, "report unchanged with symlinks planted")
        with open(target) as f:
            check(f.read() == "precious\n", "the symlink's target is untouched")

        other = os.path.join(work, "elsewhere")
        run(exe, lib, home, "--symbol-cache=" + other)
        check(len(os.listdir(other)) >= 2 if os.path.isdir(other) else False,
              "--symbol-cache=DIR writes into DIR")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return harness.finish()


if __name__ == "__main__":
    sys.exit(main())
