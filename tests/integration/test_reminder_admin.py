"""The admin's view of reminders, end to end: the firm's list with its
filters and cursor, a resend to the recipients whose delivery failed for
good (a real SMTP server refuses one address, the real worker delivers),
and the preview of who a new reminder would reach, which the real send
agrees with."""
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import db_helpers
from clients_helpers import new_org_number
from conftest import assert_problem
from smtp_server import SmtpServer, _Handler
from worker_helpers import mailroom

# Low enough that a resend counted as a reminder would be refused.
PER_CLIENT_HOUR = 3


class RefusingHandler(_Handler):
    """Refuses for good (550) the addresses listed in DIR/refuse, one a
    line, read at every RCPT so that a test can change them."""

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        try:
            refused = (self.directory / "refuse").read_text().split()
        except OSError:
            refused = []
        if address in refused:
            return "550 5.1.1 Mailbox unavailable"
        return await super().handle_RCPT(server, session, envelope, address,
                                         rcpt_options)


class RefusingSmtp(SmtpServer):
    handler_class = RefusingHandler

    def refuse(self, *addresses):
        (Path(self.directory) / "refuse").write_text(
            "\n".join(addresses) + "\n")


@pytest.fixture(scope="module")
def room():
    with mailroom("portal-remadmin-", smtp_class=RefusingSmtp, extra_env={
            "PORTAL_NOTIFY_PER_CLIENT_HOUR": str(PER_CLIENT_HOUR)}) as r:
        yield r


@pytest.fixture(scope="module")
def world(room):
    p = room.portal
    admin = p.token("admin")
    integ = p.token("integration")

    def call(method, path, token=None, body=None, status=None):
        r = p.request(method, path, token or admin, json=body)
        if status is None:
            assert r.status_code in (200, 201, 202, 204), (path, r.text)
        else:
            assert r.status_code == status, (path, r.text)
        return r.json() if r.content else None

    def client(name, assignees=()):
        c = call("POST", "/v1/clients", body={
            "name": name, "org_number": new_org_number("SE"),
            "contact_email": "ekonomi@example.se"})
        call("POST", "/v1/clients/%d/verification" % c["id"], integ,
             {"result": "approved"})
        for u in assignees:
            call("POST", "/v1/clients/%d/assignees" % c["id"],
                 body={"user_id": u["id"]})
        return c["id"]

    def user(name, role="bookkeeper"):
        return p.create_user(admin, role=role, name=name)

    w = {"admin": admin, "call": call, "client": client, "user": user}
    w["bk"] = [user("Bodil Bokförare"), user("Sten Studsar")]
    w["other_admin"] = user("Agnes Admin", role="admin")
    w["gone"] = user("Gunnar Slutat")
    main = client("Resend Bygg AB",
                  w["bk"] + [w["other_admin"], w["gone"]])
    call("PATCH", "/v1/users/%d" % w["gone"]["id"], body={"active": False})
    w["main"] = main
    w["boss"] = user("Berit Chef", role="admin")
    w["boss_token"] = p.login(w["boss"]["email"], w["boss"]["password"])
    return w


def later(minutes):
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def notify(room, w, cid, token=None, query="", key=None):
    return room.portal.request(
        "POST", "/v1/clients/%d/notify-accountants%s" % (cid, query),
        token or w["admin"], json={"tasks": ["missing_receipts"],
                                   "comment": "Kvitton, tack"},
        headers={"Idempotency-Key": key} if key else None)


def resend(room, w, rid, key=None, token=None):
    return room.portal.request(
        "POST", "/v1/reminders/%d/resend" % rid, token or w["admin"],
        headers={"Idempotency-Key": key} if key else None)


def listing(room, w, token=None, **params):
    qs = urllib.parse.urlencode(params)
    r = room.portal.get("/v1/reminders" + ("?" + qs if qs else ""),
                        token or w["admin"])
    assert r.status_code == 200, r.text
    return r.json()


def states(room, w, rid):
    doc = room.portal.get("/v1/reminders/%d" % rid, w["admin"]).json()
    return {x["user_id"]: x["status"] for x in doc["recipients"]}


