"""The list rank of schema.sql (version 6), checked on the schema itself.

A search walks the trigram index by list rank, so the triggers that keep
the ranks must hold, after any sequence of inserts, renames and status
changes, that within each firm and status:
  - ranks are unique and order exactly like (sort_key, id);
  - they lie in one half of the group's range (a spread moves a whole
    group to its other half, so new ranks never meet old ones);
  - the index holds every client's current text under its current rank,
    so a search of a range finds what a scan of the table finds;
  - the grams index (version 14), keyed by firm, status, gram, sort key
    and id rather than by rank, holds every client's current grams under
    its current key, so a search of up to three characters finds what a
    scan finds too, in the list's order, through every spread.

The schema runs in SQLite through Python's sqlite3, the same library the
server links. Sort keys here are the names' bytes: the triggers compare
keys only as blobs, whatever made them.
"""
import datetime
import random
import sqlite3
import zoneinfo

import pytest

from conftest import REPO

# The ranks are SQLite's: its schema, its triggers, its FTS5 index.
pytestmark = pytest.mark.sqlite_only(
    "the list-rank triggers of the SQLite schema, run in SQLite itself")

STATUSES = ["invitation", "onboarding", "active", "declined", "rejected",
            "disconnected"]
QUERIES = ["abc", "dcc", "ccc", "hhh", "d00", "0001", "a 5", "556"]
SHORT_QUERIES = ["a", "d", "h", "0", " ", "ab", "dd", "c ", "h5", "zz",
                 "abc", "dcc", "a 5", "556", "d00"]


def schema_db():
    db = sqlite3.connect(":memory:", isolation_level=None)
    # The store's own function (common/sqlite/store.c), which version 14
    # calls to write the grams again.
    db.create_function("search_grams", 1, grams, deterministic=True)
    # And the one version 20 calls to give the expenses their months.
    db.create_function("local_month", 2, local_month, deterministic=True)
    db.executescript((REPO / "schema.sql").read_text())
    db.execute("INSERT INTO partners (id, name, created_at) "
               "VALUES (1, 'a', 0), (2, 'b', 0)")
    return db


def local_month(utc, zone):
    """common/tz.c's tz_month(): year * 100 + month of utc in zone."""
    d = datetime.datetime.fromtimestamp(utc, zoneinfo.ZoneInfo(zone))
    return d.year * 100 + d.month


def grams(text):
    """common/sqlite/grams.c's grams: every distinct run of one to three
    characters without a control character, in hex, by their bytes."""
    out = set()
    for i in range(len(text)):
        for g in {text[i], text[i:i + 2], text[i:i + 3]}:
            if all(ord(c) >= 32 and ord(c) != 127 for c in g):
                out.add(g.encode().hex())
    return " ".join(sorted(out))


def add(db, partner, name, status):
    db.execute(
        "INSERT INTO clients (partner_id, name, org_number, status, "
        "sort_key, search_text, search_grams, created_at, updated_at) "
        "VALUES (?, ?, '556', ?, ?, ?, ?, 0, 0)",
        (partner, name, status, name.encode(), name + " 556",
         grams(name + " 556")))


def rename(db, cid, name):
    db.execute("UPDATE clients SET name = ?, sort_key = ?, search_text = ?, "
               "search_grams = ? WHERE id = ?",
               (name, name.encode(), name + " 556", grams(name + " 556"),
                cid))


