#include "recorded_kms.h"

#include <filesystem>
#include <stdexcept>

#include "spec_files.h"

namespace cryptd::speclegacy {

std::optional<RecordedKms> RecordedKms::load() {
    std::string path =
        std::string(CRYPTD_SHARED_DIR) + "/corpus/libmongocrypt/test/example/kms-decrypt-reply.txt";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    RecordedKms kms;
    kms.awsDecryptReply_ = readFile(path);
    return kms;
}

std::string RecordedKms::answer(const std::string& provider, const std::string& endpoint,
                                const std::string& request) const {
    bool awsDecrypt = provider == "aws" && endpoint.starts_with("kms.us-east-1.amazonaws.com") &&
                      request.find("TrentService.Decrypt") != std::string::npos;
    if (!awsDecrypt)
        throw std::runtime_error("no recorded KMS reply for provider '" + provider + "' at " +
                                 endpoint);
    return awsDecryptReply_;
}

}  // namespace cryptd::speclegacy
