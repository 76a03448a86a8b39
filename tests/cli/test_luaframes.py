#!/usr/bin/env python3
"""Lua source frames in allocation stacks (LuaJIT; src/luaframes.c).

tests/data/luajit/frames.lua leaks through the FFI from interpreted code,
from a compiled hot loop and from a coroutine. Every definitely-lost record
must name the Lua line it leaked from ("leak_in (frames.lua:10)" then its
caller "main chunk (frames.lua:16)"; for the compiled loop, the trace's
line), the program's output and status must equal the plain run's, and the
LEAK SUMMARY must equal valgrind's when valgrind is installed (the frames
add names, never change the classification). `leaktrace diff` must see a
leak that moved to another Lua line (fixed at the old line, new at the new
one) and call two runs of the same line identical. Under nginx the same
frames name the content_by_lua chunk (checked in test_nginx.py). Skips when
luajit is not installed.

The frames a capture takes from the key cache (src/luakey.c) must be those
lua_getinfo gives: LEAKTRACE_LUA_KEYS=check compares every cached answer and
level walk with the API's and prints the counts; none may differ, in every
mode and in reload.lua, whose chunk is loaded 40 times with its leak on
another line at the same size, so prototypes and closures come back at
addresses seen before (checked by mutation: a key without the line read
from lineinfo gives 10 different answers there). reload.lua's records, in
normal mode, must name the line of every load."""
import os, re, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, failures, parse_report

args = arg_parser(__doc__).parse_args()
luajit = shutil.which("luajit")
if not luajit:
    print("SKIP: luajit is not installed (Debian package luajit2)")
    sys.exit(0)
script = os.path.join(args.src, "tests/data/luajit/frames.lua")
with open(script) as f:
    LINE = {m.group(1): n for n, l in enumerate(f, 1) for m in [re.search(r"-- @(\w+)", l)] if m}
work = tempfile.mkdtemp(prefix="lt-luaframes-")
env0 = dict(os.environ)
env0.pop("LD_PRELOAD", None)

def run(mode, opts=""):
    plain = subprocess.run([luajit, script, mode], env=env0, capture_output=True, text=True, timeout=60)
    shim = subprocess.run([luajit, script, mode], capture_output=True, text=True, timeout=120,
                          env=dict(env0, LD_PRELOAD=os.path.abspath(args.lib), LEAKTRACE_OPTIONS=opts))
    check(shim.stdout == plain.stdout and shim.returncode == plain.returncode,
          "%s: same output and status as the plain run" % mode)
    return shim.stderr

LUA_FRAME = re.compile(r"^==\d+==\s+by 0x[0-9A-F]+: (.+?) \((frames\.lua:\d+)\)$", re.M)

def records(text):
    """The definitely-lost records' texts (harness.parse_report reads a
    function name up to its first space: "main chunk" has one)."""
    return re.findall(r"are definitely lost in loss record.*?\n((?:==\d+==\s+(?:at|by) .*\n)+)", text)

def lua_frames(rec):
    return LUA_FRAME.findall(rec)

def summary_like_valgrind(mode, text):
    if not shutil.which("valgrind"):
        return
    vg = subprocess.run(["valgrind", "--leak-check=full", luajit, script, mode], env=env0,
                        capture_output=True, text=True, timeout=300)
    ours, theirs = parse_report(text)["kinds"], parse_report(vg.stderr)["kinds"]
    check(ours == theirs, "%s: LEAK SUMMARY equals valgrind's (%s vs %s)" % (mode, ours, theirs))

# interpreted: the leaking line, then its caller
out = run("interp")
recs = records(out)
want = [("leak_in", "frames.lua:%d" % LINE["leak_in"]), ("main chunk", "frames.lua:%d" % LINE["call_interp"])]
check(len(recs) == 1 and lua_frames(recs[0]) == want, "interp: %s (got %s)" % (want, [lua_frames(r) for r in recs]))
check(re.search(r"by 0x[0-9A-F]+: leak_in \(frames\.lua:%d\)" % LINE["leak_in"], out) is not None,
      "interp: printed as 'by 0x...: leak_in (frames.lua:%d)'" % LINE["leak_in"])
summary_like_valgrind("interp", out)

