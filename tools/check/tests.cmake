# Tests of the checker (sources in tests/unit/check). tools/ is configured before tests/, so the
# cryptd_test() helper does not exist yet here: this mirrors it (GoogleTest, one ctest entry per
# TEST, the same compile definitions and labels).
if(NOT CRYPTD_TESTS)
  return()
endif()
enable_testing()
find_package(GTest REQUIRED)
include(GoogleTest)

set(check_test_dir ${CMAKE_SOURCE_DIR}/tests/unit/check)
set(check_test_sources)
foreach(src IN ITEMS
    json_locator_test.cpp
    problem_finder_test.cpp
    rules_test.cpp
    input_test.cpp
    report_test.cpp
    command_probe_test.cpp
    seed_schemas_test.cpp
    cli_test.cpp)
  if(EXISTS ${check_test_dir}/${src})
    list(APPEND check_test_sources ${check_test_dir}/${src})
  endif()
endforeach()
if(NOT check_test_sources)
  return()
endif()

add_executable(check_test ${check_test_sources})
target_link_libraries(check_test PRIVATE cryptd_check GTest::gtest GTest::gtest_main)
target_include_directories(check_test PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_compile_definitions(check_test PRIVATE
  CRYPTD_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  CRYPTD_SHARED_DIR="${CRYPTD_SHARED_DIR}"
  CRYPTD_BINARY_DIR="${CMAKE_BINARY_DIR}"
  CRYPTD_CHECK_TESTDATA="${CMAKE_CURRENT_SOURCE_DIR}/testdata"
  CRYPTD_CHECK_BINARY="$<TARGET_FILE:cryptd-check>")
cryptd_warnings(check_test)
add_dependencies(check_test cryptd-check)
gtest_discover_tests(check_test PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
