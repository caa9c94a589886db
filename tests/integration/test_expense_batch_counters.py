"""A batch of expenses moves its client's figures as its expenses one by
one would: the counts of missing receipts and export-ready expenses, the
oldest missing receipt (and so the alerts and the attention order) and
the month figures, whatever the batch brings (new expenses, changed
states, dates moved, a missing receipt found, deletions), and a batch
that fails leaves every figure as it was. On SQLite a batch keeps its
client's changes aside and adds them once at its end (schema.sql,
version 27): nothing of that is left after any batch."""
import random

import pytest

from clients_helpers import Api, Firm, expense, module_portal
from db_helpers import connect

srv = module_portal()

RECEIPTS = ["attached", "missing", "not_required"]
EXPORTS = ["pending", "ready", "exported"]
DAYS = ["2026-%02d-%02dT%02d:30:00Z" % (m, d, h)
        for m, d, h in [(1, 31, 23), (2, 1, 0), (2, 28, 12), (3, 2, 10),
                        (4, 30, 22), (5, 1, 6), (7, 15, 9)]]


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


def figures(srv, client_id):
    """The client's kept figures and a recount of its expenses, each
    (missing, ready, oldest missing), read in one snapshot."""
    with connect(srv.env["PORTAL_DB"], readonly=True) as db, \
            db.transaction():
        kept = db.one("SELECT missing_receipts, export_ready, "
                      "oldest_missing_at FROM clients WHERE id = ?",
                      (client_id,))
        real = db.one(
            "SELECT count(CASE WHEN receipt_status = 'missing' THEN 1 END), "
            "count(CASE WHEN export_status = 'ready' THEN 1 END), "
            "min(CASE WHEN receipt_status = 'missing' THEN spent_at END) "
            "FROM expenses WHERE client_id = ?", (client_id,))
        months = db.rows(
            "SELECT month, currency, pending, ready, exported, "
            "missing_receipts FROM client_months WHERE client_id = ? AND "
            "(pending <> 0 OR ready <> 0 OR exported <> 0 OR "
            "missing_receipts <> 0) ORDER BY month, currency",
            (client_id,))
        real_months = db.rows(
            "SELECT month, currency, "
            "count(CASE WHEN export_status = 'pending' THEN 1 END), "
            "count(CASE WHEN export_status = 'ready' THEN 1 END), "
            "count(CASE WHEN export_status = 'exported' THEN 1 END), "
            "count(CASE WHEN receipt_status = 'missing' THEN 1 END) "
            "FROM expenses "
            "WHERE client_id = ? GROUP BY month, currency "
            "ORDER BY month, currency", (client_id,))
        left = (db.one("SELECT count(*) FROM expense_batches")[0]
                if "expense_batches" in db.tables() else 0)
    return (tuple(kept), tuple(real), [tuple(r) for r in months],
            [tuple(r) for r in real_months], left)


def assert_figures_hold(srv, client_id):
    kept, real, months, real_months, left = figures(srv, client_id)
    assert kept == real
    assert months == real_months
    assert left == 0


def test_batches_of_every_kind_keep_the_figures(api, srv):
    rng = random.Random(27)
    f = Firm(api, "sv")
    c = f.active("Batchräkning AB")
    known = []
    for round_ in range(12):
        items, ids = [], set()
        # New ones, and changes to ones it has.
        for i in range(rng.randint(1, 40)):
            if known and rng.random() < 0.5:
                ext = rng.choice(known)
            else:
                ext = "r%d-%d" % (round_, i)
            if ext in ids:
                continue
            ids.add(ext)
            items.append(expense(ext, receipt_status=rng.choice(RECEIPTS),
                                 export_status=rng.choice(EXPORTS),
                                 spent_at=rng.choice(DAYS),
                                 currency=rng.choice(["SEK", "SEK", "EUR"]),
                                 amount_minor=rng.randint(1, 99999)))
        # Some of the ones it has go, in the same batch.
        gone = [e for e in known if e not in ids and rng.random() < 0.1]
        items += [{"external_id": e, "deleted": True} for e in gone]
        api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
               f.integration.token, json={"expenses": items})
        known = sorted((set(known) | ids) - set(gone))
        assert_figures_hold(srv, c["id"])


def test_a_batch_that_finds_the_oldest_missing_receipt(api, srv):
    """The oldest missing receipt moves forward when the oldest is found,
    and back when an older one comes, all in one batch."""
    f = Firm(api, "sv")
    c = f.active("Äldstkvitto AB")
    api.ok("POST", "/v1/clients/%d/expenses" % c["id"], f.integration.token,
           json={"expenses": [expense("old", spent_at=DAYS[0]),
                              expense("mid", spent_at=DAYS[3])]})
    assert_figures_hold(srv, c["id"])
    api.ok("POST", "/v1/clients/%d/expenses" % c["id"], f.integration.token,
           json={"expenses": [expense("old", spent_at=DAYS[0],
                                      receipt_status="attached")]})
    kept = figures(srv, c["id"])[0]
    assert kept[0] == 1
    assert_figures_hold(srv, c["id"])
    api.ok("POST", "/v1/clients/%d/expenses" % c["id"], f.integration.token,
           json={"expenses": [expense("older", spent_at=DAYS[1]),
                              expense("mid", spent_at=DAYS[5])]})
    assert_figures_hold(srv, c["id"])


def test_a_refused_batch_changes_no_figure(api, srv):
    f = Firm(api, "sv")
    c = f.active("Avvisad Batch AB")
    api.ok("POST", "/v1/clients/%d/expenses" % c["id"], f.integration.token,
           json={"expenses": [expense("a"), expense("b",
                                                    export_status="ready")]})
    before = figures(srv, c["id"])
    r = api.post("/v1/clients/%d/expenses" % c["id"], f.integration.token,
                 json={"expenses": [expense("a", receipt_status="attached"),
                                    expense("c"),
                                    expense("d", currency="sek")]})
    assert r.status_code in (400, 422), r.text
    assert figures(srv, c["id"]) == before
    assert_figures_hold(srv, c["id"])
