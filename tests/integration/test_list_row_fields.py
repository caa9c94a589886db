"""What a row of GET /v1/clients gives a frontend in one call: each
assignee's role (kept when a user's role changes), when the client was
invited and entered onboarding, its balance in the firm's language as the
emails write it, the caller's own notification setting, and the actions
the caller may take, each of which its route takes and every other of
which its route refuses."""
import datetime
import re

import pytest

from clients_helpers import (ASSIGNEE_KEYS, ROW_KEYS, Api, Firm, list_page,
                             module_portal)

srv = module_portal({"PORTAL_NOTIFY_PER_SENDER_HOUR": "1000",
                     "PORTAL_NOTIFY_PER_CLIENT_HOUR": "1000"})

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ACTIONS = ["go_to_client", "notify_accountants", "assign", "see_details"]
TABS = {"admin": ("invitations", "onboarding", "mine", "all"),
        "bookkeeper": ("onboarding", "mine"),
        "integration": ("invitations", "onboarding", "all")}


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


def rows_of(api, user):
    """Every row the user sees, over the tabs of their role, by id."""
    out = {}
    for tab in TABS[user["role"]]:
        r = api.get("/v1/clients", user.token, params={"tab": tab,
                                                        "limit": 200})
        if r.status_code == 403:        # a tab left out while empty
            continue
        assert r.status_code == 200, r.text
        for row in r.json()["data"]:
            assert set(row) == ROW_KEYS, row
            out[row["id"]] = row
    return out


def row_of(api, user, client_id):
    return rows_of(api, user).get(client_id)


def attempt(api, firm, user, client, action):
    """The action's route, called by user on client: its status."""
    cid = client["id"]
    if action == "go_to_client":
        r = api.post("/v1/clients/%d/access" % cid, user.token)
    elif action == "notify_accountants":
        r = api.post("/v1/clients/%d/notify-accountants" % cid, user.token,
                     json={"tasks": ["missing_receipts"]})
    elif action == "assign":
        # The assignees it has: a change that changes nothing.
        now = firm.client(cid)["assignees"]
        r = api.put("/v1/clients/%d/assignees" % cid, user.token,
                    json={"user_ids": [a["id"] for a in now]})
    else:
        r = api.get("/v1/clients/%d" % cid, user.token)
    return r.status_code


@pytest.fixture(scope="module")
def world(api):
    f = Firm(api, "sv")
    w = type("World", (), {})()
    w.firm = f
    w.bk = f.user("bookkeeper", "Bea Bokförare")
    w.other = f.user("bookkeeper", "Olle Otilldelad")
    w.clients = {
        "invitation": f.invitation("Inbjuden AB"),
        "onboarding": f.onboarding("Införs AB", assignees=[w.bk]),
        "onboarding_alone": f.onboarding("Införs Ensam AB"),
        "active": f.active("Aktiv AB", assignees=[w.bk]),
        "active_alone": f.active("Aktiv Ensam AB"),
        "active_admin": f.active("Aktiv Admin AB", assignees=[f.admin]),
    }
    return w


def test_row_fields_on_every_tab_and_role(api, world):
    f = world.firm
    for user in (f.admin, world.bk, world.other, f.integration):
        for row in rows_of(api, user).values():
            assert STAMP.match(row["invited_at"]), row
            assert row["onboarding_since"] is None or STAMP.match(
                row["onboarding_since"]), row
            assert isinstance(row["balance_display"], str), row
            assert row["actions"] == [a for a in ACTIONS
                                      if a in row["actions"]], row
            assert "see_details" in row["actions"], row
            for a in row["assignees"]:
                assert set(a) == ASSIGNEE_KEYS, a
            if user["role"] == "integration":
                assert row["notification"] is None, row


