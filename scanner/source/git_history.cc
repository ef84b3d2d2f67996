// The full-history source: every blob reachable from any ref (optionally every
// blob in the object database), each distinct blob once, and lazy provenance
// (the commit that introduced a blob at a path) for blobs with findings.
//
// Enumeration walks commits newest first, then their trees breadth first, one
// depth level at a time in pack order, reading each tree object once (trees
// are deduplicated by id), so every blob is seen with one path at the cost of
// one pass over the trees. After each level, the blobs it named are emitted
// (the pipeline scans them while deeper levels are read), depth first along
// their delta chains (libgit2 caches delta bases by pack offset; its cache is 16 MB,
// so read order decides whether a deep chain is re-inflated), with sizes from
// the pack headers instead of a git_odb_read_header type pass. Blob bytes are
// read by the pipeline's workers, each with its own repository handle.
//
// Memory: the seen-id sets, one path per distinct blob until emission, and
// the commit graph (for provenance): proportional to distinct objects, not to
// bytes.
#include <algorithm>
#include <map>
#include <queue>
#include <utility>

#include "scanner/source/git_internal.h"
#include "scanner/source/git_source.h"

namespace vigil {
namespace {

using namespace git_internal;

// Individually reported missing objects before they are summarised.
constexpr size_t kMaxMissingReports = 50;

struct CommitNode {
  git_oid id;
  git_oid tree;
  std::vector<git_oid> parents;
};

// A trie of the paths that findings were reported at; each node holds the
// blob ids still waiting for their introducing commit at that exact path.
struct PathNode {
  std::map<std::string, std::unique_ptr<PathNode>, std::less<>> children;
  OidMap<size_t> pending;  // blob id -> index into the results
};

struct TreeAtNode {
  git_oid tree;
  const PathNode* node;
  bool operator==(const TreeAtNode& o) const {
    return node == o.node && git_oid_equal(&tree, &o.tree);
  }
};
struct TreeAtNodeHash {
  size_t operator()(const TreeAtNode& k) const {
    return OidHash()(k.tree) ^ (reinterpret_cast<uintptr_t>(k.node) * 0x9e3779b97f4a7c15ull);
  }
};

class GitHistorySource : public Source {
 public:
  GitHistorySource(std::string path, GitOptions options)
      : path_(std::move(path)),
        options_(options),
        progress_(std::make_shared<Progress>()) {}

  std::string Mode() const override { return "history"; }

  Status Enumerate(const std::function<void(WorkItem)>& emit,
                   std::vector<ScanError>* errors) override;

  std::unique_ptr<SourceReader> NewReader() override {
    return std::make_unique<BlobReader>(git_dir_.empty() ? path_ : git_dir_, progress_,
                                        options_.max_file_size);
  }

  void AddProvenance(std::vector<Finding>* findings) override;
  uint64_t ObjectsEnumerated() const override { return progress_->objects(); }

 private:
  struct Walk;  // enumeration state

  std::string path_;
  std::string git_dir_;  // resolved repository directory (after Enumerate)
  GitOptions options_;
  std::shared_ptr<Progress> progress_;
  std::vector<CommitNode> commits_;  // every reachable commit, newest first
};

struct GitHistorySource::Walk {
  git_repository* repo = nullptr;
  git_odb* odb = nullptr;
  const GitOptions* options = nullptr;
  Progress* progress = nullptr;
  std::vector<ScanError>* errors = nullptr;
  PackIndex packs;

  struct Pending {
    uint64_t order;  // pack order (PackIndex::Entry::order)
    PackIndex::Entry entry;
    git_oid id;
    std::string path;  // trees: the directory prefix ("" or "a/b/")
  };
  std::vector<Pending> level;  // trees to read next (one depth level)
  std::vector<Pending> blobs;  // every distinct blob, with one path

  FlatOidSet seen_trees;
  FlatOidSet seen_blobs;
  size_t missing = 0;
  size_t submodules = 0;
  std::string first_submodule;
  size_t lfs = 0;
  std::string first_lfs;

  void Missing(const std::string& path, const std::string& what) {
    if (++missing <= kMaxMissingReports) errors->push_back({path, 0, what, false});
  }

  void AddTree(const git_oid& id, std::string prefix) {
    if (!seen_trees.insert(id)) return;
    PackIndex::Entry e = packs.Find(id);
    level.push_back({e.order, e, id, std::move(prefix)});
  }

  void AddBlob(const git_oid& id, std::string path) {
    if (!seen_blobs.insert(id)) return;
    PackIndex::Entry e = packs.Find(id);
    blobs.push_back({e.order, e, id, std::move(path)});
  }

