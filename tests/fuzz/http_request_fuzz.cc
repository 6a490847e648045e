// libFuzzer target for the embedded HTTP server's request parser: the input
// is what a client sends on one connection (after a first byte that sets
// how the stream is cut into reads). Beyond not crashing, it checks that
// the parser never holds more than its limits allow, and that the requests
// (and the refusal) come out the same however the stream is cut.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "web/http_request_parser.h"

namespace {

using tai::internal::HttpParserLimits;
using tai::internal::HttpRequestParser;

void Check(bool condition) {
  if (!condition) std::abort();
}

constexpr HttpParserLimits kLimits{.max_request_line_bytes = 256,
                                   .max_header_bytes = 512,
                                   .max_header_count = 8,
                                   .max_body_bytes = 1024};
// The request line, header lines, body and the partial line being read.
constexpr size_t kMaxHeld =
    kLimits.max_request_line_bytes + kLimits.max_header_bytes + kLimits.max_body_bytes + 2 * 1026;

std::vector<std::string> Parse(std::string_view stream, size_t step) {
  std::vector<std::string> out;
  HttpRequestParser parser(kLimits);
  for (size_t pos = 0; pos < stream.size(); pos += step) {
    std::string_view piece = stream.substr(pos, step);
    while (!piece.empty()) {
      const size_t used = parser.Feed(piece);
      Check(used <= piece.size());
      piece.remove_prefix(used);
      Check(parser.buffered_bytes() <= kMaxHeld);
      if (parser.state() == HttpRequestParser::State::kComplete) {
        auto& r = parser.request();
        Check(r.body.size() <= kLimits.max_body_bytes);
        Check(r.headers.size() <= kLimits.max_header_count);
        Check(!r.target.empty() && (r.target[0] == '/' || r.target == "*"));
        out.push_back(r.method + " " + r.target + " " + std::to_string(r.headers.size()) + " " +
                      r.body + (r.keep_alive ? " keep" : " close"));
        parser.Reset();
      } else if (parser.state() == HttpRequestParser::State::kError) {
        Check(parser.error_status() >= 400 && parser.error_status() < 600);
        out.push_back("error " + std::to_string(parser.error_status()) + " " +
                      parser.error_message());
        return out;
      } else {
        Check(piece.empty());  // a request in progress takes all it is given
      }
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 32;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  Check(Parse(stream, step) == Parse(stream, stream.size() + 1));
  return 0;
}
