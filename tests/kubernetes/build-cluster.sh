#!/usr/bin/env bash
# Builds (once, cached) everything a real single-node Kubernetes v1.37.2 needs on this
# machine, from package registries only (Debian apt and the Go module proxy):
#   - Debian packages: etcd-server, containerd, CNI plugins, conntrack, socat, ebtables, ...
#   - Helm v3.22.0 (scripts/setup-helm.sh, into .tools/helm), kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
#     kube-proxy, kubectl (v1.37.2) and CoreDNS, built from their Go modules
#   - the pause and CoreDNS images, as `docker save`-format tarballs (no Docker engine needed)
# Output: /work/main/.tools/kubernetes/{bin,images,src,logs} (.tools is gitignored).
# Each step is skipped when its output is present with the right version.
# Usage: build-cluster.sh [step...]   steps: apt helm kubernetes crictl coredns images (default: all)
# Cold on 2 cores: ~20 minutes (kube-apiserver alone ~8.5); warm: seconds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# Go: the modules ask for go 1.26+; use the pinned toolchain (fetched from the Go proxy).
export GOTOOLCHAIN=go1.27.3 GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
mkdir -p "$K8S_BIN" "$K8S_IMAGES" "$K8S_TOOLS/src" "$K8S_TOOLS/logs"

log() { echo "[build $(date +%T)] $*"; }

# Runs a build command with its output in a log file; prints the log's tail on failure.
run_logged() {
  local name=$1; shift
  local logf="$K8S_TOOLS/logs/$name.log" t0=$SECONDS
  if ! "$@" >"$logf" 2>&1; then
    tail -n 30 "$logf"; log "$name FAILED (log: $logf)"; return 1
  fi
  log "$name done in $((SECONDS - t0))s"
}

