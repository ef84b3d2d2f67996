// The manifest linter Inspector, the policy catalog loader and the example
// checker (see linter.h and policy.h).
#include "policies/linter.h"

#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <exception>
#include <future>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <tuple>
#include <utility>

#include "policies/graph.h"
#include "policies/index.h"
#include "policies/policy.h"
#include "policies/x509.h"
#include "policies/yaml_tree.h"

namespace vigil {

struct EmbeddedPolicyFile {
  const char* name;
  const char* text;
};
extern const EmbeddedPolicyFile kEmbeddedPolicyFiles[];
extern const size_t kEmbeddedPolicyFileCount;

// Families of issue 5 (policies/pull.cc, ...).
void RunPullPolicies(LintContext& ctx);
void RunXrefPolicies(LintContext& ctx);
void RunVaultPolicies(LintContext& ctx);
void RunEsoPolicies(LintContext& ctx);
void RunCsiPolicies(LintContext& ctx);

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

std::vector<std::string> StrList(const YNode* n) {
  std::vector<std::string> out;
  if (n == nullptr) return out;
  if (n->IsScalar()) {
    out.push_back(n->value);
  } else if (n->IsSeq()) {
    for (const auto& v : n->values) {
      if (v.IsScalar()) out.push_back(v.value);
    }
  }
  return out;
}

std::vector<PolicyMeta> LoadCatalog(std::vector<std::string>* errors) {
  std::vector<PolicyMeta> out;
  for (size_t i = 0; i < kEmbeddedPolicyFileCount; ++i) {
    const EmbeddedPolicyFile& f = kEmbeddedPolicyFiles[i];
    if (f.name == nullptr) continue;
    std::vector<YDocument> docs;
    uint32_t line = 0;
    Status st = ParseYaml(f.text, &docs, &line);
    if (!st.ok() || docs.empty() || !docs[0].root.IsMap()) {
      errors->push_back(std::string(f.name) + ":" + std::to_string(line) + ": " + st.message());
      continue;
    }
    const YNode& root = docs[0].root;
    std::string family = root.Str("family");
    const YNode* policies = root.Get("policies");
    if (policies == nullptr || !policies->IsSeq()) {
      errors->push_back(std::string(f.name) + ": no policies list");
      continue;
    }
    for (const YNode& p : policies->values) {
      PolicyMeta m;
      m.family = family;
      m.info.id = p.Str("id");
      m.info.name = p.Str("title");
      m.info.description = p.Str("description");
      m.info.remediation = p.Str("remediation");
      m.info.references = StrList(p.Get("references"));
      m.info.tags = StrList(p.Get("tags"));
      m.info.kind = FindingKind::kPolicy;
      auto sev = ParseSeverity(p.Str("severity"));
      if (!sev) errors->push_back(std::string(f.name) + ": " + m.info.id + ": bad severity");
      m.info.severity = sev.value_or(Severity::kMedium);
      if (const YNode* ex = p.Get("examples"); ex != nullptr && ex->IsSeq()) {
        for (const YNode& e : ex->values) {
          PolicyExample pe;
          pe.name = e.Str("name");
          pe.fire = e.Str("expect") != "pass";
          pe.now = e.Str("now");
          if (const YNode* files = e.Get("files"); files != nullptr && files->IsMap()) {
            for (size_t k = 0; k < files->keys.size(); ++k) {
              pe.files[files->keys[k].value] = files->values[k].value;
            }
          }
          if (const YNode* man = e.Get("manifest"); man != nullptr && man->IsScalar()) {
            std::string fname = e.Str("path");
            pe.files[fname.empty() ? "example.yaml" : fname] = man->value;
          }
          m.examples.push_back(std::move(pe));
        }
      }
      if (m.info.id.empty()) {
        errors->push_back(std::string(f.name) + ": policy without id");
        continue;
      }
      out.push_back(std::move(m));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const PolicyMeta& a, const PolicyMeta& b) { return a.info.id < b.info.id; });
  return out;
}

// --- the Inspector -----------------------------------------------------

// From this many files on, the families run on several threads.
constexpr size_t kParallelFamiliesFrom = 64;

struct SharedState {
  ResourceIndex index;
  LintOptions options;
  // The policy catalog (embedded YAML, ~8 ms to parse) is loaded on another
  // thread once the walk has seen enough files of its own (not a staged
  // scan's context) for the families to run in parallel (RunFamilies), so
  // Finish does not wait for it on its own.
  std::atomic<size_t> files_seen{0};
  std::future<void> catalog_preload;
};

bool IsYamlPath(std::string_view path) {
  std::string base = BaseName(path);
  std::string lower = Lower(base);
  return EndsWith(lower, ".yaml") || EndsWith(lower, ".yml") || EndsWith(lower, ".json") ||
         base == "Kustomization";
}

void ParseFlat(ManifestFile* f) {
  std::string_view text = f->raw;
  std::string section;
  uint32_t line = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    ++line;
    pos = nl + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    size_t start = l.find_first_not_of(" \t");
    if (start == std::string_view::npos) continue;
    std::string_view t = l.substr(start);
    if (t[0] == '#' || t[0] == ';') continue;
    if (f->format == FileFormat::kIni && t[0] == '[') {
      size_t close = t.find(']');
      section =
          std::string(t.substr(1, close == std::string_view::npos ? t.size() - 1 : close - 1));
      if (section == "sops") f->sops_encrypted = true;
      continue;
    }
    size_t eq = t.find('=');
    if (eq == std::string_view::npos) continue;
    FlatEntry e;
    e.section = section;
    std::string_view k = t.substr(0, eq);
    while (!k.empty() && (k.back() == ' ' || k.back() == '\t')) k.remove_suffix(1);
    if (k.rfind("export ", 0) == 0) k.remove_prefix(7);
    std::string_view v = t.substr(eq + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    e.key = std::string(k);
    e.value = std::string(v);
    e.line = line;
    e.column = static_cast<uint32_t>(start + 1);
    if (f->format == FileFormat::kDotenv && e.key.rfind("sops_", 0) == 0) f->sops_encrypted = true;
    f->flat.push_back(std::move(e));
    if (f->flat.size() > 100000) break;
  }
  f->parsed = true;
}

bool DocHasSops(const YNode& root) {
  const YNode* s = root.Get("sops");
  return s != nullptr && s->IsMap() && !s->keys.empty();
}

// Parses a kept file's text into f (YAML/JSON documents or flat entries).
// Parse problems go to *errors (nullptr: dropped).
void LoadManifest(ManifestFile* f, bool yaml_like, std::vector<ScanError>* errors) {
  if (yaml_like) {
    uint32_t line = 0;
    Status st = ParseYaml(f->raw, &f->docs, &line);
    if (!st.ok()) {
      f->docs.clear();
      if (errors != nullptr) {
        ScanError e;
        e.path = f->path;
        e.line = line;
        if (LooksLikeTemplate(f->raw)) {
          e.message = "skipped: template syntax (not YAML until rendered; secret scan only)";
        } else {
          e.message = "not parsed as YAML: " + st.message();
        }
        e.warning = true;
        errors->push_back(std::move(e));
      }
      return;
    }
    f->parsed = true;
    for (size_t d = 0; d < f->docs.size(); ++d) {
      if (DocHasSops(f->docs[d].root)) {
        f->sops_encrypted = true;
        if (f->sops_doc < 0) f->sops_doc = static_cast<int>(d);
      }
    }
  } else if (f->format == FileFormat::kDotenv || f->format == FileFormat::kIni) {
    ParseFlat(f);
  }
}

bool IsStructuralFile(std::string_view path, std::string_view data) {
  std::string base = BaseName(path);
  return base == ".sops.yaml" || base == ".sops.yml" || base == "kustomization.yaml" ||
         base == "kustomization.yml" || base == "Kustomization" ||
         Contains(data, "kustomize.toolkit.fluxcd.io");
}

// Context files parsed in any case: they decide how every file is read.
bool IsAlwaysContext(std::string_view path, std::string_view data) {
  std::string base = BaseName(path);
  return base == ".sops.yaml" || base == ".sops.yml" ||
         Contains(data, "kustomize.toolkit.fluxcd.io");
}

bool IsKustomizationPath(std::string_view path) {
  std::string base = BaseName(path);
  return base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization";
}

// True when `token` occurs in `text` as a whole YAML scalar or flow item
// (not as part of a longer word: "registry" does not match "registry.internal").
bool MentionsToken(std::string_view text, std::string_view token) {
  auto before_ok = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == ':' || c == '[' ||
           c == '{' || c == ',' || c == '/' || c == '=';
  };
  auto after_ok = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == ',' ||
           c == ']' || c == '}' || c == '#' || c == '/';
  };
  for (size_t p = text.find(token); p != std::string_view::npos; p = text.find(token, p + 1)) {
    bool b = p == 0 || before_ok(text[p - 1]);
    size_t e = p + token.size();
    bool a = e >= text.size() || after_ok(text[e]);
    if (b && a) return true;
  }
  return false;
}

