#!/usr/bin/env bash
# Node 24, the npm workspaces and the TypeScript build: all that the unit tests and the
# linter need. Sourced by setup.sh and test.sh (run from the repository root), so that the
# PATH it chooses stays in effect for what follows: the machine's Node when it is 24 or
# newer, else the pinned one in .tools/node (scripts/install-node.sh), found without any
# change to your shell. Skips whatever is already in place.

step() { printf '\n== %s\n' "$*"; }

step "Node 24"
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -ge 24 ]; then
  echo "using Node $(node --version) from $(command -v node)"
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

step "TypeScript build, and the web UI's two bundles (the page, its OpenTelemetry)"
npx tsc -b
npm run -s build --workspace web-ui > /dev/null
echo "built (web UI bundles: app.js $(wc -c < web-ui/public/app.js) bytes, telemetry.js $(wc -c < web-ui/public/telemetry.js) bytes)"
