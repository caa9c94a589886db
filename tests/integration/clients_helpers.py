"""Helpers of the Clients page suites (test_clients.py, test_client_list.py,
test_expenses.py, test_access.py).

Each of those modules runs its own server (`module_portal`), and each test
makes the firms it needs through the operator CLI (`Firm`), so that counts
and lists start from nothing and no suite sees another's rows. Users are
made with the CLI too and their tokens are minted with the server's
secret, which keeps the slow password hash out of all but a few calls.
All HTTP goes through one keep-alive `requests.Session` (`Api`).
"""
import itertools
import json
import tempfile
import uuid

import pytest
import requests

from conftest import (HTTP_TIMEOUT, b64url_decode, cli_id, mint_jwt,
                      start_portal, std_claims)

APP_URL = "https://app.portal.test"

# What every answer about a client carries (the stored row, list_json).
STORED_KEYS = {"id", "name", "org_number", "status", "balance",
               "missing_receipts", "export_ready", "assignees", "alerts",
               "invited_at", "onboarding_since"}
# The caller's own: their digest setting and what they may do.
VIEWER_KEYS = {"notification", "actions"}
# A list row: the stored row and what the list adds to it.
ROW_KEYS = STORED_KEYS | {"balance_display"} | VIEWER_KEYS
DETAIL_KEYS = STORED_KEYS | {"contact_email", "created_at", "notification"}
ASSIGNEE_KEYS = {"id", "name", "role"}
EXPENSE_KEYS = {"id", "client_id", "external_id", "amount_minor", "currency",
                "spent_at", "merchant", "receipt_status", "export_status",
                "created_at", "updated_at"}

_seq = itertools.count(1)

# --------------------------------------------------------------------------
# Organisation numbers
#
# The API checks a client's org_number by its country, which defaults from
# the firm's locale, and keeps it in a normal form (no spaces or dashes,
# letters upper-cased); a firm has each number once among its clients that
# are not declined. The numbers made here are valid, already in normal
# form (so the API answers what was sent) and, drawn from _seq, unique.

COUNTRY_OF_LOCALE = {"sv": "SE", "da": "DK", "nb": "NO", "en": "GB"}


def luhn_digit(digits):
    """The check digit that makes a Swedish number of the 9 digits and it
    pass the Luhn check (weights 2, 1, 2, ... from the first digit, the
    digit sums of the products)."""
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


def _mod11(digits, weights):
    return sum(int(c) * w for c, w in zip(digits, weights)) % 11


def se_org_number(body9):
    """A Swedish organisation number: 9 digits and their Luhn digit."""
    assert len(body9) == 9 and body9.isdigit(), body9
    return body9 + luhn_digit(body9)


def dk_org_number(body7):
    """A Danish CVR number: 7 digits (the first not 0) and the digit that
    makes the weighted sum (2, 7, 6, 5, 4, 3, 2, 1) divisible by 11, or
    None when that digit would be 10."""
    assert len(body7) == 7 and body7.isdigit() and body7[0] != "0", body7
    check = -_mod11(body7, (2, 7, 6, 5, 4, 3, 2)) % 11
    return None if check == 10 else body7 + str(check)


def no_org_number(body8):
    """A Norwegian organisation number: 8 digits starting with 8 or 9 and
    their modulus 11 digit (weights 3, 2, 7, 6, 5, 4, 3, 2), or None when
    that digit would be 10."""
    assert len(body8) == 8 and body8.isdigit() and body8[0] in "89", body8
    check = 11 - _mod11(body8, (3, 2, 7, 6, 5, 4, 3, 2))
    if check == 11:
        check = 0
    return None if check == 10 else body8 + str(check)


def org_number(country, n):
    """The valid organisation number of country (SE, DK, NO, GB) made from
    n (0 <= n < 1,000,000), or None when n gives none (a DK or NO check
    digit of 10). Distinct n give distinct numbers."""
    assert 0 <= n < 10 ** 6, n
    if country == "SE":
        return se_org_number("556%06d" % n)
    if country == "DK":
        return dk_org_number("3%06d" % n)
    if country == "NO":
        return no_org_number("91%06d" % n)
    if country == "GB":
        return "07%06d" % n
    raise ValueError("no organisation numbers of %r" % (country,))


