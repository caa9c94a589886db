"""Helpers of the crash and concurrency suite (test_faults.py).

- `Room`: a portal (the real portal-api) and a real SMTP server whose
  answers can be slowed down (`SlowSmtpServer`), so that a test can kill
  the worker while a message is on the wire.
- `WorkerProcess`: a looping `portal-worker` (no --once) that can be
  stopped with SIGTERM or killed with SIGKILL.
- `Client`: HTTP on one keep-alive session per thread, every answer
  recorded (`Calls`) so that a test can say that no request got a 5xx.
- `LoadThread`: a thread that runs a step until told to stop and keeps
  the first exception it raised.
- Reading back: a read-only connection to the database, SQLite or
  PostgreSQL (`read_db`, db_helpers), and the Message-ID of every
  received email (`received_message_ids`).
- `WriteLock` and `kill_while_writing`: another process's hold on every
  write, and a kill while the server has a write transaction open.
"""
import asyncio
import collections
import email.parser
import email.policy
import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from datetime import timedelta, timezone
from pathlib import Path

import pytest
import requests

from conftest import (API_BIN, HTTP_TIMEOUT, SMTP_CONNECTIONS, mint_jwt,
                      sanitizer_report, start_portal, std_claims)
from db_helpers import connect
from smtp_server import SmtpServer, _Handler
from worker_helpers import CPH, next_local

WORKER_BIN = API_BIN.parent / "portal-worker"

# Sanitized builds are several times slower: every wait below is a bound,
# not a pace, so the release build finishes long before it.
WAIT_LONG = 60.0

MONDAY = 0


def stamp(t):
    """RFC 3339 UTC of an aware datetime, as --now takes it."""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_until(pred, timeout, what, interval=0.02):
    """Polls pred until it is true; fails the test after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            pytest.fail("timed out after %.0fs waiting for %s" % (timeout,
                                                                  what))
        time.sleep(interval)


def monday_after_next(now):
    """10:00 Copenhagen on the Monday after the first Monday 10:00 after
    now: a preference set now (or changed during the test) has started by
    then."""
    first = next_local(MONDAY, 10, 0, now - timedelta(days=1))
    if first <= now:
        first = next_local(MONDAY, 10, 0, first)
    return next_local(MONDAY, 10, 0, first)


def weekdays_from(monday, n):
    """The first n weekdays at 10:00 local from monday on."""
    out, day = [], monday
    while len(out) < n:
        if day.astimezone(CPH).weekday() < 5:
            out.append(day)
        day = (day + timedelta(days=1)).astimezone(CPH).replace(hour=10,
                                                                minute=0)
    return out


# --------------------------------------------------------------------------
# SMTP that can take its time

class _SlowHandler(_Handler):
    """Stores the message as smtp_server does, then waits DIR/delay
    seconds before it answers 250: a worker killed in that wait has
    delivered a message it never saw acknowledged."""

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        try:
            delay = float((self.directory / "delay").read_text().strip())
        except (OSError, ValueError):
            delay = 0.0
        if delay > 0 and reply.startswith("250"):
            await asyncio.sleep(delay)
        return reply


class SlowSmtpServer(SmtpServer):
    """smtp_server.SmtpServer with a delay after each message, read from
    DIR/delay (seconds) before every answer to DATA."""

    handler_class = _SlowHandler

    def set_delay(self, seconds):
        path = self.directory / "delay"
        tmp = path.with_suffix(".tmp")
        tmp.write_text("%g\n" % seconds)
        os.replace(tmp, path)


def received_message_ids(maildir):
    """The Message-ID of every stored message, in arrival order (a
    message counts once its .json exists, which smtp_server writes
    last)."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    ids = []
    for meta in sorted(Path(maildir).glob("*.json"),
                       key=lambda p: int(p.stem)):
        raw = meta.with_suffix(".eml").read_bytes()
        mid = parser.parsebytes(raw)["Message-ID"]
        assert mid, "a message without Message-ID: %r" % raw[:500]
        ids.append(str(mid).strip().strip("<>"))
    return ids


def received_count(maildir):
    return len(list(Path(maildir).glob("*.json")))


def duplicates(ids):
    return {k: n for k, n in collections.Counter(ids).items() if n > 1}


# --------------------------------------------------------------------------
# The programs

