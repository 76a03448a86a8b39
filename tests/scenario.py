#!/usr/bin/env python3
"""Runs one scenario program under libleaktrace and checks its leak report.

usage: scenario.py --lib LIB --cli CLI --exe EXE --src SRC [--variant V]
                   [--valgrind-only] [--no-oracle] [--verbose]
       scenario.py --compile OUT --src SRC --cc CC --cxx CXX --opt N
       scenario.py --list-variants SRC... [--variant V1,V2,...]

  --lib            the shim (libleaktrace.so), used as LD_PRELOAD
  --cli            the `leaktrace` command (used by scenarios that say LAUNCH: cli)
  --exe            the built scenario program
  --src            its source file, which holds the directives below
  --valgrind-only  check only that valgrind agrees with the EXPECT,
                   EXPECT-RECORD and EXPECT-LINE lines of a scenario that has
                   an ORACLE line (for writing scenarios; needs no library)
  --no-oracle      skip the valgrind run even where the scenario asks for it
  --verbose        print the reports even when everything matched
  --variant        which build this is (gcc-O0, gcc-O2, clang-O0, clang-O2):
                   selects the KNOWN-FAIL lines that apply
  --compile OUT    build the scenario (see CFLAGS, LIBS, BUILD-DSO) with the
                   given compilers (C, C++) at -O<N>, then stop
  --list-variants  for CMake: print 'SRC|VARIANT' per build to make, the
                   candidates (--variant, comma-separated; default all four)
                   filtered by each scenario's VARIANTS line

Exit status 0 only if everything matched; 1 on a mismatch; 2 on a broken
scenario file or a missing program/library.

Directives
----------
Each directive is a comment line of its own in the scenario source,
`// KEY: value` (or `// KEY` for flags), anywhere in the file. A line that
starts with `// EXPECT` but names no key below is an error (typo guard).

  // EXPECT: definite B/N indirect B/N possible B/N reachable B/N [suppressed B/N]
        The LEAK SUMMARY of one process: bytes/blocks per kind (commas in
        numbers allowed; a kind left out means 0/0; `suppressed` is only
        compared when given). A number may be an inclusive range LO..HI, for
        blocks whose size depends on the environment (the DTV of a running
        thread grows with the number of loaded modules that have TLS, and
        the preloaded tool brings some). A report saying "All heap blocks
        were freed -- no leaks are possible" counts as all zero. Several
        EXPECT lines = one per process; they are matched to the reports in
        any order.
  // EXPECT-ANY: definite B/N ...
        Alternatives for one (more) process: its summary must equal one of
        the EXPECT-ANY lines. Used where a tool may legitimately differ from
        valgrind (e.g. the DTV of a thread still running at exit).
  // EXPECT-EXIT: N | signal NAME
        Exit status of the run under the shim (default 0); `signal SIGABRT`
        means killed by that signal. Any other death by a signal is a crash.
  // PLAIN-EXIT: N | signal NAME
        Exit status of the plain run (default: same as EXPECT-EXIT). Differs
        only when an option such as --error-exitcode changes the status.
  // ARGS: words...          arguments passed to the program (split on spaces)
  // OPTIONS: words...       LEAKTRACE_OPTIONS for the shim run (with
                             LAUNCH: cli they are passed as command flags)
  // LAUNCH: cli             run `CLI OPTIONS... -- EXE ARGS...` instead of
                             LD_PRELOAD=LIB EXE ARGS...
  // LOG-FILE                add --log-file=TMPDIR/lt.%p.log and read the
                             reports from those files (default: from stderr,
                             where each process's lines are told apart by
                             their ==PID== prefix)
  // PROCESSES: N            number of reports expected (default: the number
                             of EXPECT lines, plus one if there are EXPECT-ANY
                             lines). One EXPECT line with N > 1 applies to all.
                             Every process that writes a report counts: a
                             forked child, and also a program the scenario
                             execs or spawns, since it inherits LD_PRELOAD
                             (the tool's default is --trace-children=yes).
  // EXPECT-RECORD: HEADER | fn0 | fn1 | ...
        A loss record that must be shown in some report. HEADER is the record
        line without the ==PID== prefix, e.g. `17 bytes in 1 blocks are
        definitely lost in loss record 1 of 1` (compared exactly); if it has no
        ` in loss record ` part, only the text before it is compared. fn0.. are
        the leading frames' function names (fn0 is the allocator), as the
        report prints them (C++: `leak()`); `*` stands for any one frame and
        `...` for any number of frames.
  // EXPECT-LINE: text
        Some report line contains this text (whitespace runs collapsed, and
        spaces before ':' ignored, on both sides).
  // ORACLE: valgrind [extra valgrind args]
        Also run `valgrind --leak-check=full --show-leak-kinds=all [extra]`
        on the same program (reports to --log-file=TMPDIR/vg.%p.log) and
        require that valgrind's summaries equal the EXPECT lines and the
        shim's summaries (as multisets over processes), and that valgrind's
        reports satisfy the EXPECT-RECORD and EXPECT-LINE lines too (so an
        expectation that drifts from the oracle is caught). Not allowed
        with EXPECT-ANY (the shim is then not held to valgrind's numbers).
        Skipped, with a notice, when valgrind is not installed.
  // NONDETERMINISTIC-OUTPUT  do not compare stdout with a plain run
  // EXPECT-NO-REPORT        the shim must write no leak report at all (the
                             program turned checking off, e.g. LSan's
                             detect_leaks=0); no EXPECT or ORACLE lines
In OPTIONS, {srcdir} stands for the scenario's folder.

Build and variants (tests/CMakeLists.txt builds every scenario four times:
gcc and clang-14, each at -O0 and -O2, tests `scenario.NAME.gcc-O0` etc.;
flags -g -fno-omit-frame-pointer -Wall -Wextra, linked -pthread -ldl). A
VARIANTS pattern is a variant name, a glob (`clang-*`, `*-O2`) or `all`;
several are separated by commas.
  // CFLAGS: words...        extra compiler flags (e.g. -fno-builtin)
  // LIBS: words...          extra link arguments (e.g. -lm)
  // VARIANTS: patterns      build and test only these variants (say why in
                             the comment: e.g. valgrind itself sees a
                             different truth at -O2)
  // BUILD-DSO: STEM SOURCE [link] [flags...]
                             build SOURCE (relative to tests/scenarios) as a
                             shared object with the same compiler and level;
                             its absolute path is the string macro
                             SCN_DSO_<STEM> (for dlopen); with `link` the
                             program is linked against it
  // KNOWN-FAIL: patterns reason...
        The shim is known to get these variants wrong (cite the issue item).
        The test then passes while it fails in the shim (the failures are
        listed), and FAILS with "fixed: remove KNOWN-FAIL" as soon as it
        passes, so that stale markers are cleared. A scenario that disagrees
        with valgrind or whose plain run fails is never excused.

Other checks, always made: stdout of the shim run equals stdout of a plain
run (no LD_PRELOAD); no run crashes (killed by an unexpected signal) or
takes more than 60 s (valgrind: 240 s); at least one report is found.

Every run (plain, shim, valgrind) has a fresh temporary folder, removed
afterwards, as its current folder, stdin from /dev/null, no core dumps, and
no inherited LD_PRELOAD or LEAKTRACE_OPTIONS. On failure the runner prints
what differs, then the shim's whole output and valgrind's report.
"""
import argparse
import fnmatch
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

