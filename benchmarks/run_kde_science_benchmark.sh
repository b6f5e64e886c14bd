#!/usr/bin/env bash
# Bandwidth selectors and adaptive kernels, hotspot beside spatstat and sparr on the same points,
# in one run on one machine (ratios, not absolute speed, are the result).
#   1. Each selector on N_SEL clustered offences around Maidstone (x,y CSV, EPSG:27700) in the
#      20 km square 566000,145800,586000,165800: the sigma chosen and the seconds, whole `hotspot
#      kde` runs (reading and a 50 m surface included) against spatstat's bw.* alone.
#   2. ppl on N_PPL offences: hotspot only (spatstat's bw.ppl took 1,029 s on 100,000 of them
#      here once; pass PEER_PPL=1 to time it again).
#   3. Adaptive against fixed kde on N_ADAPT offences, 25 m cells, bandwidth 250 m, and sparr's
#      exact adaptive estimate on N_SPARR offences at 128 x 128 pixels beside hotspot on the same
#      grid.
# Usage: benchmarks/run_kde_science_benchmark.sh [BUILD_DIR] [N_SEL] [N_PPL] [N_ADAPT] [N_SPARR]
# Peers: apt-get install r-cran-spatstat r-cran-sparr (skipped, with a message, when missing).
set -euo pipefail
build=${1:-build}
n_sel=${2:-10000}
n_ppl=${3:-100000}
n_adapt=${4:-1000000}
n_sparr=${5:-10000}
here=$(cd "$(dirname "$0")" && pwd)
out=bench-out
mkdir -p "$out"
hotspot="$build/bin/hotspot"
for n in "$n_sel" "$n_ppl" "$n_adapt" "$n_sparr"; do
    [ -f "$out/offences_${n}_xy.csv" ] || "$build/bin/generate_offences" "$n" "$out/offences_${n}" > /dev/null
done
square=(--crs EPSG:27700 --extent 566000,145800,586000,165800 --overwrite)
seconds() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l | xargs printf '%.2f'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.1f'; }
have_r() { command -v Rscript > /dev/null && Rscript -e "suppressPackageStartupMessages(library($1))" > /dev/null 2>&1; }
sigma_of() { grep -o 'Gaussian sigma [0-9.]*' "$1" | awk '{print $3}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo
echo "1. selectors on $n_sel offences (sigma in metres; seconds)"
for sel in scott ppl cvl diggle; do
    t=$(seconds "$hotspot" kde --offences "$out/offences_${n_sel}_xy.csv" "${square[@]}" --cell 50 \
        --bandwidth "$sel" --out "$out/sel.tif" --summary-json "$out/sel.json")
    "$hotspot" kde --offences "$out/offences_${n_sel}_xy.csv" "${square[@]}" --cell 50 --bandwidth "$sel" \
        --out "$out/sel.tif" > "$out/sel.log" 2>&1
    line="  $sel: hotspot sigma $(sigma_of "$out/sel.log") in ${t} s"
    if have_r spatstat; then
        read -r _ _ peer_sigma peer_s < <(Rscript "$here/peers/spatstat_bw.R" "$out/offences_${n_sel}_xy.csv" "$sel")
        line="$line; spatstat sigma $(printf '%.1f' "$peer_sigma") in $(printf '%.2f' "$peer_s") s ($(ratio "$peer_s" "$t")x)"
    fi
    echo "$line"
done
have_r spatstat || echo "  R spatstat not installed: no side-by-side peer (apt-get install r-cran-spatstat)"
echo "  (spatstat returns the best of 16 sigmas, a factor of about 2 apart; hotspot refines it)"
echo
echo "2. ppl on $n_ppl offences"
t=$(seconds "$hotspot" kde --offences "$out/offences_${n_ppl}_xy.csv" "${square[@]}" --cell 50 --bandwidth ppl --out "$out/ppl.tif")
/usr/bin/time -f "%M" -o "$out/ppl.rss" "$hotspot" kde --offences "$out/offences_${n_ppl}_xy.csv" "${square[@]}" --cell 50 \
    --bandwidth ppl --out "$out/ppl.tif" > "$out/ppl.log" 2>&1
echo "  hotspot: sigma $(sigma_of "$out/ppl.log") in ${t} s, peak RSS $(( $(cat "$out/ppl.rss") / 1024 )) MB"
if [ "${PEER_PPL:-0}" = 1 ] && have_r spatstat; then
    read -r _ _ peer_sigma peer_s < <(Rscript "$here/peers/spatstat_bw.R" "$out/offences_${n_ppl}_xy.csv" ppl)
    echo "  spatstat bw.ppl: sigma $(printf '%.1f' "$peer_sigma") in $(printf '%.0f' "$peer_s") s ($(ratio "$peer_s" "$t")x)"
fi
echo
echo "3. adaptive kernels"
job=(kde --offences "$out/offences_${n_adapt}_xy.csv" "${square[@]}" --cell 25 --bandwidth 250)
fixed=$(seconds "$hotspot" "${job[@]}" --out "$out/fixed.tif")
adaptive=$(seconds "$hotspot" "${job[@]}" --adaptive --out "$out/adaptive.tif")
echo "  $n_adapt offences, 800 x 800 cells: fixed ${fixed} s, adaptive ${adaptive} s ($(ratio "$adaptive" "$fixed")x the fixed run)"
grid128=(--cell 156.25 --kernel gaussian --bandwidth 250 --adaptive)
ours=$(seconds "$hotspot" kde --offences "$out/offences_${n_sparr}_xy.csv" "${square[@]}" "${grid128[@]}" --out "$out/a128.tif")
if have_r sparr; then
    read -r _ peer_s < <(Rscript "$here/peers/sparr_adaptive.R" "$out/offences_${n_sparr}_xy.csv" 250 128)
    echo "  $n_sparr offences, 128 x 128 cells, Gaussian: hotspot ${ours} s (whole run), sparr $(printf '%.2f' "$peer_s") s ($(ratio "$peer_s" "$ours")x)"
else
    echo "  $n_sparr offences, 128 x 128 cells: hotspot ${ours} s; R sparr not installed (apt-get install r-cran-sparr)"
fi
