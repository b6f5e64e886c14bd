#!/usr/bin/env bash
# Times the whole `hotspot kde` process on 1,000,000 clustered offences around Maidstone:
# a 20 km x 20 km grid (566000,145800,586000,165800), 25 m cells, quartic r = 250 m,
# from an x,y CSV (EPSG:27700) and from the same points as a police.uk CSV (lon/lat), and the
# fastest peer (R spatstat density.ppp) on the same points when it is installed
# (apt-get install r-cran-spatstat), so that the ratios come from one run on one machine.
# Usage: benchmarks/run_kde_benchmark.sh [BUILD_DIR] [N] [REPEATS]
set -euo pipefail
build=${1:-build}
n=${2:-1000000}
repeats=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
out=bench-out
mkdir -p "$out"
hotspot="$build/bin/hotspot"
[ -f "$out/offences_${n}_xy.csv" ] || "$build/bin/generate_offences" "$n" "$out/offences_${n}"

job=(kde --extent 566000,145800,586000,165800 --cell 25 --kernel quartic --bandwidth 250 --overwrite --quiet)

# Best of `repeats` wall-clock runs of a command, in seconds; the command's output is discarded.
best() {
    local runs=$1
    shift
    local best_s=""
    for _ in $(seq "$runs"); do
        local start end s
        start=$(date +%s.%N)
        "$@" > /dev/null 2>&1
        end=$(date +%s.%N)
        s=$(echo "$end - $start" | bc -l)
        if [ -z "$best_s" ] || (( $(echo "$s < $best_s" | bc -l) )); then best_s=$s; fi
    done
    printf '%.3f' "$best_s"
}
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

xy=$(best "$repeats" "$hotspot" "${job[@]}" --offences "$out/offences_${n}_xy.csv" --crs EPSG:27700 --out "$out/xy.tif")
police=$(best "$repeats" "$hotspot" "${job[@]}" --offences "$out/offences_${n}_police_uk.csv" --out "$out/police_uk.tif")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "hotspot kde, $n offences, 800 x 800 cells of 25 m, quartic r = 250 m (best of $repeats)"
echo "  x,y CSV (EPSG:27700):     ${xy} s"
echo "  police.uk CSV (lon/lat):  ${police} s  ($(ratio "$police" "$xy")x the x,y run)"
if command -v Rscript > /dev/null && Rscript -e 'suppressPackageStartupMessages(library(spatstat))' > /dev/null 2>&1; then
    peer=$(best 1 Rscript "$here/peers/spatstat_kde.R" "$out/offences_${n}_xy.csv")
    echo "  R spatstat density.ppp:   ${peer} s  (hotspot x,y run is $(ratio "$peer" "$xy")x faster)"
else
    echo "  R spatstat not installed: no side-by-side peer (apt-get install r-cran-spatstat)"
fi

# The budget of one x,y run by stage: start-up and exit (the process's wall time less the run's
# own), reading (parsing, projecting), the kernel and writing, from the run summary.
start=$(date +%s.%N)
"$hotspot" "${job[@]}" --offences "$out/offences_${n}_xy.csv" --crs EPSG:27700 --out "$out/xy.tif" --summary-json "$out/xy.json" > /dev/null 2>&1
end=$(date +%s.%N)
python3 - "$out/xy.json" "$(echo "$end - $start" | bc -l)" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
wall = float(sys.argv[2])
read = s["offences"]["seconds"]
stages = s["stage_seconds"]
print(f"  x,y run by stage ({wall:.3f} s):")
print(f"    start-up and exit  {wall - s['seconds']:.3f} s")
print(f"    parse              {read['parse']:.3f} s")
print(f"    project            {read['project']:.3f} s")
print(f"    rest of reading    {stages['read'] - read['parse'] - read['project']:.3f} s")
print(f"    kernel             {stages['density']:.3f} s")
print(f"    write              {stages['write']:.3f} s")
PY
