"""The cluster of scripts/cluster for the tests: nginx in front of several
portal-api processes and workers on one PostgreSQL, each a real process.

`Cluster` starts the script in a directory of the test's, waits for its
cluster.env, and stops it with SIGTERM (the script stops every process
and removes the directory). `Load` is a steady mix of reads and writes
through nginx from a few threads, recording every answer, each
acknowledged write, and when each failure happened.
"""
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import requests

from conftest import (BIN_DIR, REPO, ServerProcess, free_port,
                      sanitizer_report)

START_TIMEOUT = 180     # the database, seeding and the first worker pass
STOP_TIMEOUT = 60


def _read_env(path):
    env = {}
    for line in path.read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            env[k] = shlex.split(v)[0] if v else ""
    return env


class Cluster:
    def __init__(self, tmpdir, apis=3, workers=2, extra_env=None):
        # The database runs as postgres when we are root: it must reach in.
        os.chmod(tmpdir, 0o711)
        self.dir = Path(tmpdir) / "cluster"
        self.log_path = Path(tmpdir) / "cluster.log"
        self.port = free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PORTAL_")}
        env.update({
            "CLUSTER_DIR": str(self.dir),
            "CLUSTER_APIS": str(apis),
            "CLUSTER_WORKERS": str(workers),
            "CLUSTER_LISTEN": "127.0.0.1:%d" % self.port,
            "PORTAL_BIN": str(BIN_DIR),
            # No mail server: the tests here are about the API.
            "PORTAL_SMTP_URL": "smtp://127.0.0.1:%d" % free_port(),
            "PORTAL_LOG_LEVEL": "info",
            # The logs stay for sanitizer_reports() after the stop.
            "CLUSTER_KEEP": "1",
        })
        env.update(extra_env or {})
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(["sh", str(REPO / "scripts" / "cluster")],
                                     env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)
        self._wait_ready()
        self.url = self.env["CLUSTER_URL"]
        self.db = self.env["CLUSTER_DB"]
        self.api_pids = [int(p) for p in self.env["CLUSTER_API_PIDS"].split()]
        self.api_ports = [int(p) for p in
                          self.env["CLUSTER_API_PORTS"].split()]
        self.worker_pids = [int(p) for p in
                            self.env["CLUSTER_WORKER_PIDS"].split()]
        self.replacements = []      # ServerProcess the test started

    def _wait_ready(self):
        marker = self.dir / "cluster.env"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("scripts/cluster exited with %s:\n%s" % (
                    self.proc.returncode, self.log_text()))
            if marker.exists() and "CLUSTER_NGINX_PID" in marker.read_text():
                self.env = _read_env(marker)
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the cluster did not start in %ss:\n%s"
                           % (START_TIMEOUT, self.log_text()))

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def sanitizer_reports(self):
        """The sanitizer reports in the processes' logs, by log."""
        found = {}
        for log in sorted(self.dir.glob("*.log")):
            report = sanitizer_report(log.read_text(errors="replace"))
            if report:
                found[log.name] = report
        return found

    def nginx_log(self):
        try:
            return (self.dir / "nginx-error.log").read_text(errors="replace")
        except OSError:
            return ""

    def api_log(self, n):
        """The log of API process n (1-based)."""
        return (self.dir / ("api-%d.log" % n)).read_text(errors="replace")

    def api_env(self):
        """The environment the API processes share (api.env)."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PORTAL_")}
        for line in (self.dir / "api.env").read_text().splitlines():
            k, v = line[len("export "):].split("=", 1)
            env[k] = shlex.split(v)[0]
        return env

    def start_api(self, n, port):
        """A new API process n on port, as the script starts them, logging
        to the same file: its ServerProcess."""
        env = self.api_env()
        env["PORTAL_LISTEN"] = "127.0.0.1:%d" % port
        server = ServerProcess(env, self.dir / ("api-%d.log" % n)).start()
        self.replacements.append(server)
        return server.proc

    def stop(self):
        """SIGTERM to the script; its exit code. Every process stops and
        the directory goes."""
        # The script knows only the processes it started.
        for server in self.replacements:
            server.stop()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self._log.close()
        return rc


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Load:
    """threads clients, each looping through a read of the Clients list, a
    preference PUT and a new user (a write whose presence is checked
    after), through the cluster's address, until stop()."""

    PREFS = ({"email": True, "frequency": "daily"},
             {"email": True, "frequency": "weekly"},
             {"email": False, "frequency": "weekly"})

    def __init__(self, url, token, client_ids, threads=6):
        self.url, self.token, self.client_ids = url, token, client_ids
        self.lock = threading.Lock()
        self.answers = 0
        self.failures = []          # (monotonic time, what)
        self.users = []             # acknowledged: (id, email)
        self._stop = threading.Event()
        # Daemons: a failed test must not keep the run from ending.
        self._threads = [threading.Thread(target=self._run, args=(i,),
                                          daemon=True)
                         for i in range(threads)]

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)

    def _call(self, s, method, path, body=None):
        try:
            r = s.request(method, self.url + path, json=body, timeout=15,
                          headers={"Authorization": "Bearer " + self.token})
        except requests.RequestException as e:
            with self.lock:
                self.failures.append((time.monotonic(), "%s %s: %r"
                                      % (method, path, e)))
            return None
        with self.lock:
            self.answers += 1
            if r.status_code >= 300:
                self.failures.append((time.monotonic(), "%s %s: %d %s" % (
                    method, path, r.status_code, r.text[:200])))
        return r

    def _run(self, n):
        s = requests.Session()
        i = 0
        while not self._stop.is_set():
            i += 1
            cid = self.client_ids[(n * 7 + i) % len(self.client_ids)]
            self._call(s, "GET", "/v1/clients?tab=all&limit=20")
            self._call(s, "PUT", "/v1/clients/%d/notification-preference"
                       % cid, self.PREFS[i % len(self.PREFS)])
            email = "load-%s@alpha.test" % uuid.uuid4().hex[:16]
            r = self._call(s, "POST", "/v1/users", {
                "email": email, "name": "Load %d" % n, "role": "bookkeeper",
                "password": "pw-" + uuid.uuid4().hex[:12]})
            if r is not None and r.status_code == 201:
                with self.lock:
                    self.users.append((r.json()["id"], email))
