#!/usr/bin/env bash
# Training a Table 1 model (FC100-100-10, 100 epochs on 8,000 digits, as table1.yaml) on a quiet and on a shared
# CPU: GNU OpenMP's own default wait policy (threads spin before they sleep; set here as an
# empty OMP_WAIT_POLICY, which blindspot leaves alone) against blindspot's default (it starts
# itself with OMP_WAIT_POLICY=passive). The competitor is one process spinning on a core, as
# another user's job would. Prints a table of times and ratios to the quiet default run.
# Usage: bench/busy_training.sh [BUILD_DIR]   (default: build/)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
work=$(mktemp -d)
competitor=
cleanup() {
  [ -n "$competitor" ] && kill "$competitor" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Seconds the training node took, as its archive records them.
train_seconds() {
  local out=$work/run.h5 log=$work/run.log
  rm -f "$out"
  "$@" "$build/blindspot" run "$repo/bench/busy_training.yaml" -o "$out" >"$log" 2>&1 ||
    { cat "$log" >&2; exit 1; }
  /usr/bin/python3 - "$out" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    value = f["nodes/fc100-100-10"].attrs["duration"]
    print(float(value.decode() if isinstance(value, bytes) else value))
PY
}

echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A seconds
for busy in no yes; do
  if [ "$busy" = yes ]; then
    (while :; do :; done) &
    competitor=$!
  fi
  seconds[$busy,spin]=$(train_seconds env OMP_WAIT_POLICY=)
  seconds[$busy,default]=$(train_seconds env -u OMP_WAIT_POLICY)
  if [ "$busy" = yes ]; then
    kill "$competitor"
    competitor=
  fi
done
base=${seconds[no,default]}
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| competing busy process | OMP wait policy | training s | vs quiet, blindspot's default |"
echo "|---|---|---|---|"
for busy in no yes; do
  for policy in spin default; do
    label=$([ "$policy" = spin ] && echo "GNU default (spin, then sleep)" ||
      echo "blindspot's default (passive)")
    awk -v b="$busy" -v l="$label" -v s="${seconds[$busy,$policy]}" -v base="$base" \
      'BEGIN { printf "| %s | %s | %.1f | %.2fx |\n", b, l, s, s / base }'
  done
done
