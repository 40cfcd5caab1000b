#include "schema/schema_parser.h"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "schema/bson_type_aliases.h"
#include "schema/encryption_options.h"
#include "schema/schema_error.h"
#include "schema/schema_keywords.h"

namespace cryptd::schema {

namespace {

// Schema paths kept in the tree (encrypt nodes) are cut to this (see SchemaPath::str).
constexpr size_t kStoredPathBytes = 256;
constexpr std::string_view kEncryptPrefix = "Invalid schema containing the 'encrypt' keyword. ";
constexpr std::string_view kMetadataPrefix =
    "Invalid schema containing the 'encryptMetadata' keyword. ";

struct Context {
    SchemaPath path;  // of this subschema (the root link for the root)
    size_t depth = 0;
    InheritedMetadata inherited;
    // Non-empty: this subschema is below that keyword (items, allOf...), where encryption is not
    // allowed. Only validated; its tree is discarded.
    std::string_view forbiddenUnder;
    // An ancestor reached through properties/patternProperties/additionalProperties is not
    // restricted to bsonType 'object': an array of documents there would hold the field in its
    // elements, where the rule does not apply, so no 'encrypt' may appear below it.
    bool belowUntypedParent = false;
};

// The keywords of one subschema, by table slot (small on the stack: the parser recurses).
struct Keywords {
    std::vector<bson::Element> elements;        // as written
    std::array<uint8_t, kKeywordCount> slot{};  // 1-based index into elements; 0 = absent
    // A validation keyword with subschemas (anyOf, not, dependencies...) in a local schema:
    // refused once its subschemas are checked, so that an 'encrypt' below it is reported as the
    // invalid schema it is.
    std::string_view remoteOnly;

    const bson::Element* operator[](Keyword k) const {
        uint8_t i = slot[static_cast<size_t>(k)];
        return i ? &elements[i - 1] : nullptr;
    }
};

class Parser {
  public:
    explicit Parser(bool remote) : remote_(remote) {}

    std::unique_ptr<Node> parse(bson::View schema, const Context& ctx) {
        if (ctx.depth > kMaxSchemaDepth) {
            failAt(ErrorCode::FailedToParse,
                   "$jsonSchema is nested too deeply: more than " +
                       std::to_string(kMaxSchemaDepth) + " levels of subschemas are not supported",
                   ctx.path);
        }
        Keywords kw = collectKeywords(schema, ctx);
        auto node = std::make_unique<Node>();
        if (kw[Keyword::kEncrypt]) {
            parseEncryptNode(*node, kw, ctx);
            node->finish();
            return node;
        }
        auto types = parseTypes(kw, ctx);
        Context below = ctx;
        // The top level is always a document; below it a parent must say so.
        bool objectOnly = types && types->size() == 1 && types->front() == BSON_TYPE_DOCUMENT;
        if (!objectOnly && (ctx.depth > 0 || types)) below.belowUntypedParent = true;
        if (const auto* meta = kw[Keyword::kEncryptMetadata]) {
            below.inherited = ctx.inherited.overriddenBy(parseMetadata(*meta, types, ctx));
        }
        if (const auto* e = kw[Keyword::kProperties]) parseProperties(*node, *e, below);
        if (const auto* e = kw[Keyword::kPatternProperties]) parsePatterns(*node, *e, below);
        if (const auto* e = kw[Keyword::kAdditionalProperties]) parseAdditional(*node, *e, below);
        if (const auto* e = kw[Keyword::kItems]) parseItems(*e, ctx);
        if (const auto* e = kw[Keyword::kAdditionalItems]) {
            parseBoolOrSchema(*e, ctx, "additionalItems");
        }
        checkValidationKeywords(kw, ctx);
        if (!kw.remoteOnly.empty()) failRemoteOnly(kw.remoteOnly, ctx);
        node->finish();
        return node;
    }

