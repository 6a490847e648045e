// Internal: builds a Profile's mappings, functions and locations for the
// CPU, heap and thread profilers, so that the three intern them the same
// way. Each entry is added the first time it is asked for and gets the next
// id of its list (1, 2, ...); asking again returns that id. Samples,
// sample types and the period are the caller's: it fills them in profile().
//
// Keys: a mapping is its module (start, limit, offset, file, build id); a
// function is (name, system name, mapping id) and keeps the file it was
// first seen with: the symbolizer names the file of each address, and a
// function with inlined header code would otherwise split in two; a
// location is what the profiler has of a frame: an address of this process
// (LocationAt) or only a name (LocationNamed).
//
// Not thread-safe: one owner at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "profile/symbolizer.h"
#include "tai/profile/profile.h"

namespace tai::internal {

class ProfileBuilder {
 public:
  Profile& profile() { return profile_; }
  // The finished profile; the builder is empty afterwards.
  Profile Take();

  uint64_t Mapping(const Module& module);
  uint64_t Function(std::string_view name, std::string_view system_name, std::string_view filename,
                    uint64_t mapping_id);
  // The location of an instruction address of this process, symbolized the
  // first time it is seen; later calls cost one lookup.
  uint64_t LocationAt(uint64_t address, Symbolizer& symbolizer);
  // The location of a frame known only by its name (a thread dump's):
  // function (name, name, "", 0), no mapping, no address. Later calls for
  // the same name cost one lookup.
  uint64_t LocationNamed(std::string_view name);

 private:
  uint64_t AddLocation(uint64_t mapping_id, uint64_t address, std::vector<ProfileLine> lines);
  void NoteResolved(uint64_t mapping_id, std::span<const ProfileLine> lines);

  Profile profile_;
  // Key hash -> id. The keys are the profile's own entries, compared on a
  // hash match: a lookup copies nothing and no key is stored twice.
  std::unordered_multimap<size_t, uint64_t> mappings_;
  std::unordered_multimap<size_t, uint64_t> functions_;
  std::unordered_multimap<size_t, uint64_t> names_;   // of LocationNamed's locations
  std::vector<uint64_t> function_mappings_;           // the mapping in each function's key
  std::unordered_map<uint64_t, uint64_t> addresses_;  // address -> location id
};

}  // namespace tai::internal
