#!/usr/bin/env bash
# Installs the Debian packages cryptd needs to build and test. Idempotent and quick when all
# are present (one dpkg query, no apt-get). Run as root on Debian bookworm.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libbson-dev libboost1.81-dev libboost-program-options1.81-dev rapidjson-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libmongoc-dev libmongocrypt-dev python3 python3-pymongo
)
# Extra packages only the test suite needs (real clients, node for the node driver test).
if [ "${1:-}" = "--test" ]; then
  # libintelrdfpmath-dev: the Decimal128 library libmongocrypt 1.20.2 (../shared/vendor) builds against.
  # golang-* and php-*: the Go and PHP drivers' own automatic encryption, end to end.
  packages+=(nodejs npm libintelrdfpmath-dev golang-go golang-mongodb-mongo-driver-dev php-cli php-mongodb)
fi
# `make fuzz`: clang and its libFuzzer/sanitizer runtimes.
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
# npm may be present without the Debian package (e.g. a node install from elsewhere).
if command -v npm >/dev/null 2>&1; then
  keep=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || keep+=("$p"); done
  missing=("${keep[@]}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
