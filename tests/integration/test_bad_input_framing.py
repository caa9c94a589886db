"""Bad input below JSON, over raw sockets: request framing, header counts,
paths and slow bodies, as an attacker on the wire would send them.

Each rule is a test named after it:
- a request whose end two parsers could find in two places is refused
  with 400 and its connection closed, so nothing pipelined after it runs;
- more header fields than the server keeps is 431, never a silent cut;
- dot segments and empty segments in a path are refused (400), never
  routed to another path than a proxy in front would see;
- a body trickled past PORTAL_REQUEST_TIMEOUT_MS is cut with 408, and
  a handful of tricklers do not keep /healthz waiting.
"""
import socket
import tempfile
import threading
import time

import pytest

from conftest import assert_problem, start_portal
from matrix_helpers import parse_raw

# What follows each bad request on the same connection: a request that
# must never be answered (or run) once the bad one was refused.
PIPELINED = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

DEADLINE_MS = 800


@pytest.fixture(scope="module")
def slow_portal():
    """A portal with a short request deadline and few threads."""
    with tempfile.TemporaryDirectory(prefix="portal-slow-") as tmpdir:
        p = start_portal(tmpdir, {"PORTAL_REQUEST_TIMEOUT_MS":
                                  str(DEADLINE_MS), "PORTAL_THREADS": "4"})
        try:
            yield p
        finally:
            p.server.stop_and_check()


def read_until_closed(sock, limit=10.0):
    """Everything the server sends until it closes the connection; fails
    when it keeps the connection open past limit seconds."""
    sock.settimeout(limit)
    data = b""
    deadline = time.monotonic() + limit
    while True:
        try:
            got = sock.recv(65536)
        except ConnectionResetError:
            return data
        except socket.timeout:
            pytest.fail("connection still open after %.0fs; got %r" % (
                limit, data[:300]))
        if not got:
            return data
        data += got
        if time.monotonic() > deadline:
            pytest.fail("connection still open after %.0fs" % limit)


def answers(data):
    """The status lines of every HTTP answer in data."""
    return [line for line in data.split(b"\r\n")
            if line.startswith(b"HTTP/1.")]


def exchange(port, payload, limit=10.0):
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as s:
        s.sendall(payload)
        return read_until_closed(s, limit)


def post_head(path, token, extra):
    return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            % (path, token)).encode() + extra + b"\r\n"


FRAMINGS = {
    "Content-Length and Transfer-Encoding":
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
    "Transfer-Encoding and Content-Length":
        b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
    "two Content-Lengths": b"Content-Length: 4\r\nContent-Length: 4\r\n",
    "Content-Length +4": b"Content-Length: +4\r\n",
    "Content-Length 4abc": b"Content-Length: 4abc\r\n",
    "Content-Length 4, 25": b"Content-Length: 4, 25\r\n",
    "Content-Length 4, 4": b"Content-Length: 4, 4\r\n",
    "Content-Length -0": b"Content-Length: -0\r\n",
    "Content-Length in hex": b"Content-Length: 0x4\r\n",
    "unknown transfer coding": b"Transfer-Encoding: gzip\r\n",
    "two transfer codings": b"Transfer-Encoding: gzip, chunked\r\n",
    "two Transfer-Encodings":
        b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
}


@pytest.mark.parametrize("framing", sorted(FRAMINGS))
def test_ambiguous_framing_is_refused_and_closes_the_connection(
        portal, tokens, framing):
    """The 400 ends the connection: the request pipelined behind the bad
    one is never read as a request (request smuggling)."""
    cid_path = "/v1/clients/1/notify-accountants"
    payload = post_head(cid_path, tokens["admin"], FRAMINGS[framing])
    payload += b"{}\r\n" + PIPELINED
    data = exchange(portal.port, payload)
    got = answers(data)
    assert len(got) == 1, "answers on one connection: %r" % got
    r = parse_raw(data)
    assert r.status == 400, data[:500]
    assert_problem(r, 400)
    assert r.header("Connection").lower() == "close"


def test_a_payload_too_large_also_closes_the_connection(portal, tokens):
    """413 leaves the body unread: the connection ends with the answer,
    even when the whole body already sat in the server's buffer."""
    body = b"{" + b" " * 2000 + b"}"
    head = post_head("/v1/clients/1/notify-accountants", tokens["admin"],
                     b"Content-Length: %d\r\n" % len(body))
    env_max = int(portal.env.get("PORTAL_MAX_BODY", "1048576"))
    if len(body) <= env_max:
        # The default limit is far above this body: send one over it.
        big = env_max + 1
        data = exchange(portal.port, post_head(
            "/v1/clients/1/notify-accountants", tokens["admin"],
            b"Content-Length: %d\r\n" % big) + b"{}" + PIPELINED)
    else:
        data = exchange(portal.port, head + body + PIPELINED)
    assert len(answers(data)) == 1, answers(data)
    assert parse_raw(data).status == 413