  private:
    Keywords collectKeywords(bson::View schema, const Context& ctx) {
        Keywords kw;
        for (auto e : schema) {
            auto key = e.key();
            auto at = [&] { return ctx.path.child(key); };
            auto info = lookupKeyword(key);
            if (!info) {
                failAt(ErrorCode::FailedToParse, "Unknown $jsonSchema keyword: " + std::string(key),
                       at());
            }
            if (info->keyword == Keyword::kUnsupported) {
                failAt(ErrorCode::FailedToParse,
                       "$jsonSchema keyword '" + std::string(key) + "' is not currently supported",
                       at());
            }
            if (info->remoteOnly && !remote_) {
                bool hasSubschemas = info->kind == ValueKind::kSchemaArray ||
                                     info->kind == ValueKind::kSchema ||
                                     info->kind == ValueKind::kDependencyObject;
                if (!hasSubschemas) failRemoteOnly(key, ctx);
                if (kw.remoteOnly.empty()) kw.remoteOnly = key;
            }
            auto& slot = kw.slot[static_cast<size_t>(info->keyword)];
            if (slot) {
                failAt(ErrorCode::FailedToParse,
                       "Duplicate $jsonSchema keyword: " + std::string(key), at());
            }
            // Each keyword is stored once, so there are at most kKeywordCount elements.
            kw.elements.push_back(e);
            slot = static_cast<uint8_t>(kw.elements.size());
        }
        return kw;
    }

    [[noreturn]] static void failRemoteOnly(std::string_view key, const Context& ctx) {
        failAt(
            ErrorCode::FailedToParse,
            "JSON schema keyword '" + std::string(key) + "' is only allowed with a remote schema",
            ctx.path.child(key));
    }

    void parseEncryptNode(Node& node, const Keywords& kw, const Context& ctx) {
        SchemaPath at = ctx.path.child("encrypt");
        if (!ctx.forbiddenUnder.empty()) {
            failAt(ErrorCode::FailedToParse,
                   std::string(kEncryptPrefix) + "'encrypt' is not allowed below '" +
                       std::string(ctx.forbiddenUnder) + "'" + forbiddenReason(ctx),
                   at);
        }
        if (ctx.depth == 0) {
            failAt(ErrorCode::FailedToParse,
                   std::string(kEncryptPrefix) +
                       "The top-level schema describes the whole document, which cannot be "
                       "encrypted",
                   at);
        }
        if (ctx.belowUntypedParent) {
            failAt(ErrorCode::FailedToParse,
                   std::string(kEncryptPrefix) +
                       "Every subschema above an encrypted field must have bsonType 'object' "
                       "(the top level may omit it): an array there would hold the field in its "
                       "elements, where 'encrypt' does not apply",
                   at);
        }
        if (kw[Keyword::kEncryptMetadata]) {
            failAt(ErrorCode::FailedToParse,
                   "Cannot specify both $jsonSchema keywords 'encrypt' and 'encryptMetadata'", at);
        }
        for (auto [k, name] :
             {std::pair{Keyword::kBsonType, "bsonType"}, std::pair{Keyword::kType, "type"}}) {
            if (kw[k]) {
                failAt(ErrorCode::FailedToParse,
                       std::string("$jsonSchema keyword 'encrypt' cannot be used in conjunction "
                                   "with '") +
                           name + "', 'encrypt' implies type 'bsonType::BinData'",
                       at);
            }
        }
        for (const auto& e : kw.elements) {
            auto key = e.key();
            if (key == "encrypt") continue;
            failAt(ErrorCode::FailedToParse,
                   std::string(kEncryptPrefix) +
                       "'encrypt' must be the only keyword of its subschema, found sibling '" +
                       std::string(key) + "'",
                   at);
        }
        // Kept in the node for messages: cut short so that many encrypt nodes below a long path
        // do not each hold a copy of it.
        std::string text = at.str(kStoredPathBytes);
        EncryptionOptions own = parseEncrypt(*kw[Keyword::kEncrypt], text);
        node.setEncryption(resolveEncryption(own, ctx.inherited, text));
    }

    static std::string forbiddenReason(const Context& ctx) {
        if (ctx.forbiddenUnder == "items" || ctx.forbiddenUnder == "additionalItems") {
            return ": encrypting individual array elements is not supported";
        }
        return ": encryption rules must be unconditional (reached only through 'properties', "
               "'patternProperties' or 'additionalProperties')";
    }

    // bsonType / type as a list of BSON types; nullopt when the subschema has neither.
    std::optional<std::vector<bson_type_t>> parseTypes(const Keywords& kw, const Context& ctx) {
        const auto* bsonType = kw[Keyword::kBsonType];
        const auto* type = kw[Keyword::kType];
        if (bsonType && type) {
            failAt(ErrorCode::FailedToParse,
                   "Cannot specify both $jsonSchema keywords 'bsonType' and 'type'",
                   ctx.path.child("bsonType"));
        }
        if (bsonType) return parseTypeList(*bsonType, ctx, true);
        if (type) return parseTypeList(*type, ctx, false);
        return std::nullopt;
    }

