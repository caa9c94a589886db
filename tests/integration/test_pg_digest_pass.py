"""Workers on one PostgreSQL split the digest pass by firm: each firm's
pass is one worker's at a time, under a lock of that worker's session,
and a worker killed mid-pass leaves the firm to the next pass of another
at once (the server ends the dead session and its lock with it).
"""
import os
import signal
import subprocess
import time
from datetime import timezone

from db_helpers import one, rows
from faults_helpers import WriteLock
from pg_helpers import connect
from test_worker import fresh_monday, room, to, world  # noqa: F401
from worker_helpers import WORKER_BIN

PASS_LOCK = 7370621     # common/pg/digest.c: DIGEST_PASS_LOCK


def _pass_locks(uri, partner_id):
    """Sessions holding partner's digest pass now."""
    return one(uri, "SELECT count(*) FROM pg_locks WHERE locktype = "
               "'advisory' AND classid = ? AND objid = ? AND granted",
               (PASS_LOCK, partner_id))[0]


def _digests(uri, period_like):
    return dict(rows(uri, "SELECT user_id, count(*) FROM digests WHERE "
                     "period LIKE ? GROUP BY user_id", (period_like,)))


def test_pg_a_firm_whose_pass_another_worker_holds_is_left_to_it(room,
                                                                  world):
    uri = room.portal.env["PORTAL_DB"]
    firm = room.portal.partners["alpha"]
    weekly = world["users"]["weekly"]
    before = len(to(room, weekly))
    monday = fresh_monday(world, world["start"])
    holder = connect(uri)
    try:
        holder.cursor().execute("SELECT pg_advisory_lock(%s, %s)",
                                (PASS_LOCK, firm))
        log = room.worker(monday)
        assert "partner %d: another worker is writing its digests" % firm \
            in log, log
        assert len(to(room, weekly)) == before
    finally:
        holder.close()
    room.worker(monday)
    assert len(to(room, weekly)) == before + 1


def test_pg_a_worker_killed_mid_pass_leaves_its_firm_to_another(room,
                                                                 world):
    uri = room.portal.env["PORTAL_DB"]
    firm = room.portal.partners["alpha"]
    users = world["users"]
    before = {k: len(to(room, u)) for k, u in users.items()}
    monday = fresh_monday(world, world["start"])
    stamp = monday.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with WriteLock(uri):
        # The worker takes the firm's pass, then waits to write a digest.
        proc = subprocess.Popen([str(WORKER_BIN), "--once", "--now", stamp],
                                env=dict(room.portal.env),
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while _pass_locks(uri, firm) == 0:
            assert proc.poll() is None, "the worker ended before its pass"
            assert time.monotonic() < deadline, "no pass taken in 30 s"
            time.sleep(0.02)
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    # Its session is gone, and its lock with it.
    deadline = time.monotonic() + 10
    while _pass_locks(uri, firm) != 0:
        assert time.monotonic() < deadline, "the dead worker's pass stays"
        time.sleep(0.05)
    log = room.worker(monday)
    assert "another worker is writing" not in log, log
    after = {k: len(to(room, u)) for k, u in users.items()}
    assert after["weekly"] == before["weekly"] + 1, (before, after)
    assert after["unsub"] == before["unsub"] + 1, (before, after)
    # Each digest of the week once, whoever wrote it.
    week = "%d-W%02d" % monday.isocalendar()[:2]
    assert set(_digests(uri, week + "%").values()) == {1}
