#!/usr/bin/env bash
# Runs a command with a Node 24 first on PATH, so `npm run local` (and compare-modes, bench)
# work on a machine whose own Node is older without an `export PATH=...` first: the machine's
# Node when it is 24 or newer, otherwise the one scripts/setup.sh installed into .tools/node.
# With neither, the command runs as it is and the runner says which Node it needs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 24 ] && [ -x "$root/.tools/node/bin/node" ]; then
  export PATH="$root/.tools/node/bin:$PATH"
fi
exec "$@"
