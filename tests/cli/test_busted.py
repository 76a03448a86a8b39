#!/usr/bin/env python3
"""The README's busted recipe: `leaktrace --error-exitcode=1 busted --lua=luajit`.

Debian's busted runs under lua5.x, which has no FFI; `--lua=luajit` makes it
re-run itself under luajit (through `sh -c`), which the tool follows. In
tests/data/busted a spec that leaks 4,321 bytes through the FFI must fail the
run with status 1 and a definitely-lost record naming the spec's line, while
the tests themselves pass as in the plain run; the spec that frees through
ffi.gc alone exits 0. Skips when busted or luajit is not installed
(Debian packages lua-busted, luajit2)."""
import os, re, shutil, subprocess, sys

from harness import arg_parser, check, failures

args = arg_parser(__doc__).parse_args()
if not shutil.which("busted") or not shutil.which("luajit"):
    print("SKIP: busted or luajit is not installed (Debian packages lua-busted, luajit2)")
    sys.exit(0)
data = os.path.join(args.src, "tests/data/busted")
env = dict(os.environ)
env.pop("LD_PRELOAD", None)

def run(argv):
    return subprocess.run(argv, cwd=data, env=env, capture_output=True, text=True, timeout=300)

for spec, leaks in (("spec/leak_spec.lua", True), ("spec/clean_spec.lua", False)):
    plain = run(["busted", "--lua=luajit", spec])
    ours = run([os.path.abspath(args.cli), "--error-exitcode=1", "busted", "--lua=luajit", spec])
    check(plain.returncode == 0 and "1 success / 0 failures" in plain.stdout,
          "%s passes under busted --lua=luajit (status %d)" % (spec, plain.returncode))
    check("1 success / 0 failures" in ours.stdout, "%s: the same test result under the tool" % spec)
    check(ours.returncode == (1 if leaks else 0), "%s: status %d under the tool (got %d)"
          % (spec, 1 if leaks else 0, ours.returncode))
    if failures:
        print(ours.stderr[-3000:])
    named = re.search(r"by 0x[0-9A-F]+: function <leak_spec\.lua:4> \(leak_spec\.lua:5\)", ours.stderr)
    if leaks:
        check(re.search(r"definitely lost: 4,321 bytes in 1 blocks", ours.stderr) is not None,
              "%s: the 4,321-byte FFI leak is definitely lost" % spec)
        check(named is not None, "%s: its record names leak_spec.lua:5" % spec)
    else:
        check("definitely lost: 1," not in ours.stderr, "%s: nothing definitely lost" % spec)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
