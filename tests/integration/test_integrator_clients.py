"""What an integrator needs of clients (issue 15): organisation numbers
checked by country, kept in their normal form and unique per firm; a
client found by its number or by the integrator's own external_ref; and
the integration reading back the list, details and expenses of its firm,
never its users or audit events."""
import pytest

from conftest import assert_problem, error_fields
from clients_helpers import Api, Firm, expense, list_page, module_portal

srv = module_portal()

# Published numbers of real companies, valid by their registries' rules.
VOLVO = "5560125790"          # SE, written 556012-5790
IKEA = "5560747569"           # SE
SPOTIFY = "5567037485"        # SE
NOVO = "24256790"             # DK CVR
EQUINOR = "923609016"         # NO


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture
def firm(api):
    return Firm(api, "sv")


def create(api, firm, org, status="invitation", **extra):
    body = {"name": "Client %s" % org, "org_number": org}
    body.update(extra)
    if status == "invitation":
        body["status"] = "invitation"
        return api.post("/v1/clients", firm.integration.token, json=body)
    body.setdefault("contact_email", "kontakt@client.test")
    return api.post("/v1/clients", firm.admin.token, json=body)


def rule_of(r):
    doc = assert_problem(r, 422)
    assert error_fields(doc) == ["org_number"], doc
    return doc["errors"][0]["message"]


# --------------------------------------------------------------------------
# Organisation numbers

def test_a_swedish_number_is_kept_in_its_normal_form(api, firm):
    r = create(api, firm, "556012-5790")
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["org_number"] == VOLVO and c["country"] == "SE", c
    # Found by search as written and in its normal form.
    for q in ("556012-5790", VOLVO, "6012-57"):
        rows = list_page(api, firm.admin.token, tab="invitations",
                         q=q)["data"]
        assert [x["id"] for x in rows] == [c["id"]], q


@pytest.mark.parametrize("org, rule", [
    ("556012-5791", "Luhn"),
    ("1", "10 digits"),
    ("556012-579", "10 digits"),
    ("5560125790X", "10 digits"),
])
def test_a_bad_swedish_number_names_the_rule(api, firm, org, rule):
    r = create(api, firm, org)
    assert rule in rule_of(r), r.text
    assert list_page(api, firm.admin.token, tab="invitations")["total"] == 0


def test_the_country_follows_the_firm_or_the_body(api):
    dk = Firm(api, "da")
    r = create(api, dk, NOVO)
    assert r.status_code == 201 and r.json()["country"] == "DK", r.text
    assert "modulus 11" in rule_of(create(api, dk, "24256791"))
    assert "8 digits" in rule_of(create(api, dk, VOLVO))
    # A Norwegian client of a Danish firm says so.
    r = create(api, dk, "923 609 016", country="NO")
    assert r.status_code == 201, r.text
    assert (r.json()["org_number"], r.json()["country"]) == (EQUINOR, "NO")
    assert "modulus 11" in rule_of(create(api, dk, "923609017",
                                          country="NO"))
    uk = Firm(api, "en")
    r = create(api, uk, "sc 123456")
    assert r.status_code == 201 and r.json()["org_number"] == "SC123456"
    assert "2 letters" in rule_of(create(api, uk, "123456"))
    r = create(api, uk, "00445790", country="DE")
    assert error_fields(assert_problem(r, 422)) == ["country"], r.text


def test_a_second_client_with_the_number_is_refused_with_the_first(api,
                                                                   firm):
    first = create(api, firm, IKEA).json()
    for org in (IKEA, "556074-7569", " 556074 7569 "):
        r = create(api, firm, org, status="onboarding")
        doc = assert_problem(r, 409, "conflict")
        assert doc["existing_client_id"] == first["id"], doc
        assert doc["field"] == "org_number", doc
    tabs = {t["tab"]: t["count"] for t in api.ok(
        "GET", "/v1/clients/tabs", firm.admin.token)["tabs"]}
    assert tabs.get("onboarding", 0) == 0 and tabs["invitations"] == 1
    # Another firm has its own clients.
    assert create(api, Firm(api, "sv"), IKEA).status_code == 201


def test_a_declined_client_frees_its_number(api, firm):
    first = create(api, firm, SPOTIFY).json()
    api.ok("POST", "/v1/clients/%d/decline" % first["id"], firm.admin.token)
    second = create(api, firm, SPOTIFY)
    assert second.status_code == 201, second.text
    assert create(api, firm, SPOTIFY).status_code == 409


def test_patch_checks_the_number_and_refuses_a_duplicate(api, firm):
    a = create(api, firm, VOLVO).json()
    b = create(api, firm, IKEA).json()
    path = "/v1/clients/%d" % b["id"]
    r = api.patch(path, firm.integration.token, json={"org_number": VOLVO})
    doc = assert_problem(r, 409)
    assert doc["existing_client_id"] == a["id"], doc
    assert "Luhn" in rule_of(api.patch(path, firm.admin.token, json={
        "org_number": "556074-7560"}))
    # A country whose rules the number breaks is refused too.
    assert "8 digits" in rule_of(api.patch(path, firm.admin.token, json={
        "country": "DK"}))
    got = api.ok("GET", path, firm.admin.token)
    assert (got["org_number"], got["country"]) == (IKEA, "SE"), got
    c = api.ok("PATCH", path, firm.admin.token, json={
        "org_number": "556703-7485", "name": "Renamed AB"})
    assert c["org_number"] == SPOTIFY and c["name"] == "Renamed AB", c
    # The old number is free again.
    assert create(api, firm, IKEA).status_code == 201


