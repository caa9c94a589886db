"""The PostgreSQL schema (common/pg/schema.sql), on a throwaway cluster:
it applies once and is recorded; the triggers keep the counters, copies and
list rows in the transaction of the change; the ICU collations order names
as the SQLite build's list does; trigram search finds folded text, and
short searches stay correct; the outbox, digests, idempotency keys and
login attempts hold with several processes at once.

Rows are written with SQL here, as the store will: sort keys and folded
text come from PyICU, the ICU the C build links (common/collate.c)."""
import json
import random
import sqlite3
import threading

import pytest

import pg_helpers
from clients_helpers import Api, Firm, list_page, module_portal, names
from pg_helpers import (apply_schema, connect, drop_database, new_database,
                        schema_sections)

try:
    import icu
except ImportError:                     # pragma: no cover
    icu = None

try:
    import psycopg2
    import psycopg2.errors
except ImportError:                     # pragma: no cover
    psycopg2 = None

srv = module_portal()
# The cluster and this module's database, by name for pytest to find.
pg_cluster = pg_helpers.pg_cluster
pg_module_db = pg_helpers.pg_module_db

LOCALES = ["sv", "da", "nb", "en"]
NOW = 1767225600


@pytest.fixture(scope="module")
def conn(pg_module_db):
    c = connect(pg_module_db)
    apply_schema(c)
    yield c
    c.close()


@pytest.fixture
def cur(conn):
    with conn.cursor() as c:
        yield c


def sort_key(locale, name):
    """The key common/collate.c writes: ICU's, without its final zero."""
    coll = icu.Collator.createInstance(icu.Locale(locale))
    return coll.getSortKey(name).rstrip(b"\x00")


def fold(text):
    return str(icu.UnicodeString(text).foldCase())


class PgFirm:
    """A firm written with SQL, as the PostgreSQL store will write it."""

    _seq = iter(range(1, 10 ** 6))

    def __init__(self, cur, locale="sv"):
        self.cur = cur
        self.locale = locale
        cur.execute("INSERT INTO partners (name, locale, created_at) "
                    "VALUES (%s, %s, %s) RETURNING id",
                    ("Firm %d" % next(self._seq), locale, NOW))
        self.id = cur.fetchone()[0]

    def user(self, name="Bo", role="bookkeeper"):
        self.cur.execute(
            "INSERT INTO users (partner_id, email, name, role, "
            "password_hash, created_at, updated_at) VALUES "
            "(%s, %s, %s, %s, 'x', %s, %s) RETURNING id",
            (self.id, "u%d@firm.test" % next(self._seq), name, role, NOW,
             NOW))
        return self.cur.fetchone()[0]

    def client(self, name, status="active", org=None):
        org = org or "556%07d" % next(self._seq)
        self.cur.execute(
            "INSERT INTO clients (partner_id, name, org_number, status, "
            "sort_key, search_text, created_at, updated_at) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (self.id, name, org, status, sort_key(self.locale, name),
             fold(name + "\n" + org), NOW, NOW))
        return self.cur.fetchone()[0]

    def assign(self, client_id, *user_ids):
        for u in user_ids:
            # The copies come from the client, whatever is written here.
            self.cur.execute(
                "INSERT INTO assignments (client_id, user_id, created_at, "
                "partner_id, status, sort_key, missing_receipts) "
                "VALUES (%s, %s, %s, 0, '', '', 0) ON CONFLICT DO NOTHING",
                (client_id, u, NOW))

    def expenses(self, client_id, states, prefix="e"):
        """Upserts [(receipt, export), ...] in one statement."""
        self.cur.execute(
            "INSERT INTO expenses (client_id, external_id, amount_minor, "
            "currency, spent_at, merchant, receipt_status, export_status, "
            "created_at, updated_at) "
            "SELECT %s, x, 100, 'SEK', %s, 'Shop', r, e, %s, %s "
            "FROM unnest(%s::text[], %s::text[], %s::text[]) AS u (x, r, e) "
            "ON CONFLICT (client_id, external_id) DO UPDATE SET "
            "receipt_status = excluded.receipt_status, "
            "export_status = excluded.export_status",
            (client_id, NOW, NOW, NOW,
             ["%s-%d" % (prefix, i) for i in range(len(states))],
             [s[0] for s in states], [s[1] for s in states]))

    def counts(self, user_id=0):
        """{status: (clients, with_missing)} of the kept counters."""
        self.cur.execute(
            "SELECT status, clients, with_missing FROM client_counts "
            "WHERE partner_id = %s AND user_id = %s "
            "AND (clients <> 0 OR with_missing <> 0)", (self.id, user_id))
        return {s: (c, m) for s, c, m in self.cur.fetchall()}

    def client_figures(self, client_id):
        self.cur.execute("SELECT missing_receipts, export_ready FROM clients "
                         "WHERE id = %s", (client_id,))
        return self.cur.fetchone()


