"""REST lookups under load: /api/v1/standards/{id} and /api/v1/resources/{code}.

    .venv/bin/python bench/rest_bench.py --runs 3 --duration 20 --json bench/results/rest-50000.json
    .venv/bin/python bench/rest_bench.py --profile      # + a py-spy profile of the server
    .venv/bin/python bench/rest_bench.py --revalidate   # + 304 revalidations side by side

Data: the registered on-disk store of bench/sparql_bench.py (`ensure_store`, built
from bench/data/registry-50000.nq when missing). One `screg serve` on a free port of
127.0.0.1 (started here, stopped at the end). Load generator: wrk (Debian package
`wrk`), one thread, `--connections` keep-alive connections, `--latency` for the
percentiles; a Lua script walks a fixed list of 500 different identifiers (standards:
the `GB/T 9xxxx-20yy` spelling, URL-encoded; resources: the `101001%2F000001` form),
so requests are not one cached answer. Before the runs every path is requested once
(warm-up, and a check that all answer 200), then a list is asked for (from the read
model, which the server catches up before it answers anything): the runs measure the
steady state. Medians of --runs runs per endpoint.

--cold N: also one wrk run per endpoint over N other identifiers never asked before,
so nothing the server or the store caches for one of them helps; fewer requests than
N in the run means no identifier was asked twice.

--revalidate: also, per endpoint, the same paths sent with the ETag each answered
(`If-None-Match`, api/caching.py): every request is a 304 that runs no handler. Each
run alternates full answers and revalidations, so the ratio is taken under the same
load. Before the runs every path is asked once more with its tag, sequentially, and
the statuses (all 304) and median times of both are recorded.

--profile: py-spy (pip, benchmark-only) records the server during one extra wrk run
per endpoint and prints the top frames (own time and cumulative).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sparql_bench import (  # noqa: E402
    DEFAULT_NQ,
    DEFAULT_STORE,
    ensure_store,
    free_port,
    start_screg,
    stop,
    tree_rss_mb,
    versions,
    wait_http,
)

LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""

# One path and its ETag a line, tab-separated; each request revalidates its answer.
# The Accept header is part of what the tag covers (api/caching.py): it is sent as the
# tags were collected with (REVALIDATE_ACCEPT), or every request would be a full 200.
# Every answer that is not a 304 is counted and printed ("Not 304: N"); the count costs
# wrk a little per answer, which only the revalidation runs pay.
REVALIDATE_ACCEPT = "*/*"
LUA_REVALIDATE = """
local paths, tags = {}, {}
for line in io.lines("%s") do
  local path, tag = line:match("([^\\t]+)\\t(.+)")
  paths[#paths + 1] = path
  tags[#tags + 1] = tag
end
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
function init(args) not_304 = 0 end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "%s", ["If-None-Match"] = tags[i]})
end
response = function(status, headers, body)
  if status ~= 304 then not_304 = not_304 + 1 end
