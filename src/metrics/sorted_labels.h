// Internal: labels given at a call, copied to the stack and sorted by key,
// so a lookup can hash and compare them without allocating.
#pragma once

#include <cstddef>
#include <new>
#include <span>

#include "tai/labels.h"
#include "tai/metric_descriptor.h"

namespace tai::internal {

class SortedLabels {
 public:
  explicit SortedLabels(LabelsView labels) {
    if (labels.size() > kMaxLabelsPerMetric) {
      too_many_ = true;
      return;
    }
    Label* out = data();
    for (const Label& l : labels) {
      // Insertion sort, stable: equal keys keep their call order.
      size_t i = n_;
      new (&out[i]) Label(l);
      while (i > 0 && out[i - 1].key > out[i].key) {
        Label tmp = out[i - 1];
        out[i - 1] = out[i];
        out[i] = tmp;
        --i;
      }
      ++n_;
    }
    // A repeated key keeps its last value, as LabelSet does.
    size_t w = 0;
    for (size_t r = 0; r < n_; ++r) {
      if (w > 0 && out[w - 1].key == out[r].key) {
        out[w - 1] = out[r];
      } else {
        out[w++] = out[r];
      }
    }
    n_ = w;
  }

  bool too_many() const { return too_many_; }
  std::span<const Label> span() const { return {data(), n_}; }

 private:
  Label* data() { return std::launder(reinterpret_cast<Label*>(raw_)); }
  const Label* data() const { return std::launder(reinterpret_cast<const Label*>(raw_)); }

  alignas(Label) unsigned char raw_[sizeof(Label) * kMaxLabelsPerMetric];
  size_t n_ = 0;
  bool too_many_ = false;
};

}  // namespace tai::internal
