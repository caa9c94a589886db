"""Error answers: malformed bodies, limits, media types, routing, raw HTTP
framing and CORS. The server must keep answering after every one."""
import json
import time
import uuid

import pytest

from conftest import assert_problem, error_fields

JSON = {"Content-Type": "application/json"}
LOGIN = "/v1/auth/token"
MAX_BODY = 1048576


def login_body(**over):
    body = {"email": "nobody@alpha.test", "password": "x" * 12}
    body.update(over)
    return json.dumps(body).encode()


# (name, method, path, headers, body, status, problem type, error fields)
# Bodies go to the public login route unless a token is asked for with
# path "AUTH:/v1/...", which sends the alpha admin's token.
CASES = [
    # -- malformed: 400 ----------------------------------------------------
    ("truncated JSON", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": ', 400, "malformed-request", None),
    ("not JSON", "POST", LOGIN, JSON, b"hello", 400, "malformed-request",
     None),
    ("empty body", "POST", LOGIN, JSON, b"", 400, "malformed-request", None),
    ("only whitespace", "POST", LOGIN, JSON, b" \r\n\t ", 400,
     "malformed-request", None),
    ("single quotes", "POST", LOGIN, JSON, b"{'email': 'a@b.c'}", 400,
     "malformed-request", None),
    ("trailing comma", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": "xxxxxxxxxxxx",}', 400,
     "malformed-request", None),
    ("comment", "POST", LOGIN, JSON, b'{"email": "a@b.c" /* hi */}', 400,
     "malformed-request", None),
    ("NaN", "POST", LOGIN, JSON, b'{"email": NaN}', 400,
     "malformed-request", None),
    ("raw NUL byte in a string", "POST", LOGIN, JSON,
     b'{"email": "a@b.c\x00", "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("raw NUL byte after the document", "POST", LOGIN, JSON, b"{}\x00", 400,
     "malformed-request", None),
    ("escaped NUL", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": "xxxx\\u0000xxxxxxx"}', 400,
     "malformed-request", None),
    ("escaped NUL in a key", "POST", LOGIN, JSON,
     b'{"email\\u0000": "a@b.c", "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("invalid UTF-8 byte", "POST", LOGIN, JSON,
     b'{"email": "\xff@b.c", "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("overlong UTF-8", "POST", LOGIN, JSON,
     b'{"email": "\xc0\xaf@b.c", "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("UTF-8 encoded surrogate", "POST", LOGIN, JSON,
     b'{"email": "\xed\xa0\x80@b.c", "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("UTF-8 cut at the end of a string", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": "xxxxxxxxxxx\xc3"}', 400,
     "malformed-request", None),
    ("Latin-1 body", "POST", LOGIN, JSON,
     '{"email": "\u00e5@b.c", "password": "xxxxxxxxxxxx"}'.encode("latin-1"),
     400, "malformed-request", None),
    ("lone surrogate escape", "POST", LOGIN, JSON,
     b'{"email": "\\ud800@b.c", "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("lone surrogate escape in a key", "POST", LOGIN, JSON,
     b'{"\\udc00": 1}', 400, "malformed-request", None),
    ("raw control character in a string", "POST", LOGIN, JSON,
     b'{"email": "a\x01@b.c", "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("raw tab in a string", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": "xxxxx\txxxxxx"}', 400,
     "malformed-request", None),
    ("raw newline in a string", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": "xxxxx\nxxxxxx"}', 400,
     "malformed-request", None),
    ("17 levels of nesting", "POST", LOGIN, JSON,
     b'{"email": ' + b"[" * 16 + b"]" * 16 + b"}", 400,
     "malformed-request", None),
    ("10,000 [", "POST", LOGIN, JSON, b"[" * 10000, 400,
     "malformed-request", None),
    ("10,000 balanced []", "POST", LOGIN, JSON, b"[" * 10000 + b"]" * 10000,
     400, "malformed-request", None),
    ("10,000 nested objects", "POST", LOGIN, JSON,
     b'{"a":' * 10000 + b"1" + b"}" * 10000, 400, "malformed-request",
     None),
    ("duplicate keys", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "email": "d@e.f", "password": "xxxxxxxxxxxx"}',
     400, "malformed-request", None),
    ("duplicate keys, same value", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": "xxxxxxxxxxxx", '
     b'"password": "xxxxxxxxxxxx"}', 400, "malformed-request", None),
    ("duplicate keys in a nested object", "POST", LOGIN, JSON,
     b'{"email": {"a": 1, "a": 2}, "password": "xxxxxxxxxxxx"}', 400,
     "malformed-request", None),
    ("trailing garbage", "POST", LOGIN, JSON,
     b'{"email": "a@b.c", "password": "xxxxxxxxxxxx"} x', 400,
     "malformed-request", None),
    ("two documents", "POST", LOGIN, JSON, b"{}{}", 400,
     "malformed-request", None),
    ("trailing comma after the document", "POST", LOGIN, JSON, b"{},", 400,
     "malformed-request", None),
    # -- invalid fields: 422 -----------------------------------------------
    ("16 levels of nesting is allowed", "POST", LOGIN, JSON,
     b'{"email": ' + b"[" * 15 + b"]" * 15 + b', "password": "xxxxxxxxxxxx"}',
     422, "validation-error", ["email"]),
    ("brackets inside a string do not nest", "POST", LOGIN, JSON,
     b'{"email": "' + b"[{" * 40 + b'", "password": "xxxxxxxxxxxx"}',
     401, "unauthorized", None),
    ("escaped quote, then brackets in the string", "POST", LOGIN, JSON,
     b'{"email": "a\\"' + b"[" * 40 + b'@b.c", "password": "xxxxxxxxxxxx"}',
     401, "unauthorized", None),
    ("escaped backslash before u0000 text", "POST", LOGIN, JSON,
     b'{"email": "a\\\\u0000@b.c", "password": "xxxxxxxxxxxx"}', 401,
     "unauthorized", None),
    ("trailing whitespace is fine", "POST", LOGIN, JSON, b"{} \r\n\t", 422,
     "validation-error", ["email", "password"]),
    ("unknown field", "POST", LOGIN, JSON, login_body(admin=True), 422,
     "validation-error", ["admin"]),
    ("unknown fields, each named", "POST", LOGIN, JSON,
     login_body(a=1, b=2), 422, "validation-error", ["a", "b"]),
    ("wrong types", "POST", LOGIN, JSON,
     b'{"email": 5, "password": true}', 422, "validation-error",
     ["email", "password"]),
    ("null values", "POST", LOGIN, JSON,
     b'{"email": null, "password": null}', 422, "validation-error",
     ["email", "password"]),
    ("too long", "POST", LOGIN, JSON, login_body(password="p" * 257), 422,
     "validation-error", ["password"]),
    ("missing required", "POST", LOGIN, JSON, b'{"email": "a@b.c"}', 422,
     "validation-error", ["password"]),
    ("escaped control character", "AUTH:POST", "/v1/users", JSON,
     b'{"email": "c@alpha.test", "name": "a\\u0007b", "role": "admin", '
     b'"password": "a-long-password"}', 422, "validation-error", ["name"]),
    ("body is an array", "POST", LOGIN, JSON, b"[]", 422,
     "validation-error", ["(body)"]),
    ("body is a string", "POST", LOGIN, JSON, b'"a@b.c"', 422,
     "validation-error", ["(body)"]),
    ("body is a number", "POST", LOGIN, JSON, b"1", 422,
     "validation-error", ["(body)"]),
    ("body is null", "POST", LOGIN, JSON, b"null", 422,
     "validation-error", ["(body)"]),
    ("1e999", "POST", LOGIN, JSON, b'{"email": 1e999, "password": -1e999}',
     422, "validation-error", ["email", "password"]),
    ("30-digit number", "POST", LOGIN, JSON,
     b'{"email": 123456789012345678901234567890, "password": "xxxxxxxxxxxx"}',
     422, "validation-error", ["email"]),
    ("huge exponent in a bool field", "AUTH:PATCH", "/v1/users/{bookkeeper}",
     JSON, b'{"active": 1e308}', 422, "validation-error", ["active"]),
    ("a body where none is taken", "AUTH:GET", "/v1/me", JSON,
     b'{"x": 1}', 422, "validation-error", ["(body)"]),
    # -- media type: 415 ---------------------------------------------------
    ("text/plain", "POST", LOGIN, {"Content-Type": "text/plain"},
     login_body(), 415, "unsupported-media-type", None),
    ("no Content-Type", "POST", LOGIN, {}, login_body(), 415,
     "unsupported-media-type", None),
    ("form encoding", "POST", LOGIN,
     {"Content-Type": "application/x-www-form-urlencoded"},
     b"email=a%40b.c&password=xxxxxxxxxxxx", 415, "unsupported-media-type",
     None),
    ("multipart", "POST", LOGIN,
     {"Content-Type": "multipart/form-data; boundary=x"},
     b"--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na\r\n"
     b"--x--\r\n", 415, "unsupported-media-type", None),
    ("a json-like type", "POST", LOGIN,
     {"Content-Type": "application/json-patch+json"}, login_body(), 415,
     "unsupported-media-type", None),
    ("application/jsonx", "POST", LOGIN,
     {"Content-Type": "application/jsonx"}, login_body(), 415,
     "unsupported-media-type", None),
    ("json with a charset is fine", "POST", LOGIN,
     {"Content-Type": "application/json; charset=utf-8"}, b"{}", 422,
     "validation-error", ["email", "password"]),
    ("media type case is ignored", "POST", LOGIN,
     {"Content-Type": "Application/JSON"}, b"{}", 422, "validation-error",
     ["email", "password"]),
    # -- size: 413 ---------------------------------------------------------
    ("one byte over the limit", "POST", LOGIN, JSON,
     b"{" + b" " * (MAX_BODY - 1) + b"}", 413, "payload-too-large", None),
    ("exactly the limit", "POST", LOGIN, JSON,
     b"{" + b" " * (MAX_BODY - 2) + b"}", 422, "validation-error",
     ["email", "password"]),
    # -- routing: 404 and 405 ----------------------------------------------
    ("unknown route", "GET", "/nope", {}, None, 404, "not-found", None),
    ("unknown version", "GET", "/v2/me", {}, None, 404, "not-found", None),
    ("root", "GET", "/", {}, None, 404, "not-found", None),
    ("trailing slash", "GET", "/healthz/", {}, None, 404, "not-found", None),
    ("path case", "GET", "/V1/ME", {}, None, 404, "not-found", None),
    ("extra segment", "AUTH:GET", "/v1/users/1/extra", {}, None, 404,
     "not-found", None),
    ("unknown route, any method", "DELETE", "/nope", {}, None, 404,
     "not-found", None),
    ("unknown route with a body", "POST", "/nope", JSON, b"{}", 404,
     "not-found", None),
    ("SQL in the path", "AUTH:GET", "/v1/users/1%20OR%201=1", {}, None, 404,
     "not-found", None),
]

