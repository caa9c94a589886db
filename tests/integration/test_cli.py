"""The operator commands of portal-api and its start-up checks."""
import json
import re
import subprocess
import time

import pytest
import requests

from conftest import (API_BIN, REPO, base_env, free_port, mint_jwt,
                      port_is_open, run_cli, sanitizer_report, start_portal,
                      std_claims)
from db_helpers import suite_backend


@pytest.fixture
def env(tmp_path):
    return base_env(tmp_path)


def _latest_schema_version():
    """The last section of the schema of the suite's backend."""
    schema = {"sqlite": REPO / "schema.sql",
              "postgresql": REPO / "common" / "pg" / "schema.sql"}
    text = schema[suite_backend()].read_text()
    versions = [int(v) for v in re.findall(r"(?m)^-- version (\d+)", text)]
    return max(versions)


def test_migrate_is_idempotent(env):
    first = run_cli(env, "migrate")
    assert first.returncode == 0, first.stderr
    second = run_cli(env, "migrate")
    assert second.returncode == 0, second.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a == b
    assert set(a) == {"schema_version"}
    assert a["schema_version"] == _latest_schema_version()


def test_create_partner(env):
    out = run_cli(env, "create-partner", "--name", "Gamma Revision AB",
                  "--locale", "nb", "--timezone", "Europe/Oslo")
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout)["id"]
    out = run_cli(env, "create-partner", "--name", "Delta")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["id"] == first + 1


@pytest.mark.parametrize("args", [
    ["--name", "Bad Locale AB", "--locale", "fi"],
    ["--name", "Bad Locale AB", "--locale", "SV"],
    ["--name", "Bad Locale AB", "--locale", ""],
    ["--name", "Bad Zone AB", "--timezone", "Mars/Olympus_Mons"],
    ["--name", "Bad Zone AB", "--timezone", "../../../etc/passwd"],
    ["--name", "Bad Zone AB", "--timezone", "/etc/localtime"],
    ["--name", "Bad Zone AB", "--timezone", "Europe/Stockholm; rm -rf /"],
    ["--name", "Bad Zone AB", "--timezone", ""],
    ["--name", ""],
    ["--name", "x" * 201],
    ["--name", "Ctrl\x01Char"],
    ["--locale", "sv"],
    ["--name", "X", "--bogus", "1"],
], ids=["locale fi", "locale upper case", "locale empty", "unknown zone",
        "zone path traversal", "zone absolute path", "zone with shell",
        "zone empty", "name empty", "name too long", "name control char",
        "no name", "unknown option"])
def test_create_partner_refuses_bad_input(env, args):
    assert run_cli(env, "migrate").returncode == 0
    out = run_cli(env, "create-partner", *args)
    assert out.returncode != 0, out.stdout
    assert out.stdout.strip() == ""
    assert out.stderr.strip(), "no message on stderr"


def test_create_user(env):
    pid = json.loads(run_cli(env, "create-partner", "--name",
                             "Epsilon").stdout)["id"]
    out = run_cli(env, "create-user", "--partner", str(pid), "--email",
                  "Eva@Epsilon.test", "--name", "Eva", "--role", "admin",
                  password="a-long-password")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["id"] >= 1
    # The password can come from standard input too.
    out = run_cli(env, "create-user", "--partner", str(pid), "--email",
                  "stdin@epsilon.test", "--name", "Stig", "--role",
                  "bookkeeper", stdin="another-long-password\n")
    assert out.returncode == 0, out.stderr
    # The address is taken whatever its case.
    out = run_cli(env, "create-user", "--partner", str(pid), "--email",
                  "eva@EPSILON.test", "--name", "Eva 2", "--role", "admin",
                  password="a-long-password")
    assert out.returncode != 0
    assert out.stderr.strip()


