"""The mail side of the PostgreSQL store (common/pg/: expense.c,
preference.c, digest.c, reminder.c, outbox.c) on a throwaway cluster,
each operation run through the store's own calls by
tests/integration/pg_store_driver.c: the same results, orders and STORE_*
codes as on SQLite, per-client expense counters kept by the statement's
triggers, ids that an update does not burn, preference generations, one
digest per user, frequency and period, the outbox claimed with FOR UPDATE
SKIP LOCKED by processes that never take the same row nor wait for one
another, its lease, and mail cancelled or narrowed at the claim for a
reader who may no longer read it.

The API's routes and the worker need the client operations too, so
clients and assignments are written here in SQL, with the schema's
columns and sort keys of the test's choosing."""
import json
import subprocess
import tempfile
import time

import pytest

import pg_helpers
from conftest import (BIN_DIR, REPO, base_env, cli_id, run_cli,
                      sanitizer_report)
from pg_helpers import connect, new_database, drop_database

pg_cluster = pg_helpers.pg_cluster

OK, ERROR, NOTFOUND, CONFLICT = 0, -1, -2, -3


def _driver_path():
    """The driver of the build whose binaries run (release or asan)."""
    build = "asan" if "asan" in str(BIN_DIR) else "release"
    target = "build/%s/tests/pg_store_driver" % build
    proc = subprocess.run(["make", "-s", "BUILD=" + build, target],
                          cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    return REPO / target


@pytest.fixture(scope="module")
def driver():
    return _driver_path()


class World:
    """A database of its own: a firm, an admin, two bookkeepers, clients
    A and B (B first by sort key), bookkeeper 1 assigned to A."""

    def __init__(self, cluster, driver, tmpdir):
        self.cluster = cluster
        self.driver = driver
        self.uri = new_database(cluster, "mail")
        self.env = base_env(tmpdir)
        self.env["PORTAL_DB"] = self.uri
        out = run_cli(self.env, "migrate")
        assert out.returncode == 0, out.stderr
        self.firm = cli_id(self.env, "create-partner", "--name", "Alfa AB",
                           "--locale", "sv")
        self.users = {}
        for key, role, name in (("admin", "admin", "Anna Admin"),
                                ("bk1", "bookkeeper", "Bo Ek"),
                                ("bk2", "bookkeeper", "Ada Berg")):
            self.users[key] = cli_id(
                self.env, "create-user", "--partner", str(self.firm),
                "--email", "%s@alfa.test" % key, "--name", name, "--role",
                role, password="pw-%s-123456" % key)
        now = int(time.time())
        self.clients = {}
        for key, name, sort_key in (("A", "Åkesson Bygg", b"\x20"),
                                    ("B", "Berg & Co", b"\x10")):
            self.clients[key] = self.sql_one(
                "INSERT INTO clients (partner_id, name, org_number, status, "
                "sort_key, search_text, created_at, updated_at) VALUES "
                "(%s, %s, '556677-0000', 'active', %s, %s, %s, %s) "
                "RETURNING id", (self.firm, name, sort_key, name.lower(),
                                 now, now))
        self.sql("INSERT INTO assignments (client_id, user_id, created_at) "
                 "VALUES (%s, %s, %s)",
                 (self.clients["A"], self.users["bk1"], now))

    def close(self):
        drop_database(self.cluster, self.uri)

    def sql(self, q, params=()):
        conn = connect(self.uri)
        try:
            with conn.cursor() as cur:
                cur.execute(q, params)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def sql_one(self, q, params=()):
        return self.sql(q, params)[0][0]

    def start(self, *args):
        env = dict(self.env)
        return subprocess.Popen([str(self.driver), *map(str, args)],
                                env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    @staticmethod
    def result(proc, timeout=60):
        out, err = proc.communicate(timeout=timeout)
        report = sanitizer_report(err)
        if report:
            pytest.fail("sanitizer report from pg_store_driver:\n" + report,
                        pytrace=False)
        assert proc.returncode == 0, err
        return json.loads(out)

    def run(self, *args, timeout=60):
        return self.result(self.start(*args), timeout)


@pytest.fixture
def world(pg_cluster, driver):
    with tempfile.TemporaryDirectory(prefix="portal-pgm-") as tmpdir:
        w = World(pg_cluster, driver, tmpdir)
        try:
            yield w
        finally:
            w.close()


def _counters(w, client):
    return w.sql("SELECT missing_receipts, export_ready FROM clients "
                 "WHERE id = %s", (client,))[0]


# --------------------------------------------------------------------------
# Expenses

def test_expenses_upsert_get_status_list_and_counters(world):
    w, a = world, world.clients["A"]
    e1 = w.run("expense-upsert", a, "e1", 1000, "missing", "pending")
    assert e1["rc"] == OK and e1["created"] == 1
    assert _counters(w, a) == (1, 0)
    # The same external id: an update of the same row, counters moved.
    again = w.run("expense-upsert", a, "e1", 1500, "attached", "ready")
    assert again["rc"] == OK and again["created"] == 0
    assert again["id"] == e1["id"] and again["amount_minor"] == 1500
    assert _counters(w, a) == (0, 1)
    # The update took no id: the next expense is the next number, as
    # SQLite's max(id) + 1 gives it.
    e2 = w.run("expense-upsert", a, "e2", 700, "missing", "ready")
    assert e2["rc"] == OK and e2["created"] == 1 and e2["id"] == e1["id"] + 1
    assert _counters(w, a) == (1, 2)

    got = w.run("expense-get", a, e1["id"])
    assert got["rc"] == OK and got["receipt"] == "attached"
    assert w.run("expense-get", a, e1["id"] + 100)["rc"] == NOTFOUND
    # Another client's expense is not found through this one.
    assert w.run("expense-get", w.clients["B"], e1["id"])["rc"] == NOTFOUND

    st = w.run("expense-status", a, e1["id"], "missing", "-")
    assert st["rc"] == OK
    assert (st["receipt"], st["export"]) == ("missing", "ready")
    assert _counters(w, a) == (2, 2)
    st = w.run("expense-status", a, e1["id"], "-", "exported")
    assert (st["receipt"], st["export"]) == ("missing", "exported")
    assert _counters(w, a) == (2, 1)
    assert w.run("expense-status", a, 999999, "attached", "-")["rc"] == \
        NOTFOUND

    lst = w.run("expense-list", a, "-", "-", 0, 10)
    assert lst == {"ids": [e1["id"], e2["id"]], "count": 2, "rc": OK}
    lst = w.run("expense-list", a, "-", "-", e1["id"], 10)
    assert lst["ids"] == [e2["id"]] and lst["count"] == 2
    lst = w.run("expense-list", a, "missing", "ready", 0, 10)
    assert lst["ids"] == [e2["id"]] and lst["count"] == 1
    lst = w.run("expense-list", a, "-", "exported", 0, 10)
    assert lst["ids"] == [e1["id"]] and lst["count"] == 1
    lst = w.run("expense-list", a, "missing", "-", 0, 1)
    assert lst["ids"] == [e1["id"]] and lst["count"] == 2


# --------------------------------------------------------------------------
# Preferences and unsubscribe links

def test_preferences_generations_and_unsubscribe(world):
    w = world
    bk1, a, b = w.users["bk1"], w.clients["A"], w.clients["B"]
    assert w.run("pref-get", bk1, a)["rc"] == NOTFOUND
    assert w.run("pref-generation", bk1, "weekly") == \
        {"rc": OK, "generation": 1}
    assert w.run("pref-put", bk1, a, 1, "weekly", 100)["rc"] == OK
    assert w.run("pref-put", bk1, b, 1, "weekly", 100)["rc"] == OK
    row = w.run("pref-get", bk1, a)["row"]
    assert row == {"client": a, "email": 1, "frequency": "weekly",
                   "generation": 1}
    assert w.run("pref-renew", bk1, a)["rc"] == OK
    assert w.run("pref-generation", bk1, "weekly")["generation"] == 2
    # Only clients the bookkeeper may see (assigned to A, not B).
    rows = w.run("pref-list", bk1)["rows"]
    assert [r["client"] for r in rows] == [a]

    # A link of an older generation is spent; the current one works once.
    assert w.run("unsubscribe", bk1, "weekly", 0, 1) == \
        {"rc": CONFLICT, "changed": 0}
    assert w.run("unsubscribe", bk1, "weekly", 0, 2) == \
        {"rc": OK, "changed": 2}
    assert w.run("pref-generation", bk1, "weekly")["generation"] == 3
    assert w.run("unsubscribe", bk1, "weekly", 0, 2)["rc"] == CONFLICT
    assert w.run("pref-get", bk1, a)["row"]["email"] == 0
    # A client's own link, a frequency with nothing on: nothing changes.
    assert w.run("unsubscribe", bk1, "daily", a, 3) == \
        {"rc": OK, "changed": 0}


def test_parallel_renewals_hand_out_distinct_generations(world):
    w = world
    admin, a, b = w.users["admin"], w.clients["A"], w.clients["B"]
    for c in (a, b):
        assert w.run("pref-put", admin, c, 1, "weekly", 100)["rc"] == OK
    for _ in range(3):
        procs = [w.start("pref-renew", admin, c) for c in (a, b)]
        assert all(w.result(p)["rc"] == OK for p in procs)
    gens = sorted(g for (g,) in w.sql(
        "SELECT generation FROM notification_preferences "
        "WHERE user_id = %s", (admin,)))
    assert len(set(gens)) == 2 and gens[-1] == 7, gens


# --------------------------------------------------------------------------
# Digests

def test_digest_users_items_and_one_record_per_period(world):
    w = world
    admin, bk1 = w.users["admin"], w.users["bk1"]
    a, b = w.clients["A"], w.clients["B"]
    w.sql("UPDATE clients SET missing_receipts = 3 WHERE id = %s", (a,))
    for u in (admin, bk1):
        for c in (a, b):
            assert w.run("pref-put", u, c, 1, "weekly", 100)["rc"] == OK
    slot = 1000
    due = w.run("digest-users", w.firm, "weekly", slot, "2026-W49")
    assert due == {"ids": [admin, bk1], "rc": OK}
    # Not before the subscription starts.
    assert w.run("digest-users", w.firm, "weekly", 50, "2026-W49")["ids"] \
        == []
    items = w.run("digest-items", admin, "weekly", slot)["items"]
    # Most urgent first (sort=attention): A, missing receipts, before B,
    # which misses none, though B comes first by name.
    assert [i["id"] for i in items] == [a, b]
    assert items[0] == {"id": a, "name": "Åkesson Bygg", "missing": 3,
                        "ready": 0}
    items = w.run("digest-items", bk1, "weekly", slot)["items"]
    assert [i["id"] for i in items] == [a]

    ob = w.run("outbox-add", "digest", admin, "admin@alfa.test",
               '{"clients":[]}', "digest-1@alfa.test")
    assert ob["rc"] == OK
    assert w.run("digest-record", admin, "weekly", "2026-W49", slot, 2,
                 ob["id"])["rc"] == OK
    # The period is taken: a conflict, not an error.
    assert w.run("digest-record", admin, "weekly", "2026-W49", slot, 0,
                 0)["rc"] == CONFLICT
    assert w.run("digest-record", bk1, "weekly", "2026-W49", slot, 0,
                 0)["rc"] == OK
    assert w.run("digest-users", w.firm, "weekly", slot, "2026-W49")["ids"] \
        == []
    rows = w.sql("SELECT user_id, status, clients, outbox_id FROM digests "
                 "ORDER BY id")
    assert rows == [(admin, "queued", 2, ob["id"]),
                    (bk1, "skipped", 0, None)]


# --------------------------------------------------------------------------
# Reminders

def test_reminders(world):
    w = world
    admin, bk1, bk2 = w.users["admin"], w.users["bk1"], w.users["bk2"]
    a = w.clients["A"]
    w.sql("INSERT INTO assignments (client_id, user_id, created_at) "
          "VALUES (%s, %s, 0)", (a, bk2))
    ctx = w.run("reminder-context", w.firm, a, admin, 0)
    assert ctx["rc"] == OK
    assert ctx["ids"] == [bk2, bk1]  # by name
    assert ctx["firm"] == w.sql_one("SELECT name FROM partners WHERE id = %s",
                                    (w.firm,))
    # The store stamps created_at with its clock.
    t0 = int(time.time())
    ids = []
    for _ in range(3):
        r = w.run("reminder-add", w.firm, a, admin, '["receipts"]', "-", 0)
        assert r["rc"] == OK
        ids.append(r["id"])
    t1 = int(time.time())
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2]
    # Newest first, ties by id.
    got = w.sql("SELECT id FROM reminders ORDER BY created_at DESC, "
                "id DESC LIMIT 2")
    assert w.run("reminder-list", a, 2)["ids"] == [i for (i,) in got]
    oldest = w.sql_one("SELECT min(created_at) FROM reminders")
    assert w.run("reminder-context", w.firm, a, admin, t0 - 1)["recent"] \
        == [3, oldest, 3, oldest]
    assert w.run("reminder-context", w.firm, a, bk1, t0 - 1)["recent"] == \
        [3, oldest, 0, 0]
    assert w.run("reminder-context", w.firm, a, admin, t1 + 1)["recent"] \
        == [0, 0, 0, 0]
    got = w.run("reminder-get", w.firm, ids[0])
    assert t0 <= got.pop("created_at") <= t1
    assert got == {"rc": OK, "client": a, "sender": admin,
                   "sender_name": "Anna Admin", "tasks": ["receipts"],
                   "comment": ""}
    assert w.run("reminder-get", w.firm + 1, ids[0])["rc"] == NOTFOUND

    for u in (bk1, bk2):
        ob = w.run("outbox-add", "reminder", u, "x%d@alfa.test" % u,
                   '{"tasks":["receipts"]}', "rem-%d-%d" % (ids[0], u))
        assert w.run("reminder-recipient", ids[0], u, ob["id"])["rc"] == OK
    rows = w.run("reminder-recipients", ids[0])["rows"]
    assert [(r["user"], r["name"], r["status"], r["error"], r["reason"],
             r["sent_at"]) for r in rows] == \
        [(bk2, "Ada Berg", "queued", None, None, 0),
         (bk1, "Bo Ek", "queued", None, None, 0)]


def test_reminders_are_counted_by_their_numbers(world):
    """The hour's counts come from each reminder's number among its
    client's and its sender's; a new one is never dated before the last
    of either, so that the numbers follow (created_at, id)."""
    w = world
    admin = w.users["admin"]
    a, b = w.clients["A"], w.clients["B"]

    def add(client):
        r = w.run("reminder-add", w.firm, client, admin, '["receipts"]',
                  "-", 0)
        assert r["rc"] == OK
        return r

    t0 = int(time.time())
    for client in (a, b, a):
        add(client)
    assert w.sql("SELECT client_id, client_seq, sender_seq FROM reminders "
                 "ORDER BY id") == [(a, 1, 1), (b, 1, 2), (a, 2, 3)]
    # The last one dated ahead, as by a process whose clock is ahead.
    ahead = t0 + 600
    w.sql("UPDATE reminders SET created_at = %s WHERE id = "
          "(SELECT max(id) FROM reminders)", (ahead,))
    assert add(a)["created_at"] == ahead
    # The first two leave the hour: the counts start from the third.
    w.sql("UPDATE reminders SET created_at = %s WHERE sender_seq <= 2",
          (t0 - 7200,))
    assert w.run("reminder-context", w.firm, a, admin, t0 - 3600)[
        "recent"] == [2, ahead, 2, ahead]
    assert w.run("reminder-context", w.firm, b, admin, t0 - 3600)[
        "recent"] == [0, 0, 2, ahead]
    assert w.run("reminder-context", w.firm, b, admin, t0 - 9000)[
        "recent"] == [1, t0 - 7200, 4, t0 - 7200]


# --------------------------------------------------------------------------
# The outbox

def _add(w, n, user=None, kind="digest", payload='{"clients":[]}'):
    user = user or w.users["admin"]
    out = []
    for i in range(n):
        r = w.run("outbox-add", kind, user, "a@alfa.test",
                  payload if kind == "reminder" else
                  '{"subject":"s%d","clients":[{"id":%d}]}'
                  % (i, w.clients["A"]), "m-%d-%f" % (i, time.time()))
        assert r["rc"] == OK
        out.append(r["id"])
    return out


def test_a_claim_skips_a_row_another_claimer_holds(world):
    w = world
    first, second = _add(w, 2)
    now = int(time.time()) + 10
    conn = connect(w.uri, autocommit=False)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM outbox WHERE id = %s FOR UPDATE",
                        (first,))
            # Not waiting for the lock: the next due row, at once.
            t0 = time.monotonic()
            got = w.run("claim", now, now + 300, timeout=20)
            assert time.monotonic() - t0 < 10
            assert [c["id"] for c in got["claims"]] == [second]
            assert w.run("claim", now, now + 300)["rc"] == NOTFOUND
    finally:
        conn.rollback()
        conn.close()
    got = w.run("claim", now, now + 300)
    assert [(c["id"], c["attempts"], c["cancel"]) for c in got["claims"]] \
        == [(first, 1, "")]


