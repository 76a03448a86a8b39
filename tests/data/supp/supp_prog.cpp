// supp_prog.cpp -- leaks from many distinct call sites, in every kind, for
// test_suppressions.py. Sizes are distinct so records sort uniquely.
// Built with: g++ -g -O0 supp_prog.cpp supp_inl.o -L. -lsuppobj -lsuppstrip
#include <cstdlib>
#include <cstring>
#include <new>

#define NOINLINE __attribute__((noinline))

extern "C" {
void lib_leak(void);
void lib_keep(void);
void strip_leak(void);
extern void *volatile strip_sink;
extern void *volatile lib_sink;
void inl_outer(void);
void *launder_ptr(void *p);

static void *volatile sink;
NOINLINE void *launder_ptr(void *p) { sink = p; p = sink; sink = NULL; return p; }

void *kept_global;           // reachable, and its child reachable
char *inside_global;         // possibly lost

NOINLINE void scrub(void)
{
    volatile char pad[32768];
    memset((char *)pad, 0, sizeof pad);
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx,%%ebx\n\txor %%r12d,%%r12d\n\txor %%r13d,%%r13d\n\t"
                     "xor %%r14d,%%r14d\n\txor %%r15d,%%r15d" ::: "rbx", "r12", "r13", "r14", "r15", "memory");
#endif
}

NOINLINE void leak_alpha(void) { launder_ptr(malloc(101)); }
NOINLINE void leak_beta(void) { launder_ptr(calloc(3, 34)); }
NOINLINE void leak_gamma(void) { char *p = (char *)malloc(5); launder_ptr(realloc(p, 103)); }
NOINLINE void leak_alpine(void) { launder_ptr(malloc(104)); }

struct node { struct node *a, *b; long pad[4]; };  // 48 bytes
NOINLINE void *make_child(size_t n) { return malloc(n); }
NOINLINE void tree_root(void)
{
    struct node *r = (struct node *)calloc(1, sizeof *r);
    r->a = (struct node *)make_child(32);
    r->b = (struct node *)make_child(40);
    launder_ptr(r);
}

NOINLINE void keep_possible(void) { inside_global = (char *)malloc(150) + 20; }
NOINLINE void keep_reach(void)
{
    kept_global = malloc(160);
    ((void **)kept_global)[0] = malloc(36);
}

NOINLINE void leak_many(void)
{
    for (int i = 0; i < 3; i++)
        launder_ptr(malloc(41));
}

NOINLINE void leak_strdup(void) { launder_ptr(strdup("a string of 27 bytes long.")); }

NOINLINE void deep(int n)
{
    if (n == 0)
        launder_ptr(malloc(119));
    else
        deep(n - 1);
}
}  // extern "C"

struct Obj { long a[7]; };   // 56 bytes
namespace app {
struct Factory {
    static NOINLINE Obj *make() { return new Obj(); }
};
}
static NOINLINE void leak_object() { launder_ptr(app::Factory::make()); }
static NOINLINE void leak_array() { launder_ptr(new int[27]); }

int main()
{
    keep_reach();
    keep_possible();
    leak_alpha();
    leak_beta();
    leak_gamma();
    leak_alpine();
    tree_root();
    leak_many();
    leak_strdup();
    deep(15);
    leak_object();
    leak_array();
    lib_leak();
    lib_sink = NULL;
    lib_keep();
    inl_outer();
    strip_leak();
    strip_sink = NULL;
    scrub();
    return 0;
}
