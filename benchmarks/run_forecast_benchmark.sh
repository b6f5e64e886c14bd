#!/usr/bin/env bash
# Times the forecasting of issue 24 on the shipped real data, with peak resident memory:
#  - `predict --method auto` for one horizon (2W) on the Portland burglary training data (5,096
#    records): 28 candidates at 12 rolling origins, each scored as a challenge entry (target 60 s);
#  - `predict --method sepp` on Chicago's 148,636 aggravated assaults, 250 m cells, the EM fit of
#    the whole decade (target 30 s).
# Usage: benchmarks/run_forecast_benchmark.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
hotspot="$build/bin/hotspot"
out=bench-out/forecast
mkdir -p "$out"

# Wall-clock seconds and peak resident MB of one run, from GNU time.
measure() {
    local log="$out/time.log"
    /usr/bin/time -f '%e %M' -o "$log" "$@" > /dev/null 2>&1
    read -r seconds kb < "$log"
    printf '%s s, %.0f MB' "$seconds" "$(echo "$kb / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo -n "auto, Portland burglary, 12 origins of 2W, 28 candidates (target 60 s): "
measure "$hotspot" predict --offences "$here/data/portland/portland_burglary_2012-03_2017-02.csv" \
    --crs EPSG:2913 --boundaries "$here/data/portland/portland_police_districts.gpkg" \
    --rules nij2017 --method auto --at 2017-02-01 --horizon 2W --out-dir "$out/auto" --overwrite
echo
echo -n "sepp, Chicago assaults 2010-2019, 148,636 records, 250 m cells (target 30 s): "
measure "$hotspot" predict --offences "$here/data/chicago/chicago_aggravated_assaults_2010_2019.csv" \
    --method sepp --cell 250 --at 2020-01-01 --horizon 1M --out-dir "$out/sepp" --overwrite
echo
