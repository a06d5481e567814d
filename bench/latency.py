# SPDX-License-Identifier: MIT
"""Per-action latency through the web server, for bench/run.

  latency.py PORT COUNT

Sequential requests on one keep-alive connection, timed at the client:
the trivial responder's round trip (the floor), an unknown name, and
stop, start and restart of b1, each taken while b1 is running (or, for
start, stopped), so every one does its real work.  Prints one line per
case: name, median and 90th percentile in milliseconds.
"""
import http.client
import json
import sys
import time

port, count = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def get(path):
    start = time.perf_counter()
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    return time.perf_counter() - start, resp.status, body


def state(name):
    _, _, body = get("/procs?list")
    for p in json.loads(body):
        if p["name"] == name:
            return p["state"], p["pid"]
    return None, None


def wait_until(name, want, old_pid=None):
    for _ in range(500):
        s, pid = state(name)
        if s == want and (old_pid is None or pid != old_pid):
            return
        time.sleep(0.002)
    sys.exit("%s never became %s" % (name, want))


def report(name, samples):
    samples.sort()
    print("%s %.3f %.3f" % (name, 1000 * samples[len(samples) // 2],
                            1000 * samples[len(samples) * 9 // 10]))


def main():
    for name, path in (("trivial", "/bare/trivial"),
                       ("unknown", "/procs?stop=nosuch")):
        report(name, [get(path)[0] for _ in range(count)])
    stops, starts, restarts = [], [], []
    for _ in range(count // 10):
        wait_until("b1", "running")
        t, status, body = get("/procs?stop=b1")
        assert status == 200 and b'"killed"' in body, body
        stops.append(t)
        # SIGKILL is sent, not yet delivered: the lock goes with the process.
        wait_until("b1", "stopped")
        t, status, body = get("/procs?start=b1")
        assert status == 200 and b'"changed": true' in body, body
        starts.append(t)
        wait_until("b1", "running")
        _, pid = state("b1")
        t, status, body = get("/procs?restart=b1")
        assert status == 200 and b'"killed"' in body, body
        restarts.append(t)
        wait_until("b1", "running", pid)
    report("stop", stops)
    report("start", starts)
    report("restart", restarts)


main()
