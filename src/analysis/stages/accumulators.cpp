#include "analysis/stages/accumulators.h"

#include "analysis/encrypted_value.h"
#include "analysis/query_options.h"
#include "common/error.h"
#include "common/name_table.h"

namespace cryptd::analysis::stages {

using schema::SchemaNode;

namespace {

enum class AccKind {
    Preserve,        // $first $last: the value itself
    Collect,         // $push $addToSet: an array of the values
    CollectN,        // $firstN $lastN: {input, n}
    SortedPreserve,  // $top $bottom: {sortBy, output}
    SortedCollect,   // $topN $bottomN: {sortBy, output, n}
    Count,           // $count: {}
    PlainOnly,       // arithmetic, ordering, merging: unencrypted values only
};

struct Accumulator {
    std::string_view name;
    AccKind kind;
};

constexpr auto kAccumulators = makeNameTable<Accumulator>({
    {"$first", AccKind::Preserve},
    {"$last", AccKind::Preserve},
    {"$push", AccKind::Collect},
    {"$addToSet", AccKind::Collect},
    {"$firstN", AccKind::CollectN},
    {"$lastN", AccKind::CollectN},
    {"$top", AccKind::SortedPreserve},
    {"$bottom", AccKind::SortedPreserve},
    {"$topN", AccKind::SortedCollect},
    {"$bottomN", AccKind::SortedCollect},
    {"$count", AccKind::Count},
    {"$sum", AccKind::PlainOnly},
    {"$avg", AccKind::PlainOnly},
    {"$min", AccKind::PlainOnly},
    {"$max", AccKind::PlainOnly},
    {"$minN", AccKind::PlainOnly},
    {"$maxN", AccKind::PlainOnly},
    {"$stdDevPop", AccKind::PlainOnly},
    {"$stdDevSamp", AccKind::PlainOnly},
    {"$median", AccKind::PlainOnly},
    {"$percentile", AccKind::PlainOnly},
    {"$mergeObjects", AccKind::PlainOnly},
    {"$concatArrays", AccKind::PlainOnly},
    {"$setUnion", AccKind::PlainOnly},
    {"$accumulator", AccKind::PlainOnly},
});

const Accumulator* findAccumulator(std::string_view name) {
    return kAccumulators.find(name);
}

// The node of an array collecting values of shape `s`.
const SchemaNode* collected(SchemaArena& arena, const Shape& s) {
    switch (s.kind) {
        case Shape::Kind::Encrypted:
            if (s.elementwise) {
                return arena.unknown("it collects arrays of encrypted values (" + describeShape(s) +
                                     ")");
            }
            return arena.encrypted(s.encryption, true);
        case Shape::Kind::Document:
            return arena.arrayOf(s.node);
        case Shape::Kind::Unknown:
            return arena.unknown(s.why);
        default:
            return nullptr;
    }
}

void requireGroupableNode(const SchemaNode* node, std::string_view stage, int depth) {
    if (!node || !node->containsEncryption()) return;
    const DerivedNode* d = asDerived(node);
    if (!d || depth > 100) {
        failStage(stage,
                  "cannot group by a document that contains encrypted fields of the "
                  "collection's schema; group by the fields themselves");
    }
    switch (d->kind()) {
        case DerivedNode::Kind::Encrypted: {
            Shape s = shapeOfNode(node, FieldPath());
            requireGroupable(s, stage);
            return;
        }
        case DerivedNode::Kind::Unknown:
            failStage(stage, "cannot group by a value whose encryption cannot be determined (" +
                                 d->reason() + ")");
        case DerivedNode::Kind::Document:
            requireGroupableNode(d->base(), stage, depth + 1);
            for (const auto& [name, child] : d->fields()) {
                requireGroupableNode(child, stage, depth + 1);
            }
            return;
    }
}

// {sortBy: {..}, output: <expr>, n: <expr>}
Shape writeSorted(StageInput& in, ExpressionAnalyzer& a, bson::Builder& out,
                  const bson::Element& acc, bool withN) {
    std::string name(acc.key());
    if (!acc.isDocument()) failStage(name, "expects an object with 'sortBy' and 'output'");
    Shape result;
    out.appendDocument(name, [&](bson::Builder& args) {
        for (bson::Element f : acc.document()) {
            if (f.key() == "sortBy") {
                appendCheckedSort(in.ctx(), args, f);
            } else if (f.key() == "output") {
                result = a.write(args, "output", f);
            } else if (f.key() == "n" && withN) {
                requirePlainValue(a.write(args, "n", f), name + "'s n");
            } else {
                failStage(name, "unknown argument '" + std::string(f.key()) + "'");
            }
        }
    });
    if (!acc.document().find("sortBy") || !acc.document().find("output")) {
        failStage(name, "requires 'sortBy' and 'output'");
    }
    return result;
}

}  // namespace

void requireGroupable(const Shape& key, std::string_view stage) {
    switch (key.kind) {
        case Shape::Kind::Encrypted: {
            // Grouping compares keys for equality.
            schema::QueryRefusal why = key.encryption->refusal(schema::QueryKind::Equality);
            if (why.randomized) {
                failStage(stage, "cannot group by " + describeShape(key) +
                                     ": it is encrypted with the randomized algorithm, so equal "
                                     "values have different ciphertexts");
            }
            if (why.pointerKeyId) {
                failStage(stage, "cannot group by " + describeShape(key) +
                                     ": its keyId is a JSON pointer, so equal values may be "
                                     "encrypted with different keys");
            }
            if (why.any()) requireQueryable(key.origin, *key.encryption);
            return;
        }
        case Shape::Kind::Document:
            requireGroupableNode(key.node, stage, 0);
            return;
        case Shape::Kind::Unknown:
            failStage(stage, "cannot group by " + describeShape(key));
        default:
            return;
    }
}

const SchemaNode* writeAccumulatorField(StageInput& in, ExpressionAnalyzer& a, bson::Builder& out,
                                        const bson::Element& field, bool wrapLiteral) {
    std::string stage = in.name();
    std::string_view name = field.key();
    if (name.empty() || name.front() == '$' || name.find('.') != std::string_view::npos) {
        failStage(stage, "the output field name '" + std::string(name) +
                             "' cannot be empty, start with '$' or contain '.'");
    }
    if (!field.isDocument() || field.document().count() != 1) {
        failStage(stage, "the field '" + std::string(name) + "' must be an accumulator object");
    }
    bson::Element acc = *field.document().begin();
    const Accumulator* entry = findAccumulator(acc.key());
    if (!entry) failStage(stage, "unknown group operator '" + std::string(acc.key()) + "'");

    const SchemaNode* node = nullptr;
    SchemaArena& arena = in.arena();
    // The argument of $first/$push/$sum... ({$sum: 1} -> {$sum: {$const: 1}} when wrapping).
    auto writeArgument = [&](bson::Builder& b) {
        return wrapLiteral ? a.writeWrappingLiteral(b, acc.key(), acc) : a.write(b, acc.key(), acc);
    };
    out.appendDocument(name, [&](bson::Builder& b) {
        switch (entry->kind) {
            case AccKind::Preserve:
                node = nodeForShape(arena, writeArgument(b));
                break;
            case AccKind::Collect:
                node = collected(arena, writeArgument(b));
                break;
            case AccKind::CollectN: {
                if (!acc.isDocument())
                    failStage(stage, std::string(acc.key()) + " expects {input, n}");
                Shape input;
                b.appendDocument(acc.key(), [&](bson::Builder& args) {
                    for (bson::Element f : acc.document()) {
                        if (f.key() == "input") {
                            input = a.write(args, "input", f);
                        } else if (f.key() == "n") {
                            requirePlainValue(a.write(args, "n", f),
                                              std::string(acc.key()) + "'s n");
                        } else {
                            failStage(stage, std::string(acc.key()) + ": unknown argument '" +
                                                 std::string(f.key()) + "'");
                        }
                    }
                });
                node = collected(arena, input);
                break;
            }
            case AccKind::SortedPreserve:
                node = nodeForShape(arena, writeSorted(in, a, b, acc, false));
                break;
            case AccKind::SortedCollect:
                node = collected(arena, writeSorted(in, a, b, acc, true));
                break;
            case AccKind::Count:
                if (!acc.isDocument() || !acc.document().empty()) {
                    failStage(stage, "$count takes no arguments, i.e. $count:{}");
                }
                b.append(acc);
                break;
            case AccKind::PlainOnly:
                requirePlainValue(writeArgument(b), std::string(acc.key()) + " in " + stage);
                break;
        }
    });
    return node;
}

}  // namespace cryptd::analysis::stages
