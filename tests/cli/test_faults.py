#!/usr/bin/env python3
"""The tool under adverse conditions (tests/stress/faults.c).

Run by CTest as:
  test_faults.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC
  [--only NAME[,NAME...]] [--keep]

  as_limit        RLIMIT_AS swept from 16 MiB to 384 MiB: where the tool's
                  own memory cannot be mapped there is a warning and the
                  program goes on; never a crash, never another exit status,
                  never a silent missing report (a report, or a line saying
                  there is none), nothing else on stderr. Where the program
                  behaves differently because the tool took address space
                  it needed, a NOTE is printed (not a failure).
  oom_at_exit     the allocator starts failing after main returns (a
                  preloaded failinject.so, after K more allocations, for
                  several K): the exit status and stdout stay the program's,
                  a report or a line saying there is none, nothing else.
  log_unwritable  --log-file in a missing directory, under a regular file,
                  naming an existing directory, in a directory the process
                  may not write (run as nobody, when root): one warning line,
                  the report on stderr, no file left behind.
  log_special     --log-file naming a FIFO or a character device (as
                  --log-file=/dev/null does): the node must stay what it is
                  (never replaced by a regular file) and get the report.
  fd2_closed      the program closes fd 2 and opens a file that gets fd 2;
                  or closes every descriptor and reopens 0, 1, 2 on its own
                  data file: the report goes to the original stderr (or
                  nowhere) and never into the program's file.
  disk_full       (root) a 64 KiB tmpfs nearly full: the report that does
                  not fit leaves no file (no final name, no temporary), and
                  comes on stderr after a warning; one that fits is complete.
  fsize_report    RLIMIT_FSIZE smaller than the report: the program's exit
                  status is unchanged (the report write must not raise
                  SIGXFSZ on the program), no partial or temporary file.
  fsize_program   the program itself exceeds RLIMIT_FSIZE: it dies of
                  SIGXFSZ as without the tool, after a complete report.
  exit_locked     two threads hammer malloc/free (a table lock is always
                  held) while the process ends by exit(), _exit(), return
                  from main, or exit() from another thread: the report
                  completes, status 9, no hang.
Exit 0 = all passed.
"""
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from harness import arg_parser, clean_env, describe_status, fail, failures, finish, run_grouped, run_named

notes = []
S = {}


def note(test, what):
    msg = "NOTE [%s]: %s" % (test, what)
    notes.append(msg)
    print(msg, flush=True)


def run(argv, shim=False, options="", timeout=30, limits=(), stderr_path=None, user=None, cwd=None,
        preload=None, extra_env=None):
    env = clean_env()
    env.update(extra_env or {})
    if shim:
        env["LD_PRELOAD"] = S["lib"]
        if options:
            env["LEAKTRACE_OPTIONS"] = options
    if preload:
        env["LD_PRELOAD"] = env["LD_PRELOAD"] + ":" + preload if shim else preload

    def pre():
        for res, val in limits:
            resource.setrlimit(res, (val, val))
        if user is not None:
            os.setgroups([])
            os.setgid(user)
            os.setuid(user)

    errf = open(stderr_path, "wb") if stderr_path else subprocess.PIPE
    rc, out, err, secs, hung, pid = run_grouped(argv, env, timeout, cwd, stderr=errf, preexec_fn=pre)
    if stderr_path:
        errf.close()
        with open(stderr_path, "rb") as fh:
            err = fh.read()
    lim = " ".join("%s=%d" % ({resource.RLIMIT_AS: "--as", resource.RLIMIT_FSIZE: "--fsize"}[r], v)
                   for r, v in limits)
    repro = "%s%s%s" % ("prlimit %s " % lim if lim else "",
                        ("LD_PRELOAD=%s %s" % (S["lib"], "LEAKTRACE_OPTIONS=%s " % shlex.quote(options)
                                               if options else "")) if shim else "",
                        " ".join(shlex.quote(a) for a in argv))
    return {"rc": rc, "out": out.decode(errors="replace"), "err": err.decode(errors="replace"),
            "hung": hung, "secs": secs, "pid": pid, "repro": repro}


REPORT_LINE = re.compile(r"^==\d+==")


