"""`portal-api copy-to`: a firm's SQLite database moved onto PostgreSQL.

A portal on SQLite is filled through the real API and worker (firms,
users, clients in several statuses with Swedish names, assignees,
expenses with a batch, preferences, a digest sent to a real SMTP server,
a "notify accountants" reminder); the answers of its reads are recorded,
the processes stop, copy-to moves the file into a fresh PostgreSQL
database, and the processes start again on it: every recorded answer
must come back byte for byte (ids, order, cursors), new writes continue
the ids, and the worker sends no email twice. Copied back from
PostgreSQL into a new file, the same answers come back again. copy-to
refuses a target that holds data, rolls back a copy that differs, and a
wrong password is an error that never shows the password."""
import copy
import re
import secrets
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

import pg_helpers
from clients_helpers import se_org_number
from conftest import Portal, ServerProcess, base_env, free_port, run_cli
from pg_helpers import connect, new_database
from worker_helpers import Mailroom, next_local

pg_cluster = pg_helpers.pg_cluster

MONDAY = 0
MOVES = pytest.mark.sqlite_only("moves a SQLite database")

# Every table copy-to reports, in its order.
TABLES = ["partners", "balance_thresholds", "users", "login_attempts",
          "clients", "assignments", "expenses", "audit_events", "notification_preferences", "outbox",
          "digests", "idempotency_keys", "api_keys", "reminders",
          "reminder_recipients", "webhook_endpoints", "events",
          "event_counters", "webhook_deliveries", "webhook_attempts",
          "client_counts", "client_months"]

CLIENTS = [
    # name, status, assignees (bookkeeper keys), missing, ready, other
    ("Åkesson Bygg AB", "active", ("asa", "orjan"), 4, 2, 1),
    ("Öresund Revision", "active", ("asa",), 0, 1, 2),
    ("Ängelholms El & Värme", "active", ("orjan",), 2, 0, 0),
    ("Zetterlund Konsult", "onboarding", ("asa",), 1, 0, 0),
    ("Ånge Sågverk", "onboarding", (), 0, 0, 0),
    ("Bäckström & Söner", "invitation", (), 0, 0, 0),
    ("Ärlig Städ AB", "invitation", (), 0, 0, 0),
    ("Malmö Måleri", "active", ("arla",), 30, 5, 5),
    ("Östra Hamnens Fisk", "declined", (), 0, 0, 0),
    ("aaron ekonomi", "active", (), 0, 0, 3),
    ("Çelik Import", "active", ("orjan", "arla"), 1, 1, 0),
]


def _with_password(uri, password):
    u = urlsplit(uri)
    netloc = "%s:%s@%s:%d" % (u.username, password, u.hostname, u.port)
    return urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment))


