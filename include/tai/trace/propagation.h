// Context propagation: carrying a trace from one process to the next in
// request headers. Built in: W3C Trace Context (traceparent, tracestate),
// W3C Baggage, and Google's X-Cloud-Trace-Context
// ("TRACE_ID/SPAN_ID;o=1", span id in decimal). Implement Propagator to add
// your own format; CompositePropagator runs several.
//
// Parsing is strict and total: any input is accepted without crashing; a
// malformed header is ignored (the request starts a new trace) and counted
// (MalformedHeaderCount). Invalid ids (all zeros), wrong lengths, upper-case
// hex in W3C headers, version ff and, for version 00, extra fields are
// malformed, as the W3C specification says.
//
// Propagators are immutable and thread-safe. Carriers are not synchronised.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/span_context.h"

namespace tai {

// Read and write access to a request's headers. Names are compared without
// regard to case.
class TextMapCarrier {
 public:
  virtual ~TextMapCarrier() = default;
  // The value of `name`, or "" when absent.
  virtual std::string_view Get(std::string_view name) const = 0;
  virtual void Set(std::string_view name, std::string_view value) = 0;
};

// A carrier over a list of (name, value) pairs, as HttpRequest::headers.
class HeaderListCarrier : public TextMapCarrier {
 public:
  explicit HeaderListCarrier(std::vector<std::pair<std::string, std::string>>* headers)
      : headers_(headers) {}
  std::string_view Get(std::string_view name) const override;
  void Set(std::string_view name, std::string_view value) override;

 private:
  std::vector<std::pair<std::string, std::string>>* headers_;
};

// W3C baggage: application key/value pairs that travel with the trace.
struct BaggageEntry {
  std::string key;
  std::string value;     // decoded
  std::string metadata;  // the properties after ';', as received
  friend bool operator==(const BaggageEntry&, const BaggageEntry&) = default;
};

class Baggage {
 public:
  // W3C limits: at most 180 entries and 8192 bytes once encoded.
  static constexpr size_t kMaxEntries = 180;
  static constexpr size_t kMaxBytes = 8192;

  // Replaces an existing key. False (and nothing changes) when the key is
  // not a valid token or a limit would be passed.
  bool Set(std::string_view key, std::string_view value, std::string_view metadata = {});
  std::optional<std::string> Get(std::string_view key) const;
  void Remove(std::string_view key);
  const std::vector<BaggageEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  // "k1=v1,k2=v%20two;prop": values percent-encoded.
  std::string ToHeader() const;
  // Null when the header is malformed or past the limits.
  static std::optional<Baggage> FromHeader(std::string_view header);

  friend bool operator==(const Baggage&, const Baggage&) = default;

 private:
  std::vector<BaggageEntry> entries_;
};

// What propagators carry.
struct PropagationContext {
  SpanContext span_context;
  Baggage baggage;
};

class Propagator {
 public:
  virtual ~Propagator() = default;
  // Writes its headers for `context` (nothing when it has nothing valid).
  virtual void Inject(const PropagationContext& context, TextMapCarrier& carrier) const = 0;
  // Reads its headers into `context`, leaving it unchanged when they are
  // absent or malformed.
  virtual void Extract(const TextMapCarrier& carrier, PropagationContext& context) const = 0;
  // The header names it reads and writes.
  virtual std::vector<std::string> Fields() const = 0;
};

class W3CTraceContextPropagator : public Propagator {
 public:
  void Inject(const PropagationContext& context, TextMapCarrier& carrier) const override;
  void Extract(const TextMapCarrier& carrier, PropagationContext& context) const override;
  std::vector<std::string> Fields() const override { return {"traceparent", "tracestate"}; }
};

class W3CBaggagePropagator : public Propagator {
 public:
  void Inject(const PropagationContext& context, TextMapCarrier& carrier) const override;
  void Extract(const TextMapCarrier& carrier, PropagationContext& context) const override;
  std::vector<std::string> Fields() const override { return {"baggage"}; }
};

class CloudTraceContextPropagator : public Propagator {
 public:
  void Inject(const PropagationContext& context, TextMapCarrier& carrier) const override;
  void Extract(const TextMapCarrier& carrier, PropagationContext& context) const override;
  std::vector<std::string> Fields() const override { return {"x-cloud-trace-context"}; }
};

// Injects with every propagator; extracts with each in order, the first
// valid span context winning (baggage from any).
class CompositePropagator : public Propagator {
 public:
  explicit CompositePropagator(std::vector<std::shared_ptr<const Propagator>> propagators)
      : propagators_(std::move(propagators)) {}
  void Inject(const PropagationContext& context, TextMapCarrier& carrier) const override;
  void Extract(const TextMapCarrier& carrier, PropagationContext& context) const override;
  std::vector<std::string> Fields() const override;

 private:
  std::vector<std::shared_ptr<const Propagator>> propagators_;
};

// W3C trace context + baggage + X-Cloud-Trace-Context: what the HTTP
// middleware and client helper use unless told otherwise.
std::shared_ptr<const Propagator> DefaultPropagator();

// ---- The formats, for direct use (and fuzzing) -----------------------------

// "00-<32 hex>-<16 hex>-<2 hex>" -> context with remote = true.
std::optional<SpanContext> ParseTraceparent(std::string_view header);
std::string FormatTraceparent(const SpanContext& context);
// The header normalised (no empty members or spaces around commas), or
// null when malformed: more than 32 members, a bad key or value, a
// duplicated key.
std::optional<std::string> ParseTracestate(std::string_view header);
std::optional<SpanContext> ParseCloudTraceContext(std::string_view header);
std::string FormatCloudTraceContext(const SpanContext& context);

enum class PropagationHeader { kTraceparent, kTracestate, kBaggage, kCloudTraceContext };
std::string_view PropagationHeaderName(PropagationHeader header);
// Malformed headers of that kind seen by the built-in propagators.
uint64_t MalformedHeaderCount(PropagationHeader header);

}  // namespace tai
