#!/usr/bin/env python3
"""Exit statuses and ERROR SUMMARY lines under Valgrind's rules, valgrind 3.19
as the oracle.

usage: test_exit_status.py --lib LIB --cli CLI --build BUILD_DIR --src SOURCE_DIR
                           [--keep] [--only N,...] [--verbose]

Builds tests/data/supp/exit_prog.c (gcc -g -O0), which leaks the kinds it
is asked for and ends by return from main, exit(), _exit(), raise(SIGTERM)
or abort(). Each case in CASES runs it with the same options under
  valgrind OPTIONS PROG ARGS
  LD_PRELOAD=LIB LEAKTRACE_OPTIONS='OPTIONS' PROG ARGS
  CLI OPTIONS -- PROG ARGS                  (the leaktrace launcher)
and requires, for both ways of running the shim: the same exit status as
valgrind (a negative status = killed by that signal) and the same ERROR
SUMMARY lines ("N errors from N contexts (suppressed: X from Y)"). Each case
also states the status valgrind must give, so a case that no longer tests
what it says is reported as BROKEN CASE.

The rules covered: --error-exitcode=N with leaks in full mode gives N; in
summary and no modes leaks never trip it; --errors-for-leak-kinds decides
which kinds count (definite with only possible leaks: the program's status;
all with only reachable: N; indirect, none); --show-leak-kinds=none and -q
still trip it; suppressed leaks do not; the program's own status passes
through when there is no error; return, exit() and _exit() each; death by
SIGTERM, SIGABRT (or SIGSEGV) stays death by that signal even with
--error-exitcode; --exit-on-first-error=yes.

Exit 0 when everything matched, 1 otherwise. When valgrind or gcc is
missing it says so and exits 0.
"""
import concurrent.futures
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from harness import arg_parser, clean_env, indent

WORKERS = min(8, (os.cpu_count() or 2) + 1)
VG_TIMEOUT = 120
SHIM_TIMEOUT = 60
PREFIX = re.compile(r"^==(\d+)== ?(.*)$")

SUPP_DEFINITE = """{
   exit-status-definite
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:leak_definite
}
"""
SUPP_ALL = """{
   exit-status-everything
   Memcheck:Leak
   obj:*
}
"""

EE = "--error-exitcode=42"
FULL = "--leak-check=full"

