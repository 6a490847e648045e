// Profile queries over the embedded store: list what is kept, get one
// profile back, merge a kind's profiles over a time range (a "last hour"
// view). Comparing two is the analysis module's job (tai/analysis/regression.h),
// given two profiles read from here.
//
// Value types, answered by Store (tai/store/store.h). Not synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace tai {

struct ProfileQuery {
  std::string service;     // "" matches any
  std::string kind;        // "CPU", "HEAP", ...; "" matches any
  std::string profile_id;  // the id it was exported with; "" matches any
  int64_t start_nanos = 0;
  int64_t end_nanos = INT64_MAX;
  size_t limit = 100;  // newest first
};

// What the store knows about one profile, without its samples.
struct StoredProfileInfo {
  int64_t row_id = 0;      // the handle for GetProfile, PinProfile
  std::string profile_id;  // the id it was exported with ("cpu-000042")
  std::string service;
  std::string kind;
  std::string version;
  int64_t time_nanos = 0;
  int64_t duration_nanos = 0;
  std::map<std::string, std::string> labels;
  bool pinned = false;  // a baseline: retention never removes it
  size_t bytes = 0;     // the pprof blob
};

}  // namespace tai