# HEAD is served, and allowed, wherever GET is.
METHOD_CASES = [
    ("DELETE", "/v1/users", {"GET", "HEAD", "POST"}),
    ("PUT", "/v1/users", {"GET", "HEAD", "POST"}),
    ("PUT", "/v1/users/1", {"GET", "HEAD", "PATCH"}),
    ("DELETE", "/v1/users/1", {"GET", "HEAD", "PATCH"}),
    ("POST", "/healthz", {"GET", "HEAD"}),
    ("DELETE", "/readyz", {"GET", "HEAD"}),
    ("GET", "/v1/auth/token", {"POST"}),
    ("DELETE", "/v1/me", {"GET", "HEAD", "PATCH"}),
    ("POST", "/openapi.yaml", {"GET", "HEAD"}),
]


def _send(portal, tokens, method, path, headers, body):
    token = None
    if method.startswith("AUTH:"):
        method = method[5:]
        token = tokens["admin"]
    if "{bookkeeper}" in path:
        path = path.replace("{bookkeeper}",
                            str(portal.users["bookkeeper"]["id"]))
    return portal.request(method, path, token=token, data=body,
                          headers=dict(headers))


@pytest.mark.parametrize("name, method, path, headers, body, status, ptype, "
                         "fields", CASES, ids=[c[0] for c in CASES])
