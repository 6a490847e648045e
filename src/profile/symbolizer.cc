#include "profile/symbolizer.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <unordered_set>

#include "core/text.h"
#include "profile/stack_walk.h"

namespace tai::internal {

namespace {

// GCC names the copies it makes of a function foo.constprop.0, foo.isra.0,
// foo.part.0, foo.cold (demangled: "foo(int) [clone .isra.0]"); a profile
// counts them as foo.
std::string StripCloneSuffixes(std::string name) {
  if (size_t clone = name.find(" [clone ."); clone != std::string::npos) name.resize(clone);
  static const char* const kSuffixes[] = {".constprop.", ".isra.", ".part.", ".cold", ".lto_priv."};
  size_t cut = std::string::npos;
  for (const char* s : kSuffixes) cut = std::min(cut, name.find(s));
  if (cut != std::string::npos && cut > 0) name.resize(cut);
  return name;
}

}  // namespace

std::string Demangle(const std::string& name) {
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return StripCloneSuffixes(name);
  int status = 0;
  char* out = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || out == nullptr) {
    std::free(out);
    return StripCloneSuffixes(name);
  }
  std::string result(out);
  std::free(out);
  return StripCloneSuffixes(std::move(result));
}

// An ELF object's function symbols, load segments and build id, read from a
// read-only mapping of its file (or from memory for the vDSO).
class ElfImage {
 public:
  struct Symbol {
    uint64_t value;
    uint64_t size;
    std::string_view name;
  };
  struct Segment {
    uint64_t vaddr, offset, filesz;
  };

