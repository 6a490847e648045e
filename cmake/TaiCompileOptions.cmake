# Compile options shared by every target of the project: warnings as errors,
# frame pointers (the CPU profiler walks them), and the sanitizer flavours.
add_library(tai_compile_options INTERFACE)
target_compile_options(tai_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wformat=2 -Werror
  -fno-omit-frame-pointer
  # g++ 12 reports false -Wrestrict errors inside std::string concatenation
  # (GCC bug 105329) and false -Wmaybe-uninitialized ones when moving
  # std::variant and std::optional (GCC bug 105562); both checks stay off
  # until the compiler is fixed.
  -Wno-restrict -Wno-maybe-uninitialized
  # Designated initializers that leave fields at their defaults are how the
  # API's option structs are meant to be filled.
  -Wno-missing-field-initializers)

if(TAI_SANITIZE STREQUAL "address")
  set(_tai_san -fsanitize=address,undefined -fno-sanitize-recover=undefined)
elseif(TAI_SANITIZE STREQUAL "thread")
  set(_tai_san -fsanitize=thread)
elseif(NOT TAI_SANITIZE STREQUAL "none")
  message(FATAL_ERROR "TAI_SANITIZE must be none, address or thread, not '${TAI_SANITIZE}'")
endif()
if(_tai_san)
  # -O1 keeps sanitizer builds fast to run and their stacks readable.
  target_compile_options(tai_compile_options INTERFACE ${_tai_san} -O1 -g)
  target_link_options(tai_compile_options INTERFACE ${_tai_san})
  target_compile_definitions(tai_compile_options INTERFACE TAI_SANITIZER_BUILD=1)
endif()

# Third-party headers are included as system headers so that our strict
# warnings apply to our code only.
function(tai_target_defaults target)
  target_link_libraries(${target} PRIVATE tai_compile_options)
endfunction()
