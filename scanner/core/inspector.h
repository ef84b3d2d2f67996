// Inspector: anything that looks at a blob and emits findings. The secret
// matcher and the manifest linter are inspectors; the pipeline knows neither.
//
// Threading: an Inspector is shared by all workers and must be safe to call
// NewWorker() and Finish() on from one thread; each InspectorWorker is used
// by exactly one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/finding.h"

namespace vigil {

// What a worker is told about the blob it inspects.
struct BlobRef {
  std::string_view path;  // path relative to the scan root ('/' separated)
  std::string_view data;  // the bytes; valid only during Inspect()
  bool from_history = false;
  // Not part of the change being scanned (the unchanged files of a staged
  // scan): given only to inspectors that WantsContext(), as peers for
  // cross-file checks; findings on it are the inspector's to filter.
  bool context = false;
};

// A context blob whose bytes were not read (no inspector's
// WantsContextBytes wanted them): the inspector learns only that the path
// exists, and may fetch the bytes later (ContextFetch).
struct UnreadContext {
  std::string_view path;
  bool from_history = false;
};

// Reads, on demand and on the thread that calls Inspector::Finish, a context
// blob that was handed over path-only. False when the path is not one of
// them or cannot be read. Inline `vigil:ignore` markers of a fetched blob
// apply as for blobs read in the walk.
using ContextFetch = std::function<bool(std::string_view path, std::string* out)>;

class InspectorWorker {
 public:
  virtual ~InspectorWorker() = default;
  // Appends findings for the blob to *out and per-item problems to *errors.
  virtual void Inspect(const BlobRef& blob, std::vector<Finding>* out,
                       std::vector<ScanError>* errors) = 0;
};

class Inspector {
 public:
  virtual ~Inspector() = default;
  virtual std::unique_ptr<InspectorWorker> NewWorker() const = 0;
  // True when the inspector also wants the context blobs (BlobRef::context).
  virtual bool WantsContext() const { return false; }
  // For a context blob: whether its bytes are needed during the walk; when
  // no inspector needs them the blob is not read and is handed over by path
  // (SetUnreadContext). Called on the enumerating thread. Default: yes.
  virtual bool WantsContextBytes(std::string_view /*path*/) const { return true; }
  // Called once, before Finish(), when some context blobs were not read:
  // all of them at once (sorted by path; a staged scan of a large
  // repository has one per file, so no per-blob call), with the way to read
  // them. Both stay valid until Finish() returns.
  virtual void SetUnreadContext(std::span<const UnreadContext> /*blobs*/, ContextFetch /*fetch*/) {}
  // Called once after every blob was inspected and every worker destroyed
  // (a worker may hand what it gathered to the inspector in its destructor;
  // cross-file checks).
  virtual void Finish(std::vector<Finding>* /*out*/, std::vector<ScanError>* /*errors*/) {}
};

}  // namespace vigil
