"""Start-up time and resident memory of `screg serve` on the 50,000-resource store.

    .venv/bin/python bench/startup_bench.py --runs 3 --json bench/results/startup-50000.json

Data: the registered on-disk store of bench/sparql_bench.py (`ensure_store`). Each
run starts `screg serve --store bench/data/store-50000 --no-seed` on a free port of
127.0.0.1 and polls (every 20 ms, one request at a time, in this order) until:

- `http`: the first HTTP answer (GET /openapi.json, any status below 500): the
  process is listening, the lifespan (store open) is done;
- `lookup`: the first 200 of /api/v1/standards/{id} (one entry read from the
  store's indexes; before issue 9's fix this built the whole-registry snapshot);
- `resource`: then the first 200 of /api/v1/resources/{code};
- `sparql`: then the first 200 of `ASK { ?s ?p ?o }` on /sparql (a worker is up).

With --lists, last, the first answer of a list (`/api/v1/standards?limit=10`, which
builds the whole-registry snapshot the lists and pages use) is timed from its request,
with the RSS after it.

The REST lookups come before SPARQL so that their time is their own: a lookup does
not wait for the SPARQL worker, which is warmed in the background.

Times are from the Popen call. Then it runs the SPARQL mix of sparql_bench.py once
and 500 REST lookups, and reads the RSS of the API process and of each child (the
SPARQL fork server and its workers) from /proc at each stage. Stopped after each run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.rest_bench import lookup_paths  # noqa: E402
from bench.sparql_bench import (  # noqa: E402
    DEFAULT_NQ,
    DEFAULT_STORE,
    ensure_store,
    free_port,
    query_mix,
    samples,
    start_screg,
    stop,
    tree_rss_mb,
    versions,
)


def until(
    client: Any, method: str, url: str, ok: set[int], t0: float, timeout: float, **kw: Any
) -> float:
    import httpx

    while time.perf_counter() - t0 < timeout:
        try:
            r = client.request(method, url, **kw)
            if r.status_code in ok:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise TimeoutError(url)


def one_run(
    store: Path, nq: Path, paths: dict[str, list[str]], timeout: float, lists: bool = False
) -> dict[str, Any]:
    import httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = ROOT / "bench" / "results" / "startup-screg-server.log"
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    server = start_screg(store, port, log)
    try:
        with httpx.Client(base_url=base, timeout=timeout) as c:
            ok_any = set(range(100, 500))
            out["http_s"] = until(c, "GET", "/openapi.json", ok_any, t0, timeout)
            out["rss_mb_at_http"] = tree_rss_mb(server.pid)
            out["lookup_s"] = until(c, "GET", paths["standards"][0], {200}, t0, timeout)
            out["resource_s"] = until(c, "GET", paths["resources"][0], {200}, t0, timeout)
            out["rss_mb_after_first_lookups"] = tree_rss_mb(server.pid)
            out["sparql_s"] = until(
                c, "POST", "/sparql", {200}, t0, timeout, data={"query": "ASK { ?s ?p ?o }"}
            )
            statuses: dict[str, int] = {}
            for ident, dept, res in samples(nq, 2):
                for name, (_form, q) in query_mix(ident, dept, res).items():
                    t = time.perf_counter()
                    r = c.post("/sparql", data={"query": q})
                    out.setdefault("sparql_mix_s", {}).setdefault(name, []).append(
                        round(time.perf_counter() - t, 3)
                    )
                    statuses[f"sparql {r.status_code}"] = (
                        statuses.get(f"sparql {r.status_code}", 0) + 1
                    )
            for name in ("standards", "resources"):
                for p in paths[name]:
                    code = c.get(p).status_code
                    statuses[f"{name} {code}"] = statuses.get(f"{name} {code}", 0) + 1
            out["statuses"] = statuses
            out["rss_mb_after_sparql_and_500_lookups"] = tree_rss_mb(server.pid)
            if lists:
                t = time.perf_counter()
                code = c.get("/api/v1/standards", params={"limit": 10}).status_code
                out["first_list_request_s"] = round(time.perf_counter() - t, 2)
                out["statuses"][f"list {code}"] = 1
                out["rss_mb_after_first_list"] = tree_rss_mb(server.pid)
    finally:
        stop(server)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--nq", type=Path, default=DEFAULT_NQ)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--lists", action="store_true", help="also time the first list answer")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    store = ensure_store(args.store, args.nq)
    paths = lookup_paths(args.nq, 250)
    runs = []
    for i in range(args.runs):
        r = one_run(store, args.nq, paths, args.timeout, args.lists)
        r["load_average"] = os.getloadavg()
        runs.append(r)
        print(f"run {i}: {r}", file=sys.stderr)
    keys = [k for k in runs[0] if k.endswith("_s") and k not in ("sparql_mix_s",)]
    result = {
        "runs": runs,
        "median_s": {k: round(statistics.median(r[k] for r in runs), 2) for k in keys},
        "versions": versions(),
        "store": str(store),
        "store_disk_mb": round(
            sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 2**20
        ),
    }
    print(
        json.dumps(
            {
                "median_s": result["median_s"],
                "store_disk_mb": result["store_disk_mb"],
                "rss_last_run": {k: v for k, v in runs[-1].items() if k.startswith("rss")},
            },
            indent=1,
        )
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
