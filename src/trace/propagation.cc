#include "tai/trace/propagation.h"

#include <array>
#include <atomic>
#include <charconv>

#include "core/enum_names.h"
#include "core/text.h"

namespace tai {
namespace {

std::array<std::atomic<uint64_t>, 4> g_malformed{};

void CountMalformed(PropagationHeader header) {
  g_malformed[static_cast<size_t>(header)].fetch_add(1, std::memory_order_relaxed);
}

bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ---- tracestate -------------------------------------------------------------

bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// simple-key, or tenant-id@system-id.
bool IsValidTracestateKey(std::string_view key) {
  if (key.empty() || key.size() > 256) return false;
  const size_t at = key.find('@');
  if (at == std::string_view::npos) {
    if (!IsLcAlpha(key[0])) return false;
    for (char c : key) {
      if (!IsKeyChar(c)) return false;
    }
    return true;
  }
  const std::string_view tenant = key.substr(0, at);
  const std::string_view system = key.substr(at + 1);
  if (tenant.empty() || tenant.size() > 241 || system.empty() || system.size() > 14) return false;
  if (!IsLcAlpha(tenant[0]) && !IsDigit(tenant[0])) return false;
  if (!IsLcAlpha(system[0])) return false;
  for (char c : tenant) {
    if (!IsKeyChar(c)) return false;
  }
  for (char c : system) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}

// 1-256 printable ASCII characters without ',' and '=', not ending in a space.
bool IsValidTracestateValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
  }
  return true;
}

// ---- baggage ----------------------------------------------------------------

