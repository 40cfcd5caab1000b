#!/usr/bin/python3
"""A small fake mongod for the drivers' auto-encryption tests.

Listens on 127.0.0.1 (port 0 unless --port), prints "PORT <n>" on stdout, and answers what a
driver with auto-encryption needs: the handshake (OP_QUERY or OP_MSG hello/isMaster), insert
(documents in the body or as an OP_MSG document sequence), find (for the key vault only the keys
the filter names; elsewhere the stored documents of the namespace, all of them for a filter
without equalities, else those equal to it, see `matches`), update ($set only), aggregate
($match then $group counting, what countDocuments sends), listCollections (none) and a few no-ops.
Every command is recorded; {fakeRecorded: 1} returns them, and with --record FILE each one is
also appended to FILE as BSON, so a test can look at what actually reached the server
(ciphertext or plaintext). Uses Debian's pymongo `bson` only.
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
record_file = None  # --record: the same commands, appended as BSON documents


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


class Unsupported(Exception):
    pass


def matches(filt, doc):
    """Top-level equalities ({f: v} or {f: {$eq: v}}) compared as values: enough to see that a
    deterministic ciphertext in a query finds the stored one. Anything else is refused, so a test
    never passes on a filter this fake only pretends to evaluate."""
    for field, cond in filt.items():
        if isinstance(cond, dict) and list(cond) == ["$eq"]:
            cond = cond["$eq"]
        elif field.startswith("$") or (isinstance(cond, dict) and any(k.startswith("$") for k in cond)):
            raise Unsupported("fake mongod: unsupported filter %r" % (filt,))
        if doc.get(field) != cond:
            return False
    return True


def update(ns, statements):
    n = 0
    for st in statements:
        sets = st.get("u", {})
        if list(sets) != ["$set"]:
            raise Unsupported("fake mongod: only $set updates: %r" % (sets,))
        for doc in stored.get(ns, []):
            if matches(st.get("q", {}), doc):
                doc.update(sets["$set"])
                n += 1
                if not st.get("multi"):
                    break
    return SON([("n", n), ("nModified", n), ("ok", 1.0)])


def aggregate(ns, pipeline):
    """[{$match: filter}, {$group: {_id: ..., n: {$sum: ...}}}]: one group counting the matches."""
    docs = list(stored.get(ns, []))
    out = []
    for stage in pipeline:
        (name, spec), = stage.items()
        if name == "$match":
            docs = [d for d in docs if matches(spec, d)]
        elif name == "$group" and len(spec) == 2 and "_id" in spec:
            out_field = next(k for k in spec if k != "_id")
            out = [SON([("_id", 1), (out_field, len(docs))])] if docs else []
        else:
            raise Unsupported("fake mongod: unsupported stage %r" % (stage,))
    return out


def cursor_reply(ns, docs):
    return SON([("cursor", SON([("firstBatch", docs), ("id", bson.int64.Int64(0)), ("ns", ns)])),
                ("ok", 1.0)])


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
        if record_file:
            record_file.write(encode(cmd))
            record_file.flush()
    ns = "%s.%s" % (db, cmd[name]) if isinstance(cmd[name], str) else db
    try:
        with lock:
            return handle_locked(cmd, name, ns)
    except Unsupported as e:
        return SON([("ok", 0.0), ("errmsg", str(e)), ("code", 2), ("codeName", "BadValue")])


def handle_locked(cmd, name, ns):
    if name == "insert":
        stored.setdefault(ns, []).extend(cmd.get("documents", []))
        return SON([("n", len(cmd.get("documents", []))), ("ok", 1.0)])
    if name == "find":
        docs = list(stored.get(ns, []))
        if cmd[name] == "datakeys":
            docs = [d for d in docs if key_filter_matches(cmd.get("filter", {}), d)]
        else:
            docs = [d for d in docs if matches(cmd.get("filter", {}), d)]
        return cursor_reply(ns, docs)
    if name == "update":
        return update(ns, cmd.get("updates", []))
    if name == "aggregate":
        return cursor_reply(ns, aggregate(ns, cmd.get("pipeline", [])))
    if name == "listCollections":
        return cursor_reply(ns + ".$cmd.listCollections", [])
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
    parser.add_argument("--record", help="append every recorded command to this file as BSON")
    args = parser.parse_args()
    global record_file
    if args.record:
        record_file = open(args.record, "ab")
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
