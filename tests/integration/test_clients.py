"""Clients and their lifecycle, assignments, details, balances, who may do
what, the 404-not-403 rule and the wall between firms (issue 3)."""
import re

import pytest

from conftest import assert_problem, error_fields
from clients_helpers import (DETAIL_KEYS, ROW_KEYS, STORED_KEYS, Api, Firm, expense,
                             list_page, module_portal)

srv = module_portal()

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture(scope="module")
def firm(api):
    return Firm(api, "sv")


@pytest.fixture(scope="module")
def other(api):
    """A second firm: nothing of the first may reach it, nor the reverse."""
    return Firm(api, "sv")


def conflict(r, current):
    doc = assert_problem(r, 409)
    assert doc.get("current_status") == current, doc
    return doc


def fields_of(r, status=422):
    return error_fields(assert_problem(r, status))


# --------------------------------------------------------------------------
# Lifecycle

def test_integration_reports_an_invitation(api, firm):
    r = api.post("/v1/clients", firm.integration.token, json={
        "name": "Åkesson Bygg AB", "org_number": "5566778899",
        "status": "invitation"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert STORED_KEYS <= set(c), c
    assert c["status"] == "invitation"
    assert c["name"] == "Åkesson Bygg AB"
    assert c["org_number"] == "5566778899"
    assert c["missing_receipts"] == 0 and c["export_ready"] == 0
    assert c["assignees"] == []
    assert set(c["balance"]) == {"amount_minor", "currency"}
    assert r.headers.get("Location") == "/v1/clients/%d" % c["id"]


def test_invitation_accepted_becomes_active(api, firm):
    c = firm.invitation("Accepteras AB")
    path = "/v1/clients/%d" % c["id"]
    r = api.post(path + "/accept", firm.admin.token)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"
    assert r.json()["id"] == c["id"]
    assert firm.client(c["id"])["status"] == "active"
    # Every transition out of active is refused with the status it has.
    conflict(api.post(path + "/accept", firm.admin.token), "active")
    conflict(api.post(path + "/decline", firm.admin.token), "active")
    conflict(api.post(path + "/verification", firm.integration.token,
                      json={"result": "approved"}), "active")


def test_invitation_declined(api, firm):
    c = firm.invitation("Avböjs AB")
    path = "/v1/clients/%d" % c["id"]
    r = api.post(path + "/decline", firm.admin.token)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "declined"
    conflict(api.post(path + "/accept", firm.admin.token), "declined")
    conflict(api.post(path + "/decline", firm.admin.token), "declined")
    # An admin still reads it; no tab shows it.
    assert firm.client(c["id"])["status"] == "declined"
    for tab in ("invitations", "onboarding", "all"):
        doc = list_page(api, firm.admin.token, tab=tab, limit=200)
        assert c["id"] not in [x["id"] for x in doc["data"]], tab


def test_invitation_cannot_skip_to_verification(api, firm):
    c = firm.invitation("Hoppar Över AB")
    conflict(api.post("/v1/clients/%d/verification" % c["id"],
                      firm.integration.token, json={"result": "approved"}),
             "invitation")


def test_admin_invites_a_client_into_onboarding(api, firm):
    r = api.post("/v1/clients", firm.admin.token, json={
        "name": "Öresund Revision", "org_number": "5599001129",
        "contact_email": "Ekonomi@Oresund.test"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["status"] == "onboarding"
    assert c["contact_email"].lower() == "ekonomi@oresund.test"
    assert r.headers.get("Location") == "/v1/clients/%d" % c["id"]
    # "onboarding" may be named; nothing else may.
    r = api.post("/v1/clients", firm.admin.token, json={
        "name": "Uttryckligen AB", "org_number": firm.org(),
        "status": "onboarding",
        "contact_email": "a@b.test"})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "onboarding"


def test_verification_approved(api, firm):
    c = firm.onboarding("Godkänns AB")
    path = "/v1/clients/%d" % c["id"]
    conflict(api.post(path + "/accept", firm.admin.token), "onboarding")
    conflict(api.post(path + "/decline", firm.admin.token), "onboarding")
    r = api.post(path + "/verification", firm.integration.token,
                 json={"result": "approved"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"
    conflict(api.post(path + "/verification", firm.integration.token,
                      json={"result": "rejected"}), "active")


def test_verification_rejected(api, firm):
    c = firm.onboarding("Underkänns AB")
    path = "/v1/clients/%d" % c["id"]
    r = api.post(path + "/verification", firm.integration.token,
                 json={"result": "rejected"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected"
    conflict(api.post(path + "/verification", firm.integration.token,
                      json={"result": "approved"}), "rejected")
    conflict(api.post(path + "/accept", firm.admin.token), "rejected")


@pytest.mark.parametrize("body", [{}, {"result": "maybe"}, {"result": 1},
                                  {"result": "approved", "extra": 1}])
def test_verification_body_is_checked(api, firm, body):
    c = firm.onboarding("Kontroll AB")
    r = api.post("/v1/clients/%d/verification" % c["id"],
                 firm.integration.token, json=body)
    assert fields_of(r)
    assert firm.client(c["id"])["status"] == "onboarding"


def test_roles_on_the_lifecycle(api, firm):
    bk = firm.user("bookkeeper")
    inv = firm.invitation("Rollspel AB")
    onb = firm.onboarding("Rollspel Två AB", assignees=[bk])
    # The integration reports, it does not decide.
    for action in ("accept", "decline"):
        assert_problem(api.post("/v1/clients/%d/%s" % (inv["id"], action),
                                firm.integration.token), 403)
    # Admins do not report verification results.
    assert_problem(api.post("/v1/clients/%d/verification" % onb["id"],
                            firm.admin.token, json={"result": "approved"}),
                   403)
    # Bookkeepers create nothing and move nothing, even assigned.
    assert_problem(api.post("/v1/clients", bk.token, json={
        "name": "X AB", "org_number": firm.org(),
        "contact_email": "x@y.test"}), 403)
    assert_problem(api.post("/v1/clients", bk.token, json={
        "name": "X AB", "org_number": firm.org(), "status": "invitation"}),
        403)
    assert_problem(api.post("/v1/clients/%d/verification" % onb["id"],
                            bk.token, json={"result": "approved"}), 403)
    assert_problem(api.patch("/v1/clients/%d" % onb["id"], bk.token,
                             json={"name": "Nytt"}), 403)
    # The integration reads the firm's list and details, to act on them.
    rows = api.ok("GET", "/v1/clients", firm.integration.token,
                  params={"tab": "invitations"})["data"]
    assert inv["id"] in [x["id"] for x in rows]
    assert api.ok("GET", "/v1/clients/%d" % inv["id"],
                  firm.integration.token)["id"] == inv["id"]
    assert firm.client(inv["id"])["status"] == "invitation"
    assert firm.client(onb["id"])["status"] == "onboarding"


def test_integration_only_reports_invitations(api, firm):
    org = firm.org()
    for body in ({"name": "A AB", "org_number": org},
                 {"name": "A AB", "org_number": org, "status": "onboarding",
                  "contact_email": "a@b.test"},
                 {"name": "A AB", "org_number": org, "status": "active"}):
        assert "status" in fields_of(api.post(
            "/v1/clients", firm.integration.token, json=body)), body


def test_admin_only_starts_onboarding(api, firm):
    org = firm.org()
    assert "status" in fields_of(api.post(
        "/v1/clients", firm.admin.token, json={
            "name": "A AB", "org_number": org, "status": "invitation",
            "contact_email": "a@b.test"}))
    assert "contact_email" in fields_of(api.post(
        "/v1/clients", firm.admin.token, json={
            "name": "A AB", "org_number": org}))
    assert "contact_email" in fields_of(api.post(
        "/v1/clients", firm.admin.token, json={
            "name": "A AB", "org_number": org, "contact_email": "no-at"}))


# A valid number (of SE, the firm's country), so that only the field
# named is wrong; none of these bodies creates a client.
VALID_ORG = "5560125790"


@pytest.mark.parametrize("body,field", [
    ({"org_number": VALID_ORG, "status": "invitation"}, "name"),
    ({"name": "", "org_number": VALID_ORG, "status": "invitation"}, "name"),
    ({"name": "A", "status": "invitation"}, "org_number"),
    ({"name": "A", "org_number": "12;34", "status": "invitation"},
     "org_number"),
    ({"name": "A", "org_number": 5566, "status": "invitation"}, "org_number"),
    ({"name": "A", "org_number": VALID_ORG, "status": "invitation", "x": 1},
     "x"),
    ({"name": "A" * 1000, "org_number": VALID_ORG, "status": "invitation"},
     "name"),
])
def test_create_validation(api, firm, body, field):
    assert field in fields_of(api.post("/v1/clients", firm.integration.token,
                                       json=body))


def test_patch_renames_and_renumbers(api, firm):
    c = firm.active("Gammalt Namn AB", org="1111111116")
    path = "/v1/clients/%d" % c["id"]
    r = api.patch(path, firm.admin.token, json={"name": "Ängsbacken AB"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Ängsbacken AB"
    assert r.json()["org_number"] == "1111111116"
    r = api.patch(path, firm.admin.token, json={"org_number": "2222222222"})
    assert r.status_code == 200, r.text
    got = firm.client(c["id"])
    assert (got["name"], got["org_number"]) == ("Ängsbacken AB",
                                                 "2222222222")
    assert got["status"] == "active"
    # The search follows both.
    doc = list_page(api, firm.admin.token, tab="all", q="ängsback")
    assert [x["id"] for x in doc["data"]] == [c["id"]]
    assert list_page(api, firm.admin.token, tab="all",
                     q="gammalt")["total"] == 0
    doc = list_page(api, firm.admin.token, tab="all", q="2222222")
    assert [x["id"] for x in doc["data"]] == [c["id"]]
    # Refusals leave it as it was.
    assert_problem(api.patch(path, firm.admin.token, json={}), 422)
    assert "org_number" in fields_of(api.patch(
        path, firm.admin.token, json={"org_number": "x'; --"}))
    assert "status" in fields_of(api.patch(
        path, firm.admin.token, json={"status": "declined"}))
    bk = firm.user("bookkeeper")
    assert_problem(api.patch(path, bk.token,
                             json={"name": "Av Bokförare"}), 403)
    assert firm.client(c["id"])["name"] == "Ängsbacken AB"


def test_idempotency_key_replays_a_create(api, firm):
    """DESIGN: POSTs that create rows accept an Idempotency-Key; a replay
    answers the first answer and creates nothing twice."""
    key = "create-" + firm.tag
    body = {"name": "Idempotent AB", "org_number": firm.org(), "status":
            "invitation"}
    r1 = api.post("/v1/clients", firm.integration.token, json=body,
                  headers={"Idempotency-Key": key})
    r2 = api.post("/v1/clients", firm.integration.token, json=body,
                  headers={"Idempotency-Key": key})
    assert r1.status_code == 201, r1.text
    assert r2.status_code == 201, r2.text
    assert r2.json()["id"] == r1.json()["id"], (
        "a replayed Idempotency-Key created a second client")
    assert r2.headers.get("Location") == r1.headers.get("Location")
    doc = list_page(api, firm.admin.token, tab="invitations",
                    q="Idempotent")
    assert doc["total"] == 1
    # The same key for another request is refused, and creates nothing.
    r3 = api.post("/v1/clients", firm.integration.token,
                  json=dict(body, name="Idempotent Två AB"),
                  headers={"Idempotency-Key": key})
    assert r3.status_code in (409, 422), r3.text
    assert list_page(api, firm.admin.token, tab="invitations",
                     q="Idempotent")["total"] == 1


# --------------------------------------------------------------------------
# Details and balance

def test_details(api, firm):
    bk = firm.user("bookkeeper", "Berit Bokförare")
    c = firm.onboarding("Detaljer AB", org="5560000001",
                        email="info@detaljer.test", assignees=[bk])
    for token in (firm.admin.token, bk.token):
        r = api.get("/v1/clients/%d" % c["id"], token)
        assert r.status_code == 200, r.text
        d = r.json()
        assert DETAIL_KEYS <= set(d), d
        assert d["id"] == c["id"]
        assert d["name"] == "Detaljer AB"
        assert d["org_number"] == "5560000001"
        assert d["status"] == "onboarding"
        assert d["contact_email"] == "info@detaljer.test"
        assert RFC3339_Z.match(d["created_at"]), d["created_at"]
        assert d["notification"] is None
        assert d["balance"] == {"amount_minor": 0, "currency": "SEK"}
        assert d["missing_receipts"] == 0 and d["export_ready"] == 0
        assert d["assignees"] == [{"id": bk.id, "name": "Berit Bokförare",
                                   "role": "bookkeeper"}]
    # An invitation has no contact address.
    inv = firm.invitation("Utan Adress AB")
    assert firm.client(inv["id"])["contact_email"] is None


def test_details_follow_expenses(api, firm):
    c = firm.active("Siffror AB")
    firm.expenses(c["id"], [("missing", "pending"), ("missing", "ready"),
                            ("attached", "ready"), ("not_required",
                                                    "exported")])
    d = firm.client(c["id"])
    assert (d["missing_receipts"], d["export_ready"]) == (2, 2)


def test_balance(api, firm):
    c = firm.active("Saldo AB")
    path = "/v1/clients/%d/balance" % c["id"]
    r = api.put(path, firm.admin.token, json={"amount_minor": -1234567,
                                              "currency": "EUR"})
    assert r.status_code == 200, r.text
    assert r.json()["balance"] == {"amount_minor": -1234567,
                                   "currency": "EUR"}
    assert firm.client(c["id"])["balance"] == {"amount_minor": -1234567,
                                               "currency": "EUR"}
    r = api.put(path, firm.integration.token, json={"amount_minor": 990000,
                                                    "currency": "DKK"})
    assert r.status_code == 200, r.text
    rows = list_page(api, firm.admin.token, tab="all", q="Saldo AB")["data"]
    assert [x["balance"] for x in rows] == [{"amount_minor": 990000,
                                             "currency": "DKK"}]


def test_details_are_the_list_row_and_more(api, firm):
    """The details hold the list's row unchanged, value for value, and the
    fields only the details show after it; numbers stay exact at the
    limits a balance may reach."""
    bk1 = firm.user("bookkeeper", "Åsa \"Citat\" Öberg")
    bk2 = firm.user("bookkeeper", "Bo Back\\slash")
    tag = "Radlikhet %s" % firm.tag
    made = [firm.active(tag + " Ett AB", assignees=[bk1, bk2]),
            firm.active(tag + " Två \"AB\"", assignees=[bk2]),
            firm.active(tag + " Tre ΐﬃ AB")]
    firm.missing(made[0]["id"], 2)
    firm.expenses(made[1]["id"], [("attached", "ready")])
    for c, amount in zip(made, (10 ** 15, -(10 ** 15), 9007199254740)):
        api.ok("PUT", "/v1/clients/%d/balance" % c["id"], firm.admin.token,
               json={"amount_minor": amount, "currency": "NOK"})
    # A rename answers with its details too.
    r = api.patch("/v1/clients/%d" % made[2]["id"], firm.admin.token,
                  json={"name": tag + " Tre Nytt AB"})
    assert r.status_code == 200, r.text
    patched = r.json()
    rows = list_page(api, firm.admin.token, tab="all", q=tag,
                     limit=50)["data"]
    assert len(rows) == 3, rows
    for row in rows:
        assert set(row) == ROW_KEYS, row
        r = api.get("/v1/clients/%d" % row["id"], firm.admin.token)
        assert r.status_code == 200, r.text
        d = r.json()
        # The details are the stored row and the caller's setting.
        stored = [k for k in row if k in STORED_KEYS]
        for key in stored + ["notification"]:
            assert d[key] == row[key], (key, d, row)
        assert list(d)[:len(stored)] == stored, (d, row)
        assert DETAIL_KEYS <= set(d), d
        amount = row["balance"]["amount_minor"]
        assert '"amount_minor":%d,' % amount in r.text, r.text
        if row["id"] == patched["id"]:
            for key in stored:
                assert patched[key] == row[key], (key, patched, row)


@pytest.mark.parametrize("body,field", [
    ({"amount_minor": 1, "currency": "sek"}, "currency"),
    ({"amount_minor": 1, "currency": "SEKK"}, "currency"),
    ({"amount_minor": 1, "currency": "S1K"}, "currency"),
    ({"amount_minor": 1, "currency": ""}, "currency"),
    ({"amount_minor": 1}, "currency"),
    ({"amount_minor": 1.5, "currency": "SEK"}, "amount_minor"),
    ({"amount_minor": "100", "currency": "SEK"}, "amount_minor"),
    ({"currency": "SEK"}, "amount_minor"),
    ({"amount_minor": 1, "currency": "SEK", "note": "x"}, "note"),
])
def test_balance_validation(api, firm, body, field):
    c = firm.active("Felsaldo AB")
    r = api.put("/v1/clients/%d/balance" % c["id"], firm.admin.token,
                json=body)
    assert field in fields_of(r)
    assert firm.client(c["id"])["balance"]["amount_minor"] == 0


def test_bookkeeper_cannot_set_balance(api, firm):
    bk = firm.user("bookkeeper")
    c = firm.active("Bokförarsaldo AB", assignees=[bk])
    assert_problem(api.put("/v1/clients/%d/balance" % c["id"], bk.token,
                           json={"amount_minor": 1, "currency": "SEK"}), 403)


# --------------------------------------------------------------------------
# Assignments

def assignee_ids(api, token, client_id):
    r = api.get("/v1/clients/%d/assignees" % client_id, token)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    for a in data:
        assert {"id", "name"} <= set(a), a
    return [a["id"] for a in data]


def row_assignees(api, firm, client_id):
    d = firm.client(client_id)
    return d["assignees"]


def test_assignments_put_post_delete(api, firm):
    b1 = firm.user("bookkeeper", "Anders Andersson")
    b2 = firm.user("bookkeeper", "Britta Berg")
    b3 = firm.user("bookkeeper", "Cecilia Ceder")
    c = firm.active("Tilldelning AB")
    base = "/v1/clients/%d/assignees" % c["id"]
    tok = firm.admin.token

    r = api.put(base, tok, json={"user_ids": [b2.id, b1.id]})
    assert r.status_code == 200, r.text
    assert [a["id"] for a in r.json()["data"]] == [b1.id, b2.id]
    assert assignee_ids(api, tok, c["id"]) == [b1.id, b2.id]
    assert row_assignees(api, firm, c["id"]) == [
        {"id": b1.id, "name": b1["name"], "role": "bookkeeper"},
        {"id": b2.id, "name": b2["name"], "role": "bookkeeper"}]

    # PUT replaces.
    r = api.put(base, tok, json={"user_ids": [b3.id]})
    assert r.status_code == 200, r.text
    assert assignee_ids(api, tok, c["id"]) == [b3.id]

    # POST adds, and adding twice changes nothing.
    for _ in range(2):
        r = api.post(base, tok, json={"user_id": b1.id})
        assert r.status_code in (200, 201), r.text
        assert [a["id"] for a in r.json()["data"]] == [b1.id, b3.id]
    # An admin can be assigned too.
    r = api.post(base, tok, json={"user_id": firm.admin.id})
    assert r.status_code in (200, 201), r.text
    assert firm.admin.id in assignee_ids(api, tok, c["id"])

    # DELETE removes; a second time there is nothing to remove.
    r = api.delete(base + "/%d" % b3.id, tok)
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert_problem(api.delete(base + "/%d" % b3.id, tok), 404)
    assert sorted(assignee_ids(api, tok, c["id"])) == sorted(
        [b1.id, firm.admin.id])
    assert {a["id"] for a in row_assignees(api, firm, c["id"])} == {
        b1.id, firm.admin.id}

    # The bookkeepers see it in their list exactly while assigned.
    assert [x["id"] for x in list_page(api, b1.token)["data"]] == [c["id"]]
    assert list_page(api, b3.token)["data"] == []

    # PUT [] clears.
    r = api.put(base, tok, json={"user_ids": []})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == []
    assert row_assignees(api, firm, c["id"]) == []


def test_assignable_users_only(api, firm, other):
    b1 = firm.user("bookkeeper")
    gone = firm.user("bookkeeper")
    r = api.patch("/v1/users/%d" % gone.id, firm.admin.token,
                  json={"active": False})
    assert r.status_code == 200, r.text
    stranger = other.user("bookkeeper")
    c = firm.active("Fel Person AB", assignees=[b1])
    base = "/v1/clients/%d/assignees" % c["id"]
    bad = {"integration": firm.integration.id, "inactive": gone.id,
           "other firm": stranger.id, "other firm's admin": other.admin.id,
           "nobody": 987654321}
    for what, uid in bad.items():
        r = api.post(base, firm.admin.token, json={"user_id": uid})
        assert r.status_code == 422, (what, r.status_code, r.text)
        assert fields_of(r) == ["user_id"], what
        r = api.put(base, firm.admin.token, json={"user_ids": [b1.id, uid]})
        assert r.status_code == 422, (what, r.status_code, r.text)
        assert fields_of(r) == ["user_ids[1]"], what
        # Nothing changed.
        assert assignee_ids(api, firm.admin.token, c["id"]) == [b1.id], what


@pytest.mark.parametrize("body", [
    {"user_ids": [1, 1]}, {"user_ids": "1"}, {"user_ids": [0]},
    {"user_ids": [1.5]}, {}, {"user_id": 1}])
def test_assignees_put_body(api, firm, body):
    c = firm.active("Kropp AB")
    assert_problem(api.put("/v1/clients/%d/assignees" % c["id"],
                           firm.admin.token, json=body), 422)


def test_assignments_admins_only(api, firm):
    bk = firm.user("bookkeeper")
    c = firm.active("Bara Admin AB", assignees=[bk])
    base = "/v1/clients/%d/assignees" % c["id"]
    assert assignee_ids(api, bk.token, c["id"]) == [bk.id]
    assert_problem(api.put(base, bk.token, json={"user_ids": []}), 403)
    assert_problem(api.post(base, bk.token, json={"user_id": bk.id}), 403)
    assert_problem(api.delete(base + "/%d" % bk.id, bk.token), 403)
    for call in (lambda t: api.get(base, t),
                 lambda t: api.put(base, t, json={"user_ids": []}),
                 lambda t: api.post(base, t, json={"user_id": bk.id}),
                 lambda t: api.delete(base + "/%d" % bk.id, t)):
        assert_problem(call(firm.integration.token), 403)
    assert assignee_ids(api, firm.admin.token, c["id"]) == [bk.id]


# --------------------------------------------------------------------------
# 404, never 403, for what a bookkeeper may not see

def bookkeeper_reads(api, token, cid):
    """What a bookkeeper may try on a client: each must answer alike."""
    base = "/v1/clients/%d" % cid
    return {
        "GET client": api.get(base, token),
        "GET assignees": api.get(base + "/assignees", token),
        "GET expenses": api.get(base + "/expenses", token),
        "POST access": api.post(base + "/access", token),
    }


def test_bookkeeper_gets_404_for_unassigned_and_foreign(api, firm, other):
    bk = firm.user("bookkeeper")
    mine = firm.active("Min Klient AB", assignees=[bk])
    unassigned = firm.active("Inte Min AB")
    foreign = other.active("Annan Byrå Klient AB")
    invited = firm.invitation("Inbjuden AB")
    firm.assign(invited["id"], [bk])
    declined = firm.invitation("Avböjd AB")
    firm.assign(declined["id"], [bk])
    api.ok("POST", "/v1/clients/%d/decline" % declined["id"],
           firm.admin.token)

    for what, r in bookkeeper_reads(api, bk.token, mine["id"]).items():
        assert r.status_code in (200, 201), (what, r.status_code, r.text)
    for cid, label in ((unassigned["id"], "unassigned"),
                       (foreign["id"], "other firm"),
                       (invited["id"], "invitation (assigned)"),
                       (declined["id"], "declined (assigned)"),
                       (99999999, "nonexistent")):
        for what, r in bookkeeper_reads(api, bk.token, cid).items():
            assert r.status_code == 404, (label, what, r.status_code,
                                          r.text)
            assert_problem(r, 404)
    # Neither does the list show them.
    rows = list_page(api, bk.token, limit=200)["data"]
    assert [x["id"] for x in rows] == [mine["id"]]


def test_unassigning_hides_the_client(api, firm):
    bk = firm.user("bookkeeper")
    c = firm.active("Tas Bort AB", assignees=[bk])
    r = api.get("/v1/clients/%d" % c["id"], bk.token)
    assert r.status_code == 200, r.text
    r = api.delete("/v1/clients/%d/assignees/%d" % (c["id"], bk.id),
                   firm.admin.token)
    assert r.status_code == 204, r.text
    for what, r in bookkeeper_reads(api, bk.token, c["id"]).items():
        assert r.status_code == 404, (what, r.status_code, r.text)
    assert list_page(api, bk.token)["data"] == []


def test_bookkeeper_sees_assigned_onboarding(api, firm):
    bk = firm.user("bookkeeper")
    c = firm.onboarding("Onboardas AB", assignees=[bk])
    r = api.get("/v1/clients/%d" % c["id"], bk.token)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "onboarding"


@pytest.mark.parametrize("cid", ["0", "-1", "abc", "1.5", "01",
                                 "99999999999999999999999"])
def test_odd_client_ids_are_not_found(api, firm, cid):
    assert_problem(api.get("/v1/clients/" + cid, firm.admin.token), 404)


# --------------------------------------------------------------------------
# Nothing crosses firms

def per_client_calls(cid, eid, uid):
    """(who, method, path, body) of every per-client route; `who` is the
    role of the other firm that could reach the route at all."""
    base = "/v1/clients/%d" % cid
    return [
        ("admin", "GET", base, None),
        ("admin", "PATCH", base, {"name": "Kapad AB"}),
        ("admin", "POST", base + "/accept", None),
        ("admin", "POST", base + "/decline", None),
        ("integration", "POST", base + "/verification",
         {"result": "approved"}),
        ("admin", "PUT", base + "/balance",
         {"amount_minor": 1, "currency": "SEK"}),
        ("integration", "PUT", base + "/balance",
         {"amount_minor": 1, "currency": "SEK"}),
        ("admin", "GET", base + "/assignees", None),
        ("admin", "PUT", base + "/assignees", {"user_ids": []}),
        ("admin", "POST", base + "/assignees", {"user_id": uid}),
        ("admin", "DELETE", base + "/assignees/%d" % uid, None),
        ("admin", "POST", base + "/access", None),
        ("admin", "GET", base + "/expenses", None),
        ("admin", "POST", base + "/expenses", expense("kapad-1")),
        ("integration", "POST", base + "/expenses",
         {"expenses": [expense("kapad-2")]}),
        ("admin", "GET", base + "/expenses/%d" % eid, None),
        ("integration", "GET", base + "/expenses/%d" % eid, None),
        ("admin", "PATCH", base + "/expenses/%d" % eid,
         {"receipt_status": "attached"}),
        ("integration", "PATCH", base + "/expenses/%d" % eid,
         {"receipt_status": "attached"}),
    ]


def test_nothing_crosses_firms(api, firm, other):
    bk = firm.user("bookkeeper")
    victims = {
        "invitation": firm.invitation("Gräns Inbjudan AB"),
        "onboarding": firm.onboarding("Gräns Onboarding AB",
                                      assignees=[bk]),
        "active": firm.active("Gräns Aktiv AB", assignees=[bk]),
    }
    for status, c in victims.items():
        ex = firm.expenses(c["id"], [("missing", "ready")])
        eid = ex["data"][0]["id"]
        # The other firm's admin may also hold the same user id space.
        for who, method, path, body in per_client_calls(c["id"], eid,
                                                         bk.id):
            actor = other.admin if who == "admin" else other.integration
            r = api.call(method, path, actor.token, json=body)
            assert r.status_code == 404, (status, who, method, path,
                                          r.status_code, r.text[:300])
        # And nothing moved.
        d = firm.client(c["id"])
        assert d["status"] == status
        assert d["name"] == c["name"]
        assert d["balance"]["amount_minor"] == 0
        assert [a["id"] for a in d["assignees"]] == (
            [] if status == "invitation" else [bk.id])
        assert (d["missing_receipts"], d["export_ready"]) == (1, 1)
        r = api.get("/v1/clients/%d/expenses" % c["id"], firm.admin.token)
        assert r.json()["total"] == 1
    # Lists, searches, tabs and the audit trail of the other firm.
    for tab in ("invitations", "onboarding", "mine", "all"):
        doc = list_page(api, other.admin.token, tab=tab, q="Gräns",
                        limit=200)
        assert doc["data"] == [] and doc["total"] == 0, tab
    r = api.get("/v1/audit-events", other.admin.token,
                params={"client_id": victims["active"]["id"]})
    assert r.status_code in (200, 404), r.text
    if r.status_code == 200:
        assert r.json()["data"] == []
    # The other firm's users cannot be assigned here, nor ours there.
    theirs = other.active("Deras Egen AB")
    r = api.post("/v1/clients/%d/assignees" % theirs["id"], other.admin.token,
                 json={"user_id": bk.id})
    assert fields_of(r) == ["user_id"]


# --------------------------------------------------------------------------
# Who may do what, route by route

def test_role_matrix(api, firm):
    """Each route against each role of the firm, on a client the
    bookkeeper is assigned to: 403 where the role has no business, and
    never 403 (nor 404) where it has."""
    bk = firm.user("bookkeeper")
    c = firm.active("Rollmatris AB", assignees=[bk, firm.admin])
    e = firm.expenses(c["id"], [("missing", "pending")])["data"][0]
    cid, eid = c["id"], e["id"]
    base = "/v1/clients/%d" % cid
    OK, NO, ANY = "ok", 403, None
    bodies = {
        "admin": {"name": "Ny AB", "org_number": firm.org(),
                  "contact_email": "a@b.test"},
        "bookkeeper": {"name": "Ny AB", "org_number": firm.org(),
                       "contact_email": "a@b.test"},
        "integration": {"name": "Ny AB", "org_number": firm.org(),
                        "status": "invitation"},
    }
    # (method, path, body, admin, bookkeeper, integration)
    matrix = [
        ("GET", "/v1/clients", None, OK, OK, OK),
        ("GET", "/v1/clients?tab=all", None, OK, NO, OK),
        ("GET", "/v1/clients/tabs", None, OK, OK, OK),
        ("POST", "/v1/clients", "per-role", OK, NO, OK),
        ("GET", base, None, OK, OK, OK),
        ("PATCH", base, {"name": "Rollmatris AB"}, OK, NO, OK),
        ("POST", base + "/accept", None, OK, NO, NO),
        ("POST", base + "/decline", None, OK, NO, NO),
        ("POST", base + "/verification", {"result": "approved"}, NO, NO, OK),
        ("PUT", base + "/balance", {"amount_minor": 5, "currency": "SEK"},
         OK, NO, OK),
        ("GET", base + "/assignees", None, OK, OK, NO),
        ("PUT", base + "/assignees", {"user_ids": [bk.id, firm.admin.id]},
         OK, NO, NO),
        ("POST", base + "/assignees", {"user_id": bk.id}, OK, NO, NO),
        ("DELETE", base + "/assignees/%d" % firm.admin.id, None, OK, NO, NO),
        ("POST", base + "/access", None, OK, OK, NO),
        ("GET", "/v1/audit-events?client_id=%d" % cid, None, OK, NO, NO),
        ("GET", base + "/expenses", None, OK, OK, OK),
        ("POST", base + "/expenses", expense("matris-1"), OK, NO, OK),
        ("GET", base + "/expenses/%d" % eid, None, OK, OK, ANY),
        ("PATCH", base + "/expenses/%d" % eid,
         {"receipt_status": "attached"}, OK, NO, OK),
    ]
    users = {"admin": firm.admin, "bookkeeper": bk,
             "integration": firm.integration}
    for method, p, body, *want in matrix:
        # The refusals first, so that what they would change is intact.
        order = sorted(zip(("admin", "bookkeeper", "integration"), want),
                       key=lambda x: x[1] != NO)
        for role, expect in order:
            if expect is ANY:
                continue
            b = bodies[role] if body == "per-role" else body
            r = api.call(method, p, users[role].token, json=b)
            if expect == NO:
                assert r.status_code == 403, (method, p, role, r.status_code,
                                              r.text[:300])
                assert_problem(r, 403)
            else:
                assert r.status_code not in (401, 403, 404), (
                    method, p, role, r.status_code, r.text[:300])
                assert r.status_code < 500, (method, p, role, r.text[:300])


# --------------------------------------------------------------------------
# Names that the limits allow

@pytest.mark.parametrize("name", [
    "ẞ" * 200,                      # capital sharp s: a long ICU sort key
    "㈱" * 200,                     # "kabushiki kaisha", as in company names
    "ﷺ" * 50,
    "ΐ" * 200,                      # folds to three code points
    "Å" * 200, "\U0001F600" * 200, "中" * 200,
], ids=["sharp-s", "kabushiki", "arabic-ligature", "iota", "aa", "emoji",
        "cjk"])
def test_any_name_within_the_limits_is_handled(api, firm, name):
    """A name of at most 200 characters, all of them valid text, is
    either stored (and then listed, found and sorted) or refused with a
    422 that names the field; never a 500. The same for a rename."""
    problems = []
    r = api.post("/v1/clients", firm.integration.token, json={
        "name": name, "org_number": firm.org(), "status": "invitation"})
    if r.status_code == 201:
        c = r.json()
        assert c["name"] == name
        api.ok("POST", "/v1/clients/%d/accept" % c["id"], firm.admin.token)
        doc = list_page(api, firm.admin.token, tab="all", q=name[:50])
        assert c["id"] in [x["id"] for x in doc["data"]]
    elif r.status_code == 422:
        assert "name" in fields_of(r)
    else:
        problems.append("POST /v1/clients answered %s" % r.status_code)
    d = firm.active("Byter Till Långt Namn")
    r = api.patch("/v1/clients/%d" % d["id"], firm.admin.token,
                  json={"name": name})
    if r.status_code == 200:
        assert firm.client(d["id"])["name"] == name
    elif r.status_code == 422:
        assert "name" in fields_of(r)
    else:
        problems.append("PATCH /v1/clients/{id} answered %s"
                        % r.status_code)
    assert not problems, problems