def test_more_headers_than_the_server_keeps_is_431_never_a_cut(
        portal, tokens):
    """civetweb keeps 64 header fields and drops the rest unseen: an
    Authorization past them would vanish. The server refuses instead."""
    filler = b"".join(b"X-Filler-%d: %d\r\n" % (i, i) for i in range(70))
    payload = (b"GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n" + filler +
               b"Authorization: Bearer " + tokens["admin"].encode() +
               b"\r\n\r\n" + PIPELINED)
    data = exchange(portal.port, payload)
    assert len(answers(data)) == 1, answers(data)
    r = parse_raw(data)
    assert r.status == 431, data[:500]
    assert_problem(r, 431)
    # 63 fields are kept whole: answered as usual.
    filler = b"".join(b"X-Filler-%d: %d\r\n" % (i, i) for i in range(60))
    r = portal.raw(b"GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n" + filler +
                   b"Authorization: Bearer " + tokens["admin"].encode() +
                   b"\r\nConnection: close\r\n\r\n")
    assert r.status == 200, r.body[:300]


# Paths a proxy would route elsewhere than the server after cleaning.
DOT_PATHS = [
    "/v1/clients/../users",
    "/v1/./users",
    "/v1//users",
    "//v1/users",
    "/v1/users/.",
    "/v1/users/..",
    "/v1/clients/%2e%2e/users",
    "/v1/clients/%2E./users",
    "/v1/%2e/users",
]


@pytest.mark.parametrize("path", DOT_PATHS)
def test_dot_and_empty_path_segments_are_refused_not_rerouted(
        portal, tokens, path):
    r = portal.raw(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Authorization: Bearer %s\r\nConnection: close\r\n\r\n"
                    % (path, tokens["admin"])).encode())
    assert r.status == 400, (path, r.status, r.body[:300])
    assert_problem(r, 400, "malformed-request")


def test_dots_inside_a_segment_are_ordinary_characters(portal, tokens):
    """Only whole "." and ".." segments are refused: a name with dots in
    it is a path segment like any other (here an unknown one)."""
    r = portal.raw(("GET /v1/clients/...x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Authorization: Bearer %s\r\nConnection: close\r\n\r\n"
                    % tokens["admin"]).encode())
    assert r.status == 404, r.body[:300]


def trickle(port, token, step, stop, out):
    """Sends a POST's head, then its body one byte per step seconds;
    records (status, seconds from the head to the answer)."""
    head = post_head("/v1/clients/1/notify-accountants", token,
                     b"Content-Length: 200\r\n")
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head)
        s.settimeout(step)
        data = b""
        while not stop.is_set():
            try:
                got = s.recv(65536)
                if not got:
                    break
                data += got
                if b"\r\n\r\n" in data:
                    break
            except socket.timeout:
                try:
                    s.send(b" ")
                except OSError:
                    break
            except ConnectionResetError:
                break
        # What is left of the answer, then the end of the connection.
        try:
            s.settimeout(5)
            while True:
                got = s.recv(65536)
                if not got:
                    break
                data += got
        except OSError:
            pass
    out.append((parse_raw(data).status if data else None,
                time.monotonic() - t0))


def test_a_trickled_body_is_cut_at_the_deadline_with_408(slow_portal):
    p = slow_portal
    token = p.token("admin")
    out = []
    stop = threading.Event()
    # One byte every two seconds: civetweb's own timeout, reset by each
    # byte, would wait 200 of them.
    t = threading.Thread(target=trickle, args=(p.port, token, 2.0, stop,
                                               out))
    t.start()
    t.join(30)
    stop.set()
    assert out, "the trickling client never finished"
    status, secs = out[0]
    assert status == 408, out
    assert secs < DEADLINE_MS / 1000 + 2.5, out


def test_trickling_connections_leave_healthz_answering_within_a_second(
        slow_portal):
    """As many trickling clients as the server has threads: each is cut
    at the deadline, so /healthz waits less than a second."""
    p = slow_portal
    token = p.token("admin")
    out = []
    stop = threading.Event()
    threads = [threading.Thread(target=trickle, args=(p.port, token, 0.1,
                                                      stop, out))
               for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)     # every trickler holds a thread by now
        t0 = time.monotonic()
        r = p.raw(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Connection: close\r\n\r\n", timeout=15)
        waited = time.monotonic() - t0
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert r.status == 200
    assert waited < 1.0, "healthz waited %.2fs behind tricklers" % waited
    assert all(st == 408 for st, _ in out), out
