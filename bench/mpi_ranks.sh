#!/usr/bin/env bash
# Two MPI ranks of one thread against one process of two threads, on this machine: Table 1's
# experiment (six models trained, six attacks) and an attack alone (szegedy on 8,000 test
# digits of a model loaded from the first archive). Prints wall times, the ratio to the
# one-process baseline, and how many nodes' products are bit-identical to:
#   - the baseline (`--threads 2`), and
#   - one process of `--threads 1` whose attacks run two drivers (`threads: 2`), the run that
#     README's guarantee names.
# Usage: bench/mpi_ranks.sh [BUILD_DIR] [REPEATS]   (default: build/, 3)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v mpirun >/dev/null || { echo "mpi_ranks: no mpirun (scripts/setup installs it)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none

# Runs `blindspot run YAML -o $work/NAME.h5 ARGS...` (prefixed by $launch); prints its seconds.
timed_run() {
  local name=$1 yaml=$2
  shift 2
  local start end
  start=$(date +%s.%N)
  $launch "$build/blindspot" run "$yaml" -o "$work/$name.h5" "$@" >"$work/$name.log" 2>&1 ||
    { cat "$work/$name.log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}

# Table 1 with each attack's drivers set (`threads: N` on every szegedy node).
sed "s/plugin: szegedy, inputs: {model: \([^}]*\)}, with: {/plugin: szegedy, inputs: {model: \1}, with: {threads: 2, /" \
  "$repo/experiments/table1.yaml" >"$work/table1-drivers.yaml"
grep -q "threads: 2" "$work/table1-drivers.yaml" || { echo "mpi_ranks: table1.yaml changed shape" >&2; exit 1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
  "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The MPI runs write to one path: the first places the nodes without knowing their times, the
# later ones with the times of the run before (docs/cluster.md).
declare -a table_one table_ranks attack_one attack_ranks
for ((i = 0; i < repeats; i++)); do
  launch="" table_one+=("$(timed_run "one-$i" "$repo/experiments/table1.yaml" --threads 2)")
  launch="mpirun --bind-to none -n 2" table_ranks+=("$(timed_run ranks \
    "$repo/experiments/table1.yaml" --threads 1)")
  cp "$work/ranks.h5" "$work/ranks-$i.h5"
done
launch="" timed_run drivers "$work/table1-drivers.yaml" --threads 1 >/dev/null

cat >"$work/attack.yaml" <<EOF
experiment: attack-alone
seed: 2014
nodes:
  mnist:
    plugin: dataset
    with: {source: mnist, train: 2000, test: 8000}
  fc200-200-10:
    plugin: mlp
    inputs: {data: mnist}
    with: {hidden: [200, 200]}
    from: $work/one-0.h5#/nodes/fc200-200-10
  attack: {plugin: szegedy, inputs: {model: fc200-200-10, data: mnist}, with: {split: test, count: 8000}}
EOF
for ((i = 0; i < repeats; i++)); do
  launch="" attack_one+=("$(timed_run "attack-one-$i" "$work/attack.yaml" --threads 2)")
  launch="mpirun --bind-to none -n 2" attack_ranks+=("$(timed_run "attack-ranks-$i" \
    "$work/attack.yaml" --threads 1)")
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

/usr/bin/python3 - "$work" "$repeats" "${table_one[*]}" "${table_ranks[*]}" "${attack_one[*]}" \
  "${attack_ranks[*]}" <<'PY'
import sys
import h5py
import numpy as np

work, repeats = sys.argv[1], int(sys.argv[2])
times = [[float(t) for t in arg.split()] for arg in sys.argv[3:7]]


def same_products(a, b):
    """Whether every dataset under the two groups holds the same bytes."""
    if set(a) != set(b):
        return False
    for key in a:
        if isinstance(a[key], h5py.Group) != isinstance(b[key], h5py.Group):
            return False
        if isinstance(a[key], h5py.Group):
            if not same_products(a[key], b[key]):
                return False
        elif not np.array_equal(a[key][()], b[key][()]):
            return False
    return True


def identical(x, y):
    """Nodes of archive x whose products are bit-identical in archive y, and all nodes."""
    with h5py.File(f"{work}/{x}.h5", "r") as a, h5py.File(f"{work}/{y}.h5", "r") as b:
        nodes = list(a["nodes"])
        same = [n for n in nodes if n in b["nodes"] and same_products(a["nodes"][n], b["nodes"][n])]
        return f"{len(same)}/{len(nodes)}"


def attack_seconds(name):
    with h5py.File(f"{work}/{name}.h5", "r") as f:
        return float(f["nodes/attack"].attrs["duration"])


print("| experiment | run | wall s (each run) | mean | vs one process | products identical to |")
print("|---|---|---|---|---|---|")
same_table = (f"--threads 2: {identical('ranks-0', 'one-0')}; --threads 1 with 2 drivers: "
              f"{identical('ranks-0', 'drivers')}")
rows = [("Table 1", "one process, --threads 2", times[0], times[0], "-"),
        ("Table 1", "mpirun -n 2, --threads 1, no earlier times", times[1][:1], times[0],
         same_table),
        ("Table 1", "mpirun -n 2, --threads 1, the times of the run before", times[1][1:],
         times[0], same_table),
        ("szegedy alone, 8,000 digits", "one process, --threads 2", times[2], times[2], "-"),
        ("szegedy alone, 8,000 digits", "mpirun -n 2, --threads 1", times[3], times[2],
         f"--threads 2: {identical('attack-ranks-0', 'attack-one-0')}")]
for what, run, wall, base, same in rows:
    if not wall:
        continue
    each = ", ".join(f"{t:.1f}" for t in wall)
    print(f"| {what} | {run} | {each} | {np.mean(wall):.1f} | "
          f"{np.mean(wall) / np.mean(base):.2f}x | {same} |")
one = [attack_seconds(f"attack-one-{i}") for i in range(repeats)]
ranks = [attack_seconds(f"attack-ranks-{i}") for i in range(repeats)]
print()
print(f"szegedy node alone (archived duration): one process {np.mean(one):.1f} s, "
      f"two ranks {np.mean(ranks):.1f} s ({np.mean(ranks) / np.mean(one):.2f}x)")
PY
