#!/usr/bin/env bash
# Builds the OpenTelemetry Collector the tests and `npm run local` run, from Go modules, with
# the collector builder (ocb) and collector/builder-config.yaml: the components our config
# uses, at the version compose pins. The binary lands in a directory named after the hash of
# the manifest (scripts/collector-path.sh), so a second run is a no-op until the manifest
# changes, and checkouts with different manifests can share one .tools without rebuilding
# over each other's binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MANIFEST=collector/builder-config.yaml
BINARY=$(scripts/collector-path.sh)
OUTPUT=$(dirname "$BINARY")
source .env
# The builder's version is the collector's; the manifest cannot read .env, versions.test.ts
# checks that its components are at COLLECTOR_VERSION too.
BUILDER_VERSION=v$COLLECTOR_VERSION

if [ -x "$BINARY" ]; then
  echo "collector already built from $MANIFEST ($("$BINARY" --version))"
  exit 0
fi

# A go new enough for the builder and the components first on PATH: the machine's, or Go
# GO_VERSION of .env installed into .tools/go from the Go module proxy.
source scripts/setup-go.sh
export GOBIN="$PWD/.tools/go-bin"
if [ ! -x "$GOBIN/builder" ] || ! "$GOBIN/builder" version 2>/dev/null | grep -q "${BUILDER_VERSION#v}"; then
  go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION"
fi

echo "building the collector into $OUTPUT (a few minutes the first time; Go caches the modules and the build)"
# The manifest's output_path, pointed at the hash-named directory. The build goes to a
# temporary directory first, so an interrupted build never looks finished.
work=$(mktemp -d "$PWD/.tools/otelcol-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
sed "s|^\(\s*output_path:\).*|\1 $work|" "$MANIFEST" > "$work.yaml"
trap 'rm -rf "$work" "$work.yaml"' EXIT
"$GOBIN/builder" --config "$work.yaml"
rm -rf "$OUTPUT"
mv "$work" "$OUTPUT"
echo "built $("$BINARY" --version)"
