#!/usr/bin/env python3
"""Fault test of the worker ([clocks]): two `hotline serve` processes on one PostgreSQL with
many due actions; one is killed with SIGKILL mid-run. Then no action may be lost (every due
timer taken, the killed worker's claims taken over when their lease runs out) and none taken
twice (each timer's key on at most one timeline event; as many clock events as taken timers).

    python3 Tests/fault/worker_kill.py --binary .build/debug/hotline \\
        --admin-url postgres://postgres@127.0.0.1:54329/postgres

The admin URL names a server where a scratch database `hotline_worker_kill` may be created.
"""
import argparse
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLOCK_ACTIONS = ("autoRemind", "lateSign", "notifyLeader", "autoSupervise", "returnWindowClosed",
                 "sensitiveAlert", "dispatchOverdue", "callbackOverdue")


def psql(url, sql):
    out = subprocess.run(["psql", url, "-AtX", "-c", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "hotline"))
    ap.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:54329/postgres")
    ap.add_argument("--orders", type=int, default=10000)
    args = ap.parse_args()
    db = "hotline_worker_kill"
    url = args.admin_url.rsplit("/", 1)[0] + "/" + db
    psql(args.admin_url, f"DROP DATABASE IF EXISTS {db}")
    psql(args.admin_url, f"CREATE DATABASE {db}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="hotline-kill-"))
    env = {**os.environ, "DATABASE_URL": url, "HOTLINE_PASSWORD_COST": "4", "LOG_LEVEL": "warning",
           "HOTLINE_ATTACHMENTS_DIR": str(work / "attachments"), "HOTLINE_WORKER_INTERVAL": "0.2", "HOTLINE_WORKER_LEASE": "5"}

    def run(*a):
        subprocess.run([args.binary, *a], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)

    run("migrate", "--yes")
    run("seed", "--synthetic", str(args.orders), "--days", "60")
    run("worker", "--reschedule")
    due_sql = "SELECT COUNT(*) FROM clock_timers WHERE state = 'pending' AND due_at <= now()"
    due = int(psql(url, due_sql))
    print(f"{due} due timers over {args.orders} orders")
    assert due >= 1000, "too few due actions for the test to mean anything"

    procs = []
    for i, port in enumerate((18101, 18102)):
        log = open(work / f"server-{i}.log", "w")
        procs.append(subprocess.Popen([args.binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                                      stdout=log, stderr=subprocess.STDOUT))
    try:
        for port in (18101, 18102):
            deadline = time.time() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                    break
                except Exception:
                    assert time.time() < deadline, f"server on {port} did not start; logs in {work}"
                    time.sleep(0.2)
        # Kill one while both are taking timers.
        while int(psql(url, "SELECT COUNT(*) FROM clock_timers WHERE state <> 'pending'")) < due // 5:
            time.sleep(0.05)
        taken_before = int(psql(url, "SELECT COUNT(*) FROM clock_timers WHERE state <> 'pending'"))
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()
        print(f"killed one server with SIGKILL after {taken_before} of {due} timers were taken")
        deadline = time.time() + 300
        while int(psql(url, due_sql)) > 0:
            assert time.time() < deadline, f"due timers left after 300 s; logs in {work}"
            time.sleep(0.5)
        # Let the survivor deliver what the last timers queued.
        time.sleep(2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)

    done = int(psql(url, "SELECT COUNT(*) FROM clock_timers WHERE state = 'done'"))
    actions = ", ".join(f"'{a}'" for a in CLOCK_ACTIONS)
    events = int(psql(url, f"SELECT COUNT(*) FROM work_order_events WHERE action IN ({actions})"))
    twice = psql(url, "SELECT details->>'timer' FROM work_order_events WHERE details ? 'timer' "
                      "GROUP BY 1 HAVING COUNT(*) > 1 LIMIT 5")
    orphans = int(psql(url, "SELECT COUNT(*) FROM work_order_events e WHERE details ? 'timer' AND NOT EXISTS "
                            "(SELECT 1 FROM clock_timers t WHERE t.key = e.details->>'timer' AND t.state = 'done')"))
    undelivered = int(psql(url, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'"))
    messages = int(psql(url, "SELECT COUNT(*) FROM outbox"))
    print(f"timers taken: {done}; clock events: {events}; taken twice: {twice or 'none'}; events without a taken timer: {orphans}; "
          f"messages: {messages}, not sent: {undelivered}")
    assert not twice, f"timers acted on twice: {twice}"
    assert events == done and orphans == 0, "every clock event has exactly one taken timer"
    assert undelivered == 0, "every message was delivered"
    psql(args.admin_url, f"DROP DATABASE IF EXISTS {db}")
    print("worker kill test passed: nothing lost, nothing twice")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        sys.exit(f"worker kill test FAILED: {e}")
