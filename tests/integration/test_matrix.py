"""The authorization matrix: for every route the server has and every kind
of caller, the status it answers, written down once in MATRIX and checked
cell by cell on a server of this module's own.

Callers (the columns):
  admin          an admin of firm alpha
  bk_assigned    a bookkeeper of alpha assigned to the target client
  bk_unassigned  a bookkeeper of alpha assigned to nothing
  integration    alpha's integration (service account)
  other_admin    an admin of firm beta
  anonymous      no Authorization header
  expired        alpha admin's token, signed right, past its exp

Every request is one that succeeds for a caller the route admits (a valid
body, a target in the right state), so that the status shows the
authorization decision alone. Routes that change a target's state get a
fresh target for every cell. A refused request must leave the database
as it was. `test_matrix_covers_every_route` fails when a route is added
without a row here.
"""
import uuid

import pytest

from conftest import assert_problem, representative
from matrix_helpers import (World, db_changes, db_connect, db_fingerprint,
                            expense_body, expired_token_for, module_server,
                            seq, served_routes, unsubscribe_token)

portal = module_server("portal-matrix-")

CALLERS = ("admin", "bk_assigned", "bk_unassigned", "integration",
           "other_admin", "anonymous", "expired")


def row(*statuses):
    """One line of the table, in the column order of CALLERS."""
    assert len(statuses) == len(CALLERS)
    return dict(zip(CALLERS, statuses))


# Public routes answer everyone, with or without a (bad) token.
PUBLIC = row(200, 200, 200, 200, 200, 200, 200)