# --------------------------------------------------------------------------
# Finding a client

def test_a_client_is_found_by_number_in_any_tab(api, firm):
    inv = create(api, firm, VOLVO).json()
    onb = create(api, firm, IKEA, status="onboarding").json()
    act = create(api, firm, SPOTIFY).json()
    api.ok("POST", "/v1/clients/%d/accept" % act["id"], firm.admin.token)
    for token in (firm.admin.token, firm.integration.token):
        for c, written in ((inv, "556012-5790"), (onb, "556074 7569"),
                           (act, SPOTIFY)):
            page = list_page(api, token, org_number=written)
            assert [x["id"] for x in page["data"]] == [c["id"]], written
            assert page["total"] == 1 and page["next_cursor"] is None
    # A tab that does not hold it, or a filter it fails, finds nothing.
    page = list_page(api, firm.admin.token, org_number=VOLVO, tab="all")
    assert page["data"] == [] and page["total"] == 0
    page = list_page(api, firm.admin.token, org_number=SPOTIFY,
                     missing_receipts="true")
    assert page["data"] == []
    assert list_page(api, firm.admin.token,
                     org_number="5569999999")["data"] == []
    # A bookkeeper finds only an assigned client.
    bk = firm.user()
    assert list_page(api, bk.token, org_number=SPOTIFY)["data"] == []
    firm.assign(act["id"], [bk])
    rows = list_page(api, bk.token, org_number=SPOTIFY)["data"]
    assert [x["id"] for x in rows] == [act["id"]]
    # Declined, it is in no tab.
    api.ok("POST", "/v1/clients/%d/decline" % inv["id"], firm.admin.token)
    assert list_page(api, firm.admin.token, org_number=VOLVO)["data"] == []


def test_external_ref_is_kept_unique_and_found(api, firm):
    a = create(api, firm, VOLVO, external_ref="pleo:company/81").json()
    got = api.ok("GET", "/v1/clients/%d" % a["id"], firm.integration.token)
    assert got["external_ref"] == "pleo:company/81", got
    rows = list_page(api, firm.integration.token,
                     external_ref="pleo:company/81")["data"]
    assert [x["id"] for x in rows] == [a["id"]]
    r = create(api, firm, IKEA, external_ref="pleo:company/81")
    doc = assert_problem(r, 409)
    assert (doc["field"], doc["existing_client_id"]) == ("external_ref",
                                                         a["id"]), doc
    b = create(api, firm, IKEA).json()
    assert b["external_ref"] is None
    r = api.patch("/v1/clients/%d" % b["id"], firm.integration.token,
                  json={"external_ref": "pleo:company/81"})
    assert assert_problem(r, 409)["existing_client_id"] == a["id"]
    c = api.ok("PATCH", "/v1/clients/%d" % b["id"], firm.integration.token,
               json={"external_ref": "pleo:company/82"})
    assert c["external_ref"] == "pleo:company/82"
    rows = list_page(api, firm.admin.token,
                     external_ref="pleo:company/82")["data"]
    assert [x["id"] for x in rows] == [b["id"]]


@pytest.mark.parametrize("params, field", [
    ({"org_number": " - "}, "org_number"),
    ({"org_number": VOLVO, "external_ref": "x"}, "external_ref"),
    ({"org_number": VOLVO, "q": "a"}, "org_number"),
    ({"external_ref": "x" * 101}, "external_ref"),
])
def test_bad_lookups_are_refused(api, firm, params, field):
    r = api.get("/v1/clients", firm.admin.token, params=params)
    doc = assert_problem(r, 400)
    assert field in r.text, doc


# --------------------------------------------------------------------------
# The integration reads back

def test_the_integration_reads_the_list_details_and_expenses(api, firm):
    inv = firm.invitation("Inbjuden AB", VOLVO)
    onb = firm.onboarding("Under Verifiering AB", IKEA)
    act = firm.active("Aktiv AB", SPOTIFY)
    tok = firm.integration.token
    tabs = api.ok("GET", "/v1/clients/tabs", tok)["tabs"]
    assert [t["tab"] for t in tabs] == ["invitations", "onboarding", "all"]
    for tab, c in (("invitations", inv), ("onboarding", onb),
                   ("all", act)):
        rows = list_page(api, tok, tab=tab)["data"]
        assert [x["id"] for x in rows] == [c["id"]], tab
    # Without a tab, the integration's first: all.
    assert [x["id"] for x in list_page(api, tok)["data"]] == [act["id"]]
    assert_problem(api.get("/v1/clients", tok, params={"tab": "mine"}), 403)
    got = api.ok("GET", "/v1/clients/%d" % onb["id"], tok)
    assert got["id"] == onb["id"] and got["notification"] is None, got
    api.ok("POST", "/v1/clients/%d/expenses" % act["id"], tok, status=201,
           json=expense("e-1"))
    page = api.ok("GET", "/v1/clients/%d/expenses" % act["id"], tok)
    assert [e["external_id"] for e in page["data"]] == ["e-1"]
    for path in ("/v1/users", "/v1/audit-events"):
        assert_problem(api.get(path, tok), 403)
    # Another firm's client is not there.
    other = Firm(api, "sv").active("Annan AB")
    assert_problem(api.get("/v1/clients/%d" % other["id"], tok), 404)
