"""Writes that share their commits, against the real server and database.

Concurrent writes commit together (on SQLite, one commit to disk for a
group of them: GET /metrics counts both), each still all-or-nothing and
answered only once durable. A batch that the database refuses half-way,
after it has written most of its rows, among good batches sent at the
same moment: its rows are all gone, every other batch answers 200 with
all of its rows kept, and the clients' counters match their rows.

The refusal is the database's own: a trigger the test adds refuses one
merchant, so the batch fails inside its transaction, where only the
rollback of its part of the group can undo it.
"""
import re
import threading

import pytest
import requests

import db_helpers
from clients_helpers import Api, Firm, expense, module_portal
from conftest import HTTP_TIMEOUT, assert_problem

srv = module_portal()

REFUSED = "Refused By The Database AB"
# Small batches: a group commits once it has been open 8 ms, so long
# bodies (a sanitized build's) would each commit alone.
BATCH = 25
CLIENTS = 16
ROUNDS = 8


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture(scope="module")
def firm(api):
    return Firm(api, "sv")


@pytest.fixture
def refusing_db(srv):
    """The database refuses an expense of merchant REFUSED, mid-batch."""
    env = srv.env
    if db_helpers.suite_backend() == "sqlite":
        db_helpers.execute(env, (
            "CREATE TRIGGER test_refuse_merchant BEFORE INSERT ON expenses "
            "WHEN NEW.merchant = '%s' BEGIN "
            "SELECT RAISE(ABORT, 'refused by the test'); END" % REFUSED))
        drop = ["DROP TRIGGER test_refuse_merchant"]
    else:
        db_helpers.execute(env, (
            "CREATE FUNCTION test_refuse_merchant() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.merchant = '%s' THEN "
            "RAISE EXCEPTION 'refused by the test'; END IF; "
            "RETURN NEW; END $$" % REFUSED))
        db_helpers.execute(env, (
            "CREATE TRIGGER test_refuse_merchant BEFORE INSERT ON expenses "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_merchant()"))
        drop = ["DROP TRIGGER test_refuse_merchant ON expenses",
                "DROP FUNCTION test_refuse_merchant()"]
    try:
        yield
    finally:
        for sql in drop:
            db_helpers.execute(env, sql)


def write_counts(srv):
    r = requests.get(srv.url("/metrics"), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    got = {}
    for name in ("portal_db_writes_total", "portal_db_commits_total"):
        m = re.search(r"^%s (\d+)$" % name, r.text, re.M)
        assert m, (name, r.text)
        got[name] = int(m.group(1))
    return got["portal_db_writes_total"], got["portal_db_commits_total"]


def batch(prefix, bad):
    items = [expense("%s-%d" % (prefix, i),
                     receipt_status="missing" if i % 3 else "attached",
                     export_status="ready" if i % 2 else "pending")
             for i in range(BATCH)]
    if bad:
        # The last row: everything before it is written when it fails.
        items[-1]["merchant"] = REFUSED
    return {"expenses": items}


def send_at_once(srv, token, jobs):
    """POSTs each (client id, body) from its own connection, released
    together; returns the responses in order."""
    out = [None] * len(jobs)
    gate = threading.Barrier(len(jobs))

    def one(i, cid, body):
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer " + token
            # A first request opens the connection before the gate.
            s.get(srv.url("/v1/me"), timeout=HTTP_TIMEOUT)
            gate.wait()
            out[i] = s.post(srv.url("/v1/clients/%d/expenses" % cid),
                            json=body, timeout=HTTP_TIMEOUT)

    threads = [threading.Thread(target=one, args=(i, cid, body))
               for i, (cid, body) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def kept(srv, cid, prefix):
    return db_helpers.one(srv.env, (
        "SELECT count(*) FROM expenses WHERE client_id = ? "
        "AND external_id LIKE ?"), (cid, prefix + "-%"))[0]


def test_a_batch_refused_mid_way_fails_alone(srv, api, firm, refusing_db):
    clients = [firm.active("Samtidig %02d AB" % i)["id"]
               for i in range(CLIENTS)]
    token = firm.integration.token
    writes0, commits0 = write_counts(srv)
    sent = []
    for rnd in range(ROUNDS):
        bad = rnd % CLIENTS
        jobs, prefixes = [], []
        for i, cid in enumerate(clients):
            prefix = "r%d-c%d" % (rnd, i)
            prefixes.append(prefix)
            jobs.append((cid, batch(prefix, i == bad)))
        answers = send_at_once(srv, token, jobs)
        for i, r in enumerate(answers):
            if i == bad:
                assert_problem(r, 500)
            else:
                assert r.status_code == 200, (rnd, i, r.status_code,
                                              r.text[:300])
                doc = r.json()
                assert (doc["created"], doc["updated"]) == (BATCH, 0)
                assert len(doc["data"]) == BATCH
        for i, cid in enumerate(clients):
            assert kept(srv, cid, prefixes[i]) == (0 if i == bad
                                                   else BATCH), (rnd, i)
        sent.append(len(clients) - 1)
    writes1, commits1 = write_counts(srv)

    # The counters the triggers keep moved with the kept rows only.
    for cid in clients:
        missing, ready = db_helpers.one(srv.env, (
            "SELECT sum(CASE WHEN receipt_status = 'missing' THEN 1 "
            "ELSE 0 END), sum(CASE WHEN export_status = 'ready' THEN 1 "
            "ELSE 0 END) FROM expenses WHERE client_id = ?"), (cid,))
        d = api.ok("GET", "/v1/clients/%d" % cid, firm.admin.token)
        assert (d["missing_receipts"], d["export_ready"]) == (missing,
                                                              ready), cid
    if db_helpers.suite_backend() == "sqlite":
        # What a batch kept aside for its client (schema.sql, version 27)
        # went with it, refused or not.
        assert db_helpers.one(srv.env, "SELECT count(*) FROM "
                              "expense_batches")[0] == 0

    writes, commits = writes1 - writes0, commits1 - commits0
    # The good batches, and the metrics' own reads wrote nothing.
    assert writes == sum(sent), (writes, sent)
    if db_helpers.suite_backend() == "sqlite":
        # Batches that arrived together shared commits to disk.
        assert 0 < commits < writes, (writes, commits)
    else:
        assert commits == writes
