// Internal: the dashboard's static files, compiled into the binary by
// cmake/EmbedAssets.cmake (web/dashboard/ and the npm packages' dist files).
// Immutable data: thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace tai::internal {

struct EmbeddedAsset {
  const char* name;  // the file name: "index.html", "uPlot.iife.min.js"
  const unsigned char* data;
  size_t size;

  std::string_view bytes() const { return {reinterpret_cast<const char*>(data), size}; }
};

std::span<const EmbeddedAsset> EmbeddedAssets();

}  // namespace tai::internal
