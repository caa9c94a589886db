"""Notify accountants end to end: the admin's POST, the real worker, a
real SMTP server. Every assigned bookkeeper gets one email, nobody else;
replays send nothing more; hostile comments arrive harmless; states read
back from the outbox; an SMTP outage ends with every message delivered
once."""
import re
import tempfile
import time
from datetime import datetime, timedelta, timezone

import pytest

import db_helpers
from clients_helpers import new_org_number
from conftest import assert_problem, start_portal
from worker_helpers import Mailroom, text_part

TASKS = ["missing_receipts", "export_ready", "balance"]


@pytest.fixture(scope="module")
def room():
    with tempfile.TemporaryDirectory(prefix="portal-remind-") as tmpdir:
        r = Mailroom(tmpdir)
        try:
            yield r
        finally:
            r.close()


@pytest.fixture(scope="module")
def world(room):
    p = room.portal
    admin = p.token("admin")
    integ = p.token("integration")

    def call(method, path, token, body=None):
        r = p.request(method, path, token, json=body)
        assert r.status_code in (200, 201, 202, 204), (path, r.text)
        return r.json() if r.content else None

    def client(name):
        c = call("POST", "/v1/clients", admin, {
            "name": name, "org_number": new_org_number("SE"),
            "contact_email": "ekonomi@example.se"})
        call("POST", "/v1/clients/%d/verification" % c["id"], integ,
             {"result": "approved"})
        return c["id"]

    main = client("Åkesson Bygg AB")
    call("POST", "/v1/clients/%d/expenses" % main, integ, {"expenses": [
        {"external_id": "r%d" % i, "amount_minor": 5000, "currency": "SEK",
         "spent_at": "2026-10-01T08:00:00Z", "merchant": "Biltema",
         "receipt_status": "missing" if i < 3 else "attached",
         "export_status": "ready" if i % 2 else "pending"}
        for i in range(5)]})
    call("PUT", "/v1/clients/%d/balance" % main, integ,
         {"amount_minor": 987654, "currency": "SEK"})
    assigned = []
    for i in range(3):
        u = p.create_user(admin, role="bookkeeper",
                          name="Bokförare %d" % (i + 1))
        call("POST", "/v1/clients/%d/assignees" % main, admin,
             {"user_id": u["id"]})
        assigned.append(u)
    outsider = p.create_user(admin, role="bookkeeper", name="Utanför")
    return {"admin": admin, "client": main, "assigned": assigned,
            "outsider": outsider, "client_of": client, "call": call}


def later(minutes):
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def notify(room, world, body, key=None, client=None):
    headers = {"Idempotency-Key": key} if key else None
    return room.portal.request(
        "POST", "/v1/clients/%d/notify-accountants" %
        (client or world["client"]), world["admin"], json=body,
        headers=headers)


def test_every_assigned_bookkeeper_gets_one_email(room, world):
    comment = ("Hej!\r\nBcc: everyone@evil.test\r\n"
               "<script>alert('x')</script> & fler kvitton tack.")
    r = notify(room, world, {"tasks": TASKS, "comment": comment},
               key="first-reminder")
    assert r.status_code == 202, r.text
    doc = r.json()
    assert doc["status"] == "queued"
    assert r.headers["Location"] == "/v1/reminders/%d" % doc["id"]
    assert sorted(x["user_id"] for x in doc["recipients"]) == sorted(
        u["id"] for u in world["assigned"])
    world["reminder"] = doc["id"]

    room.worker(later(1))
    got = room.messages()
    rcpts = sorted(env["rcpt_tos"][0] for env, _ in got)
    assert rcpts == sorted(u["email"] for u in world["assigned"])
    assert world["outsider"]["email"] not in rcpts

    for env, msg in got:
        assert msg["subject"] == "Påminnelse: Åkesson Bygg AB"
        # The comment's CR/LF made no header of its own.
        assert msg["bcc"] is None
        assert "everyone@evil.test" not in str(msg["to"])
        text = text_part(msg, "plain")
        html = text_part(msg, "html")
        assert "Saknade kvitton: 3" in text
        assert "Klara för export: 2" in text
        assert "9 876,54 kr" in text
        assert "Anna Admin" in text and "Alpha Redovisning AB" in text
        assert "<script>alert('x')</script>" in text
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "https://app.alpha.test/clients/%d" % world["client"] in html
        # The notification settings under the footer; no unsubscribe
        # link, as no setting turns reminders off.
        manage = "https://app.alpha.test/settings/notifications"
        assert "\nHantera aviseringar: %s\n" % manage in \
            text.replace("\r\n", "\n").split("\n-- \n", 1)[1]
        assert '<a href="%s" style="color: #666666;">Hantera aviseringar' \
            '</a>' % manage in html
        assert "Avsluta prenumeration" not in text + html
        assert "/v1/unsubscribe" not in text + html


