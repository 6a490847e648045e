#include "profile/profile_builder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tai/profile/pprof.h"

namespace tai::internal {
namespace {

Module AppModule() {
  Module m;
  m.path = "/usr/bin/app";
  m.start = 0x400000;
  m.limit = 0x500000;
  m.build_id = "abcdef0123";
  return m;
}

Module LibcModule() {
  Module m;
  m.path = "/lib/libc.so.6";
  m.start = 0x7f0000000000;
  m.limit = 0x7f0000100000;
  m.file_offset = 0x1000;
  return m;
}

TEST(ProfileBuilderTest, MappingsAreInternedWithIdsFromOne) {
  ProfileBuilder b;
  EXPECT_EQ(b.Mapping(AppModule()), 1u);
  EXPECT_EQ(b.Mapping(LibcModule()), 2u);
  EXPECT_EQ(b.Mapping(AppModule()), 1u);
  Module moved = AppModule();
  moved.file_offset = 0x2000;  // another segment of the same file
  EXPECT_EQ(b.Mapping(moved), 3u);
  ASSERT_EQ(b.profile().mappings.size(), 3u);
  const ProfileMapping& app = b.profile().mappings[0];
  EXPECT_EQ(app.id, 1u);
  EXPECT_EQ(app.memory_start, 0x400000u);
  EXPECT_EQ(app.memory_limit, 0x500000u);
  EXPECT_EQ(app.filename, "/usr/bin/app");
  EXPECT_EQ(app.build_id, "abcdef0123");
  EXPECT_EQ(b.profile().mappings[1].file_offset, 0x1000u);
  // Symbolized already: pprof must not look its names up again.
  EXPECT_TRUE(app.has_functions);
  EXPECT_FALSE(app.has_filenames);
  EXPECT_FALSE(app.has_line_numbers);
}

TEST(ProfileBuilderTest, FunctionKeyIsNameSystemNameAndMapping) {
  ProfileBuilder b;
  EXPECT_EQ(b.Function("f()", "_Z1fv", "f.cc", 1), 1u);
  EXPECT_EQ(b.Function("f()", "_Z1fv", "f.cc", 1), 1u);
  EXPECT_EQ(b.Function("g()", "_Z1fv", "f.cc", 1), 2u);
  EXPECT_EQ(b.Function("f()", "_Z1gv", "f.cc", 1), 3u);
  // Another file is the same function: inlined header code names its own.
  EXPECT_EQ(b.Function("f()", "_Z1fv", "stl_vector.h", 1), 1u);
  EXPECT_EQ(b.Function("f()", "_Z1fv", "f.cc", 2), 4u);
  // A part ending where the next begins is not the same key.
  EXPECT_EQ(b.Function("ab", "c", "", 0), 5u);
  EXPECT_EQ(b.Function("a", "bc", "", 0), 6u);
  ASSERT_EQ(b.profile().functions.size(), 6u);
  for (size_t i = 0; i < b.profile().functions.size(); ++i) {
    EXPECT_EQ(b.profile().functions[i].id, i + 1);
  }
  EXPECT_EQ(b.profile().functions[0],
            (ProfileFunction{.id = 1, .name = "f()", .system_name = "_Z1fv", .filename = "f.cc"}));
}

TEST(ProfileBuilderTest, NamedLocationsAreOnePerName) {
  ProfileBuilder b;
  EXPECT_EQ(b.LocationNamed("main"), 1u);
  EXPECT_EQ(b.LocationNamed("worker"), 2u);
  EXPECT_EQ(b.LocationNamed("main"), 1u);
  EXPECT_EQ(b.LocationNamed(std::string("wor") + "ker"), 2u);
  const Profile& p = b.profile();
  ASSERT_EQ(p.locations.size(), 2u);
  ASSERT_EQ(p.functions.size(), 2u);
  EXPECT_EQ(p.functions[1], (ProfileFunction{.id = 2, .name = "worker", .system_name = "worker"}));
  EXPECT_EQ(p.locations[1], (ProfileLocation{.id = 2, .lines = {{.function_id = 2}}}));
  // The same function asked for directly is the named location's.
  EXPECT_EQ(b.Function("worker", "worker", "", 0), 2u);
  EXPECT_TRUE(p.mappings.empty());
}

__attribute__((noinline)) int ProfileBuilderTestTarget(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}

uint64_t TargetAddress() { return reinterpret_cast<uint64_t>(&ProfileBuilderTestTarget) + 1; }

TEST(ProfileBuilderTest, LocationAtSymbolizesOnceAndMapsTheAddress) {
  Symbolizer symbolizer;
  ProfileBuilder b;
  uint64_t pc = TargetAddress();
  uint64_t id = b.LocationAt(pc, symbolizer);
  EXPECT_EQ(id, 1u);
  EXPECT_EQ(b.LocationAt(pc, symbolizer), id);
  EXPECT_EQ(b.LocationAt(pc + 1, symbolizer), 2u);
  const Profile& p = b.profile();
  ASSERT_EQ(p.locations.size(), 2u);
  ASSERT_EQ(p.functions.size(), 1u);  // both addresses are in the same function
  EXPECT_NE(p.functions[0].name.find("ProfileBuilderTestTarget"), std::string::npos);
  ASSERT_EQ(p.mappings.size(), 1u);
  EXPECT_FALSE(p.mappings[0].filename.empty());
  EXPECT_GE(pc, p.mappings[0].memory_start);
  EXPECT_LT(pc, p.mappings[0].memory_limit);
  const ProfileLocation& loc = p.locations[0];
  EXPECT_EQ(loc.address, pc);
  EXPECT_EQ(loc.mapping_id, 1u);
  ASSERT_EQ(loc.lines.size(), 1u);
  EXPECT_EQ(loc.lines[0].function_id, 1u);
  // Where no object is loaded: a location with neither mapping nor function.
  uint64_t nowhere = b.LocationAt(0x10, symbolizer);
  EXPECT_EQ(p.locations[nowhere - 1].mapping_id, 0u);
  EXPECT_TRUE(p.locations[nowhere - 1].lines.empty());
}

// This file is built with -g (see src/CMakeLists.txt): its code has file
// and line information, the C library's usually none.
TEST(ProfileBuilderTest, MappingFlagsFollowWhatWasResolved) {
  Symbolizer symbolizer;
  ProfileBuilder b;
  uint64_t here = b.LocationAt(TargetAddress(), symbolizer);
  const Profile& p = b.profile();
  // Copies: the lists grow below.
  const ProfileMapping test_binary = p.mappings[p.locations[here - 1].mapping_id - 1];
  EXPECT_TRUE(test_binary.has_functions);
  EXPECT_TRUE(test_binary.has_filenames);
  EXPECT_TRUE(test_binary.has_line_numbers);
  EXPECT_NE(p.functions[0].filename.find("profile_builder_test.cc"), std::string::npos);
  EXPECT_GT(p.locations[here - 1].lines[0].line, 0);

  auto libc_pc = reinterpret_cast<uint64_t>(&::getpid) + 1;
  const Symbolized& libc_sym = symbolizer.Resolve(libc_pc);
  uint64_t there = b.LocationAt(libc_pc, symbolizer);
  const ProfileMapping libc = p.mappings[p.locations[there - 1].mapping_id - 1];
  EXPECT_NE(libc.id, test_binary.id);
  EXPECT_TRUE(libc.has_functions);
  EXPECT_EQ(libc.has_filenames, !libc_sym.file.empty());
  EXPECT_EQ(libc.has_line_numbers, libc_sym.line != 0);
}

TEST(ProfileBuilderTest, BuiltProfileRoundTripsThroughPprof) {
  Symbolizer symbolizer;
  ProfileBuilder b;
  Profile& p = b.profile();
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  uint64_t target = b.LocationAt(TargetAddress(), symbolizer);
  uint64_t nowhere = b.LocationAt(0x10, symbolizer);
  uint64_t main = b.LocationNamed("main");
  p.samples.push_back({.location_ids = {target, main}, .values = {3, 30'000'000}});
  p.samples.push_back({.location_ids = {nowhere, main}, .values = {1, 10'000'000}});
  Profile built = b.Take();
  EXPECT_TRUE(b.profile().functions.empty());  // Take leaves the builder empty
  EXPECT_EQ(b.LocationNamed("main"), 1u);

  Result<Profile> back = DecodePprof(EncodePprof(built));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, built);
  EXPECT_EQ(back->locations.size(), 3u);
  EXPECT_EQ(back->functions.size(), 2u);
}

}  // namespace
}  // namespace tai::internal
