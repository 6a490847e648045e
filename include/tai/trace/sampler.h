// Sampler: decides when a span starts whether it is recorded and exported.
//
// The built-in samplers are always-on, always-off, trace-id ratio (the
// decision is a function of the trace id alone, so every service of a trace
// that uses the same ratio agrees without talking to the others) and
// parent-based (a span with a parent follows the parent's sampled flag; a
// root span asks the root sampler). An application may implement its own.
//
// Samplers are immutable after construction and thread-safe; ShouldSample
// runs on the hot path of every span start, so it must not allocate or lock.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tai/core/ids.h"
#include "tai/core/resource.h"
#include "tai/core/span_context.h"
#include "tai/core/status.h"
#include "tai/trace/span_data.h"

namespace tai {

struct SamplingParameters {
  // The parent's context; invalid for a root span.
  const SpanContext& parent;
  const TraceId& trace_id;
  std::string_view name;
  SpanKind kind;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // True to record and export the span (the sampled flag is set).
  virtual bool ShouldSample(const SamplingParameters& params) const = 0;
  // "TraceIdRatioBased{0.01}", "ParentBased{root=AlwaysOn}": for logs and the dashboard.
  virtual std::string Description() const = 0;
};

std::shared_ptr<const Sampler> AlwaysOnSampler();
std::shared_ptr<const Sampler> AlwaysOffSampler();
// `ratio` is clamped to [0, 1]. A trace is sampled when the low 56 bits of
// its trace id, read as a number, are below ratio * 2^56 (the W3C level-2
// random bits, as OpenTelemetry's consistent samplers read them).
std::shared_ptr<const Sampler> TraceIdRatioSampler(double ratio);
// Follows a valid parent's sampled flag (remote or local); root spans ask `root`.
std::shared_ptr<const Sampler> ParentBasedSampler(std::shared_ptr<const Sampler> root);

// The default ratio for an environment: dev 1.0, staging 0.1, prod 0.01.
double DefaultSampleRatio(Environment env);

// From the OpenTelemetry names: always_on, always_off, traceidratio,
// parentbased_always_on, parentbased_always_off, parentbased_traceidratio;
// `arg` is the ratio for the ratio samplers ("" keeps `default_ratio`).
Result<std::shared_ptr<const Sampler>> SamplerFromName(std::string_view name, std::string_view arg,
                                                       double default_ratio);

}  // namespace tai
