// Internal: the built-in samplers reduced to data, so that the tracer
// decides without a virtual call (two dependent loads and an indirect
// branch were a third of an unsampled span's cost). Any other sampler is
// called through its interface.
#pragma once

#include <cstdint>

#include "tai/trace/sampler.h"
#include "tai/trace/trace.h"

namespace tai::internal {

// SamplerFastPath (declared in tai/trace/trace.h, which holds one per Tracer):
// generic - not a built-in, call ShouldSample; parent_based - a valid
// parent's sampled flag decides; threshold - a root span is sampled when
// its id's low 56 bits are below it.
SamplerFastPath DescribeSampler(const Sampler& sampler);

inline bool FastSample(const SamplerFastPath& f, const SpanContext& parent, const TraceId& id) {
  if (f.parent_based && parent.valid()) return parent.sampled();
  return (id.low() & ((uint64_t{1} << 56) - 1)) < f.threshold;
}

}  // namespace tai::internal
