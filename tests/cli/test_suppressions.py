#!/usr/bin/env python3
"""Suppression files end to end, with valgrind 3.19 as the oracle.

usage: test_suppressions.py --lib LIB --cli CLI --build BUILD_DIR --src SOURCE_DIR
                            [--keep] [--only NAME[,NAME...]] [--verbose]

Builds, in a temporary folder, tests/data/supp/supp_prog.cpp (g++ -g -O0)
linked with supp_inl.c (gcc -g -O2: an inlined allocation helper),
libsuppobj.so (suppobj_lib.c, with debug info) and libsuppstrip.so
(suppstrip_lib.c, stripped: a "???" frame). The program leaks from 20 call
sites in every kind: definite (malloc, calloc, realloc, strdup, operator
new, operator new[], a 16-frame recursion, a loop, both libraries, the
inlined helper), indirect (the children of a lost tree), possible
(interior pointers) and still reachable (globals).

Part 1 -- one run per suppression file (or set of files) in cases(), under
  valgrind --leak-check=full --show-leak-kinds=all -s [opts] --suppressions=F... PROG
  LD_PRELOAD=LIB LEAKTRACE_OPTIONS='<the same options>' PROG
requiring identical: the five LEAK SUMMARY lines, every ERROR SUMMARY
line, the used_suppression lines (name, FILE:LINE, count, bytes, blocks;
as a set, and then in order), the shown loss records (header with `loss
record K of T`, frame 0's function name, frames 1.. with function and
file:line or object) and the exit status. Each case also states what
valgrind must suppress (bytes/blocks), so a case that silently stopped
matching anything is reported as BROKEN CASE. Covered: fun: exact, * and
? globs, mangled C++ names, obj: globs and exact paths (frame 0's
vgpreload object too), src:FILE and src:FILE:LINE (and Valgrind's
by-address quirk with inlined frames), "..." at start/middle/end, each
match-leak-kinds value, lists, all, none and absent, first match wins
(newest entry first, a matching entry moves to the front), patterns longer
than the stack, frames past --num-callers, (below main) and
--show-below-main=yes, --leak-resolution=low/med merging, summary mode,
a file that suppresses everything, valgrind's own default.supp and its
style, several files at once, comments, CRLF and the oddities valgrind
accepts. One case is also run through the `leaktrace` launcher (--cli).

Part 2 -- --gen-suppressions=all: the shim's blocks equal valgrind's; the
  shim's blocks fed back to the shim and to valgrind, and valgrind's fed to
  the shim, suppress every record; the same with default kinds and
  --num-callers=5. For aligned_alloc/valloc/posix_memalign/memalign/
  reallocarray/realloc(NULL) (frame 0 named differently by valgrind 3.19,
  see README) the blocks may differ only in the allocator frames, and
  valgrind's blocks must still suppress everything under the shim.

Part 3 -- relative --suppressions paths: used_suppression lines and FATAL
  messages name the file as given, under LD_PRELOAD and the launcher.

Part 4 -- a LeakSanitizer file (leak:PATTERN lines and # comments) matched
  by function name (plain, demangled, *, ^/$ anchors), source file name
  and object substring: exactly the records LSan would suppress are
  suppressed (shim only: valgrind does not read LSan files); with a
  Valgrind file as well; a bad line is refused before the program runs.

Part 5 -- default suppressions: a thread still running at exit; its glibc
  DTV is suppressed by default and reported with --default-suppressions=no
  (frames from 1 on as valgrind's; the kind and size differ by design, see
  README "Differences from Valgrind").

Part 6 -- malformed files: for each grammar error both tools refuse the
  file with the same FATAL text (same "near line N", same wording, same
  unprefixed "location should be ..." line), the program does not run (its
  marker file is not created), same exit status (1); a missing file and a
  directory too; files valgrind accepts despite oddities are accepted by
  both and the program runs. A few also through the launcher.

Exit status 0 when everything matched, 1 otherwise (a diff is printed).
When valgrind, gcc or g++ is missing it says so and exits 0.
"""
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from harness import arg_parser, clean_env, indent

HERE = os.path.dirname(os.path.abspath(__file__))
COMMON = ["--leak-check=full", "--show-leak-kinds=all", "-s"]
VG_TIMEOUT = 120
SHIM_TIMEOUT = 60
WORKERS = min(8, (os.cpu_count() or 2) + 1)

PREFIX = re.compile(r"^(==|--)(\d+)(==|--) ?(.*)$")
ADDR_RE = re.compile(r"0x[0-9A-Fa-f]+")


# --------------------------------------------------------------------------
# Programs

MARKER_C = r"""
/* Creates ran.marker in its current folder: proof that the program ran. */
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
    FILE *f = fopen("ran.marker", "w");
    if (f)
        fclose(f);
    free(malloc(10));
    return 0;
}
"""

THREAD_C = r"""
/* A thread still running at exit: its DTV (allocate_dtv <- _dl_allocate_tls
 * <- pthread_create) is live at the leak check. */
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>
static sem_t started;
static void *worker(void *a) { (void)a; sem_post(&started); for (;;) pause(); return 0; }
int main(void)
{
    pthread_t t;
    sem_init(&started, 0, 0);
    pthread_create(&t, 0, worker, 0);
    sem_wait(&started);
    return 0;
}
"""


def sh(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stdout.decode()}")


def build(work, data):
    sh(["gcc", "-g", "-O0", "-fPIC", "-shared", "-o", "libsuppobj.so",
        os.path.join(data, "suppobj_lib.c")], work)
    sh(["gcc", "-g0", "-O0", "-fPIC", "-shared", "-s", "-o", "libsuppstrip.so",
        os.path.join(data, "suppstrip_lib.c")], work)
    sh(["gcc", "-g", "-O2", "-c", "-o", "supp_inl.o", os.path.join(data, "supp_inl.c")], work)
    sh(["g++", "-g", "-O0", "-o", "supp_prog", os.path.join(data, "supp_prog.cpp"), "supp_inl.o",
        "-L.", "-lsuppobj", "-lsuppstrip", "-Wl,-rpath," + work], work)
    sh(["gcc", "-g", "-O0", "-o", "align_prog", os.path.join(data, "align_prog.c")], work)
    for name, text in (("marker", MARKER_C), ("thread", THREAD_C)):
        with open(os.path.join(work, name + ".c"), "w") as f:
            f.write(text)
        sh(["gcc", "-g", "-O0", "-pthread", "-o", name, name + ".c"], work)


def line_of(path, needle):
    with open(path) as f:
        for no, line in enumerate(f, 1):
            if needle in line:
                return no
    raise RuntimeError(f"{needle!r} not found in {path}")


# --------------------------------------------------------------------------
# Suppression files. Each case: name -> dict(files=[text, ...], opts=[...],
# vg=(bytes, blocks) valgrind must show as "suppressed:", or "all").
# Texts are formatted with WORK (the build folder) and the L_* line numbers.

def E(name, body, kinds=None, tool="Memcheck:Leak", indent="   "):
    """One entry; body: frame lines separated by blanks ("%20" is a blank)."""
    lines = ["{", indent + name, indent + tool]
    if kinds is not None:
        lines.append(indent + "match-leak-kinds: " + kinds)
    lines += [indent + l.replace("%20", " ") for l in body.split()]
    return "\n".join(lines + ["}", ""])


