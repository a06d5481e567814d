# SPDX-License-Identifier: MIT
"""Drives a web server hard, for tests/servers.sh.

  hammer.py list PORT PATH COUNT NAMES   COUNT sequential keep-alive GETs of
                                         PATH; each must be a 200 JSON list
                                         of exactly NAMES (comma-separated)
  hammer.py hangup PORT PATH COUNT       COUNT clients that send a request
                                         and reset the connection as soon as
                                         the answer starts

Prints "answered N, wrong N" and exits non-zero if any answer was wrong.
"""
import http.client
import json
import socket
import struct
import sys


def hammer_list(port, path, count, names):
    want = sorted(names.split(","))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answered = wrong = 0
    for _ in range(count):
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        answered += 1
        try:
            ok = (resp.status == 200 and
                  [p["name"] for p in json.loads(body)] == want)
        except ValueError:
            ok = False
        if not ok:
            wrong += 1
            if wrong <= 3:
                print("wrong answer:", resp.status, body[:200])
    return answered, wrong


def hangup(port, path, count):
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(request)
        s.recv(64)
        # SO_LINGER 0: close() sends a reset, the rudest way to leave.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()
    return count, 0


def main():
    mode, port, path, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        int(sys.argv[4])
    if mode == "list":
        answered, wrong = hammer_list(port, path, count, sys.argv[5])
    else:
        answered, wrong = hangup(port, path, count)
    print("answered %d, wrong %d" % (answered, wrong))
    sys.exit(1 if wrong else 0)


main()
