#!/usr/bin/env python3
"""The [scale] benchmark: builds `hotline` in release mode, seeds a synthetic city of each size
on each database, starts the server on loopback and drives it with wrk, then prints one table
and writes a JSON file. See docs/PERFORMANCE.md.

    bench/run                                  # SQLite and PostgreSQL at 100k and 1M orders
    bench/run --databases sqlite --sizes 100000 --duration 5 --repeat 1   # a quick look

Seeded databases are kept under bench/.work and reused while the schema and generator are
unchanged (--fresh reseeds). The load generator shares the machine's cores with the server and
the database, as the issue asks; figures are medians of --repeat runs.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
LUA = ROOT / "bench" / "wrk"
PG_PORT = 54330
HTTP_PORT = 18089
BASE = f"http://127.0.0.1:{HTTP_PORT}"
PASSWORD = "demo1234"


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def sh(cmd, **kw):
    log("$ " + (cmd if isinstance(cmd, str) else " ".join(map(str, cmd))))
    kw.setdefault("stdout", sys.stderr)  # stdout carries only the table
    return subprocess.run(cmd, check=True, shell=isinstance(cmd, str), **kw)


# ---------------------------------------------------------------- set-up

def ensure_tools(need_pg):
    missing = []
    if not shutil.which("wrk"):
        missing.append("wrk")
    if need_pg and not Path("/usr/lib/postgresql").exists():
        missing.append("postgresql")
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        sh(sudo + ["apt-get", "update", "-qq"])
        sh(sudo + ["apt-get", "install", "-y", "-qq"] + missing, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def build():
    sh(["swift", "build", "-c", "release", "--product", "hotline"], cwd=ROOT)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip()) / "hotline"


def pg_bin(name):
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0)
    return str(versions[-1] / "bin" / name)


class Postgres:
    """A private cluster on loopback with fsync on: durable commits, as production would run."""

    def __init__(self):
        self.dir = WORK / "pg"
        self.user = "postgres" if os.geteuid() == 0 else None

    def _as_pg(self, cmd):
        if self.user:
            return ["runuser", "-u", self.user, "--"] + cmd
        return cmd

    def start(self):
        if not (self.dir / "PG_VERSION").exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            if self.user:
                shutil.chown(self.dir, self.user, self.user)
            sh(self._as_pg([pg_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]))
            with open(self.dir / "postgresql.conf", "a") as f:
                f.write(
                    "\n# hotline benchmark (docs/PERFORMANCE.md)\n"
                    f"port = {PG_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                    "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
                    "shared_buffers = 1GB\neffective_cache_size = 8GB\nwork_mem = 16MB\nmaintenance_work_mem = 512MB\n"
                    "max_wal_size = 8GB\ncheckpoint_timeout = 15min\nrandom_page_cost = 1.1\nmax_connections = 100\n"
                )
        if subprocess.run(self._as_pg([pg_bin("pg_ctl"), "-D", str(self.dir), "status"]), capture_output=True).returncode != 0:
            sh(self._as_pg([pg_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.dir / "log.txt"), "-w", "start"]))

    def psql(self, db, sql):
        out = subprocess.run([pg_bin("psql"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", db, "-Atc", sql], capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{PG_PORT}/{db}"

    def files(self, db):
        """The data files of one database (its folder under base/, named by its oid)."""
        oid = self.psql("postgres", f"SELECT oid FROM pg_database WHERE datname = '{db}'")
        if not oid:
            return []
        folder = self.dir / "base" / oid
        try:
            return sorted(p for p in folder.iterdir() if p.is_file())
        except OSError:
            return []


def fingerprint():
    """Seeded databases are reused only while migrations and the generator are unchanged."""
    h = hashlib.sha256()
    for folder in ["Sources/HotlineApp/Migrations", "Sources/HotlineApp/Synthetic", "Sources/HotlineApp/Resources/synthetic"]:
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file():
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def prepare(binary, database, size, days, fresh, pg):
    """Returns (DATABASE_URL, seed report or None when reused)."""
    key = f"{database}-{size}-{days}-{fingerprint()}"
    marker = WORK / f"{database}-{size}.seeded"
    if database == "sqlite":
        path = WORK / f"hotline-{size}.sqlite"
        url = f"sqlite://{path}"
    else:
        name = f"hotline_{size}"
        url = pg.url(name)
    if not fresh and marker.exists() and json.loads(marker.read_text()).get("key") == key:
        return url, json.loads(marker.read_text())["seed"]
    if database == "sqlite":
        for suffix in ["", "-wal", "-shm"]:
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {name}")
        pg.psql("postgres", f"CREATE DATABASE {name}")
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "warning"}
    sh([str(binary), "migrate", "--yes"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    t0 = time.time()
    out = subprocess.run([str(binary), "seed", "--synthetic", str(size), "--days", str(days)], env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.time() - t0
    sys.stderr.write(out.stdout[-2000:])
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"seeding {database} {size} failed")
    if database == "postgres":
        # The visibility map lets counts run as index-only scans; a real system gets it from autovacuum.
        t1 = time.time()
        pg.psql(f"hotline_{size}", "VACUUM (ANALYZE)")
        vacuum = time.time() - t1
    else:
        vacuum = 0.0
    seed = {"seconds": round(seconds, 1), "vacuumSeconds": round(vacuum, 1), "output": out.stdout.strip().splitlines()[-2:]}
    marker.write_text(json.dumps({"key": key, "seed": seed}))
    return url, seed


def working_copy(database, size, pg):
    """A fresh copy of the seeded database for one benchmark run: the scenarios write (intakes,
    dispatches, feedback), and every run, and every rerun, must start from the same state."""
    if database == "sqlite":
        src = WORK / f"hotline-{size}.sqlite"
        dst = WORK / f"run-{size}.sqlite"
        for suffix in ["", "-wal", "-shm"]:
            Path(str(dst) + suffix).unlink(missing_ok=True)
        for suffix in ["", "-wal"]:
            if Path(str(src) + suffix).exists():
                shutil.copyfile(str(src) + suffix, str(dst) + suffix)
        # Flush the copy before measuring: gigabytes of dirty pages written back during the
        # first scenarios made every fsync wait (intake p99 at 1 client rose tenfold).
        os.sync()
        settle_cache([Path(str(src) + s) for s in ["", "-wal"]], [Path(str(dst) + s) for s in ["", "-wal"]])
        return f"sqlite://{dst}"
    name = f"run_{size}"
    pg.psql("postgres", f"DROP DATABASE IF EXISTS {name}")
    # FILE_COPY copies the files as they are; PostgreSQL 15's default (WAL_LOG) also writes the
    # whole copy through the WAL (7 GB at 1M), which lands in the page cache beside it.
    pg.psql("postgres", f"CREATE DATABASE {name} TEMPLATE hotline_{size} STRATEGY = FILE_COPY")
    pg.psql(name, "CHECKPOINT")
    os.sync()
    settle_cache(pg.files(f"hotline_{size}"), pg.files(name))
    return pg.url(name)


def settle_cache(template, copy):
    """Leaves the page cache as a server that has been running would find it: the copy cached,
    the template it came from not. Copying a 7.6 GB database fills the cache with both, and the
    kernel then evicted pages of the copy the scenarios needed, at random: the same SQLite 1M
    intake ran at 370 orders/s with pages read from disk and at 470-610/s once they were cached.
    Files that cannot be read (another user's cluster) are left as they are."""
    for path in template:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    for path in copy:
        try:
            with open(path, "rb", buffering=0) as f:
                while f.read(16 << 20):
                    pass
        except OSError:
            continue


def db_size(database, url, pg, size):
    if database == "sqlite":
        path = url[len("sqlite://"):]
        return sum(Path(path + s).stat().st_size for s in ["", "-wal"] if Path(path + s).exists())
    return int(pg.psql(f"hotline_{size}", "SELECT pg_database_size(current_database())"))


# ---------------------------------------------------------------- HTTP helpers

def call(method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read()[:500]!r}")


def login(username):
    return call("POST", "/api/v1/sessions", body={"username": username, "password": PASSWORD})["token"]


class Server:
    def __init__(self, binary, url):
        self.binary, self.url, self.proc = binary, url, None

    def __enter__(self):
        env = {**os.environ, "DATABASE_URL": self.url, "LOG_LEVEL": "warning"}
        self.proc = subprocess.Popen([str(self.binary), "serve", "--hostname", "127.0.0.1", "--port", str(HTTP_PORT)], env=env, cwd=ROOT)
        for _ in range(600):
            try:
                urllib.request.urlopen(BASE + "/health", timeout=1).read()
                return self
            except Exception:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def peak_rss_mb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return None

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------- wrk

def wrk(script, lines, token, clients, duration, once=False):
    threads = 1 if clients == 1 else 2
    lines_file = WORK / "lines.txt"
    lines_file.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_LINES": str(lines_file), "BENCH_LUA": str(LUA),
           "BENCH_THREADS": str(threads), "BENCH_ONCE": "1" if once else "0"}
    cmd = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s", "-s", str(LUA / script), BASE]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            r = json.loads(line[len("BENCH_JSON "):])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0
            return r
    raise SystemExit("wrk failed:\n" + out.stdout + out.stderr)


