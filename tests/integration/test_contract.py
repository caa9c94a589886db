"""The route table of the binary and the paths of openapi.yaml agree:
every route is documented with its method, and nothing is documented that
the server does not serve."""
import os
import subprocess

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.environ.get("PORTAL_BIN_DIR", os.path.join(ROOT, "bin"))

METHODS = {"get", "put", "post", "patch", "delete"}


def _routes():
    out = subprocess.run([os.path.join(BIN, "portal-api"), "routes"],
                         check=True, capture_output=True, text=True).stdout
    return {tuple(line.split(" ", 1)) for line in out.splitlines() if line}


def _documented():
    with open(os.path.join(ROOT, "openapi.yaml"), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    found = set()
    for path, item in doc["paths"].items():
        for method in item:
            if method in METHODS:
                found.add((method.upper(), path))
    return found


def test_every_route_is_documented():
    missing = sorted(_routes() - _documented())
    assert not missing, "routes missing from openapi.yaml: %s" % missing


def test_nothing_documented_that_is_not_served():
    extra = sorted(_documented() - _routes())
    assert not extra, "openapi.yaml documents unknown routes: %s" % extra


def test_openapi_version_and_security():
    with open(os.path.join(ROOT, "openapi.yaml"), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    assert doc["openapi"].startswith("3.1")
    assert "bearerAuth" in doc["components"]["securitySchemes"]
