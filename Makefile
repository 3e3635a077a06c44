# cpwarden: a thin wrapper over CMake + Ninja + CTest. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= 2
FUZZ_SECONDS ?= 30
WORLDS     ?= 200
SEED       ?= 20261204
CONTROL    ?= 20
AUTHZ_CASES ?= 50000
AUTHZ_SEED  ?= 20261205
CMAKE      ?= cmake
CTEST      ?= ctest

.PHONY: deb all build test asan demo bootstrap fuzz fuzz-smoke lint format install clean safety-campaign \
        authz-diff

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja:
	$(CMAKE) -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: bootstrap $(BUILD)/build.ninja
	$(CMAKE) --build $(BUILD) -j $(JOBS)

test: build
	$(CTEST) --test-dir $(BUILD) --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	$(CMAKE) -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCPW_SANITIZE=ON

asan: bootstrap $(ASAN_BUILD)/build.ninja
	$(CMAKE) --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(CTEST) --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The long ground-truth safety campaign (docs/safety.md): WORLDS seeded worlds, then the
# precision/recall table per finding kind and confidence (also in $(BUILD)/safety-table.md).
safety-campaign: build
	CPWARDEN=$(BUILD)/cpwarden /usr/bin/python3 tests/safety/campaign.py --worlds $(WORLDS) \
	  --control $(CONTROL) --seed $(SEED) --table $(BUILD)/safety-table.md

# The long differential test of the IAM policy engine (docs/authorization.md): AUTHZ_CASES seeded
# cases decided by cpwarden's engine and by @cloud-copilot/iam-simulate (installed by bootstrap).
authz-diff: build
	node tests/authz/diff.mjs --driver $(BUILD)/authz_iam_driver --cases $(AUTHZ_CASES) \
	  --seed $(AUTHZ_SEED)

demo: build
	./$(BUILD)/cpwarden demo

$(FUZZ_BUILD)/build.ninja:
	CC=clang $(CMAKE) -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCPW_FUZZ=ON

# Runs every fuzz target for FUZZ_SECONDS each, starting from its committed corpus.
fuzz: bootstrap $(FUZZ_BUILD)/build.ninja
	$(CMAKE) --build $(FUZZ_BUILD) -j $(JOBS)
	@for t in $(FUZZ_BUILD)/fuzz_*; do \
	  name=$$(basename $$t); short=$${name#fuzz_}; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$short; \
	  echo "== $$name ($(FUZZ_SECONDS) s)"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    $(FUZZ_BUILD)/corpus/$$short tests/fuzz/corpus/$$short || exit 1; \
	done

# Source checks, then clang-tidy (.clang-tidy) over src/ with the build's compilation database.
lint:
	@scripts/check-source
	@BUILD=$(BUILD) JOBS=$(JOBS) scripts/clang-tidy

format:
	git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs -r clang-format -i

# PREFIX (default /usr/local) and DESTDIR (staging root, for packagers) as every GNU makefile.
PREFIX  ?= /usr/local
DESTDIR ?=
install: build
	DESTDIR="$(DESTDIR)" $(CMAKE) --install $(BUILD) --prefix "$(PREFIX)"

# A Debian package of the build (binary, man page, completions) in $(BUILD)/deb.
deb: build
	cd $(BUILD) && cpack -G DEB -B "$(CURDIR)/$(BUILD)/deb"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