# (options, leaks, how, program status, status valgrind must give)
CASES = [
    # --error-exitcode in full mode
    ([FULL, EE], "definite", "return", 0, 42),
    ([FULL, EE], "definite", "exit", 0, 42),
    ([FULL, EE], "definite", "_exit", 0, 42),
    ([FULL, EE], "definite", "return", 3, 42),
    ([FULL, EE], "definite", "exit", 3, 42),
    ([FULL, EE], "definite", "_exit", 3, 42),
    ([FULL, EE], "tree", "return", 0, 42),
    ([FULL, EE], "possible", "return", 0, 42),
    ([FULL, EE], "reachable", "return", 5, 5),
    ([FULL, "--error-exitcode=1"], "definite,possible,reachable,tree", "exit", 0, 1),
    ([FULL, "--error-exitcode=255"], "definite", "return", 0, 255),
    ([FULL, "--error-exitcode=0"], "definite", "return", 3, 3),
    ([FULL], "definite", "return", 3, 3),
    # summary and no modes never fail because of leaks
    (["--leak-check=summary", EE], "definite", "return", 0, 0),
    (["--leak-check=summary", EE], "definite,possible,reachable,tree", "exit", 5, 5),
    (["--leak-check=summary", EE, "--errors-for-leak-kinds=all"], "reachable", "_exit", 0, 0),
    (["--leak-check=no", EE], "definite", "return", 0, 0),
    (["--leak-check=no", EE], "definite", "exit", 4, 4),
    # --errors-for-leak-kinds
    ([FULL, EE, "--errors-for-leak-kinds=definite"], "possible", "return", 0, 0),
    ([FULL, EE, "--errors-for-leak-kinds=definite"], "possible,reachable", "exit", 6, 6),
    ([FULL, EE, "--errors-for-leak-kinds=definite"], "definite,possible", "return", 0, 42),
    ([FULL, EE, "--errors-for-leak-kinds=all"], "reachable", "return", 0, 42),
    ([FULL, EE, "--errors-for-leak-kinds=all"], "reachable", "_exit", 7, 42),
    ([FULL, EE, "--errors-for-leak-kinds=reachable"], "reachable", "exit", 0, 42),
    ([FULL, EE, "--errors-for-leak-kinds=indirect"], "tree", "return", 0, 42),
    ([FULL, EE, "--errors-for-leak-kinds=possible"], "tree,reachable", "return", 0, 0),
    ([FULL, EE, "--errors-for-leak-kinds=none"], "definite,possible,reachable,tree", "return", 8, 8),
    ([FULL, EE, "--errors-for-leak-kinds=definite,indirect"], "tree", "exit", 0, 42),
    # what is shown does not matter
    ([FULL, EE, "--show-leak-kinds=none"], "definite", "return", 0, 42),
    ([FULL, EE, "--show-leak-kinds=none", "--errors-for-leak-kinds=all"], "reachable", "return", 0, 42),
    ([FULL, EE, "--show-leak-kinds=reachable"], "possible", "exit", 0, 42),
    ([FULL, EE, "-q"], "definite", "return", 0, 42),
    ([FULL, EE, "-q"], "none", "return", 3, 3),
    # suppressed leaks are not errors
    ([FULL, EE, "--suppressions={SUPP_DEFINITE}"], "definite", "return", 3, 3),
    ([FULL, EE, "--suppressions={SUPP_DEFINITE}"], "definite,possible", "return", 3, 42),
    ([FULL, EE, "--suppressions={SUPP_ALL}", "--errors-for-leak-kinds=all"],
     "definite,possible,reachable,tree", "_exit", 9, 9),
    ([FULL, EE, "-s", "--suppressions={SUPP_ALL}"], "definite,tree", "exit", 0, 0),
    # no leaks: the program's own status
    ([FULL, EE], "none", "return", 0, 0),
    ([FULL, EE], "none", "return", 3, 3),
    ([FULL, EE], "none", "exit", 3, 3),
    ([FULL, EE], "none", "_exit", 3, 3),
    ([FULL, EE], "none", "exit", 200, 200),
    ([FULL, EE], "none", "_Exit", 3, 3),
    ([FULL, EE], "none", "quick_exit", 4, 4),
    ([FULL, EE], "definite", "_Exit", 3, 42),
    ([FULL, EE], "definite", "quick_exit", 3, 42),
    # --exit-on-first-error=yes (valgrind 3.19 applies it to leak errors:
    # it stops after the first error record and exits with --error-exitcode)
    ([FULL, EE, "--exit-on-first-error=yes"], "definite,possible", "return", 0, 42),
    ([FULL, EE, "--exit-on-first-error=yes"], "reachable", "return", 3, 3),
    # death by a signal stays death by that signal
    ([FULL, EE], "definite", "sigterm", 0, -15),
    ([FULL, EE], "definite", "abort", 0, -6),
    ([FULL, EE], "none", "sigterm", 0, -15),
    ([FULL, EE], "none", "abort", 0, -6),
    ([FULL], "definite,possible", "sigterm", 0, -15),
    (["--leak-check=summary", EE], "definite", "abort", 0, -6),
    ([FULL, EE], "definite", "segv", 0, -11),
]


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(cmd, env, cwd, timeout):
    try:
        p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, preexec_fn=no_core)
    except subprocess.TimeoutExpired:
        return None, f"(timed out after {timeout} s)"
    return p.returncode, p.stderr.decode("utf-8", "replace")


def error_lines(text):
    out = []
    for l in text.splitlines():
        m = PREFIX.match(l)
        if m and m.group(2).strip().startswith("ERROR SUMMARY:"):
            out.append(m.group(2).strip())
    return out


def status_text(rc):
    if rc is None:
        return "timed out"
    return f"killed by signal {-rc}" if rc < 0 else f"exit {rc}"


