"""Crash and concurrency, against the real programs on loopback.

- The API and a looping worker write the one database at once: bulk
  expense upserts, preference PUTs and client renames from several
  threads while the worker writes digests and delivers them. No request
  answers 5xx (no SQLITE_BUSY reaches a client), every acknowledged write
  is there afterwards, and the per-client counters equal a recount.
- kill -9 of the API in the middle of a stream of bulk upserts, then a
  restart on the same database: every acknowledged batch is there whole,
  no batch is there in part, the counters equal a recount.
- kill -9 of the worker in the middle of delivery, a restart inside the
  300 s lease and one after it: every email arrives, and none twice but
  the one on the wire at the kill.
- Two PATCHes of different fields of one row at once keep both changes
  (a rename does not undo a new organisation number or a deactivation).
- SQLite's write lock held elsewhere (another process) is waited for;
  held past the 10 s busy timeout, writes are answered 503, never 500,
  and reads go on.
- A lease is a lease: two looping workers on real clocks and a mail server
  that takes twice the 2 s lease per message send each message once; a
  worker killed mid-message has it sent by another once its lease is out.

Each test has a database, a server and (where it needs one) an SMTP
server of its own; every wait is bounded. The whole file takes about
50 s on the release build and 65 s under AddressSanitizer (2 cores).
"""
import collections
import random
import re
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from clients_helpers import new_org_number
from conftest import SMTP_CONNECTIONS, ServerProcess, start_portal
from faults_helpers import (WAIT_LONG, Calls, Client, LoadThread, Room,
                            all_expenses, db_all, db_one, duplicates,
                            expense_item, monday_after_next, read_db,
                            received_count, received_message_ids, token_for,
                            unique, wait_until, weekdays_from, WriteLock,
                            kill_while_writing)

RECEIPTS = ("missing", "attached", "not_required")
EXPORTS = ("pending", "ready", "exported")
FREQUENCIES = ("daily", "daily", "weekly", "monthly")

LOAD_SECONDS = 12.0          # the concurrent load of the first test
WORKER_RUN_SECONDS = 2.4     # each looping worker of it, one weekday each
POOL = 1500                  # external ids per writer thread and client

# SQLITE_BUSY and SQLITE_LOCKED with their extended codes, as
# store_log_error() prints them ("database <what>: <message> (<code>)"),
# and sqlite3_exec's own message.
BUSY_LOG = re.compile(r"database is locked|database table is locked|"
                      r"^.*database .*\((5|6|261|262|517|773)\)\s*$", re.M)


@pytest.fixture
def room():
    with tempfile.TemporaryDirectory(prefix="portal-faults-") as tmpdir:
        r = Room(tmpdir)
        try:
            yield r
        finally:
            r.close()


def busy_lines(text):
    return [m.group(0) for m in BUSY_LOG.finditer(text)]


class Setup:
    """Calls that must succeed, for building the world of a test."""

    def __init__(self, portal):
        self.portal = portal
        self.api = Client(portal.base_url, Calls())
        self.admin = portal.token("admin")
        self.integ = portal.token("integration")

    def ok(self, method, path, token, body=None, status=(200, 201, 202)):
        r = self.api.call(method, path, token, "setup", json=body)
        assert r.status_code in status, (method, path, r.status_code,
                                         r.text[:500])
        return r.json() if r.content else None

    def active_client(self, name, org=None):
        """An active client of the firm (Swedish, locale sv), with a valid
        organisation number new to it unless org is given."""
        c = self.ok("POST", "/v1/clients", self.admin, {
            "name": name, "org_number": org or new_org_number("SE"),
            "contact_email": "ekonomi@example.se"})
        self.ok("POST", "/v1/clients/%d/verification" % c["id"], self.integ,
                {"result": "approved"})
        return c["id"]

    def user(self, role, name):
        u = self.portal.create_user(self.admin, role=role, name=name)
        u["token"] = token_for(self.portal, u["id"], role)
        return u


def join_all(threads, timeout=WAIT_LONG):
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    assert not alive, "threads still running after %ss: %s" % (timeout,
                                                                alive)
    return ["%s: %r" % (t.name, t.error) for t in threads
            if getattr(t, "error", None)]


def api_counts(api, token, client_id):
    r = api.call("GET", "/v1/clients/%d" % client_id, token, "GET client")
    assert r.status_code == 200, r.text
    d = r.json()
    return d["missing_receipts"], d["export_ready"]


def filtered_total(api, token, client_id, **flt):
    r = api.call("GET", "/v1/clients/%d/expenses" % client_id, token,
                 "GET expenses", params=dict(flt, limit=1))
    assert r.status_code == 200, r.text
    return r.json()["total"]


def counter_problems(db_path):
    """Every per-client and per-list counter that differs from a recount
    of the rows it counts, read in one snapshot."""
    problems = []
    with read_db(db_path) as db, db.transaction():
        for cid, have_m, have_r, m, r in db.execute(
                "SELECT c.id, c.missing_receipts, c.export_ready, "
                "(SELECT count(*) FROM expenses e WHERE e.client_id = c.id "
                "AND e.receipt_status = 'missing'), "
                "(SELECT count(*) FROM expenses e WHERE e.client_id = c.id "
                "AND e.export_status = 'ready') FROM clients c"):
            if (have_m, have_r) != (m, r):
                problems.append("client %d counters (missing, ready) = %s, "
                                "recount %s" % (cid, (have_m, have_r),
                                                (m, r)))
        # Assignee lists page by copies of the client's figures (builds
        # from before those copies have no such column).
        if "missing_receipts" in db.columns("assignments"):
            for cid, uid, copy, real in db.execute(
                    "SELECT a.client_id, a.user_id, a.missing_receipts, "
                    "c.missing_receipts FROM assignments a JOIN clients c "
                    "ON c.id = a.client_id WHERE a.missing_receipts <> "
                    "c.missing_receipts"):
                problems.append("assignment (%d, %d) copies missing=%d, "
                                "client has %d" % (cid, uid, copy, real))
        # The list totals: per firm (user 0) and per assignee and status.
        for pid, uid, status, n, wm, rn, rwm in db.execute(
                "WITH real AS ("
                " SELECT partner_id, 0 AS user_id, status, count(*) AS n, "
                "  sum(CASE WHEN missing_receipts > 0 THEN 1 ELSE 0 END) "
                "  AS wm FROM clients "
                "  GROUP BY partner_id, status "
                " UNION ALL "
                " SELECT c.partner_id, a.user_id, c.status, count(*), "
                "  sum(CASE WHEN c.missing_receipts > 0 THEN 1 ELSE 0 END) "
                "  FROM assignments a "
                "  JOIN clients c ON c.id = a.client_id "
                "  GROUP BY c.partner_id, a.user_id, c.status) "
                "SELECT k.partner_id, k.user_id, k.status, k.clients, "
                "k.with_missing, coalesce(r.n, 0), coalesce(r.wm, 0) "
                "FROM client_counts k LEFT JOIN real r USING (partner_id, "
                "user_id, status) "
                "UNION ALL "
                "SELECT r.partner_id, r.user_id, r.status, 0, 0, r.n, r.wm "
                "FROM real r WHERE NOT EXISTS (SELECT 1 FROM client_counts "
                "k WHERE (k.partner_id, k.user_id, k.status) = "
                "(r.partner_id, r.user_id, r.status))"):
            if (n, wm) != (rn, rwm):
                problems.append("client_counts (%d, %d, %s) = %s, recount "
                                "%s" % (pid, uid, status, (n, wm),
                                        (rn, rwm)))
    return problems


