#!/usr/bin/env bash
# Prints where scripts/setup-collector.sh puts the collector built from the current
# collector/builder-config.yaml: .tools/otelcol-<first 12 hex of the manifest's sha256>/otelcol-demo.
# tools/src/runner/collector.ts computes the same path; build-stand-ins.sh copies the binary from it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hash=$(sha256sum collector/builder-config.yaml | cut -c1-12)
echo ".tools/otelcol-$hash/otelcol-demo"
