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
#include <string.h>

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
    for (uintptr_t a = (sp + 7) & ~(uintptr_t)7; a + 64 <= top; a += 8)
        if (*(const uintptr_t *)a == ra) {
            r = a;
            break;
        }
    if (!r)
        return depth;
    uintptr_t frame = r + 8;
    uintptr_t g = *(const uintptr_t *)(frame + 48), d = *(const uintptr_t *)(frame + 40);
    if (!g || (g & 7))
        return depth;
    uintptr_t lo = lt_go_read(g, f_lo), hi = lt_go_read(g, f_hi);
    if (!lo || hi <= lo || hi - lo > ((uintptr_t)1 << 30) || d == 0 || d > hi - lo)
        return depth;
    uintptr_t gsp = hi - d;
    if (gsp & 7)
        return depth;
    ips[depth++] = *(const uintptr_t *)gsp;               /* into runtime.cgocall */
    if (lt_go_read(g, f_sp) != gsp)
        return depth;
    uintptr_t bp = lt_go_read(g, f_bp);
    while (depth < max && bp > gsp && bp + 16 <= hi && !(bp & 7)) {
        uintptr_t ret = ((const uintptr_t *)bp)[1], next = ((const uintptr_t *)bp)[0];
        if (!ret)
            break;
        ips[depth++] = ret;
        if (next <= bp)
            break;
        bp = next;
    }
    return depth;
}
