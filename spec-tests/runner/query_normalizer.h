#pragma once
// Rewrites MongoDB query sugar into one canonical spelling, so a case can say what a reply means
// without pinning how the daemon re-serializes it (the contract shows real mongocryptd replies
// re-serialize parsed queries: {a: 1} -> {a: {$eq: 1}}, several predicates -> $and).
// Applied to both the expected and the actual document; every rule keeps the query's meaning:
//   {f: {$eq: X}}            -> {f: X}
//   {f: {$ne: X}}            -> {f: {$not: {$eq: X}}}   (kept as an operator, see below)
//   {f: {$nin: A}}           -> {f: {$not: {$in: A}}}
//   {$and: [{a..}, {b..}]}   -> {a.., b..}  when no key repeats (implicit AND)

#include "common/bson.h"

namespace cryptd::spec {

bson::Doc normalizeQuerySugar(bson::View doc);

}  // namespace cryptd::spec