@pytest.mark.parametrize("who", ["admin", "bk", "other", "integration"])
def test_listed_actions_succeed_and_others_are_refused(api, world, who):
    f = world.firm
    user = {"admin": f.admin, "bk": world.bk, "other": world.other,
            "integration": f.integration}[who]
    rows = rows_of(api, user)
    for kind, c in world.clients.items():
        listed = rows[c["id"]]["actions"] if c["id"] in rows else []
        if who == "bk":
            # Their assigned clients in onboarding and active, only.
            assert (c["id"] in rows) == (kind in ("onboarding", "active"))
        if who == "other":
            assert c["id"] not in rows
        for action in ACTIONS:
            status = attempt(api, f, user, c, action)
            if action in listed:
                assert 200 <= status < 300, (who, kind, action, status)
            else:
                assert 400 <= status < 500, (who, kind, action, status)
    if who == "admin":
        by_kind = {k: rows[c["id"]]["actions"]
                   for k, c in world.clients.items()}
        assert by_kind == {
            "invitation": ["assign", "see_details"],
            "onboarding": ACTIONS,
            "onboarding_alone": ["go_to_client", "assign", "see_details"],
            "active": ACTIONS,
            "active_alone": ["go_to_client", "assign", "see_details"],
            "active_admin": ["go_to_client", "assign", "see_details"],
        }, by_kind


def test_roles_follow_a_role_change(api, world):
    f = world.firm
    bk = f.user("bookkeeper", "Rolf Rollbyte")
    c = f.active("Rollbyte AB", assignees=[bk])
    row = row_of(api, f.admin, c["id"])
    assert row["assignees"] == [{"id": bk.id, "name": "Rolf Rollbyte",
                                 "role": "bookkeeper"}]
    assert "notify_accountants" in row["actions"]
    api.ok("PATCH", "/v1/users/%d" % bk.id, f.admin.token,
           json={"role": "admin"})
    row = row_of(api, f.admin, c["id"])
    assert row["assignees"] == [{"id": bk.id, "name": "Rolf Rollbyte",
                                 "role": "admin"}]
    # An admin gets no reminder: no one is left to notify.
    assert "notify_accountants" not in row["actions"]
    assert api.post("/v1/clients/%d/notify-accountants" % c["id"],
                    f.admin.token, json={"tasks": ["balance"]}
                    ).status_code == 422
    assert f.client(c["id"])["assignees"] == row["assignees"]
    api.ok("PATCH", "/v1/users/%d" % bk.id, f.admin.token,
           json={"role": "bookkeeper"})
    row = row_of(api, f.admin, c["id"])
    assert row["assignees"][0]["role"] == "bookkeeper"
    assert "notify_accountants" in row["actions"]


def test_notify_is_offered_by_roles_not_by_names(api, world):
    """Whom a reminder reaches is read from the stored row's text: a
    client or an admin whose name reads like a bookkeeper's role is not
    taken for one."""
    f = world.firm
    like = 'x","role":"bookkeeper"'
    adm = f.user("admin", 'Ada %s' % like)
    c = f.active('Namn %s AB' % like, assignees=[adm])
    row = row_of(api, f.admin, c["id"])
    assert row["name"] == 'Namn %s AB' % like
    assert row["assignees"][0]["role"] == "admin"
    assert "notify_accountants" not in row["actions"]
    assert api.post("/v1/clients/%d/notify-accountants" % c["id"],
                    f.admin.token, json={"tasks": ["balance"]}
                    ).status_code == 422
    bk = f.user("bookkeeper", 'Bo %s' % like)
    api.ok("PUT", "/v1/clients/%d/assignees" % c["id"], f.admin.token,
           json={"user_ids": [adm.id, bk.id]})
    assert "notify_accountants" in row_of(api, f.admin, c["id"])["actions"]


