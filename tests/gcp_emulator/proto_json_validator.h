// Test support: checks that a JSON request body is a valid message of a
// Google API, by parsing it with libprotobuf's JSON parser into a message
// built from Google's published .proto files (the npm package
// google-proto-files, installed by scripts/setup) with unknown fields
// rejected. This is how the emulator holds our requests to what the real
// API accepts.
//
// Load once, then Check from any thread (read-only after construction).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/status.h"

namespace tai::testing {

class ProtoJsonValidator {
 public:
  // Imports `proto_files` (e.g. "google/devtools/cloudtrace/v2/tracing.proto")
  // from `proto_root` (the google-proto-files folder), taking the protobuf
  // well-known types from the system's libprotobuf.
  static Result<std::unique_ptr<ProtoJsonValidator>> Load(
      const std::string& proto_root, const std::vector<std::string>& proto_files);
  ~ProtoJsonValidator();

  // Ok when `json` parses as `message_type` ("google.devtools.cloudtrace.v2.
  // BatchWriteSpansRequest") with no unknown field and no wrong type.
  Status Check(std::string_view message_type, std::string_view json) const;
  // Ok when every path of `mask` (a FieldMask's JSON: "displayName,userLabels";
  // snake_case too) names a field of `message_type`, nested ones with dots.
  Status CheckFieldMask(std::string_view message_type, std::string_view mask) const;

 private:
  ProtoJsonValidator();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Where scripts/setup installs Google's .proto files, from the source tree.
std::string GoogleProtoRoot();

}  // namespace tai::testing
