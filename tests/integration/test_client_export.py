"""GET /v1/clients as a spreadsheet (format=csv, or Accept: text/csv): the
whole filtered, sorted list, not a page, row for row the list's JSON pages;
UTF-8 with a byte order mark, RFC 4180, formula cells neutralised, the
list's access rules, and a cursor or a limit refused."""
import csv
import io
import socket
import time

import pytest

from conftest import HTTP_TIMEOUT, assert_problem, error_fields
from clients_helpers import Api, Firm, module_portal, walk

srv = module_portal()

BOM = "\ufeff"
HEADER = ["id", "name", "org_number", "status", "balance", "currency",
          "missing_receipts", "export_ready", "assignees", "alerts"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


def export(api, token, headers=None, **params):
    """The CSV export of a list: (response, rows as lists of cells)."""
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
    assert rows[0] == HEADER
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