// The context of a staged scan: unchanged files waiting to be parsed only
// if a staged file can be affected by them (see ManifestLinter::Finish).
struct PendingFile {
  std::unique_ptr<ManifestFile> file;
  bool yaml_like = false;
};

struct ContextState {
  std::mutex mu;
  std::set<std::string> changed;          // paths of the non-context blobs
  std::vector<PendingFile> pending;       // context files not parsed yet
  std::span<const UnreadContext> unread;  // context not read in the walk (set before Finish)
  bool any = false;                       // a context blob was seen
  ContextFetch fetch;                     // reads an unread one (set before Finish)
};

bool HasSopsMarkers(std::string_view data) {
  return Contains(data, "ENC[AES256_GCM") && (Contains(data, "sops") || Contains(data, "[sops]"));
}

// Whether the linter reads a context blob during the walk: SOPS
// configurations, kustomizations, dotenv and INI files and the usual names
// of certificates and keys. Any other unchanged file is known by its path
// only and read on demand (ContextFetch): other manifests when the change
// can need them (ManifestLinter::LoadContext), any file when a policy asks
// whether it carries SOPS markers (a secretGenerator or KSOPS source) or a
// structural file changed (then every context file is looked at).
bool ContextReadDuringWalk(std::string_view path) {
  // Called for every context file (10,000 in a pre-commit run of a large
  // repository): decided by the extension first, lower-cased on the stack.
  std::string_view base = path.substr(path.rfind('/') + 1);
  if (base == "Kustomization") return true;
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || base.size() - dot - 1 > 4) return false;
  auto lower = [](std::string_view in, char* buf) {
    for (size_t i = 0; i < in.size(); ++i) {
      char c = in[i];
      buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return std::string_view(buf, in.size());
  };
  char ext_buf[4];
  std::string_view ext = lower(base.substr(dot + 1), ext_buf);
  if (ext == "yaml" || ext == "yml") {
    // .sops.yaml, kustomization.yaml (and .yml).
    std::string_view stem = base.substr(0, dot);
    if (stem.size() != 5 && stem.size() != 13) return false;
    char stem_buf[13];
    std::string_view s = lower(stem, stem_buf);
    return s == ".sops" || s == "kustomization";
  }
  for (std::string_view e :
       {"env", "ini", "pem", "crt", "cer", "cert", "key", "pub", "asc", "age"}) {
    if (ext == e) return true;
  }
  return false;
}

