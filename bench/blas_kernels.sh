#!/usr/bin/env bash
# Table 1's experiment under OpenBLAS's SSE3 kernels ("Prescott", what Debian 12's OpenBLAS
# 0.3.21 falls back to on a CPU it does not know) and under the kernels blindspot picks from the
# CPU's features (see framework/src/host/cli/start_environment.cpp). Prints each node's seconds,
# as the archives record them, and the speed-up.
# Usage: bench/blas_kernels.sh [BUILD_DIR]   (default: build/)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs Table 1 into $work/$1.h5 with the environment that follows.
run_table1() {
  local name=$1
  shift
  "$@" "$build/blindspot" run "$repo/experiments/table1.yaml" -o "$work/$name.h5" \
    >"$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
  "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run_table1 sse3 env OPENBLAS_CORETYPE=Prescott
run_table1 chosen env -u OPENBLAS_CORETYPE
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
/usr/bin/python3 - "$work/sse3.h5" "$work/chosen.h5" <<'PY'
import sys, h5py

def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)

with h5py.File(sys.argv[1], "r") as sse3, h5py.File(sys.argv[2], "r") as chosen:
    kernels = text(chosen["experiment"].attrs.get("version_blas_kernels", b"?"))
    print(f"| node | plugin | Prescott s | {kernels} s | speed-up |")
    print("|---|---|---|---|---|")
    totals = [0.0, 0.0]
    for name in chosen["nodes"]:
        before = float(text(sse3["nodes"][name].attrs["duration"]))
        after = float(text(chosen["nodes"][name].attrs["duration"]))
        totals[0] += before
        totals[1] += after
        plugin = text(chosen["nodes"][name].attrs["plugin"])
        print(f"| {name} | {plugin} | {before:.1f} | {after:.1f} | {before / after:.2f}x |")
    print(f"| all nodes | | {totals[0]:.1f} | {totals[1]:.1f} | {totals[0] / totals[1]:.2f}x |")
PY
