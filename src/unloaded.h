/* unloaded.h — objects dlclose'd before the report, kept so their frames
 * can still be named (Valgrind's --keep-debuginfo=yes).
 *
 * Promises: lt_unloaded_note, called by the dlclose wrapper before the real
 * dlclose runs, records where the object behind the handle is mapped (path,
 * address ranges, file offsets, protections, device and inode) in arena
 * memory, at most once per placement; it reads /proc/self/maps with raw
 * system calls, never allocates from the program's heap and never takes the
 * loader lock. lt_unloaded_merge adds to a map snapshot the recorded
 * ranges that nothing maps any more, flagged LT_MAP_GONE, so symbols.c
 * reads their names and lines from the file on disk at the address the
 * object had. A range mapped again since (another object loaded at the same
 * place) is left out: its old frames print as the new object's, as they
 * would without the option. */
#ifndef LT_UNLOADED_H
#define LT_UNLOADED_H
#include "lt.h"
#include "maps.h"

void lt_unloaded_note(void *handle) LT_HIDDEN;
void lt_unloaded_merge(struct lt_maps *snapshot) LT_HIDDEN;
#endif
