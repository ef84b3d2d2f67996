// vigil hook install|uninstall [--force] [PATH]: a native git pre-commit hook
// that runs `vigil scan --staged` before every commit.
//
// The hooks directory is the one git uses: `git rev-parse --git-path hooks`
// (which honours core.hooksPath and linked worktrees); without a git binary it
// is worked out by hand (.git directory, or a .git file naming the gitdir,
// whose `commondir` holds the shared hooks). An existing hook is kept: install
// refuses without --force, and with --force moves it to
// pre-commit.vigil-backup, which the vigil hook then runs after its own check.
// Uninstall removes only a hook carrying vigil's marker line and restores the
// backup.
//
// `git commit -a` and `git commit PATH...` stage into a temporary index named
// by GIT_INDEX_FILE, which the staged source (libgit2) does not read; the hook
// then scans the working-tree content of the files that index changes, which
// is what those commands commit.
#include <CLI/CLI.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "scanner/cli/commands.h"
#include "scanner/cli/common.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMarkerLine = "# vigil-hook: managed by `vigil hook install`";
constexpr const char* kBackupName = "pre-commit.vigil-backup";

std::string ShellQuote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'') o += "'\\''";
    else o += c;
  }
  return o + "'";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `git -C repo args...` and returns its trimmed stdout; nullopt when git
// is missing or fails.
std::optional<std::string> Git(const std::string& repo, const std::string& args) {
  std::string cmd = "git -C " + ShellQuote(repo) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return Trim(out);
}

