-- LuaJIT: tables, strings, closures, GC, and C blocks held from Lua (FFI).
local ffi = require("ffi")
ffi.cdef[[ void *malloc(size_t); void free(void *); ]]
local t = {}
for i = 1, 200000 do t[i] = i * 2 end
local s = {}
for i = 1, 5000 do s[#s + 1] = string.format("%05d", i) end
local joined = table.concat(s, ",")
local function counter() local n = 0; return function() n = n + 1; return n end end
local c = counter(); for _ = 1, 1000 do c() end
collectgarbage()
held = {}                                  -- C blocks still held by Lua: reachable
for i = 1, 10 do held[i] = ffi.C.malloc(64) end
local tmp = ffi.C.malloc(128); ffi.C.free(tmp)
print(#t, t[#t], #joined, c(), #held)
