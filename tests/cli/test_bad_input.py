#!/usr/bin/env python3
"""Bad input through the whole tool: it must say what is wrong, exit non-zero,
and never run the program (a run that checks nothing), never crash.

Run by CTest as:
  test_bad_input.py --lib BUILD/libleaktrace.so --cli BUILD/leaktrace --build BUILD --src SRC

A tiny program creates a marker file when it runs. Every malformed option
(unknown, bad numbers, out of range, empty values, bad kind sets, too-long
file names, trailing garbage, 33 suppression files, ...) is given three
ways: LEAKTRACE_OPTIONS with the bare preload, a flag of the `leaktrace`
command, and LEAKTRACE_OPTIONS through the command. Each time: exit status
non-zero, a message that names the option (and says LEAKTRACE_OPTIONS when
it came from there), no crash (no signal, no sanitizer report), and no
marker. Then every grammar error of a suppression file (with Valgrind's
"near line N"), a file that is a directory, one that cannot be opened, one
that is binary garbage, ...: the message names the file and the line, the
program does not run. Positive controls show that the program does run with
good options and good files, so "not run" means something.

Then, when `leaktrace diff --help` works, malformed reports for `leaktrace
diff A B` (empty, white space, missing, a directory, binary, truncated text,
XML and JSON, JSON of the wrong shape): exit status 2 and a message naming
the file. Good reports (ours in text and JSON, Valgrind's text and XML) must
compare clean with themselves. Without `leaktrace diff` that part is skipped
with a notice.

Exit 0 = pass.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from harness import arg_parser

MARKER_C = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc > 1) {
        int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0)
            close(fd);
    }
    return 0;
}
"""

# A program that leaks in a few ways: material for real reports.
LEAKY_C = r"""
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char pad[24]; };
void *keep;
__attribute__((noinline)) static void *make(size_t n) { void *p = malloc(n); memset(p, 1, n); return p; }
__attribute__((noinline)) static void lose_list(void) {
    struct node *a = calloc(1, sizeof *a);
    a->next = calloc(1, sizeof *a);
}
int main(void) {
    make(100);
    lose_list();
    keep = make(50);
    keep = (char *)make(64) + 8;
    return 0;
}
"""

PATH_MAX = 4096
TIMEOUT = 60

failures = []
counts = {"checks": 0}


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def describe(res):
    return "\n  command: %r\n  env LEAKTRACE_OPTIONS: %r\n  exit: %r\n  stderr: %s" % (
        res.args if len(repr(res.args)) < 400 else repr(res.args)[:400] + "...",
        (res.lt_env[:200] + "...") if res.lt_env and len(res.lt_env) > 200 else res.lt_env,
        res.returncode, shorten(res.stderr))


def shorten(text, n=1500):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return repr(text if len(text) <= n else text[:n] + "...")


class Runner:
    def __init__(self, lib, cli, tmp):
        self.lib = lib
        self.cli = cli
        self.tmp = tmp
        self.marker = os.path.join(tmp, "marker")
        self.prog = None
        self.base_env = dict(os.environ)
        for k in ("LEAKTRACE_OPTIONS", "LD_PRELOAD", "LEAKTRACE_LIB"):
            self.base_env.pop(k, None)

    def run(self, argv, lt_env=None, preload=False, stdin=None):
        if os.path.exists(self.marker):
            os.unlink(self.marker)
        env = dict(self.base_env)
        if lt_env is not None:
            env["LEAKTRACE_OPTIONS"] = lt_env
        if preload:
            env["LD_PRELOAD"] = self.lib
        try:
            res = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, timeout=TIMEOUT, cwd=self.tmp)
        except subprocess.TimeoutExpired as e:
            res = subprocess.CompletedProcess(argv, "timeout", e.stdout or b"", e.stderr or b"")
        res.stdout = res.stdout.decode("utf-8", "replace")
        res.stderr = res.stderr.decode("utf-8", "replace")
        res.lt_env = lt_env
        res.ran = os.path.exists(self.marker)
        return res

    def bare(self, opts):
        return self.run([self.prog, self.marker], lt_env=opts, preload=True)

    def launcher(self, words, lt_env=None):
        return self.run([self.cli] + list(words) + [self.prog, self.marker], lt_env=lt_env)


