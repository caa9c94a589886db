"""The firm's feed of events (issue 15): every kind of change, written in
the transaction of the change (by the API and by the worker), read a page
at a time with a cursor that neither skips nor repeats an event while
others are being written, kept 30 days, for admins and keys with
events:read."""
import tempfile
import threading
from datetime import datetime, timedelta, timezone

import pytest

import db_helpers
from clients_helpers import new_org_number
from conftest import assert_problem
from worker_helpers import Mailroom


@pytest.fixture(scope="module")
def room():
    with tempfile.TemporaryDirectory(prefix="portal-events-") as tmpdir:
        r = Mailroom(tmpdir)
        try:
            yield r
        finally:
            r.close()


def call(room, method, path, token, body=None, status=None):
    r = room.portal.request(method, path, token, json=body)
    assert r.status_code in ((status,) if status else (200, 201, 202, 204)), (
        method, path, r.status_code, r.text[:500])
    return r.json() if r.content else None


def feed(room, token, cursor=None, limit=None):
    params = {}
    if cursor:
        params["cursor"] = cursor
    if limit:
        params["limit"] = limit
    r = room.portal.get("/v1/events?" + "&".join(
        "%s=%s" % kv for kv in params.items()), token)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert set(doc) == {"data", "next_cursor", "has_more"}, doc
    return doc


def read_all(room, token, cursor=None, limit=50):
    """Every event after cursor, and the cursor to go on from."""
    out = []
    while True:
        doc = feed(room, token, cursor, limit)
        out += doc["data"]
        cursor = doc["next_cursor"]
        if not doc["has_more"]:
            return out, cursor


def test_each_kind_of_change_is_in_the_feed(room):
    p = room.portal
    admin, integ = p.token("admin"), p.token("integration")
    _, start = read_all(room, admin)
    c = call(room, "POST", "/v1/clients", admin, {
        "name": "Händelse AB", "org_number": new_org_number("SE"),
        "contact_email": "ekonomi@example.se"})
    cid = c["id"]
    call(room, "POST", "/v1/clients/%d/verification" % cid, integ,
         {"result": "approved"})
    call(room, "PATCH", "/v1/clients/%d" % cid, admin,
         {"name": "Händelse & Co AB"})
    bk = p.users["bookkeeper"]["id"]
    call(room, "PUT", "/v1/clients/%d/assignees" % cid, admin,
         {"user_ids": [bk]})
    call(room, "POST", "/v1/clients/%d/expenses" % cid, integ, {
        "external_id": "ev-1", "amount_minor": 100, "currency": "SEK",
        "spent_at": "2026-11-02T08:00:00Z", "merchant": "Biltema",
        "receipt_status": "missing", "export_status": "pending"})
    rem = call(room, "POST", "/v1/clients/%d/notify-accountants" % cid,
               admin, {"tasks": ["missing_receipts"]})
    now = datetime.now(timezone.utc)
    room.worker(now + timedelta(minutes=1))
    rem2 = call(room, "POST", "/v1/clients/%d/notify-accountants" % cid,
                admin, {"tasks": ["balance"]})
    room.smtp.set_mode("550")
    try:
        room.worker(now + timedelta(minutes=2))
    finally:
        room.smtp.set_mode("ok")
    # A weekly digest of the client, for the admin, at the next Monday.
    call(room, "PUT", "/v1/clients/%d/notification-preference" % cid, admin,
         {"email": True, "frequency": "weekly"})
    monday = now + timedelta(days=7 - now.weekday() + 7)
    room.worker(monday.replace(hour=11, minute=0, second=0))
    call(room, "DELETE", "/v1/clients/%d/assignees/%d" % (cid, bk), admin)

    events, _ = read_all(room, admin, start)
    got = [(e["type"], e["client_id"]) for e in events]
    want = [("client.created", cid), ("client.status_changed", cid),
            ("client.updated", cid), ("assignment.changed", cid),
            ("reminder.created", cid), ("reminder.delivered", cid),
            ("reminder.created", cid), ("reminder.failed", cid),
            ("digest.sent", None), ("assignment.changed", cid)]
    assert got == want, got
    by = {}
    for e in events:
        by.setdefault(e["type"], []).append(e)
    assert by["client.status_changed"][0]["data"] == {
        "from": "onboarding", "to": "active"}
    assert by["client.updated"][0]["data"]["name"] == "Händelse & Co AB"
    assert [e["data"]["assigned"] for e in by["assignment.changed"]] == [
        True, False]
    assert by["reminder.created"][0]["data"]["reminder_id"] == rem["id"]
    assert by["reminder.delivered"][0]["data"]["user_id"] == bk
    failed = by["reminder.failed"][0]["data"]
    assert failed["reminder_id"] == rem2["id"] and "55" in failed["error"]
    assert by["digest.sent"][0]["data"]["frequency"] == "weekly"
    for e in events:
        assert e["created_at"].endswith("Z") and isinstance(e["id"], int)
    # Another firm sees none of it.
    theirs, _ = read_all(room, p.token("beta_admin"), start)
    assert not {e["id"] for e in theirs} & {e["id"] for e in events}


def test_paging_while_events_are_written_skips_and_repeats_none(room):
    p = room.portal
    admin, integ = p.token("admin"), p.token("integration")
    _, cursor = read_all(room, admin)
    n = 120
    errors = []

    def writer():
        try:
            for i in range(n):
                call(room, "POST", "/v1/clients", integ, {
                    "name": "Ström %03d AB" % i,
                    "org_number": new_org_number("SE"),
                    "status": "invitation"})
        except Exception as e:      # reported below, in the test's thread
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    seen = []
    while t.is_alive():
        doc = feed(room, admin, cursor, 7)
        seen += doc["data"]
        cursor = doc["next_cursor"]
    t.join()
    assert not errors, errors
    rest, _ = read_all(room, admin, cursor, 7)
    seen += rest
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids)), "an event came twice"
    names = [e["data"]["name"] for e in seen if e["type"] == "client.created"]
    assert names == ["Ström %03d AB" % i for i in range(n)]
    # The same events as one read from the start of the writes.
    assert len(seen) == n


def test_who_reads_the_feed(room):
    p = room.portal
    admin = p.token("admin")
    assert_problem(p.get("/v1/events", p.token("bookkeeper")), 403)
    assert_problem(p.get("/v1/events"), 401)
    integ = p.users["integration"]["id"]
    keys = {}
    for scope in ("events:read", "clients:read"):
        keys[scope] = call(room, "POST", "/v1/api-keys", admin, {
            "name": scope, "user_id": integ, "scopes": [scope]})["key"]
    assert feed(room, keys["events:read"])["data"] == feed(room,
                                                           admin)["data"]
    doc = assert_problem(p.get("/v1/events", keys["clients:read"]), 403)
    assert doc["required_scope"] == "events:read"
    for bad in ("cursor=nope", "limit=0", "limit=201"):
        assert_problem(p.get("/v1/events?" + bad, admin), 400)


def test_events_are_kept_thirty_days(room):
    p = room.portal
    admin = p.token("admin")
    old = int((datetime.now(timezone.utc) - timedelta(days=31)).timestamp())
    first = db_helpers.rows(p.env, "SELECT min(id) FROM events")[0][0]
    db_helpers.execute(p.env, "UPDATE events SET created_at = ? "
                       "WHERE id = ?", (old, first))
    room.worker(datetime.now(timezone.utc))
    events, _ = read_all(room, admin)
    assert first not in [e["id"] for e in events]
    assert events, "only the old one goes"