def org_numbers(country, count, start=0):
    """count valid numbers of country, made from n = start, start + 1, ...
    (skipping an n that gives none): the same ones on every call, for data
    that must not depend on what ran before."""
    out = []
    n = start
    while len(out) < count:
        org = org_number(country, n)
        if org is not None:
            out.append(org)
        n += 1
    return out


def new_org_number(country="SE"):
    """A valid organisation number of country not made before in this
    process (drawn from _seq; an n without a check digit is skipped)."""
    while True:
        org = org_number(country, next(_seq))
        if org is not None:
            return org


def org_number_of_locale(locale):
    """new_org_number() for a firm of locale (sv, da, nb, en)."""
    return new_org_number(COUNTRY_OF_LOCALE[locale])


def module_portal(extra_env=None):
    """A module-scoped fixture: a server of the module's own, on a fresh
    database, with PORTAL_APP_URL set to APP_URL."""
    env = {"PORTAL_APP_URL": APP_URL}
    env.update(extra_env or {})

    @pytest.fixture(scope="module")
    def fixture():
        with tempfile.TemporaryDirectory(prefix="portal-clients-") as tmpdir:
            p = start_portal(tmpdir, env)
            try:
                yield p
            finally:
                p.server.stop_and_check()
    return fixture


class Api:
    """HTTP on one keep-alive session; every call takes the token."""

    def __init__(self, portal):
        self.portal = portal
        self.base = portal.base_url
        self.s = requests.Session()

    def call(self, method, path, token=None, json=None, params=None,
             headers=None, data=None):
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if headers:
            h.update(headers)
        return self.s.request(method, self.base + path, json=json,
                              params=params, headers=h, data=data,
                              timeout=HTTP_TIMEOUT, allow_redirects=False)

    def get(self, path, token, **kw):
        return self.call("GET", path, token, **kw)

    def post(self, path, token, json=None, **kw):
        return self.call("POST", path, token, json=json, **kw)

    def put(self, path, token, json=None, **kw):
        return self.call("PUT", path, token, json=json, **kw)

    def patch(self, path, token, json=None, **kw):
        return self.call("PATCH", path, token, json=json, **kw)

    def delete(self, path, token, **kw):
        return self.call("DELETE", path, token, **kw)

    def ok(self, method, path, token, status=200, **kw):
        """The JSON of a call that must answer status."""
        r = self.call(method, path, token, **kw)
        assert r.status_code == status, "%s %s: expected %s, got %s: %s" % (
            method, path, status, r.status_code, r.text[:1000])
        return r.json() if r.content else None

    def close(self):
        self.s.close()


class User(dict):
    @property
    def id(self):
        return self["id"]

    @property
    def token(self):
        return self["token"]


def mint_for(portal, uid, partner_id, role, ttl=3600):
    return mint_jwt(portal.secret, std_claims(uid, partner_id, role,
                                              ttl=ttl))


