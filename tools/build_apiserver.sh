#!/usr/bin/env bash
# Build a real kube-apiserver and its store (etcd) from the Go module proxy, for the tests marked
# `real_apiserver` (tests/support/real_apiserver.py). The modules under tools/apiserver/ pin one Kubernetes
# release (every k8s.io staging module replaced by the matching v0.x, as projects importing Kubernetes do) and
# one etcd; the binaries go to a cache folder outside the repository and are reused when present.
#
#   tools/build_apiserver.sh          build when missing, print the folder
#   tools/build_apiserver.sh --print  print the folder only
#
# WAVECD_APISERVER_DIR overrides the folder. Two build jobs (-p 2): the machines are shared 2-core ones.
set -euo pipefail
here="$(cd "$(dirname "$0")/apiserver" && pwd)"
version="$(awk '{ for (i = 1; i < NF; i++) if ($i == "k8s.io/kubernetes") { print $(i + 1); exit } }' "$here/kube/go.mod")"
[ -n "$version" ] || { echo "no k8s.io/kubernetes version in $here/kube/go.mod" >&2; exit 1; }
out="${WAVECD_APISERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wavecd/apiserver/$version}"
if [ "${1:-}" = "--print" ]; then
  echo "$out"
  exit 0
fi
if [ -x "$out/kube-apiserver" ] && [ -x "$out/etcd" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=0
# name, module folder, package
for target in "kube-apiserver kube k8s.io/kubernetes/cmd/kube-apiserver" "etcd store go.etcd.io/etcd/server/v3"; do
  set -- $target
  [ -x "$out/$1" ] && continue
  # A copy, so that -mod=mod can never rewrite the committed go.mod/go.sum.
  cp -r "$here/$2" "$work/$2"
  start=$SECONDS
  (cd "$work/$2" && go build -p 2 -trimpath -ldflags='-s -w' -o "$work/$1" "$3") >&2
  mv "$work/$1" "$out/$1"
  echo "built $1 ($version) in $((SECONDS - start)) s: $(du -h "$out/$1" | cut -f1)" >&2
done
echo "$out"
