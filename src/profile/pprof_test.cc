#include "tai/profile/pprof.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/gzip.h"
#include "core/temp_dir_testing.h"
#include "profile/proto_wire.h"

namespace tai {
namespace {

Profile FullProfile() {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  p.time_nanos = 1'700'000'000'000'000'000;
  p.duration_nanos = 2'000'000'000;
  p.comments = {"made by a test", ""};  // an empty one is string 0: still kept (fuzz found)
  p.default_sample_type = "cpu";
  p.mappings.push_back(
      ProfileMapping{1, 0x400000, 0x500000, 0, "/usr/bin/app", "abcdef0123", true, false, false});
  p.functions.push_back(
      ProfileFunction{1, "db::Query::Run(int)", "_ZN2db5Query3RunEi", "db.cc", 42});
  p.functions.push_back(ProfileFunction{2, "main", "main", "main.cc", 1});
  p.locations.push_back(ProfileLocation{1, 1, 0x401234, {ProfileLine{1, 50}}});
  p.locations.push_back(ProfileLocation{2, 1, 0x400100, {ProfileLine{2, 3}}});
  p.locations.push_back(ProfileLocation{3, 0, 0x7fff0000, {}});
  p.samples.push_back(ProfileSample{
      {1, 2},
      {3, 30'000'000},
      {ProfileLabel{"route", "/api/users", 0, ""}, ProfileLabel{"bytes", "", 4096, "bytes"}}});
  p.samples.push_back(ProfileSample{{3, 2}, {1, 10'000'000}, {}});
  return p;
}

TEST(PprofTest, RoundTripsEveryField) {
  Profile p = FullProfile();
  std::string bytes = EncodePprof(p);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 0x1f);  // gzip
  Result<Profile> back = DecodePprof(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  // Uncompressed input is accepted too.
  Result<Profile> plain = DecodePprof(EncodePprofProto(p));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, p);
}

TEST(PprofTest, ReadsUnpackedRepeatedNumbers) {
  // A sample written field by field (proto2 style) instead of packed.
  internal::ProtoWriter sample;
  sample.Uint(1, 1);
  sample.Uint(1, 2);
  sample.Int(2, 7);
  internal::ProtoWriter vt;
  vt.Int(1, 1);
  vt.Int(2, 2);
  internal::ProtoWriter w;
  w.BytesAlways(1, vt.out());
  w.BytesAlways(2, sample.out());
  w.BytesAlways(6, "");
  w.BytesAlways(6, "samples");
  w.BytesAlways(6, "count");
  w.Uint(99, 5);  // unknown field: skipped
  Result<Profile> p = DecodePprof(w.out());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->samples.size(), 1u);
  EXPECT_EQ(p->samples[0].location_ids, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(p->samples[0].values, (std::vector<int64_t>{7}));
  EXPECT_EQ(p->sample_types[0], (ValueType{"samples", "count"}));
}

TEST(PprofTest, RejectsMalformedInput) {
  std::string proto = EncodePprofProto(FullProfile());
  for (size_t cut : {proto.size() - 1, size_t{3}}) {
    Result<Profile> p = DecodePprof(std::string_view(proto).substr(0, cut));
    EXPECT_FALSE(p.ok()) << "cut at " << cut;
  }
  // A string index past the table.
  internal::ProtoWriter vt;
  vt.Int(1, 7);
  internal::ProtoWriter w;
  w.BytesAlways(1, vt.out());
  w.BytesAlways(6, "");
  Result<Profile> bad = DecodePprof(w.out());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("string 7"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(DecodePprof(internal::GzipCompress("garbage")).ok());
}

// A profile whose field `field` holds `bytes`, with a valid string table.
std::string ProfileWith(int field, const std::string& bytes) {
  internal::ProtoWriter w;
  w.BytesAlways(field, bytes);
  w.BytesAlways(6, "");
  w.BytesAlways(6, "name");
  return std::move(w.out());
}

// `inner` as field `field` of a message.
std::string Wrapped(int field, const std::string& inner) {
  internal::ProtoWriter w;
  w.BytesAlways(field, inner);
  return std::move(w.out());
}

TEST(PprofTest, ErrorsNameTheMalformedMessage) {
  const std::string truncated = "\x08";  // field 1, varint, and no varint
  struct Case {
    int field;
    std::string bytes;
    const char* error;
  };
  const Case cases[] = {
      {1, truncated, "malformed sample_type: truncated varint"},
      {2, truncated, "malformed sample: truncated varint"},
      {2, Wrapped(3, truncated), "malformed sample.label: truncated varint"},
      {3, truncated, "malformed mapping: truncated varint"},
      {4, truncated, "malformed location: truncated varint"},
      {4, Wrapped(4, truncated), "malformed location.line: truncated varint"},
      {5, truncated, "malformed function: truncated varint"},
      {11, truncated, "malformed period_type: truncated varint"},
  };
  for (const Case& c : cases) {
    Result<Profile> p = DecodePprof(ProfileWith(c.field, c.bytes));
    ASSERT_FALSE(p.ok()) << c.error;
    EXPECT_NE(p.status().message().find(c.error), std::string::npos) << p.status().message();
  }
  // A message where a number belongs.
  internal::ProtoWriter mapping;
  mapping.Uint(3, 1);
  Result<Profile> p = DecodePprof(mapping.out() + ProfileWith(6, ""));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("malformed mapping: unexpected wire type"), std::string::npos)
      << p.status().message();
}

TEST(PprofTest, StringErrorsNameTheField) {
  internal::ProtoWriter function;
  function.Uint(1, 1);
  function.Uint(4, 9);  // filename: past the table
  Result<Profile> p = DecodePprof(ProfileWith(5, function.out()));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("function.filename refers to string 9 of 2"),
            std::string::npos)
      << p.status().message();
  internal::ProtoWriter mapping;
  mapping.Uint(6, 5);  // build_id
  p = DecodePprof(ProfileWith(3, mapping.out()));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("mapping.build_id refers to string 5 of 2"),
            std::string::npos)
      << p.status().message();
}

