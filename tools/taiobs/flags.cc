#include "tools/taiobs/flags.h"

#include <algorithm>
#include <cstdio>

#include "tai/core/parse.h"

namespace taiobs {

tai::Result<Flags> Flags::Parse(int argc, char** argv, int first,
                                std::initializer_list<FlagSpec> specs) {
  Flags flags;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!arg.starts_with("-") || arg == "-") {
      flags.positional_.emplace_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const auto spec =
        std::find_if(specs.begin(), specs.end(), [&](const FlagSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      return tai::InvalidArgumentError("unknown flag '" + std::string(name) + "'");
    }
    std::string value;
    if (eq != std::string_view::npos) {
      if (!spec->takes_value) {
        return tai::InvalidArgumentError("flag '" + std::string(name) + "' takes no value");
      }
      value = arg.substr(eq + 1);
    } else if (spec->takes_value) {
      if (i + 1 >= argc) {
        return tai::InvalidArgumentError("flag '" + std::string(name) + "' needs a value");
      }
      value = argv[++i];
    }
    flags.values_.emplace_back(name, std::move(value));
  }
  return flags;
}

std::optional<std::string> Flags::Get(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [key, value] : values_) {
    if (key == name) out = value;
  }
  return out;
}

std::vector<std::string> Flags::All(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : values_) {
    if (key == name) out.push_back(value);
  }
  return out;
}

tai::Result<OutputFormat> FormatFlag(const Flags& flags) {
  const std::string format = flags.Get("--format").value_or("table");
  if (format == "table") return OutputFormat::kTable;
  if (format == "json") return OutputFormat::kJson;
  return tai::InvalidArgumentError("--format '" + format + "': use table or json");
}

tai::Result<int64_t> TimeFlag(const Flags& flags, std::string_view name, int64_t now,
                              int64_t fallback) {
  const std::optional<std::string> text = flags.Get(name);
  if (!text) return fallback;
  auto time = tai::ParseTime(*text, now);
  if (time.ok()) return *time;
  // "1h": that long ago, the way people say it on a command line.
  if (auto ago = tai::ParseDurationNanos(*text);
      ago.ok() && !text->empty() && (text->back() < '0' || text->back() > '9')) {
    return now - *ago;
  }
  return tai::InvalidArgumentError(std::string(name) + " " + time.status().message() +
                                   ", or a duration ago (1h)");
}

tai::Result<std::pair<int64_t, int64_t>> TimeRangeFlags(const Flags& flags, int64_t now,
                                                        std::string_view default_since) {
  TAI_ASSIGN_OR_RETURN(int64_t ago, tai::ParseDurationNanos(default_since));
  TAI_ASSIGN_OR_RETURN(int64_t since, TimeFlag(flags, "--since", now, now - ago));
  TAI_ASSIGN_OR_RETURN(int64_t until, TimeFlag(flags, "--until", now, now));
  if (until <= since) return tai::InvalidArgumentError("--until must be after --since");
  return std::make_pair(since, until);
}

tai::Result<std::unique_ptr<tai::Store>> OpenStoreFlag(const Flags& flags) {
  const std::optional<std::string> path = flags.Get("--store");
  if (!path || path->empty()) {
    return tai::InvalidArgumentError("--store PATH is required (the service's store file)");
  }
  return tai::Store::Open({.path = *path, .read_only = true});
}

int ReportError(std::string_view command, const tai::Status& status) {
  const bool usage = status.code() == tai::StatusCode::kInvalidArgument;
  std::fprintf(stderr, "taiobs %.*s: %s%s\n", static_cast<int>(command.size()), command.data(),
               status.message().c_str(),
               usage ? ("; see 'taiobs " + std::string(command) + " --help'").c_str() : "");
  return usage ? 2 : 1;
}

void SayUnexpected(std::string_view command, std::string_view arg) {
  std::fprintf(stderr, "taiobs %.*s: %s '%.*s'\n", static_cast<int>(command.size()), command.data(),
               arg.starts_with("-") ? "unknown flag" : "unexpected argument",
               static_cast<int>(arg.size()), arg.data());
}

}  // namespace taiobs
