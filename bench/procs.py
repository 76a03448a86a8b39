#!/usr/bin/env python3
"""bench/procs.py — the "many short processes" part of scripts/bench.

CI suites are mostly short processes; there the tool's fixed cost per process
(start-up, the exit check, symbolization) matters more than its cost per
malloc. Workloads, each run under every tool with children checked as with
Valgrind's --trace-children=yes:

  bash, 20 subshells     bash -c 'for i in $(seq 20); do x=$(echo hi); done'
  shim chain             a pyenv-style bash shim (8 helper commands) that
                         finally execs `python3 -c pass`
  make -j2, N tests      make runs N tiny test programs, each leaking one block
  /bin/true              extra ms per process
  tiny leaky program     extra ms per process, second run onwards (the
                         symbol cache is warm: --symbol-cache)

Measured: user+sys CPU time of the whole process tree (os.wait4 rusage, which
includes every waited-for descendant), medians over rounds that interleave
the tools in a rotated order. Reports go to /dev/null (stderr), so only the
tool's work is timed, not the terminal's.

Usable alone: bench/procs.py [--quick] [--lib build/libleaktrace.so].
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHIM = r'''#!/bin/bash
# a pyenv-style shim: find the version, the prefix, the real executable
set -e
dir=$(dirname "$0")
name=$(basename "$0")
version=$(cat "$dir/version")
prefix=$(readlink -f "$dir")
case "$(uname -s)" in Linux) ;; *) exit 1 ;; esac
real=$(command -v python3)
test -x "$real"
hash=$(printf '%s' "$version$name" | od -An -tx1 | tr -d ' \n')
: "$prefix" "$hash"
exec "$real" -c pass
'''

LEAKY = r'''
#include <stdlib.h>
void *volatile keep;
int main(void) { keep = malloc(TEST_SIZE); keep = 0; return 0; }
'''


def build(work, ntests):
    shim_dir = os.path.join(work, "shim")
    os.makedirs(shim_dir, exist_ok=True)
    shim = os.path.join(shim_dir, "python")
    with open(shim, "w") as f:
        f.write(SHIM)
    os.chmod(shim, 0o755)
    with open(os.path.join(shim_dir, "version"), "w") as f:
        f.write("3.11\n")
    tdir = os.path.join(work, "tests")
    os.makedirs(tdir, exist_ok=True)
    src = os.path.join(tdir, "leak.c")
    with open(src, "w") as f:
        f.write(LEAKY)
    # N distinct programs (distinct build IDs: each is a new object to
    # symbolize, as in a real suite), built in parallel.
    procs = []
    for i in range(ntests):
        exe = os.path.join(tdir, f"t{i:03d}")
        procs.append(subprocess.Popen(["gcc", "-g", "-O0", f"-DTEST_SIZE={i + 1}", "-o", exe, src]))
        if len(procs) >= 4:
            procs.pop(0).wait()
    for p in procs:
        p.wait()
    with open(os.path.join(tdir, "Makefile"), "w") as f:
        names = " ".join(f"run-t{i:03d}" for i in range(ntests))
        f.write(f"all: {names}\n")
        for i in range(ntests):
            f.write(f"run-t{i:03d}:\n\t@./t{i:03d}\n")
    return shim, tdir, os.path.join(tdir, "t000")


def tool_cmd(tool, argv, lib, lsan):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "LEAKTRACE_OPTIONS", "LSAN_OPTIONS", "VALGRIND_OPTS")}
    if tool == "plain":
        return argv, env
    if tool == "shim":
        env["LD_PRELOAD"] = lib
        return argv, env
    if tool == "lsan":
        env["LD_PRELOAD"] = lsan
        env["LSAN_OPTIONS"] = "exitcode=0"
        return argv, env
    if tool == "valgrind":
        return ["valgrind", "--trace-children=yes", "--leak-check=full"] + argv, env
    raise ValueError(tool)


def cpu_of(argv, env, cwd):
    """user+sys seconds of the process tree, and wall seconds."""
    t0 = time.time()
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return ru.ru_utime + ru.ru_stime, time.time() - t0


TITLE = {"plain": "plain", "shim": "libleaktrace", "lsan": "LSan (preloaded)", "valgrind": "valgrind"}


def run(lib, work, quick, log=lambda m: print(m, file=sys.stderr), tools=None):
    """Returns (markdown lines, targets as (name, measured text, ok))."""
    ntests = 50 if quick else 200
    rounds = 5 if quick else 11
    slow_rounds = 1 if quick else 3
    lsan = subprocess.run(["gcc", "-print-file-name=liblsan.so"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    tools = tools or ["plain", "shim", "lsan", "valgrind"]
    if not os.path.exists(lsan):
        tools = [t for t in tools if t != "lsan"]
    if not shutil.which("valgrind"):
        tools = [t for t in tools if t != "valgrind"]
    log(f"bench: many processes ({ntests} tests for make), tools {', '.join(tools)}")
    shim, tdir, leaky = build(work, ntests)
    W = [("bash, 20 subshells", ["bash", "-c", 'for i in $(seq 20); do x=$(echo hi); done'], work),
         ("shim chain → python3 -c pass", [shim], work),
         (f"make -j2, {ntests} leaky tests", ["make", "-s", "-j2", "-C", tdir], work),
         ("/bin/true", ["/bin/true"], work),
         ("tiny leaky program", [leaky], work)]
    samples = {}
    for name, argv, cwd in W:             # warm-up: also fills the symbol cache
        for tool in tools:
            if tool != "valgrind":
                a, e = tool_cmd(tool, argv, lib, lsan)
                cpu_of(a, e, cwd)
    for r in range(rounds):
        order = tools[r % len(tools):] + tools[:r % len(tools)]
        for name, argv, cwd in W:
            for tool in order:
                if tool == "valgrind" and r >= slow_rounds:
                    continue
                a, e = tool_cmd(tool, argv, lib, lsan)
                samples.setdefault((name, tool), []).append(cpu_of(a, e, cwd))
    med = lambda k: statistics.median(s[0] for s in samples[k]) if k in samples else None
    rows, targets = [], []
    for name, _, _ in W:
        p = med((name, "plain"))
        per_process = name in ("/bin/true", "tiny leaky program")
        row = [name, f"{p * 1000:.1f} ms"]
        for tool in tools[1:]:
            c = med((name, tool))
            if c is None:
                row.append("")
            elif per_process:
                row.append(f"+{(c - p) * 1000:.1f} ms")
            else:
                row.append(f"{c / p:.1f}× ({c * 1000:.0f} ms)" if p else f"{c * 1000:.0f} ms")
        rows.append(row)
    s = lambda name: med((name, "shim"))
    pl = lambda name: med((name, "plain"))
    if s("bash, 20 subshells") is not None:
        r = s("bash, 20 subshells") / pl("bash, 20 subshells")
        targets.append(("bash with 20 subshells ≤ 2× plain (CPU)", f"{r:.1f}×", r <= 2.0))
        d = (s("/bin/true") - pl("/bin/true")) * 1000
        targets.append(("/bin/true ≤ 1 ms over plain (CPU)", f"+{d:.1f} ms", d <= 1.0))
        d = (s("tiny leaky program") - pl("tiny leaky program")) * 1000
        targets.append(("tiny leaky program, second run onwards, ≤ 10 ms over plain (CPU)", f"+{d:.1f} ms",
                        d <= 10.0))
    head = ["workload", "plain (CPU)"] + [TITLE[t] for t in tools[1:]]
    md = [f"### Many short processes (children checked; CPU time of the process tree, medians of {rounds} "
          f"rounds, valgrind {slow_rounds})\n",
          "| " + " | ".join(head) + " |",
          "|" + "---|" * len(head)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    md.append("")
    return md, targets


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "libleaktrace.so"))
    ap.add_argument("--tools", default="plain,shim,lsan,valgrind")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="leaktrace-procs.")
    try:
        md, targets = run(os.path.abspath(a.lib), work, a.quick, tools=a.tools.split(","))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(md))
    for name, measured, ok in targets:
        print(f"- {name}: {measured} — {'pass' if ok else 'miss'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
