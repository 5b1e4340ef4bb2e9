#!/usr/bin/env bash
# Builds the Prometheus that compose pins (prom/prometheus:v$PROMETHEUS_VERSION of .env) from
# its Go module, github.com/prometheus/prometheus v0.3xx.y (the module's v0.3xx.y is Prometheus 3.xx.y):
# `prometheus` and `promtool` land in .tools/prometheus/, which the native runs, the promtool
# checks, the alert tests and the compose stack test's stand-in image all use. A second run is
# a no-op until the recipe below changes.
#
# Build tags, against upstream's .promu.yml (netgo, builtinassets):
#   netgo          kept: pure-Go DNS, a static binary (CGO is off as well)
#   builtinassets  left out: it embeds the React UI, which the module zip does not ship
#                  (web/ui/static is built by npm upstream). The HTTP API, /-/ready and
#                  /metrics do not need it; only the web pages are missing (/query answers
#                  500). Users get the UI from the prom/prometheus image compose runs.
#   remove_all_sd  added: no cloud and Kubernetes service discovery (AWS, Azure, GCE, k8s, ...);
#                  our configs use static_configs only. It keeps static, file and http SD,
#                  and it cuts the build (and the modules it downloads) by a lot.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source .env
MODULE=github.com/prometheus/prometheus
# Prometheus 3.14.0 is module v0.314.0.
major=${PROMETHEUS_VERSION%%.*} rest=${PROMETHEUS_VERSION#*.}
MODULE_VERSION=v0.${major}$(printf '%02d' "${rest%%.*}").${rest#*.}
VERSION=$PROMETHEUS_VERSION
TAGS=netgo,remove_all_sd
# Upstream builds 3.14 with Go 1.26 (.promu.yml); the module asks for go 1.25.8 or newer.
GO_TOOLCHAIN=go$GO_VERSION
OUT=.tools/prometheus
STAMP=$OUT/recipe

recipe="$MODULE@$MODULE_VERSION tags=$TAGS $GO_TOOLCHAIN"
if [ -x "$OUT/prometheus" ] && [ -x "$OUT/promtool" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$recipe" ]; then
  echo "Prometheus already built: $("$OUT/prometheus" --version 2>&1 | head -n1)"
  exit 0
fi

# No Go on PATH: Go GO_VERSION of .env from the Go module proxy (scripts/setup-go.sh).
command -v go >/dev/null || source scripts/setup-go.sh
# GOWORK=off: the module ships a go.work (for its web/ui module) that is not for us.
export GOTOOLCHAIN=$GO_TOOLCHAIN GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0

echo "building Prometheus $VERSION from $MODULE@$MODULE_VERSION (several minutes the first time; Go caches the build)"
download=$(cd /tmp && go mod download -json "$MODULE@$MODULE_VERSION")
module_dir=$(sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' <<< "$download")
[ -f "$module_dir/VERSION" ] && [ "$(cat "$module_dir/VERSION")" = "$VERSION" ] \
  || { echo "$MODULE@$MODULE_VERSION is not Prometheus $VERSION (its VERSION file: $(cat "$module_dir/VERSION" 2>/dev/null))"; exit 1; }

# go.mod has replace directives, so `go install module@version` refuses it: build in a
# writable copy (the module cache is read-only).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$module_dir/." "$work"
chmod -R u+w "$work"

# The version flags upstream's .promu.yml sets, so `prometheus --version` and the build info
# metric say 3.14.0 (the Go proxy's zip has no git revision to report).
ldflags="-s -w"
ldflags+=" -X github.com/prometheus/common/version.Version=$VERSION"
ldflags+=" -X github.com/prometheus/common/version.Branch=HEAD"
ldflags+=" -X github.com/prometheus/common/version.BuildUser=setup-prometheus.sh"
ldflags+=" -X github.com/prometheus/common/version.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)"
mkdir -p "$OUT"
for binary in prometheus promtool; do
  (cd "$work" && go build -trimpath -tags "$TAGS" -ldflags "$ldflags" -o "$work/$binary" "./cmd/$binary")
  install -m 0755 "$work/$binary" "$OUT/$binary"
done
echo "$recipe" > "$STAMP"
echo "built $("$OUT/prometheus" --version 2>&1 | head -n1)"
