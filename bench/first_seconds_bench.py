"""The first seconds after a start: pages asked while the dependency graph is assembled.

    .venv/bin/python bench/first_seconds_bench.py --starts 3 --json bench/results/first-seconds.json

`screg serve` answers about 1.5 s after it starts, and then assembles the dependency
graph in the background for a few seconds more (3-7 s at 50,000 resources). A page
that does not need the graph should not wait for it. bench/read_side_bench.py asks each
page in turn, so whichever page falls in that window changes from run to run; this
script asks the pages that do not need the graph, one after the other with one client,
for `--seconds` from the first answer, and reports every answer's latency: per page
p50 / p99 / max, over all answers p50 / p99 / max, and the slowest answers with when
they came. Then it asks the first impact page, which waits for the graph, and reports
how long after the start it was answered. `--starts` fresh starts, each on a fresh copy
of the store, and the medians of their figures.

Data: bench/data/store-50000 and its read model, as bench/read_side_bench.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.read_side_bench import (  # noqa: E402
    finish,
    keep_graph,
    remove_copy,
    store_copy,
    wait_for_first_answer,
)
from bench.sparql_bench import DEFAULT_NQ, DEFAULT_STORE, ensure_store, free_port, start_screg, stop  # noqa: E402
from bench.validate_bench import machine  # noqa: E402

HTML = {"Accept": "text/html"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def pages(client: Any) -> tuple[dict[str, str], str]:
    """Pages and lists that need no graph, by name, and the identifier of a standard
    (for the impact page)."""
    standards = client.get("/api/v1/standards", params={"limit": 500, "offset": 4000}).json()
    standard = next(s for s in standards["items"] if s["status"] and s["identifier"])
    resources = client.get("/api/v1/resources", params={"limit": 1, "offset": 25000}).json()
    resource = resources["items"][0]
    fragment = quote(resource["title"]["zh"][1:5])
    return {
        "list of standards": "/api/v1/standards?limit=50",
        "filtered list": "/api/v1/standards?category=3&status=current&limit=50",
        "search resources (zh)": f"/api/v1/resources?q={fragment}",
        "home page": "/",
        "category page 3, a later page": "/category/3?status=current&offset=1000",
        "search page": f"/search?q={fragment}",
        "search page, standards, a later page": "/search?kind=standard&offset=5000",
        "a resource (JSON)": f"/api/v1/resources/{quote(resource['id'], safe='')}",
    }, standard["identifier"]


def one_start(store: Path, seconds: float, kept_graph: bool) -> dict[str, Any]:
    import httpx

    copy, copy_model = store_copy(store, "-first-seconds-copy", kept_graph)
    port = free_port()
    log = Path("/tmp") / f"first-seconds-bench-{port}.log"
    proc = None
    result: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        proc = start_screg(copy, port, log)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            wait_for_first_answer(client, proc, log)
            result["first_answer_s"] = round(time.perf_counter() - started, 2)
            asked, identifier = pages(client)
            answers: list[tuple[float, str, float]] = []  # (seconds after start, page, ms)
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                for name, path in asked.items():
                    sent = time.perf_counter()
                    response = client.get(path, headers=HTML)
                    took = (time.perf_counter() - sent) * 1000
                    assert response.status_code == 200, (path, response.status_code)
                    answers.append((sent - started, name, took))
            impact = f"/api/v1/impact/{quote(identifier, safe='')}?limit=50"
            sent = time.perf_counter()
            assert client.get(impact).status_code == 200
            result["impact_after_s"] = round(sent - started, 2)
            result["impact_ms"] = round((time.perf_counter() - sent) * 1000, 1)
    finally:
        stop(proc)
        remove_copy(copy, copy_model)
    every = [ms for _, _, ms in answers]
    result["answers"] = len(every)
    result["all"] = {
        "p50_ms": round(statistics.median(every), 1),
        "p99_ms": round(percentile(every, 0.99), 1),
        "max_ms": round(max(every), 1),
    }
    result["pages"] = {
        name: {
            "p50_ms": round(statistics.median(times), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "max_ms": round(max(times), 1),
        }
        for name in asked
        if (times := [ms for _, page, ms in answers if page == name])
    }
    result["slowest"] = [
        {"at_s": round(at, 2), "page": name, "ms": round(ms, 1)}
        for at, name, ms in sorted(answers, key=lambda a: -a[2])[:5]
    ]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nq", type=Path, default=DEFAULT_NQ)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--no-kept-graph",
        action="store_true",
        help="start without the dependency graph kept beside the store (as after a crash)",
    )
    args = ap.parse_args(argv)

    store = ensure_store(args.store, args.nq)
    if not store.with_name(store.name + ".read.sqlite").exists():
        raise SystemExit("no read model: run `screg read-model rebuild --store ...` first")
    result: dict[str, Any] = {"machine": machine(), "loadavg_before": os.getloadavg()}
    result["kept_graph"] = not args.no_kept_graph
    if result["kept_graph"] and not store.with_name(store.name + ".graph").exists():
        result["keep_graph_s"] = round(keep_graph(store), 1)
        print(f"dependency graph kept in {result['keep_graph_s']} s", flush=True)
    runs = []
    for number in range(1, args.starts + 1):
        run = one_start(store, args.seconds, result["kept_graph"])
        runs.append(run)
        print(
            f"start {number}: first answer {run['first_answer_s']} s; {run['answers']} answers "
            f"in {args.seconds:g} s: p50 {run['all']['p50_ms']} ms, p99 {run['all']['p99_ms']}"
            f" ms, max {run['all']['max_ms']} ms; impact asked at {run['impact_after_s']} s: "
            f"{run['impact_ms']} ms",
            flush=True,
        )
        for slow in run["slowest"][:3]:
            print(f"    slowest: {slow['ms']:8.1f} ms at {slow['at_s']:5.2f} s  {slow['page']}")
    result["runs"] = runs
    result["median"] = {
        key: statistics.median(run["all"][key] for run in runs)
        for key in ("p50_ms", "p99_ms", "max_ms")
    }
    print(
        f"median of {len(runs)} starts: p50 {result['median']['p50_ms']} ms, p99 "
        f"{result['median']['p99_ms']} ms, max {result['median']['max_ms']} ms"
    )
    finish(result, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
