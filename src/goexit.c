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
#include "maps.h"
#include <fcntl.h>
#include <elf.h>
#include <sys/stat.h>
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

/* The executable's ELF file, mapped read-only. Read by hand rather than
 * with libelf: this runs in every program at start-up, and libelf would
 * allocate on the program's heap — chunks the program then reuses, with
 * stale pointers inside that a conservative scan would follow. */
struct elf_file {
    const unsigned char *base;
    size_t size;
    const Elf64_Ehdr *eh;
    const Elf64_Shdr *sh;
};

/* The executable as elfsym.c maps it (shared with the other start-up
 * readers: lt_exe_hold), seen through this file's view. */
static bool elf_view(const struct lt_exe *e, struct elf_file *f)
{
    if (!e->sh)
        return false;           /* not ELF-64, or no usable section headers */
    f->base = e->f;
    f->size = e->size;
    f->eh = (const Elf64_Ehdr *)e->f;
    f->sh = e->sh;
    return true;
}

/* A NUL-terminated string at `off` of section `strtab`, or NULL. */
static const char *elf_str(const struct elf_file *f, unsigned strtab, uint64_t off)
{
    if (strtab >= f->eh->e_shnum)
        return NULL;
    const Elf64_Shdr *s = &f->sh[strtab];
    if (s->sh_offset + s->sh_size > f->size || off >= s->sh_size)
        return NULL;
    const char *str = (const char *)f->base + s->sh_offset + off;
    return memchr(str, 0, s->sh_size - off) ? str : NULL;
}

/* Go marks its binaries with a .go.buildinfo section (Go 1.13+): looking
 * for it first keeps the symbol-table walk off every other program. */
static bool is_go_binary(const struct elf_file *f)
{
    for (unsigned i = 0; i < f->eh->e_shnum; i++) {
        const char *name = elf_str(f, f->eh->e_shstrndx, f->sh[i].sh_name);
        if (name && strcmp(name, ".go.buildinfo") == 0)
            return true;
    }
    return false;
}

/* The address of the first of `names` in the symbol table, as linked. */
static uintptr_t find_symbol(const struct elf_file *f, const char *const *names, int nnames)
{
    for (int want = 0; want < nnames; want++)
        for (unsigned i = 0; i < f->eh->e_shnum; i++) {
            const Elf64_Shdr *s = &f->sh[i];
            if (s->sh_type != SHT_SYMTAB || s->sh_entsize != sizeof(Elf64_Sym) ||
                s->sh_offset + s->sh_size > f->size)
                continue;
            const Elf64_Sym *sym = (const Elf64_Sym *)(f->base + s->sh_offset);
            for (size_t k = 0; k < s->sh_size / sizeof *sym; k++) {
                if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC)
                    continue;
                const char *name = elf_str(f, s->sh_link, sym[k].st_name);
                if (name && strcmp(name, names[want]) == 0)
                    return (uintptr_t)sym[k].st_value;
            }
        }
    return 0;
}

/* Stripped binary: the only 16-aligned occurrence of runtime.exit's code
 * in .text (Go aligns functions to 32 bytes on amd64), as linked; 0 if
 * there is none or more than one. */
static uintptr_t find_by_code(const struct elf_file *f)
{
    for (unsigned i = 0; i < f->eh->e_shnum; i++) {
        const Elf64_Shdr *s = &f->sh[i];
        const char *name = elf_str(f, f->eh->e_shstrndx, s->sh_name);
        if (!name || strcmp(name, ".text") != 0 || s->sh_type != SHT_PROGBITS ||
            s->sh_offset + s->sh_size > f->size)
            continue;
        const unsigned char *text = f->base + s->sh_offset;
        uintptr_t found = 0;
        int count = 0;
        for (size_t off = (16 - (s->sh_addr & 15)) & 15; off + sizeof go_exit_code <= s->sh_size; off += 16)
            if (text[off] == go_exit_code[0] && memcmp(text + off, go_exit_code, sizeof go_exit_code) == 0) {
                found = (uintptr_t)(s->sh_addr + off);
                count++;
            }
        return count == 1 ? found : 0;
    }
    return 0;
}

/* Load bias of the executable (0 unless it is PIE): the first mapping of
 * /proc/self/exe's file holds offset 0, i.e. the first PT_LOAD at vaddr 0. */
static uintptr_t exe_bias(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    struct lt_maps maps;
    uintptr_t bias = 0;
    if (n <= 0 || lt_maps_read(&maps) != 0)
        return 0;
    exe[n] = 0;
    for (int i = 0; i < maps.n; i++)
        if (maps.v[i].offset == 0 && strcmp(maps.v[i].path, exe) == 0) {
            bias = maps.v[i].lo;
            break;
        }
    lt_maps_free(&maps);
    return bias;
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
    struct elf_file f;
    if (!elf_view(&e, &f)) {
        lt_exe_unmap(&e);
        return false;
    }
    static const char *const names[] = { "runtime.exit.abi0", "runtime.exit" };
    bool go = is_go_binary(&f), pie = f.eh->e_type == ET_DYN;
    uintptr_t sym = go ? find_symbol(&f, names, 2) : 0;
    if (go && !sym)
        sym = find_by_code(&f);
    lt_exe_unmap(&e);
    if (!go)
        return false;
    if (!sym) {
        lt_warn("runtime.exit was not found in this Go program: its exit cannot be "
                "intercepted; call leaktrace_check() to get a report");
        return false;
    }
    char *stack = lt_arena_alloc(GO_EXIT_STACK);
    if (!stack)
        return false;
    lt_go_exit_stack = (uintptr_t)stack + GO_EXIT_STACK;
    uintptr_t at = sym + (pie ? exe_bias() : 0);
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
