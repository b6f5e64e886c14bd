# The two commands of README.md: `make demo` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DEMO_OUT ?= demo-out
HOTSPOT := $(BUILD_DIR)/bin/hotspot

# Debian 12 packages the build and the tests need.
PACKAGES := g++ clang libclang-rt-14-dev cmake make ninja-build mold pkg-config libgdal-dev gdal-bin libtbb-dev libboost-dev libcli11-dev nlohmann-json3-dev libcairo2-dev libtomlplusplus-dev libfast-float-dev fonts-dejavu-core catch2 libbenchmark-dev libjs-leaflet chromium postgresql-15 postgresql-15-postgis-3 \
  pybind11-dev python3-dev python3-numpy python3-pytest python3-pandas python3-geopandas python3-setuptools python3-pip \
  libopenmpi-dev openmpi-bin \
  qgis python3-qgis python3-gdal zip

# The fuzz build: clang with libFuzzer, AddressSanitizer and UBSan (`make fuzz FUZZ_SECONDS=600`).
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_HARNESSES := police_uk_csv plain_csv offences_ogr batch_toml aliases places categories harm_weights

.PHONY: deps build test demo bench fuzz clean qgis-plugin

deps:
	@missing=""; for p in $(PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

TIMED := $(CURDIR)/cmake/timed.sh

# The benchmarks are built where they run (`make bench`), not for the demo and the tests.
BENCHMARKS ?= OFF

# Ninja for a new build folder: it compiles a program's sources while the libraries it links are
# still being linked, where make waits for them. A folder made before keeps its generator.
generator = $$([ -f $(1)/CMakeCache.txt ] || echo -G Ninja)

build: deps
	cmake -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) -DCMAKE_BUILD_TYPE=Release -DHOTSPOT_BUILD_BENCHMARKS=$(BENCHMARKS)
	$(TIMED) "release build" cmake --build $(BUILD_DIR) -j $(JOBS)

# `make test` runs the whole suite, then again under AddressSanitizer and UBSan in $(SANITIZE_DIR)
# (`make test SANITIZE=0` skips that). Under the sanitizers every engine, io and fuzz-replay test
# runs, and every CLI test but the few below: they take minutes there and exercise no code the
# others leave out (a 350 MB grid written in strips, the SIGKILL and full-disk runs, many files,
# README's examples, which repeat commands the CLI tests run, and the web map in a real browser,
# whose page the web map test writes under the sanitizers too).
# The QGIS plugin's tests (label qgis) run in the first pass only: they drive through qgis_process
# the same commands the CLI tests run under the sanitizers.
# The sanitizer build has no MPI (Open MPI's start-up holds memory LeakSanitizer would report):
# its MPI tests say they are skipped.
# The sanitizer build is compiled by clang: in half to two thirds of GCC's time, and a second compiler's
# warnings and behaviour are checked (the first pass is GCC's). A folder GCC configured before is
# remade.
SANITIZE ?= 1
SANITIZE_DIR ?= build-sanitize
SANITIZE_SKIP := strip by strip|killed at any moment|full_disk|Many files in|readme_examples|in a real browser
# AddressSanitizer keeps freed memory out of use for 16 MB of later frees (its default is 256 MB)
# and records 10 frames of the stacks that allocate and free (default 30): a command's memory is
# then reused rather than freshly mapped, which took a quarter of the sanitizer tests' time in page
# faults and stack records. Every check stays on: an access after free still fails while the block
# is held, and a report still shows the faulting access's whole stack.
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16:malloc_context_size=10 \
  UBSAN_OPTIONS=print_stacktrace=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

test: build
	cd $(BUILD_DIR) && $(TIMED) "release tests" ctest --output-on-failure -j $(JOBS)
ifneq ($(SANITIZE),0)
	@if [ -f $(SANITIZE_DIR)/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang' $(SANITIZE_DIR)/CMakeCache.txt; then \
	  echo "$(SANITIZE_DIR) was configured for another compiler: remaking it with clang"; rm -rf $(SANITIZE_DIR); fi
	CC=clang CXX=clang++ cmake -S . -B $(SANITIZE_DIR) $(call generator,$(SANITIZE_DIR)) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
	  -DHOTSPOT_SANITIZE=ON -DHOTSPOT_BUILD_BENCHMARKS=OFF -DHOTSPOT_PYTHON=OFF -DHOTSPOT_MPI=OFF
	$(TIMED) "sanitizer build" cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && $(SANITIZE_ENV) $(TIMED) "sanitizer tests" ctest --output-on-failure -j $(JOBS) -LE 'peers|qgis' -E '$(SANITIZE_SKIP)'
endif

# The QGIS plugin as the zip QGIS installs (Plugins > Manage and Install Plugins > Install from ZIP).
qgis-plugin:
	@mkdir -p $(BUILD_DIR)
	rm -f $(BUILD_DIR)/hotspot_qgis.zip
	zip -qr $(BUILD_DIR)/hotspot_qgis.zip hotspot_qgis -x '*__pycache__*'
	@echo "wrote $(BUILD_DIR)/hotspot_qgis.zip"

demo: build
	./data/demo.sh $(HOTSPOT) $(DEMO_OUT)

bench:
	@$(MAKE) --no-print-directory build BENCHMARKS=ON
	./benchmarks/run_kde_benchmark.sh $(BUILD_DIR)

fuzz:
	@$(MAKE) --no-print-directory deps PACKAGES="$(PACKAGES) $(FUZZ_PACKAGES)"
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTSPOT_FUZZ=ON \
	  -DHOTSPOT_WERROR=OFF -DHOTSPOT_BUILD_BENCHMARKS=OFF -DHOTSPOT_PYTHON=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_HARNESSES))
	./tests/fuzz/run_fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR) $(DEMO_OUT)
