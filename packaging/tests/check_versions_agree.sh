#!/usr/bin/env bash
# mongocryptd --version, cryptd-check --version and mongo_crypt_v1.so's get_version_str() /
# get_version() name the same cryptd version and the same MongoDB release (buildInfo reads the
# same constant: tests/unit/server).
set -euo pipefail
daemon=$1; check=$2; lib=$3
d=$("$daemon" --version)
c=$("$check" --version)
s=$(/usr/bin/python3 - "$lib" <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_LOCAL)
lib.mongo_crypt_v1_get_version_str.restype = ctypes.c_char_p
lib.mongo_crypt_v1_get_version.restype = ctypes.c_uint64
v = lib.mongo_crypt_v1_get_version()
print(lib.mongo_crypt_v1_get_version_str().decode(), "%d.%d.%d" % (v >> 48, (v >> 32) & 0xffff, (v >> 16) & 0xffff))
PY
)
echo "mongocryptd: $(echo "$d" | tr '\n' ' ')"
echo "cryptd-check: $c"
echo "mongo_crypt_v1.so: $s"
cryptd=$(echo "$d" | sed -n 's/.*(cryptd) version v\([^ ]*\).*/\1/p' | head -1)
mongodb=$(echo "$d" | sed -n 's/.*(as MongoDB \([^)]*\)).*/\1/p' | head -1)
[ -n "$cryptd" ] && [ -n "$mongodb" ] || { echo "cannot read mongocryptd --version"; exit 1; }
[ "$c" = "cryptd-check (cryptd) version v$cryptd (as MongoDB $mongodb)" ] || { echo "cryptd-check disagrees"; exit 1; }
[ "$s" = "mongo_crypt_v1-cryptd-$cryptd+mongodb-$mongodb $mongodb" ] || { echo "mongo_crypt_v1.so disagrees"; exit 1; }
echo "versions agree: cryptd $cryptd as MongoDB $mongodb"
