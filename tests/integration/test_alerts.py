"""Thresholds and alerts (issue 16): a firm's defaults and a client's own,
the alerts each client row shows, raised and cleared in the transaction of
the request that causes them, the list's alert= and attention= filters
with their totals, and the worker raising what time makes due."""
import datetime
import tempfile
import time

import pytest

from conftest import assert_problem, error_fields
from clients_helpers import Api, Firm, expense, list_page, walk
from worker_helpers import Mailroom

UTC = datetime.timezone.utc
DEFAULTS = {"balance_below": [], "missing_receipts_above": 10,
            "missing_receipt_older_than_days": 30}


@pytest.fixture(scope="module")
def room():
    with tempfile.TemporaryDirectory(prefix="portal-alerts-") as tmpdir:
        r = Mailroom(tmpdir)
        try:
            yield r
        finally:
            r.close()


@pytest.fixture(scope="module")
def api(room):
    a = Api(room.portal)
    yield a
    a.close()


@pytest.fixture
def firm(api):
    return Firm(api, "sv")


def iso(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_ago(n):
    return iso(datetime.datetime.now(UTC) - datetime.timedelta(days=n))


def row(api, firm, c, token=None):
    doc = list_page(api, token or firm.admin.token, tab="all",
                    org_number=c["org_number"])
    assert len(doc["data"]) == 1, doc
    return doc["data"][0]


def alerts(api, firm, c):
    return row(api, firm, c)["alerts"]


def settings(api, firm, body):
    return api.ok("PUT", "/v1/settings/thresholds", firm.admin.token,
                  json=body)


def client_thresholds(api, firm, c, body=None, token=None):
    path = "/v1/clients/%d/thresholds" % c["id"]
    if body is None:
        return api.ok("GET", path, token or firm.admin.token)
    return api.ok("PUT", path, token or firm.admin.token, json=body)


def push(api, firm, c, *items):
    return api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
                  firm.integration.token, json={"expenses": list(items)})


# --------------------------------------------------------------------------
# Thresholds

def test_a_new_firm_has_the_defaults(api, firm):
    assert api.ok("GET", "/v1/settings/thresholds",
                  firm.admin.token) == DEFAULTS
    c = firm.active("Ny AB")
    got = client_thresholds(api, firm, c)
    assert got == {"client_id": c["id"], "overrides": {
        "balance_below": None, "missing_receipts_above": None,
        "missing_receipt_older_than_days": None},
        "effective": {"balance_below": None, "missing_receipts_above": 10,
                      "missing_receipt_older_than_days": 30},
        "alerts": []}
    assert row(api, firm, c)["alerts"] == []


def test_the_firms_settings_are_replaced_whole(api, firm):
    body = {"balance_below": [{"amount_minor": 500000, "currency": "SEK"},
                              {"amount_minor": 100, "currency": "EUR"}],
            "missing_receipts_above": 3,
            "missing_receipt_older_than_days": None}
    got = settings(api, firm, body)
    # Lines by currency code.
    assert got["balance_below"] == [{"amount_minor": 100, "currency": "EUR"},
                                    {"amount_minor": 500000,
                                     "currency": "SEK"}]
    assert got["missing_receipts_above"] == 3
    assert got["missing_receipt_older_than_days"] is None
    assert settings(api, firm, {}) == {
        "balance_below": [], "missing_receipts_above": None,
        "missing_receipt_older_than_days": None}
    assert api.ok("GET", "/v1/settings/thresholds", firm.admin.token)[
        "missing_receipts_above"] is None


