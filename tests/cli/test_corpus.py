#!/usr/bin/env python3
"""Real programs under the shim: the corpus of tests/corpus/.

Run by CTest as:
  test_corpus.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC
  [--only NAME[,NAME...]] [--no-valgrind] [--keep] [--verbose]

Each case runs twice in a fresh copy of its inputs: plainly, and with
LD_PRELOAD=libleaktrace.so (plus tests/corpus/witness.c, which marks every
process of the run, exec'd or forked, with an empty file) and
LEAKTRACE_OPTIONS=--log-file=DIR/lt.%p. Checked for every case:

  - same stdout, same stderr and same exit status as the plain run;
  - no crash and no hang (each run has a time limit);
  - one report per process: the pids of the report files equal the pids the
    witness saw, each report is complete (banner, HEAP SUMMARY, its own pid
    on every line, last line ERROR SUMMARY) and no temporary report file is
    left behind;
  - for the small deterministic cases, the top process's definitely-lost
    bytes/blocks equal valgrind's (valgrind --leak-check=full
    --trace-children=no on the same command in a fresh copy of the inputs).

Exit 0 = every case passed; 1 = a failure (each is printed with the command
to reproduce it).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from harness import arg_parser, describe_status, fail, failures, finish, parse_report, run_grouped

HERE = os.path.dirname(os.path.abspath(__file__))
VERBOSE = False


def definite(r):
    if r.get("all_freed"):
        return (0, 0)
    return r["kinds"].get("definitely lost")


# ---- running ---------------------------------------------------------------------

def base_env():
    env = dict(os.environ)
    for k in ("LD_PRELOAD", "LEAKTRACE_OPTIONS", "LEAKTRACE_LIB", "PYTHONSTARTUP"):
        env.pop(k, None)
    env.update(LC_ALL="C", LANG="C", TZ="UTC", PYTHONHASHSEED="0", PAGER="cat", GIT_PAGER="cat")
    return env


def short(b, n=600):
    s = b.decode(errors="replace")
    return s if len(s) <= n else s[:n] + "...[%d more]" % (len(s) - n)


class Case:
    def __init__(self, name, argv, files=(), setup=None, timeout=60, valgrind=False, vg_timeout=120):
        self.name = name
        self.argv = argv
        self.files = files          # names under tests/corpus copied into the work dir
        self.setup = setup          # callable(workdir) run before each run
        self.timeout = timeout
        self.valgrind = valgrind
        self.vg_timeout = vg_timeout


def prepare(case, corpus, root, tag):
    d = os.path.join(root, case.name + "." + tag)
    os.makedirs(d)
    for f in case.files:
        shutil.copy2(os.path.join(corpus, f), d)
    if case.setup:
        case.setup(d)
    return d


def run_case(case, args, corpus, root, witness_so):
    env0 = base_env()
    # 1. plain
    wd = prepare(case, corpus, root, "plain")
    prc, pout, perr, ptime, phung, _ = run_grouped(case.argv, env0, case.timeout, wd)
    if phung:
        fail(case.name, "the plain run itself timed out after %d s (environment problem?)" % case.timeout)
        return
    # 2. under the shim, with the witness
    wd = prepare(case, corpus, root, "shim")
    logs = os.path.join(root, case.name + ".logs")
    wit = os.path.join(root, case.name + ".witness")
    os.makedirs(logs)
    os.makedirs(wit)
    env = dict(env0)
    env["LD_PRELOAD"] = args.lib + ":" + witness_so
    env["LEAKTRACE_OPTIONS"] = "--log-file=%s/lt.%%p" % logs
    env["WITNESS_DIR"] = wit
    repro = "cd %s && WITNESS_DIR=%s LD_PRELOAD=%s LEAKTRACE_OPTIONS=%s %s" % (
        wd, wit, env["LD_PRELOAD"], shlex.quote(env["LEAKTRACE_OPTIONS"]),
        " ".join(shlex.quote(a) for a in case.argv))
    rc, out, err, secs, hung, top = run_grouped(case.argv, env, case.timeout, wd)
    print("  %-12s plain %5.2fs  shim %5.2fs  %s" % (case.name, ptime, secs, describe_status(rc)), flush=True)
    if hung:
        fail(case.name, "hang: no exit within %d s under the shim (plain run: %.1f s)" % (case.timeout, ptime),
             "reproduce: " + repro)
        return
    if rc != prc:
        fail(case.name, "exit status %s under the shim, %s plainly" % (describe_status(rc), describe_status(prc)),
             "reproduce: %s\nstderr: %s" % (repro, short(err)))
    if out != pout:
        fail(case.name, "stdout differs under the shim",
             "reproduce: %s\nplain:  %s\nshim:   %s" % (repro, short(pout), short(out)))
    if err != perr:
        fail(case.name, "stderr differs under the shim",
             "reproduce: %s\nplain:  %s\nshim:   %s" % (repro, short(perr), short(err)))

    # one complete report per process
    seen = {int(f[2:]) for f in os.listdir(wit) if re.fullmatch(r"w\.\d+", f)}
    reports, stray = {}, []
    for f in os.listdir(logs):
        m = re.fullmatch(r"lt\.(\d+)", f)
        if m:
            reports[int(m.group(1))] = os.path.join(logs, f)
        else:
            stray.append(f)
    if stray:
        fail(case.name, "unexpected files in the log directory (a report left half-written?): %s"
             % " ".join(sorted(stray)[:10]), "reproduce: " + repro)
    if set(reports) != seen:
        missing = sorted(seen - set(reports))
        extra = sorted(set(reports) - seen)
        fail(case.name, "%d processes ran but %d reports were written" % (len(seen), len(reports)),
             "processes without a report: %s\nreports of no process seen: %s\nreproduce: %s"
             % (missing[:20], extra[:20], repro))
    parsed = {}
    for pid, path in sorted(reports.items()):
        with open(path, errors="replace") as fh:
            text = fh.read()
        r = parse_report(text)
        parsed[pid] = r
        if not r["complete"] or r["pids"] != {pid} or "leaktrace" not in r.get("banner", ""):
            tail = "\n".join(text.splitlines()[-3:])
            fail(case.name, "report %s is not complete (pids in it: %s)" % (path, sorted(r["pids"])),
                 "last lines:\n%s\nreproduce: %s" % (tail, repro))
    if top not in parsed:
        fail(case.name, "no report from the top process (pid %d)" % top, "reproduce: " + repro)
    if VERBOSE:
        for pid, r in sorted(parsed.items()):
            print("    pid %d: definite %s" % (pid, definite(r)))

    # 3. valgrind on the same command, top process only
    if case.valgrind and args.valgrind and top in parsed:
        wd = prepare(case, corpus, root, "vg")
        vlog = os.path.join(root, case.name + ".vg.%p")
        vargv = ["valgrind", "--leak-check=full", "--trace-children=no", "--log-file=" + vlog] + case.argv
        vrc, vout, verr, vsecs, vhung, vpid = run_grouped(vargv, env0, case.vg_timeout, wd)
        vpath = os.path.join(root, case.name + ".vg.%d" % vpid)
        if vhung or not os.path.exists(vpath):
            print("  %-12s valgrind gave no report (%s); not compared" % (case.name, describe_status(vrc)))
            return
        with open(vpath, errors="replace") as fh:
            v = parse_report(fh.read())
        ours, theirs = definite(parsed[top]), definite(v)
        print("  %-12s valgrind %5.2fs  definitely lost: shim %s, valgrind %s" % (case.name, vsecs, ours, theirs),
              flush=True)
        if vout != pout:
            print("  %-12s (note: stdout under valgrind differs from the plain run)" % case.name)
        if ours is None or theirs is None or ours != theirs:
            fail(case.name, "definitely lost (bytes, blocks): shim %s, valgrind %s" % (ours, theirs),
                 "shim report: %s\nvalgrind report: %s\nreproduce: %s\n           cd %s && %s" % (
                     reports[top], vpath, repro, wd, " ".join(shlex.quote(a) for a in vargv)))


# ---- inputs ---------------------------------------------------------------------

def gen_text(d):
    """A generated file for sort/sha256sum/awk/tar: 30,000 lines, with a
    fixed modification time (tar's output holds it: the plain and the shim
    run make their own copies, maybe seconds apart)."""
    path = os.path.join(d, "gen.txt")
    with open(path, "w") as f:
        x = 12345
        for i in range(30000):
            x = (x * 1103515245 + 12345) % 2147483648
            f.write("%d %s %d\n" % (x % 100000, "abcdefghij"[x % 10] * (1 + x % 7), i))
    os.utime(path, (1700000000, 1700000000))


def git_repo(d):
    """A small repository made plainly, for `git log` under both tools."""
    env = base_env()
    env.update(HOME=d, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.path.join(d, "empty.gitconfig"),
               GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_AUTHOR_DATE="2020-01-01T00:00:00Z", GIT_COMMITTER_DATE="2020-01-01T00:00:00Z")
    subprocess.run(["bash", "git.sh"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL)


def cases(python):
    return [
        Case("bash-loop", ["bash", "loop.sh"], ["loop.sh"], valgrind=True),
        Case("python", [python, "stdlib_heavy.py"], ["stdlib_heavy.py"]),   # not small: valgrind takes 12+ s
        Case("perl", ["perl", "words.pl"], ["words.pl"], valgrind=True),
        Case("git", ["bash", "git.sh"], ["git.sh"], timeout=120),
        Case("git-log", ["git", "-C", "repo", "log", "--stat", "-p", "--format=%H %s"], ["git.sh"],
             setup=git_repo, valgrind=True),
        Case("sqlite3", ["sqlite3", "db.sqlite", ".read sqlite.sql"], ["sqlite.sql"], valgrind=True),
        Case("sort", ["sort", "-k2,2", "-k1,1n", "gen.txt"], setup=gen_text, valgrind=True),
        Case("sha256sum", ["sha256sum", "gen.txt"], setup=gen_text, valgrind=True),
        Case("awk", ["awk", "{ s += $1; n[$2]++ } END { print s; for (k in n) c++; print c, NR }", "gen.txt"],
             setup=gen_text, valgrind=True),
        Case("tar-gzip", ["bash", "targz.sh"], ["targz.sh"]),
        Case("tar", ["tar", "cf", "-", "gen.txt"], setup=gen_text, valgrind=True),
        Case("gcc", ["bash", "gcc.sh"], ["gcc.sh", "prog.c"], timeout=120),
        Case("gcc-driver", ["gcc", "-O0", "-c", "-o", "prog.o", "prog.c"], ["prog.c"], valgrind=True),
        Case("luajit", ["luajit", "table.lua"], ["table.lua"], valgrind=True),
    ]


def main():
    global VERBOSE
    ap = arg_parser(__doc__)
    ap.add_argument("--only", help="comma-separated case names")
    ap.add_argument("--no-valgrind", dest="valgrind", action="store_false")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    args.lib = os.path.abspath(args.lib)
    corpus = os.path.join(args.src, "tests", "corpus")
    if args.valgrind and not shutil.which("valgrind"):
        print("valgrind not found: the leak numbers are not compared")
        args.valgrind = False

    # A real interpreter, not a wrapper script (pyenv's shims fork dozens of bash processes).
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else os.path.realpath(sys.executable)

    root = tempfile.mkdtemp(prefix="lt-corpus-")
    try:
        witness_so = os.path.join(root, "witness.so")
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", witness_so, os.path.join(corpus, "witness.c"),
                        "-lpthread"], check=True)
        todo = cases(python)
        if args.only:
            names = set(args.only.split(","))
            todo = [c for c in todo if c.name in names]
        tools = {"bash-loop": "bash", "python": python, "perl": "perl", "git": "git", "git-log": "git",
                 "sqlite3": "sqlite3", "sort": "sort", "sha256sum": "sha256sum", "awk": "awk",
                 "tar-gzip": "gzip", "tar": "tar", "gcc": "gcc", "gcc-driver": "gcc", "luajit": "luajit"}
        t0 = time.time()
        for c in todo:
            tool = tools.get(c.name, c.argv[0])
            if not shutil.which(tool):
                fail(c.name, "'%s' is not installed (the corpus needs it)" % tool)
                continue
            run_case(c, args, corpus, root, witness_so)
        print("corpus: %d cases in %.1f s" % (len(todo), time.time() - t0))
    finally:
        if args.keep or failures:
            print("files kept in", root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
