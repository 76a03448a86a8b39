#!/usr/bin/env python3
"""The tool's own memory and stack: exhaustion is reported, and the
allocation path fits a small thread stack (issue 11, items 9 and 3).

Run by CTest as:
  test_tool_memory.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC
  [--only NAME[,NAME...]]

  exhaustion   tests/alloc/exhaust.c under RLIMIT_AS (150 MiB, set before
               the program starts, as `ulimit -v` does): it allocates until
               malloc fails, frees everything, exits 0. The tool runs out of
               its own memory on the way. Its stdout and exit status are the
               plain run's; the report says "leaktrace ran out of memory; N
               allocations were not tracked; this report is incomplete" and
               never "All heap blocks were freed"; the ERROR SUMMARY counts
               it; --error-exitcode=42 makes the status 42; the JSON report
               has "incomplete": true and the XML one a <clientmsg> saying so.
               When the check itself finds no memory left, "no report" and
               the warning on stderr (and the status) stand in for them.
  min_stack    tests/alloc/min_stack.c (malloc/realloc/free on a thread with
               a PTHREAD_STACK_MIN stack), built -O0 and -O2, 20 runs each
               with the default options, --num-callers=500 and --unwind=fp:
               the plain run's output and status every time.
Exit 0 = all passed.
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile

from harness import arg_parser, clean_env, describe_status, fail, finish, indent, run_grouped, run_named

A = None
TMP = None
LIMIT = 150 << 20


def build(name, opt="-O0"):
    src = os.path.join(A.src, "tests", "alloc", name + ".c")
    exe = os.path.join(TMP, "%s%s" % (name, opt))
    r = subprocess.run(["gcc", "-g", opt, "-pthread", "-o", exe, src], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        fail(name, "does not build", r.stdout)
        return None
    return exe


def limit_as():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def run(exe, tool, options="", limited=False):
    env = clean_env()
    if tool:
        env["LD_PRELOAD"] = A.lib
    if options:
        env["LEAKTRACE_OPTIONS"] = options
    rc, out, err, _, hung, _ = run_grouped([exe], env, 120, preexec_fn=limit_as if limited else None)
    return rc, out.decode(errors="replace"), err.decode(errors="replace"), hung


def exhaustion():
    exe = build("exhaust")
    if not exe:
        return
    prc, pout, _, _ = run(exe, False, limited=True)
    if prc != 0:
        fail("exhaustion", "the plain run failed: %s" % describe_status(prc))
        return
    js, xml = os.path.join(TMP, "ex.json"), os.path.join(TMP, "ex.xml")
    xml_json_wanted = [True]
    for options, want in (("", prc), ("--error-exitcode=42", 42),
                          ("--json-file=%s --xml=yes --xml-file=%s" % (js, xml), prc)):
        case = "exhaustion " + (options or "(defaults)")
        rc, out, err, hung = run(exe, True, options, limited=True)
        if hung or rc != want or out != pout:
            fail(case, "%s, stdout %r (plain: %s, %r; wanted %s)" % (
                "hung" if hung else describe_status(rc), out, describe_status(prc), pout, want), indent(err))
            continue
        # The check itself may find no memory left ("leaktrace: not enough
        # memory for the leak check: no report"): then the warning still comes,
        # as "leaktrace: WARNING: ...", and the status still counts it.
        no_report = "no report" in err
        if "All heap blocks were freed" in err:
            fail(case, "claims a clean heap after dropping allocations", indent(err))
        if "--xml=yes" in options:
            xml_json_wanted[0] = not no_report
            continue                     # the text report is not on stderr then
        if not re.search(r"WARNING: leaktrace ran out of memory; [\d,]+ allocations? (was|were) not tracked; "
                         r"this report is incomplete", err):
            fail(case, "the report does not say it is incomplete", indent(err))
        if not no_report and not re.search(r"ERROR SUMMARY: [1-9]", err):
            fail(case, "the incomplete check is not counted as an error", indent(err))
    if not xml_json_wanted[0]:
        print("note: the check found no memory for the JSON/XML run (said so on stderr)")
        return
    try:
        with open(js) as f:
            doc = json.load(f)
        if doc.get("incomplete") is not True or not any("ran out of memory" in w for w in doc.get("warnings", [])):
            fail("exhaustion/json", "JSON does not carry the incomplete check",
                 json.dumps({k: doc.get(k) for k in ("incomplete", "warnings")}))
    except (OSError, ValueError) as e:
        fail("exhaustion/json", "no JSON report: %s" % e)
    try:
        with open(xml) as f:
            text = f.read()
        if not re.search(r"<clientmsg>\s*<tid>1</tid>\s*<text>WARNING: leaktrace ran out of memory", text):
            fail("exhaustion/xml", "XML does not carry the incomplete check", indent(text[-1500:]))
    except OSError as e:
        fail("exhaustion/xml", "no XML report: %s" % e)


def min_stack():
    for opt in ("-O0", "-O2"):
        exe = build("min_stack", opt)
        if not exe:
            continue
        prc, pout, _, _ = run(exe, False)
        for options in ("", "--num-callers=500", "--unwind=fp"):
            case = "min_stack %s %s" % (opt, options or "(defaults)")
            for i in range(20):
                rc, out, err, hung = run(exe, True, options)
                if hung or rc != prc or out != pout:
                    fail(case, "run %d: %s, stdout %r (plain: %s, %r)" % (
                        i + 1, "hung" if hung else describe_status(rc), out, describe_status(prc), pout),
                        indent(err))
                    break


def main():
    global A, TMP
    ap = arg_parser(__doc__)
    ap.add_argument("--only", default="")
    A = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lt-toolmem-") as TMP:
        run_named([("exhaustion", exhaustion), ("min_stack", min_stack)],
                  [x for x in A.only.split(",") if x])
    return finish()


if __name__ == "__main__":
    sys.exit(main())
