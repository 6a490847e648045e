// Internal: labels given at a call, looked up without copying, sorting or
// allocating them. The label-set hash does not depend on order, and the
// comparison with a stored series finds each stored pair among the call's.
// A call that repeats a key never matches here and takes the slow path,
// where LabelSet keeps the last value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/hash.h"
#include "tai/core/labels.h"
#include "tai/metrics/metric_descriptor.h"

namespace tai::internal {

class CallLabels {
 public:
  explicit CallLabels(LabelsView labels) : labels_(labels) {}

  bool too_many() const { return labels_.size() > kMaxLabelsPerMetric; }
  LabelsView view() const { return labels_; }

  uint64_t Hash() const {
    uint64_t sum = 0;
    for (const Label& l : labels_) sum += LabelPairHash(l.key, l.value);
    return LabelHashFinish(sum);
  }

  // `stored` are the labels of a series (distinct keys, any order).
  bool SameAs(std::span<const Label> stored) const {
    const size_t n = stored.size();
    if (n != labels_.size()) return false;
    size_t i = 0;  // the call's order usually matches the stored one, or nearly
    for (const Label& want : stored) {
      size_t tried = 0;
      while (!BytesEqual(labels_[i].key, want.key)) {
        if (++tried == n) return false;
        i = i + 1 == n ? 0 : i + 1;
      }
      if (!BytesEqual(labels_[i].value, want.value)) return false;
      i = i + 1 == n ? 0 : i + 1;
    }
    return true;
  }

 private:
  LabelsView labels_;
};

}  // namespace tai::internal
