#!/usr/bin/env bash
# Rewrites DataCluster.slnx to list every project in the repository, sorted.
set -euo pipefail
cd "$(dirname "$0")/.."
{
    echo "<Solution>"
    git ls-files --cached --others --exclude-standard '*.csproj' | sort | sed 's#.*#  <Project Path="&" />#'
    echo "</Solution>"
} > DataCluster.slnx
