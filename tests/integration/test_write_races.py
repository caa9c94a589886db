"""Writes that race a crash or another write, against the real server.

- An Idempotency-Key never sticks: a request killed (SIGKILL) while it is
  being handled leaves its key usable at once, and a crash never leaves
  a done action without its recorded answer.
- The caller is checked inside the write: a user deactivated while their
  write waited for its turn is refused, and two admins demoting each
  other at the same moment leave one admin.

The server is frozen at a chosen function with gdb (attached to the
running process) and killed there, which is a SIGKILL at a known point
rather than at a random moment.
"""
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

from clients_helpers import new_org_number
from conftest import API_BIN, ServerProcess, start_portal
import db_helpers
from faults_helpers import WriteLock, token_for

GDB = shutil.which("gdb")
HOLD = 0.8     # seconds a request is left waiting behind a held lock


@pytest.fixture
def lone_portal():
    with tempfile.TemporaryDirectory(prefix="portal-race-") as tmpdir:
        p = start_portal(tmpdir)
        try:
            yield p
        finally:
            p.server.stop_and_check()


def ok(p, method, path, token, body=None, status=(200, 201, 202)):
    r = p.request(method, path, token=token, json=body)
    assert r.status_code in status, (method, path, r.status_code, r.text)
    return r.json() if r.content else None


def client_with_two_bookkeepers(p):
    admin = p.token("admin")
    c = ok(p, "POST", "/v1/clients", admin, {
        "name": "Kraschsäker AB", "org_number": new_org_number("SE"),
        "contact_email": "ekonomi@example.se"})
    ok(p, "POST", "/v1/clients/%d/verification" % c["id"],
       p.token("integration"), {"result": "approved"})
    ids = [p.create_user(admin, role="bookkeeper")["id"] for _ in range(2)]
    ok(p, "PUT", "/v1/clients/%d/assignees" % c["id"], admin,
       {"user_ids": ids})
    return admin, c["id"]


def db_count(p, sql, *args):
    return db_helpers.one(p.env, sql, args)[0]


def restart(p):
    server = ServerProcess(p.env, p.tmpdir / "portal-api.log")
    server.start()
    p.server = server


