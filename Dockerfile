# syntax=docker/dockerfile:1
# The operator and agent images, one target each:
#
#   docker build --target operator --build-arg VERSION=$(cat VERSION) -t ghcr.io/datacluster/operator:$(cat VERSION) .
#   docker build --target agent    --build-arg VERSION=$(cat VERSION) -t ghcr.io/datacluster/agent:$(cat VERSION) .
#
# Both are published the way the Makefile publishes them (PUBLISH_FLAGS and AGENT_PUBLISH_FLAGS;
# a test checks they agree), so the runtime image needs no .NET at all: the operator trimmed,
# ReadyToRun and self-contained, the agent as one Native AOT executable. The operator's build
# runs on the builder's own platform and compiles for the target's (TARGETARCH), so it needs no
# emulation. The agent's runs on the target platform (emulated in a multi-platform build when
# the builder's differs): Native AOT links with the platform's own C toolchain, and linking for
# another architecture would need a cross toolchain and a sysroot of that architecture.

ARG DOTNET_VERSION=10.0

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG TARGETARCH
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig VERSION ./
COPY contracts/ contracts/
COPY kube/ kube/
COPY ring/ ring/
COPY telemetry/ telemetry/
RUN case "$TARGETARCH" in \
        amd64) echo linux-x64 ;; \
        arm64) echo linux-arm64 ;; \
        *) echo "unsupported TARGETARCH '$TARGETARCH': use linux/amd64 or linux/arm64" >&2; exit 1 ;; \
    esac > /rid

# Native AOT links with clang (binutils and the C library's development files come with it);
# zlib comes with .NET's runtime pack.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS publish-agent
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig VERSION ./
COPY contracts/ contracts/
COPY kube/ kube/
COPY ring/ ring/
COPY telemetry/ telemetry/
COPY replication/ replication/
COPY storage/ storage/
COPY agent/ agent/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    rid="linux-$(dpkg --print-architecture | sed 's/amd64/x64/')" && \
    dotnet publish agent -c Release -nologo -r "$rid" -o /out

FROM build AS publish-operator
COPY operator/ operator/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish operator -c Release --self-contained -p:PublishTrimmed=true -p:PublishReadyToRun=true -nologo -r "$(cat /rid)" -o /out

# The runtime base: Ubuntu's chiseled runtime-deps, the libraries a self-contained .NET program
# needs (glibc, OpenSSL, CA certificates) and nothing else: no shell, no package manager, so
# little to patch or exploit, and a predefined non-root user. Its "app" user is uid 1654, which
# the chart's runAsUser and the operator's agent container (AgentContainer.UserId) use too.
FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble-chiseled AS runtime
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=""
ARG LICENSES=""
LABEL org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.vendor="DataCluster"
WORKDIR /app
USER 1654:1654

FROM runtime AS agent
LABEL org.opencontainers.image.title="datacluster-agent" \
      org.opencontainers.image.description="The DataCluster agent: membership heartbeat, cluster leader, partition assignment and the client API, beside every member pod."
COPY --from=publish-agent /out/ /app/
# Client API, health and metrics; peer traffic.
EXPOSE 8080 7070
ENTRYPOINT ["/app/datacluster-agent"]

FROM runtime AS operator
LABEL org.opencontainers.image.title="datacluster-operator" \
      org.opencontainers.image.description="The DataCluster operator: runs DataCluster resources as StatefulSets with the agent and publishes ring membership."
COPY --from=publish-operator /out/ /app/
# Metrics; health probes.
EXPOSE 8080 8081
ENTRYPOINT ["/app/datacluster-operator"]
