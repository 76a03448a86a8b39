/* toolstack.c — the tool's own stack for checks (see toolstack.h).
 *
 * Why: a check needs ~150 KiB of stack (libdw, the writers), far more than
 * a sigaltstack (Rust: 8 KiB), a coroutine or a PTHREAD_STACK_MIN thread
 * has, and every frame it leaves on the program's stack is a stale word the
 * next check would read as a root (DESIGN decision 9). So the check runs
 * here: one mapping, reserved once with a PROT_NONE guard page below it,
 * excluded from the roots (roots.c asks lt_toolstack_range). Pages are
 * touched only as used. */
#include "toolstack.h"
#include "lock.h"
#include <sys/mman.h>

#define TOOLSTACK_SIZE ((size_t)4 << 20)
#define GUARD_SIZE ((size_t)64 << 10)
/* A second, small stack below the first (its own guard below it) for a
 * helper task that shares the address space (ptstop.c's tracer). */
#define AUX_SIZE ((size_t)128 << 10)
#define RESERVED (GUARD_SIZE + AUX_SIZE + GUARD_SIZE + TOOLSTACK_SIZE)

static uintptr_t stack_lo, stack_hi;     /* [lo, hi): guard + stack */
static lt_lock_t stack_lock = LT_LOCK_INIT;
static uintptr_t caller_sp;

void lt_toolstack_init(void)
{
    if (stack_hi)
        return;
    void *p = mmap(NULL, RESERVED, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return;
    if (mprotect((char *)p + GUARD_SIZE, AUX_SIZE, PROT_READ | PROT_WRITE) != 0 ||
        mprotect((char *)p + RESERVED - TOOLSTACK_SIZE, TOOLSTACK_SIZE, PROT_READ | PROT_WRITE) != 0) {
        munmap(p, RESERVED);
        return;
    }
    stack_lo = (uintptr_t)p;
    __atomic_store_n(&stack_hi, (uintptr_t)p + RESERVED, __ATOMIC_RELEASE);
}

void lt_toolstack_range(uintptr_t *lo, uintptr_t *hi)
{
    *lo = stack_lo;
    *hi = stack_hi;
}

uintptr_t lt_toolstack_caller_sp(void) { return caller_sp; }

uintptr_t lt_toolstack_aux_top(void)
{
    if (!__atomic_load_n(&stack_hi, __ATOMIC_ACQUIRE))
        return 0;
    return (stack_lo + GUARD_SIZE + AUX_SIZE) & ~(uintptr_t)15;
}

bool lt_toolstack_on(void)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    return sp >= stack_lo && sp < stack_hi;
}

void lt_toolstack_reset_child(void) { lt_lock_reset(&stack_lock); }

#if defined(__x86_64__)
/* void *lt_toolstack_switch(void *(*fn)(void *), void *arg, uintptr_t top):
 * calls fn(arg) with %rsp = top. The frame pointer keeps the way back, and
 * the CFI says so, so unwinders and debuggers walk from the tool stack back
 * into the program's. */
void *lt_toolstack_switch(void *(*fn)(void *), void *arg, uintptr_t top) LT_HIDDEN;
__asm__(".text\n"
        ".globl lt_toolstack_switch\n"
        ".hidden lt_toolstack_switch\n"
        ".type lt_toolstack_switch,@function\n"
        "lt_toolstack_switch:\n"
        "    .cfi_startproc\n"
        "    pushq %rbp\n"
        "    .cfi_def_cfa_offset 16\n"
        "    .cfi_offset %rbp, -16\n"
        "    movq %rsp, %rbp\n"
        "    .cfi_def_cfa_register %rbp\n"
        "    movq %rdx, %rsp\n"
        "    movq %rdi, %rax\n"
        "    movq %rsi, %rdi\n"
        "    call *%rax\n"
        "    movq %rbp, %rsp\n"
        "    popq %rbp\n"
        "    .cfi_def_cfa %rsp, 8\n"
        "    ret\n"
        "    .cfi_endproc\n"
        ".size lt_toolstack_switch, .-lt_toolstack_switch\n");
#define HAVE_SWITCH 1
#endif

static bool on_tool_stack(void)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    return sp >= stack_lo && sp < stack_hi;
}

void *lt_toolstack_call(void *(*fn)(void *), void *arg)
{
#ifdef HAVE_SWITCH
    if (!__atomic_load_n(&stack_hi, __ATOMIC_ACQUIRE) || on_tool_stack())
        return fn(arg);
    lt_lock(&stack_lock);
    uintptr_t saved = caller_sp;
    caller_sp = (uintptr_t)__builtin_frame_address(0);
    void *r = lt_toolstack_switch(fn, arg, stack_hi & ~(uintptr_t)15);
    caller_sp = saved;
    lt_unlock(&stack_lock);
    return r;
#else
    return fn(arg);
#endif
}
