/* suppress.h — Valgrind suppression files: reading, matching loss records,
 * usage counts, and --gen-suppressions output.
 *
 * Promises (Valgrind 3.19 coregrind/m_errormgr.c + memcheck/mc_errors.c,
 * each behaviour below checked against the installed valgrind 3.19):
 *
 * Reading. A file is read the way load_one_suppressions_file reads it:
 * lines are trimmed, blank lines and lines whose first non-blank character
 * is '#' are skipped; "{", a name line, a "tool1,tool2:Kind" line, the
 * kind's extra line (Memcheck:Leak: an optional "match-leak-kinds: SET",
 * SET = comma list of definite/indirect/possible/reachable, or all/none,
 * no spaces after commas; Memcheck:Param and Memcheck:FishyValue: one
 * line), then fun:/obj:/src:FILE[:LINE]/"..." frame lines, "}". Frames
 * past --num-callers (lt_opt.num_callers) are ignored, as Valgrind ignores
 * them, so lt_opt must be set before loading — except in our bundled
 * default.supp, whose entries would widen (see parse_valgrind). Entries for another tool
 * (no "Memcheck" in the tool list) are skipped unparsed, other Memcheck
 * kinds (Cond, Addr4, Param...) are kept but never match a leak. Every
 * error Valgrind rejects a file for is rejected here with the same message
 * and the same "near line N" (Valgrind counts the lines it has consumed:
 * a last line without '\n' is not counted). An empty file is fine.
 * A file whose first non-blank, non-comment line starts with "leak:" is
 * read as a LeakSanitizer suppression file: "leak:PATTERN" lines, '#'
 * comments (any other line is an error "near line N").
 *
 * Order. Each Valgrind entry read is put at the head of one list, so the
 * newest entry (the last one of the last file) is tried first; an entry
 * that matches moves to the head. LeakSanitizer entries are tried after all
 * Valgrind entries, LSan's way (see lt_supp_match).
 *
 * Memory: arena only; files are read with open/read. Not thread-safe: load
 * at start-up, match/write from the single thread doing the leak check. */
#ifndef LT_SUPPRESS_H
#define LT_SUPPRESS_H
#include "lt.h"
#include "writer.h"

/* Reads one suppression file (Valgrind or LeakSanitizer format) and adds
 * its entries; uses lt_opt.num_callers. Returns the number of entries read
 * (>= 0; another tool's entries are not counted), or -1 with
 * `err` set to the message Valgrind prints, without the "==PID== " line
 * prefixes and without a final newline, e.g.
 *   FATAL: in suppressions file "s.supp" near line 4:
 *      bad or missing extra suppression info
 *   exiting now.
 * or `FATAL: can't open suppressions file "F"` /
 * `FATAL: suppressions file "F" is a directory`. Valgrind prints these
 * (each line prefixed "==PID== ") and exits with status 1 before the
 * program runs; lt_supp_write_error prints them that way. Entries read
 * before an error stay loaded. `path` is kept as given: it is the FILE of
 * "used_suppression: ... FILE:LINE". */
int lt_supp_load_file(const char *path, char *err, size_t errlen) LT_HIDDEN;

/* Same, for suppressions given as text (LeakSanitizer's
 * __lsan_default_suppressions); `name` stands for the file name. */
int lt_supp_load_text(const char *name, const char *text, size_t len, char *err, size_t errlen) LT_HIDDEN;

/* Loads what the options ask for, in Valgrind's order: every
 * lt_opt.supp_files[i] in order, then (lt_opt.default_suppressions set and
 * the file exists) `default_dir`/default.supp. Valgrind appends its
 * default.supp after the user's files, so its entries are tried first.
 * `default_dir` NULL: LT_INSTALL_DATADIR if defined and the file exists
 * there. Returns 0, or -1 with `err` as lt_supp_load_file sets it. */
int lt_supp_load_all(const char *default_dir, char *err, size_t errlen) LT_HIDDEN;

/* Where default.supp is: the first of P/share/leaktrace (installed tree:
 * P/lib/libleaktrace.so), P/suppressions (build tree: P/build/libleaktrace.so)
 * and LT_INSTALL_DATADIR that holds a default.supp, P being the parent of
 * the library's directory (taken textually). `lib_path` is libleaktrace.so's
 * own path, as in /proc/self/maps (NULL: only LT_INSTALL_DATADIR). Returns
 * buf, or NULL if none has it. */
const char *lt_supp_default_dir(const char *lib_path, char *buf, size_t buflen) LT_HIDDEN;

/* Writes an error from lt_supp_load_* exactly as Valgrind prints it: each
 * line of `err` prefixed "==PID== ", preceded for a bad frame line by the
 * unprefixed line Valgrind prints first ("location should be ..."). */
void lt_supp_write_error(struct lt_writer *w, int pid, const char *err) LT_HIDDEN;

/* Number of entries loaded (Valgrind and LSan; other tools' skipped
 * entries are not counted), and the suppression files read, in order. */
int lt_supp_count(void) LT_HIDDEN;
int lt_supp_nfiles(void) LT_HIDDEN;
const char *lt_supp_file(int i) LT_HIDDEN;

/* Brackets one leak check (Valgrind's leak_search_gen): call
 * lt_supp_check_begin after lt_symbols_begin and before the first
 * lt_supp_match / lt_supp_write_generated of the check; it zeroes the
 * per-check byte/block totals shown by lt_supp_write_used (the per-entry
 * record counts keep accumulating over checks, as in Valgrind).
 * lt_supp_check_end, before lt_symbols_end, drops the per-stack cache of
 * symbolized frames (it points into the symbolizer's strings). */
void lt_supp_check_begin(void) LT_HIDDEN;
void lt_supp_check_end(void) LT_HIDDEN;