# route -> {caller: status}
#                     admin  bk_a  bk_u  integ other  anon  expired
MATRIX = {
    "GET /healthz": PUBLIC,
    "GET /metrics": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /openapi.yaml": PUBLIC,
    "POST /v1/auth/token": PUBLIC,
    "GET /v1/me": row(200, 200, 200, 200, 200, 401, 401),
    "PATCH /v1/me": row(200, 200, 200, 200, 200, 401, 401),
    "GET /v1/users": row(200, 403, 403, 403, 200, 401, 401),
    "POST /v1/users": row(201, 403, 403, 403, 201, 401, 401),
    "GET /v1/users/{id}": row(200, 403, 403, 403, 404, 401, 401),
    "PATCH /v1/users/{id}": row(200, 403, 403, 403, 404, 401, 401),
    "GET /v1/clients": row(200, 200, 200, 200, 200, 401, 401),
    "GET /v1/clients/tabs": row(200, 200, 200, 200, 200, 401, 401),
    "POST /v1/clients": row(201, 403, 403, 201, 201, 401, 401),
    "GET /v1/clients/{id}": row(200, 200, 404, 200, 404, 401, 401),
    "PATCH /v1/clients/{id}": row(200, 403, 403, 200, 404, 401, 401),
    "POST /v1/clients/{id}/accept": row(200, 403, 403, 403, 404, 401, 401),
    "POST /v1/clients/{id}/decline": row(200, 403, 403, 403, 404, 401, 401),
    # Integrations only: the role is refused before the client is looked
    # up, so another firm's admin gets 403 like this firm's.
    "POST /v1/clients/{id}/verification":
        row(403, 403, 403, 200, 403, 401, 401),
    "PUT /v1/clients/{id}/balance": row(200, 403, 403, 200, 404, 401, 401),
    "GET /v1/clients/{id}/expenses": row(200, 200, 404, 200, 404, 401, 401),
    "GET /v1/clients/{id}/overview": row(200, 200, 404, 200, 404, 401, 401),
    "GET /v1/settings/thresholds": row(200, 403, 403, 403, 200, 401, 401),
    "PUT /v1/settings/thresholds": row(200, 403, 403, 403, 200, 401, 401),
    "GET /v1/clients/{id}/thresholds":
        row(200, 200, 404, 403, 404, 401, 401),
    "PUT /v1/clients/{id}/thresholds":
        row(200, 403, 403, 403, 404, 401, 401),
    "POST /v1/clients/{id}/expenses": row(201, 403, 403, 201, 404, 401, 401),
    "GET /v1/clients/{id}/expenses/{expense_id}":
        row(200, 200, 404, 200, 404, 401, 401),
    "PATCH /v1/clients/{id}/expenses/{expense_id}":
        row(200, 403, 403, 200, 404, 401, 401),
    "DELETE /v1/clients/{id}/expenses/{expense_id}":
        row(204, 403, 403, 204, 404, 401, 401),
    "PUT /v1/balances": row(200, 403, 403, 200, 422, 401, 401),
    "GET /v1/clients/{id}/assignees": row(200, 200, 404, 403, 404, 401, 401),
    "PUT /v1/clients/{id}/assignees": row(200, 403, 403, 403, 404, 401, 401),
    "POST /v1/clients/{id}/assignees":
        row(200, 403, 403, 403, 404, 401, 401),
    "DELETE /v1/clients/{id}/assignees/{user_id}":
        row(204, 403, 403, 403, 404, 401, 401),
    "POST /v1/clients/{id}/access": row(201, 201, 404, 403, 404, 401, 401),
    "GET /v1/audit-events": row(200, 403, 403, 403, 200, 401, 401),
    "GET /v1/events": row(200, 403, 403, 200, 200, 401, 401),
    "POST /v1/webhooks": row(201, 403, 403, 403, 201, 401, 401),
    "GET /v1/webhooks": row(200, 403, 403, 403, 200, 401, 401),
    "GET /v1/webhooks/{id}": row(200, 403, 403, 403, 404, 401, 401),
    "PATCH /v1/webhooks/{id}": row(200, 403, 403, 403, 404, 401, 401),
    "DELETE /v1/webhooks/{id}": row(204, 403, 403, 403, 404, 401, 401),
    "POST /v1/webhooks/{id}/rotate-secret":
        row(200, 403, 403, 403, 404, 401, 401),
    "GET /v1/webhooks/{id}/deliveries":
        row(200, 403, 403, 403, 404, 401, 401),
    "POST /v1/api-keys": row(201, 403, 403, 403, 422, 401, 401),
    "GET /v1/api-keys": row(200, 403, 403, 403, 200, 401, 401),
    "GET /v1/api-keys/{id}": row(200, 403, 403, 403, 404, 401, 401),
    "DELETE /v1/api-keys/{id}": row(204, 403, 403, 403, 404, 401, 401),
    "GET /v1/clients/{id}/notification-preference":
        row(200, 200, 404, 403, 404, 401, 401),
    "PUT /v1/clients/{id}/notification-preference":
        row(200, 200, 404, 403, 404, 401, 401),
    "GET /v1/me/notification-preferences":
        row(200, 200, 200, 403, 200, 401, 401),
    "GET /v1/unsubscribe": PUBLIC,
    "POST /v1/unsubscribe": PUBLIC,
    "POST /v1/clients/{id}/notify-accountants":
        row(202, 403, 403, 403, 404, 401, 401),
    "GET /v1/clients/{id}/reminders": row(200, 403, 403, 403, 404, 401, 401),
    "GET /v1/reminders/{id}": row(200, 403, 403, 403, 404, 401, 401),
    # Another firm's admin reads its own firm's list (empty).
    "GET /v1/reminders": row(200, 403, 403, 403, 200, 401, 401),
    "POST /v1/reminders/{id}/resend": row(202, 403, 403, 403, 404, 401, 401),
    "GET /v1/clients/{id}/notify-accountants/recipients":
        row(200, 403, 403, 403, 404, 401, 401),
}

# The scope an API key needs on each route an integration may use ("any":
# every key). A key acts as its integration user, within its scopes: on
# the routes the integration is refused, a key is refused alike; on the
# others, a key without the route's scope gets 403.
KEY_SCOPES = {
    "GET /v1/me": "any",
    "PATCH /v1/me": "any",
    "GET /v1/events": "events:read",
    "GET /v1/clients": "clients:read",
    "GET /v1/clients/tabs": "clients:read",
    "GET /v1/clients/{id}": "clients:read",
    "GET /v1/clients/{id}/expenses": "clients:read",
    "GET /v1/clients/{id}/overview": "clients:read",
    "GET /v1/clients/{id}/expenses/{expense_id}": "clients:read",
    "POST /v1/clients": "clients:write",
    "PATCH /v1/clients/{id}": "clients:write",
    "POST /v1/clients/{id}/verification": "clients:write",
    "PUT /v1/clients/{id}/balance": "balances:write",
    "PUT /v1/balances": "balances:write",
    "POST /v1/clients/{id}/expenses": "expenses:write",
    "PATCH /v1/clients/{id}/expenses/{expense_id}": "expenses:write",
    "DELETE /v1/clients/{id}/expenses/{expense_id}": "expenses:write",
}
KEY_CALLERS = {"key_" + s.replace(":", "_"): s for s in (
    "clients:read", "clients:write", "expenses:write", "balances:write",
    "events:read")}