def integrity(db_path):
    with read_db(db_path) as db:
        return db.integrity()


# --------------------------------------------------------------------------
# 1. The API and the worker write at once

def test_api_and_worker_writing_at_once_lose_nothing(room):
    p = room.portal
    s = Setup(p)
    rng = random.Random(20261)
    clients = [s.active_client(name) for name in
               ("Åkesson Bygg AB", "Öresund Revision", "Ærø Fisk ApS",
                "Bergen Bygg AS")]
    flip = s.active_client("Vändkorset AB")
    every = clients + [flip]
    keepers = [s.user("bookkeeper", "Bokförare %d" % i) for i in range(8)]
    for cid in every:
        s.ok("PUT", "/v1/clients/%d/assignees" % cid, s.admin,
             {"user_ids": [u["id"] for u in keepers]})

    expected = {}          # (client, external_id) -> (id, rs, es, amount)
    prefs = {}             # (user, client) -> (email, frequency)
    names = {}             # client -> name
    calls = Calls()
    stop = threading.Event()

    def record_batch(cid, items, r):
        assert r.status_code == 200, (r.status_code, r.text[:500])
        doc = r.json()
        assert len(doc["data"]) == len(items)
        assert doc["created"] + doc["updated"] == len(items)
        for it, e in zip(items, doc["data"]):
            assert e["external_id"] == it["external_id"], (it, e)
            expected[(cid, it["external_id"])] = (
                e["id"], it["receipt_status"], it["export_status"],
                it["amount_minor"])

    # Before the load: every bookkeeper wants a daily digest of every
    # client, and every client has something outstanding.
    for u in keepers:
        for cid in every:
            s.ok("PUT", "/v1/clients/%d/notification-preference" % cid,
                 u["token"], {"email": True, "frequency": "daily"})
            prefs[(u["id"], cid)] = (True, "daily")
    seed = Client(p.base_url, calls)
    for cid in every:
        items = [expense_item("seed-%04d" % i, "missing", "ready")
                 for i in range(200)]
        record_batch(cid, items, seed.call(
            "POST", "/v1/clients/%d/expenses" % cid, s.integ,
            "POST expenses (batch)", json={"expenses": items}))

    def expense_writer(k, token):
        api = Client(p.base_url, calls)
        mine = {}          # client -> [(external_id, id)] acknowledged
        n = [0]

        def step():
            n[0] += 1
            cid = rng.choice(clients)
            size = rng.randint(200, 1000)
            first = rng.randrange(0, POOL - size + 1)
            items = [expense_item("t%d-%05d" % (k, i), rng.choice(RECEIPTS),
                                  rng.choice(EXPORTS),
                                  amount=rng.randint(-10 ** 6, 10 ** 6))
                     for i in range(first, first + size)]
            r = api.call("POST", "/v1/clients/%d/expenses" % cid, token,
                         "POST expenses (batch)", json={"expenses": items})
            record_batch(cid, items, r)
            mine.setdefault(cid, []).extend(
                (e["external_id"], e["id"]) for e in r.json()["data"])
            if n[0] % 3 == 0:
                # Single changes of own expenses between the batches.
                for ext, eid in rng.sample(mine[cid], 10):
                    rs, es = rng.choice(RECEIPTS), rng.choice(EXPORTS)
                    r = api.call("PATCH", "/v1/clients/%d/expenses/%d"
                                 % (cid, eid), token, "PATCH expense",
                                 json={"receipt_status": rs,
                                       "export_status": es})
                    assert r.status_code == 200, r.text[:500]
                    old = expected[(cid, ext)]
                    expected[(cid, ext)] = (eid, rs, es, old[3])
        return step

    def flipper():
        # One client whose missing-receipt count goes 0 -> 200 -> 0:
        # the list counters that follow "has missing receipts" move too.
        api = Client(p.base_url, calls)
        n = [0]

        def step():
            n[0] += 1
            rs = "missing" if n[0] % 2 else "attached"
            es = "ready" if n[0] % 3 else "exported"
            items = [expense_item("seed-%04d" % i, rs, es)
                     for i in range(200)]
            record_batch(flip, items, api.call(
                "POST", "/v1/clients/%d/expenses" % flip, s.integ,
                "POST expenses (batch)", json={"expenses": items}))
        return step

    def preference_writer(users):
        api = Client(p.base_url, calls)

        def step():
            u = rng.choice(users)
            cid = rng.choice(every)
            body = {"email": rng.random() < 0.8,
                    "frequency": rng.choice(FREQUENCIES)}
            r = api.call("PUT", "/v1/clients/%d/notification-preference"
                         % cid, u["token"], "PUT preference", json=body)
            assert r.status_code == 200, r.text[:500]
            got = r.json()
            assert (got["email"], got["frequency"]) == (body["email"],
                                                        body["frequency"])
            prefs[(u["id"], cid)] = (body["email"], body["frequency"])
        return step

    def renamer():
        api = Client(p.base_url, calls)
        n = [0]

        def step():
            n[0] += 1
            cid = rng.choice(every)
            name = "Klient %d nr %d" % (cid, n[0])
            r = api.call("PATCH", "/v1/clients/%d" % cid, s.admin,
                         "PATCH client", json={"name": name})
            assert r.status_code == 200, r.text[:500]
            assert r.json()["name"] == name
            names[cid] = name
            time.sleep(0.01)
        return step

    def reader():
        api = Client(p.base_url, calls)
        u = keepers[0]

        def step():
            for path, token, route, params in (
                    ("/v1/clients", s.admin, "GET clients (all)",
                     {"tab": "all", "sort": "-missing_receipts"}),
                    ("/v1/clients", u["token"], "GET clients (mine)",
                     {"tab": "mine", "missing_receipts": "true"}),
                    ("/v1/clients/tabs", s.admin, "GET tabs", None),
                    ("/v1/clients/%d" % rng.choice(every), u["token"],
                     "GET client", None)):
                r = api.call("GET", path, token, route, params=params)
                assert r.status_code == 200, r.text[:500]
            time.sleep(0.02)
        return step

    threads = [
        LoadThread("expenses-0", stop, expense_writer(0, s.admin)),
        LoadThread("expenses-1", stop, expense_writer(1, s.integ)),
        LoadThread("expenses-2", stop, expense_writer(2, s.integ)),
        LoadThread("flipper", stop, flipper()),
        LoadThread("preferences-0", stop, preference_writer(keepers[:4])),
        LoadThread("preferences-1", stop, preference_writer(keepers[4:])),
        LoadThread("renames", stop, renamer()),
        LoadThread("reader", stop, reader()),
    ]

    # The worker: a looping one per weekday after the preferences start,
    # each for a while, so that digests are written all through the load.
    days = weekdays_from(monday_after_next(datetime.now(timezone.utc)), 20)
    worker_rcs = []
    t0 = time.monotonic()
    for t in threads:
        t.start()
    try:
        for day in days:
            if time.monotonic() - t0 >= LOAD_SECONDS or any(
                    t.error for t in threads):
                break
            w = room.worker(day)
            time.sleep(WORKER_RUN_SECONDS)
            worker_rcs.append((day.isoformat(), w.stop()))
    finally:
        stop.set()
        errors = join_all(threads)
    load_secs = time.monotonic() - t0
    last_day = day

    problems = []
    problems += ["thread %s" % e for e in errors]
    problems += ["no answer: %s %s: %s" % f for f in calls.failures]
    problems += ["%s %s answered %d after %.0f ms" % (m, route, st, secs * 1e3)
                 for m, route, st, secs in calls.bad()]
    problems += ["a looping worker (%s) exited %d: a pass failed" % x
                 for x in worker_rcs if x[1] != 0]
    problems += ["api log: " + x for x in busy_lines(p.server.log_text())]
    problems += ["worker log: " + x for x in busy_lines(room.worker_logs())]
    digests_during = db_one(room.db_path, "SELECT count(*) FROM digests "
                                          "WHERE status = 'queued'")[0]
    sent_during = db_one(room.db_path, "SELECT count(*) FROM outbox "
                                       "WHERE status = 'sent'")[0]

    # Every acknowledged expense, read back a page at a time and, for a
    # sample, one at a time.
    check = Client(p.base_url, Calls())
    for cid in every:
        rows, total = all_expenses(check, s.admin, cid)
        want = {ext: v for (c, ext), v in expected.items() if c == cid}
        if total != len(want) or set(rows) != set(want):
            problems.append("client %d: %d expenses listed (total %d), %d "
                            "acknowledged; missing %s; unexpected %s" % (
                                cid, len(rows), total, len(want),
                                sorted(set(want) - set(rows))[:5],
                                sorted(set(rows) - set(want))[:5]))
        wrong = [(ext, v, rows[ext]) for ext, v in want.items()
                 if ext in rows and (rows[ext]["id"], rows[ext][
                     "receipt_status"], rows[ext]["export_status"],
                     rows[ext]["amount_minor"]) != v]
        if wrong:
            problems.append("client %d: %d expenses differ from their last "
                            "acknowledged write, e.g. %r" % (cid, len(wrong),
                                                             wrong[:3]))
        # Counters: the client's, the filters' totals, the recount.
        m = sum(v[1] == "missing" for v in want.values())
        r = sum(v[2] == "ready" for v in want.values())
        got = api_counts(check, s.admin, cid)
        if got != (m, r):
            problems.append("client %d: (missing_receipts, export_ready) "
                            "= %s, recount %s" % (cid, got, (m, r)))
        ft = (filtered_total(check, s.admin, cid, receipt_status="missing"),
              filtered_total(check, s.admin, cid, export_status="ready"))
        if ft != (m, r):
            problems.append("client %d: filtered totals %s, recount %s"
                            % (cid, ft, (m, r)))
    for (cid, ext), v in random.Random(7).sample(sorted(expected.items()),
                                                 min(400, len(expected))):
        r = check.call("GET", "/v1/clients/%d/expenses/%d" % (cid, v[0]),
                       s.admin, "GET expense")
        e = r.json() if r.status_code == 200 else {}
        if r.status_code != 200 or (e["external_id"], e["receipt_status"],
                                    e["export_status"],
                                    e["amount_minor"]) != (ext,) + v[1:]:
            problems.append("GET expense %d: %s %s, acknowledged %r" % (
                v[0], r.status_code, r.text[:300], (ext,) + v[1:]))
    problems += counter_problems(room.db_path)

    # The lists agree with the counters: "has missing receipts" for the
    # firm and for every bookkeeper.
    with_missing = {cid for cid in every
                    if api_counts(check, s.admin, cid)[0] > 0}
    for token, tab in [(s.admin, "all")] + [(u["token"], "mine")
                                            for u in keepers]:
        r = check.call("GET", "/v1/clients", token, "GET clients",
                       params={"tab": tab, "missing_receipts": "true",
                               "limit": 200})
        doc = r.json()
        ids = {c["id"] for c in doc["data"]}
        if ids != with_missing or doc["total"] != len(with_missing):
            problems.append("tab %s with missing receipts lists %s (total "
                            "%s), expected %s" % (tab, sorted(ids),
                                                  doc["total"],
                                                  sorted(with_missing)))

    # Preferences and names: the last acknowledged write of each.
    for (uid, cid), want in prefs.items():
        u = next(k for k in keepers if k["id"] == uid)
        r = check.call("GET", "/v1/clients/%d/notification-preference" % cid,
                       u["token"], "GET preference")
        got = (r.json()["email"], r.json()["frequency"])
        if got != want:
            problems.append("preference of user %d on client %d is %s, last "
                            "acknowledged %s" % (uid, cid, got, want))
    for cid, want in names.items():
        got = check.call("GET", "/v1/clients/%d" % cid, s.admin,
                         "GET client").json()["name"]
        if got != want:
            problems.append("client %d is named %r, last acknowledged %r"
                            % (cid, got, want))

    # What the workers queued is delivered once a last pass has run (at
    # the last day: no new period, only the queue).
    rc, log = room.worker_once(last_day + timedelta(minutes=5))
    if rc != 0:
        problems.append("the last worker pass exited %d:\n%s" % (rc,
                                                                 log[-2000:]))
    problems += ["last worker pass: " + x for x in busy_lines(log)]
    outbox = [r[0] for r in db_all(room.db_path,
                                   "SELECT message_id FROM outbox")]
    failed = db_all(room.db_path, "SELECT id, last_error FROM outbox "
                                  "WHERE status <> 'sent'")
    received = received_message_ids(room.maildir)
    if failed:
        problems.append("outbox rows not sent: %r" % failed[:5])
    if sorted(received) != sorted(outbox):
        problems.append("received %d emails (%d distinct) for %d outbox rows;"
                        " duplicates %r" % (len(received), len(set(received)),
                                            len(outbox),
                                            duplicates(received)))
    ok, fk = integrity(room.db_path)
    if ok != [("ok",)] or fk:
        problems.append("integrity_check %r, foreign_key_check %r" % (ok, fk))

    print("\nload %.1fs, %d worker runs, %d digests queued and %d emails "
          "sent during it, %d in all; %d acknowledged expenses\n%s" % (
              load_secs, len(worker_rcs), digests_during, sent_during,
              len(outbox), len(expected), calls.report()))
    assert digests_during > 0 and sent_during > 0, \
        "the worker wrote nothing during the load"
    assert not problems, "%d problems:\n%s\n\n%s" % (
        len(problems), "\n".join(problems[:60]), calls.report())