// The git directory of the repository containing `start` without git: a
// `.git` directory, or a `.git` file ("gitdir: PATH") as in linked worktrees
// and submodules. Returns (worktree top, gitdir) or nullopt.
std::optional<std::pair<fs::path, fs::path>> FindGitDirByHand(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  while (true) {
    fs::path dotgit = dir / ".git";
    if (fs::is_directory(dotgit, ec)) return std::make_pair(dir, dotgit);
    if (fs::is_regular_file(dotgit, ec)) {
      std::string text = Trim(ReadAll(dotgit));
      if (text.rfind("gitdir:", 0) == 0) {
        fs::path gd = Trim(text.substr(7));
        if (gd.is_relative()) gd = dir / gd;
        return std::make_pair(dir, gd.lexically_normal());
      }
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

// Where git looks for hooks in the repository containing `repo`.
Result<fs::path> HooksDir(const std::string& repo) {
  std::error_code ec;
  if (!fs::exists(repo, ec)) return Status::Error(repo + ": no such directory");
  if (auto top = Git(repo, "rev-parse --show-toplevel"); top) {
    if (auto hooks = Git(repo, "rev-parse --git-path hooks"); hooks && !hooks->empty()) {
      fs::path h(*hooks);
      // --git-path is relative to the directory git ran in.
      if (h.is_relative()) h = fs::absolute(fs::path(repo) / h, ec);
      return h.lexically_normal();
    }
  }
  auto found = FindGitDirByHand(repo);
  if (!found) return Status::Error(repo + ": not inside a git repository");
  fs::path gitdir = found->second;
  // A linked worktree's gitdir names the shared repository in `commondir`.
  fs::path common = gitdir;
  if (fs::is_regular_file(gitdir / "commondir", ec)) {
    fs::path c = Trim(ReadAll(gitdir / "commondir"));
    common = (c.is_relative() ? gitdir / c : c).lexically_normal();
  }
  // core.hooksPath in the repository's own config (a plain scan of [core]).
  std::istringstream cfg(ReadAll(common / "config"));
  std::string line;
  bool in_core = false;
  while (std::getline(cfg, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t[0] == '[') {
      std::string sec = t;
      for (auto& c : sec) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in_core = sec == "[core]";
      continue;
    }
    if (!in_core) continue;
    size_t eq = t.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(t.substr(0, eq));
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key != "hookspath") continue;
    std::string v = Trim(t.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    fs::path hp(v);
    if (v.rfind("~/", 0) == 0 && getenv("HOME")) hp = fs::path(getenv("HOME")) / v.substr(2);
    if (hp.is_relative()) hp = found->first / hp;
    return hp.lexically_normal();
  }
  return (common / "hooks").lexically_normal();
}

// The vigil binary the hook should run: this executable when it can be
// found, else `vigil` from PATH.
std::string SelfPath() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(self, ec)) return self.string();
  return "";
}

bool IsVigilHook(const fs::path& p) {
  std::string text = ReadAll(p);
  return text.find(kMarkerLine) != std::string::npos;
}

std::string HookScript(const std::string& binary) {
  std::ostringstream s;
  s << "#!/bin/sh\n"
    << kMarkerLine << "\n"
    << "# Scans the staged changes for clear-text secrets and manifest problems before\n"
    << "# every commit. Remove with `vigil hook uninstall`. Skip once with\n"
    << "# `git commit --no-verify` or VIGIL_SKIP=1.\n"
    << "VIGIL=" << ShellQuote(binary) << "\n"
    << "if [ -n \"${VIGIL_SKIP:-}\" ] && [ \"$VIGIL_SKIP\" != 0 ]; then\n"
    << "  echo 'vigil: VIGIL_SKIP is set; not scanning this commit' >&2\n"
    << "else\n"
    << "  if [ ! -x \"$VIGIL\" ]; then VIGIL=$(command -v vigil 2>/dev/null || true); fi\n"
    << "  if [ -z \"$VIGIL\" ]; then\n"
    << "    echo 'vigil: commit refused: the vigil binary was not found (reinstall it, run' >&2\n"
    << "    echo '  `vigil hook install` again, or `vigil hook uninstall`).' >&2\n"
    << "    exit 1\n"
    << "  fi\n"
    << "  case \"${GIT_INDEX_FILE:-index}\" in\n"
    << "  index|*/index)\n"
    << "    \"$VIGIL\" scan --staged --quiet\n"
    << "    rc=$? ;;\n"
    << "  *)\n"
    << "    # git commit -a / git commit PATH...: git stages into a temporary index\n"
    << "    # (GIT_INDEX_FILE) and commits the working tree's content of these files.\n"
    << "    list=$(mktemp \"${TMPDIR:-/tmp}/vigil-hook.XXXXXX\") || exit 2\n"
    << "    git diff --cached --name-only --diff-filter=ACMR -z >\"$list\"\n"
    << "    rc=0\n"
    << "    if [ -s \"$list\" ]; then\n"
    << "      xargs -0 \"$VIGIL\" scan --quiet -- <\"$list\"\n"
    << "      rc=$?\n"
    << "      if [ \"$rc\" -eq 123 ]; then rc=1; fi\n"
    << "    fi\n"
    << "    rm -f \"$list\" ;;\n"
    << "  esac\n"
    << "  if [ \"$rc\" -eq 1 ]; then\n"
    << "    echo '' >&2\n"
    << "    echo 'vigil: commit refused: the staged changes contain the secrets or manifest problems above.' >&2\n"
    << "    echo '  Remove them (and rotate any real credential), mark a false positive with a' >&2\n"
    << "    echo '  `vigil:ignore` comment, or record accepted findings with `vigil baseline create`.' >&2\n"
    << "    echo '  To commit anyway: git commit --no-verify' >&2\n"
    << "    exit 1\n"
    << "  elif [ \"$rc\" -ne 0 ]; then\n"
    << "    echo \"vigil: commit refused: the scan could not complete (exit $rc).\" >&2\n"
    << "    exit \"$rc\"\n"
    << "  fi\n"
    << "fi\n"
    << "# A pre-commit hook that was here before vigil's (moved aside by --force).\n"
    << "prev=\"$(dirname \"$0\")/" << kBackupName << "\"\n"
    << "if [ -x \"$prev\" ]; then exec \"$prev\" \"$@\"; fi\n"
    << "exit 0\n";
  return s.str();
}

Status WriteExecutable(const fs::path& p, const std::string& text) {
  fs::path tmp = p.string() + ".vigil-tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Error(tmp.string() + ": cannot write");
    out << text;
    out.flush();
    if (!out) return Status::Error(tmp.string() + ": write failed");
  }
  if (chmod(tmp.c_str(), 0755) != 0) return Status::Error(tmp.string() + ": cannot make executable");
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::Error(p.string() + ": " + ec.message());
  }
  return Status::Ok();
}

