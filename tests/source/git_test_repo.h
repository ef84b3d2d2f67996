// Test helper: builds small git repositories in a temporary directory with
// libgit2 (deterministic authors and dates), and runs a Source to completion.
// Used by tests/source/git_*_test.cc only.
#pragma once

#include <git2.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scanner/source/git_source.h"

namespace vigil::testing {

inline std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

inline std::string MakeTempDir(const std::string& tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("vigil-" + tag + "-XXXXXX")).string();
  char* dir = mkdtemp(tmpl.data());
  return dir ? std::string(dir) : std::string();
}

// Builds trees and commits in a fresh repository (bare or with a work tree).
class TestRepo {
 public:
  explicit TestRepo(bool bare = false, const std::string& dir = "") {
    git_libgit2_init();
    root_ = dir.empty() ? MakeTempDir("repo") : dir;
    owns_dir_ = dir.empty();
    EXPECT_EQ(git_repository_init(&repo_, root_.c_str(), bare ? 1 : 0), 0);
    // HEAD -> refs/heads/main, whatever init.defaultBranch says.
    EXPECT_EQ(git_repository_set_head(repo_, "refs/heads/main"), 0);
  }
  ~TestRepo() {
    git_repository_free(repo_);
    if (owns_dir_) std::filesystem::remove_all(root_);
    git_libgit2_shutdown();
  }
  TestRepo(const TestRepo&) = delete;
  TestRepo& operator=(const TestRepo&) = delete;

  git_repository* repo() { return repo_; }
  const std::string& path() const { return root_; }
  std::string git_dir() const { return git_repository_path(repo_); }

  git_oid Blob(const std::string& content) {
    git_oid oid;
    EXPECT_EQ(git_blob_create_from_buffer(&oid, repo_, content.data(), content.size()), 0);
    return oid;
  }
  std::string BlobHex(const std::string& content) { return OidHex(Blob(content)); }

  // A tree holding `files` (path -> content; "a/b/c" makes subtrees).
  // Entries whose content starts with "gitlink:" become submodule entries.
  git_oid Tree(const std::map<std::string, std::string>& files) {
    std::map<std::string, std::map<std::string, std::string>> dirs;
    git_treebuilder* bld = nullptr;
    EXPECT_EQ(git_treebuilder_new(&bld, repo_, nullptr), 0);
    for (const auto& [path, content] : files) {
      size_t slash = path.find('/');
      if (slash != std::string::npos) {
        dirs[path.substr(0, slash)][path.substr(slash + 1)] = content;
        continue;
      }
      if (content.rfind("gitlink:", 0) == 0) {
        git_oid target;
        git_oid_fromstr(&target, content.substr(8).c_str());
        EXPECT_EQ(git_treebuilder_insert(nullptr, bld, path.c_str(), &target, GIT_FILEMODE_COMMIT), 0);
        continue;
      }
      git_oid blob = Blob(content);
      EXPECT_EQ(git_treebuilder_insert(nullptr, bld, path.c_str(), &blob, GIT_FILEMODE_BLOB), 0);
    }
    for (const auto& [name, sub] : dirs) {
      git_oid tree = Tree(sub);
      EXPECT_EQ(git_treebuilder_insert(nullptr, bld, name.c_str(), &tree, GIT_FILEMODE_TREE), 0);
    }
    git_oid out;
    EXPECT_EQ(git_treebuilder_write(&out, bld), 0);
    git_treebuilder_free(bld);
    return out;
  }

  // Commits a full snapshot of `files` onto `ref` (parent: the ref's tip, if
  // any, unless `parents` is given) and moves the ref.
  git_oid Commit(const std::map<std::string, std::string>& files, const std::string& message,
                 const std::string& ref = "refs/heads/main",
                 std::optional<std::vector<git_oid>> parents = std::nullopt) {
    git_oid tree_id = Tree(files);
    git_tree* tree = nullptr;
    EXPECT_EQ(git_tree_lookup(&tree, repo_, &tree_id), 0);
    std::vector<git_oid> parent_ids;
    if (parents) {
      parent_ids = *parents;
    } else {
      git_oid tip;
      if (git_reference_name_to_id(&tip, repo_, ref.c_str()) == 0) parent_ids.push_back(tip);
    }
    std::vector<git_commit*> parent_commits;
    for (const git_oid& p : parent_ids) {
      git_commit* c = nullptr;
      EXPECT_EQ(git_commit_lookup(&c, repo_, &p), 0);
      parent_commits.push_back(c);
    }
    git_signature* sig = nullptr;
    EXPECT_EQ(git_signature_new(&sig, "Alice Example", "alice@example.com", 1700000000 + 3600 * tick_++, 0), 0);
    git_oid out;
    EXPECT_EQ(git_commit_create(&out, repo_, nullptr, sig, sig, "UTF-8", message.c_str(), tree,
                                parent_commits.size(),
                                const_cast<const git_commit**>(parent_commits.data())),
              0);
    git_reference* r = nullptr;
    EXPECT_EQ(git_reference_create(&r, repo_, ref.c_str(), &out, 1, "test"), 0);
    git_reference_free(r);
    for (git_commit* c : parent_commits) git_commit_free(c);
    git_signature_free(sig);
    git_tree_free(tree);
    return out;
  }

 private:
  git_repository* repo_ = nullptr;
  std::string root_;
  bool owns_dir_ = true;
  int tick_ = 0;
};

struct Enumerated {
  Status status;
  std::vector<WorkItem> items;
  std::vector<ScanError> errors;
  const WorkItem* Find(const std::string& path) const {
    for (const auto& it : items)
      if (it.path == path) return &it;
    return nullptr;
  }
  size_t CountKey(const std::string& key) const {
    size_t n = 0;
    for (const auto& it : items) n += it.key == key;
    return n;
  }
  bool HasError(const std::string& needle, bool warning) const {
    for (const auto& e : errors)
      if (e.warning == warning && e.message.find(needle) != std::string::npos) return true;
    return false;
  }
  size_t HardErrors() const {
    size_t n = 0;
    for (const auto& e : errors) n += !e.warning;
    return n;
  }
};

inline Enumerated RunEnumerate(Source& source) {
  Enumerated out;
  out.status = source.Enumerate([&](WorkItem w) { out.items.push_back(std::move(w)); }, &out.errors);
  return out;
}

// Reads one item through a fresh reader; returns the bytes ("" on error).
inline std::string ReadItem(Source& source, const WorkItem& item, std::string* blob_id = nullptr) {
  auto reader = source.NewReader();
  BlobData data;
  Status s = reader->Read(item, &data);
  EXPECT_TRUE(s.ok()) << s.message();
  if (blob_id) *blob_id = data.blob_id;
  return std::string(data.data);
}

// A finding as the pipeline would produce it for a blob at a path.
inline Finding MakeFinding(const std::string& path, const std::string& blob_id,
                           const std::string& secret) {
  Finding f;
  f.rule_id = "test-rule";
  f.location.path = path;
  f.location.line = 1;
  f.blob_id = blob_id;
  f.secret = secret;
  return f;
}

inline void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

}  // namespace vigil::testing