def test_error_table(portal, tokens, name, method, path, headers, body,
                     status, ptype, fields):
    r = _send(portal, tokens, method, path, headers, body)
    doc = assert_problem(r, status, ptype)
    if fields is not None:
        assert sorted(error_fields(doc)) == sorted(fields), doc
    if status in (400, 413, 415):
        assert "errors" not in doc or isinstance(doc["errors"], list)
    assert portal.get("/healthz").status_code == 200


@pytest.mark.parametrize("method, path, allow", METHOD_CASES,
                         ids=["%s %s" % (m, p) for m, p, _ in METHOD_CASES])
def test_known_path_wrong_method(portal, method, path, allow):
    r = portal.request(method, path)
    assert_problem(r, 405, "method-not-allowed")
    got = {m.strip() for m in r.headers.get("Allow", "").split(",")}
    assert got == allow, r.headers.get("Allow")


def test_ten_megabyte_body(portal):
    body = b"[" * (10 * 1024 * 1024)
    r = portal.request("POST", LOGIN, data=body, headers=JSON)
    assert_problem(r, 413, "payload-too-large")
    r = portal.request("POST", "/v1/users", token=portal.mint("admin"),
                       data=b'{"name": "' + b"a" * (10 * 1024 * 1024) + b'"}',
                       headers=JSON)
    assert_problem(r, 413, "payload-too-large")
    assert portal.get("/healthz").status_code == 200
    assert portal.get("/v1/me", portal.mint("admin")).status_code == 200


