#!/usr/bin/env python3
"""--trace-children=no whatever way the child is started (issue 11, item 12).

bash keeps its own environment table and exports its own getenv/unsetenv,
so removing LD_PRELOAD from environ does nothing there; programs also pass
an envp of their own to execve/execle/posix_spawn. In every case below the
child runs without the tool (no report of its own, LD_PRELOAD without our
library and with the user's other entries kept), and with
--trace-children=yes it is checked.

  bash -c 'x=$(echo hi | CHILD); CHILD'   (the issue's example)
  execve with an explicit envp, execle, execvp, execl, posix_spawn (envp),
  posix_spawnp (environ)."""
import os, re, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, indent

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
cli = os.path.abspath(args.cli)
work = tempfile.mkdtemp(prefix="lt-children-")
CHILD = r'''
#include <stdio.h>
#include <stdlib.h>
static void *volatile sink;
int main(void)
{
    sink = malloc(17);
    const char *p = getenv("LD_PRELOAD");
    printf("child LD_PRELOAD=%s\n", p ? p : "<unset>");
    return 0;
}
'''
PARENT = r'''
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
int main(int argc, char **argv)
{
    const char *how = argv[1], *child = argv[2];
    char pre[8192];
    /* The envp a program builds itself: the preload it was started with. */
    snprintf(pre, sizeof pre, "LD_PRELOAD=%s", argv[3]);
    char *envp[] = { pre, "PATH=/usr/bin:/bin", NULL };
    char *av[] = { (char *)child, NULL };
    fflush(stdout);
    if (!strcmp(how, "spawn") || !strcmp(how, "spawnp")) {
        pid_t pid;
        int rc = !strcmp(how, "spawn") ? posix_spawn(&pid, child, NULL, NULL, av, envp)
                                       : posix_spawnp(&pid, child, NULL, NULL, av, environ);
        if (rc)
            return 20;
        waitpid(pid, NULL, 0);
        return 0;
    }
    pid_t k = fork();
    if (k == 0) {
        if (!strcmp(how, "execve")) execve(child, av, envp);
        if (!strcmp(how, "execle")) execle(child, child, (char *)0, envp);
        if (!strcmp(how, "execvp")) execvp(child, av);
        if (!strcmp(how, "execl")) execl(child, child, (char *)0);
        _exit(21);
    }
    waitpid(k, NULL, 0);
    return 0;
}
'''
exes = {}
for name, text in (("child", CHILD), ("parent", PARENT)):
    src = os.path.join(work, name + ".c")
    with open(src, "w") as f:
        f.write(text)
    exes[name] = os.path.join(work, name)
    subprocess.run(["gcc", "-g", "-O0", "-o", exes[name], src], check=True)
child = exes["child"]
other = "/lib/x86_64-linux-gnu/libm.so.6"
env0 = dict(clean_env(), LD_PRELOAD=other)


def commands(err):
    return re.findall(r"^==\d+== Command: (\S+)", err, re.M)


def case(name, argv):
    for tc in ("no", "yes"):
        r = subprocess.run([cli, "--trace-children=" + tc] + argv, env=env0, cwd=work,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
        cmds = commands(err)
        lines = [l for l in out.splitlines() if l.startswith("child LD_PRELOAD=")]
        if tc == "no":
            ok = (child not in cmds and lines and all(l == "child LD_PRELOAD=" + other for l in lines)
                  and cmds)
            check(ok, "%s, no: the child runs without the tool, the other preload kept\n" % name
                  + indent(out + "\n" + "\n".join(cmds), 12))
        else:
            check(child in cmds, "%s, yes: the child is checked (%s)" % (name, cmds))


case("bash", ["bash", "-c", "x=$(echo hi | %s); echo \"$x\"; %s" % (child, child)])
for how in ("execve", "execle", "execvp", "execl", "spawn", "spawnp"):
    case(how, [exes["parent"], how, child, lib + ":" + other])
sys.exit(finish())
