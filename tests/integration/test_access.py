""""Go to client": POST /v1/clients/{id}/access, the client-scoped token it
hands out, and the audit trail at GET /v1/audit-events (issue 3)."""
import calendar
import time

import pytest

from conftest import assert_problem, error_fields
from clients_helpers import (APP_URL, Api, Firm, jwt_claims, list_page,
                             module_portal)

srv = module_portal()


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture(scope="module")
def firm(api):
    return Firm(api, "sv")


def access(api, token, cid):
    return api.post("/v1/clients/%d/access" % cid, token)


def audit(api, token, cid, **params):
    r = api.get("/v1/audit-events", token,
                params=dict(params, client_id=cid))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert "data" in doc and "next_cursor" in doc, doc
    return doc


def test_access_answers_a_scoped_token_and_url(api, firm, srv):
    c = firm.active("Gå Till AB")
    before = int(time.time())
    r = access(api, firm.admin.token, c["id"])
    assert r.status_code == 201, r.text
    doc = r.json()
    assert {"access_token", "expires_in", "client_id", "url"} <= set(doc)
    assert doc["client_id"] == c["id"]
    assert doc["url"] == "%s/clients/%d" % (APP_URL, c["id"])
    assert isinstance(doc["expires_in"], int)
    assert 0 < doc["expires_in"] <= 3600, "a short lifetime"
    claims = jwt_claims(doc["access_token"])
    assert claims.get("aud") not in (None, "portal-api"), claims
    assert claims["client_id"] == c["id"]
    assert str(claims["sub"]) == str(firm.admin.id)
    assert before - 5 <= claims["exp"] - doc["expires_in"] <= time.time() + 5
    assert claims["exp"] - claims["iat"] == doc["expires_in"]


def test_the_scoped_token_is_refused_by_the_api(api, firm):
    c = firm.active("Avgränsad AB")
    tok = access(api, firm.admin.token, c["id"]).json()["access_token"]
    for method, p in (("GET", "/v1/me"), ("GET", "/v1/clients/%d" % c["id"]),
                      ("GET", "/v1/clients"), ("GET", "/v1/clients/tabs"),
                      ("POST", "/v1/clients/%d/access" % c["id"]),
                      ("GET", "/v1/clients/%d/expenses" % c["id"])):
        assert_problem(api.call(method, p, tok), 401)


def test_every_access_is_audited(api, firm):
    bk = firm.user("bookkeeper", "Karin Granskad")
    c = firm.active("Granskas AB", assignees=[bk])
    assert audit(api, firm.admin.token, c["id"])["data"] == []
    t0 = time.time()
    assert access(api, firm.admin.token, c["id"]).status_code == 201
    assert access(api, bk.token, c["id"]).status_code == 201
    rows = audit(api, firm.admin.token, c["id"])["data"]
    assert len(rows) == 2, rows
    by_user = {row["user"]["id"]: row for row in rows}
    assert set(by_user) == {firm.admin.id, bk.id}
    assert by_user[bk.id]["user"]["name"] == "Karin Granskad"
    for row in rows:
        assert row["client_id"] == c["id"]
        assert row["remote_addr"] == "127.0.0.1"
        assert row["action"]
        assert row["created_at"].endswith("Z")
        ts = calendar.timegm(time.strptime(row["created_at"],
                                           "%Y-%m-%dT%H:%M:%SZ"))
        assert t0 - 5 <= ts <= time.time() + 5
    # Newest first.
    assert rows[0]["user"]["id"] == bk.id
    # Another client's trail is another.
    other = firm.active("Ogranskad AB")
    assert audit(api, firm.admin.token, other["id"])["data"] == []


