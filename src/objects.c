/* objects.c — loaded objects by address (see objects.h). */
#include "objects.h"

struct find { uintptr_t addr; struct lt_object *out; };

static int holds(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct find *f = arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && f->addr >= lo && f->addr - lo < ph->p_memsz) {
            f->out->bias = info->dlpi_addr;
            f->out->name = info->dlpi_name;
            f->out->phdr = info->dlpi_phdr;
            f->out->phnum = info->dlpi_phnum;
            return 1;
        }
    }
    return 0;
}

bool lt_object_at(uintptr_t addr, struct lt_object *out)
{
    struct find f = { addr, out };
    return addr && dl_iterate_phdr(holds, &f) != 0;
}

static struct lt_object loader;
static int loader_state;            /* 0 not looked for, 1 found, -1 not found */

void lt_objects_init(void)
{
    loader_state = lt_object_at((uintptr_t)&_r_debug, &loader) ? 1 : -1;
}

bool lt_object_loader(struct lt_object *out)
{
    if (!loader_state)
        lt_objects_init();
    *out = loader;
    return loader_state == 1;
}

bool lt_object_span(const struct lt_object *o, unsigned flags, uintptr_t *lo, uintptr_t *hi)
{
    *lo = UINTPTR_MAX;
    *hi = 0;
    for (int i = 0; i < o->phnum; i++) {
        const ElfW(Phdr) *ph = &o->phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & flags) != flags)
            continue;
        uintptr_t a = o->bias + ph->p_vaddr;
        *lo = a < *lo ? a : *lo;
        *hi = a + ph->p_memsz > *hi ? a + ph->p_memsz : *hi;
    }
    return *hi != 0;
}
