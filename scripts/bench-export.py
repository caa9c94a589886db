#!/usr/bin/env python3
"""The Clients list's CSV export under `make bench` (scripts/bench): rows
a second and the API process's memory while it streams the whole list.

Usage: bench-export.py BASE OUT PID DURATION CONNECTIONS
  BASE the running portal-api, PID its process, OUT the bench directory
  (its workloads.tsv and prepare.json, written by bench-report.py
  prepare: the list workloads' tokens, paths and row counts).
First each of the exports of the mine, missing and all workloads, alone,
on one keep-alive connection, checked (every row, the BOM, the header,
RFC 4180) with the process's anonymous resident memory (RssAnon: heap
and stacks) sampled every 5 ms: its growth over the level before the
export, so that one of 274 rows and one of 9,450 can be compared. Each is
sent twice: the first ("cold") also pays what the thread keeps once for
all (SQLite's page cache of its connection, bounded by cache_size, and
malloc's arena), the second is what an export costs. VmRSS would count
the pages of the SQLite file the process maps (several GB after the
other workloads), which the export reads but does not hold. Then wrk
on CONNECTIONS connections exporting tab=all over and over for DURATION
seconds (OUT/wrk-export.txt): rows a second, the anonymous memory's
growth, and VmHWM (the whole resident set's high-water mark, maps
included) before and after. Writes OUT/export.json.
"""
import csv
import http.client
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_S = 0.005


def status_kb(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


# The memory the export could hold: heap and stacks, not mapped files.
MEMORY = "RssAnon"


class Sampler:
    """The highest MEMORY of pid while it runs, every SAMPLE_S."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = status_kb(pid, MEMORY)
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, status_kb(self.pid, MEMORY))
            time.sleep(SAMPLE_S)

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.t.join()


def export_path(path):
    """The list's first-page path as its export: no limit, format=csv."""
    parts = urllib.parse.urlsplit(path)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query)
             if k not in ("limit", "cursor")] + [("format", "csv")]
    return parts.path + "?" + urllib.parse.urlencode(query)


class Conn:
    """One keep-alive connection: the same server thread serves each
    export, as it would a browser's."""

    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.c = http.client.HTTPConnection(u.hostname, u.port,
                                            timeout=120)
        self.h = {"Authorization": "Bearer " + token}

    def get(self, path):
        self.c.request("GET", path, headers=self.h)
        r = self.c.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"{path}: {r.status} {body[:200]!r}")
        if r.getheader("Transfer-Encoding") != "chunked":
            raise RuntimeError(f"{path}: not chunked")
        return body

    def close(self):
        self.c.close()


def measured(pid, conn, path):
    """The export of path on conn: (body, seconds, RssAnon before, peak)."""
    before = status_kb(pid, MEMORY)
    t0 = time.monotonic()
    with Sampler(pid) as s:
        body = conn.get(path)
    return body, time.monotonic() - t0, before, s.peak


def check(name, body, want_rows):
    if not body.startswith(b"\xef\xbb\xbf"):
        raise RuntimeError(f"{name}: no byte order mark")
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"),
                                       newline="")))
    if rows[0][:2] != ["id", "name"]:
        raise RuntimeError(f"{name}: header {rows[0]!r}")
    if len(rows) - 1 != want_rows:
        raise RuntimeError(f"{name}: {len(rows) - 1} rows, the list has "
                           f"{want_rows}")
    if any(len(r) != len(rows[0]) for r in rows):
        raise RuntimeError(f"{name}: a record of another width")
    return len(rows) - 1


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    base, out, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    duration, conns = float(sys.argv[4]), int(sys.argv[5])
    prep = json.load(open(os.path.join(out, "prepare.json"),
                          encoding="utf-8"))
    work = {}
    with open(os.path.join(out, "workloads.tsv"), encoding="utf-8") as f:
        for line in f:
            name, token, path, _ = line.rstrip("\n").split("\t")
            work[name] = (token, export_path(path))
    result = {"alone": {}, "connections": conns, "duration": duration}
    for name in ("mine", "missing", "all"):
        token, path = work[name]
        conn = Conn(base, token)
        _, _, cold_before, cold_peak = measured(pid, conn, path)
        body, secs, before, peak = measured(pid, conn, path)
        conn.close()
        rows = check(name, body, prep["workloads"][name]["total"])
        result["alone"][name] = {
            "path": path, "rows": rows, "bytes": len(body),
            "seconds": secs, "cold_growth_kb": cold_peak - cold_before,
            "rss_before_kb": before, "rss_peak_kb": peak,
            "growth_kb": peak - before}
        print(f"  export {name:8s} {rows:6,} rows, {len(body):,} bytes in "
              f"{secs * 1000:.0f} ms; {MEMORY} {before:,} kB, peak "
              f"{peak:,} kB (+{peak - before:,} kB; the first time on its "
              f"connection +{cold_peak - cold_before:,} kB)")

    # The load: wrk, as for the list's workloads (a Python client reads
    # chunks slower than the server writes them), through bench-report.py
    # for the CPU figures, with the memory sampled meanwhile.
    token, path = work["all"]
    wrk_out = os.path.join(out, "wrk-export.txt")
    args = [sys.executable, os.path.join(HERE, "bench-report.py"), "wrk",
            wrk_out, str(pid), "-t2", f"-c{conns}", f"-d{duration:g}s",
            "--latency", "-H", "Authorization: Bearer " + token, base + path]
    hwm_before = status_kb(pid, "VmHWM")
    rss_before = status_kb(pid, MEMORY)
    with Sampler(pid) as s:
        rc = subprocess.run(args, stdin=subprocess.DEVNULL).returncode
    text = open(wrk_out, encoding="utf-8", errors="replace").read()
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    n = re.search(r"Non-2xx or 3xx responses:\s+(\d+)|Socket errors", text)
    errors = [] if rc == 0 and m and not n else \
        [f"wrk exit {rc}: " + text[-300:]]
    per_export = result["alone"]["all"]["rows"]
    eps = float(m.group(1)) if m else 0.0
    result["run"] = {
        "exports_per_second": eps, "rows_per_export": per_export,
        "rows_per_second": eps * per_export, "rss_before_kb": rss_before,
        "rss_peak_kb": s.peak, "growth_kb": s.peak - rss_before,
        "hwm_before_kb": hwm_before, "hwm_after_kb": status_kb(pid, "VmHWM"),
        "errors": errors}
    print(f"  export all x{conns} connections (wrk): {eps:,.1f} exports/s, "
          f"{eps * per_export:,.0f} rows/s; {MEMORY} {rss_before:,} kB, "
          f"peak {s.peak:,} kB (+{s.peak - rss_before:,} kB); VmHWM "
          f"{hwm_before:,} -> {result['run']['hwm_after_kb']:,} kB"
          + (f"; errors: {errors[:3]}" if errors else ""))
    with open(os.path.join(out, "export.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