end
done = function(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do n = n + thread:get("not_304") end
  io.write(string.format("Not 304: %%d\\n", n))
end
"""


def revalidation_check(client: Any, ps: list[str]) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Each path asked in full, then with the ETag it answered: the (path, tag) pairs and
    the statuses and sequential median milliseconds of both."""
    tagged, full_ms, revalidated_ms = [], [], []
    statuses: Counter[int] = Counter()
    for p in ps:
        t = time.perf_counter()
        answer = client.get(p, headers={"Accept": REVALIDATE_ACCEPT})
        full_ms.append((time.perf_counter() - t) * 1000)
        tag = answer.headers.get("etag")
        if tag is None:
            raise RuntimeError(f"{p} answered {answer.status_code} without an ETag")
        t = time.perf_counter()
        again = client.get(p, headers={"Accept": REVALIDATE_ACCEPT, "If-None-Match": tag})
        revalidated_ms.append((time.perf_counter() - t) * 1000)
        statuses[again.status_code] += 1
        tagged.append((p, tag))
    return tagged, {
        "revalidated_statuses": dict(statuses),
        "sequential_full_median_ms": round(statistics.median(full_ms), 2),
        "sequential_304_median_ms": round(statistics.median(revalidated_ms), 2),
    }


def lookup_paths(nq: Path, k: int) -> dict[str, list[str]]:
    idents, codes = [], []
    pat_id = re.compile(r'^<[^>]*/standard/[^>]*> <http://purl.org/dc/terms/identifier> "([^"]*)"')
    pat_code = re.compile(
        r'^<[^>]*/resource/[^>]*> <https://w3id.org/smartcity-std#resourceCode> "([^"]*)"'
    )
    with nq.open(encoding="utf-8") as f:
        for line in f:
            if m := pat_id.match(line):
                idents.append(m.group(1))
            elif m := pat_code.match(line):
                codes.append(m.group(1))
    invalid = set()
    inv = nq.with_name(nq.name + ".invalid.txt")
    if inv.exists():
        invalid = set(inv.read_text().split())
    codes = [
        c
        for c in codes
        if re.fullmatch(r"\d{6}/\d+", c)
        and f"http://127.0.0.1:8000/id/resource/{c.replace('/', '-')}" not in invalid
    ]

    def spread(xs: list[str]) -> list[str]:
        return [xs[i * len(xs) // k] for i in range(k)]

    return {
        "standards": [f"/api/v1/standards/{quote(i, safe='')}" for i in spread(idents)],
        "resources": [f"/api/v1/resources/{quote(c, safe='')}" for c in spread(codes)],
    }


def parse_wrk(text: str) -> dict[str, Any]:
    def ms(value: str) -> float:
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
        if not m:
            return float("nan")
        n, unit = float(m.group(1)), m.group(2)
        return n * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    out: dict[str, Any] = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        out["rps"] = float(m.group(1))
    for pct in ("50", "75", "90", "99"):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M):
            out[f"p{pct}_ms"] = ms(m.group(1))
    if m := re.search(r"(\d+) requests in", text):
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    if m := re.search(r"Not 304: (\d+)", text):
        out["not_304"] = int(m.group(1))
    m = re.search(r"Socket errors: (.*)", text)
    out["socket_errors"] = m.group(1) if m else None
    return out


def run_wrk(base: str, lua: Path, connections: int, duration: int, threads: int) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(lua),
        base,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    result = parse_wrk(proc.stdout)
    result["command"] = " ".join(cmd)
    return result


def profile(pid: int, seconds: int, out: Path) -> dict[str, Any]:
    """py-spy raw (collapsed) stacks of `pid` for `seconds`; top own/cumulative frames."""
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    subprocess.run(
        [
            pyspy,
            "record",
            "-p",
            str(pid),
            "-d",
            str(seconds),
            "-r",
            "200",
            "-f",
            "raw",
            "-o",
            str(out),
            "--nonblocking",
        ],
        capture_output=True,
        timeout=seconds + 60,
    )
    own: Counter[str] = Counter()
    cum: Counter[str] = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        count = int(n)
        frames = stack.split(";")
        total += count
        # idle threads of the pool wait in threading/queue: count only working stacks
        own[frames[-1]] += count
        for f in set(frames):
            cum[f] += count
    return {"samples": total, "own": own.most_common(25), "cumulative": cum.most_common(40)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--nq", type=Path, default=DEFAULT_NQ)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--paths", type=int, default=500)
    ap.add_argument("--cold", type=int, default=0, help="identifiers for the uncached run")
    ap.add_argument("--cold-duration", type=int, default=10)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument(
        "--revalidate", action="store_true", help="also 304 revalidations, side by side"
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    store = ensure_store(args.store, args.nq)
    every = lookup_paths(args.nq, args.paths + args.cold)
    paths = {name: ps[: args.paths] for name, ps in every.items()}
    cold = {name: ps[args.paths :] for name, ps in every.items()}
    logs = ROOT / "bench" / "results"
    logs.mkdir(exist_ok=True)
    result: dict[str, Any] = {
        "store": str(store),
        "connections": args.connections,
        "threads": args.threads,
        "duration_s": args.duration,
    }
    server = None
    tmp = Path(tempfile.mkdtemp(prefix="rest-bench-"))
    try:
        import httpx

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_screg(store, port, logs / "rest-screg-server.log")
        result["ready_s"] = round(wait_http(f"{base}/openapi.json", 120, server), 2)
        t0 = time.perf_counter()
        with httpx.Client(base_url=base, timeout=300) as client:
            first = client.get(paths["standards"][0])
            result["first_lookup_s"] = round(time.perf_counter() - t0, 2)
            warm: dict[str, Any] = {}
            for name, ps in paths.items():
                statuses: Counter[int] = Counter()
                times = []
                for p in ps:
                    t = time.perf_counter()
                    statuses[client.get(p).status_code] += 1
                    times.append(time.perf_counter() - t)
                warm[name] = {
                    "statuses": dict(statuses),
                    "sequential_median_ms": round(statistics.median(times) * 1000, 2),
                }
            result["warm_up"] = warm
            # The first list after the start: the read model, caught up as it started.
            t = time.perf_counter()
            listed = client.get("/api/v1/standards?limit=1")
            result["lists_ready_s"] = round(time.perf_counter() - t0, 2)
            result["lists_waited_s"] = round(time.perf_counter() - t, 2)
            assert listed.status_code == 200, listed.text
            result["example"] = {
                "path": paths["standards"][0],
                "status": first.status_code,
                "bytes": len(first.content),
            }
            tagged: dict[str, list[tuple[str, str]]] = {}
            if args.revalidate:
                result["revalidate_check"] = {}
                for name, ps in paths.items():
                    tagged[name], result["revalidate_check"][name] = revalidation_check(client, ps)
                print(f"revalidation check {result['revalidate_check']}", file=sys.stderr)
        print(
            f"ready {result['ready_s']} s, first lookup {result['first_lookup_s']} s, "
            f"warm-up {warm}",
            file=sys.stderr,
        )
        luas = {}
        for name, ps in paths.items():
            (tmp / f"{name}.txt").write_text("\n".join(ps) + "\n")
            luas[name] = tmp / f"{name}.lua"
            luas[name].write_text(LUA % (tmp / f"{name}.txt"))
            if name in tagged:
                lines = "".join(f"{p}\t{t}\n" for p, t in tagged[name])
                (tmp / f"{name}-304.txt").write_text(lines)
                luas[f"{name} 304"] = tmp / f"{name}-304.lua"
                luas[f"{name} 304"].write_text(
                    LUA_REVALIDATE % (tmp / f"{name}-304.txt", REVALIDATE_ACCEPT)
                )
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in luas}
        if args.cold:
            result["cold"] = {}
            for name, ps in cold.items():
                (tmp / f"cold-{name}.txt").write_text("\n".join(ps) + "\n")
                lua = tmp / f"cold-{name}.lua"
                lua.write_text(LUA % (tmp / f"cold-{name}.txt"))
                r = run_wrk(base, lua, args.connections, args.cold_duration, args.threads)
                r["load_average"] = os.getloadavg()
                r["identifiers"] = len(ps)
                result["cold"][name] = r
                print(f"cold {name}: {r}", file=sys.stderr)
        for i in range(args.runs):
            for name in luas:  # full answers and their revalidations alternate
                r = run_wrk(base, luas[name], args.connections, args.duration, args.threads)
                r["load_average"] = os.getloadavg()
                if r.get("not_304"):  # a write, or a tag that does not cover this request
                    print(f"{name}: {r['not_304']} answers were not 304", file=sys.stderr)
                runs[name].append(r)
                print(f"run {i} {name}: {r}", file=sys.stderr)
        result["runs"] = runs
        result["median"] = {
            name: {
                key: statistics.median(r[key] for r in rs) for key in ("rps", "p50_ms", "p99_ms")
            }
            for name, rs in runs.items()
        }
        result["revalidation_speedup"] = {
            name: round(result["median"][f"{name} 304"]["rps"] / result["median"][name]["rps"], 2)
            for name in tagged
        }
        result["rss_mb"] = tree_rss_mb(server.pid)
        if args.profile:
            result["profile"] = {}
            for name in paths:
                proc = subprocess.Popen(
                    [
                        "wrk",
                        "-t",
                        str(args.threads),
                        "-c",
                        str(args.connections),
                        "-d",
                        f"{args.duration}s",
                        "-s",
                        str(luas[name]),
                        base,
                    ],
                    stdout=subprocess.DEVNULL,
                )
                time.sleep(1)
                result["profile"][name] = profile(
                    server.pid, args.duration - 3, logs / f"rest-profile-{name}.txt"
                )
                proc.wait(args.duration + 30)
    finally:
        stop(server)
        shutil.rmtree(tmp, ignore_errors=True)
    result["versions"] = versions()
    print(
        json.dumps(
            {
                "median": result["median"],
                "revalidation_speedup": result.get("revalidation_speedup"),
                "revalidate_check": result.get("revalidate_check"),
                "rss_mb": result["rss_mb"],
                "ready_s": result["ready_s"],
                "first_lookup_s": result["first_lookup_s"],
                "warm_up": result["warm_up"],
                "cold": {
                    n: {k: r.get(k) for k in ("rps", "p50_ms", "p99_ms", "requests", "non_2xx")}
                    for n, r in result.get("cold", {}).items()
                },
            },
            indent=1,
        )
    )
    if args.profile:
        for name, prof in result["profile"].items():
            print(f"\n== profile {name}: {prof['samples']} samples; own:")
            for frame, n in prof["own"][:15]:
                print(f"  {n:6d} {frame}")
            print("  cumulative:")
            for frame, n in prof["cumulative"][:30]:
                print(f"  {n:6d} {frame}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
