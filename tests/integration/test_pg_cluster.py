"""The cluster of scripts/cluster: nginx (scripts/nginx/portal.conf) in
front of three portal-api processes and two workers on one PostgreSQL,
every one a real process. Under a steady load of reads and writes, losing
an API process (kill -9) fails at most the requests it had in flight and
loses no acknowledged write; a rolling restart (SIGTERM to each in turn,
a new one started in its place) fails none. Idempotency keys and the
notify rate limits hold when the repeats land on different processes.
"""
import os
import signal
import tempfile
import threading
import time
import uuid

import pytest
import requests

from cluster_helpers import Cluster, Load, pid_alive, port_open

LOAD_THREADS = 6
DEMO_ADMIN = ("anna.admin@demo.test", "demo-password")


@pytest.fixture(scope="module")
def cluster():
    with tempfile.TemporaryDirectory(prefix="portal-cluster-it-") as tmpdir:
        c = Cluster(tmpdir)
        try:
            yield c
        finally:
            rc = c.stop()
            assert rc == 0, c.log_text()[-3000:]
            assert not (c.dir / "pg").exists(), "the database was left"
            assert c.sanitizer_reports() == {}


def _token(url):
    r = requests.post(url + "/v1/auth/token", timeout=10, json={
        "email": DEMO_ADMIN[0], "password": DEMO_ADMIN[1]})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def _client_ids(url, token):
    r = requests.get(url + "/v1/clients?tab=all&limit=50", timeout=10,
                     headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["data"]]


def _assert_users_present(cluster, token, users):
    """Every acknowledged user, read through each API process."""
    for i, (uid, email) in enumerate(users):
        port = cluster.api_ports[i % len(cluster.api_ports)]
        base = "http://127.0.0.1:%d" % port
        if not port_open(port):
            base = cluster.url
        r = requests.get(base + "/v1/users/%d" % uid, timeout=10,
                         headers={"Authorization": "Bearer " + token})
        assert r.status_code == 200, (uid, r.status_code, r.text)
        assert r.json()["email"] == email


def test_the_cluster_answers_through_nginx_from_every_process(cluster):
    token = _token(cluster.url)
    for _ in range(9):
        r = requests.get(cluster.url + "/v1/me", timeout=10,
                         headers={"Authorization": "Bearer " + token})
        assert r.status_code == 200
    for n in range(1, len(cluster.api_ports) + 1):
        assert "GET /v1/me 200" in cluster.api_log(n), \
            "process %d got no request" % n


def test_kill_9_of_one_api_fails_at_most_its_requests_in_flight(cluster):
    token = _token(cluster.url)
    ids = _client_ids(cluster.url, token)
    load = Load(cluster.url, token, ids, threads=LOAD_THREADS).start()
    victim = cluster.api_pids[0]
    try:
        time.sleep(1.5)
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        time.sleep(2.5)
    finally:
        load.stop()
        # Back to full strength for the next tests, whatever happens here.
        if not pid_alive(victim):
            cluster.api_pids[0] = cluster.start_api(
                1, cluster.api_ports[0]).pid
    assert cluster.api_pids[0] != victim
    # At most the requests it had in flight: one a client thread.
    assert len(load.failures) <= LOAD_THREADS, load.failures
    # ... and none once nginx has seen it gone (within a second).
    late = [f for t, f in load.failures if t > killed_at + 1.0]
    assert late == [], late
    # nginx stopped sending to it: past the connections under way when
    # it died (one a load thread at most), only a probe each fail_timeout
    # (2 s) from each nginx worker (one a CPU) may have been refused.
    port = cluster.api_ports[0]
    refused = [line for line in cluster.nginx_log().splitlines()
               if "connect() failed" in line and
               "127.0.0.1:%d/" % port in line]
    assert len(refused) <= LOAD_THREADS + 2 * 2 * (os.cpu_count() or 1), \
        refused
    assert load.answers > 50, load.answers
    assert load.users, "no write was acknowledged"
    _assert_users_present(cluster, token, load.users)


