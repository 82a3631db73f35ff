#!/usr/bin/env bash
# Docs tests on a fresh quickstart archive, run by ctest from the repository root:
#   check.sh numbers BLINDSPOT   scripts/numbers fills tests/docs/sample.md, and a second splice
#                                changes nothing (and --check agrees)
#   check.sh python BLINDSPOT    README's Python snippet runs on the archive and prints its facts
#   check.sh full-mnist BLINDSPOT  experiments/full-mnist/*.yaml validate, and run names the
#                                missing IDX folder in one line (exit 2, no archive)
set -euo pipefail
mode=$1
export BLINDSPOT=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$mode" = full-mnist ]; then
  for yaml in experiments/full-mnist/*.yaml; do
    "$BLINDSPOT" validate "$yaml" || fail "validate $yaml"
  done
  repo=$PWD
  set +e
  out=$(cd "$tmp" && "$BLINDSPOT" run "$repo/experiments/full-mnist/table1.yaml" -o out.h5 2>&1)
  code=$?
  set -e
  echo "$out"
  [ "$code" = 2 ] || fail "run without the IDX folder: exit $code, expected 2"
  grep -q "data/mnist-full" <<<"$out" || fail "the message does not name data/mnist-full"
  [ ! -e "$tmp/out.h5" ] || fail "an archive was written"
  echo "docs full-mnist: ok"
  exit 0
fi

mkdir "$tmp/results"
scripts/numbers --results "$tmp/results" --run quickstart >"$tmp/run.log" 2>&1 ||
  { cat "$tmp/run.log"; fail "scripts/numbers --run quickstart"; }

case $mode in
numbers)
  cp tests/docs/sample.md "$tmp/doc.md"
  scripts/numbers --check --results "$tmp/results" "$tmp/doc.md" 2>/dev/null &&
    fail "--check calls a page with stale numbers up to date"
  scripts/numbers --results "$tmp/results" "$tmp/doc.md"
  cp "$tmp/doc.md" "$tmp/first.md"
  scripts/numbers --results "$tmp/results" "$tmp/doc.md"
  cmp "$tmp/first.md" "$tmp/doc.md" || { diff "$tmp/first.md" "$tmp/doc.md"; fail "second splice changed the page"; }
  scripts/numbers --check --results "$tmp/results" "$tmp/doc.md" || fail "--check after a splice"
  cat "$tmp/doc.md"
  grep -q "^| FC10(1e-4) | [0-9.]*% (6.7%) | [0-9.]*% (7.4%) | 0\.[0-9]* (0.062) |$" "$tmp/doc.md" ||
    fail "Table 1's row was not spliced in"
  grep -q "stale text" "$tmp/doc.md" && fail "the old table is still there"
  grep -Eq "fooled on <!-- numbers:set quickstart attack successes d -->[1-9][0-9]*<!-- /numbers -->" \
    "$tmp/doc.md" || fail "successes"
  grep -q "numbers:set quickstart attack samples d -->500<" "$tmp/doc.md" || fail "samples"
  grep -Eq "distortion .4f -->0\.[0-9]{4}<" "$tmp/doc.md" || fail "distortion"
  grep -Eq "test error .2% -->[0-9]+\.[0-9]{2}%<" "$tmp/doc.md" || fail "test error"
  grep -Eq "^\| \`experiments/quickstart.yaml\` \| \`build/blindspot run experiments/quickstart.yaml -o results/quickstart.h5\` \| [0-9]+ s \| [0-9.]+ MB \| [0-9.]+ [kM]B \| [0-9.]+ \|$" \
    "$tmp/doc.md" || fail "the runs table"
  grep -q "^| \`experiments/table1.yaml\` | \`build/blindspot run experiments/table1.yaml -o results/table1.h5\` | not measured | | | |$" \
    "$tmp/doc.md" || fail "the runs table's unmeasured row"
  grep -q "^gaussian (attack" "$tmp/doc.md" || fail "plugins describe gaussian"
  grep -q "numbers:cell absent errors/errors test error .2% -->1.00%<" "$tmp/doc.md" ||
    fail "a marker whose archive is missing was changed"
  ;;
python)
  awk '/<!-- snippet:python -->/ {on = 1; next} on && /^```python/ {code = 1; next}
       code && /^```/ {exit} code {print}' README.md >"$tmp/snippet.py"
  [ -s "$tmp/snippet.py" ] || fail "README has no Python snippet after <!-- snippet:python -->"
  out=$(cd "$tmp" && /usr/bin/python3 snippet.py)
  echo "$out"
  grep -q "^quickstart seed 2014$" <<<"$out" || fail "experiment attributes"
  grep -q "^attack szegedy [0-9.]* s$" <<<"$out" || fail "node attributes"
  grep -Eq "^test error [0-9]+\.[0-9]{2}%$" <<<"$out" || fail "the errors table"
  grep -Eq "^[1-9][0-9]* fooled; mean distortion 0\.[0-9]{4}$" <<<"$out" || fail "the adversarial set"
  ;;
*) fail "unknown mode $mode" ;;
esac
echo "docs $mode: ok"
