#!/usr/bin/env bash
# `make test-portable`: the shipped (static) binaries where the host gives them nothing.
#   run.sh <static build dir> <arm64 build dir> <test build dir (spec_cases)>
# Checks, each skipping with one line when its tool is missing:
#   static        the x86-64 executables have no program interpreter and no dynamic section
#   chroot        mongocryptd alone in an empty directory, run under chroot (root): smoke test
#   nehalem       the same binary under qemu-x86_64 -cpu Nehalem (no AVX): smoke test; a control
#                 program using AVX must die there, or the CPU model proves nothing
#   arm64         the cross build is static aarch64; under qemu-aarch64 -cpu cortex-a53
#                 (ARMv8.0-A): smoke test, cryptd-check, every spec-tests case over the wire
#   deb-amd64     the .deb of the static build: no Depends, installs into a scratch root, serves
#   crypt-shared-arm64  the arm64 mongo_crypt_v1.so, dlopen'ed by a probe under qemu-aarch64 -cpu
#                 cortex-a53, answers a few commands byte for byte as the x86-64 one does
#   deb-arm64     the arm64 .deb: architecture, contents, the packaged binary runs under qemu
# The smoke test (smoke.py, pymongo): hello, ping, a find with a schema over loopback TCP, then
# SIGTERM and a clean exit (status 0) within the time limit.
set -uo pipefail
static=$(realpath "$1"); arm64=$(realpath -m "$2"); testbuild=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd); src=$(cd "$here/../.." && pwd)
scratch=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT
failed=(); passed=(); skipped=()
pass() { passed+=("$1"); echo "PASS $1"; }
fail() { failed+=("$1"); echo "FAIL $1: $2"; }
skip() { skipped+=("$1"); echo "SKIP $1: $2"; }

# start <log> <command...>: runs the daemon (it must print its log to stdout) and waits for log
# id 23016 (listening); sets pid and port. Under qemu the start takes longer: 30 s limit.
start() {
  local log=$1; shift
  : > "$log"; "$@" > "$log" 2>&1 &
  pid=$!; port=""
  for _ in $(seq 1 600); do
    port=$(grep -m1 '"id":23016' "$log" | sed -E 's/.*"port":([0-9]+).*/\1/' || true)
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "--- daemon log ($*):"; cat "$log"; kill -KILL "$pid" 2>/dev/null; pid=""; return 1
}
# stop: SIGTERM, then the daemon must exit 0 within 10 s.
stop() {
  kill -TERM "$pid"
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; wait "$pid"; pid=""; echo "no exit after SIGTERM"; return 1; fi
  wait "$pid"; local rc=$?; pid=""
  [ "$rc" -eq 0 ] || { echo "exit status $rc after SIGTERM"; return 1; }
}
# smoke <label> <log> <command...>
smoke() {
  local label=$1 log=$2; shift 2
  start "$log" "$@" || return 1
  /usr/bin/python3 "$here/smoke.py" "$port" "$label" || { stop; return 1; }
  stop
}
is_static() {  # no PT_INTERP, no dynamic section
  ! readelf -lW "$1" | grep -q 'INTERP' && readelf -dW "$1" | grep -q 'no dynamic section'
}
# check_like_native <label> <emulator...> <cryptd-check>: the emulated cryptd-check reports exactly
# what the native static one reports on a file with six problems (exit status 1 included).
check_like_native() {
  local f="$src/tools/check/testdata/multi_errors.json" want got
  want=$(cd "$src" && "$check" tools/check/testdata/multi_errors.json; echo "rc=$?")
  got=$(cd "$src" && "${@:2}" tools/check/testdata/multi_errors.json; echo "rc=$?")
  [ "$want" = "$got" ] && echo "$got" | grep -q '6 problems' && return 0
  echo "cryptd-check ($1) differs from the native one:"; diff <(echo "$want") <(echo "$got") | head; return 1
}
# glibc_covered <library> <Depends>: "libc6 (>= V)" with V at least the newest GLIBC_ symbol
# version the library uses.
glibc_covered() {
  local need have
  need=$(readelf -VW "$1" | grep -oE 'GLIBC_[0-9.]+' | sed 's/GLIBC_//' | sort -uV | tail -1)
  have=$(echo "$2" | sed -nE 's/^libc6 \(>= ([0-9.]+)\)$/\1/p')
  [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | tail -1)" = "$have" ]
}
stripped_size() { local t="$scratch/strip.$$"; ${2:-strip} -o "$t" "$1" && stat -c %s "$t"; rm -f "$t"; }

bin="$static/src/app/mongocryptd"; check="$static/tools/check/cryptd-check"
cshared=""; [ -d "$src/src/crypt_shared" ] && cshared=1  # mongo_crypt_v1.so is built and packaged
# static
if [ ! -x "$bin" ]; then
  fail static "no $bin (make static)"
