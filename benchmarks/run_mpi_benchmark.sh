#!/usr/bin/env bash
# kde spread over MPI ranks on one machine, and a model of the same run on a cluster.
#
# The national police.uk CSV of N records (generate_year --national: real Kent records resampled
# over England and Wales; 70 M by default, 12.5 GB) at 25 m cells, quartic r = 250 m, written as
# tiles and a VRT (--tiles-dir: each rank writes the tiles it computes), run as:
#   1 rank   the plain process, all cores
#   2 ranks  mpirun -np 2, one thread each (no more threads than cores)
#   4 ranks  mpirun -np 4 --oversubscribe, one thread each: twice the cores, NOT a speed claim
# For each: wall time and peak resident memory of the largest process (/usr/bin/time %M), the
# stages from --summary-json (read; density, which includes writing the tiles; the VRT), and per
# rank (its "distributed" section): for reading, bytes and records read, seconds parsing and MB/s,
# bytes sent to rank 0; for the surface, offences held, tiles, seconds computing and finishing
# (mask, compress, write) its tiles, cells computed per second, bytes sent and received, seconds
# communicating. Then, from the 2-rank run's per-core figures and the bytes exchanged, the
# modelled time of the national run on 4, 16 and 64 nodes like this one over 10 Gbit/s.
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
        cmd=("$hotspot" "${job[@]}" --tiles-dir "$out/mpi_${ranks}" --summary-json "$summary")
    else
        cmd=(mpirun $root_flag --oversubscribe -np "$ranks" "$hotspot" "${job[@]}" --threads 1
             --tiles-dir "$out/mpi_${ranks}" --summary-json "$summary")
    fi
    /usr/bin/time -f "%e %M" -o "$out/mpi_time" "${cmd[@]}" > /dev/null
    read -r wall kib < "$out/mpi_time"
    python3 - "$summary" "$ranks" "$wall" "$kib" << 'PY'
import json, sys
s = json.load(open(sys.argv[1])); ranks, wall, kib = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
st = s["stage_seconds"]; used = s["offences"]["used"]
print(f"\n{ranks} rank(s): wall {wall:.1f} s, peak {kib / 1024:.0f} MiB (largest process), "
      f"{kib * 1024 / used:.0f} B/offence; read {st['read']:.1f} s, density and tiles {st['density']:.1f} s, "
      f"vrt {st['write']:.1f} s; grid {s['grid']['cols']} x {s['grid']['rows']}")
jobs = {j["work"]: j for j in s.get("distributed", {}).get("jobs", [])}
sec = s["offences"]["seconds"]
print(f"  reading: parse {sec['parse']:.1f} s, project {sec['project']:.1f} s, link {sec['link']:.1f} s")
if "reading" in jobs:
    d = jobs["reading"]
    print(f"  read in {d['parts']} pieces; after parsing, {st['read'] - sec['parse']:.1f} s to sample, project and join")
    print("  | rank | MB read | records | parse s | MB/s | sample and project s | sent MB |")
    print("  |---|---|---|---|---|---|---|")
    for r in d["per_rank"]:
        print(f"  | {r['rank']} | {r['bytes_read'] / 1e6:.0f} | {r['records']:,} | {r['compute_seconds']:.1f} | "
              f"{r['bytes_read'] / 1e6 / max(r['compute_seconds'], 1e-9):.0f} | {r['finish_seconds']:.1f} | {r['bytes_sent'] / 1e6:.0f} |")
if "density tiles" in jobs:
    d = jobs["density tiles"]
    print(f"  {d['parts']} tiles of {d['tile_rows']} rows; {d['bytes_exchanged'] / 1e9:.2f} GB exchanged; spread {d['seconds']:.1f} s")
    print("  | rank | offences held | tiles | compute s | Mcells/s | finish s | sent MB | received MB | comm s |")
    print("  |---|---|---|---|---|---|---|---|---|")
    for r in d["per_rank"]:
        rate = r["cells"] / max(r["compute_seconds"], 1e-9) / 1e6
        print(f"  | {r['rank']} | {r['records']:,} | {r['parts']} | {r['compute_seconds']:.1f} | "
              f"{rate:.1f} | {r['finish_seconds']:.1f} | {r['bytes_sent'] / 1e6:.0f} | "
              f"{r['bytes_received'] / 1e6:.0f} | {r['communication_seconds']:.1f} |")
