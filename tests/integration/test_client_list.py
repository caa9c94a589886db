"""GET /v1/clients and GET /v1/clients/tabs: tabs per role, search in
every alphabet, the firm's collation, sorting by missing receipts, totals
and cursors that hold while rows are added and renamed (issue 3)."""
import collections

import pytest

from conftest import assert_problem, error_fields
from clients_helpers import (ASSIGNEE_KEYS, ROW_KEYS, Api, Firm, firm_view,
                             ids, list_page, module_portal, names, walk)

srv = module_portal()

try:                                    # only to cross-check the tables
    import icu                          # noqa: F401
except ImportError:                     # pragma: no cover
    icu = None


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


def bad_param(r, field):
    doc = assert_problem(r, 400)
    assert field in error_fields(doc), doc
    return doc


# --------------------------------------------------------------------------
# Tabs and roles

class World:
    """One firm with clients in every status and two bookkeepers."""

    def __init__(self, api):
        f = self.firm = Firm(api, "sv")
        self.b1 = f.user("bookkeeper", "Berit Ek")
        self.b2 = f.user("bookkeeper", "Bengt Al")
        self.active_b1 = [f.active("Aktiv B1 %d" % i, assignees=[self.b1])
                          for i in range(3)]
        self.active_b2 = [f.active("Aktiv B2", assignees=[self.b2])]
        self.active_both = [f.active("Aktiv Båda",
                                     assignees=[self.b1, self.b2])]
        self.active_admin = [f.active("Aktiv Admin",
                                      assignees=[f.admin])]
        self.active_none = [f.active("Aktiv Ingen %d" % i)
                            for i in range(2)]
        self.invitations = [f.invitation("Inbjudan %d" % i)
                            for i in range(2)]
        self.onboarding_b1 = [f.onboarding("Onboarding B1",
                                           assignees=[self.b1])]
        self.onboarding_none = [f.onboarding("Onboarding Ingen")]
        d = f.invitation("Avböjd Inbjudan")
        api.ok("POST", "/v1/clients/%d/decline" % d["id"], f.admin.token)
        f.assign(d["id"], [self.b1])
        r = f.onboarding("Avvisad", assignees=[self.b1])
        api.ok("POST", "/v1/clients/%d/verification" % r["id"],
               f.integration.token, json={"result": "rejected"})

    def all_active(self):
        return (self.active_b1 + self.active_b2 + self.active_both +
                self.active_admin + self.active_none)


@pytest.fixture(scope="module")
def world(api):
    return World(api)


def idset(rows):
    return sorted(r["id"] for r in rows)


def test_tabs_per_role(api, world):
    w = world
    adm, b1, b2 = w.firm.admin.token, w.b1.token, w.b2.token
    expect = {
        (adm, "invitations"): w.invitations,
        (adm, "onboarding"): w.onboarding_b1 + w.onboarding_none,
        (adm, "mine"): w.active_admin,
        (adm, "all"): w.all_active(),
        (b1, "onboarding"): w.onboarding_b1,
        (b1, "mine"): w.active_b1 + w.active_both,
        (b2, "onboarding"): [],
        (b2, "mine"): w.active_b2 + w.active_both,
    }
    for (tok, tab), want in expect.items():
        doc = list_page(api, tok, tab=tab, limit=200)
        assert idset(doc["data"]) == idset(want), tab
        assert doc["total"] == len(want), tab
        assert doc["next_cursor"] is None
        statuses = {"invitations": "invitation", "onboarding": "onboarding",
                    "mine": "active", "all": "active"}
        assert {r["status"] for r in doc["data"]} <= {statuses[tab]}


def test_default_tab_is_mine(api, world):
    for tok in (world.firm.admin.token, world.b1.token):
        assert list_page(api, tok) == list_page(api, tok, tab="mine")
    assert idset(list_page(api, world.b1.token)["data"]) == idset(
        world.active_b1 + world.active_both)


def test_bookkeeper_forbidden_tabs_and_assignee(api, world):
    for tab in ("invitations", "all"):
        assert_problem(api.get("/v1/clients", world.b1.token,
                               params={"tab": tab}), 403)
    for uid in (world.b1.id, world.b2.id):
        for tab in ("mine", "onboarding"):
            assert_problem(api.get("/v1/clients", world.b1.token, params={
                "tab": tab, "assignee": uid}), 403)


def test_integration_lists_every_tab_but_mine(api, world):
    tok, adm = world.firm.integration.token, world.firm.admin.token
    for tab in ("invitations", "onboarding", "all"):
        assert firm_view(list_page(api, tok, tab=tab)) == firm_view(
            list_page(api, adm, tab=tab))
    assert_problem(api.get("/v1/clients", tok, params={"tab": "mine"}), 403)
    assert list_page(api, tok) == list_page(api, tok, tab="all")
    tabs = api.ok("GET", "/v1/clients/tabs", tok)["tabs"]
    assert "mine" not in [t["tab"] for t in tabs]
    admin_tabs = api.ok("GET", "/v1/clients/tabs", adm)["tabs"]
    assert tabs == [t for t in admin_tabs if t["tab"] != "mine"]


def test_assignee_filter(api, world):
    w, adm = world, world.firm.admin.token
    doc = list_page(api, adm, tab="all", assignee=w.b1.id)
    assert idset(doc["data"]) == idset(w.active_b1 + w.active_both)
    assert doc["total"] == 4
    doc = list_page(api, adm, tab="onboarding", assignee=w.b1.id)
    assert idset(doc["data"]) == idset(w.onboarding_b1)
    doc = list_page(api, adm, tab="mine", assignee=w.b2.id)
    assert idset(doc["data"]) == idset(w.active_b2 + w.active_both)
    # Someone with no clients here, or of no firm here: nothing.
    stranger = Firm(api, "sv").user("bookkeeper")
    for uid in (stranger.id, 99999999):
        doc = list_page(api, adm, tab="all", assignee=uid)
        assert doc["data"] == [] and doc["total"] == 0
    for bad in ("abc", "0", "-3", "1.5", ""):
        bad_param(api.get("/v1/clients", adm, params={
            "tab": "all", "assignee": bad}), "assignee")


