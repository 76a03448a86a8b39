use Test::Nginx::Socket 'no_plan';
run_tests();
__DATA__

=== TEST 1: an FFI leak in a content handler
--- main_config
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
--- http_config
init_by_lua_block { ffi = require("ffi"); ffi.cdef[[void *malloc(size_t); void free(void *);]] }
--- config
location /t {
    content_by_lua_block {
        local p = ffi.C.malloc(1717)
        ngx.say("leaked")
    }
}
--- request
GET /t
--- response_body
leaked
