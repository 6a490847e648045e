# One static library per module (../shared/DESIGN.md, docs/architecture.md).
#
#   tai_module(<name> LAYER <n> [DEPS <module>...] [TOP_HEADERS <header>...]
#              SOURCES <file>... [PUBLIC_LIBS <lib>...] [PRIVATE_LIBS <lib>...])
#
# A module may depend only on modules of lower layers; that is checked here,
# at configure time. What the module's code may include is checked by the
# compiler: a module is compiled against a "view" directory that holds
# symbolic links to its own headers and those of the modules it depends on
# (directly or not) and nothing else, so an include that runs up a layer, or
# sideways, fails with "No such file or directory". TOP_HEADERS are the
# module's headers that sit directly in include/tai/ (observability.h).
#
# Modules must be defined in layer order. The umbrella tai::observability
# links them all and exposes the whole include/ tree to users.

function(tai_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "LAYER" "DEPS;TOP_HEADERS;SOURCES;PUBLIC_LIBS;PRIVATE_LIBS")
  if(arg_LAYER STREQUAL "")
    message(FATAL_ERROR "tai_module(${name}): LAYER is required")
  endif()
  set(closure ${name})
  foreach(dep IN LISTS arg_DEPS)
    get_property(dep_layer GLOBAL PROPERTY TAI_MODULE_LAYER_${dep})
    if(dep_layer STREQUAL "")
      message(FATAL_ERROR "module ${name} depends on '${dep}', which is not defined before it")
    endif()
    if(NOT dep_layer LESS arg_LAYER)
      message(FATAL_ERROR "module ${name} (layer ${arg_LAYER}) may not depend on ${dep} "
                          "(layer ${dep_layer}): a module uses only lower layers")
    endif()
    get_property(dep_closure GLOBAL PROPERTY TAI_MODULE_CLOSURE_${dep})
    list(APPEND closure ${dep_closure})
  endforeach()
  list(REMOVE_DUPLICATES closure)
  set_property(GLOBAL PROPERTY TAI_MODULE_LAYER_${name} ${arg_LAYER})
  set_property(GLOBAL PROPERTY TAI_MODULE_CLOSURE_${name} ${closure})
  set_property(GLOBAL PROPERTY TAI_MODULE_TOP_HEADERS_${name} ${arg_TOP_HEADERS})
  set_property(GLOBAL APPEND PROPERTY TAI_MODULES ${name})

  set(view ${CMAKE_BINARY_DIR}/module-views/${name})
  _tai_module_view(${view} "${closure}")
  add_library(tai_${name} STATIC ${arg_SOURCES})
  target_include_directories(tai_${name} PRIVATE ${view}/include ${view}/src)
  list(TRANSFORM arg_DEPS PREPEND tai_ OUTPUT_VARIABLE dep_targets)
  # The compile options are the build's own: an installed module does not
  # pass them on (cmake/TaiInstall.cmake).
  target_link_libraries(tai_${name}
    PUBLIC Threads::Threads ${arg_PUBLIC_LIBS}
    PRIVATE $<BUILD_INTERFACE:tai_compile_options> ${dep_targets} ${arg_PRIVATE_LIBS})
  target_compile_features(tai_${name} PUBLIC cxx_std_20)
endfunction()

# Links include/tai/<m> and src/<m> of every module in `modules` (and their
# top-level headers) into `view`.
function(_tai_module_view view modules)
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view}/include/tai ${view}/src)
  foreach(m IN LISTS modules)
    if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/include/tai/${m})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/tai/${m} ${view}/include/tai/${m} SYMBOLIC)
    endif()
    if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/src/${m})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${m} ${view}/src/${m} SYMBOLIC)
    endif()
    get_property(top GLOBAL PROPERTY TAI_MODULE_TOP_HEADERS_${m})
    foreach(header IN LISTS top)
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/tai/${header} ${view}/include/tai/${header}
           SYMBOLIC)
    endforeach()
  endforeach()
endfunction()

# Adds a ctest test that compiles `header` with the include paths `module` is
# built with, and expects it to compile (ALLOWED) or to fail because the
# header is out of the module's reach (DENIED).
function(tai_layering_test module verdict header)
  string(MAKE_C_IDENTIFIER "${header}" header_id)
  set(test Layering.${module}_${verdict}_${header_id})
  add_test(NAME ${test}
           COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 -fsyntax-only
                   "-I$<JOIN:$<TARGET_PROPERTY:tai_${module},INCLUDE_DIRECTORIES>,;-I>"
                   "-DTAI_LAYERING_HEADER=<${header}>" ${PROJECT_SOURCE_DIR}/src/layering_check.cc
           COMMAND_EXPAND_LISTS)
  if(verdict STREQUAL "DENIED")
    set_tests_properties(${test} PROPERTIES PASS_REGULAR_EXPRESSION
                          "${header}: No such file or directory")
  endif()
  set_tests_properties(${test} PROPERTIES LABELS unit)
endfunction()