def test_row_shape(api, world):
    w = world
    c = w.active_both[0]
    w.firm.expenses(c["id"], [("missing", "ready"), ("missing", "pending"),
                              ("attached", "ready"), ("attached", "pending")])
    api.ok("PUT", "/v1/clients/%d/balance" % c["id"], w.firm.admin.token,
           json={"amount_minor": 4711, "currency": "NOK"})
    rows = list_page(api, w.firm.admin.token, tab="all", q="Aktiv Båda")[
        "data"]
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == ROW_KEYS, row
    assert row["id"] == c["id"]
    assert row["name"] == "Aktiv Båda"
    assert row["org_number"] == c["org_number"]
    assert row["status"] == "active"
    assert row["balance"] == {"amount_minor": 4711, "currency": "NOK"}
    assert row["missing_receipts"] == 2
    assert row["export_ready"] == 2
    # Assignees by name: "Bengt Al" before "Berit Ek".
    assert row["assignees"] == [
        {"id": w.b2.id, "name": "Bengt Al", "role": "bookkeeper"},
        {"id": w.b1.id, "name": "Berit Ek", "role": "bookkeeper"}]
    for r in list_page(api, w.firm.admin.token, tab="all", limit=200)[
            "data"]:
        assert set(r) == ROW_KEYS, r
        assert isinstance(r["id"], int)
        assert isinstance(r["missing_receipts"], int)
        assert isinstance(r["export_ready"], int)
        for a in r["assignees"]:
            assert set(a) == ASSIGNEE_KEYS, a


@pytest.mark.parametrize("limit", ["0", "201", "abc", "-1", "", "1.5",
                                   "1e2", " 5", "99999999999999999999"])
def test_limit_out_of_bounds(api, world, limit):
    bad_param(api.get("/v1/clients", world.firm.admin.token, params={
        "tab": "all", "limit": limit}), "limit")


def test_limit_bounds_that_work(api, world):
    tok = world.firm.admin.token
    doc = list_page(api, tok, tab="all", limit=1)
    assert len(doc["data"]) == 1 and doc["next_cursor"]
    doc = list_page(api, tok, tab="all", limit=200)
    assert len(doc["data"]) == doc["total"] == 8
    # The default is 50.
    assert len(list_page(api, tok, tab="all")["data"]) == 8


@pytest.mark.parametrize("param,value", [
    ("sort", "size"), ("sort", "Name"), ("sort", "--name"), ("sort", ""),
    ("sort", "missing"), ("tab", "foo"), ("tab", "All"), ("tab", ""),
    ("missing_receipts", "yes"), ("missing_receipts", "1"),
])
def test_bad_sort_tab_filter(api, world, param, value):
    bad_param(api.get("/v1/clients", world.firm.admin.token, params={
        param: value}), param)


def test_repeated_parameter_is_refused(api, world):
    r = api.get("/v1/clients?tab=all&tab=mine", world.firm.admin.token)
    assert_problem(r, 400)
    r = api.get("/v1/clients?tab=all&sort=name&sort=-name",
                world.firm.admin.token)
    assert_problem(r, 400)


def test_tabs_endpoint_follows_transitions_and_assignments(api):
    f = Firm(api, "sv")
    bk = f.user("bookkeeper")
    adm = f.admin.token

    def tabs(tok):
        r = api.get("/v1/clients/tabs", tok)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert set(doc) == {"tabs"}, doc
        for t in doc["tabs"]:
            assert set(t) == {"tab", "count", "attention"}, t
        return [(t["tab"], t["count"]) for t in doc["tabs"]]

    assert tabs(adm) == [("mine", 0), ("all", 0)]
    assert tabs(bk.token) == [("mine", 0)]

    inv1 = f.invitation("Flik Ett")
    inv2 = f.invitation("Flik Två")
    assert tabs(adm) == [("invitations", 2), ("mine", 0), ("all", 0)]
    onb = f.onboarding("Flik Tre")
    assert tabs(adm) == [("invitations", 2), ("onboarding", 1), ("mine", 0),
                         ("all", 0)]
    assert tabs(bk.token) == [("mine", 0)]
    f.assign(onb["id"], [bk])
    assert tabs(bk.token) == [("onboarding", 1), ("mine", 0)]

    api.ok("POST", "/v1/clients/%d/accept" % inv1["id"], adm)
    assert tabs(adm) == [("invitations", 1), ("onboarding", 1), ("mine", 0),
                         ("all", 1)]
    api.ok("POST", "/v1/clients/%d/decline" % inv2["id"], adm)
    assert tabs(adm) == [("onboarding", 1), ("mine", 0), ("all", 1)]

    api.ok("POST", "/v1/clients/%d/verification" % onb["id"],
           f.integration.token, json={"result": "approved"})
    assert tabs(adm) == [("mine", 0), ("all", 2)]
    assert tabs(bk.token) == [("mine", 1)]

    f.assign(inv1["id"], [bk, f.admin])
    assert tabs(adm) == [("mine", 1), ("all", 2)]
    assert tabs(bk.token) == [("mine", 2)]
    # Missing receipts do not change tab counts.
    f.missing(inv1["id"], 2)
    assert tabs(bk.token) == [("mine", 2)]
    api.ok("DELETE", "/v1/clients/%d/assignees/%d" % (inv1["id"], bk.id),
           adm, status=204)
    assert tabs(bk.token) == [("mine", 1)]
    assert tabs(adm) == [("mine", 1), ("all", 2)]

    # Each count is the total of its tab.
    for tok in (adm, bk.token):
        for tab, count in tabs(tok):
            assert list_page(api, tok, tab=tab)["total"] == count, tab


