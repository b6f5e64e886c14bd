#!/usr/bin/env bash
# The space-time commands at force scale, each at 1 and 2 threads in one run, with wall time and
# peak resident memory:
#   trends       250,000 records over 24 months, Kent, 250 m cells (make_demo_series: real Kent
#                records resampled with their snap points, planted changes)
#   near-repeat  the Knox test, 999 permutations, on 50,000 records dated to the day
#   predict      ProMap for the day after the data, Kent at 100 m
# trends and predict cover the Kent force area (--area Kent): a few records police.uk geocodes in
# other forces would otherwise stretch the grid to 320 km.
# Usage: benchmarks/run_spacetime_benchmark.sh [BUILD_DIR] [TRENDS_RECORDS] [KNOX_RECORDS]
set -euo pipefail
build=${1:-build}
n_trends=${2:-250000}
n_knox=${3:-50000}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench-out/spacetime
mkdir -p "$out"
hotspot=$root/$build/bin/hotspot
make_series=$root/$build/bin/make_demo_series
kent=("$root"/data/police_uk/2019-*-kent-street.csv)

series=$out/kent_24_months_$n_trends.csv
[ -f "$series" ] || "$make_series" "$series" 1 '*' "${kent[@]}" --records "$n_trends" > /dev/null
dated=$out/kent_24_months_$n_knox.csv
[ -f "$dated" ] || "$make_series" "$dated" 2 '*' "${kent[@]}" --records "$n_knox" > /dev/null

# Runs a command, printing: label, threads, wall seconds, peak MiB.
measure() {
    local label=$1 threads=$2; shift 2
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$out/rss" "$hotspot" "$@" --threads "$threads" --quiet --overwrite
    t1=$(date +%s.%N)
    printf '%-12s %d  %8.2f s  %7.0f MiB\n' "$label" "$threads" "$(echo "$t1 - $t0" | bc -l)" \
        "$(echo "$(cat "$out/rss") / 1024" | bc -l)"
}

echo "records: trends $(($(wc -l < "$series") - 1)), knox $(($(wc -l < "$dated") - 1))"
echo "command   threads  wall      peak"
for threads in 1 2; do
    measure trends "$threads" trends --offences "$series" --cell 250 --out-dir "$out/trends" \
        --boundaries "$root/data/boundaries/kent_force_area_2020.geojson" --area Kent
    measure near-repeat "$threads" near-repeat --offences "$dated" --date-field Date \
        --permutations 999 --out "$out/knox.csv"
    measure predict "$threads" predict --offences "$series" --cell 100 --out-dir "$out/predict" \
        --boundaries "$root/data/boundaries/kent_force_area_2020.geojson" --area Kent
done
# The Knox test alone, without reading: its summary counts the close pairs it enumerated.
"$hotspot" near-repeat --offences "$dated" --date-field Date --permutations 999 \
    --out "$out/knox.csv" --summary-json "$out/knox.json" --quiet --overwrite
grep -o '"close_pairs": *[0-9]*' "$out/knox.json"