KINDS = ("definite", "indirect", "possible", "reachable")
SUMMARY_NAMES = {
    "definitely lost": "definite",
    "indirectly lost": "indirect",
    "possibly lost": "possible",
    "still reachable": "reachable",
    "suppressed": "suppressed",
}
RUN_TIMEOUT = 60
VALGRIND_TIMEOUT = 240

PID_LINE = re.compile(r"^==(\d+)== ?(.*)$")
SUMMARY_LINE = re.compile(
    r"^\s*(definitely lost|indirectly lost|possibly lost|still reachable|suppressed):"
    r"\s+([\d,]+) bytes in ([\d,]+) blocks\s*$")
NO_LEAKS = "All heap blocks were freed -- no leaks are possible"
RECORD_HEADER = re.compile(
    r"^(?P<bytes>[\d,]+)(?: \((?P<direct>[\d,]+) direct, (?P<indirect>[\d,]+) indirect\))?"
    r" bytes in (?P<blocks>[\d,]+) blocks are (?P<kind>definitely lost|indirectly lost|"
    r"possibly lost|still reachable) in loss record (?P<k>[\d,]+) of (?P<t>[\d,]+)$")
FRAME_LINE = re.compile(r"^\s+(?:at|by) (?P<addr>0x[0-9A-Fa-f]+): (?P<rest>.*)$")
LOC_TAIL = re.compile(r"^(?:in .*|[^ ()]+:\d+)$")

KNOWN_KEYS = {"EXPECT", "EXPECT-ANY", "EXPECT-EXIT", "PLAIN-EXIT", "ARGS", "OPTIONS", "LAUNCH",
              "LOG-FILE", "PROCESSES", "EXPECT-RECORD", "EXPECT-LINE", "ORACLE",
              "NONDETERMINISTIC-OUTPUT", "EXPECT-NO-REPORT", "KNOWN-FAIL", "CFLAGS", "LIBS", "VARIANTS",
              "BUILD-DSO"}
# The four builds of every scenario (tests/CMakeLists.txt): compiler family
# and optimisation level. Most of the stale-word defects show in only one.
ALL_VARIANTS = ("gcc-O0", "gcc-O2", "clang-O0", "clang-O2")
DIRECTIVE = re.compile(r"^\s*//\s*([A-Z][A-Z-]*[A-Z])\s*(?::\s?(.*?))?\s*$")


class ScenarioError(Exception):
    """The scenario file itself is malformed."""


# --------------------------------------------------------------------------
# Report parsing (also used by tests/cli/test_valgrind_oracle.py)

def num(s):
    return int(s.replace(",", ""))


def num_or_range(s):
    """'1,000' -> 1000; '572..764' -> (572, 764), an inclusive range."""
    if ".." in s:
        lo, hi = (num(x) for x in s.split(".."))
        if lo > hi:
            raise ScenarioError(f"empty range {s!r}")
        return (lo, hi)
    return num(s)