def run_case(i, case, exe, lib, cli, work, verbose):
    opts, leaks, how, status, want = case
    d = os.path.join(work, f"case{i}")
    os.makedirs(d, exist_ok=True)
    opts = [o.replace("{SUPP_DEFINITE}", os.path.join(work, "definite.supp"))
             .replace("{SUPP_ALL}", os.path.join(work, "all.supp")) for o in opts]
    args = [leaks, how, str(status)]
    label = f"case {i}: {' '.join(opts)} -- exit_prog {' '.join(args)}"
    fails = []
    vrc, verr = run(["valgrind"] + opts + [exe] + args, clean_env(), d, VG_TIMEOUT)
    env = clean_env()
    env["LD_PRELOAD"] = lib
    env["LEAKTRACE_OPTIONS"] = " ".join(opts)
    runs = [("LD_PRELOAD", run([exe] + args, env, d, SHIM_TIMEOUT))]
    if cli:
        runs.append(("leaktrace launcher", run([cli] + opts + ["--", exe] + args, clean_env(), d, SHIM_TIMEOUT)))
    if vrc != want:
        fails.append(f"{label}: BROKEN CASE: valgrind gives {status_text(vrc)}, the case expects "
                     f"{status_text(want)}\n{indent(verr, 80)}")
    ve = error_lines(verr)
    for how_run, (src, serr) in runs:
        se = error_lines(serr)
        bad = []
        if src != vrc:
            bad.append(f"exit status: valgrind {status_text(vrc)}, shim {status_text(src)}")
        if se != ve:
            bad.append("ERROR SUMMARY lines differ:\n"
                       + "\n".join(f"      valgrind: {l}" for l in ve or ["(no ERROR SUMMARY line)"]) + "\n"
                       + "\n".join(f"      shim:     {l}" for l in se or ["(no ERROR SUMMARY line)"]))
        if bad and any("Exit program on first error" in l for l in verr.splitlines()):
            bad.append("(valgrind stopped after the first error record: 'Exit program on first error "
                       "(--exit-on-first-error=yes)', no LEAK SUMMARY or ERROR SUMMARY)")
        if bad:
            fails.append(f"{label} [{how_run}]:\n    " + "\n    ".join(bad)
                         + (f"\n    valgrind's output:\n{indent(verr, 80)}\n    shim's output:\n{indent(serr, 80)}"
                            if verbose else ""))
    return fails


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--only", help="comma-separated case numbers")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    for tool in ("valgrind", "gcc"):
        if shutil.which(tool) is None:
            print(f"test_exit_status: SKIP: {tool} is not installed, nothing to compare")
            return 0
    if not os.path.exists(a.lib):
        print(f"test_exit_status: FAIL: library not found: {a.lib}")
        return 1
    lib = os.path.abspath(a.lib)
    cli = os.path.abspath(a.cli) if a.cli else None
    if cli and not os.access(cli, os.X_OK):
        print(f"test_exit_status: FAIL: leaktrace command not found: {a.cli}")
        return 1
    src = os.path.join(os.path.abspath(a.src), "tests", "data", "supp", "exit_prog.c")
    work = tempfile.mkdtemp(prefix="lt-exit-")
    only = {int(x) for x in a.only.split(",")} if a.only else None
    start = time.time()
    failures = []
    try:
        exe = os.path.join(work, "exit_prog")
        r = subprocess.run(["gcc", "-g", "-O0", "-o", exe, src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            print(f"test_exit_status: FAIL: cannot build {src}:\n{r.stdout.decode()}")
            return 1
        with open(os.path.join(work, "definite.supp"), "w") as f:
            f.write(SUPP_DEFINITE)
        with open(os.path.join(work, "all.supp"), "w") as f:
            f.write(SUPP_ALL)
        with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
            jobs = [(i, pool.submit(run_case, i, c, exe, lib, cli, work, a.verbose))
                    for i, c in enumerate(CASES, 1) if only is None or i in only]
            for i, fut in jobs:
                fails = fut.result()
                failures += fails
                if a.verbose:
                    print(f"{'FAIL' if fails else 'ok  '} case {i}")
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    took = time.time() - start
    if failures:
        for f in failures:
            print("FAIL: " + f)
        print(f"test_exit_status: FAIL ({len(failures)} mismatches in {len(jobs)} cases, {took:.0f} s)")
        return 1
    print(f"test_exit_status: PASS ({len(jobs)} cases, shim (preload and launcher) == valgrind, {took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
