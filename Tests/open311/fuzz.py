#!/usr/bin/env python3
"""Fuzzes the Open311 endpoints with schemathesis against their OpenAPI description
(`docs/open311.openapi.yaml`): no server errors, status codes, content types and JSON bodies
as documented.

Starts `hotline demo` on a fresh SQLite file with the public rate limits raised (the fuzzer
sends thousands of requests from one address), makes an API key with the CLI
(`hotline open311 key create`), and gives schemathesis a copy of the description whose
`api_key` is that key, so generated requests get past the key check into the validation of
every other field. Some `service_code`s are real ones, so the fuzzer also posts requests
that are stored.

    python3 Tests/open311/fuzz.py [--binary .build/debug/hotline] [--max-examples 40]
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
PORT = 18091
BASE = f"http://127.0.0.1:{PORT}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / ".build/debug/hotline"))
    ap.add_argument("--max-examples", default="40")
    args = ap.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="hotline-open311-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite://{work / 'hotline.sqlite'}", "HOTLINE_PASSWORD_COST": "4", "LOG_LEVEL": "warning",
           "HOTLINE_ATTACHMENTS_DIR": str(work / "attachments"), "HOTLINE_WORKER": "off",
           "HOTLINE_SUBMISSIONS_PER_HOUR": "1000000", "HOTLINE_SUBMISSIONS_PER_PHONE_DAY": "1000000", "HOTLINE_LOOKUPS_PER_HOUR": "1000000"}
    log = open(work / "server.log", "w")
    server = subprocess.Popen([args.binary, "demo", "--hostname", "127.0.0.1", "--port", str(PORT)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            if server.poll() is not None:
                sys.exit(f"the server exited: see {work / 'server.log'}")
            try:
                urllib.request.urlopen(BASE + "/health", timeout=1)
                break
            except Exception:
                if time.time() > deadline:
                    sys.exit("the server did not answer /health within 120 s")
                time.sleep(0.5)

        made = subprocess.run([args.binary, "open311", "key", "create", "--name", "schemathesis"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        key = made.stdout.split()[0]
        assert key.startswith("o311_"), made.stdout

        spec = yaml.safe_load((ROOT / "docs/open311.openapi.yaml").read_text())
        spec["servers"] = [{"url": BASE + "/open311/v2"}]
        form = spec["components"]["schemas"]["NewRequest"]["properties"]
        form["api_key"] = {"type": "string", "enum": [key]}
        # Real services and unknown ones alike.
        form["service_code"] = {"type": "string", "enum": ["010101", "040102", "0201", "999999", ""]}
        patched = work / "open311.openapi.yaml"
        patched.write_text(yaml.safe_dump(spec, allow_unicode=True))

        checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
        cmd = ["schemathesis", "run", str(patched), "--url", BASE + "/open311/v2", "--checks", checks, "--max-examples", args.max_examples, "--seed", "12345"]
        print("+", " ".join(cmd), flush=True)
        result = subprocess.run(cmd, cwd=work)
        if result.returncode != 0:
            sys.exit(f"schemathesis found problems (server log: {work / 'server.log'})")
        print("open311 fuzz: passed")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