  // Orders objects depth first along their delta chains (see DeltaChain).
  void SortByDeltaChain(std::vector<Pending>* items) {
    std::vector<std::vector<uint64_t>> chains(items->size());
    for (size_t i = 0; i < items->size(); ++i) packs.DeltaChain((*items)[i].order, &chains[i]);
    std::vector<uint32_t> perm(items->size());
    for (uint32_t i = 0; i < perm.size(); ++i) perm[i] = i;
    std::sort(perm.begin(), perm.end(), [&](uint32_t a, uint32_t b) {
      if (chains[a].empty() || chains[b].empty()) {
        return chains[a].empty() == chains[b].empty() ? (*items)[a].order < (*items)[b].order
                                                      : !chains[a].empty();
      }
      return chains[a] < chains[b];
    });
    std::vector<Pending> sorted;
    sorted.reserve(items->size());
    for (uint32_t i : perm) sorted.push_back(std::move((*items)[i]));
    items->swap(sorted);
  }

  // Reads the trees breadth first, one depth level at a time, each level in
  // pack order: a tree's delta base is usually the same directory in another
  // commit, so it sits in the same level and was just read (and cached).
  // The blobs a level's trees name are emitted after that level, so the
  // pipeline scans them while deeper levels are still being read (a blob's
  // delta base is nearly always a version of the same path, hence found in
  // the same level: the delta-chain order within a batch keeps reads cheap).
  void WalkTrees(const std::function<void(WorkItem)>& emit) {
    std::vector<Pending> current;
    while (!level.empty()) {
      current.swap(level);
      level.clear();
      // (Depth-first delta-chain order, as for blobs, measured no better
      // for trees and costs a chain walk per tree.)
      std::sort(current.begin(), current.end(),
                [](const Pending& a, const Pending& b) { return a.order < b.order; });
      for (const Pending& tree : current) {
        progress->Enumerated(1);
        git_odb_object* raw = nullptr;
        if (git_odb_read(&raw, odb, &tree.id) != 0) {
          Missing(tree.path.empty() ? "" : tree.path.substr(0, tree.path.size() - 1),
                  LastError("missing tree " + Hex(tree.id)));
          continue;
        }
        OdbObjectPtr obj(raw);
        if (git_odb_object_type(raw) != GIT_OBJECT_TREE) {
          errors->push_back({tree.path, 0, "object " + Hex(tree.id) + " is not a tree", false});
          continue;
        }
        ParseTree(static_cast<const char*>(git_odb_object_data(raw)), git_odb_object_size(raw),
                  tree.path);
      }
      current.clear();
      EmitBlobs(emit);
    }
  }

  // Tree entries: "<octal mode> <name>\0<20-byte id>".
  void ParseTree(const char* p, size_t n, const std::string& prefix) {
    const char* end = p + n;
    while (p < end) {
      const char* space = static_cast<const char*>(std::memchr(p, ' ', end - p));
      if (!space) break;
      std::string_view mode(p, space - p);
      const char* name = space + 1;
      const char* nul = static_cast<const char*>(std::memchr(name, '\0', end - name));
      if (!nul || nul + 1 + GIT_OID_RAWSZ > end) break;
      git_oid id;
      git_oid_fromraw(&id, reinterpret_cast<const unsigned char*>(nul + 1));
      std::string_view entry_name(name, nul - name);
      p = nul + 1 + GIT_OID_RAWSZ;
      // Most entries of a new tree are unchanged: test before building paths.
      if (mode == "40000") {
        if (seen_trees.insert(id)) {
          std::string path = prefix;
          path.append(entry_name).push_back('/');
          PackIndex::Entry e = packs.Find(id);
          level.push_back({e.order, e, id, std::move(path)});
        }
      } else if (mode == "160000") {  // a gitlink: submodules are not descended
        if (submodules++ == 0) first_submodule = prefix + std::string(entry_name);
      } else if (seen_blobs.insert(id)) {
        PackIndex::Entry e = packs.Find(id);
        blobs.push_back({e.order, e, id, prefix + std::string(entry_name)});
      }
    }
  }

