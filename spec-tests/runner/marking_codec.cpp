#include "marking_codec.h"

#include <stdexcept>

namespace cryptd::spec {

namespace {

constexpr std::string_view kFle1Key = "$$marking";
constexpr std::string_view kFle2Key = "$$fle2Marking";

// Rebuilds `doc` into `out`, letting `replace` substitute any element value. `replace` returns
// true when it appended the element itself.
template <typename Replace>
void rebuild(bson::View doc, bson::Builder& out, Replace& replace) {
    for (auto e : doc) {
        if (replace(out, e)) continue;
        if (e.isDocument()) {
            out.appendDocument(e.key(),
                               [&](bson::Builder& sub) { rebuild(e.document(), sub, replace); });
        } else if (e.isArray()) {
            out.appendArray(e.key(),
                            [&](bson::Builder& sub) { rebuild(e.document(), sub, replace); });
        } else {
            out.append(e);
        }
    }
}

}  // namespace

std::vector<uint8_t> encodeMarking(uint8_t blobSubtype, bson::View payload) {
    std::vector<uint8_t> bytes;
    bytes.reserve(payload.size() + 1);
    bytes.push_back(blobSubtype);
    bytes.insert(bytes.end(), payload.data(), payload.data() + payload.size());
    return bytes;
}

std::optional<DecodedMarking> decodeMarking(const uint8_t* data, uint32_t len) {
    if (len < 6) return std::nullopt;
    if (!bson::isValid(data + 1, len - 1)) return std::nullopt;
    return DecodedMarking{data[0], bson::Doc::copyOf(data + 1, len - 1)};
}

std::optional<std::string> fle1PlaceholderProblem(bson::View payload) {
    bool hasA = false, hasKi = false, hasKa = false, hasV = false;
    for (auto e : payload) {
        auto key = e.key();
        if (key == "a") {
            if (e.type() != BSON_TYPE_INT32) return "'a' must be int32";
            if (e.int32() != 1 && e.int32() != 2) return "'a' must be 1 or 2";
            hasA = true;
        } else if (key == "ki") {
            auto b = e.type() == BSON_TYPE_BINARY ? e.binary() : bson::Element::Binary{};
            if (e.type() != BSON_TYPE_BINARY || b.subtype != BSON_SUBTYPE_UUID || b.len != 16)
                return "'ki' must be a 16-byte UUID (binary subtype 4)";
            hasKi = true;
        } else if (key == "ka") {
            if (!e.isString()) return "'ka' must be a string";
            hasKa = true;
        } else if (key == "v") {
            hasV = true;
        } else {
            return "unrecognized field '" + std::string(key) + "' (libmongocrypt rejects it)";
        }
    }
    if (!hasA) return "no 'a' specified";
    if (hasKi == hasKa) return "exactly one of 'ki' and 'ka' is required";
    if (!hasV) return "no 'v' specified";
    return std::nullopt;
}

bson::Doc encodeMarkingsIn(bson::View doc) {
    auto replace = [](bson::Builder& out, const bson::Element& e) {
        if (!e.isDocument()) return false;
        auto inner = e.document();
        if (inner.count() != 1) return false;
        auto first = *inner.first();
        uint8_t subtype;
        if (first.key() == kFle1Key) {
            subtype = kFle1Placeholder;
        } else if (first.key() == kFle2Key) {
            subtype = kFle2Placeholder;
        } else {
            return false;
        }
        if (!first.isDocument())
            throw std::runtime_error(std::string(first.key()) + " must hold a document");
        auto bytes = encodeMarking(subtype, first.document());
        out.appendBinary(e.key(), BSON_SUBTYPE_ENCRYPTED, bytes.data(),
                         static_cast<uint32_t>(bytes.size()));
        return true;
    };
    bson::Builder out;
    rebuild(doc, out, replace);
    return out.finish();
}

bson::Doc decodeMarkingsIn(bson::View doc) {
    auto replace = [](bson::Builder& out, const bson::Element& e) {
        if (e.type() != BSON_TYPE_BINARY) return false;
        auto bin = e.binary();
        if (bin.subtype != BSON_SUBTYPE_ENCRYPTED) return false;
        auto decoded = decodeMarking(bin.data, bin.len);
        if (!decoded) return false;
        std::string key;
        if (decoded->blobSubtype == kFle1Placeholder) {
            key = kFle1Key;
        } else if (decoded->blobSubtype == kFle2Placeholder) {
            key = kFle2Key;
        } else {
            return false;  // ciphertext or another blob: leave it binary
        }
        auto payload = decodeMarkingsIn(decoded->payload.view());
        out.appendDocument(e.key(),
                           [&](bson::Builder& sub) { sub.appendDocument(key, payload.view()); });
        return true;
    };
    bson::Builder out;
    rebuild(doc, out, replace);
    return out.finish();
}

std::string readableJson(bson::View doc) {
    return decodeMarkingsIn(doc).toJson();
}

namespace {
void collect(bson::View doc, const std::string& base, std::vector<FoundMarking>& out) {
    for (auto e : doc) {
        std::string path = base.empty() ? std::string(e.key()) : base + "." + std::string(e.key());
        if (e.isDocument() || e.isArray()) {
            collect(e.document(), path, out);
        } else if (e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_ENCRYPTED) {
            auto bin = e.binary();
            out.push_back({path, decodeMarking(bin.data, bin.len)});
        }
    }
}
}  // namespace

std::vector<FoundMarking> findMarkings(bson::View doc, const std::string& basePath) {
    std::vector<FoundMarking> out;
    collect(doc, basePath, out);
    return out;
}

}  // namespace cryptd::spec
