// taiobs top | collapse | flamegraph: reading pprof files (ours or any
// other profiler's).
#include <elf.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tai/analysis/flame_graph.h"
#include "tai/profile/pprof.h"
#include "tools/taiobs/commands.h"
#include "tools/taiobs/flags.h"

namespace taiobs {

bool LoadProfile(const char* path, tai::Profile* out) {
  tai::Result<tai::Profile> p = tai::ReadPprofFile(path);
  if (!p.ok()) {
    std::fprintf(stderr, "taiobs: %s\n", p.status().ToString().c_str());
    return false;
  }
  *out = std::move(p).value();
  return true;
}

int ProfileTop(int argc, char** argv) {
  const char* path = nullptr;
  size_t n = 20;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-n" && i + 1 < argc) {
      n = static_cast<size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (!a.empty() && a[0] != '-' && path == nullptr) {
      path = argv[i];
    } else {
      SayUnexpected("top", a);
      path = nullptr;
      break;
    }
  }
  if (path == nullptr) {
    std::fprintf(stderr, "usage: taiobs top [-n N] FILE.pb.gz\n");
    return 2;
  }
  tai::Profile p;
  if (!LoadProfile(path, &p)) return 1;
  int vi = p.DefaultValueIndex();
  if (vi < 0) {
    std::printf("no samples\n");
    return 0;
  }
  const std::string& unit = p.sample_types[vi].unit;
  std::string shown = unit == "nanoseconds" ? "us" : unit;
  double total = static_cast<double>(p.ToReportUnit(p.TotalValue()));
  auto self = p.HotPaths(n);
  std::unordered_map<std::string, int64_t> cum;
  for (tai::HotPath& h : p.HotPathsCumulative(static_cast<size_t>(-1))) {
    cum.emplace(std::move(h.function), h.cpu_micros);
  }
  std::printf("%s, total %.0f %s\n", p.sample_types[vi].type.c_str(), total, shown.c_str());
  std::printf("%14s %7s %14s %7s  function\n", ("self " + shown).c_str(), "self%",
              ("cum " + shown).c_str(), "cum%");
  for (const tai::HotPath& h : self) {
    auto it = cum.find(h.function);
    const int64_t c = it == cum.end() ? 0 : it->second;
    std::printf("%14lld %6.2f%% %14lld %6.2f%%  %s\n", static_cast<long long>(h.cpu_micros),
                total > 0 ? 100.0 * static_cast<double>(h.cpu_micros) / total : 0.0,
                static_cast<long long>(c), total > 0 ? 100.0 * static_cast<double>(c) / total : 0.0,
                h.function.c_str());
  }
  return 0;
}

int ProfileCollapse(int argc, char** argv) {
  if (argc != 2 || argv[1][0] == '-') {
    if (argc >= 2) SayUnexpected("collapse", argv[argc == 2 ? 1 : 2]);
    std::fprintf(stderr, "usage: taiobs collapse FILE.pb.gz\n");
    return 2;
  }
  tai::Profile p;
  if (!LoadProfile(argv[1], &p)) return 1;
  std::string out = tai::CollapsedStacks(p);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int ProfileFlameGraph(int argc, char** argv) {
  const char* in = nullptr;
  const char* out = nullptr;
  tai::FlameGraphOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-o" && i + 1 < argc) {
      out = argv[++i];
    } else if (a == "--title" && i + 1 < argc) {
      options.title = argv[++i];
    } else if (!a.empty() && a[0] != '-' && in == nullptr) {
      in = argv[i];
    } else {
      SayUnexpected("flamegraph", a);
      in = nullptr;
      break;
    }
  }
  if (in == nullptr || out == nullptr) {
    std::fprintf(stderr, "usage: taiobs flamegraph FILE.pb.gz -o OUT.svg [--title TEXT]\n");
    return 2;
  }
  tai::Profile p;
  if (!LoadProfile(in, &p)) return 1;
  std::string svg = tai::FlameGraphSvg(p, options);
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << svg;
  f.close();
  if (!f) {
    std::fprintf(stderr, "taiobs: cannot write %s\n", out);
    return 1;
  }
  return 0;
}

// The file posix_spawnp runs for `command` (searched in PATH), or "".
std::string ResolveCommand(const std::string& command) {
  if (command.find('/') != std::string::npos) return command;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    size_t colon = dirs.find(':');
    std::string candidate = std::string(dirs.substr(0, colon)) + "/" + command;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return "";
}