def value_matches(got, want):
    if isinstance(want, tuple):
        return want[0] <= got <= want[1]
    return got == want


def fmt_value(v):
    return f"{v[0]:,}..{v[1]:,}" if isinstance(v, tuple) else f"{v:,}"


def group_by_pid(text):
    """{pid: [line without prefix, ...]} in order of first appearance."""
    groups = {}
    for line in text.splitlines():
        m = PID_LINE.match(line)
        if m:
            groups.setdefault(m.group(1), []).append(m.group(2))
    return groups


def is_report(lines):
    return any(l.strip() in ("HEAP SUMMARY:", "LEAK SUMMARY:") or NO_LEAKS in l for l in lines)


def parse_summary(lines):
    """{kind: (bytes, blocks)} including 'suppressed', or None if the report
    states no leak summary at all."""
    if any(NO_LEAKS in l for l in lines):
        return {k: (0, 0) for k in KINDS + ("suppressed",)}
    got = {}
    in_summary = False
    for l in lines:
        if l.strip() == "LEAK SUMMARY:":
            in_summary = True
            got = {}
            continue
        if in_summary:
            m = SUMMARY_LINE.match(l)
            if m:
                got[SUMMARY_NAMES[m.group(1)]] = (num(m.group(2)), num(m.group(3)))
    if not got:
        return None
    for k in KINDS:
        if k not in got:
            return None
    got.setdefault("suppressed", (0, 0))
    return got


def split_frame(rest):
    """'malloc (in /x.so)' -> ('malloc', 'in /x.so'); 'main (t.c:9)' ->
    ('main', 't.c:9'); '???' -> ('???', '')."""
    rest = rest.rstrip()
    if rest.endswith(")"):
        i = rest.rfind(" (")
        while i > 0:
            tail = rest[i + 2:-1]
            if LOC_TAIL.match(tail):
                return rest[:i], tail
            i = rest.rfind(" (", 0, i)
    return rest, ""


def parse_records(lines):
    """Loss records in order: dicts with header, bytes, direct, indirect,
    blocks, kind, k, t and frames [(fn, loc), ...]."""
    records = []
    cur = None
    for l in lines:
        m = RECORD_HEADER.match(l.strip())
        if m:
            cur = {
                "header": l.strip(),
                "bytes": num(m.group("bytes")),
                "direct": num(m.group("direct")) if m.group("direct") else None,
                "indirect": num(m.group("indirect")) if m.group("indirect") else None,
                "blocks": num(m.group("blocks")),
                "kind": m.group("kind"),
                "k": num(m.group("k")),
                "t": num(m.group("t")),
                "frames": [],
            }
            records.append(cur)
            continue
        if cur is not None:
            f = FRAME_LINE.match(l)
            if f:
                cur["frames"].append(split_frame(f.group("rest")))
            else:
                cur = None
    return records


def parse_reports(text):
    """[(pid, lines, summary)] for every process that wrote a report."""
    out = []
    for pid, lines in group_by_pid(text).items():
        if is_report(lines):
            out.append((pid, lines, parse_summary(lines)))
    return out


def fmt_summary(s):
    if s is None:
        return "(no LEAK SUMMARY)"
    parts = [f"{k} {fmt_value(s[k][0])}/{fmt_value(s[k][1])}" for k in KINDS]
    if s.get("suppressed", (0, 0)) != (0, 0):
        parts.append(f"suppressed {fmt_value(s['suppressed'][0])}/{fmt_value(s['suppressed'][1])}")
    return " ".join(parts)


def squash(s):
    s = re.sub(r"\s+", " ", s.strip())
    return re.sub(r" :", ":", s)


# --------------------------------------------------------------------------
# Scenario file

