#pragma once
// The libmongocrypt state machine of ../shared/seeds/000_*.txt, as a driver implements it: a
// mongocrypt_ctx_t is advanced state by state, and each NEED_* state is answered through the
// I/O callbacks (listCollections, our daemon for markings, the key vault). KMS is the local
// provider only, so NEED_KMS never asks for network I/O.

// Debian's mongocrypt.h (1.7.2) has no extern "C" block of its own.
extern "C" {
#include <mongocrypt/mongocrypt.h>
}

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::e2e {

// Thrown with libmongocrypt's status message (or the driver-side reason) when a context fails.
struct CryptError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A non-owning mongocrypt_binary_t over a View (the View's bytes must outlive it).
class BinaryView {
  public:
    explicit BinaryView(bson::View v)
        : bin_(mongocrypt_binary_new_from_data(const_cast<uint8_t*>(v.data()), v.size())) {}
    ~BinaryView() { mongocrypt_binary_destroy(bin_); }
    BinaryView(const BinaryView&) = delete;
    BinaryView& operator=(const BinaryView&) = delete;
    mongocrypt_binary_t* get() const { return bin_; }

  private:
    mongocrypt_binary_t* bin_;
};

// Makes every Crypt made afterwards load this crypt_shared library
// (mongocrypt_setopt_set_crypt_shared_lib_path_override) and require it loaded after init
// (mongocrypt_crypt_shared_lib_version_string not empty). Empty: mongocryptd mode.
void useCryptSharedLibrary(std::string path);
const std::string& cryptSharedLibrary();

// What a driver's AutoEncryptionOpts hand to libmongocrypt.
struct CryptOptions {
    // The kmsProviders document, as mongocrypt_setopt_kms_providers takes it.
    bson::Doc kmsProviders;
    std::optional<bson::Doc> schemaMap;
    // keyExpirationMS (libmongocrypt >= 1.12 only: CryptError with an older one).
    std::optional<uint64_t> keyExpirationMS;
};

// One mongocrypt_t handle.
class Crypt {
  public:
    // A local 96-byte master key, optionally with a schemaMap.
    explicit Crypt(const std::vector<uint8_t>& localMasterKey,
                   std::optional<bson::View> schemaMap = std::nullopt);
    explicit Crypt(const CryptOptions& options);
    ~Crypt();
    Crypt(const Crypt&) = delete;
    Crypt& operator=(const Crypt&) = delete;
    mongocrypt_t* get() const { return crypt_; }

  private:
    // Destroys the handle and throws its status (the constructors' setopt calls failed).
    [[noreturn]] void failSetopt();
    void init();
    mongocrypt_t* crypt_;
};

// The driver side: what each NEED_* state asks for.
struct DriverIo {
    // NEED_MONGO_COLLINFO: listCollections with this filter on the encrypted client; the first
    // result or nullopt.
    std::function<std::optional<bson::Doc>(bson::View filter)> listCollections;
    // NEED_MONGO_MARKINGS: run the command on the mongocryptd client, on database `db`; the reply.
    std::function<bson::Doc(const std::string& db, bson::View command)> runOnMongocryptd;
    // NEED_MONGO_KEYS: find on the key vault with this filter; the matching key documents.
    std::function<std::vector<bson::Doc>(bson::View filter)> findKeys;
    // NEED_KMS: the KMS's reply bytes (HTTP or KMIP) to one request for `provider` (e.g. "aws")
    // at `endpoint`. Unset: a KMS request is an error (the local provider never makes one).
    std::function<std::string(const std::string& provider, const std::string& endpoint,
                              const std::string& request)>
        kms;
};

// Owns a context from mongocrypt_ctx_new.
class Context {
  public:
    explicit Context(const Crypt& crypt);
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    mongocrypt_ctx_t* get() const { return ctx_; }
    // Throws CryptError with the context's status when `ok` is false.
    void check(bool ok, const char* what) const;

  private:
    mongocrypt_ctx_t* ctx_;
};

// Runs the state machine until DONE and returns mongocrypt_ctx_finalize's document.
// `db` is the database of the command (the markings command runs there).
bson::Doc runStateMachine(Context& ctx, const DriverIo& io, const std::string& db);

// Convenience wrappers.
bson::Doc createDataKey(const Crypt& crypt, const DriverIo& io,
                        const std::vector<std::string>& keyAltNames = {});
bson::Doc autoEncrypt(const Crypt& crypt, const DriverIo& io, const std::string& db,
                      bson::View command);
bson::Doc autoDecrypt(const Crypt& crypt, const DriverIo& io, bson::View document);

// ClientEncryption.encrypt / decrypt: `value` is {v: <value>}, the result {v: <result>}. The key is
// a UUID binary element or a keyAltName; algorithm e.g. "AEAD_AES_256_CBC_HMAC_SHA_512-Random".
struct ExplicitKey {
    std::optional<bson::Doc> id;  // {"": <UUID binary>}: the key's _id as the first element
    std::string altName;
};
bson::Doc explicitEncrypt(const Crypt& crypt, const DriverIo& io, bson::View value,
                          const ExplicitKey& key, const std::string& algorithm);
bson::Doc explicitDecrypt(const Crypt& crypt, const DriverIo& io, bson::View value);

}  // namespace cryptd::e2e