def key_expected(route, scope):
    """What a key with scope gets on route."""
    integ = MATRIX[route]["integration"]
    if MATRIX[route] == PUBLIC:
        return integ            # a public route reads no credential
    if integ >= 400 or route not in KEY_SCOPES:
        return integ if integ >= 400 else 403
    return integ if KEY_SCOPES[route] in ("any", scope) else 403


# Who sees a client in each status (GET /v1/clients/{id}) and its
# expense (GET /v1/clients/{id}/expenses/{expense_id}): admins and the
# integration every client of the firm, bookkeepers their assigned ones in
# onboarding and active. The client is assigned to bk_assigned in every
# status.
DETAIL_BY_STATUS = {
    "invitation": row(200, 404, 404, 200, 404, 401, 401),
    "onboarding": row(200, 200, 404, 200, 404, 401, 401),
    "active": row(200, 200, 404, 200, 404, 401, 401),
    "declined": row(200, 404, 404, 200, 404, 401, 401),
    "rejected": row(200, 404, 404, 200, 404, 401, 401),
}
EXPENSE_BY_STATUS = {
    "invitation": row(200, 404, 404, 200, 404, 401, 401),
    "onboarding": row(200, 200, 404, 200, 404, 401, 401),
    "active": row(200, 200, 404, 200, 404, 401, 401),
    "declined": row(200, 404, 404, 200, 404, 401, 401),
    "rejected": row(200, 404, 404, 200, 404, 401, 401),
}

# GET /v1/clients?... : the tabs each role has, the admins' filter, and
# the lookups of one client, which every caller of the firm may make.
LIST_QUERIES = {
    "tab=invitations": row(200, 403, 403, 200, 200, 401, 401),
    "tab=onboarding": row(200, 200, 200, 200, 200, 401, 401),
    "tab=mine": row(200, 200, 200, 403, 200, 401, 401),
    "tab=all": row(200, 403, 403, 200, 200, 401, 401),
    "org_number=5560125790": row(200, 200, 200, 200, 200, 401, 401),
    "external_ref=pleo%3A1": row(200, 200, 200, 200, 200, 401, 401),
    "tab=mine&org_number=5560125790": row(200, 200, 200, 403, 200, 401, 401),
    "tab=mine&assignee={bk_assigned}": row(200, 403, 403, 403, 200, 401, 401),
    "tab=onboarding&assignee={bk_assigned}":
        row(200, 403, 403, 403, 200, 401, 401),
}


# --------------------------------------------------------------------------
# The world

@pytest.fixture(scope="module")
def world(portal):
    w = World(portal)
    u = w.users
    u["bk_assigned"] = u["bookkeeper"]
    u["other_admin"] = u["beta_admin"]
    w.new_user("bk_unassigned", w.alpha, "bookkeeper")
    w.new_user("target", w.alpha, "bookkeeper")       # users/{id}
    w.new_user("target2", w.alpha, "bookkeeper")      # assignee routes
    w.tokens = {k: u[k]["token"] for k in CALLERS
                if k not in ("anonymous", "expired")}
    w.tokens["anonymous"] = None
    w.tokens["expired"] = expired_token_for(portal, u["admin"])
    # A key of alpha's integration for each scope.
    for caller, scope in KEY_CALLERS.items():
        w.tokens[caller] = w.api.ok("POST", "/v1/api-keys",
                                    w.token("admin"), 201, json={
                                        "name": caller,
                                        "user_id": u["integration"]["id"],
                                        "scopes": [scope]})["key"]

    # The shared target: an active client assigned to bk_assigned, with
    # an expense and a reminder. Nothing below takes it out of sight.
    w.shared = w.client("active", assignees=["bk_assigned"])
    w.shared_expense = w.expense(w.shared["id"])
    w.shared_reminder = w.reminder(w.shared["id"])
    w.shared_key = w.api.ok("POST", "/v1/api-keys", w.token("admin"), 201,
                            json=_new_key_body(w, "admin"))
    w.shared_hook = _new_hook(w)
    # One client per status, each assigned to bk_assigned, each with an
    # expense, for the visibility tables.
    w.by_status = {}
    for status in DETAIL_BY_STATUS:
        c = w.client(status, assignees=["bk_assigned"])
        e = w.expense(c["id"])
        w.by_status[status] = (c, e)
    # Something in each tab, so that no tab answers only because empty.
    w.client("invitation")
    w.client("onboarding", assignees=["bk_assigned"])
    yield w
    w.api.close()


