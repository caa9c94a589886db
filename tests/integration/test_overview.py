"""The monthly overview of a client (issue 16): each calendar month in the
firm's zone, newest first, with its expenses exported, ready and pending,
their amounts per currency and how many lack a receipt, kept by counters
that move in the transaction that writes an expense; and the list's
month=, whose rows carry one month's figures."""
import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import assert_problem, error_fields
from clients_helpers import Api, Firm, expense, list_page, module_portal

srv = module_portal()

CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture
def firm(api):
    return Firm(api, "sv")


def month_name(d):
    return "%04d-%02d" % (d.year, d.month)


def months_back(n):
    """The month n months before this one in Copenhagen, as a date."""
    d = datetime.datetime.now(CPH).date().replace(day=1)
    for _ in range(n):
        d = (d - datetime.timedelta(days=1)).replace(day=1)
    return d


def utc(d, hour=12, minute=0):
    """An RFC 3339 UTC time on day d."""
    return "%04d-%02d-%02dT%02d:%02d:00Z" % (d.year, d.month, d.day, hour,
                                           minute)


def overview(api, firm, cid, token=None, **params):
    return api.ok("GET", "/v1/clients/%d/overview" % cid,
                  token or firm.admin.token, params=params)


def post(api, firm, cid, *items):
    return api.ok("POST", "/v1/clients/%d/expenses" % cid,
                  firm.integration.token, json={"expenses": list(items)})


def state(month, name):
    """(count, {currency: amount}) of one export state of a month."""
    s = month[name]
    return s["count"], {a["currency"]: a["amount_minor"] for a in s["amounts"]}


def test_months_newest_first_with_zeros(api, firm):
    c = firm.active("Tom AB")
    doc = overview(api, firm, c["id"])
    assert doc["client_id"] == c["id"]
    assert [m["month"] for m in doc["months"]] == [
        month_name(months_back(i)) for i in range(3)]
    for m in doc["months"]:
        assert m["missing_receipts"] == 0
        for s in ("exported", "ready", "pending"):
            assert m[s] == {"count": 0, "amounts": []}
    assert len(overview(api, firm, c["id"], months=12)["months"]) == 12
    assert len(overview(api, firm, c["id"], months=1)["months"]) == 1


def test_states_amounts_and_currencies(api, firm):
    c = firm.active("Siffror AB")
    this, last = months_back(0), months_back(1)
    post(api, firm, c["id"],
         expense("a", amount_minor=1000, spent_at=utc(this),
                 export_status="exported", receipt_status="attached"),
         expense("b", amount_minor=250, spent_at=utc(this),
                 export_status="ready", receipt_status="missing"),
         expense("c", amount_minor=300, currency="EUR", spent_at=utc(this),
                 export_status="ready", receipt_status="missing"),
         expense("d", amount_minor=-40, spent_at=utc(this),
                 export_status="pending", receipt_status="not_required"),
         expense("e", amount_minor=5, spent_at=utc(last),
                 export_status="pending", receipt_status="missing"))
    m0, m1, m2 = overview(api, firm, c["id"])["months"]
    assert m0["month"] == month_name(this)
    assert state(m0, "exported") == (1, {"SEK": 1000})
    assert state(m0, "ready") == (2, {"SEK": 250, "EUR": 300})
    assert state(m0, "pending") == (1, {"SEK": -40})
    assert m0["missing_receipts"] == 2
    # The currencies come in code order.
    assert [a["currency"] for a in m0["ready"]["amounts"]] == ["EUR", "SEK"]
    assert state(m1, "pending") == (1, {"SEK": 5})
    assert m1["missing_receipts"] == 1
    assert state(m1, "ready") == (0, {})
    assert m2["missing_receipts"] == 0


