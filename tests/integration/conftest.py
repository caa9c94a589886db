"""Integration harness: runs the real portal-api on a loopback port.

The binaries come from $PORTAL_BIN_DIR (default: <repo>/bin). One server is
started per test session with a fresh database and a random signing
secret; two firms and their users are created through the operator CLI
before it starts. Tests talk HTTP to it with `requests`, or with the
raw-socket helper for what `requests` cannot send.

On teardown the server gets SIGTERM and must exit 0 with no sanitizer
report in its log. The part of the log written during a failed test is
attached to that test's report.

The database backend is PORTAL_TEST_BACKEND: `sqlite` (the default; a
file in the portal's temporary directory) or `postgresql` (a fresh
database on one cluster the session starts on first use, see
pg_helpers). Every portal gets an empty database of its own either way.
A test about SQLite itself is marked `@pytest.mark.sqlite_only(reason)`,
says "sqlite" in its name, and is skipped on the other backend; a module
about PostgreSQL itself is named test_pg_* and runs in the PostgreSQL
run only.

The sanitized pass. `make test` runs this suite twice: on the release
build, and on the AddressSanitizer build (scripts/run-tests), whose job is
memory errors in our C code. A test whose subject is something else
(compiling the TypeScript client, packing it with npm) is marked
`@pytest.mark.release_only(reason)`, and the sanitized pass deselects it
with `-m "not release_only"`. A parametrised table whose rows walk the
same C code many times over (one check per route and caller, or per
route and bad input) gives its rows through `representative()`: the
sanitized pass keeps each row that is the first of any of its keys (its
route, its kind of input, its outcome), so every route and every kind
of row still runs under the sanitizers at least once, and the release
pass runs every row. Nothing is release_only in the release pass.
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

import pg_helpers
from db_helpers import suite_backend

pytest_plugins = ["contract_recorder"]   # responses for tests/contract/validate

REPO = Path(__file__).resolve().parents[2]


def _bin_dir():
    d = os.environ.get("PORTAL_BIN_DIR")
    if not d:
        return REPO / "bin"
    p = Path(d)
    if not p.is_absolute() and not p.exists() and (REPO / p).exists():
        p = REPO / p
    return p.resolve()


BIN_DIR = _bin_dir()
BACKEND = suite_backend()
API_BIN = BIN_DIR / "portal-api"

# Reports that mean the run failed even when every status was right.
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
)

START_TIMEOUT = 30.0   # sanitized builds start slowly (the dummy hash)
STOP_TIMEOUT = 30.0
HTTP_TIMEOUT = 30.0

# The worker's SMTP connections in the delivery tests: several, so that
# every delivery guarantee (the lease, the retries, one send per message)
# is shown with senders racing each other; test_worker.py checks one too.
SMTP_CONNECTIONS = "4"

TOKEN_ISSUER = "partner-portal"
TOKEN_AUD = "portal-api"


def sanitizer_report(text):
    """The first sanitizer report in text, with some context, or None."""
    for marker in SANITIZER_MARKERS:
        i = text.find(marker)
        if i != -1:
            return text[max(0, i - 2000):i + 6000]
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_open(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


_PG_DATABASES = {}     # resolved tmpdir -> URI of its database


def portal_db(tmpdir):
    """The PORTAL_DB of the portal living in tmpdir: the SQLite file in
    it, or on PostgreSQL a database made for it (from template0, so
    empty) the first time tmpdir is named; the same one after, as the
    file would be. It is dropped once tmpdir is gone (drop_gone_dbs),
    or with the session's cluster."""
    if BACKEND == "sqlite":
        return str(Path(tmpdir) / "portal.db")
    key = str(Path(tmpdir).resolve())
    if key not in _PG_DATABASES:
        try:
            cluster = pg_helpers.session_cluster()
        except pg_helpers.ClusterError as e:
            pytest.fail(str(e), pytrace=False)
        _PG_DATABASES[key] = pg_helpers.new_database(cluster, "portal")
    return _PG_DATABASES[key]


