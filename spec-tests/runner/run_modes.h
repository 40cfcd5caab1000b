#pragma once
// Runs one command both ways a case is judged: in-process against the analysis library, and over
// the wire against the shared daemon.

#include <string>

#include "common/bson.h"
#include "outcome.h"

namespace cryptd::analysis {
class Analyzer;
}

namespace cryptd::spec {

// The process-wide analyzer (one, as the daemon has one).
const analysis::Analyzer& sharedAnalyzer();

// Analyzer::analyze(command + $db). cryptd::Error becomes an error outcome; any other exception
// becomes an error outcome with code -1 (it can never satisfy an expectation).
Outcome runInProcess(bson::View command, const std::string& db);

// The same command through libmongoc to the shared daemon. Throws std::runtime_error when the
// daemon cannot be reached.
Outcome runOverWire(bson::View command, const std::string& db);

}  // namespace cryptd::spec
