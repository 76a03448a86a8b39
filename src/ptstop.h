/* ptstop.h — stopping the world with ptrace, invisibly to the program.
 *
 * Promises: `lt_ptstop_stop` stops every other task of the process (the
 * entries of w->v, and threads that appear meanwhile, up to w->cap) from a
 * helper task that is not a thread of the process, with no signal
 * delivered, no system call failing with EINTR, whatever the threads'
 * signal masks; registers and stack pointers go into w->v. A thread found
 * inside the tool is let out of it first (it parks itself). For a check
 * the program survives, threads blocked in a system call a stop would make
 * fail (epoll_wait, sigtimedwait...) are not stopped (w->v[i].blocked; the
 * world is then not all_stopped). Returns -1, having changed nothing, where
 * ptrace is refused: the caller stops the world with signals. Only one stop
 * at a time (the caller serialises). x86-64 only (elsewhere: -1). */
#ifndef LT_PTSTOP_H
#define LT_PTSTOP_H
#include "threads.h"

int lt_ptstop_stop(struct lt_world *w, bool final, int timeout_ms) LT_HIDDEN;
/* Detaches every stopped thread (held signals delivered); reaps the tracer. */
void lt_ptstop_resume(struct lt_world *w) LT_HIDDEN;
#endif
