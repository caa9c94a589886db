"""The PostgreSQL store (common/pg/) under the real binaries, on a
throwaway cluster: PORTAL_DB set to a postgresql:// URI runs the
migrations, the operator commands, the server's health checks, logins
and /v1/me as on SQLite; a database that cannot be opened is a start-up
error that names the problem and never the password.

Only what the backend implements so far is exercised here: the
connection itself, partners, users, login claims, idempotency keys and
the audit trail's writes."""
import re
import secrets
import tempfile
from urllib.parse import urlsplit, urlunsplit

import pytest

import pg_helpers
from conftest import (assert_problem, base_env, cli_id, run_cli,
                      start_portal)
from pg_helpers import connect, new_database

pg_cluster = pg_helpers.pg_cluster
pg_module_db = pg_helpers.pg_module_db

# The last "-- version N" of common/pg/schema.sql: what migrate reaches.
PG_LATEST = max(int(m) for m in re.findall(
    r"(?m)^-- version (\d+)$", pg_helpers.PG_SCHEMA.read_text()))


def _password(uri):
    return urlsplit(uri).password


def _with_netloc(uri, netloc):
    u = urlsplit(uri)
    return urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment))


@pytest.fixture(scope="module")
def pg_portal(pg_module_db):
    """A server on the module's database, bootstrapped by the CLI."""
    with tempfile.TemporaryDirectory(prefix="portal-pg-") as tmpdir:
        p = start_portal(tmpdir, extra_env={"PORTAL_DB": pg_module_db})
        try:
            yield p
        finally:
            p.server.stop_and_check()


@pytest.fixture
def env(tmp_path):
    return base_env(tmp_path)


# --------------------------------------------------------------------------
# Migrations and the operator commands

def test_migrate_twice_records_each_version_once(pg_cluster, env):
    uri = new_database(pg_cluster, "migrate")
    env["PORTAL_DB"] = uri
    for _ in range(2):
        out = run_cli(env, "migrate")
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == '{"schema_version": %d}' % PG_LATEST
        # The server's own notices stay off stderr.
        assert "NOTICE" not in out.stderr
    conn = connect(uri)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT version FROM schema_version ORDER BY 1")
            assert cur.fetchall() == [(v,) for v in
                                      range(1, PG_LATEST + 1)]
            cur.execute("SELECT count(*) FROM pg_extension "
                        "WHERE extname = 'pg_trgm'")
            assert cur.fetchone() == (1,)
    finally:
        conn.close()


def test_create_partner_and_user(pg_cluster, env):
    uri = new_database(pg_cluster, "cli")
    env["PORTAL_DB"] = uri
    firm = cli_id(env, "create-partner", "--name", "Åkesson & Co",
                  "--locale", "sv", "--timezone", "Europe/Stockholm")
    uid = cli_id(env, "create-user", "--partner", str(firm), "--email",
                 "Eva@Firm.test", "--name", "Eva Ek", "--role", "admin",
                 password="pw-" + secrets.token_hex(6))
    # The same address again, in another case: refused, nothing written.
    out = run_cli(env, "create-user", "--partner", str(firm), "--email",
                  "eva@firm.test", "--name", "Eva Two", "--role",
                  "bookkeeper", password="pw-" + secrets.token_hex(6))
    assert out.returncode != 0
    assert "already exists" in out.stderr
    # A firm that does not exist.
    out = run_cli(env, "create-user", "--partner", str(firm + 100),
                  "--email", "x@firm.test", "--name", "X", "--role",
                  "admin", password="pw-" + secrets.token_hex(6))
    assert out.returncode != 0
    conn = connect(uri)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT name, locale, timezone FROM partners")
            assert cur.fetchall() == [("Åkesson & Co", "sv",
                                       "Europe/Stockholm")]
            cur.execute("SELECT id, partner_id, email, name, role, active "
                        "FROM users")
            assert cur.fetchall() == [(uid, firm, "eva@firm.test",
                                       "Eva Ek", "admin", True)]
    finally:
        conn.close()


# --------------------------------------------------------------------------
# The server

def test_health(pg_portal):
    r = pg_portal.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = pg_portal.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready"}


def test_login_and_me(pg_portal):
    u = pg_portal.users["bookkeeper"]
    token = pg_portal.login(u["email"].upper(), u["password"])
    me = pg_portal.get("/v1/me", token)
    assert me.status_code == 200, me.text
    doc = me.json()
    assert doc["id"] == u["id"]
    assert doc["email"] == u["email"]
    assert doc["name"] == u["name"]
    assert doc["role"] == "bookkeeper"


