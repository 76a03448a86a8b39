#!/bin/bash
# tar | gzip round trip: pack a generated tree, unpack it elsewhere, compare.
set -eo pipefail
mkdir -p src/a/b src/c
# one process writes the whole tree (each process under the shim costs a report)
awk 'BEGIN {
    for (i = 1; i <= 40; i++) { f = "src/a/f" i ".txt"; for (j = 1; j <= i * 50; j++) print j > f; close(f) }
    for (i = 1; i <= 3; i++) { f = "src/a/b/z" i; s = ""; for (j = 0; j < i * 20000; j++) s = s "x"; printf "%s", s > f; close(f) }
    print "hello" > "src/c/hello.txt"
}'
tar cf - src | gzip -6 > pack.tgz
mkdir out
gzip -dc pack.tgz | tar xf - -C out
diff -r src out/src && echo "trees equal"
gzip -t pack.tgz && echo "archive ok"
(cd out && find src -type f | sort | xargs cat | sha256sum)
