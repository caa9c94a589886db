"""The TypeScript client a frontend team would write on day one: types
generated from openapi.yaml with openapi-typescript, calls through
openapi-fetch, `tsc --noEmit` in strict mode, then one whole flow against
a real server (tests/contract/typed-client, tests/contract/client/flow.ts):
log in as an admin, read the client's details, list the `all` tab with a
search and a sort, read the tabs, set a notification preference, notify
the accountants with an Idempotency-Key and read the reminder back.

The firm is built through the API as tests/test_reminders.py builds it:
an admin invites a client, the integration approves its verification
(it becomes active), and a bookkeeper is assigned."""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import REPO, start_portal

# Its subject is the TypeScript client and its toolchain, not our C
# code's memory; the server's answers it reads are the others' too.
pytestmark = pytest.mark.release_only("the TypeScript client's build")

SCRIPT = REPO / "tests" / "contract" / "typed-client"
# A first run installs the npm packages of tests/contract.
TIMEOUT = 900


@pytest.fixture(scope="module")
def firm():
    with tempfile.TemporaryDirectory(prefix="portal-typed-") as tmpdir:
        p = start_portal(tmpdir)
        try:
            admin = p.token("admin")
            integ = p.token("integration")

            def call(method, path, token, body=None, status=(200, 201)):
                r = p.request(method, path, token, json=body)
                assert r.status_code in status, (method, path, r.text)
                return r.json() if r.content else None

            c = call("POST", "/v1/clients", admin, {
                "name": "Öresund Snickeri AB", "org_number": "5561234567",
                "contact_email": "ekonomi@oresund.example"})
            call("POST", "/v1/clients/%d/verification" % c["id"], integ,
                 {"result": "approved"})
            # Another active client, so that the search has something to
            # leave out.
            other = call("POST", "/v1/clients", admin, {
                "name": "Bergström Måleri AB", "org_number": "5567654321",
                "contact_email": "ekonomi@bergstrom.example"})
            call("POST", "/v1/clients/%d/verification" % other["id"], integ,
                 {"result": "approved"})
            call("POST", "/v1/clients/%d/expenses" % c["id"], integ, {
                "expenses": [{
                    "external_id": "tx-%d" % i, "amount_minor": 12500,
                    "currency": "SEK", "spent_at": "2026-10-01T08:00:00Z",
                    "merchant": "Byggmax",
                    "receipt_status": "missing" if i else "attached",
                    "export_status": "ready" if i else "pending"}
                    for i in range(3)]})
            bk = p.create_user(admin, role="bookkeeper", name="Bea Bokförare")
            call("POST", "/v1/clients/%d/assignees" % c["id"], admin,
                 {"user_id": bk["id"]})
            yield p, c["id"]
        finally:
            p.server.stop_and_check()


def test_typed_client_flow(firm):
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the typed client flow needs "
                    "Node.js (and npm for its first install)")
    p, client_id = firm
    admin = p.users["admin"]
    env = dict(os.environ)
    env.update({"BASE_URL": p.base_url, "EMAIL": admin["email"],
                "PASSWORD": admin["password"], "CLIENT_ID": str(client_id)})
    proc = subprocess.run(["sh", str(SCRIPT)], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=TIMEOUT)
    out = proc.stdout + proc.stderr
    print(out[-20000:])
    assert proc.returncode == 0, "typed client flow failed (exit %d):\n%s" \
        % (proc.returncode, out[-20000:])
    assert "typed-client: flow passed" in proc.stdout, out[-20000:]
