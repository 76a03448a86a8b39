#!/usr/bin/env python3
"""Other allocators and programs with a malloc of their own (issue 11, item 6).

Run by CTest as:
  test_allocators.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC
  [--only NAME[,NAME...]]

Programs: tests/alloc/*.c, built here with gcc -O0 -g. Each run is compared
with the plain run (no preload): stdout and exit status, 5 runs each.

  chains         tests/alloc/allocators.c (every exported entry point:
                 reallocarray, pvalloc, cfree, valloc, memalign,
                 aligned_alloc, posix_memalign, malloc_usable_size, ...) with
                 jemalloc and tcmalloc preloaded before the tool and after it.
                 Before: the tool forwards to that allocator (or emulates what
                 it lacks with its malloc/free), never glibc's; the report
                 says the heap was not tracked and counts it as an error
                 (--error-exitcode applies), never "All heap blocks were
                 freed". After: the blocks are tracked and a NOTE says which
                 allocator serves them. Alone: the planted leak is definite.
  libc_hooks     tests/alloc/hook_libc.c, the glibc manual's hook recipe
                 (malloc/free/calloc/realloc forwarding to __libc_*): the
                 777-byte leak is definitely lost and nothing else is lost.
  own_malloc     tests/alloc/static_malloc.c, after Valgrind's static_malloc
                 test (the program defines malloc only): it runs as without
                 the tool, and the report (text and JSON) says incomplete.
Exit 0 = all passed. The allocator libraries are Debian's libjemalloc2 and
libtcmalloc-minimal4 (scripts/lib.sh); a missing one is skipped, saying so.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

from harness import arg_parser, clean_env, describe_status, fail, finish, indent, run_grouped, run_named

RUNS = 5
LIBDIR = "/usr/lib/x86_64-linux-gnu"
ALLOCATORS = {"jemalloc": os.path.join(LIBDIR, "libjemalloc.so.2"),
              "tcmalloc": os.path.join(LIBDIR, "libtcmalloc_minimal.so.4")}
A = None
TMP = None
EXE = {}


def build(name):
    if name not in EXE:
        src = os.path.join(A.src, "tests", "alloc", name + ".c")
        exe = os.path.join(TMP, name)
        r = subprocess.run(["gcc", "-g", "-O0", "-o", exe, src, "-ldl"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode:
            fail(name, "does not build", r.stdout)
            EXE[name] = None
        else:
            EXE[name] = exe
    return EXE[name]


def run(exe, preload, options=""):
    env = clean_env()
    if preload:
        env["LD_PRELOAD"] = " ".join(preload)
    if options:
        env["LEAKTRACE_OPTIONS"] = options
    rc, out, err, _, hung, _ = run_grouped([exe], env, 60)
    return rc, out.decode(errors="replace"), err.decode(errors="replace"), hung


def same_as_plain(case, exe, preload, options="", expect_rc=None):
    """Runs RUNS times; stdout and exit status must be the plain run's
    (exit status `expect_rc` when an option changes it). Returns the last stderr."""
    prc, pout, _, _ = run(exe, [])
    err = ""
    for i in range(RUNS):
        rc, out, err, hung = run(exe, preload, options)
        want = prc if expect_rc is None else expect_rc
        if hung or rc != want or out != pout:
            fail(case, "run %d: %s, stdout %s (plain: %s, %r)" % (
                i + 1, "hung" if hung else describe_status(rc), repr(out[:200]), describe_status(prc), pout[:200]),
                indent(err))
            return None
    return err


def chains():
    exe = build("allocators")
    if not exe:
        return
    lib = A.lib
    err = same_as_plain("chains/tool", exe, [lib])
    if err is not None and not re.search(r"4,321 bytes in 1 blocks are definitely lost", err):
        fail("chains/tool", "the planted 4,321-byte leak is not definitely lost", indent(err))
    for name, path in ALLOCATORS.items():
        if not os.path.exists(path):
            print("SKIP chains/%s: %s is not installed (Debian package in scripts/lib.sh)" % (name, path))
            continue
        case = "chains/%s-before" % name
        err = same_as_plain(case, exe, [path, lib])
        if err is not None:
            if not re.search(r"WARNING: malloc is served by \S*%s\S*, loaded before leaktrace; .*this report is incomplete"
                             % re.escape(os.path.basename(path)), err):
                fail(case, "no warning that the heap was not tracked", indent(err))
            if "All heap blocks were freed" in err:
                fail(case, "claims a clean heap it did not see", indent(err))
            if not re.search(r"ERROR SUMMARY: [1-9]", err):
                fail(case, "the incomplete check is not counted as an error", indent(err))
        same_as_plain(case + "/error-exitcode", exe, [path, lib], "--error-exitcode=42", expect_rc=42)
        case = "chains/%s-after" % name
        err = same_as_plain(case, exe, [lib, path])
        if err is not None:
            if not re.search(r"NOTE: blocks come from \S*%s" % re.escape(os.path.basename(path)), err):
                fail(case, "no note naming the allocator that serves the blocks", indent(err))
            if "incomplete" in err:
                fail(case, "says incomplete, although every block was tracked", indent(err))
            if not re.search(r"total heap usage: ([\d,]{4,}) allocs", err):
                fail(case, "the blocks were not tracked", indent(err))


def libc_hooks():
    exe = build("hook_libc")
    if not exe:
        return
    err = same_as_plain("libc_hooks", exe, [A.lib])
    if err is None:
        return
    if not re.search(r"definitely lost: 777 bytes in 1 blocks", err):
        fail("libc_hooks", "the 777-byte leak made through __libc_malloc is not the only definite leak",
             indent(err))
    if re.search(r"(indirectly|possibly) lost: [1-9]", err) or "incomplete" in err:
        fail("libc_hooks", "freed blocks reported lost, or the check called incomplete", indent(err))


def own_malloc():
    exe = build("static_malloc")
    if not exe:
        return
    err = same_as_plain("own_malloc", exe, [A.lib])
    if err is None:
        return
    if "All heap blocks were freed" in err or "this report is incomplete" not in err:
        fail("own_malloc", "the report does not say that the program's own malloc was not tracked",
             indent(err))
    js = os.path.join(TMP, "own.json")
    same_as_plain("own_malloc/json", exe, [A.lib], "--json-file=" + js)
    try:
        with open(js) as f:
            doc = json.load(f)
        if doc.get("incomplete") is not True or not doc.get("warnings") or doc["error_summary"]["errors"] < 1:
            fail("own_malloc/json", "JSON does not carry the incomplete check",
                 json.dumps({k: doc.get(k) for k in ("incomplete", "warnings", "error_summary")}))
    except (OSError, ValueError) as e:
        fail("own_malloc/json", "no JSON report: %s" % e)


def main():
    global A, TMP
    ap = arg_parser(__doc__)
    ap.add_argument("--only", default="")
    A = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lt-alloc-") as TMP:
        run_named([("chains", chains), ("libc_hooks", libc_hooks), ("own_malloc", own_malloc)],
                  [x for x in A.only.split(",") if x])
    return finish()


if __name__ == "__main__":
    sys.exit(main())
