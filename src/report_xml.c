/* report_xml.c — the report as Valgrind memcheck's XML, protocol 4 (see report_xml.h).
 *
 * Layout transcribed from valgrind 3.19's output (m_main.c preamble and
 * status blocks, m_errormgr.c pp_Error / VG_(show_all_errors),
 * mc_errors.c MC_(pp_Error) for Err_Leak, m_debuginfo.c describe_IP,
 * m_signals.c default_action), and checked against `valgrind --xml=yes`. */
#include "report_xml.h"
#include "suppress.h"
#include "symbols.h"
#include "coverage.h"
#include <fcntl.h>
#include <sys/types.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- text ---------------------------------------------------------------------- */

/* A valid UTF-8 sequence that is also an XML Char (XML 1.0 §2.2 excludes
 * U+FFFE and U+FFFF, EF BF BE and EF BF BF): its length, or 0. */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
    size_t len = lt_utf8_len(s, n);
    if (len == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
        return 0;
    return len;
}
void lt_xml_escape(struct lt_writer *w, const char *str)
{
    if (!str)
        return;
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), i = 0, run = 0;
    while (i < n) {
        unsigned c = s[i];
        const char *esc = NULL;
        size_t len = 1;
        if (c == '&')
            esc = "&amp;";
        else if (c == '<')
            esc = "&lt;";
        else if (c == '>')
            esc = "&gt;";
        else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            esc = "\xef\xbf\xbd";          /* U+FFFD */
        else if (c >= 0x80 && !(len = xml_char_len(s + i, n - i))) {
            esc = "\xef\xbf\xbd";
            len = 1;
        }
        if (esc) {
            lt_putn(w, str + i - run, run);
            run = 0;
            lt_put(w, esc);
            i += len;
        } else {
            run += len;
            i += len;
        }
    }
    lt_putn(w, str + n - run, run);
}

static void element(struct lt_writer *w, const char *indent, const char *tag, const char *text)
{
    lt_put(w, indent);
    lt_putc(w, '<');
    lt_put(w, tag);
    lt_putc(w, '>');
    lt_xml_escape(w, text);
    lt_put(w, "</");
    lt_put(w, tag);
    lt_put(w, ">\n");
}

static void element_u64(struct lt_writer *w, const char *indent, const char *tag, uint64_t v)
{
    lt_put(w, indent);
    lt_putc(w, '<');
    lt_put(w, tag);
    lt_putc(w, '>');
    lt_put_u64(w, v);
    lt_put(w, "</");
    lt_put(w, tag);
    lt_put(w, ">\n");
}

const char *lt_xml_kind_name(int kind)
{
    static const char *const names[] = { "Leak_StillReachable", "Leak_PossiblyLost", "Leak_IndirectlyLost",
                                         "Leak_DefinitelyLost" };
    return kind >= 0 && kind < LT_NKINDS ? names[kind] : "Leak_DefinitelyLost";
}

/* ---- time ---------------------------------------------------------------------- */

