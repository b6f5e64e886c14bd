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
echo "Outputs are in $out/:"
ls -1 "$out" | sed 's/^/  /'
