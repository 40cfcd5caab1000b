# libmongocrypt 1.20.2, what today's drivers bundle, built from ../shared/vendor into the build tree
# for the tests that need it (Debian ships 1.7.2). Nothing is downloaded: the sources are the two
# tarballs beside the checkout. Each variant is an ExternalProject, so it is built once per build
# directory and then cached by its stamp files.
#
# CRYPTD_VENDORED_LMC   ON when the tarballs are present; tests that need them skip otherwise.
# cryptd_vendored_libmongocrypt(<name> [STATIC_ONLY] [CMAKE_ARGS ...])
#   Builds and installs one variant into ${CMAKE_BINARY_DIR}/third_party/<name>, and defines the
#   imported target vendored::<name> (the shared library, include dir mongocrypt/) with
#   <name>_PREFIX set to the install folder (lib/ holds the static archives too). The library has
#   the soname of Debian's libmongocrypt: link it with an rpath (CMake's default for build-tree
#   binaries) and never load both in one process. The ExternalProject target is <name>_build.
#   STATIC_ONLY: only the headers and the three static archives a consumer with its own link
#   line needs (libmongocrypt-static.a, libkms_message-static.a,
#   libbson-static-for-libmongocrypt.a; about half the build time), and no vendored::<name>.
include(ExternalProject)

set(CRYPTD_VENDOR_DIR ${CMAKE_SOURCE_DIR}/../shared/vendor)
set(_lmc_tarball ${CRYPTD_VENDOR_DIR}/libmongocrypt-1.20.2.tar.xz)
set(_bson_tarball ${CRYPTD_VENDOR_DIR}/mongo-c-driver-2.3.3-libbson.tar.xz)
if(EXISTS ${_lmc_tarball} AND EXISTS ${_bson_tarball})
  set(CRYPTD_VENDORED_LMC ON)
else()
  set(CRYPTD_VENDORED_LMC OFF)
  message(STATUS "libmongocrypt 1.20.2: ${CRYPTD_VENDOR_DIR} not found, the tests that need it will skip")
endif()

# libmongocrypt builds its own libbson from this source tree (MONGOCRYPT_MONGOC_DIR).
if(CRYPTD_VENDORED_LMC AND NOT TARGET vendored_libbson_source)
  ExternalProject_Add(vendored_libbson_source
    URL ${_bson_tarball}
    SOURCE_DIR ${CMAKE_BINARY_DIR}/third_party/mongo-c-driver-2.3.3
    CONFIGURE_COMMAND "" BUILD_COMMAND "" INSTALL_COMMAND ""
    EXCLUDE_FROM_ALL ON)
endif()

function(cryptd_vendored_libmongocrypt name)
  cmake_parse_arguments(V "STATIC_ONLY" "" "CMAKE_ARGS" ${ARGN})
  if(NOT CRYPTD_VENDORED_LMC OR TARGET ${name}_build)
    return()
  endif()
  set(prefix ${CMAKE_BINARY_DIR}/third_party/${name})
  if(V_STATIC_ONLY)
    set(static_archives
      <BINARY_DIR>/libmongocrypt-static.a <BINARY_DIR>/kms-message/libkms_message-static.a
      <BINARY_DIR>/_mongo-c-driver/src/libbson/libbson-static-for-libmongocrypt.a)
    # The install rules want every target built, so the few files are copied instead.
    set(steps
      BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR>
                    --target mongocrypt_static kms_message_static bson_static
      INSTALL_COMMAND ${CMAKE_COMMAND} -E make_directory <INSTALL_DIR>/lib <INSTALL_DIR>/include/mongocrypt
      COMMAND ${CMAKE_COMMAND} -E copy ${static_archives} <INSTALL_DIR>/lib
      COMMAND ${CMAKE_COMMAND} -E copy <SOURCE_DIR>/src/mongocrypt.h <SOURCE_DIR>/src/mongocrypt-compat.h
              <BINARY_DIR>/src/mongocrypt-config.h <BINARY_DIR>/src/mongocrypt-export.h
              <INSTALL_DIR>/include/mongocrypt)
    set(byproducts ${prefix}/lib/libmongocrypt-static.a)
  else()
    set(steps)
    set(byproducts ${prefix}/lib/libmongocrypt.so)
  endif()
  # The libmongocrypt build is not ours: plain flags, no sanitizers or warnings of this project.
  ExternalProject_Add(${name}_build
    URL ${_lmc_tarball}
    PREFIX ${CMAKE_BINARY_DIR}/third_party/${name}-work
    INSTALL_DIR ${prefix}
    DEPENDS vendored_libbson_source
    CMAKE_GENERATOR Ninja
    CMAKE_ARGS
      -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++
      -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR> -DCMAKE_INSTALL_LIBDIR=lib
      -DBUILD_VERSION=1.20.2
      -DMONGOCRYPT_MONGOC_DIR=${CMAKE_BINARY_DIR}/third_party/mongo-c-driver-2.3.3
      -DMONGOCRYPT_DFP_DIR=USE-SYSTEM
      -DENABLE_ONLINE_TESTS=OFF -DBUILD_TESTING=OFF -DFETCHCONTENT_FULLY_DISCONNECTED=ON
      ${V_CMAKE_ARGS}
    ${steps}
    BUILD_BYPRODUCTS ${byproducts}
    EXCLUDE_FROM_ALL ON)
  set(${name}_PREFIX ${prefix} PARENT_SCOPE)
  if(V_STATIC_ONLY)
    return()
  endif()
  file(MAKE_DIRECTORY ${prefix}/include/mongocrypt)
  add_library(vendored::${name} SHARED IMPORTED GLOBAL)
  set_target_properties(vendored::${name} PROPERTIES
    IMPORTED_LOCATION ${prefix}/lib/libmongocrypt.so
    IMPORTED_SONAME libmongocrypt.so.0
    INTERFACE_INCLUDE_DIRECTORIES ${prefix}/include)
  add_dependencies(vendored::${name} ${name}_build)
endfunction()
