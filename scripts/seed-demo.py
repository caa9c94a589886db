#!/usr/bin/env python3
"""Seeds a demo firm through the operator CLI and the running API: an admin,
three bookkeepers, an integration account, and some hundred clients with
Nordic names in every status, with assignees, balances and expenses, so
that every tab, the search, the filter and the sorting show something real.

Usage: seed-demo.py BASE_URL   (PORTAL_DB and the secret in the environment)
"""
import http.client
import json
import os
import random
import subprocess
import sys
import urllib.parse

PASSWORD = "demo-password"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API = os.path.join(ROOT, "bin", "portal-api")

FIRST = ["Åke", "Björn", "Ärla", "Östen", "Sören", "Ægir", "Øystein", "Åsa",
         "Lars", "Karin", "Mette", "Nils", "Freja", "Ingrid", "Jens", "Sigrid"]
LAST = ["Åkesson", "Öberg", "Lindqvist", "Ström", "Ærø", "Østergaard",
        "Björklund", "Nyström", "Sandberg", "Holm", "Dahl", "Engström",
        "Fjäll", "Kjær", "Løvås", "Wikström"]
KIND = ["Bygg AB", "Revision", "Konsult AB", "Handel", "ApS", "AS",
        "Fastigheter AB", "Transport", "Design", "El & VVS AB"]
PLACES = ["Öresund", "Ängelholm", "Ålesund", "Æbeltoft", "Malmö",
          "Göteborg", "Tromsø", "Umeå", "Västerås", "Helsingør"]
MERCHANTS = ["SJ", "Clas Ohlson", "ICA Maxi", "Circle K", "Biltema",
             "Espresso House", "Posten", "Telia", "Jula", "Apoteket"]


def cli(*args):
    env = dict(os.environ, PORTAL_PASSWORD=PASSWORD)
    out = subprocess.run([API, *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["id"]


class Api:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port)
        self.token = None

    def call(self, method, path, body=None, ok=(200, 201, 202, 204)):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read()
        if resp.status not in ok:
            raise SystemExit(f"{method} {path}: {resp.status} {text[:300]!r}")
        return json.loads(text) if text else None

    def login(self, email):
        self.token = None
        self.token = self.call("POST", "/v1/auth/token", {
            "email": email, "password": PASSWORD})["access_token"]


def client_name(rng, used):
    while True:
        shape = rng.random()
        if shape < 0.4:
            name = f"{rng.choice(LAST)} {rng.choice(KIND)}"
        elif shape < 0.7:
            name = f"{rng.choice(PLACES)} {rng.choice(KIND)}"
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(KIND)}"
        if name not in used:
            used.add(name)
            return name


# The country whose organisation numbers a firm's clients have, by the
# firm's locale (the API checks a client's number by it).
COUNTRY_OF_LOCALE = {"sv": "SE", "da": "DK", "nb": "NO", "en": "GB"}


