#!/usr/bin/env python3
"""Stress programs under the shim, each with a bounded time (tests/stress/*.c).

Run by CTest as:
  test_stress.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC
  [--only NAME[,NAME...]] [--keep] [--scale F]

Each program is compiled here (gcc into a temporary directory), run plainly
and under LD_PRELOAD=libleaktrace.so with
LEAKTRACE_OPTIONS="--log-file=DIR/lt.%p --show-leak-kinds=all", each run with
a time limit (a hang is a failure, never a stuck ctest). The programs count
their own allocations and frees and print them; blocks of a distinctive size
come from functions of their own (keep_site: must be in the report, every one
of them; freed_site: all freed, so no record may name it). Checked for each:

  - exit status and the deterministic lines of stdout equal the plain run's;
  - one complete report per process that should write one;
  - "in use at exit: ... in N blocks" equals the program's own live count,
    and, for mt_mixed, the "total heap usage" allocs/frees grow exactly as
    the program's own counts between a run with 0 operations and the full one;
  - the distinctive blocks: every live one reported, no freed one reported.

Programs: mt_mixed (16 threads x 1M mixed malloc/calloc/realloc/free with
cross-thread frees), fork_threads (fork while threads allocate, allocate in
the child), dlopen_threads (dlopen/dlclose of an allocating library in a loop
from several threads), signal_alloc (asynchronous signal handlers that malloc
and free), spawn (vfork+exec, vfork+_exit, posix_spawn while threads
allocate), jumps (setjmp/longjmp and siglongjmp across allocating frames),
cancel (pthread_cancel of allocating threads), exit_busy (threads still
allocating while exit() runs the scan). Exit 0 = all passed.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from harness import arg_parser, clean_env, fail, failures, finish, parse_report, run_grouped, run_named

STATE = {}


def site(r, fn):
    """(bytes, blocks, kinds) summed over the records whose stack names fn."""
    b = n = 0
    kinds = set()
    for rec in r["records"]:
        if fn in rec["frames"]:
            b += rec["direct"]
            n += rec["blocks"]
            kinds.add(rec["kind"])
    return b, n, kinds


def counts(out):
    m = re.search(r"counts: allocs=(\d+) frees=(\d+) live=(\d+)", out)
    return tuple(int(x) for x in m.groups()) if m else None


# ---- running ------------------------------------------------------------------------

def run(argv, env, timeout, cwd=None):
    rc, out, err, secs, hung, pid = run_grouped(argv, env, timeout, cwd)
    return {"rc": rc, "out": out.decode(errors="replace"), "err": err.decode(errors="replace"),
            "secs": secs, "hung": hung, "pid": pid}


def shim(test, argv, timeout=60, options="", expect_rc=0, tag="shim"):
    """Runs argv under the shim; returns (result, {pid: report}, logdir, repro)."""
    logs = os.path.join(STATE["tmp"], "%s.%s.logs" % (test, tag))
    os.makedirs(logs)
    env = clean_env()
    env["LD_PRELOAD"] = STATE["lib"]
    env["LEAKTRACE_OPTIONS"] = ("--log-file=%s/lt.%%p --show-leak-kinds=all %s" % (logs, options)).strip()
    repro = "LD_PRELOAD=%s LEAKTRACE_OPTIONS=%s %s" % (
        STATE["lib"], shlex.quote(env["LEAKTRACE_OPTIONS"]), " ".join(shlex.quote(a) for a in argv))
    res = run(argv, env, timeout)
    res["repro"] = repro
    reports = {}
    for f in sorted(os.listdir(logs)):
        m = re.fullmatch(r"lt\.(\d+)", f)
        path = os.path.join(logs, f)
        if not m:
            fail(test, "unexpected file in the log directory: %s (a half-written report?)" % f, "reproduce: " + repro)
            continue
        with open(path, errors="replace") as fh:
            rep = parse_report(fh.read())
        rep["path"] = path
        reports[int(m.group(1))] = rep
        if not rep["complete"] or rep["pids"] != {int(m.group(1))}:
            fail(test, "incomplete report %s" % path,
                 "last lines:\n%s\nreproduce: %s" % ("\n".join(rep["text"].splitlines()[-3:]), repro))
    if res["hung"]:
        fail(test, "hang: no exit within %d s under the shim" % timeout, "reproduce: " + repro)
    elif res["rc"] != expect_rc:
        fail(test, "exit status %s under the shim, expected %d" % (res["rc"], expect_rc),
             "stderr: %s\nreproduce: %s" % (res["err"][-1500:], repro))
    return res, reports


def plain(test, argv, timeout=60, expect_rc=0):
    res = run(argv, clean_env(), timeout)
    if res["hung"] or res["rc"] != expect_rc:
        fail(test, "the plain run failed (%s, hung=%s): the test itself is broken" % (res["rc"], res["hung"]),
             res["err"][-800:])
    return res


def stable(out, drop=("counts:", "handler:")):
    return [l for l in out.splitlines() if not l.startswith(drop)]


def same_stdout(test, p, s, drop=("counts:", "handler:")):
    if stable(p["out"], drop) != stable(s["out"], drop):
        fail(test, "stdout differs from the plain run",
             "plain: %r\nshim:  %r\nreproduce: %s" % (p["out"][-600:], s["out"][-600:], s["repro"]))


def top_report(test, res, reports):
    r = reports.get(res["pid"])
    if r is None and not res["hung"]:
        fail(test, "no report from the process (pid %d); reports: %s" % (res["pid"], sorted(reports)),
             "stderr: %s\nreproduce: %s" % (res["err"][-800:], res["repro"]))
    return r


def check_live(test, r, res):
    """The program's live blocks = the blocks of the records whose stacks pass
    through the program's own source (libc may keep blocks of its own, e.g.
    libgcc_s loaded for pthread_cancel); and 'in use at exit' must be the
    sum of all records (--show-leak-kinds=all)."""
    c = counts(res["out"])
    if r is None or c is None or "in_use" not in r:
        return
    src = test + ".c"
    mine = sum(rec["blocks"] for rec in r["records"] if src in rec["files"] or "stress.h" in rec["files"])
    total = sum(rec["blocks"] for rec in r["records"])
    if mine != c[2]:
        fail(test, "the report lists %d live blocks allocated by the program (%d in all); the program holds %d"
             % (mine, r["in_use"][1], c[2]),
             "report: %s\nprogram: %s\nreproduce: %s" % (r["path"], res["out"].strip().splitlines()[-1],
                                                         res["repro"]))
    if total != r["in_use"][1]:
        fail(test, "'in use at exit' says %d blocks; the loss records (all kinds shown) hold %d"
             % (r["in_use"][1], total), "report: %s\nreproduce: %s" % (r["path"], res["repro"]))


def check_site(test, r, fn, size, blocks, kind="still reachable", repro=""):
    b, n, kinds = site(r, fn)
    if n != blocks or b != size * blocks or (blocks and kinds != {kind}):
        fail(test, "%s: the program holds %d blocks of %d bytes (%s); the report lists %d blocks, %d bytes (%s)"
             % (fn, blocks, size, kind, n, b, ",".join(sorted(kinds)) or "none"),
             "report: %s\nreproduce: %s" % (r["path"], repro))


def check_no_site(test, r, fn, repro="", size=4091):
    b, n, _ = site(r, fn)
    if n:
        fail(test, "%s: every such block was freed, yet the report lists %d blocks (%d bytes)" % (fn, n, b),
             "report: %s\nreproduce: %s" % (r["path"], repro))
    # and by size, whatever the stack says
    for rec in r["records"]:
        if size and rec["direct"] == size * rec["blocks"]:
            fail(test, "a record of %d block(s) of %d bytes, the size of the blocks that were all freed (%s)"
                 % (rec["blocks"], size, " < ".join(rec["frames"][:4])),
                 "report: %s\nreproduce: %s" % (r["path"], repro))


# ---- the tests ------------------------------------------------------------------------

def t_mt_mixed(exe):
    test = "mt_mixed"
    threads, ops, keep = 16, int(1000000 * STATE["scale"]), 4
    print("  mt_mixed: %d threads x %d operations (malloc/calloc/realloc/free, cross-thread frees), "
          "%d kept blocks per thread" % (threads, ops, keep), flush=True)
    p = plain(test, [exe, str(threads), str(ops), str(keep)], timeout=120)
    s, reps = shim(test, [exe, str(threads), str(ops), str(keep)], timeout=120)
    print("  mt_mixed: plain %.1f s, shim %.1f s" % (p["secs"], s["secs"]), flush=True)
    if s["secs"] > 60:
        fail(test, "took %.1f s under the shim (limit 60 s)" % s["secs"], "reproduce: " + s["repro"])
    same_stdout(test, p, s, drop=())
    r = top_report(test, s, reps)
    b, breps = shim(test, [exe, str(threads), "0", str(keep)], timeout=60, tag="base")
    rb = top_report(test, b, breps)
    if not r or not rb:
        return
    check_site(test, r, "keep_site", 4093, threads * keep, repro=s["repro"])
    check_no_site(test, r, "freed_site", s["repro"])
    check_live(test, r, s)
    c, cb = counts(s["out"]), counts(b["out"])
    if c and cb and "usage" in r and "usage" in rb:
        da, df = r["usage"][0] - rb["usage"][0], r["usage"][1] - rb["usage"][1]
        pa, pf = c[0] - cb[0], c[1] - cb[1]
        print("  mt_mixed: program allocs/frees %d/%d, report's total heap usage grew by %d/%d" % (pa, pf, da, df))
        if (da, df) != (pa, pf):
            fail(test, "total heap usage grew by %d allocs, %d frees; the program made %d allocs, %d frees"
                 % (da, df, pa, pf), "reproduce: %s\n           %s" % (s["repro"], b["repro"]))


def t_fork_threads(exe):
    test = "fork_threads"
    forks, nt = 12, 2
    print("  fork_threads: %d forks while %d threads allocate" % (forks, nt), flush=True)
    p = plain(test, [exe, str(forks), str(nt)])
    s, reps = shim(test, [exe, str(forks), str(nt)], timeout=120)
    print("  fork_threads: plain %.1f s, shim %.1f s" % (p["secs"], s["secs"]), flush=True)
    same_stdout(test, p, s)
    r = top_report(test, s, reps)
    if len(reps) != forks + 1:
        fail(test, "%d reports for %d processes" % (len(reps), forks + 1), "reproduce: " + s["repro"])
    if r:
        check_live(test, r, s)
        check_no_site(test, r, "child_keep_site", s["repro"], size=4093)
    for pid, cr in reps.items():
        if pid == s["pid"]:
            continue
        check_site(test, cr, "child_keep_site", 4093, 1, repro=s["repro"])
        check_no_site(test, cr, "child_freed_site", s["repro"])


def t_dlopen_threads(exe, lib):
    test = "dlopen_threads"
    nt, iters = 4, int(300 * max(STATE["scale"], 0.1))
    print("  dlopen_threads: %d threads x %d dlopen/dlclose" % (nt, iters), flush=True)
    p = plain(test, [exe, lib, str(nt), str(iters)])
    s, reps = shim(test, [exe, lib, str(nt), str(iters)])
    same_stdout(test, p, s, drop=())
    r = top_report(test, s, reps)
    if not r:
        return
    check_live(test, r, s)
    # The library's constructor block (4091 bytes) is freed by its destructor;
    # its frames cannot be named once the library is gone, so look by size.
    for rec in r["records"]:
        if rec["direct"] == 4091 * rec["blocks"]:
            fail(test, "a record of %d block(s) of 4091 bytes (the library's constructor block, freed by "
                 "its destructor)" % rec["blocks"], "report: %s\nreproduce: %s" % (r["path"], s["repro"]))
    if r["kinds"].get("definitely lost", (0, 0))[1]:
        fail(test, "definitely lost: %s" % (r["kinds"]["definitely lost"],), "report: " + r["path"])


def t_signal_alloc(exe):
    test = "signal_alloc"
    nt, nsig = 3, 20000
    print("  signal_alloc: %d threads, %d SIGUSR1s whose handler mallocs and frees" % (nt, nsig), flush=True)
    p = plain(test, [exe, str(nt), str(nsig)])
    s, reps = shim(test, [exe, str(nt), str(nsig)])
    same_stdout(test, p, s)
    r = top_report(test, s, reps)
    m = re.search(r"handler: ran=(\d+) skipped=(\d+) in_tool=(\d+)", s["out"])
    k = re.search(r"kept: (\d+)", s["out"])
    if m:
        print("  signal_alloc: the handler ran %s times (%s of them interrupting the leak checker), "
              "skipped %s (interrupted libc)" % (m.group(1), m.group(3), m.group(2)))
    if not r or not k:
        return
    check_site(test, r, "handler_site", 4079, int(k.group(1)), repro=s["repro"])
    check_live(test, r, s)
    c = counts(s["out"])
    if c and "usage" in r and r["usage"][0] < c[0]:
        fail(test, "total heap usage says %d allocs; the program alone made %d" % (r["usage"][0], c[0]),
             "allocations made by signal handlers are missing\nreproduce: " + s["repro"])


def t_spawn(exe):
    test = "spawn"
    n, nt = 10, 2
    print("  spawn: %d x (vfork+exec, vfork+_exit, posix_spawn) while %d threads allocate" % (n, nt), flush=True)
    p = plain(test, [exe, str(n), str(nt), exe])
    s, reps = shim(test, [exe, str(n), str(nt), exe], timeout=120)
    same_stdout(test, p, s)
    r = top_report(test, s, reps)
    # Each exec'd child ("spawned") reports; vfork+_exit children never do.
    if len(reps) != 1 + 2 * n:
        fail(test, "%d reports; expected %d (the parent and %d exec'd children; none from vfork+_exit)"
             % (len(reps), 1 + 2 * n, 2 * n), "reproduce: " + s["repro"])
    if r:
        check_live(test, r, s)
    # Without tracing children: only the parent reports.
    s2, reps2 = shim(test, [exe, str(n), str(nt), exe], timeout=120, options="--trace-children=no", tag="notrace")
    same_stdout(test, p, s2)
    if set(reps2) != {s2["pid"]}:
        fail(test, "--trace-children=no: reports from pids %s, expected only %d" % (sorted(reps2), s2["pid"]),
             "reproduce: " + s2["repro"])


def t_jumps(exe):
    test = "jumps"
    rounds, depth = 200, 50
    print("  jumps: %d rounds x %d allocating frames, longjmp/siglongjmp back" % (rounds, depth), flush=True)
    p = plain(test, [exe, str(rounds), str(depth)])
    s, reps = shim(test, [exe, str(rounds), str(depth)])
    same_stdout(test, p, s, drop=())
    r = top_report(test, s, reps)
    if r:
        check_site(test, r, "keep_site", 4093, rounds * depth, repro=s["repro"])
        check_no_site(test, r, "freed_site", s["repro"])
        check_live(test, r, s)


def t_cancel(exe):
    test = "cancel"
    print("  cancel: 100 threads cancelled (pending) before they call malloc", flush=True)
    p = plain(test, [exe, "pending", "100"])
    s, reps = shim(test, [exe, "pending", "100"], expect_rc=p["rc"], tag="pending")
    same_stdout(test, p, s, drop=())
    rounds, nt = 20, 8
    print("  cancel: %d rounds x %d threads cancelled while allocating or sleeping" % (rounds, nt), flush=True)
    p = plain(test, [exe, str(rounds), str(nt)])
    s, reps = shim(test, [exe, str(rounds), str(nt)])
    same_stdout(test, p, s)
    r = top_report(test, s, reps)
    k = re.search(r"kept: (\d+)", s["out"])
    if r and k:
        check_site(test, r, "keep_site", 4093, int(k.group(1)), repro=s["repro"])
        check_no_site(test, r, "freed_site", s["repro"])
        check_live(test, r, s)


def t_exit_busy(exe):
    test = "exit_busy"
    nt, ms, runs = 4, 150, 6
    print("  exit_busy: %d runs, exit(7) after %d ms with %d threads allocating" % (runs, ms, nt), flush=True)
    for i in range(runs):
        s, reps = shim(test, [exe, str(nt), str(ms), "7"], timeout=30, expect_rc=7, tag="run%d" % i)
        r = top_report(test, s, reps)
        if r:
            check_site(test, r, "keep_site", 4093, nt, repro=s["repro"])
        if len(reps) != 1:
            fail(test, "%d reports from one process" % len(reps), "reproduce: " + s["repro"])
        if "exit_busy: exit(7)" not in s["out"]:
            fail(test, "stdout lost: %r" % s["out"], "reproduce: " + s["repro"])


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--scale", type=float, default=float(os.environ.get("LT_STRESS_SCALE", "1")),
                    help="multiplies the operation counts of mt_mixed (default 1: 16 x 1M)")
    args = ap.parse_args()
    STATE["lib"] = os.path.abspath(args.lib)
    STATE["scale"] = args.scale
    src = os.path.join(args.src, "tests", "stress")
    tmp = STATE["tmp"] = tempfile.mkdtemp(prefix="lt-stress-")
    t0 = time.time()
    try:
        exe = {}
        for name in ("mt_mixed", "fork_threads", "dlopen_threads", "signal_alloc", "spawn", "jumps", "cancel",
                     "exit_busy"):
            exe[name] = os.path.join(tmp, name)
            subprocess.run(["gcc", "-O1", "-g", "-fno-omit-frame-pointer", "-pthread", "-Wall", "-o", exe[name],
                            os.path.join(src, name + ".c"), "-ldl"], check=True)
        dlib = os.path.join(tmp, "dlib.so")
        subprocess.run(["gcc", "-O1", "-g", "-shared", "-fPIC", "-o", dlib, os.path.join(src, "dlib.c")], check=True)
        tests = [("mt_mixed", lambda: t_mt_mixed(exe["mt_mixed"])),
                 ("fork_threads", lambda: t_fork_threads(exe["fork_threads"])),
                 ("dlopen_threads", lambda: t_dlopen_threads(exe["dlopen_threads"], dlib)),
                 ("signal_alloc", lambda: t_signal_alloc(exe["signal_alloc"])),
                 ("spawn", lambda: t_spawn(exe["spawn"])),
                 ("jumps", lambda: t_jumps(exe["jumps"])),
                 ("cancel", lambda: t_cancel(exe["cancel"])),
                 ("exit_busy", lambda: t_exit_busy(exe["exit_busy"]))]
        only = set(args.only.split(",")) if args.only else None
        run_named(tests, only)
    finally:
        print("stress: %.1f s" % (time.time() - t0))
        if args.keep or failures:
            print("files kept in", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
