#pragma once
// The mongo_crypt_v1 C ABI that libmongocrypt loads (dlopen + dlsym of all 13 functions). These
// are cryptd's own declarations, written to match the C signatures libmongocrypt calls; the
// behaviour of each function is described in library.cpp.

#include <stdint.h>

#if defined(__GNUC__)
#define CRYPTD_CRYPT_API __attribute__((visibility("default")))
#else
#define CRYPTD_CRYPT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mongo_crypt_v1_status mongo_crypt_v1_status;
typedef struct mongo_crypt_v1_lib mongo_crypt_v1_lib;
typedef struct mongo_crypt_v1_query_analyzer mongo_crypt_v1_query_analyzer;

// What status_get_error() returns (an int on the ABI).
enum {
    MONGO_CRYPT_V1_ERROR_IN_REPORTING_ERROR = -2,
    MONGO_CRYPT_V1_ERROR_UNKNOWN = -1,
    MONGO_CRYPT_V1_SUCCESS = 0,
    MONGO_CRYPT_V1_ERROR_ENOMEM = 1,
    MONGO_CRYPT_V1_ERROR_EXCEPTION = 2,
    MONGO_CRYPT_V1_ERROR_LIBRARY_ALREADY_INITIALIZED = 3,
    MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED = 4,
    MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE = 5,
    MONGO_CRYPT_V1_ERROR_REENTRANCY_NOT_ALLOWED = 6,
};

CRYPTD_CRYPT_API mongo_crypt_v1_status* mongo_crypt_v1_status_create(void);
CRYPTD_CRYPT_API void mongo_crypt_v1_status_destroy(mongo_crypt_v1_status* status);
CRYPTD_CRYPT_API int mongo_crypt_v1_status_get_error(const mongo_crypt_v1_status* status);
CRYPTD_CRYPT_API const char* mongo_crypt_v1_status_get_explanation(
    const mongo_crypt_v1_status* status);
CRYPTD_CRYPT_API int mongo_crypt_v1_status_get_code(const mongo_crypt_v1_status* status);

CRYPTD_CRYPT_API mongo_crypt_v1_lib* mongo_crypt_v1_lib_create(mongo_crypt_v1_status* status);
CRYPTD_CRYPT_API int mongo_crypt_v1_lib_destroy(mongo_crypt_v1_lib* lib,
                                                mongo_crypt_v1_status* status);

CRYPTD_CRYPT_API uint64_t mongo_crypt_v1_get_version(void);
CRYPTD_CRYPT_API const char* mongo_crypt_v1_get_version_str(void);

CRYPTD_CRYPT_API mongo_crypt_v1_query_analyzer* mongo_crypt_v1_query_analyzer_create(
    mongo_crypt_v1_lib* lib, mongo_crypt_v1_status* status);
CRYPTD_CRYPT_API void mongo_crypt_v1_query_analyzer_destroy(
    mongo_crypt_v1_query_analyzer* analyzer);

CRYPTD_CRYPT_API uint8_t* mongo_crypt_v1_analyze_query(mongo_crypt_v1_query_analyzer* analyzer,
                                                       const uint8_t* documentBSON,
                                                       const char* ns_str, uint32_t ns_len,
                                                       uint32_t* bson_len,
                                                       mongo_crypt_v1_status* status);
CRYPTD_CRYPT_API void mongo_crypt_v1_bson_free(uint8_t* bson);

#ifdef __cplusplus
}  // extern "C"
#endif
