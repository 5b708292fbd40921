#!/usr/bin/env bash
# Builds the release bundle into dist/ (extra arguments go to trunk, e.g. --dist DIR).
# With the pinned nightly, std is rebuilt for size and a panic traps at once instead of
# formatting its message: ~12% less gzipped wasm. A trap still shows the stopped page
# (src/panic_page.js). Without that nightly, stable builds the same app.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh
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
trunk build --release "$@"
# No modulepreload for wasm-bindgen's snippets (src/panic_page.js): with it, headless Chromium
# now and then never fetches the wasm (seen with two consoles loading at once). The snippet is
# still imported by backup-console.js, one round trip later.
dist=dist
for ((i = 1; i <= $#; i++)); do [ "${!i}" = --dist ] && { j=$((i + 1)); dist=${!j}; }; done
sed -i 's|<link rel="modulepreload" href="./snippets/[^>]*>||g' "$dist/index.html"
