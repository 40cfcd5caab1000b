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

# `make test-portable`/`make cross-arm64`: the arm64 cross compiler, qemu user-mode emulators (other
# CPUs and CPU models), and an arm64 sysroot (below).
if [ "${1:-}" = "--cross" ]; then
  packages+=(crossbuild-essential-arm64 qemu-user qemu-user-static)
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO dpkg --add-architecture arm64
    $SUDO apt-get update -qq
  fi
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

# The arm64 libraries, as Debian's :arm64 packages unpacked into .cache/sysroot-arm64 (read by
# cmake/toolchain-aarch64.cmake). Not installed with dpkg: libbson-dev and libyaml-cpp-dev are not
# co-installable across architectures, so that would remove the amd64 ones.
if [ "${1:-}" = "--cross" ]; then
  sysroot="$(cd "$(dirname "$0")/.." && pwd)/.cache/sysroot-arm64"
  arm64_packages=(libbson-dev:arm64 libboost1.81-dev:arm64 libboost-program-options1.81-dev:arm64
                  libyaml-cpp-dev:arm64 rapidjson-dev)
  stamp="$sysroot/.packages"
  want=$(apt-cache policy "${arm64_packages[@]}" 2>/dev/null | grep -E '^[a-z]|Candidate' | tr -d ' \n')
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: unpacking ${arm64_packages[*]} into $sysroot"
    debs=$(mktemp -d); chmod 755 "$debs"; chown _apt "$debs" 2>/dev/null || true  # apt drops to _apt
    (cd "$debs" && apt-get download -qq "${arm64_packages[@]}")
    rm -rf "$sysroot"; mkdir -p "$sysroot"
    for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$sysroot"; done
    rm -rf "$debs"
    echo "$want" > "$stamp"
  fi
fi
