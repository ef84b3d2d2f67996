// ResourceIndex (see index.h).
#include "policies/index.h"

#include <algorithm>
#include <mutex>
#include <unordered_set>
#include <utility>

#include "policies/policy.h"
#include "policies/secret_graph.h"

namespace vigil {

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  return std::string(path.substr(0, slash));
}

std::string BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::string(path);
  return std::string(path.substr(slash + 1));
}

std::string JoinPath(std::string_view dir, std::string_view rel) {
  std::vector<std::string> parts;
  auto push = [&parts](std::string_view s) {
    size_t start = 0;
    while (start <= s.size()) {
      size_t slash = s.find('/', start);
      if (slash == std::string_view::npos) slash = s.size();
      std::string_view part = s.substr(start, slash - start);
      if (part.empty() || part == ".") {
      } else if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else {
        parts.emplace_back(part);
      }
      start = slash + 1;
    }
  };
  if (!rel.empty() && rel[0] != '/') push(dir);
  push(rel);
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

bool IsClusterScopedKind(std::string_view kind) {
  static const std::set<std::string, std::less<>> kKinds = {"Namespace",
                                                            "ClusterRole",
                                                            "ClusterRoleBinding",
                                                            "CustomResourceDefinition",
                                                            "ClusterSecretStore",
                                                            "ClusterExternalSecret",
                                                            "ClusterPushSecret",
                                                            "ClusterIssuer",
                                                            "StorageClass",
                                                            "PersistentVolume",
                                                            "PriorityClass",
                                                            "ValidatingWebhookConfiguration",
                                                            "MutatingWebhookConfiguration",
                                                            "APIService",
                                                            "ClusterPolicy",
                                                            "Node",
                                                            "CSIDriver",
                                                            "IngressClass",
                                                            "RuntimeClass",
                                                            "VolumeSnapshotClass"};
  return kKinds.count(kind) > 0;
}

std::string Resource::Namespace() const {
  if (!placements.empty()) return placements[0].namespace_;
  return namespace_;
}

std::string Resource::Id() const {
  std::string ns = Namespace();
  std::string nm = placements.empty() ? name : placements[0].name;
  return kind + "/" + (ns.empty() ? "" : ns + "/") + nm;
}

static const YNode* MetaMap(const YNode* node, std::string_view which) {
  if (node == nullptr) return nullptr;
  const YNode* meta = node->Get("metadata");
  if (meta == nullptr) return nullptr;
  return meta->Get(which);
}

std::string Resource::Annotation(std::string_view key) const {
  const YNode* a = MetaMap(node, "annotations");
  return a ? a->Str(key) : "";
}

std::string Resource::Label(std::string_view key) const {
  const YNode* a = MetaMap(node, "labels");
  return a ? a->Str(key) : "";
}

bool Resource::HasAnnotation(std::string_view key) const {
  const YNode* a = MetaMap(node, "annotations");
  return a != nullptr && a->Get(key) != nullptr;
}

void ExtractResources(ManifestFile* f) {
  f->resources.clear();
  f->extracted = true;
  for (size_t d = 0; d < f->docs.size(); ++d) {
    const YNode& root = f->docs[d].root;
    if (!root.IsMap()) continue;
    bool doc_sops = root.Get("sops") != nullptr || f->sops_encrypted;
    auto add = [&](const YNode& obj) {
      if (!obj.IsMap()) return;
      Resource r;
      r.file = f;
      r.doc = d;
      r.node = &obj;
      r.api_version = obj.Str("apiVersion");
      r.kind = obj.Str("kind");
      if (const YNode* meta = obj.Get("metadata")) {
        r.name = meta->Str("name");
        r.namespace_ = meta->Str("namespace");
      }
      r.sops = doc_sops;
      FindPodSpecs(obj, &r.pod_specs);
      f->resources.push_back(std::move(r));
    };
    const YNode* kind_node = root.Get("kind");
    if (kind_node == nullptr || !kind_node->IsScalar() || kind_node->value.empty()) continue;
    const std::string& kind = kind_node->value;
    const YNode* items = root.Get("items");
    if ((kind == "List" || (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0)) &&
        items != nullptr && items->IsSeq()) {
      for (const YNode& item : items->values) add(item);
    } else {
      add(root);
    }
  }
}

struct ResourceIndex::Shared {
  std::once_flag producers_once, consumers_once;
  std::vector<SecretProducer> producers;
  std::vector<SecretConsumer> consumers;
};

ResourceIndex::ResourceIndex() : shared_(std::make_unique<Shared>()) {}
ResourceIndex::~ResourceIndex() = default;

const std::vector<SecretProducer>& ResourceIndex::SharedProducers() const {
  std::call_once(shared_->producers_once,
                 [this] { shared_->producers = CollectSecretProducers(*this); });
  return shared_->producers;
}

const std::vector<SecretConsumer>& ResourceIndex::SharedConsumers() const {
  std::call_once(shared_->consumers_once,
                 [this] { shared_->consumers = CollectSecretConsumers(*this); });
  return shared_->consumers;
}

void ResourceIndex::AddFile(std::unique_ptr<ManifestFile> file) {
  std::lock_guard<std::mutex> lock(mu_);
  AddFileLocked(std::move(file));
}

void ResourceIndex::AddFileLocked(std::unique_ptr<ManifestFile> file) {
  auto it = by_path_.find(file->path);
  if (it != by_path_.end()) {
    // Prefer the working-tree version; otherwise keep the first one seen.
    if (files_[it->second]->from_history && !file->from_history) {
      size_t i = it->second;
      by_path_.erase(it);  // its key is the old file's path
      files_[i] = std::move(file);
      by_path_.emplace(files_[i]->path, i);
    }
    return;
  }
  by_path_.emplace(file->path, files_.size());
  files_.push_back(std::move(file));
}

void ResourceIndex::AddBatch(std::vector<PathNote>* notes,
                             std::vector<std::unique_ptr<ManifestFile>>* files) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const PathNote& n : *notes) {
      NoteLocked(n.path, n.sops_markers ? kMarkers : kNoMarkers, false, n.from_history);
    }
    for (auto& f : *files) AddFileLocked(std::move(f));
  }
  notes->clear();
  files->clear();
}