@pytest.fixture(scope="module")
def db(portal):
    conn = db_connect(portal)
    yield conn
    conn.close()


# --------------------------------------------------------------------------
# One request per route that succeeds for an admitted caller. Each builder
# takes the world and the caller's key and returns
# (method, path, json body or None, query params or None).

def _fresh(w, status, *extra):
    """A new client in status, assigned to bk_assigned (and extra)."""
    return w.client(status, assignees=["bk_assigned", *extra])["id"]


def _new_user_body(w, caller):
    return {"email": "new-%d-%s@matrix.test" % (seq(), uuid.uuid4().hex[:6]),
            "name": "New User", "role": "bookkeeper",
            "password": "pw-" + uuid.uuid4().hex}


def _new_client_body(w, caller):
    body = {"name": "New Client %d" % seq(), "org_number": w.org()}
    if caller == "integration":
        body["status"] = "invitation"
    else:
        body["contact_email"] = "kontakt-%d@client.test" % seq()
    return body


def _login_body(w, caller):
    u = w.users["admin"]
    return {"email": u["email"], "password": u["password"]}


def _shared(w):
    return w.shared["id"]


def _shared_expense_path(w):
    return "/v1/clients/%d/expenses/%d" % (_shared(w), w.shared_expense["id"])


def _delete_assignee(w, caller):
    cid = _fresh(w, "active", "target2")
    return ("DELETE", "/v1/clients/%d/assignees/%d"
            % (cid, w.users["target2"]["id"]), None, None)


def _delete_expense(w, caller):
    """A new expense of the shared client each time: a delete takes it."""
    eid = w.expense(_shared(w))["id"]
    return ("DELETE", "/v1/clients/%d/expenses/%d" % (_shared(w), eid),
            None, None)


def _put_balances(w, caller):
    """The shared client's balance: another firm's admin names a client
    that is not its firm's, which the batch refuses as a bad item."""
    return ("PUT", "/v1/balances", {"balances": [
        {"client_id": _shared(w), "amount_minor": seq(),
         "currency": "SEK"}]}, None)


def _new_key_body(w, caller):
    return {"name": "Key %d" % seq(), "user_id": w.users["integration"]["id"],
            "scopes": ["clients:read"]}


def _revoke_key(w, caller):
    k = w.api.ok("POST", "/v1/api-keys", w.token("admin"), 201,
                 json=_new_key_body(w, caller))
    return ("DELETE", "/v1/api-keys/%d" % k["id"], None, None)


HOOK_BODY = {"url": "https://hooks.example.com/portal",
             "events": ["client.created"]}


def _new_hook(w):
    return w.api.ok("POST", "/v1/webhooks", w.token("admin"), 201,
                    json=HOOK_BODY)


def _delete_hook(w, caller):
    return ("DELETE", "/v1/webhooks/%d" % _new_hook(w)["id"], None, None)


def _unsubscribe(w, caller):
    tok = unsubscribe_token(w.portal, w.users["admin"], "weekly")
    return ("POST", "/v1/unsubscribe", None, {"token": tok})


def _unsubscribe_page(w, caller):
    tok = unsubscribe_token(w.portal, w.users["admin"], "weekly")
    return ("GET", "/v1/unsubscribe", None, {"token": tok})


