"""What a sync job needs to keep a firm's figures right (issue 15): an
expense deleted on its own or inside a batch, with the client's counters
moving in the same transaction, and many clients' balances set in one
all-or-nothing request."""
import pytest

from conftest import assert_problem, error_fields
from clients_helpers import Api, Firm, expense, list_page, module_portal

srv = module_portal()


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture
def firm(api):
    return Firm(api, "sv")


def path(cid, eid=None):
    p = "/v1/clients/%d/expenses" % cid
    return p if eid is None else p + "/%d" % eid


def counts(api, firm, c):
    """The counters as the details and the list row show them."""
    d = firm.client(c["id"])
    rows = list_page(api, firm.admin.token, tab="all",
                     org_number=d["org_number"])["data"]
    assert len(rows) == 1
    assert (rows[0]["missing_receipts"], rows[0]["export_ready"]) == (
        d["missing_receipts"], d["export_ready"])
    return d["missing_receipts"], d["export_ready"]


def external_ids(api, firm, c):
    doc = api.ok("GET", path(c["id"]), firm.integration.token,
                 params={"limit": 200})
    return sorted(e["external_id"] for e in doc["data"])


# --------------------------------------------------------------------------
# Deleting expenses

def test_delete_voids_an_expense_and_moves_the_counters(api, firm):
    c = firm.active("Radera AB")
    tok = firm.integration.token
    a = api.ok("POST", path(c["id"]), tok, status=201,
               json=expense("a", receipt_status="missing",
                            export_status="pending"))
    api.ok("POST", path(c["id"]), tok, status=201,
           json=expense("b", receipt_status="attached",
                        export_status="ready"))
    assert counts(api, firm, c) == (1, 1)
    r = api.delete(path(c["id"], a["id"]), tok)
    assert r.status_code == 204 and r.content == b"", r.text
    assert counts(api, firm, c) == (0, 1)
    assert external_ids(api, firm, c) == ["b"]
    assert_problem(api.get(path(c["id"], a["id"]), tok), 404)
    # Gone is gone: a second delete finds nothing.
    assert_problem(api.delete(path(c["id"], a["id"]), tok), 404)
    # The same external id may come again, as a new expense.
    again = api.ok("POST", path(c["id"]), tok, status=201,
                   json=expense("a", receipt_status="missing"))
    assert again["id"] != a["id"]
    assert counts(api, firm, c)[0] == 1


def test_who_may_delete(api, firm):
    bk = firm.user()
    c = firm.active("Behörig AB", assignees=[bk])
    e = api.ok("POST", path(c["id"]), firm.admin.token, status=201,
               json=expense("x"))
    assert_problem(api.delete(path(c["id"], e["id"]), bk.token), 403)
    other = Firm(api, "sv")
    assert_problem(api.delete(path(c["id"], e["id"]),
                              other.integration.token), 404)
    # An expense of another client of the firm is not this client's.
    d = firm.active("Annan AB")
    assert_problem(api.delete(path(d["id"], e["id"]),
                              firm.admin.token), 404)
    assert external_ids(api, firm, c) == ["x"]
    assert api.delete(path(c["id"], e["id"]),
                      firm.admin.token).status_code == 204


def test_a_batch_deletes_upserts_and_answers_in_order(api, firm):
    c = firm.active("Batch AB")
    tok = firm.integration.token
    api.ok("POST", path(c["id"]), tok, json={"expenses": [
        expense("keep", receipt_status="missing"),
        expense("drop-1", receipt_status="missing"),
        expense("drop-2", receipt_status="attached",
                export_status="ready")]})
    assert counts(api, firm, c) == (2, 1)
    doc = api.ok("POST", path(c["id"]), tok, json={"expenses": [
        {"external_id": "drop-1", "deleted": True},
        expense("new", receipt_status="missing"),
        {"external_id": "never-was", "deleted": True},
        expense("keep", receipt_status="attached"),
        {"external_id": "drop-2", "deleted": True}]})
    assert (doc["created"], doc["updated"], doc["deleted"]) == (1, 1, 2)
    got = [(x["external_id"], x.get("deleted", False)) for x in doc["data"]]
    assert got == [("drop-1", True), ("new", False), ("never-was", True),
                   ("keep", False), ("drop-2", True)]
    assert doc["data"][0]["id"] is not None and doc["data"][2]["id"] is None
    assert external_ids(api, firm, c) == ["keep", "new"]
    assert counts(api, firm, c) == (1, 0)


@pytest.mark.parametrize("item, field", [
    ({"external_id": "a", "deleted": False}, "expenses[1].deleted"),
    ({"external_id": "a", "deleted": True, "amount_minor": 5},
     "expenses[1].amount_minor"),
    ({"deleted": True}, "expenses[1].external_id"),
    ({"external_id": "a", "deleted": "yes"}, "expenses[1].deleted"),
    ({"external_id": "keep", "deleted": True}, "expenses[1].external_id"),
])
def test_a_bad_deletion_refuses_the_whole_batch(api, firm, item, field):
    c = firm.active("Vägrad AB")
    tok = firm.integration.token
    api.ok("POST", path(c["id"]), tok, status=201, json=expense("a"))
    r = api.post(path(c["id"]), tok, json={"expenses": [
        expense("keep"), item]})
    assert field in error_fields(assert_problem(r, 422)), r.text
    assert external_ids(api, firm, c) == ["a"]