  static std::shared_ptr<ElfImage> FromFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st;
    if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Elf64_Ehdr))) {
      ::close(fd);
      return nullptr;
    }
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) return nullptr;
    auto image = std::shared_ptr<ElfImage>(
        new ElfImage(static_cast<const char*>(p), static_cast<size_t>(st.st_size), true));
    if (!image->Parse()) return nullptr;
    return image;
  }

  static std::shared_ptr<ElfImage> FromMemory(const char* data, size_t size) {
    auto image = std::shared_ptr<ElfImage>(new ElfImage(data, size, false));
    if (!image->Parse()) return nullptr;
    return image;
  }

  ~ElfImage() {
    if (owned_) ::munmap(const_cast<char*>(data_), size_);
  }

  // The symbol containing file address `vaddr`, or nullptr.
  const Symbol* Find(uint64_t vaddr) const {
    auto it = std::upper_bound(symbols_.begin(), symbols_.end(), vaddr,
                               [](uint64_t a, const Symbol& s) { return a < s.value; });
    if (it == symbols_.begin()) return nullptr;
    --it;
    // Sized symbols must contain the address; zero-sized ones (hand-written
    // assembly) are taken up to the next symbol.
    if (it->size != 0 && vaddr >= it->value + it->size) return nullptr;
    return &*it;
  }

  // Runtime address = vaddr + bias for a mapping of this file at `start`
  // from `file_offset`.
  uint64_t BiasFor(uint64_t start, uint64_t file_offset) const {
    for (const Segment& s : segments_) {
      if (file_offset >= (s.offset & ~0xfffull) && file_offset < s.offset + s.filesz) {
        return start - (s.vaddr + file_offset - s.offset);
      }
    }
    return segments_.empty() ? start - file_offset
                             : start - (segments_[0].vaddr & ~0xfffull) - file_offset;
  }

  const std::string& build_id() const { return build_id_; }
  bool empty() const { return symbols_.empty(); }
  // Whether the file carries its own line tables (built with -g). Separate
  // debug files (/usr/lib/debug, Debian's -dbgsym packages) are not read:
  // loading those of libc and libstdc++ alone costs ~60 ms per process.
  bool has_line_info() const { return has_debug_line_; }

 private:
  ElfImage(const char* data, size_t size, bool owned) : data_(data), size_(size), owned_(owned) {}

  template <typename T>
  const T* At(uint64_t offset, uint64_t count = 1) const {
    if (offset > size_ || count > (size_ - offset) / sizeof(T)) return nullptr;
    return reinterpret_cast<const T*>(data_ + offset);
  }

  bool Parse() {
    const auto* eh = At<Elf64_Ehdr>(0);
    if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64) {
      return false;
    }
    if (const auto* ph = At<Elf64_Phdr>(eh->e_phoff, eh->e_phnum)) {
      for (int i = 0; i < eh->e_phnum; ++i) {
        if (ph[i].p_type == PT_LOAD) {
          segments_.push_back({ph[i].p_vaddr, ph[i].p_offset, ph[i].p_filesz});
        } else if (ph[i].p_type == PT_NOTE && build_id_.empty()) {
          ReadBuildId(ph[i].p_offset, ph[i].p_filesz);
        }
      }
    }
    const auto* sh = At<Elf64_Shdr>(eh->e_shoff, eh->e_shnum);
    if (sh && eh->e_shstrndx < eh->e_shnum) {
      const Elf64_Shdr& names = sh[eh->e_shstrndx];
      const char* strs = At<char>(names.sh_offset, names.sh_size);
      for (int i = 0; strs && i < eh->e_shnum; ++i) {
        if (sh[i].sh_name < names.sh_size &&
            std::strncmp(strs + sh[i].sh_name, ".debug_line", names.sh_size - sh[i].sh_name) == 0) {
          has_debug_line_ = true;
        }
      }
    }
    if (sh) {
      // The full symbol table when present, else the dynamic one.
      for (uint32_t want : {uint32_t{SHT_SYMTAB}, uint32_t{SHT_DYNSYM}}) {
        for (int i = 0; i < eh->e_shnum; ++i) {
          if (sh[i].sh_type != want || sh[i].sh_link >= eh->e_shnum) continue;
          ReadSymbols(sh[i], sh[sh[i].sh_link]);
        }
        if (!symbols_.empty()) break;
      }
    }
    std::sort(symbols_.begin(), symbols_.end(), [](const Symbol& a, const Symbol& b) {
      // Equal addresses: the sized, global one first so aliases resolve alike.
      return a.value != b.value ? a.value < b.value : a.size > b.size;
    });
    symbols_.erase(std::unique(symbols_.begin(), symbols_.end(),
                               [](const Symbol& a, const Symbol& b) { return a.value == b.value; }),
                   symbols_.end());
    return true;
  }

  void ReadSymbols(const Elf64_Shdr& symtab, const Elf64_Shdr& strtab) {
    if (symtab.sh_entsize != sizeof(Elf64_Sym)) return;
    const auto* syms = At<Elf64_Sym>(symtab.sh_offset, symtab.sh_size / sizeof(Elf64_Sym));
    const char* strs = At<char>(strtab.sh_offset, strtab.sh_size);
    if (!syms || !strs) return;
    size_t n = symtab.sh_size / sizeof(Elf64_Sym);
    for (size_t i = 0; i < n; ++i) {
      const Elf64_Sym& s = syms[i];
      int type = ELF64_ST_TYPE(s.st_info);
      if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
          s.st_value == 0 || s.st_name >= strtab.sh_size) {
        continue;
      }
      const char* name = strs + s.st_name;
      size_t len = strnlen(name, strtab.sh_size - s.st_name);
      symbols_.push_back({s.st_value, s.st_size, std::string_view(name, len)});
    }
  }

  void ReadBuildId(uint64_t offset, uint64_t size) {
    uint64_t end = offset + size;
    while (offset + sizeof(Elf64_Nhdr) <= end) {
      const auto* nh = At<Elf64_Nhdr>(offset);
      if (!nh) return;
      uint64_t name_off = offset + sizeof(Elf64_Nhdr);
      uint64_t desc_off = name_off + ((nh->n_namesz + 3) & ~3u);
      uint64_t next = desc_off + ((nh->n_descsz + 3) & ~3u);
      if (next > end) return;
      const char* name = At<char>(name_off, nh->n_namesz);
      const auto* desc = At<uint8_t>(desc_off, nh->n_descsz);
      if (name && desc && nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        AppendHex(build_id_, desc, nh->n_descsz);
        return;
      }
      offset = next;
    }
  }

  const char* data_;
  size_t size_;
  bool owned_;
  std::vector<Symbol> symbols_;
  std::vector<Segment> segments_;
  std::string build_id_;
  bool has_debug_line_ = false;
};