# `go mod download` a module and print its directory in the (read-only) module cache.
module_dir() {
  (cd /tmp && go mod download -json "$1" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
}
module_commit() {
  (cd /tmp && go mod download -json "$1" | sed -n 's/^\s*"Hash": "\(.*\)",\?$/\1/p' | head -n1)
}

# A writable copy of a module (the module cache is read-only, and go.mod needs edits).
copy_module() {
  local src=$1 dst=$2
  if [ ! -f "$dst/.copied" ]; then
    rm -rf "$dst"; mkdir -p "$dst"
    cp -r "$src/." "$dst"; chmod -R u+w "$dst"
    touch "$dst/.copied"
  fi
}

step_apt() {
  local missing=()
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  command -v conntrack >/dev/null || missing+=(conntrack)
  command -v socat >/dev/null || missing+=(socat)
  command -v ebtables >/dev/null || missing+=(ebtables)
  command -v iptables >/dev/null || missing+=(iptables)
  # nft: cluster-down deletes the (empty) netfilter tables kube-proxy/kubelet created.
  command -v nft >/dev/null || missing+=(nftables)
  command -v gcc >/dev/null || missing+=(gcc libc6-dev)
  command -v nsenter >/dev/null || missing+=(util-linux)
  command -v ip >/dev/null || missing+=(iproute2)
  if ((${#missing[@]} == 0)); then log "apt: all packages present"; return; fi
  log "apt: installing ${missing[*]}"
  # policy-rc.d on this machine stops the packages' services from starting; we start our own.
  run_logged apt bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}"
}

# Helm: the same build the chart checks use (scripts/setup.sh runs it too).
step_helm() {
  bash "$REPO_ROOT/scripts/setup-helm.sh"
}

# k8s.io/kubernetes replaces k8s.io/* with ./staging/..., which the module zip lacks:
# drop the replace block and go.work, and require the published v0.37.x staging modules.
prepare_kubernetes_src() {
  local src="$K8S_TOOLS/src/kubernetes-$K8S_VERSION"
  local staging="v0.${K8S_VERSION#v1.}"
  copy_module "$(module_dir "k8s.io/kubernetes@$K8S_VERSION")" "$src"
  if [ ! -f "$src/.patched" ]; then
    rm -f "$src/go.work" "$src/go.work.sum"
    sed -i '/^replace (/,/^)/d' "$src/go.mod"
    sed -i -E "s#^(\s+k8s\.io/[a-z0-9-]+) v0\.0\.0\$#\1 $staging#" "$src/go.mod"
    ! grep -q ' v0\.0\.0$' "$src/go.mod" || { grep ' v0\.0\.0$' "$src/go.mod"; return 1; }
    touch "$src/.patched"
  fi
  echo "$src"
}

k8s_ldflags() {
  local major=1 minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local commit; commit=$(module_commit "k8s.io/kubernetes@$K8S_VERSION")
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld+=" -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  echo "$ld"
}

k8s_binary_ok() {
  local b="$K8S_BIN/$1"
  [ -x "$b" ] || return 1
  # Output captured first: `grep -q` exiting early would SIGPIPE the binary under pipefail.
  local out
  if [ "$1" = kubectl ]; then out=$("$b" version --client 2>/dev/null) || return 1
  else out=$("$b" --version 2>/dev/null) || return 1; fi
  grep -qE "^(Client Version: |Kubernetes )$K8S_VERSION\$" <<<"$out"
}

step_kubernetes() {
  local todo=() b
  # kube-apiserver first: the longest, and what a server-side-validation-only test needs.
  for b in kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy; do
    k8s_binary_ok "$b" || todo+=("$b")
  done
  if ((${#todo[@]} == 0)); then log "kubernetes $K8S_VERSION binaries present"; return; fi
  local src ld; src=$(prepare_kubernetes_src); ld=$(k8s_ldflags)
  for b in "${todo[@]}"; do
    log "building $b $K8S_VERSION (cold: apiserver ~8.5 min, the others ~1-2 min each)"
    (cd "$src" && run_logged "$b" go build -trimpath -ldflags "$ld" -o "$K8S_BIN/$b.tmp" "./cmd/$b")
    mv "$K8S_BIN/$b.tmp" "$K8S_BIN/$b"
    k8s_binary_ok "$b" || { log "$b does not report $K8S_VERSION"; return 1; }
  done
}

step_coredns() {
  if [ -x "$K8S_BIN/coredns" ] && "$K8S_BIN/coredns" -version 2>/dev/null | grep "CoreDNS-${COREDNS_TAG#v}$" >/dev/null; then
    log "coredns $COREDNS_TAG present"; return
  fi
  log "building coredns $COREDNS_TAG (~4 min cold)"
  local dir commit
  dir=$(module_dir "github.com/coredns/coredns@$COREDNS_TAG")
  commit=$(module_commit "github.com/coredns/coredns@$COREDNS_TAG")
  commit=${commit:0:7}; commit=${commit:-$COREDNS_TAG}   # the proxy may not record it
  copy_module "$dir" "$K8S_TOOLS/src/coredns-$COREDNS_TAG"
  (cd "$K8S_TOOLS/src/coredns-$COREDNS_TAG" &&
    run_logged coredns go build -trimpath -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$commit" \
      -o "$K8S_BIN/coredns.tmp" .)
  mv "$K8S_BIN/coredns.tmp" "$K8S_BIN/coredns"
}

# crictl: lets cluster-down remove pod sandboxes through CRI (CNI DEL: veths, IPs, hostport rules).
step_crictl() {
  if [ -x "$K8S_BIN/crictl" ] && "$K8S_BIN/crictl" --version 2>/dev/null | grep "${CRICTL_TAG}$" >/dev/null; then
    log "crictl $CRICTL_TAG present"; return
  fi
  log "building crictl $CRICTL_TAG (~1-2 min cold)"
  local dir; dir=$(module_dir "sigs.k8s.io/cri-tools@$CRICTL_TAG")
  copy_module "$dir" "$K8S_TOOLS/src/cri-tools-$CRICTL_TAG"
  (cd "$K8S_TOOLS/src/cri-tools-$CRICTL_TAG" &&
    run_logged crictl go build -trimpath -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_TAG" \
      -o "$K8S_BIN/crictl.tmp" ./cmd/crictl)
  mv "$K8S_BIN/crictl.tmp" "$K8S_BIN/crictl"
}

# Writes a one-layer image as a `docker save` (docker-archive) tarball from a root directory:
# both `ctr images import` and `docker load` take it, so no Docker engine is needed.
# make_image <rootfs-dir> <name:tag> <out.tar> <entrypoint-json-array>
make_image() {
  local rootfs=$1 ref=$2 out=$3 entry=$4
  local tmp; tmp=$(mktemp -d)
  # Reproducible layer: sorted names, fixed times and owners; / readable by any user.
  chmod 0755 "$rootfs"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$tmp/layer.tar" .
  local diff; diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  mkdir "$tmp/$diff"; mv "$tmp/layer.tar" "$tmp/$diff/layer.tar"
  printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\",\"config\":{\"Entrypoint\":$entry,\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]},\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"tests/kubernetes/build-cluster.sh\"}]}" >"$tmp/config.json"
  local cfg; cfg=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
  mv "$tmp/config.json" "$tmp/$cfg.json"
  printf '%s' "[{\"Config\":\"$cfg.json\",\"RepoTags\":[\"$ref\"],\"Layers\":[\"$diff/layer.tar\"]}]" >"$tmp/manifest.json"
  printf '%s' "{\"${ref%:*}\":{\"${ref##*:}\":\"$cfg\"}}" >"$tmp/repositories"
  # Top-level names without "./": importers look up "manifest.json" literally.
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp" -cf "$out.tmp" \
    manifest.json repositories "$cfg.json" "$diff"
  mv "$out.tmp" "$out"
  rm -rf "$tmp"
}

step_images() {
  local src="$K8S_TOOLS/src/kubernetes-$K8S_VERSION"
  if [ ! -f "$K8S_IMAGES/pause.tar" ] || [ ! -f "$K8S_IMAGES/pause.ref" ] || [ "$(cat "$K8S_IMAGES/pause.ref")" != "$PAUSE_IMAGE" ]; then
    log "building $PAUSE_IMAGE from build/pause/linux/pause.c"
    local pause_c; pause_c="$(module_dir "k8s.io/kubernetes@$K8S_VERSION")/build/pause/linux/pause.c"
    local root; root=$(mktemp -d)
    # Static, as upstream's Makefile builds it; VERSION is printed by `pause -v`.
    gcc -Os -Wall -Werror -static -DVERSION="v3.10-otel-demo" -o "$root/pause" "$pause_c"
    strip "$root/pause"
    make_image "$root" "$PAUSE_IMAGE" "$K8S_IMAGES/pause.tar" '["/pause"]'
    echo "$PAUSE_IMAGE" >"$K8S_IMAGES/pause.ref"
    rm -rf "$root"
  else log "$PAUSE_IMAGE present"; fi
  if [ ! -f "$K8S_IMAGES/coredns.tar" ] || [ "$(cat "$K8S_IMAGES/coredns.ref" 2>/dev/null)" != "$COREDNS_IMAGE" ] ||
     [ "$K8S_BIN/coredns" -nt "$K8S_IMAGES/coredns.tar" ]; then
    log "building $COREDNS_IMAGE"
    local root; root=$(mktemp -d)
    cp "$K8S_BIN/coredns" "$root/coredns"
    mkdir -p "$root/etc"
    make_image "$root" "$COREDNS_IMAGE" "$K8S_IMAGES/coredns.tar" '["/coredns"]'
    echo "$COREDNS_IMAGE" >"$K8S_IMAGES/coredns.ref"
    rm -rf "$root"
  else log "$COREDNS_IMAGE present"; fi
  # Also load them into Docker when an engine runs (handy for `docker run`; not required).
  if timeout 5 docker info >/dev/null 2>&1; then
    docker image inspect "$PAUSE_IMAGE" >/dev/null 2>&1 || docker load -i "$K8S_IMAGES/pause.tar"
    docker image inspect "$COREDNS_IMAGE" >/dev/null 2>&1 || docker load -i "$K8S_IMAGES/coredns.tar"
  fi
}

steps=("$@")
((${#steps[@]})) || steps=(apt helm kubernetes crictl coredns images)
t_all=$SECONDS
for s in "${steps[@]}"; do
  t0=$SECONDS
  "step_$s"
  log "step $s: $((SECONDS - t0))s"
done
log "all done in $((SECONDS - t_all))s; binaries in $K8S_BIN"
