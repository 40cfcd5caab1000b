#!/usr/bin/env bash
# mongo_crypt_v1.so as a driver process sees it: exports exactly the 13 mongo_crypt_v1_* functions,
# needs nothing beyond libc, libm, libgcc_s and the loader (libstdc++ and libbson are inside and
# hidden, so a driver's own libbson is never shadowed), and stays small once stripped.
set -euo pipefail
lib=$1
max_stripped=$((4 * 1024 * 1024))

expected="mongo_crypt_v1_analyze_query mongo_crypt_v1_bson_free mongo_crypt_v1_get_version
mongo_crypt_v1_get_version_str mongo_crypt_v1_lib_create mongo_crypt_v1_lib_destroy
mongo_crypt_v1_query_analyzer_create mongo_crypt_v1_query_analyzer_destroy
mongo_crypt_v1_status_create mongo_crypt_v1_status_destroy mongo_crypt_v1_status_get_code
mongo_crypt_v1_status_get_error mongo_crypt_v1_status_get_explanation"
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)
want=$(echo $expected | tr ' ' '\n' | sort)
if [ "$exported" != "$want" ]; then
  echo "exported symbols differ from the ABI:"; diff <(echo "$want") <(echo "$exported") || true; exit 1
fi
echo "exports: the 13 mongo_crypt_v1_* functions only"

needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for n in $needed; do
  case "$n" in
    libc.so.6|libm.so.6|libgcc_s.so.1|ld-linux-x86-64.so.2|ld-linux-aarch64.so.1) ;;
    *) echo "unexpected dynamic dependency: $n"; exit 1 ;;
  esac
done
echo "needs: $(echo $needed)"

# Every strong undefined symbol is glibc's (versioned GLIBC_*): a libbson or libstdc++ function
# the host would have to provide would show up here without one.
undefined=$(nm -D --undefined-only "$lib" | awk '$1 == "U" && $2 !~ /@GLIBC_/ {print $2}')
[ -z "$undefined" ] || { echo "undefined symbols not from glibc: $undefined"; exit 1; }

# No constructor of ours runs at load (cryptd's sources are .cpp; libstdc++'s own static
# initialisers, from its .cc files, are the only ones allowed).
ours=$(nm "$lib" | awk '{print $NF}' | grep -E '^_GLOBAL__sub_I_.*\.cpp$' || true)
[ -z "$ours" ] || { echo "global constructors at load: $ours"; exit 1; }

stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
strip -o "$stripped" "$lib"
size=$(stat -c %s "$stripped")
echo "stripped size: $size bytes (limit $max_stripped)"
[ "$size" -le "$max_stripped" ] || { echo "stripped library larger than 4 MB"; exit 1; }
echo "mongo_crypt_v1.so ok"
