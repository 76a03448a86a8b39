#!/usr/bin/env python3
"""Valgrind XML output (--xml=yes, protocol 4) compared with valgrind 3.19's.

usage: test_xml.py --lib LIB --cli CLI --build BUILD_DIR --src SOURCE_DIR [--keep]

Builds (gcc/g++ -g -O0, in a temporary folder) a C program and a C++ program
(the C++ source sits in a directory named `src&<x>`, and the programs get
the arguments `a&b <c> "q"`, so <dir>, <argv> and C++ names need escaping),
then runs each under
  valgrind --xml=yes --xml-file=D/%p.xml --leak-check=full ...
  LEAKTRACE_OPTIONS="--xml=yes --xml-file=D/%p.xml ..." LD_PRELOAD=LIB ...
  CLI --xml=yes --xml-file=D/%p.xml ...
and requires, for the shim and the launcher:
  - exactly one XML file per process, named after its pid (%p), that
    xmllint --noout accepts (ElementTree when xmllint is missing);
  - nothing of the report on the text channel (stderr), as valgrind;
  - the document equal to valgrind's once the values that must differ are
    masked: <ip>, <pid>, <ppid>, <time>, the <preamble> lines, the <vargv>
    words and frame 0's <obj> (our library vs vgpreload_memcheck). So every
    <error> (unique, kind, <text>, leakedbytes, leakedblocks, every frame's
    obj/fn/dir/file/line), the status blocks, errorcounts, suppcounts, the
    argv and all blank lines are compared; on a mismatch the error lists are
    compared element by element and a diff is printed.
Cases: default kinds; --show-leak-kinds=all; -q; --gen-suppressions=all
(the <suppression> twice per record); a fork (one file per process); abort()
(<fatal_signal>); a program that frees everything; the C++ program;
--exit-on-first-error=yes --error-exitcode=3 (the document ends after the
first <error>, "Exit program on first error" on stderr, exit status 3).
Suppressions round trip: the <rawtext> of every generated <suppression> is
written to a .supp file, and a rerun with --suppressions=it (shim and
valgrind) shows no <error>, with the same <suppcounts> as valgrind.
Text channel: --log-file with --xml=yes leaves the log file empty (or
absent); --xml=yes without --xml-file prints valgrind's "--xml=yes has been
specified, but there is no XML output destination" message and no report.
CTest: a CMake project with one leaking test, `ctest -T memcheck` with
MEMORYCHECK_TYPE=Valgrind and MEMORYCHECK_COMMAND=CLI reports it as
"Memory Leak - 1" (and the clean test without defects), as it does with
MEMORYCHECK_COMMAND=valgrind; skipped when cmake/ctest are missing.

When valgrind is missing the comparisons are skipped (the rest still runs);
gcc and g++ are required. Exit 0 = pass.
"""
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from harness import arg_parser, clean_env

C_PROGRAM = r'''
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

struct node { struct node *next; long pad[3]; };     /* 32 bytes */

void *kept_global;                 /* still reachable */
char *inside;                      /* interior pointer: possibly lost */
static void *volatile sink;

static NOINLINE void *launder_ptr(void *p) { sink = p; p = sink; sink = NULL; return p; }
static NOINLINE void *filled(size_t n) { void *p = malloc(n); memset(p, 0x5a, n); return p; }

static NOINLINE void scrub(void)
{
    volatile char pad[32768];
    memset((char *)pad, 0, sizeof pad);
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx,%%ebx\n\txor %%r12d,%%r12d\n\txor %%r13d,%%r13d\n\t"
                     "xor %%r14d,%%r14d\n\txor %%r15d,%%r15d" ::: "rbx", "r12", "r13", "r14", "r15", "memory");
#endif
}

static NOINLINE void leak_direct(void) { launder_ptr(filled(1201)); }

static NOINLINE void leak_chain(void)
{
    struct node *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b), *c = calloc(1, sizeof *c);
    a->next = b;
    b->next = c;
    launder_ptr(a);
}

static NOINLINE void keep_interior(void) { inside = (char *)filled(203) + 17; }
static NOINLINE void keep_whole(void) { kept_global = filled(4099); }

static NOINLINE void level3(void) { launder_ptr(filled(77)); }
static NOINLINE void level2(void) { level3(); }
static NOINLINE void level1(void) { level2(); }

static NOINLINE void leak_many(void)
{
    for (int i = 0; i < 3; i++)
        launder_ptr(filled(40));
}

static NOINLINE void child_leak(void) { launder_ptr(filled(555)); }

static NOINLINE void die(void) { abort(); }

int main(int argc, char **argv)
{
    const char *mode = getenv("XML_TEST_MODE");
    mode = mode ? mode : "leak";
    if (strcmp(mode, "none") == 0) {
        free(filled(10));
        return 0;
    }
    if (strcmp(mode, "fork") == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            child_leak();
            scrub();
            exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
    }
    keep_whole();
    leak_direct();
    leak_chain();
    keep_interior();
    level1();
    leak_many();
    free(filled(1000));
    scrub();
    if (strcmp(mode, "abort") == 0)
        die();
    (void)argc;
    (void)argv;
    return 0;
}
'''

