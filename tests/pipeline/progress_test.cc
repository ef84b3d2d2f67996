// The pipeline's hand-over from a source to the workers (scanning starts
// while the source still enumerates; the queue is bounded; cancel does not
// hang a blocked source) and the progress display (the line formatter; silent
// when stderr is not a terminal; printed and cleared on a pseudo-terminal).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "scanner/pipeline/scan.h"
#include "scanner/source/source.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;

// A source of `count` in-memory items ("line <i>\n"); optionally, after the
// first item it waits (up to 10 s) until a reader has read that item.
class FakeSource : public Source {
 public:
  explicit FakeSource(size_t count, bool wait_for_first_read = false)
      : count_(count), wait_(wait_for_first_read) {}

  std::string Mode() const override { return "fake"; }
  uint64_t ObjectsEnumerated() const override { return enumerated_.load(); }

  Status Enumerate(const std::function<void(WorkItem)>& emit,
                   std::vector<ScanError>* /*errors*/) override {
    for (size_t i = 0; i < count_; ++i) {
      enumerated_.fetch_add(2);
      uint64_t in_flight = i - std::min<uint64_t>(i, reads_.load());
      max_in_flight_ = std::max<uint64_t>(max_in_flight_, in_flight);
      emit(WorkItem{"file" + std::to_string(i), std::to_string(i), 0, false});
      if (i == 0 && wait_) {
        auto until = std::chrono::steady_clock::now() + 10s;
        while (reads_.load() == 0 && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(1ms);
        }
        read_before_enumeration_ended_ = reads_.load() > 0;
      }
    }
    return Status::Ok();
  }

  class Reader : public SourceReader {
   public:
    explicit Reader(FakeSource* s) : s_(s) {}
    Status Read(const WorkItem& item, BlobData* out) override {
      buf_ = "line " + item.key + "\n";
      out->data = buf_;
      s_->reads_.fetch_add(1);
      return Status::Ok();
    }

   private:
    FakeSource* s_;
    std::string buf_;
  };
  std::unique_ptr<SourceReader> NewReader() override { return std::make_unique<Reader>(this); }

  size_t count_;
  bool wait_;
  std::atomic<uint64_t> enumerated_{0}, reads_{0};
  uint64_t max_in_flight_ = 0;  // emitted but not yet read, at most
  bool read_before_enumeration_ended_ = false;
};

// Counts blobs; optionally sleeps per blob (to make a scan last).
class CountingInspector : public Inspector {
 public:
  explicit CountingInspector(std::chrono::milliseconds delay = 0ms) : delay_(delay) {}
  class Worker : public InspectorWorker {
   public:
    explicit Worker(const CountingInspector* in) : in_(in) {}
    void Inspect(const BlobRef&, std::vector<Finding>*, std::vector<ScanError>*) override {
      if (in_->delay_.count() > 0) std::this_thread::sleep_for(in_->delay_);
      in_->seen_.fetch_add(1);
    }

   private:
    const CountingInspector* in_;
  };
  std::unique_ptr<InspectorWorker> NewWorker() const override {
    return std::make_unique<Worker>(this);
  }
  std::chrono::milliseconds delay_;
  mutable std::atomic<uint64_t> seen_{0};
};

TEST(PipelineQueue, WorkersScanWhileTheSourceIsStillEnumerating) {
  FakeSource src(100, /*wait_for_first_read=*/true);
  CountingInspector counter;
  PipelineOptions po;
  po.threads = 2;
  ScanOutcome out = RunScan(src, {&counter}, po);
  EXPECT_TRUE(src.read_before_enumeration_ended_);
  EXPECT_EQ(counter.seen_.load(), 100u);
  EXPECT_EQ(out.summary.files_scanned, 100u);
  EXPECT_FALSE(out.summary.incomplete);
}

TEST(PipelineQueue, OneThreadAndManyItemsDoNotDeadlock) {
  FakeSource src(20000);
  CountingInspector counter;
  PipelineOptions po;
  po.threads = 1;
  ScanOutcome out = RunScan(src, {&counter}, po);
  EXPECT_EQ(out.summary.files_scanned, 20000u);
  // Bounded by the queue (4096) plus the items in the workers' hands.
  EXPECT_LE(src.max_in_flight_, 4096u + 4u);
  EXPECT_GT(src.max_in_flight_, 0u);
}

