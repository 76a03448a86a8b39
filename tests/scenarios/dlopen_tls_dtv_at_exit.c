// Twelve libraries with __thread data, dlopen'ed and touched by the main
// thread: its TLS vector (room for 14 dlopen'ed modules) is still the one
// ld.so made at start-up. At exit the tool loads libdw into its private
// namespace (src/dwlib.h), whose libc, libdw and libelf bring three more
// TLS modules: when libdw first touches its thread-local data, ld.so may
// replace the main thread's full vector with a block of the tool's. The
// program's twelve thread-local blocks hang off that vector and must still
// be found through it (roots.c mark_dtv), not come out lost. Otherwise as dlopen_tls_many (16 libraries, the
// vector resized while the program runs). One block is lost on purpose, so
// that the report names frames and libdw is loaded.
// EXPECT: definite 48/1 indirect 0/0 possible 0/0 reachable 0..100000/0..100
// CFLAGS: -DNLIBS=12 -DLEAK_ONE
#include "dlopen_tls_many.c"