def test_audit_pages(api, firm):
    c = firm.active("Många Besök AB")
    for _ in range(5):
        assert access(api, firm.admin.token, c["id"]).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        doc = audit(api, firm.admin.token, c["id"], **params)
        assert len(doc["data"]) <= 2
        seen.extend(row["id"] for row in doc["data"])
        cursor = doc["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 and len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)


def test_audit_is_for_admins(api, firm):
    bk = firm.user("bookkeeper")
    c = firm.active("Bara Admins AB", assignees=[bk])
    for tok in (bk.token, firm.integration.token):
        assert_problem(api.get("/v1/audit-events", tok,
                               params={"client_id": c["id"]}), 403)
    for params, field in (({"client_id": "abc"}, "client_id"),
                          ({"client_id": "0"}, "client_id"),
                          ({"client_id": c["id"], "limit": "0"}, "limit"),
                          ({"client_id": c["id"], "limit": "201"}, "limit"),
                          ({"client_id": c["id"], "cursor": "x"}, "cursor")):
        r = api.get("/v1/audit-events", firm.admin.token, params=params)
        assert field in error_fields(assert_problem(r, 400)), params


def test_access_by_status(api, firm):
    onb = firm.onboarding("Under Onboarding AB")
    r = access(api, firm.admin.token, onb["id"])
    assert r.status_code == 201, r.text
    inv = firm.invitation("Bara Inbjuden AB")
    doc = assert_problem(access(api, firm.admin.token, inv["id"]), 409)
    assert doc.get("current_status") == "invitation", doc
    dec = firm.invitation("Avböjd AB")
    api.ok("POST", "/v1/clients/%d/decline" % dec["id"], firm.admin.token)
    doc = assert_problem(access(api, firm.admin.token, dec["id"]), 409)
    assert doc.get("current_status") == "declined", doc
    rej = firm.onboarding("Avvisad AB")
    api.ok("POST", "/v1/clients/%d/verification" % rej["id"],
           firm.integration.token, json={"result": "rejected"})
    doc = assert_problem(access(api, firm.admin.token, rej["id"]), 409)
    assert doc.get("current_status") == "rejected", doc
    # A refused access leaves no trail.
    for c in (inv, dec, rej):
        assert audit(api, firm.admin.token, c["id"])["data"] == []


def test_bookkeeper_access(api, firm):
    bk = firm.user("bookkeeper")
    mine = firm.active("Bokförarens Kund AB", assignees=[bk])
    onb = firm.onboarding("Bokförarens Nya AB", assignees=[bk])
    not_mine = firm.active("Inte Bokförarens AB")
    for c in (mine, onb):
        r = access(api, bk.token, c["id"])
        assert r.status_code == 201, r.text
        assert r.json()["url"] == "%s/clients/%d" % (APP_URL, c["id"])
        assert jwt_claims(r.json()["access_token"])["client_id"] == c["id"]
    assert_problem(access(api, bk.token, not_mine["id"]), 404)
    assert audit(api, firm.admin.token, not_mine["id"])["data"] == []
    # Once unassigned, no more access.
    api.ok("DELETE", "/v1/clients/%d/assignees/%d" % (mine["id"], bk.id),
           firm.admin.token, status=204)
    assert_problem(access(api, bk.token, mine["id"]), 404)
    assert len(audit(api, firm.admin.token, mine["id"])["data"]) == 1


def test_integration_has_no_access(api, firm):
    c = firm.active("Ingen Integration AB")
    assert_problem(access(api, firm.integration.token, c["id"]), 403)


def test_access_across_firms(api, firm):
    other = Firm(api, "nb")
    c = firm.active("Hemlig Klient AB")
    assert access(api, firm.admin.token, c["id"]).status_code == 201
    assert_problem(access(api, other.admin.token, c["id"]), 404)
    obk = other.user("bookkeeper")
    assert_problem(access(api, obk.token, c["id"]), 404)
    # The other firm's audit trail shows nothing of it.
    r = api.get("/v1/audit-events", other.admin.token,
                params={"client_id": c["id"]})
    assert r.status_code in (200, 404), r.text
    if r.status_code == 200:
        assert r.json()["data"] == []
    r = api.get("/v1/audit-events", other.admin.token)
    assert r.status_code == 200, r.text
    assert all(row["client_id"] != c["id"] for row in r.json()["data"])
    assert list_page(api, other.admin.token, tab="all",
                     q="Hemlig")["total"] == 0


def test_body_is_not_taken(api, firm):
    c = firm.active("Utan Kropp AB")
    r = api.post("/v1/clients/%d/access" % c["id"], firm.admin.token,
                 json={"client_id": 1})
    assert_problem(r, 422)