class LinterWorker : public InspectorWorker {
 public:
  LinterWorker(SharedState* state, ContextState* context) : state_(state), context_(context) {}
  // The pipeline destroys its workers before it calls Finish.
  ~LinterWorker() override { Flush(); }

  void Inspect(const BlobRef& blob, std::vector<Finding>* /*out*/,
               std::vector<ScanError>* errors) override {
    std::string_view data = blob.data;
    if (!blob.context &&
        state_->files_seen.fetch_add(1, std::memory_order_relaxed) + 1 == kParallelFamiliesFrom) {
      state_->catalog_preload = std::async(std::launch::async, [] { (void)Catalog(); });
    }
    std::string path(blob.path);
    bool sops_markers = HasSopsMarkers(data);
    // Notes, changed paths and parsed files wait in the worker and go to the
    // shared index in batches, one lock each (the index is read only after
    // the walk).
    if (notes_.size() >= kBatch) Flush();
    notes_.push_back({path, sops_markers, blob.from_history});
    if (!blob.context) changed_.push_back(path);
    if (data.size() > (8u << 20)) return;
    std::string base = BaseName(path);
    std::string lower = Lower(base);
    bool yaml = IsYamlPath(path);
    bool dotenv = EndsWith(lower, ".env") || lower == ".env";
    bool ini = EndsWith(lower, ".ini");
    bool key_material = Contains(data, "AGE-SECRET-KEY-1") || Contains(data, "PRIVATE KEY-----") ||
                        Contains(data, "PRIVATE KEY BLOCK");
    bool json_blob = !yaml && sops_markers && !data.empty() &&
                     data.find_first_not_of(" \t\r\n") != std::string_view::npos &&
                     data[data.find_first_not_of(" \t\r\n")] == '{';
    // PEM certificates: committed sealing certificates (GSP-SEALED-008).
    bool certificate = !yaml && Contains(data, "-----BEGIN CERTIFICATE-----");
    if (!yaml && !((dotenv || ini) && sops_markers) && !json_blob && !key_material && !certificate)
      return;
    // Binary sniff: NUL bytes in the first 8 KiB.
    if (std::memchr(data.data(), 0, std::min<size_t>(data.size(), 8192)) != nullptr) return;

    auto f = std::make_unique<ManifestFile>();
    f->path = path;
    f->raw = std::string(data);
    f->from_history = blob.from_history;
    f->context = blob.context;
    bool yaml_like = yaml || json_blob;
    if (yaml_like) {
      f->format = EndsWith(lower, ".json") ? FileFormat::kJson
                  : json_blob              ? FileFormat::kBinary
                                           : FileFormat::kYaml;
    } else if (dotenv || ini) {
      f->format = dotenv ? FileFormat::kDotenv : FileFormat::kIni;
    } else {
      f->format = FileFormat::kOther;  // raw key material or certificates only
    }
    if (blob.context) {
      // SOPS configs and Flux Kustomizations always matter; kustomizations
      // and other peers wait until the staged files say where they are and
      // what they refer to. Problems in unchanged files are not this scan's
      // to report.
      std::lock_guard<std::mutex> lock(context_->mu);
      context_->any = true;
      if (!IsAlwaysContext(path, data)) {
        context_->pending.push_back(PendingFile{std::move(f), yaml_like});
        return;
      }
    }
    LoadManifest(f.get(), yaml_like, blob.context ? nullptr : errors);
    ExtractResources(f.get());
    files_.push_back(std::move(f));
  }

 private:
  static constexpr size_t kBatch = 256;

  void Flush() {
    if (!changed_.empty()) {
      std::lock_guard<std::mutex> lock(context_->mu);
      for (auto& p : changed_) context_->changed.insert(std::move(p));
      changed_.clear();
    }
    if (!notes_.empty() || !files_.empty()) state_->index.AddBatch(&notes_, &files_);
  }

