#include "tai/core/span_context.h"

namespace tai {
namespace {

const SpanContext kInvalid;
thread_local const SpanContext* t_current = nullptr;

}  // namespace

const SpanContext& CurrentSpanContext() { return t_current ? *t_current : kInvalid; }

namespace detail {

const SpanContext* SwapCurrentSpanContext(const SpanContext* context) {
  const SpanContext* previous = t_current;
  t_current = context;
  return previous;
}

}  // namespace detail
}  // namespace tai