void ResourceIndex::NotePath(std::string_view path, bool sops_markers, bool from_history) {
  std::lock_guard<std::mutex> lock(mu_);
  NoteLocked(path, sops_markers ? kMarkers : kNoMarkers, false, from_history);
}

void ResourceIndex::NoteUnreadPath(std::string_view path, bool from_history) {
  std::lock_guard<std::mutex> lock(mu_);
  NoteLocked(path, kUnread, true, from_history);
}

void ResourceIndex::NoteUnreadPaths(std::span<const UnreadContext> paths) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t bytes = 0;
  for (const UnreadContext& p : paths) bytes += p.path.size();
  path_text_.reserve(path_text_.size() + bytes);
  paths_.reserve(paths_.size() + paths.size());
  for (const UnreadContext& p : paths) NoteLocked(p.path, kUnread, true, p.from_history);
}

// A later note of a path already noted: NotePath's answer replaces what is
// known unless it comes from history and the path was read already;
// NoteUnreadPath changes nothing.
static void MergeNote(uint8_t* markers, uint8_t incoming, bool unread_note, bool from_history,
                      uint8_t unread) {
  if (unread_note) return;
  if (!from_history || *markers == unread) *markers = incoming;
}

void ResourceIndex::NoteLocked(std::string_view path, uint8_t markers, bool unread_note,
                               bool from_history) {
  if (sorted_paths_ > 0) {
    if (PathSlot* s = FindSorted(path)) {
      MergeNote(&s->markers, markers, unread_note, from_history, kUnread);
      return;
    }
  }
  PathSlot slot;
  slot.offset = static_cast<uint32_t>(path_text_.size());
  slot.length = static_cast<uint32_t>(path.size());
  slot.markers = markers;
  slot.unread_note = unread_note;
  slot.from_history = from_history;
  path_text_.append(path);
  paths_.push_back(slot);
}

void ResourceIndex::SortPaths() const {
  if (sorted_paths_ == paths_.size()) return;
  auto less = [this](const PathSlot& a, const PathSlot& b) { return PathOf(a) < PathOf(b); };
  // Usually sorted already (a staged scan notes in index order); a stable
  // sort keeps the notes of one path in the order they came.
  if (!std::is_sorted(paths_.begin(), paths_.end(), less)) {
    std::stable_sort(paths_.begin(), paths_.end(), less);
  }
  size_t out = 0;
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (out > 0 && PathOf(paths_[out - 1]) == PathOf(paths_[i])) {
      const PathSlot& later = paths_[i];
      MergeNote(&paths_[out - 1].markers, later.markers, later.unread_note, later.from_history,
                kUnread);
      continue;
    }
    paths_[out++] = paths_[i];
  }
  paths_.resize(out);
  sorted_paths_ = out;
}

