// Heap commands on a dump whose GC heap is corrupt: each must finish with
// exit code 0, show what it could still read, and flag the corruption it
// met, never crash or hang. The copy of waiter.Heap has four smashed
// objects (see harness/corrupt_dump.h).
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "harness/corrupt_dump.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

class AnalyzeCorruptHeap : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dump = SharedDump("waiter.Heap");
    if (std::filesystem::exists(dump)) corrupt_ = new CorruptDump(MakeCorruptDump(dump));
  }
  static void TearDownTestSuite() {
    if (corrupt_) RemoveCorruptDump(*corrupt_);
    delete corrupt_;
    corrupt_ = nullptr;
  }
  void SetUp() override {
    CLRDUMP_REQUIRE(corrupt_ != nullptr, "no dump at " + SharedDump("waiter.Heap"));
    ASSERT_TRUE(corrupt_->error.empty()) << corrupt_->error;
  }
  // Runs one command; it must end normally.
  static std::string Command(const std::string& command) {
    const RunResult r = test::Run({ClrdumpPath(), "analyze", corrupt_->path, "-c", command, "-c", "exit"},
                            {}, std::chrono::seconds(120));
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.out << r.err;
    EXPECT_FALSE(r.timed_out) << command;
    return r.out;
  }
  static std::string Hex(uint64_t address) {
    char text[32];
    std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(address));
    return text;
  }
  static CorruptDump* corrupt_;
};

CorruptDump* AnalyzeCorruptHeap::corrupt_ = nullptr;

TEST_F(AnalyzeCorruptHeap, VerifyHeapReportsEachKindOfCorruption) {
  const std::string out = Command("verifyheap");
  EXPECT_NE(out.find(Hex(corrupt_->bad_method_table) + "     InvalidMethodTable "),
            std::string::npos) << out;
  EXPECT_NE(out.find("has a bad member at offset 8: 12345678"), std::string::npos) << out;
  EXPECT_NE(out.find(Hex(corrupt_->bad_header) + "     SyncBlockMismatch "), std::string::npos)
      << out;
  EXPECT_NE(out.find("Object " + Hex(corrupt_->long_array) + " is too large"), std::string::npos)
      << out;
  EXPECT_NE(out.find(" objects verified, 4 errors.\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("No heap corruption detected."), std::string::npos) << out;
}

TEST_F(AnalyzeCorruptHeap, DumpHeapShowsTheUnreadableObjectAndGoesOn) {
  const std::string out = Command("dumpheap -stat");
  EXPECT_NE(out.find("<unknown_type_4141414141414141>"), std::string::npos) << out;
  EXPECT_NE(out.find("System.String\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nTotal "), std::string::npos) << out;
}

TEST_F(AnalyzeCorruptHeap, EeheapStillListsTheSegments) {
  const std::string out = Command("eeheap -gc");
  EXPECT_NE(out.find("Small object heap"), std::string::npos) << out;
  EXPECT_NE(out.find("GC Committed Heap Size:"), std::string::npos) << out;
}

TEST_F(AnalyzeCorruptHeap, GcWhereFindsTheCorruptObjectsSegment) {
  const std::string out = Command("gcwhere " + Hex(corrupt_->bad_method_table));
  EXPECT_NE(out.find("\n" + Hex(corrupt_->bad_method_table) + "     0      "), std::string::npos)
      << out;
}

TEST_F(AnalyzeCorruptHeap, ListNearObjFlagsTheBrokenChain) {
  std::string out = Command("lno " + Hex(corrupt_->bad_method_table));
  EXPECT_NE(out.find("Error Detected: Object " + Hex(corrupt_->bad_method_table) +
                     " has an invalid method table 4141414141414141"),
            std::string::npos) << out;
  EXPECT_NE(out.find("Heap local consistency not confirmed."), std::string::npos) << out;
  out = Command("lno " + Hex(corrupt_->long_array));
  EXPECT_NE(out.find(Hex(corrupt_->long_array) + " is the last object on the segment"),
            std::string::npos) << out;
  EXPECT_NE(out.find("Heap local consistency not confirmed."), std::string::npos) << out;
}

TEST_F(AnalyzeCorruptHeap, VerifyObjListsEveryProblemOfOneObject) {
  const std::string out = Command("verifyobj " + Hex(corrupt_->bad_header));
  EXPECT_NE(out.find("-0x04  SyncBlockMismatch"), std::string::npos) << out;
  EXPECT_NE(out.find("had a SyncBlock index of 5 but the runtime has no matching SyncBlock"),
            std::string::npos) << out;
  EXPECT_NE(out.find("1 error  detected."), std::string::npos) << out;
}

TEST_F(AnalyzeCorruptHeap, GenerationCommandsStopAtTheBadObject) {
  // ClrMD's plain walk ends at the smashed MethodTable: gen0 counts end there.
  const std::string out = Command("dumpgen gen0");
  EXPECT_NE(out.find("Statistics:"), std::string::npos) << out;
  // Only the Int32[] before it is counted.
  EXPECT_NE(out.find("Total 1 objects"), std::string::npos) << out;
  const std::string sizes = Command("sizestats");
  EXPECT_NE(sizes.find("Cumulative Count\n            96              1               0           "
                       "     0\n\nSize Statistics for generation1 objects"),
            std::string::npos) << sizes;
}

}  // namespace
}  // namespace clrdump::test
