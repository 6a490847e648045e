// Internal: HistogramData to bytes and back, for the store's points and
// rollups. The encoding keeps everything a merge needs (layout, scale,
// buckets, count, sum, min/max, mean and squared deviation), so a decoded
// histogram merges and reports percentiles exactly as the original did.
// Bucket counts are varints: most are small.
//
// Free functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/metrics/histogram_data.h"

namespace tai::internal {

std::string EncodeHistogram(const HistogramData& h);
Result<HistogramData> DecodeHistogram(std::string_view bytes);

}  // namespace tai::internal
