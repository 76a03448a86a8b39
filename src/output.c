/* output.c — where reports go (see output.h). */
#include "output.h"
#include "options.h"
#include "report_folded.h"
#include "report_json.h"
#include "report_sarif.h"
#include "report_xml.h"
#include "writer.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct stat err_stat;
static bool err_known;
static char err_path[PATH_MAX];

/* Which file stderr is (descriptors.c: the tool keeps no descriptor of its
 * own; the report goes to fd 2 while it is still this file). */
void lt_output_init(void)
{
    struct stat st;
    if (fstat(2, &st) != 0)
        return;
    err_stat = st;
    err_known = true;
    ssize_t n = readlink("/proc/self/fd/2", err_path, sizeof err_path - 1);
    err_path[n > 0 ? n : 0] = 0;
}

static bool is_original_stderr(int fd)
{
    struct stat st;
    return err_known && fstat(fd, &st) == 0 && st.st_dev == err_stat.st_dev && st.st_ino == err_stat.st_ino;
}

int lt_output_diag_fd(void)
{
    int fd = lt_err_fd;
    if (fd < 0 || !err_known || is_original_stderr(fd))
        return fd;
    return -1;        /* fd 2 is the program's own file now (freopen, daemon()) */
}

/* The program is about to close or replace fd 2: keep the original at or
 * below `top` (the top of its descriptor table, where open() reaches last). */
int lt_output_stash_stderr(int top)
{
    if (!is_original_stderr(2))
        return -1;
    for (int fd = top; fd > top - 64 && fd > 2; fd -= 16) {
        int got = fcntl(2, F_DUPFD_CLOEXEC, fd);
        if (got >= 0) {
            lt_err_fd = got;
            return got;
        }
    }
    return -1;
}

/* Where the report goes: the
 * stderr copy if the program replaced fd 2; fd 2 while it is still the
 * original; else the original reopened by name (until the report is
 * written). Never anything else: a
 * descriptor the program reopened on its own data must not receive the
 * report. -1 if there is nowhere safe. */
static int reopened_fd = -1;        /* closed when the report is written */

static int report_fd(void)
{
    if (reopened_fd >= 0)
        return reopened_fd;
    if (lt_err_fd != 2 && lt_err_fd >= 0 && is_original_stderr(lt_err_fd))
        return lt_err_fd;
    if (is_original_stderr(2)) {
        lt_err_fd = 2;
        return 2;
    }
    if (err_path[0] == '/') {
        int fd = open(err_path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0 && is_original_stderr(fd)) {
            reopened_fd = fd;
            return fd;
        }
        if (fd >= 0)
            close(fd);
    }
    lt_err_fd = -1;        /* lt_warn goes silent too */
    return -1;
}

/* --log-file: with %p each process has its file (written whole, then
 * renamed); without, every process adds its report to the one file. */
static int open_log_file(struct lt_writer *w)
{
    if (strstr(lt_opt.log_file, "%p"))
        return lt_writer_open_file(w, lt_opt.log_file);
    return lt_writer_open_append(w, lt_opt.log_file);
}

typedef void (*extra_writer)(struct lt_writer *, const struct lt_records *, const struct lt_report_ctx *,
                             const struct lt_options *);

/* One more output (--json-file, --sarif-file, --folded-file). */
static void write_extra(const char *pattern, const char *what, extra_writer fn,
                        const struct lt_records *r, const struct lt_report_ctx *ctx)
{
    if (!pattern[0])
        return;
    struct lt_writer w;
    if (lt_writer_open_file(&w, pattern) != 0) {
        lt_warn("cannot write the %s report to '%s' (%s)", what, pattern, strerror(errno));
        return;
    }
    fn(&w, r, ctx, &lt_opt);
    if (lt_writer_close(&w) != 0)
        lt_warn("writing the %s report to '%s' failed (%s)", what, w.path, strerror(errno));
}

/* Writing a report must not kill the program: a reader that went away
 * (SIGPIPE) or a file-size limit (SIGXFSZ, RLIMIT_FSIZE) makes write() fail
 * instead while they are blocked; those we raised are then consumed. */
static void block_write_signals(sigset_t *old, sigset_t *pending_before)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigaddset(&set, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &set, old);
    sigpending(pending_before);
}

