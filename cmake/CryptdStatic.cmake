# CRYPTD_STATIC=ON: the shipped build. mongocryptd and cryptd-check link fully statically (glibc,
# libstdc++, libbson, Boost.program_options, yaml-cpp), so they start without the dynamic loader's
# work and run on any Linux of the same CPU family, Alpine and empty chroots included.
#
# The libraries are found by file name (the .a archives Debian ships in the -dev packages) rather
# than through their CMake configs: those name shared libraries or absolute host paths (libbson's
# static target links /usr/lib/<host triplet>/librt.a), which breaks cross builds into a sysroot
# (cmake/toolchain-aarch64.cmake). The targets keep the names the layers link.
#
# No name resolution, dlopen or NSS at run time: the daemon binds numeric 127.0.0.1/::1 and the
# client side of --healthcheck connects to 127.0.0.1, so static glibc's getaddrinfo/getpwnam
# caveats do not apply (the link fails on purpose if one of them shows up, see below).

macro(cryptd_static_archive var name)
  find_library(${var} NAMES ${name} REQUIRED NO_CACHE)
  message(STATUS "static: ${name} -> ${${var}}")
endmacro()

cryptd_static_archive(_bson_a libbson-static-1.0.a)
find_path(_bson_inc bson.h PATH_SUFFIXES libbson-1.0 REQUIRED NO_CACHE)
add_library(cryptd_static_bson STATIC IMPORTED GLOBAL)
set_target_properties(cryptd_static_bson PROPERTIES
  IMPORTED_LOCATION ${_bson_a}
  INTERFACE_INCLUDE_DIRECTORIES ${_bson_inc}
  INTERFACE_COMPILE_DEFINITIONS BSON_STATIC
  INTERFACE_LINK_LIBRARIES "rt;Threads::Threads")
set(CRYPTD_BSON_TARGET cryptd_static_bson)
# The name libbson's own config gives its static archive, for targets that ask for it by name.
add_library(mongo::bson_static ALIAS cryptd_static_bson)

find_path(_boost_inc boost/version.hpp REQUIRED NO_CACHE)
file(STRINGS ${_boost_inc}/boost/version.hpp _boost_ver REGEX "define BOOST_LIB_VERSION")
if(NOT _boost_ver MATCHES "\"1_81\"")
  message(FATAL_ERROR "static: Boost 1.81 headers expected in ${_boost_inc}, found ${_boost_ver}")
endif()
add_library(Boost::headers INTERFACE IMPORTED GLOBAL)
set_target_properties(Boost::headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_boost_inc})
cryptd_static_archive(_po_a libboost_program_options.a)
add_library(Boost::program_options STATIC IMPORTED GLOBAL)
set_target_properties(Boost::program_options PROPERTIES
  IMPORTED_LOCATION ${_po_a} INTERFACE_LINK_LIBRARIES Boost::headers)

cryptd_static_archive(_yaml_a libyaml-cpp.a)
find_path(_yaml_inc yaml-cpp/yaml.h REQUIRED NO_CACHE)
add_library(yaml-cpp STATIC IMPORTED GLOBAL)
set_target_properties(yaml-cpp PROPERTIES
  IMPORTED_LOCATION ${_yaml_a} INTERFACE_INCLUDE_DIRECTORIES ${_yaml_inc})

# RapidJSON's config hard-codes /usr/include, the host's: look for the header instead.
find_path(RAPIDJSON_INCLUDE_DIRS rapidjson/document.h REQUIRED NO_CACHE)

# Called after the executables exist: -static for the two shipped programs, and a link that fails
# when something pulls in glibc's NSS-backed functions (they would dlopen libnss_* at run time).
function(cryptd_static_executables)
  foreach(t ${ARGN})
    if(TARGET ${t})
      target_link_options(${t} PRIVATE -static -Wl,--fatal-warnings)
    endif()
  endforeach()
endfunction()
