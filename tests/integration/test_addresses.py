"""One address rule for the API and the worker: the API stores only
addresses the worker can send to (RFC 5321 dot-atom local part, a host
name of two or more labels, no quoting, IP literals or non-ASCII), the
worker sends to each of them through a real SMTP server, refuses a stored
address outside the rule for good, and portal-api names at start-up the
users whose stored address is outside it."""
import re
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from clients_helpers import new_org_number
from conftest import (ServerProcess, _bootstrap, assert_problem, base_env,
                      error_fields)
from db_helpers import connect
from worker_helpers import Mailroom

# Each kind of address the worker cannot send to. The first group was
# accepted by the API before the rule was shared.
BAD = [
    ("one-label-domain", "bo@localhost"),
    ("doubled-dot", "bo..bokforare@alpha.test"),
    ("leading-dot", ".bo@alpha.test"),
    ("trailing-dot-local", "bo.@alpha.test"),
    ("empty-label", "bo@alpha..test"),
    ("trailing-dot-domain", "bo@alpha.test."),
    ("hyphen-first-label", "bo@-alpha.test"),
    ("hyphen-last-label", "bo@alpha-.test"),
    ("underscore-domain", "bo@al_pha.test"),
    ("ipv4-literal", "bo@[127.0.0.1]"),
    ("ipv6-literal", "bo@[IPv6:::1]"),
    ("bare-ipv4", "bo@127.0.0.1"),
    ("parentheses", "bo(x)@alpha.test"),
    ("colon", "bo:x@alpha.test"),
    ("backslash", "bo\\x@alpha.test"),
    ("brackets", "bo[x]@alpha.test"),
    ("local-65-octets", "b" * 65 + "@alpha.test"),
    ("label-64-octets", "bo@" + "a" * 64 + ".test"),
    # Refused before too, and still.
    ("quoted-local", "\"bo bokforare\"@alpha.test"),
    ("space", "bo bokforare@alpha.test"),
    ("angle-brackets", "<bo@alpha.test>"),
    ("comma", "bo@alpha.test,eve@alpha.test"),
    ("semicolon", "bo;x@alpha.test"),
    ("crlf", "bo@alpha.test\r\nRCPT TO:<eve@alpha.test>"),
    ("non-ascii-local", "b\u00f6@alpha.test"),
    ("non-ascii-domain", "bo@\u00e5kesson.test"),
    ("no-at", "bo.alpha.test"),
    ("two-ats", "bo@x@alpha.test"),
]

# Addresses at the edges of the rule that the worker does send to.
GOOD = [
    "o'brien+tag@alpha.test",
    "first.last@sub.alpha.test",
    "x-y_z.9@a-b.alpha.test",
    "!#$%&'*+-/=?^_`{|}~@alpha.test",
    "b" * 64 + "@alpha.test",
    "bo@" + "a" * 63 + ".test",
    "bo@xn--kesson-gua.test",
    "Upper.Case@Alpha.Test",
]

WARNING = "users with addresses that cannot receive mail"


@pytest.fixture(scope="module")
def room():
    with tempfile.TemporaryDirectory(prefix="portal-addr-") as tmpdir:
        r = Mailroom(tmpdir)
        try:
            yield r
        finally:
            r.close()


@pytest.fixture(scope="module")
def admin(room):
    return room.portal.token("admin")


def user_body(email):
    return {"email": email, "name": "Bo Adress", "role": "bookkeeper",
            "password": "a-long-password"}