def cases():
    c = {}
    c["fun_exact"] = dict(files=[E("alpha-exact", "fun:malloc fun:leak_alpha fun:main")], vg=(101, 1))
    c["fun_glob_star"] = dict(files=[
        E("alp-star", "fun:malloc fun:leak_al*"),
        E("lib-star", "fun:* fun:lib_*"),
        E("star-middle", "fun:*lloc fun:s*p fun:*_st*p fun:m*n")], vg=(205 + 336 + 27, 6))
    c["fun_glob_qmark"] = dict(files=[
        E("q-calloc", "fun:?alloc fun:leak_b?ta"),
        E("q-realloc", "fun:re?lloc fun:leak_gamm?"),
        E("q-alpha", "fun:m?lloc fun:leak_?lpha"),
        E("q-needs-one-char", "fun:malloc? fun:leak_alpine"),
        E("q-too-short", "fun:malloc fun:leak_alpin?e")], vg=(306, 3))
    c["cxx_mangled"] = dict(files=[
        E("new-factory", "fun:_Znwm fun:_ZN3app7Factory4makeEv fun:_ZL11leak_objectv fun:main"),
        E("newarray-glob", "fun:_Zna? fun:_ZL*leak_arrayv"),
        E("demangled-no-match", "fun:malloc fun:app::Factory::make()"),
        E("operator-new-demangled-no-match", "fun:operator*new* fun:*")], vg=(56 + 108, 2))
    c["obj_paths"] = dict(files=[
        E("lib-obj-glob", "fun:malloc obj:*/libsuppobj.so"),
        E("frame0-vgpreload", "obj:*vgpreload_memcheck* fun:leak_beta"),
        E("exe-exact", "fun:realloc obj:{WORK}/supp_prog"),
        E("libc-strdup", "fun:malloc obj:*/libc.so* fun:leak_strdup"),
        E("qmark-obj", "fun:calloc obj:*/supp_pro?")], vg=(336 + 102 + 103 + 27 + 48, 7))
    c["obj_exact_lib"] = dict(files=[
        E("lib-exact", "fun:malloc obj:{WORK}/libsuppobj.so fun:main"),
        E("lib-wrong-dir", "fun:malloc obj:/nonexistent/libsuppobj.so")], vg=(336, 3))
    c["src_file_line"] = dict(files=[
        E("src-alpha-line", "fun:malloc src:supp_prog.cpp:{L_ALPHA}"),
        E("src-file-only", "fun:calloc src:supp_prog.cpp"),
        E("src-lib-line", "fun:malloc src:suppobj_lib.c:{L_LIB_KEPT} fun:main"),
        E("src-wrong-line", "fun:malloc src:supp_prog.cpp:{L_ALPINE_WRONG}"),
        E("src-glob", "fun:*alloc src:*.cpp:{L_GAMMA}"),
        E("src-after-kinds", "src:supp_prog.cpp:{L_ALPINE}", kinds="definite")],
        # the last entry's frame 0 is malloc, which has no source: no match
        vg=(101 + 102 + 48 + 112 + 103, 5))
    c["src_inline_quirk"] = dict(files=[
        E("src-inl-expanded", "fun:malloc src:supp_inl.c:{L_INL_MALLOC} src:supp_inl.c:{L_INL_CALL}"),
        E("src-inl-by-address", "fun:malloc src:supp_inl.c:{L_INL_MALLOC} src:supp_prog.cpp:{L_MAIN_INL}")],
        vg=(57, 1))
    c["inline_frames"] = dict(files=[
        E("inl-full", "fun:malloc fun:inl_alloc fun:inl_outer fun:main"),
        E("inl-skipping-inlined", "fun:malloc fun:inl_outer")], vg=(57, 1))
    c["dots_start"] = dict(files=[
        E("dots-beta", "... fun:leak_beta"),
        E("dots-lib", "... obj:*/libsuppobj.so fun:main"),
        E("dots-deep", "... fun:deep fun:deep fun:deep")], vg=(102 + 336 + 119, 5))
    c["dots_middle"] = dict(files=[
        E("malloc-to-main", "fun:malloc ... fun:main"),
        E("new-to-main", "fun:_Znwm ... fun:main")],
        vg=(27 + 32 + 36 + 40 + 57 + 101 + 104 + 111 + 112 + 113 + 123 + 150 + 160 + 56 + 131, 17))
    c["dots_end"] = dict(files=[
        E("calloc-anything", "fun:calloc ..."),
        E("deep-anything", "fun:malloc fun:deep ..."),
        E("dots-dots", "fun:realloc ... ... fun:main ...")], vg=(102 + 48 + 119 + 103, 4))
    for kinds, vg in (("definite", (27 + 56 + 57 + 101 + 102 + 103 + 104 + 108 + 111 + 119 + 48 + 123 + 131, 15)),
                      ("indirect", (72, 2)),
                      ("possible", (263, 2)),
                      ("reachable", (308, 3)),
                      ("indirect,reachable", (380, 5)),
                      ("all", "all"),
                      ("none", (0, 0)),
                      (None, "all")):
        c["kinds_" + (kinds or "absent").replace(",", "_")] = dict(
            files=[E(f"kinds-{kinds or 'absent'}", "obj:*", kinds=kinds)], vg=vg)
    c["kinds_mismatch"] = dict(files=[
        E("alpha-as-reachable", "fun:malloc fun:leak_alpha", kinds="reachable"),
        E("children-as-definite", "fun:malloc fun:make_child", kinds="definite,possible"),
        E("children-as-indirect", "fun:malloc fun:make_child fun:tree_root", kinds="possible,indirect"),
        E("tree-as-definite", "fun:calloc fun:tree_root", kinds="definite")], vg=(72 + 48, 3))
    c["first_match_wins"] = dict(files=[
        E("wide-definite", "obj:*", kinds="definite")
        + E("alp-star", "fun:malloc fun:leak_alp*")
        + E("alpha-only", "fun:malloc fun:leak_alpha")],
        vg=(27 + 56 + 57 + 101 + 102 + 103 + 104 + 108 + 111 + 119 + 48 + 123 + 131, 15))
    c["first_match_kind_restricted"] = dict(files=[
        E("wide-reachable", "obj:*", kinds="reachable")
        + E("alp-star", "fun:malloc fun:leak_alp*")
        + E("alpha-only", "fun:malloc fun:leak_alpha")
        + E("alpha-dup", "fun:malloc fun:leak_alpha fun:main")],
        vg=(308 + 101 + 104, 5))
    c["longer_than_stack"] = dict(files=[
        E("too-long", "fun:malloc fun:leak_alpha fun:main" + " fun:*" * 7),
        E("one-past-main", "fun:calloc fun:leak_beta fun:main fun:*"),
        E("below-main", "fun:realloc fun:leak_gamma fun:main fun:(below?main)"),
        E("below-main-exact", "fun:malloc fun:leak_alpine fun:main fun:(below%20main)")],
        vg=(102 + 103 + 104, 3))
    c["num_callers_cut"] = dict(files=[
        E("deep-13-frames", "fun:malloc" + " fun:deep" * 12),
        E("lib-then-more", "fun:malloc fun:lib_leak fun:main fun:* fun:* fun:* fun:nothing_here")],
        opts=["--num-callers=4"], vg=(119 + 111, 2))
    c["suppress_everything"] = dict(files=[
        E("every-fun", "fun:*") + E("every-obj", "obj:*") + E("every-dots", "... fun:main")],
        vg="all")
    # Valgrind's own style: a generated-file header, 2- and 3-space and tab
    # indents, other tools' and other Memcheck kinds' entries (with frame
    # lines of their own kinds), a multi-tool line, trailing blanks, comments,
    # no newline at the end of the file.
    c["valgrind_default_style"] = dict(files=[
        "# This is a generated file, composed of the following suppression rules:\n"
        "#  ./xfree-3.supp ./xfree-4.supp glibc-2.X-drd.supp glibc-2.X-helgrind.supp glibc-2.X.supp\n"
        "\n##----------------------------------------------------------------------##\n\n"
        "{\n   X11-Cond-0\n   Memcheck:Cond\n   obj:*libXt.so.6.0\n   obj:*libXt.so.6.0\n}\n"
        "{\n  helgrind-glibc2X-004\n  Helgrind:Race\n  obj:*/lib*/libc-2.*so*\n  whatever: this is not parsed\n}\n"
        "{\n   drd-libc-stdio\n   drd:ConflictingAccess\n   obj:*/lib*/libc-*\n}\n"
        "{\n   param-write\n   Memcheck:Param\n   write(buf)\n   fun:__write_nocancel\n}\n"
        "{\n   addr8\n   Memcheck:Addr8\n   fun:strlen\n   ...\n}\n"
        "\t{  \n\tmulti-tool-leak\t\n\tHelgrind,Memcheck:Leak\n\tmatch-leak-kinds: definite\n"
        "\tfun:malloc\n\tfun:leak_alpha\n\t}\n"
        "{\n  dtv-style-reachable\n  Memcheck:Leak\n  match-leak-kinds: possible,reachable\n"
        "  fun:malloc\n  fun:keep_*\n  fun:main\n}\n"
        "{\n   helgrind-only-leak\n   Helgrind:Leak\n   fun:malloc\n}\n"
        "{\n   cond-with-malloc\n   Memcheck:Cond\n   fun:malloc\n}\n"
        "# last entry, no newline at the end\n"
        "{\n   last-one\n   Memcheck:Leak\n   fun:calloc\n   fun:leak_beta\n}",
        open("/usr/libexec/valgrind/default.supp").read()
        if os.path.exists("/usr/libexec/valgrind/default.supp") else ""],
        vg=(101 + 36 + 160 + 150 + 102, 5))
    c["several_files"] = dict(files=[
        c["fun_exact"]["files"][0],
        "".join(c["cxx_mangled"]["files"]),
        "".join(c["obj_paths"]["files"]),
        # the same entry name again, in a later file: reported with its own FILE:LINE
        E("alpha-exact", "fun:malloc fun:leak_alpha")],
        vg=(101 + 56 + 108 + 336 + 102 + 103 + 27 + 48, 10))
    c["comments_and_hash"] = dict(files=[
        "# a comment\n   # an indented comment\n\n"
        "{\n   hash-is-literal # not a comment\n   Memcheck:Leak\n   fun:malloc\n   fun:leak_alpha # no\n}\n"
        "{\n   # this line is a comment, so the name is the next line\n   name-after-comment\n"
        "   Memcheck:Leak\n   # comment between lines\n   fun:calloc\n\n   fun:leak_beta\n}\n"
        "{\n   trailing-blanks   \n   Memcheck:Leak   \n   match-leak-kinds: definite   \n"
        "   fun:realloc   \n}\n"],
        vg=(102 + 103, 2))
    # A stripped library: a nameless frame ("???") and one named from .dynsym.
    c["stripped_unknown_fun"] = dict(files=[
        E("fun-unknown", "fun:malloc fun:??? fun:strip_leak fun:main"),
        E("hidden-name-no-match", "fun:malloc fun:hidden_alloc")], vg=(131, 1))
    c["stripped_obj"] = dict(files=[
        E("stripped-obj", "fun:malloc obj:*/libsuppstrip.so obj:{WORK}/libsuppstrip.so")], vg=(131, 1))
    c["stripped_obj_dots"] = dict(files=[
        E("stripped-obj-dots", "... obj:*/libsupps?rip.so fun:main")], vg=(131, 1))
    # Frames below main: named "(below main)" by default, by their own names
    # with --show-below-main=yes.
    c["show_below_main"] = dict(files=[
        E("below-main-generic", "fun:calloc fun:leak_beta fun:main fun:(below%20main)"),
        E("below-main-glibc", "fun:malloc fun:leak_alpha fun:main fun:__libc_start_call_main"),
        E("below-main-glob", "fun:realloc fun:leak_gamma fun:main fun:__libc_start*"),
        E("below-main-obj", "fun:malloc fun:leak_alpine fun:main obj:*/libc.so*")],
        opts=["--show-below-main=yes"], vg=(101 + 103 + 104, 3))
    # --leak-resolution=low merges records whose first 2 frames are equal: the
    # two make_child calls, the deep recursion; which stack represents them
    # decides what matches.
    c["leak_resolution_low"] = dict(files=[
        E("child-first-call", "fun:malloc fun:make_child src:supp_prog.cpp:{L_CHILD_A}"),
        E("child-second-call", "fun:malloc fun:make_child src:supp_prog.cpp:{L_CHILD_B}"),
        E("deep-to-main", "fun:malloc fun:deep ... fun:main")],
        opts=["--leak-resolution=low", "--num-callers=20"], vg=(72 + 119, 3))
    c["leak_resolution_med"] = dict(files=[
        E("child-second-call", "fun:malloc fun:make_child src:supp_prog.cpp:{L_CHILD_B}")],
        opts=["--leak-resolution=med"], vg=(40, 1))
    # Summary mode: no records shown, suppressions still counted.
    c["summary_mode"] = dict(files=[E("summary-definite", "obj:*", kinds="definite")
                                    + E("summary-alpha-reachable", "fun:malloc fun:leak_alpha", kinds="reachable")],
                             opts=["--leak-check=summary"],
                             vg=(27 + 56 + 57 + 101 + 102 + 103 + 104 + 108 + 111 + 119 + 48 + 123 + 131, 15))
    # Lines valgrind accepts although they look wrong: what each one matches
    # must be the same (the used_suppression lines tell which entries hit).
    k = "{\n   %s\n   Memcheck:Leak\n   match-leak-kinds:%s\n%s}\n"
    fr = lambda *f: "".join(f"   {x}\n" for x in f)
    c["odd_but_accepted"] = dict(files=[
        k % ("kinds-tab", "\tdefinite", fr("fun:malloc", "fun:leak_alpha"))
        + k % ("kinds-two-spaces", "  definite", fr("fun:calloc", "fun:leak_beta"))
        + k % ("kinds-double-comma", " definite,,possible", fr("fun:realloc", "fun:leak_gamma"))
        + k % ("kinds-leading-comma", " ,definite", fr("fun:malloc", "fun:leak_alpine"))
        + k % ("kinds-all-all", " all,all", fr("fun:_Znwm"))
        + k % ("kinds-trailing-comma", " definite,", fr("fun:_Znam"))
        + k % ("kinds-no-space", "definite", fr("fun:malloc", "fun:strdup"))
        + "{\n   lower-case-tool\n   memcheck:Leak\n   fun:malloc\n   fun:lib_leak\n}\n"
        + k % ("fun-space", " definite", fr("fun: malloc", "fun:leak_many"))
        + k % ("dots-trailing-blanks", " definite", fr("fun:malloc", "...   ", "fun:deep   "))
        + k % ("fun-empty", " all", fr("fun:", "fun:keep_possible"))
        + k % ("obj-empty", " all", fr("fun:malloc", "obj:"))
        + k % ("src-empty", " all", fr("fun:malloc", "src:"))
        + k % ("src-colons", " all", fr("fun:malloc", "src::"))
        + k % ("src-negative-line", " all", fr("fun:malloc", "src:supp_prog.cpp:-{L_ALPHA}"))
        + k % ("src-huge-line", " all", fr("fun:malloc", "src:supp_prog.cpp:99999999999999999999"))
        + k % ("nom-\u00e9-utf8", " indirect", fr("fun:malloc", "fun:make_child")),
        "{\r\n   crlf-reachable\r\n   Memcheck:Leak\r\n   match-leak-kinds: reachable\r\n"
        "   fun:malloc\r\n   fun:keep_reach\r\n}\r\n"],
        vg=(196 + 119 + 108 + 104 + 103 + 102 + 101 + 56 + 72 + 27, 12))
    return c


