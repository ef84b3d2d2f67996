// SecretInspector: the Inspector that runs the secret matcher over a blob and,
// through an optional Decoder, over encoded values inside it (the base64
// values of a Kubernetes Secret's `data:`), pointing those findings at the
// YAML key they came from.
//
// Thread safety: the inspector is shared; each worker owns a Matcher.
#pragma once

#include <memory>
#include <set>

#include "scanner/core/decoder.h"
#include "scanner/core/inspector.h"
#include "scanner/core/reporter.h"
#include "scanner/match/matcher.h"

namespace vigil {

class SecretInspector : public Inspector {
 public:
  // `decoder` may be null; it must outlive the inspector.
  SecretInspector(std::shared_ptr<const RuleDatabase> db, const Decoder* decoder)
      : db_(std::move(db)), decoder_(decoder) {}
  std::unique_ptr<InspectorWorker> NewWorker() const override;
  const RuleDatabase& db() const { return *db_; }

 private:
  std::shared_ptr<const RuleDatabase> db_;
  const Decoder* decoder_;
};

// Rule metadata for reporters.
std::vector<RuleInfo> RuleInfos(const RuleDatabase& db);

}  // namespace vigil
