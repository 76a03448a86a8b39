#!/usr/bin/env python3
"""The machine-readable reports: --json-file, --sarif-file, --folded-file.

Run by CTest as:
  test_outputs.py --lib PATH/libleaktrace.so --cli PATH/leaktrace --build BUILD --src SRC

It compiles a small program (every leak kind, a suppressed leak, the
README's main;parse;xstrdup;malloc 4096 stack) into a fake checkout
(PROJ/.git, PROJ/src/prog.c), runs it under the tool from another
directory with all three outputs and a text log, and checks:

JSON  every document validates against docs/report-schema.json (needs
      python3-jsonschema; skipped with a message without it); the
      heap/leak/error summaries equal the text report's; the records equal
      the text report's shown records (header numbers, every frame's
      function and file:line or object) and include the hidden and
      suppressed ones with their flags and the suppression's name; the
      4096-byte record's frames are xstrdup/parse/main at the lines of the
      program's source; argv with quotes and a non-UTF-8 byte; pid, ppid
      (a forked child's ppid is the parent), exit status, %p in the name;
      a fatal signal (abort under a bare LD_PRELOAD); --leak-check=no.
SARIF the SARIF 2.1.0 structure (required properties written out here from
      the specification, and what GitHub code scanning needs: ruleId,
      message.text, locations[].physicalLocation.artifactLocation.uri +
      region.startLine, codeFlows[].threadFlows[].locations); one result per
      shown record (also with --show-leak-kinds=all); each located at the
      allocating line in the program's source (src/prog.c relative to the
      checkout, uriBaseId SRCROOT), never at malloc or libc; code flows
      outermost first ending there.
folded each kind's lines add up to the LEAK SUMMARY's bytes; stacks are
      root-first (KIND;main;...) and end in the allocation function; the
      4096 line reads "KIND;main;parse;xstrdup;malloc 4096"; and
      scripts/flamegraph.py turns the file into an SVG.
Exit 0 = pass.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.dom.minidom

from harness import arg_parser, num

PROG_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct node { struct node *next; char pad[24]; };
void *keep_whole;          /* still reachable */
char *keep_middle;         /* possibly lost */
static void *volatile sink;

__attribute__((noinline)) char *xstrdup(const char *s, size_t n)
{
    char *p = malloc(n);                           /* @XSTRDUP */
    strncpy(p, s, n - 1);
    p[n - 1] = 0;
    return p;
}

__attribute__((noinline)) void parse(void)
{
    sink = xstrdup("config", 4096);                /* @PARSE */
    sink = NULL;
}

__attribute__((noinline)) struct node *new_node(void)
{
    return calloc(1, sizeof(struct node));         /* @NODE */
}

__attribute__((noinline)) void lose_list(void)
{
    struct node *a = new_node();
    a->next = new_node();
    a->next->next = new_node();
    sink = a;
    sink = NULL;
}

__attribute__((noinline)) void keep(void)
{
    keep_whole = malloc(300);                      /* @REACHABLE */
    keep_middle = (char *)malloc(64) + 16;         /* @POSSIBLE */
}

__attribute__((noinline)) void suppressed_leak(void)
{
    sink = malloc(55);                             /* @SUPPRESSED */
    sink = NULL;
}

__attribute__((noinline)) void scrub(void)
{
    volatile char pad[16384];
    memset((char *)pad, 0, sizeof pad);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "leaks";
    parse();                                       /* @MAIN_PARSE */
    lose_list();
    keep();
    suppressed_leak();
    if (strcmp(mode, "fork") == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            sink = malloc(77);                     /* @CHILD */
            sink = NULL;
            scrub();
            exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        scrub();
        return 5;
    }
    if (strcmp(mode, "abort") == 0) {
        scrub();
        abort();
    }
    scrub();
    return 0;
}
"""

SUPP = """{
   test_outputs_suppression
   Memcheck:Leak
   match-leak-kinds: all
   fun:malloc
   fun:suppressed_leak
}
"""

KIND_WORDS = {"definitely lost": "definite", "indirectly lost": "indirect",
              "possibly lost": "possible", "still reachable": "reachable"}
SUMMARY_KEYS = {"definitely lost": "definitely_lost", "indirectly lost": "indirectly_lost",
                "possibly lost": "possibly_lost", "still reachable": "still_reachable",
                "suppressed": "suppressed"}
ALLOCATORS = {"malloc", "calloc", "realloc", "memalign", "posix_memalign", "aligned_alloc",
              "valloc", "pvalloc", "reallocarray", "strdup", "strndup"}

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg)
    return cond