def crashed(res):
    """A signal, a timeout, or a sanitizer's report."""
    if res.returncode == "timeout":
        return "timed out after %ds" % TIMEOUT
    if isinstance(res.returncode, int) and res.returncode < 0:
        return "killed by signal %d" % -res.returncode
    for pat in ("AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
                "Segmentation fault", "core dumped", "stack smashing", "double free",
                "malloc(): ", "free(): "):
        if pat in res.stderr:
            return "stderr mentions %r" % pat
    return None


def expect_rejected(res, what, names, origin_env=False):
    """Non-zero, not run, no crash, the message holds every string in `names`."""
    counts["checks"] += 1
    c = crashed(res)
    if c:
        fail("%s: %s%s" % (what, c, describe(res)))
        return False
    ok = True
    if res.ran:
        fail("%s: the program ran (the bad input was not caught)%s" % (what, describe(res)))
        ok = False
    if res.returncode == 0:
        fail("%s: exit status 0%s" % (what, describe(res)))
        ok = False
    for n in names:
        if n not in res.stderr:
            fail("%s: the message does not name %r%s" % (what, n, describe(res)))
            ok = False
    if origin_env and "LEAKTRACE_OPTIONS" not in res.stderr:
        fail("%s: the message does not say it came from LEAKTRACE_OPTIONS%s" % (what, describe(res)))
        ok = False
    if "leaktrace" not in res.stderr and "FATAL" not in res.stderr:
        fail("%s: the message does not say who is speaking (leaktrace / FATAL)%s" % (what, describe(res)))
        ok = False
    return ok


def expect_ran(res, what):
    counts["checks"] += 1
    c = crashed(res)
    if c:
        fail("%s: %s%s" % (what, c, describe(res)))
        return False
    if not res.ran or res.returncode != 0:
        fail("%s: the program should have run and exited 0%s" % (what, describe(res)))
        return False
    return True


# ---- options ------------------------------------------------------------------------------

LONG = "/tmp/" + "x" * (PATH_MAX + 10)


