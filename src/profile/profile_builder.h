// Internal: builds a Profile's mappings, functions and locations for the
// CPU, heap and thread profilers, so that the three intern them the same
// way. Each entry is added the first time it is asked for and gets the next
// id of its list (1, 2, ...); asking again returns that id. Samples,
// sample types and the period are the caller's: it fills them in profile().
//
// Keys: a mapping is its module (start, limit, offset, file, build id); a
// function is (name, system name, file, mapping id), as pprof keys them; a
// location is either a sampled address (LocationAt) or its content
// (Location). Use one kind of location per profile: the two are not
// deduplicated against each other.
//
// Not thread-safe: one owner at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "profile/symbolizer.h"
#include "tai/profile.h"

namespace tai::internal {

class ProfileBuilder {
 public:
  Profile& profile() { return profile_; }
  // The finished profile; the builder is empty afterwards.
  Profile Take();

  uint64_t Mapping(const Module& module);
  uint64_t Function(std::string_view name, std::string_view system_name, std::string_view filename,
                    uint64_t mapping_id);
  // A location without an address of its own, such as a frame known only by
  // name (`mapping_id` and `address` 0).
  uint64_t Location(uint64_t mapping_id, uint64_t address, std::vector<ProfileLine> lines);
  // The location of an instruction address of this process, symbolized the
  // first time it is seen; later calls cost one lookup.
  uint64_t LocationAt(uint64_t address, Symbolizer& symbolizer);

 private:
  uint64_t AddLocation(uint64_t mapping_id, uint64_t address, std::vector<ProfileLine> lines);
  void NoteResolved(uint64_t mapping_id, const std::vector<ProfileLine>& lines);

  using MappingKey = std::tuple<uint64_t, uint64_t, uint64_t, std::string, std::string>;
  Profile profile_;
  std::map<MappingKey, uint64_t> mappings_;
  std::unordered_map<std::string, uint64_t> functions_;  // key: FunctionKey()
  std::unordered_map<std::string, uint64_t> locations_;  // key: LocationKey()
  std::unordered_map<uint64_t, uint64_t> addresses_;     // address -> location id
  std::string key_;                                      // reused between lookups
};

}  // namespace tai::internal