  SharedState* state_;
  ContextState* context_;
  std::vector<ResourceIndex::PathNote> notes_;
  std::vector<std::string> changed_;
  std::vector<std::unique_ptr<ManifestFile>> files_;
};

// Scalars of the changed files that a peer may name: values under keys that
// end in "name"/"Name" (metadata.name, secretName, secretKeyRef.name ...) and
// long values (ciphertexts copied between clusters).
void CollectPeerTokens(const YNode& n, std::string_view key, std::set<std::string>* names,
                       std::set<std::string>* longs, int depth = 0) {
  if (depth > 64) return;
  if (n.IsScalar()) {
    if (n.value.size() > 4096 || n.value.find('\n') != std::string::npos) return;
    bool named = key.size() >= 4 &&
                 (key.substr(key.size() - 4) == "name" || key.substr(key.size() - 4) == "Name");
    if (n.value.size() >= 40) {
      longs->insert(n.value);
    } else if (named && n.value.size() >= 2) {
      names->insert(n.value);
    }
    return;
  }
  for (size_t i = 0; i < n.values.size(); ++i) {
    std::string_view k = n.IsMap() && i < n.keys.size() ? std::string_view(n.keys[i].value) : key;
    CollectPeerTokens(n.values[i], k, names, longs, depth + 1);
  }
}

// True when the text declares (at the top level of a document) a kind that
// produces Secrets or names them for others: Secret, SealedSecret,
// ExternalSecret, SecretProviderClass, PushSecret, cert-manager Certificate,
// or a List (whose items are not looked at here).
bool MayProduceSecrets(std::string_view text) {
  for (size_t p = 0; p < text.size();) {
    size_t nl = text.find('\n', p);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(p, nl - p);
    p = nl + 1;
    if (line.rfind("kind:", 0) != 0 && line.rfind("\"kind\":", 0) != 0 &&
        line.find("\"kind\"") == std::string_view::npos)
      continue;
    if (Contains(line, "Secret") || Contains(line, "Certificate") || Contains(line, "List"))
      return true;
  }
  return false;
}

// The policy families, most expensive first (perf samples of the 10k
// manifests benchmark), so that a parallel run ends evenly.
using FamilyFn = void (*)(LintContext&);
struct Family {
  FamilyFn run;
  int position;  // in the historical order the findings are concatenated in
};
constexpr Family kFamilies[] = {
    {RunPlainPolicies, 0}, {RunSopsPolicies, 2},  {RunGenPolicies, 4},    {RunPullPolicies, 5},
    {RunXrefPolicies, 6},  {RunEsoPolicies, 8},   {RunSealedPolicies, 1}, {RunCsiPolicies, 9},
    {RunFluxPolicies, 3},  {RunVaultPolicies, 7},
};
constexpr size_t kFamilyCount = sizeof kFamilies / sizeof kFamilies[0];

// Runs every family over the built index and returns their findings, one
// vector per family in family order (plain, sealed, sops, flux, gen, pull,
// xref, vault, eso, csi), whether or not they ran in parallel. The
// families only read the index (its lazily sorted path table is settled
// first) and each reports through its own LintContext, so with `parallel`
// they run on LintOptions::threads threads. An exception in a family is
// rethrown on the calling thread, as when they ran in turn.
std::vector<std::vector<Finding>> RunFamilies(const ResourceIndex& index,
                                              const LintOptions& options, bool parallel) {
  std::vector<std::vector<Finding>> per_family(kFamilyCount);
  std::vector<std::exception_ptr> failed(kFamilyCount);
  auto run = [&](const Family& f) {
    try {
      LintContext ctx(index, options);
      f.run(ctx);
      per_family[f.position] = ctx.TakeFindings();
    } catch (...) {
      failed[f.position] = std::current_exception();
    }
  };
  size_t threads = options.threads > 0 ? static_cast<size_t>(options.threads)
                   : index.files().size() >= kParallelFamiliesFrom
                       ? std::max(1u, std::thread::hardware_concurrency())
                       : 1;
  threads = parallel ? std::min(threads, kFamilyCount) : 1;
  if (threads <= 1) {
    for (const Family& f : kFamilies) run(f);
  } else {
    (void)index.PathExists("");  // sorts the noted paths once, on this thread
    (void)Catalog();             // loaded once, before the threads read it
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < kFamilyCount;) run(kFamilies[i]);
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
  }
  for (const auto& e : failed) {
    if (e) std::rethrow_exception(e);
  }
  return per_family;
}

