#!/usr/bin/env bash
# kde spread over MPI ranks on one machine, and a model of the same run on a cluster.
#
# The national police.uk CSV of N records (generate_year --national: real Kent records resampled
# over England and Wales; 70 M by default, 12.5 GB) at 25 m cells, quartic r = 250 m, run as:
#   1 rank   the plain process, all cores
#   2 ranks  mpirun -np 2, one thread each (no more threads than cores)
#   4 ranks  mpirun -np 4 --oversubscribe, one thread each: twice the cores, NOT a speed claim
# For each: wall time and peak resident memory of the largest process (/usr/bin/time %M), the
# stages from --summary-json (read, density, write), and per rank (its "distributed" section):
# offences held, tiles, compute seconds and cells computed per second, bytes sent and received,
# seconds communicating. Then, from the 2-rank run's per-core throughput and the bytes exchanged,
# the modelled time of the national run on 4, 16 and 64 nodes like this one over 10 Gbit/s.
#
# Usage: benchmarks/run_mpi_benchmark.sh [BUILD_DIR] [N]   (never run in CI)
set -euo pipefail
build=${1:-build}
n=${2:-70000000}
out=bench-out
mkdir -p "$out"
hotspot="$build/bin/hotspot"
file="$out/national_${n}.csv"
"$hotspot" --version | grep -q "with MPI" || { echo "$hotspot was built without MPI" >&2; exit 1; }
[ -f "$file" ] || "$build/bin/generate_year" "$file" "$n" --national \
    data/police_uk/2019-09-kent-street.csv data/police_uk/2019-11-kent-street.csv > /dev/null
cat "$file" > /dev/null # warm: every run reads from the page cache
root_flag=""
[ "$(id -u)" -eq 0 ] && root_flag="--allow-run-as-root"
export OMPI_MCA_btl_vader_single_copy_mechanism=none

job=(kde --offences "$file" --cell 25 --bandwidth 250 --overwrite --quiet)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GB; $n records, $(stat -c %s "$file") bytes"
for ranks in 1 2 4; do
    summary="$out/mpi_${ranks}.json"
    if [ "$ranks" -eq 1 ]; then
        cmd=("$hotspot" "${job[@]}" --out "$out/mpi_${ranks}.tif" --summary-json "$summary")
    else
        cmd=(mpirun $root_flag --oversubscribe -np "$ranks" "$hotspot" "${job[@]}" --threads 1
             --out "$out/mpi_${ranks}.tif" --summary-json "$summary")
    fi
    /usr/bin/time -f "%e %M" -o "$out/mpi_time" "${cmd[@]}" > /dev/null
    read -r wall kib < "$out/mpi_time"
    python3 - "$summary" "$ranks" "$wall" "$kib" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); ranks, wall, kib = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
st = s["stage_seconds"]; used = s["offences"]["used"]
print(f"\n{ranks} rank(s): wall {wall:.1f} s, peak {kib / 1024:.0f} MiB (largest process), "
      f"{kib * 1024 / used:.0f} B/offence; read {st['read']:.1f} s, density {st['density']:.1f} s, "
      f"write {st['write']:.1f} s; grid {s['grid']['cols']} x {s['grid']['rows']}")
d = s.get("distributed")
if d:
    print(f"  {d['tiles']} tiles of {d['tile_rows']} rows; {d['bytes_exchanged'] / 1e9:.2f} GB exchanged; spread {d['seconds']:.1f} s")
    print("  | rank | offences held | tiles | compute s | Mcells/s | sent MB | received MB | comm s |")
    print("  |---|---|---|---|---|---|---|---|")
    for r in d["per_rank"]:
        rate = r["cells"] / max(r["compute_seconds"], 1e-9) / 1e6
        print(f"  | {r['rank']} | {r['offences']:,} | {r['tiles']} | {r['compute_seconds']:.1f} | "
              f"{rate:.1f} | {r['bytes_sent'] / 1e6:.0f} | {r['bytes_received'] / 1e6:.0f} | "
              f"{r['communication_seconds']:.1f} |")
EOF
done
cmp -s "$out/mpi_1.tif" "$out/mpi_2.tif" && cmp -s "$out/mpi_1.tif" "$out/mpi_4.tif" \
    && echo -e "\nthe three COGs are byte for byte identical" || echo -e "\nTHE COGS DIFFER"

# The model. Rank 0 reads, prepares and writes alone (measured in the 1-rank run); the kernel sums
# are shared: their core-seconds come from the 2-rank run (one thread per rank, so per core), and
# a node of C cores does C cores' worth. Offences go out once (the bytes rank 0 sent) and the grid
# comes back once (the bytes it received), each at 10 Gbit/s.
python3 - "$out/mpi_1.json" "$out/mpi_2.json" "$(nproc)" <<'EOF'
import json, sys
one, two, cores = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
st = one["stage_seconds"]
kernel_core_s = sum(r["compute_seconds"] for r in two["distributed"]["per_rank"])
sent = two["distributed"]["per_rank"][0]["bytes_sent"]
grid_bytes = one["grid"]["cols"] * one["grid"]["rows"] * 8
serial = st["read"] + st["write"] + max(0.0, st["density"] - kernel_core_s / cores)
link = 10e9 / 8
print(f"\nModel, nodes of {cores} cores over 10 Gbit/s: serial on rank 0 {serial:.1f} s (read {st['read']:.1f}, write {st['write']:.1f}, rest of the density stage), "
      f"kernel sums {kernel_core_s:.1f} core-s, offences out {sent / 1e9:.2f} GB, grid back {grid_bytes / 1e9:.2f} GB")
print("| nodes | serial s | kernel s | network s | total s |")
print("|---|---|---|---|---|")
for nodes in (1, 4, 16, 64):
    kernel = kernel_core_s / (nodes * cores)
    network = 0.0 if nodes == 1 else (sent + grid_bytes) / link
    print(f"| {nodes} | {serial:.1f} | {kernel:.1f} | {network:.1f} | {serial + kernel + network:.1f} |")
EOF