# ---- the text report ------------------------------------------------------------------

HDR = re.compile(r"^==\d+== ([\d,]+)(?: \(([\d,]+) direct, ([\d,]+) indirect\))? bytes in ([\d,]+) blocks "
                 r"are (definitely lost|indirectly lost|possibly lost|still reachable) in loss record "
                 r"([\d,]+) of ([\d,]+)$")
FRAME = re.compile(r"^==\d+==    (?:at|by) 0x[0-9A-F]+: (.*)$")


def parse_text(path):
    """Records shown, LEAK SUMMARY, HEAP SUMMARY and ERROR SUMMARY of a text report."""
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    out = {"records": [], "leak": {}, "heap": None, "errors": None}
    i = 0
    while i < len(lines):
        line = lines[i]
        m = HDR.match(line)
        if m:
            rec = {"bytes": num(m.group(1)), "direct": num(m.group(2) or m.group(1)),
                   "indirect": num(m.group(3) or "0"), "blocks": num(m.group(4)),
                   "kind": KIND_WORDS[m.group(5)], "number": num(m.group(6)), "total": num(m.group(7)),
                   "frames": []}
            i += 1
            while i < len(lines) and FRAME.match(lines[i]):
                rec["frames"].append(FRAME.match(lines[i]).group(1))
                i += 1
            out["records"].append(rec)
            continue
        m = re.match(r"^==\d+== +(definitely lost|indirectly lost|possibly lost|still reachable|suppressed): "
                     r"([\d,]+) bytes in ([\d,]+) blocks$", line)
        if m:
            out["leak"][SUMMARY_KEYS[m.group(1)]] = (num(m.group(2)), num(m.group(3)))
        m = re.match(r"^==\d+==     in use at exit: ([\d,]+) bytes in ([\d,]+) blocks$", line)
        if m:
            out["heap"] = (num(m.group(1)), num(m.group(2)))
        m = re.match(r"^==\d+== ERROR SUMMARY: ([\d,]+) errors from ([\d,]+) contexts "
                     r"\(suppressed: ([\d,]+) from ([\d,]+)\)$", line)
        if m:
            out["errors"] = tuple(num(g) for g in m.groups())
        i += 1
    return out


def frame_text(f):
    """A JSON frame as the text report prints it (without the address)."""
    s = f["fn"] if f["fn"] is not None else "???"
    if f["file"] is not None:
        return "%s (%s:%d)" % (s, f["file"], f["line"])
    if f["object"] is not None:
        return "%s (in %s)" % (s, f["object"])
    return s


# ---- JSON ----------------------------------------------------------------------------------

def load_validator(src):
    schema = json.load(open(os.path.join(src, "docs", "report-schema.json")))
    try:
        import jsonschema
    except ImportError:
        print("SKIP: JSON Schema validation (python3-jsonschema is not installed: "
              "apt-get install python3-jsonschema)")
        return None
    cls = getattr(jsonschema, "Draft202012Validator", None)
    if cls is None:
        print("SKIP: JSON Schema validation (this jsonschema has no draft 2020-12 support)")
        return None
    cls.check_schema(schema)
    return cls(schema)


def validate(validator, doc, what):
    if validator is None:
        return
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:5]:
        check(False, "%s: schema: %s at %s" % (what, e.message, "/".join(str(p) for p in e.path)))