TEST(PprofTest, EmptyProfileRoundTrips) {
  Result<Profile> p = DecodePprof(EncodePprof(Profile{}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, Profile{});
}

// A small gzip file that inflates to many empty samples: decoding
// stops at the memory limit with an error naming it, not at the machine's.
TEST(PprofTest, ABombStopsAtTheDecodedLimit) {
  std::string message;
  message.reserve(1'000'002);
  message += std::string("\x32\x00", 2);                                    // the string table's ""
  for (int i = 0; i < 500'000; ++i) message += std::string("\x12\x00", 2);  // empty samples
  const std::string gz = internal::GzipCompress(message);
  EXPECT_LT(gz.size(), 64u << 10);
  auto p = DecodePprof(gz, {.max_decoded_bytes = 8 << 20});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(p.status().message().find("more than 8 MiB (PprofLimits::max_decoded_bytes)"),
            std::string::npos)
      << p.status().message();
  auto inflated = DecodePprof(gz, {.max_inflated_bytes = 512 << 10});
  ASSERT_FALSE(inflated.ok());
  EXPECT_NE(inflated.status().message().find("pprof"), std::string::npos);
  // Within the limits the same message decodes.
  auto ok = DecodePprof(gz);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->samples.size(), 500'000u);
}

// Only regular, non-empty files are read: a FIFO would block the reader
// and a device would never end.
TEST(PprofTest, ReadsOnlyRegularNonEmptyFiles) {
  testing::TempDir dir;
  const std::string fifo = dir.path() + "/fifo", empty = dir.path() + "/empty.pb.gz";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::ofstream(empty).close();
  auto expect_error = [](const std::string& path, const std::string& says) {
    auto p = ReadPprofFile(path);
    ASSERT_FALSE(p.ok()) << path;
    EXPECT_NE(p.status().message().find(says), std::string::npos) << p.status().message();
  };
  expect_error(fifo, "is not a regular file");
  expect_error("/dev/zero", "is not a regular file");
  expect_error(dir.path(), "is a directory");
  expect_error(empty, "is empty");
  expect_error(dir.path() + "/missing.pb.gz", "cannot open");
  const std::string big = dir.path() + "/big.pb";
  std::ofstream(big) << std::string(2 << 20, 'x');
  auto too_big = ReadPprofFile(big, {.max_file_bytes = 1 << 20});
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("above PprofLimits::max_file_bytes (1 MiB)"),
            std::string::npos)
      << too_big.status().message();
}

}  // namespace
}  // namespace tai
