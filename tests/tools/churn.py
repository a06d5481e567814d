# SPDX-License-Identifier: MIT
"""Parallel clients with churn, for tests/load.sh.

  churn.py PORT PATH SECONDS CLIENTS NAME...

CLIENTS threads, each on its own keep-alive connection, for SECONDS: half
the requests list, the rest start, stop or restart a random NAME, by GET
or POST.  Every answer must be JSON with a status below 500.  Prints the
figures and "5xx N, errors N"; exits non-zero if either is not 0.
"""
import collections
import http.client
import json
import random
import sys
import threading
import time


def client(port, path, deadline, names, stats, lock):
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    local = collections.Counter()
    latencies = []
    while time.monotonic() < deadline:
        if rng.random() < 0.5:
            method, query, body = "GET", "list", None
        else:
            action = rng.choice(("start", "stop", "restart"))
            query = "%s=%s" % (action, rng.choice(names))
            method, body = rng.choice((("GET", None), ("POST", query)))
            if body:
                query = ""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        start = time.monotonic()
        try:
            conn.request(method, path + ("?" + query if query else ""),
                         body=body, headers=headers if body else {})
            resp = conn.getresponse()
            data = resp.read()
            json.loads(data)
            local[resp.status] += 1
        except (OSError, http.client.HTTPException, ValueError) as e:
            local["error"] += 1
            if local["error"] <= 3:
                print("error:", type(e).__name__, e)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append(time.monotonic() - start)
    with lock:
        stats["counts"].update(local)
        stats["latencies"].extend(latencies)


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    seconds, clients = float(sys.argv[3]), int(sys.argv[4])
    names = sys.argv[5:]
    stats = {"counts": collections.Counter(), "latencies": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client,
                                args=(port, path, deadline, names, stats,
                                      lock))
               for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts, lat = stats["counts"], sorted(stats["latencies"])
    total = sum(counts.values())
    fivexx = sum(n for s, n in counts.items() if s != "error" and s >= 500)
    print("# %s: %d requests in %.0f s by %d clients, %.0f/s; "
          "latency p50 %.1f ms, p99 %.1f ms" % (
              path, total, seconds, clients, total / seconds,
              1000 * lat[len(lat) // 2], 1000 * lat[len(lat) * 99 // 100]))
    print("# statuses: " + ", ".join(
        "%s %d" % (s, n) for s, n in sorted(counts.items(), key=str)))
    print("5xx %d, errors %d" % (fivexx, counts["error"]))
    sys.exit(1 if fivexx or counts["error"] else 0)


main()
