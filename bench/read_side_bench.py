"""What a person waits for: every page and list after a start and after a write.

    .venv/bin/python bench/read_side_bench.py --json bench/results/read-side-50000.json

Data: the registered on-disk store of bench/sparql_bench.py (`ensure_store`, built from
bench/data/registry-50000.nq when missing) and its read model beside it
(`screg read-model rebuild --store bench/data/store-50000` makes it; this script makes
it when it is missing and says how long that took). The store is copied first (the
run writes), the copy removed at the end.

One real `screg serve` on a free port of 127.0.0.1. Measured, with the load average
before and after:

1. seconds from starting the process to the first answer of `GET /api/v1/standards`;
2. for each page or API answer of PAGES: the first answer after the start, then
   `--repeat` sequential requests (one client), p50 and p99;
3. a status change of one standard over HTTP (a registrar token), then the same: the
   first answer after the write, and p50/p99;
4. the resident memory of the API process and of every process of `screg serve`, right
   after the requests and again after the API process's next heap trim.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from api import TRIM_EVERY_SECONDS  # noqa: E402
from bench.sparql_bench import (  # noqa: E402
    DEFAULT_NQ,
    DEFAULT_STORE,
    SCREG,
    ensure_store,
    free_port,
    start_screg,
    stop,
    tree_rss_mb,
)
from bench.validate_bench import machine  # noqa: E402

HTML = {"Accept": "text/html"}


def pages(client: Any) -> dict[str, tuple[str, dict[str, str]]]:
    """What a person asks for, by name: (path, headers). The entries named are picked
    from the registry itself."""
    standards = client.get("/api/v1/standards", params={"limit": 500, "offset": 4000}).json()
    standard = next(s for s in standards["items"] if s["status"] and s["identifier"])
    resources = client.get("/api/v1/resources", params={"limit": 1, "offset": 25000}).json()
    resource = resources["items"][0]
    fragment = resource["title"]["zh"][1:5]
    slug = standard["iri"].rsplit("/", 1)[-1]
    spelled = standard["identifier"].replace(" ", "").replace("-", "—")
    return {
        "list of standards": ("/api/v1/standards?limit=50", {}),
        "filtered list (category 3, current)": (
            "/api/v1/standards?category=3&status=current&limit=50",
            {},
        ),
        "resources of one department": (
            f"/api/v1/resources?publisher={resource['publisher']['id']}&limit=50",
            {},
        ),
        "search resources (zh)": (f"/api/v1/resources?q={quote(fragment)}", {}),
        "search standards (identifier spelling)": (f"/api/v1/standards?q={quote(spelled)}", {}),
        "home page": ("/", HTML),
        "category page 3": ("/category/3", HTML),
        "category page 3, current, a later page": (
            "/category/3?status=current&offset=1000",
            HTML,
        ),
        "search page": (f"/search?q={quote(fragment)}", HTML),
        "search page, standards, a later page": ("/search?kind=standard&offset=5000", HTML),
        "impact page, the form": ("/impact", HTML),
        "impact page, one standard": (
            f"/impact?standard={quote(standard['identifier'], safe='')}",
            HTML,
        ),
        "a standard's page": (f"/id/standard/{slug}", HTML),
        "a resource (JSON)": (f"/api/v1/resources/{quote(resource['id'], safe='')}", {}),
        "impact, first page": (
            f"/api/v1/impact/{quote(standard['identifier'], safe='')}?limit=50",
            {},
        ),
        "coverage": ("/api/v1/coverage", {}),
        "reference cycles": ("/api/v1/cycles", {}),
        "a harvest page (DCAT-AP)": ("/catalog.ttl?page=2", {}),
    }, standard


def store_copy(store: Path, suffix: str, kept_graph: bool = True) -> tuple[Path, Path]:
    """A copy of `store` and of its read model beside it (the run writes, or starts
    from a state no earlier run touched): (folder, model file). With `kept_graph`, the
    dependency graph kept beside them (`<store>.graph`, registry.graphs.saved) is
    copied too when there is one, as a server stopped before would have left it."""
    copy = store.with_name(store.name + suffix)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    copy_model = copy.with_name(copy.name + ".read.sqlite")
    shutil.copyfile(store.with_name(store.name + ".read.sqlite"), copy_model)
    graph = store.with_name(store.name + ".graph")
    copy_graph = copy.with_name(copy.name + ".graph")
    copy_graph.unlink(missing_ok=True)
    if kept_graph and graph.exists():
        shutil.copyfile(graph, copy_graph)
    return copy, copy_model


def remove_copy(copy: Path, copy_model: Path) -> None:
    shutil.rmtree(copy, ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy_model) + suffix).unlink(missing_ok=True)
    copy.with_name(copy.name + ".graph").unlink(missing_ok=True)


def keep_graph(store: Path) -> float:
    """Assemble the dependency graph of `store` (no server may run on it) and keep it
    beside its read model, as a stopping server or `screg read-model rebuild` does;
    returns the seconds it took. Changes nothing in the store."""
    from registry.config import Settings
    from registry.service import Registry

    started = time.perf_counter()
    with Registry(Settings(store=str(store), seed=False)) as registry:
        registry.graph()
        registry.save_graph()
    return time.perf_counter() - started


def wait_for_first_answer(client: Any, proc: subprocess.Popen, log: Path) -> None:
    """Ask for a list until the server answers it (the start's end)."""
    import httpx

    while True:
        try:
            if client.get("/api/v1/standards?limit=1").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"screg serve exited: see {log}")
        time.sleep(0.05)


