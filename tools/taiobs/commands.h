// The commands of taiobs: each is a function taking the arguments after the
// command name (argv[0] is the command name itself) and returning the exit
// code: 0 success, 1 failure, 2 bad usage.
#pragma once

namespace tai {
class Profile;
}

namespace taiobs {

inline constexpr const char* kVersion = TAI_VERSION;

struct Command {
  const char* name;
  const char* usage;
  const char* summary;
  int (*run)(int argc, char** argv);
};

// profile_commands.cc
// Reads a pprof file; on failure prints why (naming the file) and returns false.
bool LoadProfile(const char* path, tai::Profile* out);
int ProfileTop(int argc, char** argv);
int ProfileCollapse(int argc, char** argv);
int ProfileFlameGraph(int argc, char** argv);
int ProfileRun(int argc, char** argv);

// diff_command.cc
int ProfileDiff(int argc, char** argv);

// rules_command.cc
int RulesCommand(int argc, char** argv);

// dashboard_command.cc
int DashboardCommand(int argc, char** argv);

// demo_command.cc
int DemoCommand(int argc, char** argv);

// serve_command.cc
int ServeCommand(int argc, char** argv);

// query_command.cc
int QueryCommand(int argc, char** argv);

}  // namespace taiobs
