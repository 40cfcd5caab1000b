#!/usr/bin/env bash
# make fuzz: runs every fuzz target for FUZZ_SECONDS from its corpus (seeded from spec-tests plus
# whatever earlier runs found), after replaying fuzz/regressions/. Crashes land in
# <build>/fuzz/artifacts/<target>/; turn each into a file under fuzz/regressions/<target>/.
#   fuzz/run.sh <build dir> <seconds per target> [target...]
set -uo pipefail
build=${1:?build dir}
seconds=${2:-60}
shift 2 || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(wire intake schema analyze crypt_shared)
here=$(cd "$(dirname "$0")" && pwd)
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  work="$build/fuzz/work/$t"
  artifacts="$build/fuzz/artifacts/$t"
  corpus=$t
  [ "$t" = crypt_shared ] && corpus=intake  # the analyzer's commands, through the ABI
  mkdir -p "$work" "$artifacts"
  echo "== fuzz_$t: regressions"
  if ! "$bin" -runs=0 "$here/regressions/$t" >"$build/fuzz/$t.regressions.log" 2>&1; then
    echo "   FAILED (see $build/fuzz/$t.regressions.log)"; failed+=("$t/regressions"); continue
  fi
  echo "== fuzz_$t: ${seconds}s"
  # Cost oracle: entry.cpp aborts on CPU beyond a linear budget; one allocation over 512 MB
  # from an input of a few KB is a finding too.
  if "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -malloc_limit_mb=512 -print_final_stats=1 \
       -dict="$here/cryptd.dict" \
       -artifact_prefix="$artifacts/" "$work" "$build/fuzz/corpus/$corpus" >"$build/fuzz/$t.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$build/fuzz/$t.log" | sed 's/^/   /'
    grep -o "cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*" "$build/fuzz/$t.log" | tail -n 1 | sed "s/^/   /"
  else
    echo "   CRASH (see $build/fuzz/$t.log; inputs in $artifacts)"; failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in ${failed[*]}"; exit 1
fi
echo "fuzz: no crashes"
