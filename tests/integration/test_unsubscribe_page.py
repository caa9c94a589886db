"""The links at the foot of a digest's body, delivered by the real worker
to a real SMTP server: "Manage notifications" and "Unsubscribe" in both
parts, in the firm's language; the unsubscribe link opened in a browser
shows a page with a form and changes nothing; the form's POST
unsubscribes once and says so; a link that does not work says that, as a
page to a browser and as a problem to a client that asks for JSON."""
import datetime
import html
import re

import pytest
import requests

from clients_helpers import Api, Firm, expense
from worker_helpers import module_mailroom, next_local, text_part

MONDAY = 0
UTC = datetime.timezone.utc
APP = "https://app.alpha.test"
MANAGE = APP + "/settings/notifications"
# What a browser sends when it opens a link or posts a form.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;"
           "q=0.9,*/*;q=0.8"}
FORM = dict(BROWSER, **{"Content-Type": "application/x-www-form-urlencoded"})
LABELS = {"sv": ("Hantera aviseringar", "Avsluta prenumerationen"),
          "en": ("Manage notifications", "Unsubscribe")}


room = module_mailroom("portal-unsubscribe-page-")


@pytest.fixture(scope="module")
def api(room):
    a = Api(room.portal)
    yield a
    a.close()


@pytest.fixture(scope="module")
def digests(api, room):
    """A firm in Swedish and one in English, each with a bookkeeper
    subscribed weekly to a client with a missing receipt, and the digest
    each got."""
    out = {}
    for locale in ("sv", "en"):
        firm = Firm(api, locale)
        bk = firm.user(name="Britt Bokförare")
        c = firm.active("Länkar %s AB" % locale, assignees=[bk])
        api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
               firm.integration.token, json={"expenses": [expense("x")]})
        api.ok("PUT", "/v1/clients/%d/notification-preference" % c["id"],
               bk.token, json={"email": True, "frequency": "weekly"})
        out[locale] = {"firm": firm, "user": bk, "client": c}
    room.worker(next_local(MONDAY, 10, 1, datetime.datetime.now(UTC)))
    for d in out.values():
        got = [(m, raw) for (env, m), (_, raw) in
               zip(room.messages(), room.raw_messages())
               if env["rcpt_tos"] == [d["user"]["email"]]]
        assert len(got) == 1, d["user"]["email"]
        d["msg"], raw = got[0]
        m = re.search(rb"^List-Unsubscribe: <([^>\r\n]+)>\r\n", raw, re.M)
        assert m, "List-Unsubscribe is not one raw <URL> line"
        d["header_url"] = m.group(1).decode()
    return out


def email_on(api, d):
    return api.ok("GET", "/v1/clients/%d/notification-preference"
                  % d["client"]["id"], d["user"].token)["email"]


def footer_links(msg, locale):
    """The two links under the footer, read from each part: [(manage,
    unsubscribe) from text, the same from HTML]."""
    manage, unsub = LABELS[locale]
    text = text_part(msg, "plain").replace("\r\n", "\n")
    foot = text.split("\n-- \n", 1)[1]
    t = (re.search("^%s: (\\S+)$" % re.escape(manage), foot, re.M),
         re.search("^%s: (\\S+)$" % re.escape(unsub), foot, re.M))
    assert all(t), foot
    page = text_part(msg, "html")
    h = (re.search('<a href="([^"]+)"[^>]*>%s</a>' % re.escape(manage),
                   page),
         re.search('<a href="([^"]+)"[^>]*>%s</a>' % re.escape(unsub),
                   page))
    assert all(h), page[-1500:]
    return [(t[0].group(1), t[1].group(1)),
            (html.unescape(h[0].group(1)), html.unescape(h[1].group(1)))]


