#!/usr/bin/env python3
"""cgo leaks where the pointer's only copy is in dead Go memory (issue 12).

Builds tests/data/go/cgoleaks.go three times — with its symbols and DWARF,
stripped (-ldflags='-s -w', as go test links) and position-independent
(-buildmode=pie) — and runs each mode 10 times (2 for the other builds): a C.CString dropped in main (the copy sits in
main's finished frame), C.CString/C.CBytes/C.malloc dropped in a loop,
in 100 goroutines that have finished (_Gdead, their stacks cached by Go),
in Go callbacks called from C, and C structs held by 1,000 Go objects of
which 990 are dropped and collected (runtime.GC()), and C blocks held in
a mapping the program's C code made (it stays a root: only the Go
runtime's own mappings are not, gomem.c); the full build also checks the
built-in go1.19 runtime layout against its DWARF
(LEAKTRACE_GO_LAYOUT=check). Every dropped block must be definitely lost
and every held one still reachable (one block of one run may be a
conservative scan's coincidence, see below): the Go heap's roots are its
live objects and live frames (goroots.c), and freed blocks are not reused
at once (quarantine.c). Skips when Go is missing."""
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
    "cmmap": ((38, 2), (46, 2)),
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
    # A position-independent build: runtime.exit, Go's pclntab and the
    # runtime's mmap call site are found at their load bias.
    bins["pie"] = os.path.join(work, "cgoleaks-pie")
    r = subprocess.run([go, "build", "-buildmode=pie", "-o", bins["pie"], "."], cwd=os.path.join(work, "cgoleaks"),
                       env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        sys.exit("go build -buildmode=pie failed")

    for label, runs in (("full", 10), ("stripped", 2), ("pie", 2)):
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
            # A conservative scan (valgrind's too) counts a block reachable
            # or possibly lost when some word happens to hold its address.
            # The C heap of a non-PIE Go program lies in the low 4 GiB,
            # where data looks like such addresses: four ASCII bytes of an
            # environment string in Go's heap, a map bucket's tophash word,
            # counters in ld.so's data; and with 100 goroutines a thread
            # that just ran one may keep its last C string in a register.
            # Measured with the Go runtime's own mappings excluded
            # (gomem.c): 4 runs in 3,000 of "structs" moved one block so.
            # One such run per mode and build is accepted, never two, never a count off
            # by more than one block: a dead Go frame or object kept as a
            # root would keep hundreds.
            near = lambda g: (isinstance(g[0], tuple) and g[1] is not None
                              and g[0][1] == lost[1] - 1 and g[0][0] < lost[0])
            bad = [g for g in got if not good(g)]
            if len(bad) == 1 and near(bad[0]):
                print("note: %s %s: one run counted one block reachable or possibly lost (%s)" % (label, mode, bad[0],))
                bad = []
            check(not bad, "%s %s: %d/%d runs with definitely lost %s and still reachable %s, no warning%s"
                  % (label, mode, runs - len(bad), runs, lost, reach, "" if not bad else " (got %s)" % (bad[0],)))

    # The Go runtime's metadata outside its heap (span structures, bitmaps,
    # the page allocator's summaries: 42 MB read in the "structs" run
    # before gomem.c) is not scanned; what is left is the program's data,
    # the live Go objects and stacks, and libc's and ld.so's memory:
    # ~0.73 MB. Once, in a loaded fresh-clone run, 9.1 MB (a runtime mapping
    # not recognised, unexplained; scanning more is the safe side): the
    # bound is 16 MiB, still far under the 42 MB without gomem.c.
    e = dict(env, LD_PRELOAD=os.path.abspath(args.lib), LEAKTRACE_OPTIONS="-v")
    for label in ("full", "stripped", "pie"):
        r = subprocess.run([bins[label], "structs"], env=e, capture_output=True, text=True, timeout=60)
        m = re.search(r"Checked ([\d,]+) bytes", r.stderr)
        checked = int(m.group(1).replace(",", "")) if m else None
        check(checked is not None and checked < 16 << 20,
              "%s: the Go runtime's own mappings are not scanned (-v: Checked %s bytes, want < 16 MiB)"
              % (label, checked))

finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
