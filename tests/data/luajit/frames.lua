-- Lua source frames in allocation stacks: each mode leaks once (or in a
-- hot loop) through the FFI; test_luaframes.py finds the lines by the
-- "@NAME" markers, so lines may move.
local ffi = require("ffi")
ffi.cdef[[void *malloc(size_t); void free(void *);]]
local mode = arg[1] or "interp"
local keep = {}

local function leak_in(n)
  keep[#keep + 1] = ffi.C.malloc(n)  -- @leak_in
  return #keep
end

if mode == "interp" or mode == "same" then
  jit.off()
  leak_in(1001)                      -- @call_interp
elseif mode == "moved" then
  jit.off()
  local pad = 1
  pad = pad + 1
  leak_in(1001 + pad - 2)            -- @call_moved
elseif mode == "jit" then
  for i = 1, 300 do keep[i] = ffi.C.malloc(32) end  -- @jit_loop
elseif mode == "coroutine" then
  jit.off()
  local co = coroutine.create(function()
    keep[1] = ffi.C.malloc(2002)     -- @in_coroutine
  end)
  coroutine.resume(co)
end
print("mode " .. mode)
