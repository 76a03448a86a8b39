/* suppress.c — Valgrind (and LeakSanitizer) suppression files (see suppress.h).
 *
 * The reader is a transcription of Valgrind 3.19's load_one_suppressions_file
 * (coregrind/m_errormgr.c) and memcheck's MC_(read_extra_suppression_info),
 * line counting included, so a file is accepted or rejected — and rejected
 * "near line N" — exactly as valgrind does. Matching follows
 * is_suppressible_error / supp_matches_callers / VG_(generic_match);
 * generation follows gen_suppression / VG_(apply_StackTrace). */
#include "suppress.h"
#include "objects.h"
#include "arena.h"
#include "depot.h"
#include "options.h"
#include "symbols.h"
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VG_DEEPEST_BACKTRACE 500

/* ---- entries ------------------------------------------------------------------------ */

enum loc_ty { LOC_FUN, LOC_OBJ, LOC_SRC, LOC_DOTS };

struct loc {
    uint8_t ty;
    bool simple;           /* no '*' or '?': plain strcmp */
    bool vg_preload;       /* obj: pattern that names Valgrind's vgpreload_memcheck */
    unsigned line;         /* src:FILE:LINE; 0 = any line */
    const char *name;      /* NULL for "..." */
};

enum supp_kind {
    SK_LEAK,               /* Memcheck:Leak */
    SK_OTHER,              /* another Memcheck kind: kept, never matches a leak */
    SK_LSAN                /* leak:PATTERN */
};

struct supp {
    struct supp *next;     /* Valgrind's list: most recently read or used first */
    const char *name;
    int file;              /* index in S.files */
    int lineno;            /* line of the name (LSan: of the leak: line) */
    int skind;
    int index;             /* load order: what lt_supp_match returns */
    unsigned kinds;        /* match-leak-kinds (LT_KIND_BIT set) */
    int ncallers;
    struct loc *callers;
    const char *templ;     /* LSan pattern */
    int count;             /* records suppressed, over all checks */
    uint64_t bytes, blocks;/* in check `gen` */
    uint32_t gen;
    bool ldso_only;        /* can only match a stack with a frame in ld.so */
};

/* One expanded frame of a stack, as Valgrind's IPtoFunOrObjCompleter sees it. */
struct xframe {
    const char *fun;       /* mangled name, "???" or "(below main)" */
    const char *fn;        /* demangled (LSan), may be NULL */
    const char *mangled;   /* raw mangled name (LSan), may be NULL */
    const char *obj;       /* NULL: none */
    const char *file, *dir;/* this frame's source file (LSan) */
    const char *qfile;     /* src: quirk: file:line of address #k (k = this frame's index) */
    unsigned qline;
    uint32_t ip;           /* index of the address it comes from */
    bool named;            /* fun is a real name (generation) */
    bool tool;             /* frame 0: the tool's own allocation function */
    uint8_t ipkind;        /* FN_* of the address's function (generation cut) */
};

enum { FN_NORMAL, FN_MAIN, FN_BELOW };

struct xstack {
    size_t bytes;          /* allocation size */
    uint32_t n;            /* expanded frames */
    uint32_t nips;         /* addresses (after the num_callers cut) */
    struct xframe f[];
};

static struct {
    struct supp *head;
    struct supp **all;
    int n, cap;
    struct supp **lsan;    /* LSan entries in load order */
    int nlsan, caplsan;
    const char **files;
    int nfiles, capfiles;
    uint32_t gen;
    const char *tool_obj;
    bool err_location;     /* the last error was a bad location line */
    struct xstack **cache; /* by depot id */
    uint32_t cache_cap;
    bool *dp;              /* matcher rows */
    size_t dp_cap;
    int n_anywhere;        /* entries that may match a stack outside ld.so */
} S;

static bool grow(void **v, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return true;
    int ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *nv = lt_arena_alloc((size_t)ncap * elem);
    if (!nv)
        return false;
    if (*v) {
        memcpy(nv, *v, (size_t)*cap * elem);
        lt_arena_free(*v, (size_t)*cap * elem);
    }
    *v = nv;
    *cap = ncap;
    return true;
}

static char *dup_str(const char *s)
{
    return lt_arena_strdup(s);
}

/* ---- glob matching ------------------------------------------------------------------ */

/* VG_(string_match): '*' any run, '?' any one character, whole string, no escapes. */
static bool glob(const char *p, const char *s)
{
    const char *star = NULL, *retry = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            retry = s;
        } else if (*p && (*p == '?' || *p == *s)) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++retry;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == 0;
}

static bool has_wildcard(const char *s)
{
    return strpbrk(s, "*?") != NULL;
}

static bool name_match(const struct loc *l, const char *s)
{
    return l->simple ? strcmp(l->name, s) == 0 : glob(l->name, s);
}

/* compiler-rt's TemplateMatch (sanitizer_suppressions.cpp), without its
 * in-place edits: substring match of each '*'-separated piece, first
 * occurrence, no backtracking; '^' anchors the start, '$' the end. */
static bool lsan_match(const char *templ, const char *str)
{
    if (!str || !str[0])
        return false;
    bool start = false, asterisk = false;
    if (templ[0] == '^') {
        start = true;
        templ++;
    }
    while (templ[0]) {
        if (templ[0] == '*') {
            templ++;
            start = false;
            asterisk = true;
            continue;
        }
        if (templ[0] == '$')
            return str[0] == 0 || asterisk;
        if (str[0] == 0)
            return false;
        size_t seg = strcspn(templ, "*$");
        const char *spos = memmem(str, strlen(str), templ, seg);
        if (!spos)
            return false;
        if (start && spos != str)
            return false;
        str = spos + seg;
        templ += seg;
        start = false;
        asterisk = false;
    }
    return true;
}

/* Where Valgrind's preload is installed: an obj: line written for frame 0
 * under Valgrind names one of these. */
