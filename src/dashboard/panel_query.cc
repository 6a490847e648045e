#include "tai/dashboard/panel_query.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "core/text.h"

namespace tai {
namespace {

struct FunctionName {
  std::string_view name;
  QueryFunction function;
};
constexpr FunctionName kFunctions[] = {
    {"last", QueryFunction::kLast},         {"rate", QueryFunction::kRate},
    {"increase", QueryFunction::kIncrease}, {"avg", QueryFunction::kAvg},
    {"max", QueryFunction::kMax},           {"min", QueryFunction::kMin},
    {"sum", QueryFunction::kSum},           {"percentile", QueryFunction::kPercentile},
};

bool NameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool NameChar(char c) {
  return NameStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
}

// A recursive-descent reader over the text; `pos` is 0-based, errors say
// 1-based columns.
class QueryParser {
 public:
  explicit QueryParser(std::string_view text) : text_(text) {}

  Result<PanelQuery> Parse() {
    PanelQuery q;
    TAI_ASSIGN_OR_RETURN(q.numerator, Select());
    SkipSpaces();
    if (Peek() == '/' && !PeekNumberAfterOperator()) {
      ++pos_;
      TAI_ASSIGN_OR_RETURN(MetricSelect d, Select());
      q.denominator = std::move(d);
    }
    SkipSpaces();
    if (Peek() == '*' || Peek() == '/') {
      const char op = text_[pos_++];
      TAI_ASSIGN_OR_RETURN(double n, Number("a number after '" + std::string(1, op) + "'"));
      if (op == '/' && n == 0) return Fail("cannot divide by 0");
      q.scale = op == '*' ? n : 1 / n;
    }
    SkipSpaces();
    if (pos_ < text_.size()) return Fail("expected the end of the query");
    return q;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void SkipSpaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  // After '/': a number means "scale", a name means "ratio".
  bool PeekNumberAfterOperator() const {
    size_t p = pos_ + 1;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    return p < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[p])) || text_[p] == '.');
  }
  std::string Got() const {
    if (pos_ >= text_.size()) return "the end";
    std::string out;
    internal::AppendJsonString(out, text_.substr(pos_, 1));
    return out;
  }
  Status Fail(const std::string& what) const {
    return InvalidArgumentError("column " + std::to_string(pos_ + 1) + ": " + what + ", got " +
                                Got());
  }

  // A metric name: a '/' belongs to it when a name character follows.
  std::string Name() {
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (NameChar(c) ||
          (c == '/' && pos_ + 1 < text_.size() && NameChar(text_[pos_ + 1]) && pos_ > start)) {
        ++pos_;
      } else {
        break;
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<double> Number(const std::string& what) {
    SkipSpaces();
    const char* begin = text_.data() + pos_;
    double v = 0;
    auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), v);
    if (ec != std::errc() || !std::isfinite(v)) return Fail("expected " + what);
    pos_ += static_cast<size_t>(end - begin);
    return v;
  }

  Status Expect(char c, const std::string& where) {
    SkipSpaces();
    if (Peek() != c) return Fail("expected '" + std::string(1, c) + "' " + where);
    ++pos_;
    return Status::Ok();
  }

  Result<std::string> Metric() {
    SkipSpaces();
    if (!NameStart(Peek())) return Fail("expected a metric name");
    return Name();
  }

  Result<MetricSelect> Select() {
    SkipSpaces();
    if (!NameStart(Peek())) return Fail("expected a metric name or a function");
    const size_t start = pos_;
    std::string word = Name();
    SkipSpaces();
    MetricSelect s;
    if (Peek() != '(') {
      s.metric = std::move(word);
      return s;
    }
    const FunctionName* f = nullptr;
    for (const FunctionName& k : kFunctions) {
      if (k.name == word) f = &k;
    }
    if (f == nullptr) {
      pos_ = start;
      return Fail("unknown function '" + word +
                  "' (rate, increase, avg, max, min, sum, percentile, last)");
    }
    s.function = f->function;
    ++pos_;
    TAI_ASSIGN_OR_RETURN(s.metric, Metric());
    if (s.function == QueryFunction::kPercentile) {
      TAI_RETURN_IF_ERROR(Expect(',', "and the percentile after the metric name"));
      const size_t at = pos_;
      TAI_ASSIGN_OR_RETURN(s.percentile, Number("the percentile, a number in (0, 100]"));
      if (!(s.percentile > 0 && s.percentile <= 100)) {
        pos_ = at;
        SkipSpaces();
        return Fail("expected the percentile in (0, 100]");
      }
    }
    TAI_RETURN_IF_ERROR(Expect(')', "after the metric name"));
    return s;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

std::string SelectToString(const MetricSelect& s) {
  if (s.function == QueryFunction::kLast) return s.metric;
  std::string out(QueryFunctionName(s.function));
  out += "(" + s.metric;
  if (s.function == QueryFunction::kPercentile) {
    out += ", ";
    internal::AppendDouble(out, s.percentile);
  }
  return out + ")";
}

}  // namespace

std::string_view QueryFunctionName(QueryFunction f) {
  for (const FunctionName& k : kFunctions) {
    if (k.function == f) return k.name;
  }
  return "last";
}

Result<PanelQuery> ParsePanelQuery(std::string_view text) { return QueryParser(text).Parse(); }

std::string PanelQueryToString(const PanelQuery& q) {
  std::string out = SelectToString(q.numerator);
  if (q.denominator) out += " / " + SelectToString(*q.denominator);
  if (q.scale != 1) {
    out += " * ";
    internal::AppendDouble(out, q.scale);
  }
  return out;
}

}  // namespace tai