def option_cases(tmp):
    """(word, strings the message must hold). Words without white space:
    they go unchanged through LEAKTRACE_OPTIONS too."""
    c = [
        # unknown options and malformed words
        ("--bogus", ["'--bogus'"]),
        ("bogus", ["'bogus'"]),
        ("--leakcheck=full", ["'--leakcheck=full'"]),
        ("---leak-check=full", ["'---leak-check=full'"]),
        ("-x", ["'-x'"]),
        ("--q", ["'--q'"]),
        ("-", ["'-'"]),
        ("--=full", ["'--=full'"]),
        ("--LEAK-CHECK=full", ["'--LEAK-CHECK=full'"]),
        ("--leak-check:full", ["'--leak-check:full'"]),
        # values that must be numbers
        ("--num-callers=12x", ["num-callers", "12x"]),
        ("--num-callers=0", ["num-callers", "'0'"]),
        ("--num-callers=501", ["num-callers", "501"]),
        ("--num-callers=-1", ["num-callers", "-1"]),
        ("--num-callers=+5", ["num-callers", "+5"]),
        ("--num-callers=0x10", ["num-callers", "0x10"]),
        ("--num-callers=1e3", ["num-callers", "1e3"]),
        ("--num-callers=99999999999999999999999", ["num-callers", "99999999999999999999999"]),
        ("--num-callers=", ["num-callers"]),
        ("--num-callers", ["num-callers", "needs a value"]),
        ("--num-callers=\uff11\uff12", ["num-callers"]),  # full-width digits
        ("--error-exitcode=256", ["error-exitcode", "256"]),
        ("--error-exitcode=-1", ["error-exitcode", "-1"]),
        ("--error-exitcode=abc", ["error-exitcode", "abc"]),
        ("--error-exitcode=", ["error-exitcode"]),
        ("--error-exitcode=4294967338", ["error-exitcode", "4294967338"]),  # 42 mod 2^32
        ("--log-fd=-1", ["log-fd", "-1"]),
        ("--log-fd=two", ["log-fd", "two"]),
        ("--log-fd=2147483648", ["log-fd", "2147483648"]),
        ("--log-fd=", ["log-fd"]),
        ("--stop-signal=0", ["stop-signal"]),
        ("--stop-signal=65", ["stop-signal", "65"]),
        ("--stop-signal=SIGUSR1", ["stop-signal", "SIGUSR1"]),
        # enumerations
        ("--leak-check=ful", ["leak-check", "ful"]),
        ("--leak-check=FULL", ["leak-check", "FULL"]),
        ("--leak-check=", ["leak-check"]),
        ("--leak-check", ["leak-check", "needs a value"]),
        ("--leak-resolution=hi", ["leak-resolution", "hi"]),
        ("--gen-suppressions=maybe", ["gen-suppressions", "maybe"]),
        ("--default-suppressions=1", ["default-suppressions"]),
        ("--trace-children=true", ["trace-children", "true"]),
        ("--child-silent-after-fork=", ["child-silent-after-fork"]),
        ("--show-below-main=YES", ["show-below-main", "YES"]),
        ("--xml=on", ["xml", "on"]),
        ("--show-reachable=2", ["show-reachable"]),
        ("--show-possibly-lost=", ["show-possibly-lost"]),
        ("--show-error-list=x", ["show-error-list"]),
        # kind and heuristic sets
        ("--show-leak-kinds=definite,,possible", ["show-leak-kinds", "definite,,possible"]),
        ("--show-leak-kinds=all,definite", ["show-leak-kinds", "all,definite"]),
        ("--show-leak-kinds=none,all", ["show-leak-kinds"]),
        ("--show-leak-kinds=", ["show-leak-kinds"]),
        ("--show-leak-kinds=definite,", ["show-leak-kinds"]),
        (",", ["','"]),
        ("--show-leak-kinds=,definite", ["show-leak-kinds"]),
        ("--show-leak-kinds=Definite", ["show-leak-kinds", "Definite"]),
        ("--show-leak-kinds=leaked", ["show-leak-kinds", "leaked"]),
        ("--errors-for-leak-kinds=bogus", ["errors-for-leak-kinds", "bogus"]),
        ("--errors-for-leak-kinds=", ["errors-for-leak-kinds"]),
        ("--leak-check-heuristics=stdstring,bogus", ["leak-check-heuristics"]),
        ("--leak-check-heuristics=all,none", ["leak-check-heuristics"]),
        ("--leak-check-heuristics=", ["leak-check-heuristics"]),
        # file names: empty and too long
        ("--log-file=", ["log-file", "empty"]),
        ("--xml-file=", ["xml-file", "empty"]),
        ("--json-file=", ["json-file", "empty"]),
        ("--sarif-file=", ["sarif-file", "empty"]),
        ("--folded-file=", ["folded-file", "empty"]),
        ("--suppressions=", ["suppressions", "empty"]),
        ("--log-file=" + LONG, ["log-file", "too long"]),
        ("--xml-file=" + LONG, ["xml-file", "too long"]),
        ("--json-file=" + LONG, ["json-file", "too long"]),
        ("--sarif-file=" + LONG, ["sarif-file", "too long"]),
        ("--folded-file=" + LONG, ["folded-file", "too long"]),
        ("--suppressions=" + LONG, ["suppressions", "too long"]),
        # trailing garbage
        ("--leak-check=full,", ["leak-check", "full,"]),
        ("--leak-check=full;", ["leak-check", "full;"]),
        ("--num-callers=12,", ["num-callers", "12,"]),
        ("--trace-children=yes=no", ["trace-children", "yes=no"]),
        ("--error-exitcode=42abc", ["error-exitcode", "42abc"]),
        # flags with values, valgrind-only options without one, tools
        ("-q=1", ["-q", "takes no value"]),
        ("--quiet=yes", ["quiet", "takes no value"]),
        ("--verbose=2", ["verbose", "takes no value"]),
        ("--track-origins", ["track-origins", "needs a value"]),
        ("--tool=helgrind", ["--tool=helgrind"]),
        ("--tool=", ["--tool="]),
    ]
    return c