class Seed:
    """The SQLite portal's data, made through the API and the worker."""

    def __init__(self, room):
        self.room = room
        self.p = room.portal
        self.admin = self.p.token("admin")
        self.integ = self.p.token("integration")
        self.users = {}
        self.clients = {}

    def call(self, method, path, token, body=None, status=(200, 201, 202),
             headers=None):
        r = self.p.request(method, path, token, json=body, headers=headers)
        assert r.status_code in status, (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    def run(self):
        for key, name in (("asa", "Åsa Lindqvist"), ("orjan", "Örjan Berg"),
                          ("arla", "Ärla Nyström"), ("bo", "Bo Åberg")):
            u = self.p.create_user(self.admin, role="bookkeeper", name=name)
            u["token"] = self.p.login(u["email"], u["password"])
            self.users[key] = u
        for n, (name, status, keepers, missing, ready, other) in \
                enumerate(CLIENTS):
            self.clients[name] = self.client(n, name, status)
            cid = self.clients[name]
            if keepers:
                self.call("PUT", "/v1/clients/%d/assignees" % cid,
                          self.admin, {"user_ids": [
                              self.users[k]["id"] for k in keepers]})
            states = ([("missing", "pending")] * missing +
                      [("attached", "ready")] * ready +
                      [("not_required", "exported")] * other)
            if states:
                # One batch per client: Malmö's is 40 expenses at once.
                self.call("POST", "/v1/clients/%d/expenses" % cid,
                          self.integ, {"expenses": [
                              {"external_id": "x-%d-%d" % (cid, i),
                               "amount_minor": 1250 * (i + 1),
                               "currency": "SEK",
                               "spent_at": "2026-11-%02dT09:30:00Z"
                               % (i % 28 + 1),
                               "merchant": "Pressbyrån \\ Centralen"
                               if i == 0 else "ICA Nära %d" % i,
                               "receipt_status": rs, "export_status": es}
                              for i, (rs, es) in enumerate(states)]})
        akesson = self.clients["Åkesson Bygg AB"]
        # A receipt that arrives: the counters move after the insert.
        exp = self.call("GET", "/v1/clients/%d/expenses" % akesson,
                        self.admin)["data"][0]
        self.call("PATCH", "/v1/clients/%d/expenses/%d"
                  % (akesson, exp["id"]), self.integ,
                  {"receipt_status": "attached"})
        self.call("PUT", "/v1/clients/%d/balance" % akesson, self.integ,
                  {"amount_minor": -123450, "currency": "SEK"})
        # Thresholds of the firm and of one client, and the alerts
        # they raise.
        self.call("PUT", "/v1/settings/thresholds", self.admin, {
            "balance_below": [{"amount_minor": 1000, "currency": "SEK"}],
            "missing_receipts_above": 5,
            "missing_receipt_older_than_days": 45})
        self.call("PUT", "/v1/clients/%d/thresholds" % akesson, self.admin,
                  {"missing_receipts_above": 1})
        self.call("PATCH", "/v1/clients/%d" % self.clients[
            "Zetterlund Konsult"], self.admin,
            {"name": "Zetterlund & Ödman Konsult"})
        for key, cname, freq in (("asa", "Åkesson Bygg AB", "weekly"),
                                 ("asa", "Öresund Revision", "weekly"),
                                 ("orjan", "Ängelholms El & Värme",
                                  "daily"),
                                 ("arla", "Malmö Måleri", "monthly")):
            self.call("PUT", "/v1/clients/%d/notification-preference"
                      % self.clients[cname], self.users[key]["token"],
                      {"email": True, "frequency": freq})
        self.reminder = self.call(
            "POST", "/v1/clients/%d/notify-accountants" % akesson,
            self.admin, {"tasks": ["missing_receipts", "balance"],
                         "comment": "Hej!\nKvitton för november, tack."})
        # The digests of a Monday after the subscriptions, and the
        # reminder, delivered by the worker (whose housekeeping at that
        # clock empties the idempotency keys and login attempts).
        self.digest_at = next_local(MONDAY, 10, 0, datetime.now(
            timezone.utc) + timedelta(days=7))
        self.room.worker(self.digest_at + timedelta(minutes=1))
        # Then a keyed request and a failed login, which stay.
        self.call("POST", "/v1/clients/%d/expenses" % akesson, self.integ,
                  {"expenses": [{"external_id": "keyed-1",
                                 "amount_minor": 4200, "currency": "SEK",
                                 "spent_at": "2026-11-30T08:00:00Z",
                                 "merchant": "Åhléns",
                                 "receipt_status": "missing",
                                 "export_status": "pending"}]},
                  headers={"Idempotency-Key": "copy-keyed-1"})
        self.p.login_response(self.users["bo"]["email"], "not-the-password")
        # "Go to client" writes the audit trail.
        for name, who in (("Åkesson Bygg AB", self.admin),
                          ("Öresund Revision", self.users["asa"]["token"]),
                          ("Ånge Sågverk", self.admin),
                          ("Åkesson Bygg AB", self.users["orjan"]["token"])):
            self.call("POST", "/v1/clients/%d/access" % self.clients[name],
                      who, status=(201,))
        return self

    def client(self, n, name, status):
        org = se_org_number("556%03d%03d" % (n, n * 7 % 1000))
        if status == "invitation" or status == "declined":
            c = self.call("POST", "/v1/clients", self.integ, {
                "name": name, "org_number": org, "status": "invitation"})
            if status == "declined":
                self.call("POST", "/v1/clients/%d/decline" % c["id"],
                          self.admin)
            return c["id"]
        c = self.call("POST", "/v1/clients", self.admin, {
            "name": name, "org_number": org,
            "contact_email": "ekonomi%d@example.se" % n})
        if status == "active":
            self.call("POST", "/v1/clients/%d/verification" % c["id"],
                      self.integ, {"result": "approved"})
        return c["id"]


def _get(p, path, token, params=None):
    h = {"Authorization": "Bearer " + token}
    return requests.get(p.url(path), params=params, headers=h, timeout=30)


def _walk(p, token, path, params, limit):
    """Every page of a list by its cursors: [(query, status, bytes)]."""
    out, cursor = [], None
    for _ in range(100):
        q = dict(params, limit=limit)
        if cursor is not None:
            q["cursor"] = cursor
        r = _get(p, path, token, q)
        out.append((str(sorted(q.items())), r.status_code, r.content))
        if r.status_code != 200:
            break
        cursor = r.json().get("next_cursor")
        if cursor is None:
            break
    return out


def record(seed):
    """The answers of the portal's reads: [(who, url, status, bytes)]."""
    p = seed.p
    tokens = {"admin": seed.admin, "integration": seed.integ}
    for key in ("asa", "orjan", "arla"):
        tokens[key] = seed.users[key]["token"]
    out = []

    def one(who, path, params=None):
        r = _get(p, path, tokens[who], params)
        out.append((who, path, str(sorted((params or {}).items())),
                    r.status_code, r.content))

    def walk(who, path, params, limit):
        for query, status, body in _walk(p, tokens[who], path, params,
                                         limit):
            out.append((who, path, query, status, body))

    for who in ("admin", "asa"):
        one(who, "/v1/clients/tabs")
        one(who, "/v1/me")
        one(who, "/v1/me/notification-preferences")
    for tab in ("invitations", "onboarding", "mine", "all"):
        for sort in ("name", "-name", "missing_receipts",
                     "-missing_receipts"):
            walk("admin", "/v1/clients", {"tab": tab, "sort": sort}, 2)
        walk("admin", "/v1/clients", {"tab": tab,
                                      "missing_receipts": "true"}, 2)
    for q in ("å", "åkes", "ÖRESUND", "556", "söner", "e"):
        walk("admin", "/v1/clients", {"tab": "all", "q": q}, 2)
        walk("asa", "/v1/clients", {"tab": "mine", "q": q}, 1)
    walk("admin", "/v1/clients", {"tab": "all", "assignee":
                                  seed.users["orjan"]["id"]}, 1)
    for who in ("asa", "orjan", "arla"):
        for sort in ("name", "-missing_receipts"):
            walk(who, "/v1/clients", {"tab": "mine", "sort": sort}, 1)
    for cid in sorted(seed.clients.values()):
        one("admin", "/v1/clients/%d" % cid)
        one("admin", "/v1/clients/%d/assignees" % cid)
        one("admin", "/v1/clients/%d/reminders" % cid)
        walk("admin", "/v1/clients/%d/expenses" % cid, {}, 7)
        walk("admin", "/v1/clients/%d/expenses" % cid,
             {"receipt_status": "missing"}, 3)
        one("asa", "/v1/clients/%d/notification-preference" % cid)
    one("admin", "/v1/reminders/%d" % seed.reminder["id"])
    # A reminder's state comes from counts the target's triggers make
    # again as the rows arrive: the same answers, filtered by it too.
    walk("admin", "/v1/reminders", {}, 1)
    for state in ("delivered", "pending", "failed"):
        one("admin", "/v1/reminders", {"state": state})
    one("admin", "/v1/users")
    walk("admin", "/v1/audit-events", {}, 5)
    one("admin", "/v1/audit-events", {"client_id": seed.clients[
        "Åkesson Bygg AB"]})
    return out


def _pg_counts(uri):
    conn = connect(uri)
    try:
        with conn.cursor() as cur:
            counts = {}
            for t in TABLES:
                cur.execute('SELECT count(*) FROM "%s"' % t)
                counts[t] = cur.fetchone()[0]
            return counts
    finally:
        conn.close()


@pytest.fixture(scope="module")
def moved(pg_cluster):
    """The seeded portal, recorded, copied, and running on PostgreSQL."""
    with tempfile.TemporaryDirectory(prefix="portal-copy-") as tmpdir:
        room = Mailroom(tmpdir)
        try:
            seed = Seed(room).run()
            before = record(seed)
            mails = room.raw_messages()
            room.portal.server.stop_and_check()
            sqlite_db = room.portal.env["PORTAL_DB"]
            uri = new_database(pg_cluster, "copy")
            out = run_cli(room.portal.env, "copy-to", uri, timeout=300)
            # And back again, into a new file, before PostgreSQL changes.
            back_db = str(Path(tmpdir) / "back.db")
            back = run_cli(dict(room.portal.env, PORTAL_DB=uri), "copy-to",
                           back_db, timeout=300)
            env = room.portal.env
            env["PORTAL_DB"] = uri
            room.portal.server = ServerProcess(
                env, Path(tmpdir) / "portal-api-pg.log").start()
            yield {"room": room, "seed": seed, "before": before,
                   "mails": mails, "copy": out, "uri": uri,
                   "sqlite": sqlite_db, "back": back, "back_db": back_db,
                   "tmpdir": tmpdir}
        finally:
            room.close()


@MOVES
def test_sqlite_copy_prints_every_table_matching(moved):
    out = moved["copy"]
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["table", "rows", "checksum", "ok"]
    rows = {}
    for line in lines[1:1 + len(TABLES)]:
        table, n, checksum, ok = line.split()
        assert re.fullmatch(r"[0-9a-f]{64}", checksum), line
        assert ok == "yes", line
        rows[table] = int(n)
    assert list(rows) == TABLES
    assert rows == _pg_counts(moved["uri"])
    for t in ("partners", "users", "login_attempts", "clients",
              "assignments", "expenses", "audit_events",
              "notification_preferences", "outbox", "digests",
              "idempotency_keys", "reminders", "reminder_recipients",
              "events", "event_counters", "client_counts", "client_months",
              "balance_thresholds"):
        assert rows[t] > 0, t
    # The columns each checksum covers are named.
    assert "SHA-256" in out.stdout
    assert re.search(r"^  clients: id, partner_id, name, .*sort_key",
                     out.stdout, re.M)
    assert "copied into" in out.stdout


@MOVES
def test_sqlite_answers_are_the_same_bytes_on_postgresql(moved):
    seed = moved["seed"]
    after = record(seed)
    assert len(after) == len(moved["before"])
    for b, a in zip(moved["before"], after):
        assert b[:3] == a[:3]
        assert (a[3], a[4]) == (b[3], b[4]), (b[:3], b[4][:300], a[4][:300])


@MOVES
def test_sqlite_ids_continue_after_the_copied_ones(moved):
    seed = moved["seed"]
    top = max(seed.clients.values())
    c = seed.call("POST", "/v1/clients", seed.admin, {
        "name": "Nya Ågrenska AB", "org_number": se_org_number("556999000"),
        "contact_email": "ny@example.se"})
    assert c["id"] == top + 1
    e = seed.call("POST", "/v1/clients/%d/expenses" % c["id"], seed.integ, {
        "expenses": [{"external_id": "new-1", "amount_minor": 100,
                      "currency": "SEK", "spent_at": "2026-12-01T10:00:00Z",
                      "merchant": "SJ", "receipt_status": "missing",
                      "export_status": "pending"}]})
    conn = connect(moved["uri"])
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT max(id) FROM expenses WHERE client_id <> %s",
                        (c["id"],))
            old_top = cur.fetchone()[0]
            cur.execute("SELECT id FROM expenses WHERE client_id = %s",
                        (c["id"],))
            assert cur.fetchone()[0] == old_top + 1
            cur.execute("SELECT missing_receipts FROM clients WHERE id = %s",
                        (c["id"],))
            assert cur.fetchone()[0] == 1
    finally:
        conn.close()
    assert e is not None
    u = moved["room"].portal.create_user(seed.admin, name="Ny Användare")
    assert u["id"] > max(x["id"] for x in seed.users.values())
    tabs = seed.call("GET", "/v1/clients/tabs", seed.admin)
    assert tabs is not None
    r = _get(seed.p, "/readyz", seed.admin)
    assert r.status_code == 200, r.text