@pytest.mark.parametrize("args, password", [
    (["--email", "s@x.test", "--name", "S", "--role", "admin"], "123456789"),
    (["--email", "s@x.test", "--name", "S", "--role", "admin"], ""),
    (["--email", "s@x.test", "--name", "S", "--role", "admin"], "p" * 257),
    (["--email", "s@x.test", "--name", "S", "--role", "root"],
     "a-long-password"),
    (["--email", "not-an-email", "--name", "S", "--role", "admin"],
     "a-long-password"),
    (["--email", "s@x.test", "--name", "", "--role", "admin"],
     "a-long-password"),
    (["--email", "s@x.test", "--role", "admin"], "a-long-password"),
    (["--partner", "999", "--email", "s@x.test", "--name", "S", "--role",
      "admin"], "a-long-password"),
    (["--partner", "abc", "--email", "s@x.test", "--name", "S", "--role",
      "admin"], "a-long-password"),
], ids=["short password", "empty password", "long password", "bad role",
        "bad email", "empty name", "no name", "no such partner",
        "partner not a number"])
def test_create_user_refuses_bad_input(env, args, password):
    pid = json.loads(run_cli(env, "create-partner", "--name",
                             "Zeta").stdout)["id"]
    if "--partner" not in args:
        args = ["--partner", str(pid)] + args
    out = run_cli(env, "create-user", *args, password=password)
    assert out.returncode != 0, out.stdout
    assert out.stdout.strip() == ""
    assert out.stderr.strip(), "no message on stderr"


