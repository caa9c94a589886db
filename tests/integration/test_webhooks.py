"""Webhooks (issue 15): endpoints registered by admins, each event of the
types an endpoint asked for delivered by the real worker to a receiver
on loopback, signed by the Standard Webhooks conventions and checked here
with Python's hmac; retried after a 500 and after a dropped connection
under the same webhook-id; never through a redirect nor to a private
address; each attempt listed; an endpoint failing for three days
disabled, with the worker's clock moved."""
import base64
import hashlib
import hmac
import http.server
import json
import socket
import tempfile
import threading
from datetime import datetime, timedelta, timezone

import pytest

from clients_helpers import new_org_number
from conftest import BACKEND, assert_problem, error_fields
from worker_helpers import Mailroom, spam_status, text_part


class Receiver:
    """An HTTP server on loopback that records each request and answers
    as its mode says: "ok" 200, "500", "drop" (closes the connection
    without an answer) or "redirect" (302 elsewhere)."""

    def __init__(self):
        self.requests = []
        self.mode = "ok"
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body))
                if outer.mode == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if outer.mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.1:9/x")
                elif outer.mode == "500":
                    self.send_response(500)
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def room():
    with tempfile.TemporaryDirectory(prefix="portal-hooks-") as tmpdir:
        # A sender domain with digits: the shape spam rules watch most.
        r = Mailroom(tmpdir, {"PORTAL_WEBHOOK_ALLOW_LOOPBACK": "1",
                              "PORTAL_MAIL_FROM": "portal@mail2.byra1.se"})
        try:
            yield r
        finally:
            r.close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def call(room, method, path, token, body=None):
    r = room.portal.request(method, path, token, json=body)
    assert r.status_code in (200, 201, 204), (path, r.status_code, r.text)
    return r.json() if r.content else None


def register(room, url, events=("client.created",)):
    return call(room, "POST", "/v1/webhooks", room.portal.token("admin"),
                {"url": url, "events": list(events)})


def new_client(room):
    return call(room, "POST", "/v1/clients", room.portal.token("integration"),
                {"name": "Krok AB", "org_number": new_org_number("SE"),
                 "status": "invitation"})


