// AttributeValue and Attribute: typed key/value pairs carried by spans, span
// events, log records and resources (string, int64, double, bool, and arrays
// of each, as in OpenTelemetry).
//
// Value types; copy freely. Not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tai {

class AttributeValue {
 public:
  using Variant = std::variant<std::string, int64_t, double, bool, std::vector<std::string>,
                               std::vector<int64_t>, std::vector<double>, std::vector<bool>>;

  AttributeValue() : v_(std::string()) {}
  AttributeValue(std::string v) : v_(std::move(v)) {}         // NOLINT: implicit by design
  AttributeValue(std::string_view v) : v_(std::string(v)) {}  // NOLINT
  AttributeValue(const char* v) : v_(std::string(v)) {}       // NOLINT
  AttributeValue(bool v) : v_(v) {}                           // NOLINT
  AttributeValue(double v) : v_(v) {}                         // NOLINT
  AttributeValue(float v) : v_(static_cast<double>(v)) {}     // NOLINT
  // Every integer type becomes int64 (uint64 above INT64_MAX wraps, as in OTel).
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) AttributeValue(I v)
      : v_(static_cast<int64_t>(v)) {}                              // NOLINT
  AttributeValue(std::vector<std::string> v) : v_(std::move(v)) {}  // NOLINT
  AttributeValue(std::vector<int64_t> v) : v_(std::move(v)) {}      // NOLINT
  AttributeValue(std::vector<double> v) : v_(std::move(v)) {}       // NOLINT
  AttributeValue(std::vector<bool> v) : v_(std::move(v)) {}         // NOLINT

  AttributeValue(const AttributeValue&) = default;
  AttributeValue(AttributeValue&&) noexcept = default;
  AttributeValue& operator=(const AttributeValue&) = default;
  // Same-type strings and scalars are moved without the variant's dispatch:
  // a span that sets the same attributes span after span reuses its
  // entries this way on the hot path.
  AttributeValue& operator=(AttributeValue&& other) noexcept {
    if (auto* s = std::get_if<std::string>(&v_)) {
      if (auto* o = std::get_if<std::string>(&other.v_)) {
        *s = std::move(*o);
        return *this;
      }
    } else if (auto* i = std::get_if<int64_t>(&v_)) {
      if (auto* o = std::get_if<int64_t>(&other.v_)) {
        *i = *o;
        return *this;
      }
    }
    v_ = std::move(other.v_);
    return *this;
  }

  const Variant& variant() const { return v_; }
  template <typename T>
  bool is() const {
    return std::holds_alternative<T>(v_);
  }
  template <typename T>
  const T& get() const {
    return std::get<T>(v_);
  }

  // Canonical text: strings as is, integers in decimal, doubles shortest
  // round-trip, bools "true"/"false", arrays as a JSON array.
  std::string ToString() const;

  friend bool operator==(const AttributeValue& a, const AttributeValue& b) { return a.v_ == b.v_; }

 private:
  Variant v_;
};

struct Attribute {
  std::string key;
  AttributeValue value;
  friend bool operator==(const Attribute& a, const Attribute& b) {
    return a.key == b.key && a.value == b.value;
  }
};

using Attributes = std::vector<Attribute>;

}  // namespace tai
