"""GET /v1/me and the users of a firm (/v1/users, admins only)."""
import uuid

import pytest

from conftest import assert_problem, error_fields

USER_KEYS = {"id", "email", "name", "role", "active", "locale",
             "created_at", "updated_at"}


def _email(tag="u"):
    return "%s-%s@alpha.test" % (tag, uuid.uuid4().hex[:10])


def _valid_body(**over):
    body = {"email": _email(), "name": "Nils Nyman", "role": "bookkeeper",
            "password": "a-long-password"}
    body.update(over)
    return body


def _check_user_doc(doc):
    assert USER_KEYS <= set(doc), doc
    for secret in ("password", "password_hash", "hash"):
        assert secret not in doc, doc
    assert doc["created_at"].endswith("Z") and "T" in doc["created_at"]
    assert doc["updated_at"].endswith("Z")


@pytest.mark.parametrize("key", ["admin", "bookkeeper", "integration",
                                 "beta_admin"])
def test_me_for_each_role(portal, tokens, key):
    u = portal.users[key]
    r = portal.get("/v1/me", tokens[key])
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    _check_user_doc(doc)
    assert doc["id"] == u["id"]
    assert doc["email"] == u["email"]
    assert doc["name"] == u["name"]
    assert doc["role"] == u["role"]
    assert doc["active"] is True
    p = doc["partner"]
    assert p["id"] == u["partner_id"]
    assert p["name"] == {"alpha": "Alpha Redovisning AB",
                         "beta": "Beta Bokföring AB"}[u["partner"]]
    assert p["locale"] == "sv"
    assert p["timezone"] == "Europe/Copenhagen"


def test_admin_lists_users_of_own_firm_only(portal, tokens):
    r = portal.get("/v1/users", tokens["admin"])
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    ids = [u["id"] for u in data]
    emails = {u["email"] for u in data}
    for key in ("admin", "bookkeeper", "integration"):
        assert portal.users[key]["id"] in ids
    for key in ("beta_admin", "beta_bookkeeper"):
        assert portal.users[key]["id"] not in ids
        assert portal.users[key]["email"] not in emails
    assert not any(e.endswith("@beta.test") for e in emails), emails
    for u in data:
        _check_user_doc(u)

    r = portal.get("/v1/users", tokens["beta_admin"])
    assert r.status_code == 200, r.text
    beta_ids = {u["id"] for u in r.json()["data"]}
    assert beta_ids == {portal.users["beta_admin"]["id"],
                        portal.users["beta_bookkeeper"]["id"]}


def test_create_user(portal, tokens):
    body = _valid_body(email=_email("Mixed.Case").upper(), name="Åsa Öberg",
                       role="integration")
    r = portal.request("POST", "/v1/users", tokens["admin"], json=body)
    assert r.status_code == 201, r.text
    doc = r.json()
    _check_user_doc(doc)
    assert doc["email"] == body["email"].lower()
    assert doc["name"] == "Åsa Öberg"
    assert doc["role"] == "integration"
    assert doc["active"] is True
    assert r.headers.get("Location") == "/v1/users/%d" % doc["id"]
    again = portal.get(r.headers["Location"], tokens["admin"])
    assert again.status_code == 200
    assert again.json() == doc
    # The new user can log in, in the firm of the admin who made them.
    token = portal.login(body["email"], body["password"])
    me = portal.get("/v1/me", token).json()
    assert me["partner"]["id"] == portal.partners["alpha"]
    # And shows up in the list of that firm only.
    ids = [u["id"] for u in portal.get("/v1/users",
                                       tokens["admin"]).json()["data"]]
    assert doc["id"] in ids
    beta = [u["id"] for u in portal.get(
        "/v1/users", tokens["beta_admin"]).json()["data"]]
    assert doc["id"] not in beta