REQUESTS = {
    "GET /healthz": lambda w, c: ("GET", "/healthz", None, None),
    "GET /metrics": lambda w, c: ("GET", "/metrics", None, None),
    "GET /readyz": lambda w, c: ("GET", "/readyz", None, None),
    "GET /openapi.yaml": lambda w, c: ("GET", "/openapi.yaml", None, None),
    "POST /v1/auth/token": lambda w, c: (
        "POST", "/v1/auth/token", _login_body(w, c), None),
    "GET /v1/me": lambda w, c: ("GET", "/v1/me", None, None),
    "PATCH /v1/me": lambda w, c: ("PATCH", "/v1/me", {"locale": None},
                                  None),
    "GET /v1/users": lambda w, c: ("GET", "/v1/users", None, None),
    "POST /v1/users": lambda w, c: (
        "POST", "/v1/users", _new_user_body(w, c), None),
    "GET /v1/users/{id}": lambda w, c: (
        "GET", "/v1/users/%d" % w.users["target"]["id"], None, None),
    "PATCH /v1/users/{id}": lambda w, c: (
        "PATCH", "/v1/users/%d" % w.users["target"]["id"],
        {"name": "Target %d" % seq()}, None),
    "GET /v1/clients": lambda w, c: ("GET", "/v1/clients", None, None),
    "GET /v1/clients/tabs": lambda w, c: (
        "GET", "/v1/clients/tabs", None, None),
    "POST /v1/clients": lambda w, c: (
        "POST", "/v1/clients", _new_client_body(w, c), None),
    "GET /v1/clients/{id}": lambda w, c: (
        "GET", "/v1/clients/%d" % _shared(w), None, None),
    "PATCH /v1/clients/{id}": lambda w, c: (
        "PATCH", "/v1/clients/%d" % _shared(w),
        {"name": "Shared Client %d" % seq()}, None),
    "POST /v1/clients/{id}/accept": lambda w, c: (
        "POST", "/v1/clients/%d/accept" % _fresh(w, "invitation"), None,
        None),
    "POST /v1/clients/{id}/decline": lambda w, c: (
        "POST", "/v1/clients/%d/decline" % _fresh(w, "invitation"), None,
        None),
    "POST /v1/clients/{id}/verification": lambda w, c: (
        "POST", "/v1/clients/%d/verification" % _fresh(w, "onboarding"),
        {"result": "approved"}, None),
    "PUT /v1/clients/{id}/balance": lambda w, c: (
        "PUT", "/v1/clients/%d/balance" % _shared(w),
        {"amount_minor": 1000 + seq(), "currency": "SEK"}, None),
    "GET /v1/clients/{id}/expenses": lambda w, c: (
        "GET", "/v1/clients/%d/expenses" % _shared(w), None, None),
    "GET /v1/clients/{id}/overview": lambda w, c: (
        "GET", "/v1/clients/%d/overview" % _shared(w), None, None),
    "GET /v1/settings/thresholds": lambda w, c: (
        "GET", "/v1/settings/thresholds", None, None),
    "PUT /v1/settings/thresholds": lambda w, c: (
        "PUT", "/v1/settings/thresholds", {
            "missing_receipts_above": 10,
            "missing_receipt_older_than_days": 30}, None),
    "GET /v1/clients/{id}/thresholds": lambda w, c: (
        "GET", "/v1/clients/%d/thresholds" % _shared(w), None, None),
    "PUT /v1/clients/{id}/thresholds": lambda w, c: (
        "PUT", "/v1/clients/%d/thresholds" % _shared(w),
        {"missing_receipts_above": 5}, None),
    "POST /v1/clients/{id}/expenses": lambda w, c: (
        "POST", "/v1/clients/%d/expenses" % _shared(w), expense_body(),
        None),
    "GET /v1/clients/{id}/expenses/{expense_id}": lambda w, c: (
        "GET", _shared_expense_path(w), None, None),
    "PATCH /v1/clients/{id}/expenses/{expense_id}": lambda w, c: (
        "PATCH", _shared_expense_path(w),
        {"receipt_status": "attached" if seq() % 2 else "missing"}, None),
    "DELETE /v1/clients/{id}/expenses/{expense_id}": _delete_expense,
    "GET /v1/events": lambda w, c: ("GET", "/v1/events", None, None),
    "POST /v1/webhooks": lambda w, c: (
        "POST", "/v1/webhooks", dict(HOOK_BODY), None),
    "GET /v1/webhooks": lambda w, c: ("GET", "/v1/webhooks", None, None),
    "GET /v1/webhooks/{id}": lambda w, c: (
        "GET", "/v1/webhooks/%d" % w.shared_hook["id"], None, None),
    "PATCH /v1/webhooks/{id}": lambda w, c: (
        "PATCH", "/v1/webhooks/%d" % w.shared_hook["id"],
        {"enabled": True}, None),
    "DELETE /v1/webhooks/{id}": _delete_hook,
    "POST /v1/webhooks/{id}/rotate-secret": lambda w, c: (
        "POST", "/v1/webhooks/%d/rotate-secret" % w.shared_hook["id"],
        None, None),
    "GET /v1/webhooks/{id}/deliveries": lambda w, c: (
        "GET", "/v1/webhooks/%d/deliveries" % w.shared_hook["id"], None,
        None),
    "POST /v1/api-keys": lambda w, c: (
        "POST", "/v1/api-keys", _new_key_body(w, c), None),
    "GET /v1/api-keys": lambda w, c: ("GET", "/v1/api-keys", None, None),
    "GET /v1/api-keys/{id}": lambda w, c: (
        "GET", "/v1/api-keys/%d" % w.shared_key["id"], None, None),
    "DELETE /v1/api-keys/{id}": _revoke_key,
    "PUT /v1/balances": _put_balances,
    "GET /v1/clients/{id}/assignees": lambda w, c: (
        "GET", "/v1/clients/%d/assignees" % _shared(w), None, None),
    "PUT /v1/clients/{id}/assignees": lambda w, c: (
        "PUT", "/v1/clients/%d/assignees" % _fresh(w, "active"),
        {"user_ids": [w.users["bk_assigned"]["id"],
                      w.users["target2"]["id"]]}, None),
    "POST /v1/clients/{id}/assignees": lambda w, c: (
        "POST", "/v1/clients/%d/assignees" % _fresh(w, "active"),
        {"user_id": w.users["target2"]["id"]}, None),
    "DELETE /v1/clients/{id}/assignees/{user_id}": _delete_assignee,
    "POST /v1/clients/{id}/access": lambda w, c: (
        "POST", "/v1/clients/%d/access" % _shared(w), None, None),
    "GET /v1/audit-events": lambda w, c: (
        "GET", "/v1/audit-events", None, None),
    "GET /v1/clients/{id}/notification-preference": lambda w, c: (
        "GET", "/v1/clients/%d/notification-preference" % _shared(w), None,
        None),
    "PUT /v1/clients/{id}/notification-preference": lambda w, c: (
        "PUT", "/v1/clients/%d/notification-preference" % _shared(w),
        {"email": True, "frequency": "weekly"}, None),
    "GET /v1/me/notification-preferences": lambda w, c: (
        "GET", "/v1/me/notification-preferences", None, None),
    "GET /v1/unsubscribe": _unsubscribe_page,
    "POST /v1/unsubscribe": _unsubscribe,
    "POST /v1/clients/{id}/notify-accountants": lambda w, c: (
        "POST", "/v1/clients/%d/notify-accountants" % _fresh(w, "active"),
        {"tasks": ["missing_receipts", "balance"], "comment": "Matrix"},
        None),
    "GET /v1/clients/{id}/reminders": lambda w, c: (
        "GET", "/v1/clients/%d/reminders" % _shared(w), None, None),
    "GET /v1/reminders/{id}": lambda w, c: (
        "GET", "/v1/reminders/%d" % w.shared_reminder["id"], None, None),
    "GET /v1/reminders": lambda w, c: (
        "GET", "/v1/reminders", None, {"state": "pending", "limit": 5}),
    # A fresh failed reminder each time: a resend takes its failures.
    "POST /v1/reminders/{id}/resend": lambda w, c: (
        "POST", "/v1/reminders/%d/resend" % w.failed_reminder(
            _fresh(w, "active"))["id"], None, None),
    "GET /v1/clients/{id}/notify-accountants/recipients": lambda w, c: (
        "GET", "/v1/clients/%d/notify-accountants/recipients" % _shared(w),
        None, None),
}