def drop_gone_dbs():
    """Drops the PostgreSQL databases whose portal's directory is gone:
    its portal has stopped, and each database takes megabytes."""
    for key, uri in list(_PG_DATABASES.items()):
        if not Path(key).exists():
            pg_helpers.drop_database(pg_helpers.session_cluster(), uri)
            del _PG_DATABASES[key]


def base_env(tmpdir, port=None, secret=None):
    """The environment of every command: no PORTAL_* from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({
        "PORTAL_DB": portal_db(tmpdir),
        "PORTAL_JWT_SECRET": secret if secret is not None
        else secrets.token_hex(32),
        "PORTAL_LISTEN": "127.0.0.1:%d" % (port or free_port()),
        "PORTAL_LOG_LEVEL": "info",
        "PORTAL_CORS_ORIGINS": "http://app.test",
        "PORTAL_LOGIN_MAX_FAILURES": "5",
        "PORTAL_LOGIN_LOCKOUT": "60",
    })
    return env


def run_cli(env, *args, password=None, stdin=None, timeout=60):
    """Runs `portal-api ARGS`; fails the test on a sanitizer report."""
    env = dict(env)
    if password is not None:
        env["PORTAL_PASSWORD"] = password
    proc = subprocess.run([str(API_BIN), *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)
    report = sanitizer_report(proc.stderr)
    if report:
        pytest.fail("sanitizer report from portal-api %s:\n%s"
                    % (" ".join(args), report), pytrace=False)
    return proc


def cli_id(env, *args, password=None):
    proc = run_cli(env, *args, password=password)
    assert proc.returncode == 0, (args, proc.returncode, proc.stderr)
    doc = json.loads(proc.stdout)
    assert isinstance(doc.get("id"), int) and doc["id"] > 0, proc.stdout
    return doc["id"]


# --------------------------------------------------------------------------
# JWTs made in Python, for the attack tests

def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint_jwt(secret, claims, alg="HS256", header=None, raw_payload=None):
    """A compact JWS. alg HS256/HS384/HS512 sign with secret; "none"
    leaves the signature empty. header replaces the default header;
    raw_payload (bytes or str) replaces the JSON of claims."""
    if isinstance(secret, str):
        secret = secret.encode()
    hdr = header if header is not None else {"alg": alg, "typ": "JWT"}
    h = b64url(json.dumps(hdr, separators=(",", ":")))
    if raw_payload is not None:
        p = b64url(raw_payload)
    else:
        p = b64url(json.dumps(claims, separators=(",", ":")))
    signing_input = ("%s.%s" % (h, p)).encode()
    digests = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
               "HS512": hashlib.sha512}
    if alg in digests:
        sig = b64url(hmac.new(secret, signing_input, digests[alg]).digest())
    else:
        sig = ""
    return "%s.%s.%s" % (h, p, sig)


def std_claims(user_id, partner_id, role, now=None, ttl=600, **overrides):
    now = int(time.time()) if now is None else now
    claims = {
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUD,
        "sub": str(user_id),
        "partner_id": int(partner_id),
        "role": role,
        "iat": now,
        "exp": now + ttl,
    }
    for k, v in overrides.items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    return claims


# --------------------------------------------------------------------------
# Raw HTTP over a socket, for requests that `requests` will not send

class RawResponse:
    def __init__(self, status, reason, headers, body, raw):
        self.status = status
        self.reason = reason
        self.headers = headers        # list of (name, value)
        self.body = body
        self.raw = raw

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<RawResponse %s %r>" % (self.status, self.body[:300])


def _parse_response(data):
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError("incomplete HTTP response: %r" % data[:500])
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    return status, reason, headers, rest


def raw_request(port, payload, body_chunks=(), timeout=HTTP_TIMEOUT,
                host="127.0.0.1"):
    """Sends payload (bytes), then each of body_chunks, and reads one
    response. Stops sending when the server has already answered or
    closed; a response that arrives is still read."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        try:
            s.sendall(payload)
            for chunk in body_chunks:
                s.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got = s.recv(65536)
            except ConnectionResetError:
                break
            if not got:
                break
            data += got
            if b"\r\n\r\n" in data:
                status, reason, headers, rest = _parse_response(data)
                cl = None
                for k, v in headers:
                    if k.lower() == "content-length":
                        cl = int(v)
                if cl is not None and len(rest) >= cl:
                    return RawResponse(status, reason, headers, rest[:cl],
                                       data)
                if cl is None and status in (204, 304):
                    return RawResponse(status, reason, headers, b"", data)
        status, reason, headers, rest = _parse_response(data)
        return RawResponse(status, reason, headers, rest, data)