# Words that hold white space: the launcher must refuse them (they could not
# travel through LEAKTRACE_OPTIONS intact), naming the option.
SPACE_CASES = [
    ("--num-callers=12 ", ["num-callers"]),
    ("--log-file=a b", ["log-file"]),
    ("--leak-check=full\n", ["leak-check"]),
    (" --leak-check=full", ["leak-check"]),
]


def test_options(r):
    # positive controls: the program runs with good options, both ways
    good = ["--num-callers=30", "--leak-check=summary", "--show-leak-kinds=all",
            "--error-exitcode=0", "--suppressions=%s/empty.supp" % r.tmp, "-q", "--track-origins=yes"]
    open(os.path.join(r.tmp, "empty.supp"), "w").close()
    expect_ran(r.bare(" ".join(good)), "good LEAKTRACE_OPTIONS (bare preload)")
    expect_ran(r.launcher(good), "good flags (launcher)")
    expect_ran(r.launcher([], lt_env=" ".join(good)), "good LEAKTRACE_OPTIONS (launcher)")

    for word, names in option_cases(r.tmp):
        label = word if len(word) < 60 else word[:50] + "...(%d bytes)" % len(word)
        expect_rejected(r.bare(word), "LEAKTRACE_OPTIONS=%r, bare preload" % label, names, origin_env=True)
        expect_rejected(r.launcher([word]), "flag %r, launcher" % label, names)
        expect_rejected(r.launcher([], lt_env=word), "LEAKTRACE_OPTIONS=%r, launcher" % label, names,
                        origin_env=True)
        # after good options, and before good ones: the position does not matter
        expect_rejected(r.launcher(["--num-callers=20", word, "-q"]),
                        "flag %r between good flags, launcher" % label, names)
        expect_rejected(r.bare("num-callers=20 %s -q" % word),
                        "LEAKTRACE_OPTIONS='num-callers=20 %s -q', bare preload" % label, names,
                        origin_env=True)

    # "--" alone means "end of options" to the launcher, but is no option word
    expect_rejected(r.bare("--"), "LEAKTRACE_OPTIONS='--', bare preload", ["'--'"], origin_env=True)
    expect_rejected(r.launcher([], lt_env="--"), "LEAKTRACE_OPTIONS='--', launcher", ["'--'"],
                    origin_env=True)

    for word, names in SPACE_CASES:
        expect_rejected(r.launcher([word]), "flag %r (white space), launcher" % word, names)

    # a bad LEAKTRACE_OPTIONS is caught even when the flags are good
    expect_rejected(r.launcher(["--num-callers=30"], lt_env="--leak-check=ful"),
                    "bad LEAKTRACE_OPTIONS with good flags, launcher", ["leak-check", "ful"],
                    origin_env=True)

    # 32 suppression files are fine, 33 are not
    files = []
    for i in range(33):
        p = os.path.join(r.tmp, "s%02d.supp" % i)
        open(p, "w").close()
        files.append("--suppressions=" + p)
    expect_ran(r.launcher(files[:32]), "32 --suppressions files (launcher)")
    expect_ran(r.bare(" ".join(files[:32])), "32 --suppressions files (bare preload)")
    expect_rejected(r.launcher(files), "33 --suppressions files, launcher", ["suppressions", "32"])
    expect_rejected(r.bare(" ".join(files)), "33 --suppressions files, bare preload",
                    ["suppressions", "32"], origin_env=True)
    expect_rejected(r.launcher(files[:20], lt_env=" ".join(files[20:])),
                    "13 in LEAKTRACE_OPTIONS + 20 flags, launcher", ["suppressions", "32"])

    # a file name exactly PATH_MAX-1 bytes long is accepted by the parser (the
    # file does not exist: the run fails on opening it, naming it)
    name = "/" + "y" * (PATH_MAX - 2)
    res = r.bare("--suppressions=" + name)
    expect_rejected(res, "--suppressions= a %d-byte name that does not exist, bare preload" % len(name),
                    ["suppressions file", "yyyy"])
    if '"%s"' % name not in res.stderr:
        print("NOTE: the message for a %d-byte suppression file name is cut short (%d bytes of stderr): "
              "it does not hold the whole name" % (len(name), len(res.stderr)), flush=True)

    # binary bytes in LEAKTRACE_OPTIONS
    env = dict(r.base_env)
    env["LD_PRELOAD"] = r.lib
    envb = {k.encode(): v.encode() for k, v in env.items()}
    envb[b"LEAKTRACE_OPTIONS"] = b"--leak-check=\xff\xfe --num-callers=\x01"
    if os.path.exists(r.marker):
        os.unlink(r.marker)
    p = subprocess.run([r.prog, r.marker], env=envb, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, cwd=r.tmp)
    p.stderr = p.stderr.decode("utf-8", "replace")
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.lt_env = "--leak-check=\\xff\\xfe --num-callers=\\x01"
    p.ran = os.path.exists(r.marker)
    expect_rejected(p, "binary bytes in LEAKTRACE_OPTIONS, bare preload", ["leak-check"], origin_env=True)