def timed_get(client: Any, path: str, headers: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    return (time.perf_counter() - started) * 1000, response.status_code


def measure(client: Any, asked: dict[str, tuple[str, dict[str, str]]], repeat: int) -> dict:
    rows = {}
    for name, (path, headers) in asked.items():
        first, status = timed_get(client, path, headers)
        times = [timed_get(client, path, headers)[0] for _ in range(repeat)]
        times.sort()
        rows[name] = {
            "status": status,
            "first_ms": round(first, 1),
            "p50_ms": round(statistics.median(times), 1),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
        }
        print(
            f"  {name:<40} {status}  first {first:8.1f} ms   p50 {rows[name]['p50_ms']:7.1f}"
            f"   p99 {rows[name]['p99_ms']:7.1f}",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    import httpx

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nq", type=Path, default=DEFAULT_NQ)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument(
        "--no-kept-graph",
        action="store_true",
        help="start without the dependency graph kept beside the store (as after a crash)",
    )
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    store = ensure_store(args.store, args.nq)
    model = store.with_name(store.name + ".read.sqlite")
    result: dict[str, Any] = {"machine": machine(), "loadavg_before": os.getloadavg()}
    if not model.exists():
        started = time.perf_counter()
        subprocess.run([SCREG, "read-model", "rebuild", "--store", str(store)], check=True)
        result["read_model_rebuild_s"] = round(time.perf_counter() - started, 1)
        print(f"read model built in {result['read_model_rebuild_s']} s", flush=True)
    result["kept_graph"] = not args.no_kept_graph
    if result["kept_graph"] and not store.with_name(store.name + ".graph").exists():
        result["keep_graph_s"] = round(keep_graph(store), 1)
        print(f"dependency graph kept in {result['keep_graph_s']} s", flush=True)
    copy, copy_model = store_copy(store, "-pages-copy", kept_graph=result["kept_graph"])
    token = subprocess.run(
        [SCREG, "token", "create", "--role", "registrar", "--name", "bench", "--store", str(copy)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "SCREG_SEED": "false"},
    ).stdout.strip()
    port = free_port()
    log = Path("/tmp") / f"read-side-bench-{port}.log"
    proc = None
    try:
        started = time.perf_counter()
        proc = start_screg(copy, port, log)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=120) as client:
            wait_for_first_answer(client, proc, log)
            result["first_answer_s"] = round(time.perf_counter() - started, 2)
            print(f"first answer {result['first_answer_s']} s after starting screg serve")
            asked, standard = pages(client)
            print(f"after the start, {args.repeat} requests each (one client):")
            result["after_start"] = measure(client, asked, args.repeat)
            changed = client.post(
                f"/api/v1/items/{quote(standard['identifier'], safe='')}/status",
                json={"status": "deprecated", "reason": "bench"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert changed.status_code == 200, changed.text
            print("after a status change:")
            result["after_write"] = measure(client, asked, args.repeat)
            rss = tree_rss_mb(proc.pid)
            result["rss_mb"] = rss
            api = max(rss.values())
            print(f"resident: API process {api:.0f} MB, all processes {sum(rss.values()):.0f} MB")
            # Once more after the API process's next heap trim (api.TRIM_EVERY_SECONDS):
            # what it holds between bursts, beside what it holds right after one.
            time.sleep(TRIM_EVERY_SECONDS + 2)
            rss = tree_rss_mb(proc.pid)
            result["rss_idle_mb"] = rss
            print(
                f"resident {TRIM_EVERY_SECONDS + 2:g} s later: API process "
                f"{max(rss.values()):.0f} MB, all processes {sum(rss.values()):.0f} MB"
            )
    finally:
        stop(proc)
        remove_copy(copy, copy_model)
    finish(result, args.json)
    return 0


def finish(result: dict[str, Any], path: Path | None) -> None:
    """The load average after the run, printed beside the one before, and the result
    written to `path` (JSON) when one is given."""
    result["loadavg_after"] = os.getloadavg()
    print(f"load average before {result['loadavg_before']}, after {result['loadavg_after']}")
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    raise SystemExit(main())
