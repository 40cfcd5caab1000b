# cryptd_layer(<name> SOURCES ... DEPENDS ...)
#
# Declares the library `cryptd_<name>` for src/<name>. Its headers are reachable as
# "<name>/header.h" only by targets that link it: the include root is a per-layer folder in the
# build tree holding a single link <name> -> src/<name>. So analysis cannot include "server/...".
function(cryptd_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  set(root ${CMAKE_BINARY_DIR}/layer-include/${name})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${name})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${name} ${root}/${name} SYMBOLIC)
  endif()
  add_library(cryptd_${name} STATIC ${L_SOURCES})
  # Position-independent and hidden: the engine layers also go into mongo_crypt_v1.so, where
  # only the ABI is exported (hidden symbols also let calls inside the library bind directly).
  set_target_properties(cryptd_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_include_directories(cryptd_${name} PUBLIC ${root})
  target_link_libraries(cryptd_${name} PUBLIC ${L_DEPENDS} PRIVATE ${L_PRIVATE_DEPENDS})
  cryptd_warnings(cryptd_${name})
endfunction()
