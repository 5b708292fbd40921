#!/usr/bin/env bash
# The benchmark (not part of the test command): first-load bytes and time to interactive, status
# polling beside the official Python client against a real local Weaviate, idle requests, many
# listed backups (a fake server), and memory after 1,000 jobs. Prints Markdown tables.
#
#   scripts/bench.sh                      # builds the release bundle into target/bench-dist
#   scripts/bench.sh --dist DIR           # measures an existing build instead
#   scripts/bench.sh --only load,scale    # some sections: load, poll, idle, scale, leak
#
# BENCH_OBJECTS=a,b,c sizes the three collections of the polling comparison (objects with
# 256-dimensional vectors; the defaults make ~5 s, ~30 s and ~60 s backups at CPUPercentage 1
# on a 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."
# --bench: also the official Python client (tools/python/bench.in), in a venv of its own.
bash scripts/setup.sh --bench
source scripts/versions.sh
export CHROMEDRIVER="$(command -v chromedriver)"
export BENCH_PYTHON="$PWD/.tools/bench-venv/bin/python"

args=("$@")
if [[ " $* " != *" --dist "* ]]; then
  dist=target/bench-dist
  bash scripts/build.sh --offline --dist "$dist" >/dev/null
  args+=(--dist "$dist")
fi
cargo run --quiet --release -p e2e --bin bench -- "${args[@]}"
