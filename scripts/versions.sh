# Pinned tool versions: the one place to change them. Sourced by the other scripts.
# (wasm-bindgen-cli is not here: setup derives it from Cargo.lock.)
TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than this machine's 1.95
BINARYEN_VERSION=132           # must match Trunk.toml [tools] wasm_opt
AXE_VERSION=4.14.1             # accessibility checks in the e2e tests
# The release bundle's toolchain (scripts/build.sh): std rebuilt for size, panics trap at once.
# Everything else, and the release build when this nightly cannot be installed, uses stable.
SIZE_NIGHTLY=nightly-2026-05-19
# Cuts the dashboard out of the first load (scripts/build.sh, src/dashboard.rs); must read what
# leptos's wasm_split_helpers marks (Cargo.lock: wasm_split_helpers 0.2.x).
WASM_SPLIT_VERSION=0.2.4
WEAVIATE_VERSION=v1.39.0
# Object-storage emulators for the cluster tests and `scripts/run.sh --cluster` (into .tools/).
# S3 is moto (Apache-2.0, in memory): it decodes the aws-chunked multipart parts Weaviate's S3
# client uploads, installs in a minute from PyPI, and needs no build; SeaweedFS would be real
# storage but is a large Go build, MinIO is AGPL, gofakes3 stores aws-chunked parts undecoded.
MOTO_VERSION=5.2.5
GCS_EMULATOR_VERSION=2026.7.19 # gcp-storage-emulator, the one Weaviate's own tests use
AZURITE_VERSION=3.37.0
WEAVIATE_BIN="${BACKUP_CONSOLE_CACHE:-$HOME/.cache/backup-console}/weaviate-$WEAVIATE_VERSION/weaviate-server"
export WEAVIATE_BIN
# trunk finds wasm-opt on PATH; scripts/build.sh finds wasm-split-cli.
export PATH="$PWD/.tools/bin:$PWD/.tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
