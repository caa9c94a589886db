"""Workers of a cluster sharing the outbox and the digest pass, on the
cluster of scripts/cluster and a real SMTP server: two workers, 1,000
queued e-mails and a Monday 10:00 pass send every message once and write
every digest once; with one of them killed mid-way, every message is still
delivered, at most one of them twice (the one on the wire at the kill,
sent again once its lease ran out).
"""
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from cluster_helpers import Cluster
from conftest import SMTP_CONNECTIONS
from db_helpers import rows
from faults_helpers import (WorkerProcess, duplicates, received_message_ids,
                            wait_until)
from smtp_server import SmtpServer

EMAILS = 1000
LEASE = 3           # PORTAL_OUTBOX_LEASE_SECONDS of the workers
QUEUE_THREADS = 8
DELIVERY_WAIT = 600
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Mail:
    def __init__(self, tmpdir):
        self.dir = Path(tmpdir) / "mail"
        self.smtp = SmtpServer(str(self.dir)).start()
        try:
            self.cluster = Cluster(tmpdir, workers=0, extra_env={
                "PORTAL_SMTP_URL": "smtp://127.0.0.1:%d" % self.smtp.port,
                "PORTAL_SMTP_CONNECTIONS": SMTP_CONNECTIONS,
                "PORTAL_NOTIFY_PER_CLIENT_HOUR": "1000000",
                "PORTAL_NOTIFY_PER_SENDER_HOUR": "1000000",
            })
        except Exception:
            self.smtp.stop()
            raise
        self.tmpdir = Path(tmpdir)
        self.workers = []

    def worker(self, now):
        env = self.cluster.api_env()
        env["PORTAL_OUTBOX_LEASE_SECONDS"] = str(LEASE)
        w = WorkerProcess(env, self.tmpdir / ("worker-%d.log"
                                              % len(self.workers)), now)
        self.workers.append(w)
        return w.wait_started()

    def close(self):
        for w in self.workers:
            w.ensure_dead()
        try:
            assert self.cluster.stop() == 0
        finally:
            self.smtp.stop()


@pytest.fixture(scope="module")
def mail():
    with tempfile.TemporaryDirectory(prefix="portal-cluster-mail-") as tmpdir:
        m = Mail(tmpdir)
        try:
            yield m
        finally:
            m.close()


