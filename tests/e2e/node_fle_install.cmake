# ctest fixture e2e_node_fle_install: the Node.js driver with automatic encryption in PREFIX.
#   cmake -DPREFIX=<dir> -DLMC_PREFIX=<libmongocrypt 1.20.2 install> -DDFP_LIB=<libbidgcc000.a>
#         -P node_fle_install.cmake
# npm installs `mongodb` and `mongodb-client-encryption` without their install scripts (the
# addon's prebuilt binaries live outside the npm registry), then the addon is compiled from
# source against the static libmongocrypt of LMC_PREFIX (built with DISABLE_NATIVE_CRYPTO, as
# upstream's own prebuilds are: the addon hands libmongocrypt Node's OpenSSL) and the headers of
# the node that runs it. Done once per build directory: a stamp names what was built.
set(DRIVER_VERSION 7.9.1)
set(ADDON_VERSION 7.2.1)
set(addon_dir "${PREFIX}/node_modules/mongodb-client-encryption")
set(stamp "${PREFIX}/installed.stamp")
file(TIMESTAMP "${LMC_PREFIX}/lib/libmongocrypt-static.a" lmc_built)
set(want "mongodb ${DRIVER_VERSION}, mongodb-client-encryption ${ADDON_VERSION}, libmongocrypt ${LMC_PREFIX} (${lmc_built})")
if(EXISTS "${stamp}" AND EXISTS "${addon_dir}/build/Release/mongocrypt.node")
  file(READ "${stamp}" have)
  if(have STREQUAL want)
    message(STATUS "node driver with automatic encryption already installed in ${PREFIX}")
    return()
  endif()
endif()
file(REMOVE "${stamp}")

foreach(f include/mongocrypt/mongocrypt.h lib/libmongocrypt-static.a lib/libkms_message-static.a
          lib/libbson-static-for-libmongocrypt.a)
  if(NOT EXISTS "${LMC_PREFIX}/${f}")
    message(FATAL_ERROR "${LMC_PREFIX}/${f} is missing: the libmongocrypt 1.20.2 build did not run")
  endif()
endforeach()
if(NOT EXISTS "${DFP_LIB}")
  message(FATAL_ERROR "Intel's decimal library (${DFP_LIB}) is missing: run scripts/setup.sh --test")
endif()
find_program(NPM npm)
find_program(NODE node)
if(NOT NPM OR NOT NODE)
  message(FATAL_ERROR "node or npm not found: run scripts/setup.sh --test")
endif()
# The addon is compiled against <nodedir>/include/node: they must be the running node's headers.
execute_process(COMMAND ${NODE} -p "process.versions.node" OUTPUT_VARIABLE node_version
                OUTPUT_STRIP_TRAILING_WHITESPACE)
get_filename_component(node_bin_dir "${NODE}" DIRECTORY)
get_filename_component(nodedir "${node_bin_dir}" DIRECTORY)
set(node_version_h "${nodedir}/include/node/node_version.h")
if(NOT EXISTS "${node_version_h}")
  message(FATAL_ERROR "no node headers at ${nodedir}/include/node for node ${node_version}")
endif()
file(STRINGS "${node_version_h}" parts REGEX "^#define NODE_(MAJOR|MINOR|PATCH)_VERSION [0-9]+")
string(REGEX REPLACE "[^;]*VERSION ([0-9]+)" "\\1" parts "${parts}")
string(REPLACE ";" "." header_version "${parts}")
if(NOT header_version STREQUAL node_version)
  message(FATAL_ERROR "node ${node_version} but headers ${header_version} in ${nodedir}/include/node")
endif()

file(MAKE_DIRECTORY "${PREFIX}")
execute_process(
  COMMAND ${NPM} install --prefix "${PREFIX}" --ignore-scripts --no-audit --no-fund --no-save
          mongodb@${DRIVER_VERSION} mongodb-client-encryption@${ADDON_VERSION}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 200)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm install failed (${rc}); is the npm registry reachable?\n${out}\n${err}")
endif()

# binding.gyp links deps/lib/{libmongocrypt,libkms_message,libbson-static-for-libmongocrypt}-static.a
# with deps/include. libmongocrypt's Decimal128 code needs Intel's library, which binding.gyp
# does not link: without it the addon loads and then dies at the first Decimal128 operation.
# A GNU ld script in place of the archive links both.
file(REMOVE_RECURSE "${addon_dir}/deps" "${addon_dir}/build")
file(MAKE_DIRECTORY "${addon_dir}/deps/lib")
file(COPY "${LMC_PREFIX}/include/mongocrypt" DESTINATION "${addon_dir}/deps/include")
file(COPY "${LMC_PREFIX}/lib/libkms_message-static.a"
          "${LMC_PREFIX}/lib/libbson-static-for-libmongocrypt.a" DESTINATION "${addon_dir}/deps/lib")
file(WRITE "${addon_dir}/deps/lib/libmongocrypt-static.a"
     "GROUP ( ${LMC_PREFIX}/lib/libmongocrypt-static.a ${DFP_LIB} )\n")

execute_process(
  COMMAND ${CMAKE_COMMAND} -E env npm_config_nodedir=${nodedir} npm_config_build_from_source=true
          ${NPM} rebuild --prefix "${PREFIX}" mongodb-client-encryption
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 200)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building mongodb-client-encryption from source failed (${rc})\n${out}\n${err}")
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env NODE_PATH=${PREFIX}/node_modules
          ${NODE} -p "require('mongodb-client-encryption').MongoCrypt.libmongocryptVersion"
  RESULT_VARIABLE rc OUTPUT_VARIABLE version ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0 OR NOT version STREQUAL "1.20.2")
  message(FATAL_ERROR "the built addon reports libmongocrypt '${version}', not 1.20.2 (${rc})\n${err}")
endif()
file(WRITE "${stamp}" "${want}")
message(STATUS "installed ${want} into ${PREFIX}")
