#!/usr/bin/python3
"""The benchmark's cluster section, appended to OUT/results.md and printed:
the plain list, details and the preference PUT on PostgreSQL through nginx
(scripts/nginx/portal.conf) in front of one and of three portal-api
processes, beside nginx alone answering as many bytes and portal-api
without nginx, all from the same run (scripts/bench's run_cluster).

    bench-cluster-report.py OUT
"""
import importlib.machinery
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
report = importlib.machinery.SourceFileLoader(
    "bench_report", os.path.join(HERE, "bench-report.py")).load_module()

# (name, file of the run without nginx, label)
RUNS = [
    ("all", "wrk-all.txt", "`GET /v1/clients?tab=all` (list, by cursor)"),
    ("details", "wrk-route-details.txt", "`GET /v1/clients/{id}` (details)"),
    ("pref-put", "wrk-route-pref-put.txt",
     "`PUT /v1/clients/{id}/notification-preference`"),
]


def section(out):
    pg = os.path.join(out, "pg")
    lines, errors = [], []
    w = lines.append
    w("")
    w("## Benchmark: a cluster behind nginx (PostgreSQL)")
    w("")
    w("nginx with scripts/nginx/portal.conf in front of the portal-api of "
      "the PostgreSQL runs above, then of it and two more processes like "
      "it on the same database (each with its own pool); the same wrk "
      "settings; nginx alone answering as many bytes from a file (a "
      "`return` for the PUT) is these runs' baseline. All on the same two "
      "CPUs as the load generator and PostgreSQL.")
    w("")
    w("| workload | nginx alone req/s | portal-api alone req/s "
      "| 1 process behind nginx: req/s | ratio to nginx alone | p99 "
      "| 3 processes: req/s | ratio | p99 | failed requests |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
      "| ---: |")
    for name, direct, label in RUNS:
        p = {ph: report.parse_wrk(os.path.join(
            pg, f"wrk-cluster-{ph}-{name}.txt"))
             for ph in ("static", "one", "three")}
        d = report.parse_wrk(os.path.join(pg, direct))
        s = p["static"]["rps"]
        bad = report.failed(p["one"]) + report.failed(p["three"])
        if bad:
            errors.append(f"cluster {name}: {bad} failed requests")
        w(f"| {label} | {s:,.0f} | {d['rps']:,.0f} "
          f"| {p['one']['rps']:,.0f} "
          f"| {p['one']['rps'] / s if s else 0:.1%} "
          f"| {report.fmt_ms(p['one']['p99'])} "
          f"| {p['three']['rps']:,.0f} "
          f"| {p['three']['rps'] / s if s else 0:.1%} "
          f"| {report.fmt_ms(p['three']['p99'])} | {bad} |")
    if errors:
        w("")
        w("Errors: " + "; ".join(errors))
    return lines, errors


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    lines, errors = section(sys.argv[1])
    text = "\n".join(lines) + "\n"
    with open(os.path.join(sys.argv[1], "results.md"), "a",
              encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
