#!/usr/bin/env python3
"""The table's switch from one stripe to 512 while threads run, repeated
(src/table.c: "one table while single-threaded").

The scenarios table_spread_thread (the switch at the first pthread_create,
blocks then freed from the new threads) and c11_threads (threads the
interposer never sees: the switch happens at a growth while they allocate)
run once per build in the scenario suite. The switch races with the
threads' own table operations, so here their gcc-O2 and clang-O2 builds
run 20 times each under the tool: every run must print the plain run's
stdout and status and the LEAK SUMMARY its EXPECT line states."""
import os, re, subprocess

from harness import arg_parser, check, clean_env, finish, indent, parse_report

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
RUNS = 20
KINDS = {"definite": "definitely lost", "indirect": "indirectly lost",
         "possible": "possibly lost", "reachable": "still reachable"}


def expected(name):
    """The EXPECT line of tests/scenarios/NAME.c as {kind: (bytes, blocks)}."""
    with open(os.path.join(args.src, "tests", "scenarios", name + ".c")) as f:
        line = next(l for l in f if l.startswith("// EXPECT:"))
    return {KINDS[k]: (int(b), int(n)) for k, b, n in re.findall(r"(\w+) (\d+)/(\d+)", line)}


def run(exe, preload):
    env = clean_env()
    if preload:
        env["LD_PRELOAD"] = lib
    p = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


for name in ("table_spread_thread", "c11_threads"):
    want = expected(name)
    for variant in ("gcc-O2", "clang-O2"):
        exe = os.path.join(args.build, "tests", "scenarios", variant, name)
        if not os.path.exists(exe):
            continue                      # clang-14 absent: scenarios are built with gcc only
        plain = run(exe, False)
        bad = []
        for i in range(RUNS):
            rc, out, err = run(exe, True)
            kinds = {k: v for k, v in parse_report(err)["kinds"].items() if k in want}
            if (rc, out) != plain[:2] or kinds != want:
                bad.append("run %d: status %d, %s\n%s" % (i, rc, kinds, indent(err, 20)))
        check(not bad, "%s (%s): %d runs, each as plain and %s%s"
              % (name, variant, RUNS, want, ("\n" + "\n".join(bad[:3])) if bad else ""))

finish()
