#!/usr/bin/env python3
"""The `leaktrace` command as a whole: options -> environment -> exec.

Run by CTest as:
  test_launcher.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC

It compiles a tiny program that prints LD_PRELOAD, LEAKTRACE_OPTIONS and its
arguments and exits with status 7, runs it through the launcher (with the
real library preloaded), and checks: exit status passthrough, LD_PRELOAD
prepended with existing entries kept, LEAKTRACE_OPTIONS built in order after
an existing value, relative file names made absolute, unknown options
rejected before the program runs, Valgrind-only options noticed and dropped,
--help complete, exec failures 127/126, and the library lookup. Exit 0 = pass.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from harness import arg_parser

PROBE_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void put(const char *key, const char *val) {
    char buf[65536];
    int n = snprintf(buf, sizeof buf, "%s=%s\n", key, val ? val : "<unset>");
    if (n > 0) write(1, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}
int main(int argc, char **argv) {
    put("LD_PRELOAD", getenv("LD_PRELOAD"));
    put("LEAKTRACE_OPTIONS", getenv("LEAKTRACE_OPTIONS"));
    for (int i = 0; i < argc; i++) {
        char key[32];
        snprintf(key, sizeof key, "ARG%d", i);
        put(key, argv[i]);
    }
    return 7;
}
"""

# Every option the launcher's --help must document.
HELP_OPTIONS = [
    "--help", "--version", "-q", "--quiet", "-v", "--verbose", "-s",
    "--leak-check", "--show-leak-kinds", "--show-reachable", "--show-possibly-lost",
    "--errors-for-leak-kinds", "--error-exitcode", "--num-callers", "--leak-resolution",
    "--leak-check-heuristics", "--log-file", "--log-fd", "--suppressions",
    "--default-suppressions", "--symbol-cache", "--gen-suppressions", "--trace-children",
    "--child-silent-after-fork", "--xml", "--xml-file", "--json-file", "--sarif-file",
    "--folded-file", "--show-below-main", "--stop-signal", "--tool",
    "--track-origins", "LEAKTRACE_OPTIONS", "LEAKTRACE_LIB", "LD_PRELOAD",
    "definite", "indirect", "possible", "reachable",
    "stdstring", "length64", "newarray", "multipleinheritance",
    "126", "127",
]

failures = []


def check(cond, what, res=None):
    if not cond:
        msg = "FAIL: " + what
        if res is not None:
            msg += "\n  command: %r\n  exit: %r\n  stdout: %r\n  stderr: %r" % (
                res.args, res.returncode, res.stdout, res.stderr)
        failures.append(msg)
        print(msg)
    return cond


def parse_probe(out):
    d = {}
    for line in out.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            d[k] = v
    return d


class Runner:
    def __init__(self, cli, lib, tmp):
        self.cli = cli
        self.lib = lib
        self.tmp = tmp
        base = dict(os.environ)
        for k in ("LD_PRELOAD", "LEAKTRACE_OPTIONS", "LEAKTRACE_LIB"):
            base.pop(k, None)
        self.base = base

    def run(self, args, env=None, cwd=None, use_lib=True, cli=None):
        e = dict(self.base)
        if use_lib:
            e["LEAKTRACE_LIB"] = self.lib
        if env:
            for k, v in env.items():
                if v is None:
                    e.pop(k, None)
                else:
                    e[k] = v
        return subprocess.run([cli or self.cli] + args, env=e, cwd=cwd or self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, errors="replace", timeout=120)