class ManifestLinter : public Inspector {
 public:
  explicit ManifestLinter(LintOptions options) : state_(std::make_unique<SharedState>()) {
    state_->options = std::move(options);
  }
  std::unique_ptr<InspectorWorker> NewWorker() const override {
    return std::make_unique<LinterWorker>(state_.get(), &context_);
  }
  bool WantsContext() const override { return true; }
  bool WantsContextBytes(std::string_view path) const override {
    return ContextReadDuringWalk(path);
  }
  void SetUnreadContext(std::span<const UnreadContext> blobs, ContextFetch fetch) override {
    state_->index.NoteUnreadPaths(blobs);
    if (!blobs.empty()) context_.any = true;
    context_.unread = blobs;
    context_.fetch = std::move(fetch);
  }
  void Finish(std::vector<Finding>* out, std::vector<ScanError>* errors) override {
    if (finished_) return;
    finished_ = true;
    if (context_.fetch) {
      state_->index.SetMarkerProbe([this](std::string_view path) {
        std::string text;
        return context_.fetch(path, &text) && HasSopsMarkers(text);
      });
    }
    if (state_->catalog_preload.valid()) state_->catalog_preload.wait();
    if (context_.any) LoadContext();
    state_->index.Build();
    // Context runs (staged, range) ask the source for unread files through
    // the marker probe, on this thread only: their families run in turn.
    std::vector<std::vector<Finding>> per_family =
        RunFamilies(state_->index, state_->options, !context_.any);
    // The findings in family order, then sorted through pointers (a Finding
    // is ~700 bytes: moving them around in std::sort cost more than the
    // comparisons); the same order as sorting the findings themselves.
    std::vector<Finding*> found;
    for (auto& v : per_family) {
      for (auto& f : v) {
        if (context_.any && !ConcernsChange(f)) continue;
        found.push_back(&f);
      }
    }
    std::sort(found.begin(), found.end(), [](const Finding* a, const Finding* b) {
      return std::tie(a->location.path, a->location.line, a->location.column, a->rule_id,
                      a->secret) < std::tie(b->location.path, b->location.line, b->location.column,
                                            b->rule_id, b->secret);
    });
    out->reserve(out->size() + found.size());
    for (Finding* f : found) out->push_back(std::move(*f));
    (void)errors;
    // The fetch and the unread list are valid only until Finish returns.
    state_->index.SetMarkerProbe(nullptr);
    context_.fetch = nullptr;
    context_.unread = {};
  }

 private:
  // Context runs report what concerns the change: findings on changed
  // files, and cross-resource findings with a related location in one.
  bool ConcernsChange(const Finding& f) const {
    if (context_.changed.count(f.location.path)) return true;
    for (const auto& r : f.related) {
      if (context_.changed.count(r.location.path)) return true;
    }
    return false;
  }

  // Parses the pending context files a changed file can be affected by: all
  // of them when a changed file is structural (a `.sops.yaml` or
  // kustomization change moves everything below it); otherwise the
  // kustomizations above a changed file or naming one of its directories,
  // the Secret producers that mention a name a changed file uses, and files
  // holding a copy of a changed file's long value (ciphertext).
  void LoadContext() {
    bool all = false;
    std::set<std::string> tokens, long_tokens;
    std::set<std::string> dirs;       // directories of the changed files and their ancestors
    std::set<std::string> dir_names;  // their last components ("base" for ../../base)
    for (const auto& f : state_->index.files()) {
      if (f->context) continue;
      if (IsStructuralFile(f->path, f->raw)) all = true;
      for (const auto& d : f->docs) CollectPeerTokens(d.root, "", &tokens, &long_tokens);
    }
    for (const auto& path : context_.changed) {
      for (std::string d = DirName(path);; d = DirName(d)) {
        if (!dirs.insert(d).second) break;
        if (d.empty()) break;
        dir_names.insert(BaseName(d));
      }
    }
    // The context files handed over path-only (ContextReadDuringWalk) are
    // read now when the change can need them: every one after a structural
    // change (as the walk would have read them); the manifests (YAML, JSON)
    // when a changed file names anything, holds a long value, carries SOPS
    // markers or is key material or a certificate (then peers, Flux
    // Kustomizations and producers can matter). A change that gives none of
    // these (no names, no long values) reads none of them.
    bool need_manifests = all || !tokens.empty() || !long_tokens.empty();
    for (const auto& f : state_->index.files()) {
      if (!f->context && (f->sops_encrypted || f->format == FileFormat::kOther))
        need_manifests = true;
    }
    for (auto it = context_.changed.begin(); !need_manifests && it != context_.changed.end();
         ++it) {
      need_manifests = state_->index.PathHasSopsMarkers(*it);
    }
    if (need_manifests && context_.fetch) {
      LinterWorker worker(state_.get(), &context_);
      std::vector<ScanError> ignored;
      std::string text;
      for (const auto& [path, from_history] : context_.unread) {
        if (!all && !IsYamlPath(path)) continue;
        if (!context_.fetch(path, &text)) continue;
        BlobRef ref{path, text, from_history, true};
        worker.Inspect(ref, nullptr, &ignored);
      }
    }
    for (auto& p : context_.pending) {
      bool wanted = all;
      if (!wanted && IsKustomizationPath(p.file->path)) {
        // A kustomization above a changed file, or one that may include its
        // directory from elsewhere (overlays naming a base).
        wanted = dirs.count(DirName(p.file->path)) > 0;
        for (auto it = dir_names.begin(); !wanted && it != dir_names.end(); ++it) {
          wanted = MentionsToken(p.file->raw, *it);
        }
      }
      // A producer of a name a changed file uses (a consumer in an unchanged
      // file cannot be affected by the change); a copy of a long value
      // (ciphertext) anywhere.
      for (auto it = long_tokens.begin(); !wanted && it != long_tokens.end(); ++it) {
        wanted = p.file->raw.find(*it) != std::string::npos;
      }
      if (!wanted && MayProduceSecrets(p.file->raw)) {
        for (auto it = tokens.begin(); !wanted && it != tokens.end(); ++it) {
          wanted = MentionsToken(p.file->raw, *it);
        }
      }
      if (!wanted) continue;
      LoadManifest(p.file.get(), p.yaml_like, nullptr);
      state_->index.AddFile(std::move(p.file));
    }
    context_.pending.clear();
  }

