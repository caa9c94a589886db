"""Helpers of the authorization matrix (test_matrix.py) and the bad-input
table (test_bad_input.py).

Each of those modules runs a server of its own (`module_server`) on a
fresh database bootstrapped by conftest (firms "alpha" and "beta" with
their users) and builds a small world on it through the API (`World`).
Tokens are minted with the server's secret, so that the slow password
hash runs only where a test asks for a login. `db_fingerprint` reads the
test database through a read-only connection (db_helpers, either
backend), to prove that a refused request wrote nothing.
"""
import hashlib
import itertools
import select
import socket
import tempfile
import time
import uuid

import pytest
import requests

from clients_helpers import new_org_number
from conftest import (HTTP_TIMEOUT, cli_id, mint_jwt, run_cli, start_portal,
                      std_claims)
from db_helpers import connect

APP_URL = "https://app.matrix.test"

_seq = itertools.count(1)


def seq():
    return next(_seq)


def module_server(prefix, extra_env=None):
    """A module-scoped fixture: a portal of the module's own."""
    env = {"PORTAL_APP_URL": APP_URL}
    env.update(extra_env or {})

    @pytest.fixture(scope="module")
    def fixture():
        with tempfile.TemporaryDirectory(prefix=prefix) as tmpdir:
            p = start_portal(tmpdir, env)
            try:
                yield p
            finally:
                p.server.stop_and_check()
    return fixture


def served_routes(portal):
    """["GET /healthz", ...] as `portal-api routes` prints them."""
    proc = run_cli(portal.env, "routes")
    assert proc.returncode == 0, proc.stderr
    return [line.strip() for line in proc.stdout.splitlines()
            if line.strip()]


# --------------------------------------------------------------------------
# HTTP

class Api:
    """HTTP on one keep-alive session."""

    def __init__(self, portal):
        self.portal = portal
        self.base = portal.base_url
        self.s = requests.Session()

    def call(self, method, path, token=None, json=None, params=None,
             headers=None, data=None, timeout=HTTP_TIMEOUT):
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if headers:
            h.update(headers)
        return self.s.request(method, self.base + path, json=json,
                              params=params, headers=h, data=data,
                              timeout=timeout, allow_redirects=False)

    def ok(self, method, path, token, status=200, **kw):
        r = self.call(method, path, token, **kw)
        assert r.status_code == status, "%s %s: expected %s, got %s: %s" % (
            method, path, status, r.status_code, r.text[:1000])
        return r.json() if r.content else None

    def close(self):
        self.s.close()


