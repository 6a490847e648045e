// Profile queries over the embedded store: list what is kept, get one
// profile back, merge a kind's profiles over a time range (a "last hour"
// view), and the history of the continuous profiler's comparisons with
// its baseline. Comparing two is the analysis module's job
// (tai/analysis/regression.h), given two profiles read from here.
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
  // Only pinned profiles (baselines, which retention keeps).
  bool pinned_only = false;
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

// One comparison of a profile with its baseline, as the continuous
// profiler made it (Observability stores each one, regressions or not, so
// that a regression can be traced back to the windows that showed it).
struct ProfileComparisonRecord {
  int64_t time_nanos = 0;  // when it was compared
  std::string service;
  std::string kind;                 // "CPU", "HEAP", ...
  std::string profile_id;           // the compared profile ("cpu-000042")
  int64_t baseline_time_nanos = 0;  // the baseline profile's time
  std::string severity;             // "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"
  size_t regressions = 0;
  double total_change_percent = 0;
  // The comparison by function: {"regressions":[{"function":..,
  // "baseline_micros":..,"current_micros":..,"increase_percent":..,
  // "p_value":..,"severity":..}],"improvements":[..],"added":[..],
  // "removed":[..],"baseline_total_micros":..,"current_total_micros":..}
  std::string details_json;
};

struct ProfileComparisonQuery {
  std::string service;  // "" matches any
  std::string kind;     // "" matches any
  int64_t start_nanos = 0;
  int64_t end_nanos = INT64_MAX;
  bool regressions_only = false;  // only comparisons that found one
  size_t limit = 100;             // newest first
};

}  // namespace tai