def check_json_vs_text(doc, text, what):
    ls = doc["leak_summary"]
    if check(ls is not None, what + ": leak_summary is null"):
        for key, (b, n) in text["leak"].items():
            check(ls[key]["bytes"] == b and ls[key]["blocks"] == n,
                  "%s: leak_summary.%s = %s, text says %d bytes in %d blocks" % (what, key, ls[key], b, n))
        check(len(text["leak"]) == 5, "%s: text LEAK SUMMARY incomplete: %s" % (what, text["leak"]))
    hs = doc["heap_summary"]
    check(text["heap"] == (hs["in_use_bytes"], hs["in_use_blocks"]),
          "%s: heap_summary %s vs text %s" % (what, hs, text["heap"]))
    es = doc["error_summary"]
    check(text["errors"] == (es["errors"], es["contexts"], es["suppressed_errors"], es["suppressed_contexts"]),
          "%s: error_summary %s vs text %s" % (what, es, text["errors"]))
    recs = doc["records"]
    check([r["number"] for r in recs] == list(range(1, len(recs) + 1)), what + ": records not numbered 1..T")
    check(all(r["total"] == len(recs) for r in recs), what + ": total != number of records")
    shown = [r for r in recs if r["shown"]]
    check(len(shown) == len(text["records"]),
          "%s: %d shown records in JSON, %d in the text" % (what, len(shown), len(text["records"])))
    for r, t in zip(shown, text["records"]):
        tag = "%s: record %d" % (what, r["number"])
        check(r["number"] == t["number"] and r["total"] == t["total"], tag + ": number/total differ from the text")
        check(r["kind"] == t["kind"], tag + ": kind %s, text %s" % (r["kind"], t["kind"]))
        check((r["bytes"], r["direct_bytes"], r["indirect_bytes"], r["blocks"]) ==
              (t["bytes"], t["direct"], t["indirect"], t["blocks"]), tag + ": bytes/blocks differ from the text")
        check([frame_text(f) for f in r["frames"]] == t["frames"],
              tag + ": frames %s, text %s" % ([frame_text(f) for f in r["frames"]], t["frames"]))
        check([f["index"] for f in r["frames"]] == list(range(len(r["frames"]))), tag + ": frame indexes")
    for r in recs:
        check(r["bytes"] == r["direct_bytes"] + r["indirect_bytes"], "%s: record %d bytes" % (what, r["number"]))
        check(r["suppressed"] == (r["suppression"] is not None), "%s: record %d suppression" % (what, r["number"]))
        check(not (r["shown"] and r["suppressed"]), "%s: record %d shown and suppressed" % (what, r["number"]))
        for f in r["frames"]:
            if f["object"] is not None:
                check(isinstance(f["offset"], int) and f["offset"] >= 0, "%s: offset %s" % (what, f))


# ---- SARIF -----------------------------------------------------------------------------------

# The part of SARIF 2.1.0 this tool writes, from the OASIS specification:
# each object's required properties and the properties it allows (SARIF's
# schema forbids any other, except in property bags).
SARIF_OBJECTS = {
    "log": ({"version", "runs"}, {"$schema", "version", "runs", "inlineExternalProperties", "properties"}),
    "run": ({"tool"}, {"tool", "invocations", "conversion", "language", "versionControlProvenance",
                       "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
                       "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
                       "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
                       "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
                       "translations", "policies", "webRequests", "webResponses", "specialLocations",
                       "properties"}),
    "tool": ({"driver"}, {"driver", "extensions", "properties"}),
    "toolComponent": ({"name"}, {"guid", "name", "organization", "product", "productSuite", "shortDescription",
                                 "fullDescription", "fullName", "version", "semanticVersion",
                                 "dottedQuadFileVersion", "releaseDateUtc", "downloadUri", "informationUri",
                                 "globalMessageStrings", "notifications", "rules", "taxa", "locations",
                                 "language", "contents", "isComprehensive", "localizedDataSemanticVersion",
                                 "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent",
                                 "translationMetadata", "supportedTaxonomies", "properties"}),
    "reportingDescriptor": ({"id"}, {"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames",
                                     "shortDescription", "fullDescription", "messageStrings",
                                     "defaultConfiguration", "helpUri", "help", "relationships", "properties"}),
    "reportingConfiguration": (set(), {"enabled", "level", "rank", "parameters", "properties"}),
    "multiformatMessageString": ({"text"}, {"text", "markdown", "properties"}),
    "message": (set(), {"text", "markdown", "id", "arguments", "properties"}),
    "invocation": ({"executionSuccessful"}, {"commandLine", "arguments", "responseFiles", "startTimeUtc",
                                             "endTimeUtc", "exitCode", "ruleConfigurationOverrides",
                                             "notificationConfigurationOverrides", "toolExecutionNotifications",
                                             "toolConfigurationNotifications", "exitCodeDescription",
                                             "exitSignalName", "exitSignalNumber", "processStartFailureMessage",
                                             "executionSuccessful", "machine", "account", "processId",
                                             "executableLocation", "workingDirectory", "environmentVariables",
                                             "stdin", "stdout", "stderr", "stdoutStderr", "properties"}),
    "artifactLocation": (set(), {"uri", "uriBaseId", "index", "description", "properties"}),
    "result": ({"message"}, {"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget",
                             "locations", "guid", "correlationGuid", "occurrenceCount", "partialFingerprints",
                             "fingerprints", "stacks", "codeFlows", "graphs", "graphTraversals",
                             "relatedLocations", "suppressions", "baselineState", "rank", "attachments",
                             "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa", "webRequest",
                             "webResponse", "properties"}),
    "location": (set(), {"id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships",
                         "properties"}),
    "physicalLocation": (set(), {"address", "artifactLocation", "region", "contextRegion", "properties"}),
    "region": (set(), {"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength",
                       "byteOffset", "byteLength", "snippet", "message", "sourceLanguage", "properties"}),
    "logicalLocation": (set(), {"name", "index", "fullyQualifiedName", "decoratedName", "parentIndex", "kind",
                                "properties"}),
    "codeFlow": ({"threadFlows"}, {"message", "threadFlows", "properties"}),
    "threadFlow": ({"locations"}, {"id", "message", "initialState", "immutableState", "locations", "properties"}),
    "threadFlowLocation": (set(), {"index", "location", "stack", "kinds", "taxa", "module", "state",
                                   "nestingLevel", "executionOrder", "executionTimeUtc", "importance",
                                   "webRequest", "webResponse", "properties"}),
    "stack": ({"frames"}, {"message", "frames", "properties"}),
    "stackFrame": (set(), {"location", "module", "threadId", "parameters", "properties"}),
}

