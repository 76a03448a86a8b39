#!/usr/bin/env python3
"""go test -exec 'leaktrace --error-exitcode=1' fails a leaking cgo package, passes a clean one (issue 12).

go test links its test binaries stripped (-s -w): the Go roots come from
the built-in go1.19 layout and a search of .bss (golayout.c). The leaking
package drops a C.CString in one test after a clean test that freed a
string of the same size — the freed address would be handed to the
leaking test's malloc, and a stale copy in dead Go memory made it look
reachable when the whole Go arena was a root (goroots.c; quarantine.c
also delays the reuse). The leaking
package fails every time, naming its block, and the clean one passes every
time (2 runs of go test, 10 of its stripped test binary through the
launcher). The record names pkg.Leak (lib.go:8), inlined into pkg.TestB
(lib_test.go:6): Go's inlining tree expands like DWARF's inlined frames. Skips without Go."""
import os, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, go_env, failures

ap = arg_parser(__doc__)
args = ap.parse_args()
go = shutil.which("go")
if not go:
    print("SKIP: go is not installed (Debian package golang-go)")
    sys.exit(0)

LIB = ('package pkg\n\n// #include <stdlib.h>\nimport "C"\nimport "unsafe"\n\n'
       'func Clean() { C.free(unsafe.Pointer(C.CString("seventeen bytes!"))) }\n'
       'func Leak() { C.CString("seventeen bytes?") }\n')
TESTS = {
    "leaky": 'package pkg\n\nimport "testing"\n\nfunc TestA(t *testing.T) { Clean() }\nfunc TestB(t *testing.T) { Leak() }\n',
    "clean": 'package pkg\n\nimport "testing"\n\nfunc TestA(t *testing.T) { Clean() }\nfunc TestB(t *testing.T) { Clean() }\n',
}

work = tempfile.mkdtemp(prefix="lt-gotest-")
try:
    env = dict(go_env(args.build, work), LEAKTRACE_LIB=os.path.abspath(args.lib))
    launcher = "%s --error-exitcode=1" % os.path.abspath(args.cli)
    for name, test in TESTS.items():
        d = os.path.join(work, name)
        os.makedirs(d)
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write("module pkg\ngo 1.19\n")
        with open(os.path.join(d, "lib.go"), "w") as f:
            f.write(LIB)
        with open(os.path.join(d, "lib_test.go"), "w") as f:
            f.write(test)
        want = 1 if name == "leaky" else 0

        def verdict(r):
            out = r.stdout + r.stderr
            ok = r.returncode == want and "leaktrace:" not in out
            if name == "leaky":
                ok = ok and "17 bytes in 1 blocks are definitely lost" in out and "pkg.Leak (lib.go:8)" in out and "pkg.TestB (lib_test.go:6)" in out
            return True if ok else (r.returncode, out[-500:])

        # Two runs of go test itself, then 10 of the same stripped test
        # binary (go test -c -ldflags='-s -w', as go test links it) through
        # the launcher, as go test -exec runs it: the same check, without
        # go test's own start-up each time.
        got = []
        for _ in range(2):
            got.append(verdict(subprocess.run([go, "test", "-count=1", "-exec", launcher, "."], cwd=d, env=env,
                                              capture_output=True, text=True, timeout=300)))
        binary = os.path.join(d, "pkg.test")
        r = subprocess.run([go, "test", "-c", "-ldflags=-s -w", "-o", binary, "."], cwd=d, env=env,
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, "%s package: go test -c builds" % name)
        for _ in range(10):
            got.append(verdict(subprocess.run(launcher.split() + [binary, "-test.count=1"], cwd=d, env=env,
                                              capture_output=True, text=True, timeout=60)))
        bad = [g for g in got if g is not True]
        check(not bad, "%s package: exit %d in %d/%d runs%s" % (name, want, len(got) - len(bad), len(got),
                                                                 "" if not bad else " (got %s)" % (bad[0],)))
finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
