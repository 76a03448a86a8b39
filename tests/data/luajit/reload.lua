-- The same chunk loaded again and again, each time with the leaking call on
-- another line but the same size, number of lines and chunk name, and
-- collected before the next load, so the next prototype and closure tend to
-- land at the addresses of the last (LuaJIT's allocator reuses them): the
-- Lua frames cached by prototype address (src/luakey.c) must still name the
-- line of each load. Block i (1000 + i bytes) leaks from line 2 + i % 5 of
-- chunk "=reload"; test_luaframes.py checks every record.
local ffi = require("ffi")
ffi.cdef[[void *malloc(size_t);]]
local keep = {}
local mode = arg[1] or "interp"
if mode == "interp" then jit.off() end
local N = 40
for i = 1, N do
  local p = i % 5
  local src = "local ffi, keep, n = ...\n" .. ("\n"):rep(p) ..
              "keep[#keep + 1] = ffi.C.malloc(n)\n" .. ("\n"):rep(4 - p)
  local f = assert(loadstring(src, "=reload"))
  f(ffi, keep, 1000 + i)
  f = nil
  collectgarbage()
  collectgarbage()
end
print("reloaded " .. N)
