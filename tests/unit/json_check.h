/* json_check.h — shared by the unit tests of the report writers: a strict
 * JSON checker (RFC 8259 grammar, valid UTF-8, no raw control characters).
 * Needs unit.h included first. */
#ifndef LT_TEST_JSON_CHECK_H
#define LT_TEST_JSON_CHECK_H
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a strict JSON checker ------------------------------------------------------ */

struct jp {
    const char *p, *end;
    const char *err;
};

static void jp_ws(struct jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool jp_fail(struct jp *j, const char *why)
{
    if (!j->err)
        j->err = why;
    return false;
}

static bool jp_value(struct jp *j, int depth);

static bool jp_string(struct jp *j)
{
    if (j->p >= j->end || *j->p != '"')
        return jp_fail(j, "expected a string");
    j->p++;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            j->p++;
            return true;
        }
        if (c < 0x20)
            return jp_fail(j, "raw control character in a string");
        if (c == '\\') {
            j->p++;
            if (j->p >= j->end)
                return jp_fail(j, "truncated escape");
            char e = *j->p++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++, j->p++)
                    if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
                        return jp_fail(j, "bad \\u escape");
            } else if (!strchr("\"\\/bfnrt", e) || !e) {
                return jp_fail(j, "bad escape");
            }
            continue;
        }
        if (c < 0x80) {
            j->p++;
            continue;
        }
        int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (!len || c > 0xf4 || j->end - j->p < len)
            return jp_fail(j, "invalid UTF-8");
        for (int i = 1; i < len; i++)
            if (((unsigned char)j->p[i] & 0xc0) != 0x80)
                return jp_fail(j, "invalid UTF-8");
        j->p += len;
    }
    return jp_fail(j, "unterminated string");
}

static bool jp_number(struct jp *j)
{
    const char *s = j->p;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9')
        return jp_fail(j, "bad number");
    if (*j->p == '0')
        j->p++;
    else
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9')
            return jp_fail(j, "bad fraction");
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    }
    return j->p > s;
}

static bool jp_value(struct jp *j, int depth)
{
    if (depth > 64)
        return jp_fail(j, "too deep");
    jp_ws(j);
    if (j->p >= j->end)
        return jp_fail(j, "unexpected end");
    char c = *j->p;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        jp_ws(j);
        if (j->p < j->end && *j->p == close) {
            j->p++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                jp_ws(j);
                if (!jp_string(j))
                    return false;
                jp_ws(j);
                if (j->p >= j->end || *j->p != ':')
                    return jp_fail(j, "expected ':'");
                j->p++;
            }
            if (!jp_value(j, depth + 1))
                return false;
            jp_ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == close) {
                j->p++;
                return true;
            }
            return jp_fail(j, "expected ',' or a closing bracket");
        }
    }
    if (c == '"')
        return jp_string(j);
    if (c == '-' || (c >= '0' && c <= '9'))
        return jp_number(j);
    static const char *const lits[] = { "true", "false", "null" };
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if ((size_t)(j->end - j->p) >= n && memcmp(j->p, lits[i], n) == 0) {
            j->p += n;
            return true;
        }
    }
    return jp_fail(j, "unexpected character");
}

/* True if `text` is exactly one JSON value (plus white space). */
static bool json_ok(const char *text, const char **why, size_t *where)
{
    struct jp j = { text, text + strlen(text), NULL };
    bool ok = jp_value(&j, 0);
    jp_ws(&j);
    if (ok && j.p != j.end)
        ok = jp_fail(&j, "trailing characters");
    *why = j.err;
    *where = (size_t)(j.p - text);
    return ok;
}

#define CHECK_JSON(text)                                                                  \
    do {                                                                                  \
        const char *why_;                                                                 \
        size_t at_;                                                                       \
        CHECK(json_ok(text, &why_, &at_), "not JSON: %s at byte %zu: ...%.40s", why_, at_, \
              (text) + (at_ > 20 ? at_ - 20 : 0));                                        \
    } while (0)

#endif
