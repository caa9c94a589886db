"""Housekeeping: the worker deletes idempotency keys after their 24 hours
and login attempts after their window, in bounded batches, and /metrics
shows the row counts of the tables that grow."""
import re
import tempfile
import time
from datetime import datetime, timezone

import pytest

from db_helpers import connect
from worker_helpers import Mailroom

DAY = 24 * 3600
GROWING = ("idempotency_keys", "login_attempts", "outbox", "digests",
           "reminders", "reminder_recipients", "audit_events")


@pytest.fixture(scope="module")
def room():
    with tempfile.TemporaryDirectory(prefix="portal-tidy-") as tmpdir:
        r = Mailroom(tmpdir)
        try:
            yield r
        finally:
            r.close()


def writable(room):
    return connect(room.portal.env, timeout=10)


def add_keys(conn, user_id, tag, created):
    """Idempotency keys of user_id made at each time in created."""
    with conn.transaction():
        conn.executemany(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, "
            "status, content_type, body, created_at) "
            "VALUES (?, ?, 'h', 201, 'application/json', '{}', ?)",
            [(user_id, "%s-%d" % (tag, i), t) for i, t in enumerate(created)])


def add_attempts(conn, tag, window_ends):
    with conn.transaction():
        conn.executemany(
            "INSERT INTO login_attempts (email, source, attempts, "
            "window_end) VALUES (?, '127.0.0.9', 1, ?)",
            [("%s-%d@alpha.test" % (tag, i), t)
             for i, t in enumerate(window_ends)])


def keys_of(conn, tag):
    return sorted(r[0] for r in conn.execute(
        "SELECT key FROM idempotency_keys WHERE key LIKE ?", (tag + "-%",)))


def attempts_of(conn, tag):
    return sorted(r[0] for r in conn.execute(
        "SELECT email FROM login_attempts WHERE email LIKE ?",
        (tag + "-%",)))


def test_a_worker_pass_deletes_expired_idempotency_keys_and_login_attempts(
        room):
    p = room.portal
    now = int(time.time())
    admin = p.users["admin"]["id"]
    conn = writable(room)
    try:
        # More than two batches of each, and live rows beside them.
        add_keys(conn, admin, "old", [now - DAY - 1 - i for i in range(1200)])
        add_keys(conn, admin, "live", [now - DAY + 60, now - 3600, now])
        add_attempts(conn, "ended", [now - i for i in range(700)])
        # The worker expires by the wall clock, which moves on while the
        # test runs: an open window must outlast both passes.
        add_attempts(conn, "open", [now + 120, now + 300])
    finally:
        conn.close()
    # A real lock, taken through the API, is live too.
    ghost = "tidy-ghost@alpha.test"
    assert p.login_response(ghost, "wrong-password-1").status_code == 401

    log = room.worker(datetime.fromtimestamp(now, timezone.utc))
    assert "expired: 1200 idempotency keys, 700 login attempts" in log, log

    conn = writable(room)
    try:
        assert keys_of(conn, "old") == []
        assert keys_of(conn, "live") == ["live-0", "live-1", "live-2"]
        assert attempts_of(conn, "ended") == []
        assert attempts_of(conn, "open") == ["open-0@alpha.test",
                                             "open-1@alpha.test"]
        assert conn.execute("SELECT count(*) FROM login_attempts "
                            "WHERE email = ?", (ghost,)).fetchone()[0] == 2
    finally:
        conn.close()
    # A second pass has nothing left to do.
    log = room.worker(datetime.fromtimestamp(now, timezone.utc))
    assert "expired:" not in log, log


def metrics_rows(p):
    r = p.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "# TYPE portal_table_rows gauge" in r.text
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r'^portal_table_rows\{table="([a-z_]+)"\} (\d+)$', r.text, re.M)}


def test_metrics_show_the_row_counts_of_the_tables_that_grow(room):
    p = room.portal
    now = int(time.time())
    conn = writable(room)
    try:
        add_keys(conn, p.users["admin"]["id"], "seen", [now] * 12)
        add_attempts(conn, "seen", [now + 300] * 3)
        real = {t: conn.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in GROWING}
    finally:
        conn.close()
    rows = metrics_rows(p)
    assert rows == real, (rows, real)
    assert rows["idempotency_keys"] >= 12 and rows["login_attempts"] >= 3
    # The counts follow the table.
    conn = writable(room)
    try:
        with conn.transaction():
            conn.execute("DELETE FROM idempotency_keys WHERE key LIKE "
                         "'seen-%'")
    finally:
        conn.close()
    assert metrics_rows(p)["idempotency_keys"] == \
        real["idempotency_keys"] - 12