# --------------------------------------------------------------------------
# The server process

_LIVE_SERVERS = []


class ServerProcess:
    """One `portal-api serve`, its stderr in a log file."""

    def __init__(self, env, log_path):
        self.env = dict(env)
        self.log_path = Path(log_path)
        self.proc = None
        self.port = int(self.env["PORTAL_LISTEN"].rsplit(":", 1)[1])
        self.base_url = "http://127.0.0.1:%d" % self.port

    def start(self, timeout=START_TIMEOUT):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(API_BIN), "serve"], env=self.env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)
        _LIVE_SERVERS.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("portal-api exited with %s while starting:"
                                   "\n%s" % (self.proc.returncode,
                                             self.log_text()))
            try:
                r = requests.get(self.base_url + "/healthz", timeout=2)
                if r.status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("portal-api did not answer /healthz in %ss:\n%s"
                           % (timeout, self.log_text()))

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_size(self):
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._forget()

    def _forget(self):
        if self in _LIVE_SERVERS:
            _LIVE_SERVERS.remove(self)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def stop(self):
        """SIGTERM, then the exit code and the log (after the process)."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("portal-api ignored SIGTERM for %ss:\n%s"
                                     % (STOP_TIMEOUT, self.log_text()))
        finally:
            self._forget()
        return rc, self.log_text()

    def stop_and_check(self):
        rc, log = self.stop()
        report = sanitizer_report(log)
        if report:
            pytest.fail("SANITIZER REPORT in the portal-api log:\n" + report,
                        pytrace=False)
        assert rc == 0, ("portal-api exited with %s after SIGTERM; log tail:"
                         "\n%s" % (rc, log[-5000:]))


class Portal:
    """What the tests see: the running server and its bootstrap data."""

    def __init__(self, server, env, tmpdir):
        self.server = server
        self.env = env
        self.tmpdir = Path(tmpdir)
        self.base_url = server.base_url
        self.port = server.port
        self.secret = env.get("PORTAL_JWT_SECRET")
        self.partners = {}     # key -> id
        self.users = {}        # key -> {"id", "email", "password", ...}

    # -- HTTP --------------------------------------------------------------
    def url(self, path):
        return self.base_url + path

    def request(self, method, path, token=None, json=None, data=None,
                headers=None, timeout=HTTP_TIMEOUT):
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if headers:
            h.update(headers)
        return requests.request(method, self.url(path), json=json, data=data,
                                headers=h, timeout=timeout,
                                allow_redirects=False)

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token=token, **kw)

    def login_response(self, email, password):
        return self.request("POST", "/v1/auth/token",
                            json={"email": email, "password": password})

    def login(self, email, password):
        r = self.login_response(email, password)
        assert r.status_code == 200, (email, r.status_code, r.text)
        return r.json()["access_token"]

    def token(self, key):
        """A fresh login token of bootstrap user key."""
        u = self.users[key]
        return self.login(u["email"], u["password"])

    def raw(self, payload, body_chunks=(), timeout=HTTP_TIMEOUT):
        return raw_request(self.port, payload, body_chunks, timeout=timeout)

    # -- tokens --------------------------------------------------------------
    def mint(self, key=None, secret=None, alg="HS256", header=None,
             raw_payload=None, **overrides):
        """A token for bootstrap user key (claims overridable; None drops
        a claim), signed with the server's secret unless told."""
        if key is not None:
            u = self.users[key]
            claims = std_claims(u["id"], u["partner_id"], u["role"],
                                now=overrides.pop("now", None),
                                ttl=overrides.pop("ttl", 600))
            for k, v in overrides.items():
                if v is None:
                    claims.pop(k, None)
                else:
                    claims[k] = v
        else:
            claims = dict(overrides)
        return mint_jwt(self.secret if secret is None else secret, claims,
                        alg=alg, header=header, raw_payload=raw_payload)

    # -- users made on the fly ----------------------------------------------
    def create_user(self, admin_token, role="bookkeeper", email=None,
                    name=None, password=None):
        """Creates a user through the API; returns its record with the
        password and a login helper."""
        email = email or "u-%s@alpha.test" % uuid.uuid4().hex[:12]
        password = password or "pw-" + secrets.token_hex(8)
        name = name or "Test %s" % role
        r = self.request("POST", "/v1/users", token=admin_token, json={
            "email": email, "name": name, "role": role, "password": password})
        assert r.status_code == 201, r.text
        doc = r.json()
        doc["password"] = password
        return doc


