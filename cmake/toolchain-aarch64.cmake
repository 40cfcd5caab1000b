# Cross build for 64-bit ARM (aarch64), used by `make cross-arm64` with -DCRYPTD_STATIC=ON.
# Compiler, libc and libstdc++: Debian's crossbuild-essential-arm64 (aarch64-linux-gnu-g++, its
# own libc under /usr/aarch64-linux-gnu). The :arm64 libraries (libbson, Boost, yaml-cpp,
# RapidJSON headers) come from a sysroot made of Debian's :arm64 packages unpacked by `scripts/setup.sh
# --cross` (installing them with dpkg would remove the amd64 -dev packages: libbson-dev and
# libyaml-cpp-dev are not co-installable across architectures).
#
# Code generation targets ARMv8.0-A, the baseline every 64-bit ARM CPU implements (Cortex-A53,
# Raspberry Pi 3/4): no LSE atomics or later extensions, which ARMv8.2-only builds assume.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_FLAGS_INIT "-march=armv8-a")
set(CMAKE_CXX_FLAGS_INIT "-march=armv8-a")

if(NOT CRYPTD_ARM64_SYSROOT)
  set(CRYPTD_ARM64_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../.cache/sysroot-arm64")
endif()
get_filename_component(CRYPTD_ARM64_SYSROOT "${CRYPTD_ARM64_SYSROOT}" ABSOLUTE)
if(NOT EXISTS "${CRYPTD_ARM64_SYSROOT}/usr/include/libbson-1.0/bson.h")
  message(FATAL_ERROR "no arm64 sysroot at ${CRYPTD_ARM64_SYSROOT}: run scripts/setup.sh --cross")
endif()
# Passed on to try_compile projects.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CRYPTD_ARM64_SYSROOT)

# Libraries and headers only from the sysroot; programs (cmake, ninja, git) from the host.
set(CMAKE_FIND_ROOT_PATH "${CRYPTD_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# How to run the test programs of this build on an x86-64 host.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;cortex-a53)