class WorkerProcess:
    """A looping `portal-worker --now T` (its clock starts at T and runs
    on; with now None, no --now: the real clock), its stderr in a log file
    of its own."""

    def __init__(self, env, log_path, now, poll=1):
        self.env = dict(env)
        self.env["PORTAL_WORKER_POLL"] = str(poll)
        self.log_path = Path(log_path)
        self.now = now
        self._log = open(self.log_path, "ab")
        args = [str(WORKER_BIN)]
        if now is not None:
            args += ["--now", stamp(now)]
        self.proc = subprocess.Popen(args, env=self.env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _close(self):
        if self._log is not None:
            self._log.close()
            self._log = None

    def check_log(self):
        report = sanitizer_report(self.log_text())
        if report:
            pytest.fail("sanitizer report from portal-worker:\n" + report,
                        pytrace=False)

    def wait_started(self, timeout=WAIT_LONG):
        """Until the worker has its signals in hand ("worker started" is
        logged after it blocks SIGTERM): a SIGTERM before that ends it
        by the signal's default action."""
        wait_until(lambda: "worker started" in self.log_text() or
                   self.proc.poll() is not None, timeout,
                   "portal-worker to start")
        assert self.proc.poll() is None, (
            "portal-worker exited with %s:\n%s" % (self.proc.returncode,
                                                    self.log_text()[-3000:]))
        return self

    def kill9(self):
        """SIGKILL, as a crash or an OOM killer would."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self._close()
        self.check_log()

    def stop(self, timeout=60):
        """SIGTERM; the exit code (1 when any pass failed)."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                pytest.fail("portal-worker ignored SIGTERM for %ss:\n%s"
                            % (timeout, self.log_text()[-5000:]))
        finally:
            self._close()
        self.check_log()
        return rc

    def ensure_dead(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()


class Room:
    """A portal, and a (slow-capable) SMTP server its worker mails."""

    def __init__(self, tmpdir, extra_env=None):
        self.tmpdir = Path(tmpdir)
        self.maildir = self.tmpdir / "mail"
        self.smtp = SlowSmtpServer(self.maildir).start()
        env = {"PORTAL_SMTP_URL": "smtp://127.0.0.1:%d" % self.smtp.port,
               "PORTAL_SMTP_CONNECTIONS": SMTP_CONNECTIONS,
               "PORTAL_MAIL_FROM": "portal@alpha.test",
               "PORTAL_APP_URL": "https://app.alpha.test"}
        env.update(extra_env or {})
        try:
            self.portal = start_portal(tmpdir, extra_env=env)
        except Exception:
            self.smtp.stop()
            raise
        self.portal.env["PORTAL_PUBLIC_URL"] = self.portal.base_url
        self.workers = []
        self._n = 0

    @property
    def db_path(self):
        return self.portal.env["PORTAL_DB"]

    def worker(self, now, poll=1):
        self._n += 1
        w = WorkerProcess(self.portal.env, self.tmpdir /
                          ("worker-%d.log" % self._n), now, poll=poll)
        self.workers.append(w)
        return w.wait_started()

    def worker_once(self, now):
        """One pass (`--once`): the digests due at now, then the outbox;
        its exit code and log."""
        env = dict(self.portal.env)
        proc = subprocess.run([str(WORKER_BIN), "--once", "--now",
                               stamp(now)], env=env, capture_output=True,
                              text=True, timeout=120)
        report = sanitizer_report(proc.stderr)
        if report:
            pytest.fail("sanitizer report from portal-worker --once:\n" +
                        report, pytrace=False)
        return proc.returncode, proc.stderr

    def worker_logs(self):
        return "".join("--- %s\n%s" % (w.log_path.name, w.log_text())
                       for w in self.workers)

    def close(self):
        try:
            for w in self.workers:
                w.ensure_dead()
            self.portal.server.stop_and_check()
        finally:
            self.smtp.stop()


def read_db(path):
    """A read-only connection to the test's database (path: its
    PORTAL_DB), closed by `with`; every read is its own short
    transaction."""
    return connect(path, readonly=True)


# Another holder of the write lock. SQLite has one for the whole file
# (BEGIN IMMEDIATE takes it); on PostgreSQL, EXCLUSIVE locks on every
# table hold back every INSERT, UPDATE, DELETE and SELECT FOR UPDATE and
# let plain reads go on, which is what SQLite's lock does to the others.
_PG_LOCK_ALL = """
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT format('%I', tablename) FROM pg_tables
      WHERE schemaname = current_schema() LOOP
    EXECUTE 'LOCK TABLE ' || t || ' IN EXCLUSIVE MODE';
  END LOOP;
END $$"""


class WriteLock:
    """The database's write lock, taken by the test's own connection, as
    another process (a backup, an operator's shell, a second API) would
    hold it. Inside the block, lock.db is that connection, in its
    transaction."""

    def __init__(self, path):
        self.db = connect(path)

    def __enter__(self):
        if self.db.backend == "sqlite":
            self.db.execute("BEGIN IMMEDIATE")
        else:
            self.db.execute("BEGIN")
            self.db.execute(_PG_LOCK_ALL)
        return self

    def __exit__(self, *exc):
        self.db.execute("ROLLBACK")
        self.db.close()


def _writer_seen(db):
    """Whether another connection holds a write transaction right now;
    db is a connection with autocommit."""
    if db.backend == "sqlite":
        # Failing to take the lock without waiting.
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        db.execute("ROLLBACK")
        return False
    # A transaction gets an id at its first write.
    return db.one("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                  "current_database() AND pid <> pg_backend_pid() AND "
                  "backend_xid IS NOT NULL")[0] > 0


def kill_while_writing(server, path, timeout=WAIT_LONG):
    """SIGKILLs server the moment someone holds a write transaction (open,
    or committing) on the database at path (a PORTAL_DB). Returns the
    seconds it took to see one."""
    t0 = time.monotonic()
    db = connect(path, timeout=0)
    try:
        while time.monotonic() - t0 < timeout:
            if _writer_seen(db):
                server.kill()
                return time.monotonic() - t0
            time.sleep(0.001)
    finally:
        db.close()
    pytest.fail("no write transaction seen in %ss" % timeout)


def db_all(path, sql, *args):
    with read_db(path) as db:
        return db.rows(sql, args)


def db_one(path, sql, *args):
    rows = db_all(path, sql, *args)
    return rows[0] if rows else None


# --------------------------------------------------------------------------
# HTTP from many threads

def token_for(portal, user_id, role, partner_id=None, ttl=3600):
    """A token signed with the server's secret (no password hash)."""
    pid = partner_id or portal.partners["alpha"]
    return mint_jwt(portal.secret, std_claims(user_id, pid, role, ttl=ttl))


class Calls:
    """Every answer of every thread: (method, route, status, seconds),
    and the requests that got no answer at all."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []
        self.failures = []      # (method, route, repr(exception))

    def add(self, method, route, status, secs):
        with self.lock:
            self.rows.append((method, route, status, secs))

    def fail(self, method, route, exc):
        with self.lock:
            self.failures.append((method, route, repr(exc)))

    def bad(self, ok=lambda s: s < 500):
        with self.lock:
            return [r for r in self.rows if not ok(r[2])]

    def summary(self):
        """{(method, route): (count, statuses, max seconds)}"""
        out = {}
        with self.lock:
            for m, route, status, secs in self.rows:
                n, st, mx = out.get((m, route), (0, collections.Counter(),
                                                 0.0))
                st[status] += 1
                out[(m, route)] = (n + 1, st, max(mx, secs))
        return out

    def report(self):
        lines = []
        for (m, route), (n, st, mx) in sorted(self.summary().items()):
            lines.append("%-6s %-48s %6d  %s  max %.0f ms" % (
                m, route, n, dict(st), mx * 1e3))
        return "\n".join(lines)


class Client:
    """One keep-alive session (one per thread), recording every answer
    under a route name without ids."""

    def __init__(self, base_url, calls):
        self.base = base_url
        self.calls = calls
        self.s = requests.Session()

    def call(self, method, path, token, route, json=None, params=None,
             timeout=HTTP_TIMEOUT):
        t0 = time.monotonic()
        try:
            r = self.s.request(method, self.base + path, json=json,
                               params=params, timeout=timeout,
                               headers={"Authorization": "Bearer " + token},
                               allow_redirects=False)
        except requests.RequestException as e:
            self.calls.fail(method, route, e)
            raise
        self.calls.add(method, route, r.status_code, time.monotonic() - t0)
        return r

    def close(self):
        self.s.close()


class LoadThread(threading.Thread):
    """Runs step() until stop is set (or step returns False); the first
    exception ends the thread and is kept in .error."""

    def __init__(self, name, stop, step):
        super().__init__(name=name, daemon=True)
        self.stop_event = stop
        self.step = step
        self.error = None
        self.steps = 0

    def run(self):
        try:
            while not self.stop_event.is_set():
                if self.step() is False:
                    break
                self.steps += 1
        except Exception as e:  # reported by the test
            self.error = e


def expense_item(external_id, receipt, export, amount=12550):
    return {"external_id": external_id, "amount_minor": amount,
            "currency": "SEK", "spent_at": "2026-03-02T10:15:00Z",
            "merchant": "Pressbyrån Centralen", "receipt_status": receipt,
            "export_status": export}


def all_expenses(client, token, client_id, **filters):
    """Every expense of a client through the API, a page of 200 at a
    time: ({external_id: row}, total the first page announced)."""
    rows, cursor, total = {}, None, None
    while True:
        params = dict(filters, limit=200)
        if cursor:
            params["cursor"] = cursor
        r = client.call("GET", "/v1/clients/%d/expenses" % client_id, token,
                        "GET expenses", params=params)
        assert r.status_code == 200, r.text[:500]
        doc = r.json()
        if total is None:
            total = doc["total"]
        for e in doc["data"]:
            assert e["external_id"] not in rows, "listed twice: %r" % e
            rows[e["external_id"]] = e
        cursor = doc["next_cursor"]
        if not cursor:
            return rows, total


def unique(tag):
    return "%s-%s" % (tag, uuid.uuid4().hex)
