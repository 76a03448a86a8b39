#!/usr/bin/env python3
"""bench/bench.py — the measuring instrument behind scripts/bench.

Builds the workloads in bench/ into a work directory, then runs, in one go and
interleaved round by round, the plain program, libleaktrace (through the
`leaktrace` launcher), LeakSanitizer preloaded (frame-pointer and DWARF
unwind), heaptrack and valgrind --leak-check=full on:

  storm   4 threads x 2M malloc/free (anchor-peers.md section 3), threads 1,2,4;
          plus the same at DEPTH 8 (>= 12 frames per malloc) for CPU per pair
  deep    a 30-frame recursion without frame pointers: frames per tool
  real    luajit (FFI malloc/free + tables), sqlite3, python3 (stdlib),
          go cgo (20,000 C.CString/C.free from 4 goroutines; mostly the
          per-run cost of a Go program: start-up and the exit check)
  exit    1M live blocks in 1 GiB of pointer chains (scan), and 1M leaked
          blocks from 1000 stacks (report)
  procs   many short processes (bench/procs.py): bash subshells, a shim
          chain, make -j2 of leaky tests, /bin/true, a tiny leaky program

Each run is timed with wall clock and os.wait4's rusage (user, sys, max RSS of
the process tree), which is why this is our own loop rather than hyperfine:
hyperfine reports no RSS and only mean user/sys.  Every round runs each
command once, in a rotated order; fast tools get a warm-up run and more
rounds than slow ones; medians are reported.

Prints markdown to stdout and writes it (with the machine) to
docs/bench-results.md, the chart to docs/bench.png (gnuplot), raw samples to
WORK/results.json.
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")

TOOLS = ["plain", "shim", "shim-nofill", "lsan-fp", "lsan-dwarf", "heaptrack", "valgrind"]
TOOL_TITLE = {
    "plain": "plain",
    "shim": "libleaktrace",
    "shim-nofill": "libleaktrace --malloc-fill=none",
    "lsan-fp": "LSan (frame ptr)",
    "lsan-dwarf": "LSan (DWARF)",
    "heaptrack": "heaptrack",
    "valgrind": "valgrind",
}
SLOW = {"lsan-dwarf", "heaptrack", "valgrind"}

# Sizes and repetitions.  quick: everything smaller, < 5 min on 2 vCPUs.
PROFILES = {
    "full": dict(storm_iters=2000000, lua_n=3000000, sql_rows=200000, py_n=40000, go_n=20000,
                 live_blocks=1000000, live_mib=1024, leak_blocks=1000000, leak_stacks=1000,
                 runs=7, slow_runs=3, real_slow_runs=2, exit_runs=5, exit_slow_runs=2,
                 timeout=1200),
    "quick": dict(storm_iters=400000, lua_n=600000, sql_rows=40000, py_n=8000, go_n=20000,
                  live_blocks=1000000, live_mib=1024, leak_blocks=1000000, leak_stacks=1000,
                  runs=3, slow_runs=1, real_slow_runs=1, exit_runs=2, exit_slow_runs=1,
                  timeout=180),
}

# Issue 15: storm ≤ 2× (stretch 1.5×), 0.12 µs per pair, real workloads ≤ 1.3×.
TARGETS = dict(storm4=2.0, storm4_stretch=1.5, cpu_pair_us=0.12, bytes_per_block=32.0,
               scan_gib_s=1.0, leak_report_s=2.0, real=1.3)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True, **kw)


# --------------------------------------------------------------------------
# build

def build(work, cc="gcc"):
    b = os.path.join(work, "bin")
    os.makedirs(b, exist_ok=True)
    flags = ["-O2", "-g", "-fomit-frame-pointer"]
    progs = {"storm": ["storm.c", "-pthread"], "deep": ["deep.c"], "exitcheck": ["exitcheck.c"]}
    for name, (src, *extra) in progs.items():
        out = os.path.join(b, name)
        r = sh([cc, *flags, os.path.join(BENCH, src), *extra, "-o", out])
        if r.returncode:
            sys.exit(f"bench: building {src} failed:\n{r.stderr}")
    for f in ("ffi.lua", "sqlite.sql", "stdlib.py"):
        shutil.copy(os.path.join(BENCH, f), os.path.join(b, f))
    if shutil.which("go"):       # the Go row: a cgo program (skipped without Go)
        d = os.path.join(work, "gocgo")
        os.makedirs(d, exist_ok=True)
        shutil.copy(os.path.join(BENCH, "cgo.go"), os.path.join(d, "main.go"))
        with open(os.path.join(d, "go.mod"), "w") as f:
            f.write("module gocgo\ngo 1.19\n")
        env = dict(os.environ, GOCACHE=os.path.join(work, "gocache"), GOPATH=os.path.join(work, "gopath"), CGO_ENABLED="1")
        r = subprocess.run(["go", "build", "-o", os.path.join(b, "gocgo"), "."], cwd=d, env=env,
                           capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"bench: building cgo.go failed:\n{r.stderr}")
    return b


# --------------------------------------------------------------------------
# commands

class Cmd:
    """One thing to time: a tool on a workload."""

    def __init__(self, key, tool, argv, env=None, stdin=None, kind="time", logs=None):
        self.key, self.tool, self.argv = key, tool, argv
        self.env = env or {}
        self.stdin = stdin
        self.kind = kind
        self.logs = logs          # glob prefix where the tool writes its report
        self.samples = []         # dicts: wall, user, sys, maxrss_kb, rc
        self.last_stdout = ""
        self.last_stderr = ""
        self.last_report = ""
        self.failed = []


class Ctx:
    def __init__(self, args, work, bindir):
        self.args, self.work, self.bin = args, work, bindir
        self.logdir = os.path.join(work, "logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.lsan = sh("gcc -print-file-name=liblsan.so").stdout.strip()

    def make(self, key, tool, argv, stdin=None, nocheck=False, callers=None, kind="time"):
        """The command line for TOOL running ARGV."""
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", key)     # no spaces: LEAKTRACE_OPTIONS, LSAN_OPTIONS split on them
        pre = os.path.join(self.logdir, safe + "." + tool + ("-nocheck" if nocheck else ""))
        env = {}
        if key.startswith("go "):
            env["GODEBUG"] = "cpu.rdtscp=off"     # valgrind 3.19 cannot run Go's rdtscp
        if tool == "plain":
            cmd = list(argv)
            logs = None
        elif tool in ("shim", "shim-nofill"):
            opts = [f"--log-file={pre}.%p.txt"]
            if tool == "shim-nofill":        # the cost of the default fill of fresh blocks
                opts.append("--malloc-fill=none")
            if nocheck:
                opts.append("--leak-check=no")
            if callers:
                opts.append(f"--num-callers={callers}")
            cmd = [self.args.leaktrace, *opts, "--", *argv]
            env["LEAKTRACE_LIB"] = self.args.lib
            logs = pre
        elif tool in ("lsan-fp", "lsan-dwarf"):
            o = ["exitcode=0", "report_objects=0", f"log_path={pre}"]
            if tool == "lsan-dwarf":
                o.append("fast_unwind_on_malloc=0")
            if nocheck:
                o.append("detect_leaks=0")
            if callers:
                o.append(f"malloc_context_size={callers}")
            env["LD_PRELOAD"] = self.lsan
            env["LSAN_OPTIONS"] = ":".join(o)
            cmd = list(argv)
            logs = pre
        elif tool == "heaptrack":
            cmd = ["heaptrack", "-o", pre, *argv]
            logs = pre
        elif tool == "valgrind":
            cmd = ["valgrind", "--leak-check=" + ("no" if nocheck else "full"), f"--log-file={pre}.%p.txt"]
            if callers:
                cmd.append(f"--num-callers={callers}")
            cmd += argv
            logs = pre
        else:
            raise ValueError(tool)
        c = Cmd(key + (" (no check)" if nocheck else ""), tool, cmd, env, stdin, kind, logs)
        c.workload, c.nocheck = key, nocheck
        return c


def clear_logs(c):
    if not c.logs:
        return
    d, base = os.path.split(c.logs)
    for f in os.listdir(d):
        if f.startswith(base + "."):
            os.unlink(os.path.join(d, f))


def read_logs(c):
    """The tool's report text from its log files (newest process last)."""
    if not c.logs:
        return ""
    d, base = os.path.split(c.logs)
    texts = []
    for f in sorted(os.listdir(d)):
        if f.startswith(base + ".") and not f.endswith(".zst"):
            with open(os.path.join(d, f), errors="replace") as fh:
                texts.append(fh.read())
    return "\n".join(texts)


