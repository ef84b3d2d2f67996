#include "reporters/reporters.h"

namespace vigil {

std::unique_ptr<Reporter> NewReporter(std::string_view format) {
  if (format == "text") return NewTextReporter();
  if (format == "json") return NewJsonReporter();
  if (format == "sarif") return NewSarifReporter();
  if (format == "github") return NewGithubReporter();
  if (format == "markdown") return NewMarkdownReporter();
  return nullptr;
}

#ifndef VIGIL_HOMEPAGE
#define VIGIL_HOMEPAGE ""
#endif

std::string_view VigilInformationUri() { return VIGIL_HOMEPAGE; }

std::vector<std::string> ReporterFormats() {
  return {"text", "json", "sarif", "github", "markdown"};
}

}  // namespace vigil
