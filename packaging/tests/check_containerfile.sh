#!/usr/bin/env bash
# No container engine runs on build machines, so check what can be checked on the host:
# the file's shape (multi-stage, non-root, HEALTHCHECK via --healthcheck), that the runtime stage
# has what the binary needs (a scratch stage: a static build; otherwise the packages of the libraries
# it links), that the build stage configures, and that the
# ENTRYPOINT's arguments start the built binary (paths moved to a scratch dir).
set -euo pipefail
file=$1; bin=$2; src=$3
tmp=$(mktemp -d); trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "Containerfile: $*"; exit 1; }

[ "$(grep -c '^FROM ' "$file")" -ge 2 ] || fail "not multi-stage"
grep -qE '^USER ([a-z]|[1-9][0-9]*)' "$file" || fail "no non-root USER"
grep -qE '^USER (root|0)\b' "$file" && fail "runs as root"
grep -qE '^HEALTHCHECK .*--healthcheck' "$file" || fail "HEALTHCHECK does not use --healthcheck"
grep -qE '^COPY .*mongo_crypt_v1\.so /usr/lib/x86_64-linux-gnu/mongo_crypt_v1\.so' "$file" \
  || fail "the runtime stage does not carry mongo_crypt_v1.so where dlopen finds it"

# A scratch runtime stage holds no libraries: the build stage must make the static binary.
scratch_runtime=""
grep -qE '^FROM scratch AS runtime' "$file" && scratch_runtime=1
if [ -n "$scratch_runtime" ]; then
  grep -qE 'cmake -S \. -B build [^&]*-DCRYPTD_STATIC=ON' "$file" \
    || fail "a scratch runtime stage needs the static build (-DCRYPTD_STATIC=ON)"
fi

# Runtime packages: every shared library the binary needs (outside libc/libstdc++) must come from one.
if [ -z "$scratch_runtime" ]; then
  runtime=$(sed -n '/AS runtime/,$p' "$file" | grep -oE 'lib[a-z0-9.+-]+[0-9]' | sort -u)
  for lib in $(ldd "$bin" | awk '/=>/ {print $3}'); do
    pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | cut -d: -f1 | head -1 || true)
    case "$pkg" in libc6|libstdc++6|libgcc-s1|"") continue ;; esac
    echo "$runtime" | grep -qx "$pkg" || fail "runtime stage lacks $pkg (for $lib)"
  done
fi

# The build stage's configure step, as written (no build: the suite built the same sources).
cfg=$(grep -oE 'cmake -S \. -B build [^\\&]*' "$file" | head -1)
[ -n "$cfg" ] || fail "no cmake configure step"
(cd "$src" && ${cfg/-B build/-B $tmp/build} >/dev/null) || fail "configure step failed: $cfg"
if [ -n "$scratch_runtime" ]; then
  grep -qx 'CRYPTD_STATIC:BOOL=ON' "$tmp/build/CMakeCache.txt" || fail "the configure step is not static"
fi

# ENTRYPOINT: start it with the image's paths moved under $tmp.
mkdir -p "$tmp/run"
entry=$(grep -A3 '^ENTRYPOINT' "$file" | tr -d '\n\\' | sed -E 's/^ENTRYPOINT *\[//; s/\].*$//')
args=()
while IFS= read -r a; do args+=("$a"); done < <(echo "$entry" | grep -oE '"[^"]*"' | tr -d '"' | tail -n +2)
for i in "${!args[@]}"; do
  args[$i]=${args[$i]//\/etc\/mongocryptd.conf/$src/packaging/mongocryptd.conf}
  args[$i]=${args[$i]//\/run\/mongocryptd/$tmp/run}
done
"$bin" "${args[@]}" --port 0 > "$tmp/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(grep '"id":23016' "$tmp/log" | sed -E 's/.*"port":([0-9]+).*/\1/' | head -1 || true)
  [ -n "$port" ] && break; sleep 0.05
done
[ -n "$port" ] || { cat "$tmp/log"; fail "ENTRYPOINT arguments do not start the daemon"; }
[ -S "$tmp/run/mongocryptd.sock" ] || fail "no socket under the runtime dir"
"$bin" --healthcheck --port "$port" >/dev/null || fail "healthcheck failed"
echo "Containerfile checks pass (entrypoint: ${args[*]})"
