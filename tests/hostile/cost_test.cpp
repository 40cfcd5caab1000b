// Bounded cost per request (SECURITY.md, "Cost"): request shapes whose cost once grew faster than
// their size, against the real daemon. Each is sized so that a linear implementation answers in
// milliseconds and the old quadratic one took seconds (or a gigabyte); the bounds asserted are
// generous (speed itself is measured by bench/hostile_cost.py), so the tests cannot be flaky.
// Each checks the answer too, and that `hello` on other connections is answered meanwhile.

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "hostile/hostile_fixture.h"

namespace cryptd::test::hostile {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;

// Far above what the linear code takes (milliseconds), far below what the old code took.
constexpr milliseconds kGenerous(3000);
// The daemon under test is built like this test: with AddressSanitizer its allocations carry
// redzones and freed memory waits in quarantine, so peak RSS bounds get twice the room there.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssBoundFactor = 2;
#else
constexpr long kRssBoundFactor = 1;
#endif

Bytes cstr(const std::string& s) {
    Bytes out(s.begin(), s.end());
    out.push_back(0);
    return out;
}

Bytes append(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Bytes boolField(const std::string& key, bool v) {
    Bytes out{0x08};
    out = append(out, cstr(key));
    out.push_back(v ? 1 : 0);
    return out;
}

// {encrypt: {keyId: [UUID], algorithm: deterministic, bsonType: "string"}}
Bytes deterministicEncrypt() {
    Bytes uuid{0x05, '0', 0, 16, 0, 0, 0, 0x04};
    for (uint8_t i = 0; i < 16; ++i) uuid.push_back(i);
    Bytes enc = raw::doc(
        raw::concat({raw::docField("keyId", raw::doc(uuid), 0x04),
                     raw::stringField("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"),
                     raw::stringField("bsonType", "string")}));
    return raw::doc(raw::docField("encrypt", enc));
}

// A command body with the schema arguments a driver appends.
Bytes withSchema(Bytes elements, const Bytes& schema) {
    return raw::doc(
        raw::concat({elements, raw::docField("jsonSchema", schema),
                     boolField("isRemoteSchema", false), raw::stringField("$db", "test")}));
}

long peakKiB(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

size_t countBinaries(bson::View doc) {
    size_t n = 0;
    for (auto e : doc) {
        if (e.type() == BSON_TYPE_BINARY) ++n;
        if (e.isDocument() || e.isArray()) n += countBinaries(e.document());
    }
    return n;
}

class CostTest : public HostileDaemonTest {
  protected:
    // Sends `request` on one connection and, while it is processed, `hello` on three others
    // (connections are spread over the I/O threads, so one shares the request's). Returns what
    // became of the request; `worstHello` is the slowest hello answer.
    Fate sendWhileProbing(const Bytes& request, milliseconds* took, milliseconds* worstHello) {
        Client main = connect();
        std::vector<Client> probes;
        for (int i = 0; i < 3; ++i) probes.push_back(connect());
        const Bytes hello = wire::opMsg(3, bson::Doc::fromJson(R"({"hello": 1, "$db": "admin"})"));
        for (auto& p : probes) {
            EXPECT_TRUE(p.send(hello));
            EXPECT_TRUE(p.receive().has_value());
        }
        std::atomic<bool> done{false};
        std::atomic<int64_t> worst{0};
        std::thread prober([&] {
            while (!done) {
                for (auto& p : probes) {
                    auto t = Clock::now();
                    if (!p.send(hello) || !p.receive(milliseconds(20'000))) {
                        worst = 1'000'000;
                        return;
                    }
                    int64_t ms = duration_cast<milliseconds>(Clock::now() - t).count();
                    if (ms > worst) worst = ms;
                }
                std::this_thread::sleep_for(milliseconds(2));
            }
        });
        auto started = Clock::now();
        Fate fate = observe(main, request, milliseconds(60'000));
        *took = duration_cast<milliseconds>(Clock::now() - started);
        done = true;
        prober.join();
        *worstHello = milliseconds(worst.load());
        return fate;
    }

    void expectBounded(milliseconds took, milliseconds worstHello) {
        EXPECT_LT(took.count(), kGenerous.count()) << "the request took " << took.count() << " ms";
        // A hello waits for at most one small request's analysis on its thread.
        EXPECT_LT(worstHello.count(), 1000)
            << "a concurrent hello waited " << worstHello.count() << " ms";
    }

    static std::string errmsg(const bson::Doc& reply) {
        auto m = reply.view().find("errmsg");
        return m && m->isString() ? std::string(m->utf8()) : std::string();
    }
};

// A JSON-pointer keyId with 50,000 values to encrypt: each resolution used to scan the whole
// document (19 s of CPU for this 0.7 MB insert).
TEST_F(CostTest, PointerKeyIdIsResolvedOncePerDocument) {
    constexpr int kFields = 50'000;
    Bytes fields;
    for (int i = 0; i < kFields; ++i)
        fields = append(fields, raw::stringField("f" + std::to_string(i), "v"));
    fields = append(fields, raw::stringField("k", "altName"));  // last: a scan finds it last
    Bytes document = raw::doc(fields);
    Bytes pointerEncrypt = raw::doc(raw::docField(
        "encrypt", raw::doc(raw::concat(
                       {raw::stringField("keyId", "/k"),
                        raw::stringField("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Random")}))));
    Bytes plain = raw::doc(raw::stringField("bsonType", "string"));
    Bytes schema = raw::doc(raw::concat(
        {raw::stringField("bsonType", "object"),
         raw::docField("properties", raw::doc(raw::concat({raw::docField("k", plain),
                                                           raw::docField("_id", plain)}))),
         raw::docField("additionalProperties", pointerEncrypt)}));
    Bytes body = withSchema(
        raw::concat({raw::stringField("insert", "c"),
                     raw::docField("documents", raw::doc(raw::docField("0", document)), 0x04)}),
        schema);
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(raw::opMsgBody(body), &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    ASSERT_TRUE(isOkReply(*fate.reply)) << errmsg(*fate.reply);
    auto doc0 =
        fate.reply->view().find("result")->document().find("documents")->document().find("0");
    ASSERT_TRUE(doc0);
    size_t markings = 0;
    for (auto e : doc0->document()) {
        if (e.type() == BSON_TYPE_BINARY) ++markings;
    }
    EXPECT_EQ(markings, static_cast<size_t>(kFields));
    expectBounded(took, hello);
    expectStillServing();
}

Bytes patternSchema(const std::vector<std::string>& patterns) {
    Bytes entries;
    for (const auto& p : patterns)
        entries = append(entries, raw::docField(p, deterministicEncrypt()));
    return raw::doc(raw::concat({raw::stringField("bsonType", "object"),
                                 raw::docField("patternProperties", raw::doc(entries))}));
}

Bytes findWithField(const std::string& name, const Bytes& schema) {
    return raw::opMsgBody(
        withSchema(raw::concat({raw::stringField("find", "c"),
                                raw::docField("filter", raw::doc(raw::stringField(name, "v")))}),
                   schema));
}

// 100 patterns with a 1,000-wide repetition and a 1,000-character name cost the old matcher
// names x pattern states (5 s of CPU on an I/O thread, stalling every connection on it). An
// automaton cannot avoid that product for such patterns, so it is bounded: the patterns'
// compiled size per schema (refused at parse), and the matching work per command (refused
// before it runs past a budget linear in the command's size).
TEST_F(CostTest, WideRepetitionPatternsAreBounded) {
    std::vector<std::string> patterns;
    for (int i = 0; i < 100; ++i) patterns.push_back("[\\s\\S]{0,1000}y" + std::to_string(i));
    std::string name = std::string(990, 'a') + "y7";
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(findWithField(name, patternSchema(patterns)), &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    ASSERT_TRUE(isErrorReply(*fate.reply));
    EXPECT_NE(errmsg(*fate.reply).find("too complex together"), std::string::npos)
        << errmsg(*fate.reply);
    expectBounded(took, hello);

    // Four fit in the schema's budget (40,000 instructions); matching a 992-character name
    // against them would exceed a 5 KB command's work budget.
    patterns.resize(4);
    fate = sendWhileProbing(findWithField(name, patternSchema(patterns)), &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    ASSERT_TRUE(isErrorReply(*fate.reply));
    EXPECT_NE(errmsg(*fate.reply).find("would take more work"), std::string::npos)
        << errmsg(*fate.reply);
    expectBounded(took, hello);
    expectStillServing();
}

// A small command whose matching passes what an I/O thread may spend (about 1,000,000 automaton
// steps) but stays within its own budget is moved to the pool and answered there, correctly.
TEST_F(CostTest, ExpensiveMatchingMovesOffTheIoThread) {
    std::vector<std::string> patterns;
    for (int i = 0; i < 4; ++i) patterns.push_back("[\\s\\S]{0,1000}y" + std::to_string(i));
    // 183 x 4 x ~2,000 instructions: ~1,500,000 steps (past the I/O thread's 1,000,000, within
    // the command's 2,000,000 + 500 per byte).
    std::string name = std::string(180, 'a') + "y1";
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(findWithField(name, patternSchema(patterns)), &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    ASSERT_TRUE(isOkReply(*fate.reply)) << errmsg(*fate.reply);
    EXPECT_EQ(countBinaries(fate.reply->view().find("result")->document()), 1u);
    expectBounded(took, hello);
    expectStillServing();
}

// Many patterns and many long names: one pass per name over all patterns together. The answer
// is checked: one name matches.
TEST_F(CostTest, ManyPatternsAndNamesMatchInOnePass) {
    std::vector<std::string> patterns;
    for (int i = 0; i < 100; ++i) patterns.push_back("^p" + std::to_string(i) + "_");
    Bytes filter;
    for (int i = 0; i < 100; ++i) {
        filter = append(
            filter, raw::stringField("q" + std::to_string(i) + "_" + std::string(100, 'a'), "v"));
    }
    filter = append(filter, raw::stringField("p7_x", "v"));
    Bytes body = withSchema(
        raw::concat({raw::stringField("find", "c"), raw::docField("filter", raw::doc(filter))}),
        patternSchema(patterns));
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(raw::opMsgBody(body), &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    ASSERT_TRUE(isOkReply(*fate.reply)) << errmsg(*fate.reply);
    size_t markings = countBinaries(fate.reply->view().find("result")->document());
    EXPECT_EQ(markings, 1u);
    expectBounded(took, hello);
}

// Lookahead re-scans the rest of the name at every position (6.6 s for 100 such patterns and one
// name): refused when the schema is parsed, with the construct named.
TEST_F(CostTest, LookaroundPatternsAreRefused) {
    std::vector<std::string> patterns;
    for (int i = 0; i < 100; ++i) patterns.push_back("(?=[\\s\\S]{0,1000})x" + std::to_string(i));
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(findWithField(std::string(1000, 'a'), patternSchema(patterns)),
                                 &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    ASSERT_TRUE(isErrorReply(*fate.reply));
    EXPECT_NE(errmsg(*fate.reply).find("lookahead and lookbehind"), std::string::npos)
        << errmsg(*fate.reply);
    expectBounded(took, hello);
}

// A 64-deep properties chain with 100 KB keys (6.4 MB): each level copied the whole dotted path
// several times (peak RSS +1.06 GB). Parent links cost a pointer per level.
TEST_F(CostTest, DeepSchemaWithLongKeysCostsItsSize) {
    constexpr int kDepth = 64;
    Bytes node = raw::doc(raw::stringField("bsonType", "string"));
    for (int i = 0; i < kDepth; ++i) {
        std::string key(100'000, static_cast<char>('a' + i % 26));
        node = raw::doc(
            raw::concat({raw::stringField("bsonType", "object"),
                         raw::docField("properties", raw::doc(raw::docField(key, node)))}));
    }
    Bytes request = findWithField("x", node);
    long before = peakKiB(daemon_->pid());
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(request, &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    EXPECT_TRUE(isOkReply(*fate.reply)) << errmsg(*fate.reply);
    long grownMiB = (peakKiB(daemon_->pid()) - before) / 1024;
    // The request is 6.4 MB: its buffer, the schema tree and the reply fit in far less than this.
    EXPECT_LT(grownMiB, 200 * kRssBoundFactor) << "peak RSS grew by " << grownMiB << " MiB";
    expectBounded(took, hello);
    expectStillServing();
}

// An error quoting an expression of a million fields as JSON made a 75 MB reply. Messages are
// capped (Error::kMaxReasonBytes) and the JSON quoted in them is cut.
TEST_F(CostTest, ErrorMessagesAreCapped) {
    constexpr int kFields = 1'000'000;
    Bytes expr{};
    expr.reserve(kFields * 12);
    auto regex = [](const std::string& key) {
        Bytes out{0x0b};
        out = append(out, cstr(key));
        out.push_back(0);
        out.push_back(0);
        return out;
    };
    expr = regex("$a");
    for (int i = 0; i < kFields; ++i) {
        Bytes r = regex("b" + std::to_string(i));
        expr.insert(expr.end(), r.begin(), r.end());
    }
    Bytes stage = raw::doc(raw::docField("$project", raw::doc(raw::docField("x", raw::doc(expr)))));
    Bytes schema = raw::doc(raw::stringField("bsonType", "object"));
    Bytes body = withSchema(
        raw::concat({raw::stringField("aggregate", "c"),
                     raw::docField("pipeline", raw::doc(raw::docField("0", stage)), 0x04),
                     raw::docField("cursor", raw::doc({}))}),
        schema);
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(raw::opMsgBody(body), &took, &hello);
    ASSERT_TRUE(fate.reply) << fate.describe();
    ASSERT_TRUE(isErrorReply(*fate.reply));
    EXPECT_NE(errmsg(*fate.reply).find("must contain exactly one field"), std::string::npos);
    EXPECT_LE(fate.reply->size(), 20'000u) << "a " << fate.reply->size() << "-byte error reply";
    expectBounded(took, hello);
    expectStillServing();
}

// One 47 MB document sequence of 9.4 million empty documents: folded, it would pass the 48 MB
// limit. The folded size is now counted before anything is built (it used to be built first:
// +373 MB), and the check runs off the I/O threads.
TEST_F(CostTest, OversizedFoldIsRefusedBeforeBuilding) {
    constexpr size_t kBytes = 47'000'000;
    Bytes command = raw::doc(
        raw::concat({raw::stringField("insert", "c"),
                     raw::docField("jsonSchema", raw::doc(raw::stringField("bsonType", "object"))),
                     boolField("isRemoteSchema", false), raw::stringField("$db", "test")}));
    Bytes msg = wire::header(9, 2013);
    wire::putInt32(msg, 0);
    msg.push_back(0);
    msg = append(msg, command);
    msg.push_back(1);
    Bytes ident = cstr("documents");
    size_t count = kBytes / 5;
    wire::putInt32(msg, static_cast<int32_t>(4 + ident.size() + count * 5));
    msg = append(msg, ident);
    msg.reserve(msg.size() + count * 5);
    for (size_t i = 0; i < count; ++i) {
        const uint8_t empty[5] = {5, 0, 0, 0, 0};
        msg.insert(msg.end(), empty, empty + 5);
    }
    wire::patchInt32(msg, 0, static_cast<int32_t>(msg.size()));
    long before = peakKiB(daemon_->pid());
    milliseconds took{}, hello{};
    Fate fate = sendWhileProbing(msg, &took, &hello);
    EXPECT_TRUE(fate.closed) << fate.describe();
    long grownMiB = (peakKiB(daemon_->pid()) - before) / 1024;
    // The message itself is 47 MB (read as it arrives); nothing else of that size is built.
    EXPECT_LT(grownMiB, 120 * kRssBoundFactor) << "peak RSS grew by " << grownMiB << " MiB";
    expectBounded(took, hello);
    expectStillServing();
}

}  // namespace
}  // namespace cryptd::test::hostile
