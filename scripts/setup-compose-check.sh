#!/usr/bin/env bash
# Builds tools/compose-check, the Compose loader the tests validate the compose files with
# (compose-go, the library `docker compose` is built on; no Docker engine needed). Rebuilt
# only when its sources change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BINARY=.tools/compose-check/compose-check
STAMP=.tools/compose-check/sources.sha256
hash=$(cat tools/compose-check/go.mod tools/compose-check/go.sum tools/compose-check/*.go | sha256sum | cut -d' ' -f1)
if [ -x "$BINARY" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$hash" ]; then
  echo "compose-check already built"
  exit 0
fi
# No Go on PATH: Go GO_VERSION of .env from the Go module proxy (scripts/setup-go.sh).
command -v go >/dev/null || source scripts/setup-go.sh
mkdir -p "$(dirname "$BINARY")"
(cd tools/compose-check && go build -o "../../$BINARY" .)
echo "$hash" > "$STAMP"
echo "built $BINARY"