URI_REF = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$")


def sarif_obj(o, kind, path, errs):
    req, allowed = SARIF_OBJECTS[kind]
    if not isinstance(o, dict):
        errs.append("%s: not an object" % path)
        return False
    for k in req - set(o):
        errs.append("%s: required property %r missing" % (path, k))
    for k in set(o) - allowed:
        errs.append("%s: property %r not allowed in %s" % (path, k, kind))
    return True


def sarif_message(o, path, errs, multiformat=False):
    if sarif_obj(o, "multiformatMessageString" if multiformat else "message", path, errs):
        if not isinstance(o.get("text"), str) or not o["text"]:
            errs.append("%s.text: missing or empty" % path)


def sarif_artifact(o, path, errs):
    if sarif_obj(o, "artifactLocation", path, errs):
        uri = o.get("uri")
        if not isinstance(uri, str) or not uri or not URI_REF.match(uri):
            errs.append("%s.uri: not a URI reference: %r" % (path, uri))


def sarif_location(o, path, errs, need_region):
    if not sarif_obj(o, "location", path, errs):
        return
    pl = o.get("physicalLocation")
    if need_region and pl is None:
        errs.append("%s.physicalLocation missing" % path)
    if pl is not None and sarif_obj(pl, "physicalLocation", path + ".physicalLocation", errs):
        if "artifactLocation" not in pl and "address" not in pl:
            errs.append("%s.physicalLocation: needs artifactLocation or address" % path)
        if "artifactLocation" in pl:
            sarif_artifact(pl["artifactLocation"], path + ".physicalLocation.artifactLocation", errs)
        rg = pl.get("region")
        if need_region and rg is None:
            errs.append("%s.physicalLocation.region missing" % path)
        if rg is not None and sarif_obj(rg, "region", path + ".region", errs):
            if not isinstance(rg.get("startLine"), int) or rg["startLine"] < 1:
                errs.append("%s.region.startLine must be an integer >= 1" % path)
    for i, ll in enumerate(o.get("logicalLocations", [])):
        sarif_obj(ll, "logicalLocation", "%s.logicalLocations[%d]" % (path, i), errs)
    if "message" in o:
        sarif_message(o["message"], path + ".message", errs)


