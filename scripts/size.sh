#!/usr/bin/env bash
# Prints the release bundle's sizes (raw and gzip -9): the first load (every file the page loads
# before it is interactive) and the split chunks (split_*.wasm, fetched once it is). Build first:
# scripts/build.sh. The benchmark checks the same split in a browser. Usage: size.sh [DIST] (dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}
[ -f "$dist/backup-console_bg.wasm" ] || { echo "no wasm in $dist/: run scripts/build.sh" >&2; exit 1; }
printf '%-48s %10s %10s\n' asset bytes gzip
total=0; total_gz=0; later=()
while read -r f; do
  case $f in */split_*.wasm) later+=("$f"); continue ;; esac
  raw=$(stat -c%s "$f"); gz=$(gzip -9c "$f" | wc -c)
  printf '%-48s %10d %10d\n' "${f#"$dist"/}" "$raw" "$gz"
  total=$((total + raw)); total_gz=$((total_gz + gz))
done < <(find "$dist" -type f | sort)
printf '%-48s %10d %10d\n' "first load" "$total" "$total_gz"
for f in ${later[@]+"${later[@]}"}; do
  printf '%-48s %10d %10d\n' "${f#"$dist"/} (after)" "$(stat -c%s "$f")" "$(gzip -9c "$f" | wc -c)"
done