def later(minutes):
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def new_client(room, admin, name):
    r = room.portal.request("POST", "/v1/clients", admin, json={
        "name": name, "org_number": new_org_number("SE"),
        "contact_email": "ekonomi@alpha.test"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("email", [e for _, e in BAD],
                         ids=[k for k, _ in BAD])
def test_the_api_refuses_every_address_the_worker_cannot_send_to(
        room, admin, email):
    p = room.portal
    before = p.get("/v1/users", admin).json()["data"]
    r = p.request("POST", "/v1/users", admin, json=user_body(email))
    doc = assert_problem(r, 422, "validation-error")
    assert error_fields(doc) == ["email"], doc
    assert p.get("/v1/users", admin).json()["data"] == before

    r = p.request("POST", "/v1/clients", admin, json={
        "name": "Adress AB", "org_number": new_org_number("SE"),
        "contact_email": email})
    doc = assert_problem(r, 422, "validation-error")
    assert error_fields(doc) == ["contact_email"], doc


def test_the_worker_sends_to_every_address_the_api_accepts(room, admin):
    p = room.portal
    client = new_client(room, admin, "Adressbok AB")
    stored = []
    for email in GOOD:
        r = p.request("POST", "/v1/users", admin, json=user_body(email))
        assert r.status_code == 201, (email, r.text)
        assert r.json()["email"] == email.lower()
        stored.append(r.json()["email"])
        r = p.request("POST", "/v1/clients/%d/assignees" % client, admin,
                      json={"user_id": r.json()["id"]})
        assert r.status_code in (200, 201, 204), r.text
        r = p.request("POST", "/v1/clients", admin, json={
            "name": "Kontakt AB", "org_number": new_org_number("SE"),
            "contact_email": email})
        assert r.status_code == 201, (email, r.text)

    r = p.request("POST", "/v1/clients/%d/notify-accountants" % client,
                  admin, json={"tasks": ["balance"]})
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    before = len(room.messages())
    room.worker(later(1))
    got = room.messages()[before:]
    assert sorted(env["rcpt_tos"][0] for env, _ in got) == sorted(stored)
    states = p.get("/v1/reminders/%d" % rid, admin).json()["recipients"]
    assert [s["status"] for s in states] == ["sent"] * len(GOOD), states


def test_the_worker_refuses_a_stored_address_outside_the_rule(room, admin):
    """A row from before the rule (written here straight into the database)
    fails for good, with the reason, and no SMTP server hears of it."""
    p = room.portal
    client = new_client(room, admin, "Gammal Adress AB")
    with connect(p.env, timeout=10) as db, db.transaction():
        now = int(time.time())
        legacy = db.insert(
            "INSERT INTO users (partner_id, email, name, role, "
            "password_hash, created_at, updated_at) VALUES "
            "(?, 'legacy@localhost', 'Lena Legacy', 'bookkeeper', "
            "'x', ?, ?)", (p.partners["alpha"], now, now))
    r = p.request("POST", "/v1/clients/%d/assignees" % client, admin,
                  json={"user_id": legacy})
    assert r.status_code in (200, 201, 204), r.text
    r = p.request("POST", "/v1/clients/%d/notify-accountants" % client,
                  admin, json={"tasks": ["balance"]})
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    before = len(room.messages())
    room.worker(later(2))
    assert len(room.messages()) == before
    states = p.get("/v1/reminders/%d" % rid, admin).json()["recipients"]
    assert [s["status"] for s in states] == ["failed"], states
    assert "cannot receive mail" in states[0]["error"], states


def _start(env, log):
    server = ServerProcess(env, log)
    server.start()
    return server


def test_start_up_warns_naming_users_whose_address_cannot_receive_mail():
    with tempfile.TemporaryDirectory(prefix="portal-addr-start-") as tmpdir:
        env = base_env(tmpdir)
        firms, users = _bootstrap(env)
        rows = [("fine@alpha.test", True), ("bo@localhost", False),
                ("bo..x@alpha.test", False), ("ok.too@beta.test", True),
                ("bo@[127.0.0.1]", False), ("b" * 65 + "@alpha.test", False),
                ("x" * 300 + "@alpha.test", False)]
        with connect(env) as db, db.transaction():
            now = int(time.time())
            ids = {}
            for email, _ in rows:
                ids[email] = db.insert(
                    "INSERT INTO users (partner_id, email, name, role, "
                    "password_hash, created_at, updated_at) VALUES "
                    "(?, ?, 'Old Row', 'bookkeeper', 'x', ?, ?)",
                    (firms["alpha"], email, now, now))
        bad = sorted(ids[e] for e, ok in rows if not ok)

        log = Path(tmpdir) / "portal-api.log"
        server = _start(env, log)
        server.stop_and_check()
        lines = [ln for ln in log.read_text().splitlines() if WARNING in ln]
        assert len(lines) == 1, log.read_text()[-3000:]
        m = re.search(WARNING + r": ([0-9, ]+)$", lines[0])
        assert m, lines[0]
        assert [int(x) for x in m.group(1).split(", ")] == bad, lines[0]

        # With those rows gone, a start names nobody.
        with connect(env) as db, db.transaction():
            db.executemany("DELETE FROM users WHERE id = ?",
                           [(i,) for i in bad])
        log2 = Path(tmpdir) / "portal-api-2.log"
        server = _start(env, log2)
        server.stop_and_check()
        assert WARNING not in log2.read_text()

        # Many: the first 50 by id are named, the rest counted.
        with connect(env) as db, db.transaction():
            many = [db.insert(
                "INSERT INTO users (partner_id, email, name, role, "
                "password_hash, created_at, updated_at) VALUES "
                "(?, ?, 'Old Row', 'bookkeeper', 'x', ?, ?)",
                (firms["beta"], "old%d@localhost" % i, now, now))
                for i in range(57)]
        log3 = Path(tmpdir) / "portal-api-3.log"
        server = _start(env, log3)
        server.stop_and_check()
        lines = [ln for ln in log3.read_text().splitlines() if WARNING in ln]
        assert len(lines) == 1, log3.read_text()[-3000:]
        assert lines[0].endswith(WARNING + ": " + ", ".join(
            str(i) for i in many[:50]) + " and 7 more"), lines[0]
