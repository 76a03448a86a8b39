/* report_xml.h — the report as Valgrind memcheck's XML (--xml=yes), protocol 4.
 *
 * Promises (each checked against valgrind 3.19 --xml=yes on the same
 * programs, byte for byte apart from values that must differ):
 * one whole document per call, laid out as valgrind 3.19 writes it,
 * blank lines included:
 *   <?xml version="1.0"?>, <valgrindoutput>, <protocolversion>4,
 *   <protocoltool>memcheck, <preamble> (our banner line, "Command: ..."),
 *   <pid>, <ppid>, <tool>memcheck, <args> (<vargv>: exe "leaktrace" and
 *   the words of LEAKTRACE_OPTIONS as the process started with it, read
 *   from /proc/self/environ — at exit glibc's __libc_freeres has cleared
 *   the environment; <argv>: ctx->argv, or /proc/self/exe without it),
 *   <status> RUNNING, [<fatal_signal>], <status> FINISHED, one <error> per
 *   SHOWN loss record, <errorcounts> (always empty: leaks are not counted
 *   there), <suppcounts> (lt_supp_write_used_xml; valgrind leaves it out
 *   under -q unless -s/-v is also given), </valgrindoutput>.
 * An <error> is:
 *   <unique>0x%x</unique>  valgrind's error counter, which advances for
 *                          EVERY loss record (shown, hidden, suppressed)
 *                          and for every other memcheck error: with leaks
 *                          only it is the loss record number - 1 (record 5
 *                          -> 0x4), lowercase hex;
 *   <tid>1</tid>, <kind>Leak_DefinitelyLost|Leak_IndirectlyLost|
 *   Leak_PossiblyLost|Leak_StillReachable</kind>,
 *   <xwhat><text>the text report's record header</text> (thousands
 *   separators) <leakedbytes>direct+indirect</leakedbytes>
 *   <leakedblocks>N</leakedblocks></xwhat> (no separators),
 *   <stack> of <frame>s as lt_report_frames prints them: <ip> (0x +
 *   uppercase hex), then <obj>, <fn>, and — when the file is known —
 *   <dir> (if known), <file>, <line>; unknown elements are left out, as
 *   valgrind's describe_IP does;
 *   with --gen-suppressions: the <suppression> element before </error>,
 *   and again after the blank line that follows </error> (valgrind 3.19
 *   writes it twice).
 * --exit-on-first-error=yes: the document ends ("</valgrindoutput>\n")
 * right after the first <error> (and its second <suppression>), with no
 * <errorcounts>/<suppcounts>, and r->stopped_at_first_error is set, as
 * lt_report_text does; valgrind 3.19 also prints "==PID== " and
 * "==PID== Exit program on first error (--exit-on-first-error=yes)" on the
 * text channel then (the caller's job), and exits with --error-exitcode.
 * With no block left there is no <error> at all (protocol 4 has no
 * "all heap blocks were freed" element). When a signal ends the process a
 * <fatal_signal> block (<tid>, <signo>, <signame>, <sicode>, for a fault
 * <event> and <siaddr>, <stack>) comes between the two <status> blocks.
 * <time> of RUNNING is 00:00:00:00.000 (the program starts there); of
 * FINISHED, the time since the library was loaded in this program image
 * (CLOCK_BOOTTIME, recorded by a constructor of this module), in
 * valgrind's "DD:HH:MM:SS.mmm " format (trailing space included). A
 * process forked from a checked one writes its own document with no
 * RUNNING block and times counted from the parent's start, as valgrind
 * does after fork (it reopens a %p file and writes the preamble again).
 *
 * Escaping: '&', '<', '>' in every text, as valgrind does (quotes are not
 * escaped: no text goes into an attribute). Unlike valgrind, bytes that
 * would make the document ill-formed — control characters other than tab,
 * newline and carriage return, and bytes that are not valid UTF-8 — are
 * written as U+FFFD.
 *
 * The caller must have forced --leak-check=full before lt_records_build
 * (valgrind does that whenever --xml=yes, even over --leak-check=no|summary),
 * so that `shown` is set as valgrind sets it. Symbolization runs inside
 * (the caller holds the guard, as for lt_report_text). No malloc, no stdio. */
#ifndef LT_REPORT_XML_H
#define LT_REPORT_XML_H
#include "report.h"

void lt_report_xml(struct lt_writer *w, struct lt_records *r,
                   const struct lt_report_ctx *ctx, const struct lt_options *o) LT_HIDDEN;

/* Writes `s` escaped for XML element text (see above). NULL writes nothing. */
void lt_xml_escape(struct lt_writer *w, const char *s) LT_HIDDEN;

/* "Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost",
 * "Leak_StillReachable" for enum lt_kind. */
const char *lt_xml_kind_name(int kind) LT_HIDDEN;

/* "DD:HH:MM:SS.mmm " (valgrind's VG_(elapsed_wallclock_time)) for `ms`
 * milliseconds, into buf (at least 24 bytes). Returns buf. */
char *lt_xml_time(uint64_t ms, char *buf, size_t size) LT_HIDDEN;
#endif