    std::vector<bson_type_t> parseTypeList(const bson::Element& e, const Context& ctx,
                                           bool bsonAliases) {
        std::string keyword(e.key());
        SchemaPath at = ctx.path.child(e.key());
        std::vector<bson_type_t> out;
        std::vector<std::string_view> seen;
        auto add = [&](std::string_view name) {
            if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
                failAt(ErrorCode::FailedToParse,
                       "$jsonSchema keyword '" + keyword +
                           "' has duplicate value: " + std::string(name),
                       at);
            }
            seen.push_back(name);
            std::optional<std::vector<bson_type_t>> types;
            if (bsonAliases) {
                types = typesForBsonAlias(name);
                if (!types) {
                    failAt(ErrorCode::BadValue, "Unknown type name alias: " + std::string(name),
                           at);
                }
            } else {
                if (name == "integer") {
                    failAt(ErrorCode::FailedToParse,
                           "$jsonSchema type 'integer' is not currently supported.", at);
                }
                types = typesForJsonTypeName(name);
                if (!types) {
                    failAt(ErrorCode::BadValue,
                           "Unknown $jsonSchema type name: " + std::string(name), at);
                }
            }
            out.insert(out.end(), types->begin(), types->end());
        };
        if (e.isString()) {
            add(e.utf8());
        } else if (e.isArray()) {
            for (auto item : e.document()) {
                if (!item.isString()) {
                    failAt(ErrorCode::TypeMismatch,
                           "$jsonSchema keyword '" + keyword +
                               "' array elements must be strings, found " +
                               std::string(item.typeName()),
                           at);
                }
                add(item.utf8());
            }
            if (out.empty()) {
                failAt(ErrorCode::FailedToParse,
                       "$jsonSchema keyword '" + keyword + "' must name at least one type", at);
            }
        } else {
            failAt(ErrorCode::TypeMismatch,
                   "$jsonSchema keyword '" + keyword +
                       "' must be either a string or an array of strings",
                   at);
        }
        return out;
    }

    EncryptionOptions parseMetadata(const bson::Element& e,
                                    const std::optional<std::vector<bson_type_t>>& types,
                                    const Context& ctx) {
        SchemaPath atLink = ctx.path.child("encryptMetadata");
        std::string at = atLink.str(kStoredPathBytes);
        if (!ctx.forbiddenUnder.empty()) {
            failAt(ErrorCode::FailedToParse,
                   std::string(kMetadataPrefix) + "'encryptMetadata' is not allowed below '" +
                       std::string(ctx.forbiddenUnder) + "'" + forbiddenReason(ctx),
                   at);
        }
        EncryptionOptions own = parseEncryptMetadata(e, at);
        bool objectOnly = types && types->size() == 1 && types->front() == BSON_TYPE_DOCUMENT;
        if (!objectOnly) {
            failAt(ErrorCode::FailedToParse,
                   std::string(kMetadataPrefix) +
                       "'encryptMetadata' is only allowed in a subschema with bsonType 'object'",
                   at);
        }
        return own;
    }

    void parseProperties(Node& node, const bson::Element& e, const Context& ctx) {
        SchemaPath at = ctx.path.child("properties");
        requireObject(e, at);
        std::unordered_set<std::string_view> names;
        for (auto prop : e.document()) {
            SchemaPath childPath = at.child(prop.key());
            if (!names.insert(prop.key()).second) {
                failAt(ErrorCode::FailedToParse,
                       "$jsonSchema keyword 'properties' has duplicate property '" +
                           std::string(prop.key()) + "'",
                       childPath);
            }
            requireNestedSchema(prop, "property", childPath);
            auto child = parse(prop.document(), childContext(ctx, childPath));
            if (child->containsEncryption() && prop.key().find('.') != std::string_view::npos) {
                // A query path "a.b" means field b inside a, never a field named "a.b": the
                // analyzers could not tell which one a command refers to.
                failAt(ErrorCode::FailedToParse,
                       std::string(kEncryptPrefix) +
                           "A property name containing '.' cannot lead to an encrypted field",
                       childPath);
            }
            node.addProperty(std::string(prop.key()), std::move(child));
        }
    }

