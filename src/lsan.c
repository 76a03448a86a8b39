/* lsan.c — LeakSanitizer's weak callbacks (see lsan.h).
 *
 * LSan's flag syntax (sanitizer_flag_parser.cpp): NAME=VALUE pairs separated
 * by spaces, commas, colons or newlines; a value may be quoted with ' or ";
 * booleans are 0/1/true/false/yes/no. Unknown flags are ignored, as LSan
 * ignores them after a warning. */
#include "lsan.h"
#include "elfsym.h"
#include "options.h"
#include "suppress.h"
#include <string.h>
#include <stdlib.h>

enum { CB_OPTIONS, CB_SUPPRESSIONS, CB_TURNED_OFF, NCALLBACKS };
static const char *const callback_names[NCALLBACKS] = {
    "__lsan_default_options", "__lsan_default_suppressions", "__lsan_is_turned_off" };

static int (*turned_off)(void);
static bool detect_leaks = true, at_exit = true;
static int final_taken;

static bool parse_bool(const char *v, size_t n, bool *out)
{
    static const struct { const char *s; bool b; } words[] = {
        { "0", false }, { "1", true }, { "false", false }, { "true", true },
        { "no", false }, { "yes", true } };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].s) == n && memcmp(words[i].s, v, n) == 0) {
            *out = words[i].b;
            return true;
        }
    return false;
}

static bool is_sep(char c) { return c == ' ' || c == ',' || c == ':' || c == '\n' || c == '\t' || c == '\r'; }

static void apply_flag(const char *name, size_t nlen, const char *val, size_t vlen)
{
#define IS(lit) (nlen == sizeof(lit) - 1 && memcmp(name, lit, nlen) == 0)
    bool b;
    if (IS("detect_leaks") && parse_bool(val, vlen, &b)) {
        detect_leaks = b;
    } else if (IS("leak_check_at_exit") && parse_bool(val, vlen, &b)) {
        at_exit = b;
    } else if (IS("exitcode") && vlen > 0 && vlen < 12) {
        char num[12];
        memcpy(num, val, vlen);
        num[vlen] = 0;
        char *end;
        long code = strtol(num, &end, 10);
        /* --error-exitcode, when given, is the user's word for this run. */
        if (*end == 0 && code > 0 && code < 256 && lt_opt.error_exitcode == 0)
            lt_opt.error_exitcode = (int)code;
    } else if (IS("suppressions") && vlen > 0 && vlen < PATH_MAX && lt_opt.nsupp < LT_MAX_SUPP_FILES) {
        char path[PATH_MAX], err[2048];
        memcpy(path, val, vlen);
        path[vlen] = 0;
        if (lt_supp_load_file(path, err, sizeof err) < 0)
            lt_warn("__lsan_default_options: suppressions=%s: %s", path, err);
    }
#undef IS
}

static void parse_flags(const char *s)
{
    while (*s) {
        while (is_sep(*s))
            s++;
        const char *name = s;
        while (*s && *s != '=' && !is_sep(*s))
            s++;
        size_t nlen = (size_t)(s - name);
        if (*s != '=') {
            continue;       /* a bare word: not a flag */
        }
        s++;
        const char *val = s;
        size_t vlen;
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            val = s;
            while (*s && *s != q)
                s++;
            vlen = (size_t)(s - val);
            if (*s)
                s++;
        } else {
            while (*s && !is_sep(*s))
                s++;
            vlen = (size_t)(s - val);
        }
        if (nlen)
            apply_flag(name, nlen, val, vlen);
    }
}

void lt_lsan_init(void)
{
    uintptr_t cb[NCALLBACKS];
    lt_elfsym_find(callback_names, cb, NCALLBACKS);
    if (cb[CB_OPTIONS]) {
        const char *s = ((const char *(*)(void))cb[CB_OPTIONS])();
        if (s)
            parse_flags(s);
    }
    if (cb[CB_SUPPRESSIONS]) {
        const char *s = ((const char *(*)(void))cb[CB_SUPPRESSIONS])();
        char err[2048];
        if (s && *s && lt_supp_load_text("__lsan_default_suppressions", s, strlen(s), err, sizeof err) < 0)
            lt_warn("__lsan_default_suppressions: %s", err);
    }
    turned_off = (int (*)(void))cb[CB_TURNED_OFF];
}

bool lt_lsan_checks_wanted(void)
{
    return detect_leaks && !(turned_off && turned_off());
}

bool lt_lsan_exit_check_wanted(void)
{
    return at_exit && !__atomic_load_n(&final_taken, __ATOMIC_ACQUIRE);
}

bool lt_lsan_take_final(void)
{
    return !__atomic_exchange_n(&final_taken, 1, __ATOMIC_ACQ_REL);
}
