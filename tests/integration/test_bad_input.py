"""Bad input over HTTP, as a table: every route that takes a body or a
query gets malformed JSON, deep nesting, a 10 MB body, wrong types and
unknown fields, huge and negative numbers, invalid UTF-8, NUL bytes and
SQL metacharacters; every protected route gets missing and malformed
Authorization headers; every route gets over-long headers and bad ids.

Each refused request must answer a 4xx RFC 9457 problem document and
leave the database exactly as it was (every table's rows, compared through
a read-only SQLite connection before and after), and the server must
answer /healthz after every case. Where a value with SQL metacharacters is
valid text (a name, a comment, a search), the request must succeed and
the value come back byte for byte: the metacharacters are data, never SQL
or a LIKE pattern.

The cases are generated from per-route specs with one representative per
field and kind, not the cross product, to stay well under a minute (the
suite also runs under AddressSanitizer). One server for the module.
"""
import json
import urllib.parse
import uuid
from collections import namedtuple

import pytest
import requests

from conftest import (assert_problem, error_fields, mint_jwt, representative,
                      std_claims)
from matrix_helpers import (World, db_changes, db_connect, db_fingerprint,
                            expense_body, expired_token_for, module_server,
                            parse_raw, send_big_body, seq, served_routes)

portal = module_server("portal-badinput-")

SQL_META = ("'; DROP TABLE clients; --", '" OR 1=1 --', "%", "_")
META_IDS = {SQL_META[0]: "drop-table", SQL_META[1]: "or-1=1",
            SQL_META[2]: "percent", SQL_META[3]: "underscore"}
# Raw JSON number literals: beyond a double, negative, 2^63, 2^53 + 1.
NUMBERS = ("1e309", "-1", "9223372036854775808", "9007199254740993")
TEN_MB = 10 * 1024 * 1024
RAWNUM = "@@RAW-NUMBER@@"   # stands in a body for a raw number literal

# Field kinds.
TEXT = "text"         # free text: metacharacters are stored literally
FORMAT = "format"     # has a format (email, org number, currency, time)
ENUM = "enum"
LOGIN = "login"       # login fields: anything that is text is a 401
INT = "int"
BOOL = "bool"
INT_ARRAY = "int_array"
ENUM_ARRAY = "enum_array"

Field = namedtuple("Field", "name kind wrap echo ok_numbers maxlen")


def field(name, kind, wrap=None, echo=None, ok_numbers=None, maxlen=None):
    """maxlen (TEXT fields): the most characters the contract allows."""
    return Field(name, kind, wrap, echo, ok_numbers or {}, maxlen)


# A route: who calls it, where, with which valid body, and its fields.
# body is None for routes without one; body_kind "schema", "none" (takes
# no body but an empty object), "ignore" (read, never parsed).
Spec = namedtuple("Spec", "caller path body body_kind ok fields")


def spec(caller, path, body=None, body_kind=None, ok=200, fields=()):
    return Spec(caller, path, body, body_kind, ok, list(fields))


# -- echo checks: the value came back and reads back literally --------------

def _echo_user_name(w, r, value):
    doc = r.json()
    assert doc["name"] == value, doc
    got = w.api.ok("GET", "/v1/users/%d" % doc["id"], w.token("admin"))
    assert got["name"] == value, got


def _echo_password(w, r, value):
    doc = r.json()
    assert w.portal.login_response(doc["email"], value).status_code == 200


def _echo_client_name(w, r, value):
    doc = r.json()
    assert doc["name"] == value, doc
    got = w.api.ok("GET", "/v1/clients/%d" % doc["id"], w.token("admin"))
    assert got["name"] == value, got


def _echo_expense(name):
    def check(w, r, value):
        doc = r.json()
        assert doc[name] == value, doc
        got = w.api.ok("GET", "/v1/clients/%d/expenses/%d"
                       % (doc["client_id"], doc["id"]), w.token("admin"))
        assert got[name] == value, got
    return check


def _echo_comment(w, r, value):
    doc = r.json()
    got = w.api.ok("GET", "/v1/reminders/%d" % doc["id"], w.token("admin"))
    assert got["comment"] == value, got


def _echo_balance(w, r, value):
    assert r.json()["balance"]["amount_minor"] == int(value), r.text


def _echo_amount(w, r, value):
    assert r.json()["amount_minor"] == int(value), r.text


# -- the routes ------------------------------------------------------------

def _shared(w):
    return w.shared["id"]


def _expense_path(w):
    return "/v1/clients/%d/expenses/%d" % (_shared(w), w.shared_expense["id"])


def _key_body(w):
    return {"name": "Key %s" % _uniq(),
            "user_id": w.users["integration"]["id"],
            "scopes": ["clients:read"]}


def _new_key(w):
    return w.api.ok("POST", "/v1/api-keys", w.token("admin"), 201,
                    json=_key_body(w))


def _shared_key(w):
    """One key of the world's firm, made on first use."""
    if getattr(w, "shared_key", None) is None:
        w.shared_key = _new_key(w)
    return w.shared_key


def _new_hook(w):
    """A new endpoint; the ones earlier cases left (refused deletes
    leave theirs) go first, but the shared one, within the firm's 20."""
    adm = w.token("admin")
    keep = getattr(w, "shared_hook", None)
    for h in w.api.ok("GET", "/v1/webhooks", adm)["data"]:
        if keep is None or h["id"] != keep["id"]:
            w.api.ok("DELETE", "/v1/webhooks/%d" % h["id"], adm, 204)
    return w.api.ok("POST", "/v1/webhooks", adm, 201,
                    json={"url": "https://hooks.example.com/portal",
                          "events": ["client.created"]})


def _shared_hook(w):
    """One webhook endpoint of the world's firm, made on first use."""
    if getattr(w, "shared_hook", None) is None:
        w.shared_hook = _new_hook(w)
    return w.shared_hook


def _uniq():
    return "%d-%s" % (seq(), uuid.uuid4().hex[:6])