# compiled: every record of the loop names its line (the trace's start, or the interpreter's)
out = run("jit")
recs = records(out)
check(recs and all(lua_frames(r)[:1] == [("main chunk", "frames.lua:%d" % LINE["jit_loop"])] for r in recs),
      "jit: every record names frames.lua:%d (%s)" % (LINE["jit_loop"], [lua_frames(r) for r in recs]))
check(len(recs) <= 5, "jit: the loop's leaks are a few records, not one per block (%d)" % len(recs))
summary_like_valgrind("jit", out)

# coroutine: the coroutine's own function
out = run("coroutine")
recs = records(out)
check(len(recs) == 1 and lua_frames(recs[0])[:1] == [("function <frames.lua:%d>" % (LINE["in_coroutine"] - 1),
                                                       "frames.lua:%d" % LINE["in_coroutine"])],
      "coroutine: names the coroutine's line (%s)" % [lua_frames(r) for r in recs])

# gen-suppressions: the Lua frame is a fun: line specific to its line
out = run("interp", "--gen-suppressions=all")
check("   fun:leak_in@frames.lua:%d\n" % LINE["leak_in"] in out, "gen-suppressions: fun:leak_in@frames.lua:%d" % LINE["leak_in"])

# diff: a leak moved to another line is fixed + new; the same line is unchanged
reports = {}
for mode in ("interp", "same", "moved"):
    p = os.path.join(work, mode + ".txt")
    with open(p, "w") as f:
        f.write(run(mode))
    reports[mode] = p
same = subprocess.run([args.cli, "diff", reports["interp"], reports["same"]], capture_output=True, text=True)
moved = subprocess.run([args.cli, "diff", reports["interp"], reports["moved"]], capture_output=True, text=True)
check(same.returncode == 0, "diff: the same Lua line in two runs is unchanged (status %d)\n%s" % (same.returncode, same.stdout))
check(moved.returncode == 1 and ("frames.lua:%d" % LINE["call_moved"]) in moved.stdout
      and ("frames.lua:%d" % LINE["call_interp"]) in moved.stdout,
      "diff: a leak moved from line %d to %d is new there and fixed here (status %d)\n%s"
      % (LINE["call_interp"], LINE["call_moved"], moved.returncode, moved.stdout))
# the key cache answers as lua_getinfo does (LEAKTRACE_LUA_KEYS=check)
KEYS = re.compile(r"lua-key check: (\d+) walks equal to lua_getstack's, (\d+) differed; "
                  r"(\d+) cached answers equal to lua_getinfo's, (\d+) differed")
reload = os.path.join(args.src, "tests/data/luajit/reload.lua")

def keys_check(argv, what):
    shim = subprocess.run([luajit] + argv, capture_output=True, text=True, timeout=120,
                          env=dict(env0, LD_PRELOAD=os.path.abspath(args.lib), LEAKTRACE_LUA_KEYS="check"))
    m = KEYS.search(shim.stderr)
    check(m is not None and m.group(2) == "0" and m.group(4) == "0" and int(m.group(3)) > 0,
          "%s: cached Lua frames equal lua_getinfo's (%s)" % (what, m.group(0) if m else "no counts printed"))

for mode in ("interp", "jit", "coroutine"):
    keys_check([script, mode], mode)
for mode in ("interp", "jit"):
    keys_check([reload, mode], "reload " + mode)
    out = subprocess.run([luajit, reload, mode], capture_output=True, text=True, timeout=120,
                         env=dict(env0, LD_PRELOAD=os.path.abspath(args.lib))).stderr
    got = {int(line): (int(size.replace(",", "")), int(blocks))
           for size, blocks, line in re.findall(r"([\d,]+) bytes in (\d+) blocks are definitely lost in loss record"
                                                r".*?\n(?:==\d+==\s+(?:at|by) .*\n)*?==\d+==\s+by 0x[0-9A-F]+: "
                                                r"f \(reload:(\d+)\)", out)}
    want = {2 + p: (sum(1000 + i for i in range(1, 41) if i % 5 == p), 8) for p in range(5)}
    check(got == want, "reload %s: each line names the blocks of its loads (%s, want %s)" % (mode, got, want))

shutil.rmtree(work, ignore_errors=True)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
