/* fuzz_options.c — libFuzzer target for src/options.c.
 *
 * Feeds arbitrary bytes to the option parser the way the library and the
 * launcher do: the whole input (NUL-terminated copy) as a LEAKTRACE_OPTIONS
 * string, then each white-space separated word through lt_options_parse_one,
 * as the `leaktrace` command does with argv. Checks, besides "no crash":
 *   - a failed parse always leaves a non-empty message that starts with the
 *     origin prefix (a silent failure would be a run that checks nothing);
 *   - the message is NUL-terminated within the buffer (also with a tiny
 *     buffer);
 *   - the parsed settings stay in their documented ranges.
 * Build: see fuzz/README.md. */
#include "options.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_ranges(const struct lt_options *o)
{
    if (o->leak_check < LT_CHECK_NO || o->leak_check > LT_CHECK_FULL)
        abort();
    if ((o->show_kinds & ~LT_KINDS_ALL) || (o->error_kinds & ~LT_KINDS_ALL))
        abort();
    if (o->heuristics & ~LT_HEUR_ALL)
        abort();
    if (o->error_exitcode < 0 || o->error_exitcode > 255)
        abort();
    if (o->num_callers < 1 || o->num_callers > LT_MAX_CALLERS)
        abort();
    if (o->leak_resolution != LT_RES_LOW && o->leak_resolution != LT_RES_MED &&
        o->leak_resolution != LT_RES_HIGH)
        abort();
    if (o->nsupp < 0 || o->nsupp > LT_MAX_SUPP_FILES)
        abort();
    for (int i = 0; i < o->nsupp; i++)
        if (o->supp_files[i][0] == '\0' || strlen(o->supp_files[i]) >= PATH_MAX)
            abort();
    if (o->stop_signal < 0 || o->stop_signal > 64)
        abort();
    if (o->log_fd < -1)
        abort();
    if (o->log_fd >= 0 && o->log_file[0])
        abort();                       /* the last of --log-file/--log-fd wins */
    if (o->quiet < 0 || o->verbose < 0)
        abort();
}

static int notices;
static void count_notice(void *ctx, const char *msg)
{
    (void)ctx;
    if (!msg || strncmp(msg, "LEAKTRACE_OPTIONS: ", 19) != 0 || !msg[19])
        abort();                       /* a notice must say where it came from, and what */
    notices++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lt_options o;        /* large (6 x PATH_MAX arrays...) */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    /* 1. The whole input as LEAKTRACE_OPTIONS (stops at an embedded NUL, as
     *    getenv would). */
    char err[512];
    lt_options_defaults(&o);
    memset(err, 'X', sizeof err);
    int rc = lt_options_parse_string_notify(&o, text, "LEAKTRACE_OPTIONS", err, sizeof err,
                                            count_notice, NULL);
    if (rc != 0 && rc != -1)
        abort();
    if (memchr(err, '\0', sizeof err) == NULL)
        abort();
    if (rc == -1 && strncmp(err, "LEAKTRACE_OPTIONS: ", 19) != 0)
        abort();
    if (rc == -1 && err[19] == '\0')
        abort();
    if (rc == 0 && err[0] != '\0')
        abort();
    check_ranges(&o);

    /* The same with a tiny message buffer: truncated, still terminated. */
    char small[8];
    lt_options_defaults(&o);
    memset(small, 'X', sizeof small);
    int rc2 = lt_options_parse_string(&o, text, "LEAKTRACE_OPTIONS", small, sizeof small);
    if (rc2 != rc || memchr(small, '\0', sizeof small) == NULL)
        abort();

    /* 2. Word by word, as the launcher parses argv (no origin prefix). Any
     *    byte but NUL may be in a word here (argv words can hold spaces). */
    lt_options_defaults(&o);
    const char *p = text, *end = text + strlen(text);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *word = strndup(p, n);
        if (!word)
            break;
        char werr[1024];
        memset(werr, 'X', sizeof werr);
        int r = lt_options_parse_one(&o, word, werr, sizeof werr);
        if (r < -1 || r > 1)
            abort();
        if (memchr(werr, '\0', sizeof werr) == NULL)
            abort();
        if (r != 0 && werr[0] == '\0')
            abort();                   /* an error or a notice always says something */
        free(word);
        check_ranges(&o);
        p += n + 1;
    }
    /* NULL word and zero-length buffers must be safe too. */
    if (lt_options_parse_one(&o, NULL, NULL, 0) != -1)
        abort();

    /* 3. The set parsers on the raw text. */
    unsigned set;
    if (lt_options_parse_kinds(text, &set) == 0 && (set & ~LT_KINDS_ALL))
        abort();
    if (lt_options_parse_heuristics(text, &set) == 0 && (set & ~LT_HEUR_ALL))
        abort();

    free(text);
    return 0;
}
