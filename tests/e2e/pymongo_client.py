#!/usr/bin/python3
"""pymongo 3.11 (Debian's python3-pymongo) against a running daemon.

Usage: pymongo_client.py PORT SOCKET_PATH
Checks, with an unmodified pymongo: the handshake and server selection (TCP and the unix socket),
hello/isMaster/ping/buildInfo round trips, an analysis command whose reply carries a decodable
FLE1 marking, a rejected query surfacing as OperationFailure with the contract's message, and an
unknown command as CommandNotFound. Prints one line per check; exits non-zero on the first failure.
"""
import sys
import uuid
from urllib.parse import quote_plus

import bson
import pymongo
from bson.binary import Binary, UuidRepresentation
from bson.codec_options import CodecOptions
from bson.son import SON
from pymongo import MongoClient
from pymongo.errors import OperationFailure

OPTS = CodecOptions(uuid_representation=UuidRepresentation.STANDARD)
KEY = uuid.UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
# Binary subtype 4 spelled out: pymongo 3.11's default UUID encoding is the legacy subtype 3.
SCHEMA = {"bsonType": "object", "properties": {"ssn": {"encrypt": {
    "keyId": [Binary(KEY.bytes, 4)], "bsonType": "string",
    "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"}}}}


def check(cond, what):
    if not cond:
        print("FAIL: " + what, flush=True)
        sys.exit(1)
    print("ok: " + what, flush=True)


def exercise(client, label):
    admin = client.get_database("admin", codec_options=OPTS)
    ismaster = admin.command("isMaster")
    check(ismaster.get("iscryptd") is True, label + " isMaster says iscryptd: true")
    check(isinstance(ismaster.get("maxWireVersion"), int), label + " maxWireVersion is an int")
    hello = admin.command("hello")
    check(hello.get("iscryptd") is True and hello.get("ok") == 1, label + " hello round trip")
    check(admin.command("ping").get("ok") == 1, label + " ping")
    check("version" in admin.command("buildInfo"), label + " buildInfo has a version")

    # Server selection: pymongo picked the daemon as a writable standalone.
    check(client.address is not None, label + " server selected: %s" % (client.address,))
    check(client.is_primary, label + " the daemon is a writable standalone to pymongo")

    db = client.get_database("test", codec_options=OPTS)
    reply = db.command(SON([("find", "patients"), ("filter", {"ssn": "457-55-5462"}),
                            ("jsonSchema", SCHEMA), ("isRemoteSchema", False)]), codec_options=OPTS)
    check(reply.get("hasEncryptionPlaceholders") is True, label + " find is analyzed")
    check(reply.get("schemaRequiresEncryption") is True, label + " schemaRequiresEncryption")
    flt = reply["result"]["filter"]["ssn"]
    marking = flt["$eq"] if isinstance(flt, dict) and "$eq" in flt else flt
    check(isinstance(marking, Binary) and marking.subtype == 6 and marking[0] == 0,
          label + " the value became an FLE1 marking (binary subtype 6, first byte 0)")
    payload = bson.decode(bytes(marking[1:]), codec_options=OPTS)
    check(payload == {"a": 1, "ki": KEY, "v": "457-55-5462"},
          label + " marking decodes to {a: 1, ki: key, v: plaintext}: %r" % (payload,))

    try:
        db.command(SON([("find", "patients"), ("filter", {"ssn": {"$gt": "1"}}),
                        ("jsonSchema", SCHEMA), ("isRemoteSchema", False)]))
        check(False, label + " a range query on an encrypted field must fail")
    except OperationFailure as e:
        check("Invalid match expression operator on encrypted field" in str(e),
              label + " rejection surfaces as OperationFailure: %s" % e)
    try:
        admin.command("frobnicate")
        check(False, label + " an unknown command must fail")
    except OperationFailure as e:
        check(e.code == 59, label + " unknown command is CommandNotFound (59)")


def main():
    port, socket_path = int(sys.argv[1]), sys.argv[2]
    print("pymongo " + pymongo.version, flush=True)
    tcp = MongoClient("127.0.0.1", port, serverSelectionTimeoutMS=5000)
    exercise(tcp, "tcp")
    tcp.close()
    unix = MongoClient("mongodb://" + quote_plus(socket_path), serverSelectionTimeoutMS=5000)
    exercise(unix, "unix")
    unix.close()
    print("all pymongo checks passed", flush=True)


if __name__ == "__main__":
    main()