else
  ok=1
  for b in "$bin" "$check"; do is_static "$b" || { ok=0; echo "$b is dynamically linked"; }; done
  if [ $ok = 1 ]; then
    pass "static (mongocryptd $(stripped_size "$bin") bytes stripped, cryptd-check $(stripped_size "$check") bytes)"
  else fail static "not static"; fi
fi

# chroot
if [ "$(id -u)" -ne 0 ] || ! command -v chroot >/dev/null; then
  skip chroot "needs root and chroot(8)"
elif [ -x "$bin" ]; then
  root="$scratch/root"; mkdir -p "$root"; cp "$bin" "$root/mongocryptd"
  # Nothing else in there: no libc, no /etc (hosts, nsswitch.conf), /dev, /proc or /tmp (hence no
  # Unix socket). --bind_ip localhost as drivers' users write it: accepted without any resolver.
  content=$(ls -A "$root" | tr '\n' ' ')
  if smoke chroot "$scratch/chroot.log" chroot "$root" /mongocryptd --port 0 --nounixsocket \
       --bind_ip localhost; then
    pass "chroot (the directory held only: $content)"
  else fail chroot "the static binary did not serve from an empty chroot"; fi
fi

# nehalem
qx=$(command -v qemu-x86_64-static || command -v qemu-x86_64 || true)
if [ -z "$qx" ]; then
  skip nehalem "no qemu-x86_64 (scripts/setup.sh --cross)"
elif [ -x "$bin" ]; then
  # Control: an AVX2 instruction must be refused under this CPU model.
  printf '%s\n' 'int main(void){ __asm__ volatile("vpxor %%ymm0,%%ymm0,%%ymm0" ::: "xmm0"); return 0; }' > "$scratch/avx.c"
  if ! cc -O0 -o "$scratch/avx" "$scratch/avx.c" 2>/dev/null; then
    fail nehalem "cannot build the AVX control program"
  elif avx_rc=$(bash -c '"$@" 2>/dev/null; echo $?' _ "$qx" -cpu Nehalem "$scratch/avx" 2>/dev/null); [ "$avx_rc" != 132 ]; then
    fail nehalem "the AVX control was not stopped by SIGILL under -cpu Nehalem (status $avx_rc)"
  elif smoke nehalem "$scratch/nehalem.log" "$qx" -cpu Nehalem "$bin" --port 0 --unixSocketPrefix "$scratch" \
       && check_like_native nehalem "$qx" -cpu Nehalem "$check"; then
    pass "nehalem (qemu -cpu Nehalem, no AVX: the AVX control dies, mongocryptd serves, cryptd-check reports as natively)"
  else fail nehalem "the binary did not serve under -cpu Nehalem"; fi
fi

# arm64
qa=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
abin="$arm64/src/app/mongocryptd"; acheck="$arm64/tools/check/cryptd-check"
if [ ! -x "$abin" ]; then
  skip arm64 "no $abin (make cross-arm64 needs aarch64-linux-gnu-g++: scripts/setup.sh --cross)"
elif [ -z "$qa" ]; then
  skip arm64 "no qemu-aarch64 (scripts/setup.sh --cross)"
else
  machine=$(readelf -hW "$abin" | sed -n 's/^ *Machine: *//p')
  if [ "$machine" != "AArch64" ] || ! is_static "$abin" || ! is_static "$acheck"; then
    fail arm64 "not a static AArch64 executable (machine: $machine)"
  elif ! smoke arm64 "$scratch/arm64.log" "$qa" -cpu cortex-a53 "$abin" --port 0 --unixSocketPrefix "$scratch"; then
    fail arm64 "the arm64 binary did not serve under -cpu cortex-a53"
  elif ! check_like_native arm64 "$qa" -cpu cortex-a53 "$acheck"; then
    fail arm64 "the arm64 cryptd-check does not report as the native one"
  elif [ ! -x "$testbuild/spec-tests/spec_cases" ]; then
    fail arm64 "no $testbuild/spec-tests/spec_cases for the spec-tests cases"
  else
    # Every spec-tests case (spec-tests/cases), each checked in-process and over the wire against
    # the arm64 daemon (CRYPTD_SPEC_DAEMON_URI): seconds even under emulation.
    filter='*'
    if ! start "$scratch/arm64-cases.log" "$qa" -cpu cortex-a53 "$abin" --port 0 --nounixsocket; then
      fail arm64 "the arm64 daemon did not start a second time"
    else
      out=$(CRYPTD_SPEC_DAEMON_URI="mongodb://127.0.0.1:$port/?serverSelectionTimeoutMS=20000&socketTimeoutMS=20000" \
            "$testbuild/spec-tests/spec_cases" --gtest_filter="$filter" --gtest_brief=1 2>&1)
      rc=$?
      stop; stoprc=$?
      cases=$(echo "$out" | sed -nE 's/.*\[  PASSED  \] ([0-9]+) tests?.*/\1/p')
      if [ $rc -eq 0 ] && [ $stoprc -eq 0 ] && [ -n "$cases" ] && [ "$cases" -ge 10 ]; then
        size=$(stripped_size "$abin" aarch64-linux-gnu-strip 2>/dev/null || stat -c %s "$abin")
        pass "arm64 (static AArch64, $size bytes stripped; cortex-a53: smoke test, cryptd-check, $cases spec-tests cases over the wire)"
      else
        echo "$out" | tail -30; fail arm64 "spec-tests cases failed against the arm64 daemon"
      fi
    fi
  fi
