"""The reminder worker end to end: real portal-api, real portal-worker
(with --once --now), a real SMTP server. Digests arrive once per period at
Monday 10:00 Copenhagen time in winter and summer, are skipped when nothing
is outstanding, survive SMTP outages, fail on 5xx, and stop after a
one-click unsubscribe, whose link works once and not after the user
subscribes again. A digest's subject names its one client or counts its
clients, and its sender's name is the firm's."""
import re
import secrets
import subprocess
import tempfile
from datetime import datetime, timedelta, timezone

import pytest
import requests

from clients_helpers import new_org_number, org_number_of_locale, \
    se_org_number
from conftest import cli_id, sanitizer_report
from worker_helpers import CPH, WORKER_BIN, Mailroom, next_local, text_part

MONDAY, TUESDAY, WEDNESDAY, SATURDAY = 0, 1, 2, 5
WINTER = (11, 12, 1, 2)
SUMMER = (6, 7, 8)


@pytest.fixture(scope="module")
def room():
    with tempfile.TemporaryDirectory(prefix="portal-worker-") as tmpdir:
        r = Mailroom(tmpdir)
        try:
            yield r
        finally:
            r.close()


@pytest.fixture(scope="module")
def world(room):
    """Two active clients of the firm: A with receipts missing and expenses
    ready, B with nothing outstanding; bookkeepers subscribed to them."""
    p = room.portal
    admin = p.token("admin")
    integ = p.token("integration")

    def call(method, path, token, body=None, status=(200, 201, 202)):
        r = p.request(method, path, token, json=body)
        assert r.status_code in status, (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    clients = {}
    for key, name in (("A", "Åkesson Bygg AB"), ("B", "Öresund Revision")):
        c = call("POST", "/v1/clients", admin, {
            "name": name, "org_number": new_org_number("SE"),
            "contact_email": "ekonomi@example.se"})
        call("POST", "/v1/clients/%d/verification" % c["id"], integ,
             {"result": "approved"})
        clients[key] = c["id"]
    a = clients["A"]
    call("POST", "/v1/clients/%d/expenses" % a, integ, {"expenses": [
        {"external_id": "e%d" % i, "amount_minor": 1000 * (i + 1),
         "currency": "SEK", "spent_at": "2026-11-02T12:00:00Z",
         "merchant": "SJ", "receipt_status": rs, "export_status": es}
        for i, (rs, es) in enumerate([("missing", "pending"),
                                      ("missing", "ready"),
                                      ("attached", "exported")])]})
    call("PUT", "/v1/clients/%d/balance" % a, integ,
         {"amount_minor": 123450, "currency": "SEK"})

    users = {}
    plan = {
        "weekly": (("A", "weekly"), ("B", "weekly")),
        "daily": (("A", "daily"),),
        "monthly": (("A", "monthly"),),
        "idle": (("B", "weekly"),),
        "unsub": (("A", "weekly"),),
        "gone": (("A", "weekly"),),
    }
    set_at = None
    for key, subs in plan.items():
        u = p.create_user(admin, role="bookkeeper",
                          name="Bokförare %s" % key.capitalize())
        token = p.login(u["email"], u["password"])
        for client, freq in subs:
            call("POST", "/v1/clients/%d/assignees" % clients[client], admin,
                 {"user_id": u["id"]})
            pref = call("PUT", "/v1/clients/%d/notification-preference"
                        % clients[client], token,
                        {"email": True, "frequency": freq})
            assert pref["next_delivery_at"] is not None
        u["token"] = token
        users[key] = u
        set_at = datetime.now(timezone.utc)
    # Every subscription starts at the first Monday 10:00 after set_at.
    start = next_local(MONDAY, 10, 0, set_at - timedelta(days=1))
    if start <= set_at:
        start = next_local(MONDAY, 10, 0, start)
    return {"clients": clients, "users": users, "admin": admin,
            "start": start, "weeks": set()}


def claim_week(world, monday):
    """Marks the ISO week of monday as used by a test (each test needs a
    period of its own), and fails if another test took it."""
    week = monday.isocalendar()[:2]
    assert week not in world["weeks"], "two tests share week %s" % (week,)
    world["weeks"].add(week)
    return monday


def fresh_monday(world, after):
    """10:00 on the first Monday after `after` in a week no test used."""
    monday = next_local(MONDAY, 10, 0, after)
    while monday.isocalendar()[:2] in world["weeks"]:
        monday = next_local(MONDAY, 10, 0, monday)
    return claim_week(world, monday)


def to(room, user):
    return [m for env, m in room.messages() if env["rcpt_tos"] == [
        user["email"]]]


def test_next_delivery_is_the_first_monday_ten_oclock(room, world):
    u = world["users"]["weekly"]
    r = room.portal.get("/v1/clients/%d/notification-preference"
                        % world["clients"]["A"], u["token"])
    assert r.status_code == 200
    at = datetime.fromisoformat(r.json()["next_delivery_at"].replace(
        "Z", "+00:00"))
    local = at.astimezone(CPH)
    assert (local.weekday(), local.hour, local.minute) == (MONDAY, 10, 0)
    assert at == world["start"]


def test_weekly_digest_on_a_winter_monday(room, world):
    u = world["users"]["weekly"]
    monday = claim_week(world, next_local(MONDAY, 10, 0, world["start"],
                        month_pred=lambda m: m in WINTER))
    # CET: 10:00 local is 09:00 UTC.
    assert monday.astimezone(timezone.utc).hour == 9
    room.worker(monday - timedelta(minutes=1))
    assert to(room, u) == []
    room.worker(monday)
    got = to(room, u)
    assert len(got) == 1
    msg = got[0]
    week = monday.isocalendar()[1]
    # Of its two clients only Åkesson Bygg AB has open tasks.
    assert msg["subject"] == ("Veckosammanfattning: Åkesson Bygg AB"
                              " — vecka %d" % week)
    assert msg["from"].addresses[0].display_name == "Alpha Redovisning AB"
    text = text_part(msg, "plain")
    # A client with nothing outstanding is left out.
    assert "Åkesson Bygg AB" in text and "Öresund Revision" not in text
    assert "Saknade kvitton: 2" in text
    assert "Klara för export: 1" in text
    assert "1 234,50 kr" in text
    assert "https://app.alpha.test/clients/%d" % world["clients"]["A"] \
        in text
    # A second pass at the same time sends nothing more.
    room.worker(monday)
    room.worker(monday + timedelta(hours=3))
    assert len(to(room, u)) == 1


def test_weekly_digest_on_a_summer_monday(room, world):
    u = world["users"]["weekly"]
    before = len(to(room, u))
    monday = claim_week(world, next_local(MONDAY, 10, 0, world["start"],
                        month_pred=lambda m: m in SUMMER))
    # CEST: 10:00 local is 08:00 UTC.
    assert monday.astimezone(timezone.utc).hour == 8
    room.worker(monday - timedelta(minutes=1))
    assert len(to(room, u)) == before
    room.worker(monday)
    room.worker(monday + timedelta(minutes=5))
    assert len(to(room, u)) == before + 1


def monday_after_change(month, after):
    """10:00 on the Monday after the last Sunday of month (the EU clock
    change), the first such Monday after `after`."""
    year = after.astimezone(CPH).year
    while True:
        last = datetime(year + (month == 12), month % 12 + 1, 1) - \
            timedelta(days=1)
        while last.weekday() != 6:
            last -= timedelta(days=1)
        monday = datetime(last.year, last.month, last.day, 10, 0,
                          tzinfo=CPH) + timedelta(days=1)
        if monday > after:
            return monday
        year += 1


def test_mondays_after_the_clock_changes(room, world):
    """The Mondays right after the March and October changes."""
    u = world["users"]["weekly"]
    for month, utc_hour in ((3, 8), (10, 9)):
        before = len(to(room, u))
        monday = claim_week(world, monday_after_change(month,
                                                       world["start"]))
        assert monday.astimezone(timezone.utc).hour == utc_hour, monday
        room.worker(monday - timedelta(minutes=1))
        assert len(to(room, u)) == before
        room.worker(monday)
        assert len(to(room, u)) == before + 1


def test_a_worker_down_at_ten_sends_the_current_week_once(room, world):
    u = world["users"]["weekly"]
    before = len(to(room, u))
    wednesday = fresh_monday(world, world["start"]) + timedelta(days=2,
                                                                 hours=5)
    room.worker(wednesday)
    room.worker(wednesday + timedelta(days=1))
    got = to(room, u)
    assert len(got) == before + 1
    week = wednesday.isocalendar()[1]
    assert got[-1]["subject"].endswith("vecka %d" % week)


def test_two_workers_at_once_queue_and_send_each_digest_once(room, world):
    """Two passes of the same Monday started together, as two hosts'
    workers would: one writes each digest, the other finds it written
    (on PostgreSQL it waits for the first's transaction to end) and
    leaves it; both passes succeed."""
    weekly = world["users"]["weekly"]
    before = {k: len(to(room, u)) for k, u in world["users"].items()}
    monday = fresh_monday(world, world["start"])
    stamp = monday.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    procs = [subprocess.Popen([str(WORKER_BIN), "--once", "--now", stamp],
                              env=dict(room.portal.env),
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    logs = [p.communicate(timeout=120)[1] for p in procs]
    for p, log in zip(procs, logs):
        assert not sanitizer_report(log), log
        assert p.returncode == 0, log
        assert "outbox insert" not in log, log
    after = {k: len(to(room, u)) for k, u in world["users"].items()}
    assert after["weekly"] == before["weekly"] + 1, after
    assert after["unsub"] == before["unsub"] + 1, after
    got = to(room, weekly)[-1]
    assert got["subject"].endswith("vecka %d" % monday.isocalendar()[1])


def test_daily_and_monthly(room, world):
    # Years ahead: no other test has run the worker in those weeks.
    far = world["start"] + timedelta(days=3 * 365)
    daily = world["users"]["daily"]
    before = len(to(room, daily))
    tuesday = next_local(TUESDAY, 10, 0, far)
    room.worker(tuesday - timedelta(minutes=1))
    assert len(to(room, daily)) == before
    room.worker(tuesday)
    room.worker(tuesday + timedelta(hours=1))
    assert len(to(room, daily)) == before + 1
    room.worker(next_local(SATURDAY, 12, 0, tuesday))
    assert len(to(room, daily)) == before + 1

    monthly = world["users"]["monthly"]
    first = next_local(MONDAY, 10, 0, far + timedelta(days=60))
    while first.day > 7:
        first = next_local(MONDAY, 10, 0, first)
    before = len(to(room, monthly))
    room.worker(first - timedelta(days=1))   # Sunday before: last month's
    after_last = len(to(room, monthly))
    room.worker(first + timedelta(days=7))   # second Monday: this month's
    room.worker(first + timedelta(days=14))  # third: nothing new
    got = to(room, monthly)
    assert len(got) == after_last + 1
    assert after_last - before <= 1
    subjects = [m["subject"] for m in got]
    assert len(subjects) == len(set(subjects)), subjects


def test_nothing_outstanding_is_skipped(room, world):
    idle = world["users"]["idle"]
    monday = fresh_monday(world, world["start"])
    room.worker(monday)
    assert to(room, idle) == []
    with room.db() as db:
        rows = db.execute("SELECT status, clients FROM digests WHERE "
                          "user_id = ?", (idle["id"],)).fetchall()
    # Its one client had nothing outstanding: left out, nothing listed.
    assert rows and all(r == ("skipped", 0) for r in rows)


def test_losing_access_drops_the_client(room, world):
    gone = world["users"]["gone"]
    a = world["clients"]["A"]
    r = room.portal.request("DELETE", "/v1/clients/%d/assignees/%d"
                            % (a, gone["id"]), world["admin"])
    assert r.status_code == 204
    monday = fresh_monday(world, world["start"])
    before = len(to(room, gone))
    room.worker(monday)
    assert len(to(room, gone)) == before


def test_smtp_down_then_back(room, world):
    u = world["users"]["weekly"]
    before = len(to(room, u))
    monday = fresh_monday(world, world["start"])
    # Connection refused: the port of a server that is not there.
    closed = "smtp://127.0.0.1:9"
    room.worker(monday, extra_env={"PORTAL_SMTP_URL": closed})
    room.smtp.set_mode("421")
    room.worker(monday + timedelta(minutes=2))
    assert len(to(room, u)) == before
    with room.db() as db:
        status, attempts, error = db.execute(
            "SELECT status, attempts, last_error FROM outbox WHERE "
            "user_id = ? ORDER BY id DESC LIMIT 1", (u["id"],)).fetchone()
    assert status == "queued" and attempts == 2 and "421" in error
    room.smtp.set_mode("ok")
    # Second failure at +2 min: the next try waits 60 s.
    room.worker(monday + timedelta(minutes=2, seconds=30))
    assert len(to(room, u)) == before
    room.worker(monday + timedelta(hours=1))
    room.worker(monday + timedelta(hours=2))
    assert len(to(room, u)) == before + 1


def test_smtp_5xx_marks_failed(room, world):
    u = world["users"]["weekly"]
    before = len(to(room, u))
    monday = fresh_monday(world, world["start"])
    room.smtp.set_mode("550")
    try:
        room.worker(monday)
    finally:
        room.smtp.set_mode("ok")
    room.worker(monday + timedelta(hours=3))
    assert len(to(room, u)) == before
    with room.db() as db:
        status, error = db.execute(
            "SELECT status, last_error FROM outbox WHERE user_id = ? "
            "ORDER BY id DESC LIMIT 1", (u["id"],)).fetchone()
    assert status == "failed" and error.startswith("550")


def test_one_smtp_connection_and_the_bounds_of_several(room, world):
    """The suite's worker sends over SMTP_CONNECTIONS connections; the
    default, one, sends each message once too, and a count outside 1-16
    is refused before anything is sent."""
    monday = fresh_monday(world, world["start"])
    seen = {m["message-id"] for _, m in room.messages()}
    for bad in ("0", "17", "four"):
        err = room.worker(monday, expect_rc=1,
                          extra_env={"PORTAL_SMTP_CONNECTIONS": bad})
        assert "PORTAL_SMTP_CONNECTIONS" in err, err
    assert len(room.messages()) == len(seen)
    room.worker(monday, extra_env={"PORTAL_SMTP_CONNECTIONS": "1"})
    new = [m["message-id"] for _, m in room.messages()
           if m["message-id"] not in seen]
    assert new and len(new) == len(set(new))
    with room.db() as db:
        left = db.execute("SELECT count(*) FROM outbox WHERE status IN "
                          "('queued', 'sending')").fetchone()[0]
    assert left == 0


def test_swedish_subject_is_encoded(room, world):
    u = world["users"]["weekly"]
    raw = [raw for env, raw in room.raw_messages()
           if env["rcpt_tos"] == [u["email"]]][0]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    subject = re.search(rb"^Subject: (.*?)\r\n(?! )", head + b"\r\n",
                        re.M | re.S).group(1)
    assert b"=?UTF-8?" in subject.upper() or b"=?utf-8?" in subject
    assert all(b < 0x80 for b in head)


# Firms of their own, in Swedish and English, with names that need
# encoding and quoting in From; each has two subscribers: one to a single
# client, one to three, every client with open tasks.
SUBJECT_FIRMS = {
    "sv": ("Örnsköld & Co Redovisning AB",
           ("Ödmjuk Åkeri AB", "Bergs Bageri", "Cederlunds Café")),
    "en": ('Hart, Lowe & "Partners" Ltd',
           ("Acme Freight Ltd", "Birch Bakery", "Cedar Café")),
}


@pytest.fixture(scope="module")
def firms(room, world):
    p = room.portal
    out = {}
    for locale, (firm, names) in SUBJECT_FIRMS.items():
        pid = cli_id(p.env, "create-partner", "--name", firm,
                     "--locale", locale)
        logins = {}
        for role in ("admin", "integration"):
            email = "%s-%s@firm%d.test" % (role, locale, pid)
            pw = "pw-" + secrets.token_hex(8)
            cli_id(p.env, "create-user", "--partner", str(pid), "--email",
                   email, "--name", "%s %s" % (role, locale), "--role",
                   role, password=pw)
            logins[role] = p.login(email, pw)

        def call(method, path, token, body=None):
            r = p.request(method, path, token, json=body)
            assert r.status_code in (200, 201, 202), (path, r.text)
            return r.json() if r.content else None

        clients = []
        for i, name in enumerate(names):
            c = call("POST", "/v1/clients", logins["admin"], {
                "name": name, "org_number": org_number_of_locale(locale),
                "contact_email": "ekonomi@example.se"})
            call("POST", "/v1/clients/%d/verification" % c["id"],
                 logins["integration"], {"result": "approved"})
            call("POST", "/v1/clients/%d/expenses" % c["id"],
                 logins["integration"], {"expenses": [{
                     "external_id": "x1", "amount_minor": 5000,
                     "currency": "SEK", "spent_at": "2026-11-02T12:00:00Z",
                     "merchant": "SJ", "receipt_status": "missing",
                     "export_status": "pending"}]})
            clients.append(c["id"])
        users = {}
        for key, subscribed in (("one", clients[:1]), ("three", clients)):
            u = p.create_user(logins["admin"], role="admin",
                              email="%s-%s@firm%d.test" % (key, locale, pid))
            u["token"] = p.login(u["email"], u["password"])
            for cid in subscribed:
                call("PUT", "/v1/clients/%d/notification-preference" % cid,
                     u["token"], {"email": True, "frequency": "weekly"})
            users[key] = u
        out[locale] = {"firm": firm, "names": names, "users": users}
    return out


def digests_of(room, users, monday):
    """[(message, raw header block)]: the one digest that the worker's pass
    at monday sent to each of users."""
    before = [len(to(room, u)) for u in users]
    room.worker(monday)
    out = []
    for u, n in zip(users, before):
        got = to(room, u)
        assert len(got) == n + 1, "no digest for %s" % u["email"]
        raw = [raw for env, raw in room.raw_messages()
               if env["rcpt_tos"] == [u["email"]]][-1]
        out.append((got[-1], raw.split(b"\r\n\r\n", 1)[0]))
    return out


def assert_from_firm(msg, head, firm):
    """From is the firm's name on the configured address, in ASCII bytes
    with encoded-words of at most 75 characters."""
    assert all(b < 0x80 for b in head)
    raw = re.search(rb"^From: (.*?)\r\n(?![ \t])", head + b"\r\n",
                    re.M | re.S).group(1)
    for word in re.findall(rb"=\?[^?]+\?[QqBb]\?[^?]*\?=", raw):
        assert len(word) <= 75, word
    assert b"\r\n" not in raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    sender = msg["from"].addresses
    assert len(sender) == 1
    assert sender[0].display_name == firm
    assert sender[0].addr_spec == "portal@alpha.test"


def test_a_digest_subject_names_its_one_client(room, world, firms):
    monday = fresh_monday(world, world["start"] + timedelta(days=7))
    week = monday.isocalendar()[1]
    sv, en = firms["sv"], firms["en"]
    (msg, head), (en_msg, en_head) = digests_of(
        room, [sv["users"]["one"], en["users"]["one"]], monday)
    assert msg["subject"] == "Veckosammanfattning: Ödmjuk Åkeri AB — " \
        "vecka %d" % week
    assert_from_firm(msg, head, sv["firm"])
    msg, head = en_msg, en_head
    assert msg["subject"] == "Weekly summary: Acme Freight Ltd — week %d" \
        % week
    assert_from_firm(msg, head, en["firm"])


def test_a_digest_subject_counts_its_clients(room, world, firms):
    monday = fresh_monday(world, world["start"] + timedelta(days=7))
    week = monday.isocalendar()[1]
    sv, en = firms["sv"], firms["en"]
    (msg, head), (en_msg, en_head) = digests_of(
        room, [sv["users"]["three"], en["users"]["three"]], monday)
    assert msg["subject"] == "3 kunder med utestående uppgifter — " \
        "vecka %d" % week
    assert_from_firm(msg, head, sv["firm"])
    text = text_part(msg, "plain")
    assert all(name in text for name in sv["names"])
    msg, head = en_msg, en_head
    assert msg["subject"] == "3 clients with open tasks — week %d" % week
    assert_from_firm(msg, head, en["firm"])


def test_one_click_unsubscribe(room, world):
    u = world["users"]["unsub"]
    got = to(room, u)
    assert got, "the subscriber got no digest to unsubscribe from"
    msg = got[-1]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = [raw for env, raw in room.raw_messages()
           if env["rcpt_tos"] == [u["email"]]][-1]
    m = re.search(rb"^List-Unsubscribe: <([^>\r\n]+)>\r\n", raw, re.M)
    assert m, "List-Unsubscribe is not one raw <URL> line"
    url = m.group(1).decode()
    assert url.startswith(room.portal.base_url + "/v1/unsubscribe?token=")
    pref_path = "/v1/clients/%d/notification-preference" % \
        world["clients"]["A"]
    # A GET (a link checker, a preview) must not unsubscribe: it shows
    # the page that asks.
    r = requests.get(url, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert room.portal.get(pref_path, u["token"]).json()["email"] is True
    # The mail client's one-click POST: no login, a form body.
    r = requests.post(url, data="List-Unsubscribe=One-Click", timeout=10,
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert room.portal.get(pref_path, u["token"]).json()["email"] is False
    before = len(to(room, u))
    monday = fresh_monday(world, world["start"])
    room.worker(monday)
    assert len(to(room, u)) == before
    # A forged token does nothing.
    bad = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert requests.post(bad, data="List-Unsubscribe=One-Click",
                         timeout=10).status_code == 400


def unsubscribe_link(room, user):
    """The raw List-Unsubscribe URL of the last digest user received."""
    raw = [raw for env, raw in room.raw_messages()
           if env["rcpt_tos"] == [user["email"]]][-1]
    m = re.search(rb"^List-Unsubscribe: <([^>\r\n]+)>\r\n", raw, re.M)
    assert m, "List-Unsubscribe is not one raw <URL> line"
    return m.group(1).decode()


def one_click(url):
    return requests.post(url, data="List-Unsubscribe=One-Click", timeout=10,
                         headers={"Content-Type":
                                  "application/x-www-form-urlencoded"})


def test_an_unsubscribe_link_ends_when_the_user_subscribes_again(room,
                                                                  world):
    p = room.portal
    a = world["clients"]["A"]
    pref_path = "/v1/clients/%d/notification-preference" % a
    u = p.create_user(world["admin"], role="bookkeeper", name="Bo Återkommer")
    u["token"] = p.login(u["email"], u["password"])
    r = p.request("POST", "/v1/clients/%d/assignees" % a, world["admin"],
                  json={"user_id": u["id"]})
    assert r.status_code in (200, 201), r.text

    def subscribe():
        r = p.request("PUT", pref_path, u["token"],
                      json={"email": True, "frequency": "weekly"})
        assert r.status_code == 200, r.text

    def email_on():
        return p.get(pref_path, u["token"]).json()["email"]

    def digest_link(after):
        monday = fresh_monday(world, after)
        before = len(to(room, u))
        room.worker(monday)
        assert len(to(room, u)) == before + 1
        return unsubscribe_link(room, u), monday

    subscribe()
    old, monday = digest_link(world["start"] + timedelta(days=7))
    # The link of a real digest unsubscribes.
    r = one_click(old)
    assert r.status_code == 200, r.text
    assert r.json() == {"frequency": "weekly", "unsubscribed": 1}
    assert email_on() is False
    # Subscribed again through the API: the old link is spent and answers
    # as a link that is invalid or expired, changing nothing.
    subscribe()
    assert email_on() is True
    r = one_click(old)
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["title"] == "Invalid unsubscribe link"
    assert email_on() is True
    # Saving the same subscription again does not end the new digest's
    # link; that link works, once.
    new, _ = digest_link(monday)
    assert new != old
    subscribe()
    r = one_click(new)
    assert r.status_code == 200, r.text
    assert r.json()["unsubscribed"] == 1
    assert email_on() is False
    assert one_click(new).status_code == 400
    assert one_click(old).status_code == 400
    assert email_on() is False


@pytest.mark.sqlite_only("the merge of SQLite's FTS5 segments; "
                         "PostgreSQL's GIN index has none to merge")
def test_sqlite_worker_merges_the_search_index(room, world):
    """Every write of a client's name adds to the trigram index and to the
    grams index of short searches, and a search reads each segment the
    writes left; each pass of the worker merges them. Searches, long and
    short, find the same before and after, and a pass with nothing to
    merge writes nothing."""
    p = room.portal
    admin = p.token("admin")

    def call(method, path, body=None):
        r = p.request(method, path, admin, json=body)
        assert r.status_code in (200, 201), (method, path, r.text)
        return r.json()

    made = [call("POST", "/v1/clients", {
        "name": "Tidy Gård %02d" % i,
        "org_number": se_org_number("5599000%02d" % i),
        "contact_email": "ekonomi@example.se"})["id"] for i in range(30)]
    for i, cid in enumerate(made):
        call("PATCH", "/v1/clients/%d" % cid, {"name": "Städad Gård %02d" % i})

    def search(q):
        doc = call("GET", "/v1/clients?tab=onboarding&limit=200&q=" + q)
        return [r["id"] for r in doc["data"]], doc["total"]

    queries = ("gård", "städad", "tidy", "5599000", "d gå", "s", "ä",
               "gå", "ti", "0", "d ")
    before = {q: search(q) for q in queries}
    assert set(made) <= set(before["ä"][0])
    assert before["städad"] == (made, 30)
    assert before["tidy"] == ([], 0)
    # Long before any digest falls due: this pass only tidies.
    quiet = datetime(2026, 1, 6, 12, 0, tzinfo=timezone.utc)
    assert "search index: merged" in room.worker(quiet)
    assert {q: search(q) for q in queries} == before
    assert "search index: merged" not in room.worker(quiet)


def subscribed_bookkeeper(room, world, name, keys):
    """A new bookkeeper assigned to and subscribed weekly to the clients
    keys ("A", "B")."""
    p = room.portal
    admin = world["admin"]
    u = p.create_user(admin, role="bookkeeper", name=name)
    token = p.login(u["email"], u["password"])
    for key in keys:
        cid = world["clients"][key]
        r = p.request("POST", "/v1/clients/%d/assignees" % cid, admin,
                      json={"user_id": u["id"]})
        assert r.status_code in (200, 201, 204), r.text
        r = p.request("PUT", "/v1/clients/%d/notification-preference" % cid,
                      token, json={"email": True, "frequency": "weekly"})
        assert r.status_code == 200, r.text
    return u


def test_a_digest_goes_only_to_a_reader_who_may_still_read_it(room, world):
    """Between a digest's writing and its sending, its reader is
    deactivated, or loses one of its clients, or all of them: the first
    and the last are cancelled with the reason, the second arrives
    without the client its reader can no longer see."""
    p = room.portal
    admin = world["admin"]
    a, b = world["clients"]["A"], world["clients"]["B"]
    leaver = subscribed_bookkeeper(room, world, "Bokförare Slutar", "A")
    narrow = subscribed_bookkeeper(room, world, "Bokförare Smal", "AB")
    moved = subscribed_bookkeeper(room, world, "Bokförare Flyttad", "A")
    monday = fresh_monday(world, datetime.now(timezone.utc) +
                          timedelta(days=7))
    # Written while the mail server is away: queued, not sent.
    room.worker(monday, extra_env={"PORTAL_SMTP_URL": "smtp://127.0.0.1:9"})

    def digest(u):
        with room.db() as db:
            return db.execute(
                "SELECT status, cancel_reason FROM outbox WHERE user_id = ? "
                "AND kind = 'digest'", (u["id"],)).fetchall()

    with room.db() as db:
        for u in (leaver, narrow, moved):
            assert db.execute("SELECT status FROM outbox WHERE user_id = ? "
                              "AND kind = 'digest'", (u["id"],)
                              ).fetchall() == [("queued",)], u["name"]
    r = p.request("PATCH", "/v1/users/%d" % leaver["id"], admin,
                  json={"active": False})
    assert r.status_code == 200, r.text
    for cid, u in ((b, narrow), (a, moved)):
        r = p.request("DELETE", "/v1/clients/%d/assignees/%d" % (cid,
                                                                 u["id"]),
                      admin)
        assert r.status_code == 204, r.text

    room.worker(monday + timedelta(hours=2))
    assert to(room, leaver) == [] and to(room, moved) == []
    assert digest(leaver) == [("cancelled", "recipient_inactive")]
    assert digest(moved) == [("cancelled", "recipient_unassigned")]
    got = to(room, narrow)
    assert len(got) == 1 and digest(narrow) == [("sent", None)]
    for part in ("plain", "html"):
        body = text_part(got[0], part)
        assert "Åkesson Bygg AB" in body
        assert "Öresund Revision" not in body
        assert "/clients/%d" % b not in body