def format_text(text, subst):
    for k, v in subst.items():
        text = text.replace("{" + k + "}", str(v))
    return text


# --------------------------------------------------------------------------
# Running and parsing

def run(cmd, env, cwd, timeout):
    try:
        p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", f"(timed out after {timeout} s)"
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Tools:
    def __init__(self, lib, cli):
        self.lib = lib
        self.cli = cli

    def valgrind(self, exe, opts, cwd, args=()):
        return run(["valgrind"] + opts + [exe] + list(args), clean_env(), cwd, VG_TIMEOUT)

    def shim(self, exe, opts, cwd, args=(), via="env"):
        env = clean_env()
        if via == "cli":
            return run([self.cli] + opts + ["--", exe] + list(args), env, cwd, SHIM_TIMEOUT)
        env["LD_PRELOAD"] = self.lib
        if opts:
            env["LEAKTRACE_OPTIONS"] = " ".join(opts)
        return run([exe] + list(args), env, cwd, SHIM_TIMEOUT)


def prefixed(text):
    """[(kind '=='|'--', line without prefix)] for prefixed lines."""
    out = []
    for l in text.splitlines():
        m = PREFIX.match(l)
        if m and m.group(1) == m.group(3):
            out.append((m.group(1), m.group(4)))
    return out


def parse(scn, text):
    """Comparable view of one report."""
    lines = [l for k, l in prefixed(text) if k == "=="]
    summary = []
    in_sum = False
    for l in lines:
        if l.strip() == "LEAK SUMMARY:":
            in_sum = True
            continue
        if in_sum:
            if scn.SUMMARY_LINE.match(l):
                summary.append(l.strip())
            elif not l.strip():
                in_sum = False
    errors = [l.strip() for l in lines if l.strip().startswith("ERROR SUMMARY:")]
    used = [l.strip() for k, l in prefixed(text)
            if k == "--" and l.strip().startswith("used_suppression:")]
    records = []
    for rec in scn.parse_records(lines):
        fr = [f"{fn} ({loc})" if loc else fn for fn, loc in rec["frames"]]
        records.append([rec["header"], "   at " + (rec["frames"][0][0] if rec["frames"] else "?")]
                       + ["   by " + f for f in fr[1:]])
    in_use = None
    for l in lines:
        m = re.search(r"in use at exit: ([\d,]+) bytes in ([\d,]+) blocks", l)
        if m:
            in_use = (scn.num(m.group(1)), scn.num(m.group(2)))
    supp = None
    for l in summary:
        m = re.match(r"suppressed: ([\d,]+) bytes in ([\d,]+) blocks", l)
        if m:
            supp = (scn.num(m.group(1)), scn.num(m.group(2)))
    if any(scn.NO_LEAKS in l for l in lines):
        supp = (0, 0)
    return dict(summary=summary, errors=errors, used=used, records=records, in_use=in_use,
                supp=supp, text=text, parsed=scn.parse_summary(lines))


