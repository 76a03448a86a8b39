/* elfsym.c — functions of the main program found by name (see elfsym.h).
 *
 * ELF-64 only (the tool is tested on x86-64). Every offset read from the
 * file is checked against its size: the file may be anything. */
#include "elfsym.h"
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = (uintptr_t)info->dlpi_addr;
    return 1;      /* the first object is the executable */
}

static bool in_file(size_t off, size_t len, size_t file_size)
{
    return off <= file_size && len <= file_size - off;
}

static void search_symtab(const unsigned char *f, size_t size, uintptr_t bias,
                          const char *const *names, uintptr_t *out, int n)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !in_file(eh->e_shoff, (size_t)eh->e_shnum * sizeof(Elf64_Shdr), size))
        return;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if ((sh[i].sh_type != SHT_SYMTAB && sh[i].sh_type != SHT_DYNSYM) || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *str = &sh[sh[i].sh_link];
        if (!in_file(sh[i].sh_offset, sh[i].sh_size, size) || !in_file(str->sh_offset, str->sh_size, size))
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[i].sh_offset);
        size_t nsym = sh[i].sh_size / sizeof *sym;
        const char *strtab = (const char *)f + str->sh_offset;
        for (size_t k = 0; k < nsym; k++) {
            if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_name >= str->sh_size || !sym[k].st_value)
                continue;
            const char *nm = strtab + sym[k].st_name;
            size_t room = str->sh_size - sym[k].st_name;
            for (int j = 0; j < n; j++)
                if (!out[j] && strnlen(nm, room) < room && strcmp(nm, names[j]) == 0)
                    out[j] = bias + (uintptr_t)sym[k].st_value;
        }
    }
}

bool lt_exe_in_file(const struct lt_exe *e, size_t off, size_t len)
{
    return in_file(off, len, e->size);
}

/* AT_PHDR minus PT_PHDR's address: no loader lock (a check may run while a
 * stopped thread holds it); a PIE without PT_PHDR asks the loader. */
static uintptr_t load_bias(const Elf64_Ehdr *eh)
{
    const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
    unsigned long n = getauxval(AT_PHNUM);
    for (unsigned long i = 0; ph && i < n; i++)
        if (ph[i].p_type == PT_PHDR)
            return (uintptr_t)ph - ph[i].p_vaddr;
    uintptr_t bias = 0;
    if (eh && eh->e_type == ET_DYN)
        dl_iterate_phdr(first_object, &bias);
    return bias;
}

static struct lt_exe held;          /* start-up only: one thread */
static bool holding;

static bool map_exe(struct lt_exe *e);

bool lt_exe_map(struct lt_exe *e)
{
    if (holding && held.f) {
        *e = held;
        return true;
    }
    return map_exe(e);
}

void lt_exe_hold(void)
{
    holding = map_exe(&held);
    held.held = true;
}

void lt_exe_release(void)
{
    holding = false;
    held.held = false;
    lt_exe_unmap(&held);
}

static bool map_exe(struct lt_exe *e)
{
    memset(e, 0, sizeof *e);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size > 0)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    syscall(SYS_close, fd);
    if (map == MAP_FAILED)
        return false;
    e->f = map;
    e->size = (size_t)st.st_size;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)e->f;
    bool elf64 = e->size >= sizeof *eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
                 eh->e_ident[EI_CLASS] == ELFCLASS64;
    e->bias = load_bias(elf64 ? eh : NULL);
    if (elf64 && eh->e_shentsize == sizeof(Elf64_Shdr) &&
        in_file(eh->e_shoff, (size_t)eh->e_shnum * sizeof(Elf64_Shdr), e->size) &&
        eh->e_shstrndx < eh->e_shnum) {
        e->sh = (const Elf64_Shdr *)(e->f + eh->e_shoff);
        e->nsh = eh->e_shnum;
    }
    return true;
}

void lt_exe_unmap(struct lt_exe *e)
{
    if (e->f && !e->held)
        munmap((void *)e->f, e->size);
    memset(e, 0, sizeof *e);
}

const char *lt_exe_section_name(const struct lt_exe *e, int i)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)e->f;
    const Elf64_Shdr *strs = &e->sh[eh->e_shstrndx];
    size_t off = strs->sh_offset + e->sh[i].sh_name;
    if (e->sh[i].sh_name >= strs->sh_size || !in_file(off, 1, e->size))
        return NULL;
    const char *name = (const char *)e->f + off;
    size_t room = e->size - off;
    return strnlen(name, room) < room ? name : NULL;
}

void lt_exe_find(const struct lt_exe *e, const char *const *names, uintptr_t *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = 0;
    search_symtab(e->f, e->size, e->bias, names, out, n);
}

/* Not dlsym: a failed lookup leaves a message ld.so allocated for dlerror,
 * a block the program would be charged with. */
void lt_elfsym_find(const char *const *names, uintptr_t *out, int n)
{
    struct lt_exe e;
    if (!lt_exe_map(&e)) {
        for (int i = 0; i < n; i++)
            out[i] = 0;
        return;
    }
    lt_exe_find(&e, names, out, n);
    lt_exe_unmap(&e);
}
