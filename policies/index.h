// ResourceIndex: every manifest of the scanned tree, parsed, with the
// resources it declares indexed by kind/namespace/name, the kustomize and Flux
// structure that rewrites names and namespaces, and the SOPS configuration
// files. Internal to policies/ (the policy families read it in Finish()).
//
// Thread safety: AddFile() is synchronised (workers call it concurrently);
// Build() runs once, on one thread, after the walk; after it the accessors
// only read, and the policy families call them from several threads
// (RunFamilies settles the lazily sorted path table first; SharedProducers
// and SharedConsumers compute once under std::call_once).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policies/yaml_tree.h"
#include "scanner/core/inspector.h"

namespace vigil {

enum class FileFormat { kYaml, kJson, kDotenv, kIni, kBinary, kOther };

// One line of a dotenv/INI file.
struct FlatEntry {
  std::string section;  // INI section ("" for dotenv)
  std::string key;
  std::string value;
  uint32_t line = 0;
  uint32_t column = 1;
};

struct Resource;

struct ManifestFile {
  std::string path;  // relative to the scan root, '/'-separated
  FileFormat format = FileFormat::kOther;
  std::string raw;  // the text (kept for locations and snippets)
  std::vector<YDocument> docs;
  std::vector<FlatEntry> flat;  // dotenv / INI entries
  bool parsed = false;          // docs (or flat) hold the content
  bool sops_encrypted = false;  // carries SOPS metadata (any format)
  bool from_history = false;
  bool context = false;  // unchanged peer of a staged scan (findings on it are not reported)
  int sops_doc = -1;     // index of the first document with a `sops` key
  // The objects the documents declare (ExtractResources), without
  // placements: filled on the worker that parsed the file, moved into the
  // index by Build().
  std::vector<Resource> resources;
  bool extracted = false;
  size_t position = 0;  // in the index's files(), sorted by path (set by Build)
};

// A name/namespace rewrite applied by kustomize or Flux.
struct Rewrite {
  std::string by;    // "kustomize" or "flux"
  std::string path;  // kustomization.yaml or the Flux Kustomization file
  uint32_t line = 0;
  uint32_t column = 0;
  std::string namespace_;  // "" = unchanged
  std::string prefix;
  std::string suffix;
  std::string what;  // "namespace", "namePrefix", "targetNamespace", ...
};

// Where a resource ends up after every rewrite of one build (kustomize root
// or Flux Kustomization). A resource no build covers has one placement with
// its own metadata.
struct Placement {
  std::string namespace_;
  std::string name;
  std::vector<Rewrite> rewrites;
  std::string via;  // the root kustomization / Flux Kustomization path
};

struct Resource {
  const ManifestFile* file = nullptr;
  size_t doc = 0;
  const YNode* node = nullptr;  // the object (a document root or a List item)
  std::string api_version;
  std::string kind;
  std::string name;
  std::string namespace_;  // as written in metadata.namespace
  std::vector<Placement> placements;
  // True when the object carries a SOPS `sops` block (own document) or its file is encrypted.
  bool sops = false;
  // The pod specs in the object (maps with a `containers` list: FindPodSpecs),
  // found once when the file is loaded; several families walk them.
  std::vector<const YNode*> pod_specs;

  std::string Namespace() const;  // the first placement's namespace
  std::string Id() const;         // "Kind/ns/name" (ns omitted when empty)
  // metadata.annotations[key] / labels[key], or "" when absent.
  std::string Annotation(std::string_view key) const;
  std::string Label(std::string_view key) const;
  bool HasAnnotation(std::string_view key) const;
};

// Fills f->resources from its parsed documents (a document root, or the
// items of a List), with their kind, name, namespace and pod specs. Pure,
// per file: the linter's workers call it after parsing; Build() calls it for
// a file no one did.
void ExtractResources(ManifestFile* f);

struct Kustomization {
  const ManifestFile* file = nullptr;
  const YNode* node = nullptr;
  std::string dir;
};

struct SecretProducer;
struct SecretConsumer;

class ResourceIndex {
 public:
  ResourceIndex();
  ~ResourceIndex();

  // Adds one file (thread-safe). Files with the same path from history keep
  // their first working-tree version.
  void AddFile(std::unique_ptr<ManifestFile> file);
  // Records that a path exists and whether it holds SOPS markers (any file,
  // even ones not parsed), for secretGenerator / KSOPS source checks.
  void NotePath(std::string_view path, bool sops_markers, bool from_history);
  // NotePath and AddFile for a worker's batch, under one lock (in order
  // within the batch); empties both vectors.
  struct PathNote {
    std::string path;
    bool sops_markers = false;
    bool from_history = false;
  };
  void AddBatch(std::vector<PathNote>* notes, std::vector<std::unique_ptr<ManifestFile>>* files);
  // Records a path whose bytes were not read (a context blob handed over
  // path-only): PathHasSopsMarkers asks `probe` for it when a policy needs
  // to know, once (SetMarkerProbe).
  void NoteUnreadPath(std::string_view path, bool from_history);
  // NoteUnreadPath for many paths under one lock (a staged scan's context).
  void NoteUnreadPaths(std::span<const UnreadContext> paths);
  void SetMarkerProbe(std::function<bool(std::string_view)> probe) {
    marker_probe_ = std::move(probe);
  }

  // Builds resources, kustomize/Flux structure and placements. Call once.
  void Build();