char *lt_xml_time(uint64_t ms, char *buf, size_t size)
{
    uint64_t s = ms / 1000, m, h, d;
    ms %= 1000;
    m = s / 60, s %= 60;
    h = m / 60, m %= 60;
    d = h / 24, h %= 24;
    char tmp[64];
    int n = 0;
    const uint64_t parts[4] = { d, h, m, s };
    for (int i = 0; i < 4; i++) {
        uint64_t v = parts[i];
        char digits[24];
        int k = 0;
        do {
            digits[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        if (k < 2)
            digits[k++] = '0';
        while (k)
            tmp[n++] = digits[--k];
        tmp[n++] = i < 3 ? ':' : '.';
    }
    tmp[n++] = (char)('0' + ms / 100);
    tmp[n++] = (char)('0' + ms / 10 % 10);
    tmp[n++] = (char)('0' + ms % 10);
    tmp[n++] = ' ';
    tmp[n] = 0;
    if (size) {
        size_t c = (size_t)n < size - 1 ? (size_t)n : size - 1;
        memcpy(buf, tmp, c);
        buf[c] = 0;
    }
    return buf;
}

/* When the tool started in this process image (the library's load), and
 * its pid then: a process forked from it has another pid and inherits the
 * start, as under valgrind (a forked child's document has no RUNNING
 * status, and its times count from the parent's start). */
static struct {
    pid_t pid;
    uint64_t start_ms;
} boot;

static uint64_t boottime_ms(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_BOOTTIME, &now) != 0)
        return 0;
    return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

__attribute__((constructor)) static void record_start(void)
{
    boot.pid = getpid();
    boot.start_ms = boottime_ms();
}

static uint64_t elapsed_ms(void)
{
    uint64_t now = boottime_ms();
    return boot.start_ms && now > boot.start_ms ? now - boot.start_ms : 0;
}

static bool forked_child(void)
{
    return boot.pid && getpid() != boot.pid;
}

static void status(struct lt_writer *w, const char *state, uint64_t ms)
{
    char t[32];
    lt_put(w, "<status>\n  <state>");
    lt_put(w, state);
    lt_put(w, "</state>\n  <time>");
    lt_put(w, lt_xml_time(ms, t, sizeof t));
    lt_put(w, "</time>\n</status>\n\n");
}

/* ---- frames -------------------------------------------------------------------- */

static void put_frame(void *arg, int index, uintptr_t ip, const struct lt_frame_info *f)
{
    struct lt_writer *w = arg;
    (void)index;
    lt_put(w, "    <frame>\n      <ip>");
    lt_put_hex(w, ip);
    lt_put(w, "</ip>\n");
    if (f->obj)
        element(w, "      ", "obj", f->obj);
    if (f->fn)
        element(w, "      ", "fn", f->fn);
    if (f->file) {
        if (f->dir)
            element(w, "      ", "dir", f->dir);
        element(w, "      ", "file", f->file);
        element_u64(w, "      ", "line", f->line);
    }
    lt_put(w, "    </frame>\n");
}

static void put_stack(struct lt_writer *w, uint32_t stack, const struct lt_options *o)
{
    lt_put(w, "  <stack>\n");
    lt_report_frames(stack, o, put_frame, w);
    lt_put(w, "  </stack>\n");
}

/* ---- the fatal signal ---------------------------------------------------------- */

/* VG_(signame). */
static void put_signame(struct lt_writer *w, int sig)
{
    if (sig >= 32 && sig <= 64) {              /* VKI_SIGRTMIN .. VKI_SIGRTMAX */
        lt_put(w, "SIGRT");
        lt_put_u64(w, (uint64_t)(sig - 32));
        return;
    }
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev) {
        lt_put(w, "SIG");
        lt_put(w, abbrev);
    } else {
        lt_put(w, "SIG");
        lt_put_u64(w, (uint64_t)sig);
    }
}

/* default_action's description of a fault (si_code > 0); *haveaddr says
 * whether valgrind prints the address. */
static const char *fault_event(int sig, int code, bool *haveaddr)
{
    *haveaddr = true;
    switch (sig) {
    case SIGSEGV:
        switch (code) {
        case SEGV_MAPERR: return "Access not within mapped region";
        case SEGV_ACCERR: return "Bad permissions for mapped region";
        case SI_KERNEL: *haveaddr = false; return "General Protection Fault";
        }
        break;
    case SIGILL:
        switch (code) {
        case ILL_ILLOPC: return "Illegal opcode";
        case ILL_ILLOPN: return "Illegal operand";
        case ILL_ILLADR: return "Illegal addressing mode";
        case ILL_ILLTRP: return "Illegal trap";
        case ILL_PRVOPC: return "Privileged opcode";
        case ILL_PRVREG: return "Privileged register";
        case ILL_COPROC: return "Coprocessor error";
        case ILL_BADSTK: return "Internal stack error";
        }
        break;
    case SIGFPE:
        switch (code) {
        case FPE_INTDIV: return "Integer divide by zero";
        case FPE_INTOVF: return "Integer overflow";
        case FPE_FLTDIV: return "FP divide by zero";
        case FPE_FLTOVF: return "FP overflow";
        case FPE_FLTUND: return "FP underflow";
        case FPE_FLTRES: return "FP inexact";
        case FPE_FLTINV: return "FP invalid operation";
        case FPE_FLTSUB: return "FP subscript out of range";
        }
        break;
    case SIGBUS:
        switch (code) {
        case BUS_ADRALN: return "Invalid address alignment";
        case BUS_ADRERR: return "Non-existent physical address";
        case BUS_OBJERR: return "Hardware error";
        }
        break;
    }
    return NULL;
}

