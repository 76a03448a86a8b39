/* callctx.h — entry points that know exactly what their caller still holds.
 *
 * Promises: LT_CALLCTX_ENTRY(name, target) defines the exported function
 * `name` as a small assembly stub that calls
 *     target(arg0, caller_sp, saved)
 * where arg0 is name's first integer argument (passed through), caller_sp
 * is the caller's stack pointer after the call returns (its CFA: nothing
 * below it is the caller's, the return-address slot included), and saved
 * points at the caller's callee-saved registers as they were at the call.
 * `name` returns what target returns.
 *
 * Why: at a call, the x86-64 System V ABI (§3.2.1, Figure 3.4) keeps only
 * rbx, rbp, rsp and r12-r15 for the caller; rax, rcx, rdx, rsi, rdi and
 * r8-r11 are dead, and so is every word below its stack pointer. glibc's
 * realloc leaves the old chunk in r9, memmove its source in rsi: read as
 * roots, they keep a lost block "reachable". A C function cannot see its
 * caller's callee-saved registers (its own prologue may already have
 * replaced them), hence the stub, which touches none before saving them.
 * The CFI lets unwinders walk through the stub (atexit handlers that
 * allocate are unwound through exit()). */
#ifndef LT_CALLCTX_H
#define LT_CALLCTX_H
#include "lt.h"
#include "threads.h"

/* Order of the registers at `saved` (x86-64). */
enum { LT_SAVED_R15, LT_SAVED_R14, LT_SAVED_R13, LT_SAVED_R12, LT_SAVED_RBX, LT_SAVED_RBP,
       LT_NSAVED };

/* Fills regs[LT_NREGS] from a stub's `saved` (callee-saved registers; every
 * other slot is 0, which is no pointer). */
static inline void lt_callctx_regs(const uintptr_t *saved, uintptr_t regs[LT_NREGS])
{
    for (int i = 0; i < LT_NREGS; i++)
        regs[i] = 0;
    if (saved)
        for (int i = 0; i < LT_NSAVED; i++)
            regs[i] = saved[i];
}

#if defined(__x86_64__)
/* Six pushes (48 bytes) on top of the return address leave %rsp 8 bytes
 * off the 16-byte alignment the call needs: hence the extra 8. */
#define LT_CALLCTX_ENTRY(name, target)                                        \
    __asm__(".text\n"                                                         \
            ".globl " #name "\n"                                              \
            ".type " #name ",@function\n"                                     \
            #name ":\n"                                                       \
            "    .cfi_startproc\n"                                            \
            "    pushq %rbp\n"                                                \
            "    .cfi_adjust_cfa_offset 8\n"                                  \
            "    .cfi_rel_offset %rbp, 0\n"                                   \
            "    pushq %rbx\n"                                                \
            "    .cfi_adjust_cfa_offset 8\n"                                  \
            "    .cfi_rel_offset %rbx, 0\n"                                   \
            "    pushq %r12\n"                                                \
            "    .cfi_adjust_cfa_offset 8\n"                                  \
            "    .cfi_rel_offset %r12, 0\n"                                   \
            "    pushq %r13\n"                                                \
            "    .cfi_adjust_cfa_offset 8\n"                                  \
            "    .cfi_rel_offset %r13, 0\n"                                   \
            "    pushq %r14\n"                                                \
            "    .cfi_adjust_cfa_offset 8\n"                                  \
            "    .cfi_rel_offset %r14, 0\n"                                   \
            "    pushq %r15\n"                                                \
            "    .cfi_adjust_cfa_offset 8\n"                                  \
            "    .cfi_rel_offset %r15, 0\n"                                   \
            "    leaq 56(%rsp), %rsi\n"                                       \
            "    movq %rsp, %rdx\n"                                           \
            "    subq $8, %rsp\n"                                             \
            "    .cfi_adjust_cfa_offset 8\n"                                  \
            "    call " #target "\n"                                          \
            "    addq $8, %rsp\n"                                             \
            "    .cfi_adjust_cfa_offset -8\n"                                 \
            "    popq %r15\n"                                                 \
            "    .cfi_adjust_cfa_offset -8\n"                                 \
            "    popq %r14\n"                                                 \
            "    .cfi_adjust_cfa_offset -8\n"                                 \
            "    popq %r13\n"                                                 \
            "    .cfi_adjust_cfa_offset -8\n"                                 \
            "    popq %r12\n"                                                 \
            "    .cfi_adjust_cfa_offset -8\n"                                 \
            "    popq %rbx\n"                                                 \
            "    .cfi_adjust_cfa_offset -8\n"                                 \
            "    popq %rbp\n"                                                 \
            "    .cfi_adjust_cfa_offset -8\n"                                 \
            "    ret\n"                                                       \
            "    .cfi_endproc\n"                                              \
            ".size " #name ", .-" #name "\n")
#define LT_CALLCTX_HAVE_STUBS 1
#endif
#endif
