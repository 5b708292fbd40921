#!/usr/bin/env bash
# Installs everything the console's build, run and tests need, skipping what is already there.
# Nothing is downloaded outside the package registries (crates.io, npm, Debian, Go proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The size toolchain is optional: scripts/build.sh falls back to stable without it.
if ! rustup run "$SIZE_NIGHTLY" rustc --print sysroot >/dev/null 2>&1 || \
   ! rustup component list --toolchain "$SIZE_NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
  say "installing $SIZE_NIGHTLY with rust-src for the release bundle (cold: ~1 min)"
  rustup toolchain install "$SIZE_NIGHTLY" --profile minimal --component rust-src --no-self-update ||
    say "could not install $SIZE_NIGHTLY: the release bundle is built with stable (~12% larger)"
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (cold: ~12 min)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock, so derive it from there.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (cold: ~7 min)"
  # Not --locked: one of its locked dependencies is missing from the registry.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Cuts the dashboard out of the release bundle's first load (scripts/build.sh).
if ! cargo install --list --root .tools 2>/dev/null | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION into .tools/ (cold: ~1 min)"
  cargo install --locked --quiet --root .tools wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
fi

# npm tools share .tools/ and one install (an install with --no-save prunes what it does not
# name): wasm-opt (Debian's binaryen, wasm-opt 108, silently breaks the app; npm's is current),
# axe-core (injected into pages by the accessibility test), Azurite (the Azure Blob emulator).
NPM_TOOLS=("binaryen@$BINARYEN_VERSION" "axe-core@$AXE_VERSION" "azurite@$AZURITE_VERSION")
npm_version() { node -p "require('./.tools/node_modules/$1/package.json').version" 2>/dev/null; }
if [ ! -x .tools/node_modules/.bin/wasm-opt ] || \
   ! .tools/node_modules/.bin/wasm-opt --version | grep -q "version $BINARYEN_VERSION" || \
   [ "$(npm_version axe-core)" != "$AXE_VERSION" ] || [ "$(npm_version azurite)" != "$AZURITE_VERSION" ]; then
  say "installing ${NPM_TOOLS[*]} into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-audit --no-fund "${NPM_TOOLS[@]}" >/dev/null
fi

# moto (S3) and gcp-storage-emulator (GCS) for the cluster tests, in a venv of their own.
PY_TOOLS_WANTED="$MOTO_VERSION $GCS_EMULATOR_VERSION"
PY_TOOLS_HAVE=$(.tools/venv/bin/python -c "import importlib.metadata as m; print(m.version('moto'), m.version('gcp-storage-emulator'))" 2>/dev/null || true)
if [ "$PY_TOOLS_HAVE" != "$PY_TOOLS_WANTED" ] || [ ! -x .tools/venv/bin/moto_server ]; then
  say "installing moto[server] $MOTO_VERSION and gcp-storage-emulator $GCS_EMULATOR_VERSION into .tools/venv (cold: ~1 min)"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install -q --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "gcp-storage-emulator==$GCS_EMULATOR_VERSION"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Debian chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ ! -x "$WEAVIATE_BIN" ]; then
  say "building weaviate-server $WEAVIATE_VERSION from the Go module proxy (cold: ~5 min)"
  mkdir -p "$(dirname "$WEAVIATE_BIN")"
  CGO_ENABLED=0 GOBIN="$(dirname "$WEAVIATE_BIN")" \
    go install "github.com/weaviate/weaviate/cmd/weaviate-server@$WEAVIATE_VERSION"
fi

# Offline builds below: fetch every crate now, while the registry is in reach (std's own too,
# for the size build's build-std).
cargo fetch --quiet
if rustup component list --toolchain "$SIZE_NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
  cargo "+$SIZE_NIGHTLY" fetch --quiet \
    --manifest-path "$(rustc "+$SIZE_NIGHTLY" --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
fi
say "ready"