class Scenario:
    def __init__(self, path):
        self.path = path
        self.expect = []        # [dict], one per process
        self.expect_any = []    # [dict], alternatives for one process
        self.exit = 0
        self.plain_exit = None
        self.args = []
        self.options = []
        self.launch = "preload"
        self.log_file = False
        self.processes = None
        self.records = []       # [(header, [fn...])]
        self.lines = []
        self.oracle = None      # None or [extra valgrind args]
        self.nondeterministic = False
        self.no_report = False
        self.known_fail = []    # [([variant pattern...], reason)]
        self.cflags = []
        self.libs = []
        self.variants = None    # None (all four) or [variant pattern...]
        self.dsos = []          # [(stem, source, link?, [flags])]
        self.parse()

    @staticmethod
    def parse_variants(text, where):
        """'gcc-O0,clang-*' -> patterns; 'all' is '*'. Each pattern must
        match one of ALL_VARIANTS (typo guard)."""
        pats = [p for p in re.split(r"[,\s]+", text.strip()) if p]
        if not pats:
            raise ScenarioError(f"{where}: needs variant patterns (e.g. all, gcc-O0, clang-*, *-O2)")
        pats = ["*" if p == "all" else p for p in pats]
        for p in pats:
            if not any(fnmatch.fnmatchcase(v, p) for v in ALL_VARIANTS):
                raise ScenarioError(f"{where}: {p!r} matches none of {', '.join(ALL_VARIANTS)}")
        return pats

    def builds(self, variant):
        return self.variants is None or any(fnmatch.fnmatchcase(variant, p) for p in self.variants)

    def known_failure(self, variant):
        """The reason this variant is known to fail, or None."""
        for pats, reason in self.known_fail:
            if variant and any(fnmatch.fnmatchcase(variant, p) for p in pats):
                return reason
        return None

    @staticmethod
    def parse_counts(text, where):
        toks = text.split()
        if not toks or len(toks) % 2:
            raise ScenarioError(f"{where}: expected 'KIND BYTES/BLOCKS ...', got {text!r}")
        got = {}
        for kind, val in zip(toks[0::2], toks[1::2]):
            if kind not in KINDS + ("suppressed",):
                raise ScenarioError(f"{where}: unknown kind {kind!r} (use {', '.join(KINDS)}, suppressed)")
            m = re.fullmatch(r"([\d,]+(?:\.\.[\d,]+)?)/([\d,]+(?:\.\.[\d,]+)?)", val)
            if not m:
                raise ScenarioError(f"{where}: {kind} needs BYTES/BLOCKS, got {val!r}")
            got[kind] = (num_or_range(m.group(1)), num_or_range(m.group(2)))
        for k in KINDS:
            got.setdefault(k, (0, 0))
        return got

    @staticmethod
    def parse_exit(text, where):
        t = text.strip()
        m = re.fullmatch(r"signal\s+(\w+)", t)
        if m:
            name = m.group(1)
            if name.isdigit():
                return -int(name)
            try:
                return -int(getattr(signal, name if name.startswith("SIG") else "SIG" + name))
            except AttributeError:
                raise ScenarioError(f"{where}: unknown signal {name!r}")
        if re.fullmatch(r"\d+", t):
            return int(t)
        raise ScenarioError(f"{where}: exit status must be N or 'signal NAME', got {text!r}")

    def parse(self):
        with open(self.path, encoding="utf-8") as f:
            text = f.read()
        for no, line in enumerate(text.splitlines(), 1):
            m = DIRECTIVE.match(line)
            if not m:
                continue
            key, val = m.group(1), (m.group(2) or "")
            where = f"{self.path}:{no}"
            try:
                self.parse_line(key, val, where)
            except ValueError as e:     # shlex: an unbalanced quote
                raise ScenarioError(f"{where}: {e} (a comment line that starts like a directive?)")
        if self.no_report:
            if self.expect or self.expect_any or self.oracle is not None or self.records or self.lines:
                raise ScenarioError(f"{self.path}: EXPECT-NO-REPORT excludes EXPECT*, ORACLE lines")
            self.processes = 0
            if self.plain_exit is None:
                self.plain_exit = self.exit
            return
        if not self.expect and not self.expect_any:
            raise ScenarioError(f"{self.path}: no EXPECT or EXPECT-ANY line")
        if self.expect_any and self.oracle is not None:
            raise ScenarioError(f"{self.path}: ORACLE cannot be combined with EXPECT-ANY")
        n_expected = len(self.expect) + (1 if self.expect_any else 0)
        if self.processes is None:
            self.processes = n_expected
        elif self.processes != n_expected:
            if len(self.expect) == 1 and not self.expect_any:
                self.expect = self.expect * self.processes
            else:
                raise ScenarioError(f"{self.path}: PROCESSES: {self.processes} but {n_expected} "
                                    "EXPECT/EXPECT-ANY processes described")
        if self.plain_exit is None:
            self.plain_exit = self.exit

    def parse_line(self, key, val, where):
        if key not in KNOWN_KEYS:
            if key.startswith("EXPECT"):
                raise ScenarioError(f"{where}: unknown directive {key}")
            return
        if key == "EXPECT":
            self.expect.append(self.parse_counts(val, where))
        elif key == "EXPECT-ANY":
            self.expect_any.append(self.parse_counts(val, where))
        elif key == "EXPECT-EXIT":
            self.exit = self.parse_exit(val, where)
        elif key == "PLAIN-EXIT":
            self.plain_exit = self.parse_exit(val, where)
        elif key == "ARGS":
            self.args = shlex.split(val)
        elif key == "OPTIONS":
            self.options = shlex.split(val)
        elif key == "LAUNCH":
            if val.strip() not in ("cli", "preload"):
                raise ScenarioError(f"{where}: LAUNCH must be 'cli' or 'preload'")
            self.launch = val.strip()
        elif key == "LOG-FILE":
            self.log_file = True
        elif key == "PROCESSES":
            if not val.strip().isdigit():
                raise ScenarioError(f"{where}: PROCESSES needs a number")
            self.processes = int(val)
        elif key == "EXPECT-RECORD":
            parts = [p.strip() for p in val.split(" | ")]
            if not parts[0] or not RECORD_HEADER.match(parts[0] + ("" if " in loss record " in parts[0] else " in loss record 1 of 1")):
                raise ScenarioError(f"{where}: EXPECT-RECORD header is not a loss record header: {parts[0]!r}")
            self.records.append((parts[0], parts[1:]))
        elif key == "EXPECT-LINE":
            if not val.strip():
                raise ScenarioError(f"{where}: EXPECT-LINE needs text")
            self.lines.append(val)
        elif key == "ORACLE":
            words = shlex.split(val)
            if not words or words[0] != "valgrind":
                raise ScenarioError(f"{where}: ORACLE must start with 'valgrind'")
            self.oracle = words[1:]
        elif key == "NONDETERMINISTIC-OUTPUT":
            self.nondeterministic = True
        elif key == "EXPECT-NO-REPORT":
            self.no_report = True
        elif key == "KNOWN-FAIL":
            words = val.split(None, 1)
            if len(words) < 2:
                raise ScenarioError(f"{where}: KNOWN-FAIL needs variants and a reason")
            self.known_fail.append((self.parse_variants(words[0], where), words[1].strip()))
        elif key == "VARIANTS":
            self.variants = self.parse_variants(val, where)
        elif key == "CFLAGS":
            self.cflags += shlex.split(val)
        elif key == "LIBS":
            self.libs += shlex.split(val)
        elif key == "BUILD-DSO":
            words = shlex.split(val)
            if len(words) < 2 or not re.fullmatch(r"[a-z0-9_]+", words[0]):
                raise ScenarioError(f"{where}: BUILD-DSO needs STEM SOURCE [link] [flags...]")
            link = len(words) > 2 and words[2] == "link"
            self.dsos.append((words[0], words[1], link, words[3 if link else 2:]))

    def slots(self):
        """One list of acceptable summaries per expected process."""
        out = [[e] for e in self.expect]
        if self.expect_any:
            out.append(list(self.expect_any))
        return out


