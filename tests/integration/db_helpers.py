"""A test's own look at a portal's database, whichever backend runs it.

The suite runs against the backend PORTAL_TEST_BACKEND names (conftest);
a portal's PORTAL_DB is then an SQLite file or a postgresql:// URI. A test
that reads or writes rows itself (what no route shows, or a row from
before a rule) opens the database with `connect(env)` and gets a `Db`:

    with connect(p.env, readonly=True) as db:
        n = db.one("SELECT count(*) FROM outbox WHERE status = ?",
                   ("sent",))[0]
    with connect(p.env) as db, db.transaction():
        uid = db.insert("INSERT INTO users (...) VALUES (?, ...)", (...))

SQL is written once, with `?` placeholders, in the subset both backends
take: booleans compared with TRUE/FALSE or passed as Python bools, no
instr()/PRAGMA/sqlite_master (`tables()` and `columns()` answer what
those were used for). Each statement is its own transaction unless it is
inside `transaction()`, which reads one snapshot on both backends.

What only one backend has (SQLite's write lock and PRAGMAs) stays with
the tests that are about it: they are marked `sqlite_only` (conftest).
"""
import os
import sqlite3
from contextlib import contextmanager

try:
    import psycopg2
    import psycopg2.extensions
except ImportError:                     # pragma: no cover
    psycopg2 = None

BACKENDS = ("sqlite", "postgresql")


def suite_backend():
    """The backend the suite runs against: PORTAL_TEST_BACKEND, or
    sqlite when it is unset."""
    name = os.environ.get("PORTAL_TEST_BACKEND", "") or "sqlite"
    if name not in BACKENDS:
        raise ValueError("PORTAL_TEST_BACKEND=%r: expected one of %s"
                         % (name, ", ".join(BACKENDS)))
    return name


def backend_of(target):
    """"postgresql" when target (an environment or a PORTAL_DB value) is
    a PostgreSQL URI, as the programs decide; "sqlite" otherwise."""
    value = target["PORTAL_DB"] if isinstance(target, dict) else target
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    return "sqlite"


def _qmark_to_format(sql):
    """sql with each `?` outside quotes as `%s` and each `%` doubled, for
    psycopg2's placeholder style."""
    out = []
    quote = None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


def _bytea_as_bytes(conn):
    """bytea read as bytes (as SQLite's blobs are), not memoryview, so
    that rows compare and print alike."""
    def cast(value, cur):
        raw = psycopg2.BINARY(value, cur)
        return None if raw is None else bytes(raw)
    t = psycopg2.extensions.new_type(psycopg2.BINARY.values, "BYTES", cast)
    psycopg2.extensions.register_type(t, conn)


