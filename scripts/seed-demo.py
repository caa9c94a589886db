#!/usr/bin/env python3
"""Seeds a demo firm through the operator CLI and the running API.

Usage: seed-demo.py BASE_URL   (PORTAL_DB and the secret in the environment)
"""
import json
import os
import subprocess
import sys
import urllib.request

PASSWORD = "demo-password"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API = os.path.join(ROOT, "bin", "portal-api")


def cli(*args):
    env = dict(os.environ, PORTAL_PASSWORD=PASSWORD)
    out = subprocess.run([API, *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["id"]


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as resp:
        text = resp.read()
        return json.loads(text) if text else None


def main():
    base = sys.argv[1]
    partner = cli("create-partner", "--name", "Nordisk Redovisning AB",
                  "--locale", "sv", "--timezone", "Europe/Stockholm")
    cli("create-user", "--partner", str(partner), "--email",
        "anna.admin@demo.test", "--name", "Anna Admin", "--role", "admin")
    token = call(base, "POST", "/v1/auth/token", body={
        "email": "anna.admin@demo.test", "password": PASSWORD})["access_token"]
    users = [
        ("bo.bokforare@demo.test", "Bo Bokförare", "bookkeeper"),
        ("karin.kassor@demo.test", "Karin Kassör", "bookkeeper"),
        ("nils.nordstrom@demo.test", "Nils Nordström", "bookkeeper"),
        ("spend-platform@demo.test", "Spend platform", "integration"),
    ]
    for email, name, role in users:
        call(base, "POST", "/v1/users", token, {
            "email": email, "name": name, "role": role,
            "password": PASSWORD})
    print(f"seeded firm {partner} with {len(users) + 1} users")


if __name__ == "__main__":
    main()
