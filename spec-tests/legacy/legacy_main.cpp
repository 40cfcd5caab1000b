// The legacy client-side-encryption spec runner (see spec-tests/README.md). One binary per
// libmongocrypt build; `--file=<stem>` (repeatable) picks spec files ("corpus" for the corpus
// test), none means all of them; `--mode=crypt_shared` takes the markings from the built
// mongo_crypt_v1.so in-process instead of the daemon (analysis_mode.h).
// Each spec test is one gtest (suite = file stem); at exit a table of passed/failed/skipped per
// file is printed. Without the spec files (../shared absent) it says so in one line and skips.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "analysis_mode.h"
#include "corpus_run.h"
#include "legacy_rules.h"
#include "legacy_test_case.h"
#include "mongocrypt_state_machine.h"
#include "spec_files.h"
#include "summary_table.h"

namespace sl = cryptd::speclegacy;

namespace {

sl::LibraryInfo libraryInfo() {
    sl::LibraryInfo lib;
    lib.version = mongocrypt_version(nullptr);
    std::sscanf(lib.version.c_str(), "%d.%d", &lib.major, &lib.minor);
    return lib;
}

struct Shared {
    sl::LibraryInfo lib = libraryInfo();
    std::optional<sl::RecordedKms> kms = sl::RecordedKms::load();
    std::vector<std::pair<std::string, std::shared_ptr<cryptd::bson::Doc>>> files;
    sl::SummaryTable table;
};
Shared& shared() {
    static Shared s;
    return s;
}

// crypt_shared mode: libmongocrypt asked for markings over the wire during this test.
class WireRequestGuard {
  public:
    WireRequestGuard() : before_(sl::wireRequestsInCryptSharedMode().count) {}
    std::optional<std::string> violation() const {
        const auto& r = sl::wireRequestsInCryptSharedMode();
        if (r.count == before_) return std::nullopt;
        return "libmongocrypt asked for markings over the wire in crypt_shared mode (" +
               std::to_string(r.count - before_) + " time(s)), last: " + r.lastCommand;
    }

  private:
    int before_;
};

class LegacyTest : public testing::Test {
  public:
    LegacyTest(std::string file, std::shared_ptr<cryptd::bson::Doc> doc, size_t index)
        : file_(std::move(file)), doc_(std::move(doc)), index_(index) {}

    void TestBody() override {
        auto& s = shared();
        auto tests = doc_->view().find("tests")->document();
        auto it = tests.begin();
        for (size_t i = 0; i < index_; ++i) ++it;
        auto test = (*it).document();
        if (auto reason = sl::skipReason(file_, test, s.lib)) {
            s.table.skipped(file_, *reason);
            GTEST_SKIP() << *reason;
        }
        if (!s.kms) {
            std::string reason = "libmongocrypt's recorded KMS reply (../shared/corpus) not found";
            s.table.skipped(file_, reason);
            GTEST_SKIP() << reason;
        }
        sl::Verdict v;
        WireRequestGuard wire;
        try {
            v = sl::runLegacyTest(file_, doc_->view(), test, &*s.kms);
        } catch (const std::exception& e) {
            v.failures.push_back(std::string("runner error: ") + e.what());
        }
        if (auto violation = wire.violation()) v.failures.push_back(*violation);
        for (auto& note : v.notes) std::cout << "  note: " << note << "\n";
        if (v.failures.empty()) {
            s.table.passed(file_);
            return;
        }
        s.table.failed(file_);
        for (auto& f : v.failures) ADD_FAILURE() << f;
    }

  private:
    std::string file_;
    std::shared_ptr<cryptd::bson::Doc> doc_;
    size_t index_;
};

class LoadFailure : public testing::Test {
  public:
    LoadFailure(std::string file, std::string error)
        : file_(std::move(file)), error_(std::move(error)) {}
    void TestBody() override {
        shared().table.failed(file_);
        ADD_FAILURE() << file_ << ".json cannot be read: " << error_;
    }