static const char *const vg_preload_paths[] = {
    "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so",
    "/usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so",
    "/usr/lib64/valgrind/vgpreload_memcheck-amd64-linux.so",
    "/usr/lib/x86_64-linux-gnu/valgrind/vgpreload_memcheck-amd64-linux.so",
    "/usr/local/libexec/valgrind/vgpreload_memcheck-amd64-linux.so",
    "/usr/local/lib/valgrind/vgpreload_memcheck-amd64-linux.so",
};
#define VG_PRELOAD_BASE "/vgpreload_memcheck-amd64-linux.so"

static bool names_vg_preload(const struct loc *l)
{
    if (l->simple) {
        size_t n = strlen(l->name), b = strlen(VG_PRELOAD_BASE);
        return n >= b && strcmp(l->name + n - b, VG_PRELOAD_BASE) == 0;
    }
    for (size_t i = 0; i < sizeof vg_preload_paths / sizeof vg_preload_paths[0]; i++)
        if (glob(l->name, vg_preload_paths[i]))
            return true;
    return false;
}

/* ---- reading files ------------------------------------------------------------------ */

struct reader {
    const char *p, *end;
    int lineno;
    char *buf;             /* current line */
    size_t cap;
};

static bool vg_isspace(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static bool put_char(struct reader *r, size_t i, char c)
{
    if (i + 1 >= r->cap) {
        size_t ncap = r->cap * 2;
        char *nb = lt_arena_alloc(ncap);
        if (!nb)
            return false;            /* out of memory: the line is cut */
        memcpy(nb, r->buf, r->cap);
        lt_arena_free(r->buf, r->cap);
        r->buf = nb;
        r->cap = ncap;
    }
    r->buf[i] = c;
    r->buf[i + 1] = 0;
    return true;
}

/* get_nbnc_line: the next non-blank, non-comment line, trimmed, in r->buf.
 * Returns true at end of file. As in Valgrind, a last line without '\n' is
 * returned as it is (not trimmed, not checked for '#') and not counted. */
static bool get_nbnc_line(struct reader *r)
{
    for (;;) {
        r->buf[0] = 0;
        char ch;
        for (;;) {
            if (r->p >= r->end)
                return true;
            ch = *r->p++;
            if (!vg_isspace(ch))
                break;
            if (ch == '\n')
                r->lineno++;
        }
        size_t i = 0;
        if (put_char(r, i, ch))
            i++;
        for (;;) {
            if (r->p >= r->end)
                return false;        /* the next call returns true */
            ch = *r->p++;
            if (ch == '\n') {
                r->lineno++;
                break;
            }
            if (put_char(r, i, ch))
                i++;
        }
        while (i > 1 && vg_isspace(r->buf[i - 1]))
            r->buf[--i] = 0;
        if (r->buf[0] != '#')
            return false;
    }
}

static bool is_location_line(const char *buf)
{
    return strncmp(buf, "fun:", 4) == 0 || strncmp(buf, "obj:", 4) == 0 || strcmp(buf, "...") == 0;
}

/* VG_(get_line): true at end of file or when the line is a location line. */
static bool get_line(struct reader *r)
{
    if (get_nbnc_line(r))
        return true;
    return is_location_line(r->buf);
}

/* "tool" among "tool1,tool2,..." — Valgrind looks only at the first
 * occurrence of the substring (so "XMemcheck,Memcheck" does not name it). */
static bool tool_name_present(const char *name, const char *names)
{
    size_t len = strlen(name);
    const char *s = strstr(names, name);
    return s && (s == names || s[-1] == ',') && (s[len] == ',' || s[len] == 0);
}

/* VG_(parse_enum_set) with memcheck's "reachable,possible,indirect,definite"
 * and allow_all; bits are enum lt_kind. */
static bool parse_leak_kinds(const char *input, unsigned *out)
{
    static const char *const tokens[] = { "reachable", "possible", "indirect", "definite" };
    unsigned set = 0;
    int words = 0, known = 0;
    bool seen_all = false, seen_none = false;
    const char *p = input;
    for (;;) {
        while (*p == ',')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, ",");
        words++;
        if (n == 3 && strncmp(p, "all", 3) == 0) {
            seen_all = true;
            known++;
        } else if (n == 4 && strncmp(p, "none", 4) == 0) {
            seen_none = true;
            known++;
        }
        for (unsigned t = 0; t < 4; t++)
            if (strlen(tokens[t]) == n && strncmp(p, tokens[t], n) == 0) {
                set |= 1u << t;
                known++;
            }
        p += n;
    }
    if (known != words)
        return false;
    if (seen_all) {
        if (seen_none || set)
            return false;
        set = LT_KINDS_ALL;
    } else if (seen_none) {
        if (set)
            return false;
        set = 0;
    } else if (set == 0) {
        return false;
    }
    *out = set;
    return true;
}

static const char *const mc_kinds[] = {
    "Param", "User", "CoreMem", "Addr1", "Addr2", "Addr4", "Addr8", "Addr16", "Addr32",
    "Jump", "Free", "Leak", "Overlap", "Mempool", "Cond", "Value0", "Value1", "Value2",
    "Value4", "Value8", "Value16", "Value32", "FishyValue",
};

static int add_file(const char *path)
{
    if (!grow((void **)&S.files, &S.capfiles, S.nfiles + 1, sizeof *S.files))
        return -1;
    const char *copy = dup_str(path);
    if (!copy)
        return -1;
    S.files[S.nfiles] = copy;
    return S.nfiles++;
}

static struct supp *new_supp(void)
{
    if (!grow((void **)&S.all, &S.cap, S.n + 1, sizeof *S.all))
        return NULL;
    struct supp *s = lt_arena_bump(sizeof *s);
    if (!s)
        return NULL;
    s->index = S.n;
    S.all[S.n++] = s;
    return s;
}

static void set_error(char *err, size_t errlen, const char *file, int lineno, const char *what)
{
    if (err && errlen)
        snprintf(err, errlen, "FATAL: in suppressions file \"%s\" near line %d:\n   %s\nexiting now.",
                 file, lineno, what);
}

#define LOCATION_MSG "location should be \"...\", or should start with \"fun:\", \"obj:\", or \"src:\""

