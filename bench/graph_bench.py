"""Dependency-graph benchmark: build time and query latency on a generated registry.

    .venv/bin/python bench/graph_bench.py                       # 10,000 standards, 50,000 resources
    .venv/bin/python bench/graph_bench.py --record              # and append to docs/benchmarks.md
    .venv/bin/python bench/graph_bench.py --standards 1000 --resources 5000 --runs 3

The data is synthetic/generate.py's `registry` mode (N-Quads of urn:screg:graph:current,
made if the file is missing), loaded with `store.load_dump` into a fresh in-memory
Oxigraph store together with the ontology (so categories are nodes too). Timings are
medians of several runs: the five SELECTs (`read_facts`), assembling the networkx
graph, a cache hit (one generation query), and per-root query latencies over a fixed
random sample of standards.
"""

from __future__ import annotations

import argparse
import gc
import io
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from registry.graphs import (  # noqa: E402
    GraphCache,
    assemble,
    dependencies,
    dependents,
    impact_of,
    read_facts,
    reference_cycles,
)
from registry.graphs.adjacency import build_index, index_of  # noqa: E402
from registry.namespaces import GRAPH_ONTOLOGY  # noqa: E402
from registry.store import WriteBatch, open_store  # noqa: E402

API_PAGE = 1000  # the default `limit` of GET /api/v1/impact/{id}


