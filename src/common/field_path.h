#pragma once
// A dotted field path ("insurance.policyNumber") as a list of parts. Cheap to extend and shrink
// while walking a document: push/pop reuse the parts' storage.

#include <string>
#include <string_view>
#include <vector>

namespace cryptd {

class FieldPath {
public:
    FieldPath() = default;
    // Splits on '.'; throws Error(BadValue) for an empty path or an empty part ("a..b").
    static FieldPath parse(std::string_view dotted);

    size_t size() const { return parts_.size(); }
    bool empty() const { return parts_.empty(); }
    const std::string& operator[](size_t i) const { return parts_[i]; }
    const std::vector<std::string>& parts() const { return parts_; }
    const std::string& back() const { return parts_.back(); }

    void push(std::string_view part) { parts_.emplace_back(part); }
    void pop() { parts_.pop_back(); }
    FieldPath child(std::string_view part) const;
    FieldPath prefix(size_t n) const;  // the first n parts
    bool isPrefixOf(const FieldPath& other) const;

    std::string dotted() const;
    bool operator==(const FieldPath&) const = default;

private:
    std::vector<std::string> parts_;
};

// Pushes a part for the lifetime of a scope: `PathScope s(path, key);`.
class PathScope {
public:
    PathScope(FieldPath& path, std::string_view part) : path_(path) { path_.push(part); }
    ~PathScope() { path_.pop(); }
    PathScope(const PathScope&) = delete;
    PathScope& operator=(const PathScope&) = delete;

private:
    FieldPath& path_;
};

}  // namespace cryptd
