#pragma once
// The named operations the wire tools (loadgen, memory_bench) can send, e.g. `--ops ping,find`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "load_engine.h"

namespace cryptd::bench {

struct OperationSpec {
    std::string_view name;
    std::string_view description;
};

// Every operation, in table order.
const std::vector<OperationSpec>& operationSpecs();
// The operation named `name`, or nullopt.
std::optional<Operation> makeOperation(std::string_view name);

}  // namespace cryptd::bench
