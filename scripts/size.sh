#!/usr/bin/env bash
# Prints the release bundle's sizes (raw and gzip -9), every file the page loads. Build first:
# scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/backup-console_bg.wasm ] || { echo "no wasm in dist/: run scripts/build.sh" >&2; exit 1; }
printf '%-48s %10s %10s\n' asset bytes gzip
total=0; total_gz=0
while read -r f; do
  raw=$(stat -c%s "$f"); gz=$(gzip -9c "$f" | wc -c)
  printf '%-48s %10d %10d\n' "${f#dist/}" "$raw" "$gz"
  total=$((total + raw)); total_gz=$((total_gz + gz))
done < <(find dist -type f | sort)
printf '%-48s %10d %10d\n' total "$total" "$total_gz"
