#!/usr/bin/env bash
# Regenerates each tools/python/X.txt from X.in: every package pip resolves for it, pinned to
# one version with the sha256 of the wheel it installs here (Linux x86_64, the machine's
# python3), for scripts/setup.sh's `pip install --require-hashes --only-binary=:all:`.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
for spec in *.in; do
  "$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --dry-run --ignore-installed \
    --only-binary=:all: --report "$tmp/report.json" -r "$spec"
  python3 - "$tmp/report.json" "$spec" >"${spec%.in}.txt" <<'PY'
import json, re, sys
report, spec = sys.argv[1:]
print(f"# Generated from {spec} by tools/python/lock.sh: do not edit.")
rows = []
for item in json.load(open(report))["install"]:
    algo, digest = item["download_info"]["archive_info"]["hash"].split("=", 1)
    assert algo == "sha256", item["download_info"]
    rows.append((re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower(), item["metadata"]["version"], digest))
for name, version, digest in sorted(rows):
    print(f"{name}=={version} \\\n    --hash=sha256:{digest}")
PY
  echo "${spec%.in}.txt: $(grep -c '^[a-z0-9]' "${spec%.in}.txt") packages"
done
