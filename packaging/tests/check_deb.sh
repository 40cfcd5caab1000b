#!/usr/bin/env bash
# Builds the .deb with CPack (static or development build), checks its metadata, unpacks it into a
# scratch root, and runs the packaged binary there: --version, then a daemon on a free port
# answering hello. Removes it all.
set -euo pipefail
build=$1
scratch=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$scratch"' EXIT

(cd "$build" && cpack -G DEB -B "$scratch/out" >/dev/null)
deb=$(ls "$scratch"/out/cryptd_*.deb)
echo "package: $(basename "$deb")"
info=$(dpkg-deb -I "$deb")
depends=$(echo "$info" | sed -n 's/^ Depends: //p')
echo "depends: ${depends:-(none)}"
# The shipped build (CRYPTD_STATIC) is static: its programs need nothing, and mongo_crypt_v1.so
# (loaded into the application, so linked to the system's libc) only libc6. A development build's
# package depends on the shared libraries it links.
dpkg-deb -x "$deb" "$scratch/root"
bin="$scratch/root/usr/bin/mongocryptd"
if readelf -dW "$bin" | grep -q 'no dynamic section'; then
  echo "$depends" | grep -qxE '(libc6 \(>= [0-9.]+\))?' \
    || { echo "a static build's package depends on more than libc6: $depends"; exit 1; }
  readelf -dW "$scratch/root/usr/bin/cryptd-check" | grep -q 'no dynamic section' \
    || { echo "mongocryptd is static but cryptd-check is not"; exit 1; }
  so=$(find "$scratch/root/usr/lib" -name mongo_crypt_v1.so | head -1)
  if [ -n "$so" ]; then  # the declared libc6 must cover the newest glibc symbol version it uses
    need=$(readelf -VW "$so" | grep -oE 'GLIBC_[0-9.]+' | sed 's/GLIBC_//' | sort -uV | tail -1)
    have=$(echo "$depends" | sed -nE 's/^libc6 \(>= ([0-9.]+)\)$/\1/p')
    [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | tail -1)" = "$have" ] \
      || { echo "mongo_crypt_v1.so needs glibc $need, the package declares '${depends}'"; exit 1; }
  fi
  echo "static: mongocryptd $(stat -c %s "$bin") bytes, no interpreter"
else
  for lib in libbson-1.0-0 libboost-program-options1.81.0 libyaml-cpp0.7; do
    echo "$depends" | grep -q "$lib" || { echo "missing runtime dependency $lib"; exit 1; }
  done
  if echo "$depends" | grep -qE -- '-dev\b'; then echo "a -dev package in Depends"; exit 1; fi
fi
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/mongocryptd ./usr/share/man/man1/mongocryptd.1 ./etc/mongocryptd.conf \
         ./usr/lib/systemd/system/mongocryptd.service ./usr/bin/cryptd-check \
         ./usr/lib/x86_64-linux-gnu/mongo_crypt_v1.so; do
  echo "$contents" | grep -q " $f\$" || { echo "missing $f in the package"; exit 1; }
done
dpkg-deb -e "$deb" "$scratch/control"
grep -qx /etc/mongocryptd.conf "$scratch/control/conffiles" || { echo "config is not a conffile"; exit 1; }

"$bin" --version | head -1
# The packaged mongo_crypt_v1.so loads by bare name from its directory (a default loader path
# once installed) and names the version the daemon advertises.
libdir="$scratch/root/usr/lib/x86_64-linux-gnu"
LD_LIBRARY_PATH="$libdir" /usr/bin/python3 - "$("$bin" --version | sed -n 's/.*(as MongoDB \(.*\))/\1/p')" <<'PY'
import ctypes, sys
lib = ctypes.CDLL("mongo_crypt_v1.so", mode=ctypes.RTLD_LOCAL)
lib.mongo_crypt_v1_get_version_str.restype = ctypes.c_char_p
lib.mongo_crypt_v1_get_version.restype = ctypes.c_uint64
s = lib.mongo_crypt_v1_get_version_str().decode()
v = lib.mongo_crypt_v1_get_version()
words = "%d.%d.%d" % (v >> 48, (v >> 32) & 0xffff, (v >> 16) & 0xffff)
assert s.endswith("+mongodb-" + sys.argv[1]) and words == sys.argv[1], (s, words, sys.argv[1])
print("packaged mongo_crypt_v1.so:", s)
PY
grep -qx /usr/lib/x86_64-linux-gnu /etc/ld.so.conf.d/*.conf || { echo "not a loader path"; exit 1; }
mkdir -p "$scratch/run"
"$bin" --config "$scratch/root/etc/mongocryptd.conf" --port 0 --unixSocketPrefix "$scratch/run" \
  --pidfilepath "$scratch/run/mongocryptd.pid" > "$scratch/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(grep '"id":23016' "$scratch/log" | sed -E 's/.*"port":([0-9]+).*/\1/' | head -1 || true)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "packaged daemon did not start:"; cat "$scratch/log"; exit 1; }
/usr/bin/python3 - "$port" <<'PY'
import sys
from pymongo import MongoClient
c = MongoClient("localhost", int(sys.argv[1]), serverSelectionTimeoutMS=5000)
r = c.admin.command("hello")
assert r.get("iscryptd") is True, r
print("hello from the packaged daemon: iscryptd", r["iscryptd"], "maxWireVersion", r["maxWireVersion"])
PY
"$bin" --healthcheck --port "$port"
kill -TERM "$pid"; wait "$pid"; pid=""
if "$bin" --healthcheck --port "$port"; then echo "healthcheck passed with no daemon"; exit 1; fi
echo "package ok"
