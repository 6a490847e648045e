#include "dashboard/query_params.h"

#include "tai/core/parse.h"

namespace tai::internal {

std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string item(query.substr(pos, amp - pos));
    pos = amp + 1;
    if (item.empty()) continue;
    for (char& c : item) {
      if (c == '+') c = ' ';
    }
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(PercentDecode(item), "");
    } else {
      out.emplace_back(PercentDecode(item.substr(0, eq)), PercentDecode(item.substr(eq + 1)));
    }
  }
  return out;
}

}  // namespace tai::internal
