#include "tai/profile_sink.h"

#include <array>
#include <utility>

#include "core/text.h"

namespace tai {
namespace {

constexpr std::array<std::pair<ProfileKind, std::string_view>, 4> kKindNames{{
    {ProfileKind::kCpu, "CPU"},
    {ProfileKind::kWall, "WALL"},
    {ProfileKind::kHeap, "HEAP"},
    {ProfileKind::kThreads, "THREADS"},
}};

}  // namespace

std::string_view ProfileKindName(ProfileKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "CPU";
}

Result<ProfileKind> ParseProfileKind(std::string_view name) {
  for (const auto& [kind, text] : kKindNames) {
    if (internal::EqualsIgnoreCase(name, text)) return kind;
  }
  return InvalidArgumentError("unknown profile kind '" + std::string(name) +
                              "' (expected CPU, WALL, HEAP or THREADS)");
}

}  // namespace tai
