// Internal: labels given at a call, put in key order without copying them
// (an index permutation on the stack), so a lookup can hash and compare
// them with no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/hash.h"
#include "tai/labels.h"
#include "tai/metric_descriptor.h"

namespace tai::internal {

class SortedLabels {
 public:
  explicit SortedLabels(LabelsView labels) : base_(labels.begin()) {
    if (labels.size() > kMaxLabelsPerMetric) {
      too_many_ = true;
      return;
    }
    for (size_t k = 0; k < labels.size(); ++k) {
      // Insertion sort, stable: equal keys keep their call order.
      size_t i = n_++;
      order_[i] = static_cast<uint8_t>(k);
      while (i > 0 && BytesLess(key(i), key(i - 1))) {
        uint8_t t = order_[i];
        order_[i] = order_[i - 1];
        order_[i - 1] = t;
        --i;
      }
    }
    // A repeated key keeps its last value, as LabelSet does.
    size_t w = 0;
    for (size_t r = 0; r < n_; ++r) {
      if (w > 0 && BytesEqual(key(w - 1), key(r))) {
        order_[w - 1] = order_[r];
      } else {
        order_[w++] = order_[r];
      }
    }
    n_ = w;
  }

  bool too_many() const { return too_many_; }
  size_t size() const { return n_; }
  std::string_view key(size_t i) const { return base_[order_[i]].key; }
  std::string_view value(size_t i) const { return base_[order_[i]].value; }

  uint64_t Hash() const {
    uint64_t h = LabelHashSeed();
    for (size_t i = 0; i < n_; ++i) h = LabelHashStep(h, key(i), value(i));
    return LabelHashFinish(h);
  }

  // Compares with FlatLabels(set) of a series: one contiguous buffer, so
  // the hot lookup does not chase the pointers of a LabelSet.
  bool SameAs(std::string_view flat) const {
    const char* p = flat.data();
    const char* end = p + flat.size();
    for (size_t i = 0; i < n_; ++i) {
      if (!TakeEqual(p, end, key(i)) || !TakeEqual(p, end, value(i))) return false;
    }
    return p == end;
  }

  LabelSet ToLabelSet() const {
    std::vector<std::pair<std::string, std::string>> pairs;
    pairs.reserve(n_);
    for (size_t i = 0; i < n_; ++i) pairs.emplace_back(key(i), value(i));
    return LabelSet::FromPairs(std::move(pairs));
  }

 private:
  static bool TakeEqual(const char*& p, const char* end, std::string_view s) {
    uint16_t len;
    if (end - p < 2) return false;
    std::memcpy(&len, p, 2);
    p += 2;
    if (len != s.size() || end - p < len || !BytesEqual({p, len}, s)) return false;
    p += len;
    return true;
  }

  const Label* base_;
  uint8_t order_[kMaxLabelsPerMetric];
  size_t n_ = 0;
  bool too_many_ = false;
};

// A label set as [length][key][length][value]... (lengths as 2 bytes; keys
// are at most 100 bytes and values 1024), for SortedLabels::SameAs.
inline std::string FlatLabels(const LabelSet& set) {
  std::string flat;
  for (const auto& [k, v] : set.labels()) {
    for (const std::string* s : {&k, &v}) {
      const uint16_t len = static_cast<uint16_t>(s->size());
      flat.append(reinterpret_cast<const char*>(&len), 2);
      flat += *s;
    }
  }
  return flat;
}

}  // namespace tai::internal
