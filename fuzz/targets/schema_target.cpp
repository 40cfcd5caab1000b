#include <string>
#include <vector>

#include "common/error.h"
#include "common/field_path.h"
#include "schema/encryption_schema.h"
#include "schema/property_pattern.h"
#include "server/wire_message.h"
#include "targets/targets.h"

namespace cryptd::fuzz {

int schemaTarget(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    bool remote = data[0] & 1;
    const uint8_t* doc = data + 1;
    size_t len = size - 1;
    // A schema arrives inside a command that framing already validated and depth-checked.
    if (!bson::isValid(doc, len)) return 0;
    if (!server::wire::checkDocument(doc, len)) return 0;
    // As the analyzer meters a command's patternProperties matching (the cost oracle in entry.cpp
    // then checks what the daemon guarantees).
    schema::MatchBudget budget(size);
    try {
        auto schema =
            schema::EncryptionSchema::parse(bson::View(doc, static_cast<uint32_t>(len)), remote);
        schema->requiresEncryption();
        std::vector<std::string> paths = {"a", "a.b", "ssn", "a.0.b", "x.y.z", "0", "$a"};
        for (const auto& [path, enc] : schema->encryptedPaths()) {
            if (enc == nullptr) fail("encryptedPaths() returned a null encryption");
            paths.push_back(path);
            paths.push_back(path + ".x");
        }
        for (const auto& p : paths) {
            try {
                FieldPath fp = FieldPath::parse(p);
                schema::PathInfo info = schema->resolve(fp);
                if ((info.kind == schema::PathInfo::Kind::Encrypted ||
                     info.kind == schema::PathInfo::Kind::BelowEncrypted) &&
                    info.encryption == nullptr) {
                    fail("an encrypted path without its encryption", p);
                }
                // Walk the tree the way the analyzers do.
                const schema::SchemaNode* node = &schema->root();
                for (const auto& part : fp.parts()) {
                    if (node == nullptr || node->encryption() != nullptr) break;
                    node = node->child(part);
                }
            } catch (const Error&) {
            }
        }
    } catch (const Error&) {
    }
    return 0;
}

}  // namespace cryptd::fuzz
