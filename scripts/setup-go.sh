#!/usr/bin/env bash
# Puts a Go that can build the collector first on PATH, for setup-collector.sh, which
# sources this file (run on its own, it only installs Go and says where).
#   - A `go` already on PATH is kept when it is at least the newest `go` line of the go.mod
#     files of the collector builder (go.opentelemetry.io/collector/cmd/builder) and of the
#     components in collector/builder-config.yaml, all at COLLECTOR_VERSION of .env. Those
#     go.mod files are read from the Go module proxy.
#   - Otherwise Go GO_VERSION of .env is installed into .tools/go (GO_INSTALL_DIR overrides
#     that) and .tools/go/bin is put first on PATH. Debian bookworm's golang-go is 1.19: too
#     old for the builder, and too old to fetch a newer Go by itself (GOTOOLCHAIN is 1.21+).
# The download is the artifact GOTOOLCHAIN=go<version> fetches: module golang.org/toolchain,
# version v0.0.1-go<version>.linux-<arch>, a zip from the first URL of GOPROXY (default
# https://proxy.golang.org). It is reused from the Go module cache when it is there, and is
# checked against the h1: hash the checksum database sum.golang.org records for it, asked
# through the proxy like the go command does (or directly when the proxy does not serve it;
# the record only: the tree signature and inclusion proof the go command also checks are
# not); GOSUMDB=off skips that with a warning. Needs curl and unzip, installed with apt-get when
# missing (neither is in a minimal Debian).

_setup_go_main() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local COLLECTOR_VERSION GO_VERSION
  COLLECTOR_VERSION=$(sed -n 's/^COLLECTOR_VERSION=//p' "$root/.env")
  GO_VERSION=$(sed -n 's/^GO_VERSION=//p' "$root/.env")
  [ -n "$COLLECTOR_VERSION" ] && [ -n "$GO_VERSION" ] || { echo "setup-go: .env has no COLLECTOR_VERSION or GO_VERSION" >&2; return 1; }
  local install_dir=${GO_INSTALL_DIR:-$root/.tools/go}
  case $install_dir in /*) ;; *) install_dir=$PWD/$install_dir ;; esac

  _setup_go_packages "$root" || return 1

  # The first GOPROXY entry that is a URL; "direct" cannot serve the toolchain zip (the go
  # command asks proxy.golang.org for it then too), "off" forbids downloading.
  local proxy="" entry
  for entry in $(printf '%s' "${GOPROXY:-https://proxy.golang.org}" | tr ',|' '  '); do
    case $entry in http://* | https://* | file://*) proxy=${entry%/}; break ;; off) break ;; esac
  done
  if [ -z "$proxy" ] && [ "$entry" != off ]; then proxy=https://proxy.golang.org; fi

  local required="" have
  [ -z "$proxy" ] || required=$(_setup_go_required "$root" "$proxy" "$COLLECTOR_VERSION") || required=""
  have=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null) || have=""
  have=${have#go}
  if [ -n "$have" ]; then
    if [ -z "$required" ]; then
      echo "setup-go: could not read the collector's go.mod files from ${proxy:-the Go module proxy (GOPROXY=off)}; using the go on PATH (go$have)"
      return 0
    fi
    if _setup_go_at_least "$have" "$required"; then
      echo "setup-go: go$have on PATH ($(command -v go)) is new enough (the collector needs go$required)"
      return 0
    fi
    echo "setup-go: go$have on PATH ($(command -v go)) is older than the go$required the collector needs"
  fi
  if [ -z "$required" ] && [ -n "$proxy" ]; then
    echo "setup-go: could not read the collector's go.mod files from $proxy; installing Go $GO_VERSION without checking it against them" >&2
  elif [ -n "$required" ] && ! _setup_go_at_least "$GO_VERSION" "$required"; then
    echo "setup-go: GO_VERSION=$GO_VERSION of .env is older than the go$required the collector $COLLECTOR_VERSION needs: raise it" >&2
    return 1
  fi

  if [ "$("$install_dir/bin/go" env GOVERSION 2>/dev/null)" != "go$GO_VERSION" ]; then
    [ -n "$proxy" ] || { echo "setup-go: no usable go on PATH, and GOPROXY=off forbids downloading Go $GO_VERSION" >&2; return 1; }
    _setup_go_install "$proxy" "$GO_VERSION" "$install_dir" || return 1
  fi
  export PATH="$install_dir/bin:$PATH"
  # This Go is the one to use: no switching to another toolchain behind our back, and no
  # GOROOT of another Go (it finds its own from where its binary is).
  export GOTOOLCHAIN=local
  unset GOROOT
  echo "setup-go: using $("$install_dir/bin/go" version) from $install_dir"
}

# curl, unzip and CA certificates, the way setup.sh installs Debian packages.
_setup_go_packages() {
  local root=$1 missing=()
  command -v curl >/dev/null || missing+=(curl)
  command -v unzip >/dev/null || missing+=(unzip)
  [ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  ((${#missing[@]})) || return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup-go: installing ${missing[*]} (apt log: .tools/apt-go.log)"
  mkdir -p "$root/.tools"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > "$root/.tools/apt-go.log" 2>&1; then
    tail -n 20 "$root/.tools/apt-go.log" >&2
    return 1
  fi
}

# The newest `go` line of the builder's go.mod and of the manifest's components' go.mod files.
_setup_go_required() {
  local root=$1 proxy=$2 version=$3 urls=() module
  urls+=("$proxy/go.opentelemetry.io/collector/cmd/builder/@v/v$version.mod")
  for module in $(sed -n 's/^\s*-\s*gomod:\s*\(\S\+\)\s\+\(\S\+\).*/\1@\2/p' "$root/collector/builder-config.yaml"); do
    # The proxy's paths spell capital letters as !lowercase (module paths here have none, but still).
    module=$(printf '%s' "$module" | sed 's/[A-Z]/!\L&/g')
    urls+=("$proxy/${module%@*}/@v/${module#*@}.mod")
  done
  local gomods
  gomods=$(curl -fsL --fail-early --retry 2 --max-time 60 "${urls[@]}") || return 1
  printf '%s\n' "$gomods" | sed -n 's/^go \([0-9][0-9.]*\)\s*$/\1/p' | sort -V | tail -n 1 | grep .
}

