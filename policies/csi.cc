// Secrets Store CSI driver policies GSP-CSI-001..009 (catalog s.1.8, s.4.2),
// with the Azure Key Vault provider's parameters: SecretProviderClass (SPC)
// structure, Key Vault names, the `objects` array (a YAML string holding YAML
// strings, parsed here with the linter's own YAML parser), identity modes, and
// the cross-resource checks between SPCs and the pod specs that mount them
// (every pod spec of the shared consumer walk CollectSecretConsumers: Pod,
// workload templates, CronJob, and literal pod specs in HelmRelease / Argo CD
// Application values, in the release's target namespace). An SPC is
// looked up in the pod's namespace; cross-resource findings point at the
// consumer and name the producer (or its absence), the others are related
// locations. Secret producers come from CollectSecretProducers (pull.cc).
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "policies/secret_graph.h"

namespace vigil {

void RunCsiPolicies(LintContext& ctx);

namespace {

constexpr char kDriver[] = "secrets-store.csi.k8s.io";
constexpr char kUsedLabel[] = "secrets-store.csi.k8s.io/used";

bool Templated(const std::string& s) {
  return s.find("{{") != std::string::npos || s.find("${") != std::string::npos ||
         s.find("$(") != std::string::npos || s.find("#{") != std::string::npos ||
         (!s.empty() && s[0] == '$');
}

// ALL_CAPS tokens with '_' (KEYVAULT_NAME) are render-time placeholders
// (GSP-VAULT-004 reports them).
bool CapsToken(const std::string& s) {
  return s.find('_') != std::string::npos &&
         s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos;
}

bool NsMatch(const std::string& a, const std::string& b) {
  return a == b || a.empty() || b.empty() || a == kAnyNamespace || b == kAnyNamespace;
}

std::string NsText(const std::string& ns) { return ns.empty() ? "(no namespace)" : ns; }

// Go's strconv.ParseBool, which the Azure provider applies to its flags.
// Returns false when `s` is not a boolean; *value gets the result.
bool ParseGoBool(const std::string& s, bool* value) {
  static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (kTrue.count(s)) {
    *value = true;
    return true;
  }
  if (kFalse.count(s)) {
    *value = false;
    return true;
  }
  return false;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Where line `inner` (1-based) of a scalar's text sits in the file: block
// scalars (| or >) start on the line after their indicator; other scalars are
// reported at their own line.
uint32_t InnerLine(const ManifestFile& f, const YNode& scalar, uint32_t inner) {
  if (scalar.offset < f.raw.size() &&
      (f.raw[scalar.offset] == '|' || f.raw[scalar.offset] == '>')) {
    return scalar.line + inner;
  }
  return scalar.line;
}

// One SecretProviderClass, as placed by each build.
struct Spc {
  const Resource* r = nullptr;
  std::string ns;
  std::string name;
  std::string provider;
  const YNode* params = nullptr;
  bool azure = false;
  bool sp_mode = false;  // Azure service-principal mode (no identity flag, no clientID)
  // Output file names of `objects` (alias, else name); valid when objects_ok.
  std::set<std::string> files;
  bool objects_ok = false;
};

struct Mount {
  const Resource* r = nullptr;
  const YNode* vol = nullptr;
  std::string ns;
  std::string volume;  // the volume's name
  std::string spc;     // volumeAttributes.secretProviderClass
  const YNode* spc_at = nullptr;
  const YNode* nps_at = nullptr;  // nodePublishSecretRef.name
};

// Kinds whose pod-spec-shaped maps are not pods.
bool NotAPod(const Resource& r) {
  return r.kind == "SecretProviderClass" || r.kind == "CustomResourceDefinition";
}

const YNode* NameNode(const Resource& r) {
  const YNode* n = r.node->Path("metadata.name");
  return n ? n : r.node->KeyNode("kind");
}

LintContext::Report Base(const char* id, const Resource& r, const YNode* at,
                         const std::string& key) {
  LintContext::Report rep;
  rep.policy = id;
  rep.file = r.file;
  rep.at = at != nullptr ? at : NameNode(r);
  rep.object = &r;
  rep.key = key;
  rep.discriminator = r.Id() + ":" + key;
  return rep;
}

// --- per-SPC checks (CSI-001..004, 009) ---------------------------------

class SpcChecker {
 public:
  SpcChecker(LintContext& ctx, const Resource& r) : ctx_(ctx), r_(r) {}

  // Runs the single-object checks; fills *files / *objects_ok / *sp_mode.
  void Run(std::set<std::string>* files, bool* objects_ok, bool* sp_mode);

 private:
  void Add(const char* id, const YNode* at, const std::string& key, std::string message,
           std::optional<Severity> sev = std::nullopt) {
    LintContext::Report rep = Base(id, r_, at, key);
    rep.message = Who() + ": " + std::move(message);
    rep.severity = sev;
    ctx_.Add(std::move(rep));
  }
  void AddAtLine(const char* id, uint32_t line, uint32_t column, const std::string& key,
                 std::string message) {
    LintContext::Report rep = Base(id, r_, nullptr, key);
    rep.at = nullptr;
    rep.line = line;
    rep.column = column;
    rep.message = Who() + ": " + std::move(message);
    ctx_.Add(std::move(rep));
  }
  std::string Who() const {
    return "SecretProviderClass " + Describe(r_).substr(r_.kind.size() + 1);
  }
  std::string Param(const char* k) const { return params_ ? Trim(params_->Str(k)) : ""; }
  const YNode* ParamNode(const char* k) const { return params_ ? params_->Get(k) : nullptr; }

  void Structure();
  void VaultName();
  void Objects(std::set<std::string>* files, bool* ok);
  void Identity(bool* sp_mode);
  void SecretObjects(const std::set<std::string>& files, bool objects_ok);

  LintContext& ctx_;
  const Resource& r_;
  const YNode* spec_ = nullptr;
  const YNode* params_ = nullptr;
  bool azure_ = false;
};

void SpcChecker::Run(std::set<std::string>* files, bool* objects_ok, bool* sp_mode) {
  spec_ = r_.node->Get("spec");
  if (spec_ != nullptr && spec_->IsMap()) {
    params_ = spec_->Get("parameters");
    if (params_ != nullptr && !params_->IsMap()) params_ = nullptr;
    azure_ = Lower(Trim(spec_->Str("provider"))) == "azure";
  }
  Structure();
  if (azure_ && params_ != nullptr) {
    VaultName();
    Objects(files, objects_ok);
    Identity(sp_mode);
  }
  SecretObjects(*files, *objects_ok);
}

void SpcChecker::Structure() {
  if (r_.api_version == "secrets-store.csi.x-k8s.io/v1alpha1") {
    Add("GSP-CSI-001", r_.node->Get("apiVersion"), "apiVersion",
        "apiVersion secrets-store.csi.x-k8s.io/v1alpha1 is deprecated (served with a warning); use "
        "secrets-store.csi.x-k8s.io/v1",
        Severity::kLow);
  }
  if (spec_ == nullptr || !spec_->IsMap()) {
    Add("GSP-CSI-001", r_.node->KeyNode("kind"), "spec",
        "no spec: the driver cannot mount anything");
    return;
  }
  if (Trim(spec_->Str("provider")).empty()) {
    Add("GSP-CSI-001", r_.node->KeyNode("spec"), "spec.provider",
        "spec.provider is missing; the driver does not know which provider plugin to call");
  }
  if (!azure_) return;
  const YNode* pk = spec_->KeyNode("parameters");
  if (params_ == nullptr) {
    Add("GSP-CSI-001", pk ? pk : spec_->KeyNode("provider"), "spec.parameters",
        "provider azure without spec.parameters (keyvaultName, tenantID and objects are required)");
    return;
  }
  if (ParamNode("keyvaultName") == nullptr || Param("keyvaultName").empty()) {
    Add("GSP-CSI-001", pk, "spec.parameters.keyvaultName",
        "Azure parameters lack keyvaultName; the provider fails the mount, and the GitOps repo "
        "must name the Key Vault in the SecretProviderClass");
  }
  std::string tid = Param("tenantID"), tid_legacy = Param("tenantId");
  if (tid.empty() && tid_legacy.empty()) {
    Add("GSP-CSI-001", pk, "spec.parameters.tenantID",
        "Azure parameters lack tenantID (or the legacy tenantId)");
  } else if (!tid.empty() && !tid_legacy.empty() && tid != tid_legacy) {
    Add("GSP-CSI-001", params_->KeyNode("tenantId"), "spec.parameters.tenantId",
        "both tenantID ('" + tid + "') and the legacy tenantId ('" + tid_legacy +
            "') are set with different values; the provider uses tenantID");
  } else if (tid.empty()) {
    Add("GSP-CSI-001", params_->KeyNode("tenantId"), "spec.parameters.tenantId",
        "uses the legacy parameter tenantId (the provider logs a deprecation); rename it to "
        "tenantID",
        Severity::kInfo);
  }
  if (ParamNode("objects") == nullptr || Param("objects").empty()) {
    Add("GSP-CSI-001", pk, "spec.parameters.objects",
        "Azure parameters lack objects; nothing would be mounted");
  }
}

void SpcChecker::VaultName() {
  const YNode* n = ParamNode("keyvaultName");
  if (n == nullptr || !n->IsScalar()) return;
  std::string v = Trim(n->value);
  if (v.empty() || Templated(v) || CapsToken(v) || ctx_.IsPlaceholder(v)) return;
  std::string why;
  if (v.size() < 3 || v.size() > 24) {
    why = "is " + std::to_string(v.size()) + " characters long (3-24 allowed)";
  } else if (v.find_first_not_of(
                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
             std::string::npos) {
    why = "contains characters other than letters, digits and '-'";
  } else if (!std::isalpha(static_cast<unsigned char>(v.front()))) {
    why = "does not start with a letter";
  } else if (v.back() == '-') {
    why = "ends with '-'";
  } else if (v.find("--") != std::string::npos) {
    why = "contains consecutive hyphens";
  }
  if (why.empty()) return;
  Add("GSP-CSI-002", n, "spec.parameters.keyvaultName",
      "keyvaultName '" + v + "' " + why + "; Azure rejects it and the mount fails");
}

void SpcChecker::Objects(std::set<std::string>* files, bool* ok) {
  const YNode* n = ParamNode("objects");
  if (n == nullptr || !n->IsScalar() || Trim(n->value).empty()) return;
  const char* kKey = "spec.parameters.objects";
  if (Templated(Trim(n->value))) return;  // rendered later
  std::vector<YDocument> docs;
  uint32_t err_line = 0;
  Status st = ParseYaml(n->value, &docs, &err_line);
  if (!st.ok()) {
    AddAtLine("GSP-CSI-003", InnerLine(*r_.file, *n, err_line ? err_line : 1), n->column, kKey,
              "objects is not valid YAML: " + st.message());
    return;
  }
  const YNode* array = docs.empty() ? nullptr : docs[0].root.Get("array");
  if (array == nullptr || !array->IsSeq()) {
    Add("GSP-CSI-003", n, kKey,
        "objects must be a YAML string holding `array:` with a list of YAML strings");
    return;
  }
  bool all_ok = true;
  std::map<std::string, uint32_t> seen;  // file name -> line
  for (size_t i = 0; i < array->values.size(); ++i) {
    const YNode& item = array->values[i];
    std::string ikey = std::string(kKey) + "[" + std::to_string(i) + "]";
    uint32_t item_line = InnerLine(*r_.file, *n, item.line);
    if (!item.IsScalar()) {
      // The provider unmarshals `array` into []string: a map item fails.
      AddAtLine(
          "GSP-CSI-003", item_line, item.column, ikey,
          "objects entry " + std::to_string(i + 1) +
              " is not a YAML string (write `- |` followed by the object's fields); the provider "
              "cannot unmarshal it");
      all_ok = false;
      continue;
    }
    std::vector<YDocument> od;
    uint32_t oerr = 0;
    if (!ParseYaml(item.value, &od, &oerr).ok() || od.empty() || !od[0].root.IsMap()) {
      AddAtLine("GSP-CSI-003", item_line, item.column, ikey,
                "objects entry " + std::to_string(i + 1) + " is not a YAML map of object fields");
      all_ok = false;
      continue;
    }
    const YNode& o = od[0].root;
    // Block items (`- |`) start on the line after their indicator; report
    // at the field's own line.
    bool block_item = item.offset < n->value.size() &&
                      (n->value[item.offset] == '|' || n->value[item.offset] == '>');
    auto field_line = [&](const char* f) {
      const YNode* k = o.KeyNode(f);
      if (k == nullptr || !block_item) return item_line;
      return InnerLine(*r_.file, *n, item.line + k->line);
    };
    // ALL_CAPS placeholders (SECRET_ALIAS in the provider's examples) count as templated.
    auto field = [&](const char* f) {
      std::string v = Trim(o.Str(f));
      return CapsToken(v) ? "$" + v : v;
    };
    std::string name = field("objectName");
    std::string type = field("objectType");
    std::string alias = field("objectAlias");
    std::string format = field("objectFormat");
    std::string encoding = field("objectEncoding");
    std::string label =
        "objects entry " + std::to_string(i + 1) + (name.empty() ? "" : " (" + name + ")");
    std::vector<std::pair<const char*, std::string>> problems;
    if (name.empty()) problems.push_back({"objectName", "has no objectName"});
    std::string ltype = Lower(type);
    if (type.empty()) {
      problems.push_back({"objectType", "has no objectType (secret, key or cert)"});
    } else if (!Templated(type) && ltype != "secret" && ltype != "key" && ltype != "cert") {
      problems.push_back({"objectType", "has objectType '" + type + "' (secret, key or cert)"});
    }
    std::string file = alias.empty() ? name : alias;
    const char* file_field = alias.empty() ? "objectName" : "objectAlias";
    if (!file.empty() && !Templated(file)) {
      bool dotdot = file == ".." || file.rfind("../", 0) == 0 ||
                    file.find("/../") != std::string::npos ||
                    (file.size() >= 3 && file.compare(file.size() - 3, 3, "/..") == 0);
      if (file.front() == '/' || file.front() == '\\') {
        problems.push_back({file_field, "mounts to the absolute path '" + file +
                                            "' (file names must be relative)"});
      } else if (dotdot) {
        problems.push_back({file_field, "mounts to '" + file + "', which contains '..'"});
      }
    }
    bool secret_type = ltype == "secret" || Templated(type);
    if (!format.empty() && !Templated(format)) {
      std::string lf = Lower(format);
      if (lf != "pem" && lf != "pfx") {
        problems.push_back({"objectFormat", "has objectFormat '" + format + "' (pem or pfx)"});
      } else if (lf == "pfx" && !secret_type && !type.empty()) {
        problems.push_back({"objectFormat", "asks for objectFormat pfx on objectType " + type +
                                                " (pfx needs objectType secret)"});
      }
    }
    if (!encoding.empty() && !Templated(encoding)) {
      std::string le = Lower(encoding);
      if (le != "utf-8" && le != "hex" && le != "base64") {
        problems.push_back(
            {"objectEncoding", "has objectEncoding '" + encoding + "' (utf-8, hex or base64)"});
      } else if (!secret_type && !type.empty()) {
        problems.push_back({"objectEncoding", "sets objectEncoding on objectType " + type +
                                                  " (only secret objects are decoded)"});
      }
    }
    if (!file.empty() && !Templated(file)) {
      auto [it, fresh] = seen.emplace(file, field_line(file_field));
      if (!fresh) {
        problems.push_back(
            {file_field, "writes file '" + file + "' again (also written by the entry at line " +
                             std::to_string(it->second) + "); set distinct objectAlias values"});
      }
      files->insert(file);
    } else if (Templated(file)) {
      all_ok = false;  // names rendered later: mappings cannot be checked
    }
    for (const auto& [field, why] : problems) {
      AddAtLine("GSP-CSI-003", field_line(field), item.column, ikey + "." + field,
                label + " " + why);
      if (std::string(field) == "objectName") all_ok = false;
    }
  }
  *ok = all_ok;
}

void SpcChecker::Identity(bool* sp_mode) {
  struct Flag {
    const char* name;
    bool set = false;
    bool value = false;
  };
  Flag flags[] = {{"usePodIdentity"}, {"useVMManagedIdentity"}, {"useAzureTokenProxy"}};
  std::vector<std::string> on;
  bool unknown = false;
  for (Flag& f : flags) {
    const YNode* n = ParamNode(f.name);
    if (n == nullptr || !n->IsScalar()) continue;
    std::string v = Trim(n->value);
    if (v.empty()) continue;
    if (Templated(v) || CapsToken(v)) {
      unknown = true;
      continue;
    }
    f.set = true;
    if (!ParseGoBool(v, &f.value)) {
      Add("GSP-CSI-004", n, std::string("spec.parameters.") + f.name,
          std::string(f.name) + " is '" + v +
              "', not a boolean (\"true\" or \"false\"); the provider fails to parse it");
      unknown = true;
      continue;
    }
    if (f.value) on.push_back(f.name);
  }
  if (on.size() > 1) {
    std::string list;
    for (const auto& s : on) list += (list.empty() ? "" : ", ") + s;
    Add("GSP-CSI-004", ParamNode(on[1].c_str()), "spec.parameters.identity",
        "enables more than one identity mode (" + list +
            "); the provider accepts only one at a time");
  }
  std::string client = Param("clientID");
  if (flags[2].value && client.empty()) {
    Add("GSP-CSI-004", params_->KeyNode("useAzureTokenProxy"), "spec.parameters.useAzureTokenProxy",
        "useAzureTokenProxy is true without clientID; identity binding needs the workload "
        "identity's client ID");
  }
  if (flags[0].value) {
    Add("GSP-CSI-004", params_->KeyNode("usePodIdentity"), "spec.parameters.usePodIdentity",
        "uses AAD Pod Identity (usePodIdentity: \"true\"), which is deprecated; use workload "
        "identity (clientID)");
  }
  *sp_mode = on.empty() && !unknown && client.empty() && ParamNode("clientID") == nullptr;
  if (*sp_mode) {
    const YNode* at = params_->KeyNode("keyvaultName");
    Add("GSP-CSI-005", at ? at : r_.node->Path("spec")->KeyNode("parameters"),
        "spec.parameters.mode",
        "uses service-principal mode (no usePodIdentity/useVMManagedIdentity/useAzureTokenProxy, "
        "no clientID): "
        "the client secret must sit in a Kubernetes Secret in every pod namespace; it is the "
        "last-resort "
        "mode, prefer workload identity (clientID)",
        Severity::kLow);
  }
}

void SpcChecker::SecretObjects(const std::set<std::string>& files, bool objects_ok) {
  if (spec_ == nullptr || !spec_->IsMap()) return;
  const YNode* sos = spec_->Get("secretObjects");
  if (sos == nullptr || sos->IsNull()) return;
  if (!sos->IsSeq()) {
    Add("GSP-CSI-009", spec_->KeyNode("secretObjects"), "spec.secretObjects",
        "secretObjects is not a list");
    return;
  }
  static const std::set<std::string> kTypes = {"Opaque",
                                               "kubernetes.io/basic-auth",
                                               "bootstrap.kubernetes.io/token",
                                               "kubernetes.io/dockerconfigjson",
                                               "kubernetes.io/dockercfg",
                                               "kubernetes.io/ssh-auth",
                                               "kubernetes.io/service-account-token",
                                               "kubernetes.io/tls"};
  for (size_t i = 0; i < sos->values.size(); ++i) {
    const YNode& so = sos->values[i];
    std::string base = "spec.secretObjects[" + std::to_string(i) + "]";
    if (!so.IsMap()) {
      Add("GSP-CSI-009", &so, base,
          "secretObjects entry " + std::to_string(i + 1) + " is not a map");
      continue;
    }
    std::string sname = Trim(so.Str("secretName"));
    std::string label =
        "secretObjects entry " + std::to_string(i + 1) + (sname.empty() ? "" : " (" + sname + ")");
    const YNode* first = so.keys.empty() ? &so : &so.keys[0];
    if (sname.empty())
      Add("GSP-CSI-009", first, base + ".secretName", label + " has no secretName");
    std::string type = Trim(so.Str("type"));
    if (type.empty()) {
      Add("GSP-CSI-009", first, base + ".type",
          label + " has no type (the driver rejects an empty type)");
    } else if (!Templated(type) && !kTypes.count(type)) {
      Add("GSP-CSI-009", so.Get("type"), base + ".type",
          label + " has type '" + type +
              "', which the driver does not sync (Opaque, kubernetes.io/tls, "
              "kubernetes.io/dockerconfigjson, kubernetes.io/basic-auth, ...)");
    }
    const YNode* data = so.Get("data");
    if (data == nullptr || !data->IsSeq() || data->values.empty()) {
      Add("GSP-CSI-009", so.KeyNode("data") ? so.KeyNode("data") : first, base + ".data",
          label + " has no data entries; nothing would be synced");
      continue;
    }
    std::set<std::string> keys;
    for (size_t j = 0; j < data->values.size(); ++j) {
      const YNode& d = data->values[j];
      std::string dkey = base + ".data[" + std::to_string(j) + "]";
      const YNode* dat = d.IsMap() && !d.keys.empty() ? &d.keys[0] : &d;
      std::string obj = Trim(d.Str("objectName"));
      std::string key = Trim(d.Str("key"));
      if (key.empty()) {
        Add("GSP-CSI-009", dat, dkey + ".key",
            label + " data entry " + std::to_string(j + 1) + " has no key");
      } else {
        keys.insert(key);
      }
      if (obj.empty()) {
        Add("GSP-CSI-009", dat, dkey + ".objectName",
            label + " data entry " + std::to_string(j + 1) + " has no objectName");
      } else if (objects_ok && !Templated(obj) && !files.count(obj)) {
        std::string list;
        for (const auto& f : files) list += (list.empty() ? "" : ", ") + f;
        Add("GSP-CSI-009", d.Get("objectName"), dkey + ".objectName",
            label + " maps objectName '" + obj +
                "', which no entry of objects mounts (mounted files: " +
                (list.empty() ? "none" : list) + "; use the objectAlias when one is set)");
      }
    }
    if (type == "kubernetes.io/tls" && (!keys.count("tls.crt") || !keys.count("tls.key"))) {
      Add("GSP-CSI-009", so.Get("type"), base + ".data",
          label + " is of type kubernetes.io/tls but does not map both tls.crt and tls.key");
    } else if (type == "kubernetes.io/dockerconfigjson" && !keys.count(".dockerconfigjson")) {
      Add("GSP-CSI-009", so.Get("type"), base + ".data",
          label + " is of type kubernetes.io/dockerconfigjson but maps no .dockerconfigjson key");
    }
  }
}

// --- pod specs ------------------------------------------------------------

bool LooksLikeSecretsStoreDriver(const std::string& d) {
  std::string l = Lower(d);
  return l.find("secrets-store") != std::string::npos ||
         l.find("secret-store") != std::string::npos ||
         l.find("secretsstore") != std::string::npos || l.find("secretstore") != std::string::npos;
}

// The CSI volumes (Secrets Store driver: mounts; a driver name close to it:
// typo_volumes) and the Secret uses of the pod specs, from the shared
// consumer walk with the pods' own namespaces.
void CollectPodSide(const ResourceIndex& index, std::vector<Mount>* mounts,
                    std::vector<SecretConsumer>* uses,
                    std::vector<std::pair<const Resource*, const YNode*>>* typo_volumes) {
  std::vector<CsiVolume> volumes;
  ConsumerOptions options;
  options.all_uses = true;
  options.target_namespace = true;
  options.csi_volumes = &volumes;
  for (SecretConsumer& c : CollectSecretConsumers(index, options)) {
    bool pod = c.pod_spec != nullptr && c.how != "CSI nodePublishSecretRef" && !NotAPod(*c.r);
    if (pod || c.how == "Ingress tls") uses->push_back(std::move(c));
  }
  for (const CsiVolume& cv : volumes) {
    if (NotAPod(*cv.r)) continue;
    const YNode& v = *cv.volume;
    const YNode* csi = v.Get("csi");
    std::string driver = Trim(csi->Str("driver"));
    if (driver != kDriver) {
      if (LooksLikeSecretsStoreDriver(driver) && !Templated(driver)) typo_volumes->push_back({cv.r, &v});
      continue;
    }
    for (const auto& ns : cv.namespaces) {
      Mount m;
      m.r = cv.r;
      m.vol = &v;
      m.ns = ns;
      m.volume = v.Str("name");
      m.spc_at = csi->Path("volumeAttributes.secretProviderClass");
      if (m.spc_at != nullptr && m.spc_at->IsScalar()) m.spc = Trim(m.spc_at->value);
      // `{{ .Name }}` unquoted parses as a flow map: a template, not a missing name.
      if (m.spc_at != nullptr && (m.spc_at->IsMap() || m.spc_at->IsSeq())) m.spc = "{{template}}";
      m.nps_at = csi->Path("nodePublishSecretRef.name");
      mounts->push_back(std::move(m));
    }
  }
}

// The labels a producer gives the Secret it creates; false when unknown.
bool ProducerLabels(const SecretProducer& p, std::map<std::string, std::string>* out) {
  if (p.r == nullptr) return false;
  const YNode* labels = nullptr;
  if (p.family == "secret" || p.family == "sops") {
    labels = p.r->node->Path("metadata.labels");
  } else if (p.family == "sealed") {
    labels = p.r->node->Path("spec.template.metadata.labels");
  } else if (p.family == "eso") {
    const YNode* spec = p.r->node->Get("spec");
    const YNode* es =
        spec && p.r->kind == "ClusterExternalSecret" ? spec->Get("externalSecretSpec") : spec;
    labels = es ? es->Path("target.template.metadata.labels") : nullptr;
  } else if (p.family == "csi") {
    if (p.at == nullptr) return false;
    const YNode* sos = p.r->node->Path("spec.secretObjects");
    if (sos == nullptr || !sos->IsSeq()) return false;
    for (const auto& so : sos->values) {
      if (so.Get("secretName") == p.at) labels = so.Get("labels");
    }
  } else {
    return false;
  }
  if (labels != nullptr && labels->IsMap()) {
    for (size_t i = 0; i < labels->keys.size(); ++i)
      (*out)[labels->keys[i].value] = labels->values[i].value;
  }
  return true;
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

void RunCsiPolicies(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();

  // SPCs and their single-object checks.
  std::vector<Spc> spcs;
  for (const auto& r : index.resources()) {
    if (r.file->from_history || r.kind != "SecretProviderClass" ||
        (r.api_version.rfind("secrets-store.csi.x-k8s.io/", 0) != 0 && !Templated(r.api_version)))
      continue;
    Spc base;
    base.r = &r;
    SpcChecker(ctx, r).Run(&base.files, &base.objects_ok, &base.sp_mode);
    base.provider = Trim(r.node->Path("spec.provider") ? r.node->Path("spec.provider")->value : "");
    base.azure = Lower(base.provider) == "azure";
    if (r.placements.empty()) {
      base.ns = r.namespace_;
      base.name = r.name;
      spcs.push_back(base);
    } else {
      for (const auto& p : r.placements) {
        Spc c = base;
        c.ns = p.namespace_;
        c.name = p.name.empty() ? r.name : p.name;
        spcs.push_back(std::move(c));
      }
    }
  }
  std::map<std::string, std::vector<const Spc*>> spc_by_name;
  for (const auto& s : spcs) spc_by_name[s.name].push_back(&s);

  std::vector<Mount> mounts;
  std::vector<SecretConsumer> uses;
  std::vector<std::pair<const Resource*, const YNode*>> typos;
  CollectPodSide(index, &mounts, &uses, &typos);

  // CSI-006: driver name typos.
  for (const auto& [r, v] : typos) {
    const YNode* d = v->Path("csi.driver");
    LintContext::Report rep =
        Base("GSP-CSI-006", *r, d, "volumes." + v->Str("name") + ".csi.driver");
    rep.message = Describe(*r) + " volume '" + v->Str("name") + "' uses CSI driver '" + d->value +
                  "'; the Secrets Store CSI driver is named " + kDriver;
    ctx.Add(std::move(rep));
  }

  std::set<std::string> done;
  auto once = [&](const LintContext::Report& rep) {
    return done.insert(rep.policy + "#" + rep.file->path + "#" + rep.discriminator).second;
  };
  // Mounts resolved to SPCs: (SPC, namespace) pairs that some pod mounts.
  std::map<const Spc*, std::vector<const Mount*>> mounted_by;
  std::vector<const Mount*> unknown_mounts;     // templated SecretProviderClass names
  std::vector<const Mount*> unresolved_mounts;  // names no SPC of the namespace has
  const std::vector<SecretProducer>* producers = nullptr;  // index.SharedProducers(), when needed

  for (const Mount& m : mounts) {
    std::string who = Describe(*m.r);
    std::string vkey = "volumes." + m.volume;
    std::string disc_ns = "@" + m.ns;
    const YNode* csi = m.vol->Get("csi");
    // CSI-006: readOnly, missing attribute, unresolved SPC.
    {
      std::string ro = Trim(csi->Str("readOnly"));
      if (ro != "true") {
        LintContext::Report rep =
            Base("GSP-CSI-006", *m.r,
                 csi->Get("readOnly") ? csi->Get("readOnly") : m.vol->KeyNode("csi"),
                 vkey + ".csi.readOnly");
        rep.discriminator += disc_ns;
        rep.message = who + " volume '" + m.volume + "': csi.readOnly is " +
                      (ro.empty() ? "not set" : "'" + ro + "'") +
                      "; the driver rejects the mount (\"Readonly is not true in request\")";
        if (once(rep)) ctx.Add(std::move(rep));
      }
    }
    if (m.spc.empty()) {
      LintContext::Report rep =
          Base("GSP-CSI-006", *m.r, m.vol->KeyNode("csi"), vkey + ".csi.volumeAttributes");
      rep.discriminator += disc_ns;
      rep.message = who + " volume '" + m.volume +
                    "' has no volumeAttributes.secretProviderClass; the driver cannot tell which "
                    "SecretProviderClass to use";
      if (once(rep)) ctx.Add(std::move(rep));
      continue;
    }
    if (Templated(m.spc) || !IsObjectName(m.spc)) {
      unknown_mounts.push_back(&m);  // may mount any SPC of its namespace
      continue;
    }
    std::vector<const Spc*> same, other;
    for (const Spc* s : spc_by_name[m.spc]) (NsMatch(s->ns, m.ns) ? same : other).push_back(s);
    if (same.empty()) {
      unresolved_mounts.push_back(&m);  // the missing SPC may be the one that syncs its Secrets
      LintContext::Report rep = Base("GSP-CSI-006", *m.r, m.spc_at, vkey + ".secretProviderClass");
      rep.discriminator += disc_ns;
      if (other.empty()) {
        rep.message =
            who + " volume '" + m.volume + "' mounts SecretProviderClass '" + m.spc +
            "', which is not defined anywhere in the repo" +
            (m.ns.empty() ? std::string("") : " (it must exist in namespace " + m.ns + ")") +
            "; the pod stays in ContainerCreating until it is";
      } else {
        std::set<std::string> nss;
        for (const Spc* s : other) {
          nss.insert(NsText(s->ns));
          rep.related.push_back(LintContext::Related(
              s->r->file, NameNode(*s->r),
              "SecretProviderClass " + s->name + " in namespace " + NsText(s->ns)));
        }
        rep.message = who + " volume '" + m.volume + "' mounts SecretProviderClass '" + m.spc +
                      "', which is defined only in namespace(s) " + Join(nss) + ", not in " +
                      NsText(m.ns) + "; the driver looks it up in the pod's namespace";
      }
      if (once(rep)) ctx.Add(std::move(rep));
      continue;
    }
    for (const Spc* s : same) mounted_by[s].push_back(&m);

    // CSI-005: service-principal wiring.
    // Only when every candidate SPC is in service-principal mode (several
    // unnamespaced SPCs of one name: the pod may get any of them).
    bool sp = true;
    for (const Spc* s : same) sp = sp && s->azure && s->sp_mode;
    if (!sp) continue;
    const Spc* spc = same[0];
    for (const Spc* s : same)
      if (s->azure && s->sp_mode) spc = s;
    auto related_spc = [&](LintContext::Report* rep) {
      rep->related.push_back(
          LintContext::Related(spc->r->file, NameNode(*spc->r),
                               "SecretProviderClass " + spc->name + " (service-principal mode)"));
    };
    if (m.nps_at == nullptr || !m.nps_at->IsScalar() || Trim(m.nps_at->value).empty()) {
      LintContext::Report rep =
          Base("GSP-CSI-005", *m.r, m.vol->KeyNode("csi"), vkey + ".nodePublishSecretRef");
      rep.discriminator += disc_ns;
      rep.message = who + " volume '" + m.volume + "' mounts SecretProviderClass '" + m.spc +
                    "' (service-principal mode) without nodePublishSecretRef; the provider has no "
                    "credentials";
      related_spc(&rep);
      if (once(rep)) ctx.Add(std::move(rep));
      continue;
    }
    std::string cred = Trim(m.nps_at->value);
    if (Templated(cred) || !IsObjectName(cred)) continue;
    if (producers == nullptr) producers = &index.SharedProducers();
    std::vector<const SecretProducer*> psame, pother;
    for (const auto& p : *producers) {
      if (p.name == cred) (ProducerServes(p, m.ns) ? psame : pother).push_back(&p);
    }
    LintContext::Report rep =
        Base("GSP-CSI-005", *m.r, m.nps_at, vkey + ".nodePublishSecretRef." + cred);
    rep.discriminator += disc_ns;
    related_spc(&rep);
    if (psame.empty()) {
      if (pother.empty()) {
        rep.severity = Severity::kLow;
        rep.message = who + " volume '" + m.volume + "': the service-principal Secret '" + cred +
                      "' is produced nowhere in the repo; it must be created in " +
                      (m.ns.empty() ? std::string("the pod's namespace") : "namespace " + m.ns) +
                      " with keys clientid and clientsecret and label " + kUsedLabel + "=true";
      } else {
        std::set<std::string> nss;
        for (const SecretProducer* p : pother) {
          nss.insert(NsText(p->ns));
          rep.related.push_back(LintContext::Related(
              p->file, p->at, p->mechanism + " in namespace " + NsText(p->ns)));
        }
        rep.message = who + " volume '" + m.volume + "': the service-principal Secret '" + cred +
                      "' is produced only in namespace(s) " + Join(nss) + " (by " +
                      pother[0]->mechanism + "), not in " + NsText(m.ns) +
                      "; nodePublishSecretRef is resolved in the pod's namespace";
      }
      if (once(rep)) ctx.Add(std::move(rep));
      continue;
    }
    for (const SecretProducer* p : psame) {
      std::vector<std::string> why;
      if (p->keys_known) {
        for (const char* k : {"clientid", "clientsecret"}) {
          if (!p->keys.count(k)) why.push_back(std::string("has no key ") + k);
        }
      }
      std::map<std::string, std::string> labels;
      if (ProducerLabels(*p, &labels)) {
        auto it = labels.find(kUsedLabel);
        if (it == labels.end() || Trim(it->second) != "true") {
          why.push_back(std::string("lacks label ") + kUsedLabel +
                        "=true (the driver's filtered watch misses it; rotation fails)");
        }
      }
      if (why.empty()) continue;
      LintContext::Report r2 = rep;
      r2.discriminator += ":" + p->mechanism;
      std::string list;
      for (const auto& w : why) list += (list.empty() ? "" : "; ") + w;
      r2.message = who + " volume '" + m.volume + "': the service-principal Secret " +
                   NsText(p->ns) + "/" + cred + " (produced by " + p->mechanism + ") " + list;
      r2.related.push_back(LintContext::Related(p->file, p->at, p->mechanism));
      if (once(r2)) ctx.Add(std::move(r2));
    }
  }

  // CSI-007: secretObjects nobody mounts. One report per SPC object.
  std::map<const Resource*, std::vector<const Spc*>> spc_placements;
  for (const auto& s : spcs) spc_placements[s.r].push_back(&s);
  for (const auto& [r, list] : spc_placements) {
    const YNode* sos = r->node->Path("spec.secretObjects");
    if (sos == nullptr || !sos->IsSeq() || sos->values.empty()) continue;
    if (!IsObjectName(list[0]->name)) continue;  // templated name: its mounts cannot be matched
    std::set<std::string> unmounted;
    for (const Spc* s : list) {
      bool maybe = false;
      // A templated mount may be this SPC when it is rendered with it: same
      // directory, or applied by the same build.
      for (const Mount* m : unknown_mounts) {
        if (!NsMatch(m->ns, s->ns)) continue;
        bool same_dir = DirName(m->r->file->path) == DirName(s->r->file->path);
        bool same_build = false;
        for (const auto& pm : m->r->placements) {
          for (const auto& ps : s->r->placements)
            same_build = same_build || (!pm.via.empty() && pm.via == ps.via);
        }
        maybe = maybe || same_dir || same_build;
      }
      if (!mounted_by.count(s) && !maybe) unmounted.insert(NsText(s->ns));
    }
    if (unmounted.empty()) continue;
    const YNode* at = r->node->Path("spec")->KeyNode("secretObjects");
    LintContext::Report rep = Base("GSP-CSI-007", *r, at, "spec.secretObjects");
    std::set<std::string> names;
    for (const auto& so : sos->values) {
      if (so.IsMap() && !so.Str("secretName").empty()) names.insert(so.Str("secretName"));
    }
    rep.message = "SecretProviderClass " + Describe(*r).substr(r->kind.size() + 1) +
                  " declares secretObjects (" + Join(names) + ") but no workload " +
                  (unmounted.size() == 1 && *unmounted.begin() != "(no namespace)"
                       ? "in namespace " + *unmounted.begin() + " "
                       : "") +
                  "mounts it; the driver creates synced Secrets only while a pod mounts the volume";
    ctx.Add(std::move(rep));
  }

  // CSI-008: a synced Secret consumed by a workload that does not mount the SPC.
  std::map<std::string, std::vector<std::pair<const Spc*, const YNode*>>>
      synced;  // secretName -> SPC
  for (const auto& s : spcs) {
    const YNode* sos = s.r->node->Path("spec.secretObjects");
    if (sos == nullptr || !sos->IsSeq()) continue;
    for (const auto& so : sos->values) {
      if (so.IsMap() && so.Get("secretName") && !so.Str("secretName").empty()) {
        synced[Trim(so.Str("secretName"))].push_back({&s, so.Get("secretName")});
      }
    }
  }
  if (!synced.empty()) {
    if (producers == nullptr) producers = &index.SharedProducers();
    for (const SecretConsumer& u : uses) {
      auto it = synced.find(u.name);
      if (it == synced.end()) continue;
      std::vector<std::pair<const Spc*, const YNode*>> from;
      for (const auto& e : it->second) {
        if (NsMatch(e.first->ns, u.ns)) from.push_back(e);
      }
      if (from.empty()) continue;
      // Another mechanism produces it too: XREF-002's business, not a sync gap.
      bool other_producer = false;
      for (const auto& p : *producers) {
        if (p.name == u.name && p.family != "csi" && ProducerServes(p, u.ns)) other_producer = true;
      }
      if (other_producer) continue;
      bool mounts_it = false, anyone = false;
      for (const auto& [s, at] : from) {
        auto mb = mounted_by.find(s);
        if (mb == mounted_by.end()) continue;
        for (const Mount* m : mb->second) {
          if (!NsMatch(m->ns, u.ns)) continue;
          anyone = true;
          if (m->r == u.r) mounts_it = true;
        }
      }
      for (const auto* list : {&unknown_mounts, &unresolved_mounts}) {
        for (const Mount* m : *list) mounts_it = mounts_it || (m->r == u.r && NsMatch(m->ns, u.ns));
      }
      if (mounts_it) continue;
      if (u.pod_spec == nullptr && anyone) continue;  // Ingress: a pod in the namespace keeps it synced
      const Spc* s = from[0].first;
      LintContext::Report rep = Base("GSP-CSI-008", *u.r, u.at, u.how + "." + u.name);
      rep.discriminator += "@" + u.ns;
      rep.message =
          Describe(*u.r) + " uses Secret '" + u.name + "' (" + u.how +
          "), which SecretProviderClass '" + s->name + "' syncs, but " +
          (u.pod_spec == nullptr
               ? std::string("no workload in its namespace mounts that SecretProviderClass")
               : std::string("does not mount that SecretProviderClass itself")) +
          "; the Secret exists only while some pod mounts the volume and is deleted with the last "
          "one";
      for (const auto& [sp, at] : from) {
        rep.related.push_back(LintContext::Related(
            sp->r->file, at,
            "synced by SecretProviderClass " + sp->name + " in namespace " + NsText(sp->ns)));
      }
      if (once(rep)) ctx.Add(std::move(rep));
    }
  }
}

}  // namespace vigil
