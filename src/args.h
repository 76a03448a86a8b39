/* args.h — the program's command line as it was started.
 *
 * Promises: argv is copied (into the tool's arena) when the library is
 * initialised, before main runs, so the report shows the arguments the
 * program was started with even if it rewrote or freed them (setproctitle,
 * option parsers that permute argv). The `Command:` line escapes them as
 * Valgrind 3.19 does (m_main.c umsg_arg, and its output of unprintable
 * bytes): a backslash before space, backslash, '<' and '>', and '_' for a
 * control byte or a byte >= 0x80, so an argument can never break the
 * ==PID== line. */
#ifndef LT_ARGS_H
#define LT_ARGS_H
#include "lt.h"

/* The copy, or argc 0 / NULL if the loader gave none. */
int lt_args_argc(void) LT_HIDDEN;
char **lt_args_argv(void) LT_HIDDEN;
/* "prog arg1 arg2" escaped as above (arena memory), or NULL; without the
 * backslashes for the XML preamble (Valgrind's XML line has none). */
char *lt_args_command_line(bool backslashes) LT_HIDDEN;
#endif
