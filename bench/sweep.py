#!/usr/bin/env python3
"""The worker's sweep ([clocks]): how long it takes to check every open assignment's clocks.

Seeds a synthetic city whose orders are young (most still open: --orders over --days; the
default 160,000 over 10 days gives about 100,000 open assignments), then
times, with the release binary:

  1. `hotline worker --reschedule` on orders that have no timers yet (the first sweep after a
     bulk load or an upgrade: every open order's moments computed and written);
  2. the same again --repeat times (default 5), when the timers are already right: the sweep proper, every open order
     read (the columns its clocks depend on), its moments recomputed and their fingerprint
     compared with the one stored, nothing to write;
  3. one worker round (`hotline worker --once`): due moments claimed and acted on, up to the
     round's batch of 200.

The worker's ordinary rounds do not sweep at all: moments are stored with each change and a
round reads only those due, by index. Step 2 is what a periodic full check costs, and what the
issue's target (100,000 open assignments in under 2 s) is measured on.

    bench/sweep.py                             # SQLite and PostgreSQL, 160,000 orders over 10 days
    bench/sweep.py --databases sqlite --no-build
"""
import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the benchmark's build, PostgreSQL cluster and helpers)

OPEN = "('closed','archived')"
ACTIVE = "('completed','cancelled','returned')"


def hotline(binary, url, *args):
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "error", "HOTLINE_WORKER": "off"}
    t = time.perf_counter()
    out = subprocess.run([str(binary), *args], env=env, cwd=run.ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"hotline {' '.join(args)} failed")
    return out.stdout, wall


def counts(database, url, pg, name):
    q = {
        "openOrders": f"SELECT COUNT(*) FROM work_orders WHERE status NOT IN {OPEN}",
        "openAssignments": f"SELECT COUNT(*) FROM assignments a JOIN work_orders o ON o.id = a.work_order_id WHERE o.status NOT IN {OPEN} AND a.status NOT IN {ACTIVE}",
        "pendingTimers": "SELECT COUNT(*) FROM clock_timers WHERE state = 'pending'",
    }
    if database == "sqlite":
        c = sqlite3.connect(url[len("sqlite://"):])
        return {k: c.execute(v).fetchone()[0] for k, v in q.items()}
    return {k: int(pg.psql(name, v)) for k, v in q.items()}


def measure(binary, database, orders, days, pg, repeat):
    if database == "sqlite":
        path = run.WORK / f"sweep-{orders}.sqlite"
        for suffix in ["", "-wal", "-shm"]:
            Path(str(path) + suffix).unlink(missing_ok=True)
        url, name = f"sqlite://{path}", None
    else:
        name = f"hotline_sweep_{orders}"
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {name}")
        pg.psql("postgres", f"CREATE DATABASE {name}")
        url = pg.url(name)
    run.log(f"{database}: seeding {orders} orders over {days} days")
    hotline(binary, url, "migrate", "--yes")
    _, seed = hotline(binary, url, "seed", "--synthetic", str(orders), "--days", str(days))
    if database == "postgres":
        pg.psql(name, "VACUUM ANALYZE")
    before = counts(database, url, pg, name)
    result = {"database": database, "orders": orders, "days": days, "seedSeconds": round(seed, 1), **before}
    for step in ["firstSweep"] + [f"sweep{i}" for i in range(1, repeat + 1)]:
        out, wall = hotline(binary, url, "worker", "--reschedule")
        m = re.search(r"timers set for (\d+) open orders in ([0-9.e-]+) s \((\d+) mended\)", out)
        result[step + "Seconds"] = round(float(m.group(2)), 3)
        result[step + "Orders"] = int(m.group(1))
        result[step + "Mended"] = int(m.group(3))
        parts = re.search(r"read (\S+) seconds, compute (\S+) seconds, write (\S+) seconds", out)
        if parts:
            result[step + "Parts"] = {k: round(float(v), 3) for k, v in zip(["read", "compute", "write"], parts.groups())}
        run.log(f"{database}: {step}: {m.group(1)} open orders ({m.group(3)} mended) in {float(m.group(2)):.3f} s (process {wall:.2f} s; {result.get(step + 'Parts')})")
        if step == "firstSweep":
            result["pendingTimers"] = counts(database, url, pg, name)["pendingTimers"]
    sweeps = sorted(result[f"sweep{i}Seconds"] for i in range(1, repeat + 1))
    result["sweepSeconds"] = statistics.median(sweeps)
    result["sweepMaxSeconds"] = sweeps[-1]
    result["sweepMended"] = max(result[f"sweep{i}Mended"] for i in range(1, repeat + 1))
    out, _ = hotline(binary, url, "worker", "--once")
    m = re.search(r"worker: (\d+) timers taken, (\d+) obsolete, (\d+) sent, (\d+) failed in ([0-9.e-]+) s", out)
    result["roundTimers"] = int(m.group(1)) + int(m.group(2))
    result["roundMessages"] = int(m.group(3))
    result["roundSeconds"] = round(float(m.group(5)), 3)
    run.log(f"{database}: one round: {result['roundTimers']} timers, {result['roundMessages']} messages in {result['roundSeconds']} s")
    if database == "sqlite":
        for suffix in ["", "-wal", "-shm"]:
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {name}")
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--databases", default="sqlite,postgres")
    ap.add_argument("--orders", type=int, default=160_000)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5, help="sweeps timed once the timers are right; the median is reported")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--out", default=str(run.ROOT / "bench" / "results" / "sweep.json"))
    a = ap.parse_args()
    databases = a.databases.split(",")
    run.ensure_tools("postgres" in databases)
    binary = run.ROOT / ".build" / "release" / "hotline" if a.no_build else run.build()
    run.WORK.mkdir(parents=True, exist_ok=True)
    pg = None
    if "postgres" in databases:
        pg = run.Postgres()
        pg.start()
    results = [measure(binary, d, a.orders, a.days, pg, a.repeat) for d in databases]
    print()
    print(f"{'':34}" + "".join(f"{r['database']:>12}" for r in results))
    for label, key in [("open orders", "openOrders"), ("open assignments", "openAssignments"), ("pending timers after", "pendingTimers"),
                       ("first sweep s (writes timers)", "firstSweepSeconds"), ("  orders mended", "firstSweepMended"), ("sweep s (timers right), median", "sweepSeconds"),
                       ("sweep s, slowest", "sweepMaxSeconds"), ("  orders mended", "sweepMended"), ("one round s", "roundSeconds"), ("  timers in that round", "roundTimers")]:
        print(f"{label:34}" + "".join(f"{r[key]:>12}" for r in results))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    machine = {"cores": os.cpu_count(), "memGiB": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}
    Path(a.out).write_text(json.dumps({"machine": machine, "results": results}, indent=2, ensure_ascii=False))
    print(f"\nwritten to {a.out}")


if __name__ == "__main__":
    main()
