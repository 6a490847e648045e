// TracedCurlRequest: a client span around one libcurl request, with the
// trace context injected into its headers (traceparent, tracestate,
// baggage, X-Cloud-Trace-Context).
//
//   tai::TracedCurlRequest traced(tracer, curl, "GET", url);  // sets CURLOPT_HTTPHEADER
//   CURLcode rc = curl_easy_perform(curl);
//   traced.Finish(rc);  // status code, error status on failure, ends the span
//
// The span is a child of the thread's active span. Attributes follow the
// OpenTelemetry HTTP client conventions (http.request.method, url.full,
// server.address, server.port, http.response.status_code, error.type); 4xx,
// 5xx and transport errors set error status. With CurlRequestOptions::metrics
// set, Finish also records the request in the HTTP client metrics
// (tai/web/http_metrics.h: duration, body sizes, errors; Observability's
// http_client_metrics()). Owned by the caller, used on one thread; it must
// outlive curl_easy_perform (it owns the header list).
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

#include "tai/trace/propagation.h"
#include "tai/trace/trace.h"
#include "tai/web/http_metrics.h"

namespace tai {

struct CurlRequestOptions {
  // The request's own headers (may be null); copied, the caller keeps its list.
  const curl_slist* extra_headers = nullptr;
  std::shared_ptr<const Propagator> propagator = DefaultPropagator();
  // Null: no metrics.
  std::shared_ptr<const HttpClientMetrics> metrics;
};

class TracedCurlRequest {
 public:
  TracedCurlRequest(Tracer& tracer, CURL* curl, std::string_view method, std::string_view url,
                    CurlRequestOptions options);
  // `extra_headers` (may be null) are the request's own headers; they are
  // copied, so the caller keeps ownership of its list.
  TracedCurlRequest(Tracer& tracer, CURL* curl, std::string_view method, std::string_view url,
                    const curl_slist* extra_headers = nullptr,
                    std::shared_ptr<const Propagator> propagator = DefaultPropagator());
  ~TracedCurlRequest();
  TracedCurlRequest(const TracedCurlRequest&) = delete;
  TracedCurlRequest& operator=(const TracedCurlRequest&) = delete;

  Span& span() { return span_; }
  // Reads the response code from the handle, ends the span and records the
  // metrics.
  void Finish(CURLcode result);

 private:
  void ParseServer(std::string_view url);
  void RecordMetrics(int status_code);

  CURL* curl_;
  Span span_;
  std::string method_;
  std::string server_address_;
  int server_port_ = 0;
  std::shared_ptr<const HttpClientMetrics> metrics_;
  curl_slist* headers_ = nullptr;
};

}  // namespace tai
