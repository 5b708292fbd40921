#!/usr/bin/env bash
# Prints the release bundle's sizes (raw and gzip -9). Build first: trunk build --release.
set -euo pipefail
cd "$(dirname "$0")/.."
printf '%-10s %10s %10s\n' asset bytes gzip
total=0; total_gz=0
for ext in wasm js css; do
  f=$(ls dist/*."$ext" 2>/dev/null | head -1) || true
  [ -n "$f" ] || { echo "no .$ext in dist/: run trunk build --release" >&2; exit 1; }
  raw=$(stat -c%s "$f"); gz=$(gzip -9c "$f" | wc -c)
  printf '%-10s %10d %10d\n' "$ext" "$raw" "$gz"
  total=$((total + raw)); total_gz=$((total_gz + gz))
done
printf '%-10s %10d %10d\n' total "$total" "$total_gz"