@pytest.fixture(autouse=True)
def _needs_icu():
    if icu is None:
        pytest.skip("PyICU is not installed (python3-icu)")


# --------------------------------------------------------------------------
# Applying the schema

def catalog(cur):
    """What the schema made: tables and columns, indexes, constraints,
    triggers and functions, as text to compare."""
    cur.execute("""
        SELECT 'column', table_name || '.' || column_name || ' ' ||
               data_type || ' ' || coalesce(collation_name, '')
        FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL SELECT 'index', indexdef FROM pg_indexes
        WHERE schemaname = 'public'
        UNION ALL SELECT 'constraint', conrelid::regclass || ' ' ||
               pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT 'trigger', pg_get_triggerdef(oid) FROM pg_trigger
        WHERE NOT tgisinternal
        UNION ALL SELECT 'function', p.proname || ' ' || md5(p.prosrc)
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
        ORDER BY 1, 2""")
    return cur.fetchall()


def test_schema_applies_to_an_empty_database_and_records_each_version(
        pg_cluster):
    uri = new_database(pg_cluster, "empty")
    try:
        c = connect(uri)
        versions = [v for v, _ in schema_sections()[1]]
        assert apply_schema(c) == versions
        with c.cursor() as cur:
            cur.execute("SELECT version FROM schema_version ORDER BY 1")
            assert [r[0] for r in cur.fetchall()] == versions
            cur.execute("SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema = 'public' AND table_name IN "
                        "('partners', 'users', 'clients', 'assignments', "
                        "'client_counts', 'expenses', 'outbox', 'digests', "
                        "'idempotency_keys', 'login_attempts', 'reminders', "
                        "'reminder_recipients', 'audit_events', "
                        "'notification_preferences')")
            assert cur.fetchone()[0] == 14
            cur.execute("SELECT extname FROM pg_extension ORDER BY 1")
            assert "pg_trgm" in {r[0] for r in cur.fetchall()}
        c.close()
    finally:
        drop_database(pg_cluster, uri)


