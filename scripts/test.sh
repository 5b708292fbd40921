#!/usr/bin/env bash
# Runs every suite: core unit tests (native), component tests (headless Chromium), the release
# build with its size report, and the end-to-end tests against a real Weaviate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/versions.sh
export CHROMEDRIVER="$(command -v chromedriver)"
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }
step "core unit tests (native)"
cargo test -p backup-core
step "component tests (wasm-bindgen-test, headless Chromium)"
cargo test --target wasm32-unknown-unknown -p backup-console --test browser
step "release build"
trunk build --release --offline
bash scripts/size.sh
step "end-to-end tests (real Weaviate $WEAVIATE_VERSION, headless Chromium)"
cargo test -p e2e -- --test-threads=2