ResourceIndex::PathSlot* ResourceIndex::FindSorted(std::string_view path) const {
  auto end = paths_.begin() + static_cast<std::ptrdiff_t>(sorted_paths_);
  auto it =
      std::lower_bound(paths_.begin(), end, path,
                       [this](const PathSlot& s, std::string_view p) { return PathOf(s) < p; });
  return it != end && PathOf(*it) == path ? &*it : nullptr;
}

const ManifestFile* ResourceIndex::File(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : files_[it->second].get();
}

bool ResourceIndex::PathExists(std::string_view path) const {
  if (by_path_.count(path) > 0) return true;
  SortPaths();
  return FindSorted(path) != nullptr;
}

bool ResourceIndex::PathHasSopsMarkers(std::string_view path) const {
  const ManifestFile* f = File(path);
  if (f != nullptr && f->sops_encrypted) return true;
  SortPaths();
  PathSlot* s = FindSorted(path);
  if (s == nullptr) return false;
  if (s->markers == kUnread) {
    // Read on demand (Finish runs on one thread); the slot keeps the answer.
    s->markers = marker_probe_ && marker_probe_(path) ? kMarkers : kNoMarkers;
  }
  return s->markers == kMarkers;
}

bool ResourceIndex::DirExists(std::string_view dir) const {
  // A directory exists when a noted path or an added file lies below it
  // ("" when there is any).
  if (dir.empty()) return !paths_.empty() || !by_path_.empty();
  std::string prefix = std::string(dir) + "/";
  auto below = [&prefix](std::string_view p) {
    return p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0;
  };
  if (!FilesUnder(dir, true).empty()) return true;
  SortPaths();
  auto end = paths_.begin() + static_cast<std::ptrdiff_t>(sorted_paths_);
  auto it =
      std::lower_bound(paths_.begin(), end, std::string_view(prefix),
                       [this](const PathSlot& s, std::string_view p) { return PathOf(s) < p; });
  return it != end && below(PathOf(*it));
}

std::vector<const Resource*> ResourceIndex::InFile(const ManifestFile* file) const {
  std::vector<const Resource*> out;
  auto [lo, hi] = by_file_.equal_range(file);
  for (auto it = lo; it != hi; ++it) out.push_back(&resources_[it->second]);
  return out;
}

std::vector<const Resource*> ResourceIndex::OfKind(std::string_view kind) const {
  std::vector<const Resource*> out;
  for (const auto& r : resources_) {
    if (r.kind == kind) out.push_back(&r);
  }
  return out;
}

const Kustomization* ResourceIndex::KustomizationIn(std::string_view dir) const {
  auto it = kustomization_by_dir_.find(dir);
  return it == kustomization_by_dir_.end() ? nullptr : &kustomizations_[it->second];
}

const ManifestFile* ResourceIndex::SopsConfigFor(std::string_view path) const {
  std::string dir = DirName(path);
  for (int guard = 0; guard < 100; ++guard) {
    auto it = sops_configs_.find(dir);
    if (it != sops_configs_.end()) return it->second;
    if (dir.empty()) break;
    dir = DirName(dir);
  }
  return nullptr;
}

std::vector<const ManifestFile*> ResourceIndex::FilesUnder(std::string_view dir,
                                                           bool first_only) const {
  std::vector<const ManifestFile*> out;
  std::string prefix = dir.empty() ? "" : std::string(dir) + "/";
  auto below = [&prefix](const std::string& p) { return p.compare(0, prefix.size(), prefix) == 0; };
  if (!built_) {
    // Not sorted yet: every file is looked at.
    for (const auto& f : files_) {
      if (!below(f->path)) continue;
      out.push_back(f.get());
      if (first_only) break;
    }
    return out;
  }
  // Sorted by path (Build): the paths below "dir/" are one run.
  auto it = std::lower_bound(files_.begin(), files_.end(), std::string_view(prefix),
                             [](const std::unique_ptr<ManifestFile>& f, std::string_view p) {
                               return std::string_view(f->path) < p;
                             });
  for (; it != files_.end() && below((*it)->path); ++it) {
    out.push_back(it->get());
    if (first_only) break;
  }
  return out;
}

bool ResourceIndex::IsFluxKustomization(const Resource& r) const {
  return r.kind == "Kustomization" && r.api_version.rfind("kustomize.toolkit.fluxcd.io", 0) == 0;
}