def test_many_distinct_keys_are_answered_promptly(portal):
    """A body of 40,000 distinct keys (430 KB, well under the size limit)
    on the public login route must not cost seconds of CPU: a pairwise
    duplicate-key check is quadratic and lets anyone tie up the threads."""
    body = ("{" + ",".join('"k%d":0' % i for i in range(40000)) + "}")
    t0 = time.monotonic()
    try:
        r = portal.request("POST", LOGIN, data=body.encode(), headers=JSON,
                           timeout=6)
    except Exception as e:   # requests' timeout
        pytest.fail("no answer within 6 s: %r" % e)
    elapsed = time.monotonic() - t0
    assert 400 <= r.status_code < 500, r.status_code
    assert r.headers["Content-Type"] == "application/problem+json"
    assert elapsed < 2.0, "answered in %.1f s" % elapsed


def test_sql_metacharacters_are_stored_literally(portal, tokens):
    admin = tokens["admin"]
    name = "Robert'); DROP TABLE users;-- \" % _ \\ ` OR 1=1"
    email = "o'brien+%s%%_@alpha.test" % uuid.uuid4().hex[:6]
    r = portal.request("POST", "/v1/users", admin, json={
        "email": email, "name": name, "role": "bookkeeper",
        "password": "pw' OR '1'='1"})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["name"] == name
    assert doc["email"] == email
    assert portal.get("/v1/users/%d" % doc["id"], admin).json()["name"] \
        == name
    listing = portal.get("/v1/users", admin)
    assert listing.status_code == 200
    assert any(u["name"] == name for u in listing.json()["data"])
    assert portal.login_response(email, "pw' OR '1'='1").status_code == 200
    # Injection through the login fields is just a failed login.
    for e, p in (("' OR '1'='1", "' OR '1'='1"),
                 (portal.users["admin"]["email"] + "' --", "x' OR 'x'='x"),
                 ("a@b.c\"; DROP TABLE users; --", "xxxxxxxxxxxx")):
        r = portal.login_response(e, p)
        assert_problem(r, 401, "unauthorized")
    r = portal.get("/v1/users/1;DROP TABLE users", admin)
    assert_problem(r, 404, "not-found")
    assert portal.get("/v1/users", admin).status_code == 200


# --------------------------------------------------------------------------
# Raw HTTP framing

def _head(method="POST", path=LOGIN, extra=b""):
    return (b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n" % (method.encode(),
                                                     path.encode()) + extra)


def test_content_length_and_chunked_together(portal):
    r = portal.raw(_head(extra=b"Content-Length: 2\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n"
                         b"2\r\n{}\r\n0\r\n\r\n"))
    assert_problem(r, 400, "malformed-request")
    assert (r.header("Connection") or "").lower() == "close"
    # Order and case of the headers do not matter.
    r = portal.raw(_head(extra=b"transfer-encoding: chunked\r\n"
                         b"content-length: 5\r\n\r\n"
                         b"2\r\n{}\r\n0\r\n\r\n"))
    assert_problem(r, 400, "malformed-request")
    assert portal.get("/healthz").status_code == 200


def test_conflicting_content_lengths(portal):
    """Two different Content-Length values make the framing ambiguous
    (request smuggling behind a proxy that reads the other one): 400."""
    # "{}" and "{}" followed by blanks are both valid bodies: only the
    # conflict itself can make this a 400.
    body = b"{}" + b" " * 30
    for first, second in ((2, len(body)), (len(body), 2)):
        r = portal.raw(_head(extra=b"Content-Length: %d\r\n"
                             b"Content-Length: %d\r\n\r\n"
                             % (first, second)) + body)
        assert_problem(r, 400, "malformed-request")


