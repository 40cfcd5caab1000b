#include "check/marking_decoder.h"

#include <string>

#include "common/uuid.h"
#include "schema/encryption_options.h"

namespace cryptd::check {

namespace {

constexpr uint8_t kFle1 = 0;
constexpr uint8_t kFle2 = 3;

std::string_view algorithmName(int32_t a) {
    switch (a) {
        case 1:
            return schema::kDeterministicAlgorithm;
        case 2:
            return schema::kRandomAlgorithm;
        default:
            return {};
    }
}

// FLE1 payload {a, ki|ka, v} as readable fields; false when it is not one.
bool appendFle1(bson::Builder& out, bson::View payload) {
    auto a = payload.find("a");
    auto v = payload.find("v");
    if (!a || a->type() != BSON_TYPE_INT32 || !v) return false;
    auto ki = payload.find("ki");
    auto ka = payload.find("ka");
    if (ki && (ki->type() != BSON_TYPE_BINARY || ki->binary().len != 16)) return false;
    if (ka && !ka->isString()) return false;
    if (!ki == !ka) return false;
    auto name = algorithmName(a->int32());
    if (name.empty()) {
        out.appendInt32("algorithm", a->int32());
    } else {
        out.appendUtf8("algorithm", name);
    }
    if (ki) {
        Uuid u;
        std::copy(ki->binary().data, ki->binary().data + 16, u.bytes.begin());
        out.appendUtf8("keyId", u.toString());
    } else {
        out.appendUtf8("keyAltName", ka->utf8());
    }
    out.append("value", *v);
    return true;
}

void copyDecoded(bson::Builder& out, bson::View in) {
    for (auto e : in) {
        if (e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_ENCRYPTED &&
            e.binary().len >= 6) {
            auto bin = e.binary();
            if (bson::isValid(bin.data + 1, bin.len - 1)) {
                bson::View payload(bin.data + 1, bin.len - 1);
                if (bin.data[0] == kFle1) {
                    bson::Builder marking;
                    if (appendFle1(marking, payload)) {
                        out.appendDocument(e.key(), [&](bson::Builder& b) {
                            b.appendDocument("$marking", marking.view());
                        });
                        continue;
                    }
                } else if (bin.data[0] == kFle2) {
                    out.appendDocument(e.key(), [&](bson::Builder& b) {
                        b.appendDocument("$fle2Placeholder", payload);
                    });
                    continue;
                }
            }
        }
        if (e.isDocument()) {
            out.appendDocument(e.key(), [&](bson::Builder& b) { copyDecoded(b, e.document()); });
        } else if (e.isArray()) {
            out.appendArray(e.key(), [&](bson::Builder& b) { copyDecoded(b, e.document()); });
        } else {
            out.append(e);
        }
    }
}

}  // namespace

bson::Doc decodeMarkings(bson::View doc) {
    bson::Builder b;
    copyDecoded(b, doc);
    return b.finish();
}

}  // namespace cryptd::check