def report_in(text):
    """(complete, report lines, other lines) of a stderr capture."""
    lines = text.splitlines()
    rep = [l for l in lines if REPORT_LINE.match(l)]
    other = [l for l in lines if not REPORT_LINE.match(l)]
    complete = bool(rep) and "HEAP SUMMARY:" in "\n".join(rep) and re.match(r"==\d+== ERROR SUMMARY: ", rep[-1])
    return bool(complete), rep, other


def file_complete(path):
    with open(path, errors="replace") as fh:
        lines = fh.read().splitlines()
    return bool(lines) and any("HEAP SUMMARY:" in l for l in lines) and bool(
        re.match(r"==\d+== ERROR SUMMARY: ", lines[-1]))


# ---- the tests -------------------------------------------------------------------------

def as_case(test, prog, m, rows, timeout=60):
    """One program under RLIMIT_AS = m MiB, plainly and under the shim."""
    lim = [(resource.RLIMIT_AS, m << 20)]
    p = run([S["exe"]] + prog, limits=lim, timeout=timeout)
    if p["rc"] != 0:
        rows.append("%-15s %4d MiB  plain run fails (%s): not tried" % (" ".join(prog), m, describe_status(p["rc"])))
        return None, None
    s = run([S["exe"]] + prog, shim=True, limits=lim, timeout=timeout)
    complete, rep, other = report_in(s["err"])
    tool_lines = [l for l in other if l.startswith("leaktrace:")]
    foreign = [l for l in other if not l.startswith("leaktrace:")]
    says_none = any("no report" in l for l in tool_lines)
    what = "report" if complete else ("'no report' notice" if says_none else "NO REPORT, no notice")
    rows.append("%-15s %4d MiB  plain %.2f s, shim %5.2f s %-8s %s; %d warning line(s)%s" % (
        " ".join(prog), m, p["secs"], s["secs"], describe_status(s["rc"]), what, len(tool_lines),
        "; stdout differs" if s["out"] != p["out"] else ""))
    where = "RLIMIT_AS %d MiB, faults %s" % (m, " ".join(prog))
    detail = "stderr: %s\nreproduce: %s" % (s["err"][-600:], s["repro"])
    if s["hung"]:
        fail(test, "%s: no exit within %d s (plain: %.2f s)" % (where, timeout, p["secs"]), detail)
        return p, s
    if s["rc"] is not None and s["rc"] < 0:
        fail(test, "%s: the program was %s under the shim (plain: exit 0)" % (where, describe_status(s["rc"])), detail)
    elif s["rc"] != p["rc"]:
        fail(test, "%s: exit status %s under the shim, %s plainly" % (where, describe_status(s["rc"]), describe_status(p["rc"])),
             detail)
    if not complete and not says_none:
        fail(test, "%s: no report and no line saying there is none (warnings: %r)" % (where, tool_lines), detail)
    if foreign:
        fail(test, "%s: unexpected lines on stderr: %r" % (where, foreign[:3]), detail)
    if len(tool_lines) > 2:
        fail(test, "%s: %d warning lines" % (where, len(tool_lines)), detail)
    if s["out"] != p["out"]:
        if prog[0] == "leaks":
            fail(test, "%s: stdout differs: plain %r, shim %r" % (where, p["out"], s["out"]), detail)
        else:
            note(test, "%s: the program's own mallocs fail under the shim (plain: %r, shim: %r): the "
                 "tool's reservations count against RLIMIT_AS" % (where, p["out"].strip(), s["out"].strip()))
    return p, s


