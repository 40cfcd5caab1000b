// libFuzzer entry point; CRYPTD_FUZZ_TARGET names the function from targets/targets.h.
#include "targets/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return cryptd::fuzz::CRYPTD_FUZZ_TARGET(data, size);
}