class Breakpoint:
    """gdb attached to the running portal-api, stopped at the first call
    of any of the functions named; kill() ends the process there with
    SIGKILL, as a crash would."""

    def __init__(self, pid, *names):
        breaks = []
        for name in names:
            breaks += ["-ex", "rbreak ^%s$" % name]
        self.gdb = subprocess.Popen(
            [GDB, "-q", "-nx", "-batch", "-p", str(pid),
             "-ex", "set pagination off"] + breaks + [
             "-ex", "echo ARMED\\n",
             "-ex", "continue",
             "-ex", "echo STOPPED\\n",
             "-ex", "shell sleep 600"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.out = []
        self.stopped = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        # Attached once the breakpoints are set (it then runs on).
        deadline = time.monotonic() + 60
        while not any(line.startswith("ARMED") for line in self.out):
            assert self.gdb.poll() is None, "".join(self.out)
            assert time.monotonic() < deadline, "".join(self.out)
            time.sleep(0.05)

    def _read(self):
        for line in self.gdb.stdout:
            self.out.append(line)
            if line.startswith("STOPPED"):
                self.stopped.set()

    def wait(self, timeout=60):
        assert self.stopped.wait(timeout), "never stopped:\n" + "".join(
            self.out[-30:])
        assert any("Breakpoint" in line and "," in line
                   for line in self.out), "".join(self.out[-30:])

    def kill(self, server):
        server.proc.kill()          # SIGKILL, also while traced
        # The tracer hears of the death first: the parent only once it
        # is gone.
        self.gdb.kill()
        self.gdb.wait(30)
        server.proc.wait(30)
        server._forget()


def notify_in_background(p, admin, cid, key, out):
    def run():
        try:
            out.append(p.request(
                "POST", "/v1/clients/%d/notify-accountants" % cid,
                token=admin, json={"tasks": ["balance"]},
                headers={"Idempotency-Key": key}, timeout=60))
        except requests.RequestException as e:
            out.append(e)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


@pytest.mark.skipif(GDB is None, reason="gdb is not installed")
def test_an_idempotency_key_of_a_killed_request_is_usable_at_once(
        lone_portal):
    """Killed in the middle of its handler: the retry with the same key
    and body runs afresh (202, one reminder), not 409 for 24 hours."""
    p = lone_portal
    admin, cid = client_with_two_bookkeepers(p)
    key = str(uuid.uuid4())
    bp = Breakpoint(p.server.proc.pid, "reminder_create")
    out = []
    t = notify_in_background(p, admin, cid, key, out)
    bp.wait()
    bp.kill(p.server)
    t.join(30)
    assert out and isinstance(out[0], requests.RequestException), out
    restart(p)
    t0 = time.monotonic()
    r = p.request("POST", "/v1/clients/%d/notify-accountants" % cid,
                  token=admin, json={"tasks": ["balance"]},
                  headers={"Idempotency-Key": key})
    assert r.status_code == 202, r.text
    assert time.monotonic() - t0 < 5
    again = p.request("POST", "/v1/clients/%d/notify-accountants" % cid,
                      token=admin, json={"tasks": ["balance"]},
                      headers={"Idempotency-Key": key})
    assert again.status_code == 202
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == r.json()
    assert db_count(p, "SELECT count(*) FROM reminders") == 1


@pytest.mark.skipif(GDB is None, reason="gdb is not installed")
def test_a_crash_never_leaves_a_done_action_without_its_answer(
        lone_portal):
    """Killed as the answer is being recorded: either the reminder and
    its answer are both kept, or neither, so no retry (with this key or
    a new one) can send the reminder twice."""
    p = lone_portal
    admin, cid = client_with_two_bookkeepers(p)
    key = str(uuid.uuid4())
    # The function that records the answer, by its name in either design.
    bp = Breakpoint(p.server.proc.pid, "store_idempotency_finish",
                    "store_idempotency_record")
    out = []
    t = notify_in_background(p, admin, cid, key, out)
    bp.wait()
    bp.kill(p.server)
    t.join(30)
    reminders = db_count(p, "SELECT count(*) FROM reminders")
    answers = db_count(p, "SELECT count(*) FROM idempotency_keys "
                          "WHERE status IS NOT NULL")
    assert (reminders, answers) in ((0, 0), (1, 1)), (
        "after the crash: %d reminders, %d recorded answers" % (reminders,
                                                               answers))
    restart(p)
    r = p.request("POST", "/v1/clients/%d/notify-accountants" % cid,
                  token=admin, json={"tasks": ["balance"]},
                  headers={"Idempotency-Key": key})
    assert r.status_code == 202, r.text
    assert db_count(p, "SELECT count(*) FROM reminders") == 1
    assert db_count(p, "SELECT count(*) FROM outbox") == 2


def send_later(p, method, path, token, body, out):
    def run():
        out.append(p.request(method, path, token=token, json=body,
                             timeout=60))
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_a_user_deactivated_while_their_write_waits_is_refused(
        lone_portal):
    """The write waits for the database's write lock; meanwhile the user
    is deactivated. When its turn comes, the caller is read again in the
    write transaction and the write is refused, changing nothing."""
    p = lone_portal
    admin, cid = client_with_two_bookkeepers(p)
    keeper = p.create_user(admin, role="bookkeeper")
    ok(p, "PUT", "/v1/clients/%d/assignees" % cid, admin,
       {"user_ids": [keeper["id"]]})
    token = token_for(p, keeper["id"], "bookkeeper")
    out = []
    with WriteLock(p.env["PORTAL_DB"]) as lock:
        t = send_later(p, "PUT", "/v1/clients/%d/notification-preference"
                       % cid, token, {"email": True, "frequency": "daily"},
                       out)
        time.sleep(HOLD)
        lock.db.execute("UPDATE users SET active = FALSE WHERE id = ?",
                        (keeper["id"],))
        lock.db.execute("COMMIT")
        lock.db.execute("BEGIN")     # for the lock's own ROLLBACK
    t.join(60)
    assert out[0].status_code == 401, out[0].text
    assert db_count(p, "SELECT count(*) FROM notification_preferences "
                       "WHERE user_id = ?", keeper["id"]) == 0


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
        lone_portal):
    p = lone_portal
    admin = p.token("admin")
    other = p.create_user(admin, role="admin")
    first = p.users["admin"]
    tokens = {first["id"]: token_for(p, first["id"], "admin"),
              other["id"]: token_for(p, other["id"], "admin")}
    out = []
    with WriteLock(p.env["PORTAL_DB"]):
        threads = [
            send_later(p, "PATCH", "/v1/users/%d" % other["id"],
                       tokens[first["id"]], {"role": "bookkeeper"}, out),
            send_later(p, "PATCH", "/v1/users/%d" % first["id"],
                       tokens[other["id"]], {"role": "bookkeeper"}, out)]
        time.sleep(HOLD)
    for t in threads:
        t.join(60)
    codes = sorted(r.status_code for r in out)
    assert codes == [200, 403], [(r.status_code, r.text) for r in out]
    admins = db_count(p, "SELECT count(*) FROM users WHERE role = 'admin' "
                         "AND active = TRUE AND partner_id = ?",
                      first["partner_id"])
    assert admins == 1


def test_a_firm_keeps_an_active_admin_whatever_admins_do_at_once(
        lone_portal):
    """Three admins, each deactivating the next at the same moment: at
    least one active admin is left."""
    p = lone_portal
    admin = p.token("admin")
    ids = [p.users["admin"]["id"]] + [
        p.create_user(admin, role="admin")["id"] for _ in range(2)]
    out = []
    with WriteLock(p.env["PORTAL_DB"]):
        threads = [send_later(p, "PATCH", "/v1/users/%d" % ids[(i + 1) % 3],
                              token_for(p, ids[i], "admin"),
                              {"active": False}, out) for i in range(3)]
        time.sleep(HOLD)
    for t in threads:
        t.join(60)
    assert db_count(p, "SELECT count(*) FROM users WHERE role = 'admin' "
                       "AND active = TRUE AND partner_id = ?",
                    p.users["admin"]["partner_id"]) >= 1
    assert sorted(r.status_code for r in out).count(200) <= 2


def test_an_answer_over_64_kib_is_replayed_by_its_digest(lone_portal):
    """A batch of 1,000 expenses answers well over 64 KiB: the key keeps a
    SHA-256 of its body, and a repeat is answered 409 with the digest in
    Repr-Digest, writing nothing."""
    import base64
    import hashlib
    from faults_helpers import expense_item
    p = lone_portal
    _, cid = client_with_two_bookkeepers(p)
    integ = p.token("integration")
    body = {"expenses": [expense_item("big-%d" % i, "missing", "pending")
                         for i in range(1000)]}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = p.request("POST", "/v1/clients/%d/expenses" % cid, token=integ,
                      json=body, headers=headers)
    assert first.status_code == 200, first.text[:300]
    assert len(first.content) > 65536
    again = p.request("POST", "/v1/clients/%d/expenses" % cid, token=integ,
                      json=body, headers=headers)
    assert again.status_code == 409
    assert again.json()["title"] == "Answer not kept"
    assert again.headers.get("Idempotent-Replayed") == "true"
    want = base64.b64encode(hashlib.sha256(first.content).digest()).decode()
    assert again.headers.get("Repr-Digest") == "sha-256=:%s:" % want
    assert db_count(p, "SELECT count(*) FROM expenses") == 1000