def test_two_claimers_share_the_outbox_without_overlap(world):
    w = world
    ids = _add(w, 24)
    now = int(time.time()) + 10
    procs = [w.start("claim", now, now + 300, 100) for _ in range(2)]
    results = [w.result(p) for p in procs]
    taken = [[c["id"] for c in r["claims"]] for r in results]
    assert all(r["rc"] == NOTFOUND for r in results)
    assert not set(taken[0]) & set(taken[1])
    assert sorted(taken[0] + taken[1]) == ids
    assert w.sql("SELECT count(*) FROM outbox WHERE status = 'sending' "
                 "AND attempts = 1") == [(24,)]


def test_batch_claims_take_the_oldest_and_never_overlap(world):
    w = world
    ids = _add(w, 30)
    now = int(time.time()) + 10
    # One row due later than the others: a batch takes due rows oldest
    # first, and this one last.
    w.sql("UPDATE outbox SET next_attempt_at = %s WHERE id = %s",
          (now - 1, ids[0]))
    w.sql("UPDATE outbox SET next_attempt_at = %s WHERE id <> %s",
          (now - 100, ids[0]))
    got = w.run("claim", now, now + 300, 4, 4)
    assert [c["id"] for c in got["claims"]] == ids[1:5]
    assert all(c["attempts"] == 1 for c in got["claims"])
    # Two claimers taking 5 at a time share the rest without overlap,
    # each batch one transaction (SKIP LOCKED passes the other's rows).
    procs = [w.start("claim", now, now + 300, 100, 5) for _ in range(2)]
    results = [w.result(p) for p in procs]
    taken = [[c["id"] for c in r["claims"]] for r in results]
    assert all(r["rc"] == NOTFOUND for r in results)
    assert not set(taken[0]) & set(taken[1])
    assert sorted(taken[0] + taken[1]) == sorted(ids[5:] + ids[:1])
    assert w.sql("SELECT count(*) FROM outbox WHERE status = 'sending' "
                 "AND attempts = 1") == [(30,)]


