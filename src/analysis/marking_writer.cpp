#include "analysis/marking_writer.h"

#include <cstring>
#include <vector>

namespace cryptd::analysis {

namespace {
constexpr uint8_t kFle1IntentToEncrypt = 0;  // payload byte 0, see libmongocrypt's marking parser
}

void appendMarking(bson::Builder& out, std::string_view key, schema::Algorithm algorithm,
                   const MarkingKey& keyRef, const bson_value_t* value) {
    bson::Builder inner;
    inner.appendInt32("a", static_cast<int32_t>(algorithm));
    if (const auto* uuid = std::get_if<Uuid>(&keyRef)) {
        inner.appendBinary("ki", BSON_SUBTYPE_UUID, uuid->bytes.data(),
                           static_cast<uint32_t>(uuid->bytes.size()));
    } else {
        inner.appendUtf8("ka", std::get<std::string_view>(keyRef));
    }
    inner.appendValue("v", value);
    bson::Doc doc = inner.finish();

    std::vector<uint8_t> payload(doc.size() + 1);
    payload[0] = kFle1IntentToEncrypt;
    std::memcpy(payload.data() + 1, doc.data(), doc.size());
    out.appendBinary(key, BSON_SUBTYPE_ENCRYPTED, payload.data(),
                     static_cast<uint32_t>(payload.size()));
}

bool decodeMarking(const bson::Element& e, DecodedMarking& out) {
    if (e.type() != BSON_TYPE_BINARY) return false;
    auto bin = e.binary();
    if (bin.subtype != BSON_SUBTYPE_ENCRYPTED || bin.len < 6 ||
        bin.data[0] != kFle1IntentToEncrypt) {
        return false;
    }
    if (!bson::isValid(bin.data + 1, bin.len - 1)) return false;
    out.document = bson::Doc::copyOf(bin.data + 1, bin.len - 1);
    bson::View v = out.document.view();
    auto a = v.find("a");
    if (!a || a->type() != BSON_TYPE_INT32) return false;
    out.algorithm = a->int32();
    if (auto ki = v.find("ki"); ki && ki->type() == BSON_TYPE_BINARY) {
        auto k = ki->binary();
        if (k.subtype != BSON_SUBTYPE_UUID || k.len != 16) return false;
        Uuid u;
        std::memcpy(u.bytes.data(), k.data, 16);
        out.key = u;
    } else if (auto ka = v.find("ka"); ka && ka->isString()) {
        out.key = ka->utf8();  // points into out.document
    } else {
        return false;
    }
    return v.find("v").has_value();
}

}  // namespace cryptd::analysis