fi

# crypt-shared-arm64
slib="$static/src/crypt_shared/mongo_crypt_v1.so"; alib="$arm64/src/crypt_shared/mongo_crypt_v1.so"
cross_libc=/usr/aarch64-linux-gnu
if [ -z "$cshared" ]; then
  skip crypt-shared-arm64 "this tree has no src/crypt_shared"
elif [ ! -f "$alib" ] || [ -z "$qa" ] || ! command -v aarch64-linux-gnu-gcc >/dev/null \
     || [ ! -e "$cross_libc/lib/ld-linux-aarch64.so.1" ]; then
  skip crypt-shared-arm64 "no arm64 mongo_crypt_v1.so, qemu-aarch64 or cross libc (make cross-arm64)"
elif ! cc -O1 -o "$scratch/probe-x86" "$here/crypt_shared_probe.c" \
     || ! aarch64-linux-gnu-gcc -O1 -o "$scratch/probe-arm64" "$here/crypt_shared_probe.c"; then
  fail crypt-shared-arm64 "cannot build crypt_shared_probe.c"
elif /usr/bin/python3 "$here/crypt_shared_compare.py" "$scratch/probe-x86" \
       "$([ -f "$slib" ] && echo "$slib" || echo -)" "$scratch/probe-arm64" "$alib" "$qa" "$cross_libc"; then
  # Without the x86-64 library (its own build failed: make static and deb-amd64 say so) only the
  # arm64 answers' kinds are checked.
  pass "crypt-shared-arm64 (mongo_crypt_v1.so for AArch64, loaded by dlopen under cortex-a53$([ -f "$slib" ] && echo ", answers as the x86-64 one" || echo ": no x86-64 library to compare with"))"
else
  fail crypt-shared-arm64 "the arm64 mongo_crypt_v1.so differs from the x86-64 one"
fi

# deb-amd64
if ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
  skip deb-amd64 "no cpack/dpkg-deb"
elif [ -x "$bin" ]; then
  if bash "$src/packaging/tests/check_deb.sh" "$static"; then pass deb-amd64
  else fail deb-amd64 "packaging/tests/check_deb.sh on the static build"; fi
fi

# deb-arm64
if [ ! -x "$abin" ] || [ -z "$qa" ]; then
  skip deb-arm64 "no arm64 build or qemu-aarch64"
else
  (cd "$arm64" && cpack -G DEB -B "$scratch/deb-arm64" >/dev/null 2>&1)
  deb=$(ls "$scratch"/deb-arm64/cryptd_*_arm64.deb 2>/dev/null | head -1)
  if [ -z "$deb" ]; then
    fail deb-arm64 "cpack made no cryptd_*_arm64.deb"
  elif ! dpkg-deb -f "$deb" Depends | grep -qxE '(libc6 \(>= [0-9.]+\))?'; then
    fail deb-arm64 "the static package depends on more than libc6: $(dpkg-deb -f "$deb" Depends)"
  else
    r="$scratch/deb-arm64/root"; dpkg-deb -x "$deb" "$r"
    v=$("$qa" -cpu cortex-a53 "$r/usr/bin/mongocryptd" --version 2>&1 | head -1)
    lib=$(ls "$r"/usr/lib/aarch64-linux-gnu/mongo_crypt_v1.so 2>/dev/null || true)
    if ! echo "$v" | grep -q 'mongocryptd'; then
      fail deb-arm64 "the packaged arm64 binary did not run: $v"
    elif [ -n "$cshared" ] && { [ -z "$lib" ] || ! readelf -hW "$lib" | grep -q 'Machine: *AArch64' \
         || readelf -dW "$lib" | grep NEEDED | grep -vqE '\[(libc|libm|ld-linux-aarch64)\.so'; }; then
      fail deb-arm64 "no AArch64 mongo_crypt_v1.so needing only libc in /usr/lib/aarch64-linux-gnu"
    elif [ -n "$lib" ] && ! glibc_covered "$lib" "$(dpkg-deb -f "$deb" Depends)"; then
      fail deb-arm64 "Depends '$(dpkg-deb -f "$deb" Depends)' is older than the glibc mongo_crypt_v1.so uses"
    else
      pass "deb-arm64 ($(basename "$deb"), $(stat -c %s "$deb") bytes; packaged binary: $v${lib:+; mongo_crypt_v1.so for AArch64, needs only libc})"
    fi
  fi
fi

echo "test-portable: ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ ${#failed[@]} -eq 0 ]
