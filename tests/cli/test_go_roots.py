#!/usr/bin/env python3
"""cgo leaks where the pointer's only copy is in dead Go memory (issue 12).

Builds tests/data/go/cgoleaks.go twice — with its symbols and DWARF, and
stripped (-ldflags='-s -w', as go test links) — and runs each mode 10 times
(2 for the stripped build): a C.CString dropped in main (the copy sits in
main's finished frame), C.CString/C.CBytes/C.malloc dropped in a loop,
in 100 goroutines that have finished (_Gdead, their stacks cached by Go),
in Go callbacks called from C, and C structs held by 1,000 Go objects of
which 990 are dropped and collected (runtime.GC()); the full build also
checks the built-in go1.19 runtime layout against its DWARF
(LEAKTRACE_GO_LAYOUT=check). Every dropped block
must be definitely lost and every held one still reachable, every run: the
Go heap's roots are its live objects and live frames (goroots.c), and freed
blocks are not reused at once (quarantine.c). Skips when Go is missing."""
import os, re, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, go_env, go_build_full_and_stripped, failures

ap = arg_parser(__doc__)
args = ap.parse_args()
go = shutil.which("go")
if not go:
    print("SKIP: go is not installed (Debian package golang-go)")
    sys.exit(0)

# mode -> (definitely lost bytes, blocks), (still reachable bytes, blocks)
WANT = {
    "cstring": ((17, 1), (0, 0)),
    "loop": ((1700, 100), (800, 50)),
    "goroutines": ((11790, 400), (1500, 100)),
    "callback": ((280, 40), (280, 20)),
    "structs": ((39600, 990), (400, 10)),
}


def summary(text):
    out = {}
    for kind in ("definitely lost", "still reachable"):
        m = re.search(r"==\d+==\s+%s: ([\d,]+) bytes in ([\d,]+) blocks" % kind, text)
        out[kind] = (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))) if m else None
    return out


work = tempfile.mkdtemp(prefix="lt-goroots-")
try:
    env = go_env(args.build, work)
    bins = go_build_full_and_stripped(go, env, os.path.join(args.src, "tests/data/go/cgoleaks.go"), "cgoleaks", work)

    for label, runs in (("full", 10), ("stripped", 2)):
        # The full build also checks the built-in go1.19 layout against its
        # DWARF (a difference is a warning, which fails the run).
        e = dict(env, LD_PRELOAD=os.path.abspath(args.lib), LEAKTRACE_OPTIONS="",
                 LEAKTRACE_GO_LAYOUT="check" if label == "full" else "")
        for mode, (lost, reach) in WANT.items():
            got = []
            for _ in range(runs):
                r = subprocess.run([bins[label], mode], env=e, capture_output=True, text=True, timeout=60)
                s = summary(r.stderr)
                ok = r.returncode == 0 and ("done " + mode) in r.stdout and "leaktrace:" not in r.stderr
                got.append((s["definitely lost"], s["still reachable"]) if ok else ("rc=%d" % r.returncode, r.stderr[-300:]))
            # Lost blocks must be exactly the planted ones. Reachable ones
            # may be more: under load Go starts another thread (an M), and
            # its set-up blocks are truly still reachable (one run in ten
            # under a loaded ctest -j2: 304 bytes in 21 blocks for 280/20).
            good = lambda g: (isinstance(g[0], tuple) and g[0] == lost and g[1] is not None
                              and g[1][0] >= reach[0] and g[1][1] >= reach[1])
            # With 100 goroutines, a thread that just ran one may keep its
            # last C string in a register when it is stopped: a conservative
            # scan (valgrind's too) must count that block reachable. Seen
            # once in 150 runs: one block of 400 (17 bytes) moved from
            # lost to reachable. At most one such run of ten is accepted,
            # never a lost count off by more than one block.
            near = lambda g: (mode == "goroutines" and isinstance(g[0], tuple) and g[1] is not None
                              and g[0][1] == lost[1] - 1 and g[1][1] >= reach[1] + 1)
            bad = [g for g in got if not good(g)]
            if len(bad) == 1 and near(bad[0]):
                print("note: %s %s: one run counted one goroutine's block reachable (%s)" % (label, mode, bad[0],))
                bad = []
            check(not bad, "%s %s: %d/%d runs with definitely lost %s and still reachable %s, no warning%s"
                  % (label, mode, runs - len(bad), runs, lost, reach, "" if not bad else " (got %s)" % (bad[0],)))

finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
