"""GET /v1/clients as a spreadsheet (format=csv, or Accept: text/csv): the
whole filtered, sorted list, not a page, row for row the list's JSON pages;
UTF-8 with a byte order mark, RFC 4180, formula cells neutralised, the
list's access rules, and a cursor or a limit refused. With month=, each
row carries that month's figures, the overview's, in columns added at the
end."""
import csv
import datetime
import io
import socket
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import HTTP_TIMEOUT, assert_problem, error_fields
from clients_helpers import Api, Firm, expense, module_portal, walk

srv = module_portal()

BOM = "\ufeff"
HEADER = ["id", "name", "org_number", "status", "balance", "currency",
          "missing_receipts", "export_ready", "assignees", "alerts"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Added after HEADER with month= (openapi.yaml, listClients).
MONTH_HEADER = ["month", "month_missing_receipts", "month_exported",
                "month_exported_amount", "month_ready", "month_ready_amount",
                "month_pending", "month_pending_amount",
                "month_other_amounts"]
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


def export(api, token, headers=None, **params):
    """The CSV export of a list: (response, rows as lists of cells); with
    month=, the month's columns follow the others."""
    if headers is None:
        params.setdefault("format", "csv")
    r = api.get("/v1/clients", token, params=params, headers=headers)
    assert r.status_code == 200, (params, r.status_code, r.text[:1000])
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in r.headers
    assert r.headers.get("X-Request-Id")
    assert r.headers.get("Cache-Control") == "no-store"
    assert "Accept" in r.headers.get("Vary", "")
    assert r.headers.get("Content-Disposition", "").startswith("attachment")
    text = r.content.decode("utf-8")
    assert text.startswith(BOM)
    assert text.count(BOM) == 1
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0] == (HEADER + MONTH_HEADER if "month" in params
                       else HEADER)
    assert all(len(r) == len(rows[0]) for r in rows)
    # Every record ends in CRLF, the last one too.
    assert text.endswith("\r\n")
    return r, rows[1:]


def as_json_row(cells):
    """The CSV record as the JSON list's fields it shows."""
    return dict(zip(HEADER, cells))


def expected_cells(row):
    """What the export writes for a row of the JSON list."""
    bal = row["balance"]
    minor = bal["amount_minor"]
    sign = "-" if minor < 0 else ""
    return [str(row["id"]), neutral(row["name"]), neutral(row["org_number"]),
            row["status"], "%s%d.%02d" % (sign, abs(minor) // 100,
                                         abs(minor) % 100),
            bal["currency"], str(row["missing_receipts"]),
            str(row["export_ready"]),
            neutral("; ".join(a["name"] for a in row["assignees"])),
            "; ".join(row["alerts"])]


def neutral(text):
    return "'" + text if text[:1] in FORMULA_START else text


def assert_same_as_json(api, token, rows, **params):
    want, _, _ = walk(api, token, **params)
    assert [int(r[0]) for r in rows] == [w["id"] for w in want], params
    assert rows == [expected_cells(w) for w in want], params


# --------------------------------------------------------------------------

class World:
    def __init__(self, api):
        f = self.firm = Firm(api, "sv")
        self.b1 = f.user("bookkeeper", "Åsa Öberg")
        self.b2 = f.user("bookkeeper", "Bo \"Berra\" Berg, jr")
        self.names = ["Åkesson Bygg AB", "Ängelholms Él; \"AB\"",
                      "Zeta, Komma AB", "Citat \"Q\" AB", "Örebro Öl",
                      "=HYPERLINK(\"http://evil.test\",\"klick\")", "+1",
                      "-2", "@x", "Aronsson AB"]
        self.clients = []
        for i, n in enumerate(self.names):
            assignees = [self.b1] if i % 2 == 0 else [self.b1, self.b2]
            if i == 9:
                assignees = [self.b2]
            self.clients.append(f.active(n, assignees=assignees))
        f.missing(self.clients[0]["id"], 2)
        f.missing(self.clients[4]["id"], 1)
        api.ok("PUT", "/v1/clients/%d/balance" % self.clients[1]["id"],
               f.integration.token, json={"amount_minor": -125050,
                                          "currency": "SEK"})
        api.ok("PUT", "/v1/clients/%d/balance" % self.clients[2]["id"],
               f.integration.token, json={"amount_minor": 5,
                                          "currency": "SEK"})
        self.invitations = [f.invitation("Inbjudan %03d" % i)
                            for i in range(3)]


@pytest.fixture(scope="module")
def world(api):
    return World(api)


