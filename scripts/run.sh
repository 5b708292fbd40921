#!/usr/bin/env bash
# Sets up what is missing, starts a local real Weaviate with demo data and a demo backup policy
# (backup-runner, every minute), and serves the console (trunk build) pointed at it. Prints the
# URLs. Ctrl-C, closing the terminal or killing this script stops everything it started.
# `scripts/run.sh --cluster`: three Weaviate nodes on S3, GCS and Azure emulators instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/versions.sh
# Two builds, not one: built together, their dependencies' features unify into a third set of
# builds, beside the ones the tests (and tests/e2e/src/runner.rs) already have.
cargo build --quiet -p e2e --bin devstack
cargo build --quiet -p backup-runner
# exec: the shell becomes devstack, whose children die with it (no cargo in between to orphan them).
exec "${CARGO_TARGET_DIR:-target}/debug/devstack" "$@"
