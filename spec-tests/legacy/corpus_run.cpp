#include "corpus_run.h"

#include <map>
#include <memory>

#include "analysis_mode.h"
#include "mongocrypt_state_machine.h"
#include "spec_files.h"

namespace cryptd::speclegacy {

namespace {

using State = FieldVerdict::State;

constexpr const char* kDb = "db";
constexpr const char* kColl = "coll";

bool sameValue(const bson::Element& a, const bson::Element& b) {
    bson::Builder x, y;
    x.append("", a);
    y.append("", b);
    return x.view() == y.view();
}

std::string str(bson::View doc, std::string_view key) {
    auto e = doc.find(key);
    return e && e->isString() ? std::string(e->utf8()) : std::string();
}

// {v: <element's value>}
bson::Doc wrap(const bson::Element& e) {
    bson::Builder b;
    b.append("v", e);
    return b.finish();
}

// The spec's local master key: the one the legacy files give as kmsProviders.local.key.
bson::Doc localProvider(const std::string& specsDir) {
    auto file = loadJsonFile(specsDir + "/legacy/localKMS.json");
    auto test = (*file.view().find("tests")->document().begin()).document();
    auto local = test.find("clientOptions")
                     ->document()
                     .find("autoEncryptOpts")
                     ->document()
                     .find("kmsProviders")
                     ->document()
                     .find("local");
    return bson::Doc::copyOf(local->document());
}

struct Corpus {
    bson::Doc plain, encrypted, schema;
    std::vector<bson::Doc> keys;
};

Corpus loadCorpus(const std::string& dir) {
    Corpus c;
    c.plain = loadJsonFile(dir + "/corpus/corpus.json");
    c.encrypted = loadJsonFile(dir + "/corpus/corpus-encrypted.json");
    c.schema = loadJsonFile(dir + "/corpus/corpus-schema.json");
    for (const char* kms : {"local", "aws", "azure", "gcp", "kmip"})
        c.keys.push_back(loadJsonFile(dir + "/corpus/corpus-key-" + std::string(kms) + ".json"));
    return c;
}

std::vector<bson::Doc> selectKeys(bson::View filter, const std::vector<bson::Doc>& keys) {
    // libmongocrypt's {$or: [{_id: {$in: [...]}}, {keyAltNames: {$in: [...]}}]}.
    std::vector<bson::Doc> out;
    auto orEl = filter.find("$or");
    if (!orEl || !orEl->isArray()) return out;
    for (const auto& key : keys) {
        bool hit = false;
        for (auto clause : orEl->document())
            for (auto field : clause.document()) {
                auto in = field.document().find("$in");
                if (!in) continue;
                for (auto want : in->document()) {
                    if (field.key() == "_id")
                        hit = hit || sameValue(*key.view().find("_id"), want);
                    else if (auto alts = key.view().find("keyAltNames"))
                        for (auto alt : alts->document()) hit = hit || sameValue(alt, want);
                }
            }
        if (hit) out.push_back(key.clone());
    }
    return out;
}

// Replaces the `value` of a corpus field document.
bson::Doc withValue(bson::View field, const bson::Element& value) {
    bson::Builder b;
    for (auto e : field) {
        if (e.key() == "value")
            b.append("value", value);
        else
            b.append(e);
    }
    return b.finish();
}

}  // namespace

std::vector<FieldVerdict> runCorpus(const std::string& specsDir, bool useSchemaMap,
                                    const RecordedKms& kms) {
    auto corpus = loadCorpus(specsDir);
    std::vector<FieldVerdict> verdicts;

    e2e::CryptOptions options;
    {
        bson::Builder p;
        p.appendDocument("aws", [](bson::Builder& a) {
            a.appendUtf8("accessKeyId", RecordedKms::kAwsAccessKeyId);
            a.appendUtf8("secretAccessKey", RecordedKms::kAwsSecretAccessKey);
        });
        p.appendDocument("local", localProvider(specsDir).view());
        options.kmsProviders = p.finish();
    }
    if (useSchemaMap) {
        bson::Builder m;
        m.appendDocument(std::string(kDb) + "." + kColl, corpus.schema.view());
        options.schemaMap = m.finish();
    }
    e2e::Crypt crypt(options);
    e2e::DriverIo io;
    io.listCollections = [&](bson::View filter) -> std::optional<bson::Doc> {
        auto name = filter.find("name");
        if (useSchemaMap || !name || !name->isString() || name->utf8() != kColl)
            return std::nullopt;
        bson::Builder info;
        info.appendUtf8("name", kColl);
        info.appendDocument("options", [&](bson::Builder& o) {
            o.appendDocument("validator", [&](bson::Builder& v) {
                v.appendDocument("$jsonSchema", corpus.schema.view());
            });
        });
        return info.finish();
    };
    io.findKeys = [&](bson::View filter) { return selectKeys(filter, corpus.keys); };
    io.runOnMongocryptd = markingsOverTheWire;
    io.kms = [&](const std::string& provider, const std::string& endpoint,
                 const std::string& request) { return kms.answer(provider, endpoint, request); };

    // 1. The copy: auto fields as they are, explicit ones encrypted by the client.
    bson::Builder copy;
    std::vector<std::string> sent;  // fields whose outcome is judged from the insert
    std::map<std::string, size_t> index;
    for (auto field : corpus.plain.view()) {
        std::string name(field.key());
        if (!field.isDocument()) {
            copy.append(field);
            continue;
        }
        auto f = field.document();
        index[name] = verdicts.size();
        verdicts.push_back({name, State::Passed, ""});
        std::string provider = str(f, "kms");
        if (provider != "aws" && provider != "local") {
            verdicts.back() = {name, State::Skipped,
                               "needs a cloud KMS (" + provider + "): no network KMS here"};
            continue;
        }
        bool allowed = f.find("allowed")->truthy();
        auto value = *f.find("value");
        if (str(f, "method") == "auto") {
            copy.append(field);
            sent.push_back(name);
            continue;
        }
        e2e::ExplicitKey key;
        if (str(f, "identifier") == "id") {
            bson::Builder id;
            for (const auto& k : corpus.keys) {
                auto master = k.view().find("masterKey");
                if (master && master->isDocument() &&
                    str(master->document(), "provider") == provider)
                    id.append("", *k.view().find("_id"));
            }
            key.id = id.finish();
        } else {
            key.altName = provider;
        }
        std::string algorithm = str(f, "algo") == "det"
                                    ? "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"
                                    : "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
        try {
            auto v = wrap(value);
            auto ciphertext = e2e::explicitEncrypt(crypt, io, v.view(), key, algorithm);
            if (!allowed) {
                verdicts.back() = {name, State::Failed,
                                   "explicit encryption of a not-allowed value succeeded"};
                continue;
            }
            copy.appendDocument(name, withValue(f, *ciphertext.view().find("v")).view());
        } catch (const e2e::CryptError& e) {
            if (allowed) {
                verdicts.back() = {name, State::Failed,
                                   std::string("explicit encryption failed: ") + e.what()};
                continue;
            }
            copy.append(field);  // refused: the plaintext goes in, as the spec's test does
        }
        sent.push_back(name);
    }

    // 2. The insert through auto encryption.
    bson::Builder insert;
    insert.appendUtf8("insert", kColl);
    auto copied = copy.finish();
    insert.appendArray("documents",
                       [&](bson::Builder& docs) { docs.appendDocument("0", copied.view()); });
    bson::Doc encrypted;
    try {
        auto cmd = insert.finish();
        encrypted = e2e::autoEncrypt(crypt, io, kDb, cmd.view());
    } catch (const std::exception& e) {
        for (auto& name : sent)
            verdicts[index[name]] = {name, State::Failed,
                                     std::string("auto encryption failed: ") + e.what()};
        return verdicts;
    }
    auto doc = (*encrypted.view().find("documents")->document().begin()).document();

    // 3. What would reach the server against corpus-encrypted.json.
    for (auto& name : sent) {
        auto& verdict = verdicts[index[name]];
        auto fail = [&](const std::string& why) { verdict = {name, State::Failed, why}; };
        auto plain = corpus.plain.view().find(name)->document();
        auto expectedField = corpus.encrypted.view().find(name);
        auto actualField = doc.find(name);
        if (!expectedField || !actualField || !actualField->isDocument()) {
            fail("missing from corpus-encrypted.json or from the insert");
            continue;
        }
        auto want = *expectedField->document().find("value");
        auto got = *actualField->document().find("value");
        auto plainValue = *plain.find("value");
        if (!plain.find("allowed")->truthy()) {
            if (!sameValue(got, plainValue)) fail("a not-allowed value was changed");
            continue;
        }
        if (got.type() != BSON_TYPE_BINARY || got.binary().subtype != BSON_SUBTYPE_ENCRYPTED) {
            fail("sent unencrypted: " + wrap(got).toJson());
            continue;
        }
        if (str(plain, "algo") == "det") {
            if (!sameValue(got, want))
                fail("deterministic ciphertext differs from corpus-encrypted.json: " +
                     wrap(got).toJson());
            continue;
        }
        if (sameValue(got, want)) {
            fail("randomized ciphertext equals corpus-encrypted.json's");
            continue;
        }
        try {
            auto ours = e2e::explicitDecrypt(crypt, io, wrap(got).view());
            auto theirs = e2e::explicitDecrypt(crypt, io, wrap(want).view());
            if (!sameValue(*ours.view().find("v"), plainValue) ||
                !sameValue(*theirs.view().find("v"), plainValue))
                fail("randomized ciphertext does not decrypt to the corpus value");
        } catch (const e2e::CryptError& e) {
            fail(std::string("decrypting failed: ") + e.what());
        }
    }
    return verdicts;
}

}  // namespace cryptd::speclegacy
