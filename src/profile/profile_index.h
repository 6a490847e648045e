// Internal: lookups by id over a Profile, and its stacks as (function,
// module) frames, shared by HotPaths, the flame graphs and the CLI.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tai/profile/profile.h"

namespace tai::internal {

struct Frame {
  std::string function;
  std::string module;  // the mapping's file, "" when unknown
};

// Borrows the profile, which must outlive it. Not thread-safe (caches).
class ProfileIndex {
 public:
  explicit ProfileIndex(const Profile& p);

  const ProfileLocation* location(uint64_t id) const;
  const ProfileFunction* function(uint64_t id) const;
  const ProfileMapping* mapping(uint64_t id) const;

  // The frames of one location, outermost first (inlined frames expanded).
  const std::vector<Frame>& Frames(uint64_t location_id) const;
  // The frames of a sample, root first.
  std::vector<Frame> Stack(const ProfileSample& s) const;

 private:
  const Profile& profile_;
  std::unordered_map<uint64_t, const ProfileFunction*> functions_;
  std::unordered_map<uint64_t, const ProfileLocation*> locations_;
  std::unordered_map<uint64_t, const ProfileMapping*> mappings_;
  mutable std::unordered_map<uint64_t, std::vector<Frame>> frames_;
};

}  // namespace tai::internal