  private:
    std::string file_, error_;
};

// The corpus test, once with the schema from listCollections and once from a schemaMap; the table
// counts fields.
class CorpusTest : public testing::Test {
  public:
    CorpusTest(std::string dir, bool schemaMap) : dir_(std::move(dir)), schemaMap_(schemaMap) {}
    void TestBody() override {
        auto& s = shared();
        std::string row = schemaMap_ ? "corpus (schemaMap)" : "corpus (listCollections)";
        if (!s.kms) {
            std::string reason = "libmongocrypt's recorded KMS reply (../shared/corpus) not found";
            s.table.skipped(row, reason);
            GTEST_SKIP() << reason;
        }
        std::vector<sl::FieldVerdict> verdicts;
        WireRequestGuard wire;
        try {
            verdicts = sl::runCorpus(dir_, schemaMap_, *s.kms);
        } catch (const std::exception& e) {
            s.table.failed(row);
            FAIL() << "runner error: " << e.what();
        }
        if (auto violation = wire.violation()) {
            s.table.failed(row);
            FAIL() << *violation;
        }
        int passed = 0;
        for (const auto& v : verdicts) {
            switch (v.state) {
                case sl::FieldVerdict::State::Passed:
                    passed++;
                    s.table.passed(row);
                    break;
                case sl::FieldVerdict::State::Failed:
                    s.table.failed(row);
                    ADD_FAILURE() << v.field << ": " << v.message;
                    break;
                case sl::FieldVerdict::State::Skipped:
                    s.table.skipped(row, v.message);
                    break;
            }
        }
        std::cout << "  corpus: " << passed << " of " << verdicts.size() << " fields passed\n";
        if (passed == 0 && !HasFailure()) GTEST_SKIP() << "no corpus field could run";
    }

  private:
    std::string dir_;
    bool schemaMap_;
};

std::string testName(size_t index, std::string_view description) {
    std::string name = std::to_string(index) + "_";
    for (char c : description) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return name;
}

class TablePrinter : public testing::EmptyTestEventListener {
    void OnTestProgramEnd(const testing::UnitTest&) override {
        shared().table.print(std::cout, "libmongocrypt " + shared().lib.version + ", " +
                                            sl::analysisModeName() +
                                            " mode: legacy client-side-encryption spec tests");
    }
};

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    std::set<std::string> wanted;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.starts_with("--file=")) {
            wanted.insert(a.substr(7));
        } else if (a == "--mode=crypt_shared") {
#ifdef CRYPTD_CRYPT_SHARED_LIB
            sl::setAnalysisMode(sl::AnalysisMode::CryptShared, CRYPTD_CRYPT_SHARED_LIB);
#else
            std::cerr << "--mode=crypt_shared: mongo_crypt_v1.so is not part of this build\n";
            return 2;
#endif
        } else if (a != "--mode=mongocryptd") {
            std::cerr << "unknown argument " << a
                      << " (--file=<stem>, --mode=mongocryptd|crypt_shared)\n";
            return 2;
        }
    }
    auto dir = sl::specsDir();
    if (!dir) {
        std::cout << "speclegacy: skipped, the spec files (../shared/specs/client-side-encryption "
                     "or $CRYPTD_SPECS_DIR) are not present\n";
        return 0;
    }
    for (const auto& stem : sl::legacyFileStems(*dir)) {
        if (!wanted.empty() && !wanted.count(stem)) continue;
        std::shared_ptr<cryptd::bson::Doc> doc;
        std::string loadError;
        try {
            doc = std::make_shared<cryptd::bson::Doc>(
                sl::loadJsonFile(*dir + "/legacy/" + stem + ".json"));
            auto tests = doc->view().find("tests");
            if (!tests || !tests->isArray()) loadError = "no tests array";
        } catch (const std::exception& e) {
            loadError = e.what();
        }
        if (!loadError.empty()) {
            // A file the runner cannot read fails as one test, the others still run.
            testing::RegisterTest(
                stem.c_str(), "load", nullptr, nullptr, __FILE__, __LINE__,
                [stem, loadError]() -> testing::Test* { return new LoadFailure(stem, loadError); });
            continue;
        }
        auto tests = doc->view().find("tests");
        size_t index = 0;
        for (auto t : tests->document()) {
            auto desc = t.document().find("description");
            std::string name =
                testName(index, desc && desc->isString() ? desc->utf8() : std::string_view());
            testing::RegisterTest(stem.c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                  [stem, doc, index]() -> testing::Test* {
                                      return new LegacyTest(stem, doc, index);
                                  });
            ++index;
        }
    }
    std::error_code ec;
    if ((wanted.empty() || wanted.count("corpus")) &&
        std::filesystem::is_directory(*dir + "/corpus", ec)) {
        for (bool schemaMap : {false, true}) {
            std::string dirCopy = *dir;
            testing::RegisterTest("corpus", schemaMap ? "schemaMap" : "listCollections", nullptr,
                                  nullptr, __FILE__, __LINE__,
                                  [dirCopy, schemaMap]() -> testing::Test* {
                                      return new CorpusTest(dirCopy, schemaMap);
                                  });
        }
    }
    testing::UnitTest::GetInstance()->listeners().Append(new TablePrinter);
    return RUN_ALL_TESTS();
}
