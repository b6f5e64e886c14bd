#!/usr/bin/env bash
# Runs a command and says how long it took: `timed.sh "release build" cmake --build build`.
# make test prints each stage's time this way, so that CI's minutes can be accounted for.
label=$1
shift
start=$(date +%s)
"$@"
status=$?
echo "make test: ${label} took $(( $(date +%s) - start )) s"
exit $status
