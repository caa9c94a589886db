"""PostgreSQL for the integration suites: one throwaway cluster per session,
a fresh database per test module, and the schema applier.

`pg_cluster` (session) starts a cluster with scripts/pg-cluster in a
temporary directory and stops it at the end; its value is the
postgresql:// URI of the cluster's own database. `pg_module_db` (module)
makes a database of the module's own from template0 and drops it after
the module, so no suite sees another's rows. A module uses them by
naming them at its top level:

    pg_cluster = pg_helpers.pg_cluster
    pg_module_db = pg_helpers.pg_module_db

`apply_schema` applies common/pg/schema.sql the way the store will: the
text before the first "-- version N" line every time, then each section
not yet in schema_version in its own transaction, recording its number;
every transaction under the schema's advisory lock.
"""
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

try:
    import psycopg2
except ImportError:                     # pragma: no cover
    psycopg2 = None

REPO = Path(__file__).resolve().parents[2]
PG_CLUSTER = REPO / "scripts" / "pg-cluster"
PG_SCHEMA = REPO / "common" / "pg" / "schema.sql"
PG_INITDB = Path("/usr/lib/postgresql/15/bin/initdb")

SCHEMA_LOCK = 7370616       # the key named in common/pg/schema.sql
CLUSTER_TIMEOUT = 120       # seconds for start or stop, initdb included

_SECTION = re.compile(r"^-- version (\d+)$", re.M)


def connect(uri, autocommit=True):
    conn = psycopg2.connect(uri, connect_timeout=10)
    conn.autocommit = autocommit
    return conn


def with_database(uri, name):
    """uri with its database replaced by name."""
    u = urlsplit(uri)
    return urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def schema_sections(text=None):
    """(preamble, [(version, sql), ...]) of the schema text."""
    if text is None:
        text = PG_SCHEMA.read_text()
    marks = list(_SECTION.finditer(text))
    if not marks:
        return text, []
    sections = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        sections.append((int(m.group(1)), text[m.start():end]))
    return text[:marks[0].start()], sections


def apply_schema(conn, text=None):
    """Brings the database to the schema's last version; returns the
    versions it applied (none when it was there already)."""
    preamble, sections = schema_sections(text)
    versions = [v for v, _ in sections]
    assert versions == list(range(1, len(versions) + 1)), versions
    applied = []
    old = conn.autocommit
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            cur.execute(preamble)
        conn.commit()
        for version, sql in sections:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)",
                            (SCHEMA_LOCK,))
                cur.execute("SELECT 1 FROM schema_version WHERE version = %s",
                            (version,))
                if cur.fetchone() is None:
                    cur.execute(sql)
                    cur.execute("INSERT INTO schema_version (version, "
                                "applied_at) VALUES (%s, %s)",
                                (version, int(time.time())))
                    applied.append(version)
            conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.autocommit = old
    return applied


@pytest.fixture(scope="session")
def pg_cluster():
    if psycopg2 is None or not PG_INITDB.exists():
        pytest.fail("PostgreSQL 15 or psycopg2 is missing: run "
                    "scripts/install-deps", pytrace=False)
    # Directly in /tmp: a socket path has room for about 100 bytes, and as
    # root the server's user must reach the directory.
    d = tempfile.mkdtemp(prefix="pg-", dir="/tmp")
    try:
        proc = subprocess.run([str(PG_CLUSTER), "start", d],
                              capture_output=True, text=True,
                              timeout=CLUSTER_TIMEOUT)
        if proc.returncode != 0:
            pytest.fail("scripts/pg-cluster start failed:\n" + proc.stderr,
                        pytrace=False)
        yield proc.stdout.strip()
    finally:
        subprocess.run([str(PG_CLUSTER), "stop", d], capture_output=True,
                       timeout=CLUSTER_TIMEOUT)
        shutil.rmtree(d, ignore_errors=True)


def _cluster_command(cluster_uri, sql):
    """One statement outside a transaction (CREATE/DROP DATABASE)."""
    conn = connect(cluster_uri)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def new_database(cluster_uri, tag="t"):
    """A new empty database on the cluster (from template0); its URI."""
    name = "%s_%s" % (re.sub(r"[^a-z0-9]", "_", tag.lower())[:40],
                      secrets.token_hex(4))
    _cluster_command(cluster_uri,
                     'CREATE DATABASE "%s" TEMPLATE template0' % name)
    return with_database(cluster_uri, name)


def drop_database(cluster_uri, uri):
    name = urlsplit(uri).path.lstrip("/")
    _cluster_command(cluster_uri,
                     'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


@pytest.fixture(scope="module")
def pg_module_db(pg_cluster, request):
    """The URI of a fresh database of this test module's own."""
    uri = new_database(pg_cluster, request.module.__name__.split(".")[-1])
    try:
        yield uri
    finally:
        drop_database(pg_cluster, uri)