def test_every_row_in_the_lists_order(api, world):
    adm = world.firm.admin.token
    for params in ({"tab": "all"}, {"tab": "all", "sort": "-name"},
                   {"tab": "all", "sort": "-missing_receipts"},
                   {"tab": "all", "sort": "missing_receipts"},
                   {"tab": "all", "missing_receipts": "true"},
                   {"tab": "all", "q": "ab"}, {"tab": "all", "q": "ö"},
                   {"tab": "all", "assignee": str(world.b2.id)},
                   {"tab": "invitations"}):
        _, rows = export(api, adm, **params)
        assert_same_as_json(api, adm, rows, **params)


def test_accept_header_chooses_csv(api, world):
    adm = world.firm.admin.token
    for accept in ("text/csv", "text/csv, application/json;q=0.9",
                   "application/json;q=0.1, text/*"):
        _, rows = export(api, adm, headers={"Accept": accept}, tab="all")
        assert len(rows) == len(world.clients)
    for accept in ("application/json", "*/*", "text/csv;q=0.5, */*",
                   "text/csv;q=0, */*", "text/csv, application/json"):
        r = api.get("/v1/clients", adm, params={"tab": "all"},
                    headers={"Accept": accept})
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("application/json")
        assert len(r.json()["data"]) == len(world.clients)
    # format wins over Accept, both ways.
    r = api.get("/v1/clients", adm, params={"tab": "all", "format": "json"},
                headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].startswith("application/json")
    _, rows = export(api, adm, tab="all", format="csv")
    assert len(rows) == len(world.clients)


def test_cells_swedish_letters_quotes_and_formulas(api, world):
    _, rows = export(api, world.firm.admin.token, tab="all")
    by_id = {int(r[0]): as_json_row(r) for r in rows}
    for c, name in zip(world.clients, world.names):
        assert by_id[c["id"]]["name"] == neutral(name)
    # No cell a spreadsheet would run, but the numbers the server wrote.
    for r in rows:
        for col, cell in zip(HEADER, r):
            if col == "balance":
                float(cell)
                continue
            assert cell[:1] not in FORMULA_START, (col, cell)
    names = [by_id[c["id"]]["name"] for c in world.clients[5:9]]
    assert names == ["'=HYPERLINK(\"http://evil.test\",\"klick\")",
                     "'+1", "'-2", "'@x"]
    first = by_id[world.clients[1]["id"]]
    assert first["balance"] == "-1250.50" and first["currency"] == "SEK"
    assert by_id[world.clients[2]["id"]]["balance"] == "0.05"
    assert by_id[world.clients[0]["id"]]["missing_receipts"] == "2"
    # In the row's order: by name, as the firm's language sorts (Å last).
    assert by_id[world.clients[1]["id"]]["assignees"] == \
        "Bo \"Berra\" Berg, jr; Åsa Öberg"
    assert by_id[world.clients[3]["id"]]["name"] == "Citat \"Q\" AB"


def test_bytes_are_utf8_with_bom_and_rfc4180(api, world):
    r, _ = export(api, world.firm.admin.token, tab="all")
    raw = r.content
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Åkesson".encode("utf-8") in raw
    assert b'"\xc3\x84ngelholms \xc3\x89l; ""AB"""' in raw
    assert b'"Zeta, Komma AB"' in raw
    assert b'"Citat ""Q"" AB"' in raw
    # Names hold no line breaks (the API refuses them): every LF ends a
    # record, after a CR.
    assert raw.count(b"\n") == raw.count(b"\r\n")


def test_bookkeeper_exports_only_their_clients(api, world):
    b2 = world.b2.token
    _, rows = export(api, b2, tab="mine")
    want = sorted(c["id"] for i, c in enumerate(world.clients)
                  if i % 2 == 1 or i == 9)
    assert sorted(int(r[0]) for r in rows) == want
    assert_same_as_json(api, b2, rows, tab="mine")
    # The tabs and filters a bookkeeper may not list, they may not export.
    for params in ({"tab": "all"}, {"tab": "invitations"},
                   {"tab": "mine", "assignee": str(world.b1.id)}):
        r = api.get("/v1/clients", b2, params=dict(params, format="csv"))
        assert_problem(r, 403)


def test_integration_exports_as_it_lists(api, world):
    integ = world.firm.integration.token
    _, rows = export(api, integ, tab="all")
    assert_same_as_json(api, integ, rows, tab="all")
    r = api.get("/v1/clients", integ, params={"tab": "mine",
                                              "format": "csv"})
    assert_problem(r, 403)


