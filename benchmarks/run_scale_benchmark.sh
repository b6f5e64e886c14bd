#!/usr/bin/env bash
# Force and national scale on one machine: police.uk CSVs of N records resampled from the real Kent
# files and spread across England and Wales (generate_year --national), and for each size the
# whole-process wall time, peak resident memory, bytes per record and read rate of:
#   read      hotspot kde on a 20 km grid: reading, projecting and the account of every record
#   parse     of which reading and classifying the records (the run summary's stage time)
#   kde       hotspot kde, 100 m cells over the whole spread, quartic r = 500 m
#   tables    hotspot tables against the Kent districts (records elsewhere count as outside)
#   reconcile hotspot reconcile against the Kent LSOAs to GeoPackage (sizes up to 1 M only)
# and `wc -l` on the same warm file, so that the read ratio comes from one run.
# Usage: benchmarks/run_scale_benchmark.sh [BUILD_DIR] [N ...]   (default N: 1000000 10000000)
# The 70 M case (benchmarks/run_scale_benchmark.sh build 70000000) needs 13 GB of disk and is
# never run in CI.
set -euo pipefail
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
out=bench-out
mkdir -p "$out"
hotspot="$build/bin/hotspot"
data=data/police_uk
boundaries=data/boundaries

# Runs a command; prints "seconds peak_kib".
measure() {
    local log
    log=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$log" "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; cat "$log" >&2; }
    tail -1 "$log"
    rm -f "$log"
}
row() { # name seconds kib n bytes
    awk -v name="$1" -v s="$2" -v kib="$3" -v n="$4" -v bytes="$5" 'BEGIN {
        if (kib > 0) printf "| %-9s | %8.2f | %9.0f | %8.1f | %6.0f |\n", name, s, kib / 1024, kib * 1024 / n, bytes / 1e6 / s
        else printf "| %-9s | %8.2f | %9s | %8s | %6.0f |\n", name, s, "-", "-", bytes / 1e6 / s }'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GB"
for n in "${sizes[@]}"; do
    file="$out/national_${n}.csv"
    [ -f "$file" ] || "$build/bin/generate_year" "$file" "$n" --national "$data/2019-09-kent-street.csv" "$data/2019-11-kent-street.csv" > /dev/null
    bytes=$(stat -c %s "$file")
    cat "$file" > /dev/null # warm: every run below reads from the page cache
    wc_s=$(measure wc -l "$file" | cut -d' ' -f1)
    echo
    echo "$n records, $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }') of police.uk CSV; wc -l: ${wc_s} s"
    echo "| job       |   wall s |  peak MiB | B/record |   MB/s |"
    echo "|-----------|----------|-----------|----------|--------|"
    read -r s kib < <(measure "$hotspot" kde --offences "$file" --cell 20000 --bandwidth 1000 --out "$out/read.tif" --overwrite --quiet --summary-json "$out/read.json")
    row read "$s" "$kib" "$n" "$bytes"
    # The reading stage alone (parse and classify every record), from the run summary.
    read -r parse project < <(python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["offences"]["seconds"]; print(s["parse"], s["project"])' "$out/read.json")
    row parse "$parse" 0 "$n" "$bytes"
    read_s=$parse
    read -r s kib < <(measure "$hotspot" kde --offences "$file" --cell 100 --bandwidth 500 --out "$out/kde.tif" --overwrite --quiet)
    row kde "$s" "$kib" "$n" "$bytes"
    read -r s kib < <(measure "$hotspot" tables --offences "$file" --areas "$boundaries/kent_districts_2013.geojson" --area-code-field LAD13CD --area-name-field LAD13NM --out "$out/tables.csv" --overwrite --quiet)
    row tables "$s" "$kib" "$n" "$bytes"
    if [ "$n" -le 1000000 ]; then
        read -r s kib < <(measure "$hotspot" reconcile --offences "$file" --code-field "LSOA code" --areas "$boundaries/kent_lsoa_2011.geojson" --area-code-field LSOA11CD --out "$out/reconciled.gpkg" --overwrite --quiet)
        row reconcile "$s" "$kib" "$n" "$bytes"
    fi
    awk -v r="$read_s" -v w="$wc_s" -v p="$project" 'BEGIN { printf "reading (parse) takes %.1fx the time of wc -l; projecting the distinct points %.2f s\n", r / w, p }'
done