PY
done
diff -rq "$out/mpi_1" "$out/mpi_2" > /dev/null && diff -rq "$out/mpi_1" "$out/mpi_4" > /dev/null \
    && echo -e "\nthe three tile folders are byte for byte identical" || echo -e "\nTHE TILES DIFFER"

# The model, for nodes of C cores running one rank per core (as the 2-rank run: one thread each;
# a rank compresses its tiles on one thread, so ranks, not threads, spread the writing). Shared
# over all the cores: reading (the 2-rank run's core-seconds parsing, sampling and projecting)
# and the kernel sums and tiles (computing, masking, compressing, writing: the 2-rank run's
# core-seconds). Rank 0 alone: joining the records (the 2-rank run's read stage after the ranks
# parsed, less their projecting: putting pieces together, linking ids, filtering), preparing (its
# density stage outside the spread) and dealing the offences out (the 2-rank run's). The network carries the parsed records to rank 0 and the offences out, at
# 10 Gbit/s. The tiles stay where they were written (a shared filesystem is assumed to keep up).
python3 - "$out/mpi_1.json" "$out/mpi_2.json" << 'PY'
import json, sys
one, two = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
cores = 2
jobs = {j["work"]: j for j in two["distributed"]["jobs"]}
spread, reading = jobs["density tiles"], jobs["reading"]
ranks = spread["per_rank"]
shared_core_s = sum(r["compute_seconds"] + r["finish_seconds"] for r in ranks)
parse_core_s = sum(r["compute_seconds"] + r["finish_seconds"] for r in reading["per_rank"])
join = two["stage_seconds"]["read"] - two["offences"]["seconds"]["parse"] - max(r["finish_seconds"] for r in reading["per_rank"])
prepare = two["stage_seconds"]["density"] - spread["seconds"]
deal = spread["distribute_seconds"]
bytes_out = ranks[0]["bytes_sent"]  # each offence once (twice near a tile's edge), at any rank count
# Parsed records per byte of input, from what the other rank sent rank 0 for its share.
records_per_byte = sum(r["bytes_sent"] for r in reading["per_rank"][1:]) / max(1, sum(r["bytes_read"] for r in reading["per_rank"][1:]))
bytes_in = records_per_byte * sum(r["bytes_read"] for r in reading["per_rank"])
link = 10e9 / 8
one_read = one["stage_seconds"]["read"]
print(f"\nModel, nodes of {cores} cores (one rank per core) over 10 Gbit/s: parsing {parse_core_s:.1f} core-s, "
      f"join {join:.1f} s, prepare {prepare:.1f} s, deal out {deal:.1f} s, kernel sums and tiles {shared_core_s:.1f} core-s, "
      f"records to rank 0 {bytes_in / 1e9:.2f} GB, offences sent {bytes_out / 1e9:.2f} GB")
print("| nodes | rank 0 alone s | shared s | network s | total s | speed-up |")
print("|---|---|---|---|---|---|")
base = one_read + prepare + shared_core_s / cores
for nodes in (1, 4, 16, 64):
    if nodes == 1:
        alone, shared, network = one_read + prepare, shared_core_s / cores, 0.0
    else:
        alone = join + prepare + deal
        shared = (parse_core_s + shared_core_s) / (nodes * cores)
        network = (bytes_in + bytes_out) / link
    total = alone + shared + network
    print(f"| {nodes} | {alone:.1f} | {shared:.1f} | {network:.1f} | {total:.1f} | {base / total:.2f}x |")
PY
