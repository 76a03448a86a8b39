#!/bin/bash
# A loop script: builtins, arithmetic, arrays, associative arrays, string
# operations, functions, a few command substitutions and a pipeline.
set -u
declare -a squares
declare -A words
fib() {
    local a=0 b=1 i
    for ((i = 0; i < $1; i++)); do
        local t=$((a + b)); a=$b; b=$t
    done
    echo "$a"
}
for ((i = 1; i <= 2000; i++)); do
    squares[i]=$((i * i))
    key="k$((i % 97))"
    words[$key]="${words[$key]:-}x"
done
total=0
for v in "${squares[@]}"; do total=$((total + v)); done
echo "sum of squares: $total"
echo "keys: ${#words[@]}"
longest=0
for k in "${!words[@]}"; do
    l=${#words[$k]}
    ((l > longest)) && longest=$l
done
echo "longest: $longest"
s=""
for i in $(seq 1 300); do s="$s${i: -1}"; done
echo "digits: ${#s} ${s:0:20}"
echo "fib(60): $(fib 60)"
str="The quick brown fox jumps over the lazy dog"
echo "upper: ${str^^}"
echo "replaced: ${str//o/0}"
printf '%s\n' "${!words[@]}" | sort | head -3
exit 0
