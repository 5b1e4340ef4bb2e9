#!/usr/bin/env bash
# Installs the Node of the images (NODE_VERSION in .env: node:<version>-trixie-slim) into
# .tools/node, unless it is already there. The npm registry ships Node itself as the `node`
# package; its platform package holds the binary and the C headers that native addons build against.
# Used by setup.sh when the machine's Node is older than 24, and by the compose test's
# stand-in build, which needs this exact binary whatever Node the machine has.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .env

if [ "$(.tools/node/bin/node --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  npm install --prefix .tools/node-install --no-save --no-package-lock --loglevel=error "node@$NODE_VERSION"
  ln -sfn "$(cd .tools/node-install/node_modules/node/node_modules && ls -d "$PWD"/node-linux-* | head -n 1)" .tools/node
fi
