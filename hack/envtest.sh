#!/usr/bin/env bash
# Provides a directory with etcd, kube-apiserver and kube-controller-manager for the
# real-API-server test tier and prints its path on stdout (progress goes to stderr).
#
#   export KUBEBUILDER_ASSETS="$(hack/envtest.sh)"
#
# Order of preference:
#   1. KUBEBUILDER_ASSETS, when it already names a complete directory;
#   2. the cache (~/.cache/datacluster/envtest/k8s-<version>), filled by an earlier run;
#   3. on Debian: etcd from the etcd-server package, kube-apiserver and
#      kube-controller-manager compiled from Debian's kubernetes source package with Go 1.15
#      (newer Go builds it, but the result crashes at run time in the vendored reflect2).
# Safe to run repeatedly; a second run only checks the cache.
set -euo pipefail

K8S_VERSION=1.20.2
CACHE_ROOT="${DATACLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datacluster}"
ASSETS="$CACHE_ROOT/envtest/k8s-$K8S_VERSION"
WORK="$CACHE_ROOT/envtest/build"
GO_DIR=/usr/lib/go-1.15/bin
BINARIES=(etcd kube-apiserver kube-controller-manager)

say() { echo "envtest: $*" >&2; }
die() { echo "envtest: error: $*" >&2; exit 1; }

complete() {
    local dir="$1" b
    [[ -n "$dir" && -d "$dir" ]] || return 1
    for b in "${BINARIES[@]}"; do [[ -x "$dir/$b" ]] || return 1; done
}

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
    if complete "$KUBEBUILDER_ASSETS"; then
        say "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
        echo "$KUBEBUILDER_ASSETS"
        exit 0
    fi
    say "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of: ${BINARIES[*]}; building our own"
fi

if complete "$ASSETS"; then
    say "using cached assets in $ASSETS"
    echo "$ASSETS"
    exit 0
fi

if [[ ! -f /etc/debian_version ]]; then
    die "no cached assets and this is not Debian, so they cannot be built here.
Set KUBEBUILDER_ASSETS to a directory holding ${BINARIES[*]}
(for example from 'setup-envtest use 1.20.x -p path') and run again."
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "installing packages needs root or sudo"
    SUDO="sudo"
fi

apt_sources_changed=false
SOURCES=/etc/apt/sources.list.d/datacluster-envtest.sources
if [[ ! -f "$SOURCES" ]]; then
    say "adding Debian bookworm deb-src and bullseye (for golang-1.15-go, pinned low) to apt sources"
    $SUDO tee "$SOURCES" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian
Suites: bullseye
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    # Only golang-1.15-go is wanted from bullseye; nothing else may be upgraded from it.
    $SUDO tee /etc/apt/preferences.d/datacluster-envtest >/dev/null <<'PIN'
Package: *
Pin: release n=bullseye
Pin-Priority: 100
PIN
    apt_sources_changed=true
fi

need_packages=()
command -v etcd >/dev/null || need_packages+=(etcd-server)
command -v rsync >/dev/null || need_packages+=(rsync)
command -v make >/dev/null || need_packages+=(make)
command -v dpkg-source >/dev/null || need_packages+=(dpkg-dev)
if (( ${#need_packages[@]} > 0 )) || [[ ! -x "$GO_DIR/go" ]] || $apt_sources_changed; then
    say "apt-get update"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
fi
if (( ${#need_packages[@]} > 0 )); then
    say "installing ${need_packages[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >&2
fi
if [[ ! -x "$GO_DIR/go" ]]; then
    say "installing golang-1.15-go from bullseye"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bullseye golang-1.15-go >&2
fi

mkdir -p "$WORK"
SRC_DIR=$(find "$WORK" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
if [[ -z "$SRC_DIR" || ! -f "$SRC_DIR/debian/rules" ]]; then
    say "fetching Debian's kubernetes source package into $WORK"
    # The sandbox user _apt cannot write into a cache under $HOME; root fetches directly.
    ( cd "$WORK" && apt-get source -qq -o APT::Sandbox::User=root kubernetes >&2 )
    SRC_DIR=$(find "$WORK" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
    [[ -n "$SRC_DIR" ]] || die "apt-get source kubernetes produced no source tree"
fi

# Build the way debian/rules does: a GOPATH layout and the tree's own make, cgo off.
say "building kube-apiserver and kube-controller-manager in $SRC_DIR (about 5-10 minutes)"
mkdir -p "$SRC_DIR/.go/src/k8s.io"
ln -sfn ../../.. "$SRC_DIR/.go/src/k8s.io/kubernetes"
(
    cd "$SRC_DIR"
    env GOPATH="$SRC_DIR/.go" PATH="$GO_DIR:$PATH" CGO_ENABLED=0 HOME="$WORK/home" \
        GOFLAGS= GO111MODULE= \
        make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >&2
)

STAGE="$ASSETS.partial"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$SRC_DIR/_output/bin/kube-apiserver" "$SRC_DIR/_output/bin/kube-controller-manager" "$STAGE/"
cp "$(command -v etcd)" "$STAGE/etcd"
for b in "${BINARIES[@]}"; do
    "$STAGE/$b" --version >/dev/null 2>&1 || die "$b was built but does not run: $STAGE/$b --version failed"
done
rm -rf "$ASSETS"
mv "$STAGE" "$ASSETS"
# The source tree and Go build cache take about 2 GB; the binaries are all we keep.
rm -rf "$WORK"
say "assets ready in $ASSETS"
echo "$ASSETS"
