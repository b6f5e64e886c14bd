#!/usr/bin/env bash
# Runs every libFuzzer harness of a HOTSPOT_FUZZ build for a set time and reports, per harness, the
# inputs executed, the rate, the corpus grown and the crashes found.
#   tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS [HARNESS ...]
# Each harness starts from its seed corpus (tests/fuzz/corpus/NAME, left untouched) and grows its own
# in BUILD_DIR/fuzz/corpus/NAME, kept between runs. A crash is saved in BUILD_DIR/fuzz/crashes/NAME/;
# once fixed, copy it into tests/fuzz/corpus/NAME so that CI replays it. Exits 1 if any harness
# crashed.
set -uo pipefail
build=${1:?usage: run_fuzzers.sh BUILD_DIR SECONDS [HARNESS ...]}
seconds=${2:?usage: run_fuzzers.sh BUILD_DIR SECONDS [HARNESS ...]}
shift 2
source_dir=$(cd "$(dirname "$0")" && pwd)
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    harnesses=(police_uk_csv plain_csv offences_ogr batch_toml aliases places categories harm_weights)
fi

# The fontconfig cache cairo keeps for the life of the process is not a leak of ours.
export LSAN_OPTIONS="suppressions=$source_dir/../lsan.supp:print_suppressions=0"
printf '%-15s %12s %9s %8s %8s\n' harness executions "exec/s" corpus crashes
status=0
for name in "${harnesses[@]}"; do
    work="$build/fuzz/corpus/$name"
    crashes="$build/fuzz/crashes/$name"
    log="$build/fuzz/$name.log"
    mkdir -p "$work" "$crashes"
    "$build/bin/fuzz_$name" "$work" "$source_dir/corpus/$name" \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=20 -rss_limit_mb=4096 \
        -max_len=16384 -artifact_prefix="$crashes/" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    found=$(find "$crashes" -type f | wc -l)
    corpus=$(find "$work" -type f | wc -l)
    printf '%-15s %12s %9s %8s %8s\n' "$name" "${execs:-?}" "${rate:-?}" "$corpus" "$found"
    if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
        status=1
        echo "  $name: exit $rc; see $log and $crashes" >&2
    fi
done
exit $status