// DWARF line tables of the loaded objects, through libdwfl: each object is
// reported once at its load bias; line tables are read when first asked.
class LineTable {
 public:
  LineTable() : dwfl_(dwfl_begin(&kCallbacks)) {}
  ~LineTable() {
    if (dwfl_ != nullptr) dwfl_end(dwfl_);
  }
  LineTable(const LineTable&) = delete;
  LineTable& operator=(const LineTable&) = delete;

  void Report(const Module& m) {
    if (dwfl_ == nullptr || m.path.empty() || m.path[0] != '/' ||
        !reported_.insert(m.path).second) {
      return;
    }
    dwfl_report_begin_add(dwfl_);
    dwfl_report_elf(dwfl_, m.path.c_str(), m.path.c_str(), -1, m.bias, false);
    dwfl_report_end(dwfl_, nullptr, nullptr);
  }

  // Reports the object and reads its DWARF now.
  void Load(const Module& m) {
    Report(m);
    Dwfl_Module* mod = dwfl_ != nullptr ? dwfl_addrmodule(dwfl_, m.start) : nullptr;
    if (mod != nullptr) HasDwarf(mod);
  }

  void Lookup(uint64_t address, Symbolized* out) {
    if (dwfl_ == nullptr) return;
    Dwfl_Module* mod = dwfl_addrmodule(dwfl_, address);
    if (mod == nullptr) return;
    if (!HasDwarf(mod)) return;
    Dwfl_Line* line = dwfl_module_getsrc(mod, address);
    if (line == nullptr) return;
    int lineno = 0;
    const char* file = dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr);
    if (file == nullptr) return;
    out->file = file;
    out->line = lineno;
  }

 private:
  // Reads the module's DWARF the first time; objects without are asked once.
  bool HasDwarf(Dwfl_Module* mod) {
    auto [known, fresh] = has_dwarf_.try_emplace(mod, false);
    if (fresh) {
      Dwarf_Addr bias;
      known->second = dwfl_module_getdwarf(mod, &bias) != nullptr;
    }
    return known->second;
  }

  static char* debuginfo_path_;
  static const Dwfl_Callbacks kCallbacks;
  Dwfl* dwfl_;
  std::unordered_set<std::string> reported_;
  std::unordered_map<Dwfl_Module*, bool> has_dwarf_;
};

char* LineTable::debuginfo_path_ = nullptr;
const Dwfl_Callbacks LineTable::kCallbacks = {
    dwfl_build_id_find_elf,
    dwfl_standard_find_debuginfo,
    dwfl_offline_section_address,
    &LineTable::debuginfo_path_,
};

Symbolizer::Symbolizer() = default;
Symbolizer::~Symbolizer() = default;

std::vector<Module> Symbolizer::ParseMaps(const std::string& text) {
  std::vector<Module> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    // start-limit perms offset dev inode [path]
    unsigned long long start, limit, offset;
    char perms[8] = {};
    int path_pos = -1;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %*s %*s %n", &start, &limit, perms, &offset,
                    &path_pos) < 4 ||
        path_pos < 0) {
      continue;
    }
    if (perms[2] != 'x') continue;
    std::string path = line.substr(static_cast<size_t>(path_pos));
    while (!path.empty() && (path.back() == ' ' || path.back() == '\n')) path.pop_back();
    if (path.empty() || (path[0] != '/' && path != "[vdso]")) continue;
    Module m;
    m.path = std::move(path);
    m.start = start;
    m.limit = limit;
    m.file_offset = offset;
    out.push_back(std::move(m));
  }
  return out;
}