def median_of(runs):
    keys = ["rps", "p50_us", "p95_us", "p99_us"]
    m = {k: statistics.median(r[k] for r in runs) for k in keys}
    m["requests"] = sum(r["requests"] for r in runs)
    m["errors"] = sum(sum(r["errors"].values()) for r in runs)
    m["runs"] = [{k: r[k] for k in keys} for r in runs]
    return m


# ---------------------------------------------------------------- scenarios

TITLES = ["路灯不亮", "工地夜间施工噪音扰民", "小区垃圾清运不及时", "暖气不热室温过低", "公司拖欠工资", "占道经营影响通行"]


def intake_bodies(n=500):
    out = []
    rnd = random.Random(7)
    for i in range(n):
        t = TITLES[i % len(TITLES)]
        body = {
            "channel": "phone", "requestType": "complaint", "categoryCode": "010101", "title": t,
            "elements": {"time": "昨天晚上", "place": {"address": f"朝阳区建外街道建国路{rnd.randint(1, 300)}号", "divisionCode": "110105"},
                         "people": "来电人及周边居民", "matter": f"市民来电反映: {t}, 已持续多日, 影响周边居民正常生活。",
                         "course": "曾向物业反映, 未见处理", "wantedOutcome": "希望尽快处理"},
            "citizen": {"name": "张先生", "phone": f"139{rnd.randint(0, 99999999):08d}", "wantsSecrecy": i % 5 == 0,
                        "anonymous": False, "consentsToDisclosure": False},
        }
        out.append("/api/v1/work-orders\t" + json.dumps(body, ensure_ascii=False))
    return out


