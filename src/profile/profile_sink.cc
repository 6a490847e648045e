#include "tai/profile/profile_sink.h"

#include "core/enum_names.h"

namespace tai {
namespace {

constexpr internal::EnumNames<ProfileKind, 4> kKindNames{{
    {ProfileKind::kCpu, "CPU"},
    {ProfileKind::kWall, "WALL"},
    {ProfileKind::kHeap, "HEAP"},
    {ProfileKind::kThreads, "THREADS"},
}};

}  // namespace

std::string_view ProfileKindName(ProfileKind kind) {
  return internal::NameOf(kKindNames, kind, "CPU");
}

Result<ProfileKind> ParseProfileKind(std::string_view name) {
  if (auto kind = internal::ValueNamed(kKindNames, name)) return *kind;
  return InvalidArgumentError("unknown profile kind '" + std::string(name) +
                              "' (expected CPU, WALL, HEAP or THREADS)");
}

}  // namespace tai
