/* symcache.h — symbolization results shared between processes, keyed by build ID.
 *
 * Promises: what symbols.c computed for an address of an object (function
 * names, file:line, inlined frames) is kept in one small text file per
 * object build ID under the user's cache directory
 * ($XDG_CACHE_HOME/leaktrace/symbols, else $HOME/.cache/leaktrace/symbols;
 * --symbol-cache=DIR or =no), so the next process that reports a frame of
 * the same libc does not inflate libc's debug info again. A file is only
 * trusted when its header names the same tool version, build ID and debug
 * file identity (size and mtime of the separate debug file, or "none");
 * anything unreadable or malformed is ignored. Files are replaced
 * atomically (temporary file + rename), never followed through symlinks,
 * and written only at the end of a symbolization session. Runs inside the
 * tool's guard; memory comes from the tool's arena. */
#ifndef LT_SYMCACHE_H
#define LT_SYMCACHE_H
#include "lt.h"
#include "symbols.h"

struct lt_symcache;

/* Opens (loads) the cache of one object, or NULL when caching is off or
 * the object has no build ID. `debug_identity` describes the debug file the
 * results come from. The handle lives until lt_symcache_end. */
struct lt_symcache *lt_symcache_open(const unsigned char *build_id, int len,
                                     const char *debug_identity) LT_HIDDEN;
/* Frames cached for `addr` (an address relative to the object's load
 * bias): returns how many were written to out (at most max), or -1. The
 * strings stay valid until lt_symcache_end. */
int lt_symcache_get(struct lt_symcache *c, uintptr_t addr, struct lt_frame_info *out,
                    int max) LT_HIDDEN;
/* Remembers what symbols.c computed for `addr` (obj and obj_offset are not
 * stored: they come from the process map). */
void lt_symcache_put(struct lt_symcache *c, uintptr_t addr, const struct lt_frame_info *f,
                     int n) LT_HIDDEN;
/* Writes the caches that gained entries and frees everything. */
void lt_symcache_end(void) LT_HIDDEN;
#endif