# Is version $1 at least $2? (Go versions without the "go": 1.25, 1.25.7; 1.25 = 1.25.0.)
_setup_go_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

_setup_go_install() {
  local proxy=$1 version=$2 install_dir=$3 arch
  case $(uname -m) in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    armv6l | armv7l | armv8l) arch=armv6l ;;
    i386 | i686) arch=386 ;;
    ppc64le) arch=ppc64le ;;
    s390x) arch=s390x ;;
    riscv64) arch=riscv64 ;;
    loongarch64) arch=loong64 ;;
    *) echo "setup-go: no Go toolchain for $(uname -m)" >&2; return 1 ;;
  esac
  local module_version=v0.0.1-go$version.linux-$arch
  local parent
  parent=$(dirname "$install_dir")
  mkdir -p "$parent"
  local work
  work=$(mktemp -d "$parent/.go-install.XXXXXX") || return 1
  # A subshell, so that its EXIT trap cleans up without touching the caller's traps. Every
  # step checks its own status: `set -e` does nothing here, since the caller runs this
  # function in an `||` list, where bash ignores it (in subshells too).
  (
    set -o pipefail
    trap 'rm -rf "$work"' EXIT
    fail() { echo "setup-go: $*" >&2; exit 1; }
    zip=$work/toolchain.zip
    # The Go module cache, where GOTOOLCHAIN and `go mod download` leave this zip.
    gopath=${GOPATH:-${HOME:-}/go}
    cached=${GOMODCACHE:-${gopath%%:*}/pkg/mod}/cache/download/golang.org/toolchain/@v/$module_version.zip
    if [ -s "$cached" ]; then
      echo "setup-go: Go $version from the module cache ($cached)"
      cp "$cached" "$zip" || fail "cannot copy $cached"
    else
      echo "setup-go: downloading Go $version (golang.org/toolchain@$module_version from $proxy)"
      curl -fsSL --retry 2 --max-time 600 -o "$zip" "$proxy/golang.org/toolchain/@v/$module_version.zip" ||
        fail "cannot download golang.org/toolchain@$module_version from $proxy"
    fi
    mkdir "$work/x" && (cd "$work/x" && unzip -q "$zip") || fail "cannot unzip golang.org/toolchain@$module_version"
    top=golang.org/toolchain@$module_version
    [ -x "$work/x/$top/bin/go" ] || fail "the zip has no $top/bin/go"

    # The checksum database's h1: hash (golang.org/x/mod/sumdb/dirhash Hash1): the SHA-256 of
    # the lines "<sha256 of the file>  <name in the zip>" for every file, sorted by name.
    if [ "${GOSUMDB:-}" = off ]; then
      echo "setup-go: GOSUMDB=off: the zip is not checked against the checksum database" >&2
    else
      lookup=sumdb/sum.golang.org/lookup/golang.org/toolchain@$module_version
      record=$(curl -fsSL --retry 2 --max-time 60 "$proxy/$lookup" 2>/dev/null ||
        curl -fsSL --retry 2 --max-time 60 "https://${lookup#sumdb/}") || fail "cannot reach sum.golang.org (through $proxy or directly)"
      want=$(printf '%s\n' "$record" | sed -n "s|^golang.org/toolchain $module_version h1:\(\S*\)\$|\1|p")
      [ -n "$want" ] || fail "sum.golang.org has no hash for golang.org/toolchain@$module_version"
      sums=$(cd "$work/x" && find golang.org -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) || fail "cannot hash the zip's files"
      # sha256sum escapes a name with a backslash or newline, which Hash1 does not.
      ! grep -q '^\\' <<<"$sums" || fail "a file name in the zip needs escaping, cannot hash it"
      hex=$(printf '%s\n' "$sums" | sha256sum | cut -d' ' -f1)
      got=$(printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base64)
      [ "$got" = "$want" ] || fail "golang.org/toolchain@$module_version hashes to h1:$got, sum.golang.org says h1:$want"
      echo "setup-go: h1:$got matches sum.golang.org"
    fi
    rm -rf "$install_dir" && mv "$work/x/$top" "$install_dir" || fail "cannot move Go into $install_dir"
  )
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  _setup_go_main
else
  _setup_go_main || return 1
fi