def test_duplicate_email_is_a_conflict(portal, tokens):
    body = _valid_body()
    r = portal.request("POST", "/v1/users", tokens["admin"], json=body)
    assert r.status_code == 201, r.text
    for email in (body["email"], body["email"].upper(),
                  body["email"].capitalize()):
        r = portal.request("POST", "/v1/users", tokens["admin"],
                           json=_valid_body(email=email))
        assert_problem(r, 409, "conflict")
    # Addresses are unique across firms too: one login per address.
    r = portal.request("POST", "/v1/users", tokens["beta_admin"],
                       json=_valid_body(email=body["email"].upper()))
    assert_problem(r, 409, "conflict")
    r = portal.request("POST", "/v1/users", tokens["admin"],
                       json=_valid_body(
                           email=portal.users["beta_admin"]["email"]))
    assert_problem(r, 409, "conflict")


@pytest.mark.parametrize("body, fields", [
    ({}, ["email", "name", "role", "password"]),
    ({"email": 1, "name": [], "role": True, "password": {}},
     ["email", "name", "role", "password"]),
    (_valid_body(name="x" * 201), ["name"]),
    (_valid_body(name=""), ["name"]),
    (_valid_body(name="Bad\u0001Name"), ["name"]),
    (_valid_body(name="Tab\there"), ["name"]),
    (_valid_body(email="a" * 250 + "@a.test"), ["email"]),
    (_valid_body(email="ab"), ["email"]),
    (_valid_body(email="not-an-email"), ["email"]),
    (_valid_body(email="two@at@alpha.test"), ["email"]),
    (_valid_body(email="@alpha.test"), ["email"]),
    (_valid_body(email="space in@alpha.test"), ["email"]),
    (_valid_body(role="superuser"), ["role"]),
    (_valid_body(role="Admin"), ["role"]),
    (_valid_body(password="123456789"), ["password"]),
    (_valid_body(password="p" * 257), ["password"]),
    (_valid_body(is_admin=True), ["is_admin"]),
    (_valid_body(partner_id=2), ["partner_id"]),
    (_valid_body(active=False, id=7), ["active", "id"]),
    ({"Email": "x@alpha.test", "name": "N", "role": "admin",
      "password": "a-long-password"}, ["Email", "email"]),
])
def test_create_user_validation(portal, tokens, body, fields):
    r = portal.request("POST", "/v1/users", tokens["admin"], json=body)
    doc = assert_problem(r, 422, "validation-error")
    assert sorted(error_fields(doc)) == sorted(fields), doc


def test_create_user_limits_are_inclusive(portal, tokens):
    # 200 characters of two bytes each, and the shortest password.
    body = _valid_body(name="å" * 200, password="0123456789")
    r = portal.request("POST", "/v1/users", tokens["admin"], json=body)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "å" * 200
    assert portal.login_response(body["email"], "0123456789") \
        .status_code == 200


def test_long_non_ascii_email_is_never_cut(portal, tokens):
    """An address within the 254-character limit but over 254 bytes must
    either be refused (422 naming email) or stored whole: never cut to a
    prefix, which can end inside a UTF-8 character."""
    email = "x@a" + "å" * 200           # 203 characters, 403 bytes
    r = portal.request("POST", "/v1/users", tokens["admin"],
                       json=_valid_body(email=email))
    if r.status_code == 201:
        raw = r.content
        raw.decode("utf-8")             # the reply is valid UTF-8
        assert r.json()["email"] == email, (
            "the address was stored as %r" % r.json()["email"])
        listing = portal.get("/v1/users", tokens["admin"])
        listing.content.decode("utf-8")
    else:
        doc = assert_problem(r, 422, "validation-error")
        assert error_fields(doc) == ["email"], doc


