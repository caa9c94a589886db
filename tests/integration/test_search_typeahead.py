"""Searches as a search box sends them (issue 14): one, two and three
characters that match most of a firm's clients. Their pages come from an
index in the list's order and their count stops at 200, where the
answer says "at least"; paging stays exact past it, in every order, and
a search that matches fewer clients keeps its exact count."""
import pytest

from clients_helpers import (SEARCH_COUNT_MAX, Api, Firm, ids, list_page,
                             module_portal, se_org_number, walk)

srv = module_portal()

# More than the count's bound match "ab"; a few do not.
N_AB = SEARCH_COUNT_MAX + 7


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


@pytest.fixture(scope="module")
def crowd(api):
    f = Firm(api, "sv")
    made = [f.active("Bolag %04d AB" % i, org=se_org_number("556%06d" % i))
            for i in range(N_AB)]
    made += [f.active(n, org=se_org_number("559%06d" % i))
             for i, n in enumerate(["Ørsted Handel HB", "Zeta Oy",
                                    "Öst & Väst KB"])]
    bk = f.user("bookkeeper")
    mine = [c for c in made if c["id"] % 9 == 0]
    for c in mine:
        f.assign(c["id"], [bk])
    missing = made[10:15]
    for c in missing:
        f.missing(c["id"], 2)
    return f, bk, made, mine, missing


def matching(made, q):
    q = q.casefold()
    return [c for c in made
            if q in (c["name"] + "\n" + c["org_number"]).casefold()]


@pytest.fixture(scope="module")
def positions(api, crowd):
    """Each client's place in the whole list, by sort."""
    f = crowd[0]
    out = {}
    for sort in ("name", "-name"):
        rows = walk(api, f.admin.token, limit=200, tab="all", sort=sort)[0]
        out[sort] = {r["id"]: i for i, r in enumerate(rows)}
    return out


@pytest.mark.parametrize("q", ["a", "AB", "b", " ab", "bolag", "o"])
def test_a_common_search_counts_to_the_bound_and_pages_exactly(api, crowd,
                                                                positions,
                                                                q):
    f, _, made, _, _ = crowd
    want = matching(made, q)
    assert len(want) > SEARCH_COUNT_MAX
    first = list_page(api, f.admin.token, tab="all", q=q, limit=50)
    assert first["total"] == SEARCH_COUNT_MAX
    assert first["total_at_least"] is True
    assert len(first["data"]) == 50
    for sort in ("name", "-name"):
        rows, pages, total = walk(api, f.admin.token, limit=200, tab="all",
                                  q=q, sort=sort)
        assert total == SEARCH_COUNT_MAX
        # Every match once, in the list's own order.
        assert len(rows) == len(want) == len(set(ids(rows)))
        assert sorted(ids(rows)) == sorted(ids(want))
        assert ids(rows) == sorted(ids(rows), key=positions[sort].get)
    # Without a search the count is kept, and exact.
    full = list_page(api, f.admin.token, tab="all", limit=1)
    assert (full["total"], full["total_at_least"]) == (len(made), False)


@pytest.mark.parametrize("sort", ["missing_receipts", "-missing_receipts"])
def test_other_orders_count_to_the_same_bound(api, crowd, sort):
    f, _, made, _, missing = crowd
    rows, _, total = walk(api, f.admin.token, limit=200, tab="all", q="ab",
                          sort=sort)
    assert total == SEARCH_COUNT_MAX
    assert sorted(ids(rows)) == sorted(ids(matching(made, "ab")))
    most = ids(rows[:5]) if sort.startswith("-") else ids(rows[-5:])
    assert sorted(most) == sorted(ids(missing))


@pytest.mark.parametrize("q", ["bolag 001", "ø", "öst", "z", "hb", "q",
                               "b 00", "7 ab", "0"])
def test_a_rarer_search_keeps_its_exact_count(api, crowd, q):
    f, _, made, _, _ = crowd
    want = matching(made, q)
    doc = list_page(api, f.admin.token, tab="all", q=q, limit=5)
    if len(want) > SEARCH_COUNT_MAX:
        assert (doc["total"], doc["total_at_least"]) == (SEARCH_COUNT_MAX,
                                                          True)
    else:
        assert (doc["total"], doc["total_at_least"]) == (len(want), False)
    rows, _, _ = walk(api, f.admin.token, limit=50, tab="all", q=q)
    assert sorted(ids(rows)) == sorted(ids(want))


@pytest.mark.parametrize("q", ["a", "ab", " ab"])
def test_the_filter_and_a_bookkeepers_tab_count_exactly(api, crowd, q):
    f, bk, made, mine, missing = crowd
    doc = list_page(api, f.admin.token, tab="all", q=q,
                    missing_receipts="true", limit=2)
    assert (doc["total"], doc["total_at_least"]) == (len(missing), False)
    rows, _, _ = walk(api, f.admin.token, limit=2, tab="all", q=q,
                      missing_receipts="true")
    assert sorted(ids(rows)) == sorted(ids(missing))
    want = matching(mine, q)
    for sort in ("name", "-name", "missing_receipts"):
        rows, _, total = walk(api, bk.token, limit=25, tab="mine", q=q,
                              sort=sort)
        assert total == len(want) and total < SEARCH_COUNT_MAX
        assert sorted(ids(rows)) == sorted(ids(want))


def test_a_search_follows_a_rename(api, crowd):
    f, _, made, _, _ = crowd
    c = made[3]
    assert list_page(api, f.admin.token, tab="all", q="xy")["total"] == 0
    api.ok("PATCH", "/v1/clients/%d" % c["id"], f.admin.token,
           json={"name": "Xylofon AB"})
    try:
        for q in ("xy", "x", "yl"):
            doc = list_page(api, f.admin.token, tab="all", q=q)
            assert ids(doc["data"]) == [c["id"]], q
        assert list_page(api, f.admin.token, tab="all",
                         q="bolag 0003")["total"] == 0
    finally:
        api.ok("PATCH", "/v1/clients/%d" % c["id"], f.admin.token,
               json={"name": c["name"]})
    assert list_page(api, f.admin.token, tab="all", q="xy")["total"] == 0
