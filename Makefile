# sagemaker-emulator — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

node_modules: package.json package-lock.json
	npm ci
	@touch node_modules

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: install
install: node_modules ## Install the npm dependencies (npm ci)

.PHONY: docker
docker: ## Make sure a Docker engine answers (installs and starts dockerd on a bare Debian machine)
	@bash scripts/ensure-docker.sh

.PHONY: images
images: docker ## Build the sample model images (offline: falls back to a local Node base image)
	@bash containers/build.sh

.PHONY: build
build: node_modules ## Compile TypeScript to dist/
	npm run build

.PHONY: start
start: node_modules docker ## Run the emulator on http://127.0.0.1:8181 (no endpoint)
	npm start

.PHONY: demo
demo: node_modules images ## Run the emulator with the sample endpoint deployed and invoked
	node scripts/demo.mjs

.PHONY: test-deps
test-deps: ## Install what the integration tests need when missing (Docker, prometheus, docker-compose, boto3, AWS CLI; root on Debian)
	@bash scripts/install-test-deps.sh

.PHONY: test
test: node_modules test-deps images ## Run every test: lint, type-check, unit and integration (needs Docker)
	npm test

.PHONY: test-unit
test-unit: node_modules ## Run the unit tests only (no Docker)
	npm run test:unit

.PHONY: bench
bench: node_modules images ## Run the benchmarks (prints ratios against a direct baseline)
	npm run bench

.PHONY: clean
clean: ## Remove build output and the local state directory
	rm -rf dist .sagemaker-emulator
