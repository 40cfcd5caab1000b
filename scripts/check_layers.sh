#!/usr/bin/env bash
# Fails when a lower layer includes a higher one: app -> server -> analysis -> schema -> common;
# crypt_shared (the in-process library) is a front end beside server: analysis/schema/common only.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
check() { # layer, forbidden include pattern
  local hits
  hits=$(grep -rnE "#include *[<\"]($2)" "src/$1" 2>/dev/null || true)
  if [ -n "$hits" ]; then echo "layer violation in src/$1:"; echo "$hits"; status=1; fi
}
check common 'schema/|analysis/|crypt_shared/|server/|app/|boost/asio'
check schema 'analysis/|crypt_shared/|server/|app/|boost/asio'
check analysis 'crypt_shared/|server/|app/|boost/asio'
check server 'app/|crypt_shared/'
check crypt_shared 'server/|app/|boost/|tools/'
[ $status -eq 0 ] && echo "layers: ok"
exit $status
