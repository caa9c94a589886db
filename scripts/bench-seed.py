#!/usr/bin/env python3
"""Seeds the benchmark firm: one firm (locale sv) with 100 users through
the operator CLI (10 admins, 2 integration accounts, 50 bookkeepers who
hold the assignments and 38 bookkeepers with no client yet), then 10,000
clients with Nordic names, their verification, assignees, balances and
1,000,000 expenses through the running API, over keep-alive connections
from several threads. Deterministic: the same counts give the same data.

Usage: bench-seed.py BASE_URL INFO_JSON
  PORTAL_DB (and the rest of the PORTAL_* environment) for the CLI,
  BENCH_API the portal-api binary (bin/portal-api);
  BENCH_LIST_CLIENTS, BENCH_LIST_EXPENSES, BENCH_LIST_BOOKKEEPERS (those
  with clients), BENCH_USERS (all users) and BENCH_ADMINS override the
  counts.
Writes INFO_JSON: the logins, the counts, the search term to use, and
the searches a search box sends first (typeahead: at least 50 of one,
two and three characters, from the beginnings of the names' words).
"""
import concurrent.futures
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse

PASSWORD = "bench-password-2026"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API = os.environ.get("BENCH_API") or os.path.join(ROOT, "bin",
                                                  "portal-api")

N_CLIENTS = int(os.environ.get("BENCH_LIST_CLIENTS", "10000"))
N_EXPENSES = int(os.environ.get("BENCH_LIST_EXPENSES", "1000000"))
N_BOOKKEEPERS = int(os.environ.get("BENCH_LIST_BOOKKEEPERS", "50"))
N_USERS = int(os.environ.get("BENCH_USERS", "100"))
N_ADMINS = int(os.environ.get("BENCH_ADMINS", "10"))
N_INTEGRATIONS = 2
THREADS = int(os.environ.get("BENCH_LIST_SEED_THREADS", "8"))
BATCH = 1000                    # expenses per request, the API's maximum

FIRST = ["Åke", "Åsa", "Ärla", "Östen", "Örjan", "Ægir", "Øystein", "Øyvind",
         "Lars", "Karin", "Mette", "Nils", "Freja", "Ingrid", "Jens",
         "Sigrid", "Björn", "Sören", "Märta", "Göran", "Håkan", "Jørgen",
         "Søren", "Maja", "Elsa", "Anders", "Britt", "Dag", "Eskil", "Frida",
         "Gunnel", "Henrik", "Ida", "Johan", "Kjell", "Linnea", "Magnus",
         "Nora", "Ole", "Pia", "Rune", "Stina", "Tove", "Ulf", "Vera",
         "Yngve"]
LAST = ["Åkesson", "Öberg", "Lindqvist", "Ström", "Ærø", "Østergaard",
        "Björklund", "Nyström", "Sandberg", "Holm", "Dahl", "Engström",
        "Fjäll", "Kjær", "Løvås", "Wikström", "Andersson", "Johansson",
        "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansen",
        "Hansen", "Nielsen", "Jensen", "Pedersen", "Kristiansen", "Lund",
        "Berg", "Hägg", "Ekdahl", "Lindgren", "Sjöberg", "Wallin",
        "Hedlund", "Åberg", "Söderlund", "Norén", "Blom", "Falk", "Grönlund",
        "Hellström", "Isaksson", "Jakobsen", "Krogh", "Lövgren", "Mørk",
        "Nordahl", "Quist", "Rask", "Strand", "Thorsen", "Vik", "Ågren",
        "Østby", "Dæhli", "Sæther", "Bækkelund"]
PLACES = ["Öresund", "Ängelholm", "Ålesund", "Æbeltoft", "Malmö", "Göteborg",
          "Tromsø", "Umeå", "Västerås", "Helsingør", "Århus", "Ørestad",
          "Lund", "Uppsala", "Örebro", "Växjö", "Luleå", "Bodø", "Kiruna",
          "Falun", "Skövde", "Ystad", "Visby", "Kalmar", "Gävle", "Borås",
          "Mora", "Sälen", "Åre", "Kristiansand", "Stavanger", "Odense",
          "Ærøskøbing", "Bergen", "Trondheim", "Haparanda"]