def test_wrong_password_then_lockout(pg_portal):
    u = pg_portal.users["beta_bookkeeper"]
    for i in range(5):
        r = pg_portal.login_response(u["email"], "wrong-password-%d" % i)
        assert_problem(r, 401, "unauthorized")
    r = pg_portal.login_response(u["email"], u["password"])
    assert_problem(r, 429, "rate-limited")
    retry = r.headers.get("Retry-After", "")
    assert retry.isdigit() and 1 <= int(retry) <= 60, retry
    # Another address is not locked.
    other = pg_portal.users["beta_admin"]
    assert pg_portal.login_response(other["email"],
                                    other["password"]).status_code == 200


def test_successful_login_clears_the_source_count(pg_portal):
    u = pg_portal.users["integration"]
    for i in range(4):
        r = pg_portal.login_response(u["email"], "wrong-password-%d" % i)
        assert_problem(r, 401, "unauthorized")
    assert pg_portal.login_response(u["email"],
                                    u["password"]).status_code == 200
    for i in range(4):
        r = pg_portal.login_response(u["email"], "wrong-again-%d" % i)
        assert_problem(r, 401, "unauthorized")
    assert pg_portal.login_response(u["email"],
                                    u["password"]).status_code == 200


def test_users_through_the_api(pg_portal):
    admin = pg_portal.token("admin")
    email = "new-%s@alpha.test" % secrets.token_hex(4)
    body = {"email": email, "name": "Nils Ny", "role": "bookkeeper",
            "password": "pw-" + secrets.token_hex(8)}
    key = {"Idempotency-Key": "k-" + secrets.token_hex(8)}
    r = pg_portal.request("POST", "/v1/users", token=admin, json=body,
                          headers=key)
    assert r.status_code == 201, r.text
    made = r.json()
    # The same key again: the first answer, byte for byte.
    again = pg_portal.request("POST", "/v1/users", token=admin, json=body,
                              headers=key)
    assert again.status_code == 201 and again.content == r.content
    assert again.headers.get("Location") == r.headers.get("Location")
    # The address taken: a conflict, and the request's transaction still
    # answers (ON CONFLICT, not an aborted transaction).
    body2 = dict(body, name="Other")
    r = pg_portal.request("POST", "/v1/users", token=admin, json=body2)
    assert_problem(r, 409)
    ids = [u["id"] for u in pg_portal.get("/v1/users", admin).json()["data"]]
    assert ids == sorted(ids) and made["id"] in ids
    r = pg_portal.request("PATCH", "/v1/users/%d" % made["id"], token=admin,
                          json={"name": "Nils Nyare", "active": False})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Nils Nyare" and r.json()["active"] is False
    r = pg_portal.get("/v1/users/%d" % made["id"], admin)
    assert r.status_code == 200 and r.json()["name"] == "Nils Nyare"
    # A deactivated user cannot log in.
    r = pg_portal.login_response(email, body["password"])
    assert r.status_code == 401


# --------------------------------------------------------------------------
# Start-up errors: exit non-zero, name the problem, never the password

def _refused(env, uri, *expect):
    env["PORTAL_DB"] = uri
    out = run_cli(env, "migrate")
    assert out.returncode != 0, out.stdout
    for text in expect:
        assert re.search(text, out.stderr), out.stderr
    return out.stderr


def test_wrong_password_is_a_start_up_error(pg_cluster, env):
    secret = "not-" + secrets.token_hex(8)
    u = urlsplit(pg_cluster)
    uri = _with_netloc(pg_cluster, "%s:%s@%s:%d" % (u.username, secret,
                                                    u.hostname, u.port))
    err = _refused(env, uri, "password authentication failed")
    assert secret not in err
    assert _password(pg_cluster) not in err


def test_missing_database_is_a_start_up_error(pg_cluster, env):
    uri = pg_helpers.with_database(pg_cluster, "no_such_db")
    err = _refused(env, uri, 'database "no_such_db" does not exist')
    assert _password(pg_cluster) not in err


def test_unreachable_port_is_a_start_up_error(pg_cluster, env):
    u = urlsplit(pg_cluster)
    uri = _with_netloc(pg_cluster, "%s:%s@127.0.0.1:1" % (u.username,
                                                         u.password))
    err = _refused(env, uri, "port 1", "Connection refused")
    assert u.password not in err


def test_a_malformed_uri_never_echoes_the_password(env):
    # libpq quotes the part of a URI it cannot decode.
    secret = "s%zz" + secrets.token_hex(6)
    err = _refused(env, "postgresql://portal:%s@127.0.0.1:1/portal" % secret,
                   "invalid percent-encoded token")
    assert secret not in err and secret[4:] not in err


def test_the_server_does_not_start_without_its_database(pg_cluster, env):
    env["PORTAL_DB"] = pg_helpers.with_database(pg_cluster, "no_such_db")
    out = run_cli(env, "serve", timeout=30)
    assert out.returncode != 0
    assert "does not exist" in out.stderr
    assert _password(pg_cluster) not in out.stderr
