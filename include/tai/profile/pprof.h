// pprof: a Profile as a gzip-compressed profile.proto, the format of
// `go tool pprof`, Google Cloud Profiler and most profiling tools, and back.
//
// Free functions, thread-safe (no shared state). The encoder is our own
// (protobuf wire format written by hand, no generated code); the decoder
// accepts anything a conforming writer produces: packed or unpacked repeated
// numbers, unknown fields skipped, gzip or plain bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

// The profile.proto message, not compressed.
std::string EncodePprofProto(const Profile& profile);
// The same, gzip-compressed: what a .pb.gz file holds.
std::string EncodePprof(const Profile& profile);
// What reading one profile may cost at most. Profiles from other tools are
// untrusted input, and a small gzip file can inflate to hundreds of MiB of
// tiny messages that decode to gigabytes; the defaults are far above what
// real profiles need.
struct PprofLimits {
  size_t max_file_bytes = size_t{256} << 20;      // a file as stored (gzip or not)
  size_t max_inflated_bytes = size_t{256} << 20;  // the profile.proto message
  // The decoded Profile's memory, estimated as it is read (samples,
  // locations, functions, mappings, strings and what refers to them).
  size_t max_decoded_bytes = size_t{1} << 30;
};

// Reads a profile.proto message, gzip-compressed or not. Fails with a message
// saying what is malformed (truncated field, string index out of range...),
// or RESOURCE_EXHAUSTED naming the limit a profile would pass.
Result<Profile> DecodePprof(std::string_view data, const PprofLimits& limits = {});

// Files: write EncodePprof(profile) to `path`, read and decode `path`. Only
// a regular file is read (a FIFO, a device or a directory is an error, never
// a wait or an endless read), and an empty one is an error that says so.
Status WritePprofFile(const Profile& profile, const std::string& path);
Result<Profile> ReadPprofFile(const std::string& path, const PprofLimits& limits = {});

}  // namespace tai