# --------------------------------------------------------------------------
# 2. kill -9 of the API in the middle of bulk upserts

BATCH = 1000
API_KILL_ROUNDS = 6


def batch_items(name):
    """A batch of fresh expenses, ids NAME:0000..0999, states in a fixed
    pattern: per batch 334 missing receipts and 333 export-ready."""
    return [expense_item("%s:%04d" % (name, i), RECEIPTS[i % 3],
                         EXPORTS[(i // 3) % 3], amount=i)
            for i in range(BATCH)]


PER_BATCH_MISSING = sum(1 for i in range(BATCH) if i % 3 == 0)
PER_BATCH_READY = sum(1 for i in range(BATCH) if (i // 3) % 3 == 1)


@pytest.fixture
def lone_portal():
    """A portal of its own (no SMTP): its server is killed and replaced."""
    with tempfile.TemporaryDirectory(prefix="portal-kill-") as tmpdir:
        p = start_portal(tmpdir)
        try:
            yield p
        finally:
            p.server.stop_and_check()


def test_kill_9_of_the_api_mid_bulk_upsert_keeps_every_acknowledged_batch(
        lone_portal):
    p = lone_portal
    s = Setup(p)
    cid = s.active_client("Kraschtest AB")
    acked = {}         # batch name -> [ids] from its 200
    inflight = []      # batches whose request got no answer
    refused = []       # batches answered with something else than 200
    cut = []           # batches whose 200 was cut short by the kill
    rounds = []
    rng = random.Random(99)

    for rnd in range(API_KILL_ROUNDS):
        stop = threading.Event()
        calls = Calls()
        mine = []

        def loader(k):
            api = Client(p.base_url, calls)
            n = [0]

            def step():
                n[0] += 1
                name = "k%d-%d-%d" % (rnd, k, n[0])
                try:
                    r = api.call("POST", "/v1/clients/%d/expenses" % cid,
                                 s.integ, "POST expenses (batch)",
                                 json={"expenses": batch_items(name)},
                                 timeout=60)
                except Exception:
                    inflight.append(name)
                    return False
                if r.status_code != 200:
                    refused.append((name, r.status_code, r.text[:200]))
                    return False
                # A kill between the status line and the end of the body
                # leaves an answer that does not acknowledge anything.
                try:
                    cl = int(r.headers.get("Content-Length", -1))
                    doc = r.json()
                except ValueError:
                    doc = None
                if doc is None or (cl >= 0 and len(r.content) != cl):
                    cut.append(name)
                    return False
                assert doc["created"] == BATCH, doc["created"]
                acked[name] = [e["id"] for e in doc["data"]]
                mine.append(name)
            return step

        threads = [LoadThread("loader-%d" % k, stop, loader(k))
                   for k in range(2)]
        for t in threads:
            t.start()
        wait_until(lambda: len(mine) >= 3 or any(not t.is_alive()
                                                 for t in threads),
                   WAIT_LONG, "three acknowledged batches")
        if rnd % 2:
            # While a transaction is open (or committing).
            kill_while_writing(p.server, p.env["PORTAL_DB"])
            how = "in a write transaction"
        else:
            # Whatever it is doing: parsing, writing, answering.
            time.sleep(rng.uniform(0, 0.1))
            p.server.kill()                 # SIGKILL
            how = "at a random moment"
        killed_at = time.monotonic()
        stop.set()
        errors = join_all(threads)
        # Back up on the same database, the same address, the same env.
        server = ServerProcess(p.env, p.tmpdir / "portal-api.log")
        server.start()
        p.server = server
        rounds.append((how, len(mine), round(time.monotonic() - killed_at,
                                             2)))
        assert not errors, errors
        assert not refused, refused
        assert not calls.bad(), calls.bad()

    # Read back through a new connection of the restarted server's file.
    # Rows per batch: the external id is "<batch>:<n>".
    present = dict(collections.Counter(
        r[0].partition(":")[0] if ":" in r[0] else "" for r in db_all(
            p.env["PORTAL_DB"], "SELECT external_id FROM expenses WHERE "
            "client_id = ?", cid)))
    problems = []
    for name, ids in acked.items():
        if present.get(name) != BATCH:
            problems.append("acknowledged batch %s has %s of %d rows"
                            % (name, present.get(name), BATCH))
    for name in inflight + cut:
        if present.get(name, 0) not in (0, BATCH):
            problems.append("batch %s in flight at the kill is there in "
                            "part: %d of %d rows" % (name, present[name],
                                                     BATCH))
    for name in present:
        if name not in acked and name not in inflight + cut:
            problems.append("rows of a batch never sent: %s" % name)
    # The ids the 200s named are the rows that are there.
    with read_db(p.env["PORTAL_DB"]) as db:
        for name, ids in acked.items():
            got = [r[0] for r in db.execute(
                "SELECT id FROM expenses WHERE client_id = ? AND "
                "external_id >= ? AND external_id < ? ORDER BY external_id",
                (cid, name + ":", name + ";"))]
            if got != ids:
                problems.append("batch %s: ids %s... differ from the "
                                "answer's %s..." % (name, got[:3], ids[:3]))
    problems += counter_problems(p.env["PORTAL_DB"])
    whole = [n for n in present if present[n] == BATCH]
    api = Client(p.base_url, Calls())
    want = (len(whole) * PER_BATCH_MISSING, len(whole) * PER_BATCH_READY)
    got = api_counts(api, s.admin, cid)
    if got != want:
        problems.append("counters %s, recount %s" % (got, want))
    ft = (filtered_total(api, s.admin, cid, receipt_status="missing"),
          filtered_total(api, s.admin, cid, export_status="ready"),
          filtered_total(api, s.admin, cid))
    if ft != want + (len(whole) * BATCH,):
        problems.append("filtered totals %s, recount %s" % (
            ft, want + (len(whole) * BATCH,)))
    ok, fk = integrity(p.env["PORTAL_DB"])
    if ok != [("ok",)] or fk:
        problems.append("integrity_check %r, foreign_key_check %r" % (ok, fk))

    # The restarted server serves as before: reads, and a batch more.
    for path in ("/healthz", "/readyz"):
        r = api.s.get(p.base_url + path, timeout=30)
        if r.status_code != 200:
            problems.append("%s answered %d" % (path, r.status_code))
    r = api.call("POST", "/v1/clients/%d/expenses" % cid, s.integ, "POST",
                 json={"expenses": batch_items("after")})
    if r.status_code != 200 or r.json()["created"] != BATCH:
        problems.append("a batch after the restart: %d %s" % (
            r.status_code, r.text[:300]))
    elif api_counts(api, s.admin, cid) != (want[0] + PER_BATCH_MISSING,
                                           want[1] + PER_BATCH_READY):
        problems.append("counters after one more batch: %s" % (
            api_counts(api, s.admin, cid),))

    outcome = {n: ("whole" if present.get(n) == BATCH else "absent")
               for n in inflight}
    print("\n%d rounds (kill, batches acknowledged before it, seconds to "
          "serve again): %s; %d batches acknowledged; in flight at the "
          "kills: %s; answers cut short (rows there): %s"
          % (API_KILL_ROUNDS, rounds, len(acked), outcome,
             {n: present.get(n, 0) for n in cut}))
    assert inflight or cut, "no request was in flight at any kill"
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# 3. kill -9 of the worker in the middle of delivery

REMINDER_CLIENTS = 6          # 9 reminders each: under 10 per client/hour
REMINDERS_PER_CLIENT = 9
REMINDER_ADMINS = 3           # 18 reminders each: under 30 per sender/hour
KILL_AFTER = 20               # messages received before the kill
SMTP_DELAY = 0.05             # seconds between storing and answering 250
DELIVER_QUEUE_MAX = 64        # claimed and rendered, waiting for a sender


def test_kill_9_of_the_worker_mid_delivery_sends_every_email_once(room):
    p = room.portal
    s = Setup(p)
    keepers = [s.user("bookkeeper", "Bokförare %d" % i) for i in range(3)]
    admins = [s.user("admin", "Admin %d" % i) for i in range(REMINDER_ADMINS)]
    clients = [s.active_client("Påminnelse %d AB" % i)
               for i in range(REMINDER_CLIENTS)]
    for cid in clients:
        s.ok("PUT", "/v1/clients/%d/assignees" % cid, s.admin,
             {"user_ids": [u["id"] for u in keepers]})
    reminders = []
    n = 0
    for i in range(REMINDERS_PER_CLIENT):
        for cid in clients:
            sender = admins[n % len(admins)]
            n += 1
            doc = s.ok("POST", "/v1/clients/%d/notify-accountants" % cid,
                       sender["token"], {"tasks": ["missing_receipts"],
                                         "comment": "Kvitton %d" % n},
                       status=(202,))
            assert len(doc["recipients"]) == len(keepers)
            reminders.append(doc["id"])
    db = room.db_path
    outbox = dict(db_all(db, "SELECT message_id, id FROM outbox"))
    total = len(outbox)
    assert total == len(reminders) * len(keepers)

    # Run 1: slow answers, killed once KILL_AFTER messages have arrived.
    t1 = datetime.now(timezone.utc) + timedelta(minutes=1)
    room.smtp.set_delay(SMTP_DELAY)
    w = room.worker(t1)
    wait_until(lambda: received_count(room.maildir) >= KILL_AFTER or
               w.proc.poll() is not None, WAIT_LONG,
               "%d messages to arrive" % KILL_AFTER)
    assert w.proc.poll() is None, "the worker exited:\n" + w.log_text()
    w.kill9()
    time.sleep(SMTP_DELAY + 0.3)        # the server finishes its last one
    room.smtp.set_delay(0)
    at_kill = received_message_ids(room.maildir)
    state = {mid: (st, att) for mid, st, att in db_all(
        db, "SELECT message_id, status, attempts FROM outbox")}
    sent = {m for m, (st, _) in state.items() if st == "sent"}
    sending = {m for m, (st, _) in state.items() if st == "sending"}
    assert len(at_kill) < total, "the kill came after the last message"
    assert not duplicates(at_kill), duplicates(at_kill)
    # Claimed at the kill: at most the worker's queue of rendered messages
    # (DELIVER_QUEUE_MAX in worker/deliver_pipe.h); of those, received and not
    # marked, the ones to be sent twice: one per SMTP connection, at most.
    assert len(sending) <= DELIVER_QUEUE_MAX, (
        "claimed at the kill: %s" % sorted(sending))
    assert sent <= set(at_kill), "marked sent, never received: %s" % (
        sorted(sent - set(at_kill)))
    unmarked = set(at_kill) - sent
    assert unmarked <= sending, (
        "received but not marked sent nor claimed: %s" % sorted(unmarked))
    assert len(unmarked) <= int(SMTP_CONNECTIONS), (
        "received and not marked at the kill: %s" % sorted(unmarked))

    # Run 2, inside the lease of the claimed messages: everything else
    # goes, the claimed ones stay claimed and are not sent again.
    w = room.worker(t1 + timedelta(minutes=1))
    try:
        wait_until(lambda: db_one(db, "SELECT count(*) FROM outbox WHERE "
                                  "status = 'queued'")[0] == 0, WAIT_LONG,
                   "the queued messages to go")
        time.sleep(1.5)                  # a pass or so more
    finally:
        assert w.stop() == 0, w.log_text()[-3000:]
    still = {m for m, st in db_all(db, "SELECT message_id, status FROM "
                                       "outbox WHERE status <> 'sent'")}
    assert still == sending, ("inside the lease: unsent %s, claimed at the "
                              "kill %s" % (sorted(still), sorted(sending)))
    mid_run2 = received_message_ids(room.maildir)
    assert not duplicates(mid_run2), (
        "sent again inside the lease: %s" % duplicates(mid_run2))

    # Run 3, past the 300 s lease: the claimed messages go again.
    w = room.worker(t1 + timedelta(minutes=10))
    try:
        wait_until(lambda: db_one(db, "SELECT count(*) FROM outbox WHERE "
                                  "status IN ('queued', 'sending')")[0] == 0,
                   WAIT_LONG, "the outbox to empty")
    finally:
        assert w.stop() == 0, w.log_text()[-3000:]

    final = received_message_ids(room.maildir)
    rows = db_all(db, "SELECT message_id, status, attempts FROM outbox")
    assert {st for _, st, _ in rows} == {"sent"}, rows
    assert set(final) == set(outbox), (
        "never received: %s; not in the outbox: %s" % (
            sorted(set(outbox) - set(final))[:10],
            sorted(set(final) - set(outbox))[:10]))
    dups = duplicates(final)
    assert set(dups) <= (sending & set(at_kill)), (
        "received twice: %s; on the wire at the kill: %s" % (
            dups, sorted(sending & set(at_kill))))
    assert all(n == 2 for n in dups.values()), dups
    attempts = {m: a for m, _, a in rows}
    assert all(attempts[m] == (2 if m in sending else 1) for m in attempts), \
        {m: a for m, a in attempts.items() if a != 1}
    for rid in reminders:
        doc = s.ok("GET", "/v1/reminders/%d" % rid, s.admin)
        assert [x["status"] for x in doc["recipients"]] == ["sent"] * 3, doc
    print("\n%d emails; %d received before the kill, %d marked sent, in "
          "flight %s; received twice: %s" % (total, len(at_kill), len(sent),
                                            sorted(sending), dups))


# --------------------------------------------------------------------------
# 4. Two PATCHes of other fields of one row at once

PATCH_SECONDS = 3.0          # at least, and until each field has had
PATCH_CHECKS = 30            # this many checks (at most PATCH_MAX_SECONDS)
PATCH_MAX_SECONDS = 15.0


@pytest.mark.parametrize("row", ["client", "user"])
def test_concurrent_patches_of_other_fields_keep_both(lone_portal, row):
    """A PATCH changes the fields it names and nothing else, even while
    another PATCH of the same row runs: an admin renaming a client must
    not undo a colleague's new organisation number, and a rename of a
    user must not undo their deactivation. Each checking thread is the
    only one that changes its field, so a GET right after its 200 that
    shows another value shows an acknowledged change undone."""
    p = lone_portal
    s = Setup(p)
    cid = s.active_client("Samtidigt AB")
    user = s.user("bookkeeper", "Samtidig Bokförare")
    calls = Calls()
    stop = threading.Event()
    lost = collections.Counter()
    tries = collections.Counter()

    def client_field(field, value):
        api = Client(p.base_url, calls)
        n = [0]

        def step():
            n[0] += 1
            v = value(n[0])
            r = api.call("PATCH", "/v1/clients/%d" % cid, s.admin,
                         "PATCH client", json={field: v})
            assert r.status_code == 200, r.text[:300]
            got = api.call("GET", "/v1/clients/%d" % cid, s.admin,
                           "GET client").json()[field]
            tries[field] += 1
            lost[field] += got != v
        return step

    def user_renamer():
        api = Client(p.base_url, calls)
        n = [0]

        def step():
            n[0] += 1
            r = api.call("PATCH", "/v1/users/%d" % user["id"], s.admin,
                         "PATCH user", json={"name": "Samtidig %d" % n[0]})
            assert r.status_code == 200, r.text[:300]
        return step

    def deactivator():
        api = Client(p.base_url, calls)

        def step():
            r = api.call("PATCH", "/v1/users/%d" % user["id"], s.admin,
                         "PATCH user", json={"active": False})
            assert r.status_code == 200, r.text[:300]
            got = api.call("GET", "/v1/users/%d" % user["id"], s.admin,
                           "GET user").json()["active"]
            tries["active"] += 1
            lost["active"] += got is not False
            r = api.call("PATCH", "/v1/users/%d" % user["id"], s.admin,
                         "PATCH user", json={"active": True})
            assert r.status_code == 200, r.text[:300]
        return step

    def bulk():
        # Writes that hold the lock for a while, as the integration's do:
        # PATCHes then wait for it side by side.
        api = Client(p.base_url, calls)
        items = [expense_item(unique("b"), "missing", "ready")
                 for _ in range(500)]
        r = api.call("POST", "/v1/clients/%d/expenses" % cid, s.integ,
                     "POST expenses (batch)", json={"expenses": items})
        assert r.status_code == 200, r.text[:300]

    if row == "client":
        threads = [
            LoadThread("name", stop, client_field(
                "name", lambda k: "Samtidigt %d AB" % k)),
            LoadThread("org", stop, client_field(
                "org_number", lambda k: new_org_number("SE"))),
        ]
    else:
        threads = [LoadThread("user-name", stop, user_renamer()),
                   LoadThread("user-active", stop, deactivator())]
    threads.append(LoadThread("bulk", stop, bulk))
    fields = ("name", "org_number") if row == "client" else ("active",)
    t0 = time.monotonic()
    for t in threads:
        t.start()
    while time.monotonic() - t0 < PATCH_MAX_SECONDS and (
            time.monotonic() - t0 < PATCH_SECONDS or
            min(tries[f] for f in fields) < PATCH_CHECKS) and \
            not any(t.error for t in threads):
        time.sleep(0.1)
    stop.set()
    errors = join_all(threads)
    assert not errors, errors
    assert not calls.bad(), calls.bad()
    summary = {k: "%d of %d" % (lost[k], tries[k]) for k in tries}
    print("\n%s: changes undone: %s\n%s" % (row, summary, calls.report()))
    assert not any(lost.values()), (
        "PATCH /v1/%ss/{id}: acknowledged changes undone by a concurrent "
        "PATCH of another field: %s" % (row, summary))


# --------------------------------------------------------------------------
# 5. A write lock held elsewhere: waited for, and past the request's
#    deadline (or the busy timeout, if sooner) a 503, never a 500

BUSY_TIMEOUT = 10.0          # STORE_BUSY_TIMEOUT_MS in common/sqlite/store.c
SHORT_HOLD = 1.5


@pytest.mark.sqlite_only("SQLite's file-wide write lock and the wait "
                         "for it (to the deadline) decide the 503")
def test_sqlite_write_lock_held_elsewhere_is_waited_for_and_never_a_500(
        lone_portal):
    p = lone_portal
    s = Setup(p)
    db = p.env["PORTAL_DB"]
    cid = s.active_client("Låst AB")
    keeper = s.user("bookkeeper", "Låst Bokförare")
    s.ok("PUT", "/v1/clients/%d/assignees" % cid, s.admin,
         {"user_ids": [keeper["id"]]})
    one = s.ok("POST", "/v1/clients/%d/expenses" % cid, s.integ,
               expense_item("one", "missing", "ready"), status=(201,))
    n = [0]

    def writes():
        n[0] += 1
        k = n[0]
        return [
            ("POST expenses (batch)", "POST", "/v1/clients/%d/expenses" % cid,
             s.integ, {"expenses": [expense_item("w%d-%d" % (k, i), "missing",
                                                 "pending")
                                    for i in range(200)]}),
            ("PATCH expense", "PATCH", "/v1/clients/%d/expenses/%d" % (
                cid, one["id"]), s.integ,
             {"receipt_status": ("attached", "missing")[k % 2]}),
            ("PUT preference", "PUT", "/v1/clients/%d/notification-preference"
             % cid, keeper["token"],
             {"email": True, "frequency": ("weekly", "daily")[k % 2]}),
            ("PATCH client", "PATCH", "/v1/clients/%d" % cid, s.admin,
             {"name": "Låst %d AB" % k}),
            ("POST notify-accountants", "POST",
             "/v1/clients/%d/notify-accountants" % cid, s.admin,
             {"tasks": ["balance"]}),
        ]

    def send_all(batch, calls):
        out = {}

        def send(route, method, path, token, body):
            api = Client(p.base_url, calls)
            t0 = time.monotonic()
            try:
                r = api.call(method, path, token, route, json=body,
                             timeout=BUSY_TIMEOUT * 3)
                out[route] = (r.status_code, time.monotonic() - t0, r)
            except Exception as e:
                out[route] = (None, time.monotonic() - t0, e)
        threads = [threading.Thread(target=send, args=w, daemon=True)
                   for w in batch]
        for t in threads:
            t.start()
        return threads, out

    def state():
        return (db_one(db, "SELECT count(*) FROM expenses")[0],
                db_one(db, "SELECT name FROM clients WHERE id = ?", cid)[0],
                db_one(db, "SELECT receipt_status FROM expenses WHERE id = ?",
                       one["id"])[0],
                db_one(db, "SELECT count(*) FROM outbox")[0])

    problems = []
    # A short hold: every write waits for the lock and then succeeds.
    calls = Calls()
    with WriteLock(db):
        threads, out = send_all(writes(), calls)
        time.sleep(SHORT_HOLD)
    join_all(threads, BUSY_TIMEOUT * 3)
    for route, (st, secs, r) in sorted(out.items()):
        if st not in (200, 201, 202):
            problems.append("lock held %.1fs: %s answered %s: %s" % (
                SHORT_HOLD, route, st, getattr(r, "text", r)))

    # A hold past the deadline: reads go on, writes are refused as
    # "service unavailable" and change nothing.
    before = state()
    calls = Calls()
    reader = Client(p.base_url, calls)
    with WriteLock(db):
        threads, out = send_all(writes(), calls)
        # Held until every write has answered: a write can only answer
        # by giving up, however slow the machine.
        t0 = time.monotonic()
        while any(t.is_alive() for t in threads) and \
                time.monotonic() - t0 < BUSY_TIMEOUT * 3:
            for path in ("/v1/clients/%d" % cid, "/v1/clients/%d/expenses"
                         % cid):
                r = reader.call("GET", path, s.admin, "GET (reads)")
                if r.status_code != 200:
                    problems.append("GET %s while locked: %d" % (
                        path, r.status_code))
            time.sleep(0.5)
        slowest_read = max(secs for m, _, _, secs in calls.rows if m == "GET")
    join_all(threads, BUSY_TIMEOUT * 3)
    for route, (st, secs, r) in sorted(out.items()):
        if st != 503:
            problems.append("lock held past the busy timeout: %s answered %s "
                            "after %.1fs (expected 503): %s" % (
                                route, st, secs,
                                getattr(r, "text", r)[:200]))
            continue
        doc = r.json()
        if doc.get("type") != "/problems/service-unavailable":
            problems.append("%s: 503 of type %r" % (route, doc.get("type")))
    long_out = {k: (v[0], round(v[1], 1)) for k, v in out.items()}
    after = state()
    if after != before:
        problems.append("refused writes changed the database: %s -> %s" % (
            before, after))
    # A read that waited for the writer would take the busy timeout.
    if slowest_read > BUSY_TIMEOUT / 2:
        problems.append("reads waited for the writer: %.1fs" % slowest_read)

    # And then it serves as before.
    threads, out = send_all(writes(), Calls())
    join_all(threads, BUSY_TIMEOUT * 3)
    for route, (st, secs, r) in sorted(out.items()):
        if st not in (200, 201, 202):
            problems.append("after the lock: %s answered %s" % (route, st))
    print("\nslowest read while locked %.0f ms; writes past the timeout "
          "(status, seconds): %s" % (slowest_read * 1e3, long_out))
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# 5. A lease is a lease: two workers, a slow mail server, a short lease

LEASE = 2                    # PORTAL_OUTBOX_LEASE_SECONDS of these tests
LEASE_SMTP_DELAY = 4.0       # per message: twice the lease
LEASE_KEEPERS = 5            # one reminder to each: 5 messages, so one
LEASE_REMINDERS = 1          # worker sends 3 (12 s) and the other idles


@pytest.fixture
def lease_room():
    with tempfile.TemporaryDirectory(prefix="portal-lease-") as tmpdir:
        r = Room(tmpdir, extra_env={"PORTAL_OUTBOX_LEASE_SECONDS":
                                    str(LEASE)})
        try:
            yield r
        finally:
            r.close()


def queue_reminders(room, keepers, reminders):
    """reminders reminders about one client to keepers bookkeepers: their
    outbox {message_id: id}."""
    s = Setup(room.portal)
    users = [s.user("bookkeeper", "Bokförare %d" % i) for i in range(keepers)]
    cid = s.active_client("Lånetid AB")
    s.ok("PUT", "/v1/clients/%d/assignees" % cid, s.admin,
         {"user_ids": [u["id"] for u in users]})
    for i in range(reminders):
        doc = s.ok("POST", "/v1/clients/%d/notify-accountants" % cid,
                   s.admin, {"tasks": ["missing_receipts"],
                             "comment": "Kvitton %d" % i}, status=(202,))
        assert len(doc["recipients"]) == keepers
    return dict(db_all(room.db_path, "SELECT message_id, id FROM outbox"))


def test_a_lease_is_a_lease_two_workers_send_each_message_once(lease_room):
    """Two looping workers on real clocks share a queue that a slow mail
    server takes far longer than the lease to drain: each message's lease
    runs from its own claim and is renewed while it is on the wire, so no
    message is claimed, or received, twice."""
    room = lease_room
    db = room.db_path
    outbox = queue_reminders(room, LEASE_KEEPERS, LEASE_REMINDERS)
    total = len(outbox)
    room.smtp.set_delay(LEASE_SMTP_DELAY)
    t0 = time.monotonic()
    workers = [room.worker(None), room.worker(None)]
    # What every claimed row's lease has left, seen from outside.
    left = []
    try:
        deadline = time.monotonic() + WAIT_LONG
        while time.monotonic() < deadline:
            rows = db_all(db, "SELECT status, next_attempt_at FROM outbox")
            now = time.time()
            left += [at - now for st, at in rows if st == "sending"]
            if all(st != "queued" and st != "sending" for st, _ in rows):
                break
            assert all(w.proc.poll() is None for w in workers), \
                room.worker_logs()[-3000:]
            time.sleep(0.05)
        took = time.monotonic() - t0
    finally:
        rcs = [w.stop() for w in workers]
    assert rcs == [0, 0], room.worker_logs()[-3000:]
    received = received_message_ids(room.maildir)
    rows = db_all(db, "SELECT message_id, status, attempts FROM outbox")
    assert not duplicates(received), (
        "received twice: %s\n%s" % (duplicates(received),
                                    room.worker_logs()[-3000:]))
    assert sorted(received) == sorted(outbox), (
        "never received: %s" % sorted(set(outbox) - set(received)))
    assert {st for _, st, _ in rows} == {"sent"}, rows
    assert {a for _, _, a in rows} == {1}, (
        "claimed more than once: %s" % [r for r in rows if r[2] != 1])
    # Both worked, and each for well over a lease.
    senders = [w.log_text().count(": sent (reminder)") for w in workers]
    assert all(n > 0 for n in senders), senders
    assert took > 2 * LEASE, took
    # The lease in force is the configured one (whole seconds, plus the
    # second under way), and no claim was seen run out.
    assert left, "no claimed message was ever seen"
    assert max(left) <= LEASE + 1.5, (
        "a lease of %.0f s, not %d s" % (max(left), LEASE))
    assert min(left) > 0, "a lease ran out while sending: %.2f s" % min(left)
    print("\n%d emails by two workers (%s) in %.1f s; lease left while "
          "claimed %.2f..%.2f s" % (total, senders, took, min(left),
                                    max(left)))


def test_a_dead_workers_message_goes_once_its_short_lease_runs_out(
        lease_room):
    """The lease comes from PORTAL_OUTBOX_LEASE_SECONDS: a worker killed
    while its message is on the wire leaves it claimed, and another worker
    sends it as soon as that lease has run out, not minutes later."""
    room = lease_room
    db = room.db_path
    outbox = queue_reminders(room, 1, 1)
    (mid,) = outbox
    room.smtp.set_delay(30)             # the kill comes within this
    w = room.worker(None)
    wait_until(lambda: received_count(room.maildir) == 1 or
               w.proc.poll() is not None, WAIT_LONG, "the message to arrive")
    w.kill9()
    assert db_one(db, "SELECT status FROM outbox")[0] == "sending"
    room.smtp.set_delay(0)
    t0 = time.monotonic()
    w2 = room.worker(None)
    try:
        # The lease, the claim's second, the second worker's poll, slack.
        wait_until(lambda: db_one(db, "SELECT status FROM outbox")[0] ==
                   "sent", 4 * LEASE + 6, "the second worker to send it")
    finally:
        assert w2.stop() == 0, w2.log_text()[-3000:]
    took = time.monotonic() - t0
    assert received_message_ids(room.maildir) == [mid, mid]
    assert db_one(db, "SELECT attempts FROM outbox")[0] == 2
    print("\nsent again %.1f s after the kill" % took)
