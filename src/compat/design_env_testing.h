// Test support: the environment the original design's standalone objects
// read (their shared pipeline is made from Config::FromEnv), set for one
// test: the embedded store in a fresh temporary directory, no stdout logs,
// none of the machine's own Google Cloud settings, plus the test's own
// variables. The destructor restores what was there.
//
// Owned by the test; the design objects must be gone before it is. Not
// thread-safe (it changes the process's environment).
#pragma once

#include <stdlib.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/temp_dir_testing.h"

namespace tai::testing {

class ScopedDesignEnv {
 public:
  explicit ScopedDesignEnv(const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::optional<std::string>> want = {
        {"GOOGLE_CLOUD_PROJECT", std::nullopt},
        {"GOOGLE_APPLICATION_CREDENTIALS", std::nullopt},
        {"TAI_GCP_EXPORT", std::nullopt},
        {"TAI_STORE", std::nullopt},
        {"TAI_STORE_PATH", store_path()},
        {"TAI_SERVICE_NAME", "design-test"},
        {"TAI_LOG_FORMAT", "off"},
        {"TAI_PROMETHEUS_ADDR", std::nullopt}};
    for (const auto& [k, v] : extra) want[k] = v;
    for (const auto& [name, value] : want) {
      const char* old = ::getenv(name.c_str());
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      Set(name, value);
    }
  }
  ~ScopedDesignEnv() {
    for (const auto& [name, value] : saved_) Set(name, value);
  }
  ScopedDesignEnv(const ScopedDesignEnv&) = delete;
  ScopedDesignEnv& operator=(const ScopedDesignEnv&) = delete;

  std::string store_path() const { return dir_.path() + "/design.db"; }

 private:
  static void Set(const std::string& name, const std::optional<std::string>& value) {
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }

  TempDir dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace tai::testing
