// Internal: enums that have names in text (severities, profile kinds): one
// table per enum, looked up both ways.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

#include "core/text.h"

namespace tai::internal {

template <typename E, size_t N>
using EnumNames = std::array<std::pair<E, std::string_view>, N>;

// The name of `value`, or `fallback` when the table lacks it.
template <typename E, size_t N>
std::string_view NameOf(const EnumNames<E, N>& table, E value, std::string_view fallback) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return fallback;
}

// The value named `name`, in any case.
template <typename E, size_t N>
std::optional<E> ValueNamed(const EnumNames<E, N>& table, std::string_view name) {
  for (const auto& [e, text] : table) {
    if (EqualsIgnoreCase(name, text)) return e;
  }
  return std::nullopt;
}

}  // namespace tai::internal
