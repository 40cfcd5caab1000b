#pragma once
// mongo_crypt_v1.so loaded the way libmongocrypt loads it: dlopen(RTLD_LAZY | RTLD_LOCAL) of a
// path, then dlsym of all 13 functions (a missing one is named in `missing`).

#include <dlfcn.h>

#include <string>

#include "crypt_shared/mongo_crypt_v1.h"

namespace cryptd::crypt_shared::test {

// The 13 functions of the ABI, for the X-macro below (members, then their dlsym).
#define CRYPTD_MONGO_CRYPT_V1_FUNCTIONS(X)                                                      \
    X(status_create)                                                                            \
    X(status_destroy) X(status_get_error) X(status_get_explanation) X(status_get_code)          \
        X(lib_create) X(lib_destroy) X(get_version) X(get_version_str) X(query_analyzer_create) \
            X(query_analyzer_destroy) X(analyze_query) X(bson_free)

struct LoadedLibrary {
    void* handle = nullptr;
#define CRYPTD_FN(name) decltype(&::mongo_crypt_v1_##name) name = nullptr;
    CRYPTD_MONGO_CRYPT_V1_FUNCTIONS(CRYPTD_FN)
#undef CRYPTD_FN
    std::string missing;

    explicit LoadedLibrary(const std::string& path) {
        handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
        if (!handle) return;
#define CRYPTD_FN(name)                                                              \
    name = reinterpret_cast<decltype(name)>(dlsym(handle, "mongo_crypt_v1_" #name)); \
    if (!name) missing += " " #name;
        CRYPTD_MONGO_CRYPT_V1_FUNCTIONS(CRYPTD_FN)
#undef CRYPTD_FN
    }
    ~LoadedLibrary() {
        if (handle) dlclose(handle);
    }
    LoadedLibrary(const LoadedLibrary&) = delete;
    LoadedLibrary& operator=(const LoadedLibrary&) = delete;
};

}  // namespace cryptd::crypt_shared::test
