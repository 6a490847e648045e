# `cmake --install` rules: the public headers, the module libraries with the
# umbrella tai::observability, tai::heap_hooks, the taiobs tool and its
# profiler shim, a CMake package (find_package(tai-observability CONFIG))
# and a pkg-config file (docs/install.md).
#
# The libraries are installed as they are built, one static archive per
# module, with tai::observability an INTERFACE target over them, rather than
# merged into one archive: the exported targets carry each module's
# dependencies on the others and on the third-party libraries, so CMake
# orders the archives for a static link by itself, and nothing has to
# re-archive object files (which a merge by `ar` would, with name clashes
# between modules' objects to handle). The pkg-config file lists the same
# archives in one valid static-link order (dependents first).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TAI_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tai-observability)

# Modules in link order: each before the modules it depends on. The
# configure check below keeps it in step with the module list.
set(tai_link_order compat observability dashboard alert web gcp store export analysis profile log
    trace metrics core)
get_property(tai_defined_modules GLOBAL PROPERTY TAI_MODULES)
foreach(module IN LISTS tai_defined_modules)
  if(NOT module IN_LIST tai_link_order)
    message(FATAL_ERROR "module ${module} is missing from tai_link_order in cmake/TaiInstall.cmake")
  endif()
endforeach()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tai DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

list(TRANSFORM tai_link_order PREPEND tai_ OUTPUT_VARIABLE tai_installed_modules)
install(TARGETS ${tai_installed_modules} tai_umbrella EXPORT tai-observability-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The allocation hooks stay an object file, installed and imported as an
# OBJECT library: its definitions of malloc and operator new must be linked
# whether or not anything refers to them, which an object on the link line
# guarantees and a member of an archive does not. Sanitizer builds do not
# install it: their runtimes own these symbols.
set(tai_heap_hooks_object "")
if(TAI_SANITIZE STREQUAL "none")
  install(TARGETS tai_heap_hooks EXPORT tai-observability-targets
          OBJECTS DESTINATION ${CMAKE_INSTALL_LIBDIR}/tai-observability)
  # The same object under a fixed name, for pkg-config users (the
  # `heap_hooks` variable of tai-observability.pc).
  install(FILES $<TARGET_OBJECTS:tai_heap_hooks> DESTINATION ${CMAKE_INSTALL_LIBDIR}/tai-observability
          RENAME tai_heap_hooks.o)
  set(tai_heap_hooks_object "\${libdir}/tai-observability/tai_heap_hooks.o")
endif()

install(EXPORT tai-observability-targets NAMESPACE tai:: DESTINATION ${TAI_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tai-observability-config.cmake.in
  ${PROJECT_BINARY_DIR}/tai-observability-config.cmake INSTALL_DESTINATION ${TAI_INSTALL_CMAKEDIR})
# 0.x: a minor release may break the API, so a request for 0.1 accepts
# 0.1.z only (SameMinorVersion); from 1.0 on SameMajorVersion fits.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tai-observability-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tai-observability-config.cmake
              ${PROJECT_BINARY_DIR}/tai-observability-config-version.cmake
        DESTINATION ${TAI_INSTALL_CMAKEDIR})

# pkg-config: relocatable (the prefix is found from the .pc file's own
# directory), so `cmake --install --prefix` anywhere gives a working file.
file(RELATIVE_PATH tai_pc_to_prefix /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" tai_pc_to_prefix "${tai_pc_to_prefix}")
list(TRANSFORM tai_link_order PREPEND -ltai_ OUTPUT_VARIABLE tai_pc_libs)
list(JOIN tai_pc_libs " " tai_pc_libs)
configure_file(${PROJECT_SOURCE_DIR}/cmake/tai-observability.pc.in
               ${PROJECT_BINARY_DIR}/tai-observability.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tai-observability.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS taiobs RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET tai_profile_preload)
  install(TARGETS tai_profile_preload LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
