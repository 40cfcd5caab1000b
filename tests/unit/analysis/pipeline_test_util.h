#pragma once
// Helpers for the aggregate tests: commands go through the front door (Analyzer), as the daemon
// runs them, so csfleEncryptionSchemas and the schema cache are exercised too.

#include <string>

#include "analysis/analyzer.h"
#include "analysis_test_util.h"

namespace cryptd::analysis::test {

inline const Analyzer& frontDoor() {
    static const Analyzer analyzer;
    return analyzer;
}

// {$marking: ...} as expandMarkings renders it, key A / key B, deterministic.
inline std::string markA(const std::string& valueJson) {
    return std::string(R"({"$marking": {"a": 1, "ki": ")") + kUuidAString + R"(", "v": )" +
           valueJson + "}}";
}
inline std::string markB(const std::string& valueJson) {
    return std::string(R"({"$marking": {"a": 1, "ki": ")") + kUuidBString + R"(", "v": )" +
           valueJson + "}}";
}

// Runs `commandJson` through the Analyzer; the reply with markings expanded, as relaxed JSON.
inline std::string frontDoorJson(const std::string& commandJson) {
    bson::Doc cmd = bson::Doc::fromJson(commandJson);
    return expandMarkings(frontDoor().analyze(cmd.view()).view()).toJson();
}

// An aggregate on collection "c" of db "db" with the standard schema (analysis_test_util.h).
inline std::string aggregateCommand(const std::string& pipelineJson,
                                    const std::string& extraFields = "") {
    return withStandardSchema(R"({"aggregate": "c", "pipeline": )" + pipelineJson +
                              R"(, "cursor": {})" + extraFields + R"(, "$db": "db"})");
}

// The reply's `result.pipeline` for `pipelineJson` (relaxed JSON, markings expanded).
inline std::string analyzedPipeline(const std::string& pipelineJson) {
    bson::Doc cmd = bson::Doc::fromJson(aggregateCommand(pipelineJson));
    bson::Doc reply = expandMarkings(frontDoor().analyze(cmd.view()).view());
    bson::View result = reply.view().find("result")->document();
    bson::Builder b;
    b.append("pipeline", *result.find("pipeline"));
    return b.finish().toJson();
}

// The JSON `analyzedPipeline` returns for an expected pipeline.
inline std::string pipelineJson(const std::string& stagesJson) {
    return normalized(R"({"pipeline": )" + stagesJson + "}");
}

inline void expectPipelineError(const std::string& pipelineJson, ErrorCode code,
                                const std::string& substring) {
    expectError(
        [&] {
            bson::Doc cmd = bson::Doc::fromJson(aggregateCommand(pipelineJson));
            frontDoor().analyze(cmd.view());
        },
        code, substring);
}

// Placeholders flag of the reply for `pipelineJson`.
inline bool pipelineHasPlaceholders(const std::string& pipelineJson) {
    bson::Doc cmd = bson::Doc::fromJson(aggregateCommand(pipelineJson));
    return frontDoor().analyze(cmd.view()).view().find("hasEncryptionPlaceholders")->boolean();
}

}  // namespace cryptd::analysis::test
