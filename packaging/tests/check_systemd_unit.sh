#!/usr/bin/env bash
# systemd-analyze verify on the unit, with ExecStart pointed at the built binary (the packaged
# path /usr/bin/mongocryptd does not exist on a build machine). Fails on any warning.
set -euo pipefail
analyze=$1; bin=$2; unit=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed "s#/usr/bin/mongocryptd#$bin#; /^Documentation=/d" "$unit" > "$tmp/mongocryptd.service"
out=$("$analyze" verify "$tmp/mongocryptd.service" 2>&1 || true)
if [ -n "$out" ]; then echo "$out"; exit 1; fi
grep -q '^NoNewPrivileges=yes' "$unit"; grep -q '^ProtectSystem=strict' "$unit"
grep -q 'idleShutdownTimeoutSecs=0' "$unit"; grep -q '/run/mongocryptd' "$unit"
echo "unit verifies"
