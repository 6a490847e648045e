#include "profile/profile_builder.h"

#include <gtest/gtest.h>

#include <string>

#include "tai/pprof.h"

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

TEST(ProfileBuilderTest, FunctionKeyIsNameSystemNameFileAndMapping) {
  ProfileBuilder b;
  EXPECT_EQ(b.Function("f()", "_Z1fv", "f.cc", 1), 1u);
  EXPECT_EQ(b.Function("f()", "_Z1fv", "f.cc", 1), 1u);
  EXPECT_EQ(b.Function("g()", "_Z1fv", "f.cc", 1), 2u);
  EXPECT_EQ(b.Function("f()", "_Z1gv", "f.cc", 1), 3u);
  EXPECT_EQ(b.Function("f()", "_Z1fv", "g.cc", 1), 4u);
  EXPECT_EQ(b.Function("f()", "_Z1fv", "f.cc", 2), 5u);
  EXPECT_EQ(b.Function("f()", "_Z1fv", "g.cc", 1), 4u);
  // A part ending where the next begins is not the same key.
  EXPECT_EQ(b.Function("ab", "c", "", 0), 6u);
  EXPECT_EQ(b.Function("a", "bc", "", 0), 7u);
  ASSERT_EQ(b.profile().functions.size(), 7u);
  for (size_t i = 0; i < b.profile().functions.size(); ++i) {
    EXPECT_EQ(b.profile().functions[i].id, i + 1);
  }
  EXPECT_EQ(b.profile().functions[0],
            (ProfileFunction{.id = 1, .name = "f()", .system_name = "_Z1fv", .filename = "f.cc"}));
}

TEST(ProfileBuilderTest, LocationsAreInternedByContent) {
  ProfileBuilder b;
  uint64_t f = b.Function("f", "f", "", 0);
  uint64_t g = b.Function("g", "g", "", 0);
  EXPECT_EQ(b.Location(0, 0, {{.function_id = f}}), 1u);
  EXPECT_EQ(b.Location(0, 0, {{.function_id = g}}), 2u);
  EXPECT_EQ(b.Location(0, 0, {{.function_id = f}}), 1u);
  EXPECT_EQ(b.Location(0, 0, {{.function_id = f, .line = 3}}), 3u);
  EXPECT_EQ(b.Location(0, 0x10, {{.function_id = f}}), 4u);
  // Inlined frames: the same functions in another order are another place.
  EXPECT_EQ(b.Location(0, 0, {{.function_id = f}, {.function_id = g}}), 5u);
  EXPECT_EQ(b.Location(0, 0, {{.function_id = g}, {.function_id = f}}), 6u);
  EXPECT_EQ(b.Location(0, 0, {}), 7u);
  EXPECT_EQ(b.Location(0, 0, {}), 7u);
  ASSERT_EQ(b.profile().locations.size(), 7u);
  EXPECT_EQ(b.profile().locations[3],
            (ProfileLocation{.id = 4, .address = 0x10, .lines = {{.function_id = f}}}));
}

TEST(ProfileBuilderTest, MappingFlagsFollowWhatWasResolved) {
  ProfileBuilder b;
  uint64_t app = b.Mapping(AppModule());
  uint64_t lib = b.Mapping(LibcModule());
  uint64_t named = b.Function("f", "f", "", app);
  b.Location(app, 0x401000, {{.function_id = named}});
  b.Location(lib, 0x7f0000000100, {});
  EXPECT_FALSE(b.profile().mappings[0].has_filenames);
  EXPECT_FALSE(b.profile().mappings[0].has_line_numbers);

  uint64_t with_file = b.Function("g", "g", "g.cc", app);
  b.Location(app, 0x402000, {{.function_id = with_file}});
  EXPECT_TRUE(b.profile().mappings[0].has_filenames);
  EXPECT_FALSE(b.profile().mappings[0].has_line_numbers);
  b.Location(app, 0x403000, {{.function_id = with_file, .line = 12}});
  EXPECT_TRUE(b.profile().mappings[0].has_line_numbers);

  // Each mapping keeps its own flags.
  EXPECT_TRUE(b.profile().mappings[1].has_functions);
  EXPECT_FALSE(b.profile().mappings[1].has_filenames);
  EXPECT_FALSE(b.profile().mappings[1].has_line_numbers);
}

__attribute__((noinline)) int ProfileBuilderTestTarget(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}

TEST(ProfileBuilderTest, LocationAtSymbolizesOnceAndMapsTheAddress) {
  Symbolizer symbolizer;
  ProfileBuilder b;
  auto pc = reinterpret_cast<uint64_t>(&ProfileBuilderTestTarget) + 1;
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
  EXPECT_TRUE(p.mappings[0].has_functions);
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

TEST(ProfileBuilderTest, BuiltProfileRoundTripsThroughPprof) {
  ProfileBuilder b;
  Profile& p = b.profile();
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  uint64_t app = b.Mapping(AppModule());
  uint64_t run = b.Location(
      app, 0x401234, {{.function_id = b.Function("Run", "_Z3Runv", "run.cc", app), .line = 50}});
  uint64_t main = b.Location(
      app, 0x400100, {{.function_id = b.Function("main", "main", "main.cc", app), .line = 3}});
  uint64_t unknown = b.Location(0, 0x7fff0000, {});
  p.samples.push_back({.location_ids = {run, main}, .values = {3, 30'000'000}});
  p.samples.push_back({.location_ids = {unknown, main}, .values = {1, 10'000'000}});
  Profile built = b.Take();
  EXPECT_TRUE(b.profile().functions.empty());  // Take leaves the builder empty
  EXPECT_EQ(b.Function("x", "x", "", 0), 1u);

  Result<Profile> back = DecodePprof(EncodePprof(built));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, built);
  EXPECT_TRUE(back->mappings[0].has_filenames);
  EXPECT_TRUE(back->mappings[0].has_line_numbers);
}

}  // namespace
}  // namespace tai::internal
