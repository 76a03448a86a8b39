// dlopen/dlclose of a library that allocates. The scenario writes the
// library's source into the current folder (the runner runs every program
// in a fresh temporary folder, removed afterwards; run by hand, it leaves
// lt_scn_a.so and lt_scn_b.so behind) and builds it with gcc (run with
// LD_PRELOAD removed from its environment, so the compiler is not checked),
// then loads two copies of it, ./lt_scn_a.so and ./lt_scn_b.so. The .so
// files stay on disk until the program is gone, so symbols can be read at
// exit.
//   - a.so keeps a block in its own global, then is dlclosed: its data
//     segment is unmapped, so that block is definitely lost;
//   - b.so stays loaded and keeps a block in its global: reachable;
//   - b.so returns a block that the program drops: definitely lost;
//   - the loader's own blocks for b.so (its link map, version table and
//     copies of its name) stay reachable from the loader's data; those for
//     a.so were freed by dlclose. (With the relative name their sizes do not
//     depend on the folder: checked with valgrind from folders of 8 and 90
//     characters.)
// EXPECT: definite 333/2 indirect 0/0 possible 0/0 reachable 1577/5
// EXPECT-RECORD: 222 bytes in 1 blocks are definitely lost | malloc | lib_make | * | main
// ORACLE: valgrind
#include "scenario.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static const char lib_src[] =
    "#include <stdlib.h>\n"
    "void *lib_global;\n"
    "void lib_keep(void) { lib_global = malloc(111); }\n"
    "void *lib_make(void) { return malloc(222); }\n";

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    SCN_CHECK(fd >= 0);
    SCN_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

/* Runs gcc with LD_PRELOAD and LEAKTRACE_OPTIONS taken out of its
 * environment; no heap allocation in the parent. */
static void build_lib(const char *src, const char *out)
{
    static char *env[256];
    int n = 0;
    for (char **e = environ; *e && n < 255; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0 && strncmp(*e, "LEAKTRACE_OPTIONS=", 18) != 0)
            env[n++] = *e;
    env[n] = NULL;
    char *argv[] = {"gcc", "-shared", "-fPIC", "-O0", "-o", (char *)out, (char *)src, NULL};
    pid_t pid = fork();
    SCN_CHECK(pid >= 0);
    if (pid == 0) {
        execvpe("gcc", argv, env);
        _exit(127);
    }
    int st = 0;
    SCN_CHECK(waitpid(pid, &st, 0) == pid);
    SCN_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void copy_file(const char *from, const char *to)
{
    char buf[4096];
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    SCN_CHECK(in >= 0 && out >= 0);
    ssize_t r;
    while ((r = read(in, buf, sizeof buf)) > 0)
        SCN_CHECK(write(out, buf, (size_t)r) == r);
    close(in);
    close(out);
}

static NOINLINE void use_libs(const char *a_path, const char *b_path)
{
    void *a = dlopen(a_path, RTLD_NOW | RTLD_LOCAL);
    SCN_CHECK(a != NULL);
    void (*keep_a)(void) = (void (*)(void))dlsym(a, "lib_keep");
    SCN_CHECK(keep_a != NULL);
    keep_a();
    void *b = dlopen(b_path, RTLD_NOW | RTLD_LOCAL);
    SCN_CHECK(b != NULL && b != a);
    void (*keep_b)(void) = (void (*)(void))dlsym(b, "lib_keep");
    void *(*make_b)(void) = (void *(*)(void))dlsym(b, "lib_make");
    SCN_CHECK(keep_b != NULL && make_b != NULL);
    keep_b();
    launder_ptr(make_b());
    SCN_CHECK(dlclose(a) == 0);
}

int main(void)
{
    const char *src = "lt_scn_lib.c", *a_path = "./lt_scn_a.so", *b_path = "./lt_scn_b.so";
    write_file(src, lib_src);
    build_lib(src, a_path);
    copy_file(a_path, b_path);
    unlink(src);
    use_libs(a_path, b_path);
    say("libraries used\n");
    scrub();
    return 0;
}
