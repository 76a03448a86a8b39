-- FFI leaks from a compiled trace ("jit") or from the interpreter ("interp").
-- Every block is definitely lost once lua_close has unmapped the Lua heap.
local ffi = require("ffi")
ffi.cdef[[void *malloc(size_t); void free(void *);]]
local mode = arg[1] or "jit"
local keep = {}
if mode == "jit" then
  for i = 1, 300 do keep[i] = ffi.C.malloc(64) end   -- hot loop: a trace calls malloc
elseif mode == "interp" then
  jit.off()
  keep[1] = ffi.C.malloc(4000)
end
print("mode " .. mode)
