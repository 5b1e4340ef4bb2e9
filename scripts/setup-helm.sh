#!/usr/bin/env bash
# Helm, for the chart's tests (charts/otel-demo): built from its Go module at the pinned
# version into .tools/helm/, since the install script downloads from a website. A second run
# is a no-op.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source .env
HELM_TAG=v$HELM_VERSION
BINARY=.tools/helm/helm
if [ -x "$BINARY" ] && [ "$("$BINARY" version --short 2>/dev/null)" = "$HELM_TAG" ]; then
  echo "helm $HELM_TAG already built"
  exit 0
fi
# No Go on PATH: Go GO_VERSION of .env from the Go module proxy (scripts/setup-go.sh).
command -v go >/dev/null || source scripts/setup-go.sh
echo "building helm $HELM_TAG from its Go module (about 2 minutes the first time)"
# Without the -X, `helm version` would say v3.x-dev and the chart's kubeVersion checks would misjudge it.
GOBIN="$PWD/.tools/helm" go install -trimpath \
  -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_TAG" \
  "helm.sh/helm/v3/cmd/helm@$HELM_TAG"
"$BINARY" version --short
