"""A digest and a reminder as a reader sees them (issue 18): each is sent
by the real worker to a real SMTP server, its HTML part is rendered by
headless Chromium (Debian's) in light and in dark mode, and the
screenshots must show text on their background; the HTML must load
nothing from elsewhere (no images, style sheets, scripts or fonts: mail
clients block them). The light screenshots are kept under build/mail/,
and the README shows copies of them."""
import datetime
import re
import shutil
import subprocess

import pytest

from clients_helpers import Api, Firm, expense
from conftest import BACKEND, REPO
from worker_helpers import mailroom, next_local, text_part

MONDAY = 0
UTC = datetime.timezone.utc
OUT = REPO / "build" / "mail"
CHROMIUM = shutil.which("chromium")

# What the message shows, not the backend that stored it: rendered once.
pytestmark = pytest.mark.skipif(BACKEND != "sqlite",
                                reason="rendering is checked on one backend")


def days_ago(n):
    t = datetime.datetime.now(UTC) - datetime.timedelta(days=n)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def mails():
    """{"digest": message, "reminder": message} of a firm with clients
    in every state a digest shows."""
    with mailroom("portal-mail-render-") as room:
        api = Api(room.portal)
        try:
            firm = Firm(api, "sv", name="Revisionsbyrån Ek & Ask AB")
            bk = firm.user(name="Britt Bokförare")
            anna = firm.user("admin", name="Anna Ek")
            api.ok("PUT", "/v1/settings/thresholds", firm.admin.token,
                   json={"balance_below": [{"amount_minor": 0,
                                            "currency": "SEK"}],
                         "missing_receipts_above": 3,
                         "missing_receipt_older_than_days": 30})
            clients = [
                ("Åkesson Bygg AB", [expense("a%d" % i,
                                             spent_at=days_ago(40 + i))
                                     for i in range(5)], 1234550),
                ("Björk & Dotter Handelsbolag", [expense("b1")], -250000),
                ("Café Öresund AB", [expense("c%d" % i,
                                             export_status="ready",
                                             receipt_status="attached")
                                     for i in range(3)], 9800000),
            ]
            made = []
            for name, items, balance in clients:
                c = firm.active(name, assignees=[bk])
                api.ok("PUT", "/v1/clients/%d/balance" % c["id"],
                       firm.integration.token,
                       json={"amount_minor": balance, "currency": "SEK"})
                api.ok("POST", "/v1/clients/%d/expenses" % c["id"],
                       firm.integration.token, json={"expenses": items})
                api.ok("PUT", "/v1/clients/%d/notification-preference"
                       % c["id"], bk.token, json={"email": True})
                made.append(c)
            api.ok("POST", "/v1/clients/%d/notify-accountants" %
                   made[0]["id"], anna.token, status=202, json={
                       "tasks": ["missing_receipts", "export_ready",
                                 "balance"],
                       "comment": "Hej Britt!\nKan du jaga kvittona från "
                                  "maj innan bokslutet? Tack."})
            monday = next_local(MONDAY, 10, 0, datetime.datetime.now(UTC))
            room.worker(monday + datetime.timedelta(minutes=1))
            got = {}
            for _, m in room.messages():
                kind = "digest" if m["List-Unsubscribe"] else "reminder"
                got[kind] = m
            assert set(got) == {"digest", "reminder"}, got
            return got
        finally:
            api.close()


def render(html, name, dark):
    """Chromium's screenshot of html, as a PIL image; kept in build/mail/."""
    from PIL import Image
    assert CHROMIUM, "chromium is missing (scripts/install-deps)"
    OUT.mkdir(parents=True, exist_ok=True)
    page = OUT / ("%s.html" % name)
    page.write_text(html, encoding="utf-8")
    shot = OUT / ("%s%s.png" % (name, "-dark" if dark else ""))
    shot.unlink(missing_ok=True)
    args = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--window-size=720,1100",
            # Nothing may come from the network; a lookup would fail.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--screenshot=%s" % shot]
    if dark:
        args += ["--force-dark-mode",
                 "--blink-settings=preferredColorScheme=0"]
    proc = subprocess.run(args + [page.as_uri()], capture_output=True,
                          text=True, timeout=120)
    assert shot.exists(), proc.stderr[-2000:]
    return Image.open(shot).convert("L")


def inked(img):
    """(background luminance, share of pixels far from it)."""
    hist = img.histogram()
    bg = max(range(256), key=lambda v: hist[v])
    far = sum(n for v, n in enumerate(hist) if abs(v - bg) > 96)
    return bg, far / (img.width * img.height)


def html_part(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            return part.get_content()
    raise AssertionError("no HTML part")


@pytest.mark.parametrize("kind", ["digest", "reminder"])
def test_html_loads_nothing_from_elsewhere(mails, kind):
    html = html_part(mails[kind])
    low = html.lower()
    for ref in ("<img", "<link", "<script", "<iframe", "<object",
                "<embed", "<video", "<audio", "@import", "url(",
                " src=", "srcset="):
        assert ref not in low, (kind, ref)
    # Links are for the reader to follow; every one is https or the
    # portal's own address of the test.
    for href in re.findall(r'href="([^"]*)"', html):
        assert re.match(r"https://|http://127\.0\.0\.1:", href), href


@pytest.mark.parametrize("kind", ["digest", "reminder"])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_renders_readable_in_light_and_dark(mails, kind, dark):
    img = render(html_part(mails[kind]), kind, dark)
    bg, far = inked(img)
    # A page, not a blank: text that stands out from its background.
    assert far > 0.01, (kind, dark, bg, far)
    assert (bg < 96) if dark else (bg > 160), (kind, dark, bg)


def test_digest_reads_at_a_glance(mails):
    """First what needs doing, then a table of the clients that need it,
    most urgent first, with links; the text part says the same."""
    msg = mails["digest"]
    html = html_part(msg)
    text = text_part(msg, "plain")
    summary = "2 kunder har 6 saknade kvitton. 3 utgifter är klara för " \
              "export. 2 kunder behöver åtgärdas."
    assert summary in text and summary in html
    assert text.index(summary) < text.index("Åkesson Bygg AB")
    table = html[html.index("<table"):]
    assert "<th" in table and "Saknade kvitton" in table
    # Two alerts each, the older missing receipt first; then the one
    # with expenses ready and no alert.
    order = ["Björk &amp; Dotter Handelsbolag", "Åkesson Bygg AB",
             "Café Öresund AB"]
    assert sorted(order, key=table.index) == order
    assert re.search(r'<a href="https://app\.alpha\.test/clients/\d+">'
                     r'Åkesson Bygg AB</a>', table)
    assert "12 345,50 kr" in table and "\u22122 500,00 kr" in table
    assert "Hantera aviseringar" in html or "aviseringar" in html.lower()


def test_reminder_says_who_what_and_where(mails):
    msg = mails["reminder"]
    text = text_part(msg, "plain")
    html = html_part(msg)
    for part in (text, html):
        assert "Anna Ek" in part                    # who asked
        assert "Saknade kvitton" in part            # which tasks
        assert "Klara för export" in part
        assert "jaga kvittona" in part              # the comment
        assert "/clients/" in part                  # the client's link