def send_streamed(port, head, pieces, tail=b"", timeout=HTTP_TIMEOUT):
    """Sends the request head (bytes), then each of pieces and tail,
    stopping as soon as the server has answered or closed, and returns the
    raw bytes of its answer. A server that refuses early and closes is
    what this expects, so send errors are ignored."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        try:
            s.sendall(head)
            answered = False
            for piece in pieces:
                if select.select([s], [], [], 0)[0]:
                    answered = True
                    break
                s.sendall(piece)
            if not answered and tail:
                s.sendall(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not got:
                break
            data += got
            head_end = data.find(b"\r\n\r\n")
            if head_end != -1:
                cl = None
                for line in data[:head_end].split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        cl = int(v.strip())
                if cl is not None and len(data) - head_end - 4 >= cl:
                    break
    return data


def send_big_body(port, head, total, chunked=False, piece=256 * 1024):
    """Streams total bytes of blanks after head: as they are when head
    carries a Content-Length, else in chunked framing around "{...}"."""
    blank = b" " * piece
    n, rest = divmod(total, piece)
    if not chunked:
        pieces = [blank] * n + ([blank[:rest]] if rest else [])
        return send_streamed(port, head, pieces)
    framed = b"%x\r\n%s\r\n" % (piece, blank)
    return send_streamed(port, head, [b"1\r\n{\r\n"] + [framed] * n,
                         tail=b"1\r\n}\r\n0\r\n\r\n")


# --------------------------------------------------------------------------
# Tokens

def token_for(portal, user, **over):
    """A login token of user (a dict with id, partner_id, role)."""
    claims = std_claims(user["id"], user["partner_id"], user["role"],
                        ttl=over.pop("ttl", 3600), now=over.pop("now", None))
    claims.update(over)
    return mint_jwt(portal.secret, claims)


def expired_token_for(portal, user):
    """Signed right, for an active user, but its exp passed an hour ago."""
    now = int(time.time())
    return token_for(portal, user, now=now - 7200, ttl=3600)


def unsubscribe_token(portal, user, frequency="weekly", client_id=None):
    """A link as the worker writes it now: for the current generation of
    the user's settings at frequency (a link works once, and not after a
    new subscription)."""
    now = int(time.time())
    claims = {"iss": "partner-portal", "aud": "portal-unsubscribe",
              "sub": str(user["id"]), "partner_id": user["partner_id"],
              "scope": frequency, "iat": now, "exp": now + 3600}
    if client_id is not None:
        claims["client_id"] = client_id
    conn = db_connect(portal)
    try:
        claims["gen"] = conn.execute(
            "SELECT COALESCE(MAX(generation), 1) FROM "
            "notification_preferences WHERE user_id = ? AND frequency = ?",
            (user["id"], frequency)).fetchone()[0]
    finally:
        conn.close()
    return mint_jwt(portal.secret, claims)


# --------------------------------------------------------------------------
# The database, read-only

def db_connect(portal):
    return connect(portal.env, readonly=True, timeout=10)


def db_fingerprint(conn):
    """{table: (row count, digest of its rows)} for every table, shadow
    tables included, read in one snapshot. A virtual table is read through
    its shadow tables: a contentless one cannot be scanned."""
    out = {}
    with conn.transaction():
        for t in conn.tables():
            rows = conn.execute('SELECT * FROM "%s"' % t.replace('"', '""'))
            rows = sorted(repr(tuple(r)) for r in rows)
            h = hashlib.sha256()
            for r in rows:
                h.update(r.encode("utf-8", "surrogateescape"))
                h.update(b"\n")
            out[t] = (len(rows), h.hexdigest()[:16])
    return out


def db_changes(before, after, allowed=()):
    """The tables whose rows changed, but for those in allowed."""
    names = set(before) | set(after)
    return sorted(t for t in names if t not in allowed and
                  before.get(t) != after.get(t))


# --------------------------------------------------------------------------
# The world: two firms, users of each role, clients in each status

class World:
    """Bootstrap users of conftest plus what a module asks for. Users are
    dicts with id, partner_id, role, email, password and token."""

    def __init__(self, portal):
        self.portal = portal
        self.api = Api(portal)
        self.alpha = portal.partners["alpha"]
        self.beta = portal.partners["beta"]
        self.users = {}
        for key, u in portal.users.items():
            self.users[key] = self._with_token(dict(u))

    def _with_token(self, u):
        u["token"] = token_for(self.portal, u)
        return u

    def new_user(self, key, partner, role, name=None):
        n = seq()
        email = "%s-%d-%s@matrix.test" % (key.replace("_", "-"), n,
                                          uuid.uuid4().hex[:6])
        password = "pw-%s-%d" % (uuid.uuid4().hex[:10], n)
        name = name or "%s %d" % (key.replace("_", " ").title(), n)
        uid = cli_id(self.portal.env, "create-user", "--partner",
                     str(partner), "--email", email, "--name", name,
                     "--role", role, password=password)
        u = self._with_token({"id": uid, "partner_id": partner, "role": role,
                              "email": email, "password": password,
                              "name": name})
        self.users[key] = u
        return u

    def token(self, key):
        return self.users[key]["token"]

    # -- clients -------------------------------------------------------------
    @staticmethod
    def org():
        """A valid organisation number new to this process: Swedish, the
        country of both firms (locale sv)."""
        return new_org_number("SE")

    def client(self, status, name=None, assignees=(), admin="admin",
               integration="integration"):
        """A client of the admin's firm in status, with assignees (user
        keys) set while it is still in a status that takes them."""
        api, adm = self.api, self.token(admin)
        name = name or "Client %s %d" % (status, seq())
        if status in ("invitation", "active", "declined"):
            c = api.ok("POST", "/v1/clients", self.token(integration), 201,
                       json={"name": name, "org_number": self.org(),
                             "status": "invitation"})
        elif status in ("onboarding", "rejected"):
            c = api.ok("POST", "/v1/clients", adm, 201, json={
                "name": name, "org_number": self.org(),
                "contact_email": "kontakt-%d@client.test" % seq()})
        else:
            raise ValueError(status)
        if assignees:
            self.assign(c["id"], assignees, admin=admin)
        if status == "active":
            c = api.ok("POST", "/v1/clients/%d/accept" % c["id"], adm)
        elif status == "declined":
            c = api.ok("POST", "/v1/clients/%d/decline" % c["id"], adm)
        elif status == "rejected":
            c = api.ok("POST", "/v1/clients/%d/verification" % c["id"],
                       self.token(integration), json={"result": "rejected"})
        assert c["status"] == status, c
        return c

    def assign(self, client_id, keys, admin="admin"):
        ids = [self.users[k]["id"] for k in keys]
        return self.api.ok("PUT", "/v1/clients/%d/assignees" % client_id,
                           self.token(admin), json={"user_ids": ids})

    def expense(self, client_id, token=None, **over):
        body = expense_body(**over)
        return self.api.ok("POST", "/v1/clients/%d/expenses" % client_id,
                           token or self.token("integration"), 201,
                           json=body)

    def reminder(self, client_id, admin="admin"):
        return self.api.ok("POST", "/v1/clients/%d/notify-accountants"
                           % client_id, self.token(admin), 202,
                           json={"tasks": ["missing_receipts"],
                                 "comment": "Please look"})

    def failed_reminder(self, client_id):
        """A reminder whose every email the mail server refused for good,
        as the worker would mark it: one a resend sends again."""
        r = self.reminder(client_id)
        with connect(self.portal.env) as db:
            db.execute("UPDATE outbox SET status = 'failed', attempts = 1, "
                       "last_error = '550 5.1.1 Mailbox unavailable' "
                       "WHERE id IN (SELECT outbox_id FROM "
                       "reminder_recipients WHERE reminder_id = ?)",
                       (r["id"],))
        return r


def expense_body(**over):
    e = {"external_id": "ext-%d-%s" % (seq(), uuid.uuid4().hex[:6]),
         "amount_minor": 12550, "currency": "SEK",
         "spent_at": "2026-03-02T10:15:00Z", "merchant": "Pressbyrån",
         "receipt_status": "missing", "export_status": "pending"}
    e.update(over)
    return e


def parse_raw(data):
    """A RawResponse (conftest) from the bytes of one HTTP answer."""
    from conftest import RawResponse
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError("no complete HTTP answer: %r" % data[:500])
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    cl = None
    for k, v in headers:
        if k.lower() == "content-length":
            cl = int(v)
    body = rest[:cl] if cl is not None else rest
    return RawResponse(int(parts[1]), parts[2] if len(parts) > 2 else "",
                       headers, body, data)
