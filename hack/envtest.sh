#!/usr/bin/env bash
# Provides a directory with etcd, kube-apiserver and kube-controller-manager for the
# real-API-server test tier and prints its path on stdout (progress goes to stderr).
#
#   export KUBEBUILDER_ASSETS="$(hack/envtest.sh)"
#
# Order of preference:
#   1. KUBEBUILDER_ASSETS, when it already names a complete directory;
#   2. the cache (~/.cache/datacluster/envtest/k8s-<version>), filled by an earlier run;
#   3. on Debian: etcd from bookworm's etcd-server package, kube-apiserver and
#      kube-controller-manager compiled from bookworm's kubernetes source package with Go 1.15
#      from bullseye (newer Go builds it, but the result crashes at run time in the vendored
#      reflect2).
# Step 3 changes nothing in the system and needs neither root nor sudo: apt, with a
# configuration of its own (hack/lib/apt.sh), fetches the packages into a build directory in
# the cache, where they are unpacked and the build runs; the build directory (about 2 GB by
# the end) is removed once the binaries are in place. Details go to envtest.log beside the
# assets, whose tail is printed when a step fails.
# Safe to run repeatedly: a second run only checks the cache, a run after a failed one resumes,
# and a run that finds another one building waits for it.
set -euo pipefail

K8S_VERSION=1.20.2
CACHE_ROOT="${DATACLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datacluster}"
ENVTEST="$CACHE_ROOT/envtest"
ASSETS="$ENVTEST/k8s-$K8S_VERSION"
WORK="$ENVTEST/build"
LOG="$ENVTEST/envtest.log"
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
source "$(dirname "$0")/lib/apt.sh"
apt_private_possible ||
    die "building the assets needs apt-get, dpkg-deb and $DEBIAN_KEYRING (package debian-archive-keyring).
Or set KUBEBUILDER_ASSETS to a directory holding ${BINARIES[*]} and run again."

mkdir -p "$ENVTEST"
exec 9>"$ENVTEST/.lock"
if ! flock -n 9; then
    say "another run is building the assets; waiting for it"
    flock 9
    if complete "$ASSETS"; then
        say "using cached assets in $ASSETS"
        echo "$ASSETS"
        exit 0
    fi
fi

: >"$LOG"
on_exit() {
    local rc=$?
    (( rc == 0 )) && return
    if (( rc == 130 || rc == 143 )); then
        say "interrupted"
    else
        say "failed; details in $LOG, which ends with:"
        tail -n 25 "$LOG" | sed 's/^/    /' >&2
    fi
    say "what was done stays in $WORK; a new run goes on from the last step that completed"
}
trap on_exit EXIT
# Without these bash would die of the signal without running the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM
# step N WHAT [NOTE]
step() { say "$2 ($1/4${3:+, $3})"; echo "=== $2" >>"$LOG"; }

ROOT="$WORK/root"                 # the unpacked .deb files
GO_ROOT="$ROOT/usr/lib/go-1.15"
SRC="$WORK/kubernetes"

say "building the assets into $ASSETS; details in $LOG"
if [[ ! -f "$WORK/fetched" ]]; then
    rm -rf "$WORK"
    mkdir -p "$WORK"
    step 1 "fetching Debian's package lists"
    apt_private_init "$WORK/apt" "deb bookworm" "deb-src bookworm" "deb bullseye"
    apt_private_update >>"$LOG" 2>&1

    step 2 "fetching etcd-server, Go 1.15 and the kubernetes source package"
    debs=(etcd-server/bookworm golang-1.15-go/bullseye golang-1.15-src/bullseye)
    # Tools for unpacking and building that a minimal Debian lacks; used only from here.
    command -v make >/dev/null || debs+=(make/bookworm)
    command -v patch >/dev/null || debs+=(patch/bookworm)
    command -v xz >/dev/null || debs+=(xz-utils/bookworm)
    apt_fetch_debs "$WORK/debs" "${debs[@]}" >>"$LOG" 2>&1
    apt_fetch_source "$WORK/source" kubernetes/bookworm >>"$LOG" 2>&1
    touch "$WORK/fetched"
fi
# The system's tools first; those fetched above fill the gaps.
export PATH="$PATH:$ROOT/usr/bin"

if [[ ! -f "$WORK/unpacked" ]]; then
    step 3 "unpacking"
    rm -rf "$ROOT" "$SRC"
    deb_unpack "$ROOT" "$WORK"/debs/*.deb >>"$LOG" 2>&1
    source_unpack "$SRC" "$WORK"/source/*.dsc >>"$LOG" 2>&1
    touch "$WORK/unpacked"
fi
go_version=$(GOROOT="$GO_ROOT" "$GO_ROOT/bin/go" version 2>>"$LOG") ||
    die "the unpacked Go does not run: $GO_ROOT/bin/go version failed"
[[ "$go_version" == "go version go1.15."* ]] || die "expected Go 1.15 in $GO_ROOT, found: $go_version"

# Built the way Debian's debian/rules does: a GOPATH layout and the tree's own make, cgo off.
# Every cache and setting Go would keep in the home directory stays in the build directory.
step 4 "compiling kube-apiserver and kube-controller-manager with Go 1.15" "about 10 minutes"
# A failed build leaves outputs that make would take as up to date; Go's cache keeps a new
# build quick.
rm -rf "$SRC/_output"
mkdir -p "$SRC/.go/src/k8s.io" "$WORK/home" "$WORK/bin"
ln -sfn ../../.. "$SRC/.go/src/k8s.io/kubernetes"
# The build calls rsync once, to copy each binary it built (code generators first, which it
# then runs) into _output/bin. Without rsync, a stand-in makes that copy; rsync's package would
# bring libraries a minimal Debian lacks.
if ! command -v rsync >/dev/null; then
    cat >"$WORK/bin/rsync" <<'RSYNC'
#!/bin/sh
# Stand-in for the one call in hack/lib/golang.sh (kube::golang::place_bins): rsync -pc FILE DIR
if [ "$#" -ne 3 ] || [ "$1" != -pc ] || [ ! -d "$3" ]; then
    echo "rsync stand-in: unexpected call: rsync $*" >&2
    exit 1
fi
exec cp -p "$2" "$3/"
RSYNC
    chmod +x "$WORK/bin/rsync"
fi
(
    cd "$SRC"
    env GOROOT="$GO_ROOT" PATH="$GO_ROOT/bin:$PATH:$WORK/bin" GOPATH="$SRC/.go" GOCACHE="$WORK/go-cache" \
        GOENV=off GOFLAGS= GO111MODULE= GOPROXY=off CGO_ENABLED=0 HOME="$WORK/home" \
        make WHAT="cmd/kube-apiserver cmd/kube-controller-manager"
) >>"$LOG" 2>&1
BUILT="$SRC/_output/bin"

STAGE="$ASSETS.partial"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$BUILT/kube-apiserver" "$BUILT/kube-controller-manager" "$ROOT/usr/bin/etcd" "$STAGE/"
for b in "${BINARIES[@]}"; do
    "$STAGE/$b" --version >>"$LOG" 2>&1 || die "$b was built but does not run: $STAGE/$b --version failed"
done
rm -rf "$ASSETS"
mv "$STAGE" "$ASSETS"
# The source tree, Go and its build cache take about 2 GB; the binaries are all we keep.
# Removing that many files can take a few minutes on a busy disk, hence the word before.
say "assets ready in $ASSETS; removing the build directory"
rm -rf "$WORK"
echo "$ASSETS"