def mailed_to(room, address):
    return sum(1 for env, _ in room.messages() if address in env["rcpt_tos"])


def count(room, table):
    return db_helpers.one(room.portal.env,
                          "SELECT count(*) FROM %s" % table)[0]


def test_preview_names_each_assignee_and_why(room, world):
    r = room.portal.get("/v1/clients/%d/notify-accountants/recipients"
                        % world["main"], world["admin"])
    assert r.status_code == 200, r.text
    doc = r.json()
    got = {x["user_id"]: (x["will_receive"], x["reason"], x["role"])
           for x in doc["recipients"]}
    assert got == {
        world["bk"][0]["id"]: (True, None, "bookkeeper"),
        world["bk"][1]["id"]: (True, None, "bookkeeper"),
        world["other_admin"]["id"]: (False, "admin", "admin"),
        world["gone"]["id"]: (False, "deactivated", "bookkeeper"),
    }, doc
    assert doc["will_send"] == 2
    assert doc["client_id"] == world["main"]


def test_dry_run_answers_the_preview_and_writes_nothing(room, world):
    preview = room.portal.get(
        "/v1/clients/%d/notify-accountants/recipients" % world["main"],
        world["admin"]).json()
    before = {t: count(room, t) for t in ("reminders", "outbox",
                                           "reminder_recipients")}
    # More dry runs than the hour's limit: none of them counts.
    for _ in range(PER_CLIENT_HOUR + 1):
        r = notify(room, world, world["main"], query="?dry_run=true")
        assert r.status_code == 200, r.text
        assert r.json() == preview
    assert {t: count(room, t) for t in before} == before
    r = notify(room, world, world["main"], query="?dry_run=false")
    assert r.status_code == 202, r.text
    # The real send reaches exactly whom the preview said.
    assert sorted(x["user_id"] for x in r.json()["recipients"]) == sorted(
        x["user_id"] for x in preview["recipients"] if x["will_receive"])
    world["first"] = r.json()["id"]
    room.worker(later(1))


def test_a_bad_dry_run_is_refused(room, world):
    r = notify(room, world, world["main"], query="?dry_run=yes")
    doc = assert_problem(r, 400)
    assert [e["field"] for e in doc["errors"]] == ["dry_run"]


def test_resend_goes_only_to_the_failed_recipient(room, world):
    keep, bounce = world["bk"]
    smtp = room.smtp
    smtp.refuse(bounce["email"])
    try:
        r = notify(room, world, world["main"], token=world["boss_token"])
        assert r.status_code == 202, r.text
        rid = r.json()["id"]
        world["resent"] = rid
        room.worker(later(2))
    finally:
        smtp.refuse()
    assert states(room, world, rid) == {keep["id"]: "sent",
                                        bounce["id"]: "failed"}
    assert listing(room, world, client_id=world["main"],
                   limit=1)["data"][0]["state"] == "partly_failed"
    assert rid in [x["id"] for x in listing(
        room, world, state="partly_failed")["data"]]
    kept_before = mailed_to(room, keep["email"])
    bounced_before = mailed_to(room, bounce["email"])
    reminders_before = count(room, "reminders")

    r = resend(room, world, rid, key="resend-once")
    assert r.status_code == 202, r.text
    doc = r.json()
    assert r.headers["Location"] == "/v1/reminders/%d" % rid
    assert [x["user_id"] for x in doc["queued"]] == [bounce["id"]]
    assert doc["skipped"] == []
    assert states(room, world, rid)[bounce["id"]] == "queued"
    item = listing(room, world, client_id=world["main"], limit=1)["data"][0]
    assert (item["id"], item["state"]) == (rid, "pending")
    # A replay answers the same and queues nothing more.
    outbox = count(room, "outbox")
    again = resend(room, world, rid, key="resend-once")
    assert again.status_code == 202
    assert again.json() == doc
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert count(room, "outbox") == outbox
    # Without the key: nothing has failed any more, so nothing to send.
    assert_problem(resend(room, world, rid), 409, "conflict")

    room.worker(later(3))
    assert states(room, world, rid) == {keep["id"]: "sent",
                                        bounce["id"]: "sent"}
    assert mailed_to(room, bounce["email"]) == bounced_before + 1
    assert mailed_to(room, keep["email"]) == kept_before
    item = listing(room, world, client_id=world["main"], limit=1)["data"][0]
    assert item["state"] == "delivered"
    assert_problem(resend(room, world, rid), 409, "conflict")
    # No reminder was added: the hour's limits counted nothing.
    assert count(room, "reminders") == reminders_before


