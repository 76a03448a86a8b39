#!/usr/bin/env python3
"""Scenarios whose outcome depends on timing, each run 20 times per build.

The scenario suite runs every scenario once per build. Those below race
threads, signals or a fork with the tool's own work (a check while threads
allocate, a stop during a signal storm, a fork from a non-main thread, a
check while another thread holds the loader's lock, threads running under
every TLS key, a pointer only in a running thread's register): here their
gcc-O2 and clang-O2 builds go through tests/scenario.py 20 times each,
with every check it makes (the plain run's stdout and status, the EXPECT
lines, the records), without the valgrind oracle (it runs once per build
in the suite, and cannot see the truth of the threaded ones)."""
import os, subprocess, sys

from harness import arg_parser, check, finish

ap = arg_parser(__doc__)
args = ap.parse_args()
RUNS = 20
SCENARIOS = ("lsan_signal_during_stop_the_world", "lsan_fork_threaded", "lsan_libdl_deadlock",
             "lsan_many_tls_keys_pthread", "lsan_many_tls_keys_thread", "lsan_use_registers_extra")

for name in SCENARIOS:
    src = os.path.join(args.src, "tests", "scenarios", name + ".c")
    for variant in ("gcc-O2", "clang-O2"):
        exe = os.path.join(args.build, "tests", "scenarios", variant, name)
        if not os.path.exists(exe):
            continue                      # clang-14 absent: scenarios are built with gcc only
        bad = []
        for i in range(RUNS):
            p = subprocess.run([sys.executable, os.path.join(args.src, "tests", "scenario.py"),
                                "--lib", os.path.abspath(args.lib), "--cli", os.path.abspath(args.cli),
                                "--exe", exe, "--src", src, "--variant", variant, "--no-oracle"],
                               capture_output=True, text=True, timeout=300)
            if p.returncode != 0:
                bad.append("run %d:\n%s" % (i, p.stdout[-2000:]))
        check(not bad, "%s (%s): %d runs through tests/scenario.py%s"
              % (name, variant, RUNS, ("\n" + bad[0]) if bad else ""))

sys.exit(finish())
