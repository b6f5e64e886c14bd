#!/usr/bin/env bash
# The main job on the embedded demo data: Maidstone borough densities for September 2019.
set -euo pipefail
hotspot=${1:-build/bin/hotspot}
out=${2:-demo-out}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

common=(--offences "$here/police_uk/2019-09-kent-street.csv"
        --boundaries "$here/boundaries/kent_districts_2013.geojson" --area Maidstone
        --bandwidth 300 --cell 25 --overwrite)

echo "== Maidstone, all crime, September 2019"
"$hotspot" kde "${common[@]}" --out "$out/maidstone_all_crime_2019-09.tif" \
    --rejects "$out/maidstone_all_crime_2019-09_rejects.csv" --summary-json "$out/maidstone_all_crime_2019-09.json"
echo
echo "== Maidstone, violence and sexual offences, September 2019"
"$hotspot" kde "${common[@]}" --crime-type "Violence and sexual offences" \
    --out "$out/maidstone_violence_2019-09.tif" --summary-json "$out/maidstone_violence_2019-09.json"
echo
echo "== Maidstone hotspots for patrol targeting, September 2019: ranked, named, mapped"
"$hotspot" hotspots --offences "$here/police_uk/2019-09-kent-street.csv" \
    --boundaries "$here/boundaries/kent_districts_2013.geojson" --area Maidstone \
    --boundaries "$here/boundaries/maidstone_wards_2013.geojson" --places "$here/places/maidstone_places.csv" \
    --bandwidth 300 --cell 25 --out-dir "$out/maidstone_hotspots_2019-09" \
    --map "$out/maidstone_hotspots_2019-09/map.png" --html "$out/maidstone_hotspots_2019-09/map.html" --overwrite
echo
echo "== Reconcile: each record's LSOA code checked against where it lies, wards assigned"
"$hotspot" reconcile --offences "$here/police_uk/2019-09-kent-street.csv" --code-field "LSOA code" \
    --areas "$here/boundaries/kent_lsoa_2011.geojson" --area-code-field LSOA11CD --area-name-field LSOA11NM \
    --assign "wards=$here/boundaries/kent_wards_2013.geojson:WD13CD:WD13NM" \
    --out "$out/kent_reconciled_2019-09.gpkg" --report "$out/kent_reconciled_2019-09_report.csv" --overwrite
echo
echo "== Maidstone ward table, September 2019: every ward and category, zeros included"
"$hotspot" tables --offences "$here/police_uk/2019-09-kent-street.csv" \
    --areas "$here/boundaries/maidstone_wards_2013.geojson" --area-code-field WD13CD --area-name-field WD13NM \
    --out "$out/maidstone_wards_2019-09.csv" --overwrite --quiet
echo "wrote      $out/maidstone_wards_2019-09.csv"
echo
echo "== The patrol planner's weekly batch (data/batch_weekly.toml): twelve queries, data read once"
"$hotspot" batch "$here/batch_weekly.toml" --out "$out/weekly" --overwrite
echo
echo "== SYNTHETIC 24-month series (data/tools/make_demo_series.cpp, planted changes): emerging hot spots"
series="$out/synthetic_maidstone_2018-01_2019-12.csv"
"$(dirname "$hotspot")/make_demo_series" "$series" 1 Maidstone \
    "$here/police_uk/2019-09-kent-street.csv" "$here/police_uk/2019-11-kent-street.csv"
"$hotspot" trends --offences "$series" \
    --boundaries "$here/boundaries/kent_districts_2013.geojson" --area Maidstone \
    --boundaries "$here/boundaries/maidstone_wards_2013.geojson" --cell 250 \
    --title "SYNTHETIC series: emerging hot spots, Maidstone" --out-dir "$out/synthetic_trends" --overwrite
echo
echo "== SYNTHETIC series: near-repeat burglary (Knox test; the series is dated to the day)"
"$hotspot" near-repeat --offences "$series" --date-field Date --crime-type Burglary \
    --out "$out/synthetic_near_repeat_burglary.csv" --overwrite
echo
echo "== SYNTHETIC series: where next? ProMap prospective hotspots for January 2020, and the cells to patrol"
"$hotspot" predict --offences "$series" \
    --boundaries "$here/boundaries/kent_districts_2013.geojson" --area Maidstone \
    --boundaries "$here/boundaries/maidstone_wards_2013.geojson" --cell 100 \
    --out-dir "$out/synthetic_predict" --overwrite
echo
echo "== SYNTHETIC series: which predicts better here? Plain density, ProMap and decay over the last 6 months"
"$hotspot" evaluate --offences "$series" \
    --boundaries "$here/boundaries/kent_districts_2013.geojson" --area Maidstone --cell 100 \
    --bandwidth 300 --rolling 6 --out-dir "$out/synthetic_rolling" --overwrite
echo
echo "Outputs are in $out/:"
ls -1 "$out" | sed 's/^/  /'