def test_other_firms_are_never_exported(api, world):
    other = Firm(api, "sv")
    other.active("Annan Byrå AB")
    _, rows = export(api, other.admin.token, tab="all")
    assert [r[1] for r in rows] == ["Annan Byrå AB"]
    _, rows = export(api, world.firm.admin.token, tab="all")
    assert "Annan Byrå AB" not in [r[1] for r in rows]


def test_an_empty_list_is_the_header_alone(api):
    f = Firm(api, "sv")
    r, rows = export(api, f.admin.token, tab="all")
    assert rows == []
    assert r.content == ("\ufeff" + ",".join(HEADER) + "\r\n").encode()


@pytest.mark.parametrize("param,value", [("cursor", "AQID"),
                                        ("limit", "10")])
def test_cursor_or_limit_with_csv_is_refused(api, world, param, value):
    adm = world.firm.admin.token
    r = api.get("/v1/clients", adm, params={"format": "csv",
                                            param: value})
    assert param in error_fields(assert_problem(r, 400, "validation-error"))
    r = api.get("/v1/clients", adm, params={param: value},
                headers={"Accept": "text/csv"})
    assert param in error_fields(assert_problem(r, 400, "validation-error"))


def test_bad_format_and_lookups_are_refused(api, world):
    adm = world.firm.admin.token
    r = api.get("/v1/clients", adm, params={"format": "xlsx"})
    assert "format" in error_fields(assert_problem(r, 400))
    r = api.get("/v1/clients", adm, params={
        "format": "csv", "org_number": world.clients[0]["org_number"]})
    assert "org_number" in error_fields(assert_problem(r, 400))


