// PropertyIndex: the name -> node lookup behind Node::child, in both of its forms (linear scan for
// a few names, hash table past that).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "schema/property_index.h"

namespace cryptd::schema {
namespace {

// Distinct fake node pointers: the index never dereferences them.
const Node* nodeAt(size_t i) {
    return reinterpret_cast<const Node*>(static_cast<uintptr_t>(0x1000 + 16 * i));
}

std::vector<std::string> namesOf(size_t n) {
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i) {
        // Shared prefixes, every length from 1 to ~40, and names that differ only past 8 bytes.
        std::string name = "field_" + std::to_string(i);
        if (i % 3 == 1) name = std::string(i % 37, 'x') + name;
        if (i % 5 == 2) name += std::string(i % 11, 'y');
        names.push_back(std::move(name));
    }
    return names;
}

void expectAllFound(size_t n) {
    std::vector<std::string> names = namesOf(n);
    std::map<std::string, size_t> truth;
    std::vector<PropertyIndex::Entry> entries;
    for (size_t i = 0; i < n; ++i) {
        truth.emplace(names[i], i);
        entries.push_back({names[i], nodeAt(i)});
    }
    ASSERT_EQ(truth.size(), n) << "test names must be distinct";
    PropertyIndex index;
    index.build(std::move(entries));
    auto expected = [&](const std::string& name) {
        auto it = truth.find(name);
        return it == truth.end() ? nullptr : nodeAt(it->second);
    };
    for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(index.find(names[i]), nodeAt(i)) << n << " names, '" << names[i] << "'";
        std::string copy = names[i];  // found by content, not by pointer
        ASSERT_EQ(index.find(copy), nodeAt(i));
        // Near misses: longer, shorter, one byte changed (some are other names, most are absent).
        for (const std::string& probe :
             {copy + "z", copy.substr(0, copy.size() - 1), copy.substr(0, copy.size() - 1) + "#"}) {
            ASSERT_EQ(index.find(probe), expected(probe)) << "'" << probe << "'";
        }
    }
    EXPECT_EQ(index.find(""), nullptr);
    EXPECT_EQ(index.find("absent"), nullptr);
}

TEST(PropertyIndex, EmptyFindsNothing) {
    PropertyIndex index;
    EXPECT_EQ(index.find("a"), nullptr);
    index.build({});
    EXPECT_EQ(index.find(""), nullptr);
}

TEST(PropertyIndex, FindsEveryNameAndNoOtherAtEverySize) {
    for (size_t n : {1, 2, 7, 8, 9, 16, 17, 100, 1000, 10000}) expectAllFound(n);
}

TEST(PropertyIndex, NamesWithNulAndNonAsciiBytes) {
    std::string withNul("a\0b", 3);
    std::vector<std::string> names = {withNul, "a", "é", "日本語", std::string("a\0c", 3)};
    for (size_t pad = 0; pad < 20; ++pad) names.push_back("pad" + std::to_string(pad));
    std::vector<PropertyIndex::Entry> entries;
    for (size_t i = 0; i < names.size(); ++i) entries.push_back({names[i], nodeAt(i)});
    PropertyIndex index;
    index.build(std::move(entries));
    for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(index.find(names[i]), nodeAt(i));
    EXPECT_EQ(index.find(std::string("a\0d", 3)), nullptr);
}

TEST(PropertyIndex, ClearForgetsEverything) {
    std::vector<std::string> names = namesOf(50);
    std::vector<PropertyIndex::Entry> entries;
    for (size_t i = 0; i < names.size(); ++i) entries.push_back({names[i], nodeAt(i)});
    PropertyIndex index;
    index.build(std::move(entries));
    index.clear();
    for (const auto& name : names) EXPECT_EQ(index.find(name), nullptr);
}

}  // namespace
}  // namespace cryptd::schema
