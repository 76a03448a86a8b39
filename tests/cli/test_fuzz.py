#!/usr/bin/env python3
"""Builds the libFuzzer targets in fuzz/ with clang and runs each for a
bounded time; fails on any finding (crash, sanitizer report, leak, timeout,
out-of-memory) and prints the reproducer's path and how to replay it.

Run by CTest as:
  test_fuzz.py --lib BUILD/libleaktrace.so --cli BUILD/leaktrace --build BUILD --src SRC

Each target is compiled from the real sources under test (not through
CMake) with -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all:
  fuzz_options         src/options.c (standalone)
  fuzz_suppressions    src/suppress.c and what it links (arena, depot,
                       symbols, writer, ...: the src/*.c modules without the
                       interposing ones, as a static archive so only what is
                       needed is pulled in)
  fuzz_report_readers  tools/diff*.c (the `leaktrace diff` readers), once the
                       readers exist; until then it is skipped with a notice
Per target: first every reproducer kept in fuzz/crashes/<target>/ is replayed
(a known bug that still reproduces fails the test, named as known), then the
fuzzer runs from the seeds in fuzz/corpus/<target>/ plus what earlier runs in
this build tree found (BUILD/fuzz/<target>/corpus; nothing is written into
the source tree), for LT_FUZZ_SECONDS seconds (default 15) and at most
LT_FUZZ_RUNS inputs. Findings go to BUILD/fuzz/<target>/artifacts/.

The build is skipped when no source, header, flag or the compiler changed
since the last one in this build tree (BUILD/fuzz/build.stamp).

Skipped (exit 0, with a message) only when clang is not installed.
Exit 0 = pass.
"""
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

from harness import arg_parser

SECONDS = int(os.environ.get("LT_FUZZ_SECONDS", "15"))
RUNS = int(os.environ.get("LT_FUZZ_RUNS", "3000000"))

SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
CFLAGS = ["-g", "-O1", "-std=gnu11", "-D_GNU_SOURCE", '-DLT_VERSION="fuzz"'] + SAN
# Modules that define exported interposing symbols: never linked into a fuzzer.
INTERPOSERS = {"interpose.c", "lifecycle.c", "signals.c", "api.c"}

# Per target: libFuzzer's -max_len (the largest seed is well below it) and
# an optional cap on -runs.
TARGETS = {
    "fuzz_options": {
        "max_len": 4096,
    },
    "fuzz_suppressions": {
        # The tool's arena keeps bump-allocated names and frame lines (see the
        # target's header): about 1 KB per input, so at most 1M inputs stay
        # under -rss_limit_mb (15 s make 50k-200k).
        "max_len": 8192,
        "runs": 1000000,
    },
    "fuzz_report_readers": {
        "max_len": 65536,
    },
}


def find_clang():
    for name in ("clang-14", "clang", "clang-15", "clang-16", "clang-13"):
        p = shutil.which(name)
        if p:
            return p
    return None


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