def compare(label, vg, lt):
    """Failure messages when the shim's view differs from valgrind's."""
    fails = []
    if vg["summary"] != lt["summary"]:
        fails.append("LEAK SUMMARY differs:\n" + udiff(vg["summary"], lt["summary"]))
    if vg["errors"] != lt["errors"]:
        fails.append("ERROR SUMMARY lines differ:\n" + udiff(vg["errors"], lt["errors"]))
    if sorted(vg["used"]) != sorted(lt["used"]):
        fails.append("used_suppression lines differ (as sets):\n" + udiff(sorted(vg["used"]), sorted(lt["used"])))
    elif vg["used"] != lt["used"]:
        fails.append("used_suppression lines: same set, different order:\n" + udiff(vg["used"], lt["used"]))
    # With --show-below-main=yes valgrind 3.19 prints one or two '???' frames
    # after '_start': its unwinder reads the words above the entry frame
    # (argc, the stack end) as return addresses. Those are not frames.
    vg_records = [past_start(r) for r in vg["records"]]
    if vg_records != lt["records"]:
        fails.append(f"shown records differ (valgrind {len(vg['records'])}, shim {len(lt['records'])}):\n"
                     + udiff(sum((r + [""] for r in vg_records), []),
                             sum((r + [""] for r in lt["records"]), [])))
    return [f"{label}: {f}" for f in fails]


def past_start(rec):
    """A record without the '???' frames valgrind shows after `_start`."""
    for i, line in enumerate(rec):
        if line.startswith("   by _start "):
            if all(l.strip().startswith("by ???") for l in rec[i + 1:]):
                return rec[:i + 1]
            break
    return rec


def udiff(a, b):
    d = difflib.unified_diff(a, b, "valgrind", "libleaktrace", n=2, lineterm="")
    return "\n".join("      " + l for l in d)


def gen_blocks(text):
    """The --gen-suppressions blocks: unprefixed lines from '{' to '}'."""
    blocks, cur = [], None
    for l in text.splitlines():
        if PREFIX.match(l):
            continue
        s = l.strip()
        if s == "{":
            cur = [l]
        elif cur is not None:
            cur.append(l)
            if s == "}":
                blocks.append(cur)
                cur = None
    return blocks


# --------------------------------------------------------------------------
# Part 1

def run_case(t, scn, work, name, case, subst, via="env"):
    cdir = os.path.join(work, "case_" + name + ("_cli" if via == "cli" else ""))
    os.makedirs(cdir, exist_ok=True)
    files = []
    for i, text in enumerate(case["files"]):
        p = os.path.join(cdir, f"{name}_{i + 1}.supp")
        with open(p, "w") as f:
            f.write(format_text(text, subst))
        files.append(p)
    opts = COMMON + case.get("opts", []) + [f"--suppressions={p}" for p in files]
    exe = os.path.join(work, "supp_prog")
    vrc, _, verr = t.valgrind(exe, opts, cdir)
    src, _, serr = t.shim(exe, opts, cdir, via=via)
    label = f"case {name}" + (" (leaktrace launcher)" if via == "cli" else "")
    fails = []
    vg, lt = parse(scn, verr), parse(scn, serr)
    if vg["parsed"] is None:
        return [f"{label}: valgrind wrote no LEAK SUMMARY (exit {vrc}):\n{verr}"], verr, serr
    if lt["parsed"] is None:
        return [f"{label}: the shim wrote no LEAK SUMMARY (exit {src}):\n{serr}"], verr, serr
    want = case["vg"]
    if want == "all":
        want = vg["in_use"]
        if any(vg["parsed"][k] != (0, 0) for k in scn.KINDS):
            fails.append(f"{label}: BROKEN CASE: valgrind does not suppress everything: {vg['summary']}")
    if want is not None and vg["supp"] != want:
        fails.append(f"{label}: BROKEN CASE: valgrind suppressed {vg['supp']}, the case expects {want}")
    if case["vg"] == "all" and any(lt["parsed"][k] != (0, 0) for k in scn.KINDS):
        fails.append(f"{label}: the shim does not suppress everything: {lt['summary']}")
    if vrc != src:
        fails.append(f"{label}: exit status: valgrind {vrc}, shim {src}")
    fails += compare(label, vg, lt)
    return fails, verr, serr


# --------------------------------------------------------------------------
# Part 2