SPECS = {
    "GET /healthz": spec(None, lambda w: "/healthz"),
    "GET /metrics": spec(None, lambda w: "/metrics"),
    "GET /readyz": spec(None, lambda w: "/readyz"),
    "GET /openapi.yaml": spec(None, lambda w: "/openapi.yaml"),
    "POST /v1/auth/token": spec(
        None, lambda w: "/v1/auth/token",
        lambda w: {"email": "nobody-%s@alpha.test" % _uniq(),
                   "password": "not-the-password"},
        "schema", 200,
        [field("email", LOGIN), field("password", LOGIN)]),
    "GET /v1/me": spec("admin", lambda w: "/v1/me"),
    # Its locale may be null (the firm's): checked in test_users.py.
    "PATCH /v1/me": spec("admin", lambda w: "/v1/me",
                         lambda w: {"locale": None}, "schema", 200),
    "GET /v1/users": spec("admin", lambda w: "/v1/users"),
    "POST /v1/users": spec(
        "admin", lambda w: "/v1/users",
        lambda w: {"email": "new-%s@alpha.test" % _uniq(), "name": "New",
                   "role": "bookkeeper", "password": "pw-%s" % _uniq()},
        "schema", 201,
        [field("email", FORMAT),
         field("name", TEXT, echo=_echo_user_name, maxlen=200),
         field("role", ENUM),
         field("password", TEXT, wrap=lambda m: "Pw-" + m + "-0123456789",
               echo=_echo_password, maxlen=120)]),
    "GET /v1/users/{id}": spec(
        "admin", lambda w: "/v1/users/%d" % w.users["target"]["id"]),
    "PATCH /v1/users/{id}": spec(
        "admin", lambda w: "/v1/users/%d" % w.users["target"]["id"],
        lambda w: {"name": "Target %d" % seq()}, "schema", 200,
        [field("name", TEXT, echo=_echo_user_name, maxlen=200),
         field("role", ENUM),
         field("active", BOOL)]),
    "GET /v1/clients": spec("admin", lambda w: "/v1/clients"),
    "GET /v1/clients/tabs": spec("admin", lambda w: "/v1/clients/tabs"),
    "POST /v1/clients": spec(
        "admin", lambda w: "/v1/clients",
        lambda w: {"name": "New Client", "org_number": w.org(),
                   "contact_email": "kontakt-%s@client.test" % _uniq()},
        "schema", 201,
        [field("name", TEXT, echo=_echo_client_name, maxlen=200),
         field("org_number", FORMAT), field("contact_email", FORMAT),
         field("status", ENUM)]),
    "GET /v1/clients/{id}": spec(
        "admin", lambda w: "/v1/clients/%d" % _shared(w)),
    "PATCH /v1/clients/{id}": spec(
        "admin", lambda w: "/v1/clients/%d" % _shared(w),
        lambda w: {"name": "Shared %d" % seq()}, "schema", 200,
        [field("name", TEXT, echo=_echo_client_name, maxlen=200),
         field("org_number", FORMAT)]),
    "POST /v1/clients/{id}/accept": spec(
        "admin", lambda w: "/v1/clients/%d/accept" % w.invitation["id"],
        lambda w: {}, "none"),
    "POST /v1/clients/{id}/decline": spec(
        "admin", lambda w: "/v1/clients/%d/decline" % w.invitation["id"],
        lambda w: {}, "none"),
    "POST /v1/clients/{id}/verification": spec(
        "integration",
        lambda w: "/v1/clients/%d/verification" % w.onboarding["id"],
        lambda w: {"result": "approved"}, "schema", 200,
        [field("result", ENUM)]),
    "PUT /v1/clients/{id}/balance": spec(
        "admin", lambda w: "/v1/clients/%d/balance" % _shared(w),
        lambda w: {"amount_minor": 100, "currency": "SEK"}, "schema", 200,
        [field("amount_minor", INT, echo=_echo_balance,
               ok_numbers={"-1": 200}),
         field("currency", FORMAT)]),
    "GET /v1/clients/{id}/expenses": spec(
        "admin", lambda w: "/v1/clients/%d/expenses" % _shared(w)),
    "GET /v1/clients/{id}/overview": spec(
        "admin", lambda w: "/v1/clients/%d/overview" % _shared(w)),
    # Their nullable numbers are checked in test_alerts.py.
    "GET /v1/settings/thresholds": spec(
        "admin", lambda w: "/v1/settings/thresholds"),
    "PUT /v1/settings/thresholds": spec(
        "admin", lambda w: "/v1/settings/thresholds",
        lambda w: {"missing_receipts_above": 10,
                   "missing_receipt_older_than_days": 30}, "schema", 200),
    "GET /v1/clients/{id}/thresholds": spec(
        "admin", lambda w: "/v1/clients/%d/thresholds" % _shared(w)),
    "PUT /v1/clients/{id}/thresholds": spec(
        "admin", lambda w: "/v1/clients/%d/thresholds" % _shared(w),
        lambda w: {"missing_receipts_above": 5}, "schema", 200),
    "POST /v1/clients/{id}/expenses": spec(
        "integration", lambda w: "/v1/clients/%d/expenses" % _shared(w),
        lambda w: expense_body(), "schema", 201,
        [field("external_id", TEXT, echo=_echo_expense("external_id"),
               maxlen=100),
         field("amount_minor", INT, echo=_echo_amount,
               ok_numbers={"-1": 201}),
         field("currency", FORMAT), field("spent_at", FORMAT),
         field("merchant", TEXT, echo=_echo_expense("merchant"),
               maxlen=200),
         field("receipt_status", ENUM), field("export_status", ENUM)]),
    "GET /v1/clients/{id}/expenses/{expense_id}": spec(
        "admin", _expense_path),
    "PATCH /v1/clients/{id}/expenses/{expense_id}": spec(
        "integration", _expense_path,
        lambda w: {"receipt_status": "attached"}, "schema", 200,
        [field("receipt_status", ENUM), field("export_status", ENUM)]),
    "DELETE /v1/clients/{id}/expenses/{expense_id}": spec(
        "integration", lambda w: "/v1/clients/%d/expenses/%d"
        % (_shared(w), w.expense(_shared(w))["id"]), ok=204),
    "PUT /v1/balances": spec(
        "integration", lambda w: "/v1/balances",
        lambda w: {"balances": [{"client_id": _shared(w),
                                 "amount_minor": 100, "currency": "SEK"}]},
        "schema", 200),
    "GET /v1/events": spec("admin", lambda w: "/v1/events"),
    "POST /v1/webhooks": spec(
        "admin", lambda w: "/v1/webhooks",
        lambda w: {"url": "https://hooks.example.com/%s" % _uniq(),
                   "events": ["client.created"]}, "schema", 201,
        [field("url", FORMAT), field("events", ENUM_ARRAY)]),
    "GET /v1/webhooks": spec("admin", lambda w: "/v1/webhooks"),
    "GET /v1/webhooks/{id}": spec(
        "admin", lambda w: "/v1/webhooks/%d" % _shared_hook(w)["id"]),
    "PATCH /v1/webhooks/{id}": spec(
        "admin", lambda w: "/v1/webhooks/%d" % _shared_hook(w)["id"],
        lambda w: {"enabled": True}, "schema", 200,
        [field("enabled", BOOL)]),
    "DELETE /v1/webhooks/{id}": spec(
        "admin", lambda w: "/v1/webhooks/%d" % _new_hook(w)["id"], ok=204),
    "POST /v1/webhooks/{id}/rotate-secret": spec(
        "admin", lambda w: "/v1/webhooks/%d/rotate-secret"
        % _shared_hook(w)["id"], lambda w: {}, "none"),
    "GET /v1/webhooks/{id}/deliveries": spec(
        "admin", lambda w: "/v1/webhooks/%d/deliveries"
        % _shared_hook(w)["id"]),
    "POST /v1/api-keys": spec(
        "admin", lambda w: "/v1/api-keys", _key_body, "schema", 201,
        [field("name", TEXT, maxlen=100), field("user_id", INT),
         field("scopes", ENUM_ARRAY), field("expires_at", FORMAT)]),
    "GET /v1/api-keys": spec("admin", lambda w: "/v1/api-keys"),
    "GET /v1/api-keys/{id}": spec(
        "admin", lambda w: "/v1/api-keys/%d" % _shared_key(w)["id"]),
    "DELETE /v1/api-keys/{id}": spec(
        "admin", lambda w: "/v1/api-keys/%d" % _new_key(w)["id"], ok=204),
    "GET /v1/clients/{id}/assignees": spec(
        "admin", lambda w: "/v1/clients/%d/assignees" % _shared(w)),
    "PUT /v1/clients/{id}/assignees": spec(
        "admin", lambda w: "/v1/clients/%d/assignees" % _shared(w),
        lambda w: {"user_ids": [w.users["bookkeeper"]["id"]]}, "schema",
        200, [field("user_ids", INT_ARRAY)]),
    "POST /v1/clients/{id}/assignees": spec(
        "admin", lambda w: "/v1/clients/%d/assignees" % _shared(w),
        lambda w: {"user_id": w.users["bookkeeper"]["id"]}, "schema", 200,
        [field("user_id", INT)]),
    # Only ever sent refused here: a valid one would unassign.
    "DELETE /v1/clients/{id}/assignees/{user_id}": spec(
        "admin", lambda w: "/v1/clients/%d/assignees/%d"
        % (_shared(w), w.users["bookkeeper"]["id"])),
    "POST /v1/clients/{id}/access": spec(
        "admin", lambda w: "/v1/clients/%d/access" % _shared(w),
        lambda w: {}, "none", 201),
    "GET /v1/audit-events": spec("admin", lambda w: "/v1/audit-events"),
    "GET /v1/clients/{id}/notification-preference": spec(
        "bookkeeper",
        lambda w: "/v1/clients/%d/notification-preference" % _shared(w)),
    "PUT /v1/clients/{id}/notification-preference": spec(
        "bookkeeper",
        lambda w: "/v1/clients/%d/notification-preference" % _shared(w),
        lambda w: {"email": True, "frequency": "weekly"}, "schema", 200,
        [field("email", BOOL), field("frequency", ENUM)]),
    "GET /v1/me/notification-preferences": spec(
        "bookkeeper", lambda w: "/v1/me/notification-preferences"),
    # Asked for JSON (_caller_headers): a browser gets the same 400 as a
    # page (test_unsubscribe_page.py).
    "GET /v1/unsubscribe": spec(None, lambda w: "/v1/unsubscribe"),
    "POST /v1/unsubscribe": spec(
        None, lambda w: "/v1/unsubscribe",
        lambda w: "List-Unsubscribe=One-Click", "ignore"),
    "POST /v1/clients/{id}/notify-accountants": spec(
        "admin",
        lambda w: "/v1/clients/%d/notify-accountants" % _shared(w),
        lambda w: {"tasks": ["missing_receipts"], "comment": "Hello"},
        "schema", 202,
        [field("tasks", ENUM_ARRAY),
         field("comment", TEXT, echo=_echo_comment, maxlen=2000)]),
    "GET /v1/clients/{id}/reminders": spec(
        "admin", lambda w: "/v1/clients/%d/reminders" % _shared(w)),
    "GET /v1/reminders/{id}": spec(
        "admin", lambda w: "/v1/reminders/%d" % w.shared_reminder["id"]),
    "GET /v1/reminders": spec("admin", lambda w: "/v1/reminders"),
    # Only ever sent refused here: the shared reminder has no failure.
    "POST /v1/reminders/{id}/resend": spec(
        "admin", lambda w: "/v1/reminders/%d/resend"
        % w.shared_reminder["id"], lambda w: {}, "none", 202),
    "GET /v1/clients/{id}/notify-accountants/recipients": spec(
        "admin", lambda w: "/v1/clients/%d/notify-accountants/recipients"
        % _shared(w)),
}

