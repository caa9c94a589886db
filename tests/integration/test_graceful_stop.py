"""SIGTERM stops portal-api gracefully: it takes no new connection, answers
the requests it has (a write waiting for the database included) within
their deadline, closes kept-alive connections with their next answer, and
exits 0. A load balancer in front (scripts/nginx/portal.conf) sends what
the stopping process refuses to another, so a rolling restart fails no
request.
"""
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from conftest import Portal, ServerProcess, free_port, start_portal
from faults_helpers import WriteLock

STOP_WAIT = 15.0


def _user_body(role="bookkeeper"):
    return {"email": "g-%s@alpha.test" % uuid.uuid4().hex[:12],
            "name": "Graceful", "role": role,
            "password": "pw-%s" % uuid.uuid4().hex[:12]}


def _refused(port):
    """Whether a new connection to port is refused now."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def _wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.01)
    raise AssertionError("not seen in %ss: %s" % (timeout, what))


def _start_write(portal, token, results):
    """POST /v1/users in a thread; its response lands in results."""
    def run():
        try:
            results.append(portal.request("POST", "/v1/users", token=token,
                                          json=_user_body()))
        except requests.RequestException as e:
            results.append(e)
    t = threading.Thread(target=run)
    t.start()
    return t


def test_sigterm_answers_the_write_in_flight_and_refuses_new_connections():
    with tempfile.TemporaryDirectory(prefix="portal-stop-") as tmpdir:
        p = start_portal(tmpdir)
        token = p.token("admin")
        port = p.server.port
        results = []
        with WriteLock(p.env["PORTAL_DB"]):
            t = _start_write(p, token, results)
            time.sleep(0.5)     # the write waits for the lock
            assert not results, "the write did not wait for the lock"
            p.server.proc.send_signal(15)
            _wait_for(lambda: _refused(port), 2,
                      "new connections refused after SIGTERM")
            assert p.server.proc.poll() is None, \
                "exited with a request in flight"
            time.sleep(0.5)
        t.join(timeout=STOP_WAIT)
        assert len(results) == 1
        r = results[0]
        assert isinstance(r, requests.Response), \
            "the write in flight got no answer: %r" % (r,)
        assert r.status_code == 201, r.text
        assert r.headers.get("Connection", "").lower() == "close"
        rc = p.server.proc.wait(timeout=STOP_WAIT)
        log = p.server.log_text()
        p.server._forget()
        assert rc == 0, log[-3000:]
        assert "requests answered" in log
        # The write was kept: a new server on the database has it.
        q = _restart(tmpdir, p)
        try:
            got = q.get("/v1/users/%d" % r.json()["id"],
                        token=q.token("admin"))
            assert got.status_code == 200, got.text
        finally:
            q.server.stop_and_check()


def _restart(tmpdir, old):
    """A new server on the database of old, which has stopped."""
    env = dict(old.env)
    env["PORTAL_LISTEN"] = "127.0.0.1:%d" % free_port()
    server = ServerProcess(env, Path(tmpdir) / "portal-api-2.log").start()
    q = Portal(server, env, tmpdir)
    q.partners, q.users = old.partners, old.users
    return q


def test_sigterm_closes_a_kept_alive_connection_with_its_next_answer():
    with tempfile.TemporaryDirectory(prefix="portal-stop-") as tmpdir:
        p = start_portal(tmpdir)
        token = p.token("admin")
        auth = {"Authorization": "Bearer " + token}
        kept, probe = requests.Session(), requests.Session()
        for s in (kept, probe):
            r = s.get(p.url("/v1/me"), headers=auth, timeout=10)
            assert r.status_code == 200
            assert r.headers.get("Connection", "").lower() == "keep-alive"
        results = []
        with WriteLock(p.env["PORTAL_DB"]):
            # A write in flight keeps the stopping server up meanwhile.
            t = _start_write(p, token, results)
            time.sleep(0.5)
            p.server.proc.send_signal(15)
            _wait_for(lambda: _refused(p.server.port), 2,
                      "new connections refused after SIGTERM")
            # A kept connection still carries a request, and is closed
            # with its answer.
            r = kept.get(p.url("/v1/me"), headers=auth, timeout=10)
            assert r.status_code == 200
            assert r.headers.get("Connection", "").lower() == "close"
            # A load balancer that asks is told to go elsewhere.
            r = probe.get(p.url("/readyz"), timeout=10)
            assert r.status_code == 503
            assert r.json()["detail"] == "The server is stopping."
            # Every 503 says when to come back.
            assert r.headers.get("Retry-After") == "1"
        t.join(timeout=STOP_WAIT)
        assert isinstance(results[0], requests.Response), results[0]
        assert results[0].status_code == 201
        rc = p.server.proc.wait(timeout=STOP_WAIT)
        p.server._forget()
        assert rc == 0