TRADES = ["Bygg", "Revision", "Konsult", "Handel", "Fastigheter",
          "Transport", "Design", "El & VVS", "Måleri", "Städ", "Café",
          "Bageri", "Redovisning", "Snickeri", "Trädgård", "Fisk", "Data",
          "Verkstad", "Frisör", "Hälsa", "Ekonomi", "Import", "Logistik",
          "Tandvård", "Golv", "Plåt", "Rör", "Skog", "Åkeri"]
# Most Swedish companies are aktiebolag, "AB" in their names. Drawn for
# 95% of the names (a name drawn twice is drawn again, which favours the
# rarer forms), it ends about nine in ten: "ab" matches nearly every
# client, as in a real firm.
SHARE_AB = 0.95
FORMS = ["HB", "ApS", "AS", "A/S", "Oy", "& Co", "& Söner", "Aktiebolag",
         "KB", ""]
MERCHANTS = ["SJ", "Clas Ohlson", "ICA Maxi", "Circle K", "Biltema",
             "Espresso House", "Posten", "Telia", "Jula", "Apoteket",
             "Coop", "Hemköp", "Bauhaus", "Ahlsell", "Preem", "OKQ8",
             "Scandic", "SAS", "Norwegian", "DSB", "Vy", "Netto", "Rema 1000",
             "Elgiganten", "Kjell & Company", "Åhléns", "Søstrene Grene"]
TERMS = ["berg", "ström", "son", "lund", "vik", "åke", "gård"]


def log(msg):
    print(f"  seed: {msg}", flush=True)


