"""Names are single-line text: besides C0 controls and DEL, bidirectional
controls (U+202A-U+202E, U+2066-U+2069) and the line and paragraph
separators (U+2028, U+2029) are refused, with 422 naming the field, in
user names, client names and firm names, on create and on rename, and
nothing changes."""
import json
import tempfile
import uuid

import pytest

from clients_helpers import new_org_number
from conftest import assert_problem, base_env, error_fields, run_cli

FORBIDDEN = [
    ("U+2028 line separator", "\u2028"),
    ("U+2029 paragraph separator", "\u2029"),
    ("U+202A LRE", "\u202a"),
    ("U+202B RLE", "\u202b"),
    ("U+202C PDF", "\u202c"),
    ("U+202D LRO", "\u202d"),
    ("U+202E RLO", "\u202e"),
    ("U+2066 LRI", "\u2066"),
    ("U+2067 RLI", "\u2067"),
    ("U+2068 FSI", "\u2068"),
    ("U+2069 PDI", "\u2069"),
]
CHARS = [c for _, c in FORBIDDEN]
IDS = [k for k, _ in FORBIDDEN]


def spoof(c):
    """A name that reads as another one when c is honoured."""
    return "Faktura%sfdp.exe AB" % c


def _email():
    return "n-%s@alpha.test" % uuid.uuid4().hex[:10]


def _refused(r, field):
    doc = assert_problem(r, 422, "validation-error")
    assert error_fields(doc) == [field], doc


@pytest.fixture(scope="module")
def admin(portal):
    return portal.token("admin")


@pytest.fixture(scope="module")
def victim_user(portal, admin):
    return portal.create_user(admin, name="Nils Namn")


@pytest.fixture(scope="module")
def victim_client(portal, admin):
    r = portal.request("POST", "/v1/clients", admin, json={
        "name": "Namnlös Handel AB", "org_number": new_org_number("SE"),
        "contact_email": "ekonomi@namn.test"})
    assert r.status_code == 201, r.text
    return r.json()


def _onboarding_total(portal, admin):
    r = portal.get("/v1/clients?tab=onboarding", admin)
    assert r.status_code == 200, r.text
    return r.json()["total"]


@pytest.mark.parametrize("c", CHARS, ids=IDS)
def test_a_user_name_with_a_bidi_control_or_separator_is_refused(
        portal, admin, c):
    before = portal.get("/v1/users", admin).json()["data"]
    r = portal.request("POST", "/v1/users", admin, json={
        "email": _email(), "name": spoof(c), "role": "bookkeeper",
        "password": "a-long-password"})
    _refused(r, "name")
    assert portal.get("/v1/users", admin).json()["data"] == before


@pytest.mark.parametrize("c", CHARS, ids=IDS)
def test_renaming_a_user_with_a_bidi_control_or_separator_is_refused(
        portal, admin, victim_user, c):
    path = "/v1/users/%d" % victim_user["id"]
    before = portal.get(path, admin).json()
    r = portal.request("PATCH", path, admin, json={"name": spoof(c)})
    _refused(r, "name")
    assert portal.get(path, admin).json() == before


@pytest.mark.parametrize("c", CHARS, ids=IDS)
def test_a_client_name_with_a_bidi_control_or_separator_is_refused(
        portal, admin, c):
    before = _onboarding_total(portal, admin)
    r = portal.request("POST", "/v1/clients", admin, json={
        "name": spoof(c), "org_number": new_org_number("SE"),
        "contact_email": "ekonomi@namn.test"})
    _refused(r, "name")
    assert _onboarding_total(portal, admin) == before


@pytest.mark.parametrize("c", CHARS, ids=IDS)
def test_renaming_a_client_with_a_bidi_control_or_separator_is_refused(
        portal, admin, victim_client, c):
    path = "/v1/clients/%d" % victim_client["id"]
    before = portal.get(path, admin).json()
    r = portal.request("PATCH", path, admin, json={"name": spoof(c)})
    _refused(r, "name")
    assert portal.get(path, admin).json() == before


def test_names_in_right_to_left_scripts_still_pass(portal, admin,
                                                   victim_client):
    """The rule is about controls, not about scripts."""
    name = "\u05e9\u05dc\u05d5\u05dd Trading \u0645\u0631\u062d\u0628\u0627"
    path = "/v1/clients/%d" % victim_client["id"]
    r = portal.request("PATCH", path, admin, json={"name": name})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == name
    u = portal.create_user(admin, name=name)
    assert u["name"] == name


@pytest.fixture(scope="module")
def cli_env():
    with tempfile.TemporaryDirectory(prefix="portal-names-") as tmpdir:
        env = base_env(tmpdir)
        assert run_cli(env, "migrate").returncode == 0
        yield env


@pytest.mark.parametrize("c", CHARS, ids=IDS)
def test_a_firm_name_with_a_bidi_control_or_separator_is_refused(
        cli_env, c):
    out = run_cli(cli_env, "create-partner", "--name", spoof(c))
    assert out.returncode != 0, out.stdout
    assert out.stdout.strip() == ""
    # Nothing was made: the next firm takes the next id.
    out = run_cli(cli_env, "create-partner", "--name", "Ren Firma AB")
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout)["id"]
    out = run_cli(cli_env, "create-partner", "--name", spoof(c))
    assert out.returncode != 0
    out = run_cli(cli_env, "create-partner", "--name", "Ren Firma AB")
    assert json.loads(out.stdout)["id"] == first + 1
