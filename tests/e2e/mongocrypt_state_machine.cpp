#include "mongocrypt_state_machine.h"

#include <algorithm>
#include <memory>

namespace cryptd::e2e {

namespace {

struct StatusDeleter {
    void operator()(mongocrypt_status_t* s) const { mongocrypt_status_destroy(s); }
};
using Status = std::unique_ptr<mongocrypt_status_t, StatusDeleter>;

struct BinaryDeleter {
    void operator()(mongocrypt_binary_t* b) const { mongocrypt_binary_destroy(b); }
};
using OwnedBinary = std::unique_ptr<mongocrypt_binary_t, BinaryDeleter>;

// A copy of the document a binary points at (libmongocrypt keeps ownership of the bytes).
bson::Doc docOf(mongocrypt_binary_t* bin) {
    return bson::Doc::copyOf(mongocrypt_binary_data(bin), mongocrypt_binary_len(bin));
}

std::string message(mongocrypt_status_t* s) {
    uint32_t len = 0;
    const char* msg = mongocrypt_status_message(s, &len);
    return msg ? std::string(msg, len) : std::string("(no message)");
}

void checkKms(mongocrypt_kms_ctx_t* kms, bool ok, const char* what) {
    if (ok) return;
    Status s(mongocrypt_status_new());
    mongocrypt_kms_ctx_status(kms, s.get());
    throw CryptError(std::string(what) + ": " + message(s.get()));
}

// One KMS request: its message goes to io.kms, the reply is fed until libmongocrypt needs no more.
void answerKms(mongocrypt_kms_ctx_t* kms, const DriverIo& io) {
    OwnedBinary msg(mongocrypt_binary_new());
    checkKms(kms, mongocrypt_kms_ctx_message(kms, msg.get()), "kms_ctx_message");
    const char* endpoint = nullptr;
    checkKms(kms, mongocrypt_kms_ctx_endpoint(kms, &endpoint), "kms_ctx_endpoint");
    uint32_t len = 0;
    const char* provider = mongocrypt_kms_ctx_get_kms_provider(kms, &len);
    std::string request(reinterpret_cast<const char*>(mongocrypt_binary_data(msg.get())),
                        mongocrypt_binary_len(msg.get()));
    std::string reply = io.kms(provider ? std::string(provider, len) : std::string(),
                               endpoint ? endpoint : "", request);
    size_t offset = 0;
    while (uint32_t needed = mongocrypt_kms_ctx_bytes_needed(kms)) {
        if (offset >= reply.size()) throw CryptError("the KMS reply ended early");
        uint32_t n = static_cast<uint32_t>(std::min<size_t>(needed, reply.size() - offset));
        mongocrypt_binary_t* chunk =
            mongocrypt_binary_new_from_data(reinterpret_cast<uint8_t*>(reply.data() + offset), n);
        bool ok = mongocrypt_kms_ctx_feed(kms, chunk);
        mongocrypt_binary_destroy(chunk);
        checkKms(kms, ok, "kms_ctx_feed");
        offset += n;
    }
}

std::string& cryptSharedPath() {
    static std::string path;
    return path;
}

}  // namespace

void useCryptSharedLibrary(std::string path) {
    cryptSharedPath() = std::move(path);
}
const std::string& cryptSharedLibrary() {
    return cryptSharedPath();
}

Crypt::Crypt(const std::vector<uint8_t>& localMasterKey, std::optional<bson::View> schemaMap)
    : crypt_(mongocrypt_new()) {
    auto* key = mongocrypt_binary_new_from_data(const_cast<uint8_t*>(localMasterKey.data()),
                                                static_cast<uint32_t>(localMasterKey.size()));
    bool ok = mongocrypt_setopt_kms_provider_local(crypt_, key);
    mongocrypt_binary_destroy(key);
    if (ok && schemaMap) {
        BinaryView map(*schemaMap);
        ok = mongocrypt_setopt_schema_map(crypt_, map.get());
    }
    if (!ok) failSetopt();
    init();
}

Crypt::Crypt(const CryptOptions& options) : crypt_(mongocrypt_new()) {
    BinaryView providers(options.kmsProviders.view());
    bool ok = mongocrypt_setopt_kms_providers(crypt_, providers.get());
    if (ok && options.schemaMap) {
        BinaryView map(options.schemaMap->view());
        ok = mongocrypt_setopt_schema_map(crypt_, map.get());
    }
    if (ok && options.keyExpirationMS) {
#ifdef CRYPTD_LMC_HAS_KEY_EXPIRATION
        ok = mongocrypt_setopt_key_expiration(crypt_, *options.keyExpirationMS);
#else
        mongocrypt_destroy(crypt_);
        throw CryptError("keyExpirationMS needs libmongocrypt >= 1.12");
#endif
    }
    if (!ok) failSetopt();
    init();
}

void Crypt::failSetopt() {
    Status s(mongocrypt_status_new());
    mongocrypt_status(crypt_, s.get());
    std::string m = message(s.get());
    mongocrypt_destroy(crypt_);
    throw CryptError("mongocrypt_setopt failed: " + m);
}

void Crypt::init() {
    if (!cryptSharedPath().empty()) {
        mongocrypt_setopt_set_crypt_shared_lib_path_override(crypt_, cryptSharedPath().c_str());
    }
    if (mongocrypt_init(crypt_)) {
        if (cryptSharedPath().empty()) return;
        // A driver tells crypt_shared mode by this string (empty: not loaded, mongocryptd used).
        uint32_t len = 0;
        const char* version = mongocrypt_crypt_shared_lib_version_string(crypt_, &len);
        if (version && len != 0) return;
        mongocrypt_destroy(crypt_);
        throw CryptError("crypt_shared library " + cryptSharedPath() + " was not loaded");
    }
    Status s(mongocrypt_status_new());
    mongocrypt_status(crypt_, s.get());
    std::string m = message(s.get());
    mongocrypt_destroy(crypt_);
    throw CryptError("mongocrypt_init failed: " + m);
}

Crypt::~Crypt() {
    mongocrypt_destroy(crypt_);
}

Context::Context(const Crypt& crypt) : ctx_(mongocrypt_ctx_new(crypt.get())) {}
Context::~Context() {
    mongocrypt_ctx_destroy(ctx_);
}

void Context::check(bool ok, const char* what) const {
    if (ok) return;
    Status s(mongocrypt_status_new());
    mongocrypt_ctx_status(ctx_, s.get());
    throw CryptError(std::string(what) + ": " + message(s.get()));
}

bson::Doc runStateMachine(Context& ctx, const DriverIo& io, const std::string& db) {
    mongocrypt_ctx_t* c = ctx.get();
    for (;;) {
        switch (mongocrypt_ctx_state(c)) {
            case MONGOCRYPT_CTX_NEED_MONGO_COLLINFO: {
                OwnedBinary op(mongocrypt_binary_new());
                ctx.check(mongocrypt_ctx_mongo_op(c, op.get()), "mongo_op(collinfo)");
                auto filter = docOf(op.get());
                if (auto info = io.listCollections(filter.view())) {
                    BinaryView reply(info->view());
                    ctx.check(mongocrypt_ctx_mongo_feed(c, reply.get()), "mongo_feed(collinfo)");
                }
                ctx.check(mongocrypt_ctx_mongo_done(c), "mongo_done(collinfo)");
                break;
            }
            case MONGOCRYPT_CTX_NEED_MONGO_MARKINGS: {
                OwnedBinary op(mongocrypt_binary_new());
                ctx.check(mongocrypt_ctx_mongo_op(c, op.get()), "mongo_op(markings)");
                auto command = docOf(op.get());
                auto reply = io.runOnMongocryptd(db, command.view());
                // A driver raises the daemon's error itself: libmongocrypt only reads success.
                auto ok = reply.view().find("ok");
                if (!ok || ok->asDouble() != 1.0)
                    throw CryptError("mongocryptd replied with an error: " + reply.toJson());
                BinaryView r(reply.view());
                ctx.check(mongocrypt_ctx_mongo_feed(c, r.get()), "mongo_feed(markings)");
                ctx.check(mongocrypt_ctx_mongo_done(c), "mongo_done(markings)");
                break;
            }
            case MONGOCRYPT_CTX_NEED_MONGO_KEYS: {
                OwnedBinary op(mongocrypt_binary_new());
                ctx.check(mongocrypt_ctx_mongo_op(c, op.get()), "mongo_op(keys)");
                auto filter = docOf(op.get());
                for (auto& key : io.findKeys(filter.view())) {
                    BinaryView k(key.view());
                    ctx.check(mongocrypt_ctx_mongo_feed(c, k.get()), "mongo_feed(keys)");
                }
                ctx.check(mongocrypt_ctx_mongo_done(c), "mongo_done(keys)");
                break;
            }
            case MONGOCRYPT_CTX_NEED_KMS: {
                // The local provider needs no KMS round trip; others go to io.kms.
                while (mongocrypt_kms_ctx_t* kms = mongocrypt_ctx_next_kms_ctx(c)) {
                    if (!io.kms) throw CryptError("unexpected KMS request with a local master key");
                    answerKms(kms, io);
                }
                ctx.check(mongocrypt_ctx_kms_done(c), "kms_done");
                break;
            }
            case MONGOCRYPT_CTX_READY: {
                OwnedBinary out(mongocrypt_binary_new());
                ctx.check(mongocrypt_ctx_finalize(c, out.get()), "finalize");
                auto result = docOf(out.get());
                if (mongocrypt_ctx_state(c) != MONGOCRYPT_CTX_DONE)
                    ctx.check(false, "state after finalize");
                return result;
            }
            case MONGOCRYPT_CTX_DONE:
                throw CryptError("context reached DONE without a result");
            case MONGOCRYPT_CTX_ERROR:
                ctx.check(false, "context error");
                break;
            default:
                throw CryptError("unexpected context state " +
                                 std::to_string(static_cast<int>(mongocrypt_ctx_state(c))));
        }
    }
}

bson::Doc createDataKey(const Crypt& crypt, const DriverIo& io,
                        const std::vector<std::string>& keyAltNames) {
    Context ctx(crypt);
    auto kek = bson::Doc::fromJson(R"({"provider": "local"})");
    BinaryView kekBin(kek.view());
    ctx.check(mongocrypt_ctx_setopt_key_encryption_key(ctx.get(), kekBin.get()), "setopt_kek");
    for (auto& name : keyAltNames) {
        bson::Builder b;
        b.appendUtf8("keyAltName", name);
        auto doc = b.finish();
        BinaryView nameBin(doc.view());
        ctx.check(mongocrypt_ctx_setopt_key_alt_name(ctx.get(), nameBin.get()),
                  "setopt_key_alt_name");
    }
    ctx.check(mongocrypt_ctx_datakey_init(ctx.get()), "datakey_init");
    return runStateMachine(ctx, io, "");
}

bson::Doc autoEncrypt(const Crypt& crypt, const DriverIo& io, const std::string& db,
                      bson::View command) {
    Context ctx(crypt);
    BinaryView cmd(command);
    ctx.check(mongocrypt_ctx_encrypt_init(ctx.get(), db.c_str(), static_cast<int32_t>(db.size()),
                                          cmd.get()),
              "encrypt_init");
    return runStateMachine(ctx, io, db);
}

bson::Doc autoDecrypt(const Crypt& crypt, const DriverIo& io, bson::View document) {
    Context ctx(crypt);
    BinaryView doc(document);
    ctx.check(mongocrypt_ctx_decrypt_init(ctx.get(), doc.get()), "decrypt_init");
    return runStateMachine(ctx, io, "");
}

bson::Doc explicitEncrypt(const Crypt& crypt, const DriverIo& io, bson::View value,
                          const ExplicitKey& key, const std::string& algorithm) {
    Context ctx(crypt);
    if (key.id) {
        auto id = (*key.id->view().begin()).binary();
        mongocrypt_binary_t* idBin =
            mongocrypt_binary_new_from_data(const_cast<uint8_t*>(id.data), id.len);
        bool ok = mongocrypt_ctx_setopt_key_id(ctx.get(), idBin);
        mongocrypt_binary_destroy(idBin);
        ctx.check(ok, "setopt_key_id");
    } else {
        bson::Builder b;
        b.appendUtf8("keyAltName", key.altName);
        auto doc = b.finish();
        BinaryView nameBin(doc.view());
        ctx.check(mongocrypt_ctx_setopt_key_alt_name(ctx.get(), nameBin.get()),
                  "setopt_key_alt_name");
    }
    ctx.check(mongocrypt_ctx_setopt_algorithm(ctx.get(), algorithm.c_str(),
                                              static_cast<int>(algorithm.size())),
              "setopt_algorithm");
    BinaryView v(value);
    ctx.check(mongocrypt_ctx_explicit_encrypt_init(ctx.get(), v.get()), "explicit_encrypt_init");
    return runStateMachine(ctx, io, "");
}

bson::Doc explicitDecrypt(const Crypt& crypt, const DriverIo& io, bson::View value) {
    Context ctx(crypt);
    BinaryView v(value);
    ctx.check(mongocrypt_ctx_explicit_decrypt_init(ctx.get(), v.get()), "explicit_decrypt_init");
    return runStateMachine(ctx, io, "");
}

}  // namespace cryptd::e2e
