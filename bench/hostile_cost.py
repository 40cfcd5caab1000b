#!/usr/bin/env python3
"""Cost per MB of hostile request shapes, next to a legitimate request (SECURITY.md, cost model).

    python3 bench/hostile_cost.py --daemon build-bench/src/app/mongocryptd [--out FILE] [--only NAME]

Each shape runs against a fresh daemon (so its peak RSS is that request's): the script sends the
request on one connection while a second connection sends `hello` every 2 ms, then reads the
daemon's CPU time and peak RSS (VmHWM) from /proc. The budget is SECURITY.md's: at most 50 ms of
CPU per MB plus 20 ms, peak memory at most 4x the request plus 64 MB, a concurrent `hello`
answered within 50 ms. Standard library only (BSON is encoded here).
"""

import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

# ---- a minimal BSON encoder -------------------------------------------------------------------


class Regex:
    def __init__(self, pattern, options=""):
        self.pattern, self.options = pattern, options


def cstr(s):
    return s.encode() + b"\0"


def element(key, v):
    k = cstr(key)
    if isinstance(v, bool):
        return b"\x08" + k + (b"\x01" if v else b"\x00")
    if isinstance(v, int):
        return b"\x10" + k + struct.pack("<i", v)
    if isinstance(v, float):
        return b"\x01" + k + struct.pack("<d", v)
    if isinstance(v, str):
        b = v.encode()
        return b"\x02" + k + struct.pack("<i", len(b) + 1) + b + b"\0"
    if isinstance(v, bytes):  # a pre-encoded document
        return b"\x03" + k + v
    if isinstance(v, Regex):
        return b"\x0b" + k + cstr(v.pattern) + cstr(v.options)
    if isinstance(v, dict):
        return b"\x03" + k + doc(v)
    if isinstance(v, list):
        return b"\x04" + k + doc({str(i): x for i, x in enumerate(v)})
    raise TypeError(type(v))


def doc_from_elements(parts):
    body = b"".join(parts)
    return struct.pack("<i", len(body) + 5) + body + b"\0"


def doc(d):
    return doc_from_elements(element(k, v) for k, v in d.items())


def array_of(encoded_docs):
    return doc_from_elements(b"\x03" + cstr(str(i)) + d for i, d in enumerate(encoded_docs))


def op_msg(body, sequence=None, request_id=1):
    sections = b"\x00" + body
    if sequence is not None:
        ident, docs = sequence
        payload = cstr(ident) + docs
        sections += b"\x01" + struct.pack("<i", len(payload) + 4) + payload
    msg = struct.pack("<I", 0) + sections
    return struct.pack("<iiii", 16 + len(msg), request_id, 0, 2013) + msg


def read_reply(sock):
    head = b""
    while len(head) < 16:
        chunk = sock.recv(16 - len(head))
        if not chunk:
            raise ConnectionError("closed")
        head += chunk
    length = struct.unpack("<i", head[:4])[0]
    rest = bytearray()
    while len(rest) < length - 16:
        chunk = sock.recv(min(1 << 20, length - 16 - len(rest)))
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return bytes(head) + bytes(rest)


def reply_ok_and_message(reply):
    if not reply:
        return False, "(connection closed)"
    body = reply[21:]
    ok = b"\x01ok\x00" in body[:64] and struct.unpack("<d", body[body.index(b"\x01ok\x00") + 4:][:8])[0] == 1.0
    msg = ""
    at = body.find(b"\x02errmsg\x00")
    if at >= 0:
        n = struct.unpack("<i", body[at + 8:at + 12])[0]
        msg = body[at + 12:at + 12 + min(n - 1, 200)].decode(errors="replace")
    return ok, msg


# ---- the shapes ---------------------------------------------------------------------------------

def uuid_key():
    return struct.pack("<i", 16) + b"\x04" + bytes(range(16))


