#!/usr/bin/env python3
"""Suppressions generated for LuaJIT-compiled frames are not universal.

A trace's machine code lives in an anonymous executable mapping: no object,
no symbol. Valgrind's --gen-suppressions writes such a frame as obj:*, and
{ fun:malloc obj:* } pasted into a suppression file (the workflow of
test-nginx users) hides every malloc leak from then on. Here the blocks
generated for tests/data/luajit/jit_leak.lua's loop (compiled and
interpreted iterations) are all pasted into a file, which must still
suppress all of them on a second run but hide neither an interpreted FFI
leak from another Lua line (the Lua frames, fun:NAME@FILE:LINE, tell them
apart) nor a C program's leak (build/leaky). Skips when luajit is not installed."""
import os, re, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, failures, parse_report

args = arg_parser(__doc__).parse_args()
luajit = shutil.which("luajit")
if not luajit:
    print("SKIP: luajit is not installed (Debian package luajit2)")
    sys.exit(0)
script = os.path.join(args.src, "tests/data/luajit/jit_leak.lua")
leaky = os.path.join(args.build, "leaky")
work = tempfile.mkdtemp(prefix="lt-jitsupp-")

def run(argv, opts):
    env = dict(os.environ, LD_PRELOAD=os.path.abspath(args.lib), LEAKTRACE_OPTIONS=opts)
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    return r.stderr

out = run([luajit, script, "jit"], "--gen-suppressions=all")
blocks = re.findall(r"^\{\n.*?^\}\n", out, re.S | re.M)
check(blocks, "suppressions were generated (%d)" % len(blocks))
check(not any(re.search(r"^\s+obj:\*$", b, re.M) for b in blocks),
      "no generated line is obj:* (%s)" % [b for b in blocks if "obj:*\n" in b])
check(any("obj:???" in b for b in blocks), "a frame in compiled code is written obj:???")
supp = os.path.join(work, "jit.supp")
with open(supp, "w") as f:
    f.write("".join(blocks))
check(all("@jit_leak.lua:" in b for b in blocks), "every generated block names its Lua line")
want = (19200, 300)

again = parse_report(run([luajit, script, "jit"], "--suppressions=" + supp))
check(again["kinds"].get("suppressed", (0, 0)) == want
      and again["kinds"].get("definitely lost", (0, 0)) == (0, 0),
      "the pasted file suppresses the loop's leaks, %s (%s)" % (want, again["kinds"]))
interp = parse_report(run([luajit, script, "interp"], "--suppressions=" + supp))
check(interp["kinds"].get("definitely lost") == (4000, 1),
      "it does not hide an interpreted FFI leak (%s)" % interp["kinds"])
if os.path.exists(leaky):
    plain = parse_report(run([leaky], ""))
    withs = parse_report(run([leaky], "--suppressions=" + supp))
    check(plain["kinds"].get("definitely lost", (0, 0)) != (0, 0)
          and withs["kinds"].get("definitely lost") == plain["kinds"].get("definitely lost"),
          "it does not hide a C program's leak (%s vs %s)" % (withs["kinds"], plain["kinds"]))
shutil.rmtree(work, ignore_errors=True)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