  // Emits the blobs found so far depth first along their delta chains,
  // skipping (and noting) large ones; then forgets them (ids stay in
  // seen_blobs), so paths are held only until their batch is handed over.
  void EmitBlobs(const std::function<void(WorkItem)>& emit) {
    // Depth-first along delta chains: 20-25% faster reads than pack order
    // on a deep history (bench/history).
    SortByDeltaChain(&blobs);
    for (Pending& blob : blobs) {
      progress->Enumerated(1);
      const PackIndex::Entry& entry = blob.entry;
      uint64_t size = 0;
      bool size_known = false;
      if (entry.order != UINT64_MAX) {
        // Packed: present. Deltas carry only the delta's size in their header;
        // their real size is checked by the reader.
        if (entry.size_known()) {
          size = entry.size;
          size_known = true;
        }
      } else {
        size_t loose_size = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&loose_size, &type, odb, &blob.id) != 0) {
          Missing(blob.path, LastError("missing blob " + Hex(blob.id)));
          continue;
        }
        if (type != GIT_OBJECT_BLOB) {
          errors->push_back({blob.path, 0, "object " + Hex(blob.id) + " is not a blob", false});
          continue;
        }
        size = loose_size;
        size_known = true;
      }
      if (size_known && size > options->max_file_size) {
        errors->push_back({blob.path, 0,
                           "skipped: blob " + Hex(blob.id) + " is " + std::to_string(size) +
                               " bytes (larger than the maximum file size)",
                           true});
        continue;
      }
      if (size_known && size >= kLfsMinSize && size <= kLfsMaxSize) {
        git_odb_object* obj = nullptr;
        if (git_odb_read(&obj, odb, &blob.id) == 0) {
          OdbObjectPtr owner(obj);
          std::string_view data(static_cast<const char*>(git_odb_object_data(obj)),
                                git_odb_object_size(obj));
          if (IsLfsPointer(data) && lfs++ == 0) first_lfs = blob.path;
        }
      }
      progress->Queued(size);
      emit(WorkItem{std::move(blob.path), Hex(blob.id), size, true});
    }
    blobs.clear();
  }
};

// Resolves a ref's target through annotated tags.
ObjectPtr PeelTags(git_repository* repo, const git_oid& oid) {
  git_object* obj = nullptr;
  if (git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY) != 0) return nullptr;
  ObjectPtr cur(obj);
  for (int depth = 0; depth < 16 && git_object_type(cur.get()) == GIT_OBJECT_TAG; ++depth) {
    git_object* next = nullptr;
    if (git_tag_target(&next, reinterpret_cast<git_tag*>(cur.get())) != 0) return nullptr;
    cur.reset(next);
  }
  return cur;
}

