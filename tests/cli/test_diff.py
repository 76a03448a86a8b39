#!/usr/bin/env python3
"""`leaktrace diff BASE NEW`: leaks new, fixed, grown or shrunk between two reports.

usage: test_diff.py --lib LIB --cli CLI --build BUILD_DIR --src SOURCE_DIR [--keep]

Builds (gcc -g -O0, PIE, in a temporary folder) a program that leaks in
several ways -- a buffer, a list (definite with indirect), COUNT blocks from
one site, two sites in one function, aligned_alloc / posix_memalign /
realloc(NULL) (frame 0 names differ under valgrind 3.19), an interior
pointer (possibly lost), a block lost on another thread (clone vs clone3) --
and variants of it: -DEXTRA (one more leak), -DCOUNT=3 (more blocks from one
site), -DTHIRD_SITE (a third site in a function), and the same source with
blank lines added at the top (every line moves). It then checks:

  - two runs of one program diff clean (our text; our JSON with
    LEAKTRACE_OPTIONS=--json-file=F; our JSON against our text);
  - the line-shifted rebuild diffs clean, and with --match-lines does not;
  - an added leak exits 1 and is named (NEW); a removed one is FIXED, exit 0;
  - COUNT 2 -> 3 is GROWN (exit 1), 3 -> 2 SHRUNK (exit 0);
    --errors-for-leak-kinds without definite makes the same growth exit 0;
  - records with one identity are summed (THIRD_SITE grows, and with
    --match-lines it is new);
  - valgrind's text, valgrind's XML, our text and our JSON (and our XML when
    the library writes it) of the same program diff clean in every direction,
    with and without --match-lines;
  - --json output parses and has new/fixed/grown/shrunk arrays;
  - the fixtures in tests/data/diff: real reports of examples/leaky in every
    format diff clean against each other; a file with two processes whose
    lines interleave (with program output and CI timestamps mixed in) parses;
    a leaktrace_check() report followed by the final one counts once;
  - bad input exits 2 with a message naming the file and the problem: empty
    file, random bytes, plain text, a text report cut mid-record, XML cut
    short, JSON cut short, JSON with schema_version 2, a missing file,
    a directory; bad usage exits 2.

Live JSON checks need a library with the JSON writer linked in (the string
"schema_version" in it); without one they are skipped, said so, and the JSON
fixtures are still read. The command is `CLI diff`. If the launcher does not dispatch "diff" yet, the
test builds tools/diff*.c with a two-line main (gcc, -lcjson) and tests that.
Without valgrind the valgrind comparisons are skipped (said so); everything
else still runs. Exits 0 when every check passed.
"""
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from harness import arg_parser

PROGRAM = r'''
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))
#ifndef COUNT
#define COUNT 2
#endif

struct node { struct node *next; long pad[3]; };   /* 32 bytes */

static void *volatile sink;
char *interior;

static NOINLINE void *launder(void *p) { sink = p; p = sink; sink = NULL; return p; }

static NOINLINE void scrub(void)
{
    volatile char pad[32768];
    memset((char *)pad, 0, sizeof pad);
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx,%%ebx\n\txor %%r12d,%%r12d\n\txor %%r13d,%%r13d\n\t"
                     "xor %%r14d,%%r14d\n\txor %%r15d,%%r15d" ::: "rbx", "r12", "r13", "r14", "r15", "memory");
#endif
}

static NOINLINE void leak_buffer(void) { launder(malloc(100)); }

static NOINLINE void leak_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 3; i++) {
        struct node *n = calloc(1, sizeof *n);
        n->next = head;
        head = n;
    }
    launder(head);
}

static NOINLINE void leak_many(void)
{
    for (int i = 0; i < COUNT; i++)
        launder(malloc(24));
}

static NOINLINE void two_sites(void)
{
    launder(malloc(16));
    launder(malloc(16));
#ifdef THIRD_SITE
    launder(malloc(16));
#endif
}

static NOINLINE void leak_aligned(void)
{
    void *p;
    launder(aligned_alloc(64, 128));
    if (posix_memalign(&p, 32, 48) == 0)
        launder(p);
    launder(realloc(NULL, 40));
}

static NOINLINE void keep_interior(void) { interior = (char *)malloc(72) + 8; }

static void *thread_main(void *arg) { (void)arg; launder(malloc(56)); return NULL; }

#ifdef EXTRA
static NOINLINE void leak_extra(void) { launder(calloc(1, 88)); }
#endif

int main(void)
{
    pthread_t t;
    leak_buffer();
    leak_list();
    leak_many();
    two_sites();
    leak_aligned();
    keep_interior();
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
#ifdef EXTRA
    leak_extra();
#endif
    scrub();
    return 0;
}
'''