def summary_matches(got, want):
    if got is None:
        return False
    for k in KINDS + ("suppressed",):
        if k not in want:
            continue
        g = got.get(k, (0, 0))
        if not (value_matches(g[0], want[k][0]) and value_matches(g[1], want[k][1])):
            return False
    return True


def assign(summaries, slots):
    """True if each summary can be matched to a distinct slot (same count)."""
    if len(summaries) != len(slots):
        return False

    def rec(i, used):
        if i == len(summaries):
            return True
        for j, alts in enumerate(slots):
            if j not in used and any(summary_matches(summaries[i], a) for a in alts):
                if rec(i + 1, used | {j}):
                    return True
        return False

    return rec(0, frozenset())


def same_multiset(a, b):
    key = lambda s: tuple(s[k] for k in KINDS) if s else ()
    return sorted(map(key, a)) == sorted(map(key, b))


# --------------------------------------------------------------------------
# Running

def status_text(rc):
    if rc is None:
        return "timed out"
    if rc < 0:
        try:
            return f"killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit status {rc}"


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(cmd, env, timeout, cwd):
    """(returncode or None on timeout, stdout, stderr) as text."""
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True, preexec_fn=no_core)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        rc = None
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def clean_env():
    env = dict(os.environ)
    for k in ("LD_PRELOAD", "LEAKTRACE_OPTIONS"):
        env.pop(k, None)
    return env


def read_logs(folder, prefix):
    text = ""
    for name in sorted(os.listdir(folder)):
        if name.startswith(prefix):
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                text += f.read()
    return text