/* setLocationTy. */
static bool set_location(struct loc *l, const char *buf)
{
    memset(l, 0, sizeof *l);
    if (strncmp(buf, "fun:", 4) == 0 || strncmp(buf, "obj:", 4) == 0) {
        l->ty = buf[0] == 'f' ? LOC_FUN : LOC_OBJ;
        l->name = dup_str(buf + 4);
    } else if (strncmp(buf, "src:", 4) == 0) {
        l->ty = LOC_SRC;
        char *name = dup_str(buf + 4);
        if (name) {
            char *colon = strchr(name, ':');
            if (colon) {
                *colon++ = 0;
                /* VG_(strtoll10): optional sign, decimal digits, stops at
                 * the first other char. Too many digits wrap around there;
                 * unsigned arithmetic wraps the same way, without UB. */
                unsigned long long v = 0;
                bool neg = false;
                if (*colon == '-' || *colon == '+')
                    neg = *colon++ == '-';
                while (*colon >= '0' && *colon <= '9')
                    v = v * 10u + (unsigned long long)(*colon++ - '0');
                l->line = (unsigned)(neg ? 0u - v : v);
            }
        }
        l->name = name;
    } else if (strcmp(buf, "...") == 0) {
        l->ty = LOC_DOTS;
        return true;
    } else {
        return false;
    }
    if (!l->name)
        l->name = "";
    l->simple = !has_wildcard(l->name);
    if (l->ty == LOC_OBJ)
        l->vg_preload = names_vg_preload(l);
    return true;
}

/* `bundled`: a file of ours (default.supp). Valgrind drops the frame lines
 * past --num-callers from every entry it reads; applied to our entries,
 * that would widen "fun:*alloc / ... / fun:_dl_allocate_tls*" to
 * "fun:*alloc / ..." under --num-callers=2, which hides every leak. Ours
 * keep all their lines, so a stack too short to show the frames they name
 * is simply not matched. */
static int parse_valgrind(struct reader *r, int file, const char *path, bool bundled,
                          char *err, size_t errlen)
{
    static struct loc tmp[VG_DEEPEST_BACKTRACE];
    const char *what = NULL;
    int added = 0;
    int max_callers = lt_opt.num_callers > 0 ? lt_opt.num_callers : 12;
    if (bundled)
        max_callers = VG_DEEPEST_BACKTRACE;
#define BOMB(msg) do { what = (msg); goto syntax_error; } while (0)
    for (;;) {
        if (get_nbnc_line(r))
            break;
        if (strcmp(r->buf, "{") != 0)
            BOMB("expected '{' or end-of-file");
        bool eof = get_nbnc_line(r);
        if (eof || strcmp(r->buf, "}") == 0)
            BOMB("unexpected '}'");
        const char *sname = dup_str(r->buf);
        int sname_lineno = r->lineno;
        if (get_nbnc_line(r))
            BOMB("unexpected end-of-file (expecting tool:suppr)");
        char *colon = strchr(r->buf, ':');
        if (!colon)
            BOMB("malformed 'tool1,tool2,...:supp' line");
        *colon = 0;
        const char *tools = r->buf, *kind = colon + 1;
        int skind;
        if (tool_name_present("core", tools)) {
            BOMB("unknown core suppression type");
        } else if (tool_name_present("Memcheck", tools)) {
            size_t k = 0, nk = sizeof mc_kinds / sizeof mc_kinds[0];
            while (k < nk && strcmp(kind, mc_kinds[k]) != 0)
                k++;
            if (k == nk)
                BOMB("unknown tool suppression type");
            skind = strcmp(kind, "Leak") == 0 ? SK_LEAK : SK_OTHER;
            bool param = strcmp(kind, "Param") == 0, fishy = strcmp(kind, "FishyValue") == 0;
            unsigned kinds = LT_KINDS_ALL;
            /* MC_(read_extra_suppression_info) */
            r->buf[0] = 0;
            if (param) {
                if (get_line(r))
                    BOMB("bad or missing extra suppression info");
            } else if (skind == SK_LEAK) {
                if (!get_line(r)) {
                    if (strncmp(r->buf, "match-leak-kinds:", 17) != 0)
                        BOMB("bad or missing extra suppression info");
                    const char *p = r->buf + 17;
                    while (*p && vg_isspace(*p))
                        p++;
                    if (!parse_leak_kinds(p, &kinds))
                        BOMB("bad or missing extra suppression info");
                }
            } else if (fishy) {
                if (!get_line(r)) {
                    const char *open = strchr(r->buf, '(');
                    if (!open || !strchr(open + 1, ')'))
                        BOMB("bad or missing extra suppression info");
                }
            }
            bool have_location = r->buf[0] != 0 && is_location_line(r->buf);
            int i = 0;
            for (;;) {
                if (have_location) {
                    have_location = false;
                } else if (get_nbnc_line(r)) {
                    BOMB("unexpected end-of-file (when reading stack trace)");
                }
                if (strcmp(r->buf, "}") == 0) {
                    if (i > 0)
                        break;
                    BOMB("missing stack trace");
                }
                if (i == VG_DEEPEST_BACKTRACE)
                    BOMB("too many callers in stack trace");
                if (i > 0 && i >= max_callers)
                    break;
                if (!set_location(&tmp[i], r->buf)) {
                    S.err_location = true;
                    BOMB(LOCATION_MSG);
                }
                i++;
            }
            /* More frames than --num-callers: the rest is skipped up to '}'
             * (end of file here is not an error, as in Valgrind). */
            if (strcmp(r->buf, "}") != 0) {
                while (!get_nbnc_line(r) && strcmp(r->buf, "}") != 0)
                    ;
            }
            int j = 0;
            while (j < i && tmp[j].ty == LOC_DOTS)
                j++;
            if (j == i)
                BOMB("suppression must contain at least one location line which is not \"...\"");
            struct supp *s = new_supp();
            struct loc *callers = lt_arena_bump((size_t)i * sizeof *callers);
            if (!s || !callers) {
                if (err && errlen)
                    snprintf(err, errlen, "FATAL: out of memory reading suppressions file \"%s\"", path);
                return -1;
            }
            memcpy(callers, tmp, (size_t)i * sizeof *callers);
            s->name = sname ? sname : "";
            s->file = file;
            s->lineno = sname_lineno;
            s->skind = skind;
            s->kinds = kinds;
            s->ncallers = i;
            s->callers = callers;
            /* Every bundled entry names a dynamic-loader frame (TLS/DTV
             * set-up; see suppressions/default.supp's header). */
            s->ldso_only = bundled;
            S.n_anywhere += !bundled;
            s->next = S.head;
            S.head = s;
            added++;
        } else {
            /* Another tool's entry: skipped up to '}', unparsed. */
            for (;;) {
                if (get_nbnc_line(r))
                    BOMB("unexpected end-of-file (when skipping suppression)");
                if (strcmp(r->buf, "}") == 0)
                    break;
            }
        }
    }
    return added;
syntax_error:
    set_error(err, errlen, path, r->lineno, what);
    return -1;
#undef BOMB
}

