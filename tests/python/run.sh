#!/usr/bin/env bash
# The Python package's tests: tests/python/run.sh BLINDSPOT_EXE
# Runs every tests/python/test_*.py with Debian's interpreter from the repository root, with
# the package from python/ and the executable given (the tests run experiments with it).
# Exits non-zero when a test fails; tests whose modules (torch, pandas, xarray) are missing
# are skipped.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BLINDSPOT_EXE" >&2; exit 2; }
exe=$1
[ -x "$exe" ] || { echo "$0: $exe: not an executable" >&2; exit 2; }
case $exe in /*) ;; *) exe=$PWD/$exe ;; esac
cd "$(dirname "$0")/../.."
PYTHONPATH=python BLINDSPOT=$exe /usr/bin/python3 -m unittest discover -s tests/python -v