def test_dates_through_the_status_transitions(api, world):
    f = world.firm
    inv = f.invitation("Datum Inbjuden AB")
    row = row_of(api, f.admin, inv["id"])
    assert row["invited_at"] == f.client(inv["id"])["created_at"]
    assert row["onboarding_since"] is None
    assert inv["invited_at"] == row["invited_at"]
    api.ok("POST", "/v1/clients/%d/accept" % inv["id"], f.admin.token)
    after = row_of(api, f.admin, inv["id"])
    assert after["status"] == "active"
    assert after["invited_at"] == row["invited_at"]
    assert after["onboarding_since"] is None

    onb = f.onboarding("Datum Införs AB")
    row = row_of(api, f.admin, onb["id"])
    created = f.client(onb["id"])["created_at"]
    assert row["invited_at"] == created
    assert row["onboarding_since"] == created
    api.ok("POST", "/v1/clients/%d/verification" % onb["id"],
           f.integration.token, json={"result": "approved"})
    after = row_of(api, f.admin, onb["id"])
    assert after["status"] == "active"
    assert (after["invited_at"], after["onboarding_since"]) == (created,
                                                                 created)
    # A rejected one leaves the tabs but keeps its dates.
    rej = f.onboarding("Datum Avvisad AB")
    d = api.ok("POST", "/v1/clients/%d/verification" % rej["id"],
               f.integration.token, json={"result": "rejected"})
    assert d["onboarding_since"] == d["created_at"] == d["invited_at"]


@pytest.mark.parametrize("locale,amount,currency,want", [
    ("sv", 123450, "SEK", "1 234,50 kr"),
    ("sv", -123450, "SEK", "\u22121 234,50 kr"),
    ("sv", 500, "EUR", "5,00 EUR"),
    ("en", 123450, "SEK", "SEK 1,234.50"),
    ("en", -123450, "SEK", "-SEK 1,234.50"),
    ("en", 0, "EUR", "EUR 0.00"),
    ("da", -123450, "DKK", "-1.234,50 kr."),
    ("nb", 123450, "NOK", "1 234,50 kr"),
])
def test_balance_display(api, locale, amount, currency, want):
    f = Firm(api, locale)
    c = f.active("Saldo %s AB" % locale)
    api.ok("PUT", "/v1/clients/%d/balance" % c["id"], f.admin.token,
           json={"amount_minor": amount, "currency": currency})
    row = row_of(api, f.admin, c["id"])
    assert row["balance_display"] == want, row


def test_balance_display_is_the_balances_whatever_the_name(api):
    """The balance is read from the stored row's text: a name that reads
    like one, braces and quotes included, is not taken for it."""
    f = Firm(api, "sv")
    c = f.active('{"balance":{"amount_minor":1,"currency":"EUR"}} AB')
    api.ok("PUT", "/v1/clients/%d/balance" % c["id"], f.admin.token,
           json={"amount_minor": 700, "currency": "SEK"})
    row = row_of(api, f.admin, c["id"])
    assert row["name"] == '{"balance":{"amount_minor":1,"currency":"EUR"}} AB'
    assert row["balance_display"] == "7,00 kr", row


def test_notification_is_the_callers_own(api, world):
    f = world.firm
    c = world.clients["active"]
    assert row_of(api, world.bk, c["id"])["notification"] is None
    put = api.ok("PUT", "/v1/clients/%d/notification-preference" % c["id"],
                 world.bk.token, json={"email": True, "frequency": "daily"})
    row = row_of(api, world.bk, c["id"])
    assert row["notification"] == put
    assert row["notification"] == f.client(c["id"], world.bk.token)[
        "notification"]
    assert row["notification"] == api.ok(
        "GET", "/v1/clients/%d/notification-preference" % c["id"],
        world.bk.token)
    # Someone else's setting is not the admin's.
    assert row_of(api, f.admin, c["id"])["notification"] is None
    api.ok("PUT", "/v1/clients/%d/notification-preference" % c["id"],
           world.bk.token, json={"email": False})
    row = row_of(api, world.bk, c["id"])
    assert row["notification"]["email"] is False
    assert row["notification"]["next_delivery_at"] is None


def test_month_rows_and_lookup_carry_the_fields(api, world):
    f = world.firm
    c = world.clients["active"]
    # Last month: the firm's current one, whichever side of midnight.
    month = (datetime.datetime.now(datetime.timezone.utc).replace(day=1) -
             datetime.timedelta(days=1)).strftime("%Y-%m")
    page = list_page(api, f.admin.token, tab="all", month=month)
    rows = {r["id"]: r for r in page["data"]}
    assert set(rows[c["id"]]) == ROW_KEYS | {"month"}
    found = list_page(api, f.admin.token, org_number=c["org_number"],
                      month=month)["data"]
    assert len(found) == 1
    assert found[0] == rows[c["id"]]