# Query parameters, by kind.
Q_ENUM, Q_SEARCH, Q_ID, Q_LIMIT, Q_OPAQUE = ("enum", "search", "id",
                                             "limit", "opaque")
QUERIES = {
    "GET /v1/clients": ({"tab": "all"}, {
        "tab": Q_ENUM, "q": Q_SEARCH, "missing_receipts": Q_ENUM,
        "sort": Q_ENUM, "assignee": Q_ID, "limit": Q_LIMIT,
        "cursor": Q_OPAQUE, "month": Q_ENUM, "alert": Q_ENUM,
        "attention": Q_ENUM, "format": Q_ENUM}),
    "GET /v1/clients/{id}/overview": ({}, {"months": Q_LIMIT}),
    "GET /v1/clients/{id}/expenses": ({}, {
        "receipt_status": Q_ENUM, "export_status": Q_ENUM,
        "limit": Q_LIMIT, "cursor": Q_OPAQUE}),
    "GET /v1/audit-events": ({}, {
        "client_id": Q_ID, "limit": Q_LIMIT, "cursor": Q_OPAQUE}),
    "GET /v1/reminders": ({}, {
        "client_id": Q_ID, "sender_id": Q_ID, "state": Q_ENUM,
        "since": Q_OPAQUE, "until": Q_OPAQUE, "limit": Q_LIMIT,
        "cursor": Q_OPAQUE}),
    "GET /v1/unsubscribe": ({}, {"token": Q_OPAQUE}),
    "POST /v1/unsubscribe": ({}, {"token": Q_OPAQUE}),
}