def cli(*args):
    env = dict(os.environ, PORTAL_PASSWORD=PASSWORD)
    r = subprocess.run([API, *args], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"portal-api {' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout)["id"]


class Api:
    """One keep-alive connection with one caller's token."""

    def __init__(self, base, token=None):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.conn = http.client.HTTPConnection(self.host, self.port,
                                               timeout=120)
        self.token = token

    def call(self, method, path, body=None, ok=(200, 201, 204)):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for attempt in range(3):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # The server closed an idle keep-alive connection.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=120)
                if attempt == 2:
                    raise
        if resp.status not in ok:
            raise SystemExit(f"{method} {path}: {resp.status} {text[:400]!r}")
        return json.loads(text) if text else None

    def close(self):
        self.conn.close()


def login(base, email):
    a = Api(base)
    return a.call("POST", "/v1/auth/token",
                  {"email": email, "password": PASSWORD})["access_token"]


def typeahead_queries(rng, names, per_length=60):
    """What a search box sends as someone types a client's name: the
    first one, two and three letters of the names' words, each length at
    least 50 different ones. Of one letter there are fewer than 50 after
    case folding, so both cases go in, as people type either."""
    words = [w for n in names for w in n.split() if w[0].isalnum()]
    out = {}
    for n in (1, 2, 3):
        prefixes = sorted({w[:n].casefold() for w in words if len(w) >= n})
        if n == 1:
            prefixes = sorted(set(prefixes) |
                              {p.upper() for p in prefixes})
        if len(prefixes) > per_length:
            prefixes = sorted(rng.sample(prefixes, per_length))
        if len(prefixes) < 50:
            raise SystemExit(f"only {len(prefixes)} different searches of "
                             f"{n} characters in the names")
        out[str(n)] = prefixes
    return out


def luhn_digit(digits):
    """The check digit that makes digits and it pass the Luhn check
    (weights 2, 1, 2, ... from the first digit, digit sums of products)."""
    total = 0
    for k, ch in enumerate(digits):
        d = int(ch) * (2 if k % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


def org_number(a, b, i):
    """Client i's organisation number: a Swedish one (the firm's locale is
    sv), valid (9 digits and their Luhn check digit) and written in its
    normal form (no dash), which the API answers as sent. a (55-59) and b
    (1000-9999) are drawn as before, so that the rest of the data stays
    the same; i keeps the numbers of the firm unique: in four digits after
    a and b's first three, or in seven after a past 9,999 clients."""
    body = f"{a}{b // 10}{i:04d}" if i < 10**4 else f"{a}{i:07d}"
    assert len(body) == 9, body
    return body + luhn_digit(body)


def make_names(rng, n):
    """n distinct company names, in random order."""
    used = set()
    out = []
    while len(out) < n:
        shape = rng.random()
        form = "AB" if rng.random() < SHARE_AB else rng.choice(FORMS)
        if shape < 0.35:
            name = f"{rng.choice(LAST)} {rng.choice(TRADES)} {form}"
        elif shape < 0.6:
            name = f"{rng.choice(PLACES)} {rng.choice(TRADES)} {form}"
        elif shape < 0.85:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} " \
                   f"{rng.choice(TRADES)} {form}"
        else:
            name = f"{rng.choice(LAST)} & {rng.choice(LAST)} {form}"
        name = name.strip()
        if name not in used:
            used.add(name)
            out.append(name)
    return out


def expense_counts(rng, n_clients, total):
    """A skewed split of total expenses over clients; about 6% get none."""
    weights = [0.0 if rng.random() < 0.06 else rng.lognormvariate(0, 1.0)
               for _ in range(n_clients)]
    s = sum(weights) or 1.0
    counts = [int(w * total / s) for w in weights]
    # Hand out the rounding remainder to clients that already have some.
    i = 0
    nonzero = [k for k, w in enumerate(weights) if w > 0] or [0]
    while sum(counts) < total:
        counts[nonzero[i % len(nonzero)]] += 1
        i += 1
    return counts


class Progress:
    def __init__(self, what, total):
        self.what, self.total, self.done = what, total, 0
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.next_report = self.t0 + 10

    def add(self, n=1):
        with self.lock:
            self.done += n
            now = time.monotonic()
            if now >= self.next_report:
                self.next_report = now + 10
                log(f"{self.what}: {self.done}/{self.total} "
                    f"({now - self.t0:.0f} s)")


def run_parallel(fn, items):
    with concurrent.futures.ThreadPoolExecutor(THREADS) as ex:
        for _ in ex.map(fn, items):
            pass


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: bench-seed.py BASE_URL INFO_JSON")
    base, info_path = sys.argv[1], sys.argv[2]
    rng = random.Random(20260301)
    t_start = time.monotonic()

    # --- people, through the operator CLI (yescrypt: run them side by side)
    partner = cli("create-partner", "--name", "Nordisk Redovisning AB",
                  "--locale", "sv", "--timezone", "Europe/Stockholm")
    people = [("admin@bench.test", "Agnes Admin", "admin"),
              ("integration@bench.test", "Spend platform", "integration")]
    for i in range(N_BOOKKEEPERS):
        people.append((f"bk{i + 1:02d}@bench.test",
                       f"{FIRST[i % len(FIRST)]} "
                       f"{LAST[(i * 7) % len(LAST)]}", "bookkeeper"))
    # The rest of the firm's staff up to N_USERS: more admins (who send
    # the reminders of the notify workload), a second integration, and
    # bookkeepers with no client yet. They come after the bookkeepers
    # above, so the clients and their assignments stay as they were.
    extra = []
    for i in range(1, N_ADMINS):
        extra.append((f"admin{i + 1:02d}@bench.test",
                      f"{FIRST[(i * 5) % len(FIRST)]} "
                      f"{LAST[(i * 11) % len(LAST)]}", "admin"))
    for i in range(1, N_INTEGRATIONS):
        extra.append((f"integration{i + 1:02d}@bench.test",
                      f"Spend platform {i + 1}", "integration"))
    for i in range(N_BOOKKEEPERS,
                   N_BOOKKEEPERS + N_USERS - len(people) - len(extra)):
        extra.append((f"bk{i + 1:02d}@bench.test",
                      f"{FIRST[(i * 3) % len(FIRST)]} "
                      f"{LAST[(i * 13) % len(LAST)]}", "bookkeeper"))
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        ids = list(ex.map(lambda p: cli(
            "create-user", "--partner", str(partner), "--email", p[0],
            "--name", p[1], "--role", p[2]), people + extra))
    user_id = {p[0]: i for p, i in zip(people + extra, ids)}
    bookkeepers = [user_id[p[0]] for p in people if p[2] == "bookkeeper"]
    admins = [p[0] for p in people + extra if p[2] == "admin"]
    n_idle = sum(1 for p in extra if p[2] == "bookkeeper")
    log(f"firm {partner}: {len(ids)} users: {len(admins)} admins, "
        f"{len(bookkeepers)} bookkeepers with clients, {n_idle} without, "
        f"{N_INTEGRATIONS} integrations ({time.monotonic() - t_start:.1f} s)")

    admin_token = login(base, "admin@bench.test")
    integ_token = login(base, "integration@bench.test")

    # --- what each client becomes, decided up front (deterministic)
    names = make_names(rng, N_CLIENTS)
    n_inv = max(1, N_CLIENTS * 2 // 100)        # 2% invitations
    n_onb = max(1, N_CLIENTS * 3 // 100)        # 3% still onboarding
    n_rej = max(1, N_CLIENTS // 200)            # 0.5% rejected
    plan = []
    for i, name in enumerate(names):
        if i < n_inv:
            status = "invitation"
        elif i < n_inv + n_onb:
            status = "onboarding"
        elif i < n_inv + n_onb + n_rej:
            status = "rejected"
        else:
            status = "active"
        who = rng.sample(bookkeepers, 1 if rng.random() < 0.55 else 2)
        a, b = rng.randrange(55, 60), rng.randrange(10**3, 10**4)
        plan.append({
            "i": i, "name": name, "status": status, "who": who,
            "org": org_number(a, b, i),
            "balance": rng.randrange(-500000, 5000000),
        })
    active = [p for p in plan if p["status"] == "active"]
    counts = expense_counts(rng, len(active), N_EXPENSES)
    for p, n in zip(active, counts):
        p["expenses"] = n
        # About 45% of clients keep every receipt; the others miss a
        # share, so that missing receipts are about 15% overall.
        p["miss_rate"] = 0.0 if rng.random() < 0.45 else \
            rng.uniform(0.05, 0.50)
        p["seed"] = rng.randrange(1 << 30)

    # --- clients: create, verify, assign, balance (one pipeline each)
    local = threading.local()

    def conns():
        if not hasattr(local, "admin"):
            local.admin = Api(base, admin_token)
            local.integ = Api(base, integ_token)
        return local.admin, local.integ

    prog = Progress("clients", len(plan))

    def make_client(p):
        admin, integ = conns()
        if p["status"] == "invitation":
            c = integ.call("POST", "/v1/clients", {
                "name": p["name"], "org_number": p["org"],
                "status": "invitation"})
        else:
            c = admin.call("POST", "/v1/clients", {
                "name": p["name"], "org_number": p["org"],
                "contact_email": f"ekonomi{p['i']}@kund.example"})
            cid = c["id"]
            if p["status"] in ("active", "rejected"):
                integ.call("POST", f"/v1/clients/{cid}/verification", {
                    "result": "approved" if p["status"] == "active"
                    else "rejected"})
            if p["status"] in ("active", "onboarding"):
                admin.call("PUT", f"/v1/clients/{cid}/assignees",
                           {"user_ids": p["who"]})
            if p["status"] == "active":
                integ.call("PUT", f"/v1/clients/{cid}/balance", {
                    "amount_minor": p["balance"], "currency": "SEK"})
        p["id"] = c["id"]
        prog.add()

    t0 = time.monotonic()
    run_parallel(make_client, plan)
    t_clients = time.monotonic() - t0
    log(f"{len(plan)} clients in {t_clients:.1f} s")

    # --- expenses, in batches of up to 1000 per request
    batches = []
    for p in active:
        for start in range(0, p["expenses"], BATCH):
            batches.append((p, start, min(p["expenses"], start + BATCH)))
    prog = Progress("expense batches", len(batches))
    missing_by_client = {}
    lock = threading.Lock()

    def post_expenses(b):
        p, lo, hi = b
        _, integ = conns()
        r = random.Random(p["seed"] * 1000003 + lo)
        exps = []
        missing = 0
        for n in range(lo, hi):
            if r.random() < p["miss_rate"]:
                receipt = "missing"
                missing += 1
            else:
                receipt = "attached" if r.random() < 0.85 else "not_required"
            x = r.random()
            export = "ready" if x < 0.20 else \
                "exported" if x < 0.70 else "pending"
            exps.append({
                "external_id": f"card-{p['i']}-{n}",
                "amount_minor": r.randrange(500, 2500000),
                "currency": "SEK",
                "spent_at": f"2026-{r.randrange(1, 13):02d}-"
                            f"{r.randrange(1, 29):02d}T"
                            f"{r.randrange(7, 22):02d}:"
                            f"{r.randrange(60):02d}:00Z",
                "merchant": r.choice(MERCHANTS),
                "receipt_status": receipt,
                "export_status": export,
            })
        integ.call("POST", f"/v1/clients/{p['id']}/expenses",
                   {"expenses": exps})
        with lock:
            missing_by_client[p["i"]] = \
                missing_by_client.get(p["i"], 0) + missing
        prog.add()

    t0 = time.monotonic()
    run_parallel(post_expenses, batches)
    t_expenses = time.monotonic() - t0
    log(f"{N_EXPENSES} expenses in {len(batches)} requests in "
        f"{t_expenses:.1f} s ({N_EXPENSES / max(t_expenses, 1e-9):.0f}/s)")

    # --- a low-balance line: the overdrawn tenth of the clients gets
    # low_balance, for alert= and sort=attention (the default thresholds,
    # 10 missing receipts and 30 days, raise the other two alerts).
    Api(base, admin_token).call("PUT", "/v1/settings/thresholds", {
        "balance_below": [{"amount_minor": 0, "currency": "SEK"}],
        "missing_receipts_above": 10,
        "missing_receipt_older_than_days": 30})

    # --- what the workloads will see
    def folded(s):
        return s.casefold()

    n_missing_clients = sum(1 for n in missing_by_client.values() if n > 0)
    term_hits = {t: sum(1 for p in active if t in folded(p["name"]))
                 for t in TERMS}
    # The term closest to 300 matches among active clients.
    term = min(TERMS, key=lambda t: abs(term_hits[t] - 300))
    per_bk = {}
    for p in active:
        for u in p["who"]:
            per_bk[u] = per_bk.get(u, 0) + 1
    # A bookkeeper with a median number of clients.
    ranked = sorted(bookkeepers, key=lambda u: (per_bk.get(u, 0), u))
    bk = ranked[len(ranked) // 2]
    bk_email = next(e for e, i in user_id.items() if i == bk)
    typeahead = typeahead_queries(rng, [p["name"] for p in active])
    info = {
        "partner_id": partner,
        "password": PASSWORD,
        "admin": "admin@bench.test",
        "bookkeeper": bk_email,
        "bookkeeper_clients": per_bk.get(bk, 0),
        "clients": len(plan),
        "active": len(active),
        "bookkeepers": len(bookkeepers),
        "users": len(ids),
        "admins": admins,
        "bookkeepers_with_clients": [
            e for e, i in user_id.items() if i in set(bookkeepers)],
        "bookkeepers_without_clients": n_idle,
        "integrations": N_INTEGRATIONS,
        "expenses": N_EXPENSES,
        "missing_receipts": sum(missing_by_client.values()),
        "clients_with_missing": n_missing_clients,
        "q": term,
        "q_matches": term_hits[term],
        "term_matches": term_hits,
        "typeahead": typeahead,
        "ab_matches": sum(1 for p in active if "ab" in folded(p["name"])),
        "seconds": {
            "clients": round(t_clients, 1),
            "expenses": round(t_expenses, 1),
            "total": round(time.monotonic() - t_start, 1),
        },
    }
    with open(info_path, "w", encoding="utf-8") as f:
        json.dump(info, f, ensure_ascii=False, indent=1)
    log(f"done in {info['seconds']['total']} s: {len(active)} active "
        f"clients, {n_missing_clients} with missing receipts, "
        f"q={term!r} matches {term_hits[term]}, {bk_email} has "
        f"{info['bookkeeper_clients']} active clients")


if __name__ == "__main__":
    main()
