#include "tai/profile/profile_work.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tai {
namespace {

constexpr std::string_view kWorkComment = "tai.work=";

}  // namespace

void SetProfileWork(Profile& profile, double work) {
  std::erase_if(profile.comments, [](const std::string& c) { return c.starts_with(kWorkComment); });
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", work);
  profile.comments.push_back(std::string(kWorkComment) + buf);
}

std::optional<double> ProfileWork(const Profile& profile) {
  for (const std::string& c : profile.comments) {
    if (!c.starts_with(kWorkComment)) continue;
    const std::string number = c.substr(kWorkComment.size());
    char* end = nullptr;
    double w = std::strtod(number.c_str(), &end);
    if (end == number.c_str() || *end != '\0' || !(w > 0) || !std::isfinite(w)) return std::nullopt;
    return w;
  }
  return std::nullopt;
}

}  // namespace tai
