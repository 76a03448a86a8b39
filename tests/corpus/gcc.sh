#!/bin/bash
# gcc compiling and running a small program: children inherit the preload.
set -e
gcc -O0 -o prog prog.c
set +e
./prog
echo "prog exited $?"
