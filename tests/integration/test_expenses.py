"""A client's expenses: single and batch upserts by external_id, the batch
refused whole, state changes, the list's filters and paging, and the
client's missing-receipt and export-ready counts that follow (issue 3)."""
import re

import pytest

from conftest import assert_problem, error_fields
from clients_helpers import (EXPENSE_KEYS, Api, Firm, expense, list_page,
                             module_portal)

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


def path(cid, eid=None):
    p = "/v1/clients/%d/expenses" % cid
    return p if eid is None else p + "/%d" % eid


def counts(firm, cid):
    d = firm.client(cid)
    return d["missing_receipts"], d["export_ready"]


def row_counts(api, firm, cid, name):
    rows = [r for r in list_page(api, firm.admin.token, tab="all", q=name,
                                 limit=200)["data"] if r["id"] == cid]
    assert len(rows) == 1, name
    return rows[0]["missing_receipts"], rows[0]["export_ready"]


def expenses_of(api, token, cid, limit=200, **params):
    """Every expense of a client through the paged list."""
    out, cursor, total = [], None, None
    while True:
        p = dict(params, limit=limit)
        if cursor:
            p["cursor"] = cursor
        r = api.get(path(cid), token, params=p)
        assert r.status_code == 200, (p, r.status_code, r.text[:500])
        doc = r.json()
        assert set(doc) == {"data", "total", "next_cursor"}, doc
        assert len(doc["data"]) <= limit
        if total is None:
            total = doc["total"]
        assert doc["total"] == total
        out.extend(doc["data"])
        cursor = doc["next_cursor"]
        if cursor is None:
            return out, total
        assert len(doc["data"]) == limit


def test_single_upsert(api, firm):
    c = firm.active("Enkel Utgift AB")
    tok = firm.integration.token
    body = expense("kort-1", amount_minor=-4990, currency="EUR",
                   merchant="Café Ölstugan",
                   spent_at="2026-03-02T11:15:00+01:00")
    r = api.post(path(c["id"]), tok, json=body)
    assert r.status_code == 201, r.text
    e = r.json()
    assert set(e) == EXPENSE_KEYS, e
    assert r.headers.get("Location") == path(c["id"], e["id"])
    assert e["client_id"] == c["id"]
    assert e["external_id"] == "kort-1"
    assert e["amount_minor"] == -4990 and e["currency"] == "EUR"
    assert e["merchant"] == "Café Ölstugan"
    assert e["spent_at"] == "2026-03-02T10:15:00Z"      # in UTC
    assert (e["receipt_status"], e["export_status"]) == ("missing",
                                                         "pending")
    assert RFC3339_Z.match(e["created_at"]) and RFC3339_Z.match(
        e["updated_at"])
    assert counts(firm, c["id"]) == (1, 0)

    # The same external_id updates the same expense.
    body.update(amount_minor=-5990, receipt_status="attached",
                export_status="ready", merchant="Café Ölstugan AB")
    r = api.post(path(c["id"]), tok, json=body)
    assert r.status_code == 200, r.text
    e2 = r.json()
    assert e2["id"] == e["id"]
    assert e2["amount_minor"] == -5990
    assert e2["merchant"] == "Café Ölstugan AB"
    assert (e2["receipt_status"], e2["export_status"]) == ("attached",
                                                           "ready")
    assert e2["created_at"] == e["created_at"]
    assert counts(firm, c["id"]) == (0, 1)
    assert row_counts(api, firm, c["id"], "Enkel Utgift") == (0, 1)
    r = api.get(path(c["id"], e["id"]), firm.admin.token)
    assert r.status_code == 200 and r.json() == e2

    # Another external_id is another expense; the same one at another
    # client is that client's own.
    r = api.post(path(c["id"]), tok, json=expense("kort-2"))
    assert r.status_code == 201, r.text
    c2 = firm.active("Annan Utgift AB")
    r = api.post(path(c2["id"]), tok, json=expense("kort-1"))
    assert r.status_code == 201, r.text
    assert counts(firm, c["id"]) == (1, 1)
    assert counts(firm, c2["id"]) == (1, 0)


