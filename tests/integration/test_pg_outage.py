"""PostgreSQL going away under load and coming back, against the real
portal-api and a looping portal-worker on a cluster of the test's own
(the session's cluster serves the other tests and must stay up).

The second test freezes the server instead (SIGSTOP to every process of
the cluster): its sockets stay open and answer nothing, as a server
stuck or cut off behind a firewall that drops packets does. Requests
still end with a 503 by their deadline, and all recovers once it runs.

The server is stopped the way a crash stops it (`pg-cluster halt`:
immediate shutdown, no checkpoint) while threads write expense batches,
send "notify accountants" reminders and read the client list. Meanwhile
/readyz answers 503 and so does every request that needs the database,
each within its deadline, never a 500 and never no answer. When the
server is started again the same processes recover without a restart:
/readyz answers 200, writes succeed again, every write acknowledged
before, during or after the outage is there, and the worker delivers
every queued reminder, each once.
"""
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from clients_helpers import new_org_number
from faults_helpers import (WAIT_LONG, Calls, Client, LoadThread, Room,
                            all_expenses, db_all, duplicates, expense_item,
                            received_message_ids, token_for, wait_until)
from pg_helpers import CLUSTER_TIMEOUT, PG_CLUSTER, PG_INITDB

REQUEST_TIMEOUT_MS = 2000     # the portal's deadline, and its pool's wait
BEFORE_SECONDS = 2.0          # load before the halt
OUTAGE_SECONDS = 4.0          # the server is down this long
AFTER_SECONDS = 3.0           # load after /readyz is back
KEEPERS = 2                   # bookkeepers each reminder goes to