def test_a_month_is_the_firms_not_utcs(api, firm):
    """23:30 UTC on the last day of last month is 00:30 on the first of
    this month in Copenhagen; 22:30 UTC in winter, or 21:30 in summer, is
    still last month there."""
    c = firm.active("Midnatt AB")
    first = months_back(0)
    last_day = first - datetime.timedelta(days=1)
    before = datetime.datetime(last_day.year, last_day.month, last_day.day,
                               23, 59, tzinfo=CPH)
    # The last minute of last month in Copenhagen, in UTC.
    edge = before.astimezone(datetime.timezone.utc)
    post(api, firm, c["id"],
         expense("late", spent_at=utc(last_day, 23, 30)),
         expense("edge", spent_at=utc(edge, edge.hour, edge.minute)))
    m0, m1, _ = overview(api, firm, c["id"])["months"]
    assert state(m0, "pending")[0] == 1, m0
    assert state(m1, "pending")[0] == 1, m1


def test_moving_between_states_and_months(api, firm):
    c = firm.active("Flytt AB")
    this, last = months_back(0), months_back(1)
    e = post(api, firm, c["id"], expense(
        "x", amount_minor=700, spent_at=utc(this),
        receipt_status="missing", export_status="pending"))["data"][0]
    m0 = overview(api, firm, c["id"])["months"][0]
    assert state(m0, "pending") == (1, {"SEK": 700})
    assert m0["missing_receipts"] == 1
    # A state change moves it within the month.
    api.ok("PATCH", "/v1/clients/%d/expenses/%d" % (c["id"], e["id"]),
           firm.integration.token, json={"export_status": "ready",
                                         "receipt_status": "attached"})
    m0 = overview(api, firm, c["id"])["months"][0]
    assert state(m0, "pending") == (0, {})
    assert state(m0, "ready") == (1, {"SEK": 700})
    assert m0["missing_receipts"] == 0
    # An upsert with another date and amount moves it to that month.
    post(api, firm, c["id"], expense(
        "x", amount_minor=900, spent_at=utc(last), currency="NOK",
        receipt_status="missing", export_status="exported"))
    m0, m1, _ = overview(api, firm, c["id"])["months"]
    assert state(m0, "ready") == (0, {})
    assert m0["missing_receipts"] == 0
    assert state(m1, "exported") == (1, {"NOK": 900})
    assert m1["missing_receipts"] == 1
    # A delete takes it out.
    api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
           firm.integration.token,
           json={"expenses": [{"external_id": "x", "deleted": True}]})
    m1 = overview(api, firm, c["id"])["months"][1]
    assert state(m1, "exported") == (0, {})
    assert m1["missing_receipts"] == 0


def test_older_than_the_window_is_not_shown(api, firm):
    c = firm.active("Gammal AB")
    post(api, firm, c["id"], expense("old", spent_at=utc(months_back(3))))
    assert all(state(m, "pending")[0] == 0
               for m in overview(api, firm, c["id"])["months"])
    m3 = overview(api, firm, c["id"], months=4)["months"][3]
    assert state(m3, "pending")[0] == 1


def test_who_sees_an_overview(api, firm):
    bk, other = firm.user(), firm.user()
    c = firm.active("Behörig AB", assignees=[bk])
    assert overview(api, firm, c["id"], token=bk.token)["client_id"] == c[
        "id"]
    assert overview(api, firm, c["id"],
                    token=firm.integration.token)["client_id"] == c["id"]
    assert_problem(api.get("/v1/clients/%d/overview" % c["id"],
                           other.token), 404)
    stranger = Firm(api, "sv")
    assert_problem(api.get("/v1/clients/%d/overview" % c["id"],
                           stranger.admin.token), 404)


@pytest.mark.parametrize("value", ["0", "13", "-1", "x", "3.0", ""])
def test_months_out_of_range(api, firm, value):
    c = firm.active("Fel AB")
    r = api.get("/v1/clients/%d/overview" % c["id"], firm.admin.token,
                params={"months": value})
    doc = assert_problem(r, 400)
    assert error_fields(doc) == ["months"]


# --------------------------------------------------------------------------
# The list's month=

