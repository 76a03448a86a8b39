#!/usr/bin/env python3
"""Stack equality with and without the unwind cache (src/unwcache.c).

Run by CTest as:
  test_unwind_cache.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC
  [--only shapes,scenarios]

shapes: tests/unwind/shapes.c (same-site loops, recursion, variable-size
frames reaching one leaf from two chains, realigned frames, a SIGALRM
handler that allocates, longjmp, swapcontext coroutines, threads) built
-O2 -fomit-frame-pointer, -O0 -fno-omit-frame-pointer, -O1, -O2
-mstackrealign, and tests/unwind/exceptions.cpp (exceptions through
allocating frames) at -O2 and -O0, each run under the shim with
LEAKTRACE_UNWIND_CACHE=check: every stack the cache would have served is
compared with unw_backtrace's (any difference aborts the program); the
run must exit as the plain run does and must have compared stacks. Then
the set of leak-record stacks (function and file:line per frame) with the
cache (yes) must equal the one without it (no).

scenarios: every scenario program (build/tests/scenarios) through
tests/scenario.py with LEAKTRACE_UNWIND_CACHE=check: its expectations hold
and no cached stack differs.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

import harness

ap = harness.arg_parser(__doc__)
ap.add_argument("--only", default="")
args = ap.parse_args()
only = set(x for x in args.only.split(",") if x)

PARTS = ["same", "recurse", "vla", "realign", "signal", "longjmp", "ucontext", "threads"]
CHECK_LINE = re.compile(r"unwind-cache check: (\d+) cached stacks equal")


def stacks(text):
    """The leak records' stacks, addresses left out: a set of tuples."""
    out, cur = set(), None
    for line in text.splitlines():
        line = re.sub(r"^==\d+== ?", "", line)
        m = harness.FRAME.match(line)
        if m:
            cur = (cur or ()) + ((m.group(1), m.group(2)),)
        elif cur is not None:
            out.add(cur)
            cur = None
    if cur is not None:
        out.add(cur)
    return out


def run_tool(exe, argv, mode, tmp, tag):
    env = harness.clean_env()
    env["LEAKTRACE_UNWIND_CACHE"] = mode
    log = os.path.join(tmp, f"{tag}.{mode}.txt".replace(" ", "_"))
    rc, out, err, secs, hung, _ = harness.run_grouped(
        [args.cli, f"--log-file={log}", "--show-leak-kinds=definite", "--", exe, *argv], env, 120)
    rep = open(log).read() if os.path.exists(log) else ""
    return rc, out.decode(errors="replace"), err.decode(errors="replace"), rep, hung


def one(exe, argv, tmp, tag):
    rc0, out0, _, _, _, _ = harness.run_grouped([exe, *argv], harness.clean_env(), 120)
    rc, out, err, rep, hung = run_tool(exe, argv, "check", tmp, tag)
    m = CHECK_LINE.search(err)
    if hung or rc != rc0 or out.strip() != out0.decode(errors="replace").strip():
        harness.fail(tag, "check mode: %s, plain %s" % ("hung" if hung else harness.describe_status(rc),
                                                       harness.describe_status(rc0)), harness.indent(err, 20))
        return
    if "differs" in err or not m:
        harness.fail(tag, "check mode: no comparison line or a difference", harness.indent(err, 20))
        return
    harness.check(int(m.group(1)) > 0, f"{tag}: {m.group(1)} cached stacks compared, all equal")
    rcy, _, _, repy, _ = run_tool(exe, argv, "yes", tmp, tag)
    rcn, _, _, repn, _ = run_tool(exe, argv, "no", tmp, tag)
    sy, sn = stacks(repy), stacks(repn)
    if rcy != rcn or sy != sn or not sy:
        harness.fail(tag, "leak stacks differ with and without the cache",
                     "only with: %s\nonly without: %s" % (sorted(sy - sn)[:3], sorted(sn - sy)[:3]))
    else:
        harness.check(True, f"{tag}: {len(sy)} leak stacks identical with and without the cache")


def shapes():
    tmp = tempfile.mkdtemp(prefix="lt-unwcache.")
    src = os.path.join(args.src, "tests", "unwind")
    builds = [("O2", ["gcc", "-O2", "-fomit-frame-pointer"]), ("O0fp", ["gcc", "-O0", "-fno-omit-frame-pointer"]),
              ("O1", ["gcc", "-O1"]), ("realign", ["gcc", "-O2", "-mstackrealign"])]
    for tag, cc in builds:
        exe = os.path.join(tmp, "shapes-" + tag)
        r = subprocess.run([*cc, "-g", os.path.join(src, "shapes.c"), "-pthread", "-o", exe],
                           capture_output=True, text=True)
        if r.returncode:
            harness.fail("build " + tag, "gcc failed", r.stderr)
            continue
        one(exe, PARTS, tmp, "shapes " + tag)
    for tag, cc in [("O2", ["g++", "-O2"]), ("O0", ["g++", "-O0"])]:
        exe = os.path.join(tmp, "exceptions-" + tag)
        r = subprocess.run([*cc, "-g", os.path.join(src, "exceptions.cpp"), "-o", exe],
                           capture_output=True, text=True)
        if r.returncode:
            harness.fail("build exceptions " + tag, "g++ failed", r.stderr)
            continue
        one(exe, [], tmp, "exceptions " + tag)


def scenarios():
    bad = []
    # One build of each scenario (tests/CMakeLists.txt makes four): gcc -O2,
    # where frames are most often omitted and realigned.
    variant = "gcc-O2"
    exes = sorted(p for p in glob.glob(os.path.join(args.build, "tests", "scenarios", variant, "*"))
                  if os.path.isfile(p) and os.access(p, os.X_OK) and "." not in os.path.basename(p))
    env = harness.clean_env()
    env["LEAKTRACE_UNWIND_CACHE"] = "check"
    for exe in exes:
        name = os.path.basename(exe)
        src = (glob.glob(os.path.join(args.src, "tests", "scenarios", name + ".c*")) or [None])[0]
        if not src:
            continue
        rc, out, err, secs, hung, _ = harness.run_grouped(
            [sys.executable, os.path.join(args.src, "tests", "scenario.py"), "--lib", args.lib,
             "--cli", args.cli, "--exe", exe, "--src", src, "--no-oracle", "--variant", variant], env, 300)
        if rc != 0:
            bad.append(name)
            harness.fail("scenario " + name, "fails with LEAKTRACE_UNWIND_CACHE=check",
                         harness.indent(out.decode(errors="replace"), 30))
    harness.check(exes and not bad, f"{len(exes)} scenarios pass with every cached stack checked")


harness.run_named([("shapes", shapes), ("scenarios", scenarios)], only)
sys.exit(harness.finish())