def run_gen(t, scn, work):
    fails = []
    exe = os.path.join(work, "supp_prog")
    gdir = os.path.join(work, "gen")
    os.makedirs(gdir, exist_ok=True)
    opts = ["--leak-check=full", "--show-leak-kinds=all", "--gen-suppressions=all"]
    vrc, _, verr = t.valgrind(exe, opts, gdir)
    src, _, serr = t.shim(exe, opts, gdir)
    vb, sb = gen_blocks(verr), gen_blocks(serr)
    vrecs = parse(scn, verr)["records"]
    if len(vb) != len(vrecs) or not vb:
        fails.append(f"gen: valgrind printed {len(vb)} blocks for {len(vrecs)} records")
    if len(sb) != len(parse(scn, serr)["records"]) or not sb:
        fails.append(f"gen: the shim printed {len(sb)} blocks for {len(parse(scn, serr)['records'])} records")
    if vb != sb:
        fails.append("gen: the generated suppressions differ:\n" + udiff(sum(vb, []), sum(sb, [])))
    files = {}
    for who, blocks in (("shim", sb), ("valgrind", vb)):
        p = os.path.join(gdir, f"generated_by_{who}.supp")
        with open(p, "w") as f:
            f.write("\n".join("\n".join(b) for b in blocks) + "\n")
        files[who] = p
    # Feed each file to both tools.
    for who, p in files.items():
        o = COMMON + [f"--suppressions={p}"]
        v = parse(scn, t.valgrind(exe, o, gdir)[2])
        s = parse(scn, t.shim(exe, o, gdir)[2])
        for tool, view in (("valgrind", v), ("shim", s)):
            if view["parsed"] is None:
                fails.append(f"gen: {tool} with the file generated by {who}: no LEAK SUMMARY")
                continue
            left = {k: view["parsed"][k] for k in scn.KINDS if view["parsed"][k] != (0, 0)}
            if left or view["supp"] != view["in_use"] or view["records"]:
                fails.append(f"gen: {tool} with the suppressions generated by {who}: not everything is "
                             f"suppressed (in use {view['in_use']}, suppressed {view['supp']}, left {left}, "
                             f"{len(view['records'])} records shown)")
        fails += compare(f"gen: the file generated by {who}", v, s)
    # Default shown kinds and a short --num-callers: blocks only after the
    # shown (definite, possible) records, cut at 5 frames; fed back, they
    # suppress exactly those kinds.
    opts = ["--leak-check=full", "--num-callers=5", "--gen-suppressions=all"]
    verr = t.valgrind(exe, opts, gdir)[2]
    serr = t.shim(exe, opts, gdir)[2]
    vb, sb = gen_blocks(verr), gen_blocks(serr)
    if vb != sb or not vb:
        fails.append("gen (--num-callers=5, default kinds): the generated suppressions differ:\n"
                     + udiff(sum(vb, []), sum(sb, [])))
    p = os.path.join(gdir, "generated_short.supp")
    with open(p, "w") as f:
        f.write("\n".join("\n".join(b) for b in sb) + "\n")
    o = ["--leak-check=full", "--num-callers=5", f"--suppressions={p}"]
    s = parse(scn, t.shim(exe, o, gdir)[2])
    base = parse(scn, serr)
    if s["parsed"] is None or base["parsed"] is None or s["records"] or \
            s["parsed"]["definite"] != (0, 0) or s["parsed"]["possible"] != (0, 0) or \
            s["parsed"]["indirect"] != base["parsed"]["indirect"] or \
            s["parsed"]["reachable"] != base["parsed"]["reachable"]:
        fails.append("gen (--num-callers=5, default kinds): fed back to the shim, the blocks must suppress "
                     "every definite and possible record and nothing else:\n" + indent(s["text"]))
    return fails


# Allocators whose frame 0 valgrind 3.19 names differently (README,
# "Differences from Valgrind"): its generated suppressions must still
# suppress them under the shim (suppress.h: "an entry also matches if it
# matches the stack with frame 0 so renamed"). The reverse direction (the
# shim's fun:aligned_alloc etc. fed to valgrind) is expected not to match and
# is not checked.
ALLOCATORS = {"malloc", "calloc", "realloc", "memalign", "posix_memalign", "aligned_alloc", "valloc",
              "reallocarray"}


def strip_allocators(lines, prefix):
    """Drops the leading allocator frames (fun:NAME lines, or record frames)."""
    out = list(lines)
    i = 0
    while i < len(out) and out[i].strip().startswith(prefix):
        name = out[i].strip()[len(prefix):].split(" (")[0]
        if name not in ALLOCATORS:
            break
        i += 1
    return out[i:]


def run_gen_renamed(t, scn, work):
    fails = []
    exe = os.path.join(work, "align_prog")
    d = os.path.join(work, "gen_renamed")
    os.makedirs(d, exist_ok=True)
    opts = ["--leak-check=full", "--show-leak-kinds=all", "--gen-suppressions=all"]
    verr = t.valgrind(exe, opts, d)[2]
    serr = t.shim(exe, opts, d)[2]
    vb, sb = gen_blocks(verr), gen_blocks(serr)
    if len(vb) != 7 or len(sb) != 7:
        return [f"gen renamed: expected 7 generated blocks, valgrind printed {len(vb)}, the shim {len(sb)}"]
    # Same blocks once the allocator frames are dropped.
    norm = lambda b: b[:4] + strip_allocators(b[4:], "fun:")
    if [norm(b) for b in vb] != [norm(b) for b in sb]:
        fails.append("gen renamed: generated blocks differ beyond frame 0:\n"
                     + udiff(sum(map(norm, vb), []), sum(map(norm, sb), [])))
    vr, sr = parse(scn, verr)["records"], parse(scn, serr)["records"]
    frame_fn = lambda line: line.strip().split(" ", 1)[1].split(" (")[0]   # "   by fn (loc)" -> fn
    normr = lambda r: [r[0]] + [x for x in r[1:] if frame_fn(x) not in ALLOCATORS]
    if [normr(r) for r in vr] != [normr(r) for r in sr]:
        fails.append("gen renamed: records differ beyond the allocator frames:\n"
                     + udiff(sum(map(normr, vr), []), sum(map(normr, sr), [])))
    for who, blocks in (("valgrind", vb), ("shim", sb)):
        p = os.path.join(d, f"generated_by_{who}.supp")
        with open(p, "w") as f:
            f.write("\n".join("\n".join(b) for b in blocks) + "\n")
        view = parse(scn, t.shim(exe, COMMON + [f"--suppressions={p}"], d)[2])
        if view["parsed"] is None or view["records"] or view["supp"] != view["in_use"] or \
                view["supp"] != (1365, 7):
            fails.append(f"gen renamed: the shim with the suppressions generated by {who} for "
                         f"aligned_alloc/valloc/posix_memalign/memalign/reallocarray/realloc(NULL): "
                         f"suppressed {view['supp']} of {view['in_use']}, expected all (1,365 bytes in 7 "
                         f"blocks); still shown: {[r[0] for r in view['records']]}")
    return fails


# Relative --suppressions paths: valgrind prints FILE as given, in the
# used_suppression lines and in FATAL messages; so must the shim, run either
# way.
def run_relative(t, scn, work):
    fails = []
    d = os.path.join(work, "relative", "sub")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(work, "relative", "rel.supp"), "w") as f:
        f.write(E("rel-alpha", "fun:malloc fun:leak_alpha"))
    with open(os.path.join(d, "here.supp"), "w") as f:
        f.write(E("rel-beta", "fun:calloc fun:leak_beta"))
    with open(os.path.join(d, "bad.supp"), "w") as f:
        f.write("{\n   n1\n   Memcheck:Leak\n   match-leak-kinds: defnite\n   fun:malloc\n}\n")
    exe = os.path.join(work, "supp_prog")
    opts = COMMON + ["--suppressions=../rel.supp", "--suppressions=here.supp"]
    v = parse(scn, t.valgrind(exe, opts, d)[2])
    if len(v["used"]) != 2:
        fails.append(f"relative: BROKEN CASE: valgrind used {len(v['used'])} entries, expected 2:\n"
                     + indent(v["text"]))
    runs = [("LD_PRELOAD", parse(scn, t.shim(exe, opts, d)[2]))]
    if t.cli:
        runs.append(("leaktrace launcher", parse(scn, t.shim(exe, opts, d, via="cli")[2])))
    for how, s in runs:
        if v["used"] != s["used"]:
            fails.append(f"relative --suppressions paths ({how}): used_suppression lines differ:\n"
                         + udiff(v["used"], s["used"]))
    mexe = os.path.join(work, "marker")
    for name in ("bad.supp", "missing.supp"):
        o = ["--leak-check=full", f"--suppressions={name}"]
        vf = fatal_text(t.valgrind(mexe, o, d)[2])
        for how in ("env", "cli") if t.cli else ("env",):
            sf = fatal_text(t.shim(mexe, o, d, via=how)[2])
            if vf != sf:
                fails.append(f"relative --suppressions={name} ({'leaktrace launcher' if how == 'cli' else 'LD_PRELOAD'}): "
                             "the error message differs:\n" + udiff(vf or [], sf or []))
    return fails