def test_list_rows_carry_the_months_figures(api, firm):
    a = firm.active("Alfa Månad AB")
    b = firm.active("Beta Månad AB")
    last = months_back(1)
    post(api, firm, a["id"],
         expense("1", amount_minor=100, spent_at=utc(last),
                 export_status="ready"),
         expense("2", amount_minor=200, spent_at=utc(months_back(0)),
                 export_status="ready"))
    rows = list_page(api, firm.admin.token, tab="all",
                     month=month_name(last))["data"]
    by_id = {r["id"]: r for r in rows}
    m = by_id[a["id"]]["month"]
    assert m["month"] == month_name(last)
    assert state(m, "ready") == (1, {"SEK": 100})
    assert m["missing_receipts"] == 1
    assert by_id[b["id"]]["month"]["ready"] == {"count": 0, "amounts": []}
    # The month is the same one the overview shows.
    assert overview(api, firm, a["id"])["months"][1] == m
    # Without month= a row has no month.
    rows = list_page(api, firm.admin.token, tab="all")["data"]
    assert all("month" not in r for r in rows)
    # A lookup by number carries it too.
    one = list_page(api, firm.admin.token, tab="all",
                    org_number=a["org_number"], month=month_name(last))
    assert one["data"][0]["month"] == m


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-01", "x",
                                   "1999-01", "2999-01"])
def test_list_month_out_of_range(api, firm, value):
    r = api.get("/v1/clients", firm.admin.token,
                params={"tab": "all", "month": value})
    doc = assert_problem(r, 400)
    assert error_fields(doc) == ["month"]


def test_list_month_twelve_back_but_not_thirteen(api, firm):
    ok = list_page(api, firm.admin.token, tab="all",
                   month=month_name(months_back(11)))
    assert ok["total"] >= 0
    r = api.get("/v1/clients", firm.admin.token,
                params={"tab": "all", "month": month_name(months_back(12))})
    assert error_fields(assert_problem(r, 400)) == ["month"]


def test_missing_receipts_of_a_month(api, firm):
    """month= with missing_receipts=true keeps the clients whose expenses
    of that month miss a receipt, whatever their other months hold."""
    bk = firm.user()
    last, this = months_back(1), months_back(0)
    then = firm.active("Förra Månaden AB", assignees=[bk])
    now = firm.active("Denna Månad AB", assignees=[bk])
    done = firm.active("Klar Förra AB", assignees=[bk])
    post(api, firm, then["id"], expense("a", spent_at=utc(last)))
    post(api, firm, now["id"], expense("b", spent_at=utc(this)))
    post(api, firm, done["id"], expense("c", spent_at=utc(last),
                                  receipt_status="attached"),
         expense("d", spent_at=utc(this)))

    def names(token, **params):
        doc = list_page(api, token, missing_receipts="true", **params)
        assert doc["total"] == len(doc["data"]), doc
        return [r["name"] for r in doc["data"]]

    assert names(firm.admin.token, tab="all", month=month_name(last)) == [
        "Förra Månaden AB"]
    assert names(firm.admin.token, tab="all", month=month_name(this)) == [
        "Denna Månad AB", "Klar Förra AB"]
    # Without missing_receipts=true, month= filters nothing.
    assert len(list_page(api, firm.admin.token, tab="all",
                         month=month_name(last))["data"]) == 3
    # The other paths keep the filter: an assignee's list, a search,
    # another order, a lookup, the spreadsheet.
    assert names(bk.token, tab="mine", month=month_name(last)) == [
        "Förra Månaden AB"]
    assert names(firm.admin.token, tab="all", q="förra",
                 month=month_name(this)) == ["Klar Förra AB"]
    assert names(firm.admin.token, tab="all", sort="attention",
                 month=month_name(last)) == ["Förra Månaden AB"]
    assert names(firm.admin.token, tab="all", org_number=done[
        "org_number"], month=month_name(last)) == []
    r = api.get("/v1/clients", firm.admin.token, params={
        "tab": "all", "missing_receipts": "true", "month": month_name(last),
        "format": "csv"})
    assert r.status_code == 200, r.text
    assert "Förra Månaden AB" in r.text and "Klar Förra AB" not in r.text
    # A cursor is for its month.
    doc = list_page(api, firm.admin.token, tab="all", limit=1,
                    missing_receipts="true", month=month_name(this))
    r = api.get("/v1/clients", firm.admin.token, params={
        "tab": "all", "limit": 1, "missing_receipts": "true",
        "month": month_name(last), "cursor": doc["next_cursor"]})
    assert error_fields(assert_problem(r, 400)) == ["cursor"]