def test_states_read_back_as_sent(room, world):
    r = room.portal.get("/v1/reminders/%d" % world["reminder"],
                        world["admin"])
    assert r.status_code == 200
    doc = r.json()
    assert doc["tasks"] == TASKS
    assert doc["sender"]["name"] == "Anna Admin"
    assert [x["status"] for x in doc["recipients"]] == ["sent"] * 3
    assert all(x["sent_at"] for x in doc["recipients"])
    listing = room.portal.get("/v1/clients/%d/reminders" % world["client"],
                              world["admin"]).json()["data"]
    assert listing[0]["id"] == world["reminder"]


def test_a_replayed_key_sends_nothing_more(room, world):
    before = len(room.messages())
    body = {"tasks": TASKS, "comment": ("Hej!\r\nBcc: everyone@evil.test\r\n"
                                        "<script>alert('x')</script> & fler "
                                        "kvitton tack.")}
    r = notify(room, world, body, key="first-reminder")
    assert r.status_code == 202
    assert r.json()["id"] == world["reminder"]
    assert r.headers.get("Idempotent-Replayed") == "true"
    # The same key with another body is refused.
    r = notify(room, world, {"tasks": ["balance"]}, key="first-reminder")
    assert_problem(r, 422)
    room.worker(later(2))
    assert len(room.messages()) == before


def test_without_a_key_each_post_is_a_new_reminder(room, world):
    before = len(room.messages())
    ids = {notify(room, world, {"tasks": ["balance"]}).json()["id"]
           for _ in range(2)}
    assert len(ids) == 2
    room.worker(later(3))
    assert len(room.messages()) == before + 6


def test_no_bookkeeper_assigned_is_422_and_queues_nothing(room, world):
    lonely = world["client_of"]("Ensam Handel AB")
    r = notify(room, world, {"tasks": ["balance"]}, client=lonely)
    doc = assert_problem(r, 422)
    assert "bookkeeper" in doc["detail"]
    assert room.portal.get("/v1/clients/%d/reminders" % lonely,
                           world["admin"]).json()["data"] == []


def test_who_may_notify(room, world):
    p = room.portal
    path = "/v1/clients/%d/notify-accountants" % world["client"]
    body = {"tasks": ["balance"]}
    assigned = world["assigned"][0]
    for token in (p.login(assigned["email"], assigned["password"]),
                  p.token("integration")):
        assert_problem(p.request("POST", path, token, json=body), 403)
    assert_problem(p.request("POST", path, p.token("beta_admin"), json=body),
                   404)
    assert_problem(p.get("/v1/reminders/%d" % world["reminder"],
                         p.token("beta_admin")), 404)


@pytest.mark.parametrize("body, field", [
    ({}, "tasks"),
    ({"tasks": []}, "tasks"),
    ({"tasks": ["coffee"]}, "tasks"),
    ({"tasks": ["balance", "balance"]}, "tasks"),
    ({"tasks": ["balance"], "comment": "x" * 2001}, "comment"),
    ({"tasks": ["balance"], "comment": "bell \u0007"}, "comment"),
    ({"tasks": ["balance"], "cc": "x@y"}, "cc"),
])
def test_bad_bodies(room, world, body, field):
    doc = assert_problem(notify(room, world, body), 422)
    assert field in [e["field"] for e in doc["errors"]]


def test_smtp_outage_ends_with_every_message_delivered_once(room, world):
    before = len(room.messages())
    r = notify(room, world, {"tasks": ["missing_receipts"],
                             "comment": "Under avbrottet"})
    rid = r.json()["id"]
    room.smtp.set_mode("421")
    try:
        room.worker(later(10))
        states = room.portal.get("/v1/reminders/%d" % rid,
                                 world["admin"]).json()["recipients"]
        assert [s["status"] for s in states] == ["queued"] * 3
        assert all("421" in s["error"] for s in states)
    finally:
        room.smtp.set_mode("ok")
    room.worker(later(20))
    room.worker(later(30))
    got = room.messages()[before:]
    assert sorted(env["rcpt_tos"][0] for env, _ in got) == sorted(
        u["email"] for u in world["assigned"])
    states = room.portal.get("/v1/reminders/%d" % rid,
                             world["admin"]).json()["recipients"]
    assert [s["status"] for s in states] == ["sent"] * 3


def test_a_permanent_refusal_is_failed_with_the_reason(room, world):
    r = notify(room, world, {"tasks": ["export_ready"]})
    rid = r.json()["id"]
    room.smtp.set_mode("550")
    try:
        room.worker(later(40))
    finally:
        room.smtp.set_mode("ok")
    room.worker(later(50))
    states = room.portal.get("/v1/reminders/%d" % rid,
                             world["admin"]).json()["recipients"]
    assert [s["status"] for s in states] == ["failed"] * 3
    assert all(re.match(r"55\d", s["error"]) for s in states)


def test_rate_limit_per_client(room, world):
    # Earlier tests sent some; keep going until the hour's limit of 10.
    seen = []
    for _ in range(12):
        r = notify(room, world, {"tasks": ["balance"]})
        seen.append(r.status_code)
        if r.status_code == 429:
            break
    assert seen[-1] == 429, seen
    assert int(r.headers["Retry-After"]) > 0
    assert_problem(r, 429)


