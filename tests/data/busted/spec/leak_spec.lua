local ffi = require("ffi")
ffi.cdef[[void *malloc(size_t); void free(void *);]]
describe("ffi", function()
  it("leaks", function()
    local p = ffi.C.malloc(4321)
    assert.is_not_nil(p)
  end)
end)
