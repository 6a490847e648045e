#include "analysis/function_costs.h"

#include <cmath>
#include <unordered_set>
#include <vector>

#include "profile/profile_index.h"

namespace tai::internal {
namespace {

int SamplesIndex(const Profile& p, int value_index) {
  for (size_t i = 0; i < p.sample_types.size(); ++i) {
    if (static_cast<int>(i) != value_index && p.sample_types[i].type == "samples" &&
        p.sample_types[i].unit == "count") {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// A sample's weight in observations: its count, or its value over the period.
int64_t SampleCount(const ProfileSample& s, int value_index, int samples_index, int64_t period) {
  if (samples_index >= 0 && static_cast<size_t>(samples_index) < s.values.size()) {
    return s.values[samples_index];
  }
  int64_t v = s.values[value_index];
  return period > 0 ? std::llround(static_cast<double>(v) / static_cast<double>(period)) : v;
}

}  // namespace

Result<ProfileCosts> FunctionCosts(const Profile& profile, CostKind kind) {
  const int vi = profile.DefaultValueIndex();
  if (vi < 0) return InvalidArgumentError("profile has no sample types");
  ProfileCosts out;
  out.value_type = profile.sample_types[vi];
  out.nanoseconds = out.value_type.unit == "nanoseconds";
  out.duration_nanos = profile.duration_nanos;
  const bool period_in_value_unit =
      profile.period > 0 && profile.period_type.unit == out.value_type.unit;
  const int64_t period = period_in_value_unit ? profile.period : 0;
  if (period_in_value_unit && out.nanoseconds) out.period_nanos = static_cast<double>(period);
  const int si = SamplesIndex(profile, vi);
  if (si < 0 && period == 0 && out.value_type.unit != "count") {
    return InvalidArgumentError(
        "profile has no sample counts (no samples/count sample type, and no period in " +
        out.value_type.unit + "): the significance test needs them");
  }

  ProfileIndex index(profile);
  std::unordered_set<std::string_view> seen;
  for (const ProfileSample& s : profile.samples) {
    if (static_cast<size_t>(vi) >= s.values.size() || s.values[vi] <= 0) continue;
    const int64_t v = s.values[vi];
    const int64_t n = SampleCount(s, vi, si, period);
    out.total_value += v;
    out.total_samples += n;
    if (s.location_ids.empty()) continue;
    if (kind == CostKind::kSelf) {
      FunctionCost& c = out.functions[index.Frames(s.location_ids.front()).back().function];
      c.value += v;
      c.samples += n;
      continue;
    }
    seen.clear();
    for (uint64_t id : s.location_ids) {
      for (const Frame& f : index.Frames(id)) {
        if (!seen.insert(f.function).second) continue;
        FunctionCost& c = out.functions[f.function];
        c.value += v;
        c.samples += n;
      }
    }
  }
  return out;
}

}  // namespace tai::internal
