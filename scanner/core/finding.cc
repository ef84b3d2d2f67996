#include "scanner/core/finding.h"

#include <algorithm>
#include <cctype>

namespace vigil {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "medium";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "info") return Severity::kInfo;
  if (lower == "low") return Severity::kLow;
  if (lower == "medium") return Severity::kMedium;
  if (lower == "high") return Severity::kHigh;
  if (lower == "critical") return Severity::kCritical;
  return std::nullopt;
}

std::string_view SecurityScore(Severity s) {
  switch (s) {
    case Severity::kInfo: return "1.0";
    case Severity::kLow: return "3.0";
    case Severity::kMedium: return "5.5";
    case Severity::kHigh: return "8.0";
    case Severity::kCritical: return "9.5";
  }
  return "5.5";
}

}  // namespace vigil