def test_low_balance_comes_and_goes_with_the_request(api, firm):
    c = firm.active("Saldo Låg AB")
    assert alerts(api, firm, c) == []
    # The firm's line raises it on every SEK client in the same PUT.
    settings(api, firm, dict(DEFAULTS, balance_below=[
        {"amount_minor": 100000, "currency": "SEK"}]))
    assert alerts(api, firm, c) == ["low_balance"]
    # A balance above the line clears it in the balance's own PUT.
    r = api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
               firm.integration.token,
               json={"amount_minor": 100000, "currency": "SEK"})
    assert r["alerts"] == []
    assert alerts(api, firm, c) == []
    r = api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
               firm.integration.token,
               json={"amount_minor": 99999, "currency": "SEK"})
    assert r["alerts"] == ["low_balance"]
    # Another currency has no line: no alert.
    api.ok("PUT", "/v1/balances", firm.integration.token, json={
        "balances": [{"client_id": c["id"], "amount_minor": 5,
                      "currency": "NOK"}]})
    assert alerts(api, firm, c) == []


def test_many_missing_receipts(api, firm):
    settings(api, firm, dict(DEFAULTS, missing_receipts_above=2,
                             missing_receipt_older_than_days=None))
    c = firm.active("Kvitto Många AB")
    push(api, firm, c, *[expense("m%d" % i, spent_at=days_ago(1))
                         for i in range(2)])
    assert alerts(api, firm, c) == []
    push(api, firm, c, expense("m2", spent_at=days_ago(1)))
    assert alerts(api, firm, c) == ["many_missing_receipts"]
    # One receipt attached: back to two, and the alert goes.
    e = api.ok("GET", "/v1/clients/%d/expenses" % c["id"],
               firm.admin.token)["data"][0]
    api.ok("PATCH", "/v1/clients/%d/expenses/%d" % (c["id"], e["id"]),
           firm.integration.token, json={"receipt_status": "attached"})
    assert alerts(api, firm, c) == []


def test_old_missing_receipts(api, firm):
    c = firm.active("Gammalt Kvitto AB")
    push(api, firm, c, expense("new", spent_at=days_ago(2)))
    assert alerts(api, firm, c) == []
    push(api, firm, c, expense("old", spent_at=days_ago(31)))
    assert alerts(api, firm, c) == ["old_missing_receipts"]
    # Deleting the old one leaves a young one: the alert goes.
    api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
           firm.integration.token,
           json={"expenses": [{"external_id": "old", "deleted": True}]})
    assert alerts(api, firm, c) == []
    # Moved back in time by an upsert, it is old again.
    push(api, firm, c, expense("new", spent_at=days_ago(40)))
    assert alerts(api, firm, c) == ["old_missing_receipts"]
    # A longer limit for this client alone clears it.
    got = client_thresholds(api, firm, c, {
        "missing_receipt_older_than_days": 60})
    assert got["alerts"] == []
    assert got["effective"]["missing_receipt_older_than_days"] == 60
    assert alerts(api, firm, c) == []


def test_a_clients_own_thresholds_override_the_firms(api, firm):
    settings(api, firm, dict(DEFAULTS, balance_below=[
        {"amount_minor": 1000, "currency": "SEK"}]))
    a = firm.active("Egen Gräns AB")
    b = firm.active("Firmans Gräns AB")
    for c in (a, b):
        api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
               firm.integration.token,
               json={"amount_minor": 5000, "currency": "SEK"})
        push(api, firm, c, expense("x", spent_at=days_ago(1)))
    got = client_thresholds(api, firm, a, {
        "balance_below": {"amount_minor": 10000, "currency": "SEK"},
        "missing_receipts_above": 0})
    assert got["overrides"] == {
        "balance_below": {"amount_minor": 10000, "currency": "SEK"},
        "missing_receipts_above": 0, "missing_receipt_older_than_days": None}
    assert got["effective"] == {
        "balance_below": {"amount_minor": 10000, "currency": "SEK"},
        "missing_receipts_above": 0, "missing_receipt_older_than_days": 30}
    assert got["alerts"] == ["low_balance", "many_missing_receipts"]
    assert alerts(api, firm, a) == ["low_balance", "many_missing_receipts"]
    assert alerts(api, firm, b) == []
    # A change of the firm's defaults leaves a client's own alone.
    settings(api, firm, dict(DEFAULTS, missing_receipts_above=5))
    assert alerts(api, firm, a) == ["low_balance", "many_missing_receipts"]
    assert alerts(api, firm, b) == []
    # Back to the firm's: null, or left out.
    got = client_thresholds(api, firm, a, {
        "balance_below": {"amount_minor": 10000, "currency": "SEK"},
        "missing_receipts_above": None})
    assert got["alerts"] == ["low_balance"]
    assert got["effective"]["missing_receipts_above"] == 5
    got = client_thresholds(api, firm, a, {})
    assert got["alerts"] == []
    assert got["effective"]["balance_below"] is None


