#!/usr/bin/env bash
# Sets up what is missing, starts a local real Weaviate with demo data, and serves the console
# (trunk serve) pointed at it. Prints the URL. Ctrl-C stops everything.
# `scripts/run.sh --cluster`: three Weaviate nodes on S3, GCS and Azure emulators instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/versions.sh
exec cargo run --quiet -p e2e --bin devstack -- "$@"
