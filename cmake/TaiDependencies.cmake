# Every dependency comes from Debian packages installed by scripts/setup;
# nothing is downloaded at configure or build time.
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)

find_package(PkgConfig REQUIRED)
# Debian builds cpp-httplib as a shared library; its pkg-config flags carry
# the feature macros that must match the library's ABI.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
add_library(tai_httplib INTERFACE)
target_link_libraries(tai_httplib INTERFACE PkgConfig::HTTPLIB Threads::Threads)

# elfutils' libdw: file and line numbers in profiles (the symbolizer).
pkg_check_modules(LIBDW REQUIRED IMPORTED_TARGET libdw)

find_package(nlohmann_json 3 REQUIRED)
# yaml-cpp: the alert rule files (imported target `yaml-cpp` in 0.7).
find_package(yaml-cpp REQUIRED)
# {fmt}: compile-time checked format strings for the logging pillar (std::format
# is not in g++ 12).
find_package(fmt REQUIRED)

if(TAI_BUILD_TESTS OR TAI_BUILD_BENCH)
  # The spdlog bridge's test, and the logging benchmark's baseline.
  find_package(spdlog REQUIRED)
endif()
if(TAI_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(TAI_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
