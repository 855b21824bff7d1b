# DataCluster developer entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
DOTNET ?= dotnet
CONFIGURATION ?= Release

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build everything
	$(DOTNET) build DataCluster.slnx -c $(CONFIGURATION) -nologo

.PHONY: crds
crds: ## Regenerate crds/ from the API types
	$(DOTNET) run --project operator -c $(CONFIGURATION) -- generate-crd crds/datacluster.dev_dataclusters.yaml

.PHONY: envtest
envtest: ## Provide etcd, kube-apiserver, kube-controller-manager (cached) and print their directory
	@hack/envtest.sh

.PHONY: test
test: ## Run all tests (unit, real API server, end to end); ends with "N passed, N failed, N skipped"
	@hack/test.sh

.PHONY: publish-agent
publish-agent: ## Publish the agent as a trimmed, ReadyToRun, self-contained linux-x64 executable in artifacts/agent
	$(DOTNET) publish agent -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -p:PublishReadyToRun=true -nologo -o artifacts/agent

.PHONY: bench-ring
bench-ring: ## Print the ring's figures: lookup ns/op, assignment time, balance, movement vs minimum
	$(DOTNET) run -c Release --project bench/Ring.Bench -- report

.PHONY: demo
demo: artifacts/agent/datacluster-agent ## Run the local demo: control plane, operator, three agents; Ctrl-C cleans up
	@assets=$$(hack/envtest.sh) && tools=$$(hack/tools.sh) && \
	  mkdir -p artifacts && { $(DOTNET) build demo -c $(CONFIGURATION) -nologo >artifacts/demo-build.log 2>&1 || { cat artifacts/demo-build.log; exit 1; }; } && \
	  KUBEBUILDER_ASSETS="$$assets" PATH="$$tools:$$PATH" DATACLUSTER_AGENT_BINARY="$(CURDIR)/artifacts/agent/datacluster-agent" \
	  $(DOTNET) demo/bin/$(CONFIGURATION)/net10.0/datacluster-demo.dll $(DEMO_ARGS)

# The published agent for the demo, published again only when a source it is built from changed
# (a publish trims and precompiles, which takes minutes).
AGENT_INPUTS := $(shell find agent contracts kube ring telemetry -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null) \
	Directory.Build.props Directory.Packages.props
artifacts/agent/datacluster-agent: $(AGENT_INPUTS)
	@$(MAKE) --no-print-directory publish-agent

.PHONY: clean
clean: ## Remove build outputs (keeps the envtest cache)
	rm -rf artifacts
	find . -name bin -o -name obj | grep -v '^./.git' | xargs rm -rf

.PHONY: tools
tools: ## Provide kubectl and helm (cached) and print their directory
	@hack/tools.sh
