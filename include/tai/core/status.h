// Status and Result<T>: how every fallible call of the library reports an
// error. A Status is a code plus a message written for a person ("metric
// type 'x y': character ' ' at 1 is not allowed"), never a bare code.
//
// Value types: copy them freely. Not synchronised; treat as immutable once
// made. Nothing on a hot path returns a Status: instruments count rejections
// instead (see metrics.h).
#pragma once

#include <cassert>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tai {

enum class StatusCode {
  kOk = 0,
  kCancelled,
  kInvalidArgument,
  kDeadlineExceeded,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kResourceExhausted,
  kFailedPrecondition,
  kOutOfRange,
  kUnimplemented,
  kInternal,
  kUnavailable,
  kUnauthenticated,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: metric type is empty", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message"; used to say where an
  // error happened as it travels up.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnavailableError(std::string message);
Status DeadlineExceededError(std::string message);
Status InternalError(std::string message);
Status OutOfRangeError(std::string message);

// Either a value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "a Result made from a Status needs an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<T>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tai

// Returns early from a function returning Status or Result<T> when `expr`
// (a Status) is an error.
#define TAI_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::tai::Status tai_status_ = (expr);        \
    if (!tai_status_.ok()) return tai_status_; \
  } while (0)

// Evaluates `expr` (a Result<T>) and either moves its value into `lhs` or
// returns its Status early from a function returning Status or Result<U>:
//
//   TAI_ASSIGN_OR_RETURN(auto spans, ReadSpans(path));
//   TAI_ASSIGN_OR_RETURN(config.port, ParsePort(text));
//
// `lhs` is a declaration or an existing variable, and may not contain an
// unbracketed comma. Expands to more than one statement: write it in a
// block, not as the body of an unbraced `if`.
#define TAI_ASSIGN_OR_RETURN(lhs, expr) TAI_ASSIGN_OR_RETURN_MAP_ERROR(lhs, expr, ::std::identity{})

// As TAI_ASSIGN_OR_RETURN, but the returned error says where it happened:
// its message becomes "context: message" (Status::WithContext).
#define TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(lhs, expr, context) \
  TAI_ASSIGN_OR_RETURN_MAP_ERROR(                             \
      lhs, expr, [&](const ::tai::Status& tai_error_) { return tai_error_.WithContext(context); })

// As TAI_ASSIGN_OR_RETURN, but returns `map_error(status)`: for callers
// that word the error their own way (the variable and value that failed).
#define TAI_ASSIGN_OR_RETURN_MAP_ERROR(lhs, expr, map_error) \
  TAI_ASSIGN_OR_RETURN_IMPL_(TAI_STATUS_CONCAT_(tai_result_, __LINE__), lhs, expr, map_error)

// Implementation details of the macros above.
#define TAI_STATUS_CONCAT_INNER_(a, b) a##b
#define TAI_STATUS_CONCAT_(a, b) TAI_STATUS_CONCAT_INNER_(a, b)
#define TAI_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr, map_error) \
  auto result = (expr);                                          \
  if (!result.ok()) return (map_error)(result.status());         \
  lhs = std::move(result).value()