def validate_sarif(doc):
    """SARIF 2.1.0 structure plus GitHub code scanning's requirements; returns errors."""
    errs = []
    if not sarif_obj(doc, "log", "log", errs):
        return errs
    if doc.get("version") != "2.1.0":
        errs.append("version must be 2.1.0")
    if not isinstance(doc.get("runs"), list) or len(doc["runs"]) != 1:
        errs.append("runs: expected one run")
        return errs
    run = doc["runs"][0]
    sarif_obj(run, "run", "run", errs)
    sarif_obj(run["tool"], "tool", "run.tool", errs)
    drv = run["tool"]["driver"]
    sarif_obj(drv, "toolComponent", "driver", errs)
    rule_ids = []
    for i, r in enumerate(drv.get("rules", [])):
        p = "driver.rules[%d]" % i
        sarif_obj(r, "reportingDescriptor", p, errs)
        rule_ids.append(r.get("id"))
        for k in ("shortDescription", "fullDescription", "help"):   # GitHub requires these
            if k not in r:
                errs.append("%s.%s missing" % (p, k))
            else:
                sarif_message(r[k], p + "." + k, errs, multiformat=True)
        if "defaultConfiguration" in r:
            sarif_obj(r["defaultConfiguration"], "reportingConfiguration", p + ".defaultConfiguration", errs)
            if r["defaultConfiguration"].get("level") not in ("none", "note", "warning", "error"):
                errs.append(p + ".defaultConfiguration.level")
    for i, inv in enumerate(run.get("invocations", [])):
        p = "invocations[%d]" % i
        sarif_obj(inv, "invocation", p, errs)
        for k in ("executableLocation", "workingDirectory"):
            if k in inv:
                sarif_artifact(inv[k], p + "." + k, errs)
    for k, v in run.get("originalUriBaseIds", {}).items():
        sarif_artifact(v, "originalUriBaseIds." + k, errs)
        if not v.get("uri", "").endswith("/"):
            errs.append("originalUriBaseIds.%s.uri must end with '/'" % k)
    if not isinstance(run.get("results"), list):
        errs.append("run.results missing")
        return errs
    for i, res in enumerate(run["results"]):
        p = "results[%d]" % i
        sarif_obj(res, "result", p, errs)
        if res.get("ruleId") not in rule_ids:
            errs.append("%s.ruleId %r is not a rule" % (p, res.get("ruleId")))
        elif rule_ids.index(res["ruleId"]) != res.get("ruleIndex", rule_ids.index(res["ruleId"])):
            errs.append("%s.ruleIndex does not match ruleId" % p)
        if res.get("level") not in (None, "none", "note", "warning", "error"):
            errs.append(p + ".level")
        sarif_message(res.get("message"), p + ".message", errs)
        locs = res.get("locations")
        if not isinstance(locs, list) or not locs:
            errs.append(p + ".locations: GitHub needs at least one")
        else:
            for j, loc in enumerate(locs):
                sarif_location(loc, "%s.locations[%d]" % (p, j), errs, need_region=True)
        for k, v in res.get("partialFingerprints", {}).items():
            if not isinstance(v, str):
                errs.append("%s.partialFingerprints.%s not a string" % (p, k))
        for j, cf in enumerate(res.get("codeFlows", [])):
            cp = "%s.codeFlows[%d]" % (p, j)
            sarif_obj(cf, "codeFlow", cp, errs)
            if "message" in cf:
                sarif_message(cf["message"], cp + ".message", errs)
            if not cf.get("threadFlows"):
                errs.append(cp + ".threadFlows: at least one")
            for k, tf in enumerate(cf.get("threadFlows", [])):
                tp = "%s.threadFlows[%d]" % (cp, k)
                sarif_obj(tf, "threadFlow", tp, errs)
                if not tf.get("locations"):
                    errs.append(tp + ".locations: at least one")
                for m, tl in enumerate(tf.get("locations", [])):
                    lp = "%s.locations[%d]" % (tp, m)
                    sarif_obj(tl, "threadFlowLocation", lp, errs)
                    sarif_location(tl.get("location"), lp + ".location", errs, need_region=True)
                    if not isinstance(tl.get("nestingLevel", 0), int) or tl.get("nestingLevel", 0) < 0:
                        errs.append(lp + ".nestingLevel")
        for j, st in enumerate(res.get("stacks", [])):
            sp = "%s.stacks[%d]" % (p, j)
            sarif_obj(st, "stack", sp, errs)
            for k, fr in enumerate(st.get("frames", [])):
                fp = "%s.frames[%d]" % (sp, k)
                sarif_obj(fr, "stackFrame", fp, errs)
                if "location" in fr:
                    sarif_location(fr["location"], fp + ".location", errs, need_region=False)
    return errs


# ---- folded -------------------------------------------------------------------------------------

FOLDED_KINDS = {"definitely lost": "definitely_lost", "indirectly lost": "indirectly_lost",
                "possibly lost": "possibly_lost", "still reachable": "still_reachable"}


def check_folded(path, doc, what):
    sums = {k: 0 for k in FOLDED_KINDS.values()}
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    for line in lines:
        m = re.match(r"^(.*) (\d+)$", line)
        if not check(m is not None, "%s: folded line without a count: %r" % (what, line)):
            continue
        frames = m.group(1).split(";")
        if not check(frames[0] in FOLDED_KINDS, "%s: folded line does not start with a kind: %r" % (what, line)):
            continue
        sums[FOLDED_KINDS[frames[0]]] += int(m.group(2))
        check(len(frames) >= 3 and frames[1] in ("main", "(below main)"),
              "%s: folded stack not root-first (main after the kind): %r" % (what, line))
        check(frames[-1] in ALLOCATORS, "%s: folded stack does not end in the allocation function: %r"
              % (what, line))
    ls = doc["leak_summary"]
    for k, v in sums.items():
        check(v == ls[k]["bytes"], "%s: folded %s lines add up to %d, LEAK SUMMARY says %d"
              % (what, k, v, ls[k]["bytes"]))
    return lines


