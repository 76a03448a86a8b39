#!/usr/bin/env python3
"""test-nginx's valgrind mode with leaktrace as `valgrind` (issue 13's done-when).

OpenResty's CI runs `TEST_NGINX_USE_VALGRIND=1 prove -r t`: test-nginx starts
nginx as `valgrind --num-callers=100 -q --tool=memcheck --leak-check=full
--keep-debuginfo=yes --show-possibly-lost=no --gen-suppressions=all
--suppressions=valgrind.suppress nginx ...` and the job greps the output for
`match-leak-kinds: definite`. Here a `valgrind` on PATH execs leaktrace, the
suite is tests/data/test-nginx/t (leak.t leaks 1,717 bytes through the FFI in
a content handler, clean.t frees them) and valgrind.suppress is OpenResty's
own (lua-nginx-module's). Required: both suites pass; leak.t's output holds
exactly one `match-leak-kinds: definite` block, and it names the Lua line
(content_by_lua(nginx.conf:N):2); clean.t's holds none.

Needs test-nginx from its repository (github.com/openresty/test-nginx; its
Perl dependencies are Debian packages: libtest-base-perl libipc-run-perl
libtext-diff-perl liblist-moreutils-perl liburi-perl libhttp-message-perl
libtest-longstring-perl) and lua-nginx-module's valgrind.suppress, both
vendored under tests/data/test-nginx/vendor (TEST_NGINX_LIB and
TEST_NGINX_SUPPRESS override them). Skips when nginx with the Lua module or
prove is missing."""
import os, re, shutil, subprocess, sys, tempfile

from harness import arg_parser, check, failures

args = arg_parser(__doc__).parse_args()
vendor = os.path.join(os.path.abspath(args.src), "tests", "data", "test-nginx", "vendor")
lib = os.path.abspath(os.environ.get("TEST_NGINX_LIB") or os.path.join(vendor, "lib"))
supp = os.environ.get("TEST_NGINX_SUPPRESS") or os.path.join(vendor, "valgrind.suppress")
missing = [what for what, ok in (
    ("TEST_NGINX_LIB (test-nginx's lib/)", os.path.exists(os.path.join(lib, "Test/Nginx/Socket.pm"))),
    ("TEST_NGINX_SUPPRESS (lua-nginx-module's valgrind.suppress)", os.path.isfile(supp)),
    ("nginx", shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
    ("the nginx Lua module", os.path.exists("/usr/lib/nginx/modules/ngx_http_lua_module.so")),
    ("prove", shutil.which("prove"))) if not ok]
if missing:
    print("SKIP: missing %s" % ", ".join(missing))
    sys.exit(0)
r = subprocess.run(["perl", "-I", lib, "-MTest::Nginx::Socket", "-e", "1"], capture_output=True, text=True)
if r.returncode != 0:
    print("SKIP: test-nginx does not load (its Perl dependencies?): %s" % r.stderr[-500:])
    sys.exit(0)

work = tempfile.mkdtemp(prefix="lt-test-nginx-")
os.chmod(work, 0o755)
shutil.copytree(os.path.join(args.src, "tests/data/test-nginx/t"), os.path.join(work, "t"))
shutil.copy(supp, os.path.join(work, "valgrind.suppress"))
# OpenResty's file suppresses a worker's connection array (27,648 bytes,
# definitely lost under valgrind once only epoll refers to it) by
# "fun:ngx_alloc / fun:ngx_event_process_init". That function is static:
# Debian's stripped nginx has no name for it (valgrind prints ??? as we do),
# so the entry cannot match there, under valgrind either. A user of Debian's
# nginx writes the entry against what the stripped binary shows; so do we.
with open(os.path.join(work, "valgrind.suppress"), "a") as f:
    f.write("{\n   stripped-nginx-connections\n   Memcheck:Leak\n   fun:malloc\n   fun:ngx_alloc\n"
            "   obj:*/nginx\n   fun:ngx_single_process_cycle\n}\n")
os.makedirs(os.path.join(work, "bin"))
wrapper = os.path.join(work, "bin", "valgrind")
with open(wrapper, "w") as f:
    f.write('#!/bin/sh\n# test-nginx runs "valgrind OPTIONS nginx ...": the same under leaktrace.\n'
            'exec %s "$@"\n' % os.path.abspath(args.cli))
os.chmod(wrapper, 0o755)
env = dict(os.environ, PATH=os.path.join(work, "bin") + ":/usr/sbin:" + os.environ.get("PATH", ""),
           PERL5LIB=lib, TEST_NGINX_USE_VALGRIND="1")
env.pop("LD_PRELOAD", None)

def prove(t):
    r = subprocess.run(["prove", t], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout + r.stderr

rc, out = prove("t/leak.t")
blocks = re.findall(r"^\{\n.*?^\}$", out, re.S | re.M)
definite = [b for b in blocks if "match-leak-kinds: definite" in b]
check(rc == 0 and "All tests successful" in out, "leak.t passes (status %d)" % rc)
check(len(definite) == 1, "leak.t: exactly one match-leak-kinds: definite block (%d)" % len(definite))
check(len(definite) == 1 and re.search(r"fun:main chunk@content_by_lua\(nginx\.conf:\d+\):2\n", definite[0]),
      "leak.t: the block names the Lua line (content_by_lua(nginx.conf:N):2)")
check(re.search(r"1,717 bytes in 1 blocks are definitely lost", out) is not None, "leak.t: the 1,717-byte block is reported")
if failures:
    print(out[-6000:])
rc, out = prove("t/clean.t")
check(rc == 0 and "All tests successful" in out, "clean.t passes (status %d)" % rc)
check("match-leak-kinds: definite" not in out, "clean.t: no definite block")
if len(failures):
    print(out[-6000:])
shutil.rmtree(work, ignore_errors=True)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