/* A LeakSanitizer file: "leak:PATTERN" lines (compiler-rt
 * SuppressionContext::Parse with LSan's single type), '#' comments. */
static int parse_lsan(const char *text, size_t len, int file, const char *path, char *err, size_t errlen)
{
    const char *p = text, *end = text + len;
    int lineno = 0, added = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        lineno++;
        const char *line = p;
        p = eol < end ? eol + 1 : end;
        while (line < eol && (*line == ' ' || *line == '\t'))
            line++;
        const char *e = eol;
        while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (line == e || line[0] == '#')
            continue;
        if ((size_t)(e - line) < 5 || strncmp(line, "leak:", 5) != 0) {
            set_error(err, errlen, path, lineno,
                      "bad LeakSanitizer suppression: only \"leak:PATTERN\" lines are supported");
            return -1;
        }
        size_t n = (size_t)(e - line);
        char *name = lt_arena_bump(n + 1);
        struct supp *s = new_supp();
        if (!name || !s || !grow((void **)&S.lsan, &S.caplsan, S.nlsan + 1, sizeof *S.lsan)) {
            if (err && errlen)
                snprintf(err, errlen, "FATAL: out of memory reading suppressions file \"%s\"", path);
            return -1;
        }
        memcpy(name, line, n);
        name[n] = 0;
        s->name = name;
        s->templ = name + 5;
        s->file = file;
        s->lineno = lineno;
        s->skind = SK_LSAN;
        s->kinds = LT_KINDS_ALL;
        s->next = S.head;
        S.head = s;
        S.lsan[S.nlsan++] = s;
        S.n_anywhere++;
        added++;
    }
    return added;
}

/* The format, from the first non-blank, non-comment line: one starting
 * with "leak:" makes a LeakSanitizer file; anything else goes to the
 * Valgrind reader, which accepts or rejects it exactly as Valgrind does. */
static bool looks_like_lsan(const char *p, const char *end)
{
    while (p < end) {
        while (p < end && vg_isspace(*p))
            p++;
        if (p >= end)
            return false;
        if (*p != '#')
            return end - p >= 5 && memcmp(p, "leak:", 5) == 0;
        while (p < end && *p != '\n')
            p++;
    }
    return false;
}

static int load_text(const char *path, const char *text, size_t len, bool bundled,
                     char *err, size_t errlen);