def _bootstrap(env):
    out = run_cli(env, "migrate")
    assert out.returncode == 0, out.stderr
    firms = {}
    firms["alpha"] = cli_id(env, "create-partner", "--name",
                            "Alpha Redovisning AB", "--locale", "sv")
    firms["beta"] = cli_id(env, "create-partner", "--name",
                           "Beta Bokföring AB", "--locale", "sv")
    specs = [
        ("admin", "alpha", "admin", "Anna Admin"),
        ("bookkeeper", "alpha", "bookkeeper", "Bo Bokförare"),
        ("integration", "alpha", "integration", "Spend Platform"),
        ("beta_admin", "beta", "admin", "Britt Beta"),
        ("beta_bookkeeper", "beta", "bookkeeper", "Björn Beta"),
    ]
    users = {}
    for key, firm, role, name in specs:
        email = "%s@%s.test" % (key.replace("_", "."), firm)
        password = "pw-%s-%s" % (key, secrets.token_hex(6))
        uid = cli_id(env, "create-user", "--partner", str(firms[firm]),
                     "--email", email, "--name", name, "--role", role,
                     password=password)
        users[key] = {"id": uid, "email": email, "password": password,
                      "role": role, "name": name, "partner": firm,
                      "partner_id": firms[firm]}
    return firms, users


def start_portal(tmpdir, extra_env=None, attempts=3):
    """Bootstraps a database in tmpdir and starts a server on it.
    extra_env overrides the environment (None removes a variable)."""
    env = base_env(tmpdir)
    for k, v in (extra_env or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    firms, users = _bootstrap(env)
    last = None
    for _ in range(attempts):
        env["PORTAL_LISTEN"] = "127.0.0.1:%d" % free_port()
        server = ServerProcess(env, Path(tmpdir) / "portal-api.log")
        try:
            server.start()
        except RuntimeError as e:       # most likely the port was taken
            last = e
            continue
        portal = Portal(server, env, tmpdir)
        portal.partners = firms
        portal.users = users
        return portal
    raise last


@pytest.fixture(scope="session")
def portal():
    if not API_BIN.exists():
        pytest.exit("no %s: build with `make binaries` or set PORTAL_BIN_DIR"
                    % API_BIN, returncode=2)
    with tempfile.TemporaryDirectory(prefix="portal-it-") as tmpdir:
        p = start_portal(tmpdir)
        try:
            yield p
        finally:
            p.server.stop_and_check()


@pytest.fixture(scope="session")
def admin_token(portal):
    return portal.token("admin")


@pytest.fixture(scope="session")
def tokens(portal):
    """One login token per bootstrap user (made lazily)."""
    cache = {}

    class Tokens:
        def __getitem__(self, key):
            if key not in cache:
                cache[key] = portal.token(key)
            return cache[key]

    return Tokens()


# --------------------------------------------------------------------------
# Checks shared by the suites

def assert_problem(r, status, ptype=None):
    """r is an RFC 9457 problem of status (and type /problems/ptype)."""
    body = r.text if hasattr(r, "text") else r.body.decode("utf-8",
                                                           "replace")
    code = r.status_code if hasattr(r, "status_code") else r.status
    hdr = (r.headers.get if hasattr(r, "status_code") else r.header)
    assert code == status, "expected %s, got %s: %s" % (status, code,
                                                        body[:500])
    ct = hdr("Content-Type") or ""
    assert ct.split(";")[0].strip() == "application/problem+json", ct
    doc = json.loads(body)
    for field in ("type", "title", "status", "detail"):
        assert field in doc, "problem without %r: %s" % (field, body)
    assert doc["status"] == status, body
    assert isinstance(doc["title"], str) and doc["title"], body
    assert isinstance(doc["detail"], str) and doc["detail"], body
    if ptype is not None:
        assert doc["type"] == "/problems/" + ptype, body
    if status == 401:
        www = hdr("WWW-Authenticate") or ""
        assert www.startswith("Bearer"), "401 without Bearer challenge: %r" \
            % www
    assert hdr("X-Request-Id"), "response without X-Request-Id"
    return doc


def error_fields(doc):
    """The field names of a 422's errors array."""
    assert isinstance(doc.get("errors"), list) and doc["errors"], doc
    for e in doc["errors"]:
        assert isinstance(e.get("field"), str), doc
        assert isinstance(e.get("message"), str) and e["message"], doc
    return [e["field"] for e in doc["errors"]]


# --------------------------------------------------------------------------
# The backend: tests about SQLite itself, and the cluster's end

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite itself "
        "(its locks, PRAGMAs, file); skipped on other backends")
    config.addinivalue_line(
        "markers", "release_only(reason): the test's subject is not our C "
        "code's memory, or it repeats C paths that rows kept by "
        "representative() run; the sanitized pass deselects it")