def _send(w, caller, method, path, body, params):
    return w.api.call(method, path, w.tokens[caller], json=body,
                      params=params)


def _check(r, expected, what):
    if expected < 400:
        assert r.status_code == expected, "%s: expected %s, got %s: %s" % (
            what, expected, r.status_code, r.text[:800])
    else:
        try:
            assert_problem(r, expected)
        except AssertionError as e:
            raise AssertionError("%s: %s" % (what, e)) from None


# --------------------------------------------------------------------------
# The tests

def test_matrix_covers_every_route(portal):
    served = served_routes(portal)
    assert len(served) == len(set(served)), "a route is listed twice"
    missing = sorted(set(served) - set(MATRIX))
    extra = sorted(set(MATRIX) - set(served))
    assert not missing, "routes without a row in MATRIX: %s" % missing
    assert not extra, "rows in MATRIX for routes not served: %s" % extra
    assert set(REQUESTS) == set(MATRIX)
    for route, cells in MATRIX.items():
        assert set(cells) == set(CALLERS), route


CELLS = [(route, caller) for route in MATRIX for caller in CALLERS]


def _outcome(cell):
    """A cell's keys for the sanitized pass: its route with the status
    it answers, and its caller, each run there at least once."""
    route, caller = cell
    return [("route", route, MATRIX[route][caller]), ("caller", caller)]


