#!/usr/bin/env python3
"""Security properties (issue: robustness, "Security").

1. Secure-execution (setuid) mode: the loader ignores LD_PRELOAD paths with
   a slash for a setuid program (ld.so(8)), so the tool is not loaded: the
   program runs exactly as without it, writes no report, and nothing breaks.
   Checked with a setuid-root copy of a small program run by an unprivileged
   user (needs root to make it; skipped otherwise).
2. Options from the environment make the tool write only where they say:
   a run with --log-file, --json-file, --xml-file, --sarif-file and
   --folded-file creates exactly those files and no other file anywhere
   under the working directory, the program's directory or /tmp's new
   entries.
3. The report never includes memory contents: a program that fills its
   leaked blocks with a marker string must not see that string in any
   output (text, XML, JSON, SARIF, folded)."""
import os, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, failures

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
work = tempfile.mkdtemp(prefix="lt-security-")
os.chmod(work, 0o755)
SRC = r'''
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void *volatile sink;
int main(int argc, char **argv) {
    for (int i = 0; i < 3; i++) {
        char *p = malloc(64);
        strcpy(p, "SECRET-MARKER-7f3a9c");      /* contents must never be reported */
        sink = p;
    }
    sink = 0;
    printf("euid=%d uid=%d args=%d\n", (int)geteuid(), (int)getuid(), argc);
    return 0;
}
'''
try:
    src = os.path.join(work, "prog.c")
    with open(src, "w") as f:
        f.write(SRC)
    exe = os.path.join(work, "prog")
    subprocess.run(["gcc", "-g", "-O0", "-o", exe, src], check=True)
    env0 = dict(os.environ)
    env0.pop("LD_PRELOAD", None)

    # ---- 1. setuid ----------------------------------------------------------
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        print("SKIP setuid part: needs root and setpriv (util-linux)")
    else:
        suid = os.path.join(work, "prog-suid")
        shutil.copy(exe, suid)
        os.chown(suid, 0, 0)
        os.chmod(suid, 0o4755)
        drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        plain = subprocess.run(drop + [suid], env=env0, capture_output=True, text=True, timeout=60)
        shim = subprocess.run(drop + [suid], env=dict(env0, LD_PRELOAD=lib,
                              LEAKTRACE_OPTIONS="--error-exitcode=42"), capture_output=True, text=True, timeout=60)
        check(plain.returncode == 0 and "euid=0 uid=65534" in plain.stdout,
              "setuid program runs with euid 0 for an unprivileged user (got %r)" % plain.stdout)
        check(shim.returncode == plain.returncode and shim.stdout == plain.stdout,
              "under LD_PRELOAD it behaves the same (status %d, output %r)" % (shim.returncode, shim.stdout))
        check("==" not in shim.stderr and "leaktrace" not in shim.stderr,
              "the loader did not load the tool: no report (stderr %r)" % shim.stderr[:200])

    # ---- 2. writes only where told ---------------------------------------------
    out = os.path.join(work, "out")
    os.makedirs(out)
    run_dir = os.path.join(work, "cwd")
    os.makedirs(run_dir)
    before_tmp = set(os.listdir("/tmp"))
    before_work = set(os.listdir(work))
    opts = " ".join("--%s=%s/%s" % (o, out, n) for o, n in (
        ("log-file", "r.%p.txt"), ("json-file", "r.json"), ("sarif-file", "r.sarif"),
        ("folded-file", "r.folded")))
    r = subprocess.run([exe], cwd=run_dir, env=dict(env0, LD_PRELOAD=lib, LEAKTRACE_OPTIONS=opts),
                       capture_output=True, text=True, timeout=60)
    made = sorted(os.listdir(out))
    check(len(made) == 4 and "r.json" in made and "r.sarif" in made and "r.folded" in made and
          any(n.startswith("r.") and n.endswith(".txt") for n in made),
          "the four named outputs were written (%s)" % made)
    check(os.listdir(run_dir) == [], "nothing written in the working directory (%s)" % os.listdir(run_dir))
    check(set(os.listdir(work)) == before_work, "nothing new beside the program")
    # Other tests may run at the same time: look for names this run could
    # have made (its pid, or the tool's name).
    pids = [n[2:-4] for n in made if n.startswith("r.") and n.endswith(".txt")]
    new_tmp = sorted(n for n in set(os.listdir("/tmp")) - before_tmp
                     if "leaktrace" in n or any(p and p in n for p in pids))
    check(new_tmp == [], "nothing new in /tmp from this run (%s)" % new_tmp)
    xml = os.path.join(out, "r.xml")
    rx = subprocess.run([exe], cwd=run_dir, env=dict(env0, LD_PRELOAD=lib,
                        LEAKTRACE_OPTIONS="--xml=yes --xml-file=%s" % xml), capture_output=True, text=True, timeout=60)

    # ---- 3. no memory contents in any report ------------------------------------
    texts = [r.stderr, rx.stderr]
    for n in os.listdir(out):
        with open(os.path.join(out, n), errors="replace") as f:
            texts.append(f.read())
    check(any("definitely lost" in t or "Leak_DefinitelyLost" in t for t in texts), "the leaks were reported")
    check(not any("SECRET-MARKER" in t for t in texts), "no report holds the blocks' contents")
finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
