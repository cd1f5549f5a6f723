# KOL Registry — the two commands are `make run` and `make test`; see README.md.
#
# Every target that needs PostgreSQL/Redis first runs scripts/dev-services.sh, which finds them
# (DATABASE_URL/REDIS_URL, else 127.0.0.1:5432/:6379, else private servers in ./.data) and prints
# `export` lines that the recipe evals. Make runs each recipe line in its own shell, so those
# recipes are single (continued) lines.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO            ?= go
BIN           := bin/kolregistry
# Tests hit real databases: do not trust cached results. Packages run in parallel (go test -p).
GO_TEST_FLAGS ?= -count=1 -timeout 10m
BENCH         ?= .
# go test -race (docs/development.md, "The gates"): every test of the packages in RACE_PKGS, and
# the tests of ./server and ./db that RACE_RUN names (the ones with goroutines and shared state),
# to keep make test within its time.
RACE_PKGS     ?= ./auth ./cache/... ./events ./ratelimit ./webhook
RACE_RUN_PKGS ?= ./server ./db
RACE_RUN      ?= ^(TestLiveAlerts|TestWebhooks|TestWebSocket|TestResponseCache|TestPersistedQueries|TestRateLimit|TestCoalescing|TestAdmission|TestGraphQL|TestWrites|TestPools|TestDurability|TestVerifyLog)_|^(TestWrite|TestRecordAffiliation)_Concurrent
RACE          = $(GO) test -race $(GO_TEST_FLAGS) $(RACE_PKGS) && $(GO) test -race $(GO_TEST_FLAGS) -run '$(RACE_RUN)' $(RACE_RUN_PKGS)
LISTEN_ADDR   ?= 127.0.0.1:8080

BUILD         = $(GO) build -o $(BIN) ./cmd/kolregistry

# Evals the output of dev-services.sh into the current recipe shell (fails if it fails).
WITH_SERVICES = svc_env="$$(scripts/dev-services.sh)" && eval "$$svc_env"

.PHONY: help run test bench generate check-generated build vet lint race test-go test-private-services audit browser-test screenshots \
        services stop-services clean bench-peers soak release

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## services → build → migrate → seed --demo → serve at http://127.0.0.1:8080/graphql (LISTEN_ADDR)
	@$(WITH_SERVICES) && \
	$(BUILD) && \
	echo "==> migrate" && ./$(BIN) migrate && \
	echo "==> seed --demo" && ./$(BIN) seed --demo && \
	echo "==> serving the demo registry at http://$(LISTEN_ADDR)/graphql (Ctrl-C stops; make stop-services stops private databases)" && \
	LISTEN_ADDR='$(LISTEN_ADDR)' exec ./$(BIN) serve

test: ## services → gofmt + staticcheck → go generate check → go vet → go test → go test -race → private-services test → graphql-http audit → browser tests
	@$(WITH_SERVICES) && \
	echo "==> scripts/lint.sh (gofmt -l, staticcheck)" && GO=$(GO) scripts/lint.sh && \
	echo "==> go generate ./... (generated code must be up to date)" && scripts/check-generated.sh && \
	echo "==> go vet ./..." && $(GO) vet ./... && \
	echo "==> go test $(GO_TEST_FLAGS) ./..." && $(GO) test $(GO_TEST_FLAGS) ./... && \
	echo "==> go test -race $(RACE_PKGS); $(RACE_RUN_PKGS) -run '$(RACE_RUN)'" && $(RACE) && \
	$(BUILD) && \
	echo "==> scripts/test-private-services.sh" && KOLREGISTRY_BIN=$(BIN) scripts/test-private-services.sh && \
	echo "==> scripts/audit.sh (graphql-http)" && KOLREGISTRY_BIN=$(BIN) scripts/audit.sh && \
	echo "==> scripts/browser-test.sh (Chromium)" && KOLREGISTRY_BIN=$(BIN) scripts/browser-test.sh && \
	echo "==> make test: all passed"

bench: ## benchmarks (speed and memory targets live here, not in unit tests)
	@$(WITH_SERVICES) && $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem ./...

bench-peers: ## KOL Registry vs PostGraphile v5, same database, wrk (not in make test; docs/performance.md)
	@$(WITH_SERVICES) && scripts/bench-peers/run.sh

soak: ## mixed load for SOAK_DURATION (3m) against a real server on ~200k influencers (not in make test; docs/soak.md)
	@$(WITH_SERVICES) && $(BUILD) && KOLREGISTRY_BIN=$(BIN) $(GO) run ./scripts/soak

release: ## static versioned binaries + SHA256SUMS in dist/ (VERSION=v1.2.0 PLATFORMS="linux/amd64 …"; not in make test)
	scripts/release.sh

generate: ## go generate ./... (gqlgen: graph/ executor and resolvers/ stubs)
	$(GO) generate ./...

check-generated: ## go generate, then fail if it changed graph/ or resolvers/
	scripts/check-generated.sh

build: ## build ./bin/kolregistry
	$(BUILD)

vet: ## go vet ./...
	$(GO) vet ./...

lint: ## gofmt -l gate and staticcheck (installed into bin/tools on first use)
	GO=$(GO) scripts/lint.sh

race: ## only go test -race on the packages with concurrency (with services)
	@$(WITH_SERVICES) && $(RACE)

test-go: ## only go test ./... (with services)
	@$(WITH_SERVICES) && $(GO) test $(GO_TEST_FLAGS) ./...

test-private-services: build ## only the fresh-machine test (private PostgreSQL/Redis in a temp dir)
	KOLREGISTRY_BIN=$(BIN) scripts/test-private-services.sh

browser-test: build ## only the browser tests (Chromium, with services)
	@$(WITH_SERVICES) && KOLREGISTRY_BIN=$(BIN) scripts/browser-test.sh

screenshots: build ## the browser tests, refreshing docs/screenshots/*.png
	@$(WITH_SERVICES) && SCREENSHOTS=docs/screenshots KOLREGISTRY_BIN=$(BIN) scripts/browser-test.sh

audit: build ## only the graphql-http audit (with services)
	@$(WITH_SERVICES) && KOLREGISTRY_BIN=$(BIN) scripts/audit.sh

services: ## find or start PostgreSQL/Redis and print the export lines to eval in your shell
	@scripts/dev-services.sh

stop-services: ## stop the private PostgreSQL/Redis started in ./.data
	@scripts/dev-services.sh stop

clean: stop-services ## stop private services, remove bin/, ./.data and scripts/audit/node_modules
	rm -rf bin dist .data scripts/audit/node_modules scripts/browser/node_modules scripts/bench-peers/.tools
