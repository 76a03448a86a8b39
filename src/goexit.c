/* goexit.c — Go's exit routed through the final check (see goexit.h).
 *
 * Go's runtime never calls exit(3): runtime.exit is an assembly function
 * that issues exit_group directly (runtime/sys_linux_amd64.s), so neither
 * atexit handlers nor destructors run (research note §2). Of the ways to
 * get control there, a seccomp trap on exit_group is inherited across exec
 * (a child run without the tool then dies at its own exit) and needs
 * no_new_privs (setuid children lose their privileges). Instead the first
 * instructions of runtime.exit are replaced, at start-up, with a jump to
 * go_exit_entry below: it switches to a stack of ours (Go's goroutine and
 * signal stacks are a few KiB), runs the final check, and issues exit_group
 * itself. exec() discards the patch with the rest of the image.
 *
 * The function is found by name in the executable's symbol table
 * (runtime.exit.abi0 since Go 1.17, runtime.exit before), or, in stripped
 * binaries (go test runs its test binaries stripped), as the one place in
 * .text that holds its code at a function start; it is patched only if its
 * code is exactly what Go's amd64 runtime has always emitted:
 *   8b 7c 24 08     mov  0x8(%rsp),%edi   ; the exit code argument
 *   b8 e7 00 00 00  mov  $231,%eax         ; SYS_exit_group
 *   0f 05           syscall
 *   c3              ret
 * If the code is not found exactly once, nothing is patched, with a
 * warning; such programs can still call leaktrace_check(). */
#include "goexit.h"
#include "elfsym.h"
#include "arena.h"
#include "interpose.h"
#include "lifecycle.h"
#include <elf.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)

#define GO_EXIT_STACK (4u << 20)

static const unsigned char go_exit_code[12] = {
    0x8b, 0x7c, 0x24, 0x08, 0xb8, 0xe7, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3 };

/* Used by the assembly below. */
uintptr_t lt_go_exit_stack LT_HIDDEN;
int lt_go_exit_claimed LT_HIDDEN;
void lt_go_exit(int code, uintptr_t go_sp) LT_HIDDEN __attribute__((noreturn));
void lt_go_exit_entry(void) LT_HIDDEN;

/* Entered by a jump from runtime.exit with Go's stack untouched: the
 * return address at 0(%rsp), the exit code (int32) at 8(%rsp). The first
 * caller takes our stack; a second thread exiting at the same time waits
 * in pause() until the first ends the process. */
__asm__(".text\n"
        ".globl lt_go_exit_entry\n"
        ".hidden lt_go_exit_entry\n"
        ".type lt_go_exit_entry,@function\n"
        "lt_go_exit_entry:\n"
        "    movl $1, %eax\n"
        "    xchgl %eax, lt_go_exit_claimed(%rip)\n"
        "    testl %eax, %eax\n"
        "    jnz 2f\n"
        "    movl 8(%rsp), %edi\n"
        "    movq %rsp, %rsi\n"
        "    movq lt_go_exit_stack(%rip), %rsp\n"
        "    andq $-16, %rsp\n"
        "    call lt_go_exit\n"
        "    ud2\n"
        "2:  movl $34, %eax\n"          /* SYS_pause */
        "    syscall\n"
        "    jmp 2b\n"
        ".size lt_go_exit_entry, .-lt_go_exit_entry\n");

void lt_go_exit(int code, uintptr_t go_sp)
{
    int forced = lt_lifecycle_exit_from(code, go_sp);
    syscall(SYS_exit_group, forced >= 0 ? forced : code);
    __builtin_unreachable();
}

/* The executable is read as elfsym.c maps it (by hand rather than with
 * libelf: this runs in every program at start-up, and libelf would
 * allocate on the program's heap — chunks the program then reuses, with
 * stale pointers inside that a conservative scan would follow). */

/* Go marks its binaries with a .go.buildinfo section (Go 1.13+): looking
 * for it first keeps the symbol-table walk off every other program. */
static bool is_go_binary(const struct lt_exe *e)
{
    for (int i = 0; i < e->nsh; i++) {
        const char *name = lt_exe_section_name(e, i);
        if (name && strcmp(name, ".go.buildinfo") == 0)
            return true;
    }
    return false;
}

/* Stripped binary: the only 16-aligned occurrence of runtime.exit's code
 * in .text (Go aligns functions to 32 bytes on amd64), relocated; 0 if
 * there is none or more than one. */
static uintptr_t find_by_code(const struct lt_exe *e)
{
    for (int i = 0; i < e->nsh; i++) {
        const Elf64_Shdr *s = &e->sh[i];
        const char *name = lt_exe_section_name(e, i);
        if (!name || strcmp(name, ".text") != 0 || s->sh_type != SHT_PROGBITS ||
            !lt_exe_in_file(e, s->sh_offset, s->sh_size))
            continue;
        const unsigned char *text = e->f + s->sh_offset;
        uintptr_t found = 0;
        int count = 0;
        for (size_t off = (16 - (s->sh_addr & 15)) & 15; off + sizeof go_exit_code <= s->sh_size; off += 16)
            if (text[off] == go_exit_code[0] && memcmp(text + off, go_exit_code, sizeof go_exit_code) == 0) {
                found = e->bias + (uintptr_t)(s->sh_addr + off);
                count++;
            }
        return count == 1 ? found : 0;
    }
    return 0;
}

static bool patch(uintptr_t at)
{
    if (memcmp((const void *)at, go_exit_code, sizeof go_exit_code) != 0)
        return false;
    unsigned char jump[12] = { 0x48, 0xb8 };           /* movabs $entry, %rax */
    uintptr_t entry = (uintptr_t)&lt_go_exit_entry;
    memcpy(jump + 2, &entry, sizeof entry);
    jump[10] = 0xff;                                    /* jmp *%rax */
    jump[11] = 0xe0;
    uintptr_t page = at & ~(uintptr_t)4095, end = (at + sizeof jump + 4095) & ~(uintptr_t)4095;
    if (mprotect((void *)page, end - page, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
        return false;
    memcpy((void *)at, jump, sizeof jump);
    mprotect((void *)page, end - page, PROT_READ | PROT_EXEC);
    __builtin___clear_cache((char *)at, (char *)at + sizeof jump);
    return true;
}

bool lt_goexit_init(void)
{
    struct lt_exe e;
    if (!lt_exe_map(&e))
        return false;
    static const char *const names[] = { "runtime.exit.abi0", "runtime.exit" };
    uintptr_t found[2] = { 0, 0 };
    bool go = e.sh && is_go_binary(&e);
    if (go)
        lt_exe_find(&e, names, found, 2);
    uintptr_t at = found[0] ? found[0] : found[1];
    if (go && !at)
        at = find_by_code(&e);
    lt_exe_unmap(&e);
    if (!go)
        return false;
    if (!at) {
        lt_warn("runtime.exit was not found in this Go program: its exit cannot be "
                "intercepted; call leaktrace_check() to get a report");
        return false;
    }
    char *stack = lt_arena_alloc(GO_EXIT_STACK);
    if (!stack)
        return false;
    lt_go_exit_stack = (uintptr_t)stack + GO_EXIT_STACK;
    if (!patch(at)) {
        lt_warn("Go's runtime.exit is not the code this tool knows: its exit is not "
                "intercepted; call leaktrace_check() to get a report");
        return false;
    }
    return true;
}

#else
bool lt_goexit_init(void) { return false; }
#endif