# --------------------------------------------------------------------------
# Requests and cases

# method, path, headers (dict; "Authorization" set from the caller unless
# present, None to leave it out), body (bytes or None), raw (a whole request
# for the socket), big (a body size to stream).
Req = namedtuple("Req", "method path headers body raw big")


def req(method, path, headers=None, body=None, raw=None, big=None):
    return Req(method, path, headers or {}, body, raw, big)


# An expected outcome: status; ptype to pin the problem type; fields the
# 422 must name; allowed tables a refusal may write; check for a success.
Case = namedtuple("Case", "id route build status ptype fields allowed check")


def case(cid, route, build, status, ptype=None, fields=None, allowed=(),
         check=None):
    return Case(cid, route, build, status, ptype, fields, allowed, check)


def _method_path(route):
    return route.split(" ", 1)


def dumps(obj, raw_number=None):
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if raw_number is not None:
        text = text.replace('"%s"' % RAWNUM, raw_number)
    return text.encode("utf-8")


def _caller_headers(w, route):
    c = SPECS[route].caller
    h = {"Content-Type": "application/json"}
    if route == "GET /v1/unsubscribe":
        h["Accept"] = "application/problem+json"
    if c is not None:
        h["Authorization"] = "Bearer " + w.token(c)
    return h


def body_req(route, make_body, content_type="application/json"):
    """A request of route with the body make_body(w, valid_body) (bytes)."""
    method, _ = _method_path(route)
    s = SPECS[route]

    def build(w):
        h = _caller_headers(w, route)
        h["Content-Type"] = content_type
        return req(method, s.path(w), h, make_body(w, s.body(w)))
    return build


def _first_string_field(route):
    for f in SPECS[route].fields:
        if f.kind in (TEXT, FORMAT, ENUM, LOGIN):
            return f.name
    return None


def _with(valid, name, value):
    b = dict(valid)
    b[name] = value
    return b


def _dup(key, body):
    """The member a duplicate-key case repeats: key, or else the body's
    first, so that the repeat is one (a key the body lacks is not)."""
    return key if key in body or not body else next(iter(body))


def _body_cases(route):
    """What every route with a body gets, whatever its fields."""
    s = SPECS[route]
    out = []
    sf = _first_string_field(route) or "note"
    key = s.fields[0].name if s.fields else "note"

    def add(cid, make, status, ptype=None, fields=None,
            content_type="application/json"):
        out.append(case("%s | %s" % (route, cid), route,
                        body_req(route, make, content_type), status, ptype,
                        fields, allowed=_allowed(route)))

    def utf8_text(valid, value):
        return dumps(_with(valid, sf, value))

    add("malformed JSON", lambda w, v: dumps(v)[:-1] + b",", 400,
        "malformed-request")
    add("truncated JSON", lambda w, v: b'{"' + sf.encode() + b'": ', 400,
        "malformed-request")
    add("trailing garbage", lambda w, v: dumps(v) + b" x", 400,
        "malformed-request")
    add("10,000 [", lambda w, v: b"[" * 10000, 400, "malformed-request")
    add("10,000 [ ] in a field",
        lambda w, v: b'{"' + key.encode() + b'":' + b"[" * 10000 +
        b"]" * 10000 + b"}", 400, "malformed-request")
    add("10,000 { in a field",
        lambda w, v: b'{"' + key.encode() + b'":' +
        b'{"a":' * 10000 + b"1" + b"}" * 10000 + b"}", 400,
        "malformed-request")
    add("invalid UTF-8", lambda w, v: utf8_text(v, "x").replace(
        b'"x"', b'"\xff\xfe"'), 400, "malformed-request")
    add("overlong UTF-8", lambda w, v: utf8_text(v, "x").replace(
        b'"x"', b'"\xc0\xaf"'), 400, "malformed-request")
    add("lone surrogate escape", lambda w, v: utf8_text(v, "x").replace(
        b'"x"', b'"\\ud800"'), 400, "malformed-request")
    add("raw NUL in a string", lambda w, v: utf8_text(v, "x").replace(
        b'"x"', b'"a\x00b"'), 400, "malformed-request")
    add("escaped NUL in a string", lambda w, v: utf8_text(v, "x").replace(
        b'"x"', b'"a\\u0000b"'), 400, "malformed-request")
    add("escaped NUL in a key",
        lambda w, v: dumps(_with(v, "k\u0001", 1)).replace(
            b"\\u0001", b"\\u0000"), 400, "malformed-request")
    add("raw NUL after the document", lambda w, v: dumps(v) + b"\x00", 400,
        "malformed-request")
    # The body's own first member when the route names no field.
    add("duplicate key", lambda w, v: dumps(v)[:-1] + (
        b',"%s":%s}' % (_dup(key, v).encode(), json.dumps(
            v.get(_dup(key, v), 1)).encode()) if v else b'"a":1,"a":1}'),
        400, "malformed-request")
    # A route that takes no body names the body, not the member.
    nobody = s.body_kind == "none"
    add("unknown field", lambda w, v: dumps(_with(v, "unexpected_field",
                                                  "x")), 422,
        "validation-error", ["(body)" if nobody else "unexpected_field"])
    add("unknown field named like SQL",
        lambda w, v: dumps(_with(v, "name'; DROP TABLE users; --", 1)), 422,
        "validation-error",
        ["(body)" if nobody else "name'; DROP TABLE users; --"])
    add("array instead of object", lambda w, v: b"[]", 422,
        "validation-error")
    add("string instead of object", lambda w, v: b'"x"', 422,
        "validation-error")
    add("null instead of object", lambda w, v: b"null", 422,
        "validation-error")
    add("text/plain", lambda w, v: dumps(v), 415, "unsupported-media-type",
        content_type="text/plain")
    if s.body_kind == "schema":
        add("empty body", lambda w, v: b"", 400, "malformed-request")
    out.append(case("%s | 10 MB body" % route, route, _big_body(route),
                    413, "payload-too-large", allowed=_allowed(route)))
    return out


def _big_body(route):
    method, _ = _method_path(route)

    def build(w):
        h = _caller_headers(w, route)
        return req(method, SPECS[route].path(w), h, big=TEN_MB)
    return build


def _allowed(route):
    # A refused login still counts a check against the address.
    return ("login_attempts",) if route == "POST /v1/auth/token" else ()


