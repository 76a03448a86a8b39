#!/usr/bin/env python3
"""Whole-report comparison with valgrind memcheck, the oracle.

usage: test_valgrind_oracle.py --lib LIB --cli CLI --build BUILD_DIR --src SOURCE_DIR [--keep]

Builds (gcc/g++ -g -O0, in a temporary folder) a C program and a C++ program
that leak in several ways from several call sites -- sizes chosen so that
records sort uniquely; a `(D direct, I indirect)` definite record; a possibly
lost block; calloc, realloc, strdup; a stack deeper than --num-callers; a
block allocated on another thread; C++ operator new / operator new[],
templates, a reachable-via-heuristic block --
runs each under `valgrind --leak-check=full` and under the shim
(LD_PRELOAD=LIB), with the default shown kinds and again with
--show-leak-kinds=all (given to both), and requires, per run:

  - the same loss records in the same order: same header (bytes, the
    `(D direct, I indirect)` split, blocks, kind, `loss record K of T`);
  - frames from frame 1 on identical (function and `file:line` or
    `in OBJECT`; addresses ignored);
  - frame 0 the same function name (malloc, calloc, realloc,
    operator new(unsigned long), ...), its object or file ignored (valgrind's
    vgpreload .so vs ours);
  - the HEAP SUMMARY `in use at exit:` line, every line of the LEAK SUMMARY
    block and the ERROR SUMMARY line identical.
One known valgrind artifact is normalized away: a thread's outermost frame
is `clone` under valgrind 3.19 (no clone3 support) and `clone3` natively.

On a mismatch it prints a unified diff of the two normalized reports
(valgrind first) and exits 1. Exits 0 when everything matched. When
valgrind, gcc or g++ is missing it says so and exits 0 without checking
(nothing can be compared); a missing library is a failure.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import arg_parser

C_PROGRAM = r'''
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

struct tree { struct tree *left, *right; long pad[4]; };   /* 48 bytes */

void *kept_global;          /* reachable */
char *inside;               /* interior pointer: possibly lost */
static void *volatile sink;

static NOINLINE void *launder_ptr(void *p) { sink = p; p = sink; sink = NULL; return p; }

static NOINLINE void scrub(void)
{
    volatile char pad[32768];
    memset((char *)pad, 0, sizeof pad);
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx,%%ebx\n\txor %%r12d,%%r12d\n\txor %%r13d,%%r13d\n\t"
                     "xor %%r14d,%%r14d\n\txor %%r15d,%%r15d" ::: "rbx", "r12", "r13", "r14", "r15", "memory");
#endif
}

static NOINLINE void leak_direct(void) { launder_ptr(malloc(101)); }

static NOINLINE struct tree *make_child(size_t extra) { return malloc(sizeof(struct tree) + extra); }

static NOINLINE void leak_tree(void)
{
    struct tree *root = calloc(1, sizeof *root);
    root->left = make_child(0);
    root->right = make_child(16);
    root->left->left = root->left->right = root->right->left = root->right->right = NULL;
    launder_ptr(root);
}

static NOINLINE void keep_interior(void) { inside = (char *)malloc(203) + 17; }

static NOINLINE void leak_realloc(void)
{
    char *p = malloc(10);
    p = realloc(p, 307);
    launder_ptr(p);
}

static NOINLINE void leak_calloc(void) { launder_ptr(calloc(5, 61)); }

static NOINLINE void leak_many(void)
{
    for (int i = 0; i < 3; i++)
        launder_ptr(malloc(40));
}

static NOINLINE void level3(void) { launder_ptr(malloc(77)); }
static NOINLINE void level2(void) { level3(); }
static NOINLINE void level1(void) { level2(); }

static NOINLINE void leak_strdup(void) { launder_ptr(strdup("twenty-three bytes long")); }

/* 20 frames deep: the record's stack is cut at --num-callers (12). */
static NOINLINE void deep(int n)
{
    if (n == 0)
        launder_ptr(malloc(211));
    else
        deep(n - 1);
}

/* Allocated on another thread: frames below the thread function. */
static void *worker(void *arg)
{
    (void)arg;
    launder_ptr(malloc(89));
    return NULL;
}

static NOINLINE void leak_in_thread(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
}

static NOINLINE void keep(void)
{
    kept_global = malloc(500);
    ((void **)kept_global)[0] = malloc(33);
    free(malloc(1000));
}

int main(void)
{
    keep();
    leak_direct();
    leak_tree();
    keep_interior();
    leak_realloc();
    leak_calloc();
    leak_many();
    level1();
    leak_strdup();
    deep(20);
    leak_in_thread();
    scrub();
    return 0;
}
'''

CXX_PROGRAM = r'''
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
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

struct Obj { long a[7]; };                         // 56 bytes
struct Holder { char *buf; long n; };               // 16 bytes
struct Base1 { virtual ~Base1() {} long x = 1; };
struct Base2 { virtual ~Base2() {} long y = 2; };
struct Both : Base1, Base2 { long z = 3; };         // 40 bytes

char *inside;
Base2 *second_base;
std::string *kept_string;

namespace app {
struct Factory {
    static NOINLINE Obj *make() { return new Obj(); }
};
}

static NOINLINE void leak_array() { launder_ptr(new int[25]); }
static NOINLINE void leak_object() { launder_ptr(app::Factory::make()); }

static NOINLINE void leak_holder()
{
    Holder *h = new Holder;
    h->buf = new char[130];
    h->n = 130;
    launder_ptr(h);
}

static NOINLINE void keep_interior() { inside = new char[150] + 10; }

static NOINLINE void leak_vector() { launder_ptr(new std::vector<long>(33)); }

static NOINLINE void keep_reachable()
{
    second_base = new Both;
    kept_string = new std::string(70, 's');
}

template <typename T> struct Pool {
    static NOINLINE T *grab(int n) { return new T[n]; }
};

static NOINLINE void leak_template() { launder_ptr(Pool<double>::grab(11)); }

int main()
{
    keep_reachable();
    leak_array();
    leak_object();
    leak_holder();
    keep_interior();
    leak_vector();
    leak_template();
    scrub();
    return 0;
}
'''

PID_PREFIX = re.compile(r"^==(\d+)== ?")
ADDR = re.compile(r"^(\s+)(at|by) 0x[0-9A-Fa-f]+: ")


def load_scenario_module(src_dir):
    sys.path.insert(0, os.path.join(src_dir, "tests"))
    import scenario  # noqa: E402  (tests/scenario.py: the report parser)
    return scenario


def run(cmd, env, cwd, timeout):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def report_lines(scn, text):
    """Lines of the one process that wrote a report, without the prefix."""
    reports = scn.parse_reports(text)
    if len(reports) != 1:
        return None
    return reports[0][1]


# Known differences that are valgrind's, not the tool's: valgrind 3.19 does
# not implement the clone3 system call, so under it glibc falls back to clone
# and a thread's outermost frame reads `clone (clone.S:100)`; natively it is
# `clone3 (clone3.S:81)`.
THREAD_START = {("clone", "clone.S"), ("clone3", "clone3.S")}


def frame_text(fn, loc):
    if (fn, loc.split(":")[0]) in THREAD_START:
        return "   by clone or clone3 (thread start)"
    return f"   by {fn} ({loc})" if loc else f"   by {fn}"


def normalize(scn, lines):
    """The comparable view of a report: in-use line, records (frame 0 reduced
    to its function name, addresses dropped), LEAK SUMMARY block, ERROR
    SUMMARY line. Returns a list of text lines."""
    out = []
    for l in lines:
        if l.strip().startswith("in use at exit:"):
            out.append(l.strip())
    for rec in scn.parse_records(lines):
        out.append("")
        out.append(rec["header"])
        for i, (fn, loc) in enumerate(rec["frames"]):
            if i == 0:
                out.append(f"   at {fn} (ALLOCATOR)")
            else:
                out.append(frame_text(fn, loc))
    out.append("")
    in_summary = False
    for l in lines:
        if l.strip() == "LEAK SUMMARY:":
            in_summary = True
        elif in_summary and not l.strip():
            in_summary = False
        if in_summary:
            out.append(l.rstrip())
        if l.strip().startswith("ERROR SUMMARY:"):
            out.append(l.strip())
        if "All heap blocks were freed -- no leaks are possible" in l:
            out.append(l.strip())
    return out


def compile_program(compiler, source_text, name, work, opt="-O0"):
    src = os.path.join(work, name)
    exe = os.path.join(work, os.path.splitext(name)[0] + ("" if compiler in ("gcc", "g++") and opt == "-O0"
                                                          else f"_{compiler}{opt}"))
    with open(src, "w") as f:
        f.write(source_text)
    r = subprocess.run([compiler, "-g", opt, "-pthread", "-o", exe, src], cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError(f"{compiler} failed on {name}:\n{r.stdout.decode()}")
    return exe


def check(scn, exe, lib, work, kinds_all):
    """Returns a list of failure messages for one program and one setting."""
    label = f"{os.path.basename(exe)} ({'--show-leak-kinds=all' if kinds_all else 'default kinds'})"
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.pop("LEAKTRACE_OPTIONS", None)
    extra = ["--show-leak-kinds=all"] if kinds_all else []
    vrc, _, verr = run(["valgrind", "--leak-check=full"] + extra + [exe], env, work, 300)
    shim_env = dict(env)
    shim_env["LD_PRELOAD"] = lib
    if extra:
        shim_env["LEAKTRACE_OPTIONS"] = " ".join(extra)
    try:
        src, _, serr = run([exe], shim_env, work, 120)
    except subprocess.TimeoutExpired:
        return [f"{label}: the run under the shim timed out"]
    failures = []
    if src < 0:
        failures.append(f"{label}: the run under the shim was killed by signal {-src}")
    vlines = report_lines(scn, verr)
    slines = report_lines(scn, serr)
    if vlines is None:
        return [f"{label}: could not find exactly one valgrind report:\n{verr}"]
    if slines is None:
        return failures + [f"{label}: could not find exactly one report from the shim "
                           f"(exit status {src}); its stderr:\n{serr}"]
    vnorm, snorm = normalize(scn, vlines), normalize(scn, slines)
    vrec, srec = scn.parse_records(vlines), scn.parse_records(slines)
    if vnorm != snorm:
        why = []
        if len(vrec) != len(srec):
            why.append(f"valgrind shows {len(vrec)} records, the shim {len(srec)}")
        for i, (a, b) in enumerate(zip(vrec, srec)):
            if a["header"] != b["header"]:
                why.append(f"record {i + 1}: header differs: valgrind '{a['header']}' vs shim '{b['header']}'")
            elif a["frames"][:1] and b["frames"][:1] and a["frames"][0][0] != b["frames"][0][0]:
                why.append(f"record {i + 1}: frame 0 differs: valgrind {a['frames'][0][0]!r} vs shim {b['frames'][0][0]!r}")
            elif [frame_text(*f) for f in a["frames"][1:]] != [frame_text(*f) for f in b["frames"][1:]]:
                why.append(f"record {i + 1} ({a['header']}): frames from 1 on differ")
        diff = "\n".join(difflib.unified_diff(vnorm, snorm, "valgrind", "libleaktrace", n=3, lineterm=""))
        failures.append(f"{label}: reports differ" + ("".join("\n  - " + w for w in why)) +
                        "\n  normalized diff (valgrind -> shim):\n" +
                        "\n".join("    " + l for l in diff.splitlines()))
    return failures


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    a = ap.parse_args()
    scn = load_scenario_module(os.path.abspath(a.src))
    for tool in ("valgrind", "gcc", "g++"):
        if shutil.which(tool) is None:
            print(f"test_valgrind_oracle: SKIP: {tool} is not installed, nothing to compare")
            return 0
    if not os.path.exists(a.lib):
        print(f"test_valgrind_oracle: FAIL: library not found: {a.lib}")
        return 1
    lib = os.path.abspath(a.lib)
    work = tempfile.mkdtemp(prefix="lt-oracle-")
    failures = []
    try:
        exes = [compile_program("gcc", C_PROGRAM, "oracle_leaks.c", work),
                compile_program("g++", CXX_PROGRAM, "oracle_leaks_cxx.cpp", work)]
        # clang 14 emits DWARF 5 without .debug_aranges: file:line must
        # still come out as valgrind prints it (CU ranges, symbols.c).
        if shutil.which("clang-14"):
            exes += [compile_program("clang-14", C_PROGRAM, "oracle_leaks.c", work, opt)
                     for opt in ("-O0", "-O2")]
        for exe in exes:
            for kinds_all in (False, True):
                failures += check(scn, exe, lib, work, kinds_all)
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        for f in failures:
            print("FAIL: " + f)
        print(f"test_valgrind_oracle: FAIL ({len(failures)} mismatches)")
        return 1
    print(f"test_valgrind_oracle: PASS ({2 * len(exes)} runs: C and C++, gcc and clang, default and all kinds, match valgrind)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