// RFC 7230 token characters.
bool IsTokenChar(char c) {
  if (IsLcAlpha(c) || IsDigit(c) || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

int AnyHexDigit(char c) {
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return internal::LowerHexDigit(c);
}

// baggage-octet is printable ASCII without space, '"', ',', ';' and '\'.
bool IsBaggageOctet(char c) {
  return c > 0x20 && c < 0x7F && c != '"' && c != ',' && c != ';' && c != '\\';
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = AnyHexDigit(s[i + 1]);
      const int lo = AnyHexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else if (IsBaggageOctet(s[i])) {
      out += s[i];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

void PercentEncode(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    if (IsBaggageOctet(c) && c != '%') {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
}

void AppendBaggageEntry(std::string& out, const BaggageEntry& e) {
  out += e.key;
  out += '=';
  PercentEncode(out, e.value);
  if (!e.metadata.empty()) {
    out += ';';
    out += e.metadata;
  }
}

size_t EncodedSize(const BaggageEntry& e) {
  std::string s;
  AppendBaggageEntry(s, e);
  return s.size();
}

template <typename F>
void ForEachListMember(std::string_view list, F&& f) {
  size_t start = 0;
  for (;;) {
    const size_t comma = list.find(',', start);
    const std::string_view member = list.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!f(internal::TrimSpaces(member))) return;
    if (comma == std::string_view::npos) return;
    start = comma + 1;
  }
}

}  // namespace

// ---- traceparent --------------------------------------------------------------

namespace {

// version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2.
constexpr size_t kTraceparentSize = 55;

// Into a stack buffer: the header is formatted on every outgoing request,
// and 55 characters is past std::string's inline capacity.
void WriteTraceparent(const SpanContext& context, char (&out)[kTraceparentSize]) {
  out[0] = '0';
  out[1] = '0';
  out[2] = '-';
  internal::WriteHex(out + 3, context.trace_id.bytes().data(), 16);
  out[35] = '-';
  internal::WriteHex(out + 36, context.span_id.bytes().data(), 8);
  out[52] = '-';
  out[53] = '0';
  out[54] = context.sampled() ? '1' : '0';
}

// Fills `context` (which the caller made empty) and returns true when
// `header` is a valid traceparent.
bool ParseTraceparentInto(std::string_view header, SpanContext& context) {
  header = internal::TrimSpaces(header);
  if (header.size() < kTraceparentSize) return false;
  uint8_t version = 0;
  if (!internal::ParseLowerHex(header.substr(0, 2), &version, 1)) return false;
  if (version == 0xff) return false;
  // Version 00 has exactly four fields; a later version may add fields
  // after a '-', which a version-00 reader ignores.
  if (version == 0 ? header.size() != kTraceparentSize
                   : (header.size() > kTraceparentSize && header[kTraceparentSize] != '-')) {
    return false;
  }
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return false;
  std::array<uint8_t, 16> trace_bytes;
  std::array<uint8_t, 8> span_bytes;
  uint8_t flags = 0;
  if (!internal::ParseLowerHex(header.substr(3, 32), trace_bytes.data(), trace_bytes.size()) ||
      !internal::ParseLowerHex(header.substr(36, 16), span_bytes.data(), span_bytes.size()) ||
      !internal::ParseLowerHex(header.substr(53, 2), &flags, 1)) {
    return false;
  }
  context.trace_id = TraceId(trace_bytes);
  context.span_id = SpanId(span_bytes);
  if (!context.trace_id.valid() || !context.span_id.valid()) return false;
  context.trace_flags = static_cast<uint8_t>(flags & SpanContext::kSampledFlag);
  context.remote = true;
  return true;
}

}  // namespace

std::optional<SpanContext> ParseTraceparent(std::string_view header) {
  SpanContext context;
  if (!ParseTraceparentInto(header, context)) return std::nullopt;
  return context;
}

std::string FormatTraceparent(const SpanContext& context) {
  char out[kTraceparentSize];
  WriteTraceparent(context, out);
  return std::string(out, sizeof out);
}

std::optional<std::string> ParseTracestate(std::string_view header) {
  std::string normalised;
  // At most 32 members, so the keys seen fit on the stack.
  std::array<std::string_view, 32> keys;
  size_t key_count = 0;
  bool ok = true;
  ForEachListMember(header, [&](std::string_view member) {
    if (member.empty()) return true;
    const size_t eq = member.find('=');
    if (eq == std::string_view::npos) return ok = false;
    const std::string_view key = member.substr(0, eq);
    const std::string_view value = member.substr(eq + 1);
    if (!IsValidTracestateKey(key) || !IsValidTracestateValue(value)) return ok = false;
    for (size_t i = 0; i < key_count; ++i) {
      if (keys[i] == key) return ok = false;
    }
    if (key_count == keys.size()) return ok = false;
    keys[key_count++] = key;
    if (!normalised.empty()) normalised += ',';
    normalised.append(member);
    return true;
  });
  if (!ok) return std::nullopt;
  return normalised;
}

// ---- X-Cloud-Trace-Context ------------------------------------------------------

std::optional<SpanContext> ParseCloudTraceContext(std::string_view header) {
  header = internal::TrimSpaces(header);
  const size_t slash = header.find('/');
  if (slash != 32) return std::nullopt;
  const std::string trace_hex = internal::AsciiLower(header.substr(0, 32));
  const std::optional<TraceId> trace_id = TraceId::FromHex(trace_hex);
  if (!trace_id || !trace_id->valid()) return std::nullopt;

  std::string_view rest = header.substr(33);
  const size_t semi = rest.find(';');
  const std::string_view span_text = rest.substr(0, semi);
  uint64_t span = 0;
  auto [end, ec] = std::from_chars(span_text.data(), span_text.data() + span_text.size(), span);
  if (span_text.empty() || ec != std::errc() || end != span_text.data() + span_text.size() ||
      span == 0) {
    return std::nullopt;
  }
  uint8_t flags = 0;
  if (semi != std::string_view::npos) {
    const std::string_view option = rest.substr(semi + 1);
    if (option == "o=1") {
      flags = SpanContext::kSampledFlag;
    } else if (option != "o=0") {
      return std::nullopt;
    }
  }
  SpanContext context;
  context.trace_id = *trace_id;
  context.span_id = SpanId::FromWord(span);
  context.trace_flags = flags;
  context.remote = true;
  return context;
}

std::string FormatCloudTraceContext(const SpanContext& context) {
  std::string out = context.trace_id.ToHex();
  out += '/';
  internal::AppendUint(out, context.span_id.word());
  out += context.sampled() ? ";o=1" : ";o=0";
  return out;
}

// ---- Baggage ----------------------------------------------------------------------

bool Baggage::Set(std::string_view key, std::string_view value, std::string_view metadata) {
  if (!IsToken(key)) return false;
  BaggageEntry entry{std::string(key), std::string(value), std::string(metadata)};
  std::vector<BaggageEntry> next = entries_;
  bool replaced = false;
  for (BaggageEntry& e : next) {
    if (e.key == key) {
      e = entry;
      replaced = true;
    }
  }
  if (!replaced) next.push_back(std::move(entry));
  size_t bytes = next.empty() ? 0 : next.size() - 1;  // the commas
  for (const BaggageEntry& e : next) bytes += EncodedSize(e);
  if (next.size() > kMaxEntries || bytes > kMaxBytes) return false;
  entries_ = std::move(next);
  return true;
}

std::optional<std::string> Baggage::Get(std::string_view key) const {
  for (const BaggageEntry& e : entries_) {
    if (e.key == key) return e.value;
  }
  return std::nullopt;
}

void Baggage::Remove(std::string_view key) {
  std::erase_if(entries_, [&](const BaggageEntry& e) { return e.key == key; });
}

std::string Baggage::ToHeader() const {
  std::string out;
  for (const BaggageEntry& e : entries_) {
    if (!out.empty()) out += ',';
    AppendBaggageEntry(out, e);
  }
  return out;
}

std::optional<Baggage> Baggage::FromHeader(std::string_view header) {
  if (header.size() > kMaxBytes) return std::nullopt;
  Baggage baggage;
  bool ok = true;
  ForEachListMember(header, [&](std::string_view member) {
    if (member.empty()) return ok = false;
    const size_t semi = member.find(';');
    const std::string_view pair = member.substr(0, semi);
    const std::string_view metadata = semi == std::string_view::npos
                                          ? std::string_view()
                                          : internal::TrimSpaces(member.substr(semi + 1));
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return ok = false;
    const std::string_view key = internal::TrimSpaces(pair.substr(0, eq));
    std::optional<std::string> value = PercentDecode(internal::TrimSpaces(pair.substr(eq + 1)));
    if (!value || !IsToken(key)) return ok = false;
    if (baggage.entries_.size() == kMaxEntries) return ok = false;
    baggage.entries_.push_back({std::string(key), std::move(*value), std::string(metadata)});
    return true;
  });
  if (!ok) return std::nullopt;
  return baggage;
}

// ---- Carriers and propagators --------------------------------------------------

std::string_view HeaderListCarrier::Get(std::string_view name) const {
  for (const auto& [key, value] : *headers_) {
    if (internal::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

void HeaderListCarrier::Set(std::string_view name, std::string_view value) {
  for (auto& [key, v] : *headers_) {
    if (internal::EqualsIgnoreCase(key, name)) {
      v.assign(value);
      return;
    }
  }
  headers_->emplace_back(std::string(name), std::string(value));
}

void W3CTraceContextPropagator::Inject(const PropagationContext& context,
                                       TextMapCarrier& carrier) const {
  const SpanContext& sc = context.span_context;
  if (!sc.valid()) return;
  char traceparent[kTraceparentSize];
  WriteTraceparent(sc, traceparent);
  carrier.Set("traceparent", std::string_view(traceparent, sizeof traceparent));
  if (!sc.trace_state.empty()) carrier.Set("tracestate", sc.trace_state);
}

void W3CTraceContextPropagator::Extract(const TextMapCarrier& carrier,
                                        PropagationContext& context) const {
  const std::string_view traceparent = carrier.Get("traceparent");
  if (traceparent.empty()) return;
  SpanContext parsed;
  if (!ParseTraceparentInto(traceparent, parsed)) {
    CountMalformed(PropagationHeader::kTraceparent);
    return;
  }
  const std::string_view tracestate = carrier.Get("tracestate");
  if (!tracestate.empty()) {
    std::optional<std::string> state = ParseTracestate(tracestate);
    if (state) {
      parsed.trace_state = std::move(*state);
    } else {
      CountMalformed(PropagationHeader::kTracestate);
    }
  }
  context.span_context = std::move(parsed);
}

void W3CBaggagePropagator::Inject(const PropagationContext& context,
                                  TextMapCarrier& carrier) const {
  if (!context.baggage.empty()) carrier.Set("baggage", context.baggage.ToHeader());
}

void W3CBaggagePropagator::Extract(const TextMapCarrier& carrier,
                                   PropagationContext& context) const {
  const std::string_view header = carrier.Get("baggage");
  if (header.empty()) return;
  std::optional<Baggage> baggage = Baggage::FromHeader(header);
  if (!baggage) {
    CountMalformed(PropagationHeader::kBaggage);
    return;
  }
  for (const BaggageEntry& e : baggage->entries()) context.baggage.Set(e.key, e.value, e.metadata);
}

void CloudTraceContextPropagator::Inject(const PropagationContext& context,
                                         TextMapCarrier& carrier) const {
  if (context.span_context.valid()) {
    carrier.Set("x-cloud-trace-context", FormatCloudTraceContext(context.span_context));
  }
}

void CloudTraceContextPropagator::Extract(const TextMapCarrier& carrier,
                                          PropagationContext& context) const {
  const std::string_view header = carrier.Get("x-cloud-trace-context");
  if (header.empty()) return;
  std::optional<SpanContext> parsed = ParseCloudTraceContext(header);
  if (!parsed) {
    CountMalformed(PropagationHeader::kCloudTraceContext);
    return;
  }
  context.span_context = std::move(*parsed);
}

void CompositePropagator::Inject(const PropagationContext& context, TextMapCarrier& carrier) const {
  for (const auto& p : propagators_) p->Inject(context, carrier);
}

void CompositePropagator::Extract(const TextMapCarrier& carrier,
                                  PropagationContext& context) const {
  for (const auto& p : propagators_) {
    PropagationContext attempt;
    p->Extract(carrier, attempt);
    if (!context.span_context.valid() && attempt.span_context.valid()) {
      context.span_context = std::move(attempt.span_context);
    }
    for (const BaggageEntry& e : attempt.baggage.entries()) {
      context.baggage.Set(e.key, e.value, e.metadata);
    }
  }
}

std::vector<std::string> CompositePropagator::Fields() const {
  std::vector<std::string> out;
  for (const auto& p : propagators_) {
    for (std::string& f : p->Fields()) out.push_back(std::move(f));
  }
  return out;
}

std::shared_ptr<const Propagator> DefaultPropagator() {
  static const auto propagator =
      std::make_shared<const CompositePropagator>(std::vector<std::shared_ptr<const Propagator>>{
          std::make_shared<const W3CTraceContextPropagator>(),
          std::make_shared<const W3CBaggagePropagator>(),
          std::make_shared<const CloudTraceContextPropagator>()});
  return propagator;
}

namespace {

constexpr internal::EnumNames<PropagationHeader, 4> kHeaderNames{{
    {PropagationHeader::kTraceparent, "traceparent"},
    {PropagationHeader::kTracestate, "tracestate"},
    {PropagationHeader::kBaggage, "baggage"},
    {PropagationHeader::kCloudTraceContext, "x-cloud-trace-context"},
}};

}  // namespace

std::string_view PropagationHeaderName(PropagationHeader header) {
  return internal::NameOf(kHeaderNames, header, "unknown");
}

uint64_t MalformedHeaderCount(PropagationHeader header) {
  return g_malformed[static_cast<size_t>(header)].load(std::memory_order_relaxed);
}

}  // namespace tai
