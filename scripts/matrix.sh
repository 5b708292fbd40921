#!/usr/bin/env bash
# Runs the seed workflow (tests/e2e/tests/suite/matrix.rs) against every release in WEAVIATE_MATRIX
# (scripts/versions.sh), one at a time. Builds what is missing first: the servers (cached; cold,
# ~5 min each) and the release bundle, as the test command does (CONSOLE_DIST=DIR: that bundle
# instead). Prints each release's result and wall time, then a Markdown table for the README,
# kept in .work/matrix-result.md; each release's test output is in .work/matrix/<release>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/versions.sh
export CHROMEDRIVER="$(command -v chromedriver)"
export CARGO_TERM_COLOR=never

for v in $WEAVIATE_MATRIX; do
  bin=$(weaviate_bin "$v")
  [ -x "$bin" ] && continue
  echo "building weaviate-server $v (cold: ~5 min; log: $(dirname "$bin").log)"
  weaviate_build "$v" || { tail -n 5 "$(dirname "$bin").log"; echo "building $v failed: it is reported as such"; }
done
if [ -n "${CONSOLE_DIST:-}" ]; then
  CONSOLE_DIST=$(realpath "$CONSOLE_DIST")
  export CONSOLE_DIST
else
  bash scripts/build.sh --offline
fi
cargo test --quiet -p e2e --test suite --no-run

mkdir -p .work/matrix
rows=() failed=0
for v in $WEAVIATE_MATRIX; do
  log=.work/matrix/$v.log
  start=$SECONDS
  if [ ! -x "$(weaviate_bin "$v")" ]; then
    result="build failed" failed=1
    echo "the server did not build: $(dirname "$(weaviate_bin "$v")").log" >"$log"
  elif MATRIX_VERSION=$v cargo test --quiet -p e2e --test suite -- --ignored --exact matrix::given_release --nocapture >"$log" 2>&1; then
    result=pass
  else
    result=FAIL failed=1
  fi
  secs=$((SECONDS - start))
  # The test prints what core's version gates turn off for the release.
  gates=$(sed -n "s/^matrix $v gates off: //p" "$log")
  printf '%-8s %-12s %4d s  %s\n' "$v" "$result" "$secs" "${gates:-?}"
  [ "$result" = pass ] || grep -m1 -A 4 panicked "$log" | sed 's/^/    /' || true
  rows+=("| $v | $result | $secs s | ${gates:-?} |")
done

{
  echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC'), console at commit $(git rev-parse --short HEAD) (\`bash scripts/matrix.sh\`)."
  echo
  echo "| Weaviate | seed workflow | wall time | what the console turns off for it |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >.work/matrix-result.md
echo
cat .work/matrix-result.md
exit $failed