// Why a program that exited wrote no profile, as far as its file tells.
std::string WhyNoProfile(const std::string& command) {
  const std::string path = ResolveCommand(command);
  std::ifstream in(path, std::ios::binary);
  char head[2] = {};
  Elf64_Ehdr elf{};
  if (in.read(head, 2) && head[0] == '#' && head[1] == '!') {
    return "it is a script: the profiler ran in its interpreter, and the programs the script "
           "started (exec'd or forked) are not profiled";
  }
  in.seekg(0);
  if (in.read(reinterpret_cast<char*>(&elf), sizeof(elf)) &&
      std::memcmp(elf.e_ident, ELFMAG, SELFMAG) == 0 && elf.e_ident[EI_CLASS] == ELFCLASS64) {
    bool dynamic = false;
    for (int k = 0; k < elf.e_phnum && k < 256; ++k) {
      Elf64_Phdr ph{};
      in.seekg(static_cast<std::streamoff>(elf.e_phoff + k * sizeof(ph)));
      if (!in.read(reinterpret_cast<char*>(&ph), sizeof(ph))) break;
      dynamic = dynamic || ph.p_type == PT_INTERP;
    }
    if (!dynamic) {
      return "it is statically linked, so the profiler library cannot be preloaded into it";
    }
  }
  return "it may have replaced itself (exec) or left through _exit, which skip the profiler's "
         "exit hook; forked children are not profiled";
}

// The profiler library: TAI_PROFILE_PRELOAD, else the installed one when
// this taiobs is installed (bin/../lib/...), else the build tree's.
std::string PreloadShimPath() {
  if (const char* env = std::getenv("TAI_PROFILE_PRELOAD")) return env;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0 || std::string_view(TAI_PROFILE_PRELOAD_INSTALLED).empty()) {
    return TAI_PROFILE_PRELOAD_PATH;
  }
  std::string dir(exe, static_cast<size_t>(n));
  dir.resize(dir.rfind('/') + 1);
  std::string installed = dir + TAI_PROFILE_PRELOAD_INSTALLED;
  return access(installed.c_str(), R_OK) == 0 ? installed : TAI_PROFILE_PRELOAD_PATH;
}

// Runs CMD with the profiler preloaded (see src/profile/preload.cc) and
// prints the hot functions when it ends. Exits with CMD's exit code.
int ProfileRun(int argc, char** argv) {
  int hz = 100;
  bool heap = false;
  std::string out = "profile.pb.gz";
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--hz" && i + 1 < argc) {
      hz = std::atoi(argv[++i]);
    } else if (a == "--heap") {
      heap = true;
    } else if (a == "-o" && i + 1 < argc) {
      out = argv[++i];
    } else {
      SayUnexpected("profile", a);
      i = argc;
    }
  }
  if (i >= argc || hz < 1 || hz > 10000) {
    std::fprintf(stderr,
                 "usage: taiobs profile [--hz N] [--heap] [-o FILE.pb.gz] -- CMD ARGS...\n");
    return 2;
  }
  const std::string shim_path = PreloadShimPath();
  const char* shim = shim_path.c_str();
  if (access(shim, R_OK) != 0) {
    std::fprintf(stderr, "taiobs: profiler library %s not found (set TAI_PROFILE_PRELOAD)\n", shim);
    return 1;
  }
  std::string heap_out;
  if (heap) {
    heap_out = out;
    size_t dot = heap_out.find(".pb.gz");
    heap_out.insert(dot == std::string::npos ? heap_out.size() : dot, ".heap");
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view v = *e;
    if (v.rfind("LD_PRELOAD=", 0) == 0 || v.rfind("TAI_PROFILE_", 0) == 0) continue;
    env.emplace_back(v);
  }
  const char* preload = std::getenv("LD_PRELOAD");
  env.push_back(std::string("LD_PRELOAD=") + shim + (preload ? std::string(":") + preload : ""));
  env.push_back("TAI_PROFILE_OUT=" + out);
  env.push_back("TAI_PROFILE_HZ=" + std::to_string(hz));
  if (heap) env.push_back("TAI_PROFILE_HEAP_OUT=" + heap_out);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::remove(out.c_str());
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[i], nullptr, nullptr, argv + i, envp.data());
  if (rc != 0) {
    std::fprintf(stderr, "taiobs: cannot run %s: %s\n", argv[i], std::strerror(rc));
    return 1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (access(out.c_str(), R_OK) != 0) {
    if (WIFSIGNALED(status)) {
      std::fprintf(stderr, "taiobs: %s was killed by signal %d (%s) and wrote no profile\n",
                   argv[i], WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
      std::fprintf(stderr, "taiobs: %s exited with code %d and wrote no profile: %s\n", argv[i],
                   code, WhyNoProfile(argv[i]).c_str());
    }
    return code != 0 ? code : 1;
  }
  std::fprintf(stderr, "taiobs: wrote %s%s%s\n", out.c_str(), heap ? " and " : "",
               heap ? heap_out.c_str() : "");
  char n[] = "10";
  char top[] = "top";
  char dash_n[] = "-n";
  char* top_argv[] = {top, dash_n, n, out.data(), nullptr};
  ProfileTop(4, top_argv);
  return code;
}

}  // namespace taiobs