def _wrong_types(f):
    if f.kind in (TEXT, FORMAT, ENUM, LOGIN):
        return {"number": 12345, "null": None, "array": ["x"]}
    if f.kind == INT:
        return {"string": "12", "null": None, "float": 1.5, "bool": True}
    if f.kind == BOOL:
        return {"string": "true", "number": 1, "null": None}
    if f.kind == INT_ARRAY:
        return {"string": "1", "null": None, "string items": ["1"],
                "float items": [1.5], "object": {"id": 1}}
    if f.kind == ENUM_ARRAY:
        return {"string": "missing_receipts", "null": None,
                "number items": [1], "empty": []}
    raise ValueError(f.kind)


def _field_cases(route):
    s = SPECS[route]
    method, _ = _method_path(route)
    out = []
    for f in s.fields:
        for tname, value in _wrong_types(f).items():
            out.append(case(
                "%s | %s: %s" % (route, f.name, tname), route,
                body_req(route, lambda w, v, f=f, value=value: dumps(
                    _with(v, f.name, value))),
                422,
                "validation-error", [f.name], _allowed(route)))
        if f.kind in (TEXT, FORMAT, ENUM, LOGIN, ENUM_ARRAY):
            for meta in SQL_META:
                value = f.wrap(meta) if f.wrap else meta
                if f.kind == ENUM_ARRAY:
                    value = [value]
                make = (lambda w, v, f=f, value=value:
                        dumps(_with(v, f.name, value)))
                cid = "%s | %s: SQL %s" % (route, f.name, META_IDS[meta])
                if f.kind == TEXT:
                    out.append(case(cid, route, body_req(route, make),
                                    s.ok, check=_echo_check(f, value)))
                elif f.kind == LOGIN:
                    out.append(case(cid, route, body_req(route, make), 401,
                                    "unauthorized",
                                    allowed=("login_attempts",)))
                else:
                    out.append(case(cid, route, body_req(route, make), 422,
                                    "validation-error", [f.name]))
        if f.kind in (TEXT, FORMAT, ENUM, LOGIN):
            make = (lambda w, v, f=f: dumps(_with(v, f.name, "a" * 100000)))
            out.append(case("%s | %s: 100,000 characters" % (route, f.name),
                            route, body_req(route, make), 422,
                            "validation-error", [f.name], _allowed(route)))
        if f.maxlen:
            # The limit counts characters, not bytes: the longest value in
            # four-byte characters is taken whole, one more is refused.
            for n, ok in ((f.maxlen, True), (f.maxlen + 1, False)):
                value = "\U0001F600" * n
                make = (lambda w, v, f=f, value=value:
                        dumps(_with(v, f.name, value)))
                cid = "%s | %s: %d emoji" % (route, f.name, n)
                if ok:
                    out.append(case(cid, route, body_req(route, make), s.ok,
                                    check=_echo_check(f, value)))
                else:
                    out.append(case(cid, route, body_req(route, make), 422,
                                    "validation-error", [f.name]))
        if f.kind in (INT, INT_ARRAY):
            for num in NUMBERS:
                value = RAWNUM if f.kind == INT else [RAWNUM]
                make = (lambda w, v, f=f, value=value, num=num:
                        dumps(_with(v, f.name, value), raw_number=num))
                cid = "%s | %s: %s" % (route, f.name, num)
                if num in f.ok_numbers:
                    out.append(case(cid, route, body_req(route, make),
                                    f.ok_numbers[num],
                                    check=_echo_check(f, num)))
                else:
                    out.append(case(cid, route, body_req(route, make), 422,
                                    "validation-error", [f.name]))
    return out


def _echo_check(f, value):
    def check(w, r):
        if f.echo is not None:
            f.echo(w, r, value)
    return check


def _expense_batch_cases():
    route = "POST /v1/clients/{id}/expenses"

    def batch(items):
        return lambda w, v: dumps({"expenses": items(w)})

    cases = [
        ("batch: expenses not an array", lambda w, v: dumps(
            {"expenses": "x"}), ["expenses"]),
        ("batch: empty", batch(lambda w: []), ["expenses"]),
        ("batch: number items", batch(lambda w: [1, 2]), None),
        ("batch: one bad item among good ones", batch(lambda w: [
            expense_body(), expense_body(currency="'; DROP TABLE clients; --"),
            expense_body()]), ["expenses[1].currency"]),
        ("batch: unknown field in an item", batch(lambda w: [
            dict(expense_body(), extra=1)]), ["expenses[0].extra"]),
        ("batch: huge number in an item", lambda w, v: dumps(
            {"expenses": [_with(expense_body(), "amount_minor", RAWNUM)]},
            raw_number="1e309"), ["expenses[0].amount_minor"]),
        ("batch: repeated external_id", batch(lambda w: [
            expense_body(external_id="dup"), expense_body(
                external_id="dup")]), ["expenses[1].external_id"]),
        ("batch: 1,001 items", batch(lambda w: [
            expense_body() for _ in range(1001)]), ["expenses"]),
        ("batch: unknown top-level field", lambda w, v: dumps(
            {"expenses": [expense_body()], "x": 1}), ["x"]),
    ]
    return [case("%s | %s" % (route, cid), route, body_req(route, make), 422,
                 "validation-error", fields) for cid, make, fields in cases]


def _query_values(kind):
    """(id, raw value bytes, expected status) per kind."""
    out = [("SQL " + META_IDS[m], m.encode(), 200 if kind == Q_SEARCH
            else 400) for m in SQL_META]
    out += [("NUL", b"a\x00b", 400), ("invalid UTF-8", b"a\xff", 400),
            ("overlong UTF-8", b"\xc0\xaf", 400),
            ("5,000 characters", b"a" * 5000, 400),
            ("control character", b"a\x1bb", 400)]
    if kind in (Q_ID, Q_LIMIT):
        for num in NUMBERS + ("0", "1.5", " 1", "0x10"):
            ok = kind == Q_ID and num == "9007199254740993"
            out.append((num, num.encode(), 200 if ok else 400))
    return out


def _query_string(base, name, value):
    parts = ["%s=%s" % (k, urllib.parse.quote(v, safe=""))
             for k, v in base.items() if k != name]
    parts.append("%s=%s" % (name, urllib.parse.quote(value, safe="")))
    return "&".join(parts)


def _query_req(route, qs):
    method, _ = _method_path(route)

    def build(w):
        h = _caller_headers(w, route)
        body = None
        if route == "POST /v1/unsubscribe":
            h["Content-Type"] = "application/x-www-form-urlencoded"
            body = b"List-Unsubscribe=One-Click"
        else:
            del h["Content-Type"]
        return req(method, SPECS[route].path(w) + "?" + qs, h, body)
    return build


