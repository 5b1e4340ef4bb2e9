#!/usr/bin/env bash
# Docker Engine and Compose v2 for the compose stack test (tests/compose-stack), on a Debian
# machine without systemd. Everything is skipped when already in place:
#   - Debian's docker.io (Docker Engine) and debootstrap (for the test's stand-in base image)
#   - dockerd, started in the background when `docker info` gets no answer
#   - the Compose v2 CLI plugin, built from its Go module when `docker compose` is missing
#     (Debian ships only the old Python docker-compose, which has no `include`)
# A user's machine with Docker Desktop or Docker's own packages needs none of this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source .env
COMPOSE_VERSION=v$DOCKER_COMPOSE_VERSION
COMPOSE_GO=go$DOCKER_COMPOSE_GO   # the toolchain Compose's go.mod asks for
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
mkdir -p .tools

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} (apt log: .tools/apt-docker.log)"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" iptables; } > .tools/apt-docker.log 2>&1; then
    tail -n 20 .tools/apt-docker.log
    exit 1
  fi
fi

if ! timeout 10 docker info >/dev/null 2>&1; then
  echo "starting dockerd (log: /var/log/dockerd-demo.log)"
  # setsid: the engine outlives this script and is not stopped by the test runner's signals.
  $sudo setsid dockerd > /var/log/dockerd-demo.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do timeout 5 docker info >/dev/null 2>&1 && break; sleep 1; done
  timeout 10 docker info >/dev/null 2>&1 || { tail -n 20 /var/log/dockerd-demo.log; echo "dockerd did not start"; exit 1; }
fi
echo "Docker Engine $(docker info --format '{{.ServerVersion}}') is running"

if docker compose version >/dev/null 2>&1; then
  echo "Compose: $(docker compose version)"
  exit 0
fi
# No Go on PATH: Go GO_VERSION of .env from the Go module proxy (scripts/setup-go.sh).
command -v go >/dev/null || source scripts/setup-go.sh
echo "building Docker Compose $COMPOSE_VERSION from its Go module (about 4 minutes the first time)"
export GOTOOLCHAIN=$COMPOSE_GO GOFLAGS=-mod=mod
module_dir=$(cd /tmp && go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
# The module cache is read-only, and go.mod's replace directives only apply inside the module.
work=$(mktemp -d)
cp -r "$module_dir/." "$work"
chmod -R u+w "$work"
(cd "$work" && go build -trimpath -o docker-compose \
  -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" ./cmd)
$sudo mkdir -p "$PLUGIN_DIR"
$sudo install -m 0755 "$work/docker-compose" "$PLUGIN_DIR/docker-compose"
rm -rf "$work"
echo "Compose: $(docker compose version)"
