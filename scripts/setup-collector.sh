#!/usr/bin/env bash
# Builds the OpenTelemetry Collector the tests and `npm run local` run, from Go modules, with
# the collector builder (ocb) and collector/builder-config.yaml: the components our config
# uses, at the version compose pins. The binary lands in .tools/otelcol/ with the hash of
# the manifest it was built from, so a second run is a no-op until the manifest changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MANIFEST=collector/builder-config.yaml
BINARY=.tools/otelcol/otelcol-demo
STAMP=.tools/otelcol/manifest.sha256
source .env
# The builder's version is the collector's; the manifest cannot read .env, versions.test.ts
# checks that its components are at COLLECTOR_VERSION too.
BUILDER_VERSION=v$COLLECTOR_VERSION

hash=$(sha256sum "$MANIFEST" | cut -d' ' -f1)
if [ -x "$BINARY" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$hash" ]; then
  echo "collector already built from $MANIFEST ($("$BINARY" --version))"
  exit 0
fi

command -v go >/dev/null || { echo "Go is needed to build the collector (Debian: apt-get install golang-go, or https://go.dev/dl)"; exit 1; }
export GOBIN="$PWD/.tools/go-bin"
if [ ! -x "$GOBIN/builder" ] || ! "$GOBIN/builder" version 2>/dev/null | grep -q "${BUILDER_VERSION#v}"; then
  go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION"
fi

echo "building the collector (a few minutes the first time; Go caches the modules and the build)"
mkdir -p .tools/otelcol
"$GOBIN/builder" --config "$MANIFEST"
echo "$hash" > "$STAMP"
echo "built $("$BINARY" --version)"