static void fatal_signal(struct lt_writer *w, const struct lt_report_ctx *ctx, const struct lt_options *o)
{
    int sig = ctx->fatal_signal;
    int code = ctx->fatal_code;
    lt_put(w, "<fatal_signal>\n  <tid>1</tid>\n");
    element_u64(w, "  ", "signo", (uint64_t)sig);
    lt_put(w, "  <signame>");
    put_signame(w, sig);
    lt_put(w, "</signame>\n  <sicode>");
    if (code < 0) {
        lt_putc(w, '-');
        lt_put_u64(w, (uint64_t)-(int64_t)code);
    } else {
        lt_put_u64(w, (uint64_t)code);
    }
    lt_put(w, "</sicode>\n");
    if (code > 0) {
        bool haveaddr;
        const char *event = fault_event(sig, code, &haveaddr);
        if (event) {
            element(w, "  ", "event", event);
            if (haveaddr) {
                lt_put(w, "  <siaddr>");
                lt_put_hex(w, ctx->fatal_addr);
                lt_put(w, "</siaddr>\n");
            }
        }
    }
    if (ctx->fatal_stack)
        put_stack(w, ctx->fatal_stack, o);
    lt_put(w, "</fatal_signal>\n\n");
}

/* ---- records ------------------------------------------------------------------- */

static void put_record(struct lt_writer *w, const struct lt_record *rec, size_t total,
                       const struct lt_options *o)
{
    static const char hex[] = "0123456789abcdef";
    lt_put(w, "<error>\n  <unique>0x");
    /* Valgrind's unique counter advances for every loss record (shown or
     * not), from 0: record K gets K-1. Lowercase "%x". */
    uint64_t u = rec->number ? rec->number - 1u : 0;
    char b[20];
    int i = (int)sizeof b;
    do {
        b[--i] = hex[u & 15];
        u >>= 4;
    } while (u);
    lt_putn(w, b + i, sizeof b - (size_t)i);
    lt_put(w, "</unique>\n  <tid>1</tid>\n  <kind>");
    lt_put(w, lt_xml_kind_name(rec->kind));
    lt_put(w, "</kind>\n  <xwhat>\n    <text>");
    lt_put_record_sentence(w, rec, total);   /* numbers and fixed words: nothing to escape */
    lt_put(w, "</text>\n");
    element_u64(w, "    ", "leakedbytes", rec->bytes + (rec->kind == LT_DEFINITE ? rec->indirect : 0));
    element_u64(w, "    ", "leakedblocks", rec->blocks);
    lt_put(w, "  </xwhat>\n");
    put_stack(w, rec->stack, o);
    if (o->gen_suppressions)
        lt_supp_write_generated_xml(w, rec->kind, rec->stack);
    lt_put(w, "</error>\n\n");
    /* 3.19 writes the suppression a second time, outside the error. */
    if (o->gen_suppressions)
        lt_supp_write_generated_xml(w, rec->kind, rec->stack);
}

/* ---- the document -------------------------------------------------------------- */

/* The value of LEAKTRACE_OPTIONS the process started with, from
 * /proc/self/environ: at exit getenv no longer sees it (glibc's
 * __libc_freeres clears the environment), and the program may have
 * changed it. Returns the length written to out (NUL-terminated). */
static size_t initial_options(char *out, size_t size)
{
    static const char key[] = "LEAKTRACE_OPTIONS=";
    const size_t klen = sizeof key - 1;
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[4096];
    size_t matched = 0, len = 0;
    bool at_start = true, in_value = false, done = false;
    ssize_t n;
    while (!done && (n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && !done; i++) {
            char c = buf[i];
            if (in_value) {
                if (c == 0)
                    done = true;
                else if (len + 1 < size)
                    out[len++] = c;
            } else if (c == 0) {
                at_start = true;
                matched = 0;
            } else if (at_start && matched < klen && c == key[matched]) {
                if (++matched == klen)
                    in_value = true;
            } else {
                at_start = false;
            }
        }
    }
    close(fd);
    if (size)
        out[len < size ? len : size - 1] = 0;
    return in_value ? len : 0;
}

