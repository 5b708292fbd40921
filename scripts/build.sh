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
# With wasm-split-cli (scripts/setup.sh installs it), the dashboard (src/dashboard.rs) becomes
# its own chunk, fetched once the connection form is on screen (BUILD_SPLIT=0: one wasm).
split=''
if [ "${BUILD_SPLIT:-1}" = 1 ] && command -v wasm-split-cli >/dev/null; then
  split=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} --cfg split -Clink-arg=--emit-relocs"
  export PATH="$PWD/scripts/split:$PATH"
  echo "release build: dashboard split into its own chunk"
fi
trunk build --release "$@"
# No modulepreload for wasm-bindgen's snippets (src/panic_page.js): with it, headless Chromium
# now and then never fetches the wasm (seen with two consoles loading at once). The snippet is
# still imported by backup-console.js, one round trip later.
dist=dist
for ((i = 1; i <= $#; i++)); do [ "${!i}" = --dist ] && { j=$((i + 1)); dist=${!j}; }; done
sed -i 's|<link rel="modulepreload" href="./snippets/[^>]*>||g' "$dist/index.html"
if [ -n "$split" ]; then
  # The chunks and their loader (left by scripts/split/wasm-bindgen), optimised as trunk does
  # the main wasm (index.html's data-wasm-opt).
  opt_params=$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' index.html)
  for f in target/wasm-bindgen/release/split/*; do
    case $f in
      */backup-console.wasm) ;;
      # (wasm-opt warns about the split's name section, which it drops anyway.)
      *.wasm) wasm-opt -Oz $opt_params "$f" -o "$dist/$(basename "$f")" 2> >(grep -v 'unknown name subsection' >&2) ;;
      *) cp "$f" "$dist/" ;;
    esac
  done
  # The names are stable (no file hashes), but a chunk from another build must never meet this
  # main module (it addresses the main module's memory and function table directly): each
  # reference carries the content hash of what it loads, so no cache can mix two builds.
  for chunk in "$dist"/split_*.wasm; do
    name=$(basename "$chunk")
    sed -i "s|\"./$name\"|\"./$name?v=$(sha256sum "$chunk" | cut -c1-16)\"|" "$dist/__wasm_split.js"
  done
  # (The import only: the imports object keeps the module name the wasm asks for.)
  sed -i "s|from \"./__wasm_split.js\"|from \"./__wasm_split.js?v=$(sha256sum "$dist/__wasm_split.js" | cut -c1-16)\"|" "$dist/backup-console.js"
  # backup-console.js changed: its integrity in index.html (trunk's SRI) follows.
  sri=sha384-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha384(open(sys.argv[1], "rb").read()).digest()).decode())' "$dist/backup-console.js")
  sed -i "s|\(href=\"./backup-console.js\"[^>]*integrity=\"\)[^\"]*\"|\1$sri\"|" "$dist/index.html"
fi