def _stop_api(pid, n):
    """SIGTERM to API process pid; waits for it to end."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while pid_alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    assert not pid_alive(pid), "API %d ignored SIGTERM" % n


def test_a_rolling_restart_under_load_fails_no_request(cluster):
    token = _token(cluster.url)
    ids = _client_ids(cluster.url, token)
    load = Load(cluster.url, token, ids, threads=LOAD_THREADS).start()
    try:
        time.sleep(1.0)
        for n, (pid, port) in enumerate(zip(list(cluster.api_pids),
                                            cluster.api_ports), start=1):
            _stop_api(pid, n)
            assert "requests answered; stopping the server" in \
                cluster.api_log(n)
            cluster.api_pids[n - 1] = cluster.start_api(n, port).pid
            time.sleep(0.5)
        time.sleep(1.0)
    finally:
        load.stop()
    assert load.failures == [], load.failures
    assert load.answers > 50, load.answers
    _assert_users_present(cluster, token, load.users)


def _direct(cluster, n, method, path, token, **kw):
    """A request to API process n (0-based) itself, past nginx."""
    return requests.request(
        method, "http://127.0.0.1:%d%s" % (cluster.api_ports[n], path),
        headers=dict({"Authorization": "Bearer " + token},
                     **kw.pop("headers", {})), timeout=10, **kw)


def test_an_idempotency_key_replays_on_another_process(cluster):
    token = _token(cluster.url)
    cid = _client_ids(cluster.url, token)[-1]
    key = "cluster-" + uuid.uuid4().hex
    body = {"tasks": ["balance"], "comment": "Once, whichever process."}
    first = _direct(cluster, 0, "POST", "/v1/clients/%d/notify-accountants"
                    % cid, token, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 202, first.text
    for n in (1, 2):
        again = _direct(cluster, n, "POST",
                        "/v1/clients/%d/notify-accountants" % cid, token,
                        json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 202, again.text
        assert again.json() == first.json()
    listed = _direct(cluster, 2, "GET", "/v1/clients/%d/reminders" % cid,
                     token)
    assert listed.status_code == 200, listed.text
    ids = [r["id"] for r in listed.json()["data"]]
    assert ids.count(first.json()["id"]) == 1


def test_the_notify_rate_limit_holds_across_processes(cluster):
    token = _token(cluster.url)
    cid = _client_ids(cluster.url, token)[-2]
    statuses = []
    # The client's limit is 10 an hour: spread over the three processes.
    for i in range(12):
        r = _direct(cluster, i % 3, "POST",
                    "/v1/clients/%d/notify-accountants" % cid, token,
                    json={"tasks": ["missing_receipts"]})
        statuses.append(r.status_code)
    assert statuses.count(202) + statuses.count(429) == 12, statuses
    assert statuses.count(202) <= 10, statuses
    assert statuses[-1] == 429, statuses


def _at_once(cluster, n, token, path, body, headers=None):
    """n POSTs of body to path, released together (a barrier), spread
    over the API processes past nginx: their answers, in order."""
    gate = threading.Barrier(n, timeout=30)
    answers = [None] * n

    def send(i):
        gate.wait()
        answers[i] = _direct(cluster, i % len(cluster.api_ports), "POST",
                             path, token, json=body,
                             headers=dict(headers or {}))

    threads = [threading.Thread(target=send, args=(i,), daemon=True)
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert None not in answers, "a request got no answer"
    return answers


def test_notifications_sent_at_once_on_every_process_keep_the_limit(
        cluster):
    token = _token(cluster.url)
    cid = _client_ids(cluster.url, token)[-3]
    statuses = [a.status_code for a in _at_once(
        cluster, 18, token, "/v1/clients/%d/notify-accountants" % cid,
        {"tasks": ["export_ready"]})]
    # The hour's limit for a client is 10, whoever sends and wherever.
    assert sorted(set(statuses)) == [202, 429], statuses
    assert statuses.count(202) == 10, statuses


def test_one_idempotency_key_sent_at_once_to_every_process_acts_once(
        cluster):
    token = _token(cluster.url)
    cid = _client_ids(cluster.url, token)[-4]
    key = "cluster-race-" + uuid.uuid4().hex
    n = 9
    answers = _at_once(cluster, n, token,
                       "/v1/clients/%d/notify-accountants" % cid,
                       {"tasks": ["balance"]}, {"Idempotency-Key": key})
    assert [a.status_code for a in answers] == [202] * n, \
        [(a.status_code, a.text[:200]) for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    listed = _direct(cluster, 0, "GET", "/v1/clients/%d/reminders" % cid,
                     token).json()["data"]
    assert len(listed) == 1, listed