class Db:
    """One DB-API connection with `?` placeholders; closed by `with`.
    timeout is SQLite's busy timeout, PostgreSQL's connect timeout."""

    def __init__(self, target, readonly=False, timeout=30):
        value = target["PORTAL_DB"] if isinstance(target, dict) else target
        self.backend = backend_of(value)
        self.readonly = readonly
        if self.backend == "sqlite":
            if readonly:
                self.conn = sqlite3.connect("file:%s?mode=ro" % value,
                                            uri=True, timeout=timeout,
                                            isolation_level=None)
            else:
                self.conn = sqlite3.connect(value, timeout=timeout,
                                            isolation_level=None)
        else:
            if psycopg2 is None:
                raise RuntimeError("python3-psycopg2 is missing: run "
                                   "scripts/install-deps")
            options = ("-c default_transaction_read_only=on"
                       if readonly else None)
            # libpq waits for ever on 0.
            self.conn = psycopg2.connect(value, options=options,
                                         connect_timeout=max(2, int(timeout)))
            self.conn.autocommit = True
            _bytea_as_bytes(self.conn)
        self._in_tx = False

    # -- statements ---------------------------------------------------------
    def execute(self, sql, params=()):
        """Runs one statement; its cursor (iterate it, or fetchone/
        fetchall)."""
        params = tuple(params)
        if self.backend == "sqlite":
            return self.conn.execute(sql, params)
        cur = self.conn.cursor()
        if params:
            cur.execute(_qmark_to_format(sql), params)
        else:               # psycopg2 leaves sql as it is: no % to double
            cur.execute(sql)
        return cur

    def executemany(self, sql, seq):
        seq = [tuple(p) for p in seq]
        if self.backend == "sqlite":
            return self.conn.executemany(sql, seq)
        cur = self.conn.cursor()
        cur.executemany(_qmark_to_format(sql), seq)
        return cur

    def rows(self, sql, params=()):
        """Every row of a query, as tuples."""
        return [tuple(r) for r in self.execute(sql, params).fetchall()]

    def one(self, sql, params=()):
        """The first row of a query, or None."""
        r = self.execute(sql, params).fetchone()
        return None if r is None else tuple(r)

    def insert(self, sql, params=()):
        """Runs an INSERT of one row and returns its id (RETURNING id:
        SQLite since 3.35 and PostgreSQL both take it)."""
        return self.execute(sql + " RETURNING id", params).fetchone()[0]

    # -- transactions -------------------------------------------------------
    def begin(self):
        """Opens a transaction that reads one snapshot: SQLite's deferred
        BEGIN (the snapshot of its first read), PostgreSQL's REPEATABLE
        READ (its default, READ COMMITTED, reads a new one per
        statement)."""
        self.execute("BEGIN" if self.backend == "sqlite" else
                     "BEGIN ISOLATION LEVEL REPEATABLE READ")
        self._in_tx = True

    def commit(self):
        self.execute("COMMIT")
        self._in_tx = False

    def rollback(self):
        self.execute("ROLLBACK")
        self._in_tx = False

    @contextmanager
    def transaction(self):
        """Commits what the block did, or rolls it back on an exception
        (a read-only connection always rolls back)."""
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        if self.readonly:
            self.rollback()
        else:
            self.commit()

    # -- the catalogue ------------------------------------------------------
    def tables(self):
        """The names of the tables that hold rows (not SQLite's virtual
        tables, which are read through their shadow tables), sorted."""
        if self.backend == "sqlite":
            sql = ("SELECT name FROM sqlite_master WHERE type = 'table' "
                   "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
        else:
            sql = ("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = current_schema() AND table_type = "
                   "'BASE TABLE' ORDER BY table_name")
        return [r[0] for r in self.execute(sql)]

    def columns(self, table):
        """The column names of table, as a set."""
        if self.backend == "sqlite":
            return {r[1] for r in self.execute(
                'PRAGMA table_info("%s")' % table.replace('"', '""'))}
        return {r[0] for r in self.execute(
            "SELECT column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND table_name = ?", (table,))}

    def integrity(self):
        """(problems of the stored data, foreign keys not holding): on
        SQLite its integrity_check and foreign_key_check; PostgreSQL
        checks foreign keys at each statement, so there every table is
        read through, and a foreign key it was told not to check (NOT
        VALID) is one not holding. [("ok",)] and [] when all is well."""
        if self.backend == "sqlite":
            return (self.rows("PRAGMA integrity_check"),
                    self.rows("PRAGMA foreign_key_check"))
        for t in self.tables():
            self.execute('SELECT count(*) FROM "%s"' % t.replace('"', '""'))
        return ([("ok",)], self.rows(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT convalidated"))

    # -- closing ------------------------------------------------------------
    def close(self):
        if self.conn is not None:
            if self._in_tx:
                try:
                    self.rollback()
                except Exception:
                    pass
            self.conn.close()
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(target, readonly=False, timeout=30):
    """A `Db` on the database of target: an environment (its PORTAL_DB)
    or a PORTAL_DB value."""
    return Db(target, readonly=readonly, timeout=timeout)


def rows(target, sql, params=()):
    """Every row of one query, read through a connection of its own."""
    with connect(target, readonly=True) as db:
        return db.rows(sql, params)


def one(target, sql, params=()):
    """The first row of one query (or None), on a connection of its own."""
    with connect(target, readonly=True) as db:
        return db.one(sql, params)


def execute(target, sql, params=()):
    """One writing statement, committed, on a connection of its own."""
    with connect(target) as db:
        db.execute(sql, params)