class Cluster:
    """A throwaway cluster in /tmp (socket paths are short) that a test
    may halt and resume."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pg-outage-", dir="/tmp")
        self.uri = self._run("start").strip()

    def _run(self, cmd):
        out = subprocess.run([str(PG_CLUSTER), cmd, self.dir],
                             capture_output=True, text=True,
                             timeout=CLUSTER_TIMEOUT)
        assert out.returncode == 0, "pg-cluster %s: %s" % (cmd, out.stderr)
        return out.stdout

    def halt(self):
        self._run("halt")

    def resume(self):
        self._run("resume")

    def stop(self):
        self.thaw()
        subprocess.run([str(PG_CLUSTER), "stop", self.dir],
                       capture_output=True, timeout=CLUSTER_TIMEOUT)

    def _pids(self):
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            pm = int(f.readline())
        out = subprocess.run(["pgrep", "-P", str(pm)], capture_output=True,
                             text=True)
        return [pm] + [int(x) for x in out.stdout.split()]

    def freeze(self):
        """Stops every process of the server, leaving its sockets open."""
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        if getattr(self, "frozen", False):
            for pid in self._pids():
                os.kill(pid, signal.SIGCONT)
            self.frozen = False


@pytest.fixture
def outage_room():
    if not PG_INITDB.exists():
        pytest.fail("PostgreSQL 15 is missing: run scripts/install-deps",
                    pytrace=False)
    cluster = Cluster()
    try:
        with tempfile.TemporaryDirectory(prefix="portal-outage-") as tmpdir:
            room = Room(tmpdir, extra_env={
                "PORTAL_DB": cluster.uri,
                "PORTAL_DB_POOL": "4",
                "PORTAL_REQUEST_TIMEOUT_MS": str(REQUEST_TIMEOUT_MS),
                "PORTAL_NOTIFY_PER_CLIENT_HOUR": "100000",
                "PORTAL_NOTIFY_PER_SENDER_HOUR": "100000"})
            try:
                yield room, cluster
            finally:
                room.close()
    finally:
        cluster.stop()


def ok(api, method, path, token, body=None):
    r = api.call(method, path, token, "setup", json=body)
    assert r.status_code in (200, 201, 202), (method, path, r.status_code,
                                              r.text[:500])
    return r.json() if r.content else None


def ready(portal):
    try:
        return Client(portal.base_url, Calls()).s.get(
            portal.base_url + "/readyz", timeout=10).status_code
    except Exception:
        return None


def answered(r, route):
    """Outside the database's outage a request succeeds; during it, and
    while the pool finds its feet after, a 503 problem."""
    if r.status_code == 503:
        assert r.headers["Content-Type"].startswith(
            "application/problem+json"), (route, r.text[:300])
        assert r.json()["status"] == 503
        # Every 503 says when to come back.
        assert r.headers.get("Retry-After") == "1", route
        return False
    assert r.status_code in (200, 201, 202), (route, r.status_code,
                                              r.text[:300])
    return True


def active_client(api, admin, integ, name, org_number):
    c = ok(api, "POST", "/v1/clients", admin, {
        "name": name, "org_number": org_number,
        "contact_email": "ekonomi@example.se"})
    ok(api, "POST", "/v1/clients/%d/verification" % c["id"], integ,
       {"result": "approved"})
    return c["id"]


def expense_writer(base_url, calls, token, cid, tag, size, acked, lock):
    """A load step: a batch of size new expenses, kept in acked once
    answered."""
    cl = Client(base_url, calls)
    n = [0]

    def step():
        n[0] += 1
        items = [expense_item("%s-%d-%d" % (tag, n[0], i), "missing",
                              "ready") for i in range(size)]
        r = cl.call("POST", "/v1/clients/%d/expenses" % cid, token,
                    "POST expenses", json={"expenses": items})
        if answered(r, "POST expenses"):
            with lock:
                acked.update(it["external_id"] for it in items)
        time.sleep(0.02)
    return step


def list_reader(base_url, calls, token):
    cl = Client(base_url, calls)

    def step():
        r = cl.call("GET", "/v1/clients", token, "GET clients",
                    params={"tab": "all"})
        answered(r, "GET clients")
        time.sleep(0.01)
    return step


def test_postgresql_halted_under_load_answers_503_then_recovers_losing_nothing(
        outage_room):
    room, cluster = outage_room
    p = room.portal
    api = Client(p.base_url, Calls())
    admin, integ = p.token("admin"), p.token("integration")
    keepers = [p.create_user(admin, role="bookkeeper",
                             name="Bokförare %d" % i) for i in range(KEEPERS)]
    cid = active_client(api, admin, integ, "Avbrott AB",
                        new_org_number("SE"))
    ok(api, "PUT", "/v1/clients/%d/assignees" % cid, admin,
       {"user_ids": [u["id"] for u in keepers]})
    worker = room.worker(None)

    calls = Calls()
    stop = threading.Event()
    acked_expenses, acked_reminders = set(), set()
    lock = threading.Lock()

    def notifier():
        cl = Client(p.base_url, calls)
        n = [0]

        def step():
            n[0] += 1
            r = cl.call("POST", "/v1/clients/%d/notify-accountants" % cid,
                        admin, "POST notify",
                        json={"tasks": ["missing_receipts"],
                              "comment": "Avbrott %d" % n[0]})
            if answered(r, "POST notify"):
                with lock:
                    acked_reminders.add(r.json()["id"])
            time.sleep(0.1)
        return step

    threads = [LoadThread("writer-%d" % k, stop, expense_writer(
        p.base_url, calls, integ, cid, "o%d" % k, 5, acked_expenses, lock))
        for k in range(2)]
    threads += [LoadThread("notifier", stop, notifier()),
                LoadThread("reader", stop,
                           list_reader(p.base_url, calls, admin))]
    for t in threads:
        t.start()
    try:
        time.sleep(BEFORE_SECONDS)
        before = len(acked_expenses)
        assert before > 0, calls.report()
        cluster.halt()
        wait_until(lambda: ready(p) == 503, REQUEST_TIMEOUT_MS / 1000 + 10,
                   "/readyz to answer 503")
        time.sleep(OUTAGE_SECONDS)
        during = len(calls.rows)
        assert api.s.get(p.base_url + "/healthz", timeout=10).status_code \
            == 200, "the process is alive and says so"
        cluster.resume()
        wait_until(lambda: ready(p) == 200, 30, "/readyz to recover")
        resumed_at = len(acked_expenses)
        time.sleep(AFTER_SECONDS)
        wait_until(lambda: len(acked_expenses) > resumed_at, 30,
                   "writes to succeed again")
    finally:
        stop.set()
        for t in threads:
            t.join(WAIT_LONG)
    errors = ["%s: %r" % (t.name, t.error) for t in threads if t.error]
    assert not errors, "\n".join(errors) + "\n" + calls.report()
    assert not calls.failures, calls.failures[:5]
    statuses = {s for _, _, s, _ in calls.rows}
    assert 503 in statuses, "no request met the outage:\n" + calls.report()
    slow = [r for r in calls.rows if r[3] > REQUEST_TIMEOUT_MS / 1000 + 1.5]
    assert not slow, "answers past the deadline: %s\n%s" % (
        slow[:5], calls.report())
    assert len(calls.rows) > during, "the load ran through the outage"
    print("\n" + calls.report())

    # Every acknowledged write is there.
    rows, _ = all_expenses(api, admin, cid)
    assert acked_expenses <= set(rows), sorted(acked_expenses - set(rows))[:10]
    for rid in sorted(acked_reminders):
        ok(api, "GET", "/v1/reminders/%d" % rid, admin)

    # The worker lived through it and delivers every queued reminder once.
    expected = {mid for mid, in db_all(
        room.db_path, "SELECT message_id FROM outbox WHERE kind = 'reminder'")}
    # At least: a commit whose answer the outage cut is in doubt, and
    # its client was told 503 (and would send it again).
    assert len(expected) >= KEEPERS * len(acked_reminders)
    wait_until(lambda: set(received_message_ids(room.maildir)) >= expected,
               WAIT_LONG, "every reminder to be delivered")
    assert worker.proc.poll() is None, worker.log_text()[-3000:]
    got = received_message_ids(room.maildir)
    assert not duplicates(got), duplicates(got)
    assert worker.stop() in (0, 1), worker.log_text()[-3000:]
    assert "reachable again" in p.server.log_text(), \
        p.server.log_text()[-3000:]


def test_postgresql_frozen_answers_503_by_the_deadline_then_recovers(
        outage_room):
    room, cluster = outage_room
    p = room.portal
    api = Client(p.base_url, Calls())
    admin, integ = p.token("admin"), p.token("integration")
    cid = active_client(api, admin, integ, "Frusen AB",
                        new_org_number("SE"))

    calls = Calls()
    stop = threading.Event()
    acked = set()
    lock = threading.Lock()

    # More threads than the pool has connections: some wait for one.
    threads = [LoadThread("writer-%d" % k, stop, expense_writer(
        p.base_url, calls, integ, cid, "f%d" % k, 1, acked, lock))
        for k in range(3)]
    threads += [LoadThread("reader-%d" % k, stop,
                           list_reader(p.base_url, calls, admin))
                for k in range(3)]
    for t in threads:
        t.start()
    try:
        time.sleep(BEFORE_SECONDS)
        assert acked, calls.report()
        cluster.freeze()
        frozen_at = len(calls.rows)
        time.sleep(OUTAGE_SECONDS)
        assert ready(p) == 503, "/readyz while the server is frozen"
        during = calls.rows[frozen_at:]
        cluster.thaw()
        wait_until(lambda: ready(p) == 200, 30, "/readyz to recover")
        resumed_at = len(acked)
        wait_until(lambda: len(acked) > resumed_at, 30,
                   "writes to succeed again")
    finally:
        stop.set()
        cluster.thaw()
        for t in threads:
            t.join(WAIT_LONG)
    errors = ["%s: %r" % (t.name, t.error) for t in threads if t.error]
    assert not errors, "\n".join(errors) + "\n" + calls.report()
    assert not calls.failures, calls.failures[:5]
    assert any(s == 503 for _, _, s, _ in during), \
        "no request answered while frozen:\n" + calls.report()
    slow = [r for r in calls.rows if r[3] > REQUEST_TIMEOUT_MS / 1000 + 1.5]
    assert not slow, "answers past the deadline: %s\n%s" % (
        slow[:5], calls.report())
    print("\n" + calls.report())

    rows, _ = all_expenses(api, admin, cid)
    assert acked <= set(rows), sorted(acked - set(rows))[:10]
