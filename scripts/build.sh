#!/usr/bin/env bash
# Builds the release bundle into dist/ (extra arguments go to trunk, e.g. --offline, --dist DIR).
# trunk builds it, run by xtask/ (`xtask dist`), which also does what trunk cannot: the dashboard
# split, the content versions of the chunks, the page's preloads and integrity (xtask/README).
# With the pinned nightly, std is rebuilt for size and a panic traps at once instead of
# formatting its message: ~12% less gzipped wasm. A trap still shows the stopped page
# (src/panic_page.js). Without that nightly, stable builds the same app.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh
# Built first, for the host and with its stable toolchain: the nightly's build-std below is for
# the wasm only (cargo refuses it without --target).
offline=()
for a; do [ "$a" = --offline ] && offline=(--offline); done
cargo build --quiet ${offline[@]+"${offline[@]}"} -p xtask
xtask=${CARGO_TARGET_DIR:-target}/debug/xtask
if rustup component list --toolchain "$SIZE_NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
  export RUSTUP_TOOLCHAIN=$SIZE_NIGHTLY
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  # Joined with .cargo/config.toml's rustflags for the target.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
  echo "release build: $SIZE_NIGHTLY, build-std, panic=immediate-abort"
else
  echo "release build: stable ($SIZE_NIGHTLY is not installed)"
fi
# With wasm-split-cli (scripts/setup.sh installs it), the dashboard (src/dashboard.rs) becomes
# its own chunk, fetched once the connection form is on screen (BUILD_SPLIT=0: one wasm).
split=()
if [ "${BUILD_SPLIT:-1}" = 1 ] && command -v wasm-split-cli >/dev/null; then split=(--split); fi
exec "$xtask" dist ${split[@]+"${split[@]}"} "$@"