CXX_PROGRAM = r'''
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#define NOINLINE __attribute__((noinline))

static void *volatile sink;
static NOINLINE void *launder_ptr(void *p) { sink = p; p = sink; sink = nullptr; return p; }

static NOINLINE void scrub()
{
    volatile char pad[32768];
    memset((char *)pad, 0, sizeof pad);
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx,%%ebx\n\txor %%r12d,%%r12d\n\txor %%r13d,%%r13d\n\t"
                     "xor %%r14d,%%r14d\n\txor %%r15d,%%r15d" ::: "rbx", "r12", "r13", "r14", "r15", "memory");
#endif
}

template <typename K, typename V> struct Table {
    static NOINLINE std::pair<K, V> *make(int n) { return new std::pair<K, V>[n](); }
};

struct Amp { int v; };
NOINLINE void *operator&(const Amp &, int n)
{
    void *p = malloc(n);
    memset(p, 0, n);
    return p;
}

struct Obj { long a[7]; };                         // 56 bytes
namespace app {
struct Factory { static NOINLINE Obj *make() { return new Obj(); } };
}

std::vector<int> *kept_vector;

static NOINLINE void leak_table() { launder_ptr(Table<int, long>::make(9)); }
static NOINLINE void leak_amp() { Amp a{1}; launder_ptr(a & 45); }
static NOINLINE void leak_object() { launder_ptr(app::Factory::make()); }
static NOINLINE void leak_vector() { launder_ptr(new std::vector<long>(33)); }
static NOINLINE void keep_vector() { kept_vector = new std::vector<int>(70); }

int main()
{
    keep_vector();
    leak_table();
    leak_amp();
    leak_object();
    leak_vector();
    scrub();
    return 0;
}
'''

