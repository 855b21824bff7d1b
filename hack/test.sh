#!/usr/bin/env bash
# Runs every test project and ends with one summary line over all of them:
#   N passed, N failed, N skipped
# Exits non-zero when anything failed, including a project that did not build or run.
set -uo pipefail
cd "$(dirname "$0")/.."

RESULTS=artifacts/test-results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

if [[ -z "${DATACLUSTER_SKIP_ENVTEST:-}" ]]; then
    if assets=$(hack/envtest.sh); then
        export KUBEBUILDER_ASSETS="$assets"
    elif [[ "${CI:-}" == "true" ]]; then
        echo "test: the real-API-server assets could not be provided; under CI=true that is a failure" >&2
        echo "0 passed, 1 failed"
        exit 1
    else
        echo "test: no real-API-server assets; tests that need them will be skipped" >&2
    fi
fi

if tools=$(hack/tools.sh); then
    export DATACLUSTER_TOOLS="$tools"
    export PATH="$tools:$PATH"
elif [[ "${CI:-}" == "true" ]]; then
    echo "test: kubectl and helm could not be provided; under CI=true that is a failure" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

# Lua runs the Argo CD health check in tests/Chart.Tests.
if lua=$(hack/lua.sh); then
    export DATACLUSTER_LUA="$lua"
elif [[ "${CI:-}" == "true" ]]; then
    echo "test: Lua could not be provided; under CI=true that is a failure" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

if ! dotnet build DataCluster.slnx -c Release -nologo -v quiet; then
    echo "test: build failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

# The agent ships as a Native AOT executable; tests run the published binary. Make publishes it
# the way `make publish-agent` does (AOT and trim warnings are errors there too; the C toolchain
# for the link comes from hack/native-toolchain.sh), and only when a source it is built from
# changed: compiling it to native code takes minutes.
if ! make --no-print-directory artifacts/agent/datacluster-agent >&2; then
    echo "test: publishing the native agent failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
export DATACLUSTER_AGENT_BINARY="$PWD/artifacts/agent/datacluster-agent"

# The operator as its image ships it (trimmed like the agent); tests/Chart.Tests runs it.
if ! make --no-print-directory artifacts/operator/datacluster-operator >&2; then
    echo "test: publishing the trimmed operator failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
export DATACLUSTER_OPERATOR_BINARY="$PWD/artifacts/operator/datacluster-operator"

passed=0 failed=0 skipped=0 broken=0
mapfile -t projects < <(find tests -name '*.Tests.csproj' | sort)
for project in "${projects[@]}"; do
    name=$(basename "$project" .csproj)
    echo "test: $name" >&2
    dotnet test "$project" -c Release --no-build -nologo \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
        --results-directory "$RESULTS" >"$RESULTS/$name.log" 2>&1
    rc=$?
    # Each failure with its message (up to 25 lines of it) and the test frames of its stack.
    awk '
        /^[ \t]*(Failed|Skipped) |^(Passed|Failed)!/ { print; inMessage = 0; next }
        /Error Message:/ { print; inMessage = 1; lines = 0; next }
        /Stack Trace:/ { inMessage = 0; next }
        inMessage && lines < 25 { print; lines++; next }
        /^[ \t]+at .*\.Tests?\./ { print }
    ' "$RESULTS/$name.log" | head -400 >&2
    trx="$RESULTS/$name.trx"
    if [[ ! -f "$trx" ]]; then
        echo "test: $name produced no results (exit $rc); see $RESULTS/$name.log" >&2
        tail -30 "$RESULTS/$name.log" >&2
        broken=$((broken + 1))
        continue
    fi
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
    total=$(get total) executed=$(get executed) p=$(get passed)
    f=$(( $(get failed) + $(get error) + $(get timeout) + $(get aborted) ))
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + total - executed))
    if (( rc != 0 && f == 0 )); then
        echo "test: $name exited with $rc although no test failed; see $RESULTS/$name.log" >&2
        broken=$((broken + 1))
    fi
done

failed=$((failed + broken))
echo "$passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
