#!/usr/bin/env bash
# Installs everything the console's build, run and tests need, skipping what is already there.
# Nothing is downloaded outside the package registries (crates.io, npm, PyPI, Debian, Go proxy),
# and every tool is pinned and locked: Rust tools with --locked (wasm-bindgen-cli from
# tools/wasm-bindgen-cli/Cargo.lock), npm tools from tools/npm-*/package-lock.json with install
# scripts off, Python tools from tools/python/*.txt with --require-hashes. README "Updating a
# pin" says how to move one. `--bench`: also the benchmark's Python client (scripts/bench.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fail() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; exit 1; }

# The pinned server and the oldest of the matrix (the test command runs both), built from the Go
# module proxy in the background, while the Rust tools below install: cold, each takes ~5 min.
weaviate_servers="$WEAVIATE_VERSION ${WEAVIATE_MATRIX%% *}"
for v in $weaviate_servers; do
  [ -x "$(weaviate_bin "$v")" ] || say "building weaviate-server $v in the background (log: $(dirname "$(weaviate_bin "$v")").log)"
done
( for v in $weaviate_servers; do weaviate_build "$v" || exit; done ) &
weaviate_pid=$!
wait_weaviate() {
  wait "$weaviate_pid" && return
  for v in $weaviate_servers; do
    [ -x "$(weaviate_bin "$v")" ] && continue
    tail -n 20 "$(dirname "$(weaviate_bin "$v")").log" >&2
    fail "building weaviate-server $v failed (log above)"
  done
  fail "building the weaviate servers failed"
}

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

# Without its default features (TLS, the update check): the build only runs `trunk build
# --offline`, and rustls is a good part of trunk's cold compile.
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (cold: ~8 min)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock, and is built from the tools
# crate's own lock (tools/wasm-bindgen-cli/Cargo.toml says why).
lock_version() { awk -v n="name = \"$1\"" '$0 == n { getline; gsub(/version = |"/, ""); print; exit }' "$2"; }
WASM_BINDGEN_VERSION=$(lock_version wasm-bindgen Cargo.lock)
for name in wasm-bindgen-cli wasm-bindgen-cli-locked; do
  [ "$(lock_version "$name" tools/wasm-bindgen-cli/Cargo.lock)" = "$WASM_BINDGEN_VERSION" ] ||
    fail "Cargo.lock has wasm-bindgen $WASM_BINDGEN_VERSION but tools/wasm-bindgen-cli/Cargo.lock has $name $(lock_version "$name" tools/wasm-bindgen-cli/Cargo.lock) (README: Updating a pin)"
done
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ] || \
   ! cargo install --list | grep -qx "wasm-bindgen-cli-locked v$WASM_BINDGEN_VERSION (.*):"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from tools/wasm-bindgen-cli/Cargo.lock (cold: ~7 min)"
  # --force: takes the binaries over from a wasm-bindgen-cli installed from the registry. A
  # throw-away target dir, as an install from the registry has.
  (
    target=$(mktemp -d)
    trap 'rm -rf "$target"' EXIT
    cargo install --locked --force --path tools/wasm-bindgen-cli --target-dir "$target"
  )
fi

# Cuts the dashboard out of the release bundle's first load (scripts/build.sh).
if ! cargo install --list --root .tools 2>/dev/null | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION into .tools/ (cold: ~1 min)"
  cargo install --locked --quiet --root .tools wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
fi

# npm tools: tools/npm-X (package.json and its lock) into .tools/X, install scripts off. The
# build's wasm-opt (npm's binaryen; Debian's, wasm-opt 108, silently breaks the app) rewrites the
# shipped wasm, so it has a prefix of its own (build); the test-only tools, axe-core (injected
# into pages by the accessibility test) and Azurite (the Azure Blob emulator), share another.
# (A package.json changed without its lock makes npm ci stop.)
npm_tools() {
  local from=tools/npm-$1 to=.tools/$1
  cat "$from/package.json" "$from/package-lock.json" | cmp -s - "$to/installed" && return
  say "installing $(node -p "Object.entries(require('./$from/package.json').dependencies).map(d => d.join('@')).join(', ')") into $to from $from/package-lock.json"
  rm -rf "$to" && mkdir -p "$to"
  cp "$from/package.json" "$from/package-lock.json" "$to/"
  npm ci --prefix "$to" --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
  cat "$from/package.json" "$from/package-lock.json" >"$to/installed"
}
npm_tools build
npm_tools test
wasm_opt=$(sed -n 's/^wasm_opt = "version_\([0-9]*\)".*/\1/p' Trunk.toml)
.tools/build/node_modules/.bin/wasm-opt --version | grep -q "version $wasm_opt " ||
  fail "tools/npm-build does not lock the wasm-opt $wasm_opt that Trunk.toml names (README: Updating a pin)"

# Python tools: tools/python/X.txt (every package, hashed; wheels only, so nothing is built)
# into a venv of its own.
py_tools() {
  local req=tools/python/$1.txt venv=$2 pin
  for pin in $(grep -v '^#' "tools/python/$1.in" | sed 's/\[.*\]//'); do
    grep -qix "$pin \\\\" "$req" || fail "$req does not pin $pin: run tools/python/lock.sh (README: Updating a pin)"
  done
  cmp -s "$req" "$venv/installed-requirements.txt" && return
  say "installing $(grep -v '^#' "tools/python/$1.in" | paste -sd' ') into $venv from $req (cold: ~1 min)"
  rm -rf "$venv" && python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --only-binary=:all: -r "$req"
  cp "$req" "$venv/installed-requirements.txt"
}
# moto (S3) and gcp-storage-emulator (GCS) for the cluster tests.
py_tools emulators .tools/venv
if [ "${1:-}" = --bench ]; then
  py_tools bench .tools/bench-venv
fi

# Debian's chromium and chromedriver run the browser tests; its nginx serves the README's nginx
# example as pasted (tests/e2e/tests/suite/nginx.rs starts its own; the service is not started:
# policy-rc.d's 101 refuses every service action during the install).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || [ ! -x /usr/sbin/nginx ]; then
  say "installing Debian chromium, chromium-driver and nginx"
  (
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver nginx >/dev/null
  )
fi

# Offline builds below: fetch every crate now, while the registry is in reach (std's own too,
# for the size build's build-std).
# --locked: the crates the app and tests are built from are the committed Cargo.lock's.
cargo fetch --locked --quiet
if rustup component list --toolchain "$SIZE_NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
  cargo "+$SIZE_NIGHTLY" fetch --quiet \
    --manifest-path "$(rustc "+$SIZE_NIGHTLY" --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
fi
wait_weaviate
say "ready"
