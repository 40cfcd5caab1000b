#include "legacy_client.h"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "analysis_mode.h"
#include "driver_ops.h"
#include "mongocrypt_state_machine.h"

namespace cryptd::speclegacy {

namespace {

std::string stringField(bson::View doc, std::string_view key, std::string fallback) {
    auto e = doc.find(key);
    return e && e->isString() ? std::string(e->utf8()) : fallback;
}

std::optional<bson::Doc> docField(bson::View doc, std::string_view key) {
    auto e = doc.find(key);
    if (!e || !e->isDocument()) return std::nullopt;
    return bson::Doc::copyOf(e->document());
}

// kmsProviders as libmongocrypt takes them: "aws": {} (credentials from the environment in a
// driver) gets the runner's own credentials, since its requests are answered by RecordedKms.
bson::Doc kmsProvidersFor(bson::View given) {
    bson::Builder b;
    for (auto p : given) {
        if (p.key() == "aws" && p.isDocument() && p.document().empty()) {
            b.appendDocument("aws", [](bson::Builder& a) {
                a.appendUtf8("accessKeyId", RecordedKms::kAwsAccessKeyId);
                a.appendUtf8("secretAccessKey", RecordedKms::kAwsSecretAccessKey);
            });
        } else {
            b.append(p);
        }
    }
    return b.finish();
}

bool sameValue(const bson::Element& a, const bson::Element& b) {
    bson::Builder x, y;
    x.append("", a);
    y.append("", b);
    return x.view() == y.view();
}

// The key vault query libmongocrypt asks for: {$or: [{_id: {$in: [...]}}, {keyAltNames: {$in:
// [...]}}]}. Returns the key documents it selects.
std::vector<bson::Doc> selectKeys(bson::View filter, const std::vector<bson::Doc>& keys) {
    std::vector<bson::Element> ids, names;
    auto orEl = filter.find("$or");
    if (!orEl || !orEl->isArray())
        throw std::runtime_error("unexpected key vault filter " + filter.toJson());
    for (auto clause : orEl->document()) {
        for (auto field : clause.document()) {
            auto in = field.isDocument() ? field.document().find("$in") : std::nullopt;
            if (!in || !in->isArray())
                throw std::runtime_error("unexpected key vault filter " + filter.toJson());
            auto& list = field.key() == "_id" ? ids : names;
            for (auto v : in->document()) list.push_back(v);
        }
    }
    std::vector<bson::Doc> out;
    for (const auto& key : keys) {
        bool hit = false;
        if (auto id = key.view().find("_id"))
            for (auto& want : ids) hit = hit || sameValue(*id, want);
        if (auto alts = key.view().find("keyAltNames"); alts && alts->isArray())
            for (auto alt : alts->document())
                for (auto& want : names) hit = hit || sameValue(alt, want);
        if (hit) out.push_back(key.clone());
    }
    return out;
}

}  // namespace

struct LegacyClient::Impl {
    std::string db;
    std::string coll;
    std::optional<bson::Doc> jsonSchema;
    std::optional<bson::Doc> encryptedFields;
    std::vector<bson::Doc> keyVault;  // keyvault.datakeys
    std::string keyVaultDb = "keyvault";
    std::string keyVaultColl = "datakeys";
    bool bypass = false;
    std::unique_ptr<e2e::Crypt> crypt;
    e2e::DriverIo io;
};

LegacyClient::LegacyClient(bson::View file, bson::View test, const RecordedKms* kms)
    : impl_(std::make_unique<Impl>()) {
    auto& m = *impl_;
    m.db = stringField(file, "database_name", "default");
    m.coll = stringField(file, "collection_name", "default");
    m.jsonSchema = docField(file, "json_schema");
    m.encryptedFields = docField(file, "encrypted_fields");
    if (auto kv = file.find("key_vault_data"); kv && kv->isArray())
        for (auto k : kv->document()) m.keyVault.push_back(bson::Doc::copyOf(k.document()));

    auto options = docField(test, "clientOptions").value_or(bson::Doc());
    auto ae = docField(options.view(), "autoEncryptOpts");
    if (!ae) {
        m.bypass = true;  // a client without auto encryption
        return;
    }
    auto aev = ae->view();
    if (auto b = aev.find("bypassAutoEncryption")) m.bypass = b->truthy();
    std::string ns = stringField(aev, "keyVaultNamespace", "keyvault.datakeys");
    m.keyVaultDb = ns.substr(0, ns.find('.'));
    m.keyVaultColl = ns.substr(ns.find('.') + 1);
    // The file's key_vault_data is what keyvault.datakeys holds; another namespace is empty.
    if (ns != "keyvault.datakeys") m.keyVault.clear();

    e2e::CryptOptions co;
    co.kmsProviders = kmsProvidersFor(docField(aev, "kmsProviders").value_or(bson::Doc()).view());
    co.schemaMap = docField(aev, "schemaMap");
    if (auto exp = aev.find("keyExpirationMS")) co.keyExpirationMS = exp->asInt64();
    m.crypt = std::make_unique<e2e::Crypt>(co);

    m.io.listCollections = [this](bson::View filter) -> std::optional<bson::Doc> {
        auto& self = *impl_;
        bson::Builder cmd;
        cmd.appendInt32("listCollections", 1);
        cmd.appendDocument("filter", filter);
        cmd.appendUtf8("$db", self.db);
        events_.push_back({"listCollections", self.db, cmd.finish()});
        auto name = filter.find("name");
        if (!name || !name->isString() || name->utf8() != self.coll) return std::nullopt;
        if (!self.jsonSchema && !self.encryptedFields) return std::nullopt;
        bson::Builder info;
        info.appendUtf8("name", self.coll);
        info.appendUtf8("type", "collection");
        info.appendDocument("options", [&](bson::Builder& o) {
            if (self.jsonSchema)
                o.appendDocument("validator", [&](bson::Builder& v) {
                    v.appendDocument("$jsonSchema", self.jsonSchema->view());
                });
            if (self.encryptedFields)
                o.appendDocument("encryptedFields", self.encryptedFields->view());
        });
        return info.finish();
    };
    m.io.findKeys = [this](bson::View filter) {
        auto& self = *impl_;
        bson::Builder cmd;
        cmd.appendUtf8("find", self.keyVaultColl);
        cmd.appendDocument("filter", filter);
        cmd.appendUtf8("$db", self.keyVaultDb);
        cmd.appendDocument("readConcern",
                           [](bson::Builder& r) { r.appendUtf8("level", "majority"); });
        events_.push_back({"find", self.keyVaultDb, cmd.finish()});
        return selectKeys(filter, self.keyVault);
    };
    m.io.runOnMongocryptd = markingsOverTheWire;
    if (kms)
        m.io.kms = [kms](const std::string& provider, const std::string& endpoint,
                         const std::string& request) {
            return kms->answer(provider, endpoint, request);
        };
}

LegacyClient::~LegacyClient() = default;

OperationOutcome LegacyClient::run(bson::View operation) {
    auto& m = *impl_;
    OperationOutcome out;
    DriverOp op;
    try {
        op = translateOperation(operation, m.db, m.coll);
    } catch (const ClientValidationError& e) {
        out.error = e.what();
        return out;
    }
    if (op.serverOnly) {
        out.notChecked = op.serverOnly;
        return out;
    }
    if (op.waitMs) std::this_thread::sleep_for(std::chrono::milliseconds(op.waitMs));
    for (auto& c : op.commands) {
        bson::Doc toSend;
        if (m.bypass) {
            toSend = c.command.clone();
        } else {
            try {
                toSend = e2e::autoEncrypt(*m.crypt, m.io, c.db, c.command.view());
            } catch (const e2e::CryptError& e) {
                out.error = e.what();
                return out;
            }
        }
        bson::Builder withDb(std::move(toSend));
        if (!withDb.view().find("$db")) withDb.appendUtf8("$db", c.db);
        auto sent = withDb.finish();
        std::string name(sent.view().firstKey());
        events_.push_back({name, c.db, std::move(sent)});
        out.sent = true;
    }
    return out;
}

}  // namespace cryptd::speclegacy