static void unblock_write_signals(const sigset_t *old, const sigset_t *pending_before)
{
    static const int sigs[] = { SIGPIPE, SIGXFSZ };
    for (int i = 0; i < 2; i++) {
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sigs[i]);
        sigset_t now;
        sigpending(&now);
        if (sigismember(&now, sigs[i]) && !sigismember(pending_before, sigs[i])) {
            struct timespec zero = { 0, 0 };
            sigtimedwait(&one, NULL, &zero);
        }
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static void write_report_unguarded(struct lt_records *r, const struct lt_report_ctx *ctx);

void lt_output_write(struct lt_records *r, const struct lt_report_ctx *ctx)
{
    sigset_t old, pending_before;
    block_write_signals(&old, &pending_before);
    write_report_unguarded(r, ctx);
    if (reopened_fd >= 0) {
        close(reopened_fd);
        reopened_fd = -1;
    }
    unblock_write_signals(&old, &pending_before);
}

static void write_report_unguarded(struct lt_records *r, const struct lt_report_ctx *ctx)
{
    /* Machine-readable outputs first: --exit-on-first-error ends the
     * process as soon as the text report reaches its first record. */
    write_extra(lt_opt.json_file, "JSON", lt_report_json, r, ctx);
    write_extra(lt_opt.sarif_file, "SARIF", lt_report_sarif, r, ctx);
    write_extra(lt_opt.folded_file, "folded", lt_report_folded, r, ctx);
    struct lt_writer w;
    bool opened = false;
    if (lt_opt.xml) {
        /* Valgrind: the report goes to --xml-file only; the text channel
         * gets nothing (a --log-file is created and left empty), except the
         * --exit-on-first-error notice. */
        if (lt_opt.xml_fd >= 0) {
            lt_writer_open_fd(&w, lt_opt.xml_fd);
            lt_report_xml(&w, r, ctx, &lt_opt);
            if (lt_writer_close(&w) != 0)
                lt_warn("writing the XML report to fd %d failed (%s)", lt_opt.xml_fd, strerror(errno));
        } else if (lt_writer_open_file(&w, lt_opt.xml_file) == 0) {
            lt_report_xml(&w, r, ctx, &lt_opt);
            if (lt_writer_close(&w) != 0)
                lt_warn("writing the XML report to '%s' failed (%s)", w.path, strerror(errno));
        } else {
            lt_warn("cannot write the XML report to '%s' (%s)", lt_opt.xml_file, strerror(errno));
        }
        if (lt_opt.log_fd >= 0) {
            lt_writer_open_fd(&w, lt_opt.log_fd);
            opened = true;
        } else if (lt_opt.log_file[0] && open_log_file(&w) == 0) {
            opened = true;
        } else if (!lt_opt.log_file[0]) {
            int fd = report_fd();
            lt_writer_open_fd(&w, fd);
            opened = fd >= 0;
        }
        if (opened) {
            if (r->stopped_at_first_error)
                lt_putf(&w, "==%d== \n==%d== Exit program on first error (--exit-on-first-error=yes)\n",
                        ctx->pid, ctx->pid);
            lt_writer_close(&w);
        }
        return;
    }
    if (lt_opt.log_fd >= 0) {
        lt_writer_open_fd(&w, lt_opt.log_fd);
        opened = true;
    } else if (lt_opt.log_file[0]) {
        if (open_log_file(&w) == 0)
            opened = true;
        else
            lt_warn("cannot write the report to '%s' (%s); writing it to stderr",
                    lt_opt.log_file, strerror(errno));
    }
    if (!opened) {
        int fd = report_fd();
        if (fd < 0)
            return;        /* the original stderr is gone and nothing else is safe */
        lt_writer_open_fd(&w, fd);
    }
    lt_report_text(&w, r, ctx, &lt_opt);
    if (lt_writer_close(&w) != 0 && w.path[0]) {
        lt_warn("writing the report to '%s' failed (%s); writing it to stderr", w.path, strerror(errno));
        int fd = report_fd();
        if (fd >= 0) {
            lt_writer_open_fd(&w, fd);
            lt_report_text(&w, r, ctx, &lt_opt);
            lt_writer_close(&w);
        }
    }
}

