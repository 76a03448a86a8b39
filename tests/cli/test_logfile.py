#!/usr/bin/env python3
"""--log-file safety and multi-process behaviour (issue 11, items 8 and 12).

1. A planted symbolic link is never followed: links at the final %p name
   and at the old predictable temporary name (NAME.tmp.PID) pointing at a
   victim file leave the victim unchanged; the report lands in a regular
   file of that name.
2. --log-file=F (no %p) where F is a link to a victim: the victim is
   unchanged; the report goes to stderr with a warning.
3. --log-file=F without %p and a program that forks: both processes'
   reports are kept, as Valgrind keeps them (checked against valgrind when
   installed).
4. The same across exec: `leaktrace --log-file=F sh -c './p; ./p'` keeps
   one complete report per process (sh and both children) and F starts
   empty on each run."""
import os, re, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, indent

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
cli = os.path.abspath(args.cli)
work = tempfile.mkdtemp(prefix="lt-logfile-")
SRC = r'''
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
static void *volatile sink;
int main(int argc, char **argv)
{
    sink = malloc(argc > 1 ? 7 : 9);
    if (argc > 1) {
        pid_t k = fork();
        if (k == 0) { sink = malloc(5); return 0; }
        waitpid(k, 0, 0);
    }
    return 0;
}
'''
src = os.path.join(work, "p.c")
with open(src, "w") as f:
    f.write(SRC)
exe = os.path.join(work, "p")
subprocess.run(["gcc", "-g", "-O0", "-o", exe, src], check=True)
env0 = clean_env()
victim = os.path.join(work, "victim")


def reset_victim():
    with open(victim, "w") as f:
        f.write("precious\n")


def victim_intact():
    with open(victim) as f:
        return f.read() == "precious\n"


def summaries(path):
    with open(path) as f:
        text = f.read()
    return text.count("HEAP SUMMARY:"), len(re.findall(r"== ERROR SUMMARY: ", text)), text


def planted_p():
    reset_victim()
    script = ('ln -s %s p.$$.log; ln -s %s p.$$.log.tmp.$$; exec env LD_PRELOAD=%s "$@"'
              % (victim, victim, lib))
    env = dict(env0, LEAKTRACE_OPTIONS="--log-file=p.%p.log")
    r = subprocess.run(["sh", "-c", script, "sh", exe], env=env, cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    check(victim_intact(), "planted %p: the victim file is unchanged")
    logs = [n for n in os.listdir(work) if re.fullmatch(r"p\.\d+\.log", n)]
    ok = len(logs) == 1 and not os.path.islink(os.path.join(work, logs[0]))
    check(ok, "planted %%p: the report is a regular file p.PID.log (%r)" % logs)
    if ok:
        check(summaries(os.path.join(work, logs[0]))[0] == 1, "planted %p: it holds the report")
    for n in os.listdir(work):
        if n.startswith("p.") and n != "p.c":
            os.unlink(os.path.join(work, n))


def planted_fixed():
    reset_victim()
    link = os.path.join(work, "link.log")
    os.symlink(victim, link)
    env = dict(env0, LD_PRELOAD=lib, LEAKTRACE_OPTIONS="--log-file=" + link)
    r = subprocess.run([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    err = r.stderr.decode()
    check(victim_intact(), "planted fixed name: the victim file is unchanged")
    check("HEAP SUMMARY" in err and "cannot write the report" in err,
          "planted fixed name: the report goes to stderr with a warning\n" + indent(err, 5))
    r = subprocess.run([cli, "--log-file=" + link, exe], env=env0, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    check(victim_intact(), "planted fixed name, launcher: the victim file is unchanged")
    os.unlink(link)


def fork_kept():
    log = os.path.join(work, "fork.log")
    subprocess.run([cli, "--log-file=" + log, exe, "x"], env=env0, timeout=60)
    n, m, text = summaries(log)
    check(n == 2 and m == 2, "fork: both processes' reports are in the file (%d)\n" % n + indent(text, 8))
    if shutil.which("valgrind"):
        vlog = os.path.join(work, "fork.vg.log")
        subprocess.run(["valgrind", "--log-file=" + vlog, exe, "x"], env=env0, timeout=120)
        check(summaries(vlog)[0] == n, "fork: as many reports as valgrind's (%d)" % summaries(vlog)[0])


def exec_kept():
    log = os.path.join(work, "exec.log")
    for run in range(2):
        subprocess.run([cli, "--log-file=" + log, "sh", "-c", "%s; %s" % (exe, exe)], env=env0,
                       cwd=work, timeout=60)
        n, m, text = summaries(log)
        pids = set(re.findall(r"^==(\d+)==", text, re.M))
        check(n == 3 and m == 3 and len(pids) == 3,
              "exec (run %d): one complete report per process, 3 (%d)\n" % (run + 1, n) + indent(text, 8))


for fn in (planted_p, planted_fixed, fork_kept, exec_kept):
    fn()
sys.exit(finish())