def representative(values, keys, ids):
    """The rows of a parametrised table as pytest.params (ids from ids):
    a row that is the first of any of keys(row) is kept by the sanitized
    pass; the others are marked release_only, run by the release pass
    only (see this module's docstring)."""
    seen, out = set(), []
    for value, name in zip(values, ids):
        new = [k for k in keys(value) if k not in seen]
        seen.update(new)
        marks = () if new else (pytest.mark.release_only(
            "a row of a kind the sanitized pass runs already"),)
        # A plain tuple is a row of several arguments; a namedtuple one.
        args = value if type(value) is tuple else (value,)
        out.append(pytest.param(*args, marks=marks, id=name))
    return out


def pytest_report_header(config):
    return "database backend: %s (PORTAL_TEST_BACKEND)" % BACKEND


def pytest_collection_modifyitems(config, items):
    for item in items:
        # A module test_pg_* is about PostgreSQL itself: its tests run
        # once, in the PostgreSQL run (they start what they need).
        if item.module.__name__.startswith("test_pg_") and \
                BACKEND != "postgresql":
            item.add_marker(pytest.mark.skip(
                reason="about PostgreSQL itself (backend is %s)" % BACKEND))
            continue
        mark = item.get_closest_marker("sqlite_only")
        if mark is None:
            continue
        # A test about one backend says so in its name.
        if "sqlite" not in item.name.lower():
            raise pytest.UsageError("%s is marked sqlite_only: its name "
                                    "must say sqlite" % item.nodeid)
        if BACKEND != "sqlite":
            reason = mark.args[0] if mark.args else \
                mark.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(
                reason="about SQLite itself (backend is %s): %s"
                % (BACKEND, reason)))


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    drop_gone_dbs()


def pytest_sessionfinish(session, exitstatus):
    pg_helpers.stop_session_cluster()


# --------------------------------------------------------------------------
# The server log of a failing test, in its report

_LOG_OFFSETS = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _LOG_OFFSETS[item.nodeid] = [(s, s.log_size()) for s in _LIVE_SERVERS]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    seen = dict(_LOG_OFFSETS.get(item.nodeid, []))
    for s in list(_LIVE_SERVERS):
        start = seen.get(s, 0)
        try:
            with open(s.log_path, "rb") as f:
                f.seek(start)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if len(text) > 20000:
            text = "...\n" + text[-20000:]
        rep.sections.append(("portal-api log (%s) during %s" % (
            s.base_url, rep.when), text))