def test_tabs_of_the_world(api, world):
    def tabs(tok):
        got = api.ok("GET", "/v1/clients/tabs", tok)["tabs"]
        # Each tab's attention is what attention=true lists in it.
        for t in got:
            assert t["attention"] == list_page(
                api, tok, tab=t["tab"], attention="true")["total"], t
        return [{"tab": t["tab"], "count": t["count"]} for t in got]

    assert tabs(world.firm.admin.token) == [
        {"tab": "invitations", "count": 2}, {"tab": "onboarding", "count": 2},
        {"tab": "mine", "count": 1}, {"tab": "all", "count": 8}]
    assert tabs(world.b1.token) == [{"tab": "onboarding", "count": 1},
                                    {"tab": "mine", "count": 4}]
    assert tabs(world.b2.token) == [{"tab": "mine", "count": 2}]


# --------------------------------------------------------------------------
# Search

# Valid Swedish numbers (the firm's country), in normal form: the API
# refuses others and answers the number without its dash.
SEARCH_CLIENTS = [
    ("Åkesson Bygg AB", "5566778899"),
    ("Ljungby Åkeri AB", "5561000018"),
    ("Öresund Revision", "5599001129"),
    ("Ängelholms Fisk AB", "5561000026"),
    ("Bageri Ærø ApS", "5561234567"),
    ("Ørsted Energi", "5568765431"),
    ("Straße Handel GmbH", "5561112227"),
    ("Smörgås & Söner HB", "9697000009"),
    ("50% Rabatt AB", "5561000042"),
    ("Under_score Konsult", "5561000059"),
    ("O'Brien Konsult", "5561000067"),
    ('Citat "Q" AB', "5561000075"),
    ("Sand och Grus AB", "5561000083"),
    ("Åre Skidor AB", "5561000091"),
    ("Back\\slash Data", "5561000109"),
    ("Plus+Minus AB", "5561000117"),
    ("Σίσυφος Ελληνικά", "5561000125"),
    ("Жук и Ко", "5561000133"),
    ("İstanbul Kebab", "5561000141"),
    ("Långt Namn " + "Ålänningarnas Äppelodlare " * 3, "5561000158"),
]


@pytest.fixture(scope="module")
def search_firm(api):
    f = Firm(api, "sv")
    made = [f.active(n, org=o) for n, o in SEARCH_CLIENTS]
    return f, made


def expected_matches(made, q):
    folded = q.casefold()
    return sorted(c["id"] for c in made
                  if folded in (c["name"] + "\n" + c["org_number"])
                  .casefold())


SEARCHES = [
    # Case-insensitive for every letter, not only ASCII.
    ("åke", ["Åkesson Bygg AB", "Ljungby Åkeri AB"]),
    ("ÅKE", ["Åkesson Bygg AB", "Ljungby Åkeri AB"]),
    ("ÖRE", ["Öresund Revision"]),
    ("öre", ["Öresund Revision"]),
    ("ærø", ["Bageri Ærø ApS"]),
    ("ÆRØ", ["Bageri Ærø ApS"]),
    ("STRASSE", ["Straße Handel GmbH"]),
    ("σίσυφος", ["Σίσυφος Ελληνικά"]),
    ("ЖУК", ["Жук и Ко"]),
    ("İSTANBUL", ["İstanbul Kebab"]),
    ("kebab", ["İstanbul Kebab"]),
    # Inside names and organisation numbers.
    ("resund", ["Öresund Revision"]),
    ("ygg ab", ["Åkesson Bygg AB"]),
    ("8899", ["Åkesson Bygg AB"]),
    ("67788", ["Åkesson Bygg AB"]),
    ("12345", ["Bageri Ærø ApS"]),
    ("konsult", ["Under_score Konsult", "O'Brien Konsult"]),
    # Short ones (one or two characters).
    ("å", None), ("Ö", None), ("ø", None), ("Æ", None), ("ß", None),
    ("åk", ["Åkesson Bygg AB", "Ljungby Åkeri AB"]),
    ("AB", None), ("q", None), ("7", None), ("zz", []),
    # Longer ones.
    ("Smörgås & Söner HB", ["Smörgås & Söner HB"]),
    ("ålänningarnas äppelodlare ålänningarnas", None),
    ("Åkesson Bygg AB Extra", []),
    # Characters that mean something to SQL, LIKE or FTS5.
    ("%", ["50% Rabatt AB"]),
    ("50%", ["50% Rabatt AB"]),
    ("%%%", []),
    ("_", ["Under_score Konsult"]),
    ("r_s", ["Under_score Konsult"]),
    ("'", ["O'Brien Konsult"]),
    ("O'Brien", ["O'Brien Konsult"]),
    ("''", []),
    ('"', ['Citat "Q" AB']),
    ('"Q"', ['Citat "Q" AB']),
    ('"q" ab', ['Citat "Q" AB']),
    ('""', []),
    ("\\", ["Back\\slash Data"]),
    ("k\\s", ["Back\\slash Data"]),
    ("+", ["Plus+Minus AB"]),
    ("s+m", ["Plus+Minus AB"]),
    ("and", ["Sand och Grus AB", "Straße Handel GmbH"]),
    ("AND", ["Sand och Grus AB", "Straße Handel GmbH"]),
    ("OR", None),
    ("NEAR", []),
    ("*", []),
    ("ab*", []),
    ("Gru*", []),
    ("^Sand", []),
    ("Sand:", []),
    ("(Sand)", []),
    ("-Grus", []),
    ("'; DROP TABLE clients; --", []),
    ("\" OR 1=1 --", []),
    ("%' OR '1'='1", []),
    ("a' OR 'a'='a", []),
]


@pytest.mark.parametrize("q,want", SEARCHES, ids=[repr(q) for q, _ in
                                                 SEARCHES])
