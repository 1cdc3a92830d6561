"""Dependency-graph benchmark: build and update times, and query latency, on a generated
registry.

    .venv/bin/python bench/graph_bench.py --standards 400 --resources 2000 --runs 5
    .venv/bin/python bench/graph_bench.py                       # 10,000 standards, 50,000 resources
    .venv/bin/python bench/graph_bench.py --record              # and append to docs/benchmarks.md

The data is synthetic/generate.py's `registry` mode (N-Quads of urn:screg:graph:current,
made if the file is missing) with what registration adds (synthetic/registered.py: the
ontology, a register record and version per entry), loaded into a fresh in-memory
Oxigraph store; the read model is built over it in memory. Side by side, medians of
`--runs` runs:

- the graph built from the store as the registry did before the read model (four
  SELECTs and the link-by-link assembly of tests/graphs/oracle.py) and from the read
  model (`model_facts`: one read of chosen record fields and of the edges table, then
  `assemble`), and each half of the latter;
- after one status change (`registration.change_status` of a cited standard, the most
  cited one and a random one, back and forth): the read model's `catch_up` (paid by
  the writer whatever the graph does), then the graph brought up to date by its cache
  (`GraphCache.get`: the rewritten entries read, their edges made again) against the
  graph assembled again from the whole model, and against a full copy of the graph
  (`graph.copy()`, what a copy-on-write update that copied everything would pay);
- a cache hit, a view as of a date, the integer index for walks, and per-root query
  latencies over a fixed random sample of standards.
Every updated graph is checked equal to the one assembled from scratch.
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

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from registry.graphs import (  # noqa: E402
    GraphCache,
    assemble,
    dependencies,
    dependents,
    graph_from_model,
    impact_of,
    model_facts,
    reference_cycles,
)
from registry.graphs.adjacency import build_index, index_of  # noqa: E402
from registry.read.model import ReadModel  # noqa: E402
from registry.register.submission import REGISTRAR, change_status  # noqa: E402
from registry.store import open_store  # noqa: E402
from synthetic.registered import write_registered_extra  # noqa: E402
from tests.graphs import oracle  # noqa: E402

BASE = "http://127.0.0.1:8000/id/"
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


def same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """The same nodes, attributes and edges, in the same order."""
    return (
        list(a.nodes(data=True)) == list(b.nodes(data=True))
        and list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
        and [list(p) for p in a.pred.values()] == [list(p) for p in b.pred.values()]
    )


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
        data.parent.mkdir(parents=True, exist_ok=True)
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
    extra = data.with_name(data.stem + "-registered-extra.nq")
    if not extra.exists() or extra.stat().st_mtime < data.stat().st_mtime:
        write_registered_extra(data, extra)
    store = open_store("memory")
    start = time.perf_counter()
    store.load_dump(data.read_bytes() + extra.read_bytes(), "nquads")
    load_s = time.perf_counter() - start
    quads = store.quad_count()
    print(f"loaded {quads:,} quads in {load_s:.1f} s", file=sys.stderr)
    model = ReadModel(":memory:", base_iri=BASE)
    start = time.perf_counter()
    model.rebuild(store)
    model_s = time.perf_counter() - start

    # -- the build, side by side -------------------------------------------------------
    store_s, _ = timed(lambda: oracle.assemble(oracle.read_facts(store)), args.runs)
    from_model_s, graph = timed(lambda: graph_from_model(model), args.runs)
    read_s, facts = timed(lambda: model_facts(model), args.runs)
    assemble_s, _ = timed(lambda: assemble(facts), args.runs)  # type: ignore[arg-type]
    copy_s, _ = timed(lambda: graph.copy(), args.runs)  # type: ignore[union-attr]

    # -- one status change: the cache's update against a rebuild from the model --------
    cited: dict[str, int] = {}
    for edge in model.edges():
        if edge["relation"] in ("dated_references", "undated_references", "conforms_to"):
            cited[edge["target"]] = cited.get(edge["target"], 0) + 1
    hub = max(sorted(cited), key=lambda iri: cited[iri])
    some = random.Random(2).choice(sorted(iri for iri in cited if "/standard/" in iri))
    cache = GraphCache()
    cache.get(model)
    writes: dict[str, dict[str, list[float]]] = {}
    for name, iri in (("most cited", hub), ("random", some)):
        times: dict[str, list[float]] = {"catch_up": [], "update": [], "rebuild": []}
        for run in range(args.runs):
            gc.collect()
            change_status(store, iri, "deprecated" if run % 2 == 0 else "valid", REGISTRAR, BASE)
            started = time.perf_counter()
            model.catch_up(store)
            times["catch_up"].append(time.perf_counter() - started)
            started = time.perf_counter()
            updated = cache.get(model)
            times["update"].append(time.perf_counter() - started)
            started = time.perf_counter()
            fresh = GraphCache().get(model)
            times["rebuild"].append(time.perf_counter() - started)
            if not same_graph(updated, fresh):
                raise SystemExit(f"the updated graph differs from the rebuilt one after {iri}")
        writes[name] = times
    if cache.builds != 1:
        raise SystemExit(f"the cache read the whole model {cache.builds} times")
    graph = cache.get(model)

    def cold() -> object:
        return GraphCache().get(model)

    cold_s, _ = timed(cold, args.runs)
    hit_s, _ = timed(lambda: cache.get(model), 50)
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
    w("\n## Dependency graphs from the read model, updated after each write\n\n")
    w(f"`bench/graph_bench.py`, {time.strftime('%Y-%m-%d')}. Machine: {machine()}. {versions}.\n\n")
    w(
        f"Data: `synthetic/generate.py registry --standards {args.standards} --resources "
        f"{args.resources}` ({quads:,} quads with the ontology and the register records, loaded "
        "into an in-memory "
        f"Oxigraph store in {load_s:.1f} s). Graph: {graph.number_of_nodes():,} nodes "  # type: ignore[union-attr]
        f"({', '.join(f'{n:,} {k}' for k, n in sorted(kinds.items()))}), "
        f"{graph.number_of_edges():,} edges.\n\n"
    )  # type: ignore[union-attr]

    def med(values: list[float]) -> float:
        return statistics.median(values)

    w(
        f"Read model built over it in {model_s:.1f} s. Build, median of {args.runs} runs, "
        "side by side:\n\n| step | time |\n|---|---|\n"
    )
    before = "from the store: four SELECTs + assembly, as before (tests/graphs/oracle.py)"
    w(f"| {before} | {store_s * 1000:.0f} ms |\n")
    w(f"| from the read model (`graph_from_model`) | {from_model_s * 1000:.0f} ms |\n")
    w(f"| of which: the model read (`model_facts`) | {read_s * 1000:.0f} ms |\n")
    w(f"| of which: `assemble` | {assemble_s * 1000:.0f} ms |\n")
    w(f"| a full copy of the graph (`graph.copy()`) | {copy_s * 1000:.0f} ms |\n")
    w(f"| cold cache: generation + model read + assemble | {cold_s * 1000:.0f} ms |\n")
    w(f"| cache hit: one generation read | {hit_s * 1000:.3f} ms |\n")
    w(f"| view as of 2015-01-01 (from the cached facts) | {as_of_s * 1000:.0f} ms |\n")
    w(f"| integer index for walks (first query after a build) | {index_s * 1000:.0f} ms |\n\n")
    w(
        f"Ratio store / model: {store_s / from_model_s:.1f}x.\n\n"
        f"After one status change (`change_status`, median of {args.runs}; every updated "
        "graph checked equal to the rebuilt one):\n\n"
        "| standard changed | read model catch_up | graph update (cache) | graph rebuilt "
        "from the model | ratio |\n|---|---|---|---|---|\n"
    )
    for name, iri in (("most cited", hub), ("random", some)):
        t = writes[name]
        w(
            f"| {name} ({cited[iri]} referrers) | {med(t['catch_up']) * 1000:.1f} ms | "
            f"{med(t['update']) * 1000:.1f} ms | {med(t['rebuild']) * 1000:.1f} ms | "
            f"{med(t['rebuild']) / med(t['update']):.0f}x |\n"
        )
    w("\n")
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
        "answer. The index is built once per graph, after a write, and shared by every "
        "request until the next write.\n"
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
