"""What the Clients page needs in one call (issue 16): the caller's digest
settings named by client, and a switch that sends only {"email": true}."""
import pytest

from conftest import assert_problem, error_fields
from clients_helpers import Api, Firm, module_portal

srv = module_portal()


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture
def firm(api):
    return Firm(api, "sv")


def pref_path(c):
    return "/v1/clients/%d/notification-preference" % c["id"]


def test_a_switch_alone_takes_the_default_then_keeps_the_frequency(api,
                                                                    firm):
    bk = firm.user()
    c = firm.active("Växel AB", assignees=[bk])
    got = api.ok("PUT", pref_path(c), bk.token, json={"email": True})
    assert (got["email"], got["frequency"]) == (True, "weekly")
    assert got["next_delivery_at"] is not None
    api.ok("PUT", pref_path(c), bk.token,
           json={"email": True, "frequency": "daily"})
    # Off and on again by the switch: daily it stays.
    got = api.ok("PUT", pref_path(c), bk.token, json={"email": False})
    assert (got["email"], got["frequency"]) == (False, "daily")
    got = api.ok("PUT", pref_path(c), bk.token, json={"email": True})
    assert (got["email"], got["frequency"]) == (True, "daily")
    # email stays required, and a frequency must be one of three.
    r = api.put(pref_path(c), bk.token, json={"frequency": "daily"})
    assert error_fields(assert_problem(r, 422)) == ["email"]
    r = api.put(pref_path(c), bk.token,
                json={"email": True, "frequency": "hourly"})
    assert error_fields(assert_problem(r, 422)) == ["frequency"]


def test_my_settings_name_their_clients(api, firm):
    bk = firm.user()
    a = firm.active("Åkesson Namn AB", assignees=[bk])
    b = firm.active("Bäckström Namn AB", assignees=[bk])
    gone = firm.active("Borta Namn AB", assignees=[bk])
    for c in (a, b, gone):
        api.ok("PUT", pref_path(c), bk.token, json={"email": True})
    # No longer assigned: no longer listed.
    firm.assign(gone["id"], [])
    doc = api.ok("GET", "/v1/me/notification-preferences", bk.token)
    assert [(p["client_id"], p["client_name"]) for p in doc["data"]] == [
        (a["id"], "Åkesson Namn AB"), (b["id"], "Bäckström Namn AB")]
    # A rename shows at once.
    api.ok("PATCH", "/v1/clients/%d" % a["id"], firm.admin.token,
           json={"name": "Åkesson & Söner AB"})
    doc = api.ok("GET", "/v1/me/notification-preferences", bk.token)
    assert doc["data"][0]["client_name"] == "Åkesson & Söner AB"