# ---- the runs -----------------------------------------------------------------------------------

def marker_lines(source):
    out = {}
    for n, line in enumerate(source.splitlines(), 1):
        m = re.search(r"/\* @(\w+) \*/", line)
        if m:
            out[m.group(1)] = n
    return out


def load_docs(pattern, what):
    paths = sorted(glob.glob(pattern))
    if not paths:
        check(False, "%s: no JSON file written (%s) -- are the writers wired into write_report?" % (what, pattern))
    return [(p, json.load(open(p, encoding="utf-8"))) for p in paths]


def main():
    ap = arg_parser(__doc__)
    a = ap.parse_args()
    lib, cli = os.path.abspath(a.lib), os.path.abspath(a.cli)
    cc = shutil.which("cc") or shutil.which("gcc")
    validator = load_validator(a.src)
    tmp = tempfile.mkdtemp(prefix="lt_outputs_")
    try:
        proj = os.path.join(tmp, "proj")
        os.makedirs(os.path.join(proj, ".git"))
        os.makedirs(os.path.join(proj, "src"))
        src = os.path.join(proj, "src", "prog.c")
        with open(src, "w") as f:
            f.write(PROG_C)
        lines = marker_lines(PROG_C)
        prog = os.path.join(tmp, "prog")
        subprocess.run([cc, "-g", "-O0", "-fno-omit-frame-pointer", "-fno-inline", "-o", prog, src], check=True)
        supp = os.path.join(tmp, "t.supp")
        with open(supp, "w") as f:
            f.write(SUPP)
        work = os.path.join(tmp, "work")
        os.makedirs(work)

        def run(tag, extra, mode, env_mode=False):
            out = os.path.join(tmp, tag)
            os.makedirs(out)
            opts = ["--json-file=%s/r.%%p.json" % out, "--sarif-file=%s/r.%%p.sarif" % out,
                    "--folded-file=%s/r.%%p.folded" % out, "--log-file=%s/text.%%p" % out,
                    "--suppressions=" + supp] + extra
            args = [mode.encode(), b'arg "q" \\', b"bad\xff"]
            if env_mode:
                env = dict(os.environ, LD_PRELOAD=lib, LEAKTRACE_OPTIONS=" ".join(opts))
                p = subprocess.run([prog.encode()] + args, cwd=work, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            else:
                p = subprocess.run([cli] + opts + [prog.encode()] + args, cwd=work, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            return out, p

        # 1. Everything, default kinds, from a directory that is not above the sources.
        out, p = run("full", [], "leaks")
        check(p.returncode == 0, "full: exit status %d, stderr %s" % (p.returncode, p.stderr[-500:]))
        docs = load_docs(out + "/r.*.json", "full")
        if not docs:
            print("no JSON file written: nothing else to check")
            return 1
        for path, doc in docs:
            validate(validator, doc, "full")
            pid = doc["pid"]
            check(path.endswith("r.%d.json" % pid), "full: %%p in the file name is not the pid: %s" % path)
            check(doc["schema_version"] == 1 and doc["tool"]["name"] == "leaktrace", "full: schema_version/tool")
            check(doc["program"] == os.path.realpath(prog), "full: program %r" % doc["program"])
            check(doc["argv"] == [prog, "leaks", 'arg "q" \\', "bad\ufffd"], "full: argv %r" % doc["argv"])
            check(doc["ppid"] > 0 and doc["final"] is True, "full: ppid/final")
            check(doc["exit_status"] == 0 and doc["fatal_signal"] is None, "full: exit status / signal")
            text = parse_text(os.path.join(out, "text.%d" % pid))
            check_json_vs_text(doc, text, "full")
            recs = doc["records"]
            # The README's stack, checked against the program's source.
            big = [r for r in recs if r["direct_bytes"] == 4096]
            if check(len(big) == 1, "full: no single 4096-byte record"):
                fr = big[0]["frames"]
                want = [("malloc", None, None), ("xstrdup", "prog.c", lines["XSTRDUP"]),
                        ("parse", "prog.c", lines["PARSE"]), ("main", "prog.c", lines["MAIN_PARSE"])]
                got = [(f["fn"], f["file"], f["line"]) for f in fr]
                check(got == want, "full: 4096-byte record frames %s, expected %s" % (got, want))
                check(fr[1]["dir"] == os.path.dirname(src), "full: frame dir %r" % fr[1]["dir"])
                check(fr[1]["object"] == os.path.realpath(prog) and fr[1]["mangled"] == "xstrdup",
                      "full: frame object/mangled %s" % fr[1])
                check(fr[0]["object"] and os.path.basename(fr[0]["object"]).startswith("libleaktrace"),
                      "full: frame 0 is the tool's malloc: %s" % fr[0])
            sup = [r for r in recs if r["suppressed"]]
            check(len(sup) == 1 and sup[0]["suppression"] == "test_outputs_suppression"
                  and sup[0]["direct_bytes"] == 55 and not sup[0]["shown"],
                  "full: suppressed record %s" % sup)
            check(any(not r["shown"] and not r["suppressed"] for r in recs), "full: no hidden record in JSON")
            # SARIF
            sdoc = json.load(open(os.path.join(out, "r.%d.sarif" % pid), encoding="utf-8"))
            for e in validate_sarif(sdoc)[:10]:
                check(False, "full: SARIF: " + e)
            run0 = sdoc["runs"][0]
            results = run0["results"]
            shown = [r for r in recs if r["shown"]]
            check(len(results) == len(shown), "full: %d SARIF results for %d shown records" % (len(results), len(shown)))
            base = run0.get("originalUriBaseIds", {}).get("SRCROOT", {}).get("uri")
            check(base == "file://" + os.path.realpath(proj) + "/" or base == "file://" + proj + "/",
                  "full: SRCROOT %r, expected the fake checkout %s" % (base, proj))
            for res in results:
                num_ = res["properties"]["lossRecord"]
                rec = recs[num_ - 1]
                check(rec["shown"], "full: SARIF result for a hidden record %d" % num_)
                pl = res["locations"][0]["physicalLocation"]
                uri, line = pl["artifactLocation"]["uri"], pl["region"]["startLine"]
                check(uri == "src/prog.c" and pl["artifactLocation"].get("uriBaseId") == "SRCROOT",
                      "full: result %d located in %r (base %r), expected src/prog.c under SRCROOT"
                      % (num_, uri, pl["artifactLocation"].get("uriBaseId")))
                own = [f for f in rec["frames"] if f["object"] == os.path.realpath(prog) and f["file"]]
                check(own and line == own[0]["line"], "full: result %d at line %d, first own frame %s"
                      % (num_, line, own[:1]))
                name = res["locations"][0].get("logicalLocations", [{}])[0].get("name")
                check(name not in ALLOCATORS, "full: result %d located at the allocator %r" % (num_, name))
                tfl = res["codeFlows"][0]["threadFlows"][0]["locations"]
                flow = [(t["location"]["logicalLocations"][0]["name"],
                         t["location"]["physicalLocation"]["region"]["startLine"]) for t in tfl]
                check(flow and flow[0][0] == "main" and flow[-1][1] == line,
                      "full: result %d code flow %s is not main..allocating line" % (num_, flow))
                if rec["direct_bytes"] == 4096:
                    check(line == lines["XSTRDUP"], "full: the 4096 leak located at line %d, expected %d"
                          % (line, lines["XSTRDUP"]))
                    check(flow == [("main", lines["MAIN_PARSE"]), ("parse", lines["PARSE"]),
                                   ("xstrdup", lines["XSTRDUP"])], "full: 4096 code flow %s" % flow)
                first = res["message"]["text"].split("\n")[0]
                check(first.startswith(format(rec["bytes"], ",") + " ") and
                      first.endswith("in loss record %d of %d." % (rec["number"], rec["total"])),
                      "full: result message %r" % first)
            # folded
            fl = check_folded(os.path.join(out, "r.%d.folded" % pid), doc, "full")
            check(any(re.match(r"^definitely lost;main;parse;xstrdup;malloc 4096$", l) for l in fl) or
                  any(re.match(r"^[a-z ]+;main;parse;xstrdup;malloc 4096$", l) for l in fl),
                  "full: no 'KIND;main;parse;xstrdup;malloc 4096' line in %s" % fl)
            # the flame graph script on it
            svg = os.path.join(out, "fg.svg")
            fg = subprocess.run([sys.executable, os.path.join(a.src, "scripts", "flamegraph.py"),
                                 "--title", "test", os.path.join(out, "r.%d.folded" % pid), "-o", svg],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if check(fg.returncode == 0, "flamegraph.py failed: %s" % fg.stderr[-400:]):
                dom = xml.dom.minidom.parse(svg)
                titles = " ".join(t.firstChild.data for t in dom.getElementsByTagName("title") if t.firstChild)
                check("xstrdup" in titles and "definitely lost" in titles, "flamegraph.py: frames missing")
        check(len(docs) == 1, "full: %d JSON documents, expected 1" % len(docs))

        # 2. --show-leak-kinds=all: a result for every record not suppressed.
        out, p = run("all", ["--show-leak-kinds=all"], "leaks")
        for path, doc in load_docs(out + "/r.*.json", "all"):
            validate(validator, doc, "all")
            check_json_vs_text(doc, parse_text(os.path.join(out, "text.%d" % doc["pid"])), "all")
            sdoc = json.load(open(os.path.join(out, "r.%d.sarif" % doc["pid"]), encoding="utf-8"))
            for e in validate_sarif(sdoc)[:10]:
                check(False, "all: SARIF: " + e)
            n = len([r for r in doc["records"] if not r["suppressed"]])
            check(len(sdoc["runs"][0]["results"]) == n, "all: %d results, %d records not suppressed"
                  % (len(sdoc["runs"][0]["results"]), n))
            check_folded(os.path.join(out, "r.%d.folded" % doc["pid"]), doc, "all")

        # 3. fork: a document per process; the child's ppid is the parent.
        out, p = run("fork", [], "fork")
        check(p.returncode == 5, "fork: exit status %d" % p.returncode)
        docs = load_docs(out + "/r.*.json", "fork")
        check(len(docs) == 2, "fork: %d JSON documents, expected 2" % len(docs))
        if len(docs) == 2:
            by_pid = {d["pid"]: d for _, d in docs}
            parent = [d for d in by_pid.values() if d["ppid"] not in by_pid]
            child = [d for d in by_pid.values() if d["ppid"] in by_pid]
            check(len(parent) == 1 and len(child) == 1, "fork: no parent/child pair by ppid")
            if parent and child:
                check(parent[0]["exit_status"] == 5 and child[0]["exit_status"] == 0,
                      "fork: exit statuses %d/%d" % (parent[0]["exit_status"], child[0]["exit_status"]))
                check(any(r["direct_bytes"] == 77 for r in child[0]["records"]), "fork: child's 77-byte leak")
            for _, d in docs:
                validate(validator, d, "fork")
                check_json_vs_text(d, parse_text(os.path.join(out, "text.%d" % d["pid"])), "fork")
                check_folded(os.path.join(out, "r.%d.folded" % d["pid"]), d, "fork")

        # 4. abort under a bare LD_PRELOAD: the fatal signal.
        out, p = run("abort", [], "abort", env_mode=True)
        check(p.returncode == -6, "abort: exit status %d" % p.returncode)
        for path, doc in load_docs(out + "/r.*.json", "abort"):
            validate(validator, doc, "abort")
            fs = doc["fatal_signal"]
            check(fs is not None and fs["number"] == 6 and fs["name"] == "SIGABRT",
                  "abort: fatal_signal %s" % fs)
            check(fs is not None and any(f["fn"] == "main" for f in fs["frames"]), "abort: signal stack without main")
            check(doc["exit_status"] == -1, "abort: exit_status %d" % doc["exit_status"])
            check_json_vs_text(doc, parse_text(os.path.join(out, "text.%d" % doc["pid"])), "abort")
            sdoc = json.load(open(os.path.join(out, "r.%d.sarif" % doc["pid"]), encoding="utf-8"))
            inv = sdoc["runs"][0]["invocations"][0]
            check(inv.get("exitSignalName") == "SIGABRT" and "exitCode" not in inv, "abort: SARIF invocation %s" % inv)

        # 5. --leak-check=no: no leak search.
        out, p = run("none", ["--leak-check=no"], "leaks")
        for path, doc in load_docs(out + "/r.*.json", "none"):
            validate(validator, doc, "none")
            check(doc["leak_summary"] is None and doc["records"] == [], "none: leak_summary/records")
            sdoc = json.load(open(os.path.join(out, "r.%d.sarif" % doc["pid"]), encoding="utf-8"))
            check(sdoc["runs"][0]["results"] == [], "none: SARIF results")
            check(open(os.path.join(out, "r.%d.folded" % doc["pid"])).read() == "", "none: folded not empty")
    finally:
        if not failures:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept " + tmp)
    if failures:
        print("%d failed" % len(failures))
        return 1
    print("test_outputs: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