/* The suppression that matches a loss record of kind `kind` (enum lt_kind)
 * allocated at depot stack `stack_id`, or -1. Call it once per loss record,
 * for every record (shown or not, every kind), in loss-record order
 * (1..T), as memcheck does: the matching entry moves to the head of the
 * list, which decides later matches and the order of lt_supp_write_used.
 * The returned index is stable (load order) and is what lt_supp_note and
 * lt_supp_name take.
 *
 * A Valgrind entry matches if its kind is Memcheck:Leak, `kind` is in its
 * match-leak-kinds, and its frame lines match the stack from frame 0 as a
 * prefix (the pattern may be shorter than the stack, not longer; "..." is
 * any number of frames). The stack is seen as Valgrind sees it: frames
 * past num_callers do not exist; each address expands to its inlined
 * calls, innermost first, then its function; fun: matches the mangled
 * name (the DWARF name for an inlined call), "???" when unknown, and
 * "(below main)" for __libc_start_main, __libc_start_call_main, _start...
 * unless --show-below-main; obj: matches the object path ("???" if none);
 * '*' and '?' glob the whole name. Frame 0 is the tool's exported
 * allocation function: "fun:malloc", "fun:_Znwm" match it as under
 * Valgrind, it has no source line, and an obj: pattern matches it if it
 * matches our library's path or the path of Valgrind's preload
 * (/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so and the other
 * usual install prefixes, or any wildcard-free path ending in
 * /vgpreload_memcheck-amd64-linux.so), so users' "obj:*vgpreload_memcheck*"
 * frame-0 lines keep working. Valgrind 3.19 shows some allocators under
 * other names (valloc, aligned_alloc -> "memalign"; posix_memalign ->
 * "memalign" then "posix_memalign"; reallocarray -> "realloc"/"malloc"):
 * an entry also matches if it matches the stack with frame 0 so renamed
 * (so 3.19-generated entries work, and so do ones naming the real
 * function). src:FILE[:LINE] reproduces a Valgrind quirk:
 * the K-th frame line is compared with the file:line of the K-th *address*
 * (innermost location), not of the K-th expanded frame; the two differ only
 * when inlined calls come before position K.
 *
 * LeakSanitizer entries ("leak:PATTERN", any kind) are tried when no
 * Valgrind entry matched, as LSan does: for each address from frame 0, the
 * object path against every pattern (file order), then for each of its
 * inlined calls and its function, the function name (demangled, then
 * mangled) against every pattern, then the source file (full path, then
 * base name). PATTERN is LSan's TemplateMatch: a substring match, '*' any
 * run, '^' anchors at the start, '$' at the end. */
int lt_supp_match(int kind, uint32_t stack_id) LT_HIDDEN;
/* False when no suppression can match the stack, whatever its kind
 * (cheap: no symbolization, and the list's order is left alone). */
bool lt_supp_may_match(uint32_t stack_id) LT_HIDDEN;

/* Adds a matched record to entry `idx`: one more record, its direct +
 * indirect bytes and its blocks (memcheck's used_suppression counts). */
void lt_supp_note(int idx, uint64_t bytes, uint64_t blocks) LT_HIDDEN;

/* The entry's name ("leak:PATTERN" for LSan entries); NULL if idx is out
 * of range. */
const char *lt_supp_name(int idx) LT_HIDDEN;

/* -s / -v: writes, when at least one entry was used, the blank line
 * "--PID-- " and one line per used entry in list order (most recently
 * matched first):
 *   --PID-- used_suppression:      3 NAME FILE:LINE suppressed: 41 bytes in 5 blocks
 * (count "%6d"; the "suppressed: ..." part only for entries that matched
 * in the last check; numbers with thousands separators). Returns the number
 * of entries written (0: nothing written). Valgrind then prints "==PID== "
 * and the ERROR SUMMARY line again (only when it returned > 0). */
int lt_supp_write_used(struct lt_writer *w, int pid) LT_HIDDEN;

/* --xml=yes: memcheck 3.19 always writes this after <errorcounts>:
 *   <suppcounts>\n  <pair>\n    <count>N</count>\n    <name>NAME</name>\n
 *   </pair>\n ... </suppcounts>\n\n  (used entries, list order). */
void lt_supp_write_used_xml(struct lt_writer *w) LT_HIDDEN;

/* --gen-suppressions=all: the block memcheck prints after a shown record
 * (after its trailing "==PID== " line), no line prefix:
 *   {
 *      <insert_a_suppression_name_here>
 *      Memcheck:Leak
 *      match-leak-kinds: definite
 *      fun:malloc
 *      ...
 *   }
 * One line per expanded frame (inlined calls each get a fun: line):
 * fun:MANGLED, or obj:PATH for a frame without a name, or obj:* with
 * neither; frames up to num_callers, cut after "main" as Valgrind's
 * apply_StackTrace cuts (unless --show-below-main). Read back as a
 * suppression file it suppresses that record. */
void lt_supp_write_generated(struct lt_writer *w, int kind, uint32_t stack_id) LT_HIDDEN;

/* The same as one XML element (memcheck writes it twice per record with
 * --xml=yes --gen-suppressions=all: once before </error>, once after the
 * blank line that follows </error>):
 *   <suppression>, <sname>, <skind>, <skaux>, <sframe>s, <rawtext> CDATA. */
void lt_supp_write_generated_xml(struct lt_writer *w, int kind, uint32_t stack_id) LT_HIDDEN;

/* Tests: forget every entry and file, and the per-check state. */
void lt_supp_reset(void) LT_HIDDEN;
/* Tests: treat frames in this object as the tool's allocation function
 * (frame 0 handling); NULL restores the default (base name libleaktrace*). */
void lt_supp_set_tool_object(const char *path) LT_HIDDEN;
#endif
