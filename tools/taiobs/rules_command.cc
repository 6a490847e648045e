// `taiobs rules check FILE`: validates a rule file (YAML, or JSON by its
// extension) as the alert engine would load it, for CI and before a
// deploy. Prints "ok: N rules, M slos" (exit 0) or every error, one a line
// (exit 1).
#include <cstdio>
#include <string_view>

#include "tai/alert/rule_file.h"
#include "tools/taiobs/commands.h"

namespace taiobs {

int RulesCommand(int argc, char** argv) {
  if (argc != 3 || std::string_view(argv[1]) != "check") {
    std::fprintf(stderr, "usage: taiobs rules check FILE\n");
    return 2;
  }
  auto file = tai::LoadRuleFile(argv[2]);
  if (!file.ok()) {
    std::fprintf(stderr, "%s\n", file.status().message().c_str());
    return 1;
  }
  const size_t n = file->rules.size();
  const size_t m = file->slos.size();
  std::printf("ok: %zu rule%s, %zu slo%s\n", n, n == 1 ? "" : "s", m, m == 1 ? "" : "s");
  return 0;
}

}  // namespace taiobs