    void parsePatterns(Node& node, const bson::Element& e, const Context& ctx) {
        SchemaPath at = ctx.path.child("patternProperties");
        requireObject(e, at);
        std::unordered_set<std::string_view> patterns;
        for (auto prop : e.document()) {
            SchemaPath childPath = at.child(prop.key());
            if (!patterns.insert(prop.key()).second) {
                failAt(ErrorCode::FailedToParse,
                       "$jsonSchema keyword 'patternProperties' has duplicate pattern '" +
                           std::string(prop.key()) + "'",
                       childPath);
            }
            requireNestedSchema(prop, "patternProperties entry", childPath);
            PropertyPattern pattern(prop.key(), childPath);
            patternStates_ += pattern.estimatedStates();
            if (patternStates_ > kMaxPatternStatesPerSchema) {
                failAt(ErrorCode::BadValue,
                       "The $jsonSchema patternProperties regular expressions are too complex "
                       "together (about " +
                           std::to_string(patternStates_) + " automaton states; the limit is " +
                           std::to_string(kMaxPatternStatesPerSchema) + ")",
                       childPath);
            }
            patternProgram_ += pattern.programSize();
            if (patternProgram_ > kMaxPatternProgramPerSchema) {
                failAt(ErrorCode::BadValue,
                       "The $jsonSchema patternProperties regular expressions are too complex "
                       "together (" +
                           std::to_string(patternProgram_) +
                           " automaton instructions; the limit is " +
                           std::to_string(kMaxPatternProgramPerSchema) + ")",
                       childPath);
            }
            node.addPattern(std::move(pattern),
                            parse(prop.document(), childContext(ctx, childPath)));
        }
    }

    void parseAdditional(Node& node, const bson::Element& e, const Context& ctx) {
        auto child = parseBoolOrSchema(e, ctx, "additionalProperties");
        if (child) node.setAdditional(std::move(child));
    }

    // additionalProperties / additionalItems: a boolean or a subschema.
    std::unique_ptr<Node> parseBoolOrSchema(const bson::Element& e, const Context& ctx,
                                            std::string_view keyword) {
        SchemaPath at = ctx.path.child(keyword);
        if (e.isBool()) return nullptr;
        if (!e.isDocument()) {
            failAt(ErrorCode::TypeMismatch,
                   "$jsonSchema keyword '" + std::string(keyword) +
                       "' must be either an object or a boolean",
                   at);
        }
        Context child = childContext(ctx, at);
        if (keyword == "additionalItems") child.forbiddenUnder = "additionalItems";
        return parse(e.document(), child);
    }

    void parseItems(const bson::Element& e, const Context& ctx) {
        SchemaPath at = ctx.path.child("items");
        if (e.isDocument()) {
            validateOnly(e.document(), ctx, at, "items");
            return;
        }
        if (!e.isArray()) {
            failAt(ErrorCode::TypeMismatch,
                   "$jsonSchema keyword 'items' must be either an array or an object", at);
        }
        for (auto item : e.document()) {
            SchemaPath itemPath = at.child(item.key());
            requireNestedSchema(item, "items entry", itemPath);
            validateOnly(item.document(), ctx, itemPath, "items");
        }
    }

    // Parses a subschema where encryption may not appear, for its errors only.
    void validateOnly(bson::View schema, const Context& ctx, const SchemaPath& path,
                      std::string_view underKeyword) {
        Context child = childContext(ctx, path);
        if (child.forbiddenUnder.empty()) child.forbiddenUnder = underKeyword;
        parse(schema, child);
    }

    void checkValidationKeywords(const Keywords& kw, const Context& ctx) {
        for (const auto& e : kw.elements) {
            auto info = lookupKeyword(e.key());
            if (!info || info->kind == ValueKind::kStructural) continue;
            checkValue(*kw[info->keyword], info->kind, ctx);
        }
        auto needs = [&](Keyword dependent, Keyword required, std::string_view dName,
                         std::string_view rName) {
            if (kw[dependent] && !kw[required]) {
                failAt(ErrorCode::FailedToParse,
                       "$jsonSchema keyword '" + std::string(rName) + "' must be present if '" +
                           std::string(dName) + "' is present",
                       ctx.path.child(dName));
            }
        };
        needs(Keyword::kExclusiveMinimum, Keyword::kMinimum, "exclusiveMinimum", "minimum");
        needs(Keyword::kExclusiveMaximum, Keyword::kMaximum, "exclusiveMaximum", "maximum");
    }