def test_who_sets_thresholds(api, firm):
    bk, other = firm.user(), firm.user()
    c = firm.active("Behörig Gräns AB", assignees=[bk])
    assert client_thresholds(api, firm, c, token=bk.token)["client_id"] == \
        c["id"]
    path = "/v1/clients/%d/thresholds" % c["id"]
    assert_problem(api.get(path, other.token), 404)
    assert_problem(api.put(path, bk.token, json={}), 403)
    assert_problem(api.get(path, firm.integration.token), 403)
    assert_problem(api.get("/v1/settings/thresholds", bk.token), 403)
    assert_problem(api.put("/v1/settings/thresholds", bk.token, json={}),
                   403)
    stranger = Firm(api, "sv")
    assert_problem(api.get(path, stranger.admin.token), 404)


@pytest.mark.parametrize("body, field", [
    ({"missing_receipts_above": -1}, "missing_receipts_above"),
    ({"missing_receipt_older_than_days": -5},
     "missing_receipt_older_than_days"),
    ({"missing_receipt_older_than_days": 3651},
     "missing_receipt_older_than_days"),
    ({"missing_receipts_above": 1.5}, "missing_receipts_above"),
    ({"balance_below": [{"amount_minor": -1, "currency": "SEK"}]},
     "balance_below[0].amount_minor"),
    ({"balance_below": [{"amount_minor": 1, "currency": "sek"}]},
     "balance_below[0].currency"),
    ({"balance_below": [{"amount_minor": 1, "currency": "SEK"},
                        {"amount_minor": 2, "currency": "SEK"}]},
     "balance_below[1].currency"),
    ({"balance_below": {"amount_minor": 1, "currency": "SEK"}},
     "balance_below"),
    ({"limit": 3}, "limit"),
])
def test_bad_firm_thresholds_change_nothing(api, firm, body, field):
    before = api.ok("GET", "/v1/settings/thresholds", firm.admin.token)
    doc = assert_problem(api.put("/v1/settings/thresholds",
                                 firm.admin.token, json=body), 422)
    assert error_fields(doc) == [field]
    assert api.ok("GET", "/v1/settings/thresholds",
                  firm.admin.token) == before


@pytest.mark.parametrize("body, field", [
    ({"balance_below": {"amount_minor": 100, "currency": "EUR"}},
     "balance_below.currency"),
    ({"balance_below": {"amount_minor": -100, "currency": "SEK"}},
     "balance_below.amount_minor"),
    ({"balance_below": [{"amount_minor": 100, "currency": "SEK"}]},
     "balance_below"),
    ({"missing_receipts_above": -3}, "missing_receipts_above"),
])
def test_bad_client_thresholds_change_nothing(api, firm, body, field):
    c = firm.active("Fel Gräns AB")
    before = client_thresholds(api, firm, c)
    r = api.put("/v1/clients/%d/thresholds" % c["id"], firm.admin.token,
                json=body)
    assert error_fields(assert_problem(r, 422)) == [field]
    assert client_thresholds(api, firm, c) == before


# --------------------------------------------------------------------------
# The list's filters