def luhn_digit(digits):
    """The check digit that makes digits and it pass the Luhn check
    (weights 2, 1, 2, ... from the first digit, digit sums of products)."""
    total = 0
    for k, ch in enumerate(digits):
        d = int(ch) * (2 if k % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


def mod11_digit(digits, weights):
    """The modulus 11 check digit of digits by weights, None when it would
    be 10: for a Danish CVR number the digit that makes the weighted sum
    with it (weight 1) divisible by 11, for a Norwegian number 11 minus the
    sum's remainder (11 being 0); both are -sum mod 11."""
    check = -sum(int(c) * w for c, w in zip(digits, weights)) % 11
    return None if check == 10 else str(check)


def org_number(rng, used, locale):
    """A valid organisation number of the firm's country, in its normal form
    (digits only, as the API answers it), new to the firm (used)."""
    country = COUNTRY_OF_LOCALE[locale]
    while True:
        if country == "SE":         # 10 digits, the last a Luhn digit
            body = f"55{rng.randrange(6, 10)}{rng.randrange(10**6):06d}"
            org = body + luhn_digit(body)
        elif country == "DK":       # CVR: 8 digits, not from 0, modulus 11
            body = f"{rng.randrange(10**6, 10**7)}"
            check = mod11_digit(body, (2, 7, 6, 5, 4, 3, 2))
            org = check and body + check
        elif country == "NO":       # 9 digits from 8 or 9, modulus 11
            body = f"9{rng.randrange(10**7):07d}"
            check = mod11_digit(body, (3, 2, 7, 6, 5, 4, 3, 2))
            org = check and body + check
        else:                       # GB: 8 digits
            org = f"{rng.randrange(10**7):08d}"
        if org and org not in used:
            used.add(org)
            return org


def main():
    base = sys.argv[1]
    rng = random.Random(7)
    locale = "sv"
    partner = cli("create-partner", "--name", "Nordisk Redovisning AB",
                  "--locale", locale, "--timezone", "Europe/Stockholm")
    cli("create-user", "--partner", str(partner), "--email",
        "anna.admin@demo.test", "--name", "Anna Admin", "--role", "admin")
    admin = Api(base)
    admin.login("anna.admin@demo.test")
    people = [
        ("bo.bokforare@demo.test", "Bo Bokförare", "bookkeeper"),
        ("karin.kassor@demo.test", "Karin Kassör", "bookkeeper"),
        ("nils.nordstrom@demo.test", "Nils Nordström", "bookkeeper"),
        ("spend-platform@demo.test", "Spend platform", "integration"),
    ]
    ids = {}
    for email, name, role in people:
        ids[email] = admin.call("POST", "/v1/users", {
            "email": email, "name": name, "role": role,
            "password": PASSWORD})["id"]
    bookkeepers = [ids[e] for e, _, r in people if r == "bookkeeper"]
    integ = Api(base)
    integ.login("spend-platform@demo.test")

    used = set()
    orgs = set()
    clients = []
    for i in range(120):
        name = client_name(rng, used)
        org = org_number(rng, orgs, locale)
        if i < 8:
            c = integ.call("POST", "/v1/clients", {
                "name": name, "org_number": org, "status": "invitation"})
            if i >= 6:
                admin.call("POST", f"/v1/clients/{c['id']}/decline")
            continue
        c = admin.call("POST", "/v1/clients", {
            "name": name, "org_number": org,
            "contact_email": f"ekonomi{i}@example.se"})
        if i < 18:
            status = "onboarding"
        elif i < 20:
            status = "rejected"
            integ.call("POST", f"/v1/clients/{c['id']}/verification",
                       {"result": "rejected"})
        else:
            status = "active"
            integ.call("POST", f"/v1/clients/{c['id']}/verification",
                       {"result": "approved"})
        if status in ("onboarding", "active"):
            who = rng.sample(bookkeepers, rng.choice([1, 1, 2]))
            admin.call("PUT", f"/v1/clients/{c['id']}/assignees",
                       {"user_ids": who})
        if status == "active":
            clients.append(c["id"])

    for cid in clients:
        integ.call("PUT", f"/v1/clients/{cid}/balance", {
            "amount_minor": rng.randrange(-500000, 5000000),
            "currency": "SEK"})
        expenses = []
        for n in range(rng.randrange(0, 40)):
            expenses.append({
                "external_id": f"card-{cid}-{n}",
                "amount_minor": rng.randrange(1000, 250000),
                "currency": "SEK",
                "spent_at": f"2026-{rng.randrange(1, 12):02d}-"
                            f"{rng.randrange(1, 28):02d}T12:00:00Z",
                "merchant": rng.choice(MERCHANTS),
                "receipt_status": rng.choices(
                    ["missing", "attached", "not_required"], [2, 6, 1])[0],
                "export_status": rng.choices(
                    ["pending", "ready", "exported"], [3, 2, 5])[0],
            })
        if expenses:
            integ.call("POST", f"/v1/clients/{cid}/expenses",
                       {"expenses": expenses})
    # Digests: each bookkeeper follows their clients weekly, Bo daily.
    for email, _, role in people:
        if role != "bookkeeper":
            continue
        api = Api(base)
        api.login(email)
        mine = api.call("GET", "/v1/clients?tab=mine&limit=200")["data"]
        freq = "daily" if email.startswith("bo.") else "weekly"
        for row in mine[:15]:
            api.call("PUT", f"/v1/clients/{row['id']}/notification-preference",
                     {"email": True, "frequency": freq})
    # One "notify accountants" reminder, as an admin would send it.
    chase = admin.call(
        "GET", "/v1/clients?tab=all&sort=-missing_receipts&limit=1")["data"]
    if chase:
        admin.call("POST", f"/v1/clients/{chase[0]['id']}/notify-accountants",
                   {"tasks": ["missing_receipts", "export_ready"],
                    "comment": "Kan ni jaga kvittona innan månadsskiftet?"})
    print(f"seeded firm {partner}: {len(people) + 1} users, "
          f"{len(used)} clients ({len(clients)} active)")


if __name__ == "__main__":
    main()
