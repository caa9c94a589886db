#!/usr/bin/python3
"""Helpers of scripts/bench-digest (run with Debian's /usr/bin/python3).

  digest_bench.py ready FILE SECONDS
      Waits until FILE (the SMTP server's standard output) says "ready".
  digest_bench.py cpu PID
      Prints the CPU seconds (user + system) process PID has used so far.
  digest_bench.py check MAILDIR FIRST LAST
      Checks that messages FIRST..LAST of the SMTP test server's MAILDIR
      all arrived (.eml and .json) and prints "messages=N connections=C
      bytes=B" (C distinct connection numbers, B mean message size).
  digest_bench.py baseline HOST PORT MAILDIR FIRST LAST OUT
      The delivery baseline: replays messages FIRST..LAST of MAILDIR, the
      worker's own messages with their envelopes, to the same server over
      one smtplib connection, and writes "seconds=S messages=N" to OUT.
      What the worker's rate is compared against: the same server and the
      same bytes, with no database and no MIME rendering.
  digest_bench.py db DB
      Prints the digests and outbox rows by status, read-only.
  digest_bench.py requeue DB AT
      Queues every sent message again, due at AT (Unix seconds), so that
      a pass with several SMTP connections delivers the same messages.
  digest_bench.py payloads DB OUT
      Writes the outbox's payloads to OUT, one JSON per line, for the
      rendering yardstick (tests/bench/render_mail.c).
  digest_bench.py token DB SECRET
      Prints a token (HS256, an hour) of the first bookkeeper of DB, for
      the API's list at a fixed load during the pass.
  digest_bench.py p99 WRK_OUT
      Prints "requests_per_second p50_ms p99_ms" of a wrk --latency run.
  digest_bench.py report RUN_FILE OUT_MD
      Reads the key=value lines scripts/bench-digest wrote, writes the
      markdown report and prints it.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import smtplib
import sqlite3
import sys
import time
from pathlib import Path


def cmd_ready(path, seconds):
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        try:
            if "ready" in Path(path).read_text():
                return 0
        except OSError:
            pass
        time.sleep(0.05)
    print("digest_bench: the SMTP server did not start", file=sys.stderr)
    return 1


def cmd_cpu(pid):
    # Fields after the command name; utime and stime are the 14th and 15th
    # of the whole line, in clock ticks.
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])
    print(f"{ticks / os.sysconf('SC_CLK_TCK'):.2f}")
    return 0


def envelope(maildir, n):
    return json.loads((Path(maildir) / f"{n}.json").read_text())


def cmd_check(maildir, first, last):
    first, last = int(first), int(last)
    conns, total, missing = set(), 0, []
    for n in range(first, last + 1):
        eml = Path(maildir) / f"{n}.eml"
        meta = Path(maildir) / f"{n}.json"
        if not eml.exists() or not meta.exists():
            missing.append(n)
            continue
        conns.add(envelope(maildir, n)["connection"])
        total += eml.stat().st_size
    count = last - first + 1 - len(missing)
    if missing:
        print(f"digest_bench: {len(missing)} messages missing from "
              f"{maildir} (first {missing[0]})", file=sys.stderr)
    print(f"messages={count} connections={len(conns)} "
          f"bytes={total // max(count, 1)}")
    return 1 if missing else 0


def cmd_baseline(host, port, maildir, first, last, out):
    msgs = []
    for n in range(int(first), int(last) + 1):
        env = envelope(maildir, n)
        raw = (Path(maildir) / f"{n}.eml").read_bytes()
        msgs.append((env["mail_from"], env["rcpt_tos"], raw))
    with smtplib.SMTP(host, int(port), timeout=30) as s:
        s.ehlo("bench.local")
        t0 = time.monotonic()
        for mail_from, rcpts, raw in msgs:
            refused = s.sendmail(mail_from, rcpts, raw)
            if refused:
                raise SystemExit(f"digest_bench: refused {refused}")
        seconds = time.monotonic() - t0
    Path(out).write_text(f"seconds={seconds:.3f} messages={len(msgs)}\n")
    return 0


def cmd_db(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for table in ("digests", "outbox"):
        rows = con.execute(f"SELECT status, count(*) FROM {table} "
                           "GROUP BY status ORDER BY status").fetchall()
        print(f"{table}: " + ", ".join(f"{s} {n}" for s, n in rows))
    return 0


def cmd_requeue(db, at):
    con = sqlite3.connect(db, isolation_level=None)
    n = con.execute("UPDATE outbox SET status = 'queued', attempts = 0, "
                    "next_attempt_at = ?, sent_at = NULL "
                    "WHERE status = 'sent'", (int(at),)).rowcount
    con.close()
    print(f"requeued={n}")
    return 0


def cmd_payloads(db, out):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for (payload,) in con.execute("SELECT payload FROM outbox "
                                      "ORDER BY id"):
            f.write(json.dumps(json.loads(payload), ensure_ascii=False,
                               separators=(",", ":")) + "\n")
            n += 1
    con.close()
    print(f"payloads={n}")
    return 0


def fnum(x, digits=0):
    """1234567.8 -> '1,234,568' (digits after the point as asked)."""
    return f"{x:,.{digits}f}"


def cmd_report(run_file, out_md):
    v = {}
    for line in Path(run_file).read_text().splitlines():
        if "=" in line:
            k, _, val = line.partition("=")
            v[k.strip()] = val.strip()
    users = int(v["users"])
    written, skipped = int(v["p1_written"]), int(v["p1_skipped"])
    digest_ms = float(v["p1_digest_ms"])
    sent1, sent2 = int(v["p1_sent"]), int(v["p2_sent"])
    sent = sent1 + sent2
    deliver_ms = float(v["p1_deliver_ms"]) + float(v["p2_deliver_ms"])
    # The rate over one connection is pass 4's: the same messages queued
    # again and sent with nothing else running.
    sent4, ms4 = int(v["p4_sent"]), float(v["p4_deliver_ms"])
    rate = sent4 / (ms4 / 1000) if ms4 > 0 else 0.0
    base_n, base_s = int(v["base_messages"]), float(v["base_seconds"])
    base_rate = base_n / base_s if base_s > 0 else 0.0
    ratio = rate / base_rate if base_rate > 0 else 0.0
    sent3, ms3 = int(v["p3_sent"]), float(v["p3_deliver_ms"])
    rate3 = sent3 / (ms3 / 1000) if ms3 > 0 else 0.0
    ratio3 = rate3 / base_rate if base_rate > 0 else 0.0
    list_rows = []
    if v.get("list_alone") and v.get("list_during"):
        a_rps, _, a_p99 = v["list_alone"].split()
        d_rps, _, d_p99 = v["list_during"].split()
        list_rows = [
            ("API list at a fixed load (8 connections, a request every "
             f"{v['list_pace_ms']} ms each, {v['list_seconds']} s): p99 "
             "alone / during pass 1",
             f"{a_p99} ms / {d_p99} ms ({fnum(float(a_rps))} / "
             f"{fnum(float(d_rps))} requests/s; the pass wrote digests "
             f"for {fnum(digest_ms / 1000, 2)} s of the window)")]
    rows = [
        ("Subscribed users (bookkeepers, 3-5 clients each, weekly)",
         fnum(users)),
        ("Clients in the firm (all active)", fnum(int(v["clients"]))),
        ("Digests written / skipped (nothing outstanding)",
         f"{fnum(written)} / {fnum(skipped)}"),
        ("Digest writing, total", f"{fnum(digest_ms / 1000, 2)} s"),
        ("Digest writing, per user",
         f"{fnum(digest_ms / max(users, 1), 2)} ms"),
        ("Messages delivered", f"{fnum(sent)} ({fnum(sent1)} in pass 1, "
         f"{fnum(sent2)} in pass 2), all arrived as .eml, "
         f"{fnum(int(v['mail_bytes']))} bytes on average"),
        ("Delivery time, passes 1 and 2 (pass 1 shares the machine with "
         "the list's load for its first seconds)",
         f"{fnum(deliver_ms / 1000, 2)} s"),
        ("Pass 4: the same messages again, one connection, nothing else "
         "running", f"{fnum(sent4)} in {fnum(ms4 / 1000, 2)} s, "
         f"{fnum(rate, 1)} messages/s over {v['p4_connections']} "
         "connection"),
        ("Baseline: smtplib replays the same messages, one connection",
         f"{fnum(base_rate, 1)} messages/s ({fnum(base_n)} in "
         f"{fnum(base_s, 2)} s)"),
        ("Worker rate (pass 4) / baseline rate", f"{ratio:.2f}"),
        ("Worker CPU (user + sys) / wall, pass 4",
         f"{v['p4_cpu']} s / {v['p4_wall']} s"),
        ("SMTP server CPU: pass 4 / baseline",
         f"{v['p4_smtp_cpu']} s / {v['base_smtp_cpu']} s"),
        ("SMTP connections used", f"1 per pass that sent (pass 1: "
         f"{v['p1_connections']}, pass 2: {v['p2_connections']})"),
        (f"Pass 3: the same messages again, PORTAL_SMTP_CONNECTIONS="
         f"{v['p3_asked']}",
         f"{fnum(sent3)} in {fnum(ms3 / 1000, 2)} s, {fnum(rate3, 1)} "
         f"messages/s over {v['p3_connections']} connections; "
         f"{ratio3:.2f}× the baseline"),
        ("Worker CPU (user + sys) / wall, pass 3",
         f"{v['p3_cpu']} s / {v['p3_wall']} s"),
        ("SMTP server CPU, pass 3", f"{v['p3_smtp_cpu']} s"),
        ("Rendering alone (tests/bench/render_mail.c, the same payloads, "
         "one thread)", f"{fnum(int(v['render_per_second']))} messages/s, "
         f"{fnum(int(v['render_bytes']))} bytes on average"),
        ("Worker CPU (user + sys) / wall, pass 1",
         f"{v['p1_cpu']} s / {v['p1_wall']} s"),
        ("Worker's largest resident memory, pass 1 / pass 2",
         f"{v['p1_rss_mib']} MiB / {v['p2_rss_mib']} MiB"),
        ("Worker CPU (user + sys) / wall, pass 2",
         f"{v['p2_cpu']} s / {v['p2_wall']} s"),
        ("SMTP server CPU: passes 1 and 2 / baseline",
         f"{v['smtp_cpu']} s / {v['base_smtp_cpu']} s"),
    ] + list_rows
    out = ["# Digest benchmark", "",
           "Digest writing and SMTP delivery by the real `portal-worker "
           "--once` against the real SMTP test server "
           "(tests/integration/smtp_server.py, aiosmtpd) on loopback.", "",
           "| Measure | Value |", "|---|---|"]
    out += [f"| {k} | {val} |" for k, val in rows]
    out += ["",
            f"- Command: `{v['command']}`",
            f"- Date: {v['date']}",
            f"- Machine: {v['nproc']} CPUs ({v['cpu']}), {v['mem']} "
            f"memory, Linux {v['kernel']}; database on {v['fs']}; load "
            f"average {v['load']} before the run, {v['load_after']} after "
            f"(other work on the machine skews the figures)",
            f"- Versions: SQLite {v['sqlite']}, libcurl {v['curl']}, "
            f"Python {v['python']} with aiosmtpd {v['aiosmtpd']}",
            f"- Seeding (tests/bench/seed_digest.c through the store "
            f"functions): {v['seed_ms']} ms",
            f"- Pass 1: `portal-worker --once --now {v['now1']}` writes the "
            f"digests, then delivers the messages whose send time is not "
            f"after the pass's start ({fnum(sent1)}); pass 2: `--once "
            f"--now {v['now2']}` writes nothing new and delivers the rest. "
            f"Times are from the worker's own log line per pass "
            f"(CLOCK_MONOTONIC); the delivery rate is both passes' "
            f"messages over both passes' delivery time.",
            "- The baseline runs right after pass 2 against the same server "
            "process with the same bytes and envelopes, so the ratio is "
            "what the worker's own work per message (claiming and marking "
            "the outbox row, rendering MIME, libcurl) costs against what "
            "the Python server can take.",
            f"- Database after the run: {v['db_digests']}; {v['db_outbox']}",
            ""]
    text = "\n".join(out)
    Path(out_md).write_text(text)
    print(text)
    return 0


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cmd_token(db, secret):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    uid, partner = con.execute(
        "SELECT id, partner_id FROM users WHERE role = 'bookkeeper' "
        "AND active = 1 ORDER BY id LIMIT 1").fetchone()
    con.close()
    now = int(time.time())
    claims = {"iss": "partner-portal", "aud": "portal-api", "sub": str(uid),
              "partner_id": partner, "role": "bookkeeper", "iat": now,
              "exp": now + 3600}
    signing = "%s.%s" % (
        b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()),
        b64url(json.dumps(claims, separators=(",", ":")).encode()))
    sig = hmac.new(secret.encode(), signing.encode(), hashlib.sha256)
    print("%s.%s" % (signing, b64url(sig.digest())))
    return 0


def wrk_ms(text):
    m = re.match(r"([0-9.]+)(us|ms|s)$", text)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    return float(m.group(1)) * scale


def cmd_p99(path):
    text = Path(path).read_text()
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M).group(1)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
    bad = re.search(r"bad=([0-9]+)", text)
    if bad is None or bad.group(1) != "0":
        print("digest_bench: the list answered other than 200 in %s" % path,
              file=sys.stderr)
        return 1
    print("%s %.2f %.2f" % (rps, wrk_ms(p50), wrk_ms(p99)))
    return 0


def main(argv):
    cmds = {"ready": (cmd_ready, 2), "cpu": (cmd_cpu, 1),
            "check": (cmd_check, 3), "baseline": (cmd_baseline, 6),
            "db": (cmd_db, 1), "report": (cmd_report, 2),
            "requeue": (cmd_requeue, 2), "payloads": (cmd_payloads, 2),
            "token": (cmd_token, 2), "p99": (cmd_p99, 1)}
    if len(argv) < 2 or argv[1] not in cmds or \
            len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
