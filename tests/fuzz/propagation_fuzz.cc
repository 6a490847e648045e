// libFuzzer target for the propagation header parsers. The input is split
// at newlines into traceparent, tracestate, X-Cloud-Trace-Context and
// baggage values; each parser also sees the whole input. Beyond not
// crashing, it checks round trips: what parses, formats back to something
// that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tai/trace/propagation.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void ParseAll(std::string_view text) {
  if (auto c = tai::ParseTraceparent(text)) {
    auto again = tai::ParseTraceparent(tai::FormatTraceparent(*c));
    Check(again && again->trace_id == c->trace_id && again->span_id == c->span_id &&
          again->sampled() == c->sampled());
  }
  if (auto s = tai::ParseTracestate(text)) Check(tai::ParseTracestate(*s) == s);
  if (auto c = tai::ParseCloudTraceContext(text)) {
    auto again = tai::ParseCloudTraceContext(tai::FormatCloudTraceContext(*c));
    Check(again && again->trace_id == c->trace_id && again->span_id == c->span_id &&
          again->sampled() == c->sampled());
  }
  if (auto b = tai::Baggage::FromHeader(text)) {
    auto again = tai::Baggage::FromHeader(b->ToHeader());
    Check(again.has_value() && again->entries().size() == b->entries().size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseAll(input);
  std::vector<std::string> fields;
  size_t start = 0;
  while (fields.size() < 4) {
    const size_t nl = input.find('\n', start);
    fields.emplace_back(input.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  fields.resize(4);
  for (const std::string& f : fields) ParseAll(f);
  std::vector<std::pair<std::string, std::string>> headers = {{"traceparent", fields[0]},
                                                              {"tracestate", fields[1]},
                                                              {"x-cloud-trace-context", fields[2]},
                                                              {"baggage", fields[3]}};
  tai::HeaderListCarrier carrier(&headers);
  tai::PropagationContext context;
  tai::DefaultPropagator()->Extract(carrier, context);
  std::vector<std::pair<std::string, std::string>> out;
  tai::HeaderListCarrier out_carrier(&out);
  tai::DefaultPropagator()->Inject(context, out_carrier);
  return 0;
}
