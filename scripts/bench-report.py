#!/usr/bin/env python3
"""The benchmark's helpers around wrk, called by scripts/bench.

  bench-report.py prepare BASE_URL SEED_INFO OUT_DIR
      Logs in as the admin and the bookkeeper, checks that each workload's
      first page answers 200 with rows and that its cursor leads on, walks
      the whole tab=all list to measure its average page size, and writes
      OUT_DIR/workloads.tsv (name, token, path), OUT_DIR/prepare.json and
      OUT_DIR/baseline-bytes.
  bench-report.py wrk OUT_FILE SERVER_PID WRK_ARGS...
      Runs wrk, writes its output to OUT_FILE with one more line telling
      the CPU seconds the server, wrk and everything else on the machine
      used meanwhile (other work skews the figures).
  bench-report.py report OUT_DIR COMMAND
      Reads OUT_DIR/wrk-*.txt, writes OUT_DIR/results.md and prints it.
      Exits 1 when a run had errors (non-200s, socket errors, empty pages).
"""
import datetime
import http.client
import json
import os
import platform
import re
import subprocess
import sys
import urllib.parse

LIMIT = 50
# name, who, query, label for the table
WORKLOADS = [
    ("all", "admin", {"tab": "all"}, "tab=all, by name (admin)"),
    ("mine", "bookkeeper", {"tab": "mine"}, "tab=mine (bookkeeper)"),
    ("missing", "admin", {"tab": "all", "missing_receipts": "true"},
     "tab=all&missing_receipts=true (admin)"),
    ("search", "admin", {"tab": "all", "q": None},
     "tab=all&q=… search (admin)"),
]
GOAL_P99_MS = 5.0
GOAL_RATIO = {"all": 0.30}      # the plain list; every other: 0.10
GOAL_RATIO_DEFAULT = 0.10
NOISE_SHARE = 0.05              # other processes' CPU share that skews a run


def fail(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


class Api:
    def __init__(self, base, token=None):
        u = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port,
                                               timeout=30)
        self.token = token

    def get(self, path):
        h = {"Authorization": "Bearer " + self.token} if self.token else {}
        self.conn.request("GET", path, headers=h)
        r = self.conn.getresponse()
        return r.status, r.read()

    def post(self, path, body):
        self.conn.request("POST", path, body=json.dumps(body).encode(),
                          headers={"Content-Type": "application/json"})
        r = self.conn.getresponse()
        return r.status, r.read()


def path_of(query, cursor=None):
    q = dict(query, limit=str(LIMIT))
    if cursor is not None:
        q["cursor"] = cursor
    return "/v1/clients?" + urllib.parse.urlencode(
        q, quote_via=urllib.parse.quote)


