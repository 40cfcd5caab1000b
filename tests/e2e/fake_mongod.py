#!/usr/bin/python3
"""A small fake mongod for the libmongoc auto-encryption test.

Listens on 127.0.0.1 (port 0 unless --port), prints "PORT <n>" on stdout, and answers what a
driver with auto-encryption needs: the handshake (OP_QUERY or OP_MSG hello/isMaster), insert
(documents in the body or as an OP_MSG document sequence), find (all stored documents of the
namespace; for the key vault only the keys the filter names), listCollections (none) and a few
no-ops. Every command is recorded; {fakeRecorded: 1} returns them, so a test can look at what
actually reached the server (ciphertext or plaintext). Uses Debian's pymongo `bson` only.
"""
import argparse
import datetime
import os
import socket
import struct
import sys
import threading

import bson
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions
from bson.son import SON

OPTS = CodecOptions(document_class=SON, uuid_representation=UuidRepresentation.STANDARD)
OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013

lock = threading.Lock()
stored = {}     # "db.coll" -> [doc]
recorded = []   # commands as received (document sequences folded in)


def decode(data):
    return bson.decode(data, codec_options=OPTS)


def encode(doc):
    return bson.encode(doc, codec_options=OPTS)


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def cstring(data, pos):
    end = data.index(b"\x00", pos)
    return data[pos:end].decode(), end + 1


def parse_op_msg(body):
    flags = struct.unpack_from("<I", body, 0)[0]
    end = len(body) - (4 if flags & 1 else 0)
    pos, cmd, sequences = 4, None, {}
    while pos < end:
        kind = body[pos]
        pos += 1
        size = struct.unpack_from("<i", body, pos)[0]
        if kind == 0:
            cmd = decode(body[pos:pos + size])
        else:
            ident, p = cstring(body, pos + 4)
            docs = []
            while p < pos + size:
                dsize = struct.unpack_from("<i", body, p)[0]
                docs.append(decode(body[p:p + dsize]))
                p += dsize
            sequences[ident] = docs
        pos += size
    for ident, docs in sequences.items():
        cmd[ident] = docs
    return cmd


def hello_reply(cmd):
    reply = SON([("ismaster", True), ("isWritablePrimary", True), ("maxBsonObjectSize", 16777216),
                 ("maxMessageSizeBytes", 48000000), ("maxWriteBatchSize", 100000),
                 ("localTime", datetime.datetime.utcnow()), ("minWireVersion", 0),
                 ("maxWireVersion", 17), ("connectionId", 1), ("readOnly", False)])
    if cmd.get("helloOk"):
        reply["helloOk"] = True
    reply["ok"] = 1.0
    return reply


def key_filter_matches(filt, doc):
    """The key vault filter: {$or: [{_id: {$in: [...]}}, {keyAltNames: {$in: [...]}}]}."""
    ids, names = [], []

    def walk(node, field=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k if not k.startswith("$") else field)
        elif isinstance(node, list):
            for v in node:
                walk(v, field)
        elif field == "_id":
            ids.append(node)
        elif field == "keyAltNames":
            names.append(node)

    walk(filt)
    return doc.get("_id") in ids or any(n in names for n in doc.get("keyAltNames", []))


def handle(cmd):
    name = next(iter(cmd))
    lname = name.lower()
    db = cmd.get("$db", "admin")
    if lname in ("hello", "ismaster"):
        return hello_reply(cmd)
    if name == "fakeRecorded":
        with lock:
            return SON([("commands", list(recorded)), ("ok", 1.0)])
    with lock:
        recorded.append(cmd)
    ns = "%s.%s" % (db, cmd[name]) if isinstance(cmd[name], str) else db
    if name == "insert":
        with lock:
            stored.setdefault(ns, []).extend(cmd.get("documents", []))
        return SON([("n", len(cmd.get("documents", []))), ("ok", 1.0)])
    if name == "find":
        with lock:
            docs = list(stored.get(ns, []))
        if cmd[name] == "datakeys":
            docs = [d for d in docs if key_filter_matches(cmd.get("filter", {}), d)]
        return SON([("cursor", SON([("firstBatch", docs), ("id", bson.int64.Int64(0)), ("ns", ns)])),
                    ("ok", 1.0)])
    if name == "listCollections":
        return SON([("cursor", SON([("firstBatch", []), ("id", bson.int64.Int64(0)),
                                    ("ns", db + ".$cmd.listCollections")])), ("ok", 1.0)])
    if name in ("endSessions", "ping", "killCursors", "buildInfo", "buildinfo"):
        return SON([("ok", 1.0)])
    return SON([("ok", 0.0), ("errmsg", "fake mongod: no such command: '%s'" % name), ("code", 59),
                ("codeName", "CommandNotFound")])


def serve(conn):
    try:
        while True:
            header = read_exact(conn, 16)
            length, request_id, _, opcode = struct.unpack("<iiii", header)
            body = read_exact(conn, length - 16)
            if opcode == OP_QUERY:
                _, pos = cstring(body, 4)
                pos += 8  # numberToSkip, numberToReturn
                size = struct.unpack_from("<i", body, pos)[0]
                cmd = decode(body[pos:pos + size])
                payload = encode(handle(cmd))
                out = struct.pack("<iqii", 0, 0, 0, 1) + payload
                conn.sendall(struct.pack("<iiii", 16 + len(out), 0, request_id, OP_REPLY) + out)
            elif opcode == OP_MSG:
                payload = encode(handle(parse_op_msg(body)))
                out = struct.pack("<I", 0) + b"\x00" + payload
                conn.sendall(struct.pack("<iiii", 16 + len(out), 0, request_id, OP_MSG) + out)
            else:
                return
    except (EOFError, ConnectionError):
        pass
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    print("PORT %d" % listener.getsockname()[1], flush=True)
    # Exit when the test closes our stdin, so a crashed test never leaves us running.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
