#include <string>

#include "analysis/analyzer.h"
#include "common/error.h"
#include "hostile/invariant/command_generator.h"
#include "hostile/invariant/invariant_checker.h"
#include "targets/targets.h"

namespace cryptd::fuzz {

int analyzeTarget(const uint8_t* data, size_t size) {
    using namespace test::invariant;
    static analysis::Analyzer* analyzer = new analysis::Analyzer();
    ByteEntropy e(std::span<const uint8_t>(data, size));
    SchemaModel model = SchemaModel::generate(e);
    bson::Doc schema = model.render(e);
    CommandGenerator gen(model, e);
    bson::Doc command = gen.command(schema.view(), e.chance(15));
    bson::Doc reply;
    try {
        reply = analyzer->analyze(command.view());
    } catch (const Error&) {
        return 0;  // refusing is always allowed
    }
    auto violations = InvariantChecker(model).check(command.view(), reply.view());
    if (!violations.empty()) {
        std::string detail;
        for (const auto& v : violations) {
            detail += "- " + v.what + "\n";
            if (!v.expected.empty()) detail += "  expected: " + v.expected + "\n";
            if (!v.actual.empty()) detail += "  actual:   " + v.actual + "\n";
        }
        detail += "command: " + command.toJson() + "\nreply: " + reply.toJson();
        fail("the safety invariant", detail);
    }
    return 0;
}

}  // namespace cryptd::fuzz
