#include "server/wire_message.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string_view>

#include "common/bson_validate.h"
#include "server/crc32c.h"

namespace cryptd::server::wire {

namespace {

int32_t loadInt32(const uint8_t* p) {
    uint32_t v = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    return static_cast<int32_t>(v);
}

void storeInt32(std::vector<uint8_t>& out, int32_t value) {
    auto v = static_cast<uint32_t>(value);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void storeInt32At(std::vector<uint8_t>& out, size_t at, int32_t value) {
    auto v = static_cast<uint32_t>(value);
    for (size_t i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Sequential reads over a bounded byte range; every overrun is a FramingError.
class Reader {
  public:
    explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    size_t remaining() const { return bytes_.size() - pos_; }
    bool done() const { return pos_ == bytes_.size(); }

    void need(size_t n, const char* what) const {
        if (remaining() < n) throw FramingError(std::string("message truncated in ") + what);
    }
    int32_t int32(const char* what) {
        need(4, what);
        int32_t v = loadInt32(bytes_.data() + pos_);
        pos_ += 4;
        return v;
    }
    uint8_t byte(const char* what) {
        need(1, what);
        return bytes_[pos_++];
    }
    std::string_view cstring(const char* what) {
        const uint8_t* start = bytes_.data() + pos_;
        const void* nul = std::memchr(start, 0, remaining());
        if (nul == nullptr) throw FramingError(std::string("unterminated string in ") + what);
        size_t len = static_cast<const uint8_t*>(nul) - start;
        pos_ += len + 1;
        return {reinterpret_cast<const char*>(start), len};
    }
    // One BSON document's bytes (bounds only; validate() checks the content).
    std::span<const uint8_t> document(const char* what) {
        need(4, what);
        int32_t len = loadInt32(bytes_.data() + pos_);
        if (len < 5 || static_cast<size_t>(len) > remaining()) {
            throw FramingError(std::string("invalid BSON length in ") + what);
        }
        auto doc = bytes_.subspan(pos_, static_cast<size_t>(len));
        pos_ += static_cast<size_t>(len);
        return doc;
    }
    std::span<const uint8_t> take(size_t n, const char* what) {
        need(n, what);
        auto s = bytes_.subspan(pos_, n);
        pos_ += n;
        return s;
    }

  private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

// `depthAbove`: levels the document will sit under once folded into the body.
void validate(std::span<const uint8_t> doc, const char* what, int depthAbove = 0) {
    bson::Validation v = checkDocument(doc.data(), doc.size(), kMaxBsonDepth - depthAbove);
    if (v) return;
    if (v.problem == bson::Invalid::kTooDeep) {
        throw FramingError(std::string("BSON nested deeper than ") + std::to_string(kMaxBsonDepth) +
                           " levels in " + what);
    }
    throw FramingError(std::string("invalid BSON in ") + what + ": " + v.describe() + " (at byte " +
                       std::to_string(v.offset) + ")");
}

// Builds a document from raw element bytes: folding copies validated bytes as they are, so
// nothing is re-encoded (a re-encode can refuse odd but valid values).
class RawDocWriter {
  public:
    RawDocWriter() : buf_(4, 0) {}

    void appendElements(bson::View doc) {
        for (auto e : doc) buf_.insert(buf_.end(), e.rawData(), e.rawData() + e.rawSize());
    }
    void appendString(std::string_view key, std::string_view value) {
        buf_.push_back(0x02);
        appendKey(key);
        storeInt32(buf_, static_cast<int32_t>(value.size() + 1));
        buf_.insert(buf_.end(), value.begin(), value.end());
        buf_.push_back(0);
    }
    void reserve(size_t n) { buf_.reserve(n); }
    // `docs`: the sequence's documents back to back (bounds already checked).
    void appendArrayOfDocuments(std::string_view key, std::span<const uint8_t> docs) {
        buf_.push_back(0x04);
        appendKey(key);
        size_t start = buf_.size();
        storeInt32(buf_, 0);
        Reader r(docs);
        char digits[16];
        for (uint32_t i = 0; !r.done(); ++i) {
            auto doc = r.document("OP_MSG document sequence");
            buf_.push_back(0x03);
            appendKey(bson::arrayKey(i, digits));
            buf_.insert(buf_.end(), doc.begin(), doc.end());
        }
        buf_.push_back(0);
        storeInt32At(buf_, start, static_cast<int32_t>(buf_.size() - start));
    }
    bson::Doc finish() {
        buf_.push_back(0);
        if (buf_.size() > static_cast<size_t>(kMaxMessageSizeBytes)) {
            throw FramingError("folded command is larger than a message may be");
        }
        storeInt32At(buf_, 0, static_cast<int32_t>(buf_.size()));
        // Every piece was validated (sequence documents with two levels to spare), and the
        // array keys written here are in order: the whole needs no second pass.
        return bson::Doc::copyOf(bson::View(buf_.data(), static_cast<uint32_t>(buf_.size())));
    }

  private:
    void appendKey(std::string_view key) {
        buf_.insert(buf_.end(), key.begin(), key.end());
        buf_.push_back(0);
    }
    std::vector<uint8_t> buf_;
};

// A document sequence is not copied into a list of its documents (a 48 MB sequence of empty
// documents would cost 16 bytes per 5): its bytes are walked where they arrived, once to check
// them and count the folded size, once to fold.
struct Sequence {
    std::string_view identifier;
    std::span<const uint8_t> documents;  // back to back
    size_t count = 0;
    size_t foldedBytes = 0;  // as an array element of the body, key and frame included
};

// Decimal digits of i (an array key's length).
size_t digitCount(size_t i) {
    size_t n = 1;
    while (i >= 10) {
        i /= 10;
        ++n;
    }
    return n;
}

Request parseOpMsg(const Header& header, std::span<const uint8_t> message) {
    Request req;
    req.protocol = Protocol::kOpMsg;
    req.requestId = header.requestId;
    Reader r(message.subspan(kHeaderSize));
    auto flags = static_cast<uint32_t>(r.int32("OP_MSG flags"));
    // Bits 0-15 are required: a flag we do not know changes the meaning of the message.
    uint32_t unknownRequired = flags & 0xFFFFu & ~(kChecksumPresent | kMoreToCome);
    if (unknownRequired != 0) {
        throw FramingError("OP_MSG has unknown required flag bits " +
                           std::to_string(unknownRequired));
    }
    req.moreToCome = flags & kMoreToCome;
    req.checksumPresent = flags & kChecksumPresent;

    std::span<const uint8_t> sectionBytes = message.subspan(kHeaderSize + 4);
    if (req.checksumPresent) {
        if (sectionBytes.size() < 4) throw FramingError("OP_MSG too short for its checksum");
        size_t crcAt = message.size() - 4;
        auto expected = static_cast<uint32_t>(loadInt32(message.data() + crcAt));
        if (crc32c(message.first(crcAt)) != expected)
            throw FramingError("OP_MSG checksum mismatch");
        sectionBytes = sectionBytes.first(sectionBytes.size() - 4);
    }

    Reader sections(sectionBytes);
    std::span<const uint8_t> body;
    bool haveBody = false;
    std::vector<Sequence> sequences;
    while (!sections.done()) {
        uint8_t kind = sections.byte("OP_MSG section kind");
        if (kind == 0) {
            if (haveBody) throw FramingError("OP_MSG has more than one body section");
            body = sections.document("OP_MSG body");
            haveBody = true;
        } else if (kind == 1) {
            int32_t size = sections.int32("OP_MSG document sequence");
            if (size < 4 + 1) throw FramingError("OP_MSG document sequence size too small");
            Reader seq(sections.take(static_cast<size_t>(size) - 4, "OP_MSG document sequence"));
            Sequence s;
            s.identifier = seq.cstring("OP_MSG document sequence identifier");
            if (s.identifier.empty()) throw FramingError("OP_MSG document sequence has no name");
            // It becomes a field name of the folded body, which is not validated again.
            if (!bson::isValidKey(reinterpret_cast<const uint8_t*>(s.identifier.data()),
                                  s.identifier.size())) {
                throw FramingError("OP_MSG document sequence name is not valid UTF-8");
            }
            s.documents = seq.take(seq.remaining(), "OP_MSG document sequence");
            sequences.push_back(std::move(s));
        } else {
            throw FramingError("OP_MSG has unknown section kind " + std::to_string(kind));
        }
    }
    if (!haveBody) throw FramingError("OP_MSG has no body section");
    validate(body, "OP_MSG body");
    // The folded size is known before anything is built: too big is refused without allocating.
    size_t foldedTotal = body.size();
    for (auto& s : sequences) {
        Reader docs(s.documents);
        s.foldedBytes = 1 + s.identifier.size() + 1 + 4 + 1;  // type, key, length, terminator
        while (!docs.done()) {
            auto d = docs.document("OP_MSG document sequence");
            // Folded in as {<identifier>: [doc, ...]}: two levels below the body.
            validate(d, "OP_MSG document sequence", 2);
            s.foldedBytes += 1 + digitCount(s.count) + 1 + d.size();
            ++s.count;
        }
        foldedTotal += s.foldedBytes;
        if (foldedTotal > static_cast<size_t>(kMaxMessageSizeBytes)) {
            throw FramingError("folded command is larger than a message may be");
        }
    }
    if (sequences.empty()) {
        // validate() above checked these bytes: the command is read where it arrived, no copy.
        req.body = bson::View(body.data(), static_cast<uint32_t>(body.size()));
        return req;
    }

    // Fold each sequence into the body as an array, as if the client had sent it inline.
    bson::View bodyView(body.data(), static_cast<uint32_t>(body.size()));
    std::set<std::string_view> names;
    for (auto e : bodyView) names.insert(e.key());
    RawDocWriter folded;
    folded.reserve(foldedTotal);
    folded.appendElements(bodyView);
    for (const auto& s : sequences) {
        if (!names.insert(s.identifier).second) {
            throw FramingError("OP_MSG field '" + std::string(s.identifier) +
                               "' is both in the body and a document sequence, or repeated");
        }
        folded.appendArrayOfDocuments(s.identifier, s.documents);
    }
    req.storage = folded.finish();
    req.body = req.storage.view();
    return req;
}

Request parseOpQuery(const Header& header, std::span<const uint8_t> message) {
    Request req;
    req.protocol = Protocol::kOpQuery;
    req.requestId = header.requestId;
    Reader r(message.subspan(kHeaderSize));
    r.int32("OP_QUERY flags");
    std::string_view ns = r.cstring("OP_QUERY namespace");
    r.int32("OP_QUERY numberToSkip");
    r.int32("OP_QUERY numberToReturn");
    auto query = r.document("OP_QUERY query");
    if (!r.done()) r.document("OP_QUERY returnFieldsSelector");
    if (!r.done()) throw FramingError("OP_QUERY has trailing bytes");

    constexpr std::string_view kCmd = ".$cmd";
    if (ns.size() <= kCmd.size() || ns.substr(ns.size() - kCmd.size()) != kCmd) {
        throw FramingError("OP_QUERY is only supported for commands on '<db>.$cmd', not '" +
                           std::string(ns) + "'");
    }
    std::string_view db = ns.substr(0, ns.size() - kCmd.size());
    validate(query, "OP_QUERY query");
    bson::View q(query.data(), static_cast<uint32_t>(query.size()));
    // Legacy drivers wrap the command as {$query: {...}, $readPreference: ...}.
    for (const char* wrapper : {"$query", "query"}) {
        auto inner = q.find(wrapper);
        if (inner && inner->isDocument() && q.firstKey() == wrapper) {
            q = inner->document();
            break;
        }
    }
    RawDocWriter b;
    b.appendElements(q);
    if (!q.find("$db")) b.appendString("$db", db);
    req.storage = b.finish();
    req.body = req.storage.view();
    return req;
}

Request parseOpCompressed(const Header& header, std::span<const uint8_t> message) {
    Reader r(message.subspan(kHeaderSize));
    int32_t original = r.int32("OP_COMPRESSED originalOpcode");
    int32_t size = r.int32("OP_COMPRESSED uncompressedSize");
    uint8_t compressor = r.byte("OP_COMPRESSED compressorId");
    if (original != static_cast<int32_t>(OpCode::kMsg) &&
        original != static_cast<int32_t>(OpCode::kQuery)) {
        throw FramingError("OP_COMPRESSED wraps unsupported opcode " + std::to_string(original));
    }
    if (size < 0 || size > kMaxMessageSizeBytes - static_cast<int32_t>(kHeaderSize)) {
        throw FramingError("OP_COMPRESSED uncompressedSize out of range");
    }
    // We never advertise compression, so well-behaved clients never compress; the no-op
    // compressor is accepted for completeness. Others would need a library each.
    if (compressor != 0) {
        throw FramingError("OP_COMPRESSED compressor " + std::to_string(compressor) +
                           " is not supported (this server advertises no compression)");
    }
    auto payload = r.take(r.remaining(), "OP_COMPRESSED payload");
    if (payload.size() != static_cast<size_t>(size)) {
        throw FramingError("OP_COMPRESSED payload size differs from uncompressedSize");
    }
    std::vector<uint8_t> inner(kHeaderSize + payload.size());
    storeInt32At(inner, 0, static_cast<int32_t>(inner.size()));
    storeInt32At(inner, 4, header.requestId);
    storeInt32At(inner, 8, header.responseTo);
    storeInt32At(inner, 12, original);
    std::copy(payload.begin(), payload.end(), inner.begin() + kHeaderSize);
    Request req = original == static_cast<int32_t>(OpCode::kMsg) ? parseOpMsg(header, inner)
                                                                 : parseOpQuery(header, inner);
    req.compressed = true;
    req.detach();  // `inner` ends here
    return req;
}

}  // namespace

Header parseHeader(std::span<const uint8_t> bytes) {
    if (bytes.size() < kHeaderSize) throw FramingError("message shorter than its header");
    Header h;
    h.messageLength = loadInt32(bytes.data());
    h.requestId = loadInt32(bytes.data() + 4);
    h.responseTo = loadInt32(bytes.data() + 8);
    h.opCode = loadInt32(bytes.data() + 12);
    if (h.messageLength <= static_cast<int32_t>(kHeaderSize)) {
        throw FramingError("message length " + std::to_string(h.messageLength) + " is too small");
    }
    if (h.messageLength > kMaxMessageSizeBytes) {
        throw FramingError("message length " + std::to_string(h.messageLength) +
                           " exceeds the maximum of " + std::to_string(kMaxMessageSizeBytes));
    }
    switch (static_cast<OpCode>(h.opCode)) {
        case OpCode::kMsg:
        case OpCode::kQuery:
        case OpCode::kCompressed:
            return h;
        case OpCode::kReply:
            break;
    }
    throw FramingError("unsupported opcode " + std::to_string(h.opCode));
}

Request parseRequest(std::span<const uint8_t> message) {
    Header h = parseHeader(message);
    if (static_cast<size_t>(h.messageLength) != message.size()) {
        throw FramingError("message length field does not match the bytes received");
    }
    switch (static_cast<OpCode>(h.opCode)) {
        case OpCode::kMsg:
            return parseOpMsg(h, message);
        case OpCode::kQuery:
            return parseOpQuery(h, message);
        case OpCode::kCompressed:
            return parseOpCompressed(h, message);
        case OpCode::kReply:
            break;
    }
    throw FramingError("unsupported opcode " + std::to_string(h.opCode));
}

void Request::detach() {
    if (body.data() == storage.data()) return;
    storage = bson::Doc::copyOf(body);
    body = storage.view();
}

namespace {

// Little-endian int32 into a frame's fixed buffer.
template <size_t N>
void putInt32(std::array<uint8_t, N>& out, size_t& at, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    for (int i = 0; i < 4; ++i) out[at++] = static_cast<uint8_t>(u >> (8 * i));
}

ReplyFrame frameOpMsg(int32_t requestId, int32_t responseTo, uint32_t flags, bson::View body) {
    ReplyFrame f;
    const bool checksum = flags & kChecksumPresent;
    const size_t total = kHeaderSize + 4 + 1 + body.size() + (checksum ? 4 : 0);
    putInt32(f.head, f.headSize, static_cast<int32_t>(total));
    putInt32(f.head, f.headSize, requestId);
    putInt32(f.head, f.headSize, responseTo);
    putInt32(f.head, f.headSize, static_cast<int32_t>(OpCode::kMsg));
    putInt32(f.head, f.headSize, static_cast<int32_t>(flags));
    f.head[f.headSize++] = 0;  // kind 0: the body
    if (checksum) {
        uint32_t crc = crc32c({f.head.data(), f.headSize});
        crc = crc32c({body.data(), body.size()}, crc);
        putInt32(f.tail, f.tailSize, static_cast<int32_t>(crc));
    }
    return f;
}

ReplyFrame frameOpReply(int32_t requestId, int32_t responseTo, bson::View body) {
    ReplyFrame f;
    putInt32(f.head, f.headSize, static_cast<int32_t>(kHeaderSize + 20 + body.size()));
    putInt32(f.head, f.headSize, requestId);
    putInt32(f.head, f.headSize, responseTo);
    putInt32(f.head, f.headSize, static_cast<int32_t>(OpCode::kReply));
    putInt32(f.head, f.headSize, 0);  // responseFlags
    putInt32(f.head, f.headSize, 0);  // cursorID (int64)
    putInt32(f.head, f.headSize, 0);
    putInt32(f.head, f.headSize, 0);  // startingFrom
    putInt32(f.head, f.headSize, 1);  // numberReturned
    return f;
}

std::vector<uint8_t> joined(const ReplyFrame& f, bson::View body) {
    std::vector<uint8_t> out;
    out.reserve(f.headSize + body.size() + f.tailSize);
    out.insert(out.end(), f.head.begin(), f.head.begin() + static_cast<ptrdiff_t>(f.headSize));
    out.insert(out.end(), body.data(), body.data() + body.size());
    out.insert(out.end(), f.tail.begin(), f.tail.begin() + static_cast<ptrdiff_t>(f.tailSize));
    return out;
}

}  // namespace

std::vector<uint8_t> serializeOpMsg(int32_t requestId, int32_t responseTo, uint32_t flags,
                                    bson::View body) {
    return joined(frameOpMsg(requestId, responseTo, flags, body), body);
}

std::vector<uint8_t> serializeOpReply(int32_t requestId, int32_t responseTo, bson::View body) {
    return joined(frameOpReply(requestId, responseTo, body), body);
}

ReplyFrame frameReply(const Request& request, int32_t requestId, bson::View body) {
    if (request.protocol == Protocol::kOpQuery) {
        return frameOpReply(requestId, request.requestId, body);
    }
    return frameOpMsg(requestId, request.requestId, request.checksumPresent ? kChecksumPresent : 0,
                      body);
}

std::vector<uint8_t> serializeReply(const Request& request, int32_t requestId, bson::View body) {
    return joined(frameReply(request, requestId, body), body);
}

bson::Validation checkDocument(const uint8_t* data, size_t len, int maxDepth) {
    bson::ValidateOptions options;
    options.maxDepth = maxDepth;
    options.arrayKeysInOrder = true;
    return bson::validate(data, len, options);
}

}  // namespace cryptd::server::wire
