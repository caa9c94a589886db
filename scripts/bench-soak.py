#!/usr/bin/env python3
"""The benchmark's soak, called by scripts/bench after the timed runs:
every kind of request at once against the same portal-api, for minutes,
while the server's memory is sampled.

  bench-soak.py OUT_DIR BASE_URL SERVER_PID SECONDS WARMUP CONNECTIONS

Starts four wrk processes side by side, a quarter of CONNECTIONS each: the
tab=all list walked by cursor (scripts/bench-list.lua, the admin's token),
details, preference PUT and notify (scripts/bench-routes.lua over the pairs
of bench-report.py prepare). Every BENCH_SOAK_SAMPLE seconds (5) it reads
VmRSS, RssAnon and RssFile from /proc/SERVER_PID/status. Afterwards the
server must still be there and answer /healthz and a list page.

Judged: no answer outside 2xx, no socket error (connect, read, write or
timeout: an answer later than 5 s, the server's own request timeout,
counts as one), the server alive and
answering, and its private resident memory (RssAnon: heap, stacks,
SQLite's page caches, where a leak shows) grown by at most
BENCH_SOAK_MAX_GROWTH percent (10) from the first sample after WARMUP
seconds to the last. VmRSS is reported too but not judged: it adds the
database pages SQLite reads through mmap (RssFile), which come and go with
the kernel's page cache and SQLite's remapping as the file grows.
Writes OUT_DIR/soak.json (read by bench-report.py report) and the wrk
outputs OUT_DIR/soak-NAME.txt; exits 0 unless it could not run at all.
"""
import http.client
import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = float(os.environ.get("BENCH_SOAK_SAMPLE", "5"))
MAX_GROWTH = float(os.environ.get("BENCH_SOAK_MAX_GROWTH", "10"))
TIMEOUT = 5     # seconds wrk waits for an answer: the server's own limit

spec = importlib.util.spec_from_file_location(
    "bench_report", os.path.join(HERE, "bench-report.py"))
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)


def status_kb(pid):
    """VmRSS, RssAnon and RssFile of pid in kB; None when it is gone."""
    want = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k = line.split(":", 1)[0]
                if k in want:
                    want[k] = int(line.split()[1])
    except OSError:
        return None
    return want


