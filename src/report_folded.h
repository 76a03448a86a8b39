/* report_folded.h — leaked bytes as folded stacks (--folded-file), for
 * flame-graph tools; and the frame list the SARIF writer shares.
 *
 * Promises: one line per loss record that is not suppressed and has bytes,
 * "KIND;ROOT;...;CALLER;ALLOCATOR BYTES": the first element is the kind as
 * the LEAK SUMMARY names it ("definitely lost", "indirectly lost",
 * "possibly lost", "still reachable"), then the record's frames as the
 * text report prints them (lt_report_frames: inlined calls expanded, cut
 * after main), outermost first, ending with the allocation function; BYTES
 * is the record's direct bytes, so the lines of one kind add up to that
 * kind's LEAK SUMMARY bytes. Every kind is written whatever
 * --show-leak-kinds says; nothing with --leak-check=no. A frame is its
 * demangled function name; without one, "OBJECT+0xOFFSET" (object base
 * name) or "???"; ';' in a name becomes ':', control characters become ' '.
 * Two records may print the same stack (flame-graph tools add such lines
 * up). No malloc, no stdio: arena memory and the lt_writer only. */
#ifndef LT_REPORT_FOLDED_H
#define LT_REPORT_FOLDED_H
#include "report.h"
#include "symbols.h"

void lt_report_folded(struct lt_writer *w, const struct lt_records *r,
                      const struct lt_report_ctx *ctx, const struct lt_options *o) LT_HIDDEN;

/* The printed frames of one stack, innermost first (index 0 = the
 * allocation function), in arena memory that grows as needed. Strings
 * point into the symbolizer's session (valid until lt_symbols_end). */
struct lt_frame_list {
    struct lt_frame_entry {
        struct lt_frame_info f;
        uintptr_t ip;
    } *v;
    size_t n, cap;
    bool truncated;        /* out of memory: frames past `cap` were dropped */
};

/* Fills `l` with the frames of `stack` (l->n = 0 first; memory is kept
 * between calls). Returns l->n. */
size_t lt_frame_list_fill(struct lt_frame_list *l, uint32_t stack, const struct lt_options *o) LT_HIDDEN;
void lt_frame_list_free(struct lt_frame_list *l) LT_HIDDEN;
#endif