def test_headers_of_every_reply_come_with_the_stream(api, world):
    """The request id, CORS and caching headers every JSON reply has."""
    r, rows = export(api, world.firm.admin.token, tab="all", headers={
        "Origin": "http://app.test", "X-Request-Id": "export-1",
        "Accept": "text/csv"})
    assert r.headers["X-Request-Id"] == "export-1"
    assert r.headers["Access-Control-Allow-Origin"] == "http://app.test"
    assert "Content-Disposition" in \
        r.headers["Access-Control-Expose-Headers"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Origin" in r.headers["Vary"] and "Accept" in r.headers["Vary"]
    assert len(rows) == len(world.clients)


def test_head_has_the_headers_and_no_body(api, world):
    r = api.call("HEAD", "/v1/clients", world.firm.admin.token,
                 params={"format": "csv", "tab": "all"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.content == b""
    # The connection still serves the next request.
    r = api.get("/v1/clients", world.firm.admin.token,
                params={"tab": "all"})
    assert r.status_code == 200


def test_more_than_one_store_page_comes_out_whole(api):
    f = Firm(api, "sv")
    made = [f.invitation("Kund %04d Åäö" % i) for i in range(450)]
    _, rows = export(api, f.admin.token, tab="invitations")
    assert len(rows) == 450
    assert sorted(int(r[0]) for r in rows) == sorted(c["id"] for c in made)
    assert_same_as_json(api, f.admin.token, rows, tab="invitations")
    _, rows = export(api, f.admin.token, tab="invitations", sort="-name")
    assert_same_as_json(api, f.admin.token, rows, tab="invitations",
                        sort="-name")
    # A search's pages are found another way than the plain list's.
    _, rows = export(api, f.admin.token, tab="invitations", q="kund 0")
    assert len(rows) == 450
    assert_same_as_json(api, f.admin.token, rows, tab="invitations",
                        q="kund 0")


def test_http10_gets_the_body_ended_by_the_close(srv, world):
    payload = ("GET /v1/clients?format=csv&tab=all HTTP/1.0\r\n"
               "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
               % world.firm.admin.token).encode()
    with socket.create_connection(("127.0.0.1", srv.port),
                                  timeout=HTTP_TIMEOUT) as s:
        s.sendall(payload)
        data = b""
        while True:
            got = s.recv(65536)
            if not got:
                break
            data += got
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert b"Transfer-Encoding" not in head
    assert b"Connection: close" in head
    rows = list(csv.reader(io.StringIO(body.decode("utf-8")[1:],
                                       newline="")))
    assert len(rows) == len(world.clients) + 1


def test_a_client_that_leaves_mid_export_leaves_the_server_well(srv, api,
                                                                world):
    payload = ("GET /v1/clients?format=csv&tab=all HTTP/1.1\r\n"
               "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
               % world.firm.admin.token).encode()
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", srv.port),
                                     timeout=HTTP_TIMEOUT)
        s.sendall(payload)
        s.recv(10)
        s.close()
    time.sleep(0.2)
    _, rows = export(api, world.firm.admin.token, tab="all")
    assert len(rows) == len(world.clients)


# --------------------------------------------------------------------------
# month=: the month's figures

def month_name(d):
    return "%04d-%02d" % (d.year, d.month)


def this_month():
    """The first day of this month in Copenhagen."""
    return datetime.datetime.now(CPH).date().replace(day=1)


def at(d, hour, minute=0, tz=CPH):
    """d at hour:minute in tz, as RFC 3339 UTC."""
    t = datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=tz)
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal(minor):
    sign = "-" if minor < 0 else ""
    return "%s%d.%02d" % (sign, abs(minor) // 100, abs(minor) % 100)


def month_cells(m, currency):
    """The month columns the export writes for the month object m (the
    overview's and the JSON list's), in the client's currency."""
    cells, other = [m["month"], str(m["missing_receipts"])], []
    for state in ("exported", "ready", "pending"):
        own = 0
        for a in m[state]["amounts"]:
            if a["currency"] == currency:
                own = a["amount_minor"]
            else:
                other.append("%s %s %s" % (state, decimal(a["amount_minor"]),
                                           a["currency"]))
        cells += [str(m[state]["count"]), decimal(own)]
    return cells + ["; ".join(other)]


class MonthWorld:
    """Clients whose expenses straddle the month's edge in the firm's
    zone, in several currencies and states."""

    def __init__(self, api):
        f = self.firm = Firm(api, "sv")
        self.this = this_month()
        self.last = (self.this - datetime.timedelta(days=1)).replace(day=1)
        last_day = self.this - datetime.timedelta(days=1)
        self.a = f.active("Månad A AB")
        self.b = f.active("Månad B AB")
        self.c = f.active("Månad C AB")     # no expenses at all
        self.d = f.active("Månad D AB")     # its balance in EUR
        api.ok("PUT", "/v1/clients/%d/balance" % self.d["id"],
               f.integration.token, json={"amount_minor": 100,
                                          "currency": "EUR"})

        def post(c, *items):
            api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
                   f.integration.token, json={"expenses": list(items)})

        post(self.a,
             # 23:59 on the last day of last month in Copenhagen, which
             # is still last month there, and 00:00 of this month, which
             # UTC puts in last month.
             expense("edge-last", amount_minor=1000, spent_at=at(
                 last_day, 23, 59), export_status="exported",
                 receipt_status="attached"),
             expense("edge-this", amount_minor=700, spent_at=at(
                 self.this, 0, 0), export_status="ready",
                 receipt_status="missing"),
             expense("eur", amount_minor=-250, currency="EUR",
                     spent_at=at(self.this, 12), export_status="ready",
                     receipt_status="missing"),
             expense("usd", amount_minor=999, currency="USD",
                     spent_at=at(self.this, 12), export_status="pending",
                     receipt_status="not_required"),
             expense("pend", amount_minor=-4005, spent_at=at(self.this, 13),
                     export_status="pending"))
        post(self.b,
             expense("b1", amount_minor=12550, spent_at=at(last_day, 10),
                     export_status="pending"),
             expense("b2", amount_minor=1, spent_at=at(self.this, 10),
                     export_status="exported", receipt_status="attached"))
        post(self.d,
             expense("d1", amount_minor=300, currency="EUR",
                     spent_at=at(self.this, 9), export_status="ready"),
             expense("d2", amount_minor=5000, spent_at=at(self.this, 9),
                     export_status="exported", receipt_status="attached"))
        self.clients = [self.a, self.b, self.c, self.d]


@pytest.fixture(scope="module")
def month_world(api):
    return MonthWorld(api)


def overview_month(api, firm, cid, month):
    doc = api.ok("GET", "/v1/clients/%d/overview" % cid, firm.admin.token,
                 params={"months": 12})
    return next(m for m in doc["months"] if m["month"] == month)


@pytest.mark.parametrize("which", ["this", "last"])
def test_month_columns_are_the_overviews_figures(api, month_world, which):
    w = month_world
    month = month_name(getattr(w, which))
    adm = w.firm.admin.token
    _, rows = export(api, adm, tab="all", month=month)
    want, _, _ = walk(api, adm, tab="all", month=month)
    # Every row, in the list's order, its columns as without month=.
    assert [int(r[0]) for r in rows] == [x["id"] for x in want]
    n = len(HEADER)
    assert [r[:n] for r in rows] == [expected_cells(x) for x in want]
    for r, x in zip(rows, want):
        currency = x["balance"]["currency"]
        assert r[n:] == month_cells(x["month"], currency), (r, x["month"])
        assert r[n:] == month_cells(overview_month(
            api, w.firm, x["id"], month), currency)
    # Read as a spreadsheet would, by header.
    text = api.get("/v1/clients", adm, params={
        "tab": "all", "month": month, "format": "csv"}).content.decode()
    by_id = {int(r["id"]): r for r in csv.DictReader(io.StringIO(
        text[1:], newline=""))}
    assert set(by_id) == {c["id"] for c in w.clients}
    assert all(r["month"] == month for r in by_id.values())


def test_month_edge_is_the_firms_zone(api, month_world):
    w = month_world
    adm = w.firm.admin.token

    def rows_of(month):
        _, rows = export(api, adm, tab="all", month=month_name(month))
        return {int(r[0]): dict(zip(HEADER + MONTH_HEADER, r)) for r in rows}

    this, last = rows_of(w.this), rows_of(w.last)
    a_this, a_last = this[w.a["id"]], last[w.a["id"]]
    # 23:59 on the last day, Copenhagen time, is last month's.
    assert a_last["month_exported"] == "1"
    assert a_last["month_exported_amount"] == "10.00"
    # Midnight of the first, Copenhagen time, is this month's; in SEK,
    # the client's currency, with EUR and USD beside it.
    assert a_this["month_exported"] == "0"
    assert a_this["month_ready"] == "2"
    assert a_this["month_ready_amount"] == "7.00"
    assert a_this["month_pending"] == "2"
    assert a_this["month_pending_amount"] == "-40.05"
    assert a_this["month_missing_receipts"] == "3"
    assert a_this["month_other_amounts"] == \
        "ready -2.50 EUR; pending 9.99 USD"
    # A client without expenses has zeros in its currency.
    c = this[w.c["id"]]
    assert [c[h] for h in MONTH_HEADER[1:]] == [
        "0", "0", "0.00", "0", "0.00", "0", "0.00", ""]
    # A client whose balance is in EUR has its amounts in EUR.
    d = this[w.d["id"]]
    assert d["currency"] == "EUR"
    assert d["month_ready_amount"] == "3.00"
    assert d["month_exported_amount"] == "0.00"
    assert d["month_other_amounts"] == "exported 50.00 SEK"


def test_month_with_filters_and_a_bookkeeper(api, month_world):
    w = month_world
    bk = w.firm.user("bookkeeper")
    w.firm.assign(w.a["id"], [bk.id])
    month = month_name(w.this)
    _, rows = export(api, bk.token, tab="mine", month=month)
    assert [int(r[0]) for r in rows] == [w.a["id"]]
    # missing_receipts=true with month= keeps the month's missing ones.
    adm = w.firm.admin.token
    _, rows = export(api, adm, tab="all", month=month_name(w.last),
                     missing_receipts="true")
    want, _, _ = walk(api, adm, tab="all", month=month_name(w.last),
                      missing_receipts="true")
    assert [int(r[0]) for r in rows] == [x["id"] for x in want] == \
        [w.b["id"]]


@pytest.mark.parametrize("value", ["2026-13", "26-01", "x", "1999-01"])
def test_month_out_of_range_with_csv(api, month_world, value):
    r = api.get("/v1/clients", month_world.firm.admin.token,
                params={"tab": "all", "format": "csv", "month": value})
    assert error_fields(assert_problem(r, 400)) == ["month"]


def test_month_over_several_store_pages(api):
    """Figures are read a store page at a time: every row of every page
    carries its own client's."""
    f = Firm(api, "sv")
    made = [f.invitation("Sida %04d" % i) for i in range(430)]
    month = month_name(this_month())
    # One client on each store page of 200, and the last row.
    marked = {made[i]["id"]: i + 1 for i in (0, 199, 200, 399, 429)}
    for cid, n in marked.items():
        api.ok("POST", "/v1/clients/%d/expenses" % cid, f.integration.token,
               json={"expenses": [expense("p%d" % k, amount_minor=100 * n,
                                          spent_at=at(this_month(), 12))
                                  for k in range(n)]})
    _, rows = export(api, f.admin.token, tab="invitations", month=month)
    assert len(rows) == 430
    want, _, _ = walk(api, f.admin.token, tab="invitations", month=month)
    assert [int(r[0]) for r in rows] == [x["id"] for x in want]
    n = len(HEADER)
    for r, x in zip(rows, want):
        assert r[n:] == month_cells(x["month"], x["balance"]["currency"])
        got = dict(zip(MONTH_HEADER, r[n:]))
        k = marked.get(int(r[0]), 0)
        assert got["month_pending"] == str(k)
        assert got["month_pending_amount"] == decimal(100 * k * k)