# ---- suppression files ---------------------------------------------------------------------

E_BRACE = "expected '{' or end-of-file"
E_CLOSE = "unexpected '}'"
E_EOF_TOOL = "unexpected end-of-file (expecting tool:suppr)"
E_MALFORMED = "malformed 'tool1,tool2,...:supp' line"
E_CORE = "unknown core suppression type"
E_KIND = "unknown tool suppression type"
E_SKIP = "unexpected end-of-file (when skipping suppression)"
E_EXTRA = "bad or missing extra suppression info"
E_EOF_STACK = "unexpected end-of-file (when reading stack trace)"
E_NOSTACK = "missing stack trace"
E_LOC = 'location should be "...", or should start with "fun:", "obj:", or "src:"'
E_DOTS = 'suppression must contain at least one location line which is not "..."'
E_MANY = "too many callers in stack trace"
E_LSAN = "bad LeakSanitizer suppression"

# (name, text, num_callers or None, line, message): lines and messages as
# valgrind 3.19 prints them (the same table as tests/unit/test_suppress.c).
SUPP_ERRORS = [
    ("nobrace", "foo\n", None, 1, E_BRACE),
    ("missing_close", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n", None, 4, E_EOF_STACK),
    ("missing_close2", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n{\n  n2\n  Memcheck:Leak\n  fun:malloc\n}\n",
     None, 5, E_LOC),
    ("unexp_close", "{\n}\n", None, 2, E_CLOSE),
    ("eof_after_name", "{\n  n1\n", None, 2, E_EOF_TOOL),
    ("notool", "{\n  n1\n  MemcheckLeak\n  fun:malloc\n}\n", None, 3, E_MALFORMED),
    ("unk_kind", "{\n  n1\n  Memcheck:Leek\n  fun:malloc\n}\n", None, 3, E_KIND),
    ("space_kind", "{\n  n1\n  Memcheck: Leak\n  fun:malloc\n}\n", None, 3, E_KIND),
    ("other_tool_eof", "{\n  n1\n  Helgrind:Race\n  junk junk\n", None, 4, E_SKIP),
    ("core", "{\n  n1\n  core:Leak\n  fun:malloc\n}\n", None, 3, E_CORE),
    ("toollist", "{\n  n1\n  Helgrind,Memcheck:Leek\n  fun:malloc\n}\n", None, 3, E_KIND),
    ("badkinds", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: definite, possible\n  fun:malloc\n}\n",
     None, 4, E_EXTRA),
    ("badkinds2", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: all,definite\n  fun:malloc\n}\n",
     None, 4, E_EXTRA),
    ("badkinds3", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds:\n  fun:malloc\n}\n", None, 4, E_EXTRA),
    ("extraline", "{\n  n1\n  Memcheck:Leak\n  foo: bar\n  fun:malloc\n}\n", None, 4, E_EXTRA),
    ("srcfirst", "{\n  n1\n  Memcheck:Leak\n  src:t1.c:3\n  fun:malloc\n}\n", None, 4, E_EXTRA),
    ("nostack", "{\n  n1\n  Memcheck:Leak\n}\n", None, 4, E_EXTRA),
    ("nostack2", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: all\n}\n", None, 5, E_NOSTACK),
    ("onlydots", "{\n  n1\n  Memcheck:Leak\n  ...\n  ...\n}\n", None, 6, E_DOTS),
    ("badloc", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n  foo:bar\n}\n", None, 5, E_LOC),
    ("eof_in_stack", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: all\n  fun:malloc", None, 4, E_EOF_STACK),
    ("eof_after_tool", "{\n  n1\n  Memcheck:Leak\n", None, 3, E_EOF_STACK),
    ("param", "{\n  n1\n  Memcheck:Param\n  fun:malloc\n}\n", None, 4, E_EXTRA),
    ("cond_kinds", "{\n  n1\n  Memcheck:Cond\n  match-leak-kinds: all\n  fun:malloc\n}\n", None, 4, E_LOC),
    ("trailing_garbage", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n}\nxx\n", None, 6, E_BRACE),
    ("brace_inline", "{ n1\n  Memcheck:Leak\n  fun:malloc\n}\n", None, 1, E_BRACE),
    ("fishybad", "{\n  n1\n  Memcheck:FishyValue\n  malloc\n  fun:malloc\n}\n", None, 4, E_EXTRA),
    ("realloczero", "{\n  n1\n  Memcheck:ReallocZero\n  fun:malloc\n}\n", None, 3, E_KIND),
    ("dots12", "{\n n\n Memcheck:Leak\n" + " ...\n" * 12 + " fun:malloc\n}\n", None, 17, E_DOTS),
    ("unterm20", "{\n n\n Memcheck:Leak\n" + " fun:x\n" * 14, 20, 17, E_EOF_STACK),
    ("many_callers", "{\n n\n Memcheck:Leak\n" + " fun:x\n" * 501 + "}\n", 500, 504, E_MANY),
    ("lsan_bad", "# LeakSanitizer\nleak:foo\nfun:bar\n", None, 3, E_LSAN),
    ("lsan_interceptor", "leak:foo\ninterceptor_via_fun:bar\n", None, 2, E_LSAN),
    ("crlf_garbage", "{\r\n  n1\r\n  Memcheck:Leak\r\n  fun:malloc\r\n}\r\nxx\r\n", None, 6, E_BRACE),
    ("second_entry_bad", "{\n  ok\n  Memcheck:Leak\n  fun:malloc\n}\n{\n  bad\n  Memcheck:Lake\n  fun:malloc\n}\n",
     None, 8, E_KIND),
]

