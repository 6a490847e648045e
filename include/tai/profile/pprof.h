// pprof: a Profile as a gzip-compressed profile.proto, the format of
// `go tool pprof`, Google Cloud Profiler and most profiling tools, and back.
//
// Free functions, thread-safe (no shared state). The encoder is our own
// (protobuf wire format written by hand, no generated code); the decoder
// accepts anything a conforming writer produces: packed or unpacked repeated
// numbers, unknown fields skipped, gzip or plain bytes.
#pragma once

#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

// The profile.proto message, not compressed.
std::string EncodePprofProto(const Profile& profile);
// The same, gzip-compressed: what a .pb.gz file holds.
std::string EncodePprof(const Profile& profile);
// Reads a profile.proto message, gzip-compressed or not. Fails with a message
// saying what is malformed (truncated field, string index out of range...).
Result<Profile> DecodePprof(std::string_view data);

// Files: write EncodePprof(profile) to `path`, read and decode `path`.
Status WritePprofFile(const Profile& profile, const std::string& path);
Result<Profile> ReadPprofFile(const std::string& path);

}  // namespace tai
