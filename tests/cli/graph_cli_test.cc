// `vigil graph` through the real binary: text, JSON (parsed) and DOT
// (structure) on examples/gitops-repo and on a small tree with an
// unresolved reference; --output, bad input and exit codes.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/cli/cli_util.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::Quote;
using testing::RunVigil;
using testing::TempTree;

void SmallTree(TempTree& t) {
  t.Write("app/kustomization.yaml", R"(apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources: [deploy.yaml, db.yaml]
)");
  t.Write("app/deploy.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: x
          env:
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
          envFrom:
            - secretRef: {name: not-in-repo}
)");
  t.Write("app/db.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: fake-graph-value-QX7Z
)");
}

const json* FindSecret(const json& j, const std::string& ns, const std::string& name) {
  for (const auto& n : j["namespaces"]) {
    if (n["name"] != ns) continue;
    for (const auto& s : n["secrets"]) {
      if (s["name"] == name) return &s;
    }
  }
  return nullptr;
}

TEST(GraphCli, ExampleRepoJson) {
  auto r = RunVigil("graph examples/gitops-repo --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["schema"], "vigil-secret-graph/1");
  EXPECT_EQ(j["root"], "examples/gitops-repo");
  // The payments Deployment reads two Secrets, both produced in payments.
  const json* db = FindSecret(j, "payments", "payments-db");
  ASSERT_NE(db, nullptr) << r.out;
  EXPECT_TRUE((*db)["resolved"].get<bool>());
  ASSERT_EQ((*db)["producers"].size(), 1u);
  EXPECT_EQ((*db)["producers"][0]["mechanism"], "plain Secret");
  EXPECT_EQ((*db)["producers"][0]["location"]["file"],
            "examples/gitops-repo/clusters/prod/apps/payments/secret.yaml");
  EXPECT_EQ((*db)["producers"][0]["location"]["line"], 4);
  ASSERT_EQ((*db)["consumers"].size(), 1u);
  EXPECT_EQ((*db)["consumers"][0]["kind"], "Deployment");
  EXPECT_EQ((*db)["consumers"][0]["name"], "payments");
  EXPECT_EQ((*db)["consumers"][0]["how"], "envFrom secretRef");
  EXPECT_EQ((*db)["consumers"][0]["location"]["file"],
            "examples/gitops-repo/clusters/prod/apps/payments/deployment.yaml");
  EXPECT_EQ((*db)["consumers"][0]["location"]["line"], 19);
  const json* reg = FindSecret(j, "payments", "registry-credentials");
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ((*reg)["consumers"][0]["how"], "imagePullSecrets");
  EXPECT_EQ((*reg)["producers"][0]["type"], "kubernetes.io/dockerconfigjson");
  // Producers nothing in the repo reads are listed too.
  const json* orders = FindSecret(j, "orders", "orders-api-key");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ((*orders)["producers"][0]["kind"], "ExternalSecret");
  EXPECT_TRUE((*orders)["consumers"].empty());
  const json* web = FindSecret(j, "web", "web-session");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ((*web)["producers"][0]["family"], "sealed");
  // The summary counts what is listed.
  size_t secrets = 0;
  for (const auto& n : j["namespaces"]) secrets += n["secrets"].size();
  EXPECT_EQ(j["summary"]["secrets"].get<size_t>(), secrets);
  EXPECT_EQ(j["summary"]["unresolved"], 0);
  // Key names, never the values (the example's Secret holds base64 and a URL).
  EXPECT_EQ(r.out.find("WnE3dlIybSFMeDlwVDR3Sw"), std::string::npos);
  EXPECT_EQ(r.out.find("Zq7vR2mLx9pT4wK8"), std::string::npos);
  EXPECT_EQ(r.out.find("eyJhdXRocyI6"), std::string::npos);
}

TEST(GraphCli, ExampleRepoText) {
  auto r = RunVigil("graph examples/gitops-repo");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Secret graph of examples/gitops-repo"), std::string::npos) << r.out;
  // Grouped per namespace: the payments block lists its Secret, producer and consumer.
  size_t ns = r.out.find("\nnamespace payments\n");
  ASSERT_NE(ns, std::string::npos) << r.out;
  size_t next = r.out.find("\nnamespace ", ns + 1);
  std::string block = r.out.substr(ns, next == std::string::npos ? std::string::npos : next - ns);
  EXPECT_NE(block.find("  Secret payments-db\n"), std::string::npos) << block;
  EXPECT_NE(block.find("<- plain Secret payments-db (type Opaque)  "
                       "examples/gitops-repo/clusters/prod/apps/payments/secret.yaml:4"),
            std::string::npos)
      << block;
  EXPECT_NE(block.find("-> Deployment payments (envFrom secretRef)  "
                       "examples/gitops-repo/clusters/prod/apps/payments/deployment.yaml:19"),
            std::string::npos)
      << block;
  EXPECT_EQ(r.out.find("Zq7vR2mLx9pT4wK8"), std::string::npos);
}

TEST(GraphCli, SmallTreeShowsUnresolvedInEveryFormat) {
  TempTree t;
  SmallTree(t);
  auto text = RunVigil("graph . --no-config", t.path());
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("1 without a producer in the repo"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Secret not-in-repo  [UNRESOLVED: no producer in the repo]"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("namespace shop"), std::string::npos);

  auto js = RunVigil("graph . --no-config -f json", t.path());
  ASSERT_EQ(js.code, 0) << js.err;
  json j = json::parse(js.out);
  const json* missing = FindSecret(j, "shop", "not-in-repo");
  ASSERT_NE(missing, nullptr) << js.out;
  EXPECT_FALSE((*missing)["resolved"].get<bool>());
  EXPECT_TRUE((*missing)["producers"].empty());
  EXPECT_EQ((*missing)["consumers"][0]["location"]["file"], "app/deploy.yaml");
  EXPECT_EQ((*missing)["consumers"][0]["location"]["line"], 15);
  const json* db = FindSecret(j, "shop", "db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ((*db)["producers"][0]["keys"], json::array({"password"}));
  EXPECT_EQ(j["summary"]["unresolved"], 1);

  auto dot = RunVigil("graph . --no-config --format dot", t.path());
  ASSERT_EQ(dot.code, 0) << dot.err;
  EXPECT_NE(dot.out.find("digraph secrets {"), std::string::npos) << dot.out;
  EXPECT_EQ(dot.out.back(), '\n');
  EXPECT_EQ(dot.out.substr(dot.out.size() - 2), "}\n");
  EXPECT_NE(dot.out.find("subgraph cluster_0 {"), std::string::npos);
  EXPECT_NE(dot.out.find("label=\"namespace shop\""), std::string::npos);
  // Edges: producer -> Secret db -> Deployment, and a dashed red edge from the unresolved Secret.
  std::regex node(R"re(^    (n\d+) \[label="([^"]*)")re");  // node lines, inside a cluster
  std::map<std::string, std::string> labels;                // id -> label
  std::istringstream lines(dot.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, node)) labels[m[1]] = m[2];
  }
  std::regex edge(R"re((n\d+) -> (n\d+) \[label="([^"]*)"([^\]]*)\])re");
  std::set<std::string> edges;
  for (auto it = std::sregex_iterator(dot.out.begin(), dot.out.end(), edge);
       it != std::sregex_iterator(); ++it) {
    std::string style = (*it)[4];
    edges.insert(labels[(*it)[1]] + " -> " + labels[(*it)[2]] + " [" + std::string((*it)[3]) + "]" +
                 (style.find("dashed") != std::string::npos ? " dashed" : ""));
  }
  EXPECT_EQ(edges, (std::set<std::string>{
                       "plain Secret db\\napp/db.yaml:4 -> Secret\\ndb [secret]",
                       "Secret\\ndb -> Deployment api\\napp/deploy.yaml [env secretKeyRef]",
                       "Secret\\nnot-in-repo\\n(no producer) -> Deployment api\\napp/deploy.yaml "
                       "[envFrom secretRef] dashed",
                   }))
      << dot.out;

  for (const auto* out : {&text.out, &js.out, &dot.out}) {
    EXPECT_EQ(out->find("fake-graph-value-QX7Z"), std::string::npos);
  }
}

TEST(GraphCli, OutputFileAndBadInput) {
  TempTree t;
  SmallTree(t);
  t.Write("app/broken.yaml", "kind: Secret\nmetadata: {name: [x\n");
  std::string out = t.path() + "/graph.json";
  auto r = RunVigil("graph . --no-config -f json -o " + Quote(out), t.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  // The broken file is named with its line on stderr and in the JSON; the graph goes on.
  EXPECT_NE(r.err.find("app/broken.yaml:"), std::string::npos) << r.err;
  json j = json::parse(testing::ReadFile(out));
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["file"], "app/broken.yaml");
  EXPECT_GT(j["errors"][0]["line"].get<int>(), 0);
  EXPECT_NE(FindSecret(j, "shop", "db"), nullptr);

  EXPECT_EQ(RunVigil("graph " + Quote(t.path() + "/nope")).code, 2);
  EXPECT_EQ(RunVigil("graph " + Quote(t.path()) + " --format svg").code, 2);
}

}  // namespace
}  // namespace vigil
