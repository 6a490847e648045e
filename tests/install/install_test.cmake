# cmake -DBUILD_DIR=... -DWORK_DIR=... -DCONSUMER_DIR=... -DCXX=... -DGENERATOR=...
#       -DPKG_CONFIG=... -DSANITIZE_FLAGS=... -DHEAP_HOOKS=0|1 -DPRELOAD=0|1
#       -P install_test.cmake
#
# Installs BUILD_DIR into WORK_DIR/prefix, then, as a user would: compiles
# every installed header with only the installed include directory (a public
# header that reaches into src/ fails here), builds the consumer with
# find_package and runs it, and builds it with pkg-config and a plain
# compiler command line and runs it. Each run must print the line the
# consumer prints when its counter reached /metrics and its span was
# exported; heap_hooks=1 where tai::heap_hooks was linked in. The installed
# taiobs must preload the installed profiler library, not the build tree's.

# Runs a command; on failure stops the test with what it printed.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# Runs a consumer binary and checks its line.
function(check_consumer binary hooks)
  run("running ${binary}" ${binary})
  set(expected "consumer: counter=42 spans=1 heap_hooks=${hooks}")
  if(NOT run_output MATCHES "${expected}")
    message(FATAL_ERROR "${binary} printed\n${run_output}\nnot '${expected}'")
  endif()
  message(STATUS "${binary}: ${expected}")
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

foreach(file include/tai/observability.h include/tai/core/status.h bin/taiobs
        lib/cmake/tai-observability/tai-observability-config.cmake
        lib/cmake/tai-observability/tai-observability-config-version.cmake
        lib/pkgconfig/tai-observability.pc lib/libtai_core.a lib/libtai_compat.a)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "the install has no ${file}")
  endif()
endforeach()
run("installed taiobs --version" ${prefix}/bin/taiobs --version)
message(STATUS "taiobs --version: ${run_output}")
if(PRELOAD)
  # Only what the shell is given matters here: it may leave without writing
  # a profile (a shell's exit skips the profiler's hook), so no exit code check.
  execute_process(COMMAND ${prefix}/bin/taiobs profile -o ${WORK_DIR}/profile.pb.gz
                  -- /bin/sh -c "echo LD_PRELOAD=$LD_PRELOAD"
                  OUTPUT_VARIABLE run_output ERROR_VARIABLE run_error)
  if(NOT run_output MATCHES "LD_PRELOAD=${prefix}/bin/../lib/libtai_profile_preload.so")
    message(FATAL_ERROR "the installed taiobs did not preload the installed profiler:\n"
                        "${run_output}\n${run_error}")
  endif()
  message(STATUS "the installed taiobs preloads ${prefix}/lib/libtai_profile_preload.so")
endif()

separate_arguments(sanitize UNIX_COMMAND "${SANITIZE_FLAGS}")

# Every installed header in one translation unit, against the installed
# include directory only (the system's for fmt, libcurl, spdlog).
file(GLOB_RECURSE headers RELATIVE ${prefix}/include ${prefix}/include/*.h)
list(LENGTH headers header_count)
set(all_headers "")
foreach(header IN LISTS headers)
  string(APPEND all_headers "#include \"${header}\"\n")
endforeach()
file(WRITE ${WORK_DIR}/all_headers.cc "${all_headers}")
run("compiling the ${header_count} installed headers" ${CXX} -std=c++20 -fsyntax-only
    -Wall -Wextra -Werror -I${prefix}/include ${WORK_DIR}/all_headers.cc)
message(STATUS "the ${header_count} installed headers compile with -I<prefix>/include only")

# find_package.
run("configuring the consumer with find_package" ${CMAKE_COMMAND} -S ${CONSUMER_DIR}
    -B ${WORK_DIR}/cmake-build -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix}
    "-DCMAKE_CXX_FLAGS=${SANITIZE_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${SANITIZE_FLAGS}")
run("building the consumer with find_package" ${CMAKE_COMMAND} --build ${WORK_DIR}/cmake-build)
check_consumer(${WORK_DIR}/cmake-build/consumer 0)
if(HEAP_HOOKS)
  check_consumer(${WORK_DIR}/cmake-build/consumer_heap_hooks 1)
endif()

# pkg-config, with a plain compiler command line.
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "pkg-config is not installed: scripts/setup installs it")
endif()
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run("pkg-config --cflags --libs" ${PKG_CONFIG} --cflags --libs tai-observability)
separate_arguments(pc_flags UNIX_COMMAND "${run_output}")
set(hooks_object "")
if(HEAP_HOOKS)
  run("pkg-config --variable=heap_hooks" ${PKG_CONFIG} --variable=heap_hooks tai-observability)
  string(STRIP "${run_output}" hooks_object)
endif()
run("building the consumer with pkg-config" ${CXX} -std=c++20 ${sanitize}
    ${CONSUMER_DIR}/main.cc ${hooks_object} ${pc_flags} -o ${WORK_DIR}/pc-consumer)
check_consumer(${WORK_DIR}/pc-consumer ${HEAP_HOOKS})