class Firm:
    """A partner made through the CLI, with an admin and an integration,
    and helpers that make its clients through the API."""

    def __init__(self, api, locale="sv", name=None):
        self.api = api
        self.portal = api.portal
        self.locale = locale
        self.tag = uuid.uuid4().hex[:8]
        self.id = cli_id(self.portal.env, "create-partner", "--name",
                         name or "Firm %s" % self.tag, "--locale", locale)
        self.admin = self.user("admin", "Admin %s" % self.tag)
        self.integration = self.user("integration", "Spend %s" % self.tag)

    def user(self, role="bookkeeper", name=None):
        n = next(_seq)
        email = "%s-%d-%s@firm.test" % (role, n, self.tag)
        name = name or "%s %d" % (role.capitalize(), n)
        password = "pw-%s-%d" % (self.tag, n)
        uid = cli_id(self.portal.env, "create-user", "--partner",
                     str(self.id), "--email", email, "--name", name,
                     "--role", role, password=password)
        return User(id=uid, name=name, email=email, role=role,
                    password=password, partner_id=self.id,
                    token=mint_for(self.portal, uid, self.id, role))

    # -- clients -------------------------------------------------------------
    @property
    def country(self):
        return COUNTRY_OF_LOCALE[self.locale]

    def org(self):
        """A valid organisation number, new to this firm, for its
        locale's country."""
        return new_org_number(self.country)

    def invitation(self, name, org=None):
        return self.api.ok("POST", "/v1/clients", self.integration.token,
                           status=201, json={
                               "name": name, "org_number": org or self.org(),
                               "status": "invitation"})

    def onboarding(self, name, org=None, email=None, assignees=()):
        c = self.api.ok("POST", "/v1/clients", self.admin.token, status=201,
                        json={"name": name, "org_number": org or self.org(),
                              "contact_email": email or "kontakt@%s.test"
                              % self.tag})
        if assignees:
            self.assign(c["id"], assignees)
        return c

    def active(self, name, org=None, assignees=()):
        c = self.invitation(name, org)
        c = self.api.ok("POST", "/v1/clients/%d/accept" % c["id"],
                        self.admin.token)
        assert c["status"] == "active", c
        if assignees:
            self.assign(c["id"], assignees)
        return c

    def assign(self, client_id, users):
        ids = [u["id"] if isinstance(u, dict) else u for u in users]
        return self.api.ok("PUT", "/v1/clients/%d/assignees" % client_id,
                           self.admin.token, json={"user_ids": ids})

    def expenses(self, client_id, states, prefix=None, token=None):
        """Upserts expenses [(receipt_status, export_status), ...] in one
        batch; external ids are prefix-0, prefix-1, ..."""
        prefix = prefix or "e%d" % next(_seq)
        items = [expense(prefix + "-%d" % i, receipt_status=rs,
                         export_status=es)
                 for i, (rs, es) in enumerate(states)]
        return self.api.ok("POST", "/v1/clients/%d/expenses" % client_id,
                           token or self.integration.token, json={
                               "expenses": items})

    def missing(self, client_id, n):
        """Gives the client n more expenses with a missing receipt."""
        if n:
            self.expenses(client_id, [("missing", "pending")] * n)

    def client(self, client_id, token=None):
        return self.api.ok("GET", "/v1/clients/%d" % client_id,
                           token or self.admin.token)


def expense(external_id, **over):
    e = {"external_id": external_id, "amount_minor": 12550,
         "currency": "SEK", "spent_at": "2026-03-02T10:15:00Z",
         "merchant": "Pressbyrån Centralen", "receipt_status": "missing",
         "export_status": "pending"}
    e.update(over)
    return e


# --------------------------------------------------------------------------
# The list

# A search counts its matches up to this many (openapi.yaml, ClientPage).
SEARCH_COUNT_MAX = 200

def firm_view(doc):
    """A list page without what is the caller's own, to compare what
    two callers see of the same clients."""
    return dict(doc, data=[{k: v for k, v in row.items()
                            if k not in VIEWER_KEYS} for row in doc["data"]])


def list_page(api, token, **params):
    r = api.get("/v1/clients", token, params=params)
    assert r.status_code == 200, (params, r.status_code, r.text[:1000])
    doc = r.json()
    assert set(doc) == {"data", "total", "total_at_least", "next_cursor"}, doc
    # Only a search's count stops, and only at 1,000.
    if doc["total_at_least"]:
        assert params.get("q") and doc["total"] == SEARCH_COUNT_MAX, doc
    return doc


def walk(api, token, limit=200, max_pages=500, between=None, **params):
    """Every row of a list, page by page. Checks each page's size and that
    total stays the same unless `between(page_no, doc)` changes data;
    returns (rows, pages, total of the first page)."""
    rows, pages, cursor, total = [], 0, None, None
    while True:
        p = dict(params, limit=limit)
        if cursor is not None:
            p["cursor"] = cursor
        doc = list_page(api, token, **p)
        pages += 1
        assert len(doc["data"]) <= limit, doc
        if total is None:
            total = doc["total"]
        elif between is None:
            assert doc["total"] == total, (params, doc["total"], total)
        rows.extend(doc["data"])
        cursor = doc["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor, doc
        assert doc["data"], "a next_cursor after an empty page"
        assert len(doc["data"]) == limit, "a short page with a next_cursor"
        assert pages < max_pages, "paging does not end"
        if between is not None:
            between(pages, doc)
    return rows, pages, total


def ids(rows):
    return [r["id"] for r in rows]


def names(rows):
    return [r["name"] for r in rows]


def jwt_claims(token):
    parts = token.split(".")
    assert len(parts) == 3, token
    return json.loads(b64url_decode(parts[1]))
