"""Shared by the worker and reminder tests: a portal whose worker mails a
real SMTP server, runs of `portal-worker --once --now`, and reading back
what arrived."""
import email
import email.policy
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from conftest import (API_BIN, REPO, SMTP_CONNECTIONS, sanitizer_report,
                      start_portal)
from db_helpers import connect
from smtp_server import SmtpServer

WORKER_BIN = API_BIN.parent / "portal-worker"
CPH = ZoneInfo("Europe/Copenhagen")
SPAMASSASSIN = shutil.which("spamassassin")


class Mailroom:
    """A portal (API) and a real SMTP server its worker delivers to."""

    def __init__(self, tmpdir, extra_env=None, smtp_class=SmtpServer):
        """smtp_class: SmtpServer or a subclass that answers otherwise."""
        self.tmpdir = tmpdir
        self.smtp = smtp_class(os.path.join(tmpdir, "mail")).start()
        env = {
            "PORTAL_SMTP_URL": "smtp://127.0.0.1:%d" % self.smtp.port,
            "PORTAL_SMTP_CONNECTIONS": SMTP_CONNECTIONS,
            "PORTAL_MAIL_FROM": "portal@alpha.test",
            "PORTAL_APP_URL": "https://app.alpha.test",
        }
        env.update(extra_env or {})
        try:
            self.portal = start_portal(tmpdir, extra_env=env)
        except Exception:
            self.smtp.stop()
            raise
        # Unsubscribe links in digests point at this API.
        self.portal.env["PORTAL_PUBLIC_URL"] = self.portal.base_url

    def close(self):
        try:
            self.portal.server.stop_and_check()
        finally:
            self.smtp.stop()

    def worker(self, now, extra_env=None, expect_rc=0):
        """One pass of the real worker with its clock at now (datetime)."""
        env = dict(self.portal.env)
        env.update(extra_env or {})
        stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        proc = subprocess.run([str(WORKER_BIN), "--once", "--now", stamp],
                              env=env, capture_output=True, text=True,
                              timeout=120)
        report = sanitizer_report(proc.stderr)
        if report:
            pytest.fail("sanitizer report from portal-worker:\n" + report,
                        pytrace=False)
        assert proc.returncode == expect_rc, (proc.returncode, proc.stderr)
        return proc.stderr

    def messages(self):
        """[(envelope, parsed message)] in arrival order."""
        return [(env, email.message_from_bytes(raw,
                                               policy=email.policy.default))
                for env, raw in self.smtp.messages()]

    def raw_messages(self):
        return self.smtp.messages()

    def db(self):
        """A read-only look at the database, for delivery states that have
        no API of their own (digests); closed by `with`."""
        return connect(self.portal.env, readonly=True)


@contextmanager
def mailroom(prefix, extra_env=None, smtp_class=SmtpServer):
    """A Mailroom in a temporary directory of its own, closed at the end
    of the with block (a module fixture yields from inside it)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmpdir:
        r = Mailroom(tmpdir, extra_env, smtp_class)
        try:
            yield r
        finally:
            r.close()


def module_mailroom(prefix):
    """A module fixture named by the assignment (room = module_mailroom(
    ...)): one Mailroom for the test file."""
    @pytest.fixture(scope="module")
    def fixture():
        with mailroom(prefix) as r:
            yield r
    return fixture


def next_local(weekday, hour, minute, after, tz=CPH, month_pred=None):
    """The first local weekday hour:minute on a day after `after` (aware
    datetime), in a month month_pred accepts."""
    day = after.astimezone(tz).date()
    while True:
        day += timedelta(days=1)
        if day.weekday() == weekday and (month_pred is None or
                                         month_pred(day.month)):
            return datetime(day.year, day.month, day.day, hour, minute,
                            tzinfo=tz)


def text_part(msg, subtype):
    for part in msg.walk():
        if part.get_content_type() == "text/" + subtype:
            return part.get_content()
    raise AssertionError("no text/%s part" % subtype)


def spam_status(raw, label=None):
    """(score, [rule names]) SpamAssassin gives the raw message, with
    its network tests off; with a label ("domain\tkind"), also kept in
    build/reports/spamassassin-scores.tsv for the README."""
    assert SPAMASSASSIN, "spamassassin is missing (scripts/install-deps)"
    proc = subprocess.run([SPAMASSASSIN, "-L", "-x"], input=raw,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    head = proc.stdout.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    # Folded lines unfolded; a folded list of rules is one list again.
    text = re.sub(r"\r?\n[ \t]+", " ", head.decode(errors="replace"))
    text = re.sub(r",\s+", ",", text)
    m = re.search(r"^X-Spam-Status: \w+,\s*score=(-?[\d.]+) required=[\d.]+ "
                  r"tests=(\S*)", text, re.M)
    assert m, text
    score, rules = float(m.group(1)), [t for t in m.group(2).split(",") if t]
    if label is not None:
        report = REPO / "build" / "reports" / "spamassassin-scores.tsv"
        report.parent.mkdir(parents=True, exist_ok=True)
        with open(report, "a") as f:
            f.write("%s\t%.1f\t%s\n" % (label, score, ",".join(rules)))
    return score, rules