def _queue(cluster, n):
    """Reminders about the demo firm's clients until n e-mails wait in
    the outbox, sent from several threads through nginx."""
    r = requests.post(cluster.url + "/v1/auth/token", timeout=10, json={
        "email": "anna.admin@demo.test", "password": "demo-password"})
    token = r.json()["access_token"]
    auth = {"Authorization": "Bearer " + token}
    clients = requests.get(cluster.url + "/v1/clients?tab=all&limit=50",
                           headers=auth, timeout=10).json()["data"]
    start = rows(cluster.db, "SELECT count(*) FROM outbox WHERE kind = "
                  "'reminder'")[0][0]
    lock = threading.Lock()
    queued = [0]
    errors = []

    def run(k):
        s = requests.Session()
        i = k
        while True:
            with lock:
                if queued[0] >= n or errors:
                    return
            c = clients[i % len(clients)]
            i += QUEUE_THREADS
            r = s.post(cluster.url + "/v1/clients/%d/notify-accountants"
                       % c["id"], headers=auth, timeout=30,
                       json={"tasks": ["missing_receipts"]})
            if r.status_code == 422:
                continue        # no bookkeeper, or not active
            with lock:
                if r.status_code != 202:
                    errors.append((r.status_code, r.text[:300]))
                    return
                queued[0] += len(r.json()["recipients"])

    threads = [threading.Thread(target=run, args=(k,), daemon=True)
               for k in range(QUEUE_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    total = rows(cluster.db, "SELECT count(*) FROM outbox WHERE kind = "
                  "'reminder'")[0][0]
    assert total - start >= n
    return total - start


def _monday(weeks_on):
    """10:00 in Stockholm, weeks_on Mondays after the next one (which the
    cluster's seeding pass played)."""
    now = datetime.now(STOCKHOLM)
    days = (7 - now.weekday()) % 7 or 7
    monday = (now + timedelta(days=days + 7 * weeks_on)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    return monday.astimezone(timezone.utc)


def _pending(uri):
    return rows(uri, "SELECT count(*) FROM outbox WHERE status IN "
                 "('queued', 'sending')")[0][0]


def _check_delivery(mail, before, max_dups):
    """Every message of the outbox sent and received; each once, but for
    at most max_dups; the ids of those received since before."""
    uri = mail.cluster.db
    outbox = rows(uri, "SELECT message_id, status FROM outbox")
    assert {st for _, st in outbox} <= {"sent", "cancelled"}, \
        [r for r in outbox if r[1] not in ("sent", "cancelled")][:10]
    received = received_message_ids(mail.dir)
    new = received[before:]
    sent = {mid for mid, st in outbox if st == "sent"}
    assert set(received) <= sent, set(received) - sent
    assert sent <= set(received), "never received: %s" % sorted(
        sent - set(received))[:10]
    dups = duplicates(received)
    assert sum(n - 1 for n in dups.values()) <= max_dups, dups
    return new


def _digests_once(uri, period):
    written = rows(uri, "SELECT user_id, frequency, count(*) FROM digests "
                   "WHERE period = ? GROUP BY user_id, frequency", (period,))
    assert written, "no digest written for %s" % period
    assert {n for _, _, n in written} == {1}, written
    return len(written)


def test_two_workers_send_a_thousand_emails_and_a_monday_pass_once(mail):
    before = len(received_message_ids(mail.dir))
    queued = _queue(mail.cluster, EMAILS)
    monday = _monday(1)
    workers = [mail.worker(monday), mail.worker(monday)]
    # Each has run a whole pass (its digests, then the outbox), and
    # nothing waits to be sent.
    wait_until(lambda: all("pass: digests written" in w.log_text()
                           for w in workers) and
               _pending(mail.cluster.db) == 0,
               DELIVERY_WAIT, "the outbox to drain")
    rcs = [w.stop() for w in workers]
    assert rcs == [0, 0], [w.log_text()[-2000:] for w in workers]
    new = _check_delivery(mail, before, max_dups=0)
    assert len(new) >= queued
    period = "%d-W%02d" % monday.astimezone(STOCKHOLM).isocalendar()[:2]
    digests = _digests_once(mail.cluster.db, period)
    # Both workers sent.
    sent_by = [w.log_text().count(": sent (") for w in workers]
    assert all(n > 0 for n in sent_by), sent_by
    print("\n%d e-mails and %d digests by two workers (%s sent)"
          % (len(new), digests, sent_by))


def test_a_worker_killed_mid_delivery_leaves_the_rest_to_the_other(mail):
    before = len(received_message_ids(mail.dir))
    _queue(mail.cluster, EMAILS)
    monday = _monday(2)
    victim, other = mail.worker(monday), mail.worker(monday)
    # Mid-way: once a few hundred are in.
    wait_until(lambda: len(received_message_ids(mail.dir)) - before >= 300,
               DELIVERY_WAIT, "300 e-mails to arrive")
    victim.kill9()
    wait_until(lambda: "pass: digests written" in other.log_text() and
               _pending(mail.cluster.db) == 0, DELIVERY_WAIT,
               "the other worker to drain the outbox")
    assert other.stop() == 0, other.log_text()[-2000:]
    # What the victim had on the wire: one message per SMTP connection.
    _check_delivery(mail, before, max_dups=int(SMTP_CONNECTIONS))
    period = "%d-W%02d" % monday.astimezone(STOCKHOLM).isocalendar()[:2]
    _digests_once(mail.cluster.db, period)
