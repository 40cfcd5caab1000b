// Replays every input under fuzz/regressions/<target>/ through the fuzz targets in this build
// (gcc or clang, with or without sanitizers): a crash libFuzzer once found stays fixed even where
// libFuzzer is not available. Also runs each target on a fixed batch of generated inputs so the
// targets themselves are exercised by `make test`.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "support/wire_builder.h"
#include "targets/targets.h"

namespace cryptd::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
}

class FuzzRegressionsTest : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzRegressionsTest, RecordedInputsStillPass) {
    fs::path dir =
        fs::path(CRYPTD_SOURCE_DIR) / "fuzz" / "regressions" / std::string(GetParam().name);
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    int replayed = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        auto bytes = readFile(entry.path());
        SCOPED_TRACE(entry.path().string());
        EXPECT_EQ(GetParam().run(bytes.data(), bytes.size()), 0);
        ++replayed;
    }
    std::printf("%d inputs replayed from %s\n", replayed, dir.c_str());
}

TEST_P(FuzzRegressionsTest, GeneratedInputsPass) {
    std::mt19937 rng(8);
    std::vector<std::vector<uint8_t>> inputs;
    // Valid messages and documents, then the same with bytes changed.
    auto body = bson::Doc::fromJson(R"({"find": "c", "filter": {"ssn": "1"}, "$db": "test",
        "isRemoteSchema": false, "jsonSchema": {"bsonType": "object", "properties": {"ssn":
        {"encrypt": {"keyId": [{"$uuid": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"}],
        "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}}}}})");
    auto msg = test::wire::opMsg(1, body);
    inputs.push_back(msg);
    inputs.emplace_back(body.data(), body.data() + body.size());
    std::vector<uint8_t> schema{0};
    auto s = body.view().find("jsonSchema")->document();
    schema.insert(schema.end(), s.data(), s.data() + s.size());
    inputs.push_back(schema);
    for (int i = 0; i < 300; ++i) {
        std::vector<uint8_t> in = inputs[static_cast<size_t>(i) % 3];
        for (int k = 0; k < 3; ++k) in[rng() % in.size()] = static_cast<uint8_t>(rng());
        inputs.push_back(std::move(in));
        std::vector<uint8_t> noise(rng() % 512);
        for (auto& b : noise) b = static_cast<uint8_t>(rng());
        inputs.push_back(std::move(noise));
    }
    for (const auto& in : inputs) EXPECT_EQ(GetParam().run(in.data(), in.size()), 0);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressionsTest,
                         ::testing::ValuesIn(targets().begin(), targets().end()),
                         [](const ::testing::TestParamInfo<Target>& p) {
                             return std::string(p.param.name);
                         });

}  // namespace
}  // namespace cryptd::fuzz
