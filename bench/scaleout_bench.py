"""Read throughput with one and with three `screg serve` processes over one remote store
(issue 19, docs/deploy.md).

    .venv/bin/python bench/scaleout_bench.py --duration 20 --json bench/results/scaleout.json

A private Oxigraph server (scripts/oxigraph-server.sh: 127.0.0.1, a temporary
directory; stopped at the end) seeded with the example registry by the first
`screg serve`. Load: wrk (Debian `wrk`) walking the lookups of every example standard
and resource (`/api/v1/standards/{id}`, `/api/v1/resources/{code}`), keep-alive
connections, --connections in all. One process: one wrk on it. Three processes: three
wrk at once, one per process, the connections shared out, their requests per second
summed. Both phases in one run, one after the other; medians of --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.rest_bench import LUA, run_wrk  # noqa: E402
from bench.sparql_bench import free_port, stop, versions, wait_http  # noqa: E402

SCREG = str(Path(sys.executable).with_name("screg"))


def start_oxigraph() -> dict[str, str]:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "oxigraph-server.sh"), "start"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    found = {}
    for line in out.stdout.splitlines():
        line = line.removeprefix("export ").strip()
        if "=" in line:
            key, value = line.split("=", 1)
            found[key] = value.strip("'\"")
    return found


def serve(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [SCREG, "serve", "--store", url, "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "SCREG_SEED": "true"},
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/api/v1/standards?limit=1", 300, proc)
    return proc, base


def lookup_paths(base: str) -> list[str]:
    paths = []
    for kind, key in (("standards", "id"), ("resources", "code")):
        page = httpx.get(f"{base}/api/v1/{kind}", params={"limit": 500}, timeout=60).json()
        paths += [f"/api/v1/{kind}/{quote(str(i[key]), safe='')}" for i in page["items"]]
    return paths


def throughput(bases: list[str], lua: Path, connections: int, duration: int) -> dict[str, Any]:
    each = max(1, connections // len(bases))
    with ThreadPoolExecutor(len(bases)) as pool:
        runs = list(pool.map(lambda b: run_wrk(b, lua, each, duration, 1), bases))
    return {
        "rps": round(sum(r.get("rps", 0.0) for r in runs), 1),
        "p99_ms": max(r.get("p99_ms", float("nan")) for r in runs),
        "non_2xx": sum(r.get("non_2xx", 0) for r in runs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    server = start_oxigraph()
    url = server["SCREG_TEST_OXIGRAPH_URL"]
    procs: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory(prefix="screg-scaleout-") as tmp:
            bases = []
            for name in "abc":
                proc, base = serve(url, Path(tmp) / f"{name}.log")
                procs.append(proc)
                bases.append(base)
            paths = lookup_paths(bases[0])
            listing = Path(tmp) / "paths.txt"
            listing.write_text("\n".join(paths) + "\n")
            lua = Path(tmp) / "walk.lua"
            lua.write_text(LUA % listing)
            for base in bases:  # every path once on every process: warm, and all 200
                with httpx.Client(base_url=base, timeout=60) as client:
                    assert all(client.get(p).status_code == 200 for p in paths)
            load = {"before": Path("/proc/loadavg").read_text().split()[:3]}
            one, three = [], []
            for _ in range(args.runs):
                one.append(throughput(bases[:1], lua, args.connections, args.duration))
                three.append(throughput(bases, lua, args.connections, args.duration))
            load["after"] = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        for proc in procs:
            stop(proc)
        subprocess.run(
            ["bash", str(ROOT / "scripts" / "oxigraph-server.sh"), "stop",
             server["SCREG_TEST_OXIGRAPH_DIR"]],
            cwd=ROOT, check=False,
        )  # fmt: skip
    result = {
        "versions": versions(),
        "cpus": os.cpu_count(),
        "paths": len(paths),
        "connections": args.connections,
        "duration_s": args.duration,
        "loadavg": load,
        "one_process": {"rps_median": statistics.median(r["rps"] for r in one), "runs": one},
        "three_processes": {
            "rps_median": statistics.median(r["rps"] for r in three),
            "runs": three,
        },
    }
    result["ratio"] = round(
        result["three_processes"]["rps_median"] / result["one_process"]["rps_median"], 2
    )
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