def test_alert_filters_and_totals(api, firm):
    bk = firm.user()
    settings(api, firm, dict(DEFAULTS, balance_below=[
        {"amount_minor": 1, "currency": "SEK"}], missing_receipts_above=1))
    low = firm.active("Filter Låg AB", assignees=[bk])
    many = firm.active("Filter Många AB", assignees=[bk])
    both = firm.active("Filter Båda AB")
    fine = firm.active("Filter Fin AB", assignees=[bk])
    for c in (many, both, fine):
        api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
               firm.integration.token,
               json={"amount_minor": 10, "currency": "SEK"})
    api.ok("PUT", "/v1/clients/%d/balance" % low["id"],
           firm.integration.token,
           json={"amount_minor": -5, "currency": "SEK"})
    for c in (many, both):
        push(api, firm, c, expense("a", spent_at=days_ago(1)),
             expense("b", spent_at=days_ago(1)))
    api.ok("PUT", "/v1/clients/%d/balance" % both["id"],
           firm.integration.token,
           json={"amount_minor": 0, "currency": "SEK"})
    push(api, firm, fine, expense("a", spent_at=days_ago(1)))

    def names(**params):
        doc = list_page(api, firm.admin.token, tab="all", **params)
        got = [r["name"] for r in doc["data"]]
        assert doc["total"] == len(got), doc
        return got

    assert names(alert="low_balance") == ["Filter Båda AB", "Filter Låg AB"]
    assert names(alert="many_missing_receipts") == [
        "Filter Båda AB", "Filter Många AB"]
    # Repeated, any of them.
    assert names(alert=["low_balance", "many_missing_receipts"]) == [
        "Filter Båda AB", "Filter Låg AB", "Filter Många AB"]
    assert names(attention="true") == [
        "Filter Båda AB", "Filter Låg AB", "Filter Många AB"]
    assert names(attention="false") == [
        "Filter Båda AB", "Filter Fin AB", "Filter Låg AB",
        "Filter Många AB"]
    # With the missing-receipts filter: both must hold.
    assert names(alert="low_balance", missing_receipts="true") == [
        "Filter Båda AB"]
    assert names(alert="old_missing_receipts") == []
    # A search and another order keep the filter.
    assert names(alert="low_balance", q="filter") == [
        "Filter Båda AB", "Filter Låg AB"]
    assert names(alert="low_balance", sort="-name") == [
        "Filter Låg AB", "Filter Båda AB"]
    assert names(attention="true", sort="-missing_receipts") == [
        "Filter Båda AB", "Filter Många AB", "Filter Låg AB"]
    # The tabs say how many need attention.
    tabs = {t["tab"]: t for t in api.ok("GET", "/v1/clients/tabs",
                                        firm.admin.token)["tabs"]}
    assert (tabs["all"]["count"], tabs["all"]["attention"]) == (4, 3)
    tabs = {t["tab"]: t for t in api.ok("GET", "/v1/clients/tabs",
                                        bk.token)["tabs"]}
    assert (tabs["mine"]["count"], tabs["mine"]["attention"]) == (3, 2)
    # A bookkeeper's "mine".
    doc = list_page(api, bk.token, tab="mine", attention="true")
    assert [r["name"] for r in doc["data"]] == ["Filter Låg AB",
                                                "Filter Många AB"]
    assert doc["total"] == 2
    # Paging keeps the filter, a page at a time.
    rows, pages, total = walk(api, firm.admin.token, limit=1, tab="all",
                              attention="true")
    assert (pages, total) == (3, 3)
    assert [r["name"] for r in rows] == [
        "Filter Båda AB", "Filter Låg AB", "Filter Många AB"]
    # A lookup by number answers nothing when the filter leaves it out.
    assert list_page(api, firm.admin.token, tab="all",
                     org_number=fine["org_number"],
                     attention="true")["data"] == []