@pytest.mark.parametrize("key", ["bookkeeper", "integration"])
def test_non_admins_cannot_use_users(portal, tokens, key):
    token = tokens[key]
    uid = portal.users["admin"]["id"]
    assert_problem(portal.get("/v1/users", token), 403, "forbidden")
    assert_problem(portal.request("POST", "/v1/users", token,
                                  json=_valid_body()), 403, "forbidden")
    assert_problem(portal.get("/v1/users/%d" % uid, token), 403, "forbidden")
    assert_problem(portal.request("PATCH", "/v1/users/%d" % uid, token,
                                  json={"name": "Hijacked"}),
                   403, "forbidden")
    assert_problem(portal.request("PATCH", "/v1/users/%d" % portal.users[
        key]["id"], token, json={"role": "admin"}), 403, "forbidden")
    # Nothing changed.
    me = portal.get("/v1/me", tokens["admin"]).json()
    assert me["name"] == portal.users["admin"]["name"]
    assert portal.get("/v1/me", token).json()["role"] == key


def test_other_firms_users_are_not_found(portal, tokens):
    admin = tokens["admin"]
    for key in ("beta_admin", "beta_bookkeeper"):
        path = "/v1/users/%d" % portal.users[key]["id"]
        assert_problem(portal.get(path, admin), 404, "not-found")
        for body in ({"name": "Taken Over"}, {"active": False},
                     {"role": "integration"}):
            assert_problem(portal.request("PATCH", path, admin, json=body),
                           404, "not-found")
        # Still unchanged, as their own admin sees them.
        doc = portal.get(path, tokens["beta_admin"]).json()
        assert doc["name"] == portal.users[key]["name"]
        assert doc["active"] is True
        assert doc["role"] == portal.users[key]["role"]
    # An id that exists nowhere answers the same.
    missing = portal.get("/v1/users/987654", admin)
    other = portal.get("/v1/users/%d" % portal.users["beta_admin"]["id"],
                       admin)
    assert missing.status_code == other.status_code == 404
    assert missing.json() == other.json()


@pytest.mark.parametrize("segment", ["abc", "0", "-1", "01", "1e3", "+1",
                                     "1.0", "99999999999999999999999",
                                     "%20", "1%2F2"])
def test_bad_user_ids_are_not_found(portal, tokens, segment):
    r = portal.get("/v1/users/" + segment, tokens["admin"])
    assert_problem(r, 404, "not-found")


def test_patch_user(portal, tokens):
    admin = tokens["admin"]
    created = portal.request("POST", "/v1/users", admin,
                             json=_valid_body()).json()
    path = "/v1/users/%d" % created["id"]
    r = portal.request("PATCH", path, admin, json={"name": "Nya Namnet"})
    assert r.status_code == 200, r.text
    doc = r.json()
    _check_user_doc(doc)
    assert doc["name"] == "Nya Namnet"
    assert doc["role"] == created["role"]
    assert doc["email"] == created["email"]
    assert doc["created_at"] == created["created_at"]
    assert portal.get(path, admin).json() == doc
    r = portal.request("PATCH", path, admin,
                       json={"role": "integration", "active": False})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "integration"
    assert r.json()["active"] is False


@pytest.mark.parametrize("body, fields", [
    ({"active": "no"}, ["active"]),
    ({"active": 0}, ["active"]),
    ({"active": None}, ["active"]),
    ({"role": "root"}, ["role"]),
    ({"name": ""}, ["name"]),
    ({"name": "n" * 201}, ["name"]),
    ({"email": "new@alpha.test"}, ["email"]),
    ({"password": "a-new-password"}, ["password"]),
    ({"partner_id": 2}, ["partner_id"]),
    ({"locale": "de"}, ["locale"]),
    ({"locale": 5}, ["locale"]),
])
def test_patch_user_validation(portal, tokens, body, fields):
    path = "/v1/users/%d" % portal.users["bookkeeper"]["id"]
    r = portal.request("PATCH", path, tokens["admin"], json=body)
    doc = assert_problem(r, 422, "validation-error")
    assert sorted(error_fields(doc)) == sorted(fields), doc