def test_search(api, search_firm, q, want):
    f, made = search_firm
    expect = expected_matches(made, q)
    if want is not None:
        by_name = {c["name"]: c["id"] for c in made}
        assert expect == sorted(by_name[n] for n in want), \
            "the table disagrees with casefold()"
    doc = list_page(api, f.admin.token, tab="all", q=q, limit=200)
    assert idset(doc["data"]) == expect, (q, names(doc["data"]))
    assert doc["total"] == len(expect)


def test_empty_q_is_no_filter(api, search_firm):
    f, made = search_firm
    doc = list_page(api, f.admin.token, tab="all", q="", limit=200)
    assert doc["total"] == len(made)


def test_q_length_limit(api, search_firm):
    f, _ = search_firm
    for q in ("å" * 100, "a" * 100, "\U0001F600" * 100):
        doc = list_page(api, f.admin.token, tab="all", q=q)
        assert doc["data"] == [] and doc["total"] == 0
    for q in ("a" * 101, "å" * 101, "x" * 5000):
        r = api.get("/v1/clients", f.admin.token, params={"tab": "all",
                                                           "q": q})
        assert r.status_code in (400, 414), (len(q), r.status_code)
        if r.status_code == 400:
            assert_problem(r, 400)


def test_search_after_rename(api, search_firm):
    f, made = search_firm
    c = f.active("Före Namnbyte AB", org="5561000992")
    made.append(c)
    doc = list_page(api, f.admin.token, tab="all", q="namnbyte")
    assert idset(doc["data"]) == [c["id"]]
    api.ok("PATCH", "/v1/clients/%d" % c["id"], f.admin.token,
           json={"name": "Efter Bytet AB", "org_number": "5561000984"})
    c.update(name="Efter Bytet AB", org_number="5561000984")
    for q, want in (("namnbyte", []), ("Före", []), ("BYTET", [c["id"]]),
                    ("ter by", [c["id"]]), ("0099", []),
                    ("0098", [c["id"]])):
        doc = list_page(api, f.admin.token, tab="all", q=q)
        assert idset(doc["data"]) == want, q
        assert doc["total"] == len(want), q


def test_search_pages(api, search_firm):
    f, made = search_firm
    for q in ("AB", "a", "konsult", "ab "):
        expect = expected_matches(made, q)
        for limit in (1, 2, 3):
            rows, pages, total = walk(api, f.admin.token, limit=limit,
                                      tab="all", q=q)
            assert sorted(ids(rows)) == expect, (q, limit)
            assert len(set(ids(rows))) == len(rows)
            assert total == len(expect)


def test_search_in_bookkeeper_tab(api, search_firm):
    f, made = search_firm
    bk = f.user("bookkeeper")
    mine = [c for c in made if "AB" in c["name"]][:4]
    for c in mine:
        f.assign(c["id"], [bk])
    doc = list_page(api, bk.token, q="åke")
    assert idset(doc["data"]) == sorted(
        c["id"] for c in mine if "åke" in c["name"].casefold())
    doc = list_page(api, bk.token, q="ab")
    assert idset(doc["data"]) == idset(mine)
    assert doc["total"] == 4


# --------------------------------------------------------------------------
# The firm's collation

LOCALE_NAMES = ["Zorro AB", "Åkesson", "Ärlig", "Öberg", "Alfa", "Æble",
                "Ørsted", "Bertil", "Ödla", "Aaron", "Ängel", "Østergaard",
                "Ådal", "Übel", "Yngve", "Waldemar", "Vera", "Alfa"]

# ICU 76 (CLDR) orders; checked against PyICU when it is installed.
EXPECTED_ORDER = {
    "sv": ["Aaron", "Alfa", "Alfa", "Bertil", "Vera", "Waldemar", "Übel",
           "Yngve", "Zorro AB", "Ådal", "Åkesson", "Æble", "Ängel", "Ärlig",
           "Öberg", "Ödla", "Ørsted", "Østergaard"],
    "da": ["Alfa", "Alfa", "Bertil", "Vera", "Waldemar", "Übel", "Yngve",
           "Zorro AB", "Æble", "Ängel", "Ärlig", "Öberg", "Ödla", "Ørsted",
           "Østergaard", "Ådal", "Åkesson", "Aaron"],
    "nb": ["Alfa", "Alfa", "Bertil", "Vera", "Waldemar", "Übel", "Yngve",
           "Zorro AB", "Æble", "Ängel", "Ärlig", "Öberg", "Ödla", "Ørsted",
           "Østergaard", "Ådal", "Åkesson", "Aaron"],
    "en": ["Aaron", "Ådal", "Æble", "Åkesson", "Alfa", "Alfa", "Ängel",
           "Ärlig", "Bertil", "Öberg", "Ödla", "Ørsted", "Østergaard", "Übel",
           "Vera", "Waldemar", "Yngve", "Zorro AB"],
}


def test_expected_orders_agree_with_icu():
    if icu is None:
        pytest.skip("PyICU is not installed (python3-icu)")
    for loc, want in EXPECTED_ORDER.items():
        coll = icu.Collator.createInstance(icu.Locale(loc))
        assert sorted(LOCALE_NAMES, key=coll.getSortKey) == want, loc


