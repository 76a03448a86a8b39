/* api.c — the functions of include/leaktrace.h. */
#include "lt.h"
#include "lifecycle.h"
#include "../include/leaktrace.h"

LT_EXPORT unsigned long leaktrace_check(void)
{
    if (lt_state != LT_STATE_TRACKING)
        return 0;
    return (unsigned long)lt_check(false);
}
