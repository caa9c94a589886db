"""API keys for scripts (issue 15): made by admins for integration users,
the secret shown once and only its hash stored, scopes that limit what a
key may do, revocation and expiry that take effect at once, last use kept
without a write per request, and failed checks that lock nobody out."""
import hashlib
import time

import pytest

from conftest import assert_problem, error_fields
from clients_helpers import Api, Firm, expense, list_page, module_portal
import db_helpers

srv = module_portal()

ALL_SCOPES = ["clients:read", "clients:write", "expenses:write",
              "balances:write", "events:read"]


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture
def firm(api):
    return Firm(api, "sv")


def new_key(api, firm, scopes=ALL_SCOPES, user=None, **extra):
    body = {"name": "Sync job", "user_id": (user or firm.integration).id,
            "scopes": scopes}
    body.update(extra)
    return api.ok("POST", "/v1/api-keys", firm.admin.token, status=201,
                  json=body)


def db_row(srv, key_id):
    return db_helpers.rows(srv.env, "SELECT prefix, secret_hash, "
                           "last_used_at FROM api_keys WHERE id = ?",
                           (key_id,))[0]


def test_a_key_is_shown_once_and_stored_as_its_hash(api, firm, srv):
    k = new_key(api, firm)
    secret = k["key"]
    assert secret.startswith("ppk_live_") and len(secret) == 52
    assert k["prefix"] == secret[:21]
    assert k["scopes"] == ALL_SCOPES and k["user_id"] == firm.integration.id
    assert k["last_used_at"] is None and k["revoked_at"] is None
    got = api.ok("GET", "/v1/api-keys/%d" % k["id"], firm.admin.token)
    assert "key" not in got and got["prefix"] == k["prefix"]
    page = api.ok("GET", "/v1/api-keys", firm.admin.token)
    assert [x["id"] for x in page["data"]] == [k["id"]]
    assert secret not in str(page)
    prefix, stored, _ = db_row(srv, k["id"])
    assert prefix == k["prefix"]
    assert bytes(stored) == hashlib.sha256(secret.encode()).digest()


def test_a_key_reads_and_writes_within_its_scopes(api, firm):
    c = firm.active("Nyckel AB")
    reader = new_key(api, firm, ["clients:read"])["key"]
    writer = new_key(api, firm, ["expenses:write"])["key"]
    rows = list_page(api, reader, tab="all")["data"]
    assert [x["id"] for x in rows] == [c["id"]]
    assert api.ok("GET", "/v1/me", reader)["id"] == firm.integration.id
    path = "/v1/clients/%d/expenses" % c["id"]
    r = api.post(path, reader, json=expense("k-1"))
    doc = assert_problem(r, 403)
    assert doc["required_scope"] == "expenses:write", doc
    api.ok("POST", path, writer, status=201, json=expense("k-1"))
    doc = assert_problem(api.get(path, writer), 403)
    assert doc["required_scope"] == "clients:read"
    assert api.ok("GET", path, reader)["total"] == 1
    r = api.put("/v1/balances", writer, json={"balances": [
        {"client_id": c["id"], "amount_minor": 1, "currency": "SEK"}]})
    assert assert_problem(r, 403)["required_scope"] == "balances:write"


def test_a_key_never_has_admin_powers(api, firm):
    for user in (firm.admin, firm.user("bookkeeper")):
        r = api.post("/v1/api-keys", firm.admin.token, json={
            "name": "x", "user_id": user.id, "scopes": ["clients:read"]})
        assert error_fields(assert_problem(r, 422)) == ["user_id"]
    other = Firm(api, "sv")
    r = api.post("/v1/api-keys", firm.admin.token, json={
        "name": "x", "user_id": other.integration.id,
        "scopes": ["clients:read"]})
    assert error_fields(assert_problem(r, 422)) == ["user_id"]
    key = new_key(api, firm)["key"]
    for path in ("/v1/users", "/v1/audit-events", "/v1/api-keys"):
        assert_problem(api.get(path, key), 403)
    assert_problem(api.post("/v1/api-keys", key, json={
        "name": "x", "user_id": firm.integration.id,
        "scopes": ["clients:read"]}), 403)
    # Another firm's admin sees none of this firm's keys.
    k = new_key(api, firm)
    assert_problem(api.get("/v1/api-keys/%d" % k["id"],
                           other.admin.token), 404)
    assert_problem(api.delete("/v1/api-keys/%d" % k["id"],
                              other.admin.token), 404)
    assert api.ok("GET", "/v1/api-keys", other.admin.token)["data"] == []


