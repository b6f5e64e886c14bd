#!/usr/bin/env bash
# Start-up (issue 25): what a short run costs against GDAL's own start-up, measured in one run so
# that the ratios hold on a noisy machine. Each command is run 20 times (perf stat, or a loop of
# GNU time where perf is missing); the target is a 1,000-point kde in at most 1.5x
# `gdalinfo --version`, which opens no CRS database and writes nothing, so two GDAL commands doing
# part of the kde's work are timed beside it.
# Usage: benchmarks/run_startup_benchmark.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
hotspot="$build/bin/hotspot"
out=bench-out/startup
mkdir -p "$out"
head -1001 "$here/data/police_uk/2019-09-kent-street.csv" > "$out/kent_1000.csv"

# Mean wall-clock seconds of 20 runs.
mean_seconds() {
    local start end
    start=$(date +%s.%N)
    for _ in $(seq 20); do "$@" > /dev/null 2>&1; done
    end=$(date +%s.%N)
    echo "($end - $start) / 20" | bc -l
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
base=$(mean_seconds gdalinfo --version)
printf '%-58s %6.3f s  1.00x\n' "gdalinfo --version" "$base"
report() {
    local label=$1
    shift
    local s
    s=$(mean_seconds "$@")
    printf '%-58s %6.3f s  %.2fx\n' "$label" "$s" "$(echo "$s / $base" | bc -l)"
}
report "hotspot --version" "$hotspot" --version
report "hotspot help --json (the registry)" "$hotspot" help --json
report "kde, 1,000 police.uk records, 100 m cells (target 1.5x)" \
    "$hotspot" kde --offences "$out/kent_1000.csv" --cell 100 --bandwidth 400 \
    --out "$out/kde.tif" --overwrite --quiet
report "kde, the same in EPSG:27700 extent, 219 x 242 cells" \
    "$hotspot" kde --offences "$out/kent_1000.csv" --cell 100 --bandwidth 400 \
    --extent 567000,131300,588900,155500 --out "$out/kde_extent.tif" --overwrite --quiet
# Peers doing part of the same work: GDAL projecting the same records to EPSG:27700 (reading,
# PROJ's database and transformation, writing), and GDAL writing a COG of the same grid.
report "peer: ogr2ogr of the same records to EPSG:27700 GeoPackage" \
    ogr2ogr -overwrite -f GPKG "$out/peer.gpkg" "$out/kent_1000.csv" -oo X_POSSIBLE_NAMES=Longitude \
    -oo Y_POSSIBLE_NAMES=Latitude -s_srs EPSG:4326 -t_srs EPSG:27700
report "peer: gdal_translate of the kde's grid to a COG" \
    gdal_translate -q -of COG "$out/kde.tif" "$out/peer.tif"
"$hotspot" kde --offences "$out/kent_1000.csv" --cell 100 --bandwidth 400 --out "$out/kde.tif" \
    --overwrite --quiet --summary-json "$out/kde.json"
python3 -c "
import json
d = json.load(open('$out/kde.json'))
print('stages of one 1,000-record run:', ', '.join(f'{k} {v * 1000:.0f} ms' for k, v in d['stage_seconds'].items()))"