def test_deleted_is_for_batches_only(api, firm):
    c = firm.active("Ensam AB")
    r = api.post(path(c["id"]), firm.integration.token,
                 json={"external_id": "a", "deleted": True})
    assert "deleted" in error_fields(assert_problem(r, 422))


# --------------------------------------------------------------------------
# Many balances at once

def balance_of(firm, c):
    return firm.client(c["id"])["balance"]


def test_balances_set_many_clients_at_once(api, firm):
    a = firm.active("Saldo A AB")
    b = api.ok("POST", "/v1/clients", firm.integration.token, status=201,
               json={"name": "Saldo B AB", "org_number": firm.org(),
                     "status": "invitation", "external_ref": "pleo:b"})
    doc = api.ok("PUT", "/v1/balances", firm.integration.token, json={
        "balances": [
            {"client_id": a["id"], "amount_minor": -125050,
             "currency": "SEK"},
            {"external_ref": "pleo:b", "amount_minor": 990,
             "currency": "EUR"}]})
    assert doc["updated"] == 2
    assert doc["data"] == [
        {"client_id": a["id"],
         "balance": {"amount_minor": -125050, "currency": "SEK"}},
        {"client_id": b["id"],
         "balance": {"amount_minor": 990, "currency": "EUR"}}]
    assert balance_of(firm, a) == {"amount_minor": -125050,
                                   "currency": "SEK"}
    assert balance_of(firm, b) == {"amount_minor": 990, "currency": "EUR"}


def test_a_thousand_balances_in_one_request(api, firm):
    clients = [firm.invitation("Tusen %d AB" % i) for i in range(1000)]
    items = [{"client_id": c["id"], "amount_minor": i, "currency": "SEK"}
             for i, c in enumerate(clients)]
    doc = api.ok("PUT", "/v1/balances", firm.admin.token,
                 json={"balances": items})
    assert doc["updated"] == 1000
    for i in (0, 499, 999):
        assert balance_of(firm, clients[i])["amount_minor"] == i
    too_many = [{"client_id": 1, "amount_minor": 0, "currency": "SEK"}] * 1001
    r = api.put("/v1/balances", firm.admin.token,
                json={"balances": too_many})
    assert error_fields(assert_problem(r, 422)) == ["balances"]


@pytest.mark.parametrize("bad, field", [
    ({"client_id": 999999999, "amount_minor": 1, "currency": "SEK"},
     "balances[1].client_id"),
    ({"external_ref": "nobody", "amount_minor": 1, "currency": "SEK"},
     "balances[1].external_ref"),
    ({"amount_minor": 1, "currency": "SEK"}, "balances[1].client_id"),
    ({"client_id": "FIRST", "external_ref": "pleo:x", "amount_minor": 1,
      "currency": "SEK"}, "balances[1].client_id"),
    ({"client_id": "FIRST", "amount_minor": 1, "currency": "sek"},
     "balances[1].currency"),
    ({"client_id": "FIRST", "amount_minor": 1.5, "currency": "SEK"},
     "balances[1].amount_minor"),
    ({"client_id": "FIRST", "amount_minor": 1, "currency": "SEK",
      "note": "x"}, "balances[1].note"),
    ({"client_id": "FIRST", "amount_minor": 7, "currency": "SEK"},
     "balances[1].client_id"),
])
def test_one_bad_item_changes_no_balance(api, firm, bad, field):
    first = firm.active("Först AB")
    other = Firm(api, "sv").active("Annan Firma AB")
    bad = dict(bad)
    if bad.get("client_id") == "FIRST":
        bad["client_id"] = first["id"]
    before = balance_of(firm, first)
    r = api.put("/v1/balances", firm.integration.token, json={"balances": [
        {"client_id": first["id"], "amount_minor": 42, "currency": "SEK"},
        bad]})
    assert field in error_fields(assert_problem(r, 422)), r.text
    assert balance_of(firm, first) == before
    # Another firm's client is no client of this one.
    r = api.put("/v1/balances", firm.integration.token, json={"balances": [
        {"client_id": other["id"], "amount_minor": 1, "currency": "SEK"}]})
    assert error_fields(assert_problem(r, 422)) == ["balances[0].client_id"]


def test_who_may_put_balances(api, firm):
    bk = firm.user()
    c = firm.active("Roll AB", assignees=[bk])
    body = {"balances": [{"client_id": c["id"], "amount_minor": 1,
                          "currency": "SEK"}]}
    assert_problem(api.put("/v1/balances", bk.token, json=body), 403)
    assert_problem(api.put("/v1/balances", firm.admin.token,
                           json=[1, 2]), 422)
    assert_problem(api.put("/v1/balances", firm.admin.token,
                           json={"balances": []}), 422)
