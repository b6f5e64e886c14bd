#!/usr/bin/env bash
# A full disk and a read-only folder: exit 4, a message naming the path, and no file left behind,
# partial or whole. Small tmpfs filesystems stand in for them, so the test needs root (and a
# machine that lets it mount); elsewhere it is skipped (exit 77) with the reason.
#   full_disk.sh HOTSPOT DATA_DIR
set -u
hotspot=$1
data=$2
if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: mounting a small filesystem needs root"
    exit 77
fi
dir=$(mktemp -d)
full=$dir/full
readonly_dir=$dir/readonly
mkdir -p "$full" "$readonly_dir"
cleanup() {
    umount "$full" 2>/dev/null
    umount "$readonly_dir" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
if ! mount -t tmpfs -o size=512k tmpfs "$full" 2>/dev/null ||
    ! mount -t tmpfs -o ro,size=64k tmpfs "$readonly_dir" 2>/dev/null; then
    echo "skipped: this machine does not allow mounting a tmpfs"
    exit 77
fi

september="$data/police_uk/2019-09-kent-street.csv"
failures=0
# expect NAME FOLDER TEXT -- COMMAND...: exit 4, TEXT on stderr, and FOLDER left empty.
expect() {
    local name=$1 folder=$2 text=$3
    shift 4
    local err rc
    err=$("$@" --quiet 2>&1 >/dev/null)
    rc=$?
    local left
    left=$(ls -A "$folder")
    if [ $rc -eq 4 ] && [[ "$err" == *"$text"* ]] && [ -z "$left" ]; then
        echo "ok: $name: exit 4: $err"
    else
        echo "FAILED: $name: exit $rc (want 4), message: $err; left in $folder: ${left:-nothing}"
        failures=$((failures + 1))
    fi
}

expect "GeoTIFF on a full disk" "$full" "$full/density.tif: cannot be written: no space left" -- \
    "$hotspot" kde --offences "$september" --cell 60 --bandwidth 300 --float64 \
    --out "$full/density.tif"
expect "GeoPackage on a full disk" "$full" "$full/records.gpkg: cannot be written: no space left" -- \
    "$hotspot" reconcile --offences "$september" --areas "$data/boundaries/kent_lsoa_2011.geojson" \
    --code-field "LSOA code" --area-code-field LSOA11CD --out "$full/records.gpkg"
expect "batch on a full disk" "$full" "$full/weekly: cannot be written: no space left" -- \
    "$hotspot" batch "$data/batch_weekly.toml" --out "$full/weekly"
# With --overwrite, the previous results stay as they were.
mkdir "$full/weekly" && echo "previous results" >"$full/weekly/marker.txt"
err=$("$hotspot" batch "$data/batch_weekly.toml" --out "$full/weekly" --overwrite --quiet 2>&1)
rc=$?
if [ $rc -eq 4 ] && [ "$(cat "$full/weekly/marker.txt")" = "previous results" ] &&
    [ "$(ls -A "$full")" = "weekly" ] && [ "$(ls -A "$full/weekly")" = "marker.txt" ]; then
    echo "ok: batch --overwrite on a full disk keeps the previous folder: $err"
else
    echo "FAILED: batch --overwrite on a full disk: exit $rc, $err; left: $(ls -A "$full")"
    failures=$((failures + 1))
fi
rm -rf "${full:?}/weekly"

expect "GeoTIFF in a read-only folder" "$readonly_dir" "$readonly_dir' is not writable" -- \
    "$hotspot" kde --offences "$september" --cell 60 --bandwidth 300 \
    --out "$readonly_dir/density.tif"
expect "batch in a read-only folder" "$readonly_dir" "$readonly_dir" -- \
    "$hotspot" batch "$data/batch_weekly.toml" --out "$readonly_dir/weekly"
exit $((failures > 0))
