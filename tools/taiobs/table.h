// A table for a terminal: rows of cells printed in columns as wide as their
// widest cell (counted in code points), two spaces apart; the last column is
// not padded so that long messages do not drag trailing spaces.
//
// Owned by one command; not synchronised.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace taiobs {

class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t rows() const { return rows_.size() - 1; }  // without the header
  void Print(std::FILE* out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace taiobs