def encrypt_by_pointer():
    return {"encrypt": {"keyId": "/k", "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}}


def encrypt_det():
    # keyId: [UUID] needs a binary element: built by hand.
    key = b"\x05" + cstr("0") + uuid_key()
    key_array = doc_from_elements([key])
    enc = doc_from_elements([
        b"\x04" + cstr("keyId") + key_array,
        element("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"),
        element("bsonType", "string"),
    ])
    return doc_from_elements([b"\x03" + cstr("encrypt") + enc])


def command(fields):
    return doc(fields)


def shape_pointer(n=50_000):
    schema = {"bsonType": "object", "additionalProperties": encrypt_by_pointer()}
    # "k" last: each lookup scans the whole document to find it.
    fields = {"f%d" % i: "v" for i in range(n)}
    fields["k"] = "alt"
    # "k" itself would be encrypted by additionalProperties: give it its own plain property.
    schema["properties"] = {"k": {"bsonType": "string"}, "_id": {"bsonType": "int"}}
    return op_msg(command({"insert": "c", "documents": [fields], "jsonSchema": schema,
                           "isRemoteSchema": False, "$db": "test"}))


def shape_patterns(lookahead=True):
    pats = {}
    for i in range(100):
        p = ("(?=[\\s\\S]{0,1000})x%d" % i) if lookahead else ("[\\s\\S]{0,1000}y%d" % i)
        pats[p] = encrypt_det()
    schema = doc_from_elements([element("bsonType", "object"),
                                b"\x03" + cstr("patternProperties") +
                                doc_from_elements(b"\x03" + cstr(p) + d for p, d in pats.items())])
    name = "a" * 1000
    return op_msg(doc_from_elements([
        element("find", "c"), b"\x03" + cstr("filter") + doc({name: "v"}),
        b"\x03" + cstr("jsonSchema") + schema, element("isRemoteSchema", False),
        element("$db", "test")]))


def shape_deep_keys(depth=64, key_len=100_000):
    node = {"bsonType": "string"}
    for i in range(depth):
        node = {"bsonType": "object", "properties": {chr(97 + i % 26) * key_len: node}}
    return op_msg(command({"find": "c", "filter": {}, "jsonSchema": node,
                           "isRemoteSchema": False, "$db": "test"}))


def shape_error_json(n=1_000_000):
    # {$project: {x: {a: //, b: //, ...}}} as an expression object with n fields: an error that
    # quotes the expression.
    expr = doc_from_elements([b"\x0b" + cstr("$a") + b"\0\0"] + [b"\x0b" + cstr("b%d" % i) + b"\0\0" for i in range(n)])
    project = doc_from_elements([b"\x03" + cstr("x") + expr])
    stage = doc_from_elements([b"\x03" + cstr("$project") + project])
    pipeline = doc_from_elements([b"\x03" + cstr("0") + stage])
    schema = doc({"bsonType": "object", "properties": {"s": {"bsonType": "object"}}})
    return op_msg(doc_from_elements([
        element("aggregate", "c"), b"\x04" + cstr("pipeline") + pipeline,
        b"\x03" + cstr("cursor") + doc({}), b"\x03" + cstr("jsonSchema") + schema,
        element("isRemoteSchema", False), element("$db", "test")]))


def shape_fold(total=47_000_000):
    empty = b"\x05\0\0\0\0"
    docs = empty * (total // 5)
    schema = {"bsonType": "object", "properties": {"s": {"bsonType": "string"}}}
    body = command({"insert": "c", "jsonSchema": schema, "isRemoteSchema": False, "$db": "test"})
    return op_msg(body, ("documents", docs))


def shape_many_encrypt_nodes(n=100_000):
    enc = encrypt_det()
    props = doc_from_elements(b"\x03" + cstr("p%d" % i) + enc for i in range(n))
    schema = doc_from_elements([element("bsonType", "object"), b"\x03" + cstr("properties") + props])
    return op_msg(doc_from_elements([
        element("find", "c"), b"\x03" + cstr("filter") + doc({"p1": "v"}),
        b"\x03" + cstr("jsonSchema") + schema, element("isRemoteSchema", False),
        element("$db", "test")]))


def shape_patterns_times_names(patterns=1000, names=1000, length=1000):
    enc = encrypt_det()
    pats = doc_from_elements(b"\x03" + cstr("^p%d_" % i) + enc for i in range(patterns))
    schema = doc_from_elements([element("bsonType", "object"), b"\x03" + cstr("patternProperties") + pats])
    flt = doc({("q%d_" % i) + "a" * length: "v" for i in range(names)})
    return op_msg(doc_from_elements([
        element("find", "c"), b"\x03" + cstr("filter") + flt,
        b"\x03" + cstr("jsonSchema") + schema, element("isRemoteSchema", False),
        element("$db", "test")]))


def control_insert(docs=10, fields=3000, encrypted=20):
    props = {}
    enc = encrypt_det()
    for i in range(encrypted):
        props["e%d" % i] = enc
    schema_props = doc_from_elements(b"\x03" + cstr(k) + v for k, v in props.items())
    schema = doc_from_elements([element("bsonType", "object"),
                                b"\x03" + cstr("properties") + schema_props])
    one = {("e%d" % i if i < encrypted else "f%d" % i): "x" * 480 for i in range(fields)}
    encoded = [doc(one) for _ in range(docs)]
    return op_msg(doc_from_elements([
        element("insert", "c"), b"\x04" + cstr("documents") + array_of(encoded),
        b"\x03" + cstr("jsonSchema") + schema, element("isRemoteSchema", False),
        element("$db", "test")]))


SHAPES = {
    "pointer-keyId (50,000 fields)": shape_pointer,
    "patternProperties lookahead": lambda: shape_patterns(True),
    "patternProperties {0,1000}": lambda: shape_patterns(False),
    "deep schema, 100 KB keys": shape_deep_keys,
    "error quoting 1M regexes": shape_error_json,
    "OP_MSG fold, 9.6M empty docs": shape_fold,
    "100,000 encrypt nodes": shape_many_encrypt_nodes,
    "1,000 patterns x 1,000 long names": shape_patterns_times_names,
    "control: insert 10 x 3,000 fields": control_insert,
}

# ---- measuring ----------------------------------------------------------------------------------


def proc_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def proc_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connect(port):
    for _ in range(200):
        try:
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return s
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("daemon did not start")


HELLO = op_msg(doc({"hello": 1, "$db": "admin"}))


def measure(daemon, name, message):
    tmp = tempfile.mkdtemp(prefix="cryptd-cost-")
    port = free_port()
    proc = subprocess.Popen([daemon, "--port", str(port), "--quiet", "--ioThreads", "2",
                             "--unixSocketPrefix", tmp, "--pidfilepath", tmp + "/pid"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        main = connect(port)
        # Connections are spread over the I/O threads round robin: three probes make sure one
        # shares the request's thread.
        probes = [connect(port) for _ in range(3)]
        for s in [main] + probes:
            s.sendall(HELLO)
            read_reply(s)
        cpu0, hwm0 = proc_cpu_seconds(proc.pid), proc_hwm_kb(proc.pid)
        done = threading.Event()
        worst = [0.0]

        def probe_loop():
            while not done.is_set():
                for probe in probes:
                    t = time.monotonic()
                    probe.sendall(HELLO)
                    read_reply(probe)
                    worst[0] = max(worst[0], time.monotonic() - t)
                time.sleep(0.002)

        th = threading.Thread(target=probe_loop)
        th.start()
        started = time.monotonic()
        try:
            main.sendall(message)
            reply = read_reply(main)
        except (ConnectionError, BrokenPipeError):
            reply = b""
        wall = time.monotonic() - started
        done.set()
        th.join()
        cpu = proc_cpu_seconds(proc.pid) - cpu0
        hwm = proc_hwm_kb(proc.pid)
        ok, msg = reply_ok_and_message(reply)
        mb = len(message) / 1e6
        row = {"shape": name, "request_mb": round(mb, 2), "ok": ok, "errmsg": msg[:120],
               "cpu_ms": round(cpu * 1000), "cpu_ms_per_mb": round(cpu * 1000 / mb, 1),
               "peak_rss_growth_mb": round((hwm - hwm0) / 1024, 1),
               "reply_bytes": len(reply), "wall_ms": round(wall * 1000),
               "hello_worst_ms": round(worst[0] * 1000, 1)}
        budget_cpu = 50 * mb + 20
        budget_mem = 4 * mb + 64
        row["within_budget"] = (row["cpu_ms"] <= budget_cpu and
                                row["peak_rss_growth_mb"] <= budget_mem and
                                row["hello_worst_ms"] <= 50)
        return row
    finally:
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--out")
    ap.add_argument("--only")
    args = ap.parse_args()
    rows = []
    print("%-36s %8s %8s %9s %10s %11s %9s %6s  %s" % (
        "shape", "MB", "CPU ms", "ms/MB", "peakRSS+MB", "reply B", "hello ms", "budget", "answer"))
    for name, build in SHAPES.items():
        if args.only and args.only not in name:
            continue
        row = measure(args.daemon, name, build())
        rows.append(row)
        print("%-36s %8.2f %8d %9.1f %10.1f %11d %9.1f %6s  %s" % (
            name, row["request_mb"], row["cpu_ms"], row["cpu_ms_per_mb"],
            row["peak_rss_growth_mb"], row["reply_bytes"], row["hello_worst_ms"],
            "PASS" if row["within_budget"] else "MISS",
            "ok" if row["ok"] else row["errmsg"][:60]), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if all(r["within_budget"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