def prepare(base, info_path, out):
    with open(info_path, encoding="utf-8") as f:
        info = json.load(f)
    tokens = {}
    for who in ("admin", "bookkeeper"):
        st, body = Api(base).post("/v1/auth/token", {
            "email": info[who], "password": info["password"]})
        if st != 200:
            fail(f"login as {info[who]}: {st} {body[:200]!r}")
        tokens[who] = json.loads(body)["access_token"]

    rows = []
    result = {"workloads": {}}
    for name, who, query, label in WORKLOADS:
        query = dict(query)
        if "q" in query:
            query["q"] = info["q"]
            label = label.replace("…", info["q"])
        api = Api(base, tokens[who])
        first = path_of(query)
        st, body = api.get(first)
        if st != 200:
            fail(f"{name}: GET {first}: {st} {body[:300]!r}")
        doc = json.loads(body)
        if not doc.get("data"):
            fail(f"{name}: GET {first}: no rows ({body[:300]!r})")
        if doc.get("total", 0) > LIMIT and not doc.get("next_cursor"):
            fail(f"{name}: {doc['total']} rows but no next_cursor")
        # Walk every page: the rows must add up to the total, without
        # repeats, and the sizes give the average page.
        seen, sizes, cursor = set(), [len(body)], doc.get("next_cursor")
        for r in doc["data"]:
            seen.add(r["id"])
        while cursor:
            st, body = api.get(path_of(query, cursor))
            if st != 200:
                fail(f"{name}: page {len(sizes) + 1}: {st} {body[:300]!r}")
            d = json.loads(body)
            sizes.append(len(body))
            for r in d["data"]:
                if r["id"] in seen:
                    fail(f"{name}: client {r['id']} on two pages")
                seen.add(r["id"])
            cursor = d.get("next_cursor")
        if len(seen) != doc["total"]:
            fail(f"{name}: walked {len(seen)} rows, total says "
                 f"{doc['total']}")
        if name == "missing" and any(
                r["missing_receipts"] <= 0 for r in doc["data"]):
            fail("missing: a row without missing receipts")
        result["workloads"][name] = {
            "label": label, "who": info[who], "path": first,
            "total": doc["total"], "pages": len(sizes),
            "avg_page_bytes": round(sum(sizes) / len(sizes)),
        }
        rows.append((name, tokens[who], first))
        print(f"  check {name:8s} ok: {doc['total']} rows, {len(sizes)} "
              f"pages, {sum(sizes) / len(sizes):.0f} bytes a page")
    # The baseline answers the average tab=all page.
    all_w = result["workloads"]["all"]
    result["baseline_bytes"] = all_w["avg_page_bytes"]
    with open(os.path.join(out, "workloads.tsv"), "w") as f:
        for name, tok, path in rows:
            f.write(f"{name}\t{tok}\t{path}\n")
    with open(os.path.join(out, "prepare.json"), "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
    with open(os.path.join(out, "baseline-bytes"), "w") as f:
        f.write(f"{result['baseline_bytes']}\n")


def cpu_busy():
    """CPU seconds the whole machine has been busy."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf(
        "SC_CLK_TCK")


def cpu_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime: fields 14 and 15, the 12th and 13th after comm
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(out_file, server_pid, args):
    import resource
    total0, server0 = cpu_busy(), cpu_of(server_pid)
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out_file, "w") as f:
        rc = subprocess.run(["wrk", *args], stdout=f,
                            stdin=subprocess.DEVNULL).returncode
    child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    total1, server1 = cpu_busy(), cpu_of(server_pid)
    wrk = (child1.ru_utime - child0.ru_utime) + \
        (child1.ru_stime - child0.ru_stime)
    total, server = total1 - total0, server1 - server0
    with open(out_file, "a") as f:
        f.write(f"bench-cpu: total={total:.2f} server={server:.2f} "
                f"wrk={wrk:.2f} other={max(0.0, total - server - wrk):.2f}\n")
    return rc


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    r = {"text": text}
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if not m:
        fail(f"{path}: no Requests/sec line; wrk said:\n{text}")
    r["rps"] = float(m.group(1))
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        if not m:
            fail(f"{path}: no {pct}% latency line (was --latency given?)")
        r["p" + pct] = ms(m.group(1))
    m = re.search(r"^\s+(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read",
                  text, re.M)
    r["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", text)
    r["socket_errors"] = sum(map(int, m.groups())) if m else 0
    m = re.search(r"bench-list: responses=(\d+) bad=(\d+) empty=(\d+) "
                  r"walks=(\d+) pages=([\d.]+)", text)
    if m:
        r["bad"], r["empty"] = int(m.group(2)), int(m.group(3))
        r["walks"], r["pages_per_walk"] = int(m.group(4)), float(m.group(5))
    m = re.search(r"bench-cpu: total=([\d.]+) server=([\d.]+) wrk=([\d.]+) "
                  r"other=([\d.]+)", text)
    if m:
        r["cpu"] = dict(zip(("total", "server", "wrk", "other"),
                            map(float, m.groups())))
    return r


def machine():
    model = "?"
    mem = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass

    def pkg(p):
        try:
            return subprocess.run(
                ["dpkg-query", "-W", "-f=${Version}", p],
                capture_output=True, text=True).stdout or "?"
        except OSError:
            return "?"
    return {
        "cpus": os.cpu_count(), "model": model, "memory": mem,
        "kernel": platform.release(),
        "civetweb": pkg("libcivetweb1"), "sqlite": pkg("libsqlite3-0"),
        "wrk": pkg("wrk"),
    }


def fmt_ms(v):
    return f"{v * 1000:.0f} µs" if v < 1 else f"{v:.2f} ms"


def report(out, command):
    prep = json.load(open(os.path.join(out, "prepare.json"),
                          encoding="utf-8"))
    seed = json.load(open(os.path.join(out, "seed.json"), encoding="utf-8"))
    run = json.load(open(os.path.join(out, "run.json"), encoding="utf-8"))
    base = parse_wrk(os.path.join(out, "wrk-baseline.txt"))
    errors = []
    if base["non2xx"] or base["socket_errors"]:
        errors.append("baseline: errors in the wrk run")
    lines = []
    w = lines.append
    mach = machine()
    w("## Benchmark: GET /v1/clients")
    w("")
    w(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
      f"{mach['cpus']} CPUs ({mach['model']}), {mach['memory']} memory, "
      f"Linux {mach['kernel']}; civetweb {mach['civetweb']}, SQLite "
      f"{mach['sqlite']}, wrk {mach['wrk']}. The load generator runs on "
      f"the same machine; its 1-minute load average when the run started "
      f"was {run.get('load_before', 0):.2f}.")
    w("")
    w(f"Data: one firm (sv) with {seed['clients']:,} clients "
      f"({seed['active']:,} active), {seed['bookkeepers']} bookkeepers, "
      f"{seed['expenses']:,} expenses ({seed['missing_receipts']:,} missing "
      f"receipts, {seed['clients_with_missing']:,} active clients with "
      f"some). Seeding took {seed['seconds']['total']:.0f} s"
      f"{' (this run reused the seeded database)' if run['reused'] else ''}.")
    w("")
    w(f"Load: `wrk -t{run['threads']} -c{run['connections']} "
      f"-d{run['duration']}s --latency -s scripts/bench-list.lua` with a "
      f"bearer token, {LIMIT} rows a page, each request the first page or "
      f"the next_cursor of an earlier answer; portal-api with "
      f"PORTAL_THREADS={run['server_threads']}; {run['warmup']} s of "
      f"warm-up before each run. Baseline: a bare civetweb handler "
      f"(tests/bench/baseline.c, same options and headers) answering "
      f"{prep['baseline_bytes']:,} bytes, the average tab=all page.")
    w("")
    w("| workload | req/s | ratio to baseline | p50 | p99 | goal met? |")
    w("| --- | ---: | ---: | ---: | ---: | --- |")
    w(f"| baseline: bare civetweb, {prep['baseline_bytes']:,} bytes "
      f"| {base['rps']:,.0f} | 100% | {fmt_ms(base['p50'])} "
      f"| {fmt_ms(base['p99'])} | |")
    details = []
    noisy = []
    all_ok = True

    ncpu = os.cpu_count() or 1

    def idle_rps(r):
        """What the machine would answer with nothing else running: its
        CPUs over the server's and wrk's CPU time a request."""
        c = r.get("cpu")
        if not c or not r["requests"] or c["server"] + c["wrk"] <= 0:
            return 0.0
        return ncpu * r["requests"] / (c["server"] + c["wrk"])

    base_idle = idle_rps(base)

    def cpu_cols(name, r):
        c = r.get("cpu")
        if not c or not r["requests"]:
            return "| | | | |"
        capacity = run["duration"] * ncpu
        other = c["other"] / capacity
        if other > NOISE_SHARE:
            noisy.append(f"{name} {other:.0%}")
        est = idle_rps(r)
        ratio = f" ({est / base_idle:.0%})" if base_idle and \
            name != "baseline" else ""
        return (f"| {c['server'] / r['requests'] * 1e6:,.0f} µs "
                f"| {c['wrk'] / r['requests'] * 1e6:,.0f} µs | {other:.0%} "
                f"| {est:,.0f}{ratio} |")
    details.append(f"| baseline | any path | | | {prep['baseline_bytes']:,} "
                   f"| {cpu_cols('baseline', base)}")
    for name, _, _, _ in WORKLOADS:
        wl = prep["workloads"][name]
        r = parse_wrk(os.path.join(out, f"wrk-{name}.txt"))
        ratio = r["rps"] / base["rps"] if base["rps"] else 0
        goal = GOAL_RATIO.get(name, GOAL_RATIO_DEFAULT)
        why = []
        if ratio < goal:
            why.append(f"ratio < {goal:.0%}")
        if r["p99"] >= GOAL_P99_MS:
            why.append(f"p99 ≥ {GOAL_P99_MS:.0f} ms")
        bad = r["non2xx"] + r["socket_errors"] + r.get("bad", 0) + \
            r.get("empty", 0)
        if bad:
            errors.append(f"{name}: {r['non2xx']} non-2xx, "
                          f"{r['socket_errors']} socket errors, "
                          f"{r.get('empty', 0)} empty pages")
            why.append("errors")
        met = "yes" if not why else "**no** (" + ", ".join(why) + ")"
        all_ok = all_ok and not why
        w(f"| {wl['label']} | {r['rps']:,.0f} | {ratio:.0%} (goal "
          f"{goal:.0%}) | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} | {met} |")
        details.append(
            f"| {name} | `{wl['path']}` | {wl['total']:,} | {wl['pages']} "
            f"| {wl['avg_page_bytes']:,} | {r.get('pages_per_walk', 0):.1f} "
            f"{cpu_cols(name, r)}")
    w("")
    w("| workload | first page | rows | pages | bytes a page "
      "| pages a walk in the run | server CPU a request | wrk CPU a request "
      "| other processes' CPU | req/s on an idle machine, estimated |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines.extend(details)
    w("")
    w("Server and wrk CPU: CPU time (user + system) over requests answered; "
      "other processes': the share of the machine's CPU that neither used "
      "during the run; the estimate: the CPUs' time over the server's and "
      "wrk's CPU a request (both CPU-bound on one machine), with its ratio "
      "to the baseline's estimate: a guide when other work skewed the run, "
      "not a measurement.")
    if noisy:
        w("")
        w(f"**Other work took more than {NOISE_SHARE:.0%} of the machine "
          f"during some runs ({', '.join(noisy)}): their figures are "
          f"skewed; run again on a quiet machine.**")
    w("")
    w(f"Command: `{command}`"
      + (f" (BENCH_DURATION={run['duration']})"
         if "BENCH_DURATION" not in command and run['duration'] != 10
         else ""))
    w("")
    w("All goals met." if all_ok and not errors else
      "Goals not met: see the rows marked **no**.")
    if errors:
        w("")
        w("Errors: " + "; ".join(errors))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 1 if errors else 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "wrk":
        return run_wrk(sys.argv[2], sys.argv[3], sys.argv[4:])
    if len(sys.argv) == 4 and sys.argv[1] == "report":
        return report(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