@pytest.mark.parametrize("route, caller", representative(
    CELLS, _outcome, ["%s | %s" % c for c in CELLS]))
def test_matrix(world, db, route, caller):
    expected = MATRIX[route][caller]
    method, path, body, params = REQUESTS[route](world, caller)
    assert route.split(" ", 1)[0] == method
    before = db_fingerprint(db)
    r = _send(world, caller, method, path, body, params)
    _check(r, expected, "%s %s as %s" % (method, path, caller))
    if expected >= 400:
        changed = db_changes(before, db_fingerprint(db))
        assert not changed, "a refused %s as %s wrote to %s" % (
            route, caller, changed)
    else:
        _check_granted(world, route, caller, r)


# HEAD is GET without the body on every GET route: the same status for
# each caller, the GET's Content-Type, no body (openapi.yaml declares
# each HEAD; the recorded answers are checked against it).
HEAD_CELLS = [(route, caller) for route in MATRIX if route.startswith("GET ")
              for caller in CALLERS]


@pytest.mark.parametrize("route, caller", HEAD_CELLS,
                         ids=["HEAD %s | %s" % (r[4:], c)
                              for r, c in HEAD_CELLS])
def test_head_answers_as_get(world, route, caller):
    expected = MATRIX[route][caller]
    _, path, _, params = REQUESTS[route](world, caller)
    what = "HEAD %s as %s" % (path, caller)
    r = _send(world, caller, "HEAD", path, None, params)
    assert r.status_code == expected, "%s: %s" % (what, r.status_code)
    assert r.content == b"", what
    assert r.headers.get("X-Request-Id"), what
    get = _send(world, caller, "GET", path, None, params)
    assert get.status_code == expected, what
    assert r.headers.get("Content-Type") == get.headers.get(
        "Content-Type"), what


KEY_CELLS = [(r, c) for r in MATRIX for c in KEY_CALLERS]


def _key_outcome(cell):
    route, caller = cell
    return [("route", route, key_expected(route, KEY_CALLERS[caller])),
            ("caller", caller)]


@pytest.mark.parametrize("route, caller", representative(
    KEY_CELLS, _key_outcome, ["%s | %s" % c for c in KEY_CELLS]))
def test_key_matrix(world, db, route, caller):
    """Each route for a key of each scope: the integration's answer
    within the scope, 403 outside it, nothing written when refused."""
    expected = key_expected(route, KEY_CALLERS[caller])
    method, path, body, params = REQUESTS[route](world, "integration")
    before = db_fingerprint(db)
    r = _send(world, caller, method, path, body, params)
    _check(r, expected, "%s %s as %s" % (method, path, caller))
    if expected >= 400:
        changed = db_changes(before, db_fingerprint(db))
        assert not changed, "a refused %s as %s wrote to %s" % (
            route, caller, changed)
    if expected == 403 and MATRIX[route]["integration"] < 400:
        assert r.json()["required_scope"] == KEY_SCOPES[route], r.text


def test_key_scopes_name_only_routes_there_are():
    assert set(KEY_SCOPES) <= set(MATRIX)
    assert all(s in ("any", *KEY_CALLERS.values())
               for s in KEY_SCOPES.values())