@pytest.mark.parametrize("locale", ["sv", "da", "nb", "en"])
def test_sort_by_name_in_the_firms_language(api, locale):
    f = Firm(api, locale)
    made = [f.active(n) for n in LOCALE_NAMES]
    alfa_ids = [c["id"] for c in made if c["name"] == "Alfa"]
    tok = f.admin.token
    rows = list_page(api, tok, tab="all", limit=200)["data"]
    got = names(rows)
    assert got == EXPECTED_ORDER[locale], got
    # Equal names: by id.
    assert [r["id"] for r in rows if r["name"] == "Alfa"] == sorted(alfa_ids)
    assert list_page(api, tok, tab="all", sort="name", limit=200)[
        "data"] == rows
    # -name is the exact reverse, ids included.
    rev = list_page(api, tok, tab="all", sort="-name", limit=200)["data"]
    assert ids(rev) == ids(rows)[::-1]

    i = got.index
    if locale == "sv":
        assert i("Zorro AB") < i("Åkesson") < i("Ärlig") < i("Öberg")
        assert i("Ådal") < i("Æble") < i("Ängel")    # Æ sorts as Ä
        assert i("Ödla") < i("Ørsted")                # Ø sorts as Ö
        assert i("Alfa") < i("Bertil")
    elif locale in ("da", "nb"):
        assert i("Zorro AB") < i("Æble") < i("Ørsted") < i("Åkesson")
        assert i("Ärlig") < i("Ørsted")               # Ä as Æ, Ö as Ø
        assert got[-1] == "Aaron"                     # "Aa" is Å
    else:
        assert i("Alfa") < i("Zorro AB")
        assert i("Åkesson") < i("Zorro AB") and i("Ärlig") < i("Zorro AB")
        assert i("Aaron") < i("Åkesson") < i("Alfa") < i("Bertil")
        assert i("Öberg") < i("Übel") < i("Zorro AB")

    # The order holds page by page, and after a rename.
    for limit in (1, 4, 5):
        paged, _, _ = walk(api, tok, limit=limit, tab="all")
        assert ids(paged) == ids(rows)
    vera = made[LOCALE_NAMES.index("Vera")]
    api.ok("PATCH", "/v1/clients/%d" % vera["id"], tok,
           json={"name": "Østergaard"})
    got2 = names(list_page(api, tok, tab="all", limit=200)["data"])
    want2 = [n for n in EXPECTED_ORDER[locale] if n != "Vera"]
    k = want2.index("Østergaard")
    want2.insert(k + 1, "Østergaard")                 # same name, later id
    assert got2 == want2


def test_missing_receipts_sort(api):
    f = Firm(api, "sv")
    spec = [("Gamma", 2), ("Alfa", 0), ("Delta", 3), ("Beta", 2),
            ("Epsilon", 0), ("Zeta", 1), ("Åsa", 2), ("Eta", 3), ("Beta", 2),
            ("Ödla", 0)]
    made = []
    for n, k in spec:
        c = f.active(n)
        f.missing(c["id"], k)
        made.append((c["id"], n, k))
    tok = f.admin.token
    name_rows = list_page(api, tok, tab="all", limit=200)["data"]
    pos = {r["id"]: i for i, r in enumerate(name_rows)}
    assert names(name_rows) == ["Alfa", "Beta", "Beta", "Delta", "Epsilon",
                                "Eta", "Gamma", "Zeta", "Åsa", "Ödla"]

    asc = sorted(made, key=lambda m: (m[2], pos[m[0]]))
    desc = sorted(made, key=lambda m: (-m[2], pos[m[0]]))
    assert [m[1] for m in asc] == ["Alfa", "Epsilon", "Ödla", "Zeta", "Beta",
                                   "Beta", "Gamma", "Åsa", "Delta", "Eta"]
    assert [m[1] for m in desc] == ["Delta", "Eta", "Beta", "Beta", "Gamma",
                                    "Åsa", "Zeta", "Alfa", "Epsilon", "Ödla"]
    for sort, want in (("missing_receipts", asc), ("-missing_receipts",
                                                   desc)):
        rows = list_page(api, tok, tab="all", sort=sort, limit=200)["data"]
        assert [(r["id"], r["missing_receipts"]) for r in rows] == [
            (m[0], m[2]) for m in want], (sort, names(rows))
        for limit in (1, 2, 3):
            paged, _, _ = walk(api, tok, limit=limit, tab="all", sort=sort)
            assert ids(paged) == [m[0] for m in want], (sort, limit)
        # Only those with missing receipts.
        only = list_page(api, tok, tab="all", sort=sort,
                         missing_receipts="true", limit=200)
        assert ids(only["data"]) == [m[0] for m in want if m[2] > 0]
        assert only["total"] == 7
        paged, _, total = walk(api, tok, limit=2, tab="all", sort=sort,
                               missing_receipts="true")
        assert ids(paged) == [m[0] for m in want if m[2] > 0]
        assert total == 7
    doc = list_page(api, tok, tab="all", missing_receipts="false",
                    limit=200)
    assert doc["total"] == 10