def test_lease_renewal_and_the_end_of_a_claim(world):
    w = world
    ids = _add(w, 1)
    now = int(time.time()) + 10
    c = w.run("claim", now, now + 60)["claims"][0]
    assert c["id"] == ids[0] and c["attempts"] == 1
    assert c["payload"] == {"subject": "s0",
                            "clients": [{"id": w.clients["A"]}]}
    assert w.run("renew", ids[0], 1, now + 120)["rc"] == OK
    assert w.run("renew", ids[0], 2, now + 120)["rc"] == CONFLICT
    # The lease ended (the claimer died): due again, a second attempt.
    c2 = w.run("claim", now + 121, now + 200)["claims"][0]
    assert (c2["id"], c2["attempts"]) == (ids[0], 2)
    # The first claimer's answers change nothing now.
    assert w.run("sent", ids[0], 1, now)["rc"] == CONFLICT
    assert w.run("renew", ids[0], 1, now + 300)["rc"] == CONFLICT
    assert w.run("sent", ids[0], 2, now + 122)["rc"] == OK
    assert w.run("sent", ids[0], 2, now + 123)["rc"] == CONFLICT

    ids += _add(w, 2)
    c = w.run("claim", now + 130, now + 200)["claims"][0]
    assert c["id"] == ids[1]
    assert w.run("retry", ids[1], 1, now + 500, "x" * 300)["rc"] == OK
    c = w.run("claim", now + 130, now + 200)["claims"][0]
    assert c["id"] == ids[2]
    assert w.run("failed", ids[2], 1, "550 no such user")["rc"] == OK
    assert w.run("backlog") == {"rc": OK, "queued": 1, "failed": 1}
    assert w.run("next-due") == {"rc": OK, "at": now + 500}
    rows = w.sql("SELECT id, status, length(last_error), sent_at "
                 "FROM outbox ORDER BY id")
    assert rows == [(ids[0], "sent", None, now + 122),
                    (ids[1], "queued", 256, None),
                    (ids[2], "failed", 16, None)]
    c = w.run("claim", now + 500, now + 600)["claims"][0]
    assert (c["id"], c["attempts"]) == (ids[1], 2)
    assert w.run("sent", ids[1], 2, now + 501)["rc"] == OK
    assert w.run("next-due") == {"rc": NOTFOUND, "at": 0}
    assert w.run("backlog") == {"rc": OK, "queued": 0, "failed": 1}


