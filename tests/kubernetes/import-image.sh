#!/usr/bin/env bash
# Copies images from the local Docker engine into the cluster's containerd (namespace k8s.io),
# where the kubelet finds them: nothing is ever pulled, so pods must use these exact tags
# (with imagePullPolicy IfNotPresent or Never; `:latest` defaults to Always, so avoid it).
# Usage: import-image.sh <image:tag>...     (or a `docker save` tarball path ending in .tar)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/env.sh"
(($#)) || { echo "usage: $0 <image:tag>... | <image.tar>..."; exit 2; }
[ -S "$CONTAINERD_SOCK" ] || { echo "the cluster's containerd is not running (run cluster-up.sh)"; exit 1; }
ctr() { command ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

images=()
for ref in "$@"; do
  if [ -f "$ref" ]; then
    ctr images import "$ref"
  else
    docker image inspect "$ref" >/dev/null || { echo "no image $ref in Docker"; exit 1; }
    images+=("$ref")
  fi
done
# One `docker save` for all: layers the images share (the Node base) travel once.
# --platform: only the local platform's layers are in Docker; don't ask for the others.
if ((${#images[@]})); then docker save "${images[@]}" | ctr images import --platform linux/amd64 -; fi
# What the kubelet now sees (the same store CRI uses).
ctr images ls -q | grep -v '^sha256:' | sort