@MOVES
def test_sqlite_worker_on_postgresql_sends_nothing_twice(moved):
    room, seed = moved["room"], moved["seed"]
    assert len(moved["mails"]) >= 2
    assert room.raw_messages() == moved["mails"]
    room.worker(seed.digest_at + timedelta(minutes=5))
    room.worker(seed.digest_at + timedelta(hours=2))
    assert room.raw_messages() == moved["mails"]


@MOVES
def test_sqlite_copy_refuses_a_target_with_data(moved, pg_cluster):
    uri = moved["uri"]
    conn = connect(uri)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT last_value FROM pg_sequences "
                        "WHERE sequencename LIKE 'clients%'")
            seq = cur.fetchall()
    finally:
        conn.close()
    counts = _pg_counts(uri)
    env = dict(moved["room"].portal.env, PORTAL_DB=moved["sqlite"])
    out = run_cli(env, "copy-to", uri)
    assert out.returncode != 0
    assert "holds data already" in out.stderr
    assert _pg_counts(uri) == counts
    conn = connect(uri)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT last_value FROM pg_sequences "
                        "WHERE sequencename LIKE 'clients%'")
            assert cur.fetchall() == seq
    finally:
        conn.close()


@MOVES
def test_sqlite_copy_with_a_wrong_password_never_prints_it(moved,
                                                           pg_cluster):
    secret = "not-" + secrets.token_hex(8)
    target = new_database(pg_cluster, "copy_pw")
    env = dict(moved["room"].portal.env, PORTAL_DB=moved["sqlite"])
    out = run_cli(env, "copy-to", _with_password(target, secret))
    assert out.returncode != 0
    assert "password authentication failed" in out.stderr
    assert secret not in out.stderr + out.stdout
    assert urlsplit(pg_cluster).password not in out.stderr + out.stdout
    # Nothing was made there: not even the schema.
    conn = connect(target)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('partners') IS NULL")
            assert cur.fetchone()[0]
    finally:
        conn.close()
    pg_helpers.drop_database(pg_cluster, target)


