#include "tai/trace/sampler.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "trace/sampler_fast_path.h"

namespace tai {
namespace {

class AlwaysOn final : public Sampler {
 public:
  bool ShouldSample(const SamplingParameters&) const override { return true; }
  std::string Description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOff final : public Sampler {
 public:
  bool ShouldSample(const SamplingParameters&) const override { return false; }
  std::string Description() const override { return "AlwaysOffSampler"; }
};

constexpr uint64_t kRandomBits = 56;
constexpr uint64_t kRandomMask = (uint64_t{1} << kRandomBits) - 1;

class TraceIdRatio final : public Sampler {
 public:
  uint64_t threshold() const { return threshold_; }
  explicit TraceIdRatio(double ratio)
      : ratio_(std::isnan(ratio) ? 0.0 : std::clamp(ratio, 0.0, 1.0)),
        threshold_(static_cast<uint64_t>(std::ldexp(ratio_, kRandomBits))) {}

  bool ShouldSample(const SamplingParameters& p) const override {
    return (p.trace_id.low() & kRandomMask) < threshold_;
  }
  std::string Description() const override {
    return "TraceIdRatioBased{" + std::to_string(ratio_) + "}";
  }

 private:
  const double ratio_;
  const uint64_t threshold_;  // ratio 1.0 gives 2^56, above every value
};

class ParentBased final : public Sampler {
 public:
  const Sampler& root() const { return *root_; }
  explicit ParentBased(std::shared_ptr<const Sampler> root) : root_(std::move(root)) {}

  bool ShouldSample(const SamplingParameters& p) const override {
    if (p.parent.valid()) return p.parent.sampled();
    return root_->ShouldSample(p);
  }
  std::string Description() const override {
    return "ParentBased{root=" + root_->Description() + "}";
  }

 private:
  const std::shared_ptr<const Sampler> root_;
};

// A root decision as a threshold on the id's low 56 bits, when it is one.
bool RootThreshold(const Sampler& s, uint64_t* threshold) {
  if (dynamic_cast<const AlwaysOn*>(&s)) {
    *threshold = uint64_t{1} << kRandomBits;
  } else if (dynamic_cast<const AlwaysOff*>(&s)) {
    *threshold = 0;
  } else if (auto* ratio = dynamic_cast<const TraceIdRatio*>(&s)) {
    *threshold = ratio->threshold();
  } else {
    return false;
  }
  return true;
}

}  // namespace

namespace internal {

SamplerFastPath DescribeSampler(const Sampler& sampler) {
  SamplerFastPath f;
  const Sampler* root = &sampler;
  if (auto* parent_based = dynamic_cast<const ParentBased*>(&sampler)) {
    f.parent_based = true;
    root = &parent_based->root();
  }
  f.generic = !RootThreshold(*root, &f.threshold);
  return f;
}

}  // namespace internal

std::shared_ptr<const Sampler> AlwaysOnSampler() {
  static const auto sampler = std::make_shared<const AlwaysOn>();
  return sampler;
}

std::shared_ptr<const Sampler> AlwaysOffSampler() {
  static const auto sampler = std::make_shared<const AlwaysOff>();
  return sampler;
}

std::shared_ptr<const Sampler> TraceIdRatioSampler(double ratio) {
  return std::make_shared<const TraceIdRatio>(ratio);
}

std::shared_ptr<const Sampler> ParentBasedSampler(std::shared_ptr<const Sampler> root) {
  return std::make_shared<const ParentBased>(root ? std::move(root) : AlwaysOnSampler());
}

double DefaultSampleRatio(Environment env) {
  switch (env) {
    case Environment::kDev:
      return 1.0;
    case Environment::kStaging:
      return 0.1;
    case Environment::kProd:
      return 0.01;
  }
  return 1.0;
}

Result<std::shared_ptr<const Sampler>> SamplerFromName(std::string_view name, std::string_view arg,
                                                       double default_ratio) {
  double ratio = default_ratio;
  if (!arg.empty()) {
    auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), ratio);
    if (ec != std::errc() || end != arg.data() + arg.size() || !(ratio >= 0.0 && ratio <= 1.0)) {
      return InvalidArgumentError("sampler argument '" + std::string(arg) +
                                  "' is not a ratio between 0 and 1");
    }
  }
  if (name == "always_on") return AlwaysOnSampler();
  if (name == "always_off") return AlwaysOffSampler();
  if (name == "traceidratio") return TraceIdRatioSampler(ratio);
  if (name == "parentbased_always_on") return ParentBasedSampler(AlwaysOnSampler());
  if (name == "parentbased_always_off") return ParentBasedSampler(AlwaysOffSampler());
  if (name == "parentbased_traceidratio") return ParentBasedSampler(TraceIdRatioSampler(ratio));
  return InvalidArgumentError(
      "sampler '" + std::string(name) +
      "' is not one of always_on, always_off, traceidratio, parentbased_always_on, "
      "parentbased_always_off, parentbased_traceidratio");
}

}  // namespace tai