  std::unique_ptr<SharedState> state_;
  mutable ContextState context_;
  bool finished_ = false;
};

// `vigil graph`: the linter's loading, then the graph of the built index.
class SecretGraphInspector : public Inspector {
 public:
  explicit SecretGraphInspector(SecretGraph* out)
      : state_(std::make_unique<SharedState>()), out_(out) {}
  std::unique_ptr<InspectorWorker> NewWorker() const override {
    return std::make_unique<LinterWorker>(state_.get(), &context_);
  }
  void Finish(std::vector<Finding>* /*out*/, std::vector<ScanError>* /*errors*/) override {
    if (finished_) return;
    finished_ = true;
    state_->index.Build();
    *out_ = BuildSecretGraph(state_->index);
  }

 private:
  std::unique_ptr<SharedState> state_;
  mutable ContextState context_;
  SecretGraph* out_;
  bool finished_ = false;
};

}  // namespace

// --- catalog -----------------------------------------------------------

const std::vector<PolicyMeta>& Catalog(std::vector<std::string>* errors) {
  static std::vector<std::string> load_errors;
  static const std::vector<PolicyMeta> catalog = LoadCatalog(&load_errors);
  if (errors != nullptr) errors->insert(errors->end(), load_errors.begin(), load_errors.end());
  return catalog;
}

const PolicyMeta* FindPolicy(std::string_view id) {
  // The catalog is sorted by id (LoadCatalog); called once per finding.
  const auto& catalog = Catalog();
  auto it = std::lower_bound(catalog.begin(), catalog.end(), id,
                             [](const PolicyMeta& p, std::string_view x) { return p.info.id < x; });
  return it != catalog.end() && it->info.id == id ? &*it : nullptr;
}

const char* EmbeddedCatalogFile(std::string_view name) {
  for (size_t i = 0; i < kEmbeddedPolicyFileCount; ++i) {
    const EmbeddedPolicyFile& f = kEmbeddedPolicyFiles[i];
    if (f.name != nullptr && name == f.name) return f.text;
  }
  return nullptr;
}

std::vector<RuleInfo> PolicyCatalog() {
  std::vector<RuleInfo> out;
  for (const auto& p : Catalog()) out.push_back(p.info);
  return out;
}

// --- LintContext -------------------------------------------------------

LintContext::LintContext(const ResourceIndex& index, const LintOptions& options)
    : index_(index), options_(options) {
  for (const auto& p : options.placeholder_patterns) {
    auto re = std::make_unique<re2::RE2>(p, re2::RE2::Quiet);
    if (re->ok()) placeholder_res_.push_back(std::move(re));
  }
}

LintContext::~LintContext() = default;

bool LintContext::Enabled(std::string_view policy) const {
  for (const auto& d : options_.disabled) {
    if (d == policy) return false;
  }
  return true;
}

