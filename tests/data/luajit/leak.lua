local ffi = require("ffi")
ffi.cdef[[void *malloc(size_t); void free(void *);]]
local mode = arg[1] or "normal"
do local p = ffi.C.malloc(1111) end
KEEP = ffi.C.malloc(2222)
local third
if mode == "gc" then third = ffi.gc(ffi.C.malloc(3333), ffi.C.free) else third = ffi.C.malloc(3333) end
print("mode " .. mode)
if mode == "osexit" then os.exit(0) end
if mode == "osexitclose" then os.exit(0, true) end
