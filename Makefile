# The two commands: `make run` and `make test`. Each installs what is missing, then builds.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
PORT ?= 27020

.PHONY: setup setup-test configure build run test unit clean format

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

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