TEST(PipelineQueue, CancelDoesNotBlockTheSource) {
  FakeSource src(20000);
  CountingInspector counter;
  std::atomic<bool> cancel{true};
  PipelineOptions po;
  po.threads = 2;
  po.cancel = &cancel;
  ScanOutcome out = RunScan(src, {&counter}, po);  // returns: the test would hang otherwise
  EXPECT_TRUE(out.summary.incomplete);
  EXPECT_LT(counter.seen_.load(), 20000u);
}

TEST(ProgressLine, FormatsCountsRateAndEta) {
  ProgressCounts c;
  c.objects_enumerated = 346066;
  c.enumeration_done = true;
  c.blobs_scanned = 45000;
  c.blobs_total = 91223;
  c.bytes_scanned = 342000000;
  c.seconds = 5.0;
  // 46223 blobs left at 9000 blobs/s: 5.1 s.
  EXPECT_EQ(FormatProgressLine(c),
            "346066 objects enumerated, 45000/91223 blobs scanned, 342.0 MB at 68.4 MB/s, ETA 5s");
  c.seconds = 100.0;  // 102.7 s left
  EXPECT_EQ(FormatProgressLine(c),
            "346066 objects enumerated, 45000/91223 blobs scanned, 342.0 MB at 3.4 MB/s, "
            "ETA 1m43s");
  c.seconds = 4000.0;
  EXPECT_NE(FormatProgressLine(c).find("ETA 1h08m"), std::string::npos);
}

TEST(ProgressLine, UnknownTotalWhileEnumeratingAndNoObjectCount) {
  ProgressCounts c;
  c.blobs_scanned = 10;
  c.blobs_total = 40;
  c.bytes_scanned = 1600000;
  c.seconds = 2.0;
  EXPECT_EQ(FormatProgressLine(c), "10/40+ blobs scanned, 1.6 MB at 0.8 MB/s, ETA --");
  c.enumeration_done = true;
  c.blobs_scanned = 0;
  EXPECT_EQ(FormatProgressLine(c), "0/40 blobs scanned, 1.6 MB at 0.8 MB/s, ETA --");
}

TEST(ProgressDisplay, SilentWhenStderrIsNotATerminal) {
  FakeSource src(4);
  CountingInspector slow(150ms);  // the scan lasts > 300 ms: several ticks
  PipelineOptions po;
  po.threads = 1;
  po.progress = true;
  ::testing::internal::CaptureStderr();  // stderr becomes a file
  ScanOutcome out = RunScan(src, {&slow}, po);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.summary.files_scanned, 4u);
  EXPECT_EQ(err, "");
}

// Runs a slow scan with stderr on a pseudo-terminal; returns what it printed.
std::string ScanOnTerminal(bool progress, double* seconds = nullptr) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return "<no pty>";
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  if (slave < 0) return "<no pty>";
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(slave, STDERR_FILENO);
  auto start = std::chrono::steady_clock::now();
  {
    FakeSource src(4);
    CountingInspector slow(150ms);
    PipelineOptions po;
    po.threads = 1;
    po.progress = progress;
    (void)RunScan(src, {&slow}, po);
  }
  fflush(stderr);
  if (seconds) *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(slave);
  fcntl(master, F_SETFL, O_NONBLOCK);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(master, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(master);
  return text;
}

TEST(ProgressDisplay, PrintedAndClearedOnATerminal) {
  double seconds = 0;
  std::string text = ScanOnTerminal(true, &seconds);
  ASSERT_NE(text, "<no pty>");
  EXPECT_NE(text.find("objects enumerated"), std::string::npos) << text;
  EXPECT_NE(text.find("/4 blobs scanned"), std::string::npos) << text;
  ASSERT_GE(text.size(), 4u);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");  // the line is cleared at the end
  // At most 10 lines a second (the scan lasts about 600 ms).
  size_t lines = 0;
  for (size_t p = 0; (p = text.find("blobs scanned", p)) != std::string::npos; ++p) ++lines;
  EXPECT_GE(lines, 1u);
  EXPECT_LE(static_cast<double>(lines), seconds * 10 + 1) << seconds << " s";
}

TEST(ProgressDisplay, QuietOnATerminalWithoutProgress) {
  std::string text = ScanOnTerminal(false);
  ASSERT_NE(text, "<no pty>");
  EXPECT_EQ(text, "");
}

}  // namespace
}  // namespace vigil
