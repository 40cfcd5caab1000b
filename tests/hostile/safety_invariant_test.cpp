// The safety invariant as a property test, in-process against the analysis engine: random
// schemas (properties, nested objects, deterministic/random encrypt, encryptMetadata
// inheritance, UUID and JSON-pointer keyIds) and random commands over them. Whatever the engine
// accepts must carry a marking for every value bound for an encrypted path, with `v` equal to the
// original value, and nothing else changed; what it cannot do safely it must refuse. Errors are
// fine; plaintext is a bug. Deterministic seeds: a failure prints the seed, schema and command.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>

#include "analysis/analyzer.h"
#include "common/error.h"
#include "hostile/invariant/command_generator.h"
#include "hostile/invariant/invariant_checker.h"

namespace cryptd::test::invariant {
namespace {

struct Outcome {
    int accepted = 0;
    int rejected = 0;
    int withMarkings = 0;
    std::map<std::string, int> byCommand;
};

uint64_t caseCount() {
    if (const char* env = std::getenv("CRYPTD_INVARIANT_CASES"))
        return std::strtoull(env, nullptr, 10);
    return 10000;
}

std::string describe(uint64_t seed, const bson::Doc& schema, const bson::Doc& command) {
    return "seed " + std::to_string(seed) + "\nschema: " + schema.toJson() +
           "\ncommand: " + command.toJson();
}

TEST(SafetyInvariantTest, AcceptedCommandsMarkEveryEncryptedValue) {
    analysis::Analyzer analyzer;
    Outcome outcome;
    int failures = 0;
    const uint64_t cases = caseCount();
    auto started = std::chrono::steady_clock::now();
    for (uint64_t seed = 1; seed <= cases && failures < 5; ++seed) {
        SeededEntropy e(seed);
        SchemaModel model = SchemaModel::generate(e);
        bson::Doc schema = model.render(e);
        CommandGenerator gen(model, e);
        bson::Doc command = gen.command(schema.view(), e.chance(15));
        std::string name(command.view().firstKey());
        bson::Doc reply;
        try {
            reply = analyzer.analyze(command.view());
        } catch (const Error&) {
            ++outcome.rejected;
            continue;
        } catch (const std::exception& ex) {
            ADD_FAILURE() << "not a cryptd::Error: " << ex.what() << "\n"
                          << describe(seed, schema, command);
            ++failures;
            continue;
        }
        ++outcome.accepted;
        ++outcome.byCommand[name];
        auto has = reply.view().find("hasEncryptionPlaceholders");
        if (has && has->isBool() && has->boolean()) ++outcome.withMarkings;
        InvariantChecker checker(model);
        auto violations = checker.check(command.view(), reply.view());
        if (!violations.empty()) {
            ++failures;
            std::string msg;
            for (const auto& v : violations) {
                msg += "- " + v.what + "\n";
                if (!v.expected.empty() || !v.actual.empty()) {
                    // From the first difference on: the rest of the rendering is context.
                    size_t at = 0;
                    while (at < v.expected.size() && at < v.actual.size() &&
                           v.expected[at] == v.actual[at]) {
                        ++at;
                    }
                    size_t from = at > 60 ? at - 60 : 0;
                    msg += "  expected: ..." + v.expected.substr(from, 400) + "\n";
                    msg += "  actual:   ..." + v.actual.substr(from, 400) + "\n";
                }
            }
            ADD_FAILURE() << msg << describe(seed, schema, command)
                          << "\nreply: " << reply.toJson();
        }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("%llu cases in %.2f s: %d accepted (%d with markings), %d rejected\n",
                static_cast<unsigned long long>(cases), secs, outcome.accepted,
                outcome.withMarkings, outcome.rejected);
    for (const auto& [name, n] : outcome.byCommand)
        std::printf("  accepted %-14s %d\n", name.c_str(), n);
    // The property says nothing if everything is refused: the generator must keep producing
    // commands the engine accepts, many of them with markings.
    EXPECT_GT(outcome.accepted, static_cast<int>(cases / 5));
    EXPECT_GT(outcome.withMarkings, static_cast<int>(cases / 20));
}

// Copies `doc`; `edit` may take over one element (return true) and is offered every element,
// depth first, arrays and subdocuments included.
using Edit = std::function<bool(const bson::Element&, bson::Builder&)>;
void rewrite(bson::View doc, const Edit& edit, bson::Builder& out) {
    for (auto e : doc) {
        if (edit(e, out)) continue;
        if (e.isDocument()) {
            out.appendDocument(e.key(), [&](bson::Builder& b) { rewrite(e.document(), edit, b); });
        } else if (e.isArray()) {
            out.appendArray(e.key(), [&](bson::Builder& b) { rewrite(e.document(), edit, b); });
        } else {
            out.append(e);
        }
    }
}
bson::Doc rewritten(bson::View doc, const Edit& edit) {
    bson::Builder b;
    rewrite(doc, edit, b);
    return b.finish();
}

bool isMarking(const bson::Element& e) {
    return e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_ENCRYPTED;
}

// The checker itself must fail on the replies it exists to catch: tamper with real accepted
// replies and expect a violation every time.
TEST(SafetyInvariantTest, TheCheckerCatchesPlaintextAndTampering) {
    analysis::Analyzer analyzer;
    int tampered = 0;
    for (uint64_t seed = 1; seed < 3000 && tampered < 50; ++seed) {
        SeededEntropy e(seed);
        SchemaModel model = SchemaModel::generate(e);
        bson::Doc schema = model.render(e);
        CommandGenerator gen(model, e);
        bson::Doc command = gen.command(schema.view(), false);
        bson::Doc reply;
        try {
            reply = analyzer.analyze(command.view());
        } catch (const Error&) {
            continue;
        }
        auto has = reply.view().find("hasEncryptionPlaceholders");
        if (!has || !has->boolean()) continue;
        InvariantChecker checker(model);
        ASSERT_TRUE(checker.check(command.view(), reply.view()).empty())
            << describe(seed, schema, command);
        ++tampered;

        auto firstOnly = [](auto&& change) {
            return [done = false, change](const bson::Element& el, bson::Builder& b) mutable {
                if (done || !isMarking(el)) return false;
                done = true;
                change(el, b);
                return true;
            };
        };
        // 1. The marking's plaintext sent as is.
        bson::Doc plain =
            rewritten(reply.view(), firstOnly([](const bson::Element& m, bson::Builder& b) {
                          bson::View inner(m.binary().data + 1, m.binary().len - 1);
                          b.append(m.key(), *inner.find("v"));
                      }));
        auto v1 = checker.check(command.view(), plain.view());
        ASSERT_FALSE(v1.empty()) << "plaintext not caught\n" << describe(seed, schema, command);
        bool sawPlaintext = false;
        for (const auto& v : v1) sawPlaintext |= v.what.rfind("PLAINTEXT", 0) == 0;
        EXPECT_TRUE(sawPlaintext) << v1.front().what;
        // 2. Another algorithm in the marking.
        bson::Doc otherAlgorithm =
            rewritten(reply.view(), firstOnly([](const bson::Element& m, bson::Builder& b) {
                          bson::View inner(m.binary().data + 1, m.binary().len - 1);
                          bson::Builder x;
                          for (auto f : inner) {
                              if (f.key() == "a") {
                                  x.appendInt32("a", f.int32() == 1 ? 2 : 1);
                              } else {
                                  x.append(f);
                              }
                          }
                          bson::Doc d = x.finish();
                          std::vector<uint8_t> bytes{0};
                          bytes.insert(bytes.end(), d.data(), d.data() + d.size());
                          b.appendBinary(m.key(), BSON_SUBTYPE_ENCRYPTED, bytes.data(),
                                         static_cast<uint32_t>(bytes.size()));
                      }));
        EXPECT_FALSE(checker.check(command.view(), otherAlgorithm.view()).empty());
        // 3. A marking whose first byte is not 0 (an FLE2 placeholder or garbage).
        bson::Doc otherKind = rewritten(
            reply.view(), firstOnly([](const bson::Element& m, bson::Builder& b) {
                std::vector<uint8_t> bytes(m.binary().data, m.binary().data + m.binary().len);
                bytes[0] = 3;
                b.appendBinary(m.key(), BSON_SUBTYPE_ENCRYPTED, bytes.data(),
                               static_cast<uint32_t>(bytes.size()));
            }));
        EXPECT_FALSE(checker.check(command.view(), otherKind.view()).empty());
        // 4. hasEncryptionPlaceholders false although markings are there.
        bson::Doc flag = rewritten(reply.view(), [](const bson::Element& el, bson::Builder& b) {
            if (el.key() != "hasEncryptionPlaceholders") return false;
            b.appendBool(el.key(), false);
            return true;
        });
        EXPECT_FALSE(checker.check(command.view(), flag.view()).empty());
        // 5. A field of the command lost on the way.
        bson::Doc lost = rewritten(reply.view(), [](const bson::Element& el, bson::Builder&) {
            return el.key() == "coll" || (el.isString() && el.utf8() == "coll");
        });
        EXPECT_FALSE(checker.check(command.view(), lost.view()).empty());
    }
    EXPECT_EQ(tampered, 50) << "too few accepted commands with markings to tamper with";
}

}  // namespace
}  // namespace cryptd::test::invariant
