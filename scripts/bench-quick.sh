#!/usr/bin/env bash
# The quick benchmarks (issue 26 §4): the paths a change most often touches, on the `yuexiu`
# preset in the embedded engine, in well under 10 minutes — the load, the first partition, point
# lookups, the night's visit lists and the live statistics against GROUP BY. Each prints the lines
# bench/RESULTS.md records; the summary table there says which figure each one refreshes.
#   npm run bench:quick [-- DIR]     (DIR: a data directory to keep; a temporary one by default)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-$(mktemp -d -t wangge-quick-XXXXXX)}"
started=$(date +%s)
step() { echo; echo "### $1 ($(($(date +%s) - started)) s in)"; }
step "load: generate + COPY + indexes + recount (a fresh database)"
npx tsx bench/load.ts --preset yuexiu
step "first partition of 越秀 (loads the preset into $dir first, not timed)"
npx tsx bench/partition.ts --preset yuexiu --region 440104 --data-dir "$dir"
step "point lookups"
npx tsx bench/lookup.ts --data-dir "$dir"
step "the night's visit lists"
npx tsx bench/visits.ts --data-dir "$dir" --region 440104
step "live statistics against GROUP BY"
npx tsx bench/stats.ts --data-dir "$dir" --district 440104 --runs 5
echo
echo "bench:quick done in $(($(date +%s) - started)) s (data in $dir)"
