# Pinned tool versions. Sourced by the other scripts. The npm and Python tools and
# wasm-bindgen-cli are pinned and locked in tools/ instead (README "Updating a pin").
TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than this machine's 1.95
# The release bundle's toolchain (scripts/build.sh): std rebuilt for size, panics trap at once.
# Everything else, and the release build when this nightly cannot be installed, uses stable.
SIZE_NIGHTLY=nightly-2026-05-19
# Cuts the dashboard out of the first load (scripts/build.sh, src/dashboard.rs); must read what
# leptos's wasm_split_helpers marks (Cargo.lock: wasm_split_helpers 0.2.x).
WASM_SPLIT_VERSION=0.2.4
WEAVIATE_VERSION=v1.39.0
WEAVIATE_BIN="${BACKUP_CONSOLE_CACHE:-$HOME/.cache/backup-console}/weaviate-$WEAVIATE_VERSION/weaviate-server"
export WEAVIATE_BIN
# trunk finds wasm-opt on PATH (the build's npm prefix only); scripts/build.sh finds wasm-split-cli.
export PATH="$PWD/.tools/bin:$PWD/.tools/build/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
