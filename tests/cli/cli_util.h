// Helpers for CLI tests: run the real vigil binary (VIGIL_BINARY) through
// /bin/sh, capture stdout, stderr and the exit code, and make temp trees.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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
    if (c == '\'')
      o += "'\\''";
    else
      o += c;
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
  std::string in = (dir / "in").string(), out = (dir / "out").string(),
              err = (dir / "err").string();
  std::ofstream(in, std::ios::binary) << stdin_text;
  std::string cmd = "cd " + Quote(cwd) + " && " + Quote(VIGIL_BINARY) + " " + args + " <" +
                    Quote(in) + " >" + Quote(out) + " 2>" + Quote(err);
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

// Runs a shell command (git, usually) in t's directory, output discarded;
// returns its exit status.
inline int Git(const TempTree& t, const std::string& cmd) {
  return std::system(("cd " + Quote(t.path()) + " && " + cmd + " >/dev/null 2>&1").c_str());
}

// `git init` with a committer identity, for Git(t, kGitInit).
inline constexpr char kGitInit[] =
    "git init -q && git config user.email t@example.invalid && git config user.name t";

// A .sops.yaml whose one rule encrypts data/stringData of *.sops.yaml files
// (a fake age recipient).
inline constexpr char kSopsConfig[] =
    "creation_rules:\n"
    "  - path_regex: .*\\.sops\\.ya?ml$\n"
    "    encrypted_regex: ^(data|stringData)$\n"
    "    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n";

}  // namespace vigil::testing
