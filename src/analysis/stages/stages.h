#pragma once
// Stage handlers, grouped by what they do to the documents; pipeline_walker.cpp lists them in
// the stage table.
//   basic_stages.cpp    $match $sort $limit $skip $sample $count $collStats $indexStats $redact
//                       $geoNear
//   reshape_stages.cpp  $project $addFields/$set $unset $replaceRoot/$replaceWith $unwind
//   group_stages.cpp    $group $bucket $bucketAuto $sortByCount (accumulators.cpp)
//   join_stages.cpp     $lookup $graphLookup $facet

#include "analysis/pipeline_walker.h"

namespace cryptd::analysis::stages {

using Handler = const schema::SchemaNode*(StageInput& in, bson::Builder& stage);

Handler match, sort, limitOrSkip, sample, count, stats, redact, geoNear;
Handler project, addFields, unset, replaceRoot, replaceWith, unwind;
Handler group, bucket, bucketAuto, sortByCount;
Handler lookup, graphLookup, facet;

}  // namespace cryptd::analysis::stages