def main():
    ap = arg_parser(__doc__)
    a = ap.parse_args()
    cli = os.path.abspath(a.cli)
    lib = os.path.realpath(a.lib)
    if not os.path.isfile(lib):
        print("FAIL: library %s does not exist" % a.lib)
        return 1
    if not os.access(cli, os.X_OK):
        print("FAIL: launcher %s is not executable" % a.cli)
        return 1

    tmp = tempfile.mkdtemp(prefix="lt-launcher-")
    try:
        run_tests(cli, lib, os.path.realpath(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("test_launcher: %d check(s) failed" % len(failures))
        return 1
    print("test_launcher: all checks passed")
    return 0


def run_tests(cli, lib, tmp):
    probe = os.path.join(tmp, "probe")
    src = os.path.join(tmp, "probe.c")
    with open(src, "w") as f:
        f.write(PROBE_C)
    subprocess.check_call(["gcc", "-O0", "-g", "-o", probe, src])
    # A harmless library to stand for "the user's existing LD_PRELOAD".
    empty_c = os.path.join(tmp, "empty.c")
    with open(empty_c, "w") as f:
        f.write("int lt_test_empty_marker;\n")
    other = os.path.join(tmp, "libother.so")
    subprocess.check_call(["gcc", "-shared", "-fPIC", "-o", other, empty_c])
    supp = os.path.join(tmp, "my.supp")
    open(supp, "w").close()

    r = Runner(cli, lib, tmp)

    # --- exit status passthrough, LD_PRELOAD, no options ---------------------
    res = r.run([probe, "a b", "-q"])
    p = parse_probe(res.stdout)
    check(res.returncode == 7, "the program's exit status (7) is passed through", res)
    check(p.get("LD_PRELOAD") == lib, "LD_PRELOAD is exactly the absolute library path", res)
    check(p.get("LEAKTRACE_OPTIONS") == "<unset>",
          "no options and no LEAKTRACE_OPTIONS: it stays unset", res)
    check(p.get("ARG0") == probe and p.get("ARG1") == "a b" and p.get("ARG2") == "-q",
          "the program gets its argv unchanged (words after PROG are its own)", res)

    # --- existing LD_PRELOAD entries are kept, after ours ---------------------
    res = r.run(["-q", probe], env={"LD_PRELOAD": other})
    p = parse_probe(res.stdout)
    check(res.returncode == 7, "runs with an existing LD_PRELOAD", res)
    check(p.get("LD_PRELOAD") == lib + ":" + other,
          "LD_PRELOAD = lib:existing (got %r)" % p.get("LD_PRELOAD"), res)

    # --- LEAKTRACE_OPTIONS: existing value first, then ours, in order ---------
    res = r.run(["--num-callers=9", "-q", "-leak-check=summary", "--show-leak-kinds=all",
                 "--trace-children=no", probe],
                env={"LEAKTRACE_OPTIONS": "num-callers=5 --show-leak-kinds=definite"})
    p = parse_probe(res.stdout)
    check(res.returncode == 7, "runs with options and an existing LEAKTRACE_OPTIONS", res)
    check(p.get("LEAKTRACE_OPTIONS") ==
          "num-callers=5 --show-leak-kinds=definite --num-callers=9 -q -leak-check=summary "
          "--show-leak-kinds=all --trace-children=no",
          "LEAKTRACE_OPTIONS = existing + options in order (got %r)"
          % p.get("LEAKTRACE_OPTIONS"), res)

    res = r.run(["-v", "--", probe, "--num-callers=3"])
    p = parse_probe(res.stdout)
    check(res.returncode == 7 and p.get("LEAKTRACE_OPTIONS") == "-v"
          and p.get("ARG1") == "--num-callers=3",
          "'--' ends the options; words after PROG go to the program", res)

    # --- relative file names are made absolute against the launcher's cwd ----
    sub = os.path.join(tmp, "sub")
    os.mkdir(sub)
    shutil.copy(supp, os.path.join(sub, "rel.supp"))
    res = r.run(["--log-file=rel.%p.log", "--json-file=./out.json", "--suppressions=rel.supp",
                 "--suppressions=" + supp, "--xml-file=../x.xml", "--sarif-file=s.sarif",
                 "--folded-file=f.folded", probe], cwd=sub)
    p = parse_probe(res.stdout)
    # Files written are made absolute; suppression files are read at once
    # and named in messages as given, as Valgrind names them.
    want = ("--log-file=%s/rel.%%p.log --json-file=%s/out.json --suppressions=rel.supp "
            "--suppressions=%s --xml-file=%s/../x.xml --sarif-file=%s/s.sarif "
            "--folded-file=%s/f.folded" % (sub, sub, supp, sub, sub, sub))
    check(res.returncode == 7, "runs with file options", res)
    check(p.get("LEAKTRACE_OPTIONS") == want,
          "relative file names made absolute:\n   got  %r\n   want %r"
          % (p.get("LEAKTRACE_OPTIONS"), want), res)

    # --- bad options: exit 1, the message names it, the program does not run --
    for bad, name in [("--num-caller=3", "--num-caller=3"), ("--foo", "--foo"),
                      ("--num-callers=0", "--num-callers"),
                      ("--show-leak-kinds=definite,,possible", "--show-leak-kinds"),
                      ("--trace-children=true", "--trace-children"),
                      ("--tool=helgrind", "--tool=helgrind"), ("-x", "-x"),
                      ("--log-file", "--log-file")]:
        res = r.run([bad, probe])
        check(res.returncode == 1, "bad option %s: exit 1" % bad, res)
        check(name in res.stderr and "leaktrace:" in res.stderr,
              "bad option %s: stderr names it" % bad, res)
        check(res.stdout == "", "bad option %s: the program does not run" % bad, res)

    res = r.run(["--log-file=a b.log", probe])
    check(res.returncode == 1 and res.stdout == "" and "a b.log" in res.stderr,
          "a value with white space (which LEAKTRACE_OPTIONS cannot carry) is refused", res)

    # --- a malformed existing LEAKTRACE_OPTIONS fails loudly ----------------
    res = r.run(["-q", probe], env={"LEAKTRACE_OPTIONS": "num-callers=5 bogus-option"})
    check(res.returncode == 1 and res.stdout == "", "bad LEAKTRACE_OPTIONS: exit 1, no run", res)
    check("LEAKTRACE_OPTIONS" in res.stderr and "bogus-option" in res.stderr,
          "bad LEAKTRACE_OPTIONS: the message names the variable and the word", res)

    # --- Valgrind-only options: one notice each, dropped, the program runs ----
    res = r.run(["--track-origins=yes", "--tool=memcheck", probe])
    p = parse_probe(res.stdout)
    check(res.returncode == 7, "valgrind-only options: the program runs", res)
    check("leaktrace: ignoring valgrind-only option --track-origins=yes" in res.stderr,
          "notice for --track-origins=yes on stderr", res)
    check("leaktrace: ignoring valgrind-only option --tool=memcheck" in res.stderr,
          "notice for --tool=memcheck on stderr", res)
    check(p.get("LEAKTRACE_OPTIONS") == "<unset>",
          "ignored options are not passed on (got %r)" % p.get("LEAKTRACE_OPTIONS"), res)
    res = r.run(["--track-origins=yes", "--tool=memcheck", "-q", probe])
    p = parse_probe(res.stdout)
    check(res.returncode == 7 and "ignoring" not in res.stderr,
          "-q: the notices are not printed, wherever -q stands (Valgrind's -q)", res)
    check(p.get("LEAKTRACE_OPTIONS") == "-q",
          "-q: passed on alone (got %r)" % p.get("LEAKTRACE_OPTIONS"), res)

    # --- --help, -h, --version ------------------------------------------------
    for h in ("--help", "-h"):
        res = r.run([h])
        check(res.returncode == 0, "%s exits 0" % h, res)
        check(res.stdout.startswith("usage: leaktrace"), "%s prints usage on stdout" % h, res)
        missing = [o for o in HELP_OPTIONS if o not in res.stdout]
        check(not missing, "%s mentions every option; missing: %s" % (h, missing))
    res = r.run(["--help", "--bogus"])
    check(res.returncode == 0, "--help wins over what follows it", res)
    res = r.run(["--version"])
    check(res.returncode == 0 and res.stdout.startswith("leaktrace-")
          and len(res.stdout.strip()) > len("leaktrace-"), "--version prints leaktrace-VERSION", res)

    # --- usage errors and exec failures --------------------------------------
    res = r.run([])
    check(res.returncode == 1 and "no program" in res.stderr and "usage" in res.stderr,
          "no program: usage error, exit 1", res)
    res = r.run(["-q", "--"])
    check(res.returncode == 1 and "no program" in res.stderr, "only options: exit 1", res)
    res = r.run([os.path.join(tmp, "no-such-program")])
    check(res.returncode == 127, "missing program: exit 127", res)
    check("cannot run" in res.stderr and "no-such-program" in res.stderr,
          "missing program: message names it", res)
    res = r.run(["no-such-program-in-path-xyz"])
    check(res.returncode == 127, "program not in PATH: exit 127", res)
    notexec = os.path.join(tmp, "notexec")
    with open(notexec, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(notexec, 0o644)
    res = r.run([notexec])
    check(res.returncode == 126 and "cannot run" in res.stderr,
          "existing but not executable: exit 126", res)

    # A program found through PATH runs (sh is preloaded too; that is fine).
    res = r.run(["sh", "-c", "exit 5"])
    check(res.returncode == 5, "a program found in PATH runs and its status is kept", res)

    # --- library lookup --------------------------------------------------------
    # LEAKTRACE_LIB relative to the cwd becomes absolute.
    shutil.copy(lib, os.path.join(sub, "libleaktrace.so"))
    res = r.run([probe], env={"LEAKTRACE_LIB": "libleaktrace.so"}, use_lib=False, cwd=sub)
    p = parse_probe(res.stdout)
    check(res.returncode == 7 and p.get("LD_PRELOAD") == os.path.join(sub, "libleaktrace.so"),
          "a relative LEAKTRACE_LIB is made absolute", res)
    res = r.run([probe], env={"LEAKTRACE_LIB": os.path.join(tmp, "nope.so")}, use_lib=False)
    check(res.returncode == 1 and res.stdout == "" and "nope.so" in res.stderr,
          "LEAKTRACE_LIB naming a missing file: exit 1, names it", res)

    # Without LEAKTRACE_LIB: next to the (real path of the) executable -- the
    # build tree layout, build/leaktrace + build/libleaktrace.so.
    beside = os.path.join(os.path.dirname(os.path.realpath(cli)), "libleaktrace.so")
    if os.path.isfile(beside):
        res = r.run([probe], use_lib=False)
        p = parse_probe(res.stdout)
        check(res.returncode == 7 and p.get("LD_PRELOAD") == os.path.realpath(beside),
              "default lookup finds libleaktrace.so next to the executable", res)
        # Through a symlink to the launcher: still the real directory.
        link = os.path.join(tmp, "leaktrace-link")
        os.symlink(os.path.realpath(cli), link)
        res = r.run([probe], use_lib=False, cli=link)
        p = parse_probe(res.stdout)
        check(res.returncode == 7 and p.get("LD_PRELOAD") == os.path.realpath(beside),
              "lookup follows the real path of a symlinked launcher", res)

    # An installed layout: PREFIX/bin/leaktrace + PREFIX/lib/libleaktrace.so.
    prefix = os.path.join(tmp, "prefix")
    os.makedirs(os.path.join(prefix, "bin"))
    os.makedirs(os.path.join(prefix, "lib"))
    shutil.copy(cli, os.path.join(prefix, "bin", "leaktrace"))
    shutil.copy(other, os.path.join(prefix, "lib", "libleaktrace.so"))
    res = r.run([probe], use_lib=False, cli=os.path.join(prefix, "bin", "leaktrace"))
    p = parse_probe(res.stdout)
    check(res.returncode == 7
          and p.get("LD_PRELOAD") == os.path.join(prefix, "lib", "libleaktrace.so"),
          "installed layout: finds ../lib/libleaktrace.so", res)

    # Nowhere to be found (unless a copy is installed system-wide).
    lonely = os.path.join(tmp, "lonely")
    os.mkdir(lonely)
    shutil.copy(cli, os.path.join(lonely, "leaktrace"))
    res = r.run([probe], use_lib=False, cli=os.path.join(lonely, "leaktrace"))
    if res.returncode == 7:
        pre = parse_probe(res.stdout).get("LD_PRELOAD", "")
        check(pre.startswith("/") and not pre.startswith(tmp),
              "a found library must be the installed one", res)
    else:
        check(res.returncode == 1 and "cannot find" in res.stderr and res.stdout == "",
              "no library anywhere: clear error, exit 1", res)


if __name__ == "__main__":
    sys.exit(main())