def _check_granted(w, route, caller, r):
    """What an admitted caller got is its own firm's data."""
    if route in ("GET /v1/me", "PATCH /v1/me"):
        doc = r.json()
        want = w.users[caller] if caller in w.users else None
        if want is not None:
            assert doc["id"] == want["id"], doc
            assert doc["partner"]["id"] == want["partner_id"], doc
    elif route == "GET /v1/users":
        firm = w.users[caller]["partner_id"]
        mine = {u["id"] for u in w.users.values() if u["partner_id"] == firm}
        theirs = {u["id"] for u in w.users.values()
                  if u["partner_id"] != firm}
        got = {u["id"] for u in r.json()["data"]}
        assert mine <= got, (caller, mine - got)
        assert not (got & theirs), (caller, got & theirs)
    elif route == "POST /v1/clients":
        doc = r.json()
        assert doc["status"] == ("invitation" if caller == "integration"
                                 else "onboarding"), doc
        if caller == "other_admin":
            # Made in beta: alpha's admin must not see it.
            got = w.api.call("GET", "/v1/clients/%d" % doc["id"],
                             w.tokens["admin"])
            assert_problem(got, 404)


@pytest.mark.parametrize("status", list(DETAIL_BY_STATUS))
def test_client_visibility_by_status(world, status):
    c, e = world.by_status[status]
    fails = []
    for caller in CALLERS:
        for what, table, path in (
                ("details", DETAIL_BY_STATUS,
                 "/v1/clients/%d" % c["id"]),
                ("expense", EXPENSE_BY_STATUS,
                 "/v1/clients/%d/expenses/%d" % (c["id"], e["id"]))):
            expected = table[status][caller]
            r = world.api.call("GET", path, world.tokens[caller])
            try:
                _check(r, expected, "%s of a %s client as %s"
                       % (what, status, caller))
            except AssertionError as err:
                fails.append(str(err))
    assert not fails, "\n".join(fails)


@pytest.mark.parametrize("query", list(LIST_QUERIES))
def test_list_authorization(world, query):
    q = query.format(bk_assigned=world.users["bk_assigned"]["id"])
    alpha_clients = _alpha_client_ids(world)
    fails = []
    for caller in CALLERS:
        expected = LIST_QUERIES[query][caller]
        r = world.api.call("GET", "/v1/clients?" + q, world.tokens[caller])
        try:
            _check(r, expected, "GET /v1/clients?%s as %s" % (q, caller))
        except AssertionError as err:
            fails.append(str(err))
            continue
        if r.status_code != 200:
            continue
        got = {c["id"] for c in r.json()["data"]}
        if caller == "other_admin" and got & alpha_clients:
            fails.append("beta's admin sees alpha's clients %s in %s"
                         % (sorted(got & alpha_clients), q))
        if caller == "bk_unassigned" and got:
            fails.append("a bookkeeper assigned to nothing sees %s in %s"
                         % (sorted(got), q))
    assert not fails, "\n".join(fails)


def _alpha_client_ids(w):
    ids = set()
    for tab in ("invitations", "onboarding", "all"):
        cursor = None
        while True:
            params = {"tab": tab, "limit": 200}
            if cursor:
                params["cursor"] = cursor
            doc = w.api.ok("GET", "/v1/clients", w.tokens["admin"],
                           params=params)
            ids |= {c["id"] for c in doc["data"]}
            cursor = doc["next_cursor"]
            if not cursor:
                break
    assert ids
    return ids


def test_tokens_of_a_deactivated_caller_stop_at_once(world):
    """Not a column of the table, but the same gate: a user deactivated
    after their token was issued is refused on the next request."""
    u = world.new_user("leaver", world.alpha, "bookkeeper")
    cid = _fresh(world, "active", "leaver")
    path = "/v1/clients/%d" % cid
    assert world.api.call("GET", path, u["token"]).status_code == 200
    world.api.ok("PATCH", "/v1/users/%d" % u["id"], world.tokens["admin"],
                 json={"active": False})
    assert_problem(world.api.call("GET", path, u["token"]), 401)
    assert_problem(world.api.call("GET", "/v1/me", u["token"]), 401)


def test_server_still_serving(world):
    assert world.api.call("GET", "/healthz").status_code == 200
    assert world.portal.server.proc.poll() is None
