# ctest fixture e2e_node_install: installs the node `mongodb` driver (major 6) into PREFIX with
# npm, unless it is already there. Fails loudly when npm or the registry is unreachable.
if(EXISTS "${PREFIX}/node_modules/mongodb/package.json")
  file(READ "${PREFIX}/node_modules/mongodb/package.json" pkg)
  string(JSON version GET "${pkg}" version)
  if(version MATCHES "^6\\.")
    message(STATUS "node mongodb driver ${version} already installed in ${PREFIX}")
    return()
  endif()
endif()
find_program(NPM npm)
if(NOT NPM)
  message(FATAL_ERROR "npm not found: run scripts/setup.sh --test (installs nodejs and npm)")
endif()
file(MAKE_DIRECTORY "${PREFIX}")
execute_process(
  COMMAND ${NPM} install --prefix "${PREFIX}" --no-audit --no-fund --no-save mongodb@6
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 280)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm install mongodb@6 failed (${rc}); is the npm registry reachable?\n${out}\n${err}")
endif()
message(STATUS "installed the node mongodb driver into ${PREFIX}")
