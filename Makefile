# Tend: the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is a step of those two.

SHELL := /bin/bash
NINJA := ninja
JOBS ?= $(shell nproc)
DATA_DIR ?= data
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps deps-test build build-san web run test test-unit test-api test-api-pg test-e2e test-fuzz \
	test-valgrind lint bench bench-pg bench-scale fuzz soak clean

all: build

deps:
	@scripts/bootstrap

deps-test:
	@scripts/bootstrap --test

build/build.ninja:
	@meson setup build --buildtype=debugoptimized >/dev/null

build-san/build.ninja:
	@meson setup build-san --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null

build: deps build/build.ninja web
	@$(NINJA) -C build -j $(JOBS) >/dev/null
	@echo "built build/tend"

build-san: build-san/build.ninja
	@$(NINJA) -C build-san -j $(JOBS) >/dev/null
	@echo "built build-san/tend (AddressSanitizer + UndefinedBehaviorSanitizer)"

# the web app: rebuilt when its sources change
web: web/dist/index.html
web/dist/index.html: $(shell find web/src web/index.html web/package.json web/vite.config.* 2>/dev/null)
	@if [ -f web/package.json ]; then cd web && npm run build --silent >/dev/null && echo "built web/dist"; fi

run: build
	@mkdir -p $(DATA_DIR)
	@build/tend demo --data-dir $(DATA_DIR)
	@echo
	@echo "Tend is starting on http://$(LISTEN)  (Ctrl-C stops it)"
	@exec build/tend serve --listen $(LISTEN) --data-dir $(DATA_DIR) --access-log off

test: deps-test build-san web
	@$(MAKE) --no-print-directory test-unit test-api test-api-pg test-e2e test-fuzz test-valgrind lint
	@echo "make test: all suites passed"

test-unit: build-san
	@ASAN_OPTIONS=detect_leaks=1 meson test -C build-san --print-errorlogs

# the servers under test run with LeakSanitizer on, minus libh2o's own allocations
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

test-api: build-san
	@cd tests && $(SAN_ENV) TEND_BIN=../build-san/tend node --test --test-concurrency=2 api/

# the same API suites against a throwaway PostgreSQL server (scripts/pg-temp)
test-api-pg: build-san
	@scripts/with-pg bash -c 'cd tests && $(SAN_ENV) TEND_BIN=../build-san/tend node --test --test-concurrency=2 api/'

test-e2e: build-san web
	@cd tests && $(SAN_ENV) TEND_BIN=../build-san/tend node --test --test-concurrency=1 e2e/

# every libFuzzer harness for a short, bounded time (make fuzz: longer)
test-fuzz:
	@scripts/fuzz 15

# the release server's whole life under valgrind: no memory errors, no leaks of ours
test-valgrind: build
	@scripts/valgrind-lifecycle

lint: build
	@scripts/lint

fuzz: deps-test
	@scripts/fuzz $${FUZZ_SECONDS:-300}

# steady load at half capacity; resident memory and file descriptors must stay flat
soak: build deps-test
	@cd tests && TEND_BIN=../build/tend node soak/run.mjs

bench: build deps-test
	@bench/run

# the same benchmarks with tend on a throwaway PostgreSQL server
bench-pg: build deps-test
	@BENCH_PG=1 bench/run

# the tickets module at 10 million tickets (BENCH_TICKETS to change), and the
# customer side at 1 million assets over 200,000 organisations (BENCH_ASSETS,
# BENCH_ORGS); the generated databases are cached in /tmp between runs
bench-scale: build
	@node bench/scale.mjs
	@node bench/scale_assets.mjs

clean:
	rm -rf build build-san build-fuzz web/dist
