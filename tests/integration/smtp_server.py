#!/usr/bin/python3
"""A real SMTP server for the integration tests (aiosmtpd from Debian).

Every accepted message is stored as DIR/<n>.eml, the bytes exactly as
received (CRLF line ends, dot-stuffing undone), then DIR/<n>.json with the
envelope: {"mail_from", "rcpt_tos", "connection"}. The .json file is
written last, by rename, so a message is complete once it exists.
"connection" numbers the SMTP connections, so that a test can see several
messages arrive over one.

How it answers is read from DIR/mode before every RCPT and DATA, so a test
can change it while the server runs:
    ok        accept (also when the file is missing or empty)
    421       "421 4.3.0 ..." to RCPT, then close the connection
    550       "550 5.1.1 ..." to RCPT
    421-data  accept RCPT, answer the message body with 421 and close
    550-data  accept RCPT, answer the message body with 554

As a program:
    python3 tests/integration/smtp_server.py --port N --dir DIR
prints "ready" on standard output once it listens, and runs until SIGTERM
or SIGINT. As a module:
    with SmtpServer(DIR) as server:   # port 0 picks a free port
        ... server.port ...
"""
import argparse
import asyncio
import json
import os
import signal
import sys
import threading
from pathlib import Path

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    # Debian's python3-aiosmtpd is pure Python; an interpreter of the same
    # version installed elsewhere (pyenv) can load it from Debian's path.
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.smtp import SMTP

MODES = ("ok", "421", "550", "421-data", "550-data")


def read_mode(directory):
    """The current mode; anything unknown is treated as "ok"."""
    try:
        mode = (Path(directory) / "mode").read_text().strip()
    except OSError:
        return "ok"
    return mode if mode in MODES else "ok"


def set_mode(directory, mode):
    """Switches the answers of a running server (see MODES)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    path = Path(directory) / "mode"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(mode + "\n")
    os.replace(tmp, path)


def messages(directory):
    """The stored messages, oldest first: [(envelope dict, bytes)]."""
    out = []
    for meta in sorted(Path(directory).glob("*.json"),
                       key=lambda p: int(p.stem)):
        eml = meta.with_suffix(".eml")
        out.append((json.loads(meta.read_text()), eml.read_bytes()))
    return out


class _Handler:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.lock = threading.Lock()
        self.connections = 0
        existing = [int(p.stem) for p in self.directory.glob("*.json")
                    if p.stem.isdigit()]
        self.next = max(existing, default=0) + 1

    @staticmethod
    def _close_soon(server):
        # After the reply is written: transports flush before closing.
        asyncio.get_running_loop().call_soon(server.transport.close)

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        if getattr(session, "connection_no", None) is None:
            with self.lock:
                self.connections += 1
                session.connection_no = self.connections
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        if getattr(session, "connection_no", None) is None:
            with self.lock:
                self.connections += 1
                session.connection_no = self.connections
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        mode = read_mode(self.directory)
        if mode == "421":
            self._close_soon(server)
            return "421 4.3.0 Service not available, try again later"
        if mode == "550":
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mode = read_mode(self.directory)
        if mode == "421-data":
            self._close_soon(server)
            return "421 4.3.0 Service not available, try again later"
        if mode == "550-data":
            return "554 5.6.0 Message rejected"
        with self.lock:
            n = self.next
            self.next += 1
        eml = self.directory / f"{n}.eml"
        meta = self.directory / f"{n}.json"
        eml.write_bytes(envelope.original_content)
        tmp = self.directory / f"{n}.json.tmp"
        tmp.write_text(json.dumps({
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "connection": getattr(session, "connection_no", 0),
        }))
        os.replace(tmp, meta)
        return f"250 2.0.0 Ok: queued as {n}"


class SmtpServer:
    """The server on its own thread and event loop; start() and stop(),
    or a with block. port=0 takes a free port, read back from .port."""

    def __init__(self, directory, port=0, host="127.0.0.1"):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.port = port
        self._loop = None
        self._server = None
        self._thread = None
        self._error = None

    # The aiosmtpd handler class; a subclass may answer differently.
    handler_class = _Handler

    def start(self):
        ready = threading.Event()
        handler = self.handler_class(self.directory)

        def run():
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                # No command limit: a batch sends many MAILs per session.
                self._server = loop.run_until_complete(loop.create_server(
                    lambda: SMTP(handler, hostname="smtp-test.local",
                                 data_size_limit=64 * 1024 * 1024,
                                 command_call_limit=None),
                    self.host, self.port))
                self.port = self._server.sockets[0].getsockname()[1]
            except Exception as e:  # reported by start()
                self._error = e
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            self._server.close()
            try:
                # Newer Pythons wait here for open client connections.
                loop.run_until_complete(
                    asyncio.wait_for(self._server.wait_closed(), 5))
            except asyncio.TimeoutError:
                pass
            loop.close()

        self._thread = threading.Thread(target=run, name="smtp-server",
                                        daemon=True)
        self._thread.start()
        ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def stop(self):
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None

    def set_mode(self, mode):
        set_mode(self.directory, mode)

    def messages(self):
        return messages(self.directory)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    server = SmtpServer(args.dir, args.port, args.host).start()
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    print(f"listening on {args.host}:{server.port}", file=sys.stderr)
    print("ready", flush=True)
    while not done.wait(1):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