void Symbolizer::Refresh() {
  refreshed_ = true;
  std::ifstream f("/proc/self/maps");
  std::stringstream ss;
  ss << f.rdbuf();
  std::vector<Module> modules = ParseMaps(ss.str());
  for (Module& m : modules) {
    auto it = images_.find(m.path);
    std::shared_ptr<ElfImage> image;
    if (it != images_.end()) {
      image = it->second;
    } else {
      if (m.path == "[vdso]") {
        auto base = getauxval(AT_SYSINFO_EHDR);
        if (base == m.start) {
          image = ElfImage::FromMemory(reinterpret_cast<const char*>(base), m.limit - m.start);
        }
      } else {
        image = ElfImage::FromFile(m.path);
      }
      images_.emplace(m.path, image);
    }
    m.elf = image;
    if (image) {
      m.build_id = image->build_id();
      m.has_line_info = image->has_line_info();
      m.bias = m.path == "[vdso]" ? m.start : image->BiasFor(m.start, m.file_offset);
    }
  }
  modules_ = std::move(modules);
}

void Symbolizer::ForgetAddresses() {
  cache_.clear();  // (the line tables stay: objects are reported by path once)
  modules_.clear();
  refreshed_ = false;
}

int Symbolizer::FindModule(uint64_t address) {
  for (size_t i = 0; i < modules_.size(); ++i) {
    if (address >= modules_[i].start && address < modules_[i].limit) return static_cast<int>(i);
  }
  return -1;
}

const Symbolized& Symbolizer::Resolve(uint64_t address) {
  auto it = cache_.find(address);
  if (it != cache_.end()) return it->second;
  if (!refreshed_) Refresh();
  int mi = FindModule(address);
  if (mi < 0) {
    // Loaded after the last look at the maps?
    Refresh();
    mi = FindModule(address);
  }
  Symbolized out;
  out.module = mi;
  if (mi >= 0 && modules_[mi].elf) {
    const Module& m = modules_[mi];
    if (const auto* sym = m.elf->Find(address - m.bias)) {
      out.system_name = std::string(sym->name);
      out.start = sym->value + m.bias;
    }
  }
  if (out.system_name.empty()) {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(address), &info) != 0 && info.dli_sname) {
      out.system_name = info.dli_sname;
      out.start = reinterpret_cast<uint64_t>(info.dli_saddr);
    }
  }
  out.name = Demangle(out.system_name);
  if (mi >= 0 && !out.name.empty() && modules_[mi].elf && modules_[mi].has_line_info) {
    if (!lines_) {
      // Every object with line tables is loaded at once, so the one-time
      // cost falls on the first profile of the process, not on whichever
      // later one first samples that object.
      lines_ = std::make_unique<LineTable>();
      for (const Module& m : modules_) {
        if (m.elf && m.has_line_info) lines_->Load(m);
      }
    }
    lines_->Report(modules_[mi]);
    lines_->Lookup(address, &out);
  }
  return cache_.emplace(address, std::move(out)).first->second;
}

bool LeafHasNoFrame(Symbolizer& symbolizer, uint64_t pc) {
  const Symbolized& leaf = symbolizer.Resolve(pc);
  return leaf.start != 0 && FrameNotSetUp(leaf.start, pc);
}

bool IsReturnAddress(Symbolizer& symbolizer, uint64_t word) {
  return word >= 4096 && symbolizer.Resolve(word - 1).module >= 0 && FollowsCall(word);
}

bool LeafCallerMissing(Symbolizer& symbolizer, uint64_t pc, uint64_t sp_word) {
  return LeafHasNoFrame(symbolizer, pc) && IsReturnAddress(symbolizer, sp_word);
}

}  // namespace tai::internal
