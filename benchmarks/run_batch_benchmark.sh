#!/usr/bin/env bash
# The batch against the same queries run one by one: 100 mixed queries (density, hotspots, maps,
# evaluation, displacement, tables, reconciliation) over a generated year of force-wide offences
# (250,000 records resampled from the real Kent files), measured side by side on this machine.
# Usage: benchmarks/run_batch_benchmark.sh [BUILD_DIR] [N_RECORDS]
set -euo pipefail
build=${1:-build}
n=${2:-250000}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench-out/batch
mkdir -p "$out"
hotspot=$root/$build/bin/hotspot
year=$out/kent_2019_$n.csv
[ -f "$year" ] || "$root/$build/bin/generate_year" "$year" "$n" "$root"/data/police_uk/2019-*-kent-street.csv

districts=(Ashford Canterbury Dartford Dover Gravesham Maidstone Medway Sevenoaks Shepway Swale Thanet
           "Tonbridge and Malling" "Tunbridge Wells")
{
    echo "[sources]"
    echo "year = \"$year\""
    echo "[layers]"
    echo "districts = \"$root/data/boundaries/kent_districts_2013.geojson\""
    echo "wards = \"$root/data/boundaries/kent_wards_2013.geojson\""
    echo "lsoa = \"$root/data/boundaries/kent_lsoa_2011.geojson\""
    echo "[defaults]"
    echo "offences = \"year\""
    echo "boundaries = [\"districts\", \"wards\"]"
    echo "bandwidth = 300"
    echo "cell = 50"
    for d in "${districts[@]}"; do
        printf '[[query]]\nname = "%s density"\noperation = "kde"\narea = "%s"\n' "$d" "$d"
        printf '[[query]]\nname = "%s hotspots"\noperation = "hotspots"\narea = "%s"\n' "$d" "$d"
        printf '[[query]]\nname = "%s violence hotspots, spring"\noperation = "hotspots"\narea = "%s"\ncrime_type = ["Violence and sexual offences"]\nfrom = "2019-03"\nto = "2019-05"\n' "$d" "$d"
        printf '[[query]]\nname = "%s ASB Gi*"\noperation = "hotspots"\narea = "%s"\ncrime_type = ["Anti-social behaviour"]\nmethod = "gi-star"\n' "$d" "$d"
        printf '[[query]]\nname = "%s map"\noperation = "map"\narea = "%s"\nwidth = 800\n' "$d" "$d"
        printf '[[query]]\nname = "%s first half predicts second"\noperation = "evaluate"\narea = "%s"\ntrain = "2019-01..2019-06"\ntest = "2019-07..2019-12"\n' "$d" "$d"
        printf '[[query]]\nname = "%s displacement"\noperation = "displacement"\ntarget = "%s"\nboundaries = ["districts"]\nbefore = "2019-01..2019-06"\nafter = "2019-07..2019-12"\nbuffer = 1000\ncontrol = "rest"\n' "$d" "$d"
    done
    for t in "Burglary" "Vehicle crime" "Shoplifting" "Criminal damage and arson" "Drugs" "Other theft" "Public order" "Robbery"; do
        printf '[[query]]\nname = "Ward table: %s"\noperation = "tables"\nareas = "wards"\narea_code_field = "WD13CD"\narea_name_field = "WD13NM"\ncrime_type = ["%s"]\n' "$t" "$t"
    done
    printf '[[query]]\nname = "LSOA reconciliation"\noperation = "reconcile"\ncode_field = "LSOA code"\nareas = "lsoa"\narea_code_field = "LSOA11CD"\n'
} > "$out/batch100.toml"
queries=$(grep -c '^\[\[query\]\]' "$out/batch100.toml")

start=$(date +%s.%N)
"$hotspot" batch "$out/batch100.toml" --out "$out/together" --overwrite --quiet
batch_s=$(echo "$(date +%s.%N) - $start" | bc -l)

"$hotspot" batch "$out/batch100.toml" --out "$out/alone" --commands > "$out/alone.sh"
rm -rf "$out/alone"
start=$(date +%s.%N)
while IFS= read -r line; do
    dir=$(echo "$line" | sed -E "s/.*--summary-json '?([^' ]*)\/summary.json.*/\1/")
    mkdir -p "$dir"
    eval "${line/#hotspot/\"$hotspot\"} --quiet"
done < "$out/alone.sh"
alone_s=$(echo "$(date +%s.%N) - $start" | bc -l)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "$queries queries over $n records (a year of force-wide offences)"
printf '  one batch:             %7.2f s\n' "$batch_s"
printf '  separate command runs: %7.2f s\n' "$alone_s"
printf '  the batch is %.1fx faster\n' "$(echo "$alone_s / $batch_s" | bc -l)"
