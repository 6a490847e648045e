// Internal: an incremental HTTP/1.x request parser for the embedded server.
// Bytes arrive as the socket gives them; the parser keeps only the current
// request and refuses, with the status to answer, anything past its limits:
// the request line, the header bytes and count, and the body in either
// transfer encoding (Content-Length or chunked, trailers included).
//
// One parser per connection, owned by it. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tai::internal {

struct HttpParserLimits {
  size_t max_request_line_bytes = 8 << 10;  // 414 past it
  size_t max_header_bytes = 16 << 10;       // all header and trailer lines; 431 past it
  size_t max_header_count = 64;             // 431 past it
  size_t max_body_bytes = 8 << 20;          // after chunked decoding; 413 past it
};

struct ParsedRequest {
  std::string method;
  std::string target;  // as sent: path and query, not decoded
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;
  bool expect_continue = false;  // "Expect: 100-continue" with a body to come
};

class HttpRequestParser {
 public:
  enum class State { kHead, kBody, kComplete, kError };

  explicit HttpRequestParser(HttpParserLimits limits) : limits_(limits) {}

  // Takes bytes of the stream; returns how many it used. It stops at the end
  // of a request (the rest belongs to the next one) and at an error.
  size_t Feed(std::string_view data);
  // Starts on the next request of the same connection.
  void Reset();

  State state() const { return state_; }
  // True once any byte of the current request has arrived.
  bool started() const { return started_; }
  // The head is in and a body is still to come.
  bool awaiting_body() const { return state_ == State::kBody; }
  // Bytes held for the current request (head lines, body, partial line).
  size_t buffered_bytes() const { return line_.size() + head_bytes_ + request_.body.size(); }

  // Valid in kComplete (and, for the head, in kBody).
  ParsedRequest& request() { return request_; }
  // Valid in kError: the status to answer (400, 413, 414, 431, 501, 505)
  // and why, for the answer's body.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  enum class BodyMode { kNone, kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailers };

  // Appends to line_ up to and including '\n'; returns true when a whole line
  // is there (without its CR LF). `max` bounds the line.
  bool TakeLine(std::string_view data, size_t* used, size_t max, int status, std::string_view what);
  void OnRequestLine(std::string_view line);
  void OnHeaderLine(std::string_view line);
  void OnHeadEnd();
  void OnChunkSizeLine(std::string_view line);
  void OnTrailerLine(std::string_view line);
  void Fail(int status, std::string message);

  HttpParserLimits limits_;
  State state_ = State::kHead;
  BodyMode body_mode_ = BodyMode::kNone;
  bool started_ = false;
  bool have_request_line_ = false;
  std::string line_;
  size_t head_bytes_ = 0;
  size_t trailer_count_ = 0;
  uint64_t remaining_ = 0;  // body bytes (Content-Length) or chunk bytes left
  ParsedRequest request_;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace tai::internal
