#include "check/checker.h"

#include <exception>

#include "check/problem_finder.h"
#include "common/error.h"
#include "schema/encryption_schema.h"

namespace cryptd::check {

namespace {

Segments concat(const Segments& a, const Segments& b) {
    Segments out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

// Located only when the path is known for sure (never a guessed line).
void locate(Diagnostic& d, const JsonLocator& locator, const Segments& fromRoot, bool exact,
            bool lastOccurrence) {
    if (!exact) return;
    d.pointer = toPointer(fromRoot);
    d.location = locator.find(fromRoot, lastOccurrence);
}

Diagnostic fromSchemaProblem(const SchemaProblem& p, const SchemaUnit& unit,
                             const JsonLocator& locator) {
    Diagnostic d;
    d.ns = unit.ns;
    d.schemaPath = p.schemaPath;
    d.rule = p.rule;
    d.source = Source::kMongocryptd;
    d.code = p.code;
    d.codeName = p.codeName;
    d.errmsg = p.errmsg;
    d.message = p.message;
    d.hint = p.hint;
    locate(d, locator, concat(unit.base, p.where.segments), p.where.exact && !p.where.ambiguous,
           p.lastOccurrence);
    return d;
}

// libmongocrypt refuses a remote schema that needs encryption when the validator has other
// keys besides $jsonSchema (it cannot tell what those would mean for encrypted fields).
Diagnostic validatorSiblings(const SchemaUnit& unit, const JsonLocator& locator) {
    Diagnostic d;
    d.ns = unit.ns;
    d.rule = "validator-siblings";
    d.source = Source::kLibmongocrypt;
    d.errmsg = d.message =
        "schema requires encryption, but collection JSON schema validator has siblings";
    d.hint =
        "drivers refuse to auto-encrypt this collection: express the other validator rules "
        "inside $jsonSchema, or drop them";
    Segments validator(unit.base.begin(), unit.base.end() - 1);
    locate(d, locator, validator, true, false);
    return d;
}

}  // namespace

FileReport Checker::checkFile(const std::string& path, std::istream& in) {
    FileReport report;
    report.name = displayName(path);
    Loaded loaded;
    loaded.file = report.name;
    try {
        loaded.json = std::make_unique<JsonDocument>(JsonDocument::load(path, in));
    } catch (const InputError& e) {
        report.readable = false;
        report.unreadable = e.what();
        report.unreadableAt = e.location;
        return report;
    }
    const JsonLocator& locator = loaded.json->locator;
    SplitInput split = splitInput(loaded.json->doc.view(), options_);
    report.shape = split.shape;
    for (size_t i = 0; i < split.problems.size(); ++i) {
        Diagnostic d = split.problems[i];
        locate(d, locator, split.problemPaths[i], true, false);
        report.problems.push_back(std::move(d));
    }
    for (const auto& unit : split.units) {
        NamespaceReport ns{unit.ns, unit.remote, false, {}};
        FinderResult found = findSchemaProblems(unit.schema, unit.remote);
        report.incomplete = report.incomplete || found.incomplete;
        for (const auto& p : found.problems) {
            report.problems.push_back(fromSchemaProblem(p, unit, locator));
        }
        if (found.problems.empty()) {
            // The finder just parsed this schema without error; parse once more for the table.
            auto parsed = schema::EncryptionSchema::parse(unit.schema, unit.remote);
            auto ambiguous = findAmbiguousFields(unit.schema, *parsed);
            for (const auto& p : ambiguous) {
                report.problems.push_back(fromSchemaProblem(p, unit, locator));
            }
            if (unit.validatorHasSiblings && parsed->requiresEncryption()) {
                report.problems.push_back(validatorSiblings(unit, locator));
            }
            ns.valid = ambiguous.empty();
            ns.rows = explainSchema(unit.schema, *parsed);
        }
        loaded.valid.push_back(ns.valid);
        report.namespaces.push_back(std::move(ns));
    }
    loaded.units = std::move(split.units);
    loaded_.push_back(std::move(loaded));
    return report;
}

std::vector<AvailableSchema> Checker::availableSchemas() const {
    std::vector<AvailableSchema> out;
    for (const auto& l : loaded_) {
        for (size_t i = 0; i < l.units.size(); ++i) {
            const auto& u = l.units[i];
            out.push_back(AvailableSchema{u.ns, u.schema, u.remote, l.valid[i], l.file});
        }
    }
    return out;
}

size_t CheckReport::problemCount() const {
    size_t n = 0;
    for (const auto& f : files) n += f.problems.size();
    return n;
}

int CheckReport::exitCode() const {
    bool unreadable = false;
    for (const auto& f : files) unreadable = unreadable || !f.readable;
    if (command && (command->status == CommandOutcome::Status::kUnreadable ||
                    command->status == CommandOutcome::Status::kNoSchema)) {
        unreadable = true;  // a command checked against nothing is an input error
    }
    if (unreadable) return 2;
    if (problemCount() > 0) return 1;
    if (command && command->status == CommandOutcome::Status::kRejected) return 1;
    return 0;
}

}  // namespace cryptd::check