def test_limits_follow_the_configuration():
    """PORTAL_NOTIFY_PER_CLIENT_HOUR and PORTAL_NOTIFY_PER_SENDER_HOUR set
    the hour's limits (the benchmark raises them)."""
    with tempfile.TemporaryDirectory(prefix="portal-limits-") as tmpdir:
        p = start_portal(tmpdir, extra_env={
            "PORTAL_NOTIFY_PER_CLIENT_HOUR": "2",
            "PORTAL_NOTIFY_PER_SENDER_HOUR": "3"})
        try:
            admin, integ = p.token("admin"), p.token("integration")
            bk = p.users["bookkeeper"]["id"]
            ids = []
            for n in range(2):
                c = p.request("POST", "/v1/clients", admin, json={
                    "name": "Gräns %d AB" % n,
                    "org_number": new_org_number("SE"),
                    "contact_email": "ekonomi@example.se"}).json()
                for path, tok, body in (
                        ("verification", integ, {"result": "approved"}),
                        ("assignees", admin, {"user_id": bk})):
                    r = p.request("POST", "/v1/clients/%d/%s" % (
                        c["id"], path), tok, json=body)
                    assert r.status_code in (200, 201), r.text
                ids.append(c["id"])

            def post(cid):
                return p.request(
                    "POST", "/v1/clients/%d/notify-accountants" % cid,
                    admin, json={"tasks": ["balance"]}).status_code

            # Two for the first client, then its limit; one more for the
            # second client, then the sender's limit of three.
            assert [post(ids[0]) for _ in range(3)] == [202, 202, 429]
            assert [post(ids[1]) for _ in range(2)] == [202, 429]
            # The limits count from each reminder's number among the
            # client's and the sender's (schema.sql, version 10).
            assert db_helpers.rows(p.env, "SELECT client_id, client_seq, "
                                   "sender_seq FROM reminders ORDER BY id") \
                == [(ids[0], 1, 1), (ids[0], 2, 2), (ids[1], 1, 3)]
            # With the first two out of the hour, the sender has two left
            # and the first client two: the third is dated an hour ahead,
            # as by a process whose clock is ahead, and the next reminder
            # is dated with it, not before.
            ahead = int(time.time()) + 3600
            db_helpers.execute(p.env, "UPDATE reminders SET created_at = "
                               "created_at - 7200 WHERE sender_seq <= 2")
            db_helpers.execute(p.env, "UPDATE reminders SET created_at = ? "
                               "WHERE sender_seq = 3", (ahead,))
            r = p.request("POST", "/v1/clients/%d/notify-accountants"
                          % ids[0], admin, json={"tasks": ["balance"]})
            assert r.status_code == 202, r.text
            assert r.json()["created_at"] == datetime.fromtimestamp(
                ahead, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert [post(ids[0]), post(ids[1]), post(ids[0])] == \
                [202, 429, 429]
        finally:
            p.server.stop_and_check()


def test_mail_only_to_people_who_may_still_read_it(room, world):
    """A reminder's email goes only to a bookkeeper who is, when the
    worker takes it, still active and still assigned to the client: one
    deactivated and one unassigned before the worker runs get nothing,
    and the reminder shows each cancelled with the reason."""
    p = room.portal
    call = world["call"]
    admin = world["admin"]
    cid = world["client_of"]("Avbokad Handel AB")
    keepers = [p.create_user(admin, role="bookkeeper", name=name)
               for name in ("Avslutad Bokförare", "Flyttad Bokförare")]
    for u in keepers:
        call("POST", "/v1/clients/%d/assignees" % cid, admin,
             {"user_id": u["id"]})
    # Another admin: the module's admin has its own hourly limit to keep.
    boss = p.create_user(admin, role="admin", name="Berit Chef")
    r = p.request("POST", "/v1/clients/%d/notify-accountants" % cid,
                  p.login(boss["email"], boss["password"]),
                  json={"tasks": ["missing_receipts"]})
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    assert sorted(x["user_id"] for x in r.json()["recipients"]) == sorted(
        u["id"] for u in keepers)
    gone, moved = keepers
    call("PATCH", "/v1/users/%d" % gone["id"], admin, {"active": False})
    r = p.request("DELETE", "/v1/clients/%d/assignees/%d" % (cid,
                                                             moved["id"]),
                  admin)
    assert r.status_code == 204, r.text
    addresses = {u["email"] for u in keepers}

    def mailed():
        return [env["rcpt_tos"] for env, _ in room.messages()
                if addresses & set(env["rcpt_tos"])]

    log = room.worker(later(1))
    assert mailed() == []
    doc = p.get("/v1/reminders/%d" % rid, admin).json()
    got = {x["user_id"]: (x["status"], x["reason"], x["sent_at"])
           for x in doc["recipients"]}
    assert got == {gone["id"]: ("cancelled", "recipient_inactive", None),
                   moved["id"]: ("cancelled", "recipient_unassigned",
                                 None)}, doc
    assert "cancelled 2" in log, log
    # A later pass has nothing more to send them.
    room.worker(later(60))
    assert mailed() == []
