#pragma once
// The KMS side for providers other than "local", without a network: AWS KMS Decrypt requests are
// answered with libmongocrypt's recorded reply (../shared/corpus/libmongocrypt/test/example/
// kms-decrypt-reply.txt). That reply decrypts the data key the spec files use for "aws" (the same
// key material as libmongocrypt's example key, keyId arn:aws:kms:us-east-1:579766882180:key/...);
// another key would come out as a different data key and the ciphertexts would not match.
// Azure, GCP and KMIP have no recorded replies: tests that need them skip.

#include <optional>
#include <string>

namespace cryptd::speclegacy {

class RecordedKms {
  public:
    // nullopt when the recorded reply is not found.
    static std::optional<RecordedKms> load();

    // The reply bytes to one request; throws std::runtime_error for a request it has no reply to.
    std::string answer(const std::string& provider, const std::string& endpoint,
                       const std::string& request) const;

    // Credentials for kmsProviders.aws when the test leaves them to the environment ({}): the
    // request is signed with them, and answered here, never sent.
    static constexpr const char* kAwsAccessKeyId = "cryptd-spec-runner";
    static constexpr const char* kAwsSecretAccessKey = "cryptd-spec-runner-secret";

  private:
    std::string awsDecryptReply_;
};

}  // namespace cryptd::speclegacy