    void checkValue(const bson::Element& e, ValueKind kind, const Context& ctx) {
        std::string keyword(e.key());
        SchemaPath at = ctx.path.child(e.key());
        auto mustBe = [&](bool ok, std::string_view what) {
            if (!ok) {
                failAt(ErrorCode::TypeMismatch,
                       "$jsonSchema keyword '" + keyword + "' must be " + std::string(what), at);
            }
        };
        switch (kind) {
            case ValueKind::kNumber:
                mustBe(e.isNumber(), "a number");
                break;
            case ValueKind::kNonNegativeInteger: {
                mustBe(e.isNumber(), "a number");
                double v = e.asDouble();
                if (!(v >= 0) || std::floor(v) != v) {
                    failAt(ErrorCode::FailedToParse,
                           "$jsonSchema keyword '" + keyword + "' must be a non-negative integer",
                           at);
                }
                break;
            }
            case ValueKind::kBoolean:
                mustBe(e.isBool(), "a boolean");
                break;
            case ValueKind::kString:
            case ValueKind::kRegex:
                mustBe(e.isString(), "a string");
                break;
            case ValueKind::kStringArray: {
                mustBe(e.isArray(), "an array");
                std::unordered_set<std::string_view> seen;
                for (auto item : e.document()) {
                    mustBe(item.isString(), "an array of strings");
                    if (!seen.insert(item.utf8()).second) {
                        failAt(ErrorCode::FailedToParse,
                               "$jsonSchema keyword '" + keyword +
                                   "' array did not contain unique "
                                   "values: '" +
                                   std::string(item.utf8()) + "'",
                               at);
                    }
                }
                if (seen.empty()) {
                    failAt(ErrorCode::FailedToParse,
                           "$jsonSchema keyword '" + keyword + "' cannot be an empty array", at);
                }
                break;
            }
            case ValueKind::kNonEmptyArray:
                mustBe(e.isArray(), "an array");
                if (e.document().empty()) {
                    failAt(ErrorCode::FailedToParse,
                           "$jsonSchema keyword '" + keyword + "' cannot be an empty array", at);
                }
                break;
            case ValueKind::kSchemaArray: {
                mustBe(e.isArray(), "an array");
                bool any = false;
                for (auto item : e.document()) {
                    any = true;
                    SchemaPath itemPath = at.child(item.key());
                    requireNestedSchema(item, keyword + " entry", itemPath);
                    validateOnly(item.document(), ctx, itemPath, e.key());
                }
                if (!any) {
                    failAt(ErrorCode::FailedToParse,
                           "$jsonSchema keyword '" + keyword + "' must be a non-empty array", at);
                }
                break;
            }
            case ValueKind::kSchema:
                mustBe(e.isDocument(), "an object");
                validateOnly(e.document(), ctx, at, e.key());
                break;
            case ValueKind::kDependencyObject:
                mustBe(e.isDocument(), "an object");
                for (auto dep : e.document()) {
                    SchemaPath depPath = at.child(dep.key());
                    if (dep.isDocument()) {
                        validateOnly(dep.document(), ctx, depPath, e.key());
                    } else if (dep.isArray()) {
                        for (auto name : dep.document()) {
                            if (!name.isString()) {
                                failAt(ErrorCode::TypeMismatch,
                                       "property dependencies in $jsonSchema keyword "
                                       "'dependencies' must be strings",
                                       depPath);
                            }
                        }
                    } else {
                        failAt(ErrorCode::TypeMismatch,
                               "Each entry of $jsonSchema keyword 'dependencies' must be either "
                               "an object or an array of strings",
                               depPath);
                    }
                }
                break;
            case ValueKind::kStructural:
            case ValueKind::kNone:
                break;
        }
    }

    static void requireObject(const bson::Element& e, const SchemaPath& at) {
        if (!e.isDocument()) {
            failAt(ErrorCode::TypeMismatch,
                   "$jsonSchema keyword '" + std::string(e.key()) + "' must be an object", at);
        }
    }

    static void requireNestedSchema(const bson::Element& e, std::string_view what,
                                    const SchemaPath& at) {
        if (!e.isDocument()) {
            failAt(ErrorCode::TypeMismatch,
                   "Nested schema for $jsonSchema " + std::string(what) + " '" +
                       std::string(e.key()) + "' must be an object",
                   at);
        }
    }

    static Context childContext(const Context& ctx, const SchemaPath& path) {
        Context child = ctx;
        child.path = path;
        child.depth = ctx.depth + 1;
        return child;
    }

    bool remote_;
    size_t patternStates_ = 0;
    size_t patternProgram_ = 0;
};

}  // namespace

std::unique_ptr<Node> parseSchemaTree(bson::View jsonSchema, bool isRemote) {
    Parser parser(isRemote);
    return parser.parse(jsonSchema, Context{});
}

}  // namespace cryptd::schema
