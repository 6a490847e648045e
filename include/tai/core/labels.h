// Label and LabelSet: the dimensions of a metric time series.
//
// A Label is a borrowed (key, value) view used at call sites; a LabelSet is
// the owned, sorted, hashed-once form. A LabelSet is immutable and shares its
// storage between copies, so building one once and reusing it (or binding an
// instrument to it, see metrics.h) means the hot path never hashes again.
//
// Thread-safe: a LabelSet may be read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/attributes.h"

namespace tai {

struct Label {
  std::string_view key;
  std::string_view value;
};

// A borrowed list of labels: an initializer list at the call site, or a span
// over the caller's array. Order does not matter.
class LabelsView {
 public:
  LabelsView() = default;
  // Borrows the list: valid for the full expression of the call, which is
  // how it is meant to be used (as a parameter).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  LabelsView(std::initializer_list<Label> labels)  // NOLINT: implicit by design
      : data_(labels.begin()), size_(labels.size()) {}
#pragma GCC diagnostic pop
  LabelsView(std::span<const Label> labels)  // NOLINT: implicit by design
      : data_(labels.data()), size_(labels.size()) {}

  const Label* begin() const { return data_; }
  const Label* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Label& operator[](size_t i) const { return data_[i]; }

 private:
  const Label* data_ = nullptr;
  size_t size_ = 0;
};

class LabelSet {
 public:
  // The empty set.
  LabelSet();
  // Sorts by key; for a repeated key the last value wins.
  explicit LabelSet(LabelsView labels);
  static LabelSet FromPairs(std::vector<std::pair<std::string, std::string>> labels);
  // Typed attribute values are turned into text (AttributeValue::ToString).
  static LabelSet FromAttributes(const Attributes& attributes);

  size_t size() const { return rep_->labels.size(); }
  bool empty() const { return rep_->labels.empty(); }
  uint64_t hash() const { return rep_->hash; }
  const std::vector<std::pair<std::string, std::string>>& labels() const { return rep_->labels; }
  // The value for `key`, or nullptr.
  const std::string* Find(std::string_view key) const;
  // {k="v",...} in the order of the set, for messages.
  std::string ToString() const;

  // Cache hints for loops over many label sets (exporters): bring the set's
  // storage, then its strings, in ahead of use.
  void PrefetchStorage() const { __builtin_prefetch(rep_.get()); }
  void PrefetchLabels() const { __builtin_prefetch(rep_->labels.data()); }

  friend bool operator==(const LabelSet& a, const LabelSet& b) {
    return a.rep_ == b.rep_ || (a.rep_->hash == b.rep_->hash && a.rep_->labels == b.rep_->labels);
  }

 private:
  struct Rep {
    std::vector<std::pair<std::string, std::string>> labels;
    uint64_t hash = 0;
  };
  void Finish(std::vector<std::pair<std::string, std::string>> labels);
  std::shared_ptr<const Rep> rep_;
};

// Hash of labels with distinct keys, in any order; equal to LabelSet::hash()
// of the same labels.
uint64_t HashLabels(std::span<const Label> labels);

}  // namespace tai
