-- bench/ffi.lua — LuaJIT with FFI allocations: ffi.C.malloc/free through a
-- ring (every call goes through the preloaded malloc), plus table and string
-- work that lives in LuaJIT's own heap.
--   luajit ffi.lua [N]     (default 1000000 malloc/free pairs)
local ffi = require("ffi")
ffi.cdef[[
void *malloc(size_t);
void free(void *);
void *memset(void *, int, size_t);
]]
local C = ffi.C
local N = tonumber(arg and arg[1]) or 1000000
local RING = 1024
local ring = ffi.new("void *[?]", RING)
local x = 12345
local function rnd()
  x = (x * 1103515245 + 12345) % 2147483648
  return x
end
local words, counts, total = {}, {}, 0
for i = 1, N do
  local r = rnd()
  local slot = r % RING
  if ring[slot] ~= nil then C.free(ring[slot]) end
  local sz = 16 + (r % 2048)
  local p = C.malloc(sz)
  C.memset(p, 0, 8)
  ring[slot] = p
  total = total + sz
  -- table work: a small record and a word count
  if i % 4 == 0 then
    local w = "w" .. (math.floor(r / 256) % 5000)
    counts[w] = (counts[w] or 0) + 1
    words[#words + 1] = { w = w, n = i }
    if #words > 20000 then words = {} end
  end
end
for i = 0, RING - 1 do if ring[i] ~= nil then C.free(ring[i]) end end
local distinct = 0
for _ in pairs(counts) do distinct = distinct + 1 end
print(string.format("ffi.lua: %d pairs, %d bytes, %d distinct words", N, total, distinct))