GOOD_SUPP = "{\n  good\n  Memcheck:Leak\n  match-leak-kinds: definite\n  fun:malloc\n  fun:never_called\n}\n"


def test_suppressions(r):
    d = os.path.join(r.tmp, "supp")
    os.makedirs(d, exist_ok=True)

    def write(name, text, mode="w"):
        p = os.path.join(d, name)
        with open(p, mode) as f:
            f.write(text)
        return p

    good = write("good.supp", GOOD_SUPP)
    expect_ran(r.launcher(["--suppressions=" + good]), "a good suppression file (launcher)")
    expect_ran(r.bare("--suppressions=" + good), "a good suppression file (bare preload)")
    for name, text in (("empty.supp", ""), ("comments.supp", "# only a comment\n\n   \n"),
                       ("lsan_ok.supp", "# LSan\nleak:never_called\n"),
                       ("other_tools.supp", "{\n  h\n  Helgrind:Race\n  fun:x\n}\n")):
        p = write(name, text)
        expect_ran(r.launcher(["--suppressions=" + p]), "%s (launcher)" % name)

    for name, text, nc, line, msg in SUPP_ERRORS:
        p = write(name + ".supp", text)
        names = ['"%s"' % p, "near line %d" % line, msg]
        extra = ["--num-callers=%d" % nc] if nc else []
        expect_rejected(r.launcher(extra + ["--suppressions=" + p]),
                        "suppression file %s, launcher" % name, names)
        expect_rejected(r.bare(" ".join(extra + ["--suppressions=" + p])),
                        "suppression file %s, bare preload" % name, names)

    # a good file first, a bad one second: the bad one is named
    bad = os.path.join(d, "unk_kind.supp")
    expect_rejected(r.launcher(["--suppressions=" + good, "--suppressions=" + bad]),
                    "good then bad suppression file, launcher", ['"%s"' % bad, "near line 3"])
    # a relative name: the launcher makes it absolute, the message still names it
    expect_rejected(r.run([r.cli, "--suppressions=supp/unk_kind.supp", r.prog, r.marker]),
                    "relative bad suppression file, launcher", ["supp/unk_kind.supp", "near line 3"])

    # not a file: a directory, a path that cannot be opened
    expect_rejected(r.launcher(["--suppressions=" + d]), "suppression file that is a directory, launcher",
                    ['"%s"' % d, "directory"])
    expect_rejected(r.bare("--suppressions=" + d), "suppression file that is a directory, bare preload",
                    ['"%s"' % d, "directory"])
    missing = os.path.join(r.tmp, "no-such-dir", "x.supp")
    expect_rejected(r.launcher(["--suppressions=" + missing]), "missing suppression file, launcher",
                    ['"%s"' % missing, "can't open"])
    expect_rejected(r.bare("--suppressions=" + missing), "missing suppression file, bare preload",
                    ['"%s"' % missing, "can't open"])
    notdir = os.path.join(good, "x.supp")     # a path through a regular file
    expect_rejected(r.bare("--suppressions=" + notdir), "suppression path through a file, bare preload",
                    ['"%s"' % notdir])

    # binary garbage: an ELF file, random bytes, NULs, a huge line
    elf = write("elf.supp", open(r.prog, "rb").read(), "wb")
    expect_rejected(r.launcher(["--suppressions=" + elf]), "an ELF file as suppressions, launcher",
                    ['"%s"' % elf, "near line"])
    rnd = bytes((i * 7919 + 13) % 256 for i in range(4096))
    p = write("random.supp", rnd, "wb")
    expect_rejected(r.launcher(["--suppressions=" + p]), "random bytes as suppressions, launcher",
                    ['"%s"' % p, "near line"])
    p = write("nuls.supp", b"{\n  n\0ame\n  Memcheck:Leak\n  fun:mal\0loc\n}\n\0\0\0\n", "wb")
    expect_rejected(r.launcher(["--suppressions=" + p]), "NUL bytes in a suppression file, launcher",
                    ['"%s"' % p, "near line"])
    p = write("hugeline.supp", "{\n  n\n  Memcheck:Leak\n  fun:" + "m" * 1000000 + "\n  bad\n}\n")
    expect_rejected(r.launcher(["--suppressions=" + p]), "a 1 MB frame line then a bad line, launcher",
                    ['"%s"' % p, "near line 5"])
    p = write("utf16.supp", "{\n  n\n  Memcheck:Leak\n  fun:malloc\n}\n".encode("utf-16"), "wb")
    expect_rejected(r.launcher(["--suppressions=" + p]), "a UTF-16 suppression file, launcher",
                    ['"%s"' % p, "near line"])