# --------------------------------------------------------------------------
# Part 3

LSAN_FILE = """# LeakSanitizer suppressions
# function names (substring), anchors, demangled C++ names
leak:leak_beta
leak:^make_chi
leak:keep_reach$
leak:app::Factory::make
leak:leak_al*ne
# source file name
leak:supp_inl.c
# object (module) substring
leak:libsuppobj
# must not match anything
leak:^eak_alpha
leak:leak_alphx
"""
# Records LSan suppresses: those with a frame in one of these functions.
LSAN_FUNCS = {"leak_beta", "leak_alpine", "make_child", "keep_reach", "app::Factory::make()", "inl_alloc",
              "inl_outer", "lib_leak", "lib_keep"}
LSAN_USED = {"leak:leak_beta", "leak:leak_al*ne", "leak:^make_chi", "leak:keep_reach$", "leak:app::Factory::make",
             "leak:supp_inl.c", "leak:libsuppobj"}


def run_lsan(t, scn, work):
    fails = []
    exe = os.path.join(work, "supp_prog")
    d = os.path.join(work, "lsan")
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, "lsan.supp")
    with open(p, "w") as f:
        f.write(LSAN_FILE)
    base = parse(scn, t.shim(exe, COMMON, d)[2])
    view = parse(scn, t.shim(exe, COMMON + [f"--suppressions={p}"], d)[2])
    if base["parsed"] is None or view["parsed"] is None:
        return [f"lsan: no LEAK SUMMARY:\n{view['text']}"]
    kind_of = {"definitely lost": "definite", "indirectly lost": "indirect",
               "possibly lost": "possible", "still reachable": "reachable"}
    want = {k: list(base["parsed"][k]) for k in scn.KINDS}
    want["suppressed"] = [0, 0]
    for rec in scn.parse_records([l for k, l in prefixed(base["text"]) if k == "=="]):
        if any(fn in LSAN_FUNCS for fn, _ in rec["frames"]):
            direct = rec["direct"] if rec["direct"] is not None else rec["bytes"]
            k = kind_of[rec["kind"]]
            want[k][0] -= direct
            want[k][1] -= rec["blocks"]
            want["suppressed"][0] += direct
            want["suppressed"][1] += rec["blocks"]
    got = {k: list(v) for k, v in view["parsed"].items()}
    if got != want:
        fails.append(f"lsan: LEAK SUMMARY {scn.fmt_summary(view['parsed'])}, expected "
                     f"{scn.fmt_summary({k: tuple(v) for k, v in want.items()})}\n{view['text']}")
    shown = [r for r in view["records"] if any(f.split(" (")[0].split("at ")[-1].split("by ")[-1] in LSAN_FUNCS
                                                for f in r[1:])]
    if shown:
        fails.append("lsan: records LSan would suppress are still shown:\n" + "\n".join(r[0] for r in shown))
    names = {re.match(r"used_suppression:\s+\d+ (\S+)", u).group(1) for u in view["used"]}
    if names != LSAN_USED:
        fails.append(f"lsan: used_suppression names {sorted(names)}, expected {sorted(LSAN_USED)}")
    # An LSan file together with a Valgrind file: both apply.
    vfile = os.path.join(d, "valgrind.supp")
    with open(vfile, "w") as f:
        f.write(E("alpha-exact", "fun:malloc fun:leak_alpha"))
    both = parse(scn, t.shim(exe, COMMON + [f"--suppressions={p}", f"--suppressions={vfile}"], d)[2])
    if both["supp"] is None or view["supp"] is None or both["supp"] != (view["supp"][0] + 101, view["supp"][1] + 1):
        fails.append(f"lsan: with an LSan and a Valgrind file, suppressed {both['supp']}, expected "
                     f"{view['supp']} + 101 bytes in 1 block")
    # A line that is not leak:PATTERN is refused as LSan refuses it ("failed to
    # parse suppressions"), in valgrind's FATAL format, before the program runs.
    bad = os.path.join(d, "lsan_bad.supp")
    with open(bad, "w") as f:
        f.write("# lsan\nleak:foo\n\nrace:bar\n")
    mexe = os.path.join(work, "marker")
    rc, _, err = t.shim(mexe, ["--leak-check=full", f"--suppressions={bad}"], d)
    ft = fatal_text(err)
    if os.path.exists(os.path.join(d, "ran.marker")) or rc != 1 or not ft or \
            ft[0] != f'FATAL: in suppressions file "{bad}" near line 4:' or ft[-1] != "exiting now.":
        fails.append(f"lsan: a bad line (line 4) must be refused with a FATAL message near line 4, exit 1, "
                     f"program not run; got exit {rc}, ran={os.path.exists(os.path.join(d, 'ran.marker'))}:\n"
                     + indent(err))
    return fails


# --------------------------------------------------------------------------
# Part 4

def run_default_supp(t, scn, work):
    fails = []
    exe = os.path.join(work, "thread")
    d = os.path.join(work, "dtv")
    os.makedirs(d, exist_ok=True)
    dflt = parse(scn, t.shim(exe, COMMON, d)[2])
    nodef = parse(scn, t.shim(exe, COMMON + ["--default-suppressions=no"], d)[2])
    vnodef = parse(scn, t.valgrind(exe, COMMON + ["--default-suppressions=no"], d)[2])
    if dflt["parsed"] is None or nodef["parsed"] is None:
        return ["dtv: the shim wrote no LEAK SUMMARY:\n" + dflt["text"] + nodef["text"]]
    dtv = lambda v: [r for r in v["records"] if any("_dl_allocate_tls" in f for f in r)]
    if dtv(dflt) or not dflt["supp"] or dflt["supp"][0] == 0 or dflt["supp"] != dflt["in_use"]:
        fails.append("dtv: by default the DTV of a running thread must be suppressed:\n" + dflt["text"])
    if not any("leaktrace-glibc-thread-dtv" in u for u in dflt["used"]):
        fails.append("dtv: no used_suppression line for leaktrace-glibc-thread-dtv:\n" + dflt["text"])
    if not dtv(nodef) or nodef["supp"] != (0, 0) or nodef["used"]:
        fails.append("dtv: with --default-suppressions=no the DTV must be reported:\n" + nodef["text"])
    # Frames from 1 on as valgrind's (kind and size differ by design).
    vd, sd = dtv(vnodef), dtv(nodef)
    if len(vd) == 1 and len(sd) == 1 and vd[0][1:] != sd[0][1:]:
        fails.append("dtv: the DTV record's frames differ from valgrind's:\n" + udiff(vd[0][1:], sd[0][1:]))
    return fails


# --------------------------------------------------------------------------
# Part 5