def assert_page(r, status, lang):
    """An inert HTML page of the unsubscribe link, in lang."""
    assert r.status_code == status, r.text[:500]
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"
    assert "Accept" in r.headers["Vary"]
    body = r.text
    assert body.startswith('<!DOCTYPE html>\n<html lang="%s">' % lang)
    assert "<script" not in body and " src=" not in body
    assert len(r.content) < 16384
    return body


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_the_footer_links_in_both_parts(digests, locale):
    d = digests[locale]
    for manage, unsub in footer_links(d["msg"], locale):
        assert manage == MANAGE
        # The same signed link as the List-Unsubscribe header.
        assert unsub == d["header_url"]


def test_the_body_link_asks_then_the_form_unsubscribes_once(api, digests):
    d = digests["sv"]
    url = footer_links(d["msg"], "sv")[1][1]
    # Opened in a browser: the question and a form, and nothing changed.
    r = requests.get(url, headers=BROWSER, timeout=10)
    page = assert_page(r, 200, "sv")
    assert "<h1>Vill du sluta få veckosammanfattningar via e-post?</h1>" \
        in page
    token = url.split("?token=", 1)[1]
    m = re.search(r'<form method="post" action="([^"]+)">', page)
    assert m and html.unescape(m.group(1)) == "?token=" + token
    assert '<input type="hidden" name="List-Unsubscribe" ' \
        'value="One-Click">' in page
    assert '<a href="%s">Hantera aviseringar</a>' % MANAGE in page
    assert email_on(api, d) is True
    # A HEAD and a second GET change nothing either.
    assert requests.head(url, headers=BROWSER, timeout=10).status_code == 200
    assert_page(requests.get(url, headers=BROWSER, timeout=10), 200, "sv")
    assert email_on(api, d) is True

    # The form's POST, as the browser sends it (the action resolved
    # against the page's URL).
    action = url.split("?", 1)[0] + html.unescape(m.group(1))
    r = requests.post(action, data={"List-Unsubscribe": "One-Click"},
                      headers=FORM, timeout=10)
    page = assert_page(r, 200, "sv")
    assert "Prenumerationen är avslutad" in page
    assert "Du får inte längre veckosammanfattningar via e-post." in page
    assert email_on(api, d) is False
    got = api.ok("GET", "/v1/me/notification-preferences",
                 d["user"].token)["data"]
    assert [p["email"] for p in got] == [False]

    # Spent: posted again, or opened again, the page says so.
    for r in (requests.post(action, data={"List-Unsubscribe": "One-Click"},
                            headers=FORM, timeout=10),
              requests.get(url, headers=BROWSER, timeout=10)):
        page = assert_page(r, 400, "sv")
        assert "Länken har redan använts" in page
        assert "<form" not in page
    # An API client gets the problem, as before.
    r = requests.post(url, data="List-Unsubscribe=One-Click", timeout=10,
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["title"] == "Invalid unsubscribe link"
    assert email_on(api, d) is False


def test_one_click_keeps_its_json(api, digests):
    """A mail client's one-click POST (no Accept, or */*) answers JSON."""
    d = digests["en"]
    r = requests.post(d["header_url"], data="List-Unsubscribe=One-Click",
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded",
                               "Accept": "*/*"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"frequency": "weekly", "unsubscribed": 1}
    assert email_on(api, d) is False


def test_a_broken_link_says_so(room):
    base = room.portal.base_url + "/v1/unsubscribe"
    # No valid signature: no language is known, so English and Swedish.
    for url in (base + "?token=not.a.token", base,
                base + "?token=a&token=b"):
        page = assert_page(requests.get(url, headers=BROWSER, timeout=10),
                           400, "en")
        assert "This link does not work" in page
        assert '<section lang="sv">' in page and "Länken fungerar inte" \
            in page
        assert "<form" not in page
    # A client that prefers JSON gets the problem.
    r = requests.get(base + "?token=not.a.token", timeout=10,
                     headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["title"] == "Invalid unsubscribe link"
    r = requests.get(base + "?token=a&token=b", timeout=10,
                     headers={"Accept": "application/problem+json"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "token"