def t_as_limit():
    test = "as_limit"
    rows = []
    # Little address space: either the tool fits (a complete report) or its
    # memory cannot be mapped (the one-line warning first); the program goes
    # on either way (as_case checks its output and status).
    for m in (16, 32, 64):
        p, s = as_case(test, ["leaks", "5"], m, rows)
        if s and not (s["err"].startswith("leaktrace: cannot map memory") or
                      re.search(r"==\d+== ERROR SUMMARY: ", s["err"])):
            fail(test, "RLIMIT_AS %d MiB: neither a complete report nor the warning "
                 "'leaktrace: cannot map memory ...' first; got %r" % (m, s["err"][:200]),
                 "reproduce: " + s["repro"])
    # ... and the program must not slow down: an allocation whose block cannot
    # be tracked must not try (and fail) to map memory again each time.
    p, s = as_case(test, ["many", "100000"], 32, rows)
    if p and s and not s["hung"] and s["secs"] > 1.0 + 20 * p["secs"]:
        fail(test, "RLIMIT_AS 32 MiB, 100,000 mallocs once the tool has no memory: %.2f s under the shim, %.2f s "
             "plainly (each untracked malloc retries the tool's mappings)" % (s["secs"], p["secs"]),
             "reproduce: " + s["repro"])
    # The tool runs out later (table growth, the check's own memory).
    for m in (120, 180, 200, 270):
        as_case(test, ["many", "1000000"], m, rows)
    print("  what happens under RLIMIT_AS:")
    for r in rows:
        print("    " + r)


def t_oom_at_exit():
    """The allocator fails after main has returned (failinject.so, preloaded
    after the shim, so the tool's libdw and libc's exit handlers meet it),
    once K more allocations have succeeded, for several K."""
    test = "oom_at_exit"
    exe, inj = S["exe"], S["failinject"]
    for k in (0, 1, 2, 3, 5, 10, 20, 25, 30, 35, 40, 60, 100, 300, 1000):
        env_k = {"FAILINJECT_AFTER": str(k)}
        p = run([exe, "oomexit"], preload=inj, extra_env=env_k)
        s = run([exe, "oomexit"], shim=True, preload=inj, extra_env=env_k)
        complete, rep, other = report_in(s["err"])
        says_none = any(l.startswith("leaktrace:") and "no report" in l for l in other)
        foreign = [l for l in other if not l.startswith("leaktrace:")]
        where = "malloc fails after main, %d allocations later" % k
        detail = "stderr: %r\nreproduce: FAILINJECT_AFTER=%d LD_PRELOAD=%s:%s %s oomexit   (failinject.so: gcc -shared " \
                 "-fPIC tests/stress/failinject.c)" % (s["err"][-400:], k, S["lib"], inj, exe)
        if s["hung"]:
            fail(test, "%s: hang" % where, detail)
            continue
        if s["rc"] != p["rc"]:
            fail(test, "%s: %s under the shim, %s plainly" % (where, describe_status(s["rc"]), describe_status(p["rc"])), detail)
        if s["out"] != p["out"]:
            fail(test, "%s: stdout differs (%r, plainly %r)" % (where, s["out"], p["out"]), detail)
        if not complete and not says_none:
            fail(test, "%s: no report and no line saying there is none" % where, detail)
        if foreign:
            fail(test, "%s: unexpected lines on stderr: %r" % (where, foreign[:2]), detail)


def t_log_unwritable():
    test = "log_unwritable"
    exe, tmp = S["exe"], S["tmp"]
    cases = [("missing directory", os.path.join(tmp, "no-such-dir", "sub", "lt.%p"), None),
             ("parent is a regular file", "/etc/hostname/lt.%p", None),
             ("names an existing directory", os.path.join(tmp, "isadir"), None)]
    os.makedirs(os.path.join(tmp, "isadir"))
    if os.getuid() == 0:
        ro = os.path.join(tmp, "readonly")
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        os.chmod(tmp, 0o755)
        cases.append(("directory not writable (as nobody)", os.path.join(ro, "lt.%p"), 65534))
    else:
        print("  (not root: the EACCES case is not tried)")
    for what, path, user in cases:
        before = set(os.listdir(os.path.join(tmp, "isadir")))
        s = run([exe, "leaks", "3"], shim=True, options="--log-file=" + path, user=user)
        complete, rep, other = report_in(s["err"])
        detail = "stderr: %s\nreproduce: %s" % (s["err"][-800:], s["repro"])
        if s["rc"] != 0 or s["out"] != "leaks: done\n":
            fail(test, "%s: %s, stdout %r" % (what, describe_status(s["rc"]), s["out"]), detail)
        warn = [l for l in other if l.startswith("leaktrace:")]
        if len(warn) != 1 or len(other) != 1:
            fail(test, "%s: expected exactly one warning line, got %r" % (what, other), detail)
        if not complete:
            fail(test, "%s: no complete report on stderr" % what, detail)
        left = []
        for d in (os.path.dirname(path), os.path.join(tmp, "isadir"), tmp):
            if os.path.isdir(d):
                left += [f for f in os.listdir(d) if f.startswith(("lt.", "isadir.")) and f not in before]
        if left:
            fail(test, "%s: files left behind: %s" % (what, left), detail)


