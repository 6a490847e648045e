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
// 5xx and transport errors set error status. Owned by the caller, used on
// one thread; it must outlive curl_easy_perform (it owns the header list).
#pragma once

#include <curl/curl.h>

#include <string_view>

#include "tai/trace/propagation.h"
#include "tai/trace/trace.h"

namespace tai {

class TracedCurlRequest {
 public:
  // `extra_headers` (may be null) are the request's own headers; they are
  // copied, so the caller keeps ownership of its list.
  TracedCurlRequest(Tracer& tracer, CURL* curl, std::string_view method, std::string_view url,
                    const curl_slist* extra_headers = nullptr,
                    std::shared_ptr<const Propagator> propagator = DefaultPropagator());
  ~TracedCurlRequest();
  TracedCurlRequest(const TracedCurlRequest&) = delete;
  TracedCurlRequest& operator=(const TracedCurlRequest&) = delete;

  Span& span() { return span_; }
  // Reads the response code from the handle and ends the span.
  void Finish(CURLcode result);

 private:
  CURL* curl_;
  Span span_;
  curl_slist* headers_ = nullptr;
};

}  // namespace tai
