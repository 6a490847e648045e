# Every dependency comes from Debian packages installed by scripts/setup;
# nothing is downloaded at configure or build time.
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)

find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
add_library(tai_httplib INTERFACE)
target_include_directories(tai_httplib SYSTEM INTERFACE ${HTTPLIB_INCLUDE_DIR})
target_compile_definitions(tai_httplib INTERFACE CPPHTTPLIB_ZLIB_SUPPORT)
target_link_libraries(tai_httplib INTERFACE ZLIB::ZLIB Threads::Threads)

find_package(nlohmann_json 3 REQUIRED)

if(TAI_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(TAI_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
