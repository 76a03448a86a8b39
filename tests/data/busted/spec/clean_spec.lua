local ffi = require("ffi")
ffi.cdef[[void *malloc(size_t); void free(void *);]]
describe("ffi", function()
  it("frees", function()
    local p = ffi.gc(ffi.C.malloc(1234), ffi.C.free)
    assert.is_not_nil(p)
  end)
end)
