#pragma once
// mongo_crypt_v1.so loaded the way libmongocrypt loads it: dlopen(RTLD_LAZY | RTLD_LOCAL) of a
// path, then dlsym of all 13 functions (a missing one is named in `missing`).

#include <dlfcn.h>

#include <string>

#include "crypt_shared/mongo_crypt_v1.h"

namespace cryptd::crypt_shared::test {

struct LoadedLibrary {
    void* handle = nullptr;
#define CRYPTD_FN(name) decltype(&::mongo_crypt_v1_##name) name = nullptr;
    CRYPTD_FN(status_create)
    CRYPTD_FN(status_destroy)
    CRYPTD_FN(status_get_error)
    CRYPTD_FN(status_get_explanation)
    CRYPTD_FN(status_get_code)
    CRYPTD_FN(lib_create)
    CRYPTD_FN(lib_destroy)
    CRYPTD_FN(get_version)
    CRYPTD_FN(get_version_str)
    CRYPTD_FN(query_analyzer_create)
    CRYPTD_FN(query_analyzer_destroy)
    CRYPTD_FN(analyze_query)
    CRYPTD_FN(bson_free)
#undef CRYPTD_FN
    std::string missing;

    explicit LoadedLibrary(const std::string& path) {
        handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
        if (!handle) return;
#define CRYPTD_FN(name)                                                              \
    name = reinterpret_cast<decltype(name)>(dlsym(handle, "mongo_crypt_v1_" #name)); \
    if (!name) missing += " " #name;
        CRYPTD_FN(status_create)
        CRYPTD_FN(status_destroy)
        CRYPTD_FN(status_get_error)
        CRYPTD_FN(status_get_explanation)
        CRYPTD_FN(status_get_code)
        CRYPTD_FN(lib_create)
        CRYPTD_FN(lib_destroy)
        CRYPTD_FN(get_version)
        CRYPTD_FN(get_version_str)
        CRYPTD_FN(query_analyzer_create)
        CRYPTD_FN(query_analyzer_destroy)
        CRYPTD_FN(analyze_query)
        CRYPTD_FN(bson_free)
#undef CRYPTD_FN
    }
    ~LoadedLibrary() {
        if (handle) dlclose(handle);
    }
    LoadedLibrary(const LoadedLibrary&) = delete;
    LoadedLibrary& operator=(const LoadedLibrary&) = delete;
};

}  // namespace cryptd::crypt_shared::test
