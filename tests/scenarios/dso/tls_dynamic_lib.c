/* A library with general-dynamic TLS, loaded by dlopen
 * (lsan_use_tls_dynamic.c): its TLS block is allocated by ld.so with
 * malloc when a thread first touches it. */
#include <stdlib.h>
#include <string.h>

__thread void *lib_tls_ptr;

void lib_keep(size_t n)
{
    lib_tls_ptr = malloc(n);
    memset(lib_tls_ptr, 0, n);
}