def test_processes_applying_the_schema_at_once_apply_each_version_once(
        pg_cluster):
    uri = new_database(pg_cluster, "race")
    results, errors = [], []

    def migrate():
        try:
            c = connect(uri)
            results.append(apply_schema(c))
            c.close()
        except Exception as e:          # reported below
            errors.append(e)

    try:
        threads = [threading.Thread(target=migrate) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        versions = [v for v, _ in schema_sections()[1]]
        # Each version takes the lock on its own, so one process may apply
        # version 1 and another version 2: each is applied once, in order.
        assert sorted(v for r in results for v in r) == versions
        assert all(r == sorted(r) for r in results)
    finally:
        drop_database(pg_cluster, uri)


def test_applying_the_schema_again_changes_nothing(conn, cur):
    before = catalog(cur)
    cur.execute("SELECT version, applied_at FROM schema_version ORDER BY 1")
    recorded = cur.fetchall()
    assert apply_schema(conn) == []
    assert catalog(cur) == before
    cur.execute("SELECT version, applied_at FROM schema_version ORDER BY 1")
    assert cur.fetchall() == recorded


def test_version_2_numbers_the_reminders_written_before_it(pg_cluster):
    """Each reminder's number among its client's and among its sender's,
    in the order of (created_at, id), whatever order the ids came in."""
    uri = new_database(pg_cluster, "numbers")
    try:
        c = connect(uri)
        text = pg_helpers.PG_SCHEMA.read_text()
        assert apply_schema(c, text[:text.index("\n-- version 2\n")]) \
            == [1]
        with c.cursor() as cur:
            f = PgFirm(cur)
            s1, s2 = f.user("Anna", "admin"), f.user("Arne", "admin")
            a, b = f.client("Alfa"), f.client("Beta")
            rows = [(a, s1, NOW + 5), (b, s1, NOW), (a, s2, NOW),
                    (a, s1, NOW), (b, s2, NOW + 5), (a, s1, NOW + 5)]
            ids = []
            for client, sender, at in rows:
                cur.execute("INSERT INTO reminders (partner_id, client_id, "
                            "sender_id, tasks, created_at) VALUES "
                            "(%s, %s, %s, '[]', %s) RETURNING id",
                            (f.id, client, sender, at))
                ids.append(cur.fetchone()[0])
        c.commit()
        assert apply_schema(c) == [v for v, _ in schema_sections()[1]][1:]
        with c.cursor() as cur:
            cur.execute("SELECT id, client_seq, sender_seq FROM reminders")
            got = {i: (cs, ss) for i, cs, ss in cur.fetchall()}
        # a: ids[2], ids[3] (NOW), ids[0], ids[5] (NOW + 5);
        # s1: ids[1], ids[3] (NOW), ids[0], ids[5] (NOW + 5).
        assert got == {ids[0]: (3, 3), ids[1]: (1, 1), ids[2]: (1, 1),
                       ids[3]: (2, 2), ids[4]: (2, 2), ids[5]: (4, 4)}
        c.close()
    finally:
        drop_database(pg_cluster, uri)


# --------------------------------------------------------------------------
# Counters kept by triggers

def recount(cur, partner_id):
    """The counters as the base tables say they should be."""
    cur.execute("""
        SELECT 0, status, count(*), count(*) FILTER (WHERE m > 0)
        FROM (SELECT c.status, (SELECT count(*) FROM expenses e
              WHERE e.client_id = c.id AND e.receipt_status = 'missing') m
              FROM clients c WHERE c.partner_id = %(p)s) x GROUP BY status
        UNION ALL
        SELECT a.user_id, c.status, count(*),
               count(*) FILTER (WHERE c.missing_receipts > 0)
        FROM assignments a JOIN clients c ON c.id = a.client_id
        WHERE c.partner_id = %(p)s GROUP BY a.user_id, c.status""",
                {"p": partner_id})
    want = {}
    for user, status, n, m in cur.fetchall():
        want.setdefault(user, {})[status] = (n, m)
    return want


def kept(cur, partner_id):
    cur.execute("SELECT user_id, status, clients, with_missing "
                "FROM client_counts WHERE partner_id = %s "
                "AND (clients <> 0 OR with_missing <> 0)", (partner_id,))
    got = {}
    for user, status, n, m in cur.fetchall():
        got.setdefault(user, {})[status] = (n, m)
    return got


def test_firm_and_assignee_counters_follow_client_inserts_and_status_changes(
        cur):
    f = PgFirm(cur)
    b = f.user("Berit")
    a = f.client("Alfa", "invitation")
    c = f.client("Beta", "onboarding")
    f.assign(c, b)
    assert f.counts() == {"invitation": (1, 0), "onboarding": (1, 0)}
    assert f.counts(b) == {"onboarding": (1, 0)}
    cur.execute("UPDATE clients SET status = 'active' WHERE id IN (%s, %s)",
                (a, c))
    assert f.counts() == {"active": (2, 0)}
    assert f.counts(b) == {"active": (1, 0)}
    # Not a status change: the counters stay as they are.
    cur.execute("UPDATE clients SET name = 'Alfa 2', balance_minor = 5 "
                "WHERE id = %s", (a,))
    assert f.counts() == {"active": (2, 0)}


def test_missing_receipt_counts_follow_expense_inserts_updates_and_deletes(
        cur):
    f = PgFirm(cur)
    b = f.user()
    c = f.client("Gamma")
    f.assign(c, b)
    f.expenses(c, [("missing", "pending"), ("missing", "ready"),
                   ("attached", "ready")])
    assert f.client_figures(c) == (2, 2)
    assert f.counts() == {"active": (1, 1)}
    assert f.counts(b) == {"active": (1, 1)}
    # The same batch again, now with receipts: the upsert updates.
    f.expenses(c, [("attached", "pending"), ("attached", "ready"),
                   ("attached", "exported")])
    assert f.client_figures(c) == (0, 1)
    assert f.counts() == {"active": (1, 0)}
    assert f.counts(b) == {"active": (1, 0)}
    cur.execute("UPDATE expenses SET receipt_status = 'missing' "
                "WHERE client_id = %s AND external_id = 'e-0'", (c,))
    assert f.client_figures(c) == (1, 1)
    assert f.counts(b) == {"active": (1, 1)}
    cur.execute("DELETE FROM expenses WHERE client_id = %s "
                "AND external_id IN ('e-0', 'e-1')", (c,))
    assert f.client_figures(c) == (0, 0)
    assert f.counts() == {"active": (1, 0)}


def test_a_batch_of_a_thousand_expenses_updates_its_client_once(cur):
    f = PgFirm(cur)
    c = f.client("Delta")
    f.expenses(c, [("missing", "ready")] * 1000)
    assert f.client_figures(c) == (1000, 1000)
    # Row updates counted within one transaction: the statement's.
    stat = ("SELECT n_tup_upd FROM pg_stat_xact_user_tables "
            "WHERE relname = 'clients'")
    cur.execute("BEGIN")
    cur.execute(stat)
    before = cur.fetchone()[0]
    f.expenses(c, [("attached", "ready")] * 1000, prefix="b")
    cur.execute(stat)
    updates = cur.fetchone()[0] - before
    cur.execute("COMMIT")
    assert updates == 1
    assert f.client_figures(c) == (1000, 2000)


def test_counters_follow_assignment_and_client_deletes(cur):
    f = PgFirm(cur)
    b1, b2 = f.user("Ulla"), f.user("Åsa")
    c = f.client("Epsilon", "onboarding")
    f.assign(c, b1, b2)
    f.expenses(c, [("missing", "pending")])
    assert f.counts(b1) == f.counts(b2) == {"onboarding": (1, 1)}
    cur.execute("DELETE FROM assignments WHERE client_id = %s "
                "AND user_id = %s", (c, b1))
    assert f.counts(b1) == {}
    assert f.counts(b2) == {"onboarding": (1, 1)}
    cur.execute("DELETE FROM assignments WHERE client_id = %s", (c,))
    cur.execute("DELETE FROM expenses WHERE client_id = %s", (c,))
    cur.execute("DELETE FROM clients WHERE id = %s", (c,))
    assert f.counts() == {} and f.counts(b2) == {}


def test_assignment_copies_follow_the_client(cur):
    f = PgFirm(cur)
    b = f.user()
    c = f.client("Zeta", "onboarding")
    f.assign(c, b)
    cur.execute("UPDATE clients SET status = 'active', sort_key = %s "
                "WHERE id = %s", (sort_key("sv", "Åsa"), c))
    f.expenses(c, [("missing", "pending")] * 3)
    cur.execute("SELECT a.partner_id, a.status, a.sort_key, "
                "a.missing_receipts = c.missing_receipts FROM assignments a "
                "JOIN clients c ON c.id = a.client_id WHERE a.client_id = %s",
                (c,))
    partner, status, key, same = cur.fetchone()
    assert (partner, status, bytes(key), same) == (
        f.id, "active", sort_key("sv", "Åsa"), True)


def test_counters_equal_a_recount_after_random_changes(cur):
    rnd = random.Random(12)
    f = PgFirm(cur)
    users = [f.user("U%d" % i) for i in range(4)]
    statuses = ["invitation", "onboarding", "active", "declined",
                "rejected", "disconnected"]
    clients = [f.client("C%d" % i, rnd.choice(statuses)) for i in range(12)]
    for step in range(150):
        c = rnd.choice(clients)
        op = rnd.randrange(5)
        if op == 0:
            cur.execute("UPDATE clients SET status = %s WHERE id = %s",
                        (rnd.choice(statuses), c))
        elif op == 1:
            f.assign(c, rnd.choice(users))
        elif op == 2:
            cur.execute("DELETE FROM assignments WHERE client_id = %s AND "
                        "user_id = %s", (c, rnd.choice(users)))
        elif op == 3:
            f.expenses(c, [(rnd.choice(["missing", "attached"]),
                            rnd.choice(["pending", "ready"]))
                           for _ in range(rnd.randrange(1, 4))],
                       prefix="s%d" % rnd.randrange(3))
        else:
            cur.execute("DELETE FROM expenses WHERE id = (SELECT id FROM "
                        "expenses WHERE client_id = %s LIMIT 1)", (c,))
    assert kept(cur, f.id) == recount(cur, f.id)
    cur.execute("SELECT count(*) FROM clients c WHERE c.partner_id = %s AND "
                "c.missing_receipts <> (SELECT count(*) FROM expenses e "
                "WHERE e.client_id = c.id AND e.receipt_status = 'missing')",
                (f.id,))
    assert cur.fetchone()[0] == 0


# --------------------------------------------------------------------------
# The list's row

TRICKY_TEXT = ['Plain AB', 'Quote "AB"', 'Back\\slash', 'Slash/AB',
               'Åkesson Ørsted', 'Emoji \U0001F600 AB', 'Tab-free é',
               "Apostrophe's"]


def test_list_json_is_byte_for_byte_what_sqlite_json_object_writes(cur):
    f = PgFirm(cur)
    users = [f.user(n) for n in TRICKY_TEXT[:4]]
    # A low-balance line and a count of none: the rows carry alerts.
    cur.execute("INSERT INTO balance_thresholds (partner_id, currency, "
                "amount_minor) VALUES (%s, 'EUR', -2000)", (f.id,))
    cur.execute("UPDATE partners SET missing_receipts_above = 0 "
                "WHERE id = %s", (f.id,))
    lite = sqlite3.connect(":memory:")
    for i, name in enumerate(TRICKY_TEXT):
        c = f.client(name)
        f.assign(c, *users[:i % 5])
        cur.execute("UPDATE clients SET balance_minor = %s, currency = 'EUR', "
                    "missing_receipts = %s WHERE id = %s",
                    (-1250 * i, i % 2, c))
        if i % 2:
            cur.execute("UPDATE users SET active = false WHERE id = %s",
                        (users[0],))
        else:
            cur.execute("UPDATE users SET active = true WHERE id = %s",
                        (users[0],))
        cur.execute("SELECT id, name, org_number, status, balance_minor, "
                    "currency, missing_receipts, export_ready, list_json, "
                    "alerts, created_at, onboarding_since FROM clients "
                    "WHERE id = %s", (c,))
        row = cur.fetchone()
        cur.execute("SELECT u.id, u.name, u.role FROM assignments a "
                    "JOIN users u ON u.id = a.user_id "
                    "WHERE a.client_id = %s AND u.active", (c,))
        assignees = cur.fetchall()
        lite.execute("CREATE TEMP TABLE IF NOT EXISTS a (id, name, role)")
        lite.execute("DELETE FROM a")
        lite.executemany("INSERT INTO a VALUES (?, ?, ?)", assignees)
        (assignees_json,) = lite.execute(
            "SELECT json_group_array(json_object('id', id, 'name', name, "
            "'role', role)) FROM (SELECT id, name, role FROM a "
            "ORDER BY name, id)").fetchone()
        # The alerts as schema.sql's list_json names them, in bit order.
        names = [n for bit, n in ((1, "low_balance"),
                                  (2, "many_missing_receipts"),
                                  (4, "old_missing_receipts"))
                 if row[9] & bit]
        (want,) = lite.execute(
            "SELECT json_object('id', ?, 'name', ?, 'org_number', ?, "
            "'status', ?, 'balance', json_object('amount_minor', ?, "
            "'currency', ?), 'missing_receipts', ?, 'export_ready', ?, "
            "'assignees', json(?), 'alerts', json(?), 'invited_at', "
            "strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch'), "
            "'onboarding_since', strftime('%Y-%m-%dT%H:%M:%SZ', ?, "
            "'unixepoch'))",
            row[:8] + (assignees_json, json.dumps(names)) +
            row[10:12]).fetchone()
        assert row[8] == want
        if i > 1:
            assert "low_balance" in names, row
        json.loads(row[8])
    lite.close()


# --------------------------------------------------------------------------
# The firm's collation

TRICKY_NAMES = [
    "Åkesson", "Ärlig", "Öberg", "Ørsted", "Æble", "Østergaard", "Ängel",
    "Ådal", "Ödla", "Übel", "Aaron", "Aalborg Bygg", "Zorro AB", "Alfa",
    "alfa", "ALFA", "Alfa", "Émile", "Emil", "Eve", "Ève", "Yngve", "Vera",
    "Waldemar", "AB 10", "AB 2", "AB 1", "A B", "AB", "A-B", "Ab",
    "van der Berg", "Van Der Berg", "Straße", "Strasse", "1st Choice",
    "10 Gruppen", "2 Bröder", "Łukasz", "Ñandú", "Çelik",
]


@pytest.fixture(scope="module")
def sqlite_orders(srv):
    """The list order of TRICKY_NAMES per locale, from the real portal-api
    on SQLite: one firm per locale, every name a client of it."""
    api = Api(srv)
    orders = {}
    try:
        for loc in LOCALES:
            f = Firm(api, loc)
            for n in TRICKY_NAMES:
                f.active(n)
            rows = list_page(api, f.admin.token, tab="all",
                             limit=200)["data"]
            orders[loc] = names(rows)
    finally:
        api.close()
    return orders


@pytest.mark.parametrize("locale", LOCALES)
def test_icu_collation_orders_names_as_the_sqlite_build_does(
        cur, sqlite_orders, locale):
    want = sqlite_orders[locale]
    assert sorted(want) == sorted(TRICKY_NAMES)
    cur.execute('SELECT n FROM unnest(%%s::text[]) AS n '
                'ORDER BY n COLLATE "%s-x-icu"' % locale, (TRICKY_NAMES,))
    assert [r[0] for r in cur.fetchall()] == want


@pytest.mark.parametrize("locale", LOCALES)
def test_sort_key_column_orders_the_list_as_the_sqlite_build_does(
        cur, sqlite_orders, locale):
    f = PgFirm(cur, locale)
    for n in TRICKY_NAMES:
        f.client(n, "onboarding")
    cur.execute("SELECT name FROM clients WHERE partner_id = %s "
                "AND status = 'onboarding' ORDER BY sort_key, id", (f.id,))
    assert [r[0] for r in cur.fetchall()] == sqlite_orders[locale]


# A page of each order from its cursor, and the index that walks it.
KEYSET_PAGES = {
    "clients_list_by_name":
        "SELECT id, list_json FROM clients WHERE partner_id = %(p)s "
        "AND status = 'active' AND (sort_key, id) > (%(k)s, %(i)s) "
        "ORDER BY sort_key, id LIMIT 50",
    "clients_list_by_missing":
        "SELECT id, list_json FROM clients WHERE partner_id = %(p)s "
        "AND status = 'active' AND (missing_receipts, sort_key, id) > "
        "(%(m)s, %(k)s, %(i)s) ORDER BY missing_receipts, sort_key, id "
        "LIMIT 50",
    # Most missing first: the rest of the cursor's count, then the rest.
    "clients_list_by_missing_desc":
        "SELECT id, list_json FROM clients WHERE partner_id = %(p)s "
        "AND status = 'active' AND missing_receipts < %(m)s "
        "ORDER BY missing_receipts DESC, sort_key, id LIMIT 50",
    "assignments_by_name":
        "SELECT a.client_id, c.list_json FROM assignments a "
        "JOIN clients c ON c.id = a.client_id WHERE a.user_id = %(u)s "
        "AND a.status = 'active' AND (a.sort_key, a.client_id) > "
        "(%(k)s, %(i)s) ORDER BY a.sort_key, a.client_id LIMIT 50",
}


@pytest.fixture(scope="module")
def paging_firm(conn):
    with conn.cursor() as cur:
        f = PgFirm(cur)
        f.bookkeeper = f.user()
        for i in range(300):
            c = f.client("Klient %03d" % i)
            f.assign(c, f.bookkeeper)
        cur.execute("ANALYZE")
    return f


@pytest.mark.parametrize("index", sorted(KEYSET_PAGES))
def test_each_list_order_pages_by_index_from_a_keyset_cursor(
        cur, paging_firm, index):
    f = paging_firm
    cur.execute("SET enable_seqscan = off")
    try:
        cur.execute("EXPLAIN " + KEYSET_PAGES[index], {
            "p": f.id, "u": f.bookkeeper, "k": sort_key("sv", "Klient 100"),
            "i": 0, "m": 1})
        plan = "\n".join(r[0] for r in cur.fetchall())
    finally:
        cur.execute("RESET enable_seqscan")
    assert index in plan and "Sort" not in plan, plan


# --------------------------------------------------------------------------
# Search

def search(cur, partner_id, q, status="active"):
    """A search as the store will run it: trigrams from three characters,
    strpos() below that; the names found, sorted."""
    q = fold(q)
    if len(q) >= 3:
        cond = "search_text LIKE search_pattern(%s)"
    else:
        cond = "strpos(search_text, %s) > 0"
    cur.execute("SELECT name FROM clients WHERE partner_id = %s "
                "AND status = %s AND " + cond, (partner_id, status, q))
    return sorted(r[0] for r in cur.fetchall())


SEARCH_NAMES = ["Åkesson Bygg", "Bråkesson", "Lake AB", "Öst & Väst",
                "Straße Co", "50% Rabatt", "A_B Konsult", "AxB Konsult",
                "Back\\slash", "Ab", "Zeta"]


@pytest.fixture(scope="module")
def search_firm(conn):
    with conn.cursor() as cur:
        f = PgFirm(cur)
        for n in SEARCH_NAMES:
            f.client(n, org="5560000000")
        # Another firm's clients never match.
        other = PgFirm(cur)
        other.client("Åkesson Annan")
    return f


@pytest.mark.parametrize("q", ["åke", "ÅKE", "Åkesson", "kesson", "ake",
                               "strasse", "STRASSE", "ß", "ö", "å", "ab",
                               "a", "50%", "%", "a_b", "_", "\\", "k\\s",
                               "ck\\sl", "556000", "zz", "x"])
def test_a_search_finds_exactly_the_names_whose_folded_text_holds_it(
        cur, search_firm, q):
    want = sorted(n for n in SEARCH_NAMES
                  if fold(q) in fold(n + "\n5560000000"))
    assert search(cur, search_firm.id, q) == want


def test_ake_finds_akesson_and_a_two_letter_search_works(cur, search_firm):
    assert search(cur, search_firm.id, "åke") == ["Bråkesson",
                                                  "Åkesson Bygg"]
    assert search(cur, search_firm.id, "Ab") == ["50% Rabatt", "Ab",
                                                 "Lake AB"]
    # The trigram form is correct for short searches too, only slower.
    cur.execute("SELECT name FROM clients WHERE partner_id = %s "
                "AND search_text LIKE search_pattern('ab') ORDER BY name",
                (search_firm.id,))
    assert [r[0] for r in cur.fetchall()] == ["50% Rabatt", "Ab", "Lake AB"]


def test_a_three_letter_search_is_answered_from_the_trigram_index(cur):
    f = PgFirm(cur)
    cur.execute(
        "INSERT INTO clients (partner_id, name, org_number, status, "
        "sort_key, search_text, created_at, updated_at) "
        "SELECT %s, 'Filler ' || i, 'x', 'active', '\\x00'::bytea, "
        "'filler ' || md5(i::text), 0, 0 FROM generate_series(1, 3000) i",
        (f.id,))
    f.client("Åkesson")
    cur.execute("ANALYZE clients")
    cur.execute("EXPLAIN SELECT id FROM clients WHERE partner_id = %s "
                "AND status = 'active' "
                "AND search_text LIKE search_pattern(%s)", (f.id, "åke"))
    plan = "\n".join(r[0] for r in cur.fetchall())
    assert "clients_search" in plan, plan
    assert search(cur, f.id, "åke") == ["Åkesson"]


# --------------------------------------------------------------------------
# Outbox, digests, idempotency keys, login attempts: several processes

CLAIM = """
    UPDATE outbox SET status = 'sending', attempts = attempts + 1,
        next_attempt_at = %(lease)s
    WHERE id = (SELECT id FROM outbox
        WHERE status IN ('queued', 'sending') AND next_attempt_at <= %(now)s
        ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id"""


def queue_mail(cur, user_id, n, kind="reminder"):
    ids = []
    for _ in range(n):
        cur.execute("INSERT INTO outbox (kind, user_id, recipient, payload, "
                    "message_id, next_attempt_at, created_at) VALUES "
                    "(%s, %s, 'a@b.test', '{\"clients\": []}', "
                    "gen_random_uuid()::text, %s, %s) RETURNING id",
                    (kind, user_id, NOW, NOW))
        ids.append(cur.fetchone()[0])
    return ids


def test_outbox_claims_skip_rows_another_worker_holds(pg_module_db, conn,
                                                      cur):
    f = PgFirm(cur)
    u = f.user()
    cur.execute("UPDATE outbox SET status = 'sent' "
                "WHERE status IN ('queued', 'sending')")
    queued = queue_mail(cur, u, 3)
    w1, w2 = connect(pg_module_db, False), connect(pg_module_db, False)
    try:
        c1, c2 = w1.cursor(), w2.cursor()
        # The second worker must not wait for the first.
        c2.execute("SET lock_timeout = '2s'")
        c1.execute(CLAIM, {"lease": NOW + 60, "now": NOW})
        c2.execute(CLAIM, {"lease": NOW + 60, "now": NOW})
        a, b = c1.fetchone()[0], c2.fetchone()[0]
        assert a == queued[0] and b == queued[1]
        w1.commit()
        w2.commit()
    finally:
        w1.close()
        w2.close()
    cur.execute("SET enable_seqscan = off")
    try:
        cur.execute("EXPLAIN " + CLAIM, {"lease": NOW, "now": NOW})
        plan = "\n".join(r[0] for r in cur.fetchall())
    finally:
        cur.execute("RESET enable_seqscan")
    assert "outbox_due" in plan, plan


def test_a_second_digest_for_the_same_user_frequency_and_period_is_refused(
        cur):
    f = PgFirm(cur)
    u = f.user()
    sql = ("INSERT INTO digests (user_id, frequency, period, slot_at, "
           "status, clients, created_at) VALUES "
           "(%s, 'weekly', '2026-W01', %s, 'skipped', 0, %s) ")
    cur.execute(sql + "ON CONFLICT DO NOTHING RETURNING id", (u, NOW, NOW))
    assert cur.fetchone() is not None
    cur.execute(sql + "ON CONFLICT DO NOTHING RETURNING id", (u, NOW, NOW))
    assert cur.fetchone() is None
    with pytest.raises(psycopg2.errors.UniqueViolation):
        cur.execute(sql, (u, NOW, NOW))
    cur.execute(sql.replace("2026-W01", "2026-W02"), (u, NOW, NOW))


def test_a_repeated_idempotency_key_waits_for_the_first_and_replays_it(
        pg_module_db, cur):
    f = PgFirm(cur)
    u = f.user()
    claim = ("INSERT INTO idempotency_keys (user_id, key, request_hash, "
             "created_at) VALUES (%s, 'k1', 'h', %s) "
             "ON CONFLICT DO NOTHING RETURNING 1")
    first, second = connect(pg_module_db, False), connect(pg_module_db, False)
    seen = {}

    def repeat():
        with second.cursor() as c:
            c.execute(claim, (u, NOW))
            seen["claimed"] = c.fetchone() is not None
            c.execute("SELECT status, body FROM idempotency_keys "
                      "WHERE user_id = %s AND key = 'k1'", (u,))
            status, body = c.fetchone()
            seen["answer"] = (status, bytes(body))
        second.commit()

    try:
        with first.cursor() as c:
            c.execute(claim, (u, NOW))
            assert c.fetchone() is not None
            t = threading.Thread(target=repeat)
            t.start()
            t.join(0.5)
            assert t.is_alive(), "the repeat did not wait for the first"
            c.execute("UPDATE idempotency_keys SET status = 201, "
                      "body = 'done' WHERE user_id = %s AND key = 'k1'", (u,))
        first.commit()
        t.join(10)
        assert seen == {"claimed": False, "answer": (201, b"done")}
    finally:
        first.close()
        second.close()


LOGIN_CLAIM = """
    INSERT INTO login_attempts (email, source, attempts, window_end)
    VALUES (%(email)s, '*', 1, %(now)s + 60)
    ON CONFLICT (email, source) DO UPDATE SET
        attempts = CASE WHEN login_attempts.window_end <= %(now)s THEN 1
            ELSE login_attempts.attempts + 1 END,
        window_end = CASE WHEN login_attempts.window_end <= %(now)s
            OR login_attempts.attempts + 1 >= 1000
            THEN %(now)s + 60 ELSE login_attempts.window_end END"""


def test_login_attempts_from_parallel_processes_are_all_counted(
        pg_module_db, cur):
    email = "guess-%d@firm.test" % random.randrange(10 ** 9)
    errors = []

    def guesser():
        try:
            c = connect(pg_module_db)
            with c.cursor() as k:
                for _ in range(25):
                    k.execute(LOGIN_CLAIM, {"email": email, "now": NOW})
            c.close()
        except Exception as e:          # reported below
            errors.append(e)

    threads = [threading.Thread(target=guesser) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    cur.execute("SELECT attempts FROM login_attempts WHERE email = %s "
                "AND source = '*'", (email,))
    assert cur.fetchone()[0] == 150