static bool IsRemote(std::string_view s) {
  return s.find("://") != std::string_view::npos || s.rfind("github.com/", 0) == 0 ||
         s.rfind("git@", 0) == 0;
}

void ResourceIndex::ExpandInto(const std::string& dir, bool flux_generated, int depth,
                               std::vector<Member>* out, std::set<std::string>* seen) const {
  if (depth > 32 || !seen->insert(dir).second) return;
  const Kustomization* k = KustomizationIn(dir);
  if (k == nullptr) {
    if (!flux_generated) return;
    // Flux generates a kustomization: every manifest below, except that a
    // subdirectory holding its own kustomization is included as a whole.
    std::set<std::string> sub_done;
    for (const ManifestFile* f : FilesUnder(dir)) {
      std::string fdir = DirName(f->path);
      std::string sub;
      // Topmost directory between dir (exclusive) and fdir (inclusive) with a kustomization.
      std::string d = fdir;
      while (d.size() > dir.size()) {
        if (KustomizationIn(d) != nullptr) sub = d;
        d = DirName(d);
      }
      if (!sub.empty()) {
        if (sub_done.insert(sub).second) ExpandInto(sub, false, depth + 1, out, seen);
        continue;
      }
      std::string base = BaseName(f->path);
      if (base.empty() || base[0] == '.') continue;  // .sops.yaml and friends
      if (f->format != FileFormat::kYaml && f->format != FileFormat::kJson) continue;
      out->push_back(Member{f, {}});
    }
    return;
  }
  std::vector<Member> mine;
  auto add_entries = [&](const YNode* list) {
    if (list == nullptr || !list->IsSeq()) return;
    for (const YNode& item : list->values) {
      if (!item.IsScalar() || IsRemote(item.value)) continue;
      std::string p = JoinPath(dir, item.value);
      if (const ManifestFile* f = File(p)) {
        mine.push_back(Member{f, {}});
      } else if (KustomizationIn(p) != nullptr) {
        std::vector<Member> sub;
        ExpandInto(p, false, depth + 1, &sub, seen);
        for (auto& m : sub) mine.push_back(std::move(m));
      }
    }
  };
  add_entries(k->node->Get("resources"));
  add_entries(k->node->Get("bases"));
  add_entries(k->node->Get("components"));
  Rewrite rw;
  rw.by = "kustomize";
  rw.path = k->file->path;
  std::string ns = k->node->Str("namespace");
  std::string prefix = k->node->Str("namePrefix");
  std::string suffix = k->node->Str("nameSuffix");
  const YNode* at = k->node->KeyNode(!ns.empty()       ? "namespace"
                                     : !prefix.empty() ? "namePrefix"
                                                       : "nameSuffix");
  if (at != nullptr) {
    rw.line = at->line;
    rw.column = at->column;
  }
  rw.namespace_ = ns;
  rw.prefix = prefix;
  rw.suffix = suffix;
  rw.what = !ns.empty() ? "namespace" : !prefix.empty() ? "namePrefix" : "nameSuffix";
  bool rewrites = !ns.empty() || !prefix.empty() || !suffix.empty();
  for (auto& m : mine) {
    if (rewrites) m.rewrites.push_back(rw);
    out->push_back(std::move(m));
  }
}

std::vector<ResourceIndex::Member> ResourceIndex::Expand(const std::string& dir,
                                                         bool flux_generated) const {
  std::vector<Member> out;
  std::set<std::string> seen;
  ExpandInto(dir, flux_generated, 0, &out, &seen);
  return out;
}

bool ResourceIndex::ResolveFluxPath(const Resource& ks, std::string* dir) const {
  const YNode* spec = ks.node->Get("spec");
  std::string rel = spec ? spec->Str("path") : "";
  if (rel.empty()) rel = ".";
  if (rel.find("${") != std::string::npos || rel.find("{{") != std::string::npos) return false;
  // spec.path is relative to the source root; try every ancestor of the file.
  std::string base = DirName(ks.file->path);
  while (true) {
    std::string candidate = JoinPath(base, rel);
    if (candidate != base || rel == "." || rel == "./") {
      if (DirExists(candidate) && (!FilesUnder(candidate, true).empty() || candidate.empty())) {
        // Accept only a directory that is not the declaring file's own
        // ancestor chain unless spec.path says so.
        *dir = candidate;
        return true;
      }
    }
    if (base.empty()) break;
    base = DirName(base);
  }
  return false;
}