def test_low_balance_pages_in_both_orders_as_balances_change(api, firm):
    """alert=low_balance alone walks an index of those clients only
    (schema.sql, version 26): pages, both orders, and clients entering
    and leaving it between pages."""
    settings(api, firm, dict(DEFAULTS, balance_below=[
        {"amount_minor": 100, "currency": "SEK"}]))
    made = [firm.active("Lågsaldo %02d AB" % i) for i in range(9)]

    def balance(c, amount):
        api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
               firm.integration.token,
               json={"amount_minor": amount, "currency": "SEK"})

    # Every third has enough; the rest are low.
    for i, c in enumerate(made):
        balance(c, 500 if i % 3 == 0 else 5)
    low = ["Lågsaldo %02d AB" % i for i in range(9) if i % 3]
    for sort, want in (("name", low), ("-name", low[::-1])):
        rows, pages, total = walk(api, firm.admin.token, limit=2,
                                  tab="all", alert="low_balance", sort=sort)
        assert [r["name"] for r in rows] == want
        assert (pages, total) == (3, 6)
        assert all(r["alerts"] == ["low_balance"] for r in rows), rows

    # Between pages: one ahead drops out, one ahead comes in, one behind
    # comes in (and is not seen on this walk).
    def between(page, doc):
        if page == 1:
            balance(made[4], 500)       # ahead: leaves
            balance(made[6], 5)         # ahead: enters
            balance(made[0], 5)         # behind: enters
    rows, _, _ = walk(api, firm.admin.token, limit=2, tab="all",
                      alert="low_balance", between=between)
    assert [r["name"] for r in rows] == [
        "Lågsaldo 01 AB", "Lågsaldo 02 AB", "Lågsaldo 05 AB",
        "Lågsaldo 06 AB", "Lågsaldo 07 AB", "Lågsaldo 08 AB"]
    doc = list_page(api, firm.admin.token, tab="all", alert="low_balance",
                    limit=50)
    assert doc["total"] == 7
    assert [r["name"] for r in doc["data"]] == [
        "Lågsaldo %02d AB" % i for i in (0, 1, 2, 5, 6, 7, 8)]


@pytest.mark.parametrize("params, field", [
    ({"alert": "sad"}, "alert"),
    ({"alert": ""}, "alert"),
    ({"attention": "yes"}, "attention"),
    ({"alert": ["low_balance"] * 4}, "alert"),
])
def test_bad_alert_filters(api, firm, params, field):
    r = api.get("/v1/clients", firm.admin.token,
                params=dict(tab="all", **params))
    assert error_fields(assert_problem(r, 400)) == [field]


def test_a_cursor_is_for_its_own_filter(api, firm):
    for i in range(3):
        firm.active("Markör %d AB" % i)
    settings(api, firm, dict(DEFAULTS, balance_below=[
        {"amount_minor": 1, "currency": "SEK"}]))
    doc = list_page(api, firm.admin.token, tab="all", attention="true",
                    limit=1)
    assert doc["next_cursor"]
    r = api.get("/v1/clients", firm.admin.token, params={
        "tab": "all", "cursor": doc["next_cursor"], "limit": 1})
    assert error_fields(assert_problem(r, 400)) == ["cursor"]


# --------------------------------------------------------------------------
# Time

def test_the_worker_raises_what_time_makes_due(api, firm, room):
    c = firm.active("Tiden Går AB")
    client_thresholds(api, firm, c, {"missing_receipt_older_than_days": 1})
    spent = datetime.datetime.now(UTC) - datetime.timedelta(days=1) + \
        datetime.timedelta(seconds=3)
    push(api, firm, c, expense("soon", spent_at=iso(spent)))
    assert alerts(api, firm, c) == []
    time.sleep(4)
    # Nothing was written: the alert waits for the worker.
    assert alerts(api, firm, c) == []
    room.worker(datetime.datetime.now(UTC))
    assert alerts(api, firm, c) == ["old_missing_receipts"]
    assert list_page(api, firm.admin.token, tab="all",
                     alert="old_missing_receipts",
                     q="Tiden")["total"] == 1


# --------------------------------------------------------------------------
# sort=attention