def timed(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    """Median seconds of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def latencies(fn: Callable[[str], object], roots: list[str]) -> dict[str, float]:
    times = []
    for root in roots:
        start = time.perf_counter()
        fn(root)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
        "max_ms": times[-1] * 1000,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standards", type=int, default=10_000)
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--data", type=Path, default=None, help="N-Quads file to load")
    parser.add_argument("--runs", type=int, default=5, help="runs per build measurement")
    parser.add_argument("--sample", type=int, default=200, help="roots per query latency")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args(argv)

    data = args.data or ROOT / "bench" / "data" / f"registry-{args.resources}.nq"
    if not data.exists():
        print(f"generating {data} ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "synthetic" / "generate.py"),
                "registry",
                "--standards",
                str(args.standards),
                "--resources",
                str(args.resources),
                "-o",
                str(data),
            ],
            check=True,
        )
    from registry.validation.validator import Validator

    store = open_store("memory")
    start = time.perf_counter()
    store.load_dump(data.read_bytes(), "nquads")
    store.write(WriteBatch().replace_graph(GRAPH_ONTOLOGY, Validator().vocabulary.graph))
    load_s = time.perf_counter() - start
    quads = store.quad_count()
    print(f"loaded {quads:,} quads in {load_s:.1f} s", file=sys.stderr)

    read_s, facts = timed(lambda: read_facts(store), args.runs)
    assemble_s, graph = timed(lambda: assemble(facts), args.runs)  # type: ignore[arg-type]

    def cold() -> object:
        return GraphCache().get(store)

    cold_s, _ = timed(cold, args.runs)
    cache = GraphCache()
    cache.get(store)
    hit_s, _ = timed(lambda: cache.get(store), 50)
    as_of_s, _ = timed(lambda: assemble(facts, date(2015, 1, 1)), args.runs)  # type: ignore[arg-type]

    kinds: dict[str, int] = {}
    for _, attrs in graph.nodes(data=True):  # type: ignore[union-attr]
        kinds[attrs["kind"]] = kinds.get(attrs["kind"], 0) + 1
    standards = sorted(n for n, a in graph.nodes(data=True) if a["kind"] == "standard")  # type: ignore[union-attr]
    roots = random.Random(1).sample(standards, min(args.sample, len(standards)))
    # the most cited standards make the worst case of an impact query
    most_cited = sorted(standards, key=lambda n: graph.in_degree(n), reverse=True)[:20]  # type: ignore[union-attr]

    index_s, _ = timed(lambda: build_index(graph), args.runs)  # type: ignore[arg-type]
    index_of(graph)  # type: ignore[arg-type]
    page = API_PAGE

    def impact(root: str, change: str, limit: int | None) -> object:
        # as_dict: the API answers the dict, so its cost is part of the query
        return impact_of(graph, root, change, limit=limit).as_dict()  # type: ignore[arg-type]

    impact_sup = latencies(lambda r: impact(r, "superseded", page), roots)
    impact_abolished = latencies(lambda r: impact(r, "abolished", page), roots)
    impact_worst = latencies(lambda r: impact(r, "abolished", page), most_cited)
    impact_worst_all = latencies(lambda r: impact(r, "abolished", None), most_cited)
    affected = statistics.median(impact_of(graph, r, "abolished").total for r in roots)  # type: ignore[arg-type]
    worst_affected = max(impact_of(graph, r, "abolished").total for r in most_cited)  # type: ignore[arg-type]
    deps = latencies(lambda r: dependencies(graph, r, limit=page), roots)  # type: ignore[arg-type]
    dents = latencies(lambda r: dependents(graph, r, limit=page), roots)  # type: ignore[arg-type]
    dents_worst = latencies(lambda r: dependents(graph, r, limit=page), most_cited)  # type: ignore[arg-type]
    cycles_s, cycles = timed(lambda: reference_cycles(graph), 3)  # type: ignore[arg-type]

    versions = (
        ", ".join(
            f"{p} {version(p)}" for p in ("networkx", "scipy", "numpy", "pyoxigraph", "rdflib")
        )
        + f", Python {platform.python_version()}"
    )
    out = io.StringIO()
    w = out.write
    w("\n## Dependency graphs\n\n")
    w(f"`bench/graph_bench.py`, {time.strftime('%Y-%m-%d')}. Machine: {machine()}. {versions}.\n\n")
    w(
        f"Data: `synthetic/generate.py registry --standards {args.standards} --resources "
        f"{args.resources}` ({quads:,} quads with the ontology, loaded into an in-memory "
        f"Oxigraph store in {load_s:.1f} s). Graph: {graph.number_of_nodes():,} nodes "  # type: ignore[union-attr]
        f"({', '.join(f'{n:,} {k}' for k, n in sorted(kinds.items()))}), "
        f"{graph.number_of_edges():,} edges.\n\n"
    )  # type: ignore[union-attr]
    w(f"Build (median of {args.runs} runs):\n\n| step | time |\n|---|---|\n")
    w(f"| read: four SELECTs (`read_facts`) | {read_s:.2f} s |\n")
    w(f"| assemble the networkx MultiDiGraph | {assemble_s:.2f} s |\n")
    w(f"| cold cache: generation + read + assemble | {cold_s:.2f} s |\n")
    w(f"| cache hit: one generation query | {hit_s * 1000:.2f} ms |\n")
    w(f"| view as of 2015-01-01 (from the cached facts) | {as_of_s:.2f} s |\n")
    w(f"| integer index for walks (first query after a build) | {index_s:.2f} s |\n\n")
    w(f"Queries on the built graph, {len(roots)} random standards (seed 1):\n\n")
    w("| query | median | p95 | max |\n|---|---|---|---|\n")
    for name, lat in (
        (f"impact, superseded, first {page:,} affected", impact_sup),
        (f"impact, abolished, first {page:,} affected", impact_abolished),
        (
            f"impact, abolished, 20 most cited (up to {worst_affected:,} affected), first {page:,}",
            impact_worst,
        ),
        ("impact, abolished, 20 most cited, every affected entry", impact_worst_all),
        (f"dependencies (all depths), first {page:,}", deps),
        (f"dependents (transitive), first {page:,}", dents),
        (f"dependents of the 20 most cited, first {page:,}", dents_worst),
    ):
        w(
            f"| {name} | {lat['median_ms']:.2f} ms | {lat['p95_ms']:.2f} ms | "
            f"{lat['max_ms']:.2f} ms |\n"
        )
    w(
        f"\nMedian entries affected by an abolition: {affected:g}. Reference cycles over the "
        f"whole graph: {len(cycles):,} found in {cycles_s:.2f} s.\n"
    )  # type: ignore[arg-type]
    w(
        f"Each impact figure includes `as_dict()` (what the API serialises). Pages of "
        f"{page:,} are the API's default `limit`; `total` and `counts` always cover the whole "
        "answer. The build and the index are paid once per store generation, after a write, "
        "and shared by every request until the next write.\n"
    )
    text = out.getvalue()
    print(text)
    if args.record:
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as fh:
            fh.write(text)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