@pytest.mark.parametrize("body, field", [
    ({"scopes": []}, "scopes"),
    ({"scopes": ["admin"]}, "scopes"),
    ({"scopes": "clients:read"}, "scopes"),
    ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
    ({"expires_at": "tomorrow"}, "expires_at"),
    ({"name": ""}, "name"),
    ({"name": "a\u202eb"}, "name"),
    ({"secret": "x"}, "secret"),
])
def test_bad_key_requests_are_refused(api, firm, body, field):
    b = {"name": "Sync", "user_id": firm.integration.id,
         "scopes": ["clients:read"]}
    b.update(body)
    r = api.post("/v1/api-keys", firm.admin.token, json=b)
    assert field in error_fields(assert_problem(r, 422)), r.text
    assert api.ok("GET", "/v1/api-keys", firm.admin.token)["total"] == 0


def test_revoked_expired_unknown_and_wrong_keys_say_which(api, firm):
    k = new_key(api, firm)
    key = k["key"]
    assert api.get("/v1/me", key).status_code == 200
    # Unknown and wrong secret answer alike.
    wrong = key[:21] + ("A" if key[21] != "A" else "B") + key[22:]
    unknown = "ppk_live_" + "Z" * 43
    answers = set()
    for bad in (wrong, unknown, key[:-1], key + "x"):
        r = api.get("/v1/me", bad)
        doc = assert_problem(r, 401)
        answers.add(doc["detail"])
        assert "Bearer" in r.headers["WWW-Authenticate"]
    assert answers == {"The API key is not valid."}
    r = api.delete("/v1/api-keys/%d" % k["id"], firm.admin.token)
    assert r.status_code == 204
    doc = assert_problem(api.get("/v1/me", key), 401)
    assert doc["detail"] == "The API key was revoked."
    got = api.ok("GET", "/v1/api-keys/%d" % k["id"], firm.admin.token)
    assert got["revoked_at"] is not None
    # Revoking again changes nothing.
    assert api.delete("/v1/api-keys/%d" % k["id"],
                      firm.admin.token).status_code == 204
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(time.time() + 2))
    short = new_key(api, firm, expires_at=soon)["key"]
    assert api.get("/v1/me", short).status_code == 200
    time.sleep(2.5)
    doc = assert_problem(api.get("/v1/me", short), 401)
    assert doc["detail"] == "The API key has expired."


def test_a_deactivated_user_s_keys_stop_at_once(api, firm):
    key = new_key(api, firm)["key"]
    api.ok("PATCH", "/v1/users/%d" % firm.integration.id, firm.admin.token,
           json={"active": False})
    assert_problem(api.get("/v1/me", key), 401)


def test_failed_key_checks_lock_nobody_out(api, firm, srv):
    key = new_key(api, firm)["key"]
    for i in range(60):
        assert api.get("/v1/me", "ppk_live_%043d" % i).status_code == 401
        assert api.get("/v1/me", key[:-2] + "%02d" % i).status_code in (
            200, 401)
    assert api.get("/v1/me", key).status_code == 200
    r = api.post("/v1/auth/token", None, json={
        "email": firm.integration["email"],
        "password": firm.integration["password"]})
    assert r.status_code == 200, r.text


def test_last_use_is_kept_without_a_write_per_request(api, firm, srv):
    k = new_key(api, firm)
    assert db_row(srv, k["id"])[2] is None
    api.ok("GET", "/v1/me", k["key"])
    first = db_row(srv, k["id"])[2]
    assert first is not None and abs(first - time.time()) < 5
    time.sleep(1.1)
    for _ in range(20):
        api.ok("GET", "/v1/me", k["key"])
    assert db_row(srv, k["id"])[2] == first
    got = api.ok("GET", "/v1/api-keys/%d" % k["id"], firm.admin.token)
    assert got["last_used_at"] is not None


def test_keys_of_one_firm_reach_none_of_another(api, firm):
    other = Firm(api, "sv")
    theirs = other.active("Deras AB")
    key = new_key(api, firm)["key"]
    assert_problem(api.get("/v1/clients/%d" % theirs["id"], key), 404)
    assert list_page(api, key, tab="all")["data"] == []


def test_a_locked_password_login_leaves_the_key_working(api, firm):
    """A stranger who guesses the integration's password until its logins
    are throttled keeps the sync job out of nothing: it uses its key."""
    key = new_key(api, firm)["key"]
    for _ in range(200):
        r = api.post("/v1/auth/token", None, json={
            "email": firm.integration["email"], "password": "guess-guess"})
        if r.status_code == 429:
            break
        assert r.status_code == 401, r.text
    assert r.status_code == 429, "the guesses were never throttled"
    assert api.ok("GET", "/v1/me", key)["id"] == firm.integration.id
    assert api.ok("GET", "/v1/clients", key, params={"tab": "all"})