static int load_file(const char *path, bool bundled, char *err, size_t errlen)
{
    S.err_location = false;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (err && errlen)
            snprintf(err, errlen, "FATAL: suppressions file \"%s\" is a directory", path);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err && errlen)
            snprintf(err, errlen, "FATAL: can't open suppressions file \"%s\"", path);
        return -1;
    }
    size_t len = 0, cap;
    /* read the whole file into arena memory */
    cap = 4096;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (size_t)st.st_size + 1;
    char *text = lt_arena_alloc(cap);
    while (text) {
        if (len + 1 >= cap) {
            char *nt = lt_arena_alloc(cap * 2);
            if (nt)
                memcpy(nt, text, len);
            lt_arena_free(text, cap);
            text = nt;
            cap *= 2;
            continue;
        }
        ssize_t r = read(fd, text + len, cap - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (!text) {
        if (err && errlen)
            snprintf(err, errlen, "FATAL: out of memory reading suppressions file \"%s\"", path);
        return -1;
    }
    int rc = load_text(path, text, len, bundled, err, errlen);
    lt_arena_free(text, cap);
    return rc;
}

static int load_text(const char *path, const char *text, size_t len, bool bundled,
                     char *err, size_t errlen)
{
    int file = add_file(path);
    int rc;
    if (file < 0) {
        if (err && errlen)
            snprintf(err, errlen, "FATAL: out of memory reading suppressions file \"%s\"", path);
        rc = -1;
    } else if (looks_like_lsan(text, text + len)) {
        rc = parse_lsan(text, len, file, path, err, errlen);
    } else {
        struct reader r = { text, text + len, 0, lt_arena_alloc(256), 256 };
        if (!r.buf) {
            rc = -1;
        } else {
            rc = parse_valgrind(&r, file, path, bundled, err, errlen);
            lt_arena_free(r.buf, r.cap);
        }
    }
    return rc;
}

int lt_supp_load_file(const char *path, char *err, size_t errlen)
{
    return load_file(path, false, err, errlen);
}

int lt_supp_load_text(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
    S.err_location = false;
    return load_text(name, text, len, false, err, errlen);
}

int lt_supp_load_all(const char *default_dir, char *err, size_t errlen)
{
    for (int i = 0; i < lt_opt.nsupp && i < LT_MAX_SUPP_FILES; i++)
        if (lt_supp_load_file(lt_opt.supp_files[i], err, errlen) < 0)
            return -1;
    if (!lt_opt.default_suppressions)
        return 0;
#ifdef LT_INSTALL_DATADIR
    if (!default_dir)
        default_dir = LT_INSTALL_DATADIR;
#endif
    if (!default_dir || !default_dir[0])
        return 0;
    char path[4096];
    size_t n = strlen(default_dir);
    static const char base[] = "/default.supp";
    if (n + sizeof base > sizeof path)
        return 0;
    memcpy(path, default_dir, n);
    memcpy(path + n, base, sizeof base);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return load_file(path, true, err, errlen) < 0 ? -1 : 0;
}

static bool has_default_supp(const char *dirpath, size_t n)
{
    static const char base[] = "/default.supp";
    char path[4096];
    if (n + sizeof base > sizeof path)
        return false;
    memcpy(path, dirpath, n);
    memcpy(path + n, base, sizeof base);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *lt_supp_default_dir(const char *lib_path, char *buf, size_t buflen)
{
    static const char *const rel[] = { "/share/leaktrace", "/suppressions" };
    /* the parent of the library's directory, textually: /p/build/lib.so -> /p */
    const char *slash = lib_path ? strrchr(lib_path, '/') : NULL;
    size_t d = 0;
    if (slash) {
        d = (size_t)(slash - lib_path);
        while (d > 0 && lib_path[d - 1] != '/')
            d--;
        if (d > 0)
            d--;                 /* drop the separator: "/p" */
    }
    for (size_t i = 0; slash && d > 0 && i < sizeof rel / sizeof rel[0]; i++) {
        size_t r = strlen(rel[i]);
        if (d + r + 1 > buflen)
            continue;
        memcpy(buf, lib_path, d);
        memcpy(buf + d, rel[i], r + 1);
        if (has_default_supp(buf, d + r))
            return buf;
    }
#ifdef LT_INSTALL_DATADIR
    size_t n = strlen(LT_INSTALL_DATADIR);
    if (n + 1 <= buflen && has_default_supp(LT_INSTALL_DATADIR, n)) {
        memcpy(buf, LT_INSTALL_DATADIR, n + 1);
        return buf;
    }
#endif
    return NULL;
}

static void put_pid_prefix(struct lt_writer *w, const char *mark, int pid)
{
    lt_put(w, mark);
    lt_put_u64(w, (uint64_t)pid);
    lt_put(w, mark);
    lt_putc(w, ' ');
}

void lt_supp_write_error(struct lt_writer *w, int pid, const char *err)
{
    if (S.err_location && strstr(err, LOCATION_MSG))
        lt_put(w, LOCATION_MSG "\n");
    const char *p = err;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        put_pid_prefix(w, "==", pid);
        lt_putn(w, p, n);
        lt_putc(w, '\n');
        p += n;
        if (*p == '\n')
            p++;
    }
}

int lt_supp_count(void) { return S.n; }
int lt_supp_nfiles(void) { return S.nfiles; }
const char *lt_supp_file(int i) { return i >= 0 && i < S.nfiles ? S.files[i] : NULL; }

const char *lt_supp_name(int idx)
{
    return idx >= 0 && idx < S.n ? S.all[idx]->name : NULL;
}

/* ---- the stack as Valgrind sees it -------------------------------------------------- */

static bool is_tool_object(const char *obj)
{
    if (!obj)
        return false;
    if (S.tool_obj)
        return strcmp(obj, S.tool_obj) == 0;
    const char *base = strrchr(obj, '/');
    base = base ? base + 1 : obj;
    return strncmp(base, "libleaktrace", 12) == 0;
}

/* VG_(get_fnname_kind) (3.19, Linux). */
static int fn_kind(const char *name)
{
    if (!name)
        return FN_NORMAL;
    if (strcmp(name, "main") == 0)
        return FN_MAIN;
    if (strcmp(name, "__libc_start_main") == 0 || strcmp(name, "__libc_start_call_main") == 0 ||
        strncmp(name, "__libc_start_main.", 18) == 0 || strcmp(name, "generic_start_main") == 0 ||
        strncmp(name, "generic_start_main.", 19) == 0 || strcmp(name, "_start") == 0)
        return FN_BELOW;
    return FN_NORMAL;
}

static struct xstack *expand(uint32_t stack_id)
{
    const struct lt_stack *st = lt_depot_get(stack_id);
    if (!st || st->depth == 0)
        return NULL;
    uint32_t nips = st->depth;
    int maxc = lt_opt.num_callers > 0 ? lt_opt.num_callers : 12;
    if (maxc > LT_MAX_CALLERS)
        maxc = LT_MAX_CALLERS;
    if (nips > (uint32_t)maxc)
        nips = (uint32_t)maxc;
    static struct lt_frame_info fi[LT_SYMBOLS_MAX_FRAMES];
    uint32_t total = 0;
    for (uint32_t k = 0; k < nips; k++) {
        int n = lt_symbols_resolve(st->ips[k], k > 0, fi, LT_SYMBOLS_MAX_FRAMES);
        if (n < 1)
            n = 1;
        total += (k == 0 && is_tool_object(fi[n - 1].obj)) ? 1 : (uint32_t)n;
    }
    size_t bytes = sizeof(struct xstack) + (size_t)total * sizeof(struct xframe);
    struct xstack *xs = lt_arena_alloc(bytes);
    if (!xs)
        return NULL;
    memset(xs, 0, bytes);
    xs->bytes = bytes;
    xs->nips = nips;
    /* file:line of each address's innermost location: what Valgrind's
     * get_filename_linenum(ips[k]) gives, for the src: quirk */
    static const char *qfile[LT_MAX_CALLERS];
    static unsigned qline[LT_MAX_CALLERS];
    bool rename = !lt_opt.show_below_main;
    uint32_t j = 0;
    for (uint32_t k = 0; k < nips; k++) {
        int n = lt_symbols_resolve(st->ips[k], k > 0, fi, LT_SYMBOLS_MAX_FRAMES);
        if (n < 1) {
            memset(fi, 0, sizeof fi[0]);
            n = 1;
        }
        int first = 0;
        bool tool = k == 0 && is_tool_object(fi[n - 1].obj);
        if (tool)
            first = n - 1;
        int kind = fn_kind(fi[n - 1].mangled);
        qfile[k] = tool ? NULL : fi[0].file;
        qline[k] = tool ? 0 : fi[0].line;
        for (int e = first; e < n && j < total; e++, j++) {
            struct xframe *x = &xs->f[j];
            const struct lt_frame_info *f = &fi[e];
            x->named = f->mangled != NULL;
            x->mangled = f->mangled;
            x->fun = f->mangled ? f->mangled : "???";
            /* below-main renaming applies to the function, not to inlined calls */
            if (e == n - 1 && rename && kind == FN_BELOW)
                x->fun = "(below main)";
            x->fn = f->fn;
            x->obj = f->obj;
            x->file = tool ? NULL : f->file;
            x->dir = tool ? NULL : f->dir;
            x->ip = k;
            x->tool = tool;
            x->ipkind = (uint8_t)kind;
        }
    }
    xs->n = j;
    /* Valgrind's supp_pattEQinp looks up src: with ips[ixInput], the
     * ixInput-th address, although ixInput counts expanded frames. */
    for (uint32_t e = 0; e < xs->n && e < nips; e++) {
        xs->f[e].qfile = qfile[e];
        xs->f[e].qline = qline[e];
    }
    return xs;
}

static const struct xstack *get_xstack(uint32_t id)
{
    if (id == 0)
        return NULL;
    if (id >= S.cache_cap) {
        uint32_t ncap = S.cache_cap ? S.cache_cap : 256;
        while (ncap <= id)
            ncap *= 2;
        struct xstack **nc = lt_arena_alloc(ncap * sizeof *nc);
        if (!nc)
            return expand(id);       /* uncached; leaks nothing worse than time */
        if (S.cache) {
            memcpy(nc, S.cache, S.cache_cap * sizeof *nc);
            lt_arena_free(S.cache, S.cache_cap * sizeof *nc);
        }
        S.cache = nc;
        S.cache_cap = ncap;
    }
    if (!S.cache[id])
        S.cache[id] = expand(id);
    return S.cache[id];
}

static void drop_cache(void)
{
    if (!S.cache)
        return;
    for (uint32_t i = 0; i < S.cache_cap; i++)
        if (S.cache[i])
            lt_arena_free(S.cache[i], S.cache[i]->bytes);
    lt_arena_free(S.cache, S.cache_cap * sizeof *S.cache);
    S.cache = NULL;
    S.cache_cap = 0;
}

void lt_supp_check_begin(void)
{
    drop_cache();
    S.gen++;
}

void lt_supp_check_end(void)
{
    drop_cache();
}

/* ---- matching ----------------------------------------------------------------------- */

static bool loc_eq(const struct loc *l, const struct xframe *f)
{
    switch (l->ty) {
    case LOC_FUN:
        return name_match(l, f->fun);
    case LOC_OBJ:
        if (name_match(l, f->obj ? f->obj : "???"))
            return true;
        return f->tool && l->vg_preload;
    case LOC_SRC:
        if (!f->qfile || !name_match(l, f->qfile))
            return false;
        return l->line == 0 || l->line == f->qline;
    default:
        return false;
    }
}

/* Valgrind 3.19 names some allocation functions differently at frame 0
 * (its vg_replace_malloc.c implements them with its memalign):
 * valloc and aligned_alloc appear as "memalign", posix_memalign as
 * "memalign" called by "posix_memalign", and glibc's reallocarray as
 * realloc (or malloc for a NULL pointer). Suppressions written under
 * 3.19 therefore name those frames; the matcher also tries these views of
 * frame 0 (newer Valgrinds print the real names, which match directly). */
struct frame0_alias {
    const char *name;
    const char *view[2];
};
static const struct frame0_alias frame0_aliases[] = {
    { "valloc", { "memalign", NULL } },
    { "valloc", { "memalign", "valloc" } },
    { "aligned_alloc", { "memalign", NULL } },
    { "posix_memalign", { "memalign", "posix_memalign" } },
    { "reallocarray", { "realloc", NULL } },
    { "reallocarray", { "malloc", NULL } },
};

/* The input sequence: the expanded stack, or it with frame 0 replaced by
 * an alias view. */
struct view {
    const struct xstack *xs;
    int nalias;                      /* 0: the stack as it is */
    struct xframe alias[2];
};

static size_t view_len(const struct view *v)
{
    return v->nalias ? v->xs->n - 1 + (size_t)v->nalias : v->xs->n;
}

static const struct xframe *view_at(const struct view *v, size_t j)
{
    if (!v->nalias)
        return &v->xs->f[j];
    if (j < (size_t)v->nalias)
        return &v->alias[j];
    return &v->xs->f[j - (size_t)v->nalias + 1];
}

/* VG_(generic_match) with matchAll = False: the pattern must match a
 * prefix of the expanded stack; "..." matches zero or more frames. */
static bool callers_match_view(const struct supp *s, const struct view *v)
{
    size_t n = view_len(v), need = 2 * (n + 1);
    if (need > S.dp_cap) {
        size_t ncap = S.dp_cap ? S.dp_cap : 1024;
        while (ncap < need)
            ncap *= 2;
        bool *nd = lt_arena_alloc(ncap);
        if (!nd)
            return false;
        if (S.dp)
            lt_arena_free(S.dp, S.dp_cap);
        S.dp = nd;
        S.dp_cap = ncap;
    }
    bool *cur = S.dp, *nxt = S.dp + n + 1;
    memset(cur, 0, n + 1);
    cur[0] = true;
    for (int i = 0; i < s->ncallers; i++) {
        const struct loc *l = &s->callers[i];
        bool any = false;
        if (l->ty == LOC_DOTS) {
            bool acc = false;
            for (size_t j = 0; j <= n; j++) {
                acc = acc || cur[j];
                nxt[j] = acc;
            }
            any = acc;
        } else {
            nxt[0] = false;
            for (size_t j = 0; j < n; j++) {
                nxt[j + 1] = cur[j] && loc_eq(l, view_at(v, j));
                any = any || nxt[j + 1];
            }
        }
        if (!any)
            return false;
        bool *t = cur;
        cur = nxt;
        nxt = t;
    }
    return true;
}

static bool callers_match(const struct supp *s, const struct xstack *xs)
{
    struct view v = { xs, 0, { { 0 } } };
    if (callers_match_view(s, &v))
        return true;
    const struct xframe *f0 = &xs->f[0];
    if (!f0->tool || !f0->named)
        return false;
    for (size_t a = 0; a < sizeof frame0_aliases / sizeof frame0_aliases[0]; a++) {
        const struct frame0_alias *al = &frame0_aliases[a];
        if (strcmp(al->name, f0->fun) != 0)
            continue;
        v.nalias = al->view[1] ? 2 : 1;
        for (int k = 0; k < v.nalias; k++) {
            v.alias[k] = *f0;            /* same object, the tool; no source */
            v.alias[k].fun = v.alias[k].mangled = v.alias[k].fn = al->view[k];
            v.alias[k].qfile = NULL;
        }
        /* address-indexed src: data shifts with the extra frame */
        if (callers_match_view(s, &v))
            return true;
    }
    return false;
}

static void move_to_front(struct supp *s)
{
    if (S.head == s)
        return;
    for (struct supp **pp = &S.head; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            s->next = S.head;
            S.head = s;
            return;
        }
}

static struct supp *lsan_find(const struct xstack *xs)
{
    uint32_t j = 0;
    for (uint32_t k = 0; k < xs->nips; k++) {
        uint32_t first = j;
        while (j < xs->n && xs->f[j].ip == k)
            j++;
        if (first == j)
            continue;
        const char *module = xs->f[first].obj ? xs->f[first].obj : "<unknown module>";
        for (int i = 0; i < S.nlsan; i++)
            if (lsan_match(S.lsan[i]->templ, module))
                return S.lsan[i];
        for (uint32_t e = first; e < j; e++) {
            const struct xframe *f = &xs->f[e];
            for (int i = 0; i < S.nlsan; i++)
                if (lsan_match(S.lsan[i]->templ, f->fn) || lsan_match(S.lsan[i]->templ, f->mangled))
                    return S.lsan[i];
            if (!f->file)
                continue;
            char full[4096];
            const char *path = f->file;
            if (f->dir && f->file[0] != '/') {
                size_t a = strlen(f->dir), b = strlen(f->file);
                if (a + 1 + b < sizeof full) {
                    memcpy(full, f->dir, a);
                    full[a] = '/';
                    memcpy(full + a + 1, f->file, b + 1);
                    path = full;
                }
            }
            for (int i = 0; i < S.nlsan; i++)
                if (lsan_match(S.lsan[i]->templ, path) || lsan_match(S.lsan[i]->templ, f->file))
                    return S.lsan[i];
        }
    }
    return NULL;
}

/* False only when no frame of the stack can be in ld.so, so no bundled
 * entry can match: then the stack need not be symbolized at all, which is
 * what makes a report of only reachable blocks cheap (issue: per-process
 * cost; a bash subshell reports hundreds of such blocks). ld.so's code is
 * as found at start-up (objects.h); unknown, nothing is filtered. */
static bool may_match(uint32_t stack_id)
{
    static uintptr_t lo, hi;            /* ld.so's code: fixed for the process's life */
    static int known;                   /* 0 not yet, 1 found, -1 not found */
    if (!known) {
        struct lt_object ld;
        known = lt_object_loader(&ld) && lt_object_span(&ld, PF_X, &lo, &hi) ? 1 : -1;
    }
    if (S.n_anywhere > 0 || known < 0)
        return true;
    const struct lt_stack *st = lt_depot_get(stack_id);
    if (!st)
        return true;
    for (uint32_t k = 0; k < st->depth; k++)
        if (st->ips[k] - (k > 0) >= lo && st->ips[k] - (k > 0) < hi)
            return true;
    return false;
}

bool lt_supp_may_match(uint32_t stack_id)
{
    return S.head && may_match(stack_id);
}

int lt_supp_match(int kind, uint32_t stack_id)
{
    if (!S.head || kind < 0 || kind >= LT_NKINDS)
        return -1;
    if (!may_match(stack_id))
        return -1;
    const struct xstack *xs = get_xstack(stack_id);
    if (!xs)
        return -1;
    for (struct supp *s = S.head; s; s = s->next) {
        if (s->skind != SK_LEAK || !(s->kinds & LT_KIND_BIT(kind)))
            continue;
        if (callers_match(s, xs)) {
            move_to_front(s);
            return s->index;
        }
    }
    if (S.nlsan) {
        struct supp *s = lsan_find(xs);
        if (s) {
            move_to_front(s);
            return s->index;
        }
    }
    return -1;
}

void lt_supp_note(int idx, uint64_t bytes, uint64_t blocks)
{
    if (idx < 0 || idx >= S.n)
        return;
    struct supp *s = S.all[idx];
    if (s->gen != S.gen) {
        s->gen = S.gen;
        s->bytes = s->blocks = 0;
    }
    s->count++;
    s->bytes += bytes;
    s->blocks += blocks;
}

/* ---- output ------------------------------------------------------------------------- */

static void put_xml_escaped(struct lt_writer *w, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': lt_put(w, "&amp;"); break;
        case '<': lt_put(w, "&lt;"); break;
        case '>': lt_put(w, "&gt;"); break;
        default: lt_putc(w, *s);
        }
    }
}

