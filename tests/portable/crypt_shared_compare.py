#!/usr/bin/env python3
"""The arm64 mongo_crypt_v1.so must answer like the x86-64 one.

crypt_shared_compare.py NATIVE_PROBE NATIVE_LIB ARM64_PROBE ARM64_LIB QEMU_AARCH64 CROSS_LIBC_DIR

Each command below goes through crypt_shared_probe under qemu-aarch64 -cpu cortex-a53 against the
arm64 library (its loader and libc from the cross toolchain's directory) and must get the expected
kind of answer (markings for encrypted fields, none for plain ones, an error for a refused query).
With an x86-64 library (NATIVE_LIB not "-"), the same probe runs natively against it and output
bytes and exit status must be equal.
"""
import subprocess
import sys
import uuid

import bson
from bson.binary import Binary

native_probe, native_lib, arm_probe, arm_lib, qemu, libc_dir = sys.argv[1:7]
key = Binary.from_uuid(uuid.UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"))
det = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"
schema = {"bsonType": "object", "encryptMetadata": {"keyId": [key]}, "properties": {
    "ssn": {"encrypt": {"bsonType": "string", "algorithm": det}},
    "notes": {"encrypt": {"algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}}}}
common = {"jsonSchema": schema, "isRemoteSchema": False, "$db": "test"}
cases = [  # (name, command, expected kind: "marked", "plain" or "error")
    ("find", {"find": "patients", "filter": {"ssn": "457-55-5462"}}, "marked"),
    ("find plain", {"find": "patients", "filter": {"name": "Ann"}}, "plain"),
    ("insert", {"insert": "patients", "documents": [{"ssn": "1", "notes": "x", "n": 1}]}, "marked"),
    ("update", {"update": "patients", "updates": [{"q": {"ssn": "2"}, "u": {"$set": {"notes": "y"}}}]},
     "marked"),
    ("aggregate", {"aggregate": "patients", "pipeline": [{"$match": {"ssn": "3"}}], "cursor": {}},
     "marked"),
    ("random equality", {"find": "patients", "filter": {"notes": "z"}}, "error"),
]


def run(cmd, data):
    p = subprocess.run(cmd, input=data, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


failures = 0
for name, command, kind in cases:
    data = bson.encode({**command, **common})
    a = run([qemu, "-cpu", "cortex-a53", "-L", libc_dir, arm_probe, arm_lib, "test.patients"], data)
    if native_lib != "-":
        n = run([native_probe, native_lib, "test.patients"], data)
        if n[:2] != a[:2]:
            print(f"crypt_shared {name}: arm64 differs from x86-64:\n  x86-64 {n}\n  arm64  {a}")
            failures += 1
            continue
    if kind == "error":
        ok = a[0] == 3 and a[1].startswith(b"error ")
    else:
        ok = a[0] == 0 and bson.decode(a[1]).get("hasEncryptionPlaceholders") is (kind == "marked")
    if not ok:
        print(f"crypt_shared {name}: unexpected answer {a}")
        failures += 1
alike = " and as the x86-64 library" if native_lib != "-" else ""
print(f"crypt_shared: {len(cases) - failures} of {len(cases)} commands answered as expected on "
      f"arm64 (cortex-a53){alike}")
sys.exit(1 if failures else 0)
