"""Records every HTTP response the integration tests get through
`requests`, for the contract check (tests/contract/validate).

Loaded from conftest.py (`pytest_plugins`). On import it wraps
`requests.Session.send`, the one method every request of `requests` goes
through (`requests.get`, `requests.request`, a `Session`, redirects), so
each response is appended, as one JSON line, to

    build/reports/contract-responses-<hash>-<backend>.jsonl

where <hash> is the first 12 hex digits of the SHA-256 of the resolved
PORTAL_BIN_DIR (the suite runs once per build, under different bin
directories) and <backend> is PORTAL_TEST_BACKEND (the two backends of
one build run at once, each into its own file), or to
$PORTAL_CONTRACT_RECORD when that is set. The file is
truncated at the start of the session; its first line names the session.

Each line holds the test, the method, the path as sent and the path
template of openapi.yaml it matches (null when none does), the query, the
status, the content type, the response headers and the body (text, or
base64 when it is not UTF-8). Whether the response is what the contract
says is decided later, by tests/contract/validate-responses.mjs; nothing
here fails a test.

Raw-socket requests (conftest.raw_request) are not recorded: they are
the malformed HTTP the contract cannot describe.
"""
import base64
import functools
import hashlib
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
import yaml

from db_helpers import suite_backend

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "openapi.yaml"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options",
           "trace")


def bin_dir():
    """PORTAL_BIN_DIR as conftest resolves it."""
    d = os.environ.get("PORTAL_BIN_DIR")
    if not d:
        return (REPO / "bin").resolve()
    p = Path(d)
    if not p.is_absolute() and not p.exists() and (REPO / p).exists():
        p = REPO / p
    return p.resolve()


def record_path():
    explicit = os.environ.get("PORTAL_CONTRACT_RECORD")
    if explicit:
        return Path(explicit).resolve()
    tag = hashlib.sha256(str(bin_dir()).encode()).hexdigest()[:12]
    return REPO / "build" / "reports" / ("contract-responses-%s-%s.jsonl"
                                         % (tag, suite_backend()))


def _load_templates():
    with open(SPEC, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    out = []
    for template in doc.get("paths", {}):
        segs = template.split("/")
        literal = sum(1 for s in segs if not (s.startswith("{") and
                                              s.endswith("}")))
        out.append((template, segs, literal))
    return out


def match_template(path, templates):
    """The path template of openapi.yaml that path matches, the one with
    the most literal segments when several do (`/v1/clients/tabs` over
    `/v1/clients/{id}`); None when none does. A `{name}` segment matches
    one non-empty segment; the path is compared as sent (not decoded),
    as the server does. The validator applies the same rule."""
    segs = path.split("/")
    best = None
    for template, tsegs, literal in templates:
        if len(tsegs) != len(segs):
            continue
        ok = True
        for t, s in zip(tsegs, segs):
            if t.startswith("{") and t.endswith("}"):
                if not s:
                    ok = False
                    break
            elif t != s:
                ok = False
                break
        if ok and (best is None or literal > best[1]):
            best = (template, literal)
    return best[0] if best else None


class Recorder:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.templates = _load_templates()
        self.current_test = None
        self.active = False
        self.count = 0
        self._file = None

    def start(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Truncate, then append: each line goes out in one write() at the
        # end of the file, so a second session writing the same file at
        # the same time (another run in this tree) interleaves whole
        # lines instead of overwriting them.
        self._file = os.open(self.path, os.O_WRONLY | os.O_CREAT |
                             os.O_TRUNC | os.O_APPEND, 0o644)
        self.active = True
        self._write({"kind": "session", "pid": os.getpid(),
                     "bin_dir": str(bin_dir()), "backend": suite_backend(),
                     "spec": str(SPEC), "started": time.strftime(
                         "%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    def stop(self):
        with self.lock:
            self.active = False
            if self._file is not None:
                os.close(self._file)
                self._file = None

    def clobbered(self):
        """Whether another session truncated the file since we started
        (a second run in the same tree with the same PORTAL_BIN_DIR and
        backend)."""
        try:
            with open(self.path, encoding="utf-8") as f:
                first = json.loads(f.readline() or "{}")
        except (OSError, ValueError):
            return True
        return first.get("pid") != os.getpid()

    def _write(self, doc):
        data = (json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                + "\n").encode("utf-8", "surrogatepass")
        with self.lock:
            if self._file is not None:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._file, view):]

    def record(self, response):
        if not self.active:
            return
        req = response.request
        parts = urlsplit(req.url)
        path = parts.path or "/"
        raw = response.content or b""
        try:
            body, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            body, encoding = base64.b64encode(raw).decode(), "base64"
        self.count += 1
        self._write({
            "kind": "response",
            "test": self.current_test,
            "method": req.method,
            "url": req.url,
            "path": path,
            "query": parts.query,
            "template": match_template(path, self.templates),
            "request_content_type": req.headers.get("Content-Type"),
            "status": response.status_code,
            "content_type": response.headers.get("Content-Type"),
            "headers": dict(response.headers.lower_items()),
            "body": body,
            "body_encoding": encoding,
        })


RECORDER = Recorder(record_path())

_original_send = requests.Session.send


@functools.wraps(_original_send)
def _recording_send(self, request, **kwargs):
    response = _original_send(self, request, **kwargs)
    try:
        RECORDER.record(response)
    except Exception as e:   # never break a test over the recording
        RECORDER._write({"kind": "recorder-error", "test":
                         RECORDER.current_test, "error": repr(e)})
    return response


if not getattr(requests.Session.send, "_contract_recorder", False):
    _recording_send._contract_recorder = True
    requests.Session.send = _recording_send


def pytest_sessionstart(session):
    RECORDER.start()


def pytest_sessionfinish(session, exitstatus):
    RECORDER.stop()


def pytest_runtest_setup(item):
    RECORDER.current_test = item.nodeid


def pytest_runtest_teardown(item):
    RECORDER.current_test = item.nodeid


def pytest_report_header(config):
    return "contract recorder: %s" % RECORDER.path


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("contract recorder: %d responses in %s"
                                % (RECORDER.count, RECORDER.path))
    if RECORDER.count and RECORDER.clobbered():
        terminalreporter.write_line(
            "contract recorder: WARNING: another test session started "
            "writing %s during this one, so it holds only part of this "
            "session's responses; set PORTAL_CONTRACT_RECORD to keep "
            "concurrent runs apart" % RECORDER.path, yellow=True)