int lt_supp_write_used(struct lt_writer *w, int pid)
{
    int written = 0;
    for (struct supp *s = S.head; s; s = s->next) {
        if (s->count <= 0)
            continue;
        if (!written)
            put_pid_prefix(w, "--", pid), lt_putc(w, '\n');
        put_pid_prefix(w, "--", pid);
        lt_put(w, "used_suppression: ");
        char num[24];
        int len = 0;
        unsigned v = (unsigned)s->count;
        do {
            num[len++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        for (int pad = len; pad < 6; pad++)
            lt_putc(w, ' ');
        while (len)
            lt_putc(w, num[--len]);
        lt_putc(w, ' ');
        lt_put(w, s->name);
        lt_putc(w, ' ');
        lt_put(w, S.files[s->file]);
        lt_putc(w, ':');
        lt_put_u64(w, (uint64_t)s->lineno);
        if (s->gen == S.gen && s->blocks > 0) {
            lt_put(w, " suppressed: ");
            lt_put_u64_commas(w, s->bytes);
            lt_put(w, " bytes in ");
            lt_put_u64_commas(w, s->blocks);
            lt_put(w, " blocks");
        }
        lt_putc(w, '\n');
        written++;
    }
    return written;
}

void lt_supp_write_used_xml(struct lt_writer *w)
{
    lt_put(w, "<suppcounts>\n");
    for (struct supp *s = S.head; s; s = s->next) {
        if (s->count <= 0)
            continue;
        lt_put(w, "  <pair>\n    <count>");
        lt_put_u64(w, (uint64_t)s->count);
        lt_put(w, "</count>\n    <name>");
        put_xml_escaped(w, s->name);
        lt_put(w, "</name>\n  </pair>\n");
    }
    lt_put(w, "</suppcounts>\n\n");
}

static const char *kind_word(int kind)
{
    static const char *const words[] = { "reachable", "possible", "indirect", "definite" };
    return kind >= 0 && kind < LT_NKINDS ? words[kind] : "definite";
}

/* VG_(apply_StackTrace): without --show-below-main, stop after the
 * outermost "main", or else after the innermost below-main function. */
static uint32_t gen_cut(const struct xstack *xs)
{
    uint32_t nips = xs->nips;
    if (lt_opt.show_below_main)
        return xs->n;
    int kinds_by_ip[LT_MAX_CALLERS + 1];
    for (uint32_t k = 0; k < nips && k <= LT_MAX_CALLERS; k++)
        kinds_by_ip[k] = FN_NORMAL;
    for (uint32_t j = 0; j < xs->n; j++)
        if (xs->f[j].ip <= LT_MAX_CALLERS)
            kinds_by_ip[xs->f[j].ip] = xs->f[j].ipkind;
    for (int i = (int)nips - 1; i >= 0; i--) {
        int k = kinds_by_ip[i];
        if (k == FN_MAIN || k == FN_BELOW)
            nips = (uint32_t)i + 1;
        if (k == FN_MAIN)
            break;
    }
    uint32_t n = 0;
    while (n < xs->n && xs->f[n].ip < nips)
        n++;
    return n;
}

/* A frame in no object (LuaJIT's or another JIT's machine code in an
 * anonymous executable mapping, or a bad return address) is written as
 * obj:??? where Valgrind writes obj:*: the matcher (as Valgrind's
 * supp_pattEQinp) compares obj: lines with "???" for such a frame, so the
 * line still matches it, but no longer matches every frame: a suppression
 * generated for a leak from a trace ({ fun:malloc obj:* } in Valgrind's
 * output) would otherwise hide every malloc leak once pasted into a file.
 * '?' being a one-character wildcard, "???" matches no object path (those
 * are absolute). */
static void gen_frames(struct lt_writer *w, const struct xstack *xs, bool xml)
{
    uint32_t n = gen_cut(xs);
    for (uint32_t j = 0; j < n; j++) {
        const struct xframe *f = &xs->f[j];
        if (xml) {
            lt_put(w, "    <sframe> ");
            if (f->named) {
                lt_put(w, "<fun>");
                put_xml_escaped(w, f->fun);
                lt_put(w, "</fun>");
            } else {
                lt_put(w, "<obj>");
                put_xml_escaped(w, f->obj ? f->obj : "???");
                lt_put(w, "</obj>");
            }
            lt_put(w, " </sframe>\n");
        } else if (f->named) {
            lt_put(w, "   fun:");
            lt_put(w, f->fun);
            lt_putc(w, '\n');
        } else {
            lt_put(w, "   obj:");
            lt_put(w, f->obj ? f->obj : "???");
            lt_putc(w, '\n');
        }
    }
}

static void gen_text(struct lt_writer *w, int kind, const struct xstack *xs)
{
    lt_put(w, "{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n   match-leak-kinds: ");
    lt_put(w, kind_word(kind));
    lt_putc(w, '\n');
    gen_frames(w, xs, false);
    lt_put(w, "}\n");
}

void lt_supp_write_generated(struct lt_writer *w, int kind, uint32_t stack_id)
{
    const struct xstack *xs = get_xstack(stack_id);
    if (!xs || xs->n == 0)
        return;
    gen_text(w, kind, xs);
}

void lt_supp_write_generated_xml(struct lt_writer *w, int kind, uint32_t stack_id)
{
    const struct xstack *xs = get_xstack(stack_id);
    if (!xs || xs->n == 0)
        return;
    lt_put(w, "  <suppression>\n    <sname>insert_a_suppression_name_here</sname>\n"
              "    <skind>Memcheck:Leak</skind>\n    <skaux>match-leak-kinds: ");
    lt_put(w, kind_word(kind));
    lt_put(w, "</skaux>\n");
    gen_frames(w, xs, true);
    lt_put(w, "    <rawtext>\n<![CDATA[\n");
    gen_text(w, kind, xs);
    lt_put(w, "]]>\n    </rawtext>\n  </suppression>\n");
}

/* ---- tests -------------------------------------------------------------------------- */

void lt_supp_reset(void)
{
    drop_cache();
    if (S.all)
        lt_arena_free(S.all, (size_t)S.cap * sizeof *S.all);
    if (S.lsan)
        lt_arena_free(S.lsan, (size_t)S.caplsan * sizeof *S.lsan);
    if (S.files)
        lt_arena_free(S.files, (size_t)S.capfiles * sizeof *S.files);
    if (S.dp)
        lt_arena_free(S.dp, S.dp_cap);
    const char *tool = S.tool_obj;
    memset(&S, 0, sizeof S);
    S.tool_obj = tool;
}

void lt_supp_set_tool_object(const char *path)
{
    S.tool_obj = path ? dup_str(path) : NULL;
}