Status GitHistorySource::Enumerate(const std::function<void(WorkItem)>& emit,
                                   std::vector<ScanError>* errors) {
  auto opened = OpenRepository(path_);
  if (!opened.ok()) return opened.status();
  RepoPtr repo = std::move(opened).value();
  git_dir_ = git_repository_path(repo.get());
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo.get()) != 0) {
    return Status::Error(LastError("cannot open object database of " + path_));
  }
  OdbPtr odb(raw_odb);

  const bool shallow = git_repository_is_shallow(repo.get()) == 1;
  if (shallow) {
    errors->push_back({"", 0,
                       "shallow clone: history beyond the shallow boundary is not in the "
                       "repository and was not scanned",
                       true});
  }

  Walk walk;
  walk.repo = repo.get();
  walk.odb = odb.get();
  walk.options = &options_;
  walk.progress = progress_.get();
  walk.errors = errors;
  walk.packs.Open(ObjectsDir(repo.get()));

  // Ref tips: every ref (branches, tags, remotes, notes, stash) and HEAD.
  struct Tip {
    git_oid id;
    std::string name;
  };
  std::vector<Tip> tips;
  git_reference_iterator* iter = nullptr;
  if (git_reference_iterator_new(&iter, repo.get()) == 0) {
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, iter) == 0) {
      ReferencePtr owner(ref);
      git_reference* resolved = nullptr;
      if (git_reference_resolve(&resolved, ref) != 0) continue;
      ReferencePtr resolved_owner(resolved);
      const git_oid* target = git_reference_target(resolved);
      if (target) tips.push_back({*target, git_reference_name(ref)});
    }
    git_reference_iterator_free(iter);
  }
  git_oid head;
  if (git_reference_name_to_id(&head, repo.get(), "HEAD") == 0) tips.push_back({head, "HEAD"});

  // Commits newest first (by committer time), like `git log --all`. The
  // queue owns the looked-up commits until they are popped.
  using Queued = std::pair<int64_t, git_commit*>;
  auto older = [](const Queued& a, const Queued& b) { return a.first < b.first; };
  std::priority_queue<Queued, std::vector<Queued>, decltype(older)> queue(older);
  OidSet queued_commits;
  auto enqueue = [&](const git_oid& id, const git_oid* child, bool is_parent) {
    if (!queued_commits.insert(id).second) return;
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo.get(), &id) != 0) {
      // Parents beyond a shallow boundary are absent by design.
      if (!(shallow && is_parent)) {
        walk.Missing(child ? "commit " + Hex(*child) : "", LastError("missing commit " + Hex(id)));
      }
      return;
    }
    queue.emplace(static_cast<int64_t>(git_commit_time(raw)), raw);
  };
  size_t missing_tips = 0;
  for (const Tip& tip : tips) {
    ObjectPtr obj = PeelTags(repo.get(), tip.id);
    if (!obj) {
      walk.Missing(tip.name, LastError("missing object " + Hex(tip.id) + " for " + tip.name));
      ++missing_tips;
      continue;
    }
    switch (git_object_type(obj.get())) {
      case GIT_OBJECT_COMMIT:
        enqueue(*git_object_id(obj.get()), nullptr, false);
        break;
      case GIT_OBJECT_TREE:
        walk.AddTree(*git_object_id(obj.get()), "");
        break;
      case GIT_OBJECT_BLOB:
        walk.AddBlob(*git_object_id(obj.get()), tip.name);
        break;
      default:
        break;
    }
  }
  while (!queue.empty()) {
    CommitPtr commit(queue.top().second);
    queue.pop();
    git_commit* raw = commit.get();
    const git_oid id = *git_commit_id(raw);
    progress_->Enumerated(1);
    CommitNode node{id, *git_commit_tree_id(raw), {}};
    unsigned parents = git_commit_parentcount(raw);
    for (unsigned i = 0; i < parents; ++i) {
      const git_oid* parent = git_commit_parent_id(raw, i);
      node.parents.push_back(*parent);
      enqueue(*parent, &id, true);
    }
    walk.AddTree(node.tree, "");
    commits_.push_back(std::move(node));
  }
  walk.WalkTrees(emit);

  if (options_.include_unreachable) {
    std::vector<git_oid> all;
    git_odb_foreach(
        odb.get(),
        [](const git_oid* id, void* payload) {
          static_cast<std::vector<git_oid>*>(payload)->push_back(*id);
          return 0;
        },
        &all);
    for (const git_oid& id : all) {
      if (walk.seen_blobs.contains(id) || walk.seen_trees.contains(id) || queued_commits.count(id)) {
        continue;
      }
      // Packed objects are typed from the pack (no git_odb_read_header pass,
      // which would inflate each delta chain); loose ones by their header.
      PackIndex::Entry e = walk.packs.Find(id);
      int type = e.order == UINT64_MAX ? 0 : e.size_known() ? e.type : walk.packs.ResolvedType(e.order);
      if (type == 0) {
        size_t size = 0;
        git_object_t loose_type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&size, &loose_type, odb.get(), &id) != 0) continue;
        type = loose_type == GIT_OBJECT_BLOB ? 3 : -1;
      }
      if (type == 3) walk.AddBlob(id, "unreachable:" + Hex(id));
    }
  }
  walk.EmitBlobs(emit);

  if (walk.missing > kMaxMissingReports) {
    errors->push_back({"", 0,
                       std::to_string(walk.missing - kMaxMissingReports) +
                           " more missing objects not listed",
                       false});
  }
  if (walk.submodules > 0) {
    errors->push_back({walk.first_submodule, 0,
                       std::to_string(walk.submodules) +
                           " submodule entr" + (walk.submodules == 1 ? "y" : "ies") +
                           " (gitlinks) not descended; scan submodules separately",
                       true});
  }
  if (walk.lfs > 0) {
    errors->push_back({walk.first_lfs, 0,
                       std::to_string(walk.lfs) +
                           " Git LFS pointer file(s): their content is stored outside the "
                           "repository and was not scanned",
                       true});
  }
  // A ref whose commit cannot be read leaves its whole history unscanned:
  // the scan is incomplete (exit 2), whatever else was found.
  if (missing_tips > 0)
    return Status::Error(std::to_string(missing_tips) +
                         " ref(s) point at missing objects: their history was not scanned");
  return Status::Ok();
}