def test_mail_to_a_reader_who_may_no_longer_read_it(world):
    w = world
    admin, bk1, bk2 = w.users["admin"], w.users["bk1"], w.users["bk2"]
    a, b = w.clients["A"], w.clients["B"]
    now = int(time.time()) + 10
    rem = w.run("reminder-add", w.firm, a, admin, '["receipts"]', "x",
                100)["id"]
    msgs = {}
    for key, u in (("bk1", bk1), ("bk2", bk2)):
        ob = w.run("outbox-add", "reminder", u, "%s@alfa.test" % key,
                   '{"tasks":["receipts"]}', "rem-%s" % key)["id"]
        assert w.run("reminder-recipient", rem, u, ob)["rc"] == OK
        msgs[key] = ob
    # bk1's digest names A (assigned) and B (not): B is dropped, the keys
    # kept in their order; bk2's names only B: cancelled.
    msgs["dig1"] = w.run("outbox-add", "digest", bk1, "bk1@alfa.test",
                         '{"subject":"s","clients":[{"id":%d,"n":"b"},'
                         '{"id":%d,"n":"a"}],"url":"u"}' % (b, a),
                         "dig-1")["id"]
    msgs["dig2"] = w.run("outbox-add", "digest", bk2, "bk2@alfa.test",
                         '{"clients":[{"id":%d}]}' % b, "dig-2")["id"]
    w.sql("UPDATE users SET active = false WHERE id = %s", (bk2,))

    claims = w.run("claim", now, now + 60, 10)["claims"]
    by_id = {c["id"]: c for c in claims}
    assert by_id[msgs["bk1"]]["cancel"] == ""
    assert by_id[msgs["bk2"]]["cancel"] == "recipient_inactive"
    assert by_id[msgs["dig1"]]["cancel"] == ""
    assert by_id[msgs["dig2"]]["cancel"] == "recipient_inactive"
    raw = w.sql("SELECT payload::text FROM outbox WHERE id = %s",
                (msgs["dig1"],))[0][0]
    assert raw == '{"subject":"s","clients":[{"id":%d,"n":"a"}],"url":"u"}' \
        % a
    rows = w.run("reminder-recipients", rem)["rows"]
    assert [(r["user"], r["status"], r["reason"]) for r in rows] == \
        [(bk2, "cancelled", "recipient_inactive"), (bk1, "queued", None)]

    # Unassigned: a reminder cancelled, a digest left with no client too.
    w.sql("DELETE FROM assignments WHERE user_id = %s", (bk1,))
    rem2 = w.run("reminder-add", w.firm, a, admin, '["receipts"]', "",
                 200)["id"]
    ob2 = w.run("outbox-add", "reminder", bk1, "bk1@alfa.test", '{}',
                "rem-2")["id"]
    assert w.run("reminder-recipient", rem2, bk1, ob2)["rc"] == OK
    dig3 = w.run("outbox-add", "digest", bk1, "bk1@alfa.test",
                 '{"clients":[{"id":%d}]}' % a, "dig-3")["id"]
    claims = w.run("claim", now, now + 60, 10)["claims"]
    by_id = {c["id"]: c for c in claims}
    assert by_id[ob2]["cancel"] == "recipient_unassigned"
    assert by_id[dig3]["cancel"] == "recipient_unassigned"
    assert w.sql("SELECT status, cancel_reason FROM outbox WHERE id = %s",
                 (dig3,)) == [("cancelled", "recipient_unassigned")]
    assert w.run("backlog") == {"rc": OK, "queued": 2, "failed": 0}