def answers(base, path, token=None):
    """The status of one GET, or the error that stopped it."""
    u = urllib.parse.urlsplit(base)
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("GET", path, headers={"Authorization": "Bearer " + token}
                  if token else {})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body
    except (OSError, http.client.HTTPException) as e:
        return None, str(e).encode()


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    out, base, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seconds, warmup, conns = (int(a) for a in sys.argv[4:7])
    warmup = min(warmup, seconds // 2)
    per = max(1, conns // 4)
    with open(os.path.join(out, "workloads.tsv")) as f:
        lists = {ln.split("\t")[0]: ln.rstrip("\n").split("\t")
                 for ln in f}
    list_token, list_path = lists["all"][1:3]
    with open(os.path.join(out, "routes.tsv")) as f:
        routes = {ln.split("\t")[0]: ln.rstrip("\n").split("\t")
                  for ln in f}
    nonce = f"soak-{int(time.time())}-{os.getpid()}"
    common = ["wrk", "-t1", f"-c{per}", f"-d{seconds}s", "--timeout",
              f"{TIMEOUT}s", "--latency"]
    streams = [("list", common + [
        "-s", os.path.join(HERE, "bench-list.lua"),
        "-H", "Authorization: Bearer " + list_token, base + list_path])]
    for name in ("details", "pref-put", "notify"):
        _, mode, pairs, _ = routes[name]
        streams.append((name, common + [
            "-s", os.path.join(HERE, "bench-routes.lua"), base + "/", "--",
            mode, pairs, f"{nonce}-{name}"]))

    log_path = os.path.join(out, "api.log")
    log_before = os.path.getsize(log_path) if os.path.exists(log_path) \
        else 0
    procs = []
    for name, argv in streams:
        f = open(os.path.join(out, f"soak-{name}.txt"), "w")
        procs.append((name, subprocess.Popen(
            argv, stdout=f, stdin=subprocess.DEVNULL), f))
    t0 = time.monotonic()
    samples = []
    died = False
    try:
        while any(p.poll() is None for _, p, _ in procs):
            t = time.monotonic() - t0
            kb = status_kb(pid)
            if kb is None:
                died = True
                print(f"  soak: the server is gone at {t:.0f} s",
                      flush=True)
                break
            samples.append(dict(kb, t=round(t, 1)))
            if len(samples) % max(1, int(30 / SAMPLE)) == 1:
                print(f"  soak: {t:4.0f} s: RSS {kb['VmRSS'] / 1024:.1f} MiB"
                      f" (heap and other private memory "
                      f"{kb['RssAnon'] / 1024:.1f} MiB, mapped database "
                      f"{kb['RssFile'] / 1024:.1f} MiB)", flush=True)
            time.sleep(SAMPLE)
    finally:
        for _, p, f in procs:
            if died and p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            f.close()
    kb = status_kb(pid)
    if kb is not None:
        samples.append(dict(kb, t=round(time.monotonic() - t0, 1)))
    else:
        died = True

    # Does it still serve?
    health, _ = answers(base, "/healthz")
    page, body = answers(base, list_path, list_token)
    page_ok = page == 200 and body.startswith(b'{"data":[{')
    alive = status_kb(pid) is not None

    result = {"seconds": seconds, "warmup": warmup,
              "connections_each": per, "streams": {}, "samples": samples,
              "max_growth_pct": MAX_GROWTH}
    requests = non2xx = sock = 0
    for name, _, _ in procs:
        r = report.parse_wrk_loose(os.path.join(out, f"soak-{name}.txt"))
        result["streams"][name] = r
        requests += r["requests"]
        non2xx += r["bad"]
        sock += r["socket_errors"]
    after = [s for s in samples if s["t"] >= warmup] or samples[-1:]
    judged = {}
    for k in ("VmRSS", "RssAnon", "RssFile"):
        if after:
            first, last = after[0][k], after[-1][k]
            judged[k] = {
                "at_warmup_kb": first, "end_kb": last,
                "max_kb": max(s[k] for s in after),
                "growth_pct": round(100.0 * (last - first) / first, 1)
                if first else 0.0}
    result["memory"] = judged
    try:
        with open(log_path, "rb") as f:
            f.seek(log_before)
            result["log_lines"] = sum(1 for _ in f)
    except OSError:
        result["log_lines"] = None
    db = os.path.join(out, "run.db")
    result["db_bytes"] = os.path.getsize(db) if os.path.exists(db) else 0
    result["wal_bytes"] = os.path.getsize(db + "-wal") \
        if os.path.exists(db + "-wal") else 0
    result.update({"requests": requests, "non2xx": non2xx,
                   "socket_errors": sock, "healthz": health,
                   "list_after": page, "alive": alive and not died})
    why = []
    if non2xx:
        why.append(f"{non2xx} answers outside 2xx")
    if sock:
        why.append(f"{sock} socket errors")
    if died or not alive:
        why.append("the server died")
    if health != 200 or not page_ok:
        why.append(f"afterwards /healthz answered {health} and the list "
                   f"{page}")
    growth = judged.get("RssAnon", {}).get("growth_pct", 0.0)
    if growth > MAX_GROWTH:
        why.append(f"private memory grew {growth:.1f}% after the warm-up "
                   f"(at most {MAX_GROWTH:.0f}%)")
    if not requests:
        why.append("no requests")
    result["failures"] = why
    result["ok"] = not why
    with open(os.path.join(out, "soak.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"  soak: {requests:,} requests, {non2xx} outside 2xx, {sock} "
          f"socket errors; private memory {growth:+.1f}% after the "
          f"warm-up; "
          f"/healthz {health}, list {page}: "
          f"{'ok' if not why else 'FAILED: ' + '; '.join(why)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
