#include "tai/core/labels.h"

#include <algorithm>

#include "core/hash.h"

namespace tai {
uint64_t HashLabels(std::span<const Label> labels) {
  uint64_t sum = 0;
  for (const Label& l : labels) sum += internal::LabelPairHash(l.key, l.value);
  return internal::LabelHashFinish(sum);
}

LabelSet::LabelSet() { Finish({}); }

LabelSet::LabelSet(LabelsView labels) {
  std::vector<std::pair<std::string, std::string>> v;
  v.reserve(labels.size());
  for (const Label& l : labels) v.emplace_back(l.key, l.value);
  Finish(std::move(v));
}

LabelSet LabelSet::FromPairs(std::vector<std::pair<std::string, std::string>> labels) {
  LabelSet set;
  set.Finish(std::move(labels));
  return set;
}

LabelSet LabelSet::FromAttributes(const Attributes& attributes) {
  std::vector<std::pair<std::string, std::string>> v;
  v.reserve(attributes.size());
  for (const Attribute& a : attributes) v.emplace_back(a.key, a.value.ToString());
  return FromPairs(std::move(v));
}

void LabelSet::Finish(std::vector<std::pair<std::string, std::string>> labels) {
  // Stable sort then keep the last of each key: "last value wins".
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> unique;
  unique.reserve(labels.size());
  for (auto& kv : labels) {
    if (!unique.empty() && unique.back().first == kv.first) {
      unique.back().second = std::move(kv.second);
    } else {
      unique.push_back(std::move(kv));
    }
  }
  auto rep = std::make_shared<Rep>();
  uint64_t sum = 0;
  for (const auto& [k, v] : unique) sum += internal::LabelPairHash(k, v);
  rep->hash = internal::LabelHashFinish(sum);
  rep->labels = std::move(unique);
  rep_ = std::move(rep);
}

const std::string* LabelSet::Find(std::string_view key) const {
  for (const auto& [k, v] : rep_->labels) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string LabelSet::ToString() const {
  std::string out = "{";
  for (const auto& [k, v] : rep_->labels) {
    if (out.size() > 1) out += ',';
    out += k;
    out += "=\"";
    out += v;
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace tai