  const std::vector<std::unique_ptr<ManifestFile>>& files() const { return files_; }
  const std::vector<Resource>& resources() const { return resources_; }
  const ManifestFile* File(std::string_view path) const;
  bool PathExists(std::string_view path) const;
  bool PathHasSopsMarkers(std::string_view path) const;
  bool DirExists(std::string_view dir) const;
  // Resources declared in a file (in document order).
  std::vector<const Resource*> InFile(const ManifestFile* file) const;
  // Resources of a kind (any apiVersion).
  std::vector<const Resource*> OfKind(std::string_view kind) const;
  // The kustomization of a directory, or nullptr.
  const Kustomization* KustomizationIn(std::string_view dir) const;
  const std::vector<Kustomization>& kustomizations() const { return kustomizations_; }
  // The nearest `.sops.yaml` at or above the file's directory, or nullptr.
  const ManifestFile* SopsConfigFor(std::string_view path) const;
  // Files included by a directory the way kustomize (kustomization.yaml) or
  // Flux (generated kustomization when absent) would build it, with the
  // rewrites applied on the way. Directories are '/'-separated, "" = root.
  struct Member {
    const ManifestFile* file = nullptr;  // a file of the index
    std::vector<Rewrite> rewrites;
  };
  std::vector<Member> Expand(const std::string& dir, bool flux_generated) const;
  // Directory of a Flux Kustomization's spec.path, resolved against the
  // ancestors of the file that declares it; "" and false when not found.
  bool ResolveFluxPath(const Resource& ks, std::string* dir) const;
  // All files under a directory (recursive).
  // (first_only: at most the first of them, for an existence test.)
  std::vector<const ManifestFile*> FilesUnder(std::string_view dir, bool first_only = false) const;
  // Secret-like producers: kind Secret, SealedSecret, ExternalSecret target,
  // secretGenerator ... indexed by "ns/name"; used by the xref checks.
  bool IsFluxKustomization(const Resource& r) const;

  // The Secret producers (CollectSecretProducers) and the consumers with the
  // default options (CollectSecretConsumers) of the built index, computed on
  // first use and kept: PULL, XREF and CSI all need them. Thread-safe (the
  // families call them from their threads).
  const std::vector<SecretProducer>& SharedProducers() const;
  const std::vector<SecretConsumer>& SharedConsumers() const;

 private:
  void ExpandInto(const std::string& dir, bool flux_generated, int depth, std::vector<Member>* out,
                  std::set<std::string>* seen) const;

  // Every noted path with its SOPS markers: kNoMarkers, kMarkers, or
  // kUnread (not read yet; PathHasSopsMarkers asks the probe and keeps the
  // answer, hence mutable). Flat, because a staged scan notes every file of
  // the repository (10,000 paths in the pre-commit benchmark): the texts
  // back to back in one string, fixed-size slots in a vector, sorted (and
  // duplicates merged, in the order the notes came) on the first query.
  // Directories are not stored: DirExists looks for a path below the
  // directory in the sorted slots.
  enum : uint8_t { kNoMarkers = 0, kMarkers = 1, kUnread = 2 };
  struct PathSlot {
    uint32_t offset = 0, length = 0;  // in path_text_
    uint8_t markers = kNoMarkers;
    bool unread_note = false;   // noted by NoteUnreadPath (merging duplicates)
    bool from_history = false;  // of the note (merging duplicates)
  };
  void NoteLocked(std::string_view path, uint8_t markers, bool unread_note, bool from_history);
  void AddFileLocked(std::unique_ptr<ManifestFile> file);
  std::string_view PathOf(const PathSlot& s) const {
    return std::string_view(path_text_).substr(s.offset, s.length);
  }
  // Sorts and merges the slots noted since the last call (single-threaded, after the walk).
  void SortPaths() const;
  // The slot of `path` among the sorted ones, or nullptr.
  PathSlot* FindSorted(std::string_view path) const;

  std::mutex mu_;
  std::vector<std::unique_ptr<ManifestFile>> files_;
  // Path -> position in files_ (the keys view the files' own paths).
  std::unordered_map<std::string_view, size_t> by_path_;
  bool built_ = false;  // Build() ran: files_ is sorted by path
  std::string path_text_;
  mutable std::vector<PathSlot> paths_;
  mutable size_t sorted_paths_ = 0;  // paths_[0, sorted_paths_) are sorted and unique
  std::function<bool(std::string_view)> marker_probe_;
  std::vector<Resource> resources_;
  std::multimap<const ManifestFile*, size_t> by_file_;
  std::vector<Kustomization> kustomizations_;
  // Hashed, looked up with string_views (directories share long prefixes:
  // ordered maps spent their time comparing them).
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using PathMap = std::unordered_map<std::string, V, PathHash, std::equal_to<>>;
  PathMap<size_t> kustomization_by_dir_;
  PathMap<const ManifestFile*> sops_configs_;  // dir -> file
  struct Shared;  // SharedProducers / SharedConsumers (index.cc)
  std::unique_ptr<Shared> shared_;
};

// Path helpers ('/'-separated, relative).
std::string DirName(std::string_view path);   // "a/b/c.yaml" -> "a/b"; "c.yaml" -> ""
std::string BaseName(std::string_view path);  // "a/b/c.yaml" -> "c.yaml"
std::string JoinPath(std::string_view dir, std::string_view rel);  // normalises ./ and ../
// True for kinds kustomize treats as cluster-scoped (no namespace applied).
bool IsClusterScopedKind(std::string_view kind);

}  // namespace vigil