def malformed_cases():
    hdr = "{\n   n1\n   Memcheck:Leak\n"
    big = "{\n   big\n   Memcheck:Leak\n   match-leak-kinds: all\n" + \
        "".join(f"   fun:f{i}\n" for i in range(501)) + "}\n"
    big500 = "{\n   big\n   Memcheck:Leak\n" + "".join(f"   fun:f{i}\n" for i in range(500)) + "}\n"
    return [
        # (name, text, extra options, valgrind refuses it?)
        ("missing_close", hdr + "   fun:malloc\n", [], True),
        ("missing_close_next_entry", hdr + "   fun:malloc\n{\n   n2\n   Memcheck:Leak\n   fun:calloc\n}\n", [], True),
        ("bad_tool_line", "{\n   n1\n   MemcheckLeak\n   fun:malloc\n}\n", [], True),
        ("tool_line_space", "{\n   n1\n   Memcheck: Leak\n   fun:malloc\n}\n", [], True),
        ("unknown_memcheck_kind", "{\n   n1\n   Memcheck:Bogus\n   fun:malloc\n}\n", [], True),
        ("kinds_space_after_comma", hdr + "   match-leak-kinds: definite, possible\n   fun:malloc\n}\n", [], True),
        ("kinds_typo", hdr + "   match-leak-kinds: defnite\n   fun:malloc\n}\n", [], True),
        ("kinds_upper_case", hdr + "   match-leak-kinds: Definite\n   fun:malloc\n}\n", [], True),
        ("kinds_empty", hdr + "   match-leak-kinds: \n   fun:malloc\n}\n", [], True),
        ("kinds_all_mixed", hdr + "   match-leak-kinds: all,definite\n   fun:malloc\n}\n", [], True),
        ("kinds_none_mixed", hdr + "   match-leak-kinds: none,definite\n   fun:malloc\n}\n", [], True),
        ("kinds_after_frame", hdr + "   fun:malloc\n   match-leak-kinds: definite\n}\n", [], True),
        ("too_many_frames", big, ["--num-callers=500"], True),
        ("unknown_frame_line", hdr + "   fun:malloc\n   foo:bar\n}\n", [], True),
        ("two_dots", hdr + "   ..\n}\n", [], True),
        ("only_dots", hdr + "   ...\n}\n", [], True),
        ("no_frames", hdr + "}\n", [], True),
        ("close_after_name", "{\n   n1\n}\n", [], True),
        ("name_is_brace", "{\n   }\n   Memcheck:Leak\n   fun:malloc\n}\n", [], True),
        ("open_brace_inside", hdr + "   fun:malloc\n{\n}\n", [], True),
        ("open_brace_trailing_text", "{ x\n   n1\n   Memcheck:Leak\n   fun:malloc\n}\n", [], True),
        ("close_brace_trailing_text", hdr + "   fun:malloc\n} x\n", [], True),
        ("eof_inside_frames", hdr + "   fun:malloc", [], True),
        ("eof_after_name", "{\n   n1", [], True),
        ("eof_after_open", "{\n", [], True),
        ("text_outside_entry", "{\n   ok\n   Memcheck:Leak\n   fun:malloc\n}\nxyz\n", [], True),
        ("missing_open", "n1\n   Memcheck:Leak\n   fun:malloc\n}\n", [], True),
        ("src_first_without_kinds", hdr + "   src:supp_prog.cpp:33\n}\n", [], True),
        ("param_without_extra", "{\n   p\n   Memcheck:Param\n}\n", [], True),
        ("error_in_second_entry", "# c\n{\n   ok\n   Memcheck:Leak\n   fun:malloc\n}\n\n"
         "{\n   n2\n   Memcheck:Leak\n   match-leak-kinds: all,definite\n   fun:malloc\n}\n", [], True),
        ("error_after_comments_and_blanks", "\n\n# one\n  # two\n\n{\n   n1\n\n   Memcheck:Leak\n"
         "# three\n   match-leak-kinds: possibly\n   fun:malloc\n}\n", [], True),
        # Oddities valgrind accepts: both must accept them and run the program.
        ("ok_500_frames", big500, ["--num-callers=500"], False),
        # frames past --num-callers are ignored, so the 500 limit is not reached
        ("ok_501_frames_default_callers", big, [], False),
        ("ok_empty_file", "", [], False),
        ("ok_comments_only", "# nothing\n\n   # here\n", [], False),
        ("ok_blank_name_line_skipped", "{\n\n   Memcheck:Leak\n   fun:malloc\n}\n", [], False),
        ("ok_kinds_no_space", hdr + "   match-leak-kinds:definite\n   fun:malloc\n}\n", [], False),
        ("ok_kinds_trailing_comma", hdr + "   match-leak-kinds: definite,\n   fun:malloc\n}\n", [], False),
        ("ok_kinds_duplicate", hdr + "   match-leak-kinds: definite,definite\n   fun:malloc\n}\n", [], False),
        ("ok_fun_empty", hdr + "   fun:\n}\n", [], False),
        ("ok_src_after_kinds", hdr + "   match-leak-kinds: all\n   src:m.c:3\n}\n", [], False),
        ("ok_src_second", hdr + "   fun:malloc\n   src:m.c:3\n}\n", [], False),
        ("ok_src_bad_line_number", hdr + "   fun:malloc\n   src:m.c:x\n}\n", [], False),
        ("ok_crlf", "{\r\n   n1\r\n   Memcheck:Leak\r\n   fun:malloc\r\n}\r\n", [], False),
        ("ok_other_tool_garbage", "{\n   h\n   Helgrind:Race\n   garbage line\n   more: garbage\n}\n", [], False),
        ("ok_no_final_newline", hdr + "   fun:malloc\n}", [], False),
        ("crlf_bad_kinds", "{\r\n   n1\r\n   Memcheck:Leak\r\n   match-leak-kinds: definite, possible\r\n"
         "   fun:malloc\r\n}\r\n", [], True),
        ("eof_after_blank_lines", hdr + "   fun:malloc\n\n\n", [], True),
        ("eof_after_comment_lines", hdr + "   fun:malloc\n# c\n# d", [], True),
        ("eof_after_comment_no_newline", hdr + "   fun:malloc\n# c", [], True),
        ("four_dots", hdr + "   fun:malloc\n   ....\n}\n", [], True),
        ("kind_lower_case", "{\n   n1\n   Memcheck:leak\n   fun:malloc\n}\n", [], True),
        ("tool_line_extra_colon", "{\n   n1\n   Memcheck:Leak:extra\n   fun:malloc\n}\n", [], True),
        ("kinds_key_capitalised", hdr + "   Match-leak-kinds: definite\n   fun:malloc\n}\n", [], True),
        ("kinds_without_colon", hdr + "   match-leak-kinds definite\n   fun:malloc\n}\n", [], True),
        ("kinds_blank_before_comma", hdr + "   match-leak-kinds: definite ,possible\n   fun:malloc\n}\n", [], True),
        ("long_bad_frame_line", hdr + "   fun:malloc\n   " + "f" * 5000 + "\n}\n", [], True),
        ("only_close_brace", "}\n", [], True),
        ("other_tool_eof", "{\n   h\n   Helgrind:Race\n   fun:x\n", [], True),
        ("second_entry_unclosed", hdr + "   fun:malloc\n}\n{\n   b\n   Memcheck:Leak\n   fun:calloc\n", [], True),
        ("cond_with_kinds_line", "{\n   n1\n   Memcheck:Cond\n   match-leak-kinds: all\n   fun:malloc\n}\n", [], True),
        ("ok_crlf_kinds", "{\r\n   n1\r\n   Memcheck:Leak\r\n   match-leak-kinds: definite,possible\r\n"
         "   fun:malloc\r\n}\r\n", [], False),
        ("ok_other_tool_open_brace", "{\n   h\n   Helgrind:Race\n   {\n   fun:x\n}\n", [], False),
        ("ok_other_tool_no_frames", "{\n   h\n   Helgrind:Race\n}\n", [], False),
        ("ok_long_name_and_frame", "{\n   " + "n" * 5000 + "\n   Memcheck:Leak\n   fun:" + "f" * 5000 + "\n}\n", [], False),
        ("ok_nul_byte", hdr + "   fun:mal\0loc\n}\n", [], False),
        ("ok_close_brace_indented", hdr + "   fun:malloc\n      }\n", [], False),
        ("ok_cond_src_first", "{\n   n1\n   Memcheck:Cond\n   src:m.c:3\n}\n", [], False),
        ("ok_lower_case_tool_skipped", "{\n   n1\n   memcheck:Leak\n   anything\n}\n", [], False),
        ("ok_hash_name_is_comment", "{\n   #name\n   Memcheck:Leak\n   fun:malloc\n}\n", [], False),
    ]