def test_a_resend_does_not_count_against_the_limit(room, world):
    """Every notify counts against PORTAL_NOTIFY_PER_CLIENT_HOUR; resends
    never do, however many."""
    bk = world["user"]("Linnea Gräns")
    cid = world["client"]("Gräns Handel AB", [bk])
    room.smtp.refuse(bk["email"])
    try:
        rid = notify(room, world, cid).json()["id"]
        for n in range(PER_CLIENT_HOUR):
            room.worker(later(10 + n))
            assert states(room, world, rid) == {bk["id"]: "failed"}
            assert resend(room, world, rid).status_code == 202
    finally:
        room.smtp.refuse()
    room.worker(later(20))
    assert states(room, world, rid) == {bk["id"]: "sent"}
    codes = [notify(room, world, cid).status_code
             for _ in range(PER_CLIENT_HOUR)]
    assert codes == [202] * (PER_CLIENT_HOUR - 1) + [429], codes


def test_resend_skips_who_may_no_longer_receive(room, world):
    a = world["user"]("Alva Kvar")
    b = world["user"]("Bo Avslutad")
    cid = world["client"]("Avslut Handel AB", [a, b])
    room.smtp.refuse(a["email"], b["email"])
    try:
        rid = notify(room, world, cid).json()["id"]
        room.worker(later(30))
    finally:
        room.smtp.refuse()
    assert listing(room, world, client_id=cid)["data"][0]["state"] == \
        "failed"
    world["call"]("PATCH", "/v1/users/%d" % b["id"], body={"active": False})
    doc = resend(room, world, rid).json()
    assert [x["user_id"] for x in doc["queued"]] == [a["id"]]
    assert [(x["user_id"], x["reason"]) for x in doc["skipped"]] == [
        (b["id"], "deactivated")]
    # Only the deactivated one is left failed: nothing to resend.
    doc = assert_problem(resend(room, world, rid), 409, "conflict")
    assert "no longer" in doc["detail"]


def test_resends_at_once_queue_one_email(room, world):
    """Four resends of one failed recipient at once: one queues the new
    email, the others find nothing failed; one message arrives."""
    bk = world["user"]("Klara Samtidig")
    cid = world["client"]("Samtidig Handel AB", [bk])
    room.smtp.refuse(bk["email"])
    try:
        rid = notify(room, world, cid).json()["id"]
        room.worker(later(40))
    finally:
        room.smtp.refuse()
    outbox = count(room, "outbox")
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(
            lambda _: resend(room, world, rid).status_code, range(4)))
    assert codes == [202, 409, 409, 409]
    assert count(room, "outbox") == outbox + 1
    room.worker(later(41))
    assert mailed_to(room, bk["email"]) == 1
    assert states(room, world, rid) == {bk["id"]: "sent"}


