// Helpers for CLI tests: run the real vigil binary (VIGIL_BINARY) through
// /bin/sh, capture stdout, stderr and the exit code, and make temp trees.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vigil::testing {

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'') o += "'\\''";
    else o += c;
  }
  return o + "'";
}

// Runs `vigil <args>` (args already shell-quoted where needed) in `cwd`.
inline RunResult RunVigil(const std::string& args, const std::string& cwd = VIGIL_SOURCE_DIR,
                          const std::string& stdin_text = "") {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-cli-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  std::filesystem::create_directories(dir);
  std::string in = (dir / "in").string(), out = (dir / "out").string(), err = (dir / "err").string();
  std::ofstream(in, std::ios::binary) << stdin_text;
  std::string cmd = "cd " + Quote(cwd) + " && " + Quote(VIGIL_BINARY) + " " + args + " <" + Quote(in) +
                    " >" + Quote(out) + " 2>" + Quote(err);
  int status = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  std::filesystem::remove_all(dir);
  return r;
}

class TempTree {
 public:
  TempTree() {
    static int n = 0;
    root_ = std::filesystem::temp_directory_path() /
            ("vigil-tree-" + std::to_string(getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~TempTree() { std::filesystem::remove_all(root_); }
  void Write(const std::string& rel, const std::string& content) {
    auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string path() const { return root_.string(); }

 private:
  std::filesystem::path root_;
};

}  // namespace vigil::testing