@MOVES
def test_sqlite_copy_from_a_missing_file_is_an_error(pg_cluster, tmp_path):
    target = new_database(pg_cluster, "copy_missing")
    env = base_env(tmp_path)
    env["PORTAL_DB"] = str(tmp_path / "no-such.db")
    out = run_cli(env, "copy-to", target)
    assert out.returncode != 0
    assert "cannot open the source" in out.stderr
    assert not (tmp_path / "no-such.db").exists()
    pg_helpers.drop_database(pg_cluster, target)


@MOVES
def test_sqlite_copy_that_differs_is_rolled_back(moved, pg_cluster,
                                                 tmp_path):
    """A client whose counter disagrees with its expenses: PostgreSQL
    counts them again, the checksums differ, and nothing is kept."""
    import sqlite3
    src = sqlite3.connect(moved["sqlite"])
    bad = tmp_path / "bad.db"
    dst = sqlite3.connect(str(bad))
    src.backup(dst)
    src.close()
    dst.execute("UPDATE clients SET export_ready = export_ready + 7 "
                "WHERE id = (SELECT min(id) FROM clients)")
    dst.commit()
    dst.close()
    target = new_database(pg_cluster, "copy_bad")
    env = dict(moved["room"].portal.env, PORTAL_DB=str(bad))
    out = run_cli(env, "copy-to", target)
    assert out.returncode != 0
    line = [x for x in out.stdout.splitlines() if x.startswith("clients ")]
    assert line and line[0].split()[-1] == "NO", out.stdout
    assert "clients differs" in out.stderr
    assert "nothing was written" in out.stderr
    assert set(_pg_counts(target).values()) == {0}
    pg_helpers.drop_database(pg_cluster, target)