def test_list_newest_first_with_filters_and_cursor(room, world):
    data = listing(room, world, limit=100)["data"]
    assert len(data) >= 5
    keys = [(x["created_at"], x["id"]) for x in data]
    assert keys == sorted(keys, reverse=True)
    first = next(x for x in data if x["id"] == world["first"])
    assert first["client"] == {"id": world["main"],
                               "name": "Resend Bygg AB"}
    assert first["sender"]["name"] == "Anna Admin"
    assert first["tasks"] == ["missing_receipts"]
    assert first["comment"] == "Kvitton, tack"
    assert sorted(x["user_id"] for x in first["recipients"]) == sorted(
        u["id"] for u in world["bk"])
    assert all(set(x) == {"user_id", "name", "email", "status", "sent_at",
                          "error", "reason"} for x in first["recipients"])

    # Page by page, two at a time: each once, in the same order.
    seen, cursor = [], None
    while True:
        params = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        doc = listing(room, world, **params)
        assert len(doc["data"]) <= 2
        seen += [x["id"] for x in doc["data"]]
        cursor = doc["next_cursor"]
        if cursor is None:
            break
    assert seen == [x["id"] for x in data]

    boss = listing(room, world, sender_id=world["boss"]["id"])["data"]
    assert [x["id"] for x in boss] == [world["resent"]]
    mine = listing(room, world, client_id=world["main"])["data"]
    assert {x["client"]["id"] for x in mine} == {world["main"]}
    assert len(mine) == sum(1 for x in data
                            if x["client"]["id"] == world["main"])
    delivered = listing(room, world, state="delivered")["data"]
    assert delivered and all(x["state"] == "delivered" for x in delivered)
    assert world["first"] in [x["id"] for x in delivered]
    both = listing(room, world, client_id=world["main"],
                   sender_id=world["boss"]["id"], state="delivered")["data"]
    assert [x["id"] for x in both] == [world["resent"]]

    stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    now = datetime.now(timezone.utc)
    assert listing(room, world, since=stamp(now + timedelta(hours=2)))[
        "data"] == []
    assert listing(room, world, until=stamp(now - timedelta(hours=2)))[
        "data"] == []
    window = listing(room, world, limit=100,
                     since=stamp(now - timedelta(hours=2)),
                     until=stamp(now + timedelta(hours=2)))["data"]
    assert [x["id"] for x in window] == [x["id"] for x in data]
    # The same instant with an offset.
    edge = data[0]["created_at"]
    at = datetime.strptime(edge, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)
    plus = (at + timedelta(seconds=1)).astimezone(
        timezone(timedelta(hours=1))).isoformat()
    assert listing(room, world, until=plus, limit=1)["data"][0]["id"] == \
        data[0]["id"]
    assert all(x["created_at"] < edge or x["created_at"] == edge
               for x in listing(room, world, until=plus)["data"])


def test_a_cursor_only_continues_its_own_filters(room, world):
    doc = listing(room, world, limit=1)
    assert doc["next_cursor"]
    r = room.portal.get("/v1/reminders?limit=1&state=delivered&cursor=" +
                        doc["next_cursor"], world["admin"])
    doc = assert_problem(r, 400)
    assert [e["field"] for e in doc["errors"]] == ["cursor"]


@pytest.mark.parametrize("query, field", [
    ("state=sent", "state"),
    ("state=", "state"),
    ("client_id=abc", "client_id"),
    ("client_id=0", "client_id"),
    ("sender_id=-4", "sender_id"),
    ("since=yesterday", "since"),
    ("until=2026-13-01T00:00:00Z", "until"),
    ("since=2026-03-02T10:00:00Z&until=2026-03-02T10:00:00Z", "until"),
    ("limit=0", "limit"),
    ("limit=101", "limit"),
    ("cursor=not-a-cursor", "cursor"),
    ("state=failed&state=pending", "state"),
])
def test_bad_filters_are_400_naming_the_parameter(room, world, query,
                                                  field):
    r = room.portal.get("/v1/reminders?" + query, world["admin"])
    doc = assert_problem(r, 400)
    assert [e["field"] for e in doc["errors"]] == [field], doc


def test_only_the_firms_admins(room, world):
    p = room.portal
    beta = p.token("beta_admin")
    assert listing(room, world, token=beta)["data"] == []
    assert_problem(resend(room, world, world["resent"], token=beta), 404)
    assert_problem(p.get("/v1/clients/%d/notify-accountants/recipients"
                         % world["main"], beta), 404)
    bk = p.token("bookkeeper")
    for method, path in (
            ("GET", "/v1/reminders"),
            ("POST", "/v1/reminders/%d/resend" % world["resent"]),
            ("GET", "/v1/clients/%d/notify-accountants/recipients"
             % world["main"])):
        assert_problem(p.request(method, path, bk), 403)
    for path in ("/v1/reminders/abc/resend", "/v1/reminders/0/resend",
                 "/v1/reminders/999999999/resend"):
        assert_problem(p.request("POST", path, world["admin"]), 404)
    assert_problem(p.get("/v1/clients/abc/notify-accountants/recipients",
                         world["admin"]), 404)
