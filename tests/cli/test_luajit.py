#!/usr/bin/env python3
"""LuaJIT scripts under the tool, with valgrind as the oracle.

tests/data/luajit/leak.lua mallocs through the FFI: a block dropped at once
(1,111 B), one kept in a Lua global (2,222 B) and one kept in a local
(3,333 B), optionally owned through ffi.gc(p, ffi.C.free). LuaJIT keeps the
cdata holding those pointers in its own mmap'd heap: after lua_close() the
blocks are definitely lost, but on os.exit(0) the heap still maps and they
are still reachable (research note §3). Each mode's LEAK SUMMARY must equal
valgrind's. Skips when luajit is not installed."""
import os, re, shutil, subprocess, sys

from harness import arg_parser

ap = arg_parser(__doc__)
args = ap.parse_args()
luajit = shutil.which("luajit")
if not luajit:
    print("SKIP: luajit is not installed (Debian package luajit)")
    sys.exit(0)
script = os.path.join(args.src, "tests/data/luajit/leak.lua")
KINDS = ("definitely lost", "indirectly lost", "possibly lost", "still reachable")

def summary(text):
    out = {}
    for kind in KINDS:
        m = re.search(r"==\d+==\s+%s: ([\d,]+) bytes in ([\d,]+) blocks" % kind, text)
        out[kind] = (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))) if m else (0, 0)
    return out

expected_by_mode = {"normal": (6666, 3, "definitely lost"), "gc": (3333, 2, "definitely lost"),
                    "osexit": (6666, 3, "still reachable"), "osexitclose": (6666, 3, "definitely lost")}
failures = []
env = dict(os.environ)
env.pop("LD_PRELOAD", None)
for mode, (nbytes, nblocks, kind) in expected_by_mode.items():
    plain = subprocess.run([luajit, script, mode], env=env, capture_output=True, text=True, timeout=60)
    shim = subprocess.run([luajit, script, mode], env=dict(env, LD_PRELOAD=os.path.abspath(args.lib)),
                          capture_output=True, text=True, timeout=60)
    ours = summary(shim.stderr)
    ok = shim.stdout == plain.stdout and shim.returncode == plain.returncode and ours[kind] == (nbytes, nblocks)
    if shutil.which("valgrind"):
        vg = subprocess.run(["valgrind", "--leak-check=full", luajit, script, mode], env=env,
                            capture_output=True, text=True, timeout=300)
        theirs = summary(vg.stderr)
        ok = ok and ours == theirs
        print("%-12s shim %s | valgrind %s" % (mode, ours, theirs))
    else:
        print("%-12s shim %s (valgrind not installed: checked against the recorded numbers)" % (mode, ours))
    if not ok:
        failures.append(mode)
        print(shim.stderr)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
