/* gocgo.c — allocation stacks that go on past a cgo call (see gocgo.h).
 *
 * runtime.asmcgocall (Go 1.19 runtime/asm_amd64.s), called on a goroutine
 * stack with DX = its entry SP (pointing at the return address into
 * runtime.cgocall):
 *   CALL gosave_systemstack_switch   ; g.sched.sp = DX, g.sched.bp = BP
 *   MOVQ (g_sched+gobuf_sp)(SI), SP   ; onto g0's (the thread's) stack
 *   SUBQ $64, SP; ANDQ $~15, SP
 *   MOVQ DI, 48(SP)                   ; the goroutine's g
 *   MOVQ g.stack.hi - DX, 40(SP)      ; its stack depth
 *   CALL AX                           ; the C function (cgo wrapper)
 * So the return address just after that CALL sits at some address R on the
 * thread's stack, and R+8+48 holds g, R+8+40 the depth: the goroutine's SP
 * is g.stack.hi - depth. The C frames in between may lack frame pointers,
 * so R is found by looking for that return address word between the
 * capturing frame and the top of the thread's stack. When g.sched.sp still
 * equals that SP (no callback into Go has reused g.sched since), g.sched.bp
 * is runtime.cgocall's frame pointer and the chain [bp] = caller's bp,
 * [bp+8] = return address continues through the goroutine's frames. The
 * nosave path (a cgo call made on the system stack itself) stores 0 as g
 * and is left alone: there the unwinder needs no help. */
#include "gocgo.h"
#include "golayout.h"
#include "gopclntab.h"
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

/* Whether the 8 bytes at addr can be read, without touching them: the
 * kernel copies rt_sigprocmask's new set from the caller before it looks
 * at `how`, so an invalid `how` answers EFAULT for unreadable memory and
 * EINVAL otherwise (kernel/signal.c). The slot found by the search below
 * may be a stale copy of the return address, and what it leads to any
 * word: every word read past it is checked first (a crash in the
 * allocation path of a Go program was the alternative: go test, 1 run in
 * 60). Raw syscall: nothing of libc's or ours in between. */
static bool readable(uintptr_t addr)
{
#if defined(__x86_64__)
    long r;
    register long r10 __asm__("r10") = 8;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "0"((long)SYS_rt_sigprocmask), "D"(-1L), "S"(addr & ~(uintptr_t)7), "d"(0L),
                       "r"(r10)
                     : "rcx", "r11", "memory");
    return r != -EFAULT;
#else
    (void)addr;
    return false;
#endif
}

static bool read_word(uintptr_t addr, uintptr_t *out)
{
    if (!readable(addr))
        return false;
    *out = *(const uintptr_t *)addr;
    return true;
}

static bool read_field(uintptr_t g, struct lt_gofield f, uintptr_t *out)
{
    if (!readable(g + f.off) || !readable(g + f.off + f.size - 1))
        return false;
    *out = lt_go_read(g, f);
    return true;
}

int lt_gocgo_on;
static uintptr_t asm_lo, asm_hi;      /* runtime.asmcgocall's code */
static struct lt_gofield f_lo, f_hi, f_sp, f_bp;

void lt_gocgo_init(void)
{
#if defined(__x86_64__)
    const struct lt_golayout *L = lt_golayout();
    if (!L->ok)
        return;
    uintptr_t entry, end;
    if (!lt_gopclntab_find("runtime.asmcgocall", &entry, &end))
        return;
    asm_lo = entry;
    asm_hi = end;
    f_lo = L->g_lo;
    f_hi = L->g_hi;
    f_sp = L->g_sp;
    f_bp = L->g_bp;
    lt_gocgo_on = 1;
#endif
}

uint32_t lt_gocgo_extend(uintptr_t *ips, uint32_t depth, uint32_t max, uintptr_t sp)
{
    if (!lt_gocgo_on || depth < 2 || depth >= max)
        return depth;
    uintptr_t ra = ips[depth - 1];
    if (ra <= asm_lo || ra > asm_hi)
        return depth;
    uintptr_t top = lt_tls.stack_hi;
    if (!top || sp >= top)
        return depth;
    /* The return-address slot: the first word equal to ra above sp. */
    uintptr_t r = 0;
    for (uintptr_t a = (sp + 7) & ~(uintptr_t)7; a + 64 <= top; a += 8) {
        /* sp may be on a signal stack elsewhere: each page is checked. */
        if ((a & 4095) == 0 || a == ((sp + 7) & ~(uintptr_t)7))
            if (!readable(a) || !readable(a + 64))
                return depth;
        if (*(const uintptr_t *)a == ra) {
            r = a;
            break;
        }
    }
    if (!r)
        return depth;
    uintptr_t frame = r + 8;
    uintptr_t g = *(const uintptr_t *)(frame + 48), d = *(const uintptr_t *)(frame + 40);
    if (!g || (g & 7))
        return depth;
    uintptr_t lo, hi;
    if (!read_field(g, f_lo, &lo) || !read_field(g, f_hi, &hi))
        return depth;
    if (!lo || hi <= lo || hi - lo > ((uintptr_t)1 << 30) || d == 0 || d > hi - lo)
        return depth;
    uintptr_t gsp = hi - d, ret, gsched_sp, bp;
    if ((gsp & 7) || !read_word(gsp, &ret))
        return depth;
    ips[depth++] = ret;                                   /* into runtime.cgocall */
    if (!read_field(g, f_sp, &gsched_sp) || gsched_sp != gsp || !read_field(g, f_bp, &bp))
        return depth;
    while (depth < max && bp > gsp && bp + 16 <= hi && !(bp & 7)) {
        uintptr_t next;
        if (!read_word(bp + 8, &ret) || !read_word(bp, &next) || !ret)
            break;
        ips[depth++] = ret;
        if (next <= bp)
            break;
        bp = next;
    }
    return depth;
}
