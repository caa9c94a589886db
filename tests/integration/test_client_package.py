"""`make client` (issue 15): the typed TypeScript client packed as an npm
package, installed from its tarball beside its one dependency, and the
README's integration script (scripts/client/example.mjs) run with it
against a real server: make a key, find a client by organisation number,
push a batch of expenses, read the events."""
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from clients_helpers import new_org_number
from conftest import REPO, start_portal

# Its subject is npm packaging and the example script, not our C
# code's memory; the calls it makes are run by other modules too.
pytestmark = pytest.mark.release_only("npm packaging")

CONTRACT = REPO / "tests" / "contract"
# A first run installs the npm packages of tests/contract.
TIMEOUT = 900


@pytest.fixture(scope="module")
def built():
    """The package as `make client` builds it, in a directory of the
    test's own (the suites of two backends run side by side)."""
    with tempfile.TemporaryDirectory(prefix="portal-client-") as d:
        out = subprocess.run(["sh", str(REPO / "scripts" / "client" /
                                        "build"), d],
                             capture_output=True, text=True, timeout=TIMEOUT)
        assert out.returncode == 0, out.stderr[-3000:]
        yield Path(d)


@pytest.fixture(scope="module")
def package(built):
    version = json.loads((built / "client" /
                          "package.json").read_text())["version"]
    tgz = built / ("partner-portal-client-%s.tgz" % version)
    assert tgz.exists()
    return tgz


def test_the_package_holds_its_types_and_code(built, package):
    with tarfile.open(package) as t:
        names = set(t.getnames())
    assert {"package/package.json", "package/index.js", "package/index.d.ts",
            "package/schema.d.ts", "package/README.md"} <= names
    meta = json.loads((built / "client" / "package.json").read_text())
    assert meta["name"] == "@partner-portal/client"
    assert meta["dependencies"] == {"openapi-fetch": "0.17.0"}
    schema = (built / "client" / "schema.d.ts").read_text()
    for path in ('"/v1/api-keys"', '"/v1/events"', '"/v1/balances"'):
        assert path in schema


def test_the_readme_script_runs_against_a_server(package):
    with tempfile.TemporaryDirectory(prefix="portal-sdk-") as tmpdir:
        os.makedirs(os.path.join(tmpdir, "portal"))
        p = start_portal(os.path.join(tmpdir, "portal"))
        try:
            admin = p.token("admin")
            org = new_org_number("SE")
            r = p.request("POST", "/v1/clients", p.token("integration"),
                          json={"name": "Skript AB", "org_number": org,
                                "status": "invitation"})
            assert r.status_code == 201, r.text
            app = os.path.join(tmpdir, "app")
            scoped = os.path.join(app, "node_modules", "@partner-portal")
            os.makedirs(scoped)
            # Installed as npm would: the tarball's package/ in place.
            with tarfile.open(package) as t:
                t.extractall(scoped)
            os.rename(os.path.join(scoped, "package"),
                      os.path.join(scoped, "client"))
            os.symlink(CONTRACT / "node_modules" / "openapi-fetch",
                       os.path.join(app, "node_modules", "openapi-fetch"))
            script = os.path.join(app, "sync.mjs")
            with open(REPO / "scripts" / "client" / "example.mjs") as src, \
                    open(script, "w") as dst:
                dst.write(src.read())
            env = dict(os.environ, BASE_URL=p.base_url, ADMIN_TOKEN=admin,
                       INTEGRATION_USER_ID=str(p.users["integration"]["id"]),
                       ORG_NUMBER=org[:6] + "-" + org[6:])
            out = subprocess.run(["node", script], cwd=app, env=env,
                                 capture_output=True, text=True, timeout=60)
            assert out.returncode == 0, out.stderr
            doc = json.loads(out.stdout)
            assert doc["client"] == r.json()["id"] and doc["created"] == 1
            assert doc["events"][-1] == "client.created", doc
        finally:
            p.server.stop_and_check()
