#!/usr/bin/env python3
"""The Command: line (issue 11, item 12).

1. It shows the arguments as the program was started, even when the
   program overwrites argv before it exits.
2. It escapes them as Valgrind 3.19 does: a backslash before space,
   backslash, '<' and '>', '_' for a control byte (a newline cannot break
   the ==PID== prefix) or a byte >= 0x80; the XML preamble's line has no
   backslashes. Compared with valgrind's own output when installed, else
   with the expected text."""
import os, re, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, finish, indent

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
work = tempfile.mkdtemp(prefix="lt-cmdline-")
SRC = r'''
#include <stdlib.h>
#include <string.h>
static void *volatile sink;
int main(int argc, char **argv)
{
    sink = malloc(3);
    for (int i = 0; i < argc; i++)
        memset(argv[i], 'X', strlen(argv[i]));
    argv[1] = "replaced";
    return 0;
}
'''
src = os.path.join(work, "p.c")
with open(src, "w") as f:
    f.write(SRC)
exe = os.path.join(work, "p")
subprocess.run(["gcc", "-g", "-O0", "-o", exe, src], check=True)
env0 = clean_env()
ARGS = ["a\nb", "c d", "e\\f", "<x>", "q'\"", "\u00e9", "t\tab", ""]
EXPECT_TEXT = "./p a_b c\\ d e\\\\f \\<x\\> q'\" __ t_ab "
EXPECT_XML = "./p a_b c d e\\f &lt;x&gt; q'\" __ t_ab "


def command(text, xml=False):
    if xml:
        m = re.search(r"<line>Command: (.*?)</line>", text, re.S)
    else:
        m = re.search(r"^==\d+== Command: (.*)$", text, re.M)
    return m.group(1) if m else None


r = subprocess.run(["./p"] + ARGS, cwd=work, env=dict(env0, LD_PRELOAD=lib), stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, timeout=60)
err = r.stderr.decode(errors="replace")
ours = command(err)
check(ours == EXPECT_TEXT, "text: %r (expected %r)" % (ours, EXPECT_TEXT))
stray = [l for l in err.splitlines() if l and not re.match(r"==\d+==", l)]
check(not stray, "text: every line keeps the ==PID== prefix\n" + indent("\n".join(stray)))
xmlf = os.path.join(work, "r.xml")
subprocess.run(["./p"] + ARGS, cwd=work, env=dict(env0, LD_PRELOAD=lib, LEAKTRACE_OPTIONS="--xml=yes --xml-file=" + xmlf),
               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
with open(xmlf, encoding="utf-8", errors="replace") as f:
    xml = f.read()
oursx = command(xml, True)
check(oursx == EXPECT_XML, "xml: %r (expected %r)" % (oursx, EXPECT_XML))
check("<arg>a\nb</arg>" in xml, "xml: <arg> holds the original argument")
if shutil.which("valgrind"):
    v = subprocess.run(["valgrind", "./p"] + ARGS, cwd=work, env=env0, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    vt = command(v.stderr.decode(errors="replace"))
    check(vt == ours, "text: as valgrind's (%r)" % vt)
    vx = os.path.join(work, "v.xml")
    subprocess.run(["valgrind", "--xml=yes", "--xml-file=" + vx, "./p"] + ARGS, cwd=work, env=env0,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    with open(vx, encoding="utf-8", errors="replace") as f:
        vxt = command(f.read(), True)
    check(vxt == oursx, "xml: as valgrind's (%r)" % vxt)
sys.exit(finish())