def verify(secret, headers, body):
    """The receiver's check, by the specification, independently of the
    portal's code: HMAC-SHA256 of "id.timestamp.body" with the secret's
    key, base64, one of the space-separated "v1," signatures."""
    key = base64.b64decode(secret[len("whsec_"):])
    signed = "%s.%s.%s" % (headers["webhook-id"], headers["webhook-timestamp"],
                           body.decode())
    want = base64.b64encode(hmac.new(key, signed.encode(),
                                     hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(s.partition(",")[2], want)
               for s in headers["webhook-signature"].split())


def now_plus(seconds):
    return datetime.now(timezone.utc) + timedelta(seconds=seconds)


def attempts(room, hook):
    return call(room, "GET", "/v1/webhooks/%d/deliveries" % hook["id"],
                room.portal.token("admin"))["data"]


def test_an_event_is_delivered_signed(room, receiver):
    hook = register(room, receiver.url(), ["client.created",
                                           "client.status_changed"])
    assert hook["secret"].startswith("whsec_") and hook["enabled"]
    assert "secret" not in call(room, "GET", "/v1/webhooks/%d" % hook["id"],
                                room.portal.token("admin"))
    c = new_client(room)
    # Not asked for: an assignment's event goes to no endpoint.
    room.worker(now_plus(1))
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert verify(hook["secret"], headers, body)
    doc = json.loads(body)
    assert doc["type"] == "client.created"
    assert doc["data"]["type"] == "client.created"
    assert doc["data"]["client_id"] == c["id"]
    assert headers["webhook-id"] == "evt_%d" % doc["data"]["id"]
    assert abs(int(headers["webhook-timestamp"]) -
               now_plus(1).timestamp()) < 60
    # A body changed in flight no longer verifies.
    assert not verify(hook["secret"], headers, body.replace(b"Krok", b"Kr0k"))
    got = attempts(room, hook)
    assert [(a["attempt"], a["http_status"], a["delivered"]) for a in got] \
        == [(1, 200, True)]
    # Nothing is sent twice.
    room.worker(now_plus(120))
    assert len(receiver.requests) == 1
    call(room, "DELETE", "/v1/webhooks/%d" % hook["id"],
         room.portal.token("admin"))


def test_retries_after_a_500_and_a_dropped_connection(room, receiver):
    hook = register(room, receiver.url())
    new_client(room)
    receiver.mode = "500"
    room.worker(now_plus(1))
    receiver.mode = "drop"
    room.worker(now_plus(40))
    receiver.mode = "ok"
    room.worker(now_plus(40 + 200))
    ids = {h["webhook-id"] for h, _ in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1
    assert all(verify(hook["secret"], h, b) for h, b in receiver.requests)
    got = attempts(room, hook)
    assert [a["attempt"] for a in got] == [3, 2, 1]
    assert got[2]["http_status"] == 500 and got[2]["error"] == "HTTP 500"
    assert got[1]["http_status"] is None and got[1]["error"]
    assert got[0]["http_status"] == 200 and got[0]["error"] is None
    assert all(a["delivered"] for a in got)
    call(room, "DELETE", "/v1/webhooks/%d" % hook["id"],
         room.portal.token("admin"))


def test_redirects_are_not_followed(room, receiver):
    hook = register(room, receiver.url())
    new_client(room)
    receiver.mode = "redirect"
    room.worker(now_plus(1))
    got = attempts(room, hook)
    assert got[0]["http_status"] == 302 and not got[0]["delivered"]
    assert "redirect" in got[0]["error"]
    assert len(receiver.requests) == 1
    call(room, "DELETE", "/v1/webhooks/%d" % hook["id"],
         room.portal.token("admin"))


def test_a_private_address_is_refused_at_send(room, receiver):
    # Registered while loopback is allowed; sent by a worker that does
    # not allow it: the name resolves to 127.0.0.1 and is refused there.
    hook = register(room, "https://localhost:%d/hook" % receiver.port)
    new_client(room)
    room.worker(now_plus(1), {"PORTAL_WEBHOOK_ALLOW_LOOPBACK": "0"})
    got = attempts(room, hook)
    assert not got[0]["delivered"] and got[0]["http_status"] is None
    assert got[0]["error"].startswith("refused: ") and (
        "127.0.0.1" in got[0]["error"] or "::1" in got[0]["error"])
    assert receiver.requests == []
    call(room, "DELETE", "/v1/webhooks/%d" % hook["id"],
         room.portal.token("admin"))


def test_an_endpoint_failing_for_three_days_is_disabled(room, receiver):
    admin = room.portal.token("admin")
    hook = register(room, receiver.url())
    new_client(room)
    receiver.mode = "500"
    room.worker(now_plus(1))
    got = call(room, "GET", "/v1/webhooks/%d" % hook["id"], admin)
    assert got["enabled"] and got["failing_since"] is not None
    room.worker(now_plus(3 * 86400 + 3600))
    got = call(room, "GET", "/v1/webhooks/%d" % hook["id"], admin)
    assert not got["enabled"] and got["disabled_at"] is not None
    # The firm's admins are told, by email through the outbox.
    sent = len(room.messages())
    room.worker(now_plus(3 * 86400 + 3700))
    notices = [(env, m) for env, m in room.messages()[sent:]
               if hook["url"] in text_part(m, "plain")]
    admins = {u["email"] for u in room.portal.users.values()
              if u["role"] == "admin" and u["partner_id"] ==
              room.portal.users["admin"]["partner_id"]}
    assert {r for env, _ in notices for r in env["rcpt_tos"]} == admins
    assert all(m["Message-ID"] and m["Subject"] for _, m in notices)
    assert all(m["Auto-Submitted"] == "auto-generated" and
               m["List-Id"].startswith("<webhook-alerts.firm-")
               for _, m in notices)
    # Scored by SpamAssassin as the digests and reminders are
    # (test_mail_filters.py), once: on the SQLite pass.
    if BACKEND == "sqlite":
        raws = [raw for (_, m), (_, raw) in
                zip(room.messages(), room.raw_messages())
                if hook["url"] in text_part(m, "plain")]
        assert len(raws) == len(notices)
        for raw in raws:
            score, rules = spam_status(raw,
                                       "mail2.byra1.se\twebhook_disabled")
            assert score <= 1.0 and "MSGID_RANDY" not in rules, rules
    # Disabled, it gets nothing more, now or later.
    n = len(receiver.requests)
    receiver.mode = "ok"
    new_client(room)
    room.worker(now_plus(4 * 86400))
    assert len(receiver.requests) == n
    # Enabled again, its failures are forgotten and what waits goes.
    got = call(room, "PATCH", "/v1/webhooks/%d" % hook["id"], admin,
               {"enabled": True})
    assert got["enabled"] and got["failing_since"] is None
    room.worker(now_plus(5 * 86400))
    assert len(receiver.requests) > n
    call(room, "DELETE", "/v1/webhooks/%d" % hook["id"], admin)


def test_a_rotated_secret_signs_the_next_delivery(room, receiver):
    admin = room.portal.token("admin")
    hook = register(room, receiver.url())
    new = call(room, "POST", "/v1/webhooks/%d/rotate-secret" % hook["id"],
               admin)
    assert new["secret"] != hook["secret"]
    new_client(room)
    room.worker(now_plus(1))
    headers, body = receiver.requests[-1]
    assert verify(new["secret"], headers, body)
    assert not verify(hook["secret"], headers, body)
    call(room, "DELETE", "/v1/webhooks/%d" % hook["id"], admin)


@pytest.mark.parametrize("url", [
    "http://hooks.example.com/x", "ftp://hooks.example.com/",
    "https://10.0.0.5/x", "https://192.168.1.1/", "https://[fe80::1]/",
    "https://169.254.169.254/latest", "https://u:p@hooks.example.com/",
    "not a url", "http://10.0.0.1/",
])
def test_bad_urls_are_refused_at_registration(room, url):
    admin = room.portal.token("admin")
    before = call(room, "GET", "/v1/webhooks", admin)["data"]
    r = room.portal.request("POST", "/v1/webhooks", admin,
                            json={"url": url, "events": ["client.created"]})
    assert error_fields(assert_problem(r, 422)) == ["url"], r.text
    assert call(room, "GET", "/v1/webhooks", admin)["data"] == before


def test_webhooks_are_for_admins_of_the_firm(room, receiver):
    p = room.portal
    hook = register(room, receiver.url())
    for who in ("bookkeeper", "integration"):
        assert_problem(p.get("/v1/webhooks", p.token(who)), 403)
    assert_problem(p.get("/v1/webhooks/%d" % hook["id"],
                         p.token("beta_admin")), 404)
    assert_problem(p.request("DELETE", "/v1/webhooks/%d" % hook["id"],
                             p.token("beta_admin")), 404)
    r = p.request("POST", "/v1/webhooks", p.token("admin"),
                  json={"url": receiver.url(), "events": ["nope"]})
    assert error_fields(assert_problem(r, 422)) == ["events"]
    call(room, "DELETE", "/v1/webhooks/%d" % hook["id"], p.token("admin"))


def test_a_firm_has_at_most_twenty_endpoints(room, receiver):
    admin = room.portal.token("admin")
    have = len(call(room, "GET", "/v1/webhooks", admin)["data"])
    made = [register(room, receiver.url("/h%d" % i))
            for i in range(20 - have)]
    r = room.portal.request("POST", "/v1/webhooks", admin, json={
        "url": receiver.url(), "events": ["client.created"]})
    assert_problem(r, 409)
    assert len(call(room, "GET", "/v1/webhooks", admin)["data"]) == 20
    for h in made:
        call(room, "DELETE", "/v1/webhooks/%d" % h["id"], admin)