bool LintContext::IsPlaceholder(std::string_view v) const {
  std::string_view t = v;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\n' || t.front() == '\t'))
    t.remove_prefix(1);
  while (!t.empty() &&
         (t.back() == ' ' || t.back() == '\n' || t.back() == '\t' || t.back() == '\r'))
    t.remove_suffix(1);
  if (t.empty()) return true;
  if (Contains(t, "${") || Contains(t, "{{") || Contains(t, "op://") || Contains(t, "<path:") ||
      t.rfind("ref+", 0) == 0 || Contains(t, "#{") || Contains(t, "{%"))
    return true;
  if (t.front() == '<' && t.back() == '>') return true;
  if (t.size() >= 4 && t.substr(0, 2) == "**" && t.substr(t.size() - 2) == "**") return true;
  if (t.size() >= 2 && t.front() == '$' && t.find(' ') == std::string_view::npos &&
      t.find_first_not_of("$ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string_view::npos)
    return true;  // $VAR (envsubst)
  std::string l = Lower(t);
  static const char* kWords[] = {
      "changeme", "change-me",  "change_me", "replaceme", "replace-me", "replace_me", "placeholder",
      "redacted", "do_not_put", "your-",     "your_",     "xxxx",       "todo",       "<your",
      "example-", "dummy",      "fixme",     "insert-",   "insert_",    "goes here"};
  for (const char* w : kWords) {
    if (Contains(l, w)) return true;
  }
  if (t.find_first_not_of(".*-_xX ") == std::string_view::npos) return true;  // "...", "****"
  // Docs conventions: my-token, my_password.
  if ((l.rfind("my-", 0) == 0 || l.rfind("my_", 0) == 0) && l.size() < 40) return true;
  for (const char* w : {"non_sensitive", "nonsensitive", "non-sensitive", "not-a-secret",
                        "not_a_secret", "notsecret", "not-secret"}) {
    if (Contains(l, w)) return true;
  }
  // Made only of dummy words: "value", "foo", {"foo":"bar"}, "HELLO1".
  {
    static const std::set<std::string, std::less<>> kDummy = {
        "value", "foo",  "bar",  "baz", "qux",     "quux",   "foobar", "hello", "hello1",
        "world", "john", "jane", "doe", "example", "sample", "test",   "lorem", "ipsum"};
    bool any = false, all = true;
    std::string word;
    auto flush = [&] {
      if (word.empty()) return;
      any = true;
      if (!kDummy.count(word)) all = false;
      word.clear();
    };
    for (char c : l) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        word += c;
      } else {
        flush();
      }
    }
    flush();
    if (any && all) return true;
  }
  // Descriptive docs phrases: "the secret password", "the-username-for-x".
  {
    std::string padded = " " + l + " ";
    for (char& c : padded) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = ' ';
    }
    if (Contains(padded, " the ") &&
        (Contains(padded, " password ") || Contains(padded, " username ") ||
         Contains(padded, " secret ") || Contains(padded, " token ") || Contains(padded, " key ")))
      return true;
  }
  // Key material whose body is a placeholder ("-----BEGIN PRIVATE KEY-----\nA key\n...").
  if (Contains(t, "PRIVATE KEY")) {
    std::string what;
    std::string unescaped(t);
    for (size_t p = 0; (p = unescaped.find("\\n", p)) != std::string::npos;)
      unescaped.replace(p, 2, "\n");
    if (!ContainsKeyMaterial(unescaped, &what)) return true;
  }
  // A value that is itself SOPS-encrypted (Flux decrypts these in Secrets).
  if (Contains(t, "mac: ENC[") || Contains(t, "\"mac\": \"ENC[") || Contains(t, "sops_mac=ENC[") ||
      (Contains(t, "[sops]") && Contains(t, "ENC[AES256_GCM")))
    return true;
  for (const auto& re : placeholder_res_) {
    if (re2::RE2::PartialMatch(re2::StringPiece(t.data(), t.size()), *re)) return true;
  }
  return false;
}

namespace {
// A scalar's decoded value can be longer than its text (escapes, folded lines,
// an unterminated quote: found by fuzz/linter): keep a span on its own line
// and inside the file.
uint32_t SpanInFile(std::string_view raw, uint64_t* offset, uint32_t length) {
  if (*offset > raw.size()) *offset = raw.size();
  size_t nl = raw.find('\n', *offset);
  uint64_t line_end = nl == std::string_view::npos ? raw.size() : nl;
  uint64_t avail = line_end - *offset;
  if (length > avail) length = static_cast<uint32_t>(avail);
  if (length == 0 && *offset < raw.size()) length = 1;
  return length;
}
}  // namespace

RelatedLocation LintContext::Related(const ManifestFile* file, const YNode* at,
                                     std::string message) {
  RelatedLocation r;
  r.message = std::move(message);
  if (file != nullptr) r.location.path = file->path;
  r.location.line = 1;
  r.location.column = 1;
  r.location.end_line = 1;
  r.location.end_column = 2;
  if (at != nullptr) {
    r.location.line = at->line;
    r.location.column = at->column;
    r.location.end_line = at->line;
    uint32_t len = at->IsScalar() ? static_cast<uint32_t>(at->value.size()) : 1;
    if (len == 0 || at->value.find('\n') != std::string::npos) len = 1;
    uint64_t offset = at->offset;
    if (file != nullptr) len = SpanInFile(file->raw, &offset, len);
    r.location.end_column = at->column + len;
    r.location.offset = offset;
    r.location.end_offset = offset + len;
  }
  return r;
}

