/* crypt_shared_probe LIB.so NS < command.bson > reply.bson
 * Loads mongo_crypt_v1.so the way drivers do (dlopen, then the C ABI by name), analyzes the one
 * command read from stdin for namespace NS and writes the result document to stdout. On an
 * analysis error: "error <code>: <explanation>" on stdout, exit 3. Built for each architecture
 * (tests/portable/run.sh) so the arm64 library can be compared with the x86-64 one. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void* (*create_fn)(void*);
typedef void* (*status_create_fn)(void);
typedef uint8_t* (*analyze_fn)(void*, const uint8_t*, const char*, uint32_t, uint32_t*, void*);
typedef int (*status_int_fn)(const void*);
typedef const char* (*status_str_fn)(const void*);
typedef void (*free_fn)(uint8_t*);

static void* need(void* lib, const char* name) {
    void* f = dlsym(lib, name);
    if (!f) {
        fprintf(stderr, "crypt_shared_probe: no symbol %s\n", name);
        exit(2);
    }
    return f;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: crypt_shared_probe LIB.so NS < command.bson\n");
        return 2;
    }
    static uint8_t in[1 << 20];
    size_t n = fread(in, 1, sizeof in, stdin);
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "crypt_shared_probe: %s\n", dlerror());
        return 2;
    }
    void* status = ((status_create_fn)need(lib, "mongo_crypt_v1_status_create"))();
    void* handle = ((create_fn)need(lib, "mongo_crypt_v1_lib_create"))(status);
    void* (*analyzer_create)(void*, void*) =
        (void* (*)(void*, void*))need(lib, "mongo_crypt_v1_query_analyzer_create");
    void* analyzer = handle ? analyzer_create(handle, status) : NULL;
    if (!analyzer || n < 5) {
        fprintf(stderr, "crypt_shared_probe: no analyzer (or empty input)\n");
        return 2;
    }
    uint32_t len = 0;
    uint8_t* out = ((analyze_fn)need(lib, "mongo_crypt_v1_analyze_query"))(
        analyzer, in, argv[2], (uint32_t)strlen(argv[2]), &len, status);
    if (!out) {
        printf("error %d: %s\n",
               ((status_int_fn)need(lib, "mongo_crypt_v1_status_get_code"))(status),
               ((status_str_fn)need(lib, "mongo_crypt_v1_status_get_explanation"))(status));
        return 3;
    }
    fwrite(out, 1, len, stdout);
    ((free_fn)need(lib, "mongo_crypt_v1_bson_free"))(out);
    return 0;
}
