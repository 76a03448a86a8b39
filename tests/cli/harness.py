"""What the tests/cli scripts share: collecting failures, naming an exit
status, a clean environment, running a program in its own process group
under a timeout, reading the numbers of a Valgrind-format report, and the
loop and summary of a script made of named tests.

Each script is run as `python3 tests/cli/test_x.py ...`, so this directory is
on sys.path and `import harness` finds this file."""
import argparse
import os
import re
import signal
import subprocess
import time

failures = []


def arg_parser(doc=None):
    """A parser of what CTest passes every script (tests/CMakeLists.txt):
    --lib, --cli, --build and --src; `doc`'s first paragraph describes it."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    for a in ("--lib", "--cli", "--build", "--src"):
        ap.add_argument(a, required=True)
    return ap


def check(cond, what):
    """Prints ok/FAIL for `what`; a failure is recorded."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def fail(case, what, detail=""):
    """Records (and prints at once) a failure of `case`."""
    msg = "FAIL [%s]: %s" % (case, what)
    if detail:
        msg += "\n    " + detail.replace("\n", "\n    ")
    failures.append(msg)
    print(msg, flush=True)


def describe_status(rc):
    """A subprocess return code in words: "exit 3", "killed by SIGSEGV"."""
    if rc is None:
        return "none"
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit %d" % rc


def clean_env(*extra):
    """os.environ without the tool's and valgrind's variables (and `extra`)."""
    env = dict(os.environ)
    for k in ("LD_PRELOAD", "LEAKTRACE_OPTIONS", "VALGRIND_OPTS") + extra:
        env.pop(k, None)
    return env


def indent(s, n=60):
    """`s` indented for a failure message, cut to its first `n` lines."""
    lines = s.splitlines()
    if len(lines) > n:
        lines = lines[:n] + [f"... ({len(lines) - n} more lines)"]
    return "\n".join("      " + l for l in lines)


def run_grouped(argv, env, timeout, cwd=None, stderr=subprocess.PIPE, preexec_fn=None):
    """Runs argv with stdin closed, in its own session (so a hang is killed
    with everything it started); `preexec_fn` runs in the child after
    setsid(). Returns (rc, stdout, stderr, seconds, hung, pid), out/err bytes."""
    t0 = time.time()
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=stderr, start_new_session=True, preexec_fn=preexec_fn)
    hung = False
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        hung = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
    return p.returncode, out, err, time.time() - t0, hung, p.pid


# ---- reports ---------------------------------------------------------------------

NUM = r"([\d,]+)"
KINDS = r"(definitely lost|indirectly lost|possibly lost|still reachable)"
REC = re.compile(r"^%s(?: \(%s direct, %s indirect\))? bytes in %s blocks are %s in loss record"
                 % (NUM, NUM, NUM, NUM, KINDS))
FRAME = re.compile(r"^\s+(?:at|by) 0x[0-9A-Fa-f]+: (\S+)(?: \((?:in )?([^)]*)\))?")


def num(s):
    """A Valgrind number ("1,024") as an int."""
    return int(s.replace(",", ""))


def parse_report(text):
    """The numbers of one Valgrind-format report (ours or valgrind's):
    pids (every ==PID== seen), records (each loss record with its function
    frames and their file names), in_use (bytes, blocks), usage (allocs,
    frees, bytes), kinds ("definitely lost", ..., "suppressed" -> (bytes,
    blocks)), all_freed, banner (the first line) and complete (a HEAP
    SUMMARY, and the ERROR SUMMARY last)."""
    r = {"pids": set(), "records": [], "kinds": {}, "complete": False, "text": text}
    cur = None
    lines = text.splitlines()
    for line in lines:
        m = re.match(r"==(\d+)== ?(.*)$", line)
        if not m:
            continue
        r["pids"].add(int(m.group(1)))
        body = m.group(2)
        m2 = REC.match(body)
        if m2:
            direct = num(m2.group(2)) if m2.group(2) else num(m2.group(1))
            cur = {"bytes": num(m2.group(1)), "direct": direct, "blocks": num(m2.group(4)),
                   "kind": m2.group(5), "frames": [], "files": []}
            r["records"].append(cur)
            continue
        m2 = FRAME.match(body)
        if m2 and cur is not None:
            cur["frames"].append(m2.group(1))
            cur["files"].append((m2.group(2) or "").split(":")[0])
            continue
        if not body.strip():
            cur = None
        m2 = re.search(r"in use at exit: %s bytes in %s blocks" % (NUM, NUM), body)
        if m2:
            r["in_use"] = (num(m2.group(1)), num(m2.group(2)))
        m2 = re.search(r"total heap usage: %s allocs, %s frees, %s bytes allocated" % (NUM, NUM, NUM), body)
        if m2:
            r["usage"] = (num(m2.group(1)), num(m2.group(2)), num(m2.group(3)))
        m2 = re.search(r"(definitely lost|indirectly lost|possibly lost|still reachable|suppressed): "
                       r"%s bytes in %s blocks" % (NUM, NUM), body)
        if m2:
            r["kinds"][m2.group(1)] = (num(m2.group(2)), num(m2.group(3)))
        if "All heap blocks were freed -- no leaks are possible" in body:
            r["all_freed"] = True
    if lines:
        r["complete"] = bool(re.match(r"==\d+== ERROR SUMMARY: ", lines[-1])) and any(
            "HEAP SUMMARY:" in l for l in lines)
        r["banner"] = lines[0]
    return r


# ---- a script of named tests -----------------------------------------------------

def run_named(tests, only):
    """Runs each (name, fn) of `tests` (those named in `only`, when given),
    printing ok/FAIL and its time."""
    for name, fn in tests:
        if only and name not in only:
            continue
        before = len(failures)
        t1 = time.time()
        fn()
        print("%s %s (%.1f s)" % ("ok  " if len(failures) == before else "FAIL", name, time.time() - t1),
              flush=True)


def finish():
    """Prints the failures again, together; returns the script's exit status."""
    if failures:
        print("\n%d failure(s):" % len(failures))
        for f in failures:
            print(f)
        return 1
    print("PASS")
    return 0


# ---- Go programs ----------------------------------------------------------------

def go_env(build, work):
    """The environment the Go tests build and run in: a build cache shared
    across tests (in the build dir), cgo on, no preload."""
    env = dict(os.environ, GOCACHE=os.path.join(os.path.abspath(build), "go-cache"),
               GOPATH=os.path.join(work, "gopath"), GOFLAGS="-mod=mod", CGO_ENABLED="1")
    env.pop("LD_PRELOAD", None)
    return env


def go_build_full_and_stripped(go, env, source, module, work):
    """Builds SOURCE as module MODULE twice: with symbols and DWARF
    ("full") and as go test links (-s -w, "stripped"). Returns
    {label: executable}; exits the test when go build fails."""
    import shutil, sys
    d = os.path.join(work, module)
    os.makedirs(d)
    shutil.copy(source, os.path.join(d, "main.go"))
    with open(os.path.join(d, "go.mod"), "w") as f:
        f.write("module %s\ngo 1.19\n" % module)
    bins = {}
    for label, flags in (("full", []), ("stripped", ["-ldflags=-s -w"])):
        bins[label] = os.path.join(work, "%s-%s" % (module, label))
        r = subprocess.run([go, "build"] + flags + ["-o", bins[label], "."], cwd=d, env=env,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            sys.exit("go build failed")
    return bins