void GitHistorySource::AddProvenance(std::vector<Finding>* findings) {
  // Targets: (path, blob) pairs of history findings without provenance yet.
  PathNode root;
  struct Target {
    PathNode* node;
    git_oid blob;
    long commit = -1;  // index into commits_ once found
  };
  std::vector<Target> targets;
  std::vector<long> finding_target(findings->size(), -1);
  for (size_t i = 0; i < findings->size(); ++i) {
    const Finding& f = (*findings)[i];
    git_oid blob;
    if (f.commit || !ParseOid(f.blob_id, &blob)) continue;
    const std::string& path = f.location.path;
    if (path.empty() || path.rfind("unreachable:", 0) == 0) continue;
    PathNode* node = &root;
    size_t start = 0;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string::npos) slash = path.size();
      auto& child = node->children[path.substr(start, slash - start)];
      if (!child) child = std::make_unique<PathNode>();
      node = child.get();
      start = slash + 1;
    }
    auto [it, inserted] = node->pending.try_emplace(blob, targets.size());
    if (inserted) targets.push_back({node, blob});
    finding_target[i] = static_cast<long>(it->second);
  }

  auto opened = OpenRepository(git_dir_.empty() ? path_ : git_dir_);
  if (!opened.ok()) return;
  git_repository* repo = opened.value().get();

  if (!targets.empty()) {
    // Topological order, parents first: the first commit whose tree has the
    // blob at the path is the one that introduced it there.
    OidMap<uint32_t> index;
    for (uint32_t i = 0; i < commits_.size(); ++i) index.emplace(commits_[i].id, i);
    std::vector<uint32_t> order;
    order.reserve(commits_.size());
    std::vector<uint8_t> state(commits_.size(), 0);  // 0 new, 1 open, 2 done
    std::vector<std::pair<uint32_t, size_t>> stack;
    // Start from the oldest commits so unrelated histories come oldest first.
    for (size_t s = commits_.size(); s-- > 0;) {
      if (state[s]) continue;
      stack.emplace_back(static_cast<uint32_t>(s), 0);
      state[s] = 1;
      while (!stack.empty()) {
        auto& [c, next] = stack.back();
        const auto& parents = commits_[c].parents;
        if (next < parents.size()) {
          auto it = index.find(parents[next++]);
          if (it != index.end() && state[it->second] == 0) {
            state[it->second] = 1;
            stack.emplace_back(it->second, 0);
          }
          continue;
        }
        state[c] = 2;
        order.push_back(c);
        stack.pop_back();
      }
    }

    size_t pending = targets.size();
    std::unordered_set<TreeAtNode, TreeAtNodeHash> visited;
    std::vector<std::pair<git_oid, const PathNode*>> work;
    for (uint32_t c : order) {
      if (pending == 0) break;
      work.clear();
      work.emplace_back(commits_[c].tree, &root);
      while (!work.empty()) {
        auto [tree_id, node] = work.back();
        work.pop_back();
        // A (tree, path) pair seen in an older commit holds nothing new.
        if (!visited.insert({tree_id, node}).second) continue;
        git_tree* raw = nullptr;
        if (git_tree_lookup(&raw, repo, &tree_id) != 0) continue;
        TreePtr tree(raw);
        for (const auto& [name, child] : node->children) {
          const git_tree_entry* e = git_tree_entry_byname(raw, name.c_str());
          if (!e) continue;
          git_object_t type = git_tree_entry_type(e);
          if (type == GIT_OBJECT_BLOB && !child->pending.empty()) {
            auto it = child->pending.find(*git_tree_entry_id(e));
            if (it != child->pending.end()) {
              Target& t = targets[it->second];
              if (t.commit < 0) {
                t.commit = c;
                --pending;
              }
            }
          } else if (type == GIT_OBJECT_TREE && !child->children.empty()) {
            work.emplace_back(*git_tree_entry_id(e), child.get());
          }
        }
      }
    }
  }

  std::map<long, CommitInfo> infos;
  CommitPtr head = HeadCommit(repo);
  LiveChecker live(repo, head.get());
  for (size_t i = 0; i < findings->size(); ++i) {
    Finding& f = (*findings)[i];
    if (f.blob_id.empty()) continue;
    long t = finding_target[i];
    if (t >= 0 && targets[t].commit >= 0) {
      long c = targets[t].commit;
      auto it = infos.find(c);
      if (it == infos.end()) {
        git_commit* raw = nullptr;
        if (git_commit_lookup(&raw, repo, &commits_[c].id) != 0) continue;
        CommitPtr commit(raw);
        it = infos.emplace(c, DescribeCommit(raw)).first;
      }
      f.commit = it->second;
      f.commit_path = f.location.path;
    }
    f.live = live.IsLive(f);
  }
}

}  // namespace

Result<std::unique_ptr<Source>> NewGitHistorySource(const std::string& repo_path,
                                                    GitOptions options) {
  auto repo = OpenRepository(repo_path);
  if (!repo.ok()) return repo.status();
  return std::unique_ptr<Source>(std::make_unique<GitHistorySource>(repo_path, options));
}

}  // namespace vigil
