"""Liveness, readiness, the served contract and request ids."""
import re

import pytest

from conftest import REPO, assert_problem
from faults_helpers import wait_until

HEX_ID = re.compile(r"^[0-9a-f]{24}$")


def _common_headers(r):
    assert r.headers.get("X-Request-Id")
    assert r.headers.get("Cache-Control") == "no-store"
    assert r.headers.get("X-Content-Type-Options") == "nosniff"


def test_healthz(portal):
    r = portal.get("/healthz")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"status": "ok"}
    _common_headers(r)
    # A query string does not change the route.
    assert portal.get("/healthz?verbose=1").status_code == 200


def test_readyz(portal):
    r = portal.get("/readyz")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"status": "ready"}
    _common_headers(r)


def test_openapi_yaml(portal):
    r = portal.get("/openapi.yaml")
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == "application/yaml"
    assert int(r.headers["Content-Length"]) == len(r.content)
    _common_headers(r)
    repo_copy = (REPO / "openapi.yaml").read_bytes()
    if repo_copy:
        assert r.content == repo_copy, (
            "the served contract differs from openapi.yaml in the "
            "repository (a stale build?)")


def test_health_routes_need_no_token_and_ignore_bad_ones(portal):
    for path in ("/healthz", "/readyz", "/openapi.yaml"):
        r = portal.get(path, token="garbage")
        assert r.status_code == 200, (path, r.status_code)


@pytest.mark.parametrize("rid", ["abc-123_X.y", "a", "0" * 36,
                                 "3f2c8a1e-7b6d-4c2a-9e1f-0a1b2c3d4e5f"])
def test_safe_request_id_is_echoed(portal, rid):
    r = portal.get("/healthz", headers={"X-Request-Id": rid})
    assert r.headers.get("X-Request-Id") == rid
    # Errors echo it too.
    r = portal.get("/nope", headers={"X-Request-Id": rid})
    assert r.status_code == 404
    assert r.headers.get("X-Request-Id") == rid


def test_request_id_is_in_the_log(portal):
    rid = "log-check-4f1d2a"
    portal.get("/v1/me", headers={"X-Request-Id": rid})
    # The request's log line is written once the reply is out.
    wait_until(lambda: "req=%s" % rid in portal.server.log_text(), 5,
               "the request id in the log")


@pytest.mark.parametrize("rid", [
    "0" * 37,                               # too long
    "has space",
    "<script>alert(1)</script>",
    "a/b",
    "quote\"d",
    "semi;colon",
    "%0d%0aSet-Cookie:x=y",
    "\u00e5ke",
])
def test_unsafe_request_id_is_replaced(portal, rid):
    r = portal.get("/healthz", headers={"X-Request-Id": rid.encode("utf-8")})
    got = r.headers.get("X-Request-Id")
    assert got and got != rid
    assert HEX_ID.match(got), got
    assert "Set-Cookie" not in r.headers


def test_generated_request_ids_are_unique(portal):
    ids = {portal.get("/healthz").headers["X-Request-Id"] for _ in range(20)}
    assert len(ids) == 20
    assert all(HEX_ID.match(i) for i in ids)


def test_every_error_carries_a_request_id(portal):
    for r in (portal.get("/nope"), portal.get("/v1/me"),
              portal.request("DELETE", "/healthz"),
              portal.request("POST", "/v1/auth/token", data=b"{",
                             headers={"Content-Type": "application/json"})):
        assert_problem(r, r.status_code)
        assert r.headers.get("X-Request-Id")
