"""Login (POST /v1/auth/token) and Bearer-token authentication."""
import http.client
import json
import statistics
import tempfile
import threading
import time
import uuid

import pytest

from conftest import (HTTP_TIMEOUT, assert_problem, b64url, b64url_decode,
                      error_fields, start_portal, std_claims)


def _claims_of(token):
    return json.loads(b64url_decode(token.split(".")[1]))


# --------------------------------------------------------------------------
# Login

def test_login_ok(portal):
    u = portal.users["bookkeeper"]
    r = portal.login_response(u["email"], u["password"])
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers.get("X-Request-Id")
    # A token response must never be cached (RFC 6749, 5.1).
    assert "no-store" in r.headers.get("Cache-Control", "")
    doc = r.json()
    assert doc["token_type"] == "Bearer"
    assert isinstance(doc["expires_in"], int) and doc["expires_in"] == 3600
    token = doc["access_token"]
    assert token.count(".") == 2
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header["alg"] == "HS256"
    claims = _claims_of(token)
    assert claims["iss"] == "partner-portal"
    assert claims["aud"] == "portal-api"
    assert claims["sub"] == str(u["id"])
    assert claims["partner_id"] == u["partner_id"]
    assert claims["role"] == "bookkeeper"
    assert claims["exp"] - claims["iat"] == 3600
    assert abs(claims["iat"] - time.time()) < 120
    # The token works.
    me = portal.get("/v1/me", token)
    assert me.status_code == 200 and me.json()["id"] == u["id"]


def test_login_email_is_case_insensitive(portal):
    u = portal.users["integration"]
    r = portal.login_response(u["email"].upper(), u["password"])
    assert r.status_code == 200, r.text


