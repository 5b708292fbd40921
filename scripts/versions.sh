# Pinned tool versions. Sourced by the other scripts. The npm and Python tools and
# wasm-bindgen-cli are pinned and locked in tools/ instead (README "Updating a pin").
TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than this machine's 1.95
# The release bundle's toolchain (scripts/build.sh): std rebuilt for size, panics trap at once.
# Everything else, and the release build when this nightly cannot be installed, uses stable.
SIZE_NIGHTLY=nightly-2026-05-19
# Cuts the dashboard out of the first load (scripts/build.sh, src/dashboard.rs); must read what
# leptos's wasm_split_helpers marks (Cargo.lock: wasm_split_helpers 0.2.x).
WASM_SPLIT_VERSION=0.2.4
# The Weaviate the tests and the run command use: the newest patch that builds from the Go module
# proxy (v1.39.4+ need sroar releases the proxy refuses; backup-api.md §11). The e2e harness
# reads this line when WEAVIATE_BIN is not set.
WEAVIATE_VERSION=v1.39.3
# The releases scripts/matrix.sh runs the seed workflow against, oldest first: one of each minor
# the proxy serves that builds here, ending with the pin. The test command runs the first and last.
WEAVIATE_MATRIX="v1.27.0 v1.29.0 v1.34.0 v1.35.2 v1.36.0 v1.37.0 v1.38.0 $WEAVIATE_VERSION"
# Where a release's server is built (also tests/e2e/src/weaviate.rs `binary_for`).
weaviate_bin() { echo "${BACKUP_CONSOLE_CACHE:-$HOME/.cache/backup-console}/weaviate-$1/weaviate-server"; }
# Builds release $1 there unless it is there already, logging to $1's folder + .log. One build of a
# release at a time (a lock beside it); built into a side folder, so a cut-off build leaves nothing
# that looks built.
weaviate_build() {
  local bin dir
  bin=$(weaviate_bin "$1")
  dir=$(dirname "$bin")
  mkdir -p "$(dirname "$dir")"
  (
    exec 9>"$dir.lock"
    flock 9
    [ -x "$bin" ] && exit 0
    rm -rf "$dir" "$dir.partial"
    CGO_ENABLED=0 GOBIN="$dir.partial" go install "github.com/weaviate/weaviate/cmd/weaviate-server@$1" >"$dir.log" 2>&1 &&
      mv "$dir.partial" "$dir"
  )
}
WEAVIATE_BIN=$(weaviate_bin "$WEAVIATE_VERSION")
export WEAVIATE_BIN WEAVIATE_VERSION WEAVIATE_MATRIX
# trunk finds wasm-opt on PATH (the build's npm prefix only); scripts/build.sh finds wasm-split-cli.
export PATH="$PWD/.tools/bin:$PWD/.tools/build/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
