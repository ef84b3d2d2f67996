#include "scanner/cli/common.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "reporters/reporters.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

namespace vigil {

std::string VigilVersion() { return VIGIL_VERSION; }

Result<std::shared_ptr<const RuleDatabase>> LoadRuleDatabase(const RuleLoadOptions& options) {
  // The parsed rules and the compiled database both come from the cache
  // when the rules files are unchanged (a warm start parses no YAML).
  std::vector<RuleFileText> files;
  if (Status s = CollectRuleFiles(options.rules_dir, &files); !s.ok()) return s;
  CompileOptions co;
  co.use_cache = options.use_cache;
  co.cache_dir = RuleDatabase::DefaultCacheDir();
  return RuleDatabase::Load(files, co);
}

Status WriteOutput(const std::string& text, const std::string& path, const std::string& what) {
  if (path.empty() || path == "-") {
    // A closed pipe (vigil ... | head) is not an error.
    size_t n = fwrite(text.data(), 1, text.size(), stdout);
    (void)n;
    fflush(stdout);
    return Status::Ok();
  }
  // A temporary file and a rename: a reader never sees half a file.
  std::string tmp = path + ".vigil-tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Error(path + ": cannot write " + what);
    out << text;
    out.flush();
    if (!out) return Status::Error(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::Error(path + ": cannot write " + what + ": " + ec.message());
  }
  return Status::Ok();
}

Status WriteReport(const ScanReport& report, const std::string& format,
                   const ReportOptions& options, const std::string& path) {
  std::unique_ptr<Reporter> reporter = NewReporter(format);
  if (!reporter) return Status::Error("unknown format `" + format + "`");
  std::ostringstream buf;
  reporter->Write(report, options, buf);
  return WriteOutput(buf.str(), path, "report");
}

}  // namespace vigil
