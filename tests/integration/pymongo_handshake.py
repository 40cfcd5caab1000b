#!/usr/bin/python3
"""pymongo 3.11 (Debian's, via /usr/bin/python3) against the built mongocryptd.

pymongo 3.11 opens every connection with a legacy OP_QUERY isMaster, then uses OP_MSG. Usage:
pymongo_handshake.py <path to mongocryptd>. Exits non-zero on the first failed check."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import pymongo
import re
from pymongo.errors import OperationFailure


def start(binary, tmp):
    proc = subprocess.Popen(
        [binary, "--port", "0", "--unixSocketPrefix", tmp, "--pidfilepath", tmp + "/p.pid", "-v"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    port = socket = None
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        entry = json.loads(line)
        if entry["id"] == 23015 and entry["attr"]["address"].startswith("/"):
            socket = entry["attr"]["address"]
        if entry["id"] == 23016:
            port = entry["attr"]["port"]
            break
    if port is None:
        proc.kill()
        sys.exit("mongocryptd did not log 23016: " + proc.stderr.read())
    # Keep reading the log so the daemon never blocks on a full pipe.
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    return proc, port, socket, lines, reader


def max_wire_version():
    """kMaxWireVersion from src/analysis/compatible_version.h: the one place it is set."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "analysis",
                          "compatible_version.h")
    return int(re.search(r"kMaxWireVersion = (\d+);", open(header).read()).group(1))


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


def exercise(client, label):
    hello = client.admin.command("isMaster")
    check(hello["iscryptd"] is True, label + ": isMaster says iscryptd")
    expected = max_wire_version()
    check(hello["maxWireVersion"] == expected and isinstance(hello["maxWireVersion"], int),
          label + ": maxWireVersion %d" % expected)
    check(client.admin.command("ping")["ok"] == 1.0, label + ": ping")
    check("version" in client.admin.command("buildInfo"), label + ": buildInfo")
    try:
        client.test.command("frobnicate")
        check(False, label + ": unknown command fails")
    except OperationFailure as e:
        check(e.code == 59, label + ": unknown command is code 59")
        check("no such command: 'frobnicate'" in str(e), label + ": errmsg names the command")
        check(e.details["codeName"] == "CommandNotFound", label + ": codeName")


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="cryptd-pymongo-")
    proc, port, socket, log, reader = start(binary, tmp)
    try:
        tcp = pymongo.MongoClient("127.0.0.1", port, serverSelectionTimeoutMS=5000)
        exercise(tcp, "tcp")
        check(tcp.server_info()["ok"] == 1.0, "tcp: server_info")
        tcp.close()
        check(socket == tmp + "/mongocryptd.sock", "socket path logged as 23015")
        local = pymongo.MongoClient("mongodb://" + urllib.parse.quote_plus(socket),
                                    serverSelectionTimeoutMS=5000)
        exercise(local, "unix socket")
        local.close()
        proc.terminate()
        check(proc.wait(timeout=10) == 0, "SIGTERM exits 0")
        check(open(tmp + "/p.pid").read() == "", "pid file emptied")
        check(not os.path.exists(socket), "socket file removed")
        reader.join(timeout=10)
        commands = [json.loads(l)["attr"] for l in log if '"id":9100005' in l]
        check(any(c["protocol"] == "op_query" and c["command"] in ("isMaster", "ismaster")
                  for c in commands), "pymongo's handshake arrived as legacy OP_QUERY")
        check(any(c["protocol"] == "op_msg" and c["command"] == "ping" for c in commands),
              "later commands arrived as OP_MSG")
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