static void put_args(struct lt_writer *w, const struct lt_report_ctx *ctx)
{
    lt_put(w, "<args>\n  <vargv>\n    <exe>leaktrace</exe>\n");
    char opts[8192];
    initial_options(opts, sizeof opts);
    for (char *p = opts; *p;) {
        p += strspn(p, LT_OPTIONS_SEPARATORS);
        size_t n = strcspn(p, LT_OPTIONS_SEPARATORS);
        if (!n)
            break;
        char save = p[n];
        p[n] = 0;
        element(w, "    ", "arg", p);
        p[n] = save;
        p += n;
    }
    lt_put(w, "  </vargv>\n  <argv>\n");
    if (ctx->argv && ctx->argc > 0 && ctx->argv[0]) {
        element(w, "    ", "exe", ctx->argv[0]);
        for (int i = 1; i < ctx->argc && ctx->argv[i]; i++)
            element(w, "    ", "arg", ctx->argv[i]);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = 0;
        element(w, "    ", "exe", n > 0 ? exe : "???");
    }
    lt_put(w, "  </argv>\n</args>\n\n");
}

void lt_report_xml(struct lt_writer *w, struct lt_records *r,
                   const struct lt_report_ctx *ctx, const struct lt_options *o)
{
    lt_put(w, "<?xml version=\"1.0\"?>\n\n<valgrindoutput>\n\n"
              "<protocolversion>4</protocolversion>\n<protocoltool>memcheck</protocoltool>\n\n"
              "<preamble>\n"
              "  <line>leaktrace-" LT_VERSION ", a leak checker for unmodified programs</line>\n");
    const char *command = ctx->xml_command ? ctx->xml_command : ctx->command;
    if (command) {
        lt_put(w, "  <line>Command: ");
        lt_xml_escape(w, command);
        lt_put(w, "</line>\n");
    }
    lt_put(w, "</preamble>\n\n");
    element_u64(w, "", "pid", (uint64_t)ctx->pid);
    element_u64(w, "", "ppid", (uint64_t)getppid());
    lt_put(w, "<tool>memcheck</tool>\n\n");
    put_args(w, ctx);
    /* A forked child's document starts over (valgrind reopens its XML file
     * after fork and writes the preamble again) but was never "RUNNING". */
    if (!forked_child())
        status(w, "RUNNING", 0);
    if (ctx->fatal_signal)
        fatal_signal(w, ctx, o);
    lt_putc(w, '\n');
    status(w, "FINISHED", elapsed_ms());
    for (size_t i = 0; i < r->n; i++) {
        if (!r->v[i].shown)
            continue;
        put_record(w, &r->v[i], r->n, o);
        if (o->exit_on_first_error) {
            /* Valgrind 3.19 ends the document right after the first error
             * (its second <suppression> included): no errorcounts, no
             * suppcounts, one newline. */
            lt_put(w, "</valgrindoutput>\n");
            r->stopped_at_first_error = true;
            return;
        }
    }
    /* What the check could not see (coverage.h), as protocol 4's
     * CLIENTMSG, the element Valgrind uses for a message that is no error. */
    struct lt_coverage cov;
    lt_coverage_get(&cov);
    for (int i = 0; i < cov.n; i++) {
        lt_put(w, "<clientmsg>\n  <tid>1</tid>\n");
        element(w, "  ", "text", cov.text[i]);
        lt_put(w, "</clientmsg>\n\n");
    }
    lt_put(w, "<errorcounts>\n</errorcounts>\n\n");
    /* VG_(show_all_errors): not under -q, unless -s/-v. */
    if (!o->quiet || o->verbose) {
        lt_supp_write_used_xml(w);
        lt_put(w, "</valgrindoutput>\n\n");
    } else {
        lt_put(w, "\n</valgrindoutput>\n\n");
    }
}