def test_chunked_body_is_read(portal):
    r = portal.raw(_head(extra=b"Transfer-Encoding: chunked\r\n\r\n"
                         b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n"))
    doc = assert_problem(r, 422, "validation-error")
    assert sorted(error_fields(doc)) == ["email", "password"]


def test_chunked_body_over_the_limit(portal):
    piece = b" " * 65536
    n = MAX_BODY // len(piece) + 2
    chunks = [b"1\r\n{\r\n"] + [b"%x\r\n%s\r\n" % (len(piece), piece)] * n + \
        [b"1\r\n}\r\n0\r\n\r\n"]
    r = portal.raw(_head(extra=b"Transfer-Encoding: chunked\r\n\r\n"),
                   body_chunks=chunks)
    assert_problem(r, 413, "payload-too-large")
    assert portal.get("/healthz").status_code == 200


def test_bad_chunk_size(portal):
    r = portal.raw(_head(extra=b"Transfer-Encoding: chunked\r\n\r\n"
                         b"zz\r\n{}\r\n0\r\n\r\n"))
    assert_problem(r, 400, "malformed-request")
    assert portal.get("/healthz").status_code == 200


def test_over_long_headers(portal):
    r = portal.raw(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                   b"a" * 20000 + b"\r\n\r\n")
    assert r.status in (400, 413, 431), r
    assert (r.header("Content-Type") or "").startswith(
        "application/problem+json"), r.headers
    doc = r.json()
    assert doc["status"] == r.status
    assert doc["type"].startswith("/problems/")
    r = portal.raw(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                   b"a" * 70000 + b"\r\n\r\n")
    assert r.status in (400, 413, 431), r
    assert portal.get("/healthz").status_code == 200


def test_headers_just_under_the_limit_are_fine(portal):
    r = portal.raw(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                   b"a" * 15000 + b"\r\nConnection: close\r\n\r\n")
    assert r.status == 200, r


@pytest.mark.parametrize("payload", [
    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20000 +
    b"\r\n\r\n",
    b"HELLO\r\n\r\n",
    b"POST /v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
], ids=["over-long headers", "garbage request line", "bad Content-Length"])
def test_server_level_refusals_carry_request_id(portal, payload):
    """Replies civetweb makes before the dispatcher runs are problem
    documents too, and like every response carry X-Request-Id."""
    r = portal.raw(payload)
    assert 400 <= r.status < 500, r
    assert (r.header("Content-Type") or "").startswith(
        "application/problem+json"), r.headers
    assert r.header("X-Request-Id"), (
        "%d reply without X-Request-Id: %r" % (r.status, r.headers))


# --------------------------------------------------------------------------
# CORS

ORIGIN = "http://app.test"


def test_preflight_from_allowed_origin(portal):
    r = portal.request("OPTIONS", "/v1/users", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert r.headers.get("Access-Control-Allow-Origin") == ORIGIN
    methods = {m.strip() for m in
               r.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed = r.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "Origin" in r.headers.get("Vary", "")
    assert r.headers.get("X-Request-Id")
    # Preflight needs no token, also on routes that do.
    r = portal.request("OPTIONS", "/v1/users/1", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "PATCH"})
    assert r.status_code == 204
    assert "PATCH" in r.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("origin", ["http://evil.test", "null",
                                    "http://app.test.evil.test",
                                    "https://app.test", "http://APP.test",
                                    "*"])
def test_preflight_from_other_origin(portal, origin):
    r = portal.request("OPTIONS", "/v1/users", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    assert_problem(r, 403, "forbidden")
    assert "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Methods" not in r.headers


def test_cors_on_normal_requests(portal, tokens):
    r = portal.get("/v1/me", tokens["admin"], headers={"Origin": ORIGIN})
    assert r.status_code == 200
    assert r.headers.get("Access-Control-Allow-Origin") == ORIGIN
    assert "Origin" in r.headers.get("Vary", "")
    # Errors are readable by the allowed origin too.
    r = portal.get("/v1/me", headers={"Origin": ORIGIN})
    assert r.status_code == 401
    assert r.headers.get("Access-Control-Allow-Origin") == ORIGIN
    # Another origin gets its answer but no permission to read it.
    r = portal.get("/v1/me", tokens["admin"],
                   headers={"Origin": "http://evil.test"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers
    # Never a wildcard.
    for h in (None, ORIGIN, "http://evil.test"):
        r = portal.get("/healthz", headers={"Origin": h} if h else None)
        assert r.headers.get("Access-Control-Allow-Origin") in (None, ORIGIN)


def test_preflight_on_unknown_path(portal):
    r = portal.request("OPTIONS", "/nope", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert_problem(r, 404, "not-found")


def test_still_serving_after_everything(portal):
    r = portal.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert portal.get("/readyz").status_code == 200