int Install(const std::string& repo, bool force, const std::string& binary_flag) {
  auto hooks = HooksDir(repo);
  if (!hooks.ok()) {
    std::cerr << "vigil: " << hooks.status().message() << "\n";
    return 2;
  }
  std::error_code ec;
  fs::create_directories(hooks.value(), ec);
  if (ec) {
    std::cerr << "vigil: " << hooks.value().string() << ": " << ec.message() << "\n";
    return 2;
  }
  fs::path hook = hooks.value() / "pre-commit";
  fs::path backup = hooks.value() / kBackupName;
  bool exists = fs::exists(fs::symlink_status(hook, ec));
  bool ours = exists && IsVigilHook(hook);
  if (exists && !ours) {
    if (!force) {
      std::cerr << "vigil: " << hook.string() << " already exists and was not written by vigil; "
                << "not replacing it.\n"
                << "  Use `vigil hook install --force` to move it to " << kBackupName
                << " (vigil's hook runs it after its own check),\n"
                << "  or add `vigil scan --staged --quiet` to it yourself.\n";
      return 2;
    }
    if (fs::exists(fs::symlink_status(backup, ec))) {
      std::cerr << "vigil: " << backup.string() << " already exists; move it away first\n";
      return 2;
    }
    fs::rename(hook, backup, ec);
    if (ec) {
      std::cerr << "vigil: cannot back up " << hook.string() << ": " << ec.message() << "\n";
      return 2;
    }
    std::cout << "moved the existing hook to " << backup.string() << "\n";
  }
  std::string binary = binary_flag.empty() ? SelfPath() : binary_flag;
  if (binary.empty()) binary = "vigil";
  if (Status s = WriteExecutable(hook, HookScript(binary)); !s.ok()) {
    std::cerr << "vigil: " << s.message() << "\n";
    return 2;
  }
  std::cout << (ours ? "updated " : "installed ") << hook.string() << " (runs " << binary
            << " scan --staged)\n";
  return 0;
}

int Uninstall(const std::string& repo) {
  auto hooks = HooksDir(repo);
  if (!hooks.ok()) {
    std::cerr << "vigil: " << hooks.status().message() << "\n";
    return 2;
  }
  std::error_code ec;
  fs::path hook = hooks.value() / "pre-commit";
  fs::path backup = hooks.value() / kBackupName;
  if (!fs::exists(fs::symlink_status(hook, ec))) {
    std::cout << "no pre-commit hook in " << hooks.value().string() << "; nothing to do\n";
    return 0;
  }
  if (!IsVigilHook(hook)) {
    std::cerr << "vigil: " << hook.string() << " was not written by vigil; leaving it alone\n";
    return 2;
  }
  fs::remove(hook, ec);
  if (ec) {
    std::cerr << "vigil: cannot remove " << hook.string() << ": " << ec.message() << "\n";
    return 2;
  }
  std::cout << "removed " << hook.string() << "\n";
  if (fs::exists(fs::symlink_status(backup, ec))) {
    fs::rename(backup, hook, ec);
    if (ec) {
      std::cerr << "vigil: cannot restore " << backup.string() << ": " << ec.message() << "\n";
      return 2;
    }
    std::cout << "restored the previous hook from " << backup.string() << "\n";
  }
  return 0;
}

}  // namespace

void AddHookCommands(CLI::App& app, int* exit_code) {
  auto* hook = app.add_subcommand("hook", "Install or remove the git pre-commit hook");
  hook->require_subcommand(1);

  static std::string install_path = ".";
  static bool force = false;
  static std::string binary;
  auto* install = hook->add_subcommand(
      "install", "Write .git/hooks/pre-commit (or core.hooksPath) to run `vigil scan --staged`");
  install->add_option("path", install_path, "A directory inside the repository (default: .)");
  install->add_flag("-f,--force", force,
                    "Replace an existing hook (kept as pre-commit.vigil-backup and run after vigil)");
  install->add_option("--binary", binary, "The vigil binary the hook runs (default: this one)");
  install->callback([exit_code] { *exit_code = Install(install_path, force, binary); });

  static std::string uninstall_path = ".";
  auto* uninstall = hook->add_subcommand("uninstall", "Remove vigil's pre-commit hook (and restore a backup)");
  uninstall->add_option("path", uninstall_path, "A directory inside the repository (default: .)");
  uninstall->callback([exit_code] { *exit_code = Uninstall(uninstall_path); });
}

}  // namespace vigil