def indent(text, limit=400):
    lines = text.splitlines()
    if len(lines) > limit:
        lines = lines[:limit // 2] + [f"... ({len(lines) - limit} lines left out) ..."] + lines[-limit // 2:]
    return "\n".join("    " + l for l in lines) if lines else "    (empty)"


# Valgrind counts every word of its client as a possible pointer, including
# words it cannot know are stale: a vector register saved by the lazy-binding
# trampoline, a libc variable left over from start-up. Such a word holds the
# same value whatever the heap layout, so when it happens to fall inside a
# scenario's block (seen once in CI: 730 bytes "possibly lost" that the
# program never pointed into) it no longer does in another layout. A pointer
# the program really holds follows its block in every layout. So a
# disagreement counts only when valgrind disagrees in each of these layouts
# (memcheck's --redzone-size moves every block but the first; wide redzones
# also leave less of the heap inside blocks for a stray word to hit).
VALGRIND_LAYOUTS = ([], ["--redzone-size=256"], ["--redzone-size=1024"])


def valgrind_oracle(scn, exe, work):
    """Runs valgrind on the scenario in each heap layout until one agrees
    with the EXPECT lines. Returns (log text, summaries, problems) of the
    agreeing run, or of the first run with its problems when none agrees."""
    first = None
    for n, layout in enumerate(VALGRIND_LAYOUTS):
        vg_dir = os.path.join(work, f"vg{n}")
        os.mkdir(vg_dir)
        cmd = (["valgrind", "--leak-check=full", "--show-leak-kinds=all",
                f"--log-file={vg_dir}/vg.%p.log"] + layout + (scn.oracle or []) + [exe] + scn.args)
        rc, _, _ = run(cmd, clean_env(), VALGRIND_TIMEOUT, work)
        text = read_logs(vg_dir, "vg.")
        reports = parse_reports(text)
        summaries = [s for _, _, s in reports]
        problems = valgrind_disagreements(scn, rc, reports, summaries)
        if not problems:
            return text, summaries, []
        if first is None:
            first = (text, summaries, problems)
        if rc is None or not reports:
            break       # a timeout or a missing report is not a layout accident
    text, summaries, problems = first
    if len(VALGRIND_LAYOUTS) > 1 and problems:
        problems[-1] += f" (in every heap layout tried: {len(VALGRIND_LAYOUTS)})"
    return text, summaries, problems


def valgrind_disagreements(scn, rc, reports, summaries):
    """Where one valgrind run contradicts the scenario's EXPECT lines."""
    problems = []
    if rc is None:
        problems.append(f"valgrind run timed out after {VALGRIND_TIMEOUT} s")
    if not reports:
        problems.append(f"valgrind wrote no report ({status_text(rc)})")
    elif not assign(summaries, scn.slots()):
        problems.append("EXPECT lines disagree with valgrind (the scenario or the valgrind "
                        "version is wrong): valgrind says " +
                        " | ".join(fmt_summary(s) for s in summaries))
    # The record and line expectations must hold for valgrind too
    # (with --show-leak-kinds=all it shows every record).
    for r in scn.records:
        if reports and not find_record(reports, r):
            problems.append(f"EXPECT-RECORD disagrees with valgrind: it shows no record '{r[0]}' "
                            f"with leading frames {' | '.join(r[1])}")
    for want in scn.lines:
        if reports and not find_line(reports, want) and not vg_only_differs(want):
            problems.append(f"EXPECT-LINE disagrees with valgrind: no line contains {want!r}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib")
    ap.add_argument("--cli")
    ap.add_argument("--exe")
    ap.add_argument("--src")
    ap.add_argument("--valgrind-only", action="store_true")
    ap.add_argument("--no-oracle", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--variant", help="the build variant (gcc-O0 ...): selects KNOWN-FAIL lines")
    ap.add_argument("--compile", metavar="OUT", help="build SRC into OUT instead of running it")
    ap.add_argument("--cc", help="with --compile: the C compiler")
    ap.add_argument("--cxx", help="with --compile: the C++ compiler")
    ap.add_argument("--opt", help="with --compile: the optimisation level (0, 2)")
    ap.add_argument("--list-variants", nargs="+", metavar="SRC",
                    help="print 'SRC|VARIANT' for each variant each scenario is built in "
                         "(--variant: comma-separated candidates); no --exe needed")
    a = ap.parse_args()
    if a.list_variants:
        return list_variants(a.list_variants, (a.variant or ",".join(ALL_VARIANTS)).split(","))
    if not a.src:
        ap.error("--src is required")
    if a.compile:
        return compile_main(a)
    if not a.exe:
        ap.error("--exe is required")

    name = os.path.splitext(os.path.basename(a.src))[0]
    try:
        scn = Scenario(a.src)
    except (ScenarioError, OSError) as e:
        print(f"scenario {name}: BROKEN SCENARIO: {e}")
        return 2
    exe = os.path.abspath(a.exe)
    if not os.access(exe, os.X_OK):
        print(f"scenario {name}: program not found or not executable: {exe}")
        return 2

    if not a.valgrind_only and (not a.lib or not os.path.exists(a.lib)):
        print(f"scenario {name}: FAIL: library not found: {a.lib!r} (build libleaktrace.so first)")
        return 2

    failures = []   # the shim got something wrong (a KNOWN-FAIL may expect it)
    broken = []     # the scenario is wrong: valgrind or the plain run disagrees with it
    notes = []
    work = tempfile.mkdtemp(prefix=f"lt-scenario-{name}-")
    shim_text = vg_text = ""
    try:
        # ---- valgrind, the oracle
        vg_summaries = None
        if a.valgrind_only and scn.oracle is None:
            print(f"scenario {name}: SKIP (no ORACLE line: its EXPECT lines are stated semantics)")
            return 0
        want_oracle = scn.oracle is not None and not a.no_oracle
        if want_oracle and shutil.which("valgrind") is None:
            notes.append("valgrind is not installed: oracle comparison skipped")
            want_oracle = False
            if a.valgrind_only:
                print(f"scenario {name}: valgrind not installed")
                return 2
        if want_oracle:
            vg_text, vg_summaries, problems = valgrind_oracle(scn, exe, work)
            broken += problems

        if a.valgrind_only:
            return finish(name, broken, [], notes, "", vg_text, a.verbose,
                          "valgrind: " + " | ".join(fmt_summary(s) for s in (vg_summaries or [])))

        # ---- plain run
        lib = os.path.abspath(a.lib)
        prc, pout, perr = run([exe] + scn.args, clean_env(), RUN_TIMEOUT, work)
        if prc is None:
            broken.append(f"plain run (no shim) timed out after {RUN_TIMEOUT} s")
        elif prc != scn.plain_exit:
            broken.append(f"plain run (no shim): {status_text(prc)}, expected {status_text(scn.plain_exit)}"
                            + (f"\n  its stderr:\n{indent(perr, 40)}" if perr else ""))

        # ---- shim run
        lt_dir = os.path.join(work, "lt")
        os.mkdir(lt_dir)
        # {srcdir}: the scenario's folder (e.g. for a suppression file).
        options = [o.replace("{srcdir}", os.path.dirname(os.path.abspath(a.src))) for o in scn.options]
        if scn.log_file:
            options.append(f"--log-file={lt_dir}/lt.%p.log")
        env = clean_env()
        if scn.launch == "cli":
            if not a.cli or not os.access(a.cli, os.X_OK):
                print(f"scenario {name}: FAIL: leaktrace command not found: {a.cli!r}")
                return 2
            cmd = [os.path.abspath(a.cli)] + options + ["--", exe] + scn.args
            how = " ".join(cmd)
        else:
            env["LD_PRELOAD"] = lib
            if options:
                env["LEAKTRACE_OPTIONS"] = " ".join(options)
            cmd = [exe] + scn.args
            how = f"LD_PRELOAD={lib} " + (f"LEAKTRACE_OPTIONS='{env['LEAKTRACE_OPTIONS']}' " if options else "") + " ".join(cmd)
        src, sout, serr = run(cmd, env, RUN_TIMEOUT, work)
        shim_text = serr + (read_logs(lt_dir, "lt.") if scn.log_file else "")
        if src is None:
            failures.append(f"run under the shim timed out after {RUN_TIMEOUT} s")
        elif src < 0 and src != scn.exit:
            failures.append(f"run under the shim CRASHED: {status_text(src)}")
        elif src != scn.exit:
            failures.append(f"run under the shim: {status_text(src)}, expected {status_text(scn.exit)}")

        if not scn.nondeterministic and prc is not None and src is not None and sout != pout:
            failures.append("stdout under the shim differs from the plain run:\n  plain:\n"
                            + indent(pout, 40) + "\n  shim:\n" + indent(sout, 40))

        reports = parse_reports(shim_text)
        summaries = [s for _, _, s in reports]
        if scn.no_report:
            if reports:
                failures.append(f"{len(reports)} leak report(s) found, expected none (EXPECT-NO-REPORT)")
        elif not reports:
            failures.append("no leak report found (no '==PID== HEAP SUMMARY:' / 'LEAK SUMMARY:' / "
                            f"'{NO_LEAKS}' lines" + (" in the log files" if scn.log_file else " on stderr")
                            + f"; is {lib} a working libleaktrace?)")
        else:
            if len(reports) != scn.processes:
                failures.append(f"{len(reports)} report(s) found (PIDs {', '.join(p for p, _, _ in reports)}), "
                                f"expected {scn.processes}")
            for pid, _, s in reports:
                if s is None:
                    failures.append(f"report of PID {pid} has no complete LEAK SUMMARY")
            if len(reports) == scn.processes and not assign(summaries, scn.slots()):
                want = [" or ".join(fmt_summary(x) for x in alts) for alts in scn.slots()]
                failures.append("LEAK SUMMARY differs from EXPECT:\n" +
                                "\n".join(f"    shim:     {fmt_summary(s)}" for s in summaries) + "\n" +
                                "\n".join(f"    expected: {w}" for w in want) +
                                diff_kinds(summaries, scn.slots()))
            if vg_summaries and not same_multiset(summaries, vg_summaries):
                failures.append("LEAK SUMMARY differs from valgrind's:\n" +
                                "\n".join(f"    shim:     {fmt_summary(s)}" for s in summaries) + "\n" +
                                "\n".join(f"    valgrind: {fmt_summary(s)}" for s in vg_summaries))
            for r in scn.records:
                if not find_record(reports, r):
                    failures.append(f"no loss record '{r[0]}' with leading frames {' | '.join(r[1])}"
                                    + near_records(reports, r))
            for want in scn.lines:
                if not find_line(reports, want):
                    failures.append(f"no report line contains {want!r}")

        ok_line = "shim: " + " | ".join(fmt_summary(s) for s in summaries)
        if vg_summaries is not None:
            ok_line += "; valgrind agrees" if not failures and not broken else ""
        return finish(name, broken, failures, notes, shim_text, vg_text, a.verbose, ok_line, how,
                      scn.known_failure(a.variant))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def list_variants(sources, candidates):
    """For CMake: one line "SRC|VARIANT" per build to make and test."""
    status = 0
    for src in sources:
        try:
            scn = Scenario(src)
        except (ScenarioError, OSError) as e:
            print(f"BROKEN SCENARIO: {e}", file=sys.stderr)
            status = 2
            continue
        for v in candidates:
            if scn.builds(v):
                print(f"{src}|{v}")
    return status


def compile_main(a):
    """Builds one variant of a scenario: -O<n> -g -fno-omit-frame-pointer
    -Wall -Wextra, the scenario's CFLAGS, -pthread -ldl and its LIBS. Each
    BUILD-DSO STEM SOURCE [link] [flags] is built first, with the same
    compiler and level, into OUT-STEM.so; its path is the macro SCN_DSO_STEM
    (for dlopen), and with 'link' the program is linked against it (rpath
    $ORIGIN). SOURCE is relative to the scenario's folder."""
    try:
        scn = Scenario(a.src)
    except (ScenarioError, OSError) as e:
        print(f"scenario {a.src}: BROKEN SCENARIO: {e}", file=sys.stderr)
        return 2
    srcdir = os.path.dirname(os.path.abspath(a.src))
    out = os.path.abspath(a.compile)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    pick = lambda f: a.cxx if f.endswith((".cpp", ".cc")) else a.cc
    base = [f"-O{a.opt or 0}", "-g", "-fno-omit-frame-pointer", "-Wall", "-Wextra", "-I", srcdir]
    defs, link = [], []
    for stem, dsrc, dolink, flags in scn.dsos:
        so = f"{out}-{stem}.so"
        cmd = [pick(dsrc)] + base + ["-shared", "-fPIC"] + flags + \
              ["-o", so, os.path.join(srcdir, dsrc), f"-Wl,-soname,{os.path.basename(so)}"]
        if subprocess.call(cmd) != 0:
            print("failed: " + " ".join(map(shlex.quote, cmd)), file=sys.stderr)
            return 1
        defs.append(f'-DSCN_DSO_{stem.upper()}="{so}"')
        if dolink:
            link += [so, "-Wl,-rpath,$ORIGIN"]
    cmd = [pick(a.src)] + base + defs + scn.cflags + ["-o", out, os.path.abspath(a.src)] + link + \
          ["-pthread", "-ldl"] + scn.libs
    if subprocess.call(cmd) != 0:
        print("failed: " + " ".join(map(shlex.quote, cmd)), file=sys.stderr)
        return 1
    return 0


def vg_only_differs(line):
    """Lines that legitimately differ between the oracle run (always
    --show-leak-kinds=all) and the shim run (the scenario's own options)."""
    return "ERROR SUMMARY" in line


def diff_kinds(summaries, slots):
    if len(summaries) != 1 or len(slots) != 1:
        return ""
    got = summaries[0]
    if got is None:
        return ""
    def differs(k, w):
        return not (value_matches(got[k][0], w[k][0]) and value_matches(got[k][1], w[k][1]))
    best = min(slots[0], key=lambda w: sum(differs(k, w) for k in KINDS))
    diffs = [f"{k}: shim {got[k][0]:,}/{got[k][1]:,} vs expected {fmt_value(best[k][0])}/{fmt_value(best[k][1])}"
             for k in KINDS if differs(k, best)]
    return ("\n    differs in " + "; ".join(diffs)) if diffs else ""


def record_header_matches(have, want):
    if " in loss record " in want:
        return have == want
    return have.split(" in loss record ")[0] == want


def find_record(reports, r):
    want_header, want_fns = r
    for _, lines, _ in reports:
        for rec in parse_records(lines):
            if record_header_matches(rec["header"], want_header):
                if frames_match([fn for fn, _ in rec["frames"]], want_fns):
                    return True
    return False


def frames_match(fns, want):
    """True if the record's leading function names match the pattern: each
    item names one frame exactly, '*' is any one frame, '...' any number of
    frames (zero or more); frames after the pattern are not compared."""
    if not want:
        return True
    if want[0] == "...":
        return any(frames_match(fns[i:], want[1:]) for i in range(len(fns) + 1))
    if not fns:
        return False
    return (want[0] == "*" or want[0] == fns[0]) and frames_match(fns[1:], want[1:])


def near_records(reports, r):
    """Shows the records whose header matches, or all headers, as a hint."""
    out = []
    for pid, lines, _ in reports:
        for rec in parse_records(lines):
            if record_header_matches(rec["header"], r[0]):
                out.append(f"      PID {pid}: {rec['header']}: " + " | ".join(fn for fn, _ in rec["frames"]))
    if not out:
        for pid, lines, _ in reports:
            out += [f"      PID {pid}: {rec['header']}" for rec in parse_records(lines)]
        return ("\n    records shown:\n" + "\n".join(out)) if out else "\n    (no loss records shown)"
    return "\n    records with that header:\n" + "\n".join(out)


def find_line(reports, want):
    w = squash(want)
    return any(w in squash(l) for _, lines, _ in reports for l in lines)


def finish(name, broken, failures, notes, shim_text, vg_text, verbose, ok_line, how="", known=None):
    """Prints the verdict; 0 = pass. A scenario-level problem (broken) always
    fails. With a KNOWN-FAIL reason for this variant, shim failures pass (and
    are listed), while a clean run FAILS so that the stale marker is removed."""
    for n in notes:
        print(f"scenario {name}: NOTE: {n}")
    if known is not None and not broken:
        if failures:
            print(f"scenario {name}: PASS (KNOWN-FAIL: {known})")
            for f in failures:
                print("  - still fails: " + f.splitlines()[0])
            if verbose:
                print("  shim report:\n" + indent(shim_text))
            return 0
        print(f"scenario {name}: FAIL: fixed: remove KNOWN-FAIL ({known}) for this variant")
        print(f"  ({ok_line})")
        return 1
    if not failures and not broken:
        print(f"scenario {name}: PASS ({ok_line})")
        if verbose:
            print("  shim report:\n" + indent(shim_text))
            if vg_text:
                print("  valgrind report:\n" + indent(vg_text))
        return 0
    print(f"scenario {name}: FAIL" + (" (BROKEN SCENARIO: it disagrees with valgrind or the plain run)"
                                     if broken else ""))
    if how:
        print(f"  ran: {how}")
    for f in broken + failures:
        print("  - " + f)
    print("  shim output (stderr, then log files):")
    print(indent(shim_text))
    if vg_text:
        print("  valgrind report:")
        print(indent(vg_text))
    return 1

if __name__ == "__main__":
    sys.exit(main())
