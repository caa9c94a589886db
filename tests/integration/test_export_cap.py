"""A cap on CSV exports running at once (PORTAL_EXPORTS_MAX): an export
holds a request thread until its client has read it all, so clients that
start exports and do not read could otherwise take every thread. One over
the cap is answered 503 with Retry-After, and the slot comes back however
an export ends.

Holding an export open for sure: the export is larger than twice what
the kernel can buffer between the two ends (the server's send buffer
grows up to net.ipv4.tcp_wmem's maximum, 4 MB by default), and the
holding client shrinks its receive buffer before it connects and reads
only the status line, so the server blocks in its write. A write that
makes no progress fails after civetweb's timeout (PORTAL_REQUEST_TIMEOUT_MS
/ 4, at most 1 s, see api/server.c), after which the export ends and gives
its slot back: the checks made while an export is held come right after
its status line, and are bracketed by two refusals, so that a hold that
ended early fails the test instead of passing it."""
import concurrent.futures
import socket
import threading
import time

import pytest

from conftest import HTTP_TIMEOUT, assert_problem
from clients_helpers import Api, Firm, module_portal

# One export at a time.
srv = module_portal({"PORTAL_EXPORTS_MAX": "1"})

# Client and user names of 200 four-byte characters: about 33 kB a row
# with 40 assignees.
LONG = "\U0001D505" * 190
N_ASSIGNEES = 40


def kernel_send_buffer_max():
    """The most a socket's send buffer may grow to, in bytes."""
    with open("/proc/sys/net/ipv4/tcp_wmem") as f:
        tcp = int(f.read().split()[2])
    with open("/proc/sys/net/core/wmem_max") as f:
        core = int(f.read())
    return max(tcp, core)


@pytest.fixture(scope="module")
def api(srv):
    a = Api(srv)
    yield a
    a.close()


class Big:
    """A firm whose onboarding tab exports to more than the send buffer's
    maximum and a megabyte (a socket's buffer counts its data with some
    overhead: what it holds is less than its size). Made from a few
    threads, each on a connection of its own: the users' password hashes
    take most of the time."""

    def __init__(self, srv, api):
        f = self.firm = Firm(api, "sv")
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            people = list(pool.map(lambda i: f.user(
                "bookkeeper", "%s %02d" % (LONG, i)), range(N_ASSIGNEES)))
        self.want = kernel_send_buffer_max() + 1024 * 1024
        row = N_ASSIGNEES * (len(LONG.encode()) + 5) + len(LONG.encode())
        local, sessions = threading.local(), []

        def onboarding(i):
            if not hasattr(local, "api"):
                local.api = Api(srv)
                sessions.append(local.api)
            c = local.api.ok("POST", "/v1/clients", f.admin.token,
                             status=201, json={
                                 "name": "%s %04d" % (LONG, i),
                                 "org_number": f.org(),
                                 "contact_email": "k@%s.test" % f.tag})
            local.api.ok("PUT", "/v1/clients/%d/assignees" % c["id"],
                         f.admin.token, json={
                             "user_ids": [u.id for u in people]})
            return c
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            self.clients = list(pool.map(onboarding,
                                         range(self.want // row + 1)))
        for a in sessions:
            a.close()


@pytest.fixture(scope="module")
def big(srv, api):
    return Big(srv, api)


def export_request(token):
    return ("GET /v1/clients?tab=onboarding&format=csv HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
            % token).encode()


def hold(srv, token, attempts=10):
    """Starts an export and reads only its status line, from a socket
    whose receive buffer is as small as the kernel allows, set before
    connect (after it, the window is already agreed). An export whose
    client just left holds its slot until the server's write to it fails
    (within its 1 s write timeout): a 503 then is tried again, for up to
    about five seconds."""
    for _ in range(attempts - 1):
        try:
            return hold_once(srv, token)
        except AssertionError as e:
            if "503" not in str(e):
                raise
            time.sleep(0.5)
    return hold_once(srv, token)


def hold_once(srv, token):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.settimeout(HTTP_TIMEOUT)
    s.connect(("127.0.0.1", srv.port))
    s.sendall(export_request(token))
    got = b""
    while b"\r\n" not in got:
        chunk = s.recv(64)
        assert chunk, "the server closed the held export"
        got += chunk
    if not got.startswith(b"HTTP/1.1 200"):
        s.close()
        raise AssertionError(got)
    return s


def refused(r):
    doc = assert_problem(r, 503, "service-unavailable")
    assert r.headers.get("Retry-After", "").isdigit(), r.headers
    return doc


def export(api, token):
    return api.get("/v1/clients", token, params={"tab": "onboarding",
                                                 "format": "csv"})


def wait_for_export(api, token, seconds=HTTP_TIMEOUT):
    """The first export that is not refused, within seconds."""
    until = time.monotonic() + seconds
    while True:
        r = export(api, token)
        if r.status_code != 503 or time.monotonic() > until:
            return r
        time.sleep(0.1)


def test_the_export_is_larger_than_the_kernel_buffers(api, big):
    r = export(api, big.firm.admin.token)
    assert r.status_code == 200, r.text[:500]
    assert len(r.content) >= big.want, (len(r.content), big.want)


def test_one_over_the_cap_is_refused_while_one_is_held(srv, api, big):
    adm = big.firm.admin.token
    held = hold(srv, adm)
    try:
        doc = refused(export(api, adm))
        assert doc["title"] == "Too many exports"
        # Everything else still works.
        r = api.get("/v1/clients", adm, params={"tab": "onboarding",
                                                "limit": 5})
        assert r.status_code == 200 and len(r.json()["data"]) == 5
        assert api.get("/v1/clients/tabs", adm).status_code == 200
        assert api.get("/healthz", None).status_code == 200
        # A bad export is still a 400, as without the cap.
        r = api.get("/v1/clients", adm, params={"format": "csv",
                                                "limit": "5"})
        assert_problem(r, 400)
        # Accept: text/csv is an export too, another user's as well; and
        # the export is still held after all of the above.
        refused(api.get("/v1/clients", big.firm.integration.token,
                        params={"tab": "onboarding"},
                        headers={"Accept": "text/csv"}))
    finally:
        held.close()
    # The held export fails on its next write and gives its slot back.
    r = wait_for_export(api, adm)
    assert r.status_code == 200, r.text[:500]
    assert len(r.content) >= big.want


def test_every_ending_gives_the_slot_back(srv, api, big):
    adm = big.firm.admin.token
    # Finished, a HEAD, and a client that left after the first bytes.
    for _ in range(3):
        assert export(api, adm).status_code == 200
    r = api.call("HEAD", "/v1/clients", adm, params={
        "tab": "onboarding", "format": "csv"})
    assert r.status_code == 200
    for _ in range(3):
        hold(srv, adm).close()
        assert wait_for_export(api, adm).status_code == 200
    # Two held one after the other, each released by its close.
    for _ in range(2):
        held = hold(srv, adm)
        refused(export(api, adm))
        held.close()
        assert wait_for_export(api, adm).status_code == 200


def test_a_json_page_of_the_longest_rows_is_answered(api, big):
    """The same rows as a JSON page of the most a page holds: each row
    with its assignees, roles, actions and setting, a page of several
    megabytes."""
    r = api.get("/v1/clients", big.firm.admin.token,
                params={"tab": "onboarding", "limit": 200})
    assert r.status_code == 200, r.text[:500]
    rows = r.json()["data"]
    assert len(rows) == min(200, len(big.clients))
    assert all(len(row["assignees"]) == N_ASSIGNEES for row in rows)
    assert len(r.content) > 4 * 1024 * 1024, len(r.content)
