#include "analysis/function_costs.h"

#include <cmath>
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

// Function names numbered once per location, so that a sample costs a
// lookup by location id and integer work, not a string hash per frame.
class FunctionTable {
 public:
  explicit FunctionTable(const Profile& p) : index_(p) {}
  // The location's functions, outermost first (the leaf's function last).
  const std::vector<uint32_t>& Functions(uint64_t location_id) {
    auto [it, inserted] = by_location_.try_emplace(location_id);
    if (inserted) {
      for (const Frame& f : index_.Frames(location_id)) it->second.push_back(Id(f.function));
    }
    return it->second;
  }
  const std::string& name(uint32_t id) const { return names_[id]; }

 private:
  uint32_t Id(const std::string& name) {
    auto [it, inserted] = ids_.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (inserted) names_.push_back(name);
    return it->second;
  }
  ProfileIndex index_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_location_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

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

  FunctionTable table(profile);
  std::vector<FunctionCost> costs;
  std::vector<uint64_t> seen;  // the last sample each function was counted in
  uint64_t sample_number = 0;
  auto add = [&](uint32_t f, int64_t v, int64_t n) {
    if (f >= costs.size()) {
      costs.resize(f + 1);
      seen.resize(f + 1, 0);
    }
    if (seen[f] == sample_number) return;  // once per sample, even when it recurses
    seen[f] = sample_number;
    costs[f].value += v;
    costs[f].samples += n;
  };
  for (const ProfileSample& s : profile.samples) {
    if (static_cast<size_t>(vi) >= s.values.size() || s.values[vi] <= 0) continue;
    const int64_t v = s.values[vi];
    const int64_t n = SampleCount(s, vi, si, period);
    out.total_value += v;
    out.total_samples += n;
    ++sample_number;
    if (s.location_ids.empty()) continue;
    if (kind == CostKind::kSelf) {
      add(table.Functions(s.location_ids.front()).back(), v, n);
      continue;
    }
    for (uint64_t id : s.location_ids) {
      for (uint32_t f : table.Functions(id)) add(f, v, n);
    }
  }
  for (uint32_t f = 0; f < costs.size(); ++f) {
    if (costs[f].value != 0 || costs[f].samples != 0) out.functions[table.name(f)] = costs[f];
  }
  return out;
}

}  // namespace tai::internal