ARGS = ["a&b", "<c>", '"q"']
failures = []
notes = []
last_run = {}      # (tag, how) -> (exit status, stderr)


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def run(cmd, env, cwd, timeout=300):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def compile_program(compiler, source_text, rel_path, work):
    src = os.path.join(work, rel_path)
    os.makedirs(os.path.dirname(src), exist_ok=True)
    exe = os.path.join(work, os.path.splitext(os.path.basename(rel_path))[0])
    with open(src, "w") as f:
        f.write(source_text)
    # The source is named relatively, from `work`: DWARF then says
    # comp_dir=work, name=rel_path, and both tools print <dir>work/src&<x></dir>.
    r = subprocess.run([compiler, "-g", "-O0", "-o", exe, rel_path], cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError(f"{compiler} failed on {rel_path}:\n{r.stdout.decode()}")
    return exe


def well_formed(path):
    """None if the file is well-formed XML, else the parser's complaint."""
    if shutil.which("xmllint"):
        r = subprocess.run(["xmllint", "--noout", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return None if r.returncode == 0 else r.stdout.decode("utf-8", "replace")
    try:
        ET.parse(path)
        return None
    except ET.ParseError as e:
        return str(e)


def normalize(text):
    """The document with the values that must differ masked."""
    s = re.sub(r"<ip>0x[0-9A-F]+</ip>", "<ip>IP</ip>", text)
    s = re.sub(r"<(pid|ppid)>\d+</\1>", r"<\1>N</\1>", s)
    s = re.sub(r"<time>[^<]*</time>", "<time>T</time>", s)
    s = re.sub(r"<preamble>.*?</preamble>", "<preamble>...</preamble>", s, flags=re.S)
    s = re.sub(r"<vargv>.*?</vargv>", "<vargv>...</vargv>", s, flags=re.S)
    s = re.sub(r"<obj>[^<]*/(vgpreload_memcheck-[a-z0-9-]+|libleaktrace[^/<]*)\.so</obj>", "<obj>TOOL</obj>", s)
    return s


def errors_of(root):
    """[(unique, kind, text, bytes, blocks, [(obj, fn, dir, file, line)...])] of a parsed document."""
    out = []
    for e in root.findall("error"):
        frames = []
        for f in e.findall("stack/frame"):
            frames.append(tuple(f.findtext(t) for t in ("obj", "fn", "dir", "file", "line")))
        out.append((e.findtext("unique"), e.findtext("kind"), e.findtext("xwhat/text"),
                    e.findtext("xwhat/leakedbytes"), e.findtext("xwhat/leakedblocks"), frames))
    return out


def explain(vroot, sroot):
    """Element-by-element differences of two documents' error lists."""
    why = []
    ve, se = errors_of(vroot), errors_of(sroot)
    if len(ve) != len(se):
        why.append(f"valgrind has {len(ve)} <error>s, libleaktrace {len(se)}")
    for i, (a, b) in enumerate(zip(ve, se)):
        for name, x, y in zip(("unique", "kind", "text", "leakedbytes", "leakedblocks"), a[:5], b[:5]):
            if x != y:
                why.append(f"error {i}: <{name}> valgrind {x!r} vs {y!r}")
        fa, fb = a[5], b[5]
        if len(fa) != len(fb):
            why.append(f"error {i} ({a[2]}): {len(fa)} frames vs {len(fb)}")
        for k, (x, y) in enumerate(zip(fa, fb)):
            x, y = (x[1:] if k == 0 else x), (y[1:] if k == 0 else y)   # frame 0's obj differs
            if x != y:
                why.append(f"error {i} frame {k}: valgrind {x} vs {y}")
    return why


def xml_files(d):
    return sorted(glob.glob(os.path.join(d, "*.xml")))


def shim_env(lib, opts, mode):
    env = clean_env("XML_TEST_MODE")
    env["LD_PRELOAD"] = lib
    env["LEAKTRACE_OPTIONS"] = " ".join(opts)
    if mode:
        env["XML_TEST_MODE"] = mode
    return env


REPORT_TEXT = re.compile(r"HEAP SUMMARY|LEAK SUMMARY|ERROR SUMMARY|are definitely lost|are possibly lost|"
                         r"in loss record|leaktrace-\d|<valgrindoutput>")


def run_ours(how, exe, lib, cli, work, tag, extra, mode, nproc=1):
    """Runs `exe` under the shim (how='shim') or the launcher (how='cli') with
    --xml=yes; checks the files and the text channel. Returns {pid: text}."""
    d = os.path.join(work, f"{tag}.{how}")
    os.makedirs(d, exist_ok=True)
    xml_opts = ["--xml=yes", f"--xml-file={d}/%p.xml"] + extra
    label = f"{tag} ({how})"
    if how == "shim":
        rc, _, err = run([exe] + ARGS, shim_env(lib, xml_opts, mode), work)
    else:
        env = clean_env("XML_TEST_MODE")
        if mode:
            env["XML_TEST_MODE"] = mode
        rc, _, err = run([cli] + xml_opts + [exe] + ARGS, env, work)
    last_run[(tag, how)] = (rc, err)
    files = xml_files(d)
    if not files:
        fail(f"{label}: no XML file written in {d} (exit status {rc}); is lt_report_xml called from "
             f"write_report when --xml=yes? stderr:\n{err}")
        return {}
    if len(files) != nproc:
        fail(f"{label}: {len(files)} XML files, expected {nproc}: {files}")
    docs = {}
    for f in files:
        base = os.path.basename(f)
        if not re.fullmatch(r"\d+\.xml", base):
            fail(f"{label}: {base}: %p was not replaced by the pid")
            continue
        bad = well_formed(f)
        if bad:
            fail(f"{label}: {base} is not well-formed XML:\n{bad}")
            continue
        text = open(f, encoding="utf-8").read()
        root = ET.fromstring(text)
        if root.findtext("pid") != base[:-4]:
            fail(f"{label}: {base}: <pid>{root.findtext('pid')}</pid> is not the file's pid")
        docs[int(base[:-4])] = text
    # Valgrind writes nothing of the report on the text channel in XML mode.
    leaked = [l for l in err.splitlines() if REPORT_TEXT.search(l)]
    if leaked:
        fail(f"{label}: report text on stderr with --xml=yes:\n" + "\n".join(leaked[:10]))
    return docs


def run_valgrind(exe, work, tag, extra, mode):
    d = os.path.join(work, f"{tag}.vg")
    os.makedirs(d, exist_ok=True)
    env = clean_env("XML_TEST_MODE")
    if mode:
        env["XML_TEST_MODE"] = mode
    last_run[(tag, "valgrind")] = run(["valgrind", "--xml=yes", f"--xml-file={d}/%p.xml", "--leak-check=full"]
                                      + extra + [exe] + ARGS, env, work)[::2]
    docs = {}
    for f in xml_files(d):
        docs[int(os.path.basename(f)[:-4])] = open(f, encoding="utf-8").read()
    return docs


def pair_docs(vdocs, sdocs):
    """Matches processes: by pid order (parent first = lowest pid, as fork
    children get later pids). Returns [(vtext, stext)]."""
    return list(zip([vdocs[k] for k in sorted(vdocs)], [sdocs[k] for k in sorted(sdocs)]))


def compare(label, vdocs, sdocs):
    if len(vdocs) != len(sdocs):
        fail(f"{label}: valgrind wrote {len(vdocs)} XML files, libleaktrace {len(sdocs)}")
        return
    for i, (v, s) in enumerate(pair_docs(vdocs, sdocs)):
        vn, sn = normalize(v), normalize(s)
        if vn == sn:
            continue
        why = explain(ET.fromstring(v), ET.fromstring(s))
        diff = "\n".join(difflib.unified_diff(vn.splitlines(), sn.splitlines(), "valgrind", "libleaktrace",
                                              n=2, lineterm=""))
        fail(f"{label} (process {i + 1}): documents differ" + "".join("\n  - " + w for w in why[:20]) +
             "\n  normalized diff (valgrind -> libleaktrace):\n" + "\n".join("    " + l for l in diff.splitlines()[:150]))


def check_case(exe, lib, cli, work, tag, extra, mode=None, nproc=1, have_vg=True, hows=("shim", "cli")):
    vdocs = run_valgrind(exe, work, tag, extra, mode) if have_vg else None
    if have_vg and len(vdocs) != nproc:
        fail(f"{tag}: valgrind wrote {len(vdocs)} XML files, expected {nproc}")
    result = {}
    for how in hows:
        sdocs = run_ours(how, exe, lib, cli, work, tag, extra, mode, nproc)
        result[how] = sdocs
        if sdocs and have_vg:
            compare(f"{tag} ({how})", vdocs, sdocs)
    return vdocs, result


def suppressions_of(text):
    """The <rawtext> of each generated suppression (each is written twice)."""
    root = ET.fromstring(text)
    raws = [s.findtext("rawtext").strip() + "\n" for s in root.iter("suppression")]
    return raws


def check_gen_suppressions(exe, lib, cli, work, have_vg):
    tag = "c_gen"
    vdocs, res = check_case(exe, lib, cli, work, tag, ["--gen-suppressions=all"], have_vg=have_vg, hows=("shim",))
    sdocs = res.get("shim") or {}
    if not sdocs:
        return
    text = next(iter(sdocs.values()))
    root = ET.fromstring(text)
    nerr = len(root.findall("error"))
    raws = suppressions_of(text)
    if nerr == 0 or len(raws) != 2 * nerr:
        fail(f"{tag}: {len(raws)} <suppression>s for {nerr} <error>s; valgrind 3.19 writes each twice")
    for e in root.findall("error"):
        if e.find("suppression") is None:
            fail(f"{tag}: an <error> without its <suppression>")
    # Round trip: the generated entries suppress every shown record.
    supp = os.path.join(work, "generated.supp")
    with open(supp, "w") as f:
        for i, r in enumerate(raws[::2]):
            f.write(r.replace("<insert_a_suppression_name_here>", f"gen_{i}"))
    tag2 = "c_supp"
    vdocs2, res2 = check_case(exe, lib, cli, work, tag2, [f"--suppressions={supp}"], have_vg=have_vg,
                              hows=("shim",))
    for how, docs in [("shim", res2.get("shim") or {})] + ([("valgrind", vdocs2)] if have_vg else []):
        for t in docs.values():
            r = ET.fromstring(t)
            left = errors_of(r)
            if left:
                fail(f"{tag2} ({how}): {len(left)} <error>s left after suppressing with the generated "
                     f"suppressions: {[e[2] for e in left]}")
            counts = sum(int(p.findtext("count")) for p in r.findall("suppcounts/pair"))
            if counts != nerr:
                fail(f"{tag2} ({how}): <suppcounts> count {counts}, expected {nerr}")


def check_exit_on_first_error(exe, lib, cli, work, have_vg):
    """--exit-on-first-error=yes: the document ends after the first <error>,
    the text channel says so, the exit status is --error-exitcode."""
    tag = "c_first_error"
    check_case(exe, lib, cli, work, tag, ["--exit-on-first-error=yes", "--error-exitcode=3"], have_vg=have_vg,
               hows=("shim",))
    line = "Exit program on first error (--exit-on-first-error=yes)"
    for how in ("shim",) + (("valgrind",) if have_vg else ()):
        if (tag, how) not in last_run:
            continue
        rc, err = last_run[(tag, how)]
        if rc != 3:
            fail(f"{tag} ({how}): exit status {rc}, expected 3 (--error-exitcode)")
        if not re.search(r"^==\d+== " + re.escape(line) + "$", err, re.M):
            fail(f"{tag} ({how}): no '{line}' on stderr:\n{err}")


def check_text_channel(exe, lib, cli, work):
    # --log-file next to --xml=yes: valgrind creates the log file and leaves it empty.
    d = os.path.join(work, "logfile")
    os.makedirs(d, exist_ok=True)
    log = os.path.join(d, "log.txt")
    rc, _, err = run([exe] + ARGS, shim_env(lib, ["--xml=yes", f"--xml-file={d}/%p.xml",
                                                   f"--log-file={log}"], None), work)
    if os.path.exists(log) and os.path.getsize(log) > 0:
        fail("--xml=yes --log-file: the log file holds text (valgrind leaves it empty):\n"
             + open(log, errors="replace").read()[:2000])
    if not xml_files(d):
        fail("--xml=yes --log-file: no XML file written")
    # --xml=yes without a destination.
    rc, _, err = run([cli, "--xml=yes", exe] + ARGS, clean_env("XML_TEST_MODE"), work)
    if "--xml=yes has been specified, but there is no XML output" not in err:
        fail(f"--xml=yes without --xml-file: valgrind's message missing (exit status {rc}); stderr:\n{err}")
    leaked = [l for l in err.splitlines() if REPORT_TEXT.search(l)]
    if leaked:
        fail("--xml=yes without --xml-file: a report on stderr:\n" + "\n".join(leaked[:10]))
    notes.append(f"--xml=yes without --xml-file: exit status {rc} "
                 f"({'refused' if rc == 1 else 'ran the program, as valgrind 3.19 does'})")


CTEST_PROJECT = r'''
cmake_minimum_required(VERSION 3.13)
project(lt_ctest_memcheck C)
include(CTest)
add_executable(leaky leaky.c)
add_test(NAME leaky COMMAND leaky)
add_executable(noleak noleak.c)
add_test(NAME noleak COMMAND noleak)
'''

CTEST_LEAKY = r'''
#include <stdlib.h>
#include <string.h>
static void *volatile sink;
static __attribute__((noinline)) void lose(void) { char *p = malloc(100); memset(p, 1, 100); sink = p; sink = 0; }
int main(void) { lose(); return 0; }
'''

CTEST_NOLEAK = r'''
#include <stdlib.h>
int main(void) { free(malloc(10)); return 0; }
'''


def ctest_memcheck(work, command, tag):
    """Configures, builds and runs `ctest -T memcheck` with MEMORYCHECK_COMMAND=command.
    Returns (ctest output, DynamicAnalysis.xml text) or None after a failure."""
    proj = os.path.join(work, "ctest_proj")
    if not os.path.exists(proj):
        os.makedirs(proj)
        for name, text in (("CMakeLists.txt", CTEST_PROJECT), ("leaky.c", CTEST_LEAKY), ("noleak.c", CTEST_NOLEAK)):
            with open(os.path.join(proj, name), "w") as f:
                f.write(text)
    b = os.path.join(work, f"ctest_{tag}")
    env = clean_env("XML_TEST_MODE")
    rc, out, err = run(["cmake", "-S", proj, "-B", b, "-DCMAKE_BUILD_TYPE=Debug",
                        f"-DMEMORYCHECK_COMMAND={command}", "-DMEMORYCHECK_TYPE=Valgrind"], env, work)
    if rc != 0:
        fail(f"ctest ({tag}): cmake configure failed:\n{out}\n{err}")
        return None
    rc, out, err = run(["cmake", "--build", b], env, work)
    if rc != 0:
        fail(f"ctest ({tag}): build failed:\n{out}\n{err}")
        return None
    rc, out, err = run(["ctest", "-T", "memcheck"], env, b)
    dyn = glob.glob(os.path.join(b, "Testing", "*", "DynamicAnalysis.xml"))
    return out + err, (open(dyn[0]).read() if dyn else "")


def check_ctest(cli, work, have_vg):
    if not (shutil.which("cmake") and shutil.which("ctest")):
        print("test_xml: SKIP ctest -T memcheck: cmake/ctest not installed")
        return
    got = ctest_memcheck(work, cli, "leaktrace")
    if got is None:
        return
    out, dyn = got
    ok = True
    if not re.search(r"MemCheck: #1: leaky \.*\s+Defects: 1\b", out):
        fail(f"ctest -T memcheck (leaktrace): the leaking test is not reported with 1 defect:\n{out}")
        ok = False
    if re.search(r"MemCheck: #2: noleak \.*\s+Defects:", out):
        fail(f"ctest -T memcheck (leaktrace): the clean test has defects:\n{out}")
        ok = False
    if not re.search(r"^Memory Leak - 1$", out, re.M):
        fail(f"ctest -T memcheck (leaktrace): no 'Memory Leak - 1' in the results:\n{out}")
        ok = False
    if '<Defect type="Memory Leak">1</Defect>' not in dyn:
        fail("ctest -T memcheck (leaktrace): DynamicAnalysis.xml has no Memory Leak defect")
        ok = False
    if ok:
        notes.append("ctest -T memcheck with leaktrace: leaky -> 'Memory Leak - 1', noleak clean")
    if have_vg and ok:
        vg = ctest_memcheck(work, shutil.which("valgrind"), "valgrind")
        if vg:
            vres = re.findall(r"^(?:Memory Leak|Potential Memory Leak|.*Defects.*) .*$", vg[0], re.M)
            sres = re.findall(r"^(?:Memory Leak|Potential Memory Leak|.*Defects.*) .*$", out, re.M)
            if vres != sres:
                fail(f"ctest -T memcheck: results differ, valgrind {vres} vs leaktrace {sres}")


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    a = ap.parse_args()
    for tool in ("gcc", "g++"):
        if shutil.which(tool) is None:
            print(f"test_xml: FAIL: {tool} is not installed")
            return 1
    for p in (a.lib, a.cli):
        if not os.path.exists(p):
            print(f"test_xml: FAIL: not found: {p}")
            return 1
    lib, cli = os.path.abspath(a.lib), os.path.abspath(a.cli)
    have_vg = shutil.which("valgrind") is not None
    if not have_vg:
        print("test_xml: valgrind is not installed: the comparisons with it are skipped")
    work = tempfile.mkdtemp(prefix="lt-xml-")
    try:
        cexe = compile_program("gcc", C_PROGRAM, "xml_leaks.c", work)
        cxxexe = compile_program("g++", CXX_PROGRAM, "src&<x>/xml_leaks_cxx.cpp", work)
        check_case(cexe, lib, cli, work, "c_default", [], have_vg=have_vg)
        check_case(cexe, lib, cli, work, "c_all", ["--show-leak-kinds=all"], have_vg=have_vg, hows=("shim",))
        check_case(cexe, lib, cli, work, "c_quiet", ["-q"], have_vg=have_vg, hows=("shim",))
        check_case(cexe, lib, cli, work, "c_fork", [], mode="fork", nproc=2, have_vg=have_vg, hows=("shim",))
        check_case(cexe, lib, cli, work, "c_abort", [], mode="abort", have_vg=have_vg, hows=("shim",))
        check_case(cexe, lib, cli, work, "c_none", [], mode="none", have_vg=have_vg, hows=("shim",))
        check_case(cxxexe, lib, cli, work, "cxx_default", [], have_vg=have_vg)
        check_case(cxxexe, lib, cli, work, "cxx_all", ["--show-leak-kinds=all"], have_vg=have_vg, hows=("shim",))
        check_gen_suppressions(cexe, lib, cli, work, have_vg)
        check_exit_on_first_error(cexe, lib, cli, work, have_vg)
        check_text_channel(cexe, lib, cli, work)
        check_ctest(cli, work, have_vg)
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for n in notes:
        print("note: " + n)
    if failures:
        print(f"test_xml: FAIL ({len(failures)} problems)")
        return 1
    print("test_xml: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