@MOVES
def test_sqlite_moved_database_copies_on_to_another_postgresql(moved,
                                                               pg_cluster):
    """The read side is the backend's own: a PostgreSQL database copies
    as well, with the same counts."""
    target = new_database(pg_cluster, "copy_again")
    env = dict(moved["room"].portal.env, PORTAL_DB=moved["uri"])
    out = run_cli(env, "copy-to", target)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()[1:1 + len(TABLES)]
    assert [x.split()[0] for x in lines] == TABLES
    assert all(x.split()[-1] == "yes" for x in lines)
    assert _pg_counts(target) == _pg_counts(moved["uri"])
    pg_helpers.drop_database(pg_cluster, target)


@MOVES
def test_sqlite_file_copied_back_from_postgresql_answers_the_same(moved):
    """The way back: PostgreSQL copied into a new SQLite file, which
    answers every recorded read with the same bytes."""
    back = moved["back"]
    assert back.returncode == 0, back.stderr
    lines = back.stdout.splitlines()[1:1 + len(TABLES)]
    assert [x.split()[0] for x in lines] == TABLES
    assert all(x.split()[-1] == "yes" for x in lines), back.stdout
    # The same rows and checksums as the copy that came from the file.
    assert lines == moved["copy"].stdout.splitlines()[1:1 + len(TABLES)]
    seed = moved["seed"]
    env = dict(moved["room"].portal.env, PORTAL_DB=moved["back_db"],
               PORTAL_LISTEN="127.0.0.1:%d" % free_port())
    server = ServerProcess(env, Path(moved["tmpdir"]) /
                           "portal-api-back.log").start()
    try:
        there = copy.copy(seed)
        there.p = Portal(server, env, moved["tmpdir"])
        after = record(there)
    finally:
        server.stop_and_check()
    assert len(after) == len(moved["before"])
    for b, a in zip(moved["before"], after):
        assert b[:3] == a[:3]
        assert (a[3], a[4]) == (b[3], b[4]), (b[:3], b[4][:300], a[4][:300])
