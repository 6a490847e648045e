// Internal: a profile reduced to what regression detection compares: each
// function's cost (self or cumulative) in the profile's default sample type,
// the number of samples behind it, and the profile's totals and exposure.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "tai/analysis/regression.h"
#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai::internal {

struct FunctionCost {
  int64_t value = 0;    // in the default sample type's unit
  int64_t samples = 0;  // observations behind it (what the significance test counts)
};

struct ProfileCosts {
  ValueType value_type;
  bool nanoseconds = false;  // values are nanoseconds (reported as microseconds)
  int64_t total_value = 0;
  int64_t total_samples = 0;
  int64_t duration_nanos = 0;
  double period_nanos = 1;  // time between two samples; 1 when unknown (equal rates assumed)
  std::unordered_map<std::string, FunctionCost> functions;
};

// Samples come from a "samples"/"count" sample type when there is one, else
// from the value divided by the period, else from a value that is itself a
// count. Fails when the profile has no sample types or none of these.
Result<ProfileCosts> FunctionCosts(const Profile& profile, CostKind kind);

}  // namespace tai::internal
