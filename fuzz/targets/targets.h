#pragma once
// The fuzz targets, as plain functions over bytes, so the same code runs under libFuzzer
// (entry.cpp, clang) and as a regression replay in every build (tests/hostile). Each returns 0;
// a bug is a crash, a sanitizer report, an exception escaping, or a call to fail() (abort with
// a message).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace cryptd::fuzz {

// Wire framing: parseHeader/parseRequest on any bytes; FramingError is the only way out, and a
// parsed request has a valid body that serializes into a well-formed reply.
int wireTarget(const uint8_t* data, size_t size);
// BSON command intake: a valid BSON document (as framing delivers it) through the dispatcher
// (admin commands, analysis front door); the reply always has `ok`, and no InternalError
// (an unexpected exception) ever comes out.
int intakeTarget(const uint8_t* data, size_t size);
// The schema parser: first byte = flags (bit 0: isRemoteSchema), the rest a BSON $jsonSchema;
// parse, then query the tree. cryptd::Error is the only way out.
int schemaTarget(const uint8_t* data, size_t size);
// Full analyze(command) with a structure-aware generator: the bytes choose a schema and a
// command (tests/hostile/invariant); whatever the analyzer accepts must satisfy the safety
// invariant.
int analyzeTarget(const uint8_t* data, size_t size);
// mongo_crypt_v1_analyze_query (the in-process library's entry point) on any bytes and on the
// intake corpus' documents: a status for every refusal, a valid reply otherwise, and for a
// document the same reply the engine gives the daemon.
int cryptSharedTarget(const uint8_t* data, size_t size);

struct Target {
    std::string_view name;
    int (*run)(const uint8_t*, size_t);
};
std::span<const Target> targets();

// The document an input stands for: BSON bytes as they are, or, when they are not valid BSON and
// look like JSON, Extended JSON text parsed by libbson (text mutates well, so JSON seeds let the
// fuzzer explore structure that byte-level mutations of BSON would break). Nothing when neither
// works or when it is nested deeper than framing allows.
bool documentFrom(const uint8_t* data, size_t size, std::vector<uint8_t>& out);

// Reports a broken invariant and aborts (a crash for libFuzzer, a failure for the replay).
[[noreturn]] void fail(std::string_view what, std::string_view detail = {});

}  // namespace cryptd::fuzz