def _search_check(meta):
    def check(w, r):
        rows = r.json()["data"]
        got = {row["id"] for row in rows}
        for row in rows:
            text = (row["name"] + "\n" + row["org_number"]).casefold()
            assert meta.casefold() in text, (
                "q=%r found %r, which does not contain it" % (meta,
                                                              row["name"]))
        assert w.meta_clients[meta] in got, (meta, rows)
        assert w.plain_client not in got, (meta, rows)
    return check


def _query_cases(route):
    base, params = QUERIES[route]
    out = []
    for name, kind in params.items():
        for vid, value, status in _query_values(kind):
            qs = _query_string(base, name, value)
            check = None
            if status == 200 and kind == Q_SEARCH:
                check = _search_check(value.decode())
            elif status == 200:
                check = _empty_list_check
            out.append(case("%s | ?%s=%s" % (route, name, vid), route,
                            _query_req(route, qs), status, check=check))
        qs = "&".join(["%s=%s" % kv for kv in base.items() if kv[0] != name]
                      + ["%s=a" % name, "%s=b" % name])
        out.append(case("%s | ?%s repeated" % (route, name), route,
                        _query_req(route, qs), 400))
    if route == "GET /v1/clients":
        # A bare "%" is no percent-escape: taken as the text "%" or
        # refused, but never as "match anything".
        out.append(case("%s | ?q=%% unescaped" % route, route,
                        _query_req(route, "tab=all&q=%"), 200,
                        check=_search_check("%")))
    if route == "GET /v1/clients":
        out += _export_cases(route)
    if route in ("GET /v1/unsubscribe", "POST /v1/unsubscribe"):
        out.append(case("%s | no token" % route, route,
                        _query_req(route, ""), 400, "malformed-request"))
    return out


def _export_cases(route):
    """The CSV export is the whole list, never a page: a cursor or a limit
    with it is a 400 naming the parameter, whether format or Accept asked
    for CSV; so is a lookup of one client."""
    out = []
    for name, value in (("cursor", "AQID"), ("limit", "10"),
                        ("org_number", "5560125790")):
        for how, qs, accept in (
                ("format=csv", "tab=all&format=csv&%s=%s", None),
                ("Accept: text/csv", "tab=all&%s=%s", "text/csv")):
            build = _query_req(route, qs % (name, value))
            if accept is not None:
                build = _with_header(build, "Accept", accept)
            out.append(case("%s | %s with %s" % (route, name, how), route,
                            build, 400, "validation-error", fields=[name]))
    return out


def _with_header(build, name, value):
    def with_header(w):
        r = build(w)
        return r._replace(headers=dict(r.headers, **{name: value}))
    return with_header


def _empty_list_check(w, r):
    assert r.json()["data"] == [], r.text


# -- ids in the path ---------------------------------------------------------

BAD_IDS = ("-1", "0", "9223372036854775808", "1e309", "9007199254740993",
           "1%27%20OR%201%3D1", "1%00", "%25", "_")


def _path_cases():
    """Each id of each path, replaced by what is no id of anything:
    404, whatever the route and its (valid) body."""
    out = []
    for route, s in SPECS.items():
        method, pattern = _method_path(route)
        parts = pattern.split("/")
        slots = [i for i, p in enumerate(parts) if p.startswith("{")]
        for slot in slots:
            for bad in BAD_IDS:
                def build(w, route=route, s=s, slot=slot, bad=bad,
                          method=method):
                    path = s.path(w).split("/")
                    path[slot] = bad
                    body = None if s.body is None else _body_bytes(w, s)
                    return req(method, "/".join(path),
                               _caller_headers(w, route), body)
                out.append(case("%s | path %s=%s" % (route, parts[slot],
                                                     bad),
                                route, build, 404, "not-found"))
    return out


# -- Authorization -----------------------------------------------------------

def _auth_variants(w, user):
    good = w.token(user)
    h, p, sig = good.split(".")
    tampered = "%s.%s.%s" % (h, p, ("A" if sig[0] != "A" else "B") + sig[1:])
    u = w.users[user]
    claims = std_claims(u["id"], u["partner_id"], u["role"], ttl=3600)
    client_aud = dict(claims, aud="portal-client", client_id=1)
    return {
        "missing": None,
        "Basic": "Basic dXNlcjpwYXNzd29yZA==",
        "Bearer alone": "Bearer",
        "Bearer and a blank": "Bearer ",
        "not a JWT": "Bearer not-a-jwt",
        "three empty parts": "Bearer ..",
        "tampered signature": "Bearer " + tampered,
        "alg none": "Bearer " + mint_jwt(w.portal.secret, claims, alg="none"),
        "HS512": "Bearer " + mint_jwt(w.portal.secret, claims, alg="HS512"),
        "other secret": "Bearer " + mint_jwt("x" * 64, claims),
        "expired": "Bearer " + expired_token_for(w.portal, u),
        "client audience": "Bearer " + mint_jwt(w.portal.secret, client_aud),
        "two tokens": "Bearer %s %s" % (good, good),
        "comma list": "Bearer %s, Bearer %s" % (good, good),
        "token twice without space": "Bearer %s%s" % (good, good),
        "5,000 characters": "Bearer " + "a" * 5000,
        "SQL": "Bearer ' OR 1=1 --",
        "other firm's user id": "Bearer " + mint_jwt(
            w.portal.secret, dict(claims, partner_id=w.beta)),
    }


AUTH_VARIANTS = ("missing", "Basic", "Bearer alone", "Bearer and a blank",
                 "not a JWT", "three empty parts", "tampered signature",
                 "alg none", "HS512", "other secret", "expired",
                 "client audience", "two tokens", "comma list",
                 "token twice without space",
                 "5,000 characters", "SQL", "other firm's user id")


def _auth_cases():
    out = []
    for route, s in SPECS.items():
        if s.caller is None:
            continue
        method, _ = _method_path(route)
        for variant in AUTH_VARIANTS:
            def build(w, route=route, s=s, variant=variant, method=method):
                h = {"Content-Type": "application/json"}
                # None: no Authorization header at all (see _send).
                h["Authorization"] = _auth_variants(w, s.caller)[variant]
                body = None if s.body is None else _body_bytes(w, s)
                return req(method, s.path(w), h, body)
            out.append(case("%s | Authorization: %s" % (route, variant),
                            route, build, 401, "unauthorized"))
    return out


# -- Raw requests: over-long headers, NUL bytes where requests cannot -------