def fatal_text(text):
    """Valgrind's refusal: the unprefixed lines just before the FATAL line,
    then the prefixed lines from FATAL on, without prefixes."""
    lines = text.splitlines()
    for i, l in enumerate(lines):
        m = PREFIX.match(l)
        if m and m.group(4).startswith("FATAL"):
            j = i
            while j > 0 and not PREFIX.match(lines[j - 1]) and lines[j - 1].strip():
                j -= 1
            out = lines[j:i]
            for l2 in lines[i:]:
                m2 = PREFIX.match(l2)
                out.append(m2.group(4) if m2 else l2)
                if out[-1].strip() == "exiting now.":
                    break
            return out
    return None


def run_malformed(t, work, name, text, extra, refused, via="env", path=None):
    d = os.path.join(work, "bad_" + name + ("_cli" if via == "cli" else ""))
    os.makedirs(d, exist_ok=True)
    if path is None:
        path = os.path.join(d, name + ".supp")
        if text is not None:
            with open(path, "w", newline="") as f:
                f.write(text)
    exe = os.path.join(work, "marker")
    marker = os.path.join(d, "ran.marker")
    opts = ["--leak-check=full"] + extra + [f"--suppressions={path}"]
    label = f"malformed {name}" + (" (leaktrace launcher)" if via == "cli" else "")
    fails = []
    vrc, _, verr = t.valgrind(exe, opts, d)
    vran = os.path.exists(marker)
    if os.path.exists(marker):
        os.unlink(marker)
    src, _, serr = t.shim(exe, opts, d, via=via)
    sran = os.path.exists(marker)
    vf, sf = fatal_text(verr), fatal_text(serr)
    if refused:
        if vf is None or vran or vrc != 1:
            fails.append(f"{label}: BROKEN CASE: valgrind accepted it (exit {vrc}, ran={vran}):\n{verr}")
        if sran:
            fails.append(f"{label}: the program ran under the shim (the file must be refused first)")
        if src == 0 or src is None:
            fails.append(f"{label}: the shim's exit status is {src}, must be non-zero (valgrind: {vrc})")
        elif src != vrc:
            fails.append(f"{label}: exit status: valgrind {vrc}, shim {src}")
        if vf != sf:
            fails.append(f"{label}: the error message differs:\n" + udiff(vf or [], sf or [])
                         + ("" if sf else "\n    shim stderr:\n" + indent(serr)))
    else:
        if vf is not None or not vran or vrc != 0:
            fails.append(f"{label}: BROKEN CASE: valgrind refused it or did not run the program "
                         f"(exit {vrc}):\n{verr}")
        if sf is not None or not sran or src != 0:
            fails.append(f"{label}: valgrind accepts this file and runs the program (exit 0); the shim: "
                         f"exit {src}, program ran: {sran}, message:\n" + indent(serr))
    return fails


# --------------------------------------------------------------------------

def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--only", help="comma-separated case or part names (fun_exact, ..., gen, gen_renamed, "
                    "relative, lsan, dtv, malformed)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    src_dir = os.path.abspath(a.src)
    sys.path.insert(0, os.path.join(src_dir, "tests"))
    import scenario as scn  # noqa: E402
    for tool in ("valgrind", "gcc", "g++"):
        if shutil.which(tool) is None:
            print(f"test_suppressions: SKIP: {tool} is not installed, nothing to compare")
            return 0
    if not os.path.exists(a.lib):
        print(f"test_suppressions: FAIL: library not found: {a.lib}")
        return 1
    t = Tools(os.path.abspath(a.lib), os.path.abspath(a.cli) if a.cli else None)
    data = os.path.join(src_dir, "tests", "data", "supp")
    work = tempfile.mkdtemp(prefix="lt-supp-")
    only = set(a.only.split(",")) if a.only else None
    want = lambda n: only is None or n in only
    start = time.time()
    failures = []
    try:
        build(work, data)
        prog = os.path.join(data, "supp_prog.cpp")
        subst = dict(
            WORK=work,
            L_ALPHA=line_of(prog, "malloc(101)"),
            L_ALPINE=line_of(prog, "malloc(104)"),
            L_ALPINE_WRONG=line_of(prog, "malloc(104)") + 1,
            L_GAMMA=line_of(prog, "realloc(p, 103)"),
            L_MAIN_INL=line_of(prog, "    inl_outer();"),
            L_INL_MALLOC=line_of(os.path.join(data, "supp_inl.c"), "return malloc(n);"),
            L_INL_CALL=line_of(os.path.join(data, "supp_inl.c"), "inl_alloc(57)"),
            L_CHILD_A=line_of(prog, "make_child(32)"),
            L_CHILD_B=line_of(prog, "make_child(40)"),
            L_LIB_KEPT=line_of(os.path.join(data, "suppobj_lib.c"), "malloc(112)"),
        )
        jobs = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for name, case in cases().items():
                if want(name):
                    jobs.append((name, pool.submit(run_case, t, scn, work, name, case, subst)))
            if t.cli and want("several_files"):
                jobs.append(("several_files (cli)", pool.submit(run_case, t, scn, work, "several_files",
                                                                cases()["several_files"], subst, "cli")))
            if want("gen"):
                jobs.append(("gen", pool.submit(run_gen, t, scn, work)))
            if want("gen_renamed"):
                jobs.append(("gen_renamed", pool.submit(run_gen_renamed, t, scn, work)))
            if want("relative"):
                jobs.append(("relative", pool.submit(run_relative, t, scn, work)))
            if want("lsan"):
                jobs.append(("lsan", pool.submit(run_lsan, t, scn, work)))
            if want("dtv"):
                jobs.append(("dtv", pool.submit(run_default_supp, t, scn, work)))
            if want("malformed"):
                for name, text, extra, refused in malformed_cases():
                    jobs.append(("malformed " + name, pool.submit(run_malformed, t, work, name, text, extra, refused)))
                jobs.append(("malformed missing_file", pool.submit(
                    run_malformed, t, work, "missing_file", None, [], True)))
                os.makedirs(os.path.join(work, "a_directory.supp"), exist_ok=True)
                jobs.append(("malformed directory", pool.submit(
                    run_malformed, t, work, "directory", None, [], True, "env",
                    os.path.join(work, "a_directory.supp"))))
                if t.cli:
                    for name, text, extra, refused in malformed_cases():
                        if name in ("kinds_space_after_comma", "unknown_frame_line", "ok_crlf"):
                            jobs.append(("malformed cli " + name, pool.submit(
                                run_malformed, t, work, name, text, extra, refused, "cli")))
                    jobs.append(("malformed cli missing_file", pool.submit(
                        run_malformed, t, work, "missing_file", None, [], True, "cli")))
            for name, fut in jobs:
                res = fut.result()
                if isinstance(res, tuple):
                    fails, verr, serr = res
                    if fails and a.verbose:
                        fails = fails + [f"{name}: valgrind's output:\n{indent(verr, 400)}\n"
                                         f"  shim's output:\n{indent(serr, 400)}"]
                else:
                    fails = res
                failures += fails
                if a.verbose:
                    print(f"{'FAIL' if fails else 'ok  '} {name}")
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    took = time.time() - start
    if failures:
        for f in failures:
            print("FAIL: " + f)
        print(f"test_suppressions: FAIL ({len(failures)} mismatches in {len(jobs)} checks, {took:.0f} s)")
        return 1
    print(f"test_suppressions: PASS ({len(jobs)} checks against valgrind, {took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
