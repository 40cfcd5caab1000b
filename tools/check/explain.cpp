#include "check/explain.h"

#include <map>

#include "common/bson.h"
#include "schema/encryption_options.h"

namespace cryptd::check {

namespace {

struct Origin {
    std::optional<std::string> algorithm;  // field path of the encryptMetadata, "" = top level
    std::optional<std::string> keyId;
};

// Which encryptMetadata each encrypted path inherits from. Walks the same structure, and names
// paths the same way, as EncryptionSchema::encryptedPaths (properties, /pattern/, *).
void collectOrigins(bson::View node, const std::string& path, Origin inherited,
                    std::map<std::string, Origin>& out, size_t depth) {
    if (depth > 200) return;  // the parser accepted the schema, so this never triggers
    if (auto enc = node.find("encrypt"); enc && enc->isDocument()) {
        Origin own;
        if (!enc->document().find("algorithm")) own.algorithm = inherited.algorithm;
        if (!enc->document().find("keyId")) own.keyId = inherited.keyId;
        out.emplace(path, own);
        return;
    }
    if (auto meta = node.find("encryptMetadata"); meta && meta->isDocument()) {
        if (meta->document().find("algorithm")) inherited.algorithm = path;
        if (meta->document().find("keyId")) inherited.keyId = path;
    }
    auto child = [&](std::string_view part, const bson::Element& e) {
        if (!e.isDocument()) return;
        std::string p = path.empty() ? std::string(part) : path + "." + std::string(part);
        collectOrigins(e.document(), p, inherited, out, depth + 1);
    };
    if (auto props = node.find("properties"); props && props->isDocument()) {
        for (auto e : props->document()) child(e.key(), e);
    }
    if (auto pats = node.find("patternProperties"); pats && pats->isDocument()) {
        for (auto e : pats->document()) child("/" + std::string(e.key()) + "/", e);
    }
    if (auto add = node.find("additionalProperties")) child("*", *add);
}

}  // namespace

std::vector<ExplainRow> explainSchema(bson::View schemaDoc,
                                      const schema::EncryptionSchema& parsed) {
    std::map<std::string, Origin> origins;
    collectOrigins(schemaDoc, "", Origin{}, origins, 0);
    std::vector<ExplainRow> rows;
    for (const auto& [path, enc] : parsed.encryptedPaths()) {
        ExplainRow row;
        row.path = path;
        row.algorithm = std::string(schema::algorithmName(enc->algorithm));
        row.deterministic = enc->algorithm == schema::Algorithm::Deterministic;
        row.keyIdIsPointer = !enc->keyId.isUuid();
        row.keyId = row.keyIdIsPointer ? enc->keyId.jsonPointer() : enc->keyId.uuid().toString();
        for (auto t : enc->bsonTypes) row.bsonTypes.emplace_back(bson::typeAlias(t));
        if (auto it = origins.find(path); it != origins.end()) {
            row.algorithmFrom = it->second.algorithm;
            row.keyIdFrom = it->second.keyId;
            row.originKnown = true;
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string describeOrigin(const std::string& fieldPath) {
    return fieldPath.empty() ? "(top level)" : fieldPath;
}

}  // namespace cryptd::check
