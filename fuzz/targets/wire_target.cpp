#include "server/wire_message.h"
#include "targets/targets.h"

namespace cryptd::fuzz {

int wireTarget(const uint8_t* data, size_t size) {
    namespace wire = server::wire;
    std::span<const uint8_t> bytes(data, size);
    // The connection checks the header alone first, before reading (or allocating) the body.
    if (size >= wire::kHeaderSize) {
        try {
            wire::Header h = wire::parseHeader(bytes.first(wire::kHeaderSize));
            if (h.messageLength <= static_cast<int32_t>(wire::kHeaderSize) ||
                h.messageLength > wire::kMaxMessageSizeBytes) {
                fail("parseHeader accepted an out-of-range length");
            }
        } catch (const wire::FramingError&) {
        }
    }
    try {
        wire::Request request = wire::parseRequest(bytes);
        if (!bson::isValid(request.body.data(), request.body.size())) {
            fail("parseRequest produced an invalid body");
        }
        if (!wire::checkDocument(request.body.data(), request.body.size())) {
            fail("parseRequest let through a body deeper than the limit or with odd array keys");
        }
        auto reply = wire::serializeReply(request, 1, request.body);
        if (reply.size() < wire::kHeaderSize ||
            static_cast<size_t>(static_cast<uint32_t>(reply[0] | reply[1] << 8 | reply[2] << 16 |
                                                      reply[3] << 24)) != reply.size()) {
            fail("serializeReply wrote a wrong message length");
        }
    } catch (const wire::FramingError&) {
    }
    // The document check runs before anything recurses; it must survive any bytes.
    wire::checkDocument(data, size);
    return 0;
}

}  // namespace cryptd::fuzz