def pkg_config(*args):
    r = subprocess.run(["pkg-config"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("pkg-config %s failed: %s" % (" ".join(args), r.stderr.decode().strip()))
    return r.stdout.decode().split()


def compile_objects(clang, srcs, objdir, includes):
    """Compiles each source (2 at a time); returns the objects, or raises."""
    os.makedirs(objdir, exist_ok=True)

    def one(src):
        obj = os.path.join(objdir, os.path.basename(src)[:-2] + ".o")
        cmd = [clang] + CFLAGS + ["-fsanitize=fuzzer-no-link"] + ["-I" + i for i in includes] + \
              ["-c", src, "-o", obj]
        r = run(cmd)
        if r.returncode != 0:
            raise RuntimeError("compiling %s failed:\n  %s\n%s" % (src, " ".join(cmd), r.stdout.decode()))
        return obj

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        return list(ex.map(one, srcs))


def readers_present(src):
    """True when tools/diff*.c define the three readers diff.h declares."""
    if not os.path.exists(os.path.join(src, "tools", "diff.h")):
        return False, "tools/diff.h does not exist"
    text = ""
    for f in glob.glob(os.path.join(src, "tools", "diff*.c")):
        text += open(f, errors="replace").read()
    missing = [fn for fn in ("ltd_read_text", "ltd_read_xml", "ltd_read_json", "lt_diff_main")
               if not re.search(r"^\s*int\s+%s\s*\(" % fn, text, re.M)]
    if missing:
        return False, "not defined yet in tools/diff*.c: " + ", ".join(missing)
    return True, ""


def source_stamp(clang, src):
    """A hash of everything the binaries are built from (sources, headers,
    flags, compiler): the build is skipped when it has not changed."""
    h = hashlib.sha256()
    h.update(repr((clang, CFLAGS, sorted(TARGETS))).encode())
    files = []
    for pat in ("src/*.[ch]", "include/*.h", "tools/*.[ch]", "fuzz/*.c"):
        files += glob.glob(os.path.join(src, pat))
    for f in sorted(files):
        h.update(f.encode())
        with open(f, "rb") as fh:
            h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


def build_cached(clang, src, out):
    stamp_file = os.path.join(out, "build.stamp")
    stamp = source_stamp(clang, src)
    try:
        with open(stamp_file) as f:
            old = json.load(f)
        if old.get("stamp") == stamp and all(os.path.exists(b) for b in old["bins"].values()):
            return old["bins"], old["skipped"], True
    except (OSError, ValueError, KeyError):
        pass
    bins, skipped = build(clang, src, out)
    with open(stamp_file, "w") as f:
        json.dump({"stamp": stamp, "bins": bins, "skipped": skipped}, f)
    return bins, skipped, False


def build(clang, src, out):
    """Builds every target it can; returns {target: binary}, skipped {target: why}."""
    includes = [os.path.join(src, "src"), os.path.join(src, "include")]
    includes += [f[2:] for f in pkg_config("--cflags-only-I", "libunwind", "libdw") if f.startswith("-I")]
    core_srcs = sorted(f for f in glob.glob(os.path.join(src, "src", "*.c"))
                       if os.path.basename(f) not in INTERPOSERS)
    core_objs = compile_objects(clang, core_srcs, os.path.join(out, "obj", "core"), includes)
    archive = os.path.join(out, "libfz_core.a")
    if os.path.exists(archive):
        os.unlink(archive)
    ar = shutil.which("llvm-ar-14") or shutil.which("llvm-ar") or shutil.which("ar")
    r = run([ar, "rcs", archive] + core_objs)
    if r.returncode != 0:
        raise RuntimeError("ar failed: " + r.stdout.decode())
    core_libs = pkg_config("--libs", "libunwind", "libdw")
    iberty = "/usr/lib/x86_64-linux-gnu/libiberty.a"
    if not os.path.exists(iberty):
        iberty = "-liberty"
    core_libs += [iberty, "-ldl", "-lpthread"]

    bins, skipped = {}, {}
    for target in TARGETS:
        fsrc = os.path.join(src, "fuzz", target + ".c")
        if not os.path.exists(fsrc):
            skipped[target] = "fuzz/%s.c does not exist" % target
            continue
        incs = list(includes)
        objs = []
        libs = []
        if target == "fuzz_report_readers":
            ok, why = readers_present(src)
            if not ok:
                skipped[target] = why
                continue
            incs.append(os.path.join(src, "tools"))
            tool_srcs = sorted(f for f in glob.glob(os.path.join(src, "tools", "diff*.c")))
            objs = compile_objects(clang, tool_srcs, os.path.join(out, "obj", target), incs)
            try:
                libs = pkg_config("--libs", "libcjson")
            except RuntimeError:
                libs = ["-lcjson"]
        os.makedirs(os.path.join(out, "bin"), exist_ok=True)
        binary = os.path.join(out, "bin", target)
        cmd = [clang] + CFLAGS + ["-fsanitize=fuzzer"] + ["-I" + i for i in incs] + \
              [fsrc] + objs + [archive] + libs + core_libs + ["-o", binary]
        r = run(cmd)
        if r.returncode != 0:
            raise RuntimeError("building %s failed:\n  %s\n%s" % (target, " ".join(cmd), r.stdout.decode()))
        bins[target] = binary
    return bins, skipped


def tail(text, n=60):
    lines = text.splitlines()
    return "\n".join(lines[-n:])


def sanitizer_summary(text):
    m = re.search(r"^SUMMARY: .*$", text, re.M)
    return m.group(0) if m else None


def replay_known(binary, target, src):
    """Replays fuzz/crashes/<target>/*; returns failure messages."""
    fails = []
    known = sorted(f for f in glob.glob(os.path.join(src, "fuzz", "crashes", target, "*"))
                   if os.path.isfile(f) and not f.endswith(".md") and not f.endswith(".txt"))
    for f in known:
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
                   UBSAN_OPTIONS="print_stacktrace=1")
        r = run([binary, "-runs=1", "-timeout=20", f], env=env, timeout=120)
        out = r.stdout.decode("utf-8", "replace")
        if r.returncode != 0:
            fails.append("%s: known finding still reproduces: %s\n  %s\n  replay: %s %s\n%s" % (
                target, os.path.relpath(f, src), sanitizer_summary(out) or "exit %d" % r.returncode,
                binary, f, tail(out, 30)))
        else:
            print("  %s: known reproducer %s no longer fails (fixed? move it to the seed corpus)"
                  % (target, os.path.basename(f)), flush=True)
    return fails


def fuzz(binary, target, src, out):
    work = os.path.join(out, target, "corpus")
    arts = os.path.join(out, target, "artifacts") + "/"
    os.makedirs(work, exist_ok=True)
    os.makedirs(arts, exist_ok=True)
    before = set(os.listdir(arts))
    seeds = os.path.join(src, "fuzz", "corpus", target)
    dirs = [work] + ([seeds] if os.path.isdir(seeds) else [])
    cfg = TARGETS[target]
    max_runs = min(RUNS, cfg.get("runs", RUNS))
    cmd = [binary, "-max_total_time=%d" % SECONDS, "-runs=%d" % max_runs,
           "-max_len=%d" % cfg["max_len"], "-timeout=10", "-rss_limit_mb=2048",
           "-malloc_limit_mb=2048", "-print_final_stats=1", "-artifact_prefix=" + arts] + dirs
    t0 = time.time()
    try:
        r = run(cmd, timeout=SECONDS * 3 + 60)
        out_text = r.stdout.decode("utf-8", "replace")
        rc = r.returncode
    except subprocess.TimeoutExpired as e:
        out_text = (e.stdout or b"").decode("utf-8", "replace")
        rc = "hung (killed after %ds)" % (SECONDS * 3 + 60)
    dt = time.time() - t0
    new = sorted(set(os.listdir(arts)) - before)
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", out_text)
    cov = re.findall(r"\bcov: (\d+)", out_text)
    print("  %s: %s inputs in %.0fs, coverage %s, corpus %d files, exit %s" % (
        target, runs[-1] if runs else "?", dt, cov[-1] if cov else "?", len(os.listdir(work)), rc),
        flush=True)
    if rc == 0 and not new:
        return []
    msg = "%s: finding (exit %s)\n  %s\n" % (target, rc, sanitizer_summary(out_text) or "")
    for a in new:
        p = os.path.join(arts, a)
        msg += "  reproducer: %s\n  replay:     %s %s\n" % (p, binary, p)
    msg += "  command: %s\n%s" % (" ".join(cmd), tail(out_text))
    return [msg]


def main():
    ap = arg_parser(__doc__)
    args = ap.parse_args()
    src = os.path.abspath(args.src)
    out = os.path.join(os.path.abspath(args.build), "fuzz")

    clang = find_clang()
    if not clang:
        print("SKIP: clang is not installed, so the libFuzzer targets in fuzz/ were not built or run "
              "(Debian: apt-get install clang-14 libclang-rt-14-dev)")
        return 0
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    try:
        bins, skipped, cached = build_cached(clang, src, out)
    except (RuntimeError, subprocess.SubprocessError) as e:
        print("FAIL: %s" % e)
        print("0 passed, 1 failed")
        return 1
    print("%s %s with %s%s" % ("up to date:" if cached else "built", ", ".join(sorted(bins)) or "nothing",
                                clang, "" if cached else " in %.0fs" % (time.time() - t0)), flush=True)
    for t, why in sorted(skipped.items()):
        print("NOTICE: %s skipped: %s" % (t, why), flush=True)

    failures = []
    passed = failed = 0
    for target in TARGETS:
        if target not in bins:
            continue
        f = replay_known(bins[target], target, src)
        f += fuzz(bins[target], target, src, out)
        if f:
            failures += f
            failed += 1
        else:
            passed += 1
    for f in failures:
        print("FAIL: " + f, flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
