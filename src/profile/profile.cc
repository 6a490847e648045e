#include "tai/profile/profile.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "profile/profile_index.h"

namespace tai {
namespace internal {

ProfileIndex::ProfileIndex(const Profile& p) : profile_(p) {
  for (const ProfileFunction& f : p.functions) functions_.emplace(f.id, &f);
  for (const ProfileLocation& l : p.locations) locations_.emplace(l.id, &l);
  for (const ProfileMapping& m : p.mappings) mappings_.emplace(m.id, &m);
}

const ProfileLocation* ProfileIndex::location(uint64_t id) const {
  auto it = locations_.find(id);
  return it == locations_.end() ? nullptr : it->second;
}
const ProfileFunction* ProfileIndex::function(uint64_t id) const {
  auto it = functions_.find(id);
  return it == functions_.end() ? nullptr : it->second;
}
const ProfileMapping* ProfileIndex::mapping(uint64_t id) const {
  auto it = mappings_.find(id);
  return it == mappings_.end() ? nullptr : it->second;
}

const std::vector<Frame>& ProfileIndex::Frames(uint64_t location_id) const {
  auto it = frames_.find(location_id);
  if (it != frames_.end()) return it->second;
  std::vector<Frame> frames;
  const ProfileLocation* loc = location(location_id);
  const ProfileMapping* map = loc ? mapping(loc->mapping_id) : nullptr;
  std::string module = map ? map->filename : "";
  if (loc && !loc->lines.empty()) {
    // Outermost (the function the others were inlined into) first.
    for (auto line = loc->lines.rbegin(); line != loc->lines.rend(); ++line) {
      const ProfileFunction* f = function(line->function_id);
      std::string name = f && !f->name.empty() ? f->name : (f ? f->system_name : "");
      if (name.empty()) name = "??";
      frames.push_back(Frame{std::move(name), module});
    }
  } else {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx",
                  static_cast<unsigned long long>(loc ? loc->address : 0));
    frames.push_back(Frame{hex, module});
  }
  return frames_.emplace(location_id, std::move(frames)).first->second;
}

std::vector<Frame> ProfileIndex::Stack(const ProfileSample& s) const {
  std::vector<Frame> out;
  for (auto id = s.location_ids.rbegin(); id != s.location_ids.rend(); ++id) {
    const std::vector<Frame>& f = Frames(*id);
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

}  // namespace internal

namespace {

std::vector<HotPath> Top(std::unordered_map<std::string, int64_t> totals, size_t n,
                         const Profile& p) {
  std::vector<HotPath> out;
  out.reserve(totals.size());
  for (auto& [name, v] : totals) out.push_back(HotPath{name, v});
  std::sort(out.begin(), out.end(), [](const HotPath& a, const HotPath& b) {
    return a.cpu_micros != b.cpu_micros ? a.cpu_micros > b.cpu_micros : a.function < b.function;
  });
  if (out.size() > n) out.resize(n);
  for (HotPath& h : out) h.cpu_micros = p.ToReportUnit(h.cpu_micros);
  return out;
}

}  // namespace

int Profile::DefaultValueIndex() const {
  if (sample_types.empty()) return -1;
  if (!default_sample_type.empty()) {
    for (size_t i = 0; i < sample_types.size(); ++i) {
      if (sample_types[i].type == default_sample_type) return static_cast<int>(i);
    }
  }
  return static_cast<int>(sample_types.size()) - 1;
}

int64_t Profile::TotalValue() const {
  int vi = DefaultValueIndex();
  if (vi < 0) return 0;
  int64_t total = 0;
  for (const ProfileSample& s : samples) {
    if (static_cast<size_t>(vi) < s.values.size()) total += s.values[vi];
  }
  return total;
}

int64_t Profile::ToReportUnit(int64_t value) const {
  int vi = DefaultValueIndex();
  if (vi >= 0 && sample_types[vi].unit == "nanoseconds") return value / 1000;
  return value;
}

std::vector<std::string> Profile::StackNames(const ProfileSample& sample) const {
  internal::ProfileIndex index(*this);
  std::vector<std::string> names;
  for (internal::Frame& f : index.Stack(sample)) names.push_back(std::move(f.function));
  return names;
}

std::vector<HotPath> Profile::HotPaths(size_t n) const {
  int vi = DefaultValueIndex();
  if (vi < 0) return {};
  internal::ProfileIndex index(*this);
  std::unordered_map<std::string, int64_t> self;
  for (const ProfileSample& s : samples) {
    if (s.location_ids.empty() || static_cast<size_t>(vi) >= s.values.size()) continue;
    // The leaf location's innermost function (lines are outermost first in Frames).
    const std::vector<internal::Frame>& leaf = index.Frames(s.location_ids.front());
    self[leaf.back().function] += s.values[vi];
  }
  return Top(std::move(self), n, *this);
}

std::vector<HotPath> Profile::HotPathsCumulative(size_t n) const {
  int vi = DefaultValueIndex();
  if (vi < 0) return {};
  internal::ProfileIndex index(*this);
  std::unordered_map<std::string, int64_t> cum;
  std::unordered_set<std::string_view> seen;
  for (const ProfileSample& s : samples) {
    if (static_cast<size_t>(vi) >= s.values.size()) continue;
    seen.clear();
    for (uint64_t id : s.location_ids) {
      for (const internal::Frame& f : index.Frames(id)) {
        if (seen.insert(f.function).second) cum[f.function] += s.values[vi];
      }
    }
  }
  return Top(std::move(cum), n, *this);
}

}  // namespace tai
