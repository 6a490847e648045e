#include "web/http_request_parser.h"

#include <algorithm>
#include <charconv>

#include "core/text.h"

namespace tai::internal {
namespace {

// RFC 9110 token characters (method and header names).
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// Field values may hold visible characters, spaces, tabs and obs-text; a
// CR, LF, NUL or other control character is refused, never passed on.
bool IsFieldValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

// Calls fn for each comma-separated element, trimmed, empty ones left out.
template <typename Fn>
void ForEachElement(std::string_view list, Fn fn) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = TrimSpaces(list.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// Non-empty and digits only: from_chars alone would take a sign.
bool IsAllDigits(std::string_view s, int base) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [base](char c) {
    return (c >= '0' && c <= '9') || (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f');
  });
}

constexpr size_t kMaxChunkSizeLine = 1024;
constexpr int kMaxLeadingEmptyLines = 4;

}  // namespace

void HttpRequestParser::Reset() {
  state_ = State::kHead;
  body_mode_ = BodyMode::kNone;
  started_ = false;
  have_request_line_ = false;
  line_.clear();
  head_bytes_ = 0;
  trailer_count_ = 0;
  remaining_ = 0;
  request_ = ParsedRequest();
  error_status_ = 0;
  error_message_.clear();
}

void HttpRequestParser::Fail(int status, std::string message) {
  state_ = State::kError;
  error_status_ = status;
  error_message_ = std::move(message);
}

bool HttpRequestParser::TakeLine(std::string_view data, size_t* used, size_t max, int status,
                                 std::string_view what) {
  size_t nl = data.find('\n');
  size_t take = nl == std::string_view::npos ? data.size() : nl + 1;
  // +2: the CR LF that ends the line is not part of it.
  if (line_.size() + take > max + 2) {
    *used = take;
    Fail(status, std::string(what) + " longer than " + std::to_string(max) + " bytes");
    return false;
  }
  line_.append(data.data(), take);
  *used = take;
  if (nl == std::string_view::npos) return false;
  line_.pop_back();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

size_t HttpRequestParser::Feed(std::string_view data) {
  if (state_ == State::kComplete || state_ == State::kError) return 0;
  if (!data.empty()) started_ = true;
  size_t used = 0;
  while (used < data.size() && (state_ == State::kHead || state_ == State::kBody)) {
    std::string_view rest = data.substr(used);
    size_t n = 0;
    if (state_ == State::kHead) {
      bool whole =
          have_request_line_
              ? TakeLine(rest, &n,
                         limits_.max_header_bytes - std::min(head_bytes_, limits_.max_header_bytes),
                         431, "request headers")
              : TakeLine(rest, &n, limits_.max_request_line_bytes, 414, "request line");
      used += n;
      if (!whole) continue;
      std::string line = std::move(line_);
      line_.clear();
      if (!have_request_line_) {
        OnRequestLine(line);
      } else if (line.empty()) {
        OnHeadEnd();
      } else {
        OnHeaderLine(line);
      }
      continue;
    }
    switch (body_mode_) {
      case BodyMode::kLength:
      case BodyMode::kChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        request_.body.append(rest.data(), take);
        remaining_ -= take;
        used += take;
        if (remaining_ == 0) {
          if (body_mode_ == BodyMode::kLength) {
            state_ = State::kComplete;
          } else {
            body_mode_ = BodyMode::kChunkDataEnd;
          }
        }
        break;
      }
      case BodyMode::kChunkSize:
        if (TakeLine(rest, &n, kMaxChunkSizeLine, 400, "chunk size line")) {
          std::string line = std::move(line_);
          line_.clear();
          OnChunkSizeLine(line);
        }
        used += n;
        break;
      case BodyMode::kChunkDataEnd:
        if (TakeLine(rest, &n, 0, 400, "chunk end")) {
          if (!line_.empty()) Fail(400, "chunk data longer than its size");
          line_.clear();
          body_mode_ = BodyMode::kChunkSize;
        }
        used += n;
        break;
      case BodyMode::kTrailers: {
        size_t max = limits_.max_header_bytes - std::min(head_bytes_, limits_.max_header_bytes);
        if (TakeLine(rest, &n, max, 431, "request headers and trailers")) {
          std::string line = std::move(line_);
          line_.clear();
          OnTrailerLine(line);
        }
        used += n;
        break;
      }
      case BodyMode::kNone:
        state_ = State::kComplete;
        break;
    }
  }
  return used;
}

void HttpRequestParser::OnRequestLine(std::string_view line) {
  if (line.empty()) {
    // RFC 9112 2.2: empty lines before a request line are ignored (a few).
    if (++trailer_count_ > kMaxLeadingEmptyLines) Fail(400, "empty lines instead of a request");
    return;
  }
  trailer_count_ = 0;
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Fail(400, "malformed request method");
  bool origin_form = !target.empty() && target[0] == '/';
  if (!(origin_form || (target == "*" && method == "OPTIONS"))) {
    return Fail(400, "request target must be a path");
  }
  if (std::any_of(target.begin(), target.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c == 0x7f;
      })) {
    return Fail(400, "control character in request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Fail(400, "malformed HTTP version");
  }
  if (version[5] != '1') return Fail(505, "only HTTP/1.x is served");
  request_.method = std::string(method);
  request_.target = std::string(target);
  request_.minor_version = version[7] - '0';
  request_.keep_alive = request_.minor_version >= 1;
  have_request_line_ = true;
}

void HttpRequestParser::OnHeaderLine(std::string_view line) {
  if (line[0] == ' ' || line[0] == '\t') return Fail(400, "folded header line");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Fail(400, "header line without ':'");
  std::string_view name = line.substr(0, colon);
  std::string_view value = TrimSpaces(line.substr(colon + 1));
  if (!IsToken(name)) return Fail(400, "malformed header name");
  if (!IsFieldValue(value)) return Fail(400, "control character in header value");
  if (request_.headers.size() >= limits_.max_header_count) {
    return Fail(431, "more than " + std::to_string(limits_.max_header_count) + " headers");
  }
  head_bytes_ += line.size() + 2;
  request_.headers.emplace_back(AsciiLower(name), std::string(value));
}

void HttpRequestParser::OnHeadEnd() {
  bool chunked = false;
  bool has_transfer_encoding = false;
  bool has_length = false;
  uint64_t length = 0;
  std::string_view length_text;
  for (const auto& [name, value] : request_.headers) {
    if (name == "connection") {
      ForEachElement(value, [&](std::string_view option) {
        if (EqualsIgnoreCase(option, "close")) request_.keep_alive = false;
        if (EqualsIgnoreCase(option, "keep-alive") && request_.minor_version == 0) {
          request_.keep_alive = true;
        }
      });
    } else if (name == "transfer-encoding") {
      has_transfer_encoding = true;
      ForEachElement(
          value, [&](std::string_view coding) { chunked = EqualsIgnoreCase(coding, "chunked"); });
      if (!chunked) return Fail(501, "only the chunked transfer coding is accepted");
    } else if (name == "content-length") {
      bool ok = true;
      ForEachElement(value, [&](std::string_view text) {
        if (has_length && text != length_text) ok = false;
        has_length = true;
        length_text = text;
      });
      // RFC 9112 6.3: differing lengths make the message boundary unknowable.
      if (!ok) return Fail(400, "conflicting Content-Length headers");
    } else if (name == "expect") {
      request_.expect_continue = EqualsIgnoreCase(value, "100-continue");
    }
  }
  if (has_transfer_encoding && has_length) {
    return Fail(400, "both Transfer-Encoding and Content-Length");
  }
  if (has_transfer_encoding && request_.minor_version == 0) {
    return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
  }
  if (has_length) {
    if (!IsAllDigits(length_text, 10)) return Fail(400, "malformed Content-Length");
    auto r = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    if (r.ec != std::errc() || length > limits_.max_body_bytes) {
      return Fail(413, "body larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
    }
  }
  trailer_count_ = 0;
  if (chunked) {
    body_mode_ = BodyMode::kChunkSize;
    state_ = State::kBody;
  } else if (length > 0) {
    body_mode_ = BodyMode::kLength;
    remaining_ = length;
    // Reserved lazily as bytes arrive: a declared length costs nothing.
    state_ = State::kBody;
  } else {
    request_.expect_continue = false;
    state_ = State::kComplete;
  }
}

void HttpRequestParser::OnChunkSizeLine(std::string_view line) {
  std::string_view digits = line.substr(0, line.find(';'));
  digits = TrimSpaces(digits);
  if (!IsAllDigits(digits, 16)) return Fail(400, "malformed chunk size");
  uint64_t size = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (r.ec != std::errc() || size > limits_.max_body_bytes - request_.body.size()) {
    return Fail(413, "body larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
  }
  if (size == 0) {
    body_mode_ = BodyMode::kTrailers;
  } else {
    body_mode_ = BodyMode::kChunkData;
    remaining_ = size;
  }
}

void HttpRequestParser::OnTrailerLine(std::string_view line) {
  if (line.empty()) {
    state_ = State::kComplete;
    return;
  }
  // Trailers are counted against the header limits and not kept: no
  // handler reads them.
  if (++trailer_count_ + request_.headers.size() > limits_.max_header_count) {
    return Fail(431, "more than " + std::to_string(limits_.max_header_count) + " headers");
  }
  head_bytes_ += line.size() + 2;
}

}  // namespace tai::internal
