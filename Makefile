# The two commands: `make run` and `make test`. Each installs what is missing, then builds.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
PORT ?= 27020

.PHONY: setup setup-test configure build run test unit clean format format-check fuzz test-sanitize install package static cross-arm64 test-portable

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

configure:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: setup configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/src/app/mongocryptd --port $(PORT)

test: setup-test
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRYPTD_WERROR=$${CI:+ON} $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@bash scripts/check_layers.sh
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

install: build
	cmake --install $(BUILD)

# The shipped build (cmake/CryptdStatic.cmake), Release, in its own directory: fully static
# mongocryptd and cryptd-check, plus mongo_crypt_v1.so (which links the system's libc).
# `make package` puts it in the .deb; PACKAGE_ARCH=arm64 packages the cross build instead.
STATIC_BUILD ?= build-static
STATIC_CMAKE = -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRYPTD_STATIC=ON $(CMAKE_FLAGS)
static: setup
	@cmake -S . -B $(STATIC_BUILD) $(STATIC_CMAKE) >/dev/null
	@cmake --build $(STATIC_BUILD) -j $(JOBS) --target shipped

# The same for aarch64 (ARMv8.0-A) with Debian's cross compiler and an arm64 sysroot.
ARM64_BUILD ?= build-arm64
cross-arm64:
	@bash scripts/setup.sh --cross
	@cmake -S . -B $(ARM64_BUILD) $(STATIC_CMAKE) \
	  -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/toolchain-aarch64.cmake >/dev/null
	@cmake --build $(ARM64_BUILD) -j $(JOBS) --target shipped

PACKAGE_ARCH ?= amd64
package: $(if $(filter arm64,$(PACKAGE_ARCH)),cross-arm64,static)
	cd $(if $(filter arm64,$(PACKAGE_ARCH)),$(ARM64_BUILD),$(STATIC_BUILD)) && cpack -G DEB

# Portability checks (tests/portable/README.md): the static binary in an empty chroot and under a
# CPU without AVX, the arm64 build under an ARMv8.0 CPU model, both .debs. Kept out of `make test`.
# Each check skips with one line when its tool (root/chroot, qemu, the cross compiler) is missing.
test-portable: setup-test static
	@bash scripts/setup.sh --cross || echo "test-portable: setup --cross failed; checks needing it skip"
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target spec_cases
	@if command -v aarch64-linux-gnu-g++ >/dev/null; then $(MAKE) --no-print-directory cross-arm64; fi
	@bash tests/portable/run.sh $(STATIC_BUILD) $(ARM64_BUILD) $(BUILD)

# libFuzzer targets (clang, ASan+UBSan): replays fuzz/regressions/, then runs each target for
# FUZZ_SECONDS from the corpus seeded from spec-tests. See fuzz/README.md.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz:
	@bash scripts/setup.sh --fuzz
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCRYPTD_FUZZ=ON -DCRYPTD_SANITIZE="address;undefined" -DCRYPTD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	@bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The whole suite built with AddressSanitizer + UndefinedBehaviorSanitizer (gcc): any report
# fails its test (the daemon under test is sanitized too; LeakSanitizer runs at its exit).
# Packaging checks are left out: they inspect the release binary's libraries, not this one's.
# SANITIZE_CTEST_ARGS narrows it, e.g. SANITIZE_CTEST_ARGS="-L unit".
SANITIZE_BUILD ?= build-asan
SANITIZE_CTEST_ARGS ?=
# -O1 -g1 (line tables) with assertions on: half the compile time of -O2 -g, same reports.
test-sanitize: setup-test
	@cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCRYPTD_SANITIZE="address;undefined" -DCRYPTD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	@cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 CRYPTD_LOAD_COMMANDS=20000 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600 -LE "fuzz|packaging" $(SANITIZE_CTEST_ARGS)

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

# Fails (listing each place) when a tracked source differs from .clang-format; changes nothing.
format-check:
	@git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD)

# Benchmarks (bench/README.md): Release build in its own directory, then every benchmark, the
# targets table (PASS/MISS) and $(BUILD)/bench-results.json. BENCH_MEMORY_COMMANDS=1000000 runs
# the memory check at the issue's full count (the default keeps `make bench` within minutes).
BENCH_BUILD ?= build-bench
BENCH_MEMORY_COMMANDS ?= 200000
BENCH_FLAGS ?=
.PHONY: bench
bench: setup static
	@cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRYPTD_BENCH=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS) --target mongocryptd engine_bench loadgen startup_bench memory_bench crypt_shared_bench
	@python3 bench/run_benchmarks.py --build $(BENCH_BUILD) --out $(BUILD)/bench-results.json \
		--memory-commands $(BENCH_MEMORY_COMMANDS) --static-build $(STATIC_BUILD) $(BENCH_FLAGS)
	@$(BENCH_BUILD)/bench/crypt_shared_bench --json $(BUILD)/crypt-shared-bench.json