def t_log_special():
    """--log-file naming a FIFO or a character device (think --log-file=/dev/null):
    the report is written into it; the node itself must never be replaced
    by a regular file (the write-to-temporary-then-rename scheme is for
    regular files only)."""
    test = "log_special"
    exe, tmp = S["exe"], S["tmp"]
    d = os.path.join(tmp, "special")
    os.makedirs(d)
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)   # a reader, so the writer's open does not block
    try:
        s = run([exe, "leaks", "3"], shim=True, options="--log-file=" + fifo, timeout=20)
        got = b""
        while True:
            try:
                chunk = os.read(rfd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            got += chunk
    finally:
        os.close(rfd)
    import stat as st
    mode = os.lstat(fifo).st_mode
    detail = "reproduce: mkfifo F; cat F & %s" % s["repro"]
    if s["rc"] != 0 or s["hung"]:
        fail(test, "FIFO: %s%s" % (describe_status(s["rc"]), " (hang)" if s["hung"] else ""), detail)
    if not st.S_ISFIFO(mode):
        fail(test, "--log-file naming a FIFO replaced it with a %s (mode %o)"
             % ("regular file" if st.S_ISREG(mode) else "something else", mode), detail)
    elif not report_in(got.decode(errors="replace"))[0]:
        fail(test, "FIFO: the reader got no complete report (%d bytes)" % len(got), detail)
    if os.getuid() == 0:
        null = os.path.join(d, "null")
        subprocess.run(["mknod", "-m", "666", null, "c", "1", "3"], check=True)
        s = run([exe, "leaks", "3"], shim=True, options="--log-file=" + null)
        mode = os.lstat(null).st_mode
        if not st.S_ISCHR(mode):
            fail(test, "--log-file naming a character device (a copy of /dev/null) replaced it with a %s "
                 "holding %d bytes: with --log-file=/dev/null as root this destroys the system's /dev/null"
                 % ("regular file" if st.S_ISREG(mode) else "non-device", os.lstat(null).st_size),
                 "reproduce: mknod -m 666 N c 1 3; %s; ls -l N" % s["repro"])
        if s["rc"] != 0:
            fail(test, "character device: %s" % describe_status(s["rc"]), "reproduce: " + s["repro"])
    else:
        print("  (not root: the character-device case is not tried)")


def t_fd2_closed():
    test = "fd2_closed"
    exe, tmp = S["exe"], S["tmp"]
    # closes fd 2, opens a file that gets 2
    data = os.path.join(tmp, "data1.txt")
    s = run([exe, "closefd2", data], shim=True)
    complete, _, other = report_in(s["err"])
    with open(data) as fh:
        got = fh.read()
    if s["rc"] != 0 or s["out"] != "closefd2: done\n":
        fail(test, "closefd2: %s, stdout %r" % (describe_status(s["rc"]), s["out"]), "reproduce: " + s["repro"])
    if got != "program data\n":
        fail(test, "closefd2: the program's file (its new fd 2) holds %d bytes besides its own data: %r"
             % (len(got) - 13, got[:200]), "reproduce: " + s["repro"])
    if not complete:
        fail(test, "closefd2: no complete report on the original stderr", "stderr: %r\nreproduce: %s"
             % (s["err"][-500:], s["repro"]))
    # closes every descriptor, reopens 0, 1, 2 on its data file; stderr a pipe, then a regular file
    for kind in ("pipe", "file"):
        data = os.path.join(tmp, "data-%s.txt" % kind)
        errp = os.path.join(tmp, "stderr-%s.txt" % kind) if kind == "file" else None
        s = run([exe, "closeall", data], shim=True, stderr_path=errp)
        with open(data) as fh:
            got = fh.read()
        if s["rc"] != 0:
            fail(test, "closeall (stderr a %s): %s" % (kind, describe_status(s["rc"])), "reproduce: " + s["repro"])
        if got != "program data\n":
            fail(test, "closeall (stderr a %s): the report was written into the program's own file (now its "
                 "fd 2): %d lines, first extra: %r" % (kind, got.count("\n"), got.splitlines()[1:2]),
                 "reproduce: %s%s" % (s["repro"], " 2>" + errp if errp else " 2>&1 | cat"))
        if kind == "file":
            complete, _, _ = report_in(s["err"])
            if not complete:
                fail(test, "closeall (stderr a regular file): no complete report in it", "reproduce: %s 2>%s"
                     % (s["repro"], errp))


def t_disk_full():
    test = "disk_full"
    exe, tmp = S["exe"], S["tmp"]
    if os.getuid() != 0:
        print("  (not root: no tmpfs; skipped)")
        return
    mnt = os.path.join(tmp, "mnt")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]).returncode != 0:
        print("  (mount -t tmpfs failed; skipped)")
        return
    try:
        opts = "--log-file=%s/lt.%%p --num-callers=50" % mnt
        # fits: a small report on an empty 64 KiB file system
        s = run([exe, "leaks", "3"], shim=True, options=opts)
        files = sorted(os.listdir(mnt))
        if s["rc"] != 0 or files != ["lt.%d" % s["pid"]] or not file_complete(os.path.join(mnt, files[0])):
            fail(test, "small report on an empty tmpfs: %s, files %s" % (describe_status(s["rc"]), files),
                 "stderr: %r\nreproduce: %s" % (s["err"][-500:], s["repro"]))
        for f in files:
            os.unlink(os.path.join(mnt, f))
        # does not fit: ~12 KiB free, a ~90 KiB report
        with open(os.path.join(mnt, "filler"), "wb") as fh:
            fh.write(b"\0" * 50000)
        s = run([exe, "leaks", "50"], shim=True, options=opts)
        files = sorted(os.listdir(mnt))
        complete, rep, other = report_in(s["err"])
        detail = "files: %s\nstderr head: %r\nreproduce: %s" % (files, s["err"][:300], s["repro"])
        if s["rc"] != 0 or s["out"] != "leaks: done\n":
            fail(test, "disk full: %s, stdout %r" % (describe_status(s["rc"]), s["out"]), detail)
        if files != ["filler"]:
            fail(test, "disk full: files left on the full file system: %s" % files, detail)
        if not complete or not any(l.startswith("leaktrace:") for l in other):
            fail(test, "disk full: expected a warning and the complete report on stderr", detail)
        else:
            print("  disk full: %r, then %d report lines on stderr" % (other[0], len(rep)))
    finally:
        subprocess.run(["umount", mnt])