def _raw_head(method, path, headers, body=b""):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1"]
    out = ("\r\n".join(lines) + "\r\n").encode()
    for k, v in headers.items():
        if v is None:
            continue
        out += k.encode() + b": " + (v if isinstance(v, bytes)
                                     else v.encode()) + b"\r\n"
    if body:
        out += b"Content-Length: %d\r\n" % len(body)
    out += b"Connection: close\r\n\r\n" + body
    return out


def _raw_cases():
    out = []
    for route, s in SPECS.items():
        method, _ = _method_path(route)

        def big_header(w, route=route, s=s, method=method):
            h = _caller_headers(w, route)
            h["X-Big"] = "a" * 20000
            body = b"" if s.body is None else _body_bytes(w, s)
            return req(method, s.path(w), raw=_raw_head(method, s.path(w), h,
                                                         body))

        def big_auth(w, route=route, s=s, method=method):
            h = _caller_headers(w, route)
            h["Authorization"] = "Bearer " + "a" * 20000
            body = b"" if s.body is None else _body_bytes(w, s)
            return req(method, s.path(w), raw=_raw_head(method, s.path(w), h,
                                                        body))
        out.append(case("%s | 20 KB header" % route, route, big_header,
                        "4xx", allowed=_allowed(route)))
        out.append(case("%s | 20 KB Authorization" % route, route, big_auth,
                        "4xx", allowed=_allowed(route)))
        if s.caller is not None:
            def nul_auth(w, route=route, s=s, method=method):
                h = _caller_headers(w, route)
                h["Authorization"] = h["Authorization"].encode() + b"\x00x"
                body = b"" if s.body is None else _body_bytes(w, s)
                return req(method, s.path(w), raw=_raw_head(
                    method, s.path(w), h, body))
            out.append(case("%s | NUL in Authorization" % route, route,
                            nul_auth, "4xx"))
    return out


def _body_bytes(w, s):
    b = s.body(w)
    return b.encode() if isinstance(b, str) else dumps(b)


IDEMPOTENCY_KEYS = {
    "empty": b"",
    "256 characters": b"k" * 256,
    "a space": b"two words",
    "non-ASCII": "nyckel-\u00e5\u00e4\u00f6".encode("utf-8"),
    "a control character": b"key\x01",
}


def _idempotency_cases():
    """A valid request with a bad Idempotency-Key: refused, so nothing of
    it may be written. Over the socket, since requests drops or mangles
    some of these values."""
    out = []
    for route, s in SPECS.items():
        method, _ = _method_path(route)
        # Go-to-client and a new API key ignore the key: their answers
        # hand out a secret, which is neither kept nor replayed.
        if (method != "POST" or s.caller is None or
                route in ("POST /v1/clients/{id}/access",
                          "POST /v1/api-keys", "POST /v1/webhooks",
                          "POST /v1/webhooks/{id}/rotate-secret")):
            continue
        for kid, key in IDEMPOTENCY_KEYS.items():
            def build(w, route=route, s=s, key=key, method=method):
                h = _caller_headers(w, route)
                h["Idempotency-Key"] = key
                return req(method, s.path(w), raw=_raw_head(
                    method, s.path(w), h, _body_bytes(w, s)))
            out.append(case("%s | Idempotency-Key: %s" % (route, kid), route,
                            build, 400, "malformed-request"))
    return out


def _extra_cases():
    out = []
    # The body is streamed without a Content-Length: the server must stop
    # reading at its limit and refuse, on a route behind authentication.
    route = "POST /v1/clients/{id}/expenses"

    def chunked(w):
        h = _caller_headers(w, route)
        h["Transfer-Encoding"] = "chunked"
        return req("POST", SPECS[route].path(w), h, big=-TEN_MB)
    out.append(case("%s | 10 MB chunked body" % route, route, chunked, 413,
                    "payload-too-large"))
    # Routes without a body still refuse one of 10 MB without reading it.
    for route, s in SPECS.items():
        if s.body_kind is None:
            out.append(case("%s | 10 MB body" % route, route,
                            _big_body(route), 413, "payload-too-large"))
    # The reminders' filters: values of the right shape that are still
    # wrong, each refused naming its parameter.
    route = "GET /v1/reminders"
    for cid, qs, name in (
            ("unknown state", "state=sent", "state"),
            ("state in capitals", "state=FAILED", "state"),
            ("no such day", "since=2026-02-30T00:00:00Z", "since"),
            ("time without zone", "since=2026-03-02T10:00:00", "since"),
            ("date only", "until=2026-03-02", "until"),
            ("until before since", "since=2026-03-02T10:00:00Z&"
             "until=2026-03-01T10:00:00Z", "until"),
            ("until equal to since", "since=2026-03-02T10:00:00Z&"
             "until=2026-03-02T11:00:00%2B01:00", "until"),
            ("cursor of another filter", None, "cursor")):
        def build(w, qs=qs, route=route):
            if qs is None:
                cur = w.api.ok("GET", "/v1/reminders?limit=1",
                               w.token("admin"))["next_cursor"]
                qs = "state=failed&cursor=" + cur
            h = _caller_headers(w, route)
            del h["Content-Type"]
            return req("GET", "/v1/reminders?" + qs, h)

        out.append(case("%s | %s" % (route, cid), route, build, 400,
                        "validation-error", [name]))
    # A dry run with a valid body but an unreadable dry_run sends nothing.
    route = "POST /v1/clients/{id}/notify-accountants"

    def dry_run(w, route=route):
        h = _caller_headers(w, route)
        return req("POST", SPECS[route].path(w) + "?dry_run=maybe", h,
                   dumps(SPECS[route].body(w)))
    out.append(case("%s | ?dry_run=maybe" % route, route, dry_run, 400,
                    "validation-error"))
    # Public: the size limit holds before any login.
    route = "POST /v1/unsubscribe"

    def form(w):
        return req("POST", "/v1/unsubscribe?token=x",
                   {"Content-Type": "application/x-www-form-urlencoded"},
                   big=TEN_MB)
    out.append(case("%s | 10 MB form body" % route, route, form, 413,
                    "payload-too-large"))
    # A NUL in the request line or a header name is refused by the parser.
    for cid, line in (("NUL in the path", b"GET /v1/me\x00x HTTP/1.1"),
                      ("NUL in the query", b"GET /v1/clients?q=a\x00b "
                       b"HTTP/1.1")):
        def build(w, line=line):
            return req("GET", "/", raw=line + b"\r\nHost: 127.0.0.1\r\n"
                       b"Authorization: Bearer " + w.token("admin").encode() +
                       b"\r\nConnection: close\r\n\r\n")
        out.append(case("GET /v1/me | %s" % cid, "GET /v1/me", build,
                        "4xx"))
    return out


