#!/bin/bash
# git: init, commits, log, in the current (temporary) directory.
set -e
# (no /dev/null here: a broken tool run with --log-file=/dev/null once replaced it)
: > "$PWD/empty.gitconfig"
export HOME=$PWD GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$PWD/empty.gitconfig
export GIT_AUTHOR_NAME=Test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=Test GIT_COMMITTER_EMAIL=test@example.com
export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
git init -q -b main repo
cd repo
for i in 1 2 3 4; do
    echo "line $i" >> notes.txt
    seq 1 $((i * 150)) > "data$i.txt"
    git add .
    git commit -q -m "commit $i"
done
git mv data1.txt renamed.txt
git commit -q -m "rename"
git log --oneline
git log --stat --format='%H %s' | tail -4
git diff HEAD~2 --stat
git rev-parse HEAD
git cat-file -p HEAD^{tree}