def test_routes_lists_the_route_table():
    out = subprocess.run([str(API_BIN), "routes"], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    for route in ("GET /healthz", "POST /v1/auth/token", "GET /v1/me",
                  "GET /v1/users", "POST /v1/users", "PATCH /v1/users/{id}"):
        assert route in lines, out.stdout


# --------------------------------------------------------------------------
# serve: refusing to start

def _serve_must_fail(env, timeout=20):
    port = int(env["PORTAL_LISTEN"].rsplit(":", 1)[1])
    proc = subprocess.Popen([str(API_BIN), "serve"], env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        listening = port_is_open(port)
        proc.kill()
        proc.communicate()
        pytest.fail("serve kept running (listening: %s) when it should "
                    "have refused to start" % listening)
    report = sanitizer_report(err)
    assert not report, report
    assert proc.returncode != 0, err
    assert not port_is_open(port)
    return err


def test_serve_without_secret(tmp_path):
    env = base_env(tmp_path)
    del env["PORTAL_JWT_SECRET"]
    err = _serve_must_fail(env)
    assert "PORTAL_JWT_SECRET" in err, err


def test_serve_with_empty_secret(tmp_path):
    env = base_env(tmp_path, secret="")
    err = _serve_must_fail(env)
    assert "PORTAL_JWT_SECRET" in err, err


def test_serve_with_31_byte_secret(tmp_path):
    env = base_env(tmp_path, secret="s" * 31)
    err = _serve_must_fail(env)
    assert "32" in err, err
    assert "secret" in err.lower(), err


def test_serve_with_short_secret_file(tmp_path):
    f = tmp_path / "secret"
    f.write_text("s" * 31 + "\n")
    env = base_env(tmp_path)
    del env["PORTAL_JWT_SECRET"]
    env["PORTAL_JWT_SECRET_FILE"] = str(f)
    err = _serve_must_fail(env)
    assert "32" in err, err


def test_serve_with_missing_secret_file(tmp_path):
    env = base_env(tmp_path)
    del env["PORTAL_JWT_SECRET"]
    env["PORTAL_JWT_SECRET_FILE"] = str(tmp_path / "no-such-file")
    err = _serve_must_fail(env)
    assert "PORTAL_JWT_SECRET_FILE" in err, err


def test_serve_with_wildcard_cors_origin(tmp_path):
    env = base_env(tmp_path)
    env["PORTAL_CORS_ORIGINS"] = "http://app.test, *"
    err = _serve_must_fail(env)
    assert "PORTAL_CORS_ORIGINS" in err, err


@pytest.mark.parametrize("var, value", [
    ("PORTAL_MAX_BODY", "lots"),
    ("PORTAL_LOGIN_MAX_FAILURES", "0"),
    ("PORTAL_LOG_LEVEL", "verbose"),
])
def test_serve_with_bad_setting(tmp_path, var, value):
    env = base_env(tmp_path)
    env[var] = value
    err = _serve_must_fail(env)
    assert var in err, err


# --------------------------------------------------------------------------
# PORTAL_DB naming a PostgreSQL server that does not answer: a start-up
# error naming the server, never the password (test_pg_store.py has the
# wrong password, the missing database and the bad URI)

PG_PASSWORD = "pg-secret-Xq7"


def _pg_uris():
    # A loopback port nobody listens on: refused at once, no network.
    port = free_port()
    return [
        "postgresql://portal:%s@127.0.0.1:%d/portal?sslmode=disable"
        % (PG_PASSWORD, port),
        "postgres://portal:%s@127.0.0.1:%d/portal" % (PG_PASSWORD, port),
    ]


def _cannot_reach(err):
    assert "cannot open database postgres" in err, err
    assert "127.0.0.1" in err, err
    assert PG_PASSWORD not in err, err


@pytest.mark.parametrize("which", [0, 1])
def test_migrate_with_an_unreachable_postgresql_server(tmp_path, which):
    env = base_env(tmp_path)
    env["PORTAL_DB"] = _pg_uris()[which]
    out = run_cli(env, "migrate")
    assert out.returncode != 0, out.stdout
    assert PG_PASSWORD not in out.stdout
    _cannot_reach(out.stderr)
    assert not (tmp_path / "portal.db").exists()


@pytest.mark.parametrize("which", [0, 1])
def test_serve_with_an_unreachable_postgresql_server(tmp_path, which):
    env = base_env(tmp_path)
    env["PORTAL_DB"] = _pg_uris()[which]
    _cannot_reach(_serve_must_fail(env))


# --------------------------------------------------------------------------
# serve: starting with the secret in a file, and the 32-byte minimum

def test_secret_file_works(tmp_path):
    secret = "f" * 16 + "0123456789abcdef" * 3     # 64 bytes
    f = tmp_path / "jwt-secret"
    f.write_text(secret + "\n")                     # as `echo` writes it
    portal = start_portal(tmp_path, extra_env={
        "PORTAL_JWT_SECRET": None, "PORTAL_JWT_SECRET_FILE": str(f)})
    try:
        portal.secret = secret
        token = portal.token("admin")
        assert portal.get("/v1/me", token).status_code == 200
        # The trailing newline is not part of the key.
        assert portal.get("/v1/me", portal.mint("admin")).status_code == 200
        bad = portal.mint("admin", secret=secret + "\n")
        assert portal.get("/v1/me", bad).status_code == 401
    finally:
        portal.server.stop_and_check()


def test_serve_with_32_byte_secret_starts(tmp_path):
    secret = "k" * 32
    portal = start_portal(tmp_path, extra_env={"PORTAL_JWT_SECRET": secret})
    try:
        assert portal.get("/healthz").status_code == 200
        u = portal.users["bookkeeper"]
        token = mint_jwt(secret, std_claims(u["id"], u["partner_id"],
                                            u["role"]))
        assert portal.get("/v1/me", token).status_code == 200
        # The same claims under the server's key minus its last byte fail.
        token = mint_jwt(secret[:-1], std_claims(u["id"], u["partner_id"],
                                                 u["role"]))
        assert portal.get("/v1/me", token).status_code == 401
    finally:
        portal.server.stop_and_check()


def test_sigterm_stops_cleanly_with_open_connections(tmp_path):
    portal = start_portal(tmp_path)
    session = requests.Session()          # keeps a connection open
    try:
        assert session.get(portal.url("/healthz"), timeout=10) \
            .status_code == 200
    finally:
        t0 = time.monotonic()
        portal.server.stop_and_check()
        session.close()
    assert time.monotonic() - t0 < 15
    assert not port_is_open(portal.port)
