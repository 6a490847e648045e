#include "store/histogram_codec.h"

#include <cmath>
#include <cstring>
#include <optional>

namespace tai::internal {
namespace {

constexpr uint8_t kFormatVersion = 1;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutSigned(std::string& out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutDouble(std::string& out, double v) {
  char bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, sizeof v);
}

void PutBuckets(std::string& out, const ExponentialBuckets& b) {
  PutSigned(out, b.offset);
  PutVarint(out, b.counts.size());
  for (uint64_t c : b.counts) PutVarint(out, c);
}

// Reads what the Put functions wrote; any read past the end makes ok() false.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail();
      const auto byte = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    return Fail();
  }
  int64_t Signed() {
    uint64_t z = Varint();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  double Double() {
    double v = 0;
    if (pos_ + sizeof v > in_.size()) return static_cast<double>(Fail());
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  uint8_t Byte() {
    if (pos_ >= in_.size()) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(in_[pos_++]);
  }
  // A count that must fit in what is left (one byte per element at least).
  size_t Count() {
    uint64_t n = Varint();
    if (n > in_.size() - std::min(pos_, in_.size())) return Fail();
    return static_cast<size_t>(n);
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void ReadBuckets(Reader& r, HistogramData& h, bool negative, int scale) {
  const auto offset = static_cast<int32_t>(r.Signed());
  const size_t n = r.Count();
  for (size_t k = 0; k < n && r.ok(); ++k) {
    h.AddExponentialBucket(negative, offset + static_cast<int32_t>(k), scale, r.Varint());
  }
}

}  // namespace

std::string EncodeHistogram(const HistogramData& h) {
  std::string out;
  out.reserve(64 + 2 * (h.positive().counts.size() + h.negative().counts.size()));
  out.push_back(static_cast<char>(kFormatVersion));
  const bool exponential = h.layout() == HistogramData::Layout::kExponential;
  out.push_back(static_cast<char>(exponential ? 0 : 1));
  const bool minmax_known = !std::isnan(h.min());
  out.push_back(static_cast<char>(minmax_known ? 1 : 0));
  PutVarint(out, h.count());
  PutDouble(out, h.sum());
  PutDouble(out, minmax_known ? h.min() : 0);
  PutDouble(out, minmax_known ? h.max() : 0);
  PutDouble(out, h.count() ? h.mean() : 0);
  PutDouble(out, h.sum_of_squared_deviation());
  if (exponential) {
    PutSigned(out, h.scale());
    PutVarint(out, h.zero_count());
    PutBuckets(out, h.positive());
    PutBuckets(out, h.negative());
  } else {
    PutVarint(out, h.bounds().size());
    for (double b : h.bounds()) PutDouble(out, b);
    for (uint64_t c : h.bucket_counts()) PutVarint(out, c);
  }
  return out;
}

Result<HistogramData> DecodeHistogram(std::string_view bytes) {
  Reader r(bytes);
  if (r.Byte() != kFormatVersion) {
    return InvalidArgumentError("stored histogram: unknown encoding version");
  }
  const bool exponential = r.Byte() == 0;
  const bool minmax_known = r.Byte() == 1;
  const uint64_t count = r.Varint();
  const double sum = r.Double(), mn = r.Double(), mx = r.Double(), mean = r.Double(),
               m2 = r.Double();
  HistogramData h;
  if (exponential) {
    const int scale = static_cast<int>(r.Signed());
    h.AddZero(r.Varint());
    ReadBuckets(r, h, false, scale);
    ReadBuckets(r, h, true, scale);
  } else {
    const size_t n = r.Count();
    std::vector<double> bounds(n);
    for (double& b : bounds) b = r.Double();
    if (!r.ok()) return InvalidArgumentError("stored histogram: truncated bounds");
    auto e = HistogramData::WithExplicitBounds(std::move(bounds));
    if (!e.ok()) return e.status().WithContext("stored histogram");
    h = std::move(*e);
    for (size_t k = 0; k <= n && r.ok(); ++k) h.AddExplicitBucket(k, r.Varint());
  }
  if (!r.ok()) return InvalidArgumentError("stored histogram: truncated data");
  h.AddStats(count, sum, mn, mx, mean, m2);
  if (!minmax_known) h.MarkMinMaxUnknown();
  return h;
}

}  // namespace tai::internal
