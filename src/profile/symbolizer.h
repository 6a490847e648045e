// Internal: turns instruction addresses of this process into functions and
// modules, off the signal path. Reads /proc/self/maps for the loaded
// objects, each object's ELF file (symbol table, falling back to the dynamic
// symbol table, and its GNU build id), demangles C++ names with
// abi::__cxa_demangle, and asks dladdr when an object's file cannot be read.
// File and line come from DWARF line tables through elfutils' libdwfl, for
// objects built with debug info (-g).
//
// Caches per address and per object. Not thread-safe: one owner at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tai::internal {

class ElfImage;
class LineTable;

struct Module {
  std::string path;  // as in /proc/self/maps ("[vdso]" for the vDSO)
  uint64_t start = 0;
  uint64_t limit = 0;
  uint64_t file_offset = 0;
  std::string build_id;        // hex
  uint64_t bias = 0;           // runtime address = symbol value + bias
  bool has_line_info = false;  // the file has DWARF line tables
  std::shared_ptr<ElfImage> elf;
};

struct Symbolized {
  int module = -1;          // index into modules(), -1 when in no known object
  std::string name;         // demangled; "" when unknown
  std::string system_name;  // as in the symbol table
  uint64_t start = 0;       // runtime address of the function's first byte, 0 if unknown
  std::string file;         // source file from DWARF line info, "" without debug info
  int line = 0;             // 0 when unknown
};

class Symbolizer {
 public:
  Symbolizer();
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Re-reads /proc/self/maps (objects loaded since are found; known ones keep
  // their parsed symbols).
  void Refresh();
  // The function containing `address` (an instruction address, not a return
  // address: callers subtract 1 from return addresses).
  const Symbolized& Resolve(uint64_t address);
  const std::vector<Module>& modules() const { return modules_; }
  // Drops the per-address results and the module list (objects may have
  // been unloaded since) but keeps every parsed ELF file and line table.
  void ForgetAddresses();

  // Parses /proc/self/maps-format text into the executable file mappings.
  static std::vector<Module> ParseMaps(const std::string& text);

 private:
  int FindModule(uint64_t address);
  std::vector<Module> modules_;
  std::unordered_map<std::string, std::shared_ptr<ElfImage>> images_;
  std::unordered_map<uint64_t, Symbolized> cache_;
  std::unique_ptr<LineTable> lines_;
  bool refreshed_ = false;
};

// Whether a stack whose leaf is `pc` lacks the leaf's caller, which is then
// `sp_word` (see WalkStackFromContext): the leaf has no frame at `pc` and
// `sp_word` is a return address into known code.
bool LeafCallerMissing(Symbolizer& symbolizer, uint64_t pc, uint64_t sp_word);
// Its two halves: the function at `pc` has no frame there; `word` is a
// return address into known code.
bool LeafHasNoFrame(Symbolizer& symbolizer, uint64_t pc);
bool IsReturnAddress(Symbolizer& symbolizer, uint64_t word);

// "_ZN2db5Query3RunEi" -> "db::Query::Run(int)"; other names unchanged.
std::string Demangle(const std::string& name);

}  // namespace tai::internal
