// The flags of the commands that read a store (serve, query): "--name VALUE",
// "--name=VALUE" and switches ("--errors"), checked against the flags the
// command takes so that a misspelt one is an error naming it, never ignored;
// and the flags they share: --store, --format table|json, --since, --until.
//
// Value types over their arguments: not synchronised.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/status.h"
#include "tai/store/store.h"

namespace taiobs {

struct FlagSpec {
  std::string_view name;  // "--store"
  bool takes_value = true;
};

class Flags {
 public:
  // Reads argv[first, argc). INVALID_ARGUMENT naming the flag that the
  // command does not take or that lacks its value.
  static tai::Result<Flags> Parse(int argc, char** argv, int first,
                                  std::initializer_list<FlagSpec> specs);

  // The last value given, or nullopt.
  std::optional<std::string> Get(std::string_view name) const;
  std::vector<std::string> All(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positional_;
};

enum class OutputFormat { kTable, kJson };

// --format: "table" (the default) or "json".
tai::Result<OutputFormat> FormatFlag(const Flags& flags);

// A time flag (--since, --until): a time as the dashboard takes it
// (ParseTime: RFC 3339, Unix seconds, now, now-1h) or a duration meaning
// that long before `now` ("1h", "7d"); `fallback` when absent.
tai::Result<int64_t> TimeFlag(const Flags& flags, std::string_view name, int64_t now,
                              int64_t fallback);

// [--since (default `default_since` ago), --until (default now)), with
// until after since.
tai::Result<std::pair<int64_t, int64_t>> TimeRangeFlags(const Flags& flags, int64_t now,
                                                        std::string_view default_since);

// The store --store names, opened read-only (so a running service may keep
// writing it); INVALID_ARGUMENT when the flag is missing.
tai::Result<std::unique_ptr<tai::Store>> OpenStoreFlag(const Flags& flags);

// Prints "taiobs COMMAND: MESSAGE" and, for a usage error, how to get help;
// returns the exit code: 2 for INVALID_ARGUMENT (bad usage), else 1.
int ReportError(std::string_view command, const tai::Status& status);

// For the commands that parse their own arguments: prints "taiobs COMMAND:
// unknown flag '--x'" (or "unexpected argument 'x'") before their usage.
void SayUnexpected(std::string_view command, std::string_view arg);

}  // namespace taiobs
