# DataCluster developer entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
DOTNET ?= dotnet
CONFIGURATION ?= Release
CHART := charts/datacluster
# How the agent and the operator are published, here and in the Dockerfile (a test checks that
# both use these flags). The operator: trimmed, ReadyToRun, self-contained. The agent: Native AOT
# (PublishAot in its project, which implies self-contained and trimmed), one executable that needs
# a C toolchain to link (hack/native-toolchain.sh provides it) and no .NET runtime to run.
PUBLISH_FLAGS := -c Release --self-contained -p:PublishTrimmed=true -p:PublishReadyToRun=true -nologo
AGENT_PUBLISH_FLAGS := -c Release -nologo

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-17s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build everything
	$(DOTNET) build DataCluster.slnx -c $(CONFIGURATION) -nologo

.PHONY: crds
crds: ## Regenerate the CRD in crds/ and in the chart's crds/ from the API types
	$(DOTNET) run --project operator -c $(CONFIGURATION) -- generate-crd crds/datacluster.dev_dataclusters.yaml
	cp crds/datacluster.dev_dataclusters.yaml $(CHART)/crds/

.PHONY: generate
generate: crds ## Regenerate every generated file: the CRDs, the chart's ClusterRole and its values table
	$(DOTNET) run --project operator -c $(CONFIGURATION) -- generate-rbac --chart-template $(CHART)/templates/clusterrole.yaml
	$(DOTNET) run --project hack/chart-readme -c $(CONFIGURATION) -- $(CHART)

.PHONY: chart
chart: artifacts/operator/datacluster-operator artifacts/agent/datacluster-agent ## Lint the chart and run its tests (templates, server-side dry run, schema, pod security, images, GitOps health, helm install/upgrade/uninstall on a local cluster)
	@assets=$$(hack/envtest.sh) && tools=$$(hack/tools.sh) && lua=$$(hack/lua.sh) && \
	  PATH="$$tools:$$PATH" helm lint --strict $(CHART) && \
	  KUBEBUILDER_ASSETS="$$assets" DATACLUSTER_TOOLS="$$tools" DATACLUSTER_LUA="$$lua" PATH="$$tools:$$PATH" \
	  DATACLUSTER_OPERATOR_BINARY="$(CURDIR)/artifacts/operator/datacluster-operator" \
	  DATACLUSTER_AGENT_BINARY="$(CURDIR)/artifacts/agent/datacluster-agent" \
	  $(DOTNET) test tests/Chart.Tests -c $(CONFIGURATION) -nologo

.PHONY: envtest
envtest: ## Provide etcd, kube-apiserver, kube-controller-manager (cached) and print their directory
	@hack/envtest.sh

.PHONY: test
test: ## Run all tests (unit, real API server, end to end); ends with "N passed, N failed, N skipped"
	@hack/test.sh

.PHONY: publish-agent
publish-agent: ## Publish the agent as a Native AOT linux-x64 executable in artifacts/agent
	@rm -rf artifacts/agent
	@toolchain=$$(hack/native-toolchain.sh) && \
	  PATH="$$toolchain:$$PATH" $(DOTNET) publish agent $(AGENT_PUBLISH_FLAGS) -r linux-x64 -o artifacts/agent

.PHONY: publish-operator
publish-operator: ## Publish the operator the same way, in artifacts/operator
	$(DOTNET) publish operator $(PUBLISH_FLAGS) -r linux-x64 -o artifacts/operator

.PHONY: pack-client
pack-client: ## Build the client library's NuGet package (DataCluster.Client) in artifacts/packages
	$(DOTNET) pack client -c Release -o artifacts/packages

.PHONY: bench-ring
bench-ring: ## Print the ring's figures: lookup ns/op, assignment time, balance, movement vs minimum
	$(DOTNET) run -c Release --project bench/Ring.Bench -- report

.PHONY: bench-writes
bench-writes: artifacts/agent/datacluster-agent ## Print writes/s and p50/p99 of three agents (QUORUM, fsync) beside a three-member etcd, 1/16/64 clients, the disk's fsync latency, a bare pipeline's one-client floor and the agents' RSS (BENCH_ARGS="--rounds 3" judges on medians)
	KUBEBUILDER_ASSETS="$$(hack/envtest.sh)" $(DOTNET) run -c Release --project bench/Writes.Bench -- report $(BENCH_ARGS)

.PHONY: bench-agent
bench-agent: artifacts/agent/datacluster-agent ## Print the agent's footprint: published size, idle RSS of 3 and 10 agents (256 partitions), ring formation and failover times, a hello-world's RSS (BENCH_ARGS=... for options)
	$(DOTNET) publish bench/Agent.Bench/Hello $(PUBLISH_FLAGS) -r linux-x64 -o artifacts/bench-hello
	@assets=$$(hack/envtest.sh) && \
	  KUBEBUILDER_ASSETS="$$assets" DATACLUSTER_AGENT_BINARY="$(CURDIR)/artifacts/agent/datacluster-agent" \
	  $(DOTNET) run -c Release --project bench/Agent.Bench -- report $(BENCH_ARGS)

.PHONY: bench-storage
bench-storage: ## Print the storage figures: appends/s, flush and fsync p50/p99 over 1, 16, 256 partitions (BENCH_DIR=dir picks the disk)
	$(DOTNET) run -c Release --project bench/Storage.Bench -- report $(BENCH_DIR)

.PHONY: demo
demo: artifacts/agent/datacluster-agent ## Run the local demo: control plane, operator, three agents; Ctrl-C cleans up
	@assets=$$(hack/envtest.sh) && tools=$$(hack/tools.sh) && \
	  mkdir -p artifacts && { $(DOTNET) build demo -c $(CONFIGURATION) -nologo >artifacts/demo-build.log 2>&1 || { cat artifacts/demo-build.log; exit 1; }; } && \
	  KUBEBUILDER_ASSETS="$$assets" PATH="$$tools:$$PATH" DATACLUSTER_AGENT_BINARY="$(CURDIR)/artifacts/agent/datacluster-agent" \
	  $(DOTNET) demo/bin/$(CONFIGURATION)/net10.0/datacluster-demo.dll $(DEMO_ARGS)

# The published agent for the demo, published again only when a source it is built from changed
# (a publish compiles everything to native code, which takes minutes).
AGENT_INPUTS := $(shell find agent contracts kube replication ring storage telemetry -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.proto' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null) \
	Directory.Build.props Directory.Packages.props VERSION
artifacts/agent/datacluster-agent: $(AGENT_INPUTS)
	@$(MAKE) --no-print-directory publish-agent

# The published operator, which the image ships; tests/Chart.Tests runs it.
OPERATOR_INPUTS := $(shell find operator contracts kube ring telemetry -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null) \
	Directory.Build.props Directory.Packages.props VERSION
artifacts/operator/datacluster-operator: $(OPERATOR_INPUTS)
	@$(MAKE) --no-print-directory publish-operator

.PHONY: clean
clean: ## Remove build outputs (keeps the envtest cache)
	rm -rf artifacts
	find . -name bin -o -name obj | grep -v '^./.git' | xargs rm -rf

.PHONY: tools
tools: ## Provide kubectl and helm (cached) and print their directory
	@hack/tools.sh
