#!/usr/bin/env python3
"""Smoke test against a running mongocryptd on 127.0.0.1:<port> (a real client: pymongo).

hello (iscryptd), ping, and a find whose filter names a deterministically encrypted field: the
reply must carry a marking (BSON binary subtype 6, intent byte 0) holding the plaintext and the
key id. Exits non-zero with the reason on any mismatch.
"""
import sys
import uuid

import bson
from bson.binary import Binary, UuidRepresentation
from pymongo import MongoClient

port = int(sys.argv[1])
label = sys.argv[2] if len(sys.argv) > 2 else "daemon"
key = uuid.UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
schema = {
    "bsonType": "object",
    "properties": {
        "ssn": {
            "encrypt": {
                "bsonType": "string",
                "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic",
                "keyId": [Binary.from_uuid(key)],
            }
        }
    },
}


def fail(msg):
    print(f"smoke ({label}): {msg}")
    sys.exit(1)


# Generous timeouts: under qemu the daemon runs several times slower.
client = MongoClient("127.0.0.1", port, directConnection=True, serverSelectionTimeoutMS=20000,
                     connectTimeoutMS=20000, socketTimeoutMS=20000,
                     uuidRepresentation="standard")
db = client["test"]
hello = client.admin.command("hello")
if hello.get("iscryptd") is not True:
    fail(f"hello has no iscryptd: true: {hello}")
if client.admin.command("ping").get("ok") != 1:
    fail("ping did not answer ok: 1")

reply = db.command({"find": "patients", "filter": {"ssn": "457-55-5462"},
                    "jsonSchema": schema, "isRemoteSchema": False})
if reply.get("hasEncryptionPlaceholders") is not True:
    fail(f"no placeholders in the find reply: {reply}")
flt = reply["result"]["filter"]
marking = flt.get("ssn", {}).get("$eq")
if not isinstance(marking, bytes) or getattr(marking, "subtype", None) != 6:
    fail(f"ssn is not a marking: {flt}")
if marking[0] != 0:
    fail(f"marking intent byte {marking[0]}, expected 0 (FLE1 intent)")
body = bson.decode(bytes(marking[1:]),
                   codec_options=bson.CodecOptions(uuid_representation=UuidRepresentation.STANDARD))
if body.get("v") != "457-55-5462" or body.get("a") != 1 or body.get("ki") != key:
    fail(f"marking content {body}")
plain = db.command({"find": "patients", "filter": {"name": "Ann"}, "jsonSchema": schema,
                    "isRemoteSchema": False})
if plain.get("hasEncryptionPlaceholders") is not False:
    fail(f"a filter on a plain field got placeholders: {plain}")
print(f"smoke ({label}): hello iscryptd, ping ok, find marked ssn (deterministic, key {key})")
