"""Where a SPARQL query's time goes, in process, on a read-only open of the store (as
the query worker does), without HTTP:

    .venv/bin/python bench/sparql_profile.py [--store bench/data/store-50000] [--departments 4]

For the OPTIONAL join, the two-hop join and the GROUP BY of bench/sparql_bench.py, on
departments taken from the store: the time over the union of the three public graphs
(first query on a department: cold, then warm), over the current graph alone, as a
COUNT(*) (no rows to Python), unordered and ordered rows, the worker's JSON writer, the
dataset decision parsed afresh and from a template parsed before (the worker's plan
cache, registry/sparql/worker.py `query_plan`), and the worker's own path
(`worker.run_query`). Results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from bench.sparql_bench import DEFAULT_STORE, PREFIXES, query_mix  # noqa: E402
from registry.sparql import worker  # noqa: E402
from registry.sparql.dataset import HIDDEN_GRAPHS, PUBLIC_DEFAULT_GRAPHS  # noqa: E402
from registry.sparql.patterns import needed_graphs  # noqa: E402


def _seconds(f: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--departments", type=int, default=4)
    ap.add_argument("--skip", type=int, default=12, help="departments to skip first")
    args = ap.parse_args(argv)
    ds = worker._Dataset(
        {
            "kind": "disk",
            "path": str(args.store),
            "generation": 0,
            "default_graphs": list(PUBLIC_DEFAULT_GRAPHS),
            "hidden_graphs": sorted(HIDDEN_GRAPHS),
        }
    )
    current = [ox.NamedNode(PUBLIC_DEFAULT_GRAPHS[0])]
    union = ds.default_graph
    store = ds.store
    depts = sorted(
        {
            row[0].value
            for row in store.query(
                "SELECT DISTINCT ?d WHERE { GRAPH <urn:screg:graph:current> "
                "{ ?r <http://purl.org/dc/terms/publisher> ?d } }"
            )
        }
    )
    out: dict[str, dict[str, list[float]]] = {}
    for dept in depts[args.skip : args.skip + args.departments]:
        mix = query_mix("x", dept, "http://x/y")
        for name in ("optional_join", "two_hop"):
            q = mix[name][1]
            body = q.split("WHERE", 1)[1]
            count_q = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE " + body[: body.rindex("}") + 1]
            unordered = q[: q.index("ORDER BY")]
            steps = {
                "union, first on the department": lambda q=q: list(
                    store.query(q, default_graph=union)
                ),
                "union, again": lambda q=q: list(store.query(q, default_graph=union)),
                "current: COUNT(*)": lambda c=count_q: list(store.query(c, default_graph=current)),
                "current: rows unordered": lambda u=unordered: list(
                    store.query(u, default_graph=current)
                ),
                "current: rows ordered by Oxigraph": lambda q=q: list(
                    store.query(q, default_graph=current)
                ),
                "current: ordered, Python JSON": lambda q=q: worker._solutions(
                    store.query(q, default_graph=current), "json", 10000
                ),
                "current: ordered, pyoxigraph JSON": lambda q=q: store.query(
                    q, default_graph=current
                ).serialize(format=ox.QueryResultsFormat.JSON),
                "the dataset decision (parse)": lambda q=q: needed_graphs(
                    q, ds.default_graphs, ds._graph_matches
                ),
                "the plan, template parsed before": lambda q=q: ds.default_graph_for(
                    q, worker.query_plan(q)[0]
                ),
                "worker.run_query (all of it)": lambda q=q: worker.run_query(ds, q, "json", 10000),
            }
            for step, f in steps.items():
                out.setdefault(name, {}).setdefault(step, []).append(_seconds(f))
        q = mix["group_by"][1]
        for step, f in {
            "union": lambda q=q: list(store.query(q, default_graph=union)),
            "current": lambda q=q: list(store.query(q, default_graph=current)),
            "worker.run_query (all of it)": lambda q=q: worker.run_query(ds, q, "json", 10000),
        }.items():
            out.setdefault("group_by", {}).setdefault(step, []).append(_seconds(f))
    for name, steps in out.items():
        print(name)
        for step, values in steps.items():
            runs = " ".join(f"{v:.3f}" for v in values)
            print(f"  {step:36s} median {statistics.median(values):.3f}  ({runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