def t_fsize_report():
    test = "fsize_report"
    exe, tmp = S["exe"], S["tmp"]
    d = os.path.join(tmp, "fsize")
    os.makedirs(d)
    lim = [(resource.RLIMIT_FSIZE, 4096)]
    p = run([exe, "leaks", "50"], limits=lim)
    s = run([exe, "leaks", "50"], shim=True, options="--log-file=%s/lt.%%p --num-callers=50" % d, limits=lim)
    files = sorted(os.listdir(d))
    complete, rep, other = report_in(s["err"])
    detail = "files: %s\nstderr: %r\nreproduce: %s" % (files, s["err"][:300], s["repro"])
    print("  RLIMIT_FSIZE 4096 with a ~90 KiB report: plain %s, shim %s, files %s, report on stderr: %s" % (
        describe_status(p["rc"]), describe_status(s["rc"]), files, "complete" if complete else "no"))
    if s["rc"] != p["rc"]:
        fail(test, "the program's status changed: %s under the shim, %s plainly (writing the report "
             "exceeded RLIMIT_FSIZE and SIGXFSZ reached the program)" % (describe_status(s["rc"]), describe_status(p["rc"])), detail)
    for f in files:
        path = os.path.join(d, f)
        if ".tmp." in f:
            fail(test, "a temporary report file was left behind: %s (%d bytes)" % (f, os.path.getsize(path)), detail)
        elif not file_complete(path):
            fail(test, "an incomplete report under its final name: %s" % f, detail)
    if not files and not complete:
        fail(test, "no report anywhere (neither a file nor stderr)", detail)


