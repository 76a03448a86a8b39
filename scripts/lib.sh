# scripts/lib.sh — shared by scripts/run and scripts/test: make sure the
# Debian packages are there (apt-get as root, otherwise say what to install),
# then configure and build into build/.
LT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LT_BUILD=${LT_BUILD:-$LT_ROOT/build}

LT_BUILD_PACKAGES="cmake make gcc g++ pkg-config libunwind-dev uthash-dev libdw-dev libelf-dev libiberty-dev libcjson-dev"
# The suite: valgrind is the oracle; xmllint checks XML; clang builds the
# fuzzers; the rest are real programs the tool is run on.
LT_TEST_PACKAGES="python3 python3-jsonschema valgrind libxml2-utils clang-14 libclang-rt-14-dev sqlite3 luajit2 git perl gawk libjemalloc2 libtcmalloc-minimal4"

# Installed when possible; the tests that need them skip, saying so, when not.
LT_OPTIONAL_PACKAGES="golang-go nginx libnginx-mod-http-lua lua-busted strace"
# test-nginx's Perl dependencies (test-nginx itself is not packaged: point
# TEST_NGINX_LIB at a checkout's lib/, see tests/cli/test_test_nginx.py).
LT_OPTIONAL_PACKAGES="$LT_OPTIONAL_PACKAGES libtest-base-perl libipc-run-perl libtext-diff-perl liblist-moreutils-perl liburi-perl libhttp-message-perl libtest-longstring-perl"

lt_missing() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    echo "${missing[@]}"
}

lt_need_packages() {
    local missing
    missing=$(lt_missing "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "scripts: installing $missing" >&2
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
            apt-get update >/dev/null 2>&1 || true
            apt-get install -y --no-install-recommends $missing >/dev/null || {
                echo "scripts: apt-get could not install: $missing" >&2
                return 1
            }
        fi
    else
        echo "scripts: missing Debian packages: $missing" >&2
        echo "scripts: install them with: sudo apt-get install $missing" >&2
        return 1
    fi
}

lt_want_packages() {
    local p
    for p in $(lt_missing "$@"); do
        lt_need_packages "$p" 2>/dev/null || echo "scripts: $p could not be installed: the tests that need it will be skipped" >&2
    done
}

lt_build() {
    if [ ! -f "$LT_BUILD/CMakeCache.txt" ]; then
        cmake -S "$LT_ROOT" -B "$LT_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
    fi
    cmake --build "$LT_BUILD" -j"$(nproc)" >/dev/null || {
        cmake --build "$LT_BUILD" -j1   # show the errors
        return 1
    }
}
