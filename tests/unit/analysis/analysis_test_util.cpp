#include "analysis_test_util.h"

#include "analysis/marking_writer.h"

namespace cryptd::analysis::test {

std::string standardSchemaJson() {
    auto enc = [](const std::string& keyId, const std::string& algo, const std::string& type) {
        std::string s = R"({"encrypt": {"keyId": )" + keyId + R"(, "algorithm": ")" + algo + "\"";
        if (!type.empty()) s += R"(, "bsonType": ")" + type + "\"";
        return s + "}}";
    };
    std::string a = std::string("[") + kUuidA + "]";
    std::string b = std::string("[") + kUuidB + "]";
    return R"({"bsonType": "object", "properties": {)"
           R"("ssn": )" +
           enc(a, kDet, "string") + R"(, "ssn2": )" + enc(a, kDet, "string") + R"(, "age": )" +
           enc(b, kDet, "int") + R"(, "secret": )" + enc(b, kRnd, "") + R"(, "byName": )" +
           enc("\"/altName\"", kRnd, "") + R"(, "detByName": )" +
           enc("\"/altName\"", kDet, "string") +
           R"(, "insurance": {"bsonType": "object", "properties": {"policyNumber": )" +
           enc(a, kDet, "string") +
           R"(, "provider": {"bsonType": "string"}}})"
           R"(}})";
}

namespace {

void expandInto(bson::Builder& out, bson::View v, bool array);

void expandElement(bson::Builder& out, const bson::Element& e) {
    DecodedMarking m;
    if (decodeMarking(e, m)) {
        out.appendDocument(e.key(), [&](bson::Builder& wrap) {
            wrap.appendDocument("$marking", [&](bson::Builder& b) {
                b.appendInt32("a", m.algorithm);
                if (const auto* u = std::get_if<Uuid>(&m.key)) {
                    b.appendUtf8("ki", u->toString());
                } else {
                    b.appendUtf8("ka", std::get<std::string_view>(m.key));
                }
                b.append("v", *m.document.view().find("v"));
                // Anything else in a marking is a bug: show it so the comparison fails.
                for (bson::Element extra : m.document.view()) {
                    if (extra.key() != "a" && extra.key() != "ki" && extra.key() != "ka" &&
                        extra.key() != "v") {
                        b.append(extra);
                    }
                }
            });
        });
        return;
    }
    if (e.isDocument()) {
        out.appendDocument(e.key(), [&](bson::Builder& b) { expandInto(b, e.document(), false); });
    } else if (e.isArray()) {
        out.appendArray(e.key(), [&](bson::Builder& b) { expandInto(b, e.document(), true); });
    } else {
        out.append(e);
    }
}

void expandInto(bson::Builder& out, bson::View v, bool) {
    for (bson::Element e : v) expandElement(out, e);
}

}  // namespace

bson::Doc expandMarkings(bson::View v) {
    bson::Builder b;
    expandInto(b, v, false);
    return b.finish();
}

bson::Doc analyzeDoc(const std::string& commandJson) {
    bson::Doc cmd = bson::Doc::fromJson(commandJson);
    auto first = cmd.view().begin();
    std::string name(first != cmd.view().end() ? (*first).key() : "");
    SchemaArguments args = readSchemaArguments(cmd.view(), name);
    auto schema = schema::EncryptionSchema::parse(args.jsonSchema, args.isRemoteSchema);
    return analyzeCommand(cmd.view(), schema.get());
}

std::string analyzeJson(const std::string& commandJson) {
    return expandMarkings(analyzeDoc(commandJson).view()).toJson();
}

std::string withStandardSchema(const std::string& command) {
    std::string s = command.substr(0, command.rfind('}'));  // drop the closing brace only
    return s + R"(, "jsonSchema": )" + standardSchemaJson() + R"(, "isRemoteSchema": true})";
}

std::string normalized(const std::string& json) {
    return bson::Doc::fromJson(json).toJson();
}

void expectError(const std::function<void()>& fn, ErrorCode code, const std::string& substring) {
    try {
        fn();
        ADD_FAILURE() << "expected an error containing: " << substring;
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.reason();
        EXPECT_NE(e.reason().find(substring), std::string::npos)
            << "message: " << e.reason() << "\nexpected substring: " << substring;
    }
}

void expectAnalyzeError(const std::string& commandJson, ErrorCode code,
                        const std::string& substring) {
    expectError([&] { analyzeDoc(commandJson); }, code, substring);
}

size_t countMarkings(bson::View v) {
    size_t n = 0;
    for (bson::Element e : v) {
        DecodedMarking m;
        if (decodeMarking(e, m)) {
            ++n;
        } else if (e.isDocument() || e.isArray()) {
            n += countMarkings(e.document());
        }
    }
    return n;
}

}  // namespace cryptd::analysis::test
