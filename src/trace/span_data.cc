#include "tai/trace/span_data.h"

#include "core/enum_names.h"

namespace tai {

namespace {

constexpr internal::EnumNames<SpanKind, 5> kSpanKindNames{{
    {SpanKind::kInternal, "internal"},
    {SpanKind::kServer, "server"},
    {SpanKind::kClient, "client"},
    {SpanKind::kProducer, "producer"},
    {SpanKind::kConsumer, "consumer"},
}};

}  // namespace

std::string_view SpanKindName(SpanKind kind) {
  return internal::NameOf(kSpanKindNames, kind, "internal");
}

const AttributeValue* SpanData::FindAttribute(std::string_view key) const {
  for (const Attribute& a : attributes) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

}  // namespace tai
