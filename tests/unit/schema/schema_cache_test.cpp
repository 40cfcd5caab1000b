// SchemaCache: hits by bytes and isRemote, errors not cached, LRU bounds, concurrent use.

#include "schema/schema_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "schema_test_util.h"

namespace cryptd::schema::test {
namespace {

bson::Doc schemaFor(const std::string& field, std::string_view extra = "") {
    return bson::Doc::fromJson(R"({"bsonType": "object", )" + std::string(extra) +
                               R"("properties": {")" + field + R"(": {"encrypt": {"keyId": [)" +
                               uuidJson(kUuidA) + R"(], "algorithm": ")" + std::string(kRnd) +
                               R"("}}}})");
}

TEST(SchemaCache, SameBytesParseOnce) {
    SchemaCache cache;
    bson::Doc a = schemaFor("ssn");
    bson::Doc copy = bson::Doc::copyOf(a.view());
    auto first = cache.get(a.view(), false);
    auto second = cache.get(copy.view(), false);
    EXPECT_EQ(first.get(), second.get());
    EXPECT_EQ(cache.size(), 1u);
    auto st = cache.stats();
    EXPECT_EQ(st.hits, 1u);
    EXPECT_EQ(st.misses, 1u);
    EXPECT_GT(st.bytes, a.size());
    EXPECT_EQ(first->resolve(FieldPath::parse("ssn")).kind, PathInfo::Kind::Encrypted);
}

TEST(SchemaCache, DifferentBytesDifferentEntries) {
    SchemaCache cache;
    auto a = cache.get(schemaFor("a").view(), false);
    auto b = cache.get(schemaFor("b").view(), false);
    EXPECT_NE(a.get(), b.get());
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(b->resolve(FieldPath::parse("a")).kind, PathInfo::Kind::NotEncrypted);
}

TEST(SchemaCache, IsRemoteIsPartOfTheKey) {
    SchemaCache cache;
    bson::Doc withRequired = schemaFor("ssn", R"("required": ["ssn"], )");
    auto remote = cache.get(withRequired.view(), true);
    EXPECT_TRUE(remote->requiresEncryption());
    // The same bytes as a local schema are still rejected.
    EXPECT_THROW(cache.get(withRequired.view(), false), Error);
    EXPECT_EQ(cache.size(), 1u);
    bson::Doc plain = schemaFor("ssn");
    EXPECT_NE(cache.get(plain.view(), true).get(), cache.get(plain.view(), false).get());
}

TEST(SchemaCache, ErrorsAreNotCached) {
    SchemaCache cache;
    bson::Doc bad = bson::Doc::fromJson(R"({"properties": {"a": {"foo": 1}}})");
    for (int i = 0; i < 3; ++i) EXPECT_THROW(cache.get(bad.view(), false), Error);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.stats().misses, 3u);
}

TEST(SchemaCache, LeastRecentlyUsedIsEvicted) {
    SchemaCache cache(2);
    bson::Doc a = schemaFor("a"), b = schemaFor("b"), c = schemaFor("c");
    auto pa = cache.get(a.view(), false);
    auto pb = cache.get(b.view(), false);
    cache.get(a.view(), false);  // a is now the most recent
    cache.get(c.view(), false);  // evicts b
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.stats().evictions, 1u);
    EXPECT_EQ(cache.get(a.view(), false).get(), pa.get());
    EXPECT_NE(cache.get(b.view(), false).get(), pb.get());  // parsed again
    // An evicted schema stays valid for whoever still holds it.
    EXPECT_EQ(pb->resolve(FieldPath::parse("b")).kind, PathInfo::Kind::Encrypted);
}

TEST(SchemaCache, ByteBoundKeepsMemoryBounded) {
    SchemaCache tiny(100, 16);  // smaller than any schema: nothing is kept
    auto s = tiny.get(schemaFor("a").view(), false);
    EXPECT_TRUE(s->requiresEncryption());
    EXPECT_EQ(tiny.size(), 0u);

    SchemaCache bounded(1000, 20'000);
    for (int i = 0; i < 200; ++i) bounded.get(schemaFor("f" + std::to_string(i)).view(), false);
    auto st = bounded.stats();
    EXPECT_LE(st.bytes, 20'000u);
    EXPECT_GT(st.entries, 0u);
    EXPECT_LT(st.entries, 200u);
    bounded.clear();
    EXPECT_EQ(bounded.size(), 0u);
    EXPECT_EQ(bounded.stats().bytes, 0u);
}

// Schemas of the same size that differ only in 16 bytes inside (which one of 200 encrypted
// fields has key B): the cache's sketch samples a large key, so most of them share a sketch; the
// byte comparison tells them apart.
TEST(SchemaCache, SameSizeSchemasDifferingInsideAreDifferentEntries) {
    auto name = [](int i) {
        std::string n = std::to_string(i);
        return "p" + std::string(3 - n.size(), '0') + n;
    };
    auto schemaWithKeyB = [&](int chosen) {
        std::string props;
        for (int i = 0; i < 200; ++i) {
            if (i) props += ", ";
            props += "\"" + name(i) + R"(": {"encrypt": {"keyId": [)" +
                     uuidJson(i == chosen ? kUuidB : kUuidA) + R"(], "algorithm": ")" +
                     std::string(kRnd) + R"("}})";
        }
        return bson::Doc::fromJson(R"({"bsonType": "object", "properties": {)" + props + "}}");
    };
    auto keyOf = [](const EncryptionSchema& s, const std::string& field) {
        return s.resolve(FieldPath::parse(field)).encryption->keyId.uuid();
    };
    SchemaCache cache(512);
    std::vector<bson::Doc> docs;
    std::vector<const EncryptionSchema*> parsed;
    for (int i = 0; i < 200; ++i) {
        docs.push_back(schemaWithKeyB(i));
        ASSERT_EQ(docs.back().size(), docs.front().size());
        auto s = cache.get(docs.back().view(), false);
        EXPECT_EQ(keyOf(*s, name(i)), uuidOf(kUuidB)) << i;
        EXPECT_EQ(keyOf(*s, name((i + 1) % 200)), uuidOf(kUuidA)) << i;
        parsed.push_back(s.get());
    }
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(cache.get(docs[static_cast<size_t>(i)].view(), false).get(),
                  parsed[static_cast<size_t>(i)])
            << i;
    }
    auto st = cache.stats();
    EXPECT_EQ(st.misses, 200u);
    EXPECT_EQ(st.hits, 200u);
    EXPECT_EQ(st.entries, 200u);
}

TEST(SchemaCache, ConcurrentGetsAgree) {
    SchemaCache cache(4);
    std::vector<bson::Doc> docs;
    for (int i = 0; i < 8; ++i) docs.push_back(schemaFor("f" + std::to_string(i)));
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                size_t k = static_cast<size_t>((i * 7 + t) % 8);
                auto s = cache.get(docs[k].view(), (i & 1) != 0);
                if (s->resolve(FieldPath::parse("f" + std::to_string(k))).kind !=
                    PathInfo::Kind::Encrypted)
                    ++wrong;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_LE(cache.size(), 4u);
    auto st = cache.stats();
    EXPECT_EQ(st.hits + st.misses, 1200u);
}

}  // namespace
}  // namespace cryptd::schema::test