def check(db):
    rows = db.execute(
        "SELECT c.id, partner_id, status, sort_key, list_rank, code "
        "FROM clients c JOIN client_statuses USING (status)").fetchall()
    ranks = [r[4] for r in rows]
    assert None not in ranks, "a client without a rank"
    assert len(set(ranks)) == len(ranks), "two clients share a rank"
    groups = {}
    for r in rows:
        groups.setdefault((r[1], r[2]), []).append(r)
    spread = 0
    for (partner, status), g in groups.items():
        g.sort(key=lambda r: (r[3], r[0]))
        rk = [r[4] for r in g]
        assert rk == sorted(rk), ("ranks out of order", partner, status)
        assert len({x >> 35 for x in rk}) == 1, ("group in two halves",
                                                 partner, status)
        assert {x >> 36 for x in rk} == {partner << 4 | g[0][5]}
        spread += (rk[0] >> 35) & 1
        lo = (partner << 40) + (g[0][5] << 36)
        for q in QUERIES:
            found = [x[0] for x in db.execute(
                "SELECT rowid FROM clients_fts WHERE clients_fts MATCH ? "
                "AND rowid BETWEEN ? AND ? ORDER BY rowid",
                ('"%s"' % q, lo, lo + (1 << 36) - 1))]
            scan = sorted(x[0] for x in db.execute(
                "SELECT list_rank FROM clients WHERE partner_id = ? AND "
                "status = ? AND instr(search_text, ?) > 0",
                (partner, status, q)))
            assert found == scan, (q, partner, status)
        for q in SHORT_QUERIES:
            found = [x[0] for x in db.execute(
                "SELECT id FROM client_grams WHERE partner_id = ? AND "
                "status = ? AND gram = ? ORDER BY sort_key, id",
                (partner, status, q.encode().hex()))]
            scan = [x[0] for x in db.execute(
                "SELECT id FROM clients WHERE partner_id = ? AND "
                "status = ? AND instr(search_text, ?) > 0 "
                "ORDER BY sort_key, id", (partner, status, q))]
            assert found == scan, (q, partner, status)
    db.execute("INSERT INTO clients_fts (clients_fts, rank) "
               "VALUES ('integrity-check', 0)")
    # Nothing more in the grams index than the clients' grams.
    held = db.execute("SELECT count(*) FROM client_grams").fetchone()[0]
    want = sum(len(g.split()) for (g,) in db.execute(
        "SELECT search_grams FROM clients WHERE search_grams <> ''"))
    assert held == want
    return spread


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sqlite_ranks_hold_through_random_changes(seed):
    rnd = random.Random(seed)
    db = schema_db()
    crowd = 0
    spread_seen = 0

    def name():
        return "".join(rnd.choice("abcdefgh")
                       for _ in range(rnd.randint(1, 6)))

    for step in range(2500):
        # In id order: the plan's order would follow the indexes there are.
        ids = [x[0] for x in db.execute(
            "SELECT id FROM clients ORDER BY id")]
        r = rnd.random()
        if r < 0.45 or not ids:
            if rnd.random() < 0.3:
                # Each lands just after the last: halves one gap until
                # its neighbours touch and the group is spread.
                crowd += 1
                n = "dd%05d" % crowd
            else:
                n = name()
            add(db, rnd.choice([1, 2]), n, rnd.choice(STATUSES[:3]))
        elif r < 0.75:
            rename(db, rnd.choice(ids), name())
        elif r < 0.95:
            db.execute("UPDATE clients SET status = ? WHERE id = ?",
                       (rnd.choice(STATUSES), rnd.choice(ids)))
        else:
            db.execute("UPDATE clients SET missing_receipts = "
                       "missing_receipts + 1 WHERE id = ?", (rnd.choice(ids),))
        if step % 500 == 499:
            spread_seen += check(db)
    spread_seen += check(db)
    # The crowding above must have made groups spread, or this test
    # checked only the easy placements.
    assert spread_seen > 0


def test_sqlite_inserts_in_order_at_either_end():
    db = schema_db()
    for i in range(300):
        add(db, 1, "m%04d" % (1000 + i), "active")
        add(db, 1, "m%04d" % (999 - i), "active")
    check(db)


def test_sqlite_spread_of_a_crowded_gap_keeps_text_and_order():
    db = schema_db()
    add(db, 1, "a", "active")
    add(db, 1, "z", "active")
    for i in range(80):
        add(db, 1, "m%03d" % i, "active")
    # The second half holds the group once it has spread an odd number of
    # times; either way every rank was checked above and here.
    check(db)
    rows = db.execute("SELECT name FROM clients WHERE partner_id = 1 "
                      "ORDER BY list_rank").fetchall()
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_sqlite_a_crowded_gap_spreads_only_its_neighbourhood():
    """Two hundred clients in a row into one gap of a 2,000-client group
    spread the clients around them, not the whole group: the ranks of
    clients far from the gap do not move."""
    db = schema_db()
    for i in range(2000):
        add(db, 1, "c%05d" % (i * 10), "active")
    far = dict(db.execute("SELECT id, list_rank FROM clients "
                          "WHERE name < 'c05000' OR name > 'c15000'"))
    for i in range(200):
        add(db, 1, "c10000-%04d" % i, "active")
    check(db)
    assert dict(db.execute("SELECT id, list_rank FROM clients "
                           "WHERE id IN (%s)" % ",".join(map(str, far)))
                ) == far