def test_admin_posts_too_bookkeeper_does_not(api, firm):
    bk = firm.user("bookkeeper")
    c = firm.active("Vem Postar AB", assignees=[bk])
    r = api.post(path(c["id"]), firm.admin.token, json=expense("adm-1"))
    assert r.status_code == 201, r.text
    assert_problem(api.post(path(c["id"]), bk.token, json=expense("bk-1")),
                   403)
    assert_problem(api.post(path(c["id"]), bk.token, json={
        "expenses": [expense("bk-2")]}), 403)
    eid = r.json()["id"]
    assert_problem(api.patch(path(c["id"], eid), bk.token, json={
        "receipt_status": "attached"}), 403)
    # The integration reads back what it wrote.
    assert api.ok("GET", path(c["id"]), firm.integration.token)["total"] >= 1
    assert counts(firm, c["id"]) == (1, 0)
    # The assigned bookkeeper reads them.
    got, total = expenses_of(api, bk.token, c["id"])
    assert total == 1 and got[0]["external_id"] == "adm-1"
    r = api.get(path(c["id"], eid), bk.token)
    assert r.status_code == 200, r.text


def test_bulk_of_1000(api, firm):
    c = firm.active("Tusen Utgifter AB")
    states = [(("missing", "attached", "not_required")[i % 3],
               ("pending", "ready", "exported")[(i // 3) % 3])
              for i in range(1000)]
    items = [expense("b-%04d" % i, receipt_status=rs, export_status=es,
                     amount_minor=i * 100 + 1, merchant="Handlare %d" % i)
             for i, (rs, es) in enumerate(states)]
    r = api.post(path(c["id"]), firm.integration.token,
                 json={"expenses": items})
    assert r.status_code in (200, 201), r.text[:500]
    doc = r.json()
    assert doc["created"] == 1000 and doc["updated"] == 0
    assert len(doc["data"]) == 1000
    assert [e["external_id"] for e in doc["data"]] == [
        i["external_id"] for i in items]
    missing = sum(1 for rs, _ in states if rs == "missing")
    ready = sum(1 for _, es in states if es == "ready")
    assert counts(firm, c["id"]) == (missing, ready)
    assert row_counts(api, firm, c["id"], "Tusen Utgifter") == (missing,
                                                                ready)
    got, total = expenses_of(api, firm.admin.token, c["id"])
    assert total == 1000 and len(got) == 1000
    assert len({e["id"] for e in got}) == 1000

    # The same batch with every state moved on: 1000 updates.
    flipped = [dict(i, receipt_status="attached", export_status="exported")
               for i in items]
    flipped[0]["receipt_status"] = "missing"
    flipped[1]["export_status"] = "ready"
    r = api.post(path(c["id"]), firm.integration.token,
                 json={"expenses": flipped})
    assert r.status_code == 200, r.text[:500]
    assert (r.json()["created"], r.json()["updated"]) == (0, 1000)
    assert counts(firm, c["id"]) == (1, 1)
    _, total = expenses_of(api, firm.admin.token, c["id"])
    assert total == 1000


def test_bulk_of_1000_mixes_updates_and_inserts(api, firm):
    """A batch of 1,000 where every third expense exists already answers
    as 1,000 single upserts in its order would: the existing ones keep
    their ids and creation times, the new ones take the next ids in the
    batch's order, and each row reads back as the batch answered it."""
    c = firm.active("Blandad Batch AB")
    tok = firm.integration.token
    old = [expense("x-%04d" % i, receipt_status="missing",
                   export_status="ready") for i in range(0, 1000, 3)]
    r = api.post(path(c["id"]), tok, json={"expenses": old})
    assert r.status_code == 200, r.text[:500]
    before = {e["external_id"]: e for e in r.json()["data"]}
    assert counts(firm, c["id"]) == (len(old), len(old))

    items = [expense("x-%04d" % i, amount_minor=1000 + i,
                     merchant="Köpman %d" % i,
                     receipt_status=("attached", "missing")[i % 2],
                     export_status=("exported", "ready")[i % 5 == 0])
             for i in reversed(range(1000))]
    r = api.post(path(c["id"]), tok, json={"expenses": items})
    assert r.status_code == 200, r.text[:500]
    doc = r.json()
    assert set(doc) == {"data", "created", "updated", "deleted"}
    assert doc["deleted"] == 0
    assert (doc["created"], doc["updated"]) == (1000 - len(old), len(old))
    data = doc["data"]
    assert [e["external_id"] for e in data] == [
        i["external_id"] for i in items]
    new_ids = []
    for e, want in zip(data, items):
        assert set(e) == set(EXPENSE_KEYS)
        assert e["client_id"] == c["id"]
        assert (e["amount_minor"], e["merchant"], e["receipt_status"],
                e["export_status"]) == (
            want["amount_minor"], want["merchant"], want["receipt_status"],
            want["export_status"])
        was = before.get(e["external_id"])
        if was is not None:
            assert (e["id"], e["created_at"]) == (was["id"],
                                                  was["created_at"])
        else:
            new_ids.append(e["id"])
    top = max(e["id"] for e in before.values())
    assert new_ids == list(range(top + 1, top + 1 + len(new_ids)))
    missing = sum(1 for i in items if i["receipt_status"] == "missing")
    ready = sum(1 for i in items if i["export_status"] == "ready")
    assert counts(firm, c["id"]) == (missing, ready)
    got, total = expenses_of(api, firm.admin.token, c["id"])
    assert total == 1000
    assert sorted(got, key=lambda e: e["id"]) == sorted(
        data, key=lambda e: e["id"])


def test_bulk_over_1000_is_refused(api, firm):
    c = firm.active("För Många AB")
    items = [expense("m-%04d" % i) for i in range(1001)]
    r = api.post(path(c["id"]), firm.integration.token,
                 json={"expenses": items})
    assert "expenses" in error_fields(assert_problem(r, 422))
    assert counts(firm, c["id"]) == (0, 0)
    for body in ({"expenses": []}, {"expenses": {}}, {"expenses": None},
                 {"expenses": [expense("x")], "client": 1}):
        r = api.post(path(c["id"]), firm.integration.token, json=body)
        assert_problem(r, 422)
    assert expenses_of(api, firm.admin.token, c["id"])[1] == 0


def test_bad_batch_is_refused_whole(api, firm):
    c = firm.active("Hel Eller Inget AB")
    tok = firm.integration.token
    firm.expenses(c["id"], [("missing", "ready"), ("attached", "pending")],
                  prefix="före")
    before = counts(firm, c["id"])
    assert before == (1, 1)
    items = [expense("ok-%d" % i) for i in range(20)]
    items[0] = expense("före-1", receipt_status="missing",
                       export_status="ready")         # a valid update
    items[3]["currency"] = "sek"
    del items[7]["merchant"]
    items[9]["receipt_status"] = "lost"
    items[12]["colour"] = "red"
    items[15]["spent_at"] = "2026-02-30T10:00:00Z"
    items[16]["amount_minor"] = 1.5
    items[17]["external_id"] = ""
    items[18]["external_id"] = "ok-2"                   # twice in the batch
    items[19] = "not an object"
    r = api.post(path(c["id"]), tok, json={"expenses": items})
    doc = assert_problem(r, 422)
    fields = error_fields(doc)
    for f in ("expenses[3].currency", "expenses[7].merchant",
              "expenses[9].receipt_status", "expenses[12].colour",
              "expenses[15].spent_at", "expenses[16].amount_minor",
              "expenses[17].external_id", "expenses[18].external_id",
              "expenses[19]"):
        assert f in fields, (f, fields)
    for f in fields:
        assert not f.startswith(("expenses[0]", "expenses[1].",
                                 "expenses[2].")), fields
    # Nothing was written: neither the good items nor the update.
    assert counts(firm, c["id"]) == before
    got, total = expenses_of(api, firm.admin.token, c["id"])
    assert total == 2
    assert sorted(e["external_id"] for e in got) == ["före-0", "före-1"]
    assert {e["external_id"]: e["export_status"] for e in got}[
        "före-1"] == "pending"


@pytest.mark.parametrize("over,field", [
    ({"external_id": None}, "external_id"),
    ({"external_id": "x" * 101}, "external_id"),
    ({"amount_minor": "12"}, "amount_minor"),
    ({"amount_minor": 10 ** 16}, "amount_minor"),
    ({"currency": "kr"}, "currency"),
    ({"currency": "SE1"}, "currency"),
    ({"spent_at": "2026-03-02"}, "spent_at"),
    ({"spent_at": "2026-03-02 10:15:00Z"}, "spent_at"),
    ({"spent_at": "2026-13-02T10:15:00Z"}, "spent_at"),
    ({"spent_at": "yesterday"}, "spent_at"),
    ({"merchant": ""}, "merchant"),
    ({"merchant": "x" * 201}, "merchant"),
    ({"receipt_status": "MISSING"}, "receipt_status"),
    ({"export_status": "done"}, "export_status"),
    ({"id": 5}, "id"),
])
def test_single_validation(api, firm, over, field):
    c = firm.active("Valideras AB")
    body = expense("v-1")
    for k, v in over.items():
        if v is None:
            del body[k]
        else:
            body[k] = v
    r = api.post(path(c["id"]), firm.integration.token, json=body)
    assert field in error_fields(assert_problem(r, 422))
    assert counts(firm, c["id"]) == (0, 0)


def test_patch_states(api, firm):
    c = firm.active("Ändras AB")
    made = firm.expenses(c["id"], [("missing", "pending"),
                                   ("missing", "pending"),
                                   ("attached", "ready")])["data"]
    e0, e1, e2 = (e["id"] for e in made)
    assert counts(firm, c["id"]) == (2, 1)
    tok = firm.integration.token

    r = api.patch(path(c["id"], e0), tok, json={"receipt_status": "attached"})
    assert r.status_code == 200, r.text
    assert (r.json()["receipt_status"], r.json()["export_status"]) == (
        "attached", "pending")
    assert counts(firm, c["id"]) == (1, 1)
    r = api.patch(path(c["id"], e0), firm.admin.token,
                  json={"export_status": "ready"})
    assert r.status_code == 200, r.text
    assert counts(firm, c["id"]) == (1, 2)
    r = api.patch(path(c["id"], e1), tok, json={
        "receipt_status": "not_required", "export_status": "ready"})
    assert r.status_code == 200, r.text
    assert counts(firm, c["id"]) == (0, 3)
    # Setting a state it already has changes nothing.
    api.ok("PATCH", path(c["id"], e1), tok, json={
        "receipt_status": "not_required"})
    assert counts(firm, c["id"]) == (0, 3)
    r = api.patch(path(c["id"], e2), tok, json={
        "receipt_status": "missing", "export_status": "exported"})
    assert r.status_code == 200, r.text
    assert counts(firm, c["id"]) == (1, 2)
    assert row_counts(api, firm, c["id"], "Ändras") == (1, 2)
    # The list's filter follows.
    doc = list_page(api, firm.admin.token, tab="all", q="Ändras",
                    missing_receipts="true")
    assert [x["id"] for x in doc["data"]] == [c["id"]]
    api.ok("PATCH", path(c["id"], e2), tok, json={"receipt_status":
                                                  "attached"})
    doc = list_page(api, firm.admin.token, tab="all", q="Ändras",
                    missing_receipts="true")
    assert doc["data"] == [] and doc["total"] == 0

    # Refusals.
    for body in ({}, {"receipt_status": "lost"}, {"export_status": 1},
                 {"amount_minor": 5}, {"receipt_status": None}):
        assert_problem(api.patch(path(c["id"], e0), tok, json=body), 422)
    assert_problem(api.patch(path(c["id"], 99999999), tok,
                             json={"receipt_status": "attached"}), 404)
    other = firm.active("Fel Klient AB")
    assert_problem(api.patch(path(other["id"], e0), tok,
                             json={"receipt_status": "missing"}), 404)
    assert_problem(api.get(path(other["id"], e0), firm.admin.token), 404)
    assert counts(firm, c["id"]) == (0, 2)


def test_list_filters_and_paging(api, firm):
    c = firm.active("Filtreras AB")
    states = [(rs, es) for rs in ("missing", "attached", "not_required")
              for es in ("pending", "ready", "exported")] * 5   # 45
    made = firm.expenses(c["id"], states, prefix="f")["data"]
    tok = firm.admin.token
    everything, total = expenses_of(api, tok, c["id"])
    assert total == 45
    assert [e["id"] for e in everything] == sorted(e["id"] for e in made)
    for rs in (None, "missing", "attached", "not_required"):
        for es in (None, "pending", "ready", "exported"):
            params = {}
            if rs:
                params["receipt_status"] = rs
            if es:
                params["export_status"] = es
            want = [e["id"] for e in made
                    if (rs is None or e["receipt_status"] == rs) and
                    (es is None or e["export_status"] == es)]
            for limit in (200, 7, 3):
                got, total = expenses_of(api, tok, c["id"], limit=limit,
                                         **params)
                assert [e["id"] for e in got] == sorted(want), (params,
                                                               limit)
                assert total == len(want), params
                for e in got:
                    assert set(e) == EXPENSE_KEYS
    # The default page is 50, at most.
    r = api.get(path(c["id"]), tok)
    assert len(r.json()["data"]) == 45 and r.json()["next_cursor"] is None


def test_list_parameters_are_checked(api, firm):
    c = firm.active("Parametrar AB")
    firm.expenses(c["id"], [("missing", "pending")] * 5, prefix="p")
    tok = firm.admin.token
    for params, field in (({"limit": "0"}, "limit"),
                          ({"limit": "201"}, "limit"),
                          ({"limit": "abc"}, "limit"),
                          ({"receipt_status": "lost"}, "receipt_status"),
                          ({"export_status": "READY"}, "export_status"),
                          ({"cursor": "garbage"}, "cursor"),
                          ({"cursor": ""}, "cursor")):
        r = api.get(path(c["id"]), tok, params=params)
        assert field in error_fields(assert_problem(r, 400)), params
    cur = api.ok("GET", path(c["id"]), tok, params={"limit": 2})[
        "next_cursor"]
    assert cur
    # A cursor continues only its own filter and its own client.
    for params in ({"receipt_status": "missing"},
                   {"export_status": "pending"}):
        r = api.get(path(c["id"]), tok, params=dict(params, cursor=cur))
        assert "cursor" in error_fields(assert_problem(r, 400)), params
    c2 = firm.active("Parametrar Två AB")
    firm.expenses(c2["id"], [("missing", "pending")] * 5, prefix="p")
    r = api.get(path(c2["id"]), tok, params={"cursor": cur})
    assert "cursor" in error_fields(assert_problem(r, 400))
    # A clients-list cursor is not an expenses cursor.
    for i in range(3):
        firm.active("Kursorkund %d" % i)
    lc = list_page(api, tok, tab="all", limit=1)["next_cursor"]
    r = api.get(path(c["id"]), tok, params={"cursor": lc})
    assert "cursor" in error_fields(assert_problem(r, 400))


def test_bookkeeper_sees_expenses_of_assigned_clients_only(api, firm):
    bk = firm.user("bookkeeper")
    mine = firm.active("Bokförarens AB", assignees=[bk])
    theirs = firm.active("Någon Annans AB")
    em = firm.expenses(mine["id"], [("missing", "pending")])["data"][0]
    et = firm.expenses(theirs["id"], [("missing", "pending")])["data"][0]
    got, total = expenses_of(api, bk.token, mine["id"])
    assert total == 1 and got[0]["id"] == em["id"]
    assert api.get(path(mine["id"], em["id"]), bk.token).status_code == 200
    assert_problem(api.get(path(theirs["id"]), bk.token), 404)
    assert_problem(api.get(path(theirs["id"], et["id"]), bk.token), 404)
    # Its expense id under the client the bookkeeper does see: 404 too.
    assert_problem(api.get(path(mine["id"], et["id"]), bk.token), 404)
    api.ok("DELETE", "/v1/clients/%d/assignees/%d" % (mine["id"], bk.id),
           firm.admin.token, status=204)
    assert_problem(api.get(path(mine["id"]), bk.token), 404)
    assert_problem(api.get(path(mine["id"], em["id"]), bk.token), 404)


def test_no_expenses_across_firms(api, firm):
    other = Firm(api, "da")
    c = firm.active("Egen Klient AB")
    e = firm.expenses(c["id"], [("missing", "ready")])["data"][0]
    for tok in (other.admin.token, other.integration.token):
        assert_problem(api.post(path(c["id"]), tok, json=expense("in-1")),
                       404)
        assert_problem(api.post(path(c["id"]), tok, json={
            "expenses": [expense("in-2")]}), 404)
        assert_problem(api.get(path(c["id"], e["id"]), tok), 404)
        assert_problem(api.patch(path(c["id"], e["id"]), tok, json={
            "receipt_status": "attached"}), 404)
    assert_problem(api.get(path(c["id"]), other.admin.token), 404)
    # Nor through the other firm's own client.
    oc = other.active("Deras Klient ApS")
    assert_problem(api.get(path(oc["id"], e["id"]), other.admin.token), 404)
    assert_problem(api.patch(path(oc["id"], e["id"]), other.integration.token,
                             json={"receipt_status": "attached"}), 404)
    assert counts(firm, c["id"]) == (1, 1)
    assert expenses_of(api, firm.admin.token, c["id"])[1] == 1


def test_expenses_of_unknown_client(api, firm):
    assert_problem(api.post(path(99999999), firm.integration.token,
                            json=expense("z")), 404)
    assert_problem(api.get(path(99999999), firm.admin.token), 404)


def test_batch_replayed_with_idempotency_key(api, firm):
    c = firm.active("Upprepas AB")
    items = [expense("r-%d" % i) for i in range(10)]
    h = {"Idempotency-Key": "batch-" + firm.tag}
    r1 = api.post(path(c["id"]), firm.integration.token,
                  json={"expenses": items}, headers=h)
    assert r1.status_code == 200, r1.text[:300]
    assert r1.json()["created"] == 10
    r2 = api.post(path(c["id"]), firm.integration.token,
                  json={"expenses": items}, headers=h)
    assert r2.status_code == 200, r2.text[:300]
    assert r2.json() == r1.json()
    assert counts(firm, c["id"]) == (10, 0)
    # Without the key the same batch is ten updates.
    r3 = api.post(path(c["id"]), firm.integration.token,
                  json={"expenses": items})
    assert (r3.json()["created"], r3.json()["updated"]) == (0, 10)
    assert counts(firm, c["id"]) == (10, 0)


def test_concurrent_writers_keep_the_counts(api, firm):
    """Batches, single upserts and state changes from several connections
    at once: every one answers 2xx and the counts add up."""
    import threading

    c = firm.active("Samtidigt AB")
    seed = firm.expenses(c["id"], [("missing", "pending")] * 40,
                         prefix="s")["data"]
    results = []

    def writer(k):
        a = Api(api.portal)
        try:
            for j in range(3):
                items = [expense("w%d-%d-%d" % (k, j, i),
                                 receipt_status=("missing", "attached")[i % 2],
                                 export_status=("ready", "pending")[i % 3 > 0])
                         for i in range(30)]
                r = a.post(path(c["id"]), firm.integration.token,
                           json={"expenses": items})
                results.append(r.status_code)
                e = seed[k * 5 + j]
                r = a.patch(path(c["id"], e["id"]), firm.integration.token,
                            json={"receipt_status": "attached",
                                  "export_status": "ready"})
                results.append(r.status_code)
                r = a.get("/v1/clients", firm.admin.token,
                          params={"tab": "all", "sort": "-missing_receipts"})
                results.append(r.status_code)
        finally:
            a.close()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 8 * 3 * 3
    assert all(200 <= s < 300 for s in results), sorted(set(results))
    got, total = expenses_of(api, firm.admin.token, c["id"])
    assert total == 40 + 8 * 3 * 30
    missing = sum(1 for e in got if e["receipt_status"] == "missing")
    ready = sum(1 for e in got if e["export_status"] == "ready")
    assert counts(firm, c["id"]) == (missing, ready)
    assert row_counts(api, firm, c["id"], "Samtidigt") == (missing, ready)