def t_fsize_program():
    test = "fsize_program"
    exe, tmp = S["exe"], S["tmp"]
    d = os.path.join(tmp, "fsize2")
    os.makedirs(d)
    lim = [(resource.RLIMIT_FSIZE, 65536)]
    p = run([exe, "bigwrite", os.path.join(tmp, "big-plain"), "200000"], limits=lim)
    s = run([exe, "bigwrite", os.path.join(tmp, "big-shim"), "200000"], shim=True,
            options="--log-file=%s/lt.%%p" % d, limits=lim)
    files = sorted(os.listdir(d))
    detail = "files: %s\nstderr: %r\nreproduce: %s" % (files, s["err"][-300:], s["repro"])
    print("  the program exceeds RLIMIT_FSIZE: plain %s, shim %s" % (describe_status(p["rc"]), describe_status(s["rc"])))
    if s["rc"] != p["rc"]:
        fail(test, "%s under the shim, %s plainly" % (describe_status(s["rc"]), describe_status(p["rc"])), detail)
    if files != ["lt.%d" % s["pid"]] or not file_complete(os.path.join(d, files[0])):
        fail(test, "expected one complete report file", detail)
    else:
        with open(os.path.join(d, files[0])) as fh:
            text = fh.read()
        if "SIGXFSZ" not in text:
            fail(test, "the report does not say the process was terminated by SIGXFSZ", detail)


def t_exit_locked():
    test = "exit_locked"
    exe = S["exe"]
    runs = 0
    t0 = time.time()
    for how in ("exit", "_exit", "return", "thread"):
        for i in range(5):
            runs += 1
            s = run([exe, "hammer", str(20 + 30 * i), how], shim=True, options="--show-leak-kinds=all", timeout=20)
            complete, rep, other = report_in(s["err"])
            detail = "stderr tail: %r\nreproduce: %s" % (s["err"][-400:], s["repro"])
            if s["hung"]:
                fail(test, "%s after %d ms: hang (no exit within 20 s)" % (how, 20 + 30 * i), detail)
                continue
            if s["rc"] != 9:
                fail(test, "%s after %d ms: %s, expected exit 9" % (how, 20 + 30 * i, describe_status(s["rc"])), detail)
            if not complete:
                fail(test, "%s after %d ms: the report is not complete" % (how, 20 + 30 * i), detail)
            elif not any("4,093 bytes in 1 blocks are still reachable" in l for l in rep):
                fail(test, "%s after %d ms: the 4,093-byte global block is not in the report" % (how, 20 + 30 * i),
                     detail)
            if other:
                fail(test, "%s: unexpected lines on stderr: %r" % (how, other[:3]), detail)
    print("  %d runs in %.1f s" % (runs, time.time() - t0))


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    S["lib"] = os.path.abspath(args.lib)
    tmp = S["tmp"] = tempfile.mkdtemp(prefix="lt-faults-")
    S["exe"] = os.path.join(tmp, "faults")
    subprocess.run(["gcc", "-O1", "-g", "-pthread", "-Wall", "-o", S["exe"],
                    os.path.join(args.src, "tests", "stress", "faults.c"), "-ldl"], check=True)
    S["failinject"] = os.path.join(tmp, "failinject.so")
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-Wall", "-o", S["failinject"],
                    os.path.join(args.src, "tests", "stress", "failinject.c")], check=True)
    os.chmod(tmp, 0o755)
    tests = [("as_limit", t_as_limit), ("oom_at_exit", t_oom_at_exit), ("log_unwritable", t_log_unwritable),
             ("log_special", t_log_special), ("fd2_closed", t_fd2_closed),
             ("disk_full", t_disk_full), ("fsize_report", t_fsize_report), ("fsize_program", t_fsize_program),
             ("exit_locked", t_exit_locked)]
    only = set(args.only.split(",")) if args.only else None
    t0 = time.time()
    try:
        run_named(tests, only)
    finally:
        print("faults: %.1f s" % (time.time() - t0))
        if args.keep or failures:
            print("files kept in", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for n in notes:
        print(n)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