def test_a_user_has_a_language_or_the_firms(portal, tokens):
    """locale is null (the firm's) until chosen; admins set it on create
    and PATCH, and anyone sets their own with PATCH /v1/me."""
    admin = tokens["admin"]
    created = portal.request("POST", "/v1/users", admin,
                             json=_valid_body()).json()
    assert created["locale"] is None
    made = portal.request("POST", "/v1/users", admin,
                          json=_valid_body(locale="da")).json()
    assert made["locale"] == "da"
    path = "/v1/users/%d" % created["id"]
    r = portal.request("PATCH", path, admin, json={"locale": "nb"})
    assert r.status_code == 200, r.text
    assert r.json()["locale"] == "nb"
    assert portal.get(path, admin).json()["locale"] == "nb"
    # Other fields leave it as it is; null gives the firm's back.
    r = portal.request("PATCH", path, admin, json={"name": "Nora Nyman"})
    assert r.json()["locale"] == "nb"
    r = portal.request("PATCH", path, admin, json={"locale": None})
    assert r.json()["locale"] is None

    bk = tokens["bookkeeper"]
    r = portal.request("PATCH", "/v1/me", bk, json={"locale": "en"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["locale"] == "en" and doc["partner"]["locale"] == "sv"
    assert doc["id"] == portal.users["bookkeeper"]["id"]
    assert portal.get("/v1/me", bk).json()["locale"] == "en"
    r = portal.request("PATCH", "/v1/me", bk, json={"locale": None})
    assert r.json()["locale"] is None


@pytest.mark.parametrize("body, fields", [
    ({"locale": "fi"}, ["locale"]),
    ({"locale": "SV"}, ["locale"]),
    ({"locale": ""}, ["locale"]),
    ({"locale": 1}, ["locale"]),
    ({"locale": ["sv"]}, ["locale"]),
    ({"name": "Ny"}, ["name"]),
    ({"role": "admin"}, ["role"]),
    ({}, None),
])
def test_own_settings_validation(portal, tokens, body, fields):
    """PATCH /v1/me takes the language alone; nothing changes on a
    refusal."""
    bk = tokens["bookkeeper"]
    before = portal.get("/v1/me", bk).json()
    r = portal.request("PATCH", "/v1/me", bk, json=body)
    doc = assert_problem(r, 422, "validation-error")
    if fields is not None:
        assert sorted(error_fields(doc)) == sorted(fields), doc
    assert portal.get("/v1/me", bk).json() == before


def test_patch_with_empty_object_is_refused(portal, tokens):
    path = "/v1/users/%d" % portal.users["bookkeeper"]["id"]
    r = portal.request("PATCH", path, tokens["admin"], json={})
    assert_problem(r, 422, "validation-error")


def test_admin_cannot_deactivate_or_demote_self(portal, tokens):
    admin = tokens["admin"]
    path = "/v1/users/%d" % portal.users["admin"]["id"]
    for body in ({"active": False}, {"role": "bookkeeper"},
                 {"role": "integration"},
                 {"name": "Still Me", "active": False}):
        r = portal.request("PATCH", path, admin, json=body)
        assert_problem(r, 409, "conflict")
    me = portal.get("/v1/me", admin).json()
    assert me["role"] == "admin" and me["active"] is True
    assert me["name"] == portal.users["admin"]["name"]
    # Changing nothing that matters is allowed.
    r = portal.request("PATCH", path, admin,
                       json={"active": True, "role": "admin"})
    assert r.status_code == 200, r.text


def test_admin_can_demote_another_admin(portal, tokens):
    admin = tokens["admin"]
    other = portal.create_user(admin, role="admin")
    r = portal.request("PATCH", "/v1/users/%d" % other["id"], admin,
                       json={"role": "bookkeeper"})
    assert r.status_code == 200 and r.json()["role"] == "bookkeeper"


@pytest.mark.parametrize("path", ["/v1/users/1%00", "/v1/users/1%00x",
                                  "/healthz%00.json"])
def test_nul_in_the_path_is_not_cut_off(portal, tokens, path):
    """A percent-encoded NUL must not end the path early: /v1/users/1%00x
    is not /v1/users/1."""
    r = portal.get(path, tokens["admin"])
    assert r.status_code in (400, 404), (r.status_code, r.text[:300])
    assert_problem(r, r.status_code)
