"""PostgreSQL for the integration suites: one throwaway cluster per session,
a fresh database per test module or per portal, and the schema applier.

`session_cluster()` starts the session's one cluster with
scripts/pg-cluster in a temporary directory, on first use only (a run on
SQLite that names no PostgreSQL test starts none); conftest stops it at
the end of the session. Its value is the postgresql:// URI of the
cluster's own database. `pg_cluster` (session) is that URI as a fixture;
`new_database` makes an empty database on it, as conftest.base_env does
for each portal under PORTAL_TEST_BACKEND=postgresql. `pg_module_db`
(module) makes a database of the module's own from template0 and drops it after
the module, so no suite sees another's rows. A module uses them by
naming them at its top level:

    pg_cluster = pg_helpers.pg_cluster
    pg_module_db = pg_helpers.pg_module_db

`apply_schema` applies common/pg/schema.sql the way the store will: the
text before the first "-- version N" line every time, then each section
not yet in schema_version in its own transaction, recording its number;
every transaction under the schema's advisory lock.
"""
import atexit
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


class ClusterError(RuntimeError):
    pass


_SESSION = {}       # "dir", "uri" of the cluster of this process


def session_cluster():
    """The postgresql:// URI of this process's one cluster, started with
    scripts/pg-cluster on first use (in a temporary directory) and
    stopped by stop_session_cluster() or at exit. Raises ClusterError
    when it cannot start."""
    if "uri" in _SESSION:
        return _SESSION["uri"]
    if psycopg2 is None or not PG_INITDB.exists():
        raise ClusterError("PostgreSQL 15 or psycopg2 is missing: run "
                           "scripts/install-deps")
    # Directly in /tmp: a socket path has room for about 100 bytes, and as
    # root the server's user must reach the directory.
    d = tempfile.mkdtemp(prefix="pg-", dir="/tmp")
    _SESSION["dir"] = d
    atexit.register(stop_session_cluster)
    proc = subprocess.run([str(PG_CLUSTER), "start", d],
                          capture_output=True, text=True,
                          timeout=CLUSTER_TIMEOUT)
    if proc.returncode != 0:
        stop_session_cluster()
        raise ClusterError("scripts/pg-cluster start failed:\n" +
                           proc.stderr)
    _SESSION["uri"] = proc.stdout.strip()
    return _SESSION["uri"]


def stop_session_cluster():
    """Stops the cluster of this process, if one was started."""
    d = _SESSION.pop("dir", None)
    _SESSION.pop("uri", None)
    if d is None:
        return
    subprocess.run([str(PG_CLUSTER), "stop", d], capture_output=True,
                   timeout=CLUSTER_TIMEOUT)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        uri = session_cluster()
    except ClusterError as e:
        pytest.fail(str(e), pytrace=False)
    yield uri


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
    """Drops the database, ending its sessions. An autovacuum worker in
    it is not the role's to end (it has none): the drop waits for it to
    finish, a few seconds at most."""
    name = urlsplit(uri).path.lstrip("/")
    for attempt in range(20):
        try:
            _cluster_command(cluster_uri,
                             'DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                             % name)
            return
        except psycopg2.errors.InsufficientPrivilege:
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture(scope="module")
def pg_module_db(pg_cluster, request):
    """The URI of a fresh database of this test module's own."""
    uri = new_database(pg_cluster, request.module.__name__.split(".")[-1])
    try:
        yield uri
    finally:
        drop_database(pg_cluster, uri)