# ---- leaktrace diff -------------------------------------------------------------------------

def test_diff(r, build_dir):
    res = r.run([r.cli, "diff", "--help"])
    if res.returncode != 0 or "leaktrace diff" not in res.stdout:
        print("NOTICE: `leaktrace diff --help` is not available yet (exit %r): the malformed-report "
              "checks are skipped" % res.returncode, flush=True)
        return
    d = os.path.join(r.tmp, "reports")
    os.makedirs(d, exist_ok=True)

    # real reports of a leaking program
    cc = shutil.which("cc") or shutil.which("gcc")
    leaky = os.path.join(d, "leaky")
    subprocess.run([cc, "-O0", "-g", "-o", leaky, "-x", "c", "-"], input=LEAKY_C.encode(), check=True)
    reports = {}
    txt = os.path.join(d, "ours.txt")
    r.run([r.cli, "--log-file=" + txt, "--show-leak-kinds=all", leaky])
    if os.path.exists(txt):
        reports["ours.txt"] = txt
    js = os.path.join(d, "ours.json")
    r.run([r.cli, "--json-file=" + js, leaky])
    if os.path.exists(js) and os.path.getsize(js) > 0:
        reports["ours.json"] = js
    if shutil.which("valgrind"):
        vt = os.path.join(d, "valgrind.txt")
        r.run(["valgrind", "--leak-check=full", "--show-leak-kinds=all", "--log-file=" + vt, leaky])
        if os.path.exists(vt):
            reports["valgrind.txt"] = vt
        vx = os.path.join(d, "valgrind.xml")
        r.run(["valgrind", "--leak-check=full", "--xml=yes", "--xml-file=" + vx, leaky])
        if os.path.exists(vx):
            reports["valgrind.xml"] = vx
    else:
        print("NOTICE: valgrind is not installed: Valgrind reports are not checked", flush=True)

    def diff(a, b):
        return r.run([r.cli, "diff", a, b])

    for name, path in sorted(reports.items()):
        res = diff(path, path)
        counts["checks"] += 1
        c = crashed(res)
        if c or res.returncode != 0:
            fail("diff of %s with itself: %s%s" % (name, c or "exit %r (expected 0)" % res.returncode,
                                                   describe(res)))

    def bad(name, content, label, mode="w"):
        p = os.path.join(d, name)
        if content is not None:
            with open(p, mode) as f:
                f.write(content)
        ref = reports.get("ours.txt") or p
        for args, which in (([p, ref], "BASE"), ([ref, p], "NEW")):
            res = diff(*args)
            counts["checks"] += 1
            c = crashed(res)
            if c:
                fail("diff, %s as %s: %s%s" % (label, which, c, describe(res)))
            elif res.returncode != 2:
                fail("diff, %s as %s: exit %r, expected 2%s" % (label, which, res.returncode, describe(res)))
            elif p not in res.stderr:
                fail("diff, %s as %s: the message does not name %s%s" % (label, which, p, describe(res)))

    bad("empty.txt", "", "an empty file")
    bad("blank.txt", "\n \n\t\n", "a file of white space")
    bad("missing.txt", None, "a file that does not exist")
    os.makedirs(os.path.join(d, "adir"), exist_ok=True)
    bad("adir", None, "a directory")
    bad("random.bin", bytes((i * 7919 + 13) % 256 for i in range(4096)), "random bytes", "wb")
    bad("elf.bin", open(r.prog, "rb").read(), "an ELF file", "wb")
    bad("prose.txt", "This is not a leak report.\nIt has two lines.\n", "plain prose")
    bad("badjson.json", '{"format": "leaktrace", "records": [', "truncated JSON")
    bad("number.json", "42\n", "JSON that is a number")
    bad("array.json", "[1, 2, 3]\n", "JSON that is an array of numbers")
    bad("xml_trunc.xml", '<?xml version="1.0"?>\n<valgrindoutput>\n<error>\n  <kind>Leak_DefinitelyLost',
        "truncated XML")
    bad("xml_other.xml", '<?xml version="1.0"?>\n<html><body>hi</body></html>\n', "XML that is not Valgrind's")
    for name, path in sorted(reports.items()):
        data = open(path, "rb").read()
        if len(data) < 64:
            continue
        if name.endswith(".json"):
            cut = data[:len(data) // 2]
        elif name.endswith(".xml"):
            cut = data[:len(data) // 2]
        else:
            # up to the first loss record's header and half its stack: no summary after it
            i = data.find(b"are definitely lost")
            cut = data[:i + 60] if i > 0 else data[:len(data) // 2]
        bad("trunc_" + name, cut, "%s cut in the middle" % name, "wb")
        # a record header with a broken number
        if name.endswith(".txt"):
            broken = data.replace(b"bytes in 1 blocks are definitely lost", b"bytes in x blocks are definitely lost", 1)
            if broken != data:
                bad("badnum_" + name, broken, "%s with a broken record header" % name, "wb")


# ---- main ---------------------------------------------------------------------------------

def main():
    ap = arg_parser(__doc__)
    args = ap.parse_args()
    lib = os.path.abspath(args.lib)
    cli = os.path.abspath(args.cli)

    tmp = tempfile.mkdtemp(prefix="lt_bad_input_")
    try:
        r = Runner(lib, cli, tmp)
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            print("FAIL: no C compiler (cc) to build the marker program")
            return 1
        r.prog = os.path.join(tmp, "marker_prog")
        subprocess.run([cc, "-O0", "-o", r.prog, "-x", "c", "-"], input=MARKER_C.encode(), check=True)

        test_options(r)
        test_suppressions(r)
        test_diff(r, args.build)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("%d passed, %d failed" % (counts["checks"] - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