def test_search_pages_keep_the_list_order(api):
    """A search picks its page from matches found in no order: every sort,
    filter and tab must page through them exactly as the list itself
    orders them, ties in name and in count included."""
    f = Firm(api, "sv")
    bk = f.user("bookkeeper")
    spec = [("Gårdsbutik AB", 3), ("Ödegård Bygg", 0), ("Gårdsbutik AB", 1),
            ("Bygård AB", 3), ("Åsgården", 2), ("Annat Namn", 4),
            ("Vingården", 0), ("Gårdsbutik AB", 3), ("Zäta Gård", 2),
            ("Alfa Gård", 1), ("Bo Gård", 0), ("Gård", 5)]
    made = []
    for i, (n, k) in enumerate(spec):
        c = f.active(n, assignees=[bk] if i % 2 == 0 else ())
        f.missing(c["id"], k)
        made.append(c["id"])
    mine = set(made[0::2])
    cases = [(f.admin.token, "all", None), (bk.token, "mine", mine)]
    for tok, tab, scope in cases:
        for sort in ("name", "-name", "missing_receipts",
                     "-missing_receipts"):
            for only in ("false", "true"):
                # The list's own order, from its index, without a search.
                order, _, _ = walk(api, tok, tab=tab, sort=sort,
                                   missing_receipts=only)
                for q in ("gård", "GÅRD AB", "gå", "g"):
                    folded = q.casefold()
                    want = [r["id"] for r in order
                            if folded in r["name"].casefold()]
                    for limit in (1, 2, 5):
                        rows, _, total = walk(
                            api, tok, limit=limit, tab=tab, sort=sort,
                            missing_receipts=only, q=q)
                        assert ids(rows) == want, (tab, sort, only, q, limit)
                        assert total == len(want)
                    if scope is not None:
                        assert set(want) <= scope


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_search_pages_through_crowded_inserts(api, sort):
    """A search in name order walks the trigram index by list rank.
    Clients added one after another into one gap of the order use up its
    room and make the firm's ranks spread out again, here while a search
    pages: every match there all along is seen once, and afterwards the
    search still follows the list's order."""
    f = Firm(api, "sv")
    tok = f.admin.token
    for n in ("Alfa Gård", "Östra Gård", "Annat Namn"):
        f.active(n)
    # A gap's room halves with each of these: 20 use it up.
    for i in range(24):
        f.active("Mellan Gård %03d" % i)
    start = ids(list_page(api, tok, tab="all", sort=sort, q="gård",
                          limit=200)["data"])
    added = []

    def between(page_no, doc):
        if page_no > 4:
            return
        for _ in range(8):
            c = f.active("Mellan Gård %03d" % (24 + len(added)))
            added.append(c["id"])

    rows, pages, _ = walk(api, tok, limit=5, tab="all", sort=sort,
                          q="gård", between=between)
    assert len(added) == 32 and pages > 5
    counts = collections.Counter(ids(rows))
    assert all(counts[cid] == 1 for cid in start), counts
    assert all(counts[cid] <= 1 for cid in added), counts
    order, _, _ = walk(api, tok, tab="all", sort=sort)
    want = [r["id"] for r in order if "gård" in r["name"].casefold()]
    assert len(want) == 2 + 24 + 32
    for limit in (3, 200):
        rows, _, total = walk(api, tok, limit=limit, tab="all", sort=sort,
                              q="gård")
        assert ids(rows) == want, limit
        assert total == len(want)


# --------------------------------------------------------------------------
# Paging

PAGING_NAMES = [
    "Ahlström AB", "Ågren Konsult", "Äppelgården", "Östberg & Co",
    "Berg Bygg", "berg bygg", "Björk", "Zander", "Ølstykke", "Æsel",
    "Carlsson", "Dahl", "Eklund", "Fors", "Gran", "Holm", "Isaksson",
    "Jönsson", "Karlsson", "Lind", "Lindgren", "Lindqvist", "Mattsson",
    "Nilsson", "Olsson", "Persson", "Quist", "Rask", "Sjöberg",
    "Söderberg", "Tell", "Åkesson", "Åkesson"]
SORTS = ["name", "-name", "missing_receipts", "-missing_receipts"]


@pytest.fixture(scope="module")
def paging_firm(api):
    f = Firm(api, "sv")
    bk = f.user("bookkeeper")
    made = []
    for i, n in enumerate(PAGING_NAMES):
        c = f.active(n, assignees=[bk] if i % 3 == 0 else ())
        k = (i * 7) % 4
        f.missing(c["id"], k)
        made.append(dict(c, missing=k))
    return f, bk, made


