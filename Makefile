# Development tasks. `make` (or `make help`) lists them.
#
# Targets that need PostgreSQL get DATABASE_URL from scripts/db.sh, which
# starts a project-local cluster, or passes through a DATABASE_URL you set.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
# go.mod's toolchain line names the Go release to build, test and scan with
# (a patch release with the standard library's security fixes). A machine
# whose Go is older, and whose go.env says GOTOOLCHAIN=local as this image's
# does, would ignore it: `auto` lets the go command fetch that release
# through the module proxy (once, ~10 s) and run it. Set GOTOOLCHAIN=local
# to use the installed Go as it is.
GOTOOLCHAIN ?= auto
export GOTOOLCHAIN
# Packages for test and bench, e.g. make test PKG=./internal/server/...
PKG ?= ./...
# Extra go test flags, e.g. make test TESTFLAGS='-run Foo -v'
TESTFLAGS ?=
# Time per fuzz target, e.g. make fuzz FUZZTIME=1m
FUZZTIME ?= 10s
# Flags of the data bench, e.g. make bench-data DATAFLAGS='-events 2000000 -runs 3'
DATAFLAGS ?=
# Extra govulncheck flags, e.g. make vulncheck VULNFLAGS='-show verbose'
VULNFLAGS ?=

.PHONY: help run test bench bench-data chaos audit generate check-generated lint vulncheck build fuzz clean db-start db-stop db-psql

help: ## list the targets
	@echo 'usage: make <target> [VAR=value]'
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

run: ## start the local database and serve the site (CONPRO_ADDR, default 127.0.0.1:8080)
	@DATABASE_URL="$$(scripts/db.sh start)"; export DATABASE_URL; \
	CONPRO_COOKIE_KEY="$$(scripts/devkey.sh)"; export CONPRO_COOKIE_KEY; \
	exec $(GO) run ./cmd/conpro serve

test: ## install test deps, start the database, run the tests (PKG, TESTFLAGS; 30 min at most: the browser tests take minutes on a busy machine)
	@scripts/deps.sh
	@DATABASE_URL="$$(scripts/db.sh start)"; export DATABASE_URL; \
	$(GO) test -count=1 -timeout 30m $(PKG) $(TESTFLAGS)

# BENCHFLAGS go to bench/run, e.g. make bench BENCHFLAGS=-quick (3 s runs);
# DATAFLAGS to bench/data, e.g. make bench-data DATAFLAGS='-events 2000000'.
bench: ## load bench (wrk vs net/http, nginx, pgbench) into bench/results.md, then the data bench, then the Go benchmarks (BENCHFLAGS, DATAFLAGS, PKG, TESTFLAGS)
	@scripts/bench-deps.sh
	@mkdir -p bench/out
	@DATABASE_URL="$$(scripts/db.sh start)"; export DATABASE_URL; \
	$(GO) run ./bench/run $(BENCHFLAGS) | tee bench/out/report.txt; \
	$(GO) run ./bench/data $(DATAFLAGS) 2>&1 | tee -a bench/out/report.txt; \
	$(GO) run ./bench/media | tee -a bench/out/report.txt; \
	$(GO) test -run '^$$' -bench . -benchmem $(PKG) $(TESTFLAGS) | tee bench/out/gobench.txt | tee -a bench/out/report.txt
	@{ printf '\n## Go benchmarks (hot paths, go test -bench . -benchmem)\n\n```text\n'; \
	grep -E '^(pkg:|Benchmark)' bench/out/gobench.txt; printf '```\n'; } >>bench/results.md
	@echo 'report: bench/results.md, bench/results.json (and bench/out/report.txt)'

bench-data: ## fill a fresh database with years of data (10 million consent events by default) and time each staff page and the purge; adds "## Data" to bench/results.md (DATAFLAGS)
	@mkdir -p bench/out
	@DATABASE_URL="$$(scripts/db.sh start)"; export DATABASE_URL; \
	$(GO) run ./bench/data $(DATAFLAGS)

# CHAOSFLAGS go to bench/chaos, e.g. make chaos CHAOSFLAGS='-duration 90s'.
chaos: ## two instances behind a balancer; mixed load while PostgreSQL stops/starts, one instance is killed and the other restarted; checks nothing acknowledged is lost and the limits hold; writes bench/chaos.md (CHAOSFLAGS)
	@bash -c '. scripts/lib.sh && ensure_pg_bindir >/dev/null'
	@mkdir -p bench/out
	$(GO) run ./bench/chaos $(CHAOSFLAGS)

audit: ## axe-core and Lighthouse on the main pages; writes bench/lighthouse.md
	@scripts/audit.sh

generate: ## regenerate the templ code (*_templ.go)
	$(GO) tool templ generate

check-generated: generate ## fail if the committed *_templ.go files are out of date
	@changes="$$(git status --porcelain --untracked-files=all -- '*_templ.go')"; \
	if [ -n "$$changes" ]; then \
		echo "$$changes"; \
		echo 'error: generated templ code is out of date: run `make generate` and commit the *_templ.go files' >&2; \
		exit 1; \
	fi

lint: ## go vet, and gofmt must list no file
	$(GO) vet ./...
	@unformatted="$$(find . \( -name .git -o -path ./.data -o -path ./bin -o -name node_modules \) -prune \
		-o -type f -name '*.go' -print | xargs -r gofmt -l)"; \
	if [ -n "$$unformatted" ]; then \
		echo "$$unformatted"; \
		echo 'error: these files need gofmt (run: gofmt -w <file>)' >&2; \
		exit 1; \
	fi

# The database is golang.org/x/vulndb at the version pinned in the script,
# fetched through the module proxy and built into .data/vulndb (once per pin).
vulncheck: ## govulncheck ./... against a local copy of the Go vulnerability database (VULNFLAGS)
	@GO='$(GO)' scripts/vulncheck.sh $(VULNFLAGS)

build: ## build a static binary into bin/conpro
	CGO_ENABLED=0 $(GO) build -tags nodynamic -trimpath -ldflags='-s -w' -o bin/conpro ./cmd/conpro

# Go fuzzes one target in one package per run, so run each Fuzz function
# found in a *_test.go file on its own.
fuzz: ## run every Fuzz* test for FUZZTIME each (default 10s)
	@found=0; \
	while IFS=: read -r file decl; do \
		name="$${decl#func }"; name="$${name%%(*}"; dir="$$(dirname "$$file")"; \
		echo "==> $$name ($$dir, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$dir" </dev/null; \
		found=1; \
	done < <(grep -rHoE --include='*_test.go' --exclude-dir=.git --exclude-dir=.data --exclude-dir=testdata \
		'^func Fuzz[A-Za-z0-9_]*\(' . | sort); \
	if [ "$$found" = 0 ]; then echo 'no Fuzz* tests found'; fi

clean: ## remove bin/ and bench/out/ (the database stays; see scripts/db.sh destroy)
	rm -rf bin bench/out

db-start: ## start the local database cluster and print its URL
	@env -u DATABASE_URL scripts/db.sh start

db-stop: ## stop the local database cluster
	@scripts/db.sh stop

db-psql: ## open psql on the local database (starts it if needed)
	@scripts/db.sh psql