void LintContext::Add(Report report) {
  if (!Enabled(report.policy)) return;
  const PolicyMeta* meta = FindPolicy(report.policy);
  Finding& f = findings_.emplace_back();  // built in place (a Finding is ~700 bytes)
  f.rule_id = report.policy;
  f.kind = FindingKind::kPolicy;
  f.rule_name = meta ? meta->info.name : report.policy;
  f.severity = report.severity.value_or(meta ? meta->info.severity : Severity::kMedium);
  if (auto it = options_.severity_override.find(report.policy);
      it != options_.severity_override.end()) {
    f.severity = it->second;
  }
  f.message = std::move(report.message);
  f.secret = std::move(report.discriminator);
  f.key = std::move(report.key);
  f.related = std::move(report.related);
  if (report.file != nullptr) f.location.path = report.file->path;
  uint32_t line = report.line, column = report.column, length = report.length;
  uint64_t offset = 0;
  if (report.at != nullptr) {
    line = report.at->line;
    column = report.at->column;
    offset = report.at->offset;
    if (report.at->IsScalar() && report.at->value.find('\n') == std::string::npos) {
      length = static_cast<uint32_t>(report.at->value.size()) + (report.at->plain ? 0 : 2);
    }
  }
  if (length == 0) length = 1;
  if (report.file != nullptr && report.at != nullptr) {
    length = SpanInFile(report.file->raw, &offset, length);
  }
  f.location.line = line;
  f.location.column = column;
  f.location.end_line = line;
  f.location.end_column = column + length;
  f.location.offset = offset;
  f.location.end_offset = offset + length;
  // The snippet: the line up to the end of the key, never the value.
  if (report.file != nullptr && line > 0) {
    std::string_view raw = report.file->raw;
    size_t pos = 0;
    for (uint32_t l = 1; l < line && pos != std::string_view::npos; ++l) {
      pos = raw.find('\n', pos);
      if (pos != std::string_view::npos) ++pos;
    }
    if (pos != std::string_view::npos && pos <= raw.size()) {
      size_t end = raw.find('\n', pos);
      std::string_view text =
          raw.substr(pos, end == std::string_view::npos ? raw.size() - pos : end - pos);
      size_t cut = std::min<size_t>(text.size(), column - 1 + length);
      // Keep a trailing ':' of the key.
      if (cut < text.size() && text[cut] == ':') ++cut;
      f.line_text = std::string(text.substr(0, cut));
      if (cut < text.size()) f.line_text += " …";
    }
  }
  if (report.object != nullptr) {
    std::string ann = "vigil.dev/ignore-" + report.policy;
    if (report.object->HasAnnotation(ann)) {
      f.suppressed = true;
      f.suppression = "annotation " + ann + ": " + report.object->Annotation(ann);
    }
  }
}

// --- public entry points -------------------------------------------------

std::unique_ptr<Inspector> NewManifestLinter(LintOptions options) {
  return std::make_unique<ManifestLinter>(std::move(options));
}

std::unique_ptr<Inspector> NewSecretGraphInspector(SecretGraph* out) {
  return std::make_unique<SecretGraphInspector>(out);
}

namespace {

// Feeds an in-memory tree (path -> text) to an inspector blob by blob, as a
// scan would, then finishes it.
void InspectInMemory(Inspector& inspector, const std::map<std::string, std::string>& files,
                     std::vector<Finding>* out, std::vector<ScanError>* errors) {
  auto worker = inspector.NewWorker();
  for (const auto& [path, text] : files) {
    BlobRef blob;
    blob.path = path;
    blob.data = text;
    worker->Inspect(blob, out, errors);
  }
  worker.reset();  // as the pipeline does: workers end before Finish
  inspector.Finish(out, errors);
}

std::vector<Finding> LintFiles(const std::map<std::string, std::string>& files,
                               const LintOptions& options, std::vector<ScanError>* errors) {
  std::vector<Finding> out;
  InspectInMemory(*NewManifestLinter(options), files, &out, errors);
  return out;
}

}  // namespace

SecretGraph SecretGraphInMemory(const std::map<std::string, std::string>& files,
                                std::vector<ScanError>* errors) {
  SecretGraph graph;
  std::vector<Finding> unused;
  InspectInMemory(*NewSecretGraphInspector(&graph), files, &unused, errors);
  return graph;
}

size_t CheckPolicyExamples(std::vector<std::string>* failures) {
  std::vector<std::string> load_errors;
  const auto& catalog = Catalog(&load_errors);
  for (const auto& e : load_errors) failures->push_back("catalog: " + e);
  size_t checked = 0;
  for (const auto& p : catalog) {
    bool has_fire = false, has_pass = false;
    for (const auto& ex : p.examples) {
      (ex.fire ? has_fire : has_pass) = true;
      std::vector<ScanError> errors;
      LintOptions options;
      if (!ex.now.empty() && !ParseUtcTime(ex.now, &options.now_unix)) {
        failures->push_back(p.info.id + ": example '" + ex.name +
                            "' has a malformed now: " + ex.now);
      }
      std::vector<Finding> found = LintFiles(ex.files, options, &errors);
      size_t hits = 0;
      for (const auto& f : found) {
        if (f.rule_id == p.info.id && !f.suppressed) ++hits;
      }
      ++checked;
      if (ex.fire && hits == 0) {
        failures->push_back(p.info.id + ": example '" + ex.name + "' should fire but did not");
      } else if (!ex.fire && hits > 0) {
        failures->push_back(p.info.id + ": example '" + ex.name + "' must not fire but fired " +
                            std::to_string(hits) + "x");
      }
    }
    if (!has_fire) failures->push_back(p.info.id + ": no firing example");
    if (!has_pass) failures->push_back(p.info.id + ": no non-firing example");
  }
  return checked;
}

// Exposed for tests and the CLI: lint an in-memory tree.
std::vector<Finding> LintInMemory(const std::map<std::string, std::string>& files,
                                  const LintOptions& options, std::vector<ScanError>* errors) {
  return LintFiles(files, options, errors);
}

}  // namespace vigil