DRIVER = r'''
#include "diff.h"
int main(int argc, char **argv) { return lt_diff_main(argc, argv); }
'''

failures = []


def check(cond, what, detail=None):
    if cond:
        print('ok:   ' + what)
    else:
        print('FAIL: ' + what)
        if detail:
            print('      ' + detail.replace('\n', '\n      '))
        failures.append(what)
    return cond


def run(cmd, env=None, cwd=None, timeout=300):
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, errors='replace', timeout=timeout)


def main():
    ap = arg_parser(__doc__)
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    lib = os.path.abspath(args.lib)
    if not os.path.exists(lib):
        print('FAIL: no library at ' + lib)
        return 1
    if not shutil.which('gcc'):
        print('SKIP: gcc is not installed; nothing can be built')
        return 0
    fixtures = os.path.join(args.src, 'tests', 'data', 'diff')
    tmp = tempfile.mkdtemp(prefix='lt-diff-')
    try:
        return body(args, lib, fixtures, tmp)
    finally:
        if args.keep:
            print('kept ' + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def body(args, lib, fixtures, tmp):
    # ---- the command under test -------------------------------------------------------
    cli = os.path.abspath(args.cli)
    probe = run([cli, 'diff', '--help']) if os.path.exists(cli) else None
    if probe is not None and probe.returncode == 0 and 'usage: leaktrace diff' in probe.stdout:
        differ = [cli, 'diff']
        print('testing `%s diff`' % cli)
    else:
        drv = os.path.join(tmp, 'driver.c')
        with open(drv, 'w') as f:
            f.write(DRIVER)
        tools = os.path.join(args.src, 'tools')
        srcs = sorted(glob.glob(os.path.join(tools, 'diff*.c')))
        exe = os.path.join(tmp, 'ltdiff')
        r = run(['gcc', '-std=c11', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-O1', '-g', '-I' + tools, '-o', exe]
                + srcs + [drv, '-lcjson'])
        if not check(r.returncode == 0, 'tools/diff*.c build with a private driver', r.stderr):
            return 1
        differ = [exe]
        print('NOTE: `%s diff` is not dispatched yet; testing tools/diff*.c through a private driver' % cli)

    def diff(*a):
        return run(differ + list(a))

    def diff_json(*a):
        r = diff('--json', *a)
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            doc = None
        return r, doc

    def clean(base, new, what, *opts):
        r, doc = diff_json(*(list(opts) + [base, new]))
        ok = r.returncode == 0 and doc is not None and all(doc.get(k) == [] for k in ('new', 'fixed', 'grown', 'shrunk'))
        check(ok, what, 'exit %d\n%s%s' % (r.returncode, r.stderr, diff(*(list(opts) + [base, new])).stdout))

    # ---- programs -------------------------------------------------------------------
    def build(name, defines=(), pad=0):
        d = os.path.join(tmp, name)
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, 'prog.c')
        with open(src, 'w') as f:
            f.write('\n' * pad + PROGRAM)
        exe = os.path.join(d, 'prog')
        r = run(['gcc', '-g', '-O0', '-fPIE', '-pie', '-pthread'] + ['-D' + x for x in defines] + ['-o', exe, src])
        if r.returncode != 0:
            raise SystemExit('FAIL: cannot build %s: %s' % (name, r.stderr))
        return d

    def ours(d, tag, json_file=False):
        log = os.path.join(d, tag + '.txt')
        opts = '--log-file=' + log
        jf = os.path.join(d, tag + '.json')
        if json_file:
            opts += ' --json-file=' + jf
        env = dict(os.environ, LD_PRELOAD=lib, LEAKTRACE_OPTIONS=opts)
        r = run(['./prog'], env=env, cwd=d)
        if r.returncode != 0:
            raise SystemExit('FAIL: %s/prog under the library exited %d: %s' % (d, r.returncode, r.stderr))
        return log, (jf if json_file and os.path.exists(jf) else None)

    base = build('base')
    shifted = build('shifted', pad=7)
    extra = build('extra', ['EXTRA'])
    more = build('more', ['COUNT=3'])
    third = build('third', ['THIRD_SITE'])

    run1, json1 = ours(base, 'run1', json_file=True)
    run2, json2 = ours(base, 'run2', json_file=True)
    shift_txt, _ = ours(shifted, 'run')
    extra_txt, _ = ours(extra, 'run')
    more_txt, _ = ours(more, 'run')
    third_txt, _ = ours(third, 'run')

    # ---- same program, two runs -----------------------------------------------------------
    r = diff(run1, run2)
    check(r.returncode == 0 and '0 new, 0 grown, 0 fixed, 0 shrunk' in r.stdout,
          'two runs of one PIE program: our text reports diff clean', r.stdout + r.stderr)
    clean(run1, run2, 'two runs: clean with --match-lines too', '--match-lines')
    with open(lib, 'rb') as f:
        json_linked = b'schema_version' in f.read()   # the JSON writer is linked into the library
    if json1 and json2:
        clean(json1, json2, 'two runs: our JSON reports diff clean')
        clean(json1, run1, 'one run: our JSON against our text, clean', '--match-lines')
        clean(run2, json1, 'our text against our JSON of another run, clean')
    elif json_linked:
        check(False, 'the library writes JSON with --json-file (its JSON writer is linked in)')
    else:
        print('NOTE: this library has no JSON writer linked in (--json-file writes nothing); '
              'live JSON checks skipped, the JSON fixtures are still read')

    # ---- every line moved -------------------------------------------------------------------
    r = diff(run1, shift_txt)
    check(r.returncode == 0 and '0 new, 0 grown, 0 fixed, 0 shrunk' in r.stdout,
          'rebuild with every line shifted: clean (lines are not identity)', r.stdout + r.stderr)
    r, doc = diff_json('--match-lines', run1, shift_txt)
    check(r.returncode == 1 and doc and len(doc['new']) > 0 and len(doc['new']) == len(doc['fixed']),
          'rebuild with every line shifted, --match-lines: every leak new and fixed, exit 1',
          'exit %d %s' % (r.returncode, r.stdout[-2000:]))

    # ---- added, removed, grown, shrunk -----------------------------------------------------------
    r = diff(run1, extra_txt)
    check(r.returncode == 1 and 'NEW:' in r.stdout and 'leak_extra' in r.stdout,
          'an added leak: exit 1, listed as NEW with its stack', 'exit %d\n%s' % (r.returncode, r.stdout))
    r, doc = diff_json(run1, extra_txt)
    ok = (doc is not None and len(doc['new']) == 1 and doc['new'][0]['kind'] == 'definite'
          and doc['new'][0]['error'] is True and doc['new'][0]['new']['bytes'] == 88
          and any(f['fn'] == 'leak_extra' for f in doc['new'][0]['frames'])
          and doc['fixed'] == [] and doc['grown'] == [] and doc['exit_status'] == 1)
    check(ok, '--json: the added leak is the one entry of "new"', r.stdout[-3000:])
    r = diff(extra_txt, run1)
    check(r.returncode == 0 and 'FIXED:' in r.stdout and 'leak_extra' in r.stdout and 'NEW:' not in r.stdout,
          'a removed leak: listed as FIXED, exit 0', 'exit %d\n%s' % (r.returncode, r.stdout))

    r, doc = diff_json(run1, more_txt)
    ok = (r.returncode == 1 and doc is not None and len(doc['grown']) == 1 and doc['new'] == []
          and doc['grown'][0]['base']['blocks'] == 2 and doc['grown'][0]['new']['blocks'] == 3
          and any(f['fn'] == 'leak_many' for f in doc['grown'][0]['frames']))
    check(ok, 'more blocks from one site: GROWN (2 -> 3 blocks), exit 1', r.stdout[-3000:])
    r = diff(run1, more_txt)
    check('GROWN:' in r.stdout and 'leak_many' in r.stdout, 'grown leak named in the text output', r.stdout)
    r, doc = diff_json(more_txt, run1)
    check(r.returncode == 0 and doc is not None and len(doc['shrunk']) == 1 and doc['grown'] == [],
          'fewer blocks from one site: SHRUNK, exit 0', r.stdout[-3000:])
    r = diff('--errors-for-leak-kinds=possible,indirect', run1, more_txt)
    check(r.returncode == 0 and 'GROWN:' in r.stdout,
          'growth of a definite leak with --errors-for-leak-kinds=possible,indirect: listed, exit 0',
          'exit %d\n%s' % (r.returncode, r.stdout))
    r = diff('--show-leak-kinds=possible', run1, more_txt)
    check(r.returncode == 0 and 'GROWN:' not in r.stdout, '--show-leak-kinds=possible: definite growth not compared',
          r.stdout)

    r, doc = diff_json(run1, third_txt)
    ok = (r.returncode == 1 and doc is not None and len(doc['grown']) == 1 and doc['new'] == []
          and doc['grown'][0]['base']['records'] == 2 and doc['grown'][0]['new']['records'] == 3
          and doc['grown'][0]['new']['bytes'] == 48)
    check(ok, 'records with one identity (two_sites, lines ignored) are summed: a third site is growth',
          r.stdout[-3000:])
    r, doc = diff_json('--match-lines', run1, third_txt)
    check(r.returncode == 1 and doc is not None and len(doc['new']) == 1 and doc['grown'] == [],
          'with --match-lines the third site is a new leak', r.stdout[-3000:])

    # ---- valgrind ---------------------------------------------------------------------------
    formats = {'our text': run1}
    if json1:
        formats['our JSON'] = json1
    ox = os.path.join(base, 'ours.xml')
    env = dict(os.environ, LD_PRELOAD=lib, LEAKTRACE_OPTIONS='--xml=yes --xml-file=' + ox + ' --log-file=/dev/null')
    run(['./prog'], env=env, cwd=base)
    if os.path.exists(ox) and os.path.getsize(ox) > 0:
        formats['our XML'] = ox
    if shutil.which('valgrind'):
        vt = os.path.join(base, 'vg.txt')
        vx = os.path.join(base, 'vg.xml')
        r1 = run(['valgrind', '--leak-check=full', '--log-file=' + vt, './prog'], cwd=base, timeout=600)
        r2 = run(['valgrind', '--leak-check=full', '--xml=yes', '--xml-file=' + vx, './prog'], cwd=base, timeout=600)
        if check(r1.returncode == 0 and r2.returncode == 0, 'the program runs under valgrind', r1.stderr + r2.stderr):
            formats['valgrind text'] = vt
            formats['valgrind XML'] = vx
    else:
        print('NOTE: valgrind is not installed; valgrind comparisons skipped')
    names = sorted(formats)
    for a in names:
        for b in names:
            if a != b:
                clean(formats[a], formats[b], 'same program: %s vs %s, clean' % (a, b))
                clean(formats[a], formats[b], 'same program: %s vs %s, clean with --match-lines' % (a, b),
                      '--match-lines')
    if 'valgrind text' in formats:
        r, doc = diff_json(formats['valgrind XML'], extra_txt)
        check(r.returncode == 1 and doc is not None and len(doc['new']) == 1,
              'valgrind XML baseline against our report with an added leak: exactly that one is new',
              r.stdout[-3000:])

    # ---- --json shape --------------------------------------------------------------------------
    r, doc = diff_json(run1, extra_txt)
    ok = (doc is not None and all(isinstance(doc.get(k), list) for k in ('new', 'fixed', 'grown', 'shrunk'))
          and isinstance(doc.get('summary'), dict) and doc.get('exit_status') == r.returncode)
    check(ok, '--json output parses and has new/fixed/grown/shrunk arrays, summary, exit_status', r.stdout[:2000])

    # ---- fixtures -----------------------------------------------------------------------------
    fx = lambda n: os.path.join(fixtures, n)
    leaky = [n for n in ('leaky.leaktrace.txt', 'leaky.valgrind.txt', 'leaky.valgrind.xml', 'leaky.leaktrace.json')
             if os.path.exists(fx(n))]
    check(len(leaky) >= 3, 'fixtures: reports of examples/leaky present (%s)' % ', '.join(leaky))
    for a in leaky:
        for b in leaky:
            if a != b:
                clean(fx(a), fx(b), 'fixtures: %s vs %s, clean with --match-lines' % (a, b), '--match-lines')
    r, doc = diff_json(fx('fork.interleaved.txt'), fx('fork.leaktrace.txt'))
    ok = (r.returncode == 0 and doc is not None and doc['inputs']['base']['processes'] == 2
          and doc['inputs']['base']['records'] == 4 and all(doc[k] == [] for k in ('new', 'fixed', 'grown', 'shrunk')))
    check(ok, 'two processes with interleaved lines, program output and timestamps: parsed, same as in order',
          r.stdout[-2000:] + r.stderr)
    for name in ('check-then-final.leaktrace.txt', 'check-then-final.leaktrace.json'):
        r, doc = diff_json(fx(name), fx(name))
        ok = (r.returncode == 0 and doc is not None and doc['inputs']['base']['records'] == 2
              and doc['inputs']['base']['processes'] == 1)
        check(ok, '%s: a leaktrace_check() report then the final one: only the final one counts' % name,
              r.stdout[-2000:] + r.stderr)
    r, doc = diff_json(fx('leaky.leaktrace.json'), fx('leaky.leaktrace.txt'))
    check(doc is not None and doc['inputs']['base']['records'] == 4,
          'JSON fixture: only the shown records count (4 of its 9)', r.stdout[-2000:])
    r, doc = diff_json('--show-leak-kinds=definite', fx('leaky.leaktrace.json'), fx('leaky.valgrind.xml'))
    check(r.returncode == 0 and doc is not None and all(doc[k] == [] for k in ('new', 'fixed', 'grown', 'shrunk')),
          '--show-leak-kinds=definite: JSON fixture vs Valgrind XML clean', r.stdout[-2000:])

    # ---- bad input -------------------------------------------------------------------------------
    rnd = os.path.join(tmp, 'random.bin')
    with open(rnd, 'wb') as f:
        rng = random.Random(7)
        f.write(bytes(rng.getrandbits(8) for _ in range(4096)))
    with open(run1, 'rb') as f:
        data = f.read()
    cut_at = data.index(b'by 0x', data.index(b'loss record 3 of')) + 3
    cut = os.path.join(tmp, 'cut-mid-record.txt')
    with open(cut, 'wb') as f:
        f.write(data[:cut_at])
    bad = [
        (fx('broken/empty.txt'), 'empty'),
        (fx('broken/random.bin'), 'not a leak report'),
        (rnd, 'not a leak report'),
        (fx('broken/not-a-report.txt'), 'not a leak report'),
        (fx('broken/truncated-mid-record.txt'), 'truncated'),
        (cut, 'truncated'),
        (fx('broken/truncated-no-summary.txt'), 'truncated'),
        (fx('broken/truncated.xml'), 'truncated'),
        (fx('broken/not-valgrind.xml'), 'not Valgrind'),
        (fx('broken/truncated.json'), 'truncated'),
        (fx('broken/schema-version-2.json'), 'schema_version'),
        (fx('broken/not-leaktrace.json'), 'schema_version'),
        (os.path.join(tmp, 'does-not-exist.txt'), 'No such file'),
        (tmp, 'directory'),
    ]
    if json1:
        with open(json1) as f:
            d = json.load(f)
        d['schema_version'] = 2
        wrong = os.path.join(tmp, 'wrong-schema.json')
        with open(wrong, 'w') as f:
            json.dump(d, f)
        bad.append((wrong, 'schema_version'))
        with open(json1, 'rb') as f:
            jd = f.read()
        jcut = os.path.join(tmp, 'cut.json')
        with open(jcut, 'wb') as f:
            f.write(jd[:len(jd) // 2])
        bad.append((jcut, 'truncated'))
    for path, word in bad:
        for order in ((path, run1), (run1, path)):
            r = diff(*order)
            msg = r.stderr.strip()
            check(r.returncode == 2 and path in msg and word.lower() in msg.lower(),
                  'bad input %s (%s): exit 2, message names the file and says "%s"'
                  % (os.path.basename(path), 'BASE' if order[0] == path else 'NEW', word),
                  'exit %d, stderr: %s' % (r.returncode, msg))
    for a, what in ((['--bogus', run1, run2], 'unknown option'), ([run1], 'one report'),
                    ([run1, run2, run2], 'one report too many'), (['--errors-for-leak-kinds=sometimes', run1, run2],
                                                                  'bad value')):
        r = diff(*a)
        check(r.returncode == 2 and what in r.stderr, 'bad usage (%s): exit 2' % what, r.stderr)
    r = diff('--help')
    check(r.returncode == 0 and 'usage: leaktrace diff' in r.stdout, '--help: usage, exit 0')

    if failures:
        print('\n%d check(s) failed:' % len(failures))
        for f in failures:
            print('  - ' + f)
        return 1
    print('\nall checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
