"""Digests that say what changed (issue 16), delivered by the real worker
to a real SMTP server: the clients most urgent first, those with nothing
outstanding left out, each client's alerts with the new ones marked and
its month's figures, a setting for alerts only, and greetings by first
name."""
import datetime

import pytest

from clients_helpers import Api, Firm, expense
from worker_helpers import module_mailroom, next_local, text_part

MONDAY = 0
UTC = datetime.timezone.utc


room = module_mailroom("portal-digest-attention-")


@pytest.fixture(scope="module")
def api(room):
    a = Api(room.portal)
    yield a
    a.close()


def days_ago(n):
    t = datetime.datetime.now(UTC) - datetime.timedelta(days=n)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def to(room, user):
    return [m for env, m in room.messages()
            if env["rcpt_tos"] == [user["email"]]]


def subscribe(api, user, c, **extra):
    api.ok("PUT", "/v1/clients/%d/notification-preference" % c["id"],
           user.token, json=dict({"email": True}, **extra))


def push(api, firm, c, *items):
    api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
           firm.integration.token, json={"expenses": list(items)})


def digest_text(room, user, n):
    """The plain text of the user's nth email, with its line ends as
    written."""
    got = to(room, user)
    assert len(got) == n, [m["subject"] for m in got]
    return text_part(got[-1], "plain")


def test_a_digest_puts_first_what_needs_attention(api, room):
    firm = Firm(api, "sv")
    bk = firm.user(name="Britt Bokförare")
    api.ok("PUT", "/v1/settings/thresholds", firm.admin.token, json={
        "balance_below": [{"amount_minor": 0, "currency": "SEK"}],
        "missing_receipts_above": 10,
        "missing_receipt_older_than_days": 30})
    old = firm.active("Östra Gamla Kvitton AB", assignees=[bk])
    some = firm.active("Alfa Några Kvitton AB", assignees=[bk])
    idle = firm.active("Beta Inget Kvar AB", assignees=[bk])
    quiet = firm.active("Gamma Bara Larm AB", assignees=[bk])
    loud = firm.active("Delta Larm AB", assignees=[bk])
    for c in (old, some, idle, quiet, loud):
        api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
               firm.integration.token,
               json={"amount_minor": 100, "currency": "SEK"})
    push(api, firm, old, expense("o", spent_at=days_ago(40)))
    push(api, firm, some, expense("s", spent_at=days_ago(2)))
    push(api, firm, quiet, expense("q", spent_at=days_ago(2)))
    api.ok("PUT", "/v1/clients/%d/balance" % loud["id"],
           firm.integration.token,
           json={"amount_minor": -5, "currency": "SEK"})
    for c in (old, some, idle):
        subscribe(api, bk, c)
    # Alerts only: one without an alert, one with.
    subscribe(api, bk, quiet, alerts_only=True)
    subscribe(api, bk, loud, alerts_only=True)
    got = api.ok("GET", "/v1/clients/%d/notification-preference"
                 % quiet["id"], bk.token)
    assert got["alerts_only"] is True

    monday = next_local(MONDAY, 10, 0, datetime.datetime.now(UTC))
    room.worker(monday + datetime.timedelta(minutes=1))
    text = digest_text(room, bk, 1)
    assert text.startswith("Hej Britt,")
    names = [n for n in (old["name"], some["name"], idle["name"],
                         quiet["name"], loud["name"]) if n in text]
    # Both with an alert first (the older missing receipt first), then
    # the one with a missing receipt; nothing outstanding, and alerts
    # only without an alert, left out.
    assert sorted(names, key=text.index) == [old["name"], loud["name"],
                                             some["name"]]
    assert "Behöver åtgärdas: Gamla saknade kvitton (nytt)" in text
    assert "Behöver åtgärdas: Lågt saldo (nytt)" in text
    # This month's figures: none exported or ready, the pushed pending.
    assert "Denna månad:" in text

    # A week on: the same alerts are no longer new; one raised since is.
    api.ok("PUT", "/v1/clients/%d/thresholds" % some["id"],
           firm.admin.token, json={"missing_receipts_above": 0})
    room.worker(next_local(MONDAY, 10, 0, monday) +
                datetime.timedelta(minutes=1))
    text = digest_text(room, bk, 2)
    assert "Behöver åtgärdas: Gamla saknade kvitton\n" in \
        text.replace("\r\n", "\n")
    assert "Behöver åtgärdas: Många saknade kvitton (nytt)" in text
    assert "(nytt)" not in text.split(some["name"])[0]


def test_alerts_only_sends_nothing_without_an_alert(api, room):
    firm = Firm(api, "en")
    bk = firm.user(name="Per Persson")
    c = firm.active("Calm Ltd", assignees=[bk])
    push(api, firm, c, expense("x", spent_at=days_ago(1)))
    subscribe(api, bk, c, alerts_only=True, frequency="daily")
    day = next_local(MONDAY, 10, 0, datetime.datetime.now(UTC))
    room.worker(day + datetime.timedelta(minutes=1))
    assert to(room, bk) == []
    # An alert raised: the next digest goes.
    api.ok("PUT", "/v1/clients/%d/thresholds" % c["id"], firm.admin.token,
           json={"missing_receipts_above": 0})
    room.worker(day + datetime.timedelta(days=1, minutes=1))
    text = digest_text(room, bk, 1)
    assert text.startswith("Hello Per,")
    assert "Needs attention: Many missing receipts (new)" in text


def test_each_person_reads_email_in_their_own_language(api, room):
    """A user's locale, not the firm's, picks the language of every email
    they get; without one, the firm's."""
    firm = Firm(api, "sv")
    dane = firm.user(name="Mette Madsen")
    norwegian = firm.user(name="Kari Nordmann")
    swede = firm.user(name="Sven Svensson")
    api.ok("PATCH", "/v1/users/%d" % dane.id, firm.admin.token,
           json={"locale": "da"})
    api.ok("PATCH", "/v1/me", norwegian.token, json={"locale": "nb"})
    c = firm.active("Språk AB", assignees=[dane, norwegian, swede])
    push(api, firm, c, expense("l1", spent_at=days_ago(1)))
    for u in (dane, norwegian, swede):
        subscribe(api, u, c)
    # The reminder goes to the bookkeepers, each in their language.
    api.ok("POST", "/v1/clients/%d/notify-accountants" % c["id"],
           firm.admin.token, status=202,
           json={"tasks": ["missing_receipts"]})
    monday = next_local(MONDAY, 10, 0, datetime.datetime.now(UTC))
    room.worker(monday + datetime.timedelta(minutes=1))
    want = {dane["email"]: ("Hej Mette,", "Påmindelse: Språk AB",
                            "Manglende bilag"),
            norwegian["email"]: ("Hei Kari,", "Påminnelse: Språk AB",
                                 "Manglende kvitteringer"),
            swede["email"]: ("Hej Sven,", "Påminnelse: Språk AB",
                             "Saknade kvitton")}
    for email, (greeting, reminder_subject, missing) in want.items():
        got = [m for env, m in room.messages() if env["rcpt_tos"] == [email]]
        subjects = sorted(m["subject"] for m in got)
        # A reminder and a digest, both in the reader's language.
        assert len(got) == 2 and reminder_subject in subjects, subjects
        for m in got:
            text = text_part(m, "plain")
            assert text.startswith(greeting), (email, text[:80])
            assert missing in text, (email, text)