def attention_order(api, firm, token=None, **params):
    rows, _, total = walk(api, token or firm.admin.token, limit=2,
                          tab=params.pop("tab", "all"), sort="attention",
                          **params)
    assert total == len(rows)
    return [r["name"] for r in rows]


def test_attention_order(api, firm):
    """More alerts first, then the oldest missing receipt, then the
    count, most first, then the name."""
    settings(api, firm, dict(DEFAULTS, balance_below=[
        {"amount_minor": 1, "currency": "SEK"}], missing_receipts_above=2))
    made = {}
    for name, balance, spent in (
            ("Två Larm AB", 0, [days_ago(40)] * 3),     # low + many + old
            ("Ett Larm Äldst AB", 5, [days_ago(50)]),   # old
            ("Ett Larm Yngre AB", 5, [days_ago(35)]),   # old
            ("Låg Bara AB", 0, []),                     # low
            ("Saknar Tre AB", 5, [days_ago(3)] * 2),    # none: 2 missing
            ("Saknar En AB", 5, [days_ago(3)]),         # none: same day
            ("Saknar Äldre AB", 5, [days_ago(9)]),      # none: older
            ("Inget Alls AB", 5, []),                   # nothing
            ("Annat Inget AB", 5, [])):
        c = firm.active(name)
        made[name] = c
        api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
               firm.integration.token,
               json={"amount_minor": balance, "currency": "SEK"})
        if spent:
            push(api, firm, c, *[expense("x%d" % i, spent_at=t)
                                 for i, t in enumerate(spent)])
    assert alerts(api, firm, made["Två Larm AB"]) == [
        "low_balance", "many_missing_receipts", "old_missing_receipts"]
    got = attention_order(api, firm)
    assert got == ["Två Larm AB", "Ett Larm Äldst AB", "Ett Larm Yngre AB",
                   "Låg Bara AB", "Saknar Äldre AB", "Saknar Tre AB",
                   "Saknar En AB", "Annat Inget AB", "Inget Alls AB"], got
    # attention=true is the head of that order.
    assert attention_order(api, firm, attention="true") == got[:4]
    # A search keeps the order.
    assert attention_order(api, firm, q="larm") == got[:3]
    assert attention_order(api, firm, q="saknar") == got[4:7]


def test_attention_paging_while_clients_change(api, firm):
    """Every client that does not change comes once, in order, however
    the pages fall and whatever comes in between them."""
    settings(api, firm, dict(DEFAULTS, missing_receipts_above=1))
    names = []
    for i in range(14):
        c = firm.active("Sida %02d AB" % i)
        names.append(c["name"])
        if i % 3:
            push(api, firm, c, *[expense("p%d" % k, spent_at=days_ago(
                5 + i)) for k in range(i % 3 + 1)])
    want = attention_order(api, firm)
    assert sorted(want) == sorted(names)
    extra = iter(range(100))

    def between(page, doc):
        # New clients with and without alerts land before and after the
        # cursor's place; the others keep theirs.
        n = next(extra)
        c = firm.active("Ny %02d AB" % n)
        if n % 2:
            push(api, firm, c, expense("a", spent_at=days_ago(60)),
                 expense("b", spent_at=days_ago(60)))

    rows, pages, _ = walk(api, firm.admin.token, limit=3, tab="all",
                          sort="attention", between=between)
    got = [r["name"] for r in rows if r["name"].startswith("Sida")]
    assert got == want
    assert len(set(r["id"] for r in rows)) == len(rows)
    assert pages >= 5


def test_a_bookkeepers_attention(api, firm):
    bk = firm.user()
    settings(api, firm, dict(DEFAULTS, missing_receipts_above=0))
    a = firm.active("Bok Ett AB", assignees=[bk])
    b = firm.active("Bok Två AB", assignees=[bk])
    firm.active("Bok Annan AB")
    push(api, firm, b, expense("x", spent_at=days_ago(2)))
    assert attention_order(api, firm, token=bk.token, tab="mine") == [
        b["name"], a["name"]]
