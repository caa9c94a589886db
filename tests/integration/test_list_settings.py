"""The caller's own digest setting on each row of GET /v1/clients, as
two API processes on one database give it: each keeps a copy of its
viewers' settings, and a change made through the other process (a new
setting, a new frequency, alerts_only, an unsubscribe link, a client
reassigned) is on the next page either answers."""
import tempfile
from pathlib import Path

import pytest
import requests

from clients_helpers import APP_URL, Api, Firm
from conftest import Portal, ServerProcess, free_port, start_portal
from matrix_helpers import unsubscribe_token


@pytest.fixture(scope="module")
def pair():
    """Two portal-api processes on one database: (first, second)."""
    with tempfile.TemporaryDirectory(prefix="portal-settings-") as tmpdir:
        first = start_portal(tmpdir, {"PORTAL_APP_URL": APP_URL})
        env = dict(first.env)
        env["PORTAL_LISTEN"] = "127.0.0.1:%d" % free_port()
        server = ServerProcess(env, Path(tmpdir) / "portal-api-2.log")
        try:
            server.start()
            second = Portal(server, env, tmpdir)
            a, b = Api(first), Api(second)
            try:
                yield a, b
            finally:
                a.close()
                b.close()
        finally:
            server.stop_and_check()
            first.server.stop_and_check()


@pytest.fixture(scope="module")
def world(pair):
    a, _ = pair
    f = Firm(a, "sv")
    w = type("World", (), {})()
    w.firm = f
    w.bk = f.user("bookkeeper", "Siv Inställd")
    w.clients = [f.active("Inställning %d AB" % i, assignees=[w.bk])
                 for i in range(3)]
    return w


def notification(api, user, client_id):
    """The row's notification, from a page of the user's list."""
    doc = api.ok("GET", "/v1/clients", user.token,
                 params={"tab": "mine", "limit": 50})
    rows = {r["id"]: r for r in doc["data"]}
    assert client_id in rows, sorted(rows)
    return rows[client_id]["notification"]


def put(api, user, client_id, body):
    return api.ok("PUT", "/v1/clients/%d/notification-preference" %
                  client_id, user.token, json=body)


def test_a_change_through_one_process_is_on_the_others_next_page(pair,
                                                                  world):
    a, b = pair
    bk = world.bk
    c0, c1, _ = [c["id"] for c in world.clients]
    # Both processes keep the viewer's settings: none yet.
    assert notification(a, bk, c0) is None
    assert notification(b, bk, c0) is None
    made = put(b, bk, c0, {"email": True, "frequency": "daily"})
    assert notification(a, bk, c0) == made
    changed = put(b, bk, c0, {"email": True, "frequency": "monthly"})
    assert changed["frequency"] == "monthly"
    assert notification(a, bk, c0) == changed
    only = put(b, bk, c0, {"email": True, "frequency": "monthly",
                           "alerts_only": True})
    assert notification(a, bk, c0)["alerts_only"] is True
    assert notification(a, bk, c0) == only
    # A second client's setting, and the first's still as it was.
    other = put(a, bk, c1, {"email": True})
    assert notification(b, bk, c1) == other
    assert notification(b, bk, c0) == only
    # Each process answers the same, page after page.
    for api in (a, b, a, b):
        assert notification(api, bk, c0) == only
        assert notification(api, bk, c1) == other


def test_an_unsubscribe_link_is_on_the_next_page(pair, world):
    a, b = pair
    bk = world.bk
    c2 = world.clients[2]["id"]
    put(a, bk, c2, {"email": True, "frequency": "weekly"})
    assert notification(a, bk, c2)["email"] is True
    tok = unsubscribe_token(b.portal, bk, "weekly", client_id=c2)
    r = requests.post(b.base + "/v1/unsubscribe", params={"token": tok},
                      data="List-Unsubscribe=One-Click", timeout=10,
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    row = notification(a, bk, c2)
    assert row["email"] is False
    assert row["next_delivery_at"] is None


def test_a_setting_comes_back_with_its_client(pair, world):
    a, b = pair
    f, bk = world.firm, world.bk
    c0 = world.clients[0]["id"]
    before = notification(a, bk, c0)
    assert before is not None
    # Unassigned, the client leaves the bookkeeper's list; the setting
    # stays, and is on the row again once the client is back.
    b.ok("PUT", "/v1/clients/%d/assignees" % c0, f.admin.token,
         json={"user_ids": []})
    doc = a.ok("GET", "/v1/clients", bk.token,
               params={"tab": "mine", "limit": 50})
    assert c0 not in [r["id"] for r in doc["data"]]
    b.ok("PUT", "/v1/clients/%d/assignees" % c0, f.admin.token,
         json={"user_ids": [bk.id]})
    assert notification(a, bk, c0) == before