BODY_ROUTES = [r for r, s in SPECS.items()
               if s.body_kind in ("schema", "none")]

CASES = []
for _route in BODY_ROUTES:
    CASES += _body_cases(_route)
    CASES += _field_cases(_route)
CASES += _expense_batch_cases()
for _route in QUERIES:
    CASES += _query_cases(_route)
CASES += _path_cases()
CASES += _auth_cases()
CASES += _raw_cases()
CASES += _idempotency_cases()
CASES += _extra_cases()


# --------------------------------------------------------------------------
# The world and the checks

@pytest.fixture(scope="module")
def world(portal):
    w = World(portal)
    w.new_user("target", w.alpha, "bookkeeper")
    w.shared = w.client("active", assignees=["bookkeeper"])
    w.shared_expense = w.expense(w.shared["id"])
    w.shared_reminder = w.reminder(w.shared["id"])
    # A second, so that a page of one has a next cursor.
    w.reminder(w.shared["id"])
    w.invitation = w.client("invitation")
    w.onboarding = w.client("onboarding", assignees=["bookkeeper"])
    # A client whose name holds each metacharacter, and one with none:
    # a search for the character must find the first and never the other.
    w.meta_clients = {m: w.client("active", name="Meta %s AB" % m,
                                  assignees=["admin"])["id"]
                      for m in SQL_META}
    w.plain_client = w.client("active", name="Plain Ordinary AB")["id"]
    # Something for every list to hold.
    w.api.ok("POST", "/v1/clients/%d/access" % w.shared["id"],
             w.token("admin"), 201)
    w.api.ok("PUT", "/v1/clients/%d/notification-preference"
             % w.shared["id"], w.token("bookkeeper"),
             json={"email": True, "frequency": "weekly"})
    yield w
    w.api.close()


@pytest.fixture(scope="module")
def db(portal):
    conn = db_connect(portal)
    yield conn
    conn.close()


@pytest.fixture(autouse=True)
def still_serving(portal):
    yield
    assert portal.server.proc.poll() is None, "portal-api died"
    r = requests.get(portal.url("/healthz"), timeout=10)
    assert r.status_code == 200, r.text


def test_specs_cover_every_route(portal):
    served = served_routes(portal)
    assert sorted(SPECS) == sorted(served), (
        "routes without a spec: %s; specs of no route: %s" % (
            sorted(set(served) - set(SPECS)),
            sorted(set(SPECS) - set(served))))
    assert set(QUERIES) <= set(SPECS)


def _send(w, r):
    if r.raw is not None:
        return w.portal.raw(r.raw)
    if r.big is not None:
        chunked = r.big < 0
        headers = {k: v for k, v in r.headers.items() if v is not None}
        if not chunked:
            headers["Content-Length"] = str(r.big)
        head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n" % (r.method, r.path)
        head += "".join("%s: %s\r\n" % kv for kv in headers.items())
        data = send_big_body(w.portal.port, (head + "\r\n").encode(),
                             abs(r.big), chunked=chunked)
        return parse_raw(data)
    headers = dict(r.headers)
    if "Authorization" in headers and headers["Authorization"] is None:
        del headers["Authorization"]
    return w.api.s.request(r.method, w.portal.url(r.path), data=r.body,
                           headers=headers, timeout=30,
                           allow_redirects=False)


def _kinds(case):
    """A case's keys for the sanitized pass: its route, and its kind of
    bad input (the id after the route), each run there at least once."""
    route, _, kind = case.id.partition(" | ")
    return [("route", route), ("kind", kind)]


@pytest.mark.parametrize("case", representative(
    CASES, _kinds, [c.id for c in CASES]))
def test_bad_input(world, db, case):
    r = case.build(world)
    before = db_fingerprint(db)
    resp = _send(world, r)
    code = resp.status_code if hasattr(resp, "status_code") else resp.status
    text = resp.text if hasattr(resp, "text") else resp.body.decode(
        "utf-8", "replace")
    if case.status == "4xx":
        assert 400 <= code < 500, "expected a 4xx, got %s: %s" % (code,
                                                                  text[:500])
        assert_problem(resp, code)
    elif case.status < 400:
        assert code == case.status, "expected %s, got %s: %s" % (
            case.status, code, text[:800])
        if case.check is not None:
            case.check(world, resp)
        return
    else:
        doc = assert_problem(resp, case.status, case.ptype)
        if case.fields:
            named = error_fields(doc)
            assert set(case.fields) <= set(named), (case.fields, named)
    changed = db_changes(before, db_fingerprint(db), case.allowed)
    assert not changed, "a refused request changed %s" % changed


def test_two_authorization_headers_are_refused(world, db):
    """Two Authorization fields name two callers: which one a proxy or
    log in front of the server reads is a guess (like two Content-Length
    fields, which the server refuses). Every protected route must refuse
    the request with a 4xx problem and write nothing, in either order."""
    fails = []
    try:
        for route, s in SPECS.items():
            if s.caller is None:
                continue
            method, _ = _method_path(route)
            other = "admin" if s.caller != "admin" else "bookkeeper"
            for first, second in ((s.caller, other), (other, s.caller)):
                body = b"" if s.body is None else _body_bytes(world, s)
                head = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\n"
                        "Authorization: Bearer %s\r\n"
                        "Authorization: Bearer %s\r\n"
                        "Content-Length: %d\r\nConnection: close\r\n\r\n"
                        % (method, s.path(world), world.token(first),
                           world.token(second), len(body)))
                before = db_fingerprint(db)
                r = world.portal.raw(head.encode() + body)
                what = "%s with %s's token, then %s's" % (route, first,
                                                           second)
                if not 400 <= r.status < 500:
                    fails.append("%s: answered %s" % (what, r.status))
                    continue
                assert_problem(r, r.status)
                changed = db_changes(before, db_fingerprint(db))
                if changed:
                    fails.append("%s: refused, but wrote %s" % (what,
                                                                changed))
    finally:
        # What the accepted ones changed, put back for any later test.
        world.assign(world.shared["id"], ["bookkeeper"])
        world.invitation = world.client("invitation")
        world.onboarding = world.client("onboarding",
                                        assignees=["bookkeeper"])
    assert not fails, "%d requests were not refused:\n%s" % (
        len(fails), "\n".join(fails))
