#include "spec_case.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "marking_codec.h"

namespace cryptd::spec {

namespace fs = std::filesystem;

namespace {

std::string readFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

constexpr int kMaxIncludeDepth = 8;

bson::Doc resolveIncludes(bson::View doc, const fs::path& root, int depth);

template <typename Sink>
void resolveValue(Sink& out, const bson::Element& e, const fs::path& root, int depth) {
    if (e.isDocument()) {
        auto d = e.document();
        auto inc = d.find("$$include");
        if (inc && d.count() == 1) {
            if (!inc->isString())
                throw std::runtime_error("$$include must be a relative path string");
            if (depth >= kMaxIncludeDepth) throw std::runtime_error("$$include nested too deep");
            auto included = loadJsonFile(root / std::string(inc->utf8()), root);
            auto resolved = resolveIncludes(included.view(), root, depth + 1);
            out.appendDocument(e.key(), resolved.view());
            return;
        }
        auto resolved = resolveIncludes(d, root, depth);
        out.appendDocument(e.key(), resolved.view());
    } else if (e.isArray()) {
        auto resolved = resolveIncludes(e.document(), root, depth);
        out.appendArray(e.key(), resolved.view());
    } else {
        out.append(e);
    }
}

bson::Doc resolveIncludes(bson::View doc, const fs::path& root, int depth) {
    bson::Builder out;
    for (auto e : doc) resolveValue(out, e, root, depth);
    return out.finish();
}

std::string requireString(const bson::Element& e, std::string_view what) {
    if (!e.isString()) throw std::runtime_error(std::string(what) + " must be a string");
    return std::string(e.utf8());
}

ExpectedError parseExpectedError(bson::View d) {
    ExpectedError err;
    for (auto e : d) {
        auto key = e.key();
        if (key == "code") {
            if (!e.isNumber()) throw std::runtime_error("expectError.code must be a number");
            err.code = static_cast<int32_t>(e.asInt64());
        } else if (key == "codeName") {
            err.codeName = requireString(e, "expectError.codeName");
        } else if (key == "errmsgContains") {
            if (e.isString()) {
                err.errmsgContains.emplace_back(e.utf8());
            } else if (e.isArray()) {
                for (auto s : e.document())
                    err.errmsgContains.push_back(requireString(s, "expectError.errmsgContains[]"));
            } else {
                throw std::runtime_error("expectError.errmsgContains must be a string or array");
            }
        } else {
            throw std::runtime_error("unknown field expectError." + std::string(key));
        }
    }
    // {} means "any error": for rejections the contract requires without naming a message.
    return err;
}

}  // namespace

fs::path specRoot() {
#ifdef CRYPTD_SPEC_DIR
    return fs::path(CRYPTD_SPEC_DIR);
#else
    return fs::path("spec-tests");
#endif
}

bson::Doc loadJsonFile(const fs::path& file, const fs::path& root) {
    std::string text = readFile(file);
    try {
        auto doc = bson::Doc::fromJson(text);
        return resolveIncludes(doc.view(), root, 0);
    } catch (const std::exception& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
}

SpecCase loadSpecCase(const fs::path& root, const fs::path& file) {
    SpecCase c;
    c.file = file;
    c.id = fs::relative(file, root / "cases").replace_extension().generic_string();
    bson::Doc raw = loadJsonFile(file, root);
    bson::Doc doc = encodeMarkingsIn(raw.view());
    bool haveCommand = false;
    for (auto e : doc.view()) {
        auto key = e.key();
        if (key == "description") {
            c.description = requireString(e, "description");
        } else if (key == "db") {
            c.db = requireString(e, "db");
        } else if (key == "command") {
            if (!e.isDocument() || e.document().empty())
                throw std::runtime_error("command must be a non-empty document");
            if (e.document().find("$db"))
                throw std::runtime_error("command must not contain $db: use the case's \"db\"");
            c.command = bson::Doc::copyOf(e.document());
            haveCommand = true;
        } else if (key == "modes") {
            if (!e.isArray()) throw std::runtime_error("modes must be an array");
            c.inProcess = c.wire = false;
            for (auto m : e.document()) {
                auto name = requireString(m, "modes[]");
                if (name == "inProcess")
                    c.inProcess = true;
                else if (name == "wire")
                    c.wire = true;
                else
                    throw std::runtime_error("unknown mode '" + name + "'");
            }
        } else if (key == "expect") {
            if (!e.isDocument()) throw std::runtime_error("expect must be a document");
            c.expect = bson::Doc::copyOf(e.document());
        } else if (key == "expectError") {
            if (!e.isDocument()) throw std::runtime_error("expectError must be a document");
            c.expectError = parseExpectedError(e.document());
        } else if (key == "expectReply") {
            if (!e.isDocument()) throw std::runtime_error("expectReply must be a document");
            c.expectReply = bson::Doc::copyOf(e.document());
        } else if (key == "normalizeQueries") {
            if (!e.isBool()) throw std::runtime_error("normalizeQueries must be a bool");
            c.normalizeQueries = e.boolean();
        } else if (key == "xfail") {
            c.xfail = requireString(e, "xfail");
        } else if (key == "skip") {
            c.skip = requireString(e, "skip");
        } else if (key == "comment") {
            // free text for readers
        } else {
            throw std::runtime_error("unknown case field '" + std::string(key) + "'");
        }
    }
    if (c.description.empty()) throw std::runtime_error("description is required");
    if (!haveCommand) throw std::runtime_error("command is required");
    int outcomes = (c.expect ? 1 : 0) + (c.expectError ? 1 : 0) + (c.expectReply ? 1 : 0);
    if (outcomes != 1)
        throw std::runtime_error("exactly one of expect, expectError, expectReply is required");
    if (c.expectReply && c.inProcess)
        throw std::runtime_error("expectReply (a full server reply) needs \"modes\": [\"wire\"]");
    if (!c.inProcess && !c.wire) throw std::runtime_error("modes must name at least one mode");
    return c;
}

std::vector<CaseRef> listSpecCases(const fs::path& root) {
    std::vector<CaseRef> out;
    fs::path cases = root / "cases";
    if (!fs::exists(cases)) return out;
    for (auto& entry : fs::recursive_directory_iterator(cases)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        out.push_back(
            {fs::relative(entry.path(), cases).replace_extension().generic_string(), entry.path()});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
    return out;
}

std::string testNameFor(const std::string& id) {
    std::string out;
    for (char ch : id) {
        if (ch == '/')
            out += "__";
        else if (std::isalnum(static_cast<unsigned char>(ch)))
            out += ch;
        else
            out += '_';
    }
    return out;
}

}  // namespace cryptd::spec
