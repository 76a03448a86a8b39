#!/usr/bin/env python3
"""nginx with the Lua module under the tool (issue: cgo and LuaJIT).

Starts nginx (master + 2 workers) on 127.0.0.1 with --log-file=DIR/lt.%p,
serves a location whose Lua handler leaks 1,717 bytes per request through
the FFI and one that frees what it allocates, then stops it with SIGQUIT.
Required: one complete report per process (master and each worker); the
leaked blocks appear only in the workers, 1,717 bytes per request served,
summing to the requests sent; with suppressions/nginx.supp nothing else is
definitely lost. Skips when nginx or its Lua module is not installed.

Deterministic by construction (a run once failed on a fresh clone's first
scripts/test and passed afterwards): nginx listens on a Unix socket in its own
directory, not on a TCP port picked by bind(0)-then-close (another test, or a
system nginx that the Debian package's postinst starts, could take the port
between the close and nginx's bind; nginx then retries for 2.5 s and exits).
Readiness is "the socket answers /ok", waited for as long as the test's budget
allows (ctest -j on a fresh clone runs it beside the heaviest tests: no cost
data yet), and a server that never became ready, a request that fails or a
shutdown that hangs is a named failure with nginx's error log, not a Python
traceback. nginx's stdout/stderr go to files, never to pipes nobody reads."""
import glob, http.client, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

from harness import arg_parser, check, failures

ap = arg_parser(__doc__)
args = ap.parse_args()
nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
lua_mod = "/usr/lib/nginx/modules/ngx_http_lua_module.so"
ndk_mod = "/usr/lib/nginx/modules/ndk_http_module.so"
if not nginx or not os.path.exists(lua_mod) or not os.path.exists(ndk_mod):
    print("SKIP: nginx with the Lua module is not installed (Debian packages nginx, libnginx-mod-http-lua)")
    sys.exit(0)

class UnixHTTP(http.client.HTTPConnection):
    """HTTP over the Unix socket nginx listens on."""
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def get(sock, path, timeout):
    c = UnixHTTP(sock, timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()

CONF = """
load_module %(ndk)s;
load_module %(lua)s;
daemon off;
master_process on;
worker_processes 2;
error_log %(dir)s/error.log;
pid %(dir)s/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %(dir)s/tmp; proxy_temp_path %(dir)s/tmp; fastcgi_temp_path %(dir)s/tmp;
  uwsgi_temp_path %(dir)s/tmp; scgi_temp_path %(dir)s/tmp;
  init_by_lua_block { ffi = require("ffi"); ffi.cdef[[void *malloc(size_t); void free(void *);]] }
  server {
    listen unix:%(dir)s/ngx.sock;
    location /leak { content_by_lua_block { local p = ffi.C.malloc(1717); ngx.say("leaked") } }
    location /ok { content_by_lua_block { local p = ffi.C.malloc(100); ffi.C.free(p); ngx.say("ok") } }
  }
}
"""


def run_server(extra_opts, requests):
    work = tempfile.mkdtemp(prefix="lt-nginx-")
    os.chmod(work, 0o1777)          # workers run as nobody when started as root
    os.makedirs(os.path.join(work, "tmp"))
    sock = os.path.join(work, "ngx.sock")
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write(CONF % {"ndk": ndk_mod, "lua": lua_mod, "dir": work})
    env = dict(os.environ, LD_PRELOAD=os.path.abspath(args.lib),
               LEAKTRACE_OPTIONS="--log-file=%s/lt.%%p %s" % (work, extra_opts))
    out = open(os.path.join(work, "nginx.out"), "wb")
    proc = subprocess.Popen([nginx, "-p", work, "-c", os.path.join(work, "nginx.conf")], env=env,
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    served, ready, errors = 0, False, []
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            try:
                ready = get(sock, "/ok", 10) == (200, b"ok\n")
                if ready:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        for _ in range(requests if ready else 0):
            try:
                served += get(sock, "/leak", 60) == (200, b"leaked\n")
            except OSError as e:
                errors.append(repr(e))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            errors.append("nginx did not exit within 120 s of SIGQUIT")
            proc.kill()
            proc.wait()
        out.close()
    check(ready, "nginx answered on its socket (log: %s)" % log_tail(work))
    check(not errors, "no request failed (%s)" % errors)
    reports = {}
    for path in glob.glob(os.path.join(work, "lt.*")):
        if ".tmp." in path:
            continue
        with open(path, errors="replace") as f:
            reports[path] = f.read()
    return work, proc.returncode, served, reports, proc.pid

def log_tail(work):
    text = ""
    for name in ("nginx.out", "error.log"):
        try:
            with open(os.path.join(work, name), errors="replace") as f:
                text += f.read()[-2000:]
        except OSError:
            pass
    return text.strip() or "empty"

def definite_blocks_of_size(text, size):
    n = 0
    for m in re.finditer(r"([\d,]+) bytes in ([\d,]+) blocks are definitely lost in loss record", text):
        b, k = int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))
        if b == size * k:
            n += k
    return n

REQUESTS = 5
work, rc, served, reports, master_pid = run_server("--suppressions=%s/suppressions/nginx.supp" % args.src, REQUESTS)
check(rc == 0, "nginx exits 0 after SIGQUIT (got %s)" % rc)
check(served == REQUESTS, "every request was served (%d of %d)" % (served, REQUESTS))
check(len(reports) == 3, "one report per process: master + 2 workers (got %d: %s)" % (len(reports), sorted(reports)))
check(all(re.search(r"==\d+== ERROR SUMMARY: ", t) for t in reports.values()), "every report is complete")
# The Command: line shows argv as nginx was started (as Valgrind's does), not
# the "nginx: master process" title it writes over argv later: the master is
# the process started (daemon off), the workers are the others.
masters = [t for p, t in reports.items() if os.path.basename(p) == "lt.%d" % master_pid]
workers = [t for p, t in reports.items() if os.path.basename(p) != "lt.%d" % master_pid]
check(len(masters) == 1 and len(workers) == 2, "one master report, two worker reports")
leaked = sum(definite_blocks_of_size(t, 1717) for t in workers)
check(leaked == REQUESTS, "the workers' reports hold one 1,717-byte leak per request served (%d of %d)" % (leaked, REQUESTS))
check(all(definite_blocks_of_size(t, 1717) == 0 for t in masters), "the master did not serve requests: no such leak there")
for t in workers:
    m = re.search(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks", t)
    b, k = (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))) if m else (-1, -1)
    check(b == 1717 * k, "with nginx.supp a worker's definite leaks are only the handler's (%d bytes in %d blocks)" % (b, k))
shutil.rmtree(work, ignore_errors=True)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