void ResourceIndex::Build() {
  std::sort(files_.begin(), files_.end(),
            [](const auto& a, const auto& b) { return a->path < b->path; });
  for (size_t i = 0; i < files_.size(); ++i) {
    by_path_[files_[i]->path] = i;
    files_[i]->position = i;
  }
  built_ = true;
  // Resources.
  size_t count = 0;
  for (const auto& f : files_) {
    if (!f->extracted) ExtractResources(f.get());
    count += f->resources.size();
  }
  resources_.reserve(count);
  for (const auto& f : files_) {
    for (Resource& r : f->resources) resources_.push_back(std::move(r));
    f->resources.clear();
    f->resources.shrink_to_fit();
    std::string_view base = std::string_view(f->path).substr(f->path.rfind('/') + 1);
    if (base == ".sops.yaml") sops_configs_[DirName(f->path)] = f.get();
    if ((base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization") &&
        !f->docs.empty() && f->docs[0].root.IsMap()) {
      const YNode& root = f->docs[0].root;
      std::string api = root.Str("apiVersion");
      if (api.rfind("kustomize.toolkit.fluxcd.io", 0) != 0) {
        Kustomization k;
        k.file = f.get();
        k.node = &root;
        k.dir = DirName(f->path);
        kustomization_by_dir_[k.dir] = kustomizations_.size();
        kustomizations_.push_back(k);
      }
    }
  }
  // Builds: Flux Kustomizations, then kustomize roots not covered by Flux.
  // By file position (every member is a file of the index).
  std::vector<std::vector<std::pair<std::string, std::vector<Rewrite>>>> chains(files_.size());
  std::unordered_set<std::string> covered_dirs;
  for (const auto& r : resources_) {
    if (!IsFluxKustomization(r) || r.file->from_history) continue;
    std::string dir;
    if (!ResolveFluxPath(r, &dir)) continue;
    covered_dirs.insert(dir);
    const YNode* spec = r.node->Get("spec");
    Rewrite flux;
    flux.by = "flux";
    flux.path = r.file->path;
    flux.what = "targetNamespace";
    if (spec != nullptr) {
      flux.namespace_ = spec->Str("targetNamespace");
      if (const YNode* k = spec->KeyNode("targetNamespace")) {
        flux.line = k->line;
        flux.column = k->column;
      }
    }
    for (auto& m : Expand(dir, true)) {
      if (!flux.namespace_.empty()) m.rewrites.push_back(flux);
      chains[m.file->position].emplace_back(r.file->path + "#" + r.name, std::move(m.rewrites));
    }
  }
  std::unordered_set<std::string> referenced;
  for (const auto& k : kustomizations_) {
    for (const char* field : {"resources", "bases", "components"}) {
      const YNode* list = k.node->Get(field);
      if (list == nullptr || !list->IsSeq()) continue;
      for (const YNode& item : list->values) {
        if (item.IsScalar()) referenced.insert(JoinPath(k.dir, item.value));
      }
    }
  }
  for (const auto& k : kustomizations_) {
    if (referenced.count(k.dir) || covered_dirs.count(k.dir)) continue;
    for (auto& m : Expand(k.dir, false)) {
      auto& chain = chains[m.file->position];
      if (!chain.empty() && m.rewrites.empty()) continue;
      chain.emplace_back(k.file->path, std::move(m.rewrites));
    }
  }
  for (size_t i = 0; i < resources_.size(); ++i) by_file_.emplace(resources_[i].file, i);
  for (auto& r : resources_) {
    const auto& chain = chains[r.file->position];
    bool cluster = IsClusterScopedKind(r.kind);
    if (chain.empty()) {
      r.placements.push_back(Placement{cluster ? "" : r.namespace_, r.name, {}, ""});
      continue;
    }
    for (const auto& [via, rewrites] : chain) {
      Placement p{cluster ? "" : r.namespace_, r.name, {}, via};
      for (const Rewrite& rw : rewrites) {
        bool applies = false;
        if (!rw.namespace_.empty() && !cluster) {
          p.namespace_ = rw.namespace_;
          applies = true;
        }
        if (!rw.prefix.empty() || !rw.suffix.empty()) {
          p.name = rw.prefix + p.name + rw.suffix;
          applies = true;
        }
        if (applies) p.rewrites.push_back(rw);
      }
      bool dup = false;
      for (const auto& q : r.placements) {
        if (q.namespace_ == p.namespace_ && q.name == p.name) dup = true;
      }
      if (!dup) r.placements.push_back(std::move(p));
    }
  }
}

}  // namespace vigil