@pytest.mark.parametrize("sort", SORTS)
def test_paging_walks_every_row_once(api, paging_firm, sort):
    f, bk, made = paging_firm
    tok = f.admin.token
    full = list_page(api, tok, tab="all", sort=sort, limit=200)
    assert full["next_cursor"] is None
    assert sorted(ids(full["data"])) == sorted(c["id"] for c in made)
    by_name = list_page(api, tok, tab="all", limit=200)["data"]
    pos = {r["id"]: i for i, r in enumerate(by_name)}
    keys = {"name": lambda r: pos[r["id"]],
            "-name": lambda r: -pos[r["id"]],
            "missing_receipts": lambda r: (r["missing_receipts"],
                                           pos[r["id"]]),
            "-missing_receipts": lambda r: (-r["missing_receipts"],
                                            pos[r["id"]])}[sort]
    assert full["data"] == sorted(full["data"], key=keys)
    for limit in range(3, 8):
        rows, pages, total = walk(api, tok, limit=limit, tab="all",
                                  sort=sort)
        assert ids(rows) == ids(full["data"]), limit
        assert total == len(made)
        assert pages == -(-len(made) // limit)
    # The same with a filter, a search and a bookkeeper's tab.
    for params in ({"missing_receipts": "true"}, {"q": "s"},
                   {"q": "son"}, {"q": "berg", "missing_receipts": "true"}):
        expect = list_page(api, tok, tab="all", sort=sort, limit=200,
                           **params)
        rows, _, total = walk(api, tok, limit=3, tab="all", sort=sort,
                              **params)
        assert ids(rows) == ids(expect["data"]), params
        assert total == expect["total"] == len(rows), params
    expect = list_page(api, bk.token, sort=sort, limit=200)
    rows, _, total = walk(api, bk.token, limit=3, sort=sort)
    assert ids(rows) == ids(expect["data"])
    assert total == len(rows) == 11


def test_totals_match_rows(api, paging_firm):
    f, bk, made = paging_firm
    tok = f.admin.token

    def expect(q="", missing=False, mine=False):
        return sorted(
            c["id"] for i, c in enumerate(made)
            if q.casefold() in (c["name"] + "\n" + c["org_number"])
            .casefold() and (not missing or c["missing"] > 0)
            and (not mine or i % 3 == 0))

    cases = [({}, expect()),
             ({"q": "s"}, expect("s")),
             ({"q": "SSON"}, expect("sson")),
             ({"q": "56"}, expect("56")),
             ({"missing_receipts": "true"}, expect(missing=True)),
             ({"q": "ö", "missing_receipts": "true"},
              expect("ö", missing=True)),
             ({"q": "lind", "missing_receipts": "true"},
              expect("lind", missing=True)),
             ({"assignee": bk.id}, expect(mine=True)),
             ({"assignee": bk.id, "q": "son"}, expect("son", mine=True)),
             ({"assignee": bk.id, "missing_receipts": "true"},
              expect(missing=True, mine=True))]
    for params, want in cases:
        for limit in (200, 4):
            rows, _, total = walk(api, tok, limit=limit, tab="all", **params)
            assert sorted(ids(rows)) == want, params
            assert total == len(want), (params, total, len(want))
    for params, want in ((({}, expect(mine=True))),
                         ({"missing_receipts": "true"},
                          expect(missing=True, mine=True)),
                         ({"q": "berg"}, expect("berg", mine=True))):
        rows, _, total = walk(api, bk.token, limit=5, **params)
        assert sorted(ids(rows)) == want, params
        assert total == len(want), params


@pytest.mark.parametrize("sort", SORTS)
def test_paging_under_inserts_and_renames(api, sort):
    f = Firm(api, "sv")
    base = ["Berg", "Dahl", "Fors", "Holm", "Lind", "Nord", "Rask", "Tell",
            "Ulv", "Vik", "Åberg", "Ärla", "Ödman", "Carlsson", "Eriksson",
            "Gran", "Jönsson", "Karlsson"]
    made = []
    for i, n in enumerate(base):
        c = f.active(n)
        f.missing(c["id"], i % 3)
        made.append(c)
    tok = f.admin.token
    start = ids(list_page(api, tok, tab="all", sort=sort, limit=200)["data"])
    seen_by_page = []
    renamed = set()
    inserted = []

    def between(page_no, doc):
        seen_by_page.append(ids(doc["data"]))
        seen = {i for p in seen_by_page for i in p}
        if page_no > 3:
            return
        # New clients that sort before and after where the cursor is.
        for n, k in (("AAA Ny %d" % page_no, 0), ("Öööö Ny %d" % page_no, 0),
                     ("Mitt Ny %d" % page_no, 2),
                     ("AAA Ny Saknar %d" % page_no, 3)):
            c = f.active(n)
            f.missing(c["id"], k)
            inserted.append(c["id"])
        # Rename one already seen and one not yet seen, to either end.
        behind = [i for i in start if i in seen and i not in renamed]
        ahead = [i for i in start if i not in seen and i not in renamed]
        for cid, new in ((behind[0], "Öööö Omdöpt %d" % page_no),
                         (ahead[-1], "AAA Omdöpt %d" % page_no)):
            api.ok("PATCH", "/v1/clients/%d" % cid, tok, json={"name": new})
            renamed.add(cid)

    rows, pages, _ = walk(api, tok, limit=4, tab="all", sort=sort,
                          between=between)
    assert renamed and inserted and pages > 3
    counts = collections.Counter(ids(rows))
    for cid in start:
        if cid in renamed:
            continue
        assert counts[cid] == 1, (sort, cid, counts[cid])
    for cid in inserted:
        assert counts[cid] <= 1, (sort, cid, counts[cid])
    assert set(counts) <= set(start) | set(inserted)


def test_cursor_belongs_to_its_query(api, paging_firm):
    f, bk, made = paging_firm
    tok = f.admin.token
    first = list_page(api, tok, tab="all", sort="name", limit=2)
    cur = first["next_cursor"]
    assert cur
    # The same query with another page size continues.
    doc = list_page(api, tok, tab="all", sort="name", limit=5, cursor=cur)
    assert ids(doc["data"]) == ids(list_page(api, tok, tab="all",
                                             limit=7)["data"])[2:7]
    for other in ({"sort": "-name"}, {"sort": "missing_receipts"},
                  {"sort": "-missing_receipts"}, {"q": "s"}, {"q": "berg"},
                  {"tab": "mine"}, {"tab": "onboarding"},
                  {"tab": "invitations"}, {"missing_receipts": "true"},
                  {"assignee": bk.id}):
        params = dict({"tab": "all", "sort": "name", "limit": 2,
                       "cursor": cur}, **other)
        bad_param(api.get("/v1/clients", tok, params=params), "cursor")
    # A search's cursor does not continue another search.
    c2 = list_page(api, tok, tab="all", q="son", limit=1)["next_cursor"]
    assert c2
    bad_param(api.get("/v1/clients", tok, params={
        "tab": "all", "q": "sson", "limit": 1, "cursor": c2}), "cursor")


@pytest.mark.parametrize("cursor", [
    "", "garbage", "!!!!", "A", "AAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "x" * 5000, "eyJpZCI6MX0", "%00", "null", "-1", "AQE=", "AQH_____",
])
def test_garbage_cursor(api, paging_firm, cursor):
    f, _, _ = paging_firm
    r = api.get("/v1/clients", f.admin.token, params={
        "tab": "all", "cursor": cursor})
    assert r.status_code == 400, (cursor, r.status_code, r.text[:300])
    assert_problem(r, 400)


def test_mangled_cursor(api, paging_firm):
    f, _, _ = paging_firm
    tok = f.admin.token
    cur = list_page(api, tok, tab="all", limit=2)["next_cursor"]
    for bad in (cur[:-4], cur[:10], cur + "A", cur + "AAAA"):
        r = api.get("/v1/clients", tok, params={"tab": "all", "limit": 2,
                                                "cursor": bad})
        assert r.status_code == 400, (bad, r.status_code, r.text[:300])
    # An expenses cursor is not a clients cursor.
    c = f.active("Utgiftskursor AB")
    f.expenses(c["id"], [("missing", "pending")] * 3)
    ec = api.ok("GET", "/v1/clients/%d/expenses" % c["id"], tok,
                params={"limit": 1})["next_cursor"]
    assert ec
    bad_param(api.get("/v1/clients", tok, params={"tab": "all",
                                                  "cursor": ec}), "cursor")


def test_paging_firm_order_agrees_with_icu(api, paging_firm):
    if icu is None:
        pytest.skip("PyICU is not installed (python3-icu)")
    f, _, made = paging_firm
    coll = icu.Collator.createInstance(icu.Locale("sv"))
    rows = list_page(api, f.admin.token, tab="all", limit=200)["data"]
    want = sorted(rows, key=lambda r: (coll.getSortKey(r["name"]), r["id"]))
    assert ids(rows) == ids(want), (names(rows), names(want))


def test_default_limit_is_50(api):
    f = Firm(api, "da")
    made = [f.active("Kunde %03d" % i) for i in range(53)]
    doc = list_page(api, f.admin.token, tab="all")
    assert len(doc["data"]) == 50 and doc["total"] == 53
    assert names(doc["data"]) == ["Kunde %03d" % i for i in range(50)]
    rest = list_page(api, f.admin.token, tab="all",
                     cursor=doc["next_cursor"])
    assert ids(rest["data"]) == [c["id"] for c in made[50:]]
    assert rest["next_cursor"] is None


def check_counts(api, f, users):
    """The kept counters (totals without q, tab counts) agree with the
    rows a list returns and with counting through a search (q="klient"
    matches every client here, and a search is counted in SQL)."""
    for u in users:
        tabs = dict((t["tab"], t["count"]) for t in api.ok(
            "GET", "/v1/clients/tabs", u.token)["tabs"])
        tab_names = (["invitations", "onboarding", "mine", "all"]
                     if u["role"] == "admin" else ["onboarding", "mine"])
        for tab in tab_names:
            rows, _, total = walk(api, u.token, limit=200, tab=tab)
            assert total == len(rows), (u["name"], tab)
            assert tabs.get(tab, 0) == total, (u["name"], tab, tabs)
            _, _, qtotal = walk(api, u.token, limit=200, tab=tab,
                                q="klient")
            assert qtotal == total, (u["name"], tab)
            missing = [r["id"] for r in rows if r["missing_receipts"] > 0]
            mrows, _, mtotal = walk(api, u.token, limit=200, tab=tab,
                                    missing_receipts="true")
            assert sorted(ids(mrows)) == sorted(missing), (u["name"], tab)
            assert mtotal == len(missing), (u["name"], tab, mtotal, missing)
            _, _, mqtotal = walk(api, u.token, limit=200, tab=tab,
                                 missing_receipts="true", q="klient")
            assert mqtotal == len(missing), (u["name"], tab)


def test_counts_follow_every_change(api):
    f = Firm(api, "sv")
    bk = f.user("bookkeeper")
    adm = f.admin
    everyone = [adm, bk]
    check_counts(api, f, everyone)

    x = f.onboarding("Klient X")
    f.expenses(x["id"], [("missing", "pending"), ("missing", "ready")],
               prefix="x")
    check_counts(api, f, everyone)
    f.assign(x["id"], [bk])
    check_counts(api, f, everyone)
    api.ok("POST", "/v1/clients/%d/verification" % x["id"],
           f.integration.token, json={"result": "approved"})
    check_counts(api, f, everyone)

    y = f.active("Klient Y", assignees=[bk])
    ey = f.expenses(y["id"], [("missing", "pending")], prefix="y")
    check_counts(api, f, everyone)
    api.ok("PATCH", "/v1/clients/%d/expenses/%d" % (
        y["id"], ey["data"][0]["id"]), f.integration.token,
        json={"receipt_status": "attached"})
    check_counts(api, f, everyone)

    # Upserts that clear and then restore x's missing receipts.
    f.expenses(x["id"], [("attached", "pending"), ("not_required", "ready")],
               prefix="x")
    assert f.client(x["id"])["missing_receipts"] == 0
    check_counts(api, f, everyone)
    f.expenses(x["id"], [("missing", "pending")], prefix="x")
    assert f.client(x["id"])["missing_receipts"] == 1
    check_counts(api, f, everyone)

    # Unassigning and reassigning a client that misses receipts.
    api.ok("DELETE", "/v1/clients/%d/assignees/%d" % (x["id"], bk.id),
           adm.token, status=204)
    check_counts(api, f, everyone)
    f.assign(y["id"], [bk, adm])
    f.assign(x["id"], [adm])
    check_counts(api, f, everyone)
    api.ok("POST", "/v1/clients/%d/assignees" % x["id"], adm.token,
           json={"user_id": bk.id})
    check_counts(api, f, everyone)

    # An invitation that already has expenses, accepted.
    z = f.invitation("Klient Z")
    f.expenses(z["id"], [("missing", "pending")] * 3, prefix="z")
    f.assign(z["id"], [bk])
    check_counts(api, f, everyone)
    api.ok("POST", "/v1/clients/%d/accept" % z["id"], adm.token)
    check_counts(api, f, everyone)
    w = f.invitation("Klient W")
    f.expenses(w["id"], [("missing", "pending")], prefix="w")
    f.assign(w["id"], [bk])
    api.ok("POST", "/v1/clients/%d/decline" % w["id"], adm.token)
    check_counts(api, f, everyone)
    # A rejected onboarding that missed receipts.
    v = f.onboarding("Klient V", assignees=[bk, adm])
    f.expenses(v["id"], [("missing", "pending")], prefix="v")
    check_counts(api, f, everyone)
    api.ok("POST", "/v1/clients/%d/verification" % v["id"],
           f.integration.token, json={"result": "rejected"})
    check_counts(api, f, everyone)
    # A bookkeeper made inactive leaves the assignee lists.
    api.ok("PATCH", "/v1/users/%d" % bk.id, adm.token,
           json={"active": False})
    row = list_page(api, adm.token, tab="all", q="Klient Y")["data"][0]
    assert row["assignees"] == [{"id": adm.id, "name": adm["name"],
                                 "role": "admin"}]
    check_counts(api, f, [adm])
