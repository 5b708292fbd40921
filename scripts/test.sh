#!/usr/bin/env bash
# Runs every suite: core unit tests (native), component tests (headless Chromium), the release
# build with its size report, and the end-to-end tests against a real Weaviate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/versions.sh
export CHROMEDRIVER="$(command -v chromedriver)"
export CARGO_TERM_COLOR=never

log=$(mktemp)
trap 'rm -f "$log"' EXIT
step() { printf '\n== %s\n' "$*"; }
step "core unit and property tests (native)"
# --nocapture shows each property's case count ("proptest <name>: 100000 cases").
cargo test -p backup-core --lib -- --nocapture 2>&1 | tee -a "$log"
cargo test -p xtask 2>&1 | tee -a "$log"  # the release build's program (xtask/)
step "runner unit tests (native)"
cargo test -p backup-runner 2>&1 | tee -a "$log"
step "component tests (wasm-bindgen-test, headless Chromium)"
cargo test --target wasm32-unknown-unknown -p backup-console --test browser --test policies_browser --test poller_browser 2>&1 | tee -a "$log"
step "release build"
bash scripts/build.sh --offline
bash scripts/size.sh
step "end-to-end tests (real Weaviate $WEAVIATE_VERSION, and the oldest release of the matrix; headless Chromium)"
# tests/e2e/tests/suite/runner.rs runs this binary (built here so its compile is not a test's time).
cargo build -p backup-runner
# One binary (tests/e2e/tests/suite/main.rs says why), two tests at a time.
cargo test -p e2e --tests -- --test-threads=2 2>&1 | tee -a "$log"

# One closing line for the whole run (pipefail above already stopped on any failure).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) } }
     END { printf "\nall suites: %d passed, %d failed\n", p, f }' "$log"