HANG_S = 30


def group_cpu(pgid):
    """user+sys clock ticks of every process in the process group."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(")") + 2:].split()
        if int(fields[2]) == pgid:          # field 5: pgrp
            total += int(fields[11]) + int(fields[12])
    return total


def run_once(ctx, c, timeout):
    clear_logs(c)
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.pop("LEAKTRACE_OPTIONS", None)
    env.pop("LSAN_OPTIONS", None)
    env.update(c.env)
    outp = os.path.join(ctx.work, "run.stdout")
    errp = os.path.join(ctx.work, "run.stderr")
    with open(outp, "w") as out, open(errp, "w") as err:
        fin = open(c.stdin) if c.stdin else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.Popen(c.argv, stdin=fin, stdout=out, stderr=err, env=env,
                             cwd=ctx.bin, start_new_session=True)
        killed = []
        done = threading.Event()

        def watch():
            # Kill at the time limit, or when the process group has used no
            # CPU for HANG_S seconds (a deadlock: seen with LSan on luajit).
            last_cpu, last_change = -1, time.time()
            while not done.wait(1.0):
                now = time.time()
                cpu = group_cpu(p.pid)
                if cpu != last_cpu:
                    last_cpu, last_change = cpu, now
                why = ("timeout" if now - t0_abs > timeout else
                       "hang" if now - last_change > HANG_S else None)
                if why:
                    killed.append(why)
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    return
        t0_abs = time.time()
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        t_end_ns = time.monotonic_ns()     # CLOCK_MONOTONIC, as the program's main_return_ns
        done.set()
        watcher.join()
        p.returncode = os.waitstatus_to_exitcode(status)
        if c.stdin:
            fin.close()
    with open(outp, errors="replace") as f:
        c.last_stdout = f.read()
    with open(errp, errors="replace") as f:
        c.last_stderr = f.read()
    c.last_report = read_logs(c)
    if c.tool == "heaptrack":
        c.last_report += "\n" + c.last_stdout
    s = dict(wall=t1 - t0, user=ru.ru_utime, sys=ru.ru_stime, maxrss_kb=ru.ru_maxrss,
             rc=p.returncode, timeout=bool(killed), killed=killed[0] if killed else None)
    m = re.findall(r"^rss_(start|full)_kb (\d+)$", c.last_stdout, re.M)
    for k, v in m:
        s["rss_" + k] = int(v)
    m = re.search(r"^main_return_ns (\d+)$", c.last_stdout, re.M)
    if m:
        s["exit_phase"] = (t_end_ns - int(m.group(1))) / 1e9
    return s


def measure(ctx, cmds, runs_for, warm_for, timeout, title):
    """Rounds: each round runs every command that still needs runs, in an order
    rotated by one each round; warm-ups first (not kept)."""
    t_start = time.time()
    order = list(cmds)
    warm = [c for c in order if warm_for(c)]
    for c in warm:
        s = run_once(ctx, c, timeout)
        log(f"  warm-up {c.key:28s} {c.tool:11s} {s['wall']:7.2f} s rc={s['rc']}")
    nrounds = max(runs_for(c) for c in order)
    for r in range(nrounds):
        k = r % len(order)
        rot = order[k:] + order[:k]
        for c in rot:
            if r >= runs_for(c):
                continue
            if any(s["timeout"] for s in c.samples):
                continue            # hung or timed out once: not again
            s = run_once(ctx, c, timeout)
            c.samples.append(s)
            flag = ""
            if s["killed"] == "hang":
                flag = "  HUNG"
                c.failed.append(f"hung (no CPU used for {HANG_S} s), killed")
            elif s["timeout"]:
                flag = "  TIMEOUT"
                c.failed.append(f"timed out after {timeout} s")
            elif s["rc"] != 0:
                flag = f"  EXIT STATUS {s['rc']}"
                c.failed.append(f"exit status {s['rc']}")
            log(f"  [{title} {r + 1}/{nrounds}] {c.key:28s} {c.tool:11s} {s['wall']:7.2f} s{flag}")
            if s["rc"] != 0 and not s["timeout"]:
                tail = (c.last_stderr.strip().splitlines() or [""])[-3:]
                log("      stderr: " + " | ".join(tail))
    log(f"  {title}: {time.time() - t_start:.0f} s")


def good(c):
    """Samples of runs that ended normally (a crash or a hang is reported, not timed)."""
    return [s for s in c.samples if not s["timeout"] and s["rc"] == 0]


def med(c, field="wall"):
    v = [s[field] for s in good(c) if field in s]
    return statistics.median(v) if v else None


def med_cpu(c):
    v = [s["user"] + s["sys"] for s in good(c)]
    return statistics.median(v) if v else None


def spread(c):
    v = [s["wall"] for s in good(c)]
    if len(v) < 2:
        return None
    return (max(v) - min(v)) / statistics.median(v) * 100


# --------------------------------------------------------------------------
# report parsing

def num(s):
    return int(s.replace(",", ""))


def fill_cost(by, keys):
    """Rows comparing libleaktrace with and without the fill, per workload."""
    rows = []
    for key in keys:
        a, b = by.get((key, "shim")), by.get((key, "shim-nofill"))
        if not (a and b and good(a) and good(b)):
            continue
        ca, cb = med_cpu(a), med_cpu(b)
        extra = f"{(ca / cb - 1) * 100:+.1f} %" if (ca and cb) else ""
        rows.append([key, f2(ca), f2(cb), extra, f2(med(a)), f2(med(b))])
    return rows


def leak_summary(tool, text):
    """(definite blocks, loss records or None) as the tool tells them."""
    if tool in ("shim", "shim-nofill", "valgrind"):
        m = re.search(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks", text)
        recs = re.findall(r"in loss record [\d,]+ of ([\d,]+)", text)
        if m:
            return num(m.group(2)), (num(recs[-1]) if recs else 0)
        if "All heap blocks were freed" in text or "LEAK SUMMARY" not in text and "HEAP SUMMARY" in text:
            return 0, 0
        return None, None
    if tool.startswith("lsan"):
        m = re.search(r"SUMMARY: LeakSanitizer: ([\d,]+) byte\(s\) leaked in ([\d,]+) allocation", text)
        recs = len(re.findall(r"^(Direct|Indirect) leak of", text, re.M))
        if m:
            return num(m.group(2)), recs
        return 0, 0
    if tool == "heaptrack":
        m = re.search(r"leaked allocations:\s*(\d+)", text)
        return (int(m.group(1)) if m else None), None
    return None, None


def deep_frames(tool, text, ctx=None):
    """(rec frames, main reached, frames in the record) for the 4321-byte leak."""
    if tool in ("shim", "shim-nofill", "valgrind"):
        m = re.search(r"4,321 bytes in 1 blocks are definitely lost.*?\n((?:==\d+==\s+(?:at|by) .*\n)+)", text)
        if not m:
            return None
        lines = m.group(1).splitlines()
        return (sum(1 for l in lines if re.search(r": rec \(", l)),
                any(re.search(r": main \(", l) for l in lines), len(lines))
    if tool.startswith("lsan"):
        m = re.search(r"leak of 4321 byte\(s\).*?\n((?:\s+#\d+ .*\n)+)", text)
        if not m:
            return None
        lines = m.group(1).splitlines()
        return (sum(1 for l in lines if " in rec " in l),
                any(" in main " in l for l in lines), len(lines))
    if tool == "heaptrack":
        return None   # see heaptrack_deep
    return None


def heaptrack_deep(ctx, c):
    zst = c.logs + ".zst"
    if not os.path.exists(zst):
        return None
    out = os.path.join(ctx.work, "deep.stacks")
    sh(["heaptrack_print", "-f", zst, "-p", "0", "-a", "0", "-T", "0",
        "--flamegraph-cost-type", "leaked", "-F", out])
    if not os.path.exists(out):
        return None
    for line in open(out, errors="replace"):
        if "leaf (" in line:
            fr = [f for f in line.rsplit(" ", 1)[0].split(";") if f.strip()]
            return (sum(1 for f in fr if f.startswith("rec (")),
                    any(f.startswith("main (") for f in fr), len(fr) + 1)   # +1: malloc
    return None


# --------------------------------------------------------------------------
# profile (optional): where the shim's time goes

def profile(ctx, P):
    B = lambda n: os.path.join(ctx.bin, n)
    jobs = [("storm 4t depth 8", [B("storm"), str(P["storm_iters"]), "4", "8"]),
            ("exit live", [B("exitcheck"), "live", str(P["live_blocks"]), str(P["live_mib"])])]
    out = ["### Where libleaktrace spends its time (perf record, self time)\n"]
    for name, argv in jobs:
        data = os.path.join(ctx.work, "perf." + re.sub(r"\W+", "_", name) + ".data")
        env = dict(os.environ, LEAKTRACE_LIB=ctx.args.lib)
        log(f"bench: perf record {name}")
        r = subprocess.run(["perf", "record", "-F", "1999", "-g", "-o", data, "--", ctx.args.leaktrace,
                            f"--log-file={ctx.logdir}/perf.%p.txt", "--", *argv],
                           env=env, cwd=ctx.bin, capture_output=True, text=True)
        if r.returncode:
            out.append(f"{name}: perf record failed: {r.stderr.strip().splitlines()[-1:]}\n")
            continue
        rep = sh(["perf", "report", "-i", data, "--no-children", "--stdio", "-g", "none",
                  "--percent-limit", "0.2", "--sort", "dso,symbol"]).stdout
        agg = {}
        for line in rep.splitlines():
            m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)", line)
            if m:
                sym = re.sub(r"(\s+-)+\s*$", "", m.group(3)).strip()
                if re.fullmatch(r"0x[0-9a-f]+", sym):
                    sym = "(no symbols: all such addresses added up)"
                agg[(m.group(2), sym)] = agg.get((m.group(2), sym), 0.0) + float(m.group(1))
        rows = [[f"{v:.1f} %", dso, "`" + sym[:80] + "`"]
                for (dso, sym), v in sorted(agg.items(), key=lambda kv: -kv[1])]
        out.append(f"{name} (`perf report -i {data}`):\n")
        out.append(table(["self", "object", "symbol"], rows[:15]))
        out.append("")
    return out


# --------------------------------------------------------------------------
# machine

def machine(ctx):
    lscpu = sh("lscpu").stdout
    model = re.search(r"Model name:\s*(.*)", lscpu)
    tpc = re.search(r"Thread\(s\) per core:\s*(\d+)", lscpu)
    hyp = re.search(r"Hypervisor vendor:\s*(.*)", lscpu)
    mem = re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read())
    glibc = sh("getconf GNU_LIBC_VERSION").stdout.strip()
    ver = lambda c, n=1: (sh(c).stdout + sh(c).stderr).strip().splitlines()[:n]
    # The source tree the library was built from (its CMakeCache), else this tree.
    src = ROOT
    cache = os.path.join(os.path.dirname(os.path.realpath(ctx.args.lib)), "CMakeCache.txt")
    if os.path.exists(cache):
        m = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", open(cache).read(), re.M)
        if m and os.path.isdir(m.group(1)):
            src = m.group(1)
    git = sh(["git", "-C", src, "rev-parse", "--short", "HEAD"]).stdout.strip() or "?"
    dirty = sh(["git", "-C", src, "status", "--porcelain", "--untracked-files=no", "src", "include", "tools"]).stdout.strip()
    return {
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cpus": os.cpu_count(),
        "threads_per_core": tpc.group(1) if tpc else "?",
        "hypervisor": hyp.group(1).strip() if hyp else "none",
        "ram_gib": round(int(mem.group(1)) / 1048576, 1) if mem else None,
        "kernel": platform.release(),
        "glibc": glibc,
        "gcc": ver("gcc --version")[0],
        "valgrind": ver("valgrind --version")[0] if shutil.which("valgrind") else "-",
        "heaptrack": ver("heaptrack --version")[0] if shutil.which("heaptrack") else "-",
        "luajit": ver("luajit -v")[0].split(" -- ")[0] if shutil.which("luajit") else "-",
        "sqlite3": ver("sqlite3 --version")[0].split()[0] if shutil.which("sqlite3") else "-",
        "python3": ver("/usr/bin/python3 --version")[0],
        "lsan": os.path.realpath(ctx.lsan),
        "lib": os.path.realpath(ctx.args.lib),
        "commit": git + (" + uncommitted changes in src/include/tools" if dirty else "") + f" (`{src}`)",
        "lib_mtime": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(ctx.args.lib))),
    }


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


# --------------------------------------------------------------------------
# formatting

def f2(x, nd=2):
    return "—" if x is None else f"{x:.{nd}f}"


def fx(x):
    if x is None:
        return "—"
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×"


def mb(kb):
    return "—" if kb is None else f"{kb / 1024:.0f}"


def pf(ok):
    return "**pass**" if ok else "**FAIL**"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(out)


# --------------------------------------------------------------------------
# main

def main():
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs (< 5 min)")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "libleaktrace.so"))
    ap.add_argument("--leaktrace", default=os.path.join(ROOT, "build", "leaktrace"))
    ap.add_argument("--work", default=None, help="work directory (default: a new temp dir)")
    ap.add_argument("--only", default="storm,deep,real,exit,procs", help="comma list of parts")
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma list of " + ",".join(TOOLS))
    ap.add_argument("--runs", type=int, help="rounds for plain/libleaktrace/LSan-fp")
    ap.add_argument("--slow-runs", type=int, help="rounds for LSan-DWARF/heaptrack/valgrind")
    ap.add_argument("--profile", action="store_true",
                    help="also perf-record libleaktrace on the storm and the exit scan; list its hottest functions")
    ap.add_argument("--docs", default=os.path.join(ROOT, "docs"),
                    help="where bench-results.md and bench.png go ('' for nowhere)")
    args = ap.parse_args()
    args.lib = os.path.abspath(args.lib)
    args.leaktrace = os.path.abspath(args.leaktrace)
    for p in (args.lib, args.leaktrace):
        if not os.path.exists(p):
            sys.exit(f"bench: {p} not found: build it (cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "
                     f"&& cmake --build build -j) or pass --lib/--leaktrace")
    mode = "quick" if args.quick else "full"
    P = dict(PROFILES[mode])
    if args.runs:
        P["runs"] = P["exit_runs"] = args.runs
    if args.slow_runs:
        P["slow_runs"] = P["real_slow_runs"] = P["exit_slow_runs"] = args.slow_runs
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in TOOLS:
            sys.exit(f"bench: unknown tool {t}")
    if "plain" not in tools:
        tools.insert(0, "plain")
    parts = set(args.only.split(","))

    import tempfile
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="leaktrace-bench.")
    os.makedirs(work, exist_ok=True)
    bindir = build(work)
    ctx = Ctx(args, work, bindir)
    M = machine(ctx)
    load0 = loadavg()
    T0 = time.time()
    log(f"bench: {mode} run, work dir {work}, library {args.lib}")
    B = lambda n: os.path.join(bindir, n)
    runs_for = lambda c: P["slow_runs"] if c.tool in SLOW else P["runs"]
    warm_for = lambda c: c.tool not in SLOW
    md = []
    results = {"mode": mode, "profile": P, "machine": M, "groups": {}}
    chart_rows = []          # (label, {tool: ratio})
    fill_rows = []           # the default --malloc-fill=0x00 against none, same run
    targets = []             # (name, target text, measured text, ok)
    notes = []
    ratio_of = {}
    cpu_ratio = {}

    def record(group, cmds):
        results["groups"][group] = [dict(key=c.key, tool=c.tool, argv=c.argv, env=c.env,
                                         samples=c.samples, failed=c.failed) for c in cmds]

    def check_failures(cmds):
        for c in cmds:
            if c.failed:
                why = ""
                if c.tool.startswith("lsan") and c.key == "sqlite3" and "exit status -11" in c.failed:
                    why = (" — known: the sqlite3 shell calls `signal()` in main and liblsan's `signal` "
                           "interceptor jumps to address 0 when liblsan is preloaded into a program built "
                           "without -fsanitize (gdb: SIGSEGV at pc 0 from `signal@plt`)")
                elif c.tool == "lsan-dwarf" and c.key.startswith("luajit") and any("hung" in f for f in c.failed):
                    why = " — a deadlock at 0 % CPU, also with 1,000 iterations"
                notes.append(f"{TOOL_TITLE[c.tool]} on {c.key}: " + ", ".join(sorted(set(c.failed)))
                             + (f" (stderr: `{(c.last_stderr.strip().splitlines() or [''])[-1][:160]}`)"
                                if c.last_stderr.strip() else "") + why)

    # ---------------- storm ----------------
    shim_storm = {}
    if "storm" in parts:
        it = P["storm_iters"]
        cmds = []
        for t in (1, 2, 4):
            for tool in tools:
                cmds.append(ctx.make(f"storm {t}t", tool, [B("storm"), str(it), str(t)]))
        deep12 = [ctx.make("storm 4t depth 8", tool, [B("storm"), str(it), "4", "8"])
                  for tool in tools if tool in ("plain", "shim", "lsan-fp", "lsan-dwarf")]
        cmds += deep12
        log(f"bench: storm, {it} pairs per thread")
        measure(ctx, cmds, runs_for, warm_for, P["timeout"], "storm")
        check_failures(cmds)
        record("storm", cmds)
        rows = []
        by = {}
        for c in cmds:
            by[(c.key, c.tool)] = c
        for key in ["storm 1t", "storm 2t", "storm 4t", "storm 4t depth 8"]:
            nthr = int(key.split()[1][0])
            pairs = nthr * it
            plain = by.get((key, "plain"))
            pw, pc = med(plain), med_cpu(plain)
            ratios = {}
            for tool in tools:
                c = by.get((key, tool))
                if not c:
                    continue
                w, cpu = med(c), med_cpu(c)
                r = w / pw if (w and pw) else None
                ratios[tool] = r
                extra = (cpu - pc) / pairs * 1e6 if (cpu is not None and pc is not None and tool != "plain") else None
                dl, _ = leak_summary(tool, c.last_report)
                expect = nthr + 2
                if tool == "plain":
                    found = ""
                elif tool == "heaptrack":
                    found = f"{dl} not freed" if dl is not None else "?"
                else:
                    found = f"{dl}/{expect}" if dl is not None else "no report"
                    if dl != expect and not c.failed:
                        notes.append(f"{TOOL_TITLE[tool]} on {key}: {dl} definite leaks reported, {expect} planted")
                sp = spread(c)
                rc_ = cpu / pc if (cpu is not None and pc) else None
                cpu_ratio[(key, tool)] = rc_
                if c.failed:
                    found = "; ".join(sorted(set(c.failed)))
                rows.append([key, TOOL_TITLE[tool], f2(w), fx(r) if tool != "plain" else "1",
                             f2(cpu), fx(rc_) if tool != "plain" else "1",
                             f2(extra, 3) if extra is not None else "", mb(med(c, "maxrss_kb")),
                             found, f"{len(c.samples)}" + (f" (±{sp / 2:.0f}%)" if sp is not None else "")])
                if tool == "shim":
                    shim_storm[key] = (r, extra)
            ratio_of[key] = ratios
            if key != "storm 4t depth 8":
                chart_rows.append((key.replace("storm ", "storm "), ratios))
        fill_rows += fill_cost(by, ["storm 1t", "storm 2t", "storm 4t"])
        md.append(f"### Allocation storm ({it:,} malloc+free pairs per thread, 16..4096 B, -O2, no frame pointers)\n")
        md.append(table(["workload", "tool", "median s", "× plain", "user+sys s", "× plain (CPU)", "extra CPU µs/pair",
                         "peak RSS MB", "definite leaks found", "runs (±half range)"], rows))
        md.append("")

    # ---------------- deep ----------------
    deep = {}
    if "deep" in parts:
        log("bench: deep stacks")
        cmds = [ctx.make("deep", tool, [B("deep")], callers=64) for tool in tools
                if tool not in ("plain", "shim-nofill")]
        measure(ctx, cmds, lambda c: 1, lambda c: False, P["timeout"], "deep")
        check_failures(cmds)
        record("deep", cmds)
        rows = []
        for c in cmds:
            fr = heaptrack_deep(ctx, c) if c.tool == "heaptrack" else deep_frames(c.tool, c.last_report)
            deep[c.tool] = fr
            if fr is None:
                rows.append([TOOL_TITLE[c.tool], "leak not reported", "—", "—"])
                notes.append(f"{TOOL_TITLE[c.tool]} on deep: the planted 4321-byte leak was not found in its report")
            else:
                rows.append([TOOL_TITLE[c.tool], f"{fr[0]} / 30", "yes" if fr[1] else "**no**", fr[2]])
        md.append("### Deep stack: 30 recursive frames, -O2 without frame pointers "
                  "(one planted leak; 64 callers asked of every tool)\n")
        md.append(table(["tool", "rec frames recovered", "reaches main", "frames in the record"], rows))
        md.append("")
        sf = deep.get("shim")
        if sf and sf[0] != 30:
            notes.append(f"libleaktrace recovered {sf[0]} of 30 rec frames on deep (valgrind: "
                         f"{deep.get('valgrind', ('?',))[0]})")

    # ---------------- real ----------------
    if "real" in parts:
        log("bench: real workloads")
        sqlcmd = ["sqlite3", "-cmd", f"create temp table n(v); insert into n values({P['sql_rows']})", ":memory:"]
        W = [("luajit FFI", ["luajit", B("ffi.lua"), str(P["lua_n"])], None),
             ("sqlite3", sqlcmd, B("sqlite.sql")),
             ("python3 stdlib", ["/usr/bin/python3", B("stdlib.py"), str(P["py_n"])], None)]
        if os.path.exists(B("gocgo")):
            W.append(("go cgo", [B("gocgo"), str(P["go_n"])], None))
        cmds = []
        for name, argv, stdin in W:
            for tool in tools:
                cmds.append(ctx.make(name, tool, argv, stdin=stdin))
        rr = lambda c: P["real_slow_runs"] if c.tool in SLOW else P["runs"]
        outputs = {}
        measure(ctx, cmds, rr, warm_for, P["timeout"], "real")
        check_failures(cmds)
        record("real", cmds)
        rows = []
        for name, _, _ in W:
            ratios = {}
            plain = next(c for c in cmds if c.key == name and c.tool == "plain")
            pw = med(plain)
            for c in [c for c in cmds if c.key == name]:
                w = med(c)
                r = w / pw if (w and pw) else None
                ratios[c.tool] = r
                same = ""
                if c.tool != "plain" and good(c):
                    ok = (plain.last_stdout in c.last_stdout if c.tool == "heaptrack"   # heaptrack adds its own lines
                          else c.last_stdout == plain.last_stdout)
                    same = "yes" if ok else "**differs**"
                    if not ok and not c.failed:
                        notes.append(f"{TOOL_TITLE[c.tool]} on {name}: stdout differs from the plain run")
                dl, recs = leak_summary(c.tool, c.last_report)
                if c.tool == "plain":
                    lk = ""
                elif c.tool == "heaptrack":
                    lk = f"{dl} not freed" if dl is not None else "?"
                else:
                    lk = "?" if dl is None else f"{dl}" + (f" in {recs} records" if recs else "")
                sp = spread(c)
                pcpu, ccpu = med_cpu(plain), med_cpu(c)
                rc_ = ccpu / pcpu if (ccpu is not None and pcpu) else None
                cpu_ratio[(name, c.tool)] = rc_
                if c.failed:
                    lk = "; ".join(sorted(set(c.failed)))
                rows.append([name, TOOL_TITLE[c.tool], f2(w), fx(r) if c.tool != "plain" else "1",
                             f2(med_cpu(c)), fx(rc_) if c.tool != "plain" else "1",
                             mb(med(c, "maxrss_kb")), same, lk,
                             f"{len(c.samples)}" + (f" (±{sp / 2:.0f}%)" if sp is not None else "")])
            ratio_of[name] = ratios
            chart_rows.append((name, ratios))
        md.append(f"### Real workloads (luajit {P['lua_n']:,} FFI malloc/free + tables; sqlite3 {P['sql_rows']:,} rows "
                  f"in memory, indexes, group by, self-join; python3 {P['py_n']:,} records through json/re/collections)\n")
        md.append(table(["workload", "tool", "median s", "× plain", "user+sys s", "× plain (CPU)", "peak RSS MB",
                         "stdout as plain", "definite leaks (LSan: all leaks)", "runs (±half range)"], rows))
        md.append("")
        fill_rows += fill_cost({(c.key, c.tool): c for c in cmds}, [n for n, _, _ in W])

    if fill_rows:
        md.append("### Cost of filling fresh blocks (default `--malloc-fill=0x00` against `--malloc-fill=none`, "
                  "same rounds)\n")
        md.append(table(["workload", "user+sys s, fill", "user+sys s, none", "extra CPU for the fill",
                         "wall s, fill", "wall s, none"], fill_rows))
        md.append("")

    # ---------------- exit ----------------
    exitres = {}
    if "exit" in parts:
        log("bench: exit check")
        nl, mib, nk, st = P["live_blocks"], P["live_mib"], P["leak_blocks"], P["leak_stacks"]
        ex_tools = [t for t in tools if t in ("plain", "shim", "lsan-fp", "valgrind")]
        cmds = []
        for wl, argv in (("live", [B("exitcheck"), "live", str(nl), str(mib)]),
                         ("leak", [B("exitcheck"), "leak", str(nk), str(st)])):
            for tool in ex_tools:
                cmds.append(ctx.make(wl, tool, argv))
                if tool != "plain":
                    cmds.append(ctx.make(wl, tool, argv, nocheck=True))
        er = lambda c: P["exit_slow_runs"] if c.tool in SLOW else P["exit_runs"]
        measure(ctx, cmds, er, warm_for, P["timeout"], "exit")
        check_failures(cmds)
        record("exit", cmds)
        get = lambda wl, tool, nc: next((c for c in cmds if c.workload == wl and c.tool == tool and c.nocheck == nc), None)
        rows = []
        mem_rows = []
        for wl in ("live", "leak"):
            nblocks = nl if wl == "live" else nk
            plain = get(wl, "plain", False)
            pstart, pfull = med(plain, "rss_start"), med(plain, "rss_full")
            for tool in ex_tools:
                c = get(wl, tool, False)
                if tool == "plain":
                    rows.append([wl, "plain", f2(med(c)), "", f2(med(c, "exit_phase"), 3), "", "", "", "",
                                 mb(med(c, "maxrss_kb")), ""])
                    continue
                n = get(wl, tool, True)
                tw, tn = med(c), med(n)
                ew, en = med(c, "exit_phase"), med(n, "exit_phase")
                chk = (ew - en) if (ew is not None and en is not None) else None
                cw, cn = med_cpu(c), med_cpu(n)
                chk_cpu = (cw - cn) if (cw is not None and cn is not None) else None
                dl, recs = leak_summary(tool, c.last_report)
                if wl == "live":
                    rate = (mib / 1024) / chk if chk and chk > 0 else None
                    rate_cpu = (mib / 1024) / chk_cpu if chk_cpu and chk_cpu > 0 else None
                    what = (f"{rate:.2f} GiB/s" if rate else "too small to measure") + \
                        (f" ({rate_cpu:.2f} by CPU)" if rate_cpu else "")
                    res = f"{dl} definite" if dl is not None else "no report"
                    if dl not in (None, 0) and tool == "shim":
                        notes.append(f"libleaktrace on exit live: {dl} blocks definitely lost, expected 0 (all reachable)")
                else:
                    what = ("—" if chk is None else f"{chk:.2f} s" if chk > 0 else "≈0 (within noise)") + \
                        (f" ({chk_cpu:.2f} s CPU)" if chk_cpu is not None else "")
                    res = (f"{dl:,} in {recs} records" if dl is not None else "no report")
                    if tool == "shim" and dl is not None and (dl < nk * 0.99 or not (st * 0.9 <= recs <= st * 1.1)):
                        notes.append(f"libleaktrace on exit leak: {dl} definite blocks in {recs} records, "
                                     f"expected ~{nk} in ~{st}")
                exitres[(wl, tool)] = (chk, tw, tn, chk_cpu)
                rows.append([wl, TOOL_TITLE[tool], f2(tw), f2(tn), f2(ew, 3), f2(en, 3), f2(chk, 3), f2(chk_cpu), what,
                             mb(med(c, "maxrss_kb")), res])
                # memory per live block: growth of VmRSS from start of main to all-blocks-allocated,
                # minus the plain program's growth, per block
                s0, s1 = med(n, "rss_start"), med(n, "rss_full")
                if None not in (s0, s1, pstart, pfull):
                    per = ((s1 - s0) - (pfull - pstart)) * 1024 / nblocks
                    peak = (med(c, "maxrss_kb") - med(plain, "maxrss_kb")) * 1024 / nblocks
                    mem_rows.append([wl, TOOL_TITLE[tool], f"{nblocks:,}", f"{(s1 - s0) / 1024:.0f}",
                                     f"{(pfull - pstart) / 1024:.0f}", f"{per:.1f}", f"{peak:.1f}"])
                    exitres[(wl, tool, "per")] = per
        md.append(f"### Exit check ({nl:,} live blocks in {mib} MiB of 1000 pointer chains, all reachable; "
                  f"{nk:,} 32-byte blocks leaked from {st} stacks)\n")
        md.append("Exit s = from `main` returning (the program prints CLOCK_MONOTONIC then) to the process having "
                  "ended (the driver reads the same clock after `wait4`). Check time = median exit time with the "
                  "check minus median exit time of the same program with the check switched off (libleaktrace "
                  "`--leak-check=no`, LSan `detect_leaks=0`, valgrind `--leak-check=no`): everything the tool "
                  "does at exit for the leak check — stopping threads, roots, marking, classifying, symbolizing, "
                  "writing — without the noise of the allocation phase. Check CPU s = the same difference of whole-run "
                  "user+sys (noisier: it includes the allocation phase). Scan rate = the live heap's bytes / check "
                  "time (in brackets by CPU time). heaptrack has no exit check (it calls everything not freed a leak) "
                  "and is left out. (`--stats=yes` timings from the library itself would be more precise; "
                  "it has no such option yet.)\n")
        md.append(table(["workload", "tool", "run s", "run s, check off", "exit s", "exit s, check off",
                         "check s", "check CPU s", "scan rate / report time", "peak RSS MB", "tool's verdict"], rows))
        md.append("")
        md.append("Tool memory per live block = (VmRSS growth from the start of `main` to all blocks allocated, "
                  "read by the program itself, in the check-off run) minus the plain program's growth, divided "
                  "by the blocks. This leaves out start-up costs and the exit check's own memory; the last "
                  "column is the whole-process peak (`ru_maxrss`, check included) minus plain's, per block. "
                  "The live workload allocates from one call site (one stack), so stacks are not counted; "
                  "LSan and valgrind replace the allocator, so their numbers include their allocator's "
                  "per-block overhead (and valgrind's redzones and shadow memory).\n")
        md.append(table(["workload", "tool", "blocks", "RSS growth MB", "plain growth MB",
                         "tool bytes / live block", "peak bytes / block"], mem_rows))
        md.append("")

    # ---------------- profile ----------------
    prof = []
    if args.profile:
        if not shutil.which("perf"):
            log("bench: --profile needs perf (apt-get install linux-perf)")
        else:
            prof = profile(ctx, P)

    # ---------------- many short processes ----------------
    if "procs" in parts:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import procs
        pwork = os.path.join(work, "procs")
        os.makedirs(pwork, exist_ok=True)
        pmd, ptargets = procs.run(os.path.abspath(args.lib), pwork, args.quick, log,
                                  [t for t in ("plain", "shim", "lsan", "valgrind")
                                   if t in tools or t == "lsan" and "lsan-fp" in tools])
        md += pmd
        targets += ptargets

    T1 = time.time()
    load1 = loadavg()

    # ---------------- targets ----------------
    if "storm 4t" in ratio_of and "shim" in ratio_of["storm 4t"]:
        r = ratio_of["storm 4t"]["shim"]
        fr = deep.get("shim")
        frames_ok = bool(fr and fr[0] == 30 and fr[1])
        fr_txt = (f"{fr[0]}/30 rec frames" + (", main" if fr[1] else ", no main")) if fr else "deep not run"
        targets.append((f"storm 4 threads ≤ {TARGETS['storm4']:g}× plain (stretch ≤ {TARGETS['storm4_stretch']:g}×), all 30 frames on deep",
                        f"{fx(r)} (CPU: {fx(cpu_ratio.get(('storm 4t', 'shim')))}); {fr_txt}"
                        + ("; stretch met" if r and r <= TARGETS['storm4_stretch'] else ""),
                        r is not None and r <= TARGETS["storm4"] and (frames_ok or "deep" not in parts)))
    if "storm 4t depth 8" in shim_storm:
        e = shim_storm["storm 4t depth 8"][1]
        e0 = shim_storm.get("storm 4t", (None, None))[1]
        e1 = shim_storm.get("storm 1t", (None, None))[1]
        targets.append((f"extra CPU per malloc+free pair at 12 frames ≤ {TARGETS['cpu_pair_us']:g} µs",
                        f"{f2(e, 3)} µs (4 threads, ≥12-frame stacks); {f2(e0, 3)} µs at storm 4t, "
                        f"{f2(e1, 3)} µs at storm 1t (5-frame stacks)",
                        e is not None and e <= TARGETS["cpu_pair_us"]))
    if ("live", "shim", "per") in exitres:
        p = exitres[("live", "shim", "per")]
        targets.append(("tool memory per live block (excluding unique stacks) ≤ 32 B",
                        f"{p:.1f} B", p <= TARGETS["bytes_per_block"]))
    if ("live", "shim") in exitres:
        chk, chk_cpu = exitres[("live", "shim")][0], exitres[("live", "shim")][3]
        rate = (P["live_mib"] / 1024) / chk if chk and chk > 0 else None
        rc = (P["live_mib"] / 1024) / chk_cpu if chk_cpu and chk_cpu > 0 else None
        targets.append(("exit scan ≥ 1 GiB/s", (f"{rate:.2f} GiB/s ({chk:.2f} s for {P['live_mib']} MiB"
                                                 + (f"; {rc:.2f} GiB/s by CPU time" if rc else "") + ")"
                                                 if rate else f"check time {f2(chk)} s"),
                        rate is not None and rate >= TARGETS["scan_gib_s"]))
    if ("leak", "shim") in exitres:
        chk = exitres[("leak", "shim")][0]
        targets.append((f"{P['leak_blocks']:,} leaked blocks from {P['leak_stacks']} stacks reported in ≤ 2 s",
                        f"{f2(chk)} s ({f2(exitres[('leak', 'shim')][3])} s CPU)",
                        chk is not None and chk <= TARGETS["leak_report_s"]))
    for name in ("luajit FFI", "sqlite3", "python3 stdlib"):
        if name in ratio_of and "shim" in ratio_of[name]:
            r = ratio_of[name]["shim"]
            targets.append((f"{name} ≤ {TARGETS['real']:g}×", f"{fx(r)} (CPU: {fx(cpu_ratio.get((name, 'shim')))})",
                            r is not None and r <= TARGETS["real"]))

    head = [f"## libleaktrace benchmarks ({mode} run)\n",
            f"`scripts/bench{' --quick' if args.quick else ''}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(T0))}, "
            f"{(T1 - T0) / 60:.1f} min. Library: `{M['lib']}`, built {M['lib_mtime']} from a tree at commit "
            f"{M['commit']}.\n",
            "**Machine:** " + f"{M['cpu']}, {M['cpus']} vCPUs ({M['threads_per_core']} thread(s) per core, "
            f"hypervisor {M['hypervisor']}), {M['ram_gib']} GiB RAM, Linux {M['kernel']}, {M['glibc']}, {M['gcc']}. "
            f"Load average {' '.join(load0)} at start, {' '.join(load1)} at end (other work shares these 2 vCPUs).\n",
            f"**Peers:** LSan = `LD_PRELOAD={M['lsan']}` with `LSAN_OPTIONS=exitcode=0:report_objects=0` "
            "(DWARF: `+fast_unwind_on_malloc=0`); heaptrack = `heaptrack -o FILE` ({}); valgrind = "
            "`valgrind --leak-check=full` ({}); luajit {}, sqlite3 {}, {} (`/usr/bin/python3`).\n"
            .format(M["heaptrack"], M["valgrind"], M["luajit"], M["sqlite3"], M["python3"]),
            f"**Method:** wall time and `wait4` rusage (user+sys, max RSS of the process tree: for heaptrack the "
            f"larger of the program and `heaptrack_interpret`) per run; medians. Rounds interleave all commands "
            f"of a part in a rotated order; plain, libleaktrace and LSan-fp get 1 warm-up and {P['runs']} rounds "
            f"(exit check: {P['exit_runs']}), LSan-DWARF, heaptrack and valgrind no warm-up and {P['slow_runs']} "
            f"(real workloads and exit check: {P['real_slow_runs']}) — same sizes for every tool. libleaktrace runs "
            f"as `leaktrace --log-file=... PROG` (defaults: 12 callers), its report written to a file. "
            f"Extra CPU per pair = (median user+sys − plain's) / pairs.\n"]
    busy = max(float(load0[0]), float(load1[0])) > (M["cpus"] or 1)
    if busy:
        head.append(f"**Warning:** the machine was busy during this run (load average above its {M['cpus']} vCPUs): "
                    "wall-clock times and ratios are inflated and noisy; the CPU-time columns (user+sys) are "
                    "steadier. Re-run on a quiet machine before trusting a pass/fail near its limit.\n")
    tgt = ["### Targets for libleaktrace\n",
           "Pass/fail is judged on median wall-clock time, as stated in the targets; CPU-time figures are "
           "shown beside them.\n",
           table(["target", "measured", "result"], [[a, b, pf(c)] for a, b, c in targets]), ""]
    nt = []
    if notes:
        uniq = list(dict.fromkeys(notes))
        own = [n for n in uniq if n.startswith("libleaktrace")]
        peer = [n for n in uniq if not n.startswith("libleaktrace")]
        nt = ["### Anomalies seen in this run\n"]
        nt += ["libleaktrace:\n"] + ([f"- {n}" for n in own] if own else ["- none"]) + [""]
        if peer:
            nt += ["Peers:\n"] + [f"- {n}" for n in peer] + [""]
    nt += prof
    text = "\n".join(head + tgt + md + nt)
    print(text)

    results["targets"] = targets
    results["notes"] = notes
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    with open(os.path.join(work, "bench-results.md"), "w") as f:
        f.write(text + "\n")

    # ---------------- chart ----------------
    png = os.path.join(work, "bench.png")
    if chart_rows and shutil.which("gnuplot"):
        ctools = [t for t in tools if t not in ("plain", "shim-nofill")]
        with open(os.path.join(work, "slowdown.dat"), "w") as f:
            f.write("workload " + " ".join('"%s"' % TOOL_TITLE[t] for t in ctools) + "\n")
            for label, ratios in chart_rows:
                vals = [ratios.get(t) for t in ctools]
                f.write('"%s" ' % label + " ".join("?" if v is None else f"{v:.3f}" for v in vals) + "\n")
        with open(os.path.join(work, "exit.dat"), "w") as f:
            et = [t for t in ("shim", "lsan-fp", "valgrind") if t in tools]
            f.write("what " + " ".join('"%s"' % TOOL_TITLE[t] for t in et) + "\n")
            for wl, label in (("live", f"scan {P['live_blocks'] // 1000}k live\\n{P['live_mib']} MiB"),
                              ("leak", f"report {P['leak_blocks'] // 1000}k leaks\\n{P['leak_stacks']} stacks")):
                vals = [exitres.get((wl, t), (None,))[0] for t in et]
                # ≤ 0 (within noise) is drawn at the axis floor rather than left out like a crash
                f.write('"%s" ' % label + " ".join("?" if v is None else f"{max(v, 0.0012):.4f}" for v in vals) + "\n")
        r = sh(["gnuplot", "-e", f"dir='{work}'; out='{png}'; title='{mode} run, {M['cpu']}, {M['cpus']} vCPUs'; "
                f"nslow={len(ctools)}; nexit={len([t for t in ('shim', 'lsan-fp', 'valgrind') if t in tools])}",
                os.path.join(BENCH, "chart.gp")])
        if r.returncode:
            log("bench: gnuplot failed: " + r.stderr)
    if args.docs:
        os.makedirs(args.docs, exist_ok=True)
        with open(os.path.join(args.docs, "bench-results.md"), "w") as f:
            f.write("# Benchmark results\n\n![slowdown and exit-check time per tool](bench.png)\n\n"
                    "Written by `scripts/bench` (full run, about 15 min on 2 vCPUs) or `scripts/bench --quick` "
                    "(smaller sizes, fewer rounds, under 5 min); `--lib`/`--leaktrace` choose the build, "
                    "`--only storm,deep,real,exit` and `--tools plain,shim,lsan-fp,lsan-dwarf,heaptrack,valgrind` "
                    "a subset, `--profile` adds perf's hottest functions of the library, `--docs ''` leaves this "
                    "file alone. The workloads are in `bench/`.\n\n"
                    + text.replace("## libleaktrace benchmarks", "## Last run:", 1) + "\n")
        if os.path.exists(png):
            shutil.copy(png, os.path.join(args.docs, "bench.png"))
        log(f"bench: wrote {args.docs}/bench-results.md and bench.png")
    log(f"bench: raw samples and logs in {work}")


if __name__ == "__main__":
    main()
