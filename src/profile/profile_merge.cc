#include "profile/profile_merge.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "tai/profile/profile_work.h"

namespace tai::internal {
namespace {

// Assigns merged ids to things identified by a key.
template <typename Key>
class IdTable {
 public:
  // The merged id of `key`, and whether it is new.
  std::pair<uint64_t, bool> Intern(const Key& key) {
    auto [it, fresh] = ids_.try_emplace(key, ids_.size() + 1);
    return {it->second, fresh};
  }

 private:
  std::map<Key, uint64_t> ids_;
};

class Merger {
 public:
  explicit Merger(const Profile& first) {
    out_.sample_types = first.sample_types;
    out_.period_type = first.period_type;
    out_.period = first.period;
    out_.default_sample_type = first.default_sample_type;
    out_.time_nanos = first.time_nanos;
  }

  Status Add(const Profile& p) {
    if (p.sample_types != out_.sample_types) {
      return InvalidArgumentError("profiles to merge have different sample types");
    }
    out_.time_nanos = std::min(out_.time_nanos, p.time_nanos);
    out_.duration_nanos += p.duration_nanos;
    std::map<uint64_t, uint64_t> mapping_ids, function_ids, location_ids;
    for (const ProfileMapping& m : p.mappings) mapping_ids[m.id] = AddMapping(m);
    for (const ProfileFunction& f : p.functions) function_ids[f.id] = AddFunction(f);
    for (const ProfileLocation& l : p.locations) {
      location_ids[l.id] = AddLocation(l, mapping_ids, function_ids);
    }
    for (const ProfileSample& s : p.samples) AddSample(s, location_ids);
    return Status::Ok();
  }

  Profile Finish() && { return std::move(out_); }

 private:
  uint64_t AddMapping(const ProfileMapping& m) {
    auto [id, fresh] = mappings_.Intern({m.filename, m.build_id, m.memory_start});
    if (fresh) {
      ProfileMapping copy = m;
      copy.id = id;
      out_.mappings.push_back(std::move(copy));
    }
    return id;
  }

  uint64_t AddFunction(const ProfileFunction& f) {
    auto [id, fresh] = functions_.Intern({f.name, f.system_name, f.filename, f.start_line});
    if (fresh) {
      ProfileFunction copy = f;
      copy.id = id;
      out_.functions.push_back(std::move(copy));
    }
    return id;
  }

  uint64_t AddLocation(const ProfileLocation& l, const std::map<uint64_t, uint64_t>& mapping_ids,
                       const std::map<uint64_t, uint64_t>& function_ids) {
    ProfileLocation copy = l;
    auto m = mapping_ids.find(l.mapping_id);
    copy.mapping_id = m == mapping_ids.end() ? 0 : m->second;
    std::vector<std::pair<uint64_t, int64_t>> lines;
    for (ProfileLine& line : copy.lines) {
      auto f = function_ids.find(line.function_id);
      line.function_id = f == function_ids.end() ? 0 : f->second;
      lines.emplace_back(line.function_id, line.line);
    }
    auto [id, fresh] = locations_.Intern({copy.mapping_id, copy.address, lines});
    if (fresh) {
      copy.id = id;
      out_.locations.push_back(std::move(copy));
    }
    return id;
  }

  void AddSample(const ProfileSample& s, const std::map<uint64_t, uint64_t>& location_ids) {
    ProfileSample copy = s;
    for (uint64_t& id : copy.location_ids) {
      auto it = location_ids.find(id);
      id = it == location_ids.end() ? 0 : it->second;
    }
    std::vector<std::tuple<std::string, std::string, int64_t, std::string>> labels;
    for (const ProfileLabel& l : copy.labels) labels.emplace_back(l.key, l.str, l.num, l.num_unit);
    auto [it, fresh] = sample_index_.try_emplace({copy.location_ids, labels}, out_.samples.size());
    if (fresh) {
      out_.samples.push_back(std::move(copy));
      return;
    }
    ProfileSample& into = out_.samples[it->second];
    for (size_t i = 0; i < into.values.size() && i < copy.values.size(); ++i) {
      into.values[i] += copy.values[i];
    }
  }

  Profile out_;
  IdTable<std::tuple<std::string, std::string, uint64_t>> mappings_;
  IdTable<std::tuple<std::string, std::string, std::string, int64_t>> functions_;
  IdTable<std::tuple<uint64_t, uint64_t, std::vector<std::pair<uint64_t, int64_t>>>> locations_;
  std::map<std::pair<std::vector<uint64_t>,
                     std::vector<std::tuple<std::string, std::string, int64_t, std::string>>>,
           size_t>
      sample_index_;
};

}  // namespace

Result<Profile> MergeProfileList(const std::vector<Profile>& profiles) {
  if (profiles.empty()) return InvalidArgumentError("no profiles to merge");
  Merger merger(profiles.front());
  std::optional<double> work = 0.0;
  for (const Profile& p : profiles) {
    TAI_RETURN_IF_ERROR(merger.Add(p));
    const std::optional<double> own = ProfileWork(p);
    work = work && own ? std::optional<double>(*work + *own) : std::nullopt;
  }
  Result<Profile> merged = std::move(merger).Finish();
  // The work the merged profile covers is the inputs' together, when each
  // says what it covered.
  if (merged.ok() && work) SetProfileWork(*merged, *work);
  return merged;
}

}  // namespace tai::internal