def test_wrong_password_and_unknown_email_look_the_same(portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    wrong = portal.login_response(user["email"], "not-the-password-1")
    unknown = portal.login_response(
        "nobody-%s@alpha.test" % uuid.uuid4().hex[:8], user["password"])
    malformed = portal.login_response("no-at-sign-here", user["password"])
    for r in (wrong, unknown, malformed):
        assert_problem(r, 401, "unauthorized")
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert wrong.content == unknown.content == malformed.content
    assert wrong.headers["WWW-Authenticate"] == \
        unknown.headers["WWW-Authenticate"]
    # Clear the failure count of this address.
    assert portal.login_response(user["email"],
                                 user["password"]).status_code == 200


def test_unknown_email_takes_as_long_as_wrong_password(portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    wrong, unknown = [], []
    # Four failures per address stay below the lockout of five.
    for i in range(4):
        t0 = time.perf_counter()
        r = portal.login_response(user["email"], "wrong-password-%d" % i)
        wrong.append(time.perf_counter() - t0)
        assert r.status_code == 401
        t0 = time.perf_counter()
        r = portal.login_response("ghost-%s@alpha.test" % uuid.uuid4().hex,
                                  "wrong-password-%d" % i)
        unknown.append(time.perf_counter() - t0)
        assert r.status_code == 401
    mw, mu = statistics.median(wrong), statistics.median(unknown)
    assert mu >= 0.5 * mw, (
        "unknown address answered much faster (median %.1f ms) than a "
        "wrong password (median %.1f ms): the time tells which addresses "
        "exist" % (mu * 1e3, mw * 1e3))
    assert mw >= 0.5 * mu, (mw, mu)
    assert portal.login_response(user["email"],
                                 user["password"]).status_code == 200


def test_lockout_after_five_failures(portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    for i in range(5):
        r = portal.login_response(user["email"], "wrong-password-%d" % i)
        assert_problem(r, 401, "unauthorized")
    r = portal.login_response(user["email"], "wrong-password-again")
    doc = assert_problem(r, 429, "rate-limited")
    retry = r.headers.get("Retry-After")
    assert retry is not None and retry.isdigit(), retry
    assert 1 <= int(retry) <= 60, retry
    assert doc["status"] == 429
    # Locked: even the right password is refused, in any letter case.
    r = portal.login_response(user["email"], user["password"])
    assert_problem(r, 429, "rate-limited")
    assert r.headers.get("Retry-After", "").isdigit()
    r = portal.login_response(user["email"].upper(), user["password"])
    assert_problem(r, 429, "rate-limited")
    # The lock is on that address only.
    other = portal.users["admin"]
    assert portal.login_response(other["email"],
                                 other["password"]).status_code == 200
    # A token issued before the lock still works (the lock is on logins).
    assert portal.get("/v1/me", portal.token("admin")).status_code == 200


def test_unknown_address_locks_like_a_known_one(portal):
    email = "ghost-%s@alpha.test" % uuid.uuid4().hex[:10]
    for i in range(5):
        assert portal.login_response(email, "pw-%d-xxxxxx" % i) \
            .status_code == 401
    r = portal.login_response(email, "pw-x-xxxxxx")
    assert_problem(r, 429, "rate-limited")
    assert r.headers.get("Retry-After", "").isdigit()


def test_successful_login_resets_the_failure_count(portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    for _ in range(2):
        for i in range(4):
            assert portal.login_response(user["email"], "bad-pass-%d" % i) \
                .status_code == 401
        assert portal.login_response(user["email"], user["password"]) \
            .status_code == 200


# --------------------------------------------------------------------------
# Login attempts: claimed before the hash, per address and client

class LoginResult:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def login_from(portal, source, email, password, xff=None):
    """POST /v1/auth/token from the loopback address source (all of
    127.0.0.0/8 reaches lo on Linux), on a connection of its own; with
    xff, as a proxy would send it, in X-Forwarded-For."""
    conn = http.client.HTTPConnection("127.0.0.1", portal.port,
                                      timeout=HTTP_TIMEOUT,
                                      source_address=(source, 0))
    headers = {"Content-Type": "application/json"}
    if xff is not None:
        headers["X-Forwarded-For"] = xff
    try:
        conn.request("POST", "/v1/auth/token", body=json.dumps(
            {"email": email, "password": password}), headers=headers)
        r = conn.getresponse()
        return LoginResult(r.status, {k.lower(): v for k, v in
                                      r.getheaders()}, r.read())
    finally:
        conn.close()


def assert_locked(res):
    assert res.status == 429, (res.status, res.body[:300])
    assert res.headers["content-type"].startswith("application/problem+json")
    assert res.json()["type"] == "/problems/rate-limited"
    retry = res.headers.get("retry-after", "")
    assert retry.isdigit() and int(retry) >= 1, retry
    return int(retry)


def parallel_logins(portal, source, email, password, n):
    """n logins at once (a barrier releases them together): the results."""
    results = [None] * n
    gate = threading.Barrier(n)

    def one(i):
        try:
            gate.wait(timeout=HTTP_TIMEOUT)
            results[i] = login_from(portal, source, email, password)
        except Exception as e:          # reported below, never hangs
            results[i] = e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=4 * HTTP_TIMEOUT)
    errors = [r for r in results if not isinstance(r, LoginResult)]
    assert not errors, errors[:3]
    return results


def test_parallel_wrong_guesses_get_at_most_max_failures_password_checks(
        portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    log_from = portal.server.log_size()
    results = parallel_logins(portal, "127.0.0.1", user["email"],
                              "wrong-password-x", 60)
    statuses = sorted(r.status for r in results)
    checked = statuses.count(401)
    # Every check ends in a 401; a refusal before the check is a 429.
    assert 1 <= checked <= 5, statuses
    assert statuses.count(429) == 60 - checked, statuses
    for r in results:
        if r.status == 429:
            assert_locked(r)
    # The server's own count of failed checks agrees.
    log = portal.server.log_text().encode()[log_from:].decode(
        "utf-8", "replace")
    assert log.count("login failed") == checked, checked
    # The right password from the locked source is refused too.
    assert_locked(login_from(portal, "127.0.0.1", user["email"],
                             user["password"]))


def test_a_correct_password_from_another_source_logs_in_while_one_is_locked(
        portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    for i in range(5):
        assert login_from(portal, "127.0.0.1", user["email"],
                          "wrong-password-%d" % i).status == 401
    assert_locked(login_from(portal, "127.0.0.1", user["email"],
                             user["password"]))
    # A client that has not failed is not locked out by one that has.
    ok = login_from(portal, "127.0.0.2", user["email"], user["password"])
    assert ok.status == 200, ok.body[:300]
    token = ok.json()["access_token"]
    assert portal.get("/v1/me", token).json()["id"] == user["id"]
    # Its success does not unlock the guessing source.
    assert_locked(login_from(portal, "127.0.0.1", user["email"],
                             user["password"]))


# Small limits: 2 checks per source, 5 per address, windows of 3 seconds.
CEILING_ENV = {"PORTAL_LOGIN_MAX_FAILURES": "2",
               "PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS": "5",
               "PORTAL_LOGIN_LOCKOUT": "3"}


@pytest.fixture(scope="module")
def ceiling_portal():
    with tempfile.TemporaryDirectory(prefix="portal-login-") as tmpdir:
        p = start_portal(tmpdir, extra_env=CEILING_ENV)
        try:
            yield p
        finally:
            p.server.stop_and_check()


def test_the_address_ceiling_locks_every_source_until_the_window_ends(
        ceiling_portal):
    p = ceiling_portal
    u = p.users["bookkeeper"]
    email, password = u["email"], u["password"]
    # Two sources use up their own budgets; the third is refused by its.
    for source in ("127.0.0.2", "127.0.0.3"):
        for i in range(2):
            assert login_from(p, source, email, "wrong-pw-%d" % i)                 .status == 401
        assert_locked(login_from(p, source, email, "wrong-pw-x"))
    # Below the ceiling a fresh source still gets in.
    assert login_from(p, "127.0.0.4", email, password).status == 200
    # The fifth failure of the address, from yet another source.
    assert login_from(p, "127.0.0.5", email, "wrong-pw-5").status == 401
    # Now every source is refused, even with the right password.
    retry = 0
    for source in ("127.0.0.4", "127.0.0.6", "127.0.0.1"):
        retry = max(retry, assert_locked(login_from(p, source, email,
                                                    password)))
    assert retry <= 3, retry
    # Another address is not touched.
    other = p.users["admin"]
    assert login_from(p, "127.0.0.6", other["email"],
                      other["password"]).status == 200
    # The window ends: the address and its sources start again.
    time.sleep(retry + 1)
    assert login_from(p, "127.0.0.6", email, password).status == 200
    assert login_from(p, "127.0.0.2", email, "wrong-pw-again").status == 401
    assert login_from(p, "127.0.0.2", email, password).status == 200


def test_behind_a_trusted_proxy_each_client_address_has_its_own_budget():
    env = dict(CEILING_ENV, PORTAL_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    with tempfile.TemporaryDirectory(prefix="portal-login-") as tmpdir:
        p = start_portal(tmpdir, extra_env=env)
        try:
            u = p.users["bookkeeper"]
            email, password = u["email"], u["password"]
            # Through the proxy: the client is the entry it added, last.
            for i in range(2):
                assert login_from(p, "127.0.0.1", email, "wrong-%d" % i,
                                  xff="6.6.6.6, 198.51.100.1").status == 401
            assert_locked(login_from(p, "127.0.0.1", email, "wrong-x",
                                     xff="198.51.100.1"))
            # Another client of the same proxy, here behind a second
            # trusted hop, has a budget of its own.
            assert login_from(p, "127.0.0.1", email, password,
                              xff="198.51.100.2, 10.1.2.3").status == 200
            # What a client writes left of the proxy's entry is not read.
            assert_locked(login_from(p, "127.0.0.1", email, password,
                                     xff="198.51.100.2, 198.51.100.1"))
            # A peer that is no trusted proxy is its own address, whatever
            # its X-Forwarded-For says.
            for i in range(2):
                assert login_from(p, "127.0.0.2", email, "wrong-y%d" % i,
                                  xff="198.51.100.%d" % (10 + i)).status \
                    == 401
            assert_locked(login_from(p, "127.0.0.2", email, password,
                                     xff="198.51.100.99"))
        finally:
            p.server.stop_and_check()


@pytest.mark.parametrize("body, fields", [
    ({"email": "a@alpha.test"}, ["password"]),
    ({"password": "x" * 12}, ["email"]),
    ({}, ["email", "password"]),
    ({"email": "a@alpha.test", "password": "x" * 12, "remember": True},
     ["remember"]),
    ({"email": 1, "password": ["x"]}, ["email", "password"]),
    ({"email": "", "password": ""}, ["email", "password"]),
    ({"email": "a@alpha.test", "password": "x" * 257}, ["password"]),
    ({"email": "a" * 250 + "@a.test", "password": "x" * 12}, ["email"]),
    # Field names are case-sensitive: "Email" is not "email".
    ({"Email": "a@alpha.test", "password": "x" * 12}, ["Email", "email"]),
])
def test_login_validation(portal, body, fields):
    r = portal.request("POST", "/v1/auth/token", json=body)
    doc = assert_problem(r, 422, "validation-error")
    assert sorted(error_fields(doc)) == sorted(fields), doc


def test_login_with_a_longer_address_is_not_the_same_user(portal,
                                                          admin_token):
    # 254 characters: the longest address the store takes (addresses are
    # ASCII, so characters and bytes agree; labels are at most 63).
    email = "t@" + ".".join(["e" * 63] * 3 + ["e" * 60])
    user = portal.create_user(admin_token, role="bookkeeper", email=email)
    assert user["email"] == email
    assert portal.login_response(email, user["password"]).status_code == 200
    # A different, longer address must not log in as that user (it did
    # when the server cut the address to its buffer before looking it up).
    r = portal.login_response(email + "zzz", user["password"])
    assert r.status_code in (401, 422), (r.status_code, r.text)


# --------------------------------------------------------------------------
# Bearer tokens

def _flip(segment, index):
    """segment with the base64url character at index changed."""
    c = segment[index]
    repl = "A" if c != "A" else "B"
    return segment[:index] + repl + segment[index + 1:]


def _attack_tokens(portal):
    """(name, token, Authorization header or None) of refused tokens."""
    u = portal.users["bookkeeper"]
    now = int(time.time())
    real = portal.token("bookkeeper")
    h, p, s = real.split(".")
    claims = _claims_of(real)
    forged = dict(claims, role="admin", partner_id=portal.partners["beta"])
    other = portal.users["beta_admin"]
    k = "bookkeeper"
    cases = [
        ("expired", portal.mint(k, now=now - 7200, ttl=3600)),
        ("expired one second ago", portal.mint(k, iat=now - 100,
                                               exp=now - 1)),
        ("tampered payload byte", "%s.%s.%s" % (h, _flip(p, len(p) // 2), s)),
        ("tampered claims, old signature",
         "%s.%s.%s" % (h, b64url(json.dumps(forged)), s)),
        ("tampered signature", "%s.%s.%s" % (h, p, _flip(s, 10))),
        ("no signature", "%s.%s." % (h, p)),
        ("two segments", "%s.%s" % (h, p)),
        ("four segments", "%s.%s.%s.%s" % (h, p, s, s)),
        ("alg none, empty signature", portal.mint(k, alg="none")),
        ("alg none, old signature",
         portal.mint(k, alg="none").rstrip(".") + "." + s),
        ("alg None", portal.mint(k, alg="none",
                                 header={"alg": "None", "typ": "JWT"})),
        ("alg HS512", portal.mint(k, alg="HS512")),
        ("alg HS384", portal.mint(k, alg="HS384")),
        ("HS512 header, HS256 signature",
         portal.mint(k, header={"alg": "HS512", "typ": "JWT"})),
        ("wrong aud", portal.mint(k, aud="portal-client")),
        ("aud unsubscribe", portal.mint(k, aud="portal-unsubscribe")),
        ("no aud", portal.mint(k, aud=None)),
        ("wrong iss", portal.mint(k, iss="someone-else")),
        ("no iss", portal.mint(k, iss=None)),
        ("other secret", portal.mint(k, secret="0" * 64)),
        ("empty secret", portal.mint(k, secret=b"")),
        ("exp as string", portal.mint(k, exp=str(now + 600))),
        ("exp as float", portal.mint(k, exp=now + 600.5)),
        ("no exp", portal.mint(k, exp=None)),
        ("iat in the future", portal.mint(k, iat=now + 3600,
                                          exp=now + 7200)),
        ("nbf in the future", portal.mint(k, nbf=now + 3600)),
        ("unknown user", portal.mint(k, sub="999999")),
        ("sub not a number", portal.mint(k, sub="bookkeeper")),
        ("sub as integer", portal.mint(k, sub=u["id"])),
        ("other firm's partner_id",
         portal.mint(k, partner_id=portal.partners["beta"])),
        ("partner_id as string", portal.mint(k, partner_id=str(
            u["partner_id"]))),
        ("no role", portal.mint(k, role=None)),
        ("other firm's admin id with our partner",
         portal.mint(None, **std_claims(other["id"], u["partner_id"],
                                        "admin"))),
        ("garbage", "not-a-token"),
        ("payload not JSON",
         portal.mint(k, raw_payload=b"this is not json")),
    ]
    return [(name, tok, None) for name, tok in cases] + [
        ("missing Bearer prefix", None, real),
        ("Basic scheme", None, "Basic " + b64url("a@b.c:pw")),
        ("Token scheme", None, "Token " + real),
        ("Bearer without token", None, "Bearer"),
        ("Bearer and spaces", None, "Bearer    "),
        ("10 KB header", None, "Bearer " + "a" * 10240),
        ("10 KB validly signed token", None,
         "Bearer " + portal.mint(k, pad="x" * 10240)),
    ]


def test_minted_token_control(portal):
    """The minting helper makes tokens the server accepts, so that the
    refusals below are about the one thing each case changes."""
    r = portal.get("/v1/me", portal.mint("bookkeeper"))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == portal.users["bookkeeper"]["id"]
    # The scheme name is case-insensitive (RFC 9110, 11.1).
    r = portal.get("/v1/me", headers={
        "Authorization": "bearer " + portal.mint("bookkeeper")})
    assert r.status_code == 200, r.text


def test_refused_tokens(portal):
    failures = []
    for name, token, header in _attack_tokens(portal):
        headers = {"Authorization": header} if header is not None else None
        r = portal.get("/v1/me", token=token, headers=headers)
        try:
            assert_problem(r, 401, "unauthorized")
        except AssertionError as e:
            failures.append("%s: %s" % (name, e))
    assert not failures, "\n".join(failures)
    assert portal.get("/healthz").status_code == 200


def test_missing_token(portal):
    r = portal.get("/v1/me")
    assert_problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer realm=")
    r = portal.get("/v1/users")
    assert_problem(r, 401, "unauthorized")


def test_deactivated_user_is_refused_at_once(portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    token = portal.login(user["email"], user["password"])
    assert portal.get("/v1/me", token).status_code == 200
    r = portal.request("PATCH", "/v1/users/%d" % user["id"], admin_token,
                       json={"active": False})
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    # The token issued before is refused on the next request.
    assert_problem(portal.get("/v1/me", token), 401, "unauthorized")
    # So is a fresh, correctly signed one.
    minted = portal.mint(None, **std_claims(
        user["id"], portal.partners["alpha"], "bookkeeper"))
    assert_problem(portal.get("/v1/me", minted), 401, "unauthorized")
    # Login with the right password fails like any wrong login.
    right = portal.login_response(user["email"], user["password"])
    wrong = portal.login_response(user["email"], "certainly-wrong-pw")
    assert_problem(right, 401, "unauthorized")
    assert right.content == wrong.content
    # Reactivated, the user can log in again.
    r = portal.request("PATCH", "/v1/users/%d" % user["id"], admin_token,
                       json={"active": True})
    assert r.status_code == 200, r.text
    token = portal.login(user["email"], user["password"])
    assert portal.get("/v1/me", token).status_code == 200


def test_a_write_answers_for_the_caller_before_its_body(portal, admin_token):
    """A write parses its body before its transaction and checks the
    caller inside it: a refused body still answers after the caller's
    account and role, as it would if they were checked first."""
    user = portal.create_user(admin_token, role="bookkeeper")
    token = portal.login(user["email"], user["password"])
    bad = {"data": b"{not json", "headers": {
        "Content-Type": "application/json"}}
    # The role may not create clients: 403, not the body's 400.
    assert_problem(portal.request("POST", "/v1/clients", token, **bad),
                   403, "forbidden")
    assert_problem(portal.request("POST", "/v1/clients", token,
                                  json={"name": 7}), 403, "forbidden")
    # An admin gets the body's own answer.
    assert_problem(portal.request("POST", "/v1/clients", admin_token, **bad),
                   400, "malformed-request")
    r = portal.request("PATCH", "/v1/users/%d" % user["id"], admin_token,
                       json={"active": False})
    assert r.status_code == 200, r.text
    # Deactivated: 401 whatever the body.
    r = portal.request("PUT", "/v1/clients/1/notification-preference",
                       token, **bad)
    assert_problem(r, 401, "unauthorized")


def test_role_change_takes_effect_at_once(portal, admin_token):
    user = portal.create_user(admin_token, role="bookkeeper")
    token = portal.login(user["email"], user["password"])
    path = "/v1/users/%d" % user["id"]
    assert_problem(portal.get("/v1/users", token), 403, "forbidden")

    r = portal.request("PATCH", path, admin_token, json={"role": "admin"})
    assert r.status_code == 200 and r.json()["role"] == "admin", r.text
    # The same token (whose role claim still says bookkeeper) now acts as
    # an admin: the role is read from the database on every request.
    assert portal.get("/v1/users", token).status_code == 200
    assert portal.get("/v1/me", token).json()["role"] == "admin"

    r = portal.request("PATCH", path, admin_token,
                       json={"role": "integration"})
    assert r.status_code == 200, r.text
    assert_problem(portal.get("/v1/users", token), 403, "forbidden")
    assert portal.get("/v1/me", token).json()["role"] == "integration"
