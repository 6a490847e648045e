#include "dashboard/speedscope.h"

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

namespace tai::internal {
namespace {

// The weight units the format defines; anything else is "none".
std::string_view SpeedscopeUnit(std::string_view unit) {
  for (std::string_view known :
       {"nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"}) {
    if (unit == known) return known;
  }
  return "none";
}

}  // namespace

std::string SpeedscopeJson(const Profile& profile, std::string_view name) {
  using nlohmann::json;
  const int index = profile.DefaultValueIndex();
  std::string unit = "none";
  std::string type_name = "samples";
  if (index >= 0) {
    unit = SpeedscopeUnit(profile.sample_types[static_cast<size_t>(index)].unit);
    type_name = profile.sample_types[static_cast<size_t>(index)].type;
  }
  // Frames are deduplicated by name: the format refers to them by index.
  std::map<std::string, size_t> frame_index;
  json frames = json::array();
  // Identical stacks are merged so that the file stays as small as the
  // profile's distinct stacks.
  std::map<std::vector<size_t>, int64_t> stacks;
  int64_t total = 0;
  for (const ProfileSample& sample : profile.samples) {
    if (index < 0 || static_cast<size_t>(index) >= sample.values.size()) continue;
    const int64_t value = sample.values[static_cast<size_t>(index)];
    if (value <= 0) continue;
    std::vector<size_t> stack;
    for (const std::string& frame : profile.StackNames(sample)) {  // root first
      auto [it, added] = frame_index.emplace(frame, frames.size());
      if (added) frames.push_back({{"name", frame}});
      stack.push_back(it->second);
    }
    stacks[std::move(stack)] += value;
    total += value;
  }
  json samples = json::array();
  json weights = json::array();
  for (const auto& [stack, value] : stacks) {
    samples.push_back(stack);
    weights.push_back(value);
  }
  json file = {
      {"$schema", "https://www.speedscope.app/file-format-schema.json"},
      {"shared", {{"frames", std::move(frames)}}},
      {"profiles", json::array({{{"type", "sampled"},
                                 {"name", std::string(name) + " (" + type_name + ")"},
                                 {"unit", unit},
                                 {"startValue", 0},
                                 {"endValue", total},
                                 {"samples", std::move(samples)},
                                 {"weights", std::move(weights)}}})},
      {"name", std::string(name)},
      {"activeProfileIndex", 0},
      {"exporter", "tai-observability"},
  };
  return file.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tai::internal
