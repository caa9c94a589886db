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
  bench-report.py copy-db SOURCE DEST
      Copies the seeded database for a run, with SQLite's backup API.
  bench-report.py same-seed SEED_INFO OTHER_SEED_INFO
      Exits 1 unless the two seedings made the same data set (all of
      bench-seed.py's summary but its timings).
  bench-report.py report OUT_DIR COMMAND
      Reads OUT_DIR/wrk-*.txt, writes OUT_DIR/results.md and prints it.
      Exits 1 when a run had errors (non-200s, socket errors, empty pages).
"""
import datetime
import http.client
import json
import os
import platform
import random
import re
import subprocess
import sys
import urllib.parse
from zoneinfo import ZoneInfo

LIMIT = 50
# name, who, query, label for the table
WORKLOADS = [
    ("all", "admin", {"tab": "all"}, "tab=all, by name (admin)"),
    ("mine", "bookkeeper", {"tab": "mine"}, "tab=mine (bookkeeper)"),
    ("missing", "admin", {"tab": "all", "missing_receipts": "true"},
     "tab=all&missing_receipts=true (admin)"),
    ("search", "admin", {"tab": "all", "q": None},
     "tab=all&q=… search (admin)"),
    # A search box's first keystrokes: each walk searches the next of the
    # seed's searches of that length (scripts/bench-list.lua).
    ("type-1", "admin", {"tab": "all", "queries": "1"},
     "tab=all, searches of 1 character (admin)"),
    ("type-2", "admin", {"tab": "all", "queries": "2"},
     "tab=all, searches of 2 characters (admin)"),
    ("type-3", "admin", {"tab": "all", "queries": "3"},
     "tab=all, searches of 3 characters (admin)"),
    ("type-ab", "admin", {"tab": "all", "q": "ab"},
     "tab=all&q=ab, nearly every client (admin)"),
    # The plain list again, with the integration's API key instead of a
    # login token: the key's check against the token's.
    ("all-key", "key", {"tab": "all"},
     "tab=all, by name, with an API key (integration)"),
    # What needs attention (issue 16): its order, an alert's filter, and
    # the rows with a month's figures (the month before this one).
    ("attention", "admin", {"tab": "all", "sort": "attention"},
     "tab=all&sort=attention (admin)"),
    ("low-balance", "admin", {"tab": "all", "alert": "low_balance"},
     "tab=all&alert=low_balance (admin)"),
    ("month", "admin", {"tab": "all", "month": "last"},
     "tab=all&month=… last month's figures (admin)"),
]
GOAL_P99_MS = 5.0
GOAL_RATIO = {"all": 0.30,      # the plain list; every other: 0.10
              "type-1": 0.25, "type-2": 0.25, "type-3": 0.25,
              "type-ab": 0.25}
GOAL_RATIO_DEFAULT = 0.10
# The CSV export (scripts/bench-export.py): memory that stays flat, the
# growth of the anonymous resident memory (heap and stacks) over an
# export of any length under this.
GOAL_EXPORT_GROWTH_KB = 4096
# Judged by the p99 at the fixed load, not at saturation.
GOAL_P99_PACED = ("type-1", "type-2", "type-3", "type-ab")
# Workloads with no PostgreSQL goal: PostgreSQL finds a search of one or
# two characters by reading each client's text.
PG_NO_GOAL = GOAL_P99_PACED
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

    def call(self, method, path, body=None, headers=None):
        """Any request with the token; returns status, headers, body."""
        h = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else \
                json.dumps(body, ensure_ascii=False).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        self.conn.request(method, path, body=data, headers=h)
        r = self.conn.getresponse()
        return r.status, r.headers, r.read()


def last_month():
    """The month before this one in the firm's zone, as YYYY-MM."""
    d = datetime.datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    d = d.replace(day=1) - datetime.timedelta(days=1)
    return "%04d-%02d" % (d.year, d.month)


def path_of(query, cursor=None):
    q = dict(query, limit=str(LIMIT))
    if q.get("month") == "last":
        q["month"] = last_month()
    if cursor is not None:
        q["cursor"] = cursor
    return "/v1/clients?" + urllib.parse.urlencode(
        q, quote_via=urllib.parse.quote)


def walk_checked(api, name, query):
    """Walks every page of query: the rows must add up to the total (or
    pass it, when the count stopped: total_at_least), without repeats.
    Returns the rows, the pages' sizes and the first page."""
    first = path_of(query)
    st, body = api.get(first)
    if st != 200:
        fail(f"{name}: GET {first}: {st} {body[:300]!r}")
    doc = json.loads(body)
    if not doc.get("data"):
        fail(f"{name}: GET {first}: no rows ({body[:300]!r})")
    if doc.get("total", 0) > LIMIT and not doc.get("next_cursor"):
        fail(f"{name}: {doc['total']} rows but no next_cursor")
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
    if len(seen) != doc["total"] and not (
            doc.get("total_at_least") and len(seen) > doc["total"]):
        fail(f"{name}: walked {len(seen)} rows, total says "
             f"{doc['total']}")
    return len(seen), sizes, doc


def api_key(base, admin_token, info):
    """A new key of the firm's integration, made by its admin, that
    reads clients: the list workload's other credential."""
    api = Api(base, admin_token)
    st, _, body = api.call("GET", "/v1/users")
    if st != 200:
        fail(f"GET /v1/users: {st} {body[:200]!r}")
    integ = [u for u in json.loads(body)["data"]
             if u["role"] == "integration"]
    if not integ:
        fail("the firm has no integration user for the API key")
    st, _, body = api.call("POST", "/v1/api-keys", {
        "name": "bench", "user_id": integ[0]["id"],
        "scopes": ["clients:read"]})
    if st != 201:
        fail(f"POST /v1/api-keys: {st} {body[:200]!r}")
    return json.loads(body)["key"]


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
    tokens["key"] = api_key(base, tokens["admin"], info)

    rows = []
    result = {"workloads": {}}
    for name, who, query, label in WORKLOADS:
        query = dict(query)
        if "q" in query and query["q"] is None:
            query["q"] = info["q"]
            label = label.replace("…", info["q"])
        searches = [None]
        qfile = ""
        if "queries" in query:
            searches = info["typeahead"][query.pop("queries")]
            qfile = os.path.join(out, f"queries-{name}.txt")
            with open(qfile, "w", encoding="utf-8") as f:
                for q in searches:
                    f.write(urllib.parse.quote(q, safe="") + "\n")
        api = Api(base, tokens[who])
        first = path_of(query)
        walked = [walk_checked(api, name, query if q is None else
                               dict(query, q=q)) for q in searches]
        totals = [t for t, _, _ in walked]
        sizes = [n for _, ns, _ in walked for n in ns]
        if name == "missing" and any(
                r["missing_receipts"] <= 0 for r in walked[0][2]["data"]):
            fail("missing: a row without missing receipts")
        result["workloads"][name] = {
            "label": label, "who": info.get(who, "an API key"),
            "path": first,
            "total": round(sum(totals) / len(totals)),
            "pages": round(len(sizes) / len(searches)),
            "avg_page_bytes": round(sum(sizes) / len(sizes)),
            "searches": len(searches) if qfile else 0,
        }
        rows.append((name, tokens[who], first, qfile))
        print(f"  check {name:8s} ok: {sum(totals)} rows in "
              f"{len(searches)} search{'es' if len(searches) > 1 else ''}, "
              f"{len(sizes)} pages, {sum(sizes) / len(sizes):.0f} bytes "
              f"a page")
    # The baseline answers the average tab=all page.
    all_w = result["workloads"]["all"]
    result["baseline_bytes"] = all_w["avg_page_bytes"]
    with open(os.path.join(out, "workloads.tsv"), "w") as f:
        for name, tok, path, qfile in rows:
            f.write(f"{name}\t{tok}\t{path}\t{qfile}\n")
    with open(os.path.join(out, "prepare.json"), "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
    with open(os.path.join(out, "baseline-bytes"), "w") as f:
        f.write(f"{result['baseline_bytes']}\n")
    prepare_routes(base, info, out)


# The client's own routes: name, wrk mode (scripts/bench-routes.lua),
# pairs file, label. Run in this order: the preference is read after the
# run that set it, as a user reopens the menu after saving.
ROUTES = [
    ("details", "details", "view", "`GET /v1/clients/{id}` (details)"),
    ("pref-put", "pref-put", "view",
     "`PUT /v1/clients/{id}/notification-preference`, a new value each "
     "time"),
    ("pref-get", "pref-get", "view",
     "`GET /v1/clients/{id}/notification-preference`"),
    ("notify", "notify", "notify",
     "`POST /v1/clients/{id}/notify-accountants`, a fresh Idempotency-Key "
     "each"),
    ("batch", "batch", "notify",
     "`POST /v1/clients/{id}/expenses`, a batch of 1,000 new expenses"),
]
# The routes that write, for the PostgreSQL goal (as fast as on SQLite).
WRITES = ("pref-put", "notify", "batch")
ROUTE_PAIRS = int(os.environ.get("BENCH_ROUTE_PAIRS", "4000"))
# The bodies scripts/bench-routes.lua sends, for the checks.
PREFS = [{"email": True, "frequency": "daily"},
         {"email": True, "frequency": "weekly"},
         {"email": True, "frequency": "monthly"},
         {"email": False, "frequency": "weekly"}]


def walk(api, query):
    """Every row of a list, by cursor."""
    rows, cursor = [], None
    while True:
        st, body = api.get(path_of(query, cursor))
        if st != 200:
            fail(f"GET {path_of(query, cursor)}: {st} {body[:300]!r}")
        d = json.loads(body)
        rows.extend(d["data"])
        cursor = d.get("next_cursor")
        if not cursor:
            return rows


def avg(sizes):
    return round(sum(sizes) / len(sizes))


def prepare_routes(base, info, out):
    """The (token, client) pairs of the route workloads, each route checked
    once, and the average size of each route's answer for its baseline."""
    if "admins" not in info or "bookkeepers_with_clients" not in info:
        fail("the seeded database predates the route workloads: run "
             "sh scripts/bench --reseed")

    def login(email):
        st, body = Api(base).post("/v1/auth/token", {
            "email": email, "password": info["password"]})
        if st != 200:
            fail(f"login as {email}: {st} {body[:200]!r}")
        return json.loads(body)["access_token"]

    admins = [login(e) for e in info["admins"]]
    bks = [login(e) for e in info["bookkeepers_with_clients"]]
    rows = walk(Api(base, admins[0]), {"tab": "all"})
    all_ids = [r["id"] for r in rows]
    notifiable = [r["id"] for r in rows if r.get("assignees")]
    mine = [[r["id"] for r in walk(Api(base, t), {"tab": "mine"})]
            for t in bks]
    if not all_ids or not notifiable or not all(mine):
        fail("routes: no active clients, none with an assignee, or a "
             "bookkeeper without clients")

    # Tokens numbered from 1: the admins, then the bookkeepers.
    tokens = admins + bks
    rng = random.Random(20260302)
    view, notify = [], []
    for k in range(ROUTE_PAIRS):
        if k % 2 == 0:
            view.append((1 + rng.randrange(len(admins)),
                         rng.choice(all_ids)))
        else:
            b = rng.randrange(len(bks))
            view.append((1 + len(admins) + b, rng.choice(mine[b])))
        notify.append((1 + rng.randrange(len(admins)),
                       rng.choice(notifiable)))
    pairs = {"view": view, "notify": notify}
    for kind, lst in pairs.items():
        with open(os.path.join(out, f"pairs-{kind}.tsv"), "w") as f:
            for t in tokens:
                f.write(f"T\t{t}\n")
            for t, cid in lst:
                f.write(f"P\t{t}\t{cid}\n")

    def api_of(pair):
        return Api(base, tokens[pair[0] - 1])

    def check(what, st, want, body):
        if st != want:
            fail(f"{what}: {st}, not {want}: {body[:300]!r}")
        return json.loads(body)

    sample = rng.sample(view, min(200, len(view)))
    sizes = {r[0]: [] for r in ROUTES}
    for pair in sample:
        api = api_of(pair)
        st, _, body = api.call("GET", f"/v1/clients/{pair[1]}")
        if check(f"GET /v1/clients/{pair[1]}", st, 200, body)["id"] != \
                pair[1]:
            fail(f"GET /v1/clients/{pair[1]}: another client")
        sizes["details"].append(len(body))
    # Every sampled pair gets two different settings, the second read back.
    for i, pair in enumerate(sample):
        api = api_of(pair)
        path = f"/v1/clients/{pair[1]}/notification-preference"
        for n in (i, i + 1):
            want = PREFS[n % len(PREFS)]
            st, _, body = api.call("PUT", path, want)
            doc = check(f"PUT {path}", st, 200, body)
            sizes["pref-put"].append(len(body))
        st, _, body = api.call("GET", path)
        doc = check(f"GET {path}", st, 200, body)
        if doc["email"] != want["email"] or \
                doc["frequency"] != want["frequency"]:
            fail(f"GET {path}: {doc}, not the {want} just saved")
        sizes["pref-get"].append(len(body))
    nonce = f"{os.getpid()}-{random.randrange(1 << 30)}"
    for i, pair in enumerate(rng.sample(notify, min(40, len(notify)))):
        api = api_of(pair)
        path = f"/v1/clients/{pair[1]}/notify-accountants"
        key = f"bench-check-{nonce}-{i}"
        body_in = {"tasks": ["missing_receipts", "export_ready"],
                   "comment": "Kvitton före fredag, tack."}
        st, _, body = api.call("POST", path, body_in,
                               {"Idempotency-Key": key})
        if st == 429:
            fail(f"POST {path}: 429: the server keeps the default rate "
                 "limits; it must read PORTAL_NOTIFY_PER_CLIENT_HOUR and "
                 "PORTAL_NOTIFY_PER_SENDER_HOUR (rebuild: make binaries)")
        doc = check(f"POST {path}", st, 202, body)
        if not doc.get("recipients"):
            fail(f"POST {path}: no recipients")
        sizes["notify"].append(len(body))
        if i == 0:
            st, h, again = api.call("POST", path, body_in,
                                    {"Idempotency-Key": key})
            if st != 202 or again != body or \
                    h.get("Idempotent-Replayed") != "true":
                fail(f"POST {path}: a replayed key answered {st} "
                     f"{again[:200]!r}")

    # A batch of 1,000 new expenses, then the same again: 1,000 updates.
    pair = notify[0]
    path = f"/v1/clients/{pair[1]}/expenses"
    batch = {"expenses": [{
        "external_id": f"bench-check-{nonce}-{k}", "amount_minor": 100 + k,
        "currency": "SEK", "spent_at": "2026-03-02T10:15:00Z",
        "merchant": "Åhléns", "receipt_status": "missing",
        "export_status": "ready"} for k in range(1000)]}
    for want in ((1000, 0), (0, 1000)):
        st, _, body = api_of(pair).call("POST", path, batch)
        doc = check(f"POST {path}", st, 200, body)
        if (doc["created"], doc["updated"]) != want or \
                len(doc["data"]) != 1000:
            fail(f"POST {path}: created {doc['created']}, updated "
                 f"{doc['updated']}, not {want}")
        sizes["batch"].append(len(body))

    result = {"pairs": ROUTE_PAIRS, "routes": {}, "users": {
        "admins": len(admins), "bookkeepers": len(bks)},
        "clients": {"view": len({c for _, c in view}),
                    "notify": len({c for _, c in notify})}}
    with open(os.path.join(out, "routes.tsv"), "w") as f:
        for name, mode, kind, label in ROUTES:
            result["routes"][name] = {
                "label": label, "mode": mode, "pairs": kind,
                "avg_bytes": avg(sizes[name]), "checked": len(sizes[name])}
            f.write(f"{name}\t{mode}\t{out}/pairs-{kind}.tsv\t"
                    f"{avg(sizes[name])}\n")
            print(f"  check {name:8s} ok: {len(sizes[name])} answers, "
                  f"{avg(sizes[name])} bytes on average")
    print(f"  routes: {ROUTE_PAIRS} (token, client) pairs over "
          f"{result['clients']['view']} clients and "
          f"{len(tokens)} users; notify over "
          f"{result['clients']['notify']} clients and {len(admins)} admins")
    with open(os.path.join(out, "routes.json"), "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)


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


def cpu_of_tree(pid):
    """CPU seconds of a PostgreSQL postmaster and its backends: its own,
    its exited children's, and each live child's."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime: the 12th to 15th after comm
    total = sum(int(x) for x in fields[11:15])
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                c = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if c[1] == str(pid):        # ppid: the 2nd after comm
            total += int(c[11]) + int(c[12])
    return total / tick


def run_wrk(out_file, server_pid, args):
    """wrk, and the CPU it, the server and the rest used; with
    BENCH_DB_PID (a postmaster) the database's CPU apart."""
    import resource
    db_pid = os.environ.get("BENCH_DB_PID")
    total0, server0 = cpu_busy(), cpu_of(server_pid)
    db0 = cpu_of_tree(db_pid) if db_pid else 0.0
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out_file, "w") as f:
        rc = subprocess.run(["wrk", *args], stdout=f,
                            stdin=subprocess.DEVNULL).returncode
    child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    total1, server1 = cpu_busy(), cpu_of(server_pid)
    db = cpu_of_tree(db_pid) - db0 if db_pid else 0.0
    wrk = (child1.ru_utime - child0.ru_utime) + \
        (child1.ru_stime - child0.ru_stime)
    total, server = total1 - total0, server1 - server0
    other = max(0.0, total - server - wrk - db)
    with open(out_file, "a") as f:
        f.write(f"bench-cpu: total={total:.2f} server={server:.2f} "
                f"wrk={wrk:.2f} other={other:.2f}"
                + (f" db={db:.2f}" if db_pid else "") + "\n")
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
    m = re.search(r"bench-routes: mode=(\S+) responses=(\d+) bad=(\d+) "
                  r"limited=(\d+) server_errors=(\d+)", text)
    if m:
        r["bad"], r["limited"], r["server_errors"] = \
            int(m.group(3)), int(m.group(4)), int(m.group(5))
    m = re.search(r"^\s+\d+ requests in [\d.]+\w+, ([\d.]+)(\w+) read",
                  text, re.M)
    if m:
        r["bytes"] = float(m.group(1)) * {
            "B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}.get(
                m.group(2), 0)
    m = re.search(r"bench-cpu: total=([\d.]+) server=([\d.]+) wrk=([\d.]+) "
                  r"other=([\d.]+)(?: db=([\d.]+))?", text)
    if m:
        r["cpu"] = dict(zip(("total", "server", "wrk", "other", "db"),
                            (float(x or 0) for x in m.groups())))
    return r


def parse_wrk_loose(path):
    """parse_wrk for the soak: a wrk that failed is an error in the result,
    not the end of the report. bad counts every answer outside 2xx (and
    for the list, pages without rows)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if not re.search(r"^Requests/sec:", text, re.M):
            raise ValueError("no Requests/sec line")
        r = parse_wrk(path)
    except (OSError, ValueError) as e:
        return {"requests": 0, "rps": 0.0, "p50": 0.0, "p99": 0.0,
                "bad": 1, "socket_errors": 0, "error": str(e)}
    r.pop("text", None)
    r["bad"] = max(r["non2xx"], r.get("bad", 0) + r.get("empty", 0))
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
    if "users" in seed:
        people = (f"{seed['users']} users ({len(seed['admins'])} admins, "
                  f"{seed['bookkeepers']} bookkeepers holding the "
                  f"assignments, {seed['bookkeepers_without_clients']} "
                  f"without clients, {seed['integrations']} integrations)")
    else:
        people = f"{seed['bookkeepers']} bookkeepers"
    w(f"Data: one firm (sv) with {seed['clients']:,} clients "
      f"({seed['active']:,} active), {people}, "
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
    pace = run.get("pace_ms")

    def paced_cols(name):
        """req/s, p50 and p99 of the fixed-load run, when there was one."""
        path = os.path.join(out, f"wrk-{name}-paced.txt")
        if not pace or not os.path.exists(path):
            return "| | | "
        p = parse_wrk(path)
        bad = p["non2xx"] + p["socket_errors"] + p.get("bad", 0)
        if bad:
            errors.append(f"{name} at a fixed load: {bad} failed requests")
        return (f"| {p['rps']:,.0f} | {fmt_ms(p['p50'])} "
                f"| {fmt_ms(p['p99'])} ")
    w("| workload | req/s | ratio to baseline | p50 | p99 "
      "| fixed load: req/s | p50 | p99 | goal met? |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    w(f"| baseline: bare civetweb, {prep['baseline_bytes']:,} bytes "
      f"| {base['rps']:,.0f} | 100% | {fmt_ms(base['p50'])} "
      f"| {fmt_ms(base['p99'])} {paced_cols('baseline')}| |")
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
        if name in GOAL_P99_PACED:
            pp = os.path.join(out, f"wrk-{name}-paced.txt")
            if not os.path.exists(pp) or \
                    parse_wrk(pp)["p99"] >= GOAL_P99_MS:
                why.append(f"fixed-load p99 ≥ {GOAL_P99_MS:.0f} ms")
        elif r["p99"] >= GOAL_P99_MS:
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
          f"{goal:.0%}) | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} "
          f"{paced_cols(name)}| {met} |")
        searches = (f" and q= one of {wl['searches']}"
                    if wl.get("searches") else "")
        details.append(
            f"| {name} | `{wl['path']}`{searches} | {wl['total']:,} "
            f"| {wl['pages']} "
            f"| {wl['avg_page_bytes']:,} | {r.get('pages_per_walk', 0):.1f} "
            f"{cpu_cols(name, r)}")
    if pace:
        w("")
        w(f"Fixed load: the same runs with each connection waiting {pace} "
          f"ms between an answer and its next request (at most "
          f"{run['connections'] * 1000 // pace:,} req/s in all), where the "
          f"latency is the server's own; in the runs before, every "
          f"connection always has a request waiting, and by Little's law "
          f"the average latency is the connections over the rate. The "
          f"goal column judges the first p99, but for the searches of "
          f"a search box ({', '.join(GOAL_P99_PACED)}), judged at the "
          f"fixed load. Those walk their searches in turn, each by "
          f"cursor to its last page: the first 1 to 3 letters of the "
          f"names' words (both cases of each letter: there are fewer "
          f"than 50 letters), and ab, in nine names of ten; rows and "
          f"pages below are a search's average.")
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
    errors += export_section(out, base, w)
    errors += route_section(out, run, w)
    errors += soak_section(out, w)
    errors += pg_section(out, run, w)
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 1 if errors else 0


def export_goal(out, base, goal_ratio=None):
    """The CSV export's goals from OUT/export.json (OUT: the bench's
    directory, or its pg/) and the baseline: (met,
    why not, the figures), or None when it was not measured. Rows a
    second at least the plain list's share of the baseline (GOAL_RATIO
    of all), the baseline counted in rows (its page holds LIMIT); the
    resident memory's growth under GOAL_EXPORT_GROWTH_KB in every
    export, whatever its length."""
    path = os.path.join(out, "export.json")
    if not os.path.exists(path) or not base or not base["rps"]:
        return None
    e = json.load(open(path, encoding="utf-8"))
    run = e["run"]
    goal_ratio = goal_ratio or GOAL_RATIO["all"]
    ratio = run["rows_per_second"] / (base["rps"] * LIMIT)
    growth = max([a["growth_kb"] for a in e["alone"].values()] +
                 [run["growth_kb"]])
    why = []
    if ratio < goal_ratio:
        why.append(f"ratio < {goal_ratio:.0%}")
    if growth >= GOAL_EXPORT_GROWTH_KB:
        why.append(f"memory +{growth:,} kB")
    if run["errors"]:
        why.append("errors")
    return not why, why, e, ratio, growth


def export_section(out, base, w, where=None, title="The Clients list as "
                   "CSV", goal_ratio=None):
    """The export's table, after the list's: of the runs in where (out,
    or out/pg for PostgreSQL's), against the baseline in out, judged by
    goal_ratio (the plain list's: GOAL_RATIO, or PostgreSQL's). Returns
    its errors."""
    where = where or out
    goal_ratio = goal_ratio or GOAL_RATIO["all"]
    g = export_goal(where, base, goal_ratio)
    if g is None:
        return []
    met, why, e, ratio, growth = g
    run = e["run"]
    # As the list's table estimates an idle machine: its CPUs over the
    # server's and wrk's CPU time, a row.
    ncpu = os.cpu_count() or 1
    idle = {}
    for name, full, rows in (
            ("baseline", os.path.join(out, "wrk-baseline.txt"), LIMIT),
            ("json", os.path.join(where, "wrk-all.txt"), LIMIT),
            ("csv", os.path.join(where, "wrk-export.txt"),
             run["rows_per_export"])):
        r = parse_wrk(full) if os.path.exists(full) else {}
        c = r.get("cpu")
        # PostgreSQL's server processes count with portal-api's.
        if c and r["requests"] and c["server"] + c["wrk"] > 0:
            spent = c["server"] + c.get("db", 0)
            idle[name] = (ncpu * r["requests"] * rows / (spent + c["wrk"]),
                          spent / (r["requests"] * rows) * 1e6)
    listed = os.path.join(where, "wrk-all.txt")
    json_rows = parse_wrk(listed)["rps"] * LIMIT if \
        os.path.exists(listed) else 0
    w("")
    w(f"### {title}")
    w("")
    w(f"`GET /v1/clients?tab=all&format=csv` (and mine, missing), the "
      f"whole list streamed a store page (200 rows) a chunk; wrk on "
      f"{e['connections']} connections exporting tab=all over and over for "
      f"{e['duration']:.0f} s (`wrk-export.txt`), against the same run's JSON list (tab=all, "
      f"{LIMIT} rows a page, 32 connections) and baseline (its requests "
      f"counted as pages of {LIMIT} rows). Memory: the API process's "
      f"anonymous resident memory (RssAnon: heap and stacks, not the "
      f"files it maps) sampled every 5 ms, its growth over the "
      f"level before, on keep-alive connections that have made one "
      f"export already (the first on a connection also fills that "
      f"thread's database connection's caches and malloc's arena: its "
      f"own column); VmHWM, the whole resident "
      f"set's high-water mark since the process started, maps "
      f"included.")
    w("")
    w("| export | rows | bytes | time | RssAnon before | peak "
      "| growth | growth the first time on the connection |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, a in e["alone"].items():
        w(f"| {name}, alone | {a['rows']:,} | {a['bytes']:,} "
          f"| {a['seconds'] * 1000:,.0f} ms | {mib(a['rss_before_kb'])} "
          f"| {mib(a['rss_peak_kb'])} | {a['growth_kb']:,} kB "
          f"| {a['cold_growth_kb']:,} kB |")
    w(f"| all, {e['connections']} connections (wrk), "
      f"{run['exports_per_second']:,.1f} exports/s "
      f"| {run['rows_per_export']:,} each | | {e['duration']:.0f} s "
      f"| {mib(run['rss_before_kb'])} | {mib(run['rss_peak_kb'])} "
      f"| {run['growth_kb']:,} kB | |")
    w("")
    def idle_cols(name):
        if name not in idle:
            return "| | "
        est, cpu = idle[name]
        ratio = f" ({est / idle['baseline'][0]:.0%})" if "baseline" in \
            idle and name != "baseline" else ""
        return f"| {cpu:.2f} µs | {est:,.0f}{ratio} "
    w(f"| workload | rows/s | ratio to baseline (goal "
      f"{goal_ratio:.0%}) | ratio to the JSON list | server CPU a "
      f"row (with PostgreSQL's) | rows/s on an idle machine, estimated "
      f"| peak growth "
      f"(goal < {mib(GOAL_EXPORT_GROWTH_KB)}) | VmHWM before, after "
      f"| goal met? |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    w(f"| baseline, in rows | {base['rps'] * LIMIT:,.0f} | 100% | "
      f"{idle_cols('baseline')}| | | |")
    if json_rows:
        w(f"| JSON list, tab=all | {json_rows:,.0f} "
          f"| {json_rows / (base['rps'] * LIMIT):.0%} | 100% "
          f"{idle_cols('json')}| | | |")
    to_json = f"{run['rows_per_second'] / json_rows:.0%}" if json_rows \
        else ""
    verdict = "yes" if met else "**no** (" + ", ".join(why) + ")"
    w(f"| CSV export, tab=all | {run['rows_per_second']:,.0f} "
      f"| {ratio:.0%} | {to_json} {idle_cols('csv')}| {growth:,} kB "
      f"| {mib(run['hwm_before_kb'])}, {mib(run['hwm_after_kb'])} "
      f"| {verdict} |")
    return [f"export: {x}" for x in run["errors"][:3]]


def cpu_a_request(r, seconds):
    """Server and wrk CPU a request in µs, the share of the machine other
    processes used, and the estimated req/s of an idle machine (as in the
    list's table); Nones without the figures."""
    c = r.get("cpu")
    if not c or not r["requests"] or c["server"] + c["wrk"] <= 0:
        return None, None, None, None
    n, ncpu = r["requests"], os.cpu_count() or 1
    return (c["server"] / n * 1e6, c["wrk"] / n * 1e6,
            c["other"] / (seconds * ncpu),
            ncpu * n / (c["server"] + c["wrk"]))


def route_section(out, run, w):
    """The table of a client's routes; returns its errors."""
    path = os.path.join(out, "routes.json")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        rt = json.load(f)
    errors = []
    w("")
    w("## Benchmark: a client's routes")
    w("")
    w(f"Load: `wrk -t{run['threads']} -c{run['connections']} "
      f"-d{run['duration']}s --timeout 5s --latency -s "
      f"scripts/bench-routes.lua`, "
      f"each request to a random one of {rt['pairs']:,} (token, client) "
      f"pairs: half an admin's (of {rt['users']['admins']}), half a "
      f"bookkeeper's (of {rt['users']['bookkeepers']}) with a client "
      f"assigned to them, {rt['clients']['view']:,} clients in all; "
      f"notify: an admin's, over {rt['clients']['notify']:,} clients with "
      f"an assigned bookkeeper, with PORTAL_NOTIFY_PER_CLIENT_HOUR and "
      f"PORTAL_NOTIFY_PER_SENDER_HOUR raised to 1,000,000 for the run. "
      f"Each route's baseline: the bare civetweb handler answering the "
      f"same requests with 200 and a body of that route's average answer, "
      f"measured right before it. Any answer outside 2xx is a failed "
      f"request, and so is a socket error (wrk waits 5 s, the server's "
      f"own request timeout, before it counts a timeout).")
    w("")
    w("| workload | req/s | ratio to baseline | p50 | p99 "
      "| failed requests |")
    w("| --- | ---: | ---: | ---: | ---: | ---: |")
    details = []
    for name, _, _, _ in ROUTES:
        info = rt["routes"][name]
        b = parse_wrk(os.path.join(out, f"wrk-route-{name}-baseline.txt"))
        r = parse_wrk(os.path.join(out, f"wrk-route-{name}.txt"))
        ratio = r["rps"] / b["rps"] if b["rps"] else 0
        failed = {}
        for who, x in (("baseline", b), (name, r)):
            n = max(x["non2xx"], x.get("bad", 0)) + x["socket_errors"]
            failed[who] = n
            if n:
                errors.append(
                    f"{who if who == name else name + ' baseline'}: "
                    f"{max(x['non2xx'], x.get('bad', 0))} answers outside "
                    f"2xx ({x.get('limited', 0)} of them 429, "
                    f"{x.get('server_errors', 0)} 5xx), "
                    f"{x['socket_errors']} socket errors")

        def fail_col(n):
            return "0" if not n else f"**{n:,}**"
        w(f"| baseline: bare civetweb, {info['avg_bytes']:,} bytes "
          f"| {b['rps']:,.0f} | 100% | {fmt_ms(b['p50'])} "
          f"| {fmt_ms(b['p99'])} | {fail_col(failed['baseline'])} |")
        w(f"| {info['label']} | {r['rps']:,.0f} | {ratio:.0%} "
          f"| {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} "
          f"| {fail_col(failed[name])} |")
        for who, x in (("baseline", b), (name, r)):
            srv, wrk, other, idle = cpu_a_request(x, run["duration"])
            per = x.get("bytes", 0) / x["requests"] if x["requests"] else 0
            details.append(
                f"| {name}{' baseline' if who == 'baseline' else ''} "
                f"| {x['requests']:,} | {per:,.0f} "
                + (f"| {srv:,.0f} µs | {wrk:,.0f} µs | {other:.0%} "
                   f"| {idle:,.0f} |"
                   if srv is not None else "| | | | |"))
    w("")
    w("| run | requests | bytes an answer, headers included "
      "| server CPU a request | wrk CPU a request "
      "| other processes' CPU | req/s on an idle machine, estimated |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for d in details:
        w(d)
    w("")
    w("Preference PUTs change the setting every time (the script sends a "
      "value other than its last for that pair); notify runs its "
      "Idempotency-Key check (a fresh key each) and queues one email per "
      "assigned bookkeeper in the outbox, with no worker delivering "
      "them during the run.")
    if errors:
        w("")
        w("Errors: " + "; ".join(errors))
    return errors


PG_GOAL_RATIO = {"all": 0.15}   # the plain list; every other: 0.05
PG_GOAL_RATIO_DEFAULT = 0.05
PG_GOAL_PACED_P99_MS = 10.0


def failed(r):
    """A run's failed requests: answers outside 2xx, socket errors, empty
    list pages."""
    return max(r["non2xx"], r.get("bad", 0)) + r["socket_errors"] + \
        r.get("empty", 0)


def pg_cpu(r):
    """portal-api's and PostgreSQL's CPU a request, in µs."""
    c = r.get("cpu")
    if not c or not r["requests"]:
        return ""
    n = r["requests"]
    return f"{c['server'] / n * 1e6:,.0f} + {c['db'] / n * 1e6:,.0f} µs"


def pg_section(out, run, w):
    """PostgreSQL beside SQLite: the same workloads on the same data,
    judged against the same baselines; returns the errors."""
    pg = os.path.join(out, "pg")
    if not os.path.exists(os.path.join(pg, "run.json")):
        return []
    with open(os.path.join(pg, "run.json"), encoding="utf-8") as f:
        prun = json.load(f)
    with open(os.path.join(out, "prepare.json"), encoding="utf-8") as f:
        prep = json.load(f)
    errors = []
    base = parse_wrk(os.path.join(out, "wrk-baseline.txt"))
    w("")
    w("## Benchmark: PostgreSQL beside SQLite")
    w("")
    w(f"The same portal-api on PostgreSQL {prun['version']} (a throwaway "
      f"cluster of scripts/pg-cluster on the same machine, "
      f"shared_buffers {prun['shared_buffers']}, fsync and "
      f"synchronous_commit on, as SQLite's synchronous=FULL), "
      f"PORTAL_DB_POOL={prun['pool']}, seeded by the same script with the "
      f"same data (its summary compared with SQLite's) in "
      f"{prun['seed_seconds']:.0f} s, then VACUUM ANALYZE. Same wrk "
      f"settings and the same baselines, measured in this run before the "
      f"SQLite figures. CPU a request: portal-api's + the PostgreSQL "
      f"server processes'. Goals: the plain list at "
      f"{PG_GOAL_RATIO['all']:.0%} or more of the baseline, every other "
      f"list at {PG_GOAL_RATIO_DEFAULT:.0%} or more, p99 under "
      f"{PG_GOAL_PACED_P99_MS:.0f} ms at the fixed load; the writes at "
      f"least as fast as on SQLite.")
    w("")
    w("| workload | SQLite req/s | ratio | p99 at fixed load "
      "| PostgreSQL req/s | ratio (goal) | p50 | p99 "
      "| fixed load: req/s | p99 | CPU a request | goal met? |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
      "| ---: | --- |")
    all_ok = True
    for name, _, _, _ in WORKLOADS:
        sq = parse_wrk(os.path.join(out, f"wrk-{name}.txt"))
        sqp = parse_wrk(os.path.join(out, f"wrk-{name}-paced.txt"))
        r = parse_wrk(os.path.join(pg, f"wrk-{name}.txt"))
        rp = parse_wrk(os.path.join(pg, f"wrk-{name}-paced.txt"))
        ratio = r["rps"] / base["rps"] if base["rps"] else 0
        goal = PG_GOAL_RATIO.get(name, PG_GOAL_RATIO_DEFAULT)
        why = []
        if name not in PG_NO_GOAL and ratio < goal:
            why.append(f"ratio < {goal:.0%}")
        if name not in PG_NO_GOAL and rp["p99"] >= PG_GOAL_PACED_P99_MS:
            why.append(f"fixed-load p99 ≥ {PG_GOAL_PACED_P99_MS:.0f} ms")
        bad = failed(r) + failed(rp)
        if bad:
            errors.append(f"PostgreSQL {name}: {bad} failed requests")
            why.append("errors")
        all_ok = all_ok and not why
        met = "**no** (" + ", ".join(why) + ")" if why else \
            "(no goal)" if name in PG_NO_GOAL else "yes"
        w(f"| {prep['workloads'][name]['label']} | {sq['rps']:,.0f} "
          f"| {sq['rps'] / base['rps'] if base['rps'] else 0:.0%} "
          f"| {fmt_ms(sqp['p99'])} | {r['rps']:,.0f} | {ratio:.0%} "
          f"({'–' if name in PG_NO_GOAL else f'{goal:.0%}'}) "
          f"| {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} "
          f"| {rp['rps']:,.0f} | {fmt_ms(rp['p99'])} | {pg_cpu(r)} "
          f"| {met} |")
    w("")
    w("| route | baseline req/s | SQLite req/s | ratio | p99 "
      "| PostgreSQL req/s | ratio | p99 | CPU a request | goal met? |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    with open(os.path.join(pg, "routes.json"), encoding="utf-8") as f:
        rt = json.load(f)
    for name, _, _, label in ROUTES:
        b = parse_wrk(os.path.join(out, f"wrk-route-{name}-baseline.txt"))
        sq = parse_wrk(os.path.join(out, f"wrk-route-{name}.txt"))
        r = parse_wrk(os.path.join(pg, f"wrk-route-{name}.txt"))
        why = []
        if name in WRITES and r["rps"] < sq["rps"]:
            why.append("slower than SQLite")
        if failed(r):
            errors.append(f"PostgreSQL route {name}: {failed(r)} failed "
                          f"requests")
            why.append("errors")
        all_ok = all_ok and not why
        met = "**no** (" + ", ".join(why) + ")" if why else \
            "yes" if name in WRITES else "(a read: no goal)"
        w(f"| {rt['routes'][name]['label']} | {b['rps']:,.0f} "
          f"| {sq['rps']:,.0f} | {sq['rps'] / b['rps'] if b['rps'] else 0:.0%} "
          f"| {fmt_ms(sq['p99'])} | {r['rps']:,.0f} "
          f"| {r['rps'] / b['rps'] if b['rps'] else 0:.0%} "
          f"| {fmt_ms(r['p99'])} | {pg_cpu(r)} | {met} |")
    w("")
    w("All PostgreSQL goals met." if all_ok and not errors else
      "PostgreSQL goals not met: see the rows marked **no**.")
    if errors:
        w("")
        w("Errors: " + "; ".join(errors))
    errors += export_section(out, base, w, pg, "The Clients list as "
                             "CSV, on PostgreSQL", PG_GOAL_RATIO["all"])
    return errors


def mib(kb):
    return f"{kb / 1024:,.1f} MiB"


def soak_section(out, w):
    """The soak's table; returns its failures."""
    path = os.path.join(out, "soak.json")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        sk = json.load(f)
    st = sk["streams"]
    names = [("list", "list (tab=all by cursor, admin)"),
             ("details", "details"), ("pref-put", "preference PUT"),
             ("notify", "notify")]
    w("")
    w("## Soak")
    w("")
    w(f"All at once for {sk['seconds']} s against the server of the runs "
      f"above: four wrk processes (`-t1 -c{sk['connections_each']}` each) "
      f"on the tab=all list walked by cursor, details, preference PUT and "
      f"notify, as in the runs above. The server's memory is read from "
      f"/proc every few seconds; its private part (RssAnon: heap, stacks, "
      f"SQLite's page caches, where a leak would show) may grow at most "
      f"{sk['max_growth_pct']:.0f}% from the first sample after "
      f"{sk['warmup']} s of warm-up to the last. The whole resident set "
      f"(VmRSS) also counts the database pages read through mmap, which "
      f"come and go with the page cache: shown, not judged. wrk counts a "
      f"request unanswered after 5 s (the server's own request timeout) "
      f"as a timeout, a socket error.")
    w("")
    w("| measure | value |")
    w("| --- | --- |")
    total = sk["requests"]
    w(f"| requests | {total:,} ({total / sk['seconds']:,.0f}/s): "
      + ", ".join(f"{label} {st[n]['requests']:,}" for n, label in names
                  if n in st) + " |")
    w("| p50 / p99 | " + ", ".join(
        f"{label} {fmt_ms(st[n]['p50'])} / {fmt_ms(st[n]['p99'])}"
        for n, label in names if n in st) + " |")
    w(f"| answers outside 2xx | {sk['non2xx']:,} |")
    w(f"| socket errors (connect, read, write, timeout) "
      f"| {sk['socket_errors']:,} |")
    mem = sk.get("memory", {})
    if "VmRSS" in mem:
        v = mem["VmRSS"]
        w(f"| server resident memory (VmRSS) after warm-up → end "
          f"| {mib(v['at_warmup_kb'])} → {mib(v['end_kb'])} "
          f"({v['growth_pct']:+.1f}%; highest {mib(v['max_kb'])}) |")
        for k, what in (("RssAnon", "private memory (judged)"),
                        ("RssFile", "database pages mapped (mmap reads)")):
            v = mem[k]
            w(f"| of which {what} | {mib(v['at_warmup_kb'])} → "
              f"{mib(v['end_kb'])} ({v['growth_pct']:+.1f}%; highest "
              f"{mib(v['max_kb'])}) |")
    w(f"| afterwards | server {'alive' if sk['alive'] else '**gone**'}, "
      f"`/healthz` {sk['healthz']}, list page {sk['list_after']} |")
    w(f"| database / WAL at the end | {sk['db_bytes'] / 2**20:,.0f} MiB / "
      f"{sk['wal_bytes'] / 2**20:,.1f} MiB |")
    if sk.get("log_lines"):
        w(f"| server log lines (level warn) | {sk['log_lines']:,} |")
    w("")
    w("Soak passed: memory flat, no failed request, the server serves on."
      if sk["ok"] else "**Soak failed: " + "; ".join(sk["failures"]) +
      ".**")
    return [f"soak: {f}" for f in sk["failures"]]


def copy_db(src, dst):
    """A consistent copy through SQLite's backup API (safe even if the
    source were open), replacing dst and its WAL files."""
    import sqlite3
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(dst + suffix)
        except FileNotFoundError:
            pass
    s = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    d = sqlite3.connect(dst)
    try:
        s.backup(d)
    finally:
        d.close()
        s.close()


def same_seed(a_path, b_path):
    with open(a_path, encoding="utf-8") as f:
        a = json.load(f)
    with open(b_path, encoding="utf-8") as f:
        b = json.load(f)
    a.pop("seconds", None)
    b.pop("seconds", None)
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    if diff:
        fail(f"{b_path} and {a_path} differ in {', '.join(diff)}: not the "
             f"same data set")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "same-seed":
        same_seed(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "copy-db":
        copy_db(sys.argv[2], sys.argv[3])
        return 0
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
