# Warning flags shared by every cryptd target.
function(cryptd_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  if(CRYPTD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12 at -O3 reports -Wrestrict inside libstdc++'s std::string concatenation where no
    # overlap exists (GCC bug 105651); which call sites trip it shifts with inlining. Kept as a
    # warning, not an error, for that compiler only.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE -Wno-error=restrict)
    endif()
  endif()
  if(CRYPTD_SANITIZE)
    string(REPLACE ";" "," _san "${CRYPTD_SANITIZE}")
    target_compile_options(${target} PRIVATE -fsanitize=${_san} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${_san})
  endif()
endfunction()

if(CRYPTD_SANITIZE)
  string(REPLACE ";" "," _san "${CRYPTD_SANITIZE}")
  add_link_options(-fsanitize=${_san})
endif()