def pages(path, token, want, per=100):
    items, page = [], 1
    while len(items) < want:
        sep = "&" if "?" in path else "?"
        r = call("GET", f"{path}{sep}page={page}&per={per}", token)
        if not r["items"]:
            break
        items += r["items"]
        page += 1
    return items[:want]


def run_scenarios(database, size, duration, repeat):
    agent = login("agent")
    dispatcher = login("dispatcher")
    supervisor = login("supervisor")
    # The busiest district's handler: 朝阳区 (110105).
    handler = login("110105-handler")
    me = call("GET", "/api/v1/me", handler)
    unit_id = me["unitId"]
    results = {}

    def measure(name, script, lines, token, clients, once=False):
        # Once-only actions (dispatch, feedback) are given more orders than a run can use; a
        # thread that runs out stops, and the run is flagged.
        runs = [wrk(script, lines, token, clients, duration, once) for _ in range(1 if once else repeat)]
        results[name] = median_of(runs)
        r = results[name]
        if once and r["requests"] >= len(lines):
            r["exhausted"] = True  # the pool ran out before the time did: the rate is a lower bound
        log(f"{database} {size} {name}: {r['rps']:.0f}/s p50 {r['p50_us']/1000:.1f} ms p99 {r['p99_us']/1000:.1f} ms errors {r['errors']}")

    # Reads first, over the seeded city: run after intake, they met thousands of the bench's
    # own orders with six titles at the newest end (with --repeat 3, all of the newest 20,000),
    # which no real day looks like and which skews the text search's newest-first walk.
    sample = pages("/api/v1/work-orders?from=2000-01-01T00:00:00Z", supervisor, 400)
    ids = [o["id"] for o in sample]
    numbers = [o["number"] for o in sample]
    phones = []
    for oid in ids[:200]:
        d = call("GET", f"/api/v1/work-orders/{oid}", supervisor)
        phones.append(d["citizen"]["phone"])
    measure("inbox page", "get.lua", [f"/api/v1/queues/inbox?bucket={b}" for b in ["inHand", "toSign", "overdue", "dueSoon"]], handler, 8)
    measure("order detail", "get.lua", [f"/api/v1/work-orders/{i}" for i in ids], supervisor, 8)
    measure("order timeline", "get.lua", [f"/api/v1/work-orders/{i}/timeline" for i in ids], supervisor, 8)
    measure("lookup by number", "get.lua", [f"/api/v1/work-orders?number={n}" for n in numbers], supervisor, 8)
    measure("lookup by phone", "get.lua", [f"/api/v1/work-orders?phone={p}" for p in phones], supervisor, 8)
    queries = ["路灯 不亮", "噪音 扰民", "暖气不热", "拖欠工资", "垃圾 清运", "占道经营", "电梯", "物业 维修"]
    from urllib.parse import quote
    measure("full-text search", "get.lua", [f"/api/v1/work-orders?q={quote(q)}" for q in queries], supervisor, 8)
    measure("dashboard counters", "get.lua", ["/api/v1/queues/counts"], supervisor, 8)

    # Then intake; the actions below consume the orders it made, and only those: seeded orders
    # with the same titles are in other states (a district's share waiting for its streets'
    # answers refuses feedback, R-UNIT-2), which is not what the scenarios measure. A few
    # seconds of slack for the server's clock.
    intake_started = time.time() - 5

    def made_here(order):
        created = datetime.fromisoformat(order["createdAt"].replace("Z", "+00:00")).timestamp()
        return order["title"] in TITLES and created >= intake_started

    bodies = intake_bodies()
    measure("intake, 1 client", "post.lua", bodies, agent, 1)
    measure("intake, 8 clients", "post.lua", bodies, agent, 8)

    # Actions consume orders: dispatch the ones intake just made, to the measured unit, then
    # let it sign them (not measured) and measure its feedback.
    pending = pages("/api/v1/queues/awaiting-dispatch", dispatcher, 20000)
    fresh = [o for o in pending if made_here(o)]
    dispatch_lines = [f"/api/v1/work-orders/{o['id']}/dispatch\t" + json.dumps({"leadUnitId": unit_id}) for o in fresh]
    measure("dispatch", "post.lua", dispatch_lines, dispatcher, 8, once=True)
    to_sign = pages("/api/v1/queues/inbox?bucket=toSign", handler, 20000)
    sign_lines = [f"/api/v1/assignments/{i['assignment']['id']}/sign\t{{}}" for i in to_sign if made_here(i["order"])]
    # wrk runs its whole -d even when every thread has stopped: give it about enough time.
    wrk("post.lua", sign_lines, handler, 8, max(3, min(120, len(sign_lines) // 40)), once=True)
    in_hand = pages("/api/v1/queues/inbox?bucket=inHand", handler, 20000)
    fb = {"answer": "经现场核实, 已修复并向市民说明。", "result": "solved", "contactMethod": "phone", "contactedAt": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
          "citizenOpinion": "市民认可", "policyReferences": "无", "responsiblePerson": "李工", "responsiblePhone": "010-85000000"}
    fb_lines = [f"/api/v1/assignments/{i['assignment']['id']}/feedback\t" + json.dumps(fb, ensure_ascii=False) for i in in_hand if made_here(i["order"])]
    measure("feedback", "post.lua", fb_lines, handler, 8, once=True)
    return results


# ---------------------------------------------------------------- report

ROWS = ["intake, 1 client", "intake, 8 clients", "inbox page", "order detail", "order timeline", "lookup by number", "lookup by phone",
        "full-text search", "dashboard counters", "dispatch", "feedback"]


def table(report):
    cols = [(r["database"], r["size"]) for r in report["runs"]]
    head = f"{'':22}" + "".join(f"{d[:6]+' '+(str(s//1000)+'k' if s < 1_000_000 else str(s//1_000_000)+'M'):>24}" for d, s in cols)
    lines = [head, f"{'':22}" + "".join(f"{'req/s  p50/p95/p99 ms':>24}" for _ in cols)]
    for name in ROWS:
        line = f"{name:22}"
        for r in report["runs"]:
            m = r["scenarios"].get(name)
            latency = f"{m['p50_us']/1000:.1f}/{m['p95_us']/1000:.1f}/{m['p99_us']/1000:.1f}" if m else ""
            line += f"{'-':>24}" if not m else f"{m['rps']:>7.0f}  {latency:>15}"
        lines.append(line)
    for label, key in [("server peak RSS MB", "peakRssMB"), ("DB bytes / 1000 orders", "bytesPer1000Orders"), ("seed seconds", "seedSeconds")]:
        lines.append(f"{label:22}" + "".join(f"{str(r.get(key, '-')):>24}" for r in report["runs"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--databases", default="sqlite,postgres")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--repeat", type=int, default=3, help="runs per read/intake scenario; the median is reported")
    ap.add_argument("--fresh", action="store_true", help="reseed even if a matching seeded database exists")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    databases = a.databases.split(",")
    sizes = [int(s) for s in a.sizes.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_tools("postgres" in databases)
    binary = ROOT / ".build" / "release" / "hotline" if a.no_build else build()
    pg = Postgres() if "postgres" in databases else None
    if pg:
        pg.start()
    report = {"machine": {"cores": os.cpu_count(), "memGiB": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                          "kernel": os.uname().release},
              "method": {"duration": a.duration, "repeat": a.repeat, "loadGenerator": "wrk (same machine)"},
              "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": []}
    for database in databases:
        for size in sizes:
            url, seed = prepare(binary, database, size, a.days, a.fresh, pg)
            log(f"copying the seeded {database} database for this run")
            with Server(binary, working_copy(database, size, pg)) as server:
                scenarios = run_scenarios(database, size, a.duration, a.repeat)
                rss = server.peak_rss_mb()
            total_orders = size
            report["runs"].append({
                "database": database, "size": size, "scenarios": scenarios, "peakRssMB": rss,
                "bytesPer1000Orders": int(db_size(database, url, pg, size) / total_orders * 1000),
                "seedSeconds": seed.get("seconds") if seed else None, "seed": seed,
            })
            Path(a.out).parent.mkdir(parents=True, exist_ok=True)
            Path(a.out).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(table(report))
    print(f"\nJSON: {a.out}")


if __name__ == "__main__":
    main()
