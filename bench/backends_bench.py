"""The three store back ends side by side on the same data.

    .venv/bin/python bench/backends_bench.py                      # memory + disk (+ Virtuoso)
    eval "$(scripts/virtuoso.sh start)"; .venv/bin/python bench/backends_bench.py --record
    .venv/bin/python bench/backends_bench.py --standards 200 --resources 1000 --runs 3

Data: synthetic/generate.py's `registry` mode (made if missing) plus the ontology, as
one N-Quads dump. For each back end: `load_dump` of it into an empty store, then
medians of `--runs` runs of

- **lookup**: one standard by identifier (a SELECT with a bound variable), the
  median over a fixed sample of identifiers;
- **group by**: standards per category and status in the current graph;
- **impact**: what refers to one standard, directly or through one other entry
  (dated/undated references and `dct:conformsTo`), over the same sample;
- **graph facts**: `read_facts` of tests/graphs/oracle.py, the four whole-registry
  SELECTs the dependency graph was read with before it came from the read model (a
  process paid them after any write); kept as a whole-registry read to compare the
  back ends on, and with earlier runs.

Virtuoso runs when SCREG_TEST_VIRTUOSO_URL is set (scripts/virtuoso.sh) and is
wiped first. `--record` appends a table to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from rdflib import Literal  # noqa: E402

from registry.namespaces import GRAPH_CURRENT  # noqa: E402
from registry.store import Store, open_store  # noqa: E402
from tests.graphs.oracle import read_facts  # noqa: E402

SCS = "https://w3id.org/smartcity-std#"
DCT = "http://purl.org/dc/terms/"
LOOKUP = f"""SELECT ?s ?title WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
    ?s <{DCT}identifier> ?id ; <{DCT}title> ?title }} }}"""
GROUP_BY = f"""SELECT ?category ?status (COUNT(?s) AS ?n) WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
    ?s a <{SCS}Standard> ; <{SCS}category> ?category ; <{SCS}standardStatus> ?status }} }}
    GROUP BY ?category ?status"""
REFERS = f"<{SCS}datedReference>|<{SCS}undatedReference>|<{DCT}conformsTo>"
IMPACT = f"""SELECT DISTINCT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
    {{ ?x {REFERS} ?root }} UNION {{ ?x {REFERS} ?mid . ?mid {REFERS} ?root }} }} }}"""


def median_seconds(action: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def data_dump(standards: int, resources: int) -> bytes:
    path = ROOT / "bench" / "data" / f"registry-{standards}-{resources}.nq"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "synthetic" / "generate.py"),
                "registry",
                "--standards",
                str(standards),
                "--resources",
                str(resources),
                "-o",
                str(path),
            ],
            check=True,
        )
    from registry.register.seed import seed_store
    from registry.validation.validator import Validator

    # The ontology (categories, code lists) as the registry holds it, then the data.
    with open_store("memory") as seeded:
        seed_store(seeded, Validator(), "http://127.0.0.1:8000/id/", False)
        ontology = seeded.dump("nquads")
    lines = [line for line in ontology.splitlines() if b"urn:screg:store" not in line]
    return b"\n".join(lines) + b"\n" + path.read_bytes()


def bench_store(name: str, store: Store, dump: bytes, runs: int) -> dict[str, Any]:
    started = time.perf_counter()
    store.load_dump(dump, "nquads")
    load = time.perf_counter() - started
    rng = random.Random(1)
    rows = store.select(
        f"SELECT ?s ?id WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?s a <{SCS}Standard> ; "
        f"<{DCT}identifier> ?id }} }}"
    )
    sample = rng.sample(sorted(rows, key=lambda r: str(r["s"])), min(20, len(rows)))

    def lookups() -> float:
        times = []
        for row in sample:
            started = time.perf_counter()
            assert store.select(LOOKUP, {"id": Literal(str(row["id"]))})
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    def impacts() -> float:
        times = []
        for row in sample:
            started = time.perf_counter()
            store.select(IMPACT, {"root": row["s"]})
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    lookup = statistics.median(lookups() for _ in range(runs))
    impact = statistics.median(impacts() for _ in range(runs))
    group_by, groups = median_seconds(lambda: store.select(GROUP_BY), runs)
    facts, _ = median_seconds(lambda: read_facts(store), runs)
    return {
        "back end": name,
        "quads": store.quad_count(),
        "load s": load,
        "lookup ms": lookup * 1000,
        "group by ms": group_by * 1000,
        "impact ms": impact * 1000,
        "graph facts s": facts,
        "groups": len(groups),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--standards", type=int, default=500)
    parser.add_argument("--resources", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    dump = data_dump(args.standards, args.resources)
    results = []
    with open_store("memory") as store:
        results.append(bench_store("memory (Oxigraph)", store, dump, args.runs))
    with tempfile.TemporaryDirectory() as tmp, open_store(f"{tmp}/store") as store:
        results.append(bench_store("disk (Oxigraph)", store, dump, args.runs))
    url = os.environ.get("SCREG_TEST_VIRTUOSO_URL")
    if url:
        sys.path.insert(0, str(ROOT))
        from tests.conftest import virtuoso_url

        with open_store(virtuoso_url() or url) as store:
            store.wipe()  # type: ignore[attr-defined]
            results.append(bench_store("Virtuoso 7.2 (remote)", store, dump, args.runs))
            store.wipe()  # type: ignore[attr-defined]
    columns = [
        "back end",
        "quads",
        "load s",
        "lookup ms",
        "group by ms",
        "impact ms",
        "graph facts s",
    ]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in results:
        cells = [f"{row[c]:.3g}" if isinstance(row[c], float) else str(row[c]) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.record:
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"pyoxigraph {version('pyoxigraph')}, httpx {version('httpx')}"
        )
        section = (
            f"\n### {date.today()}: {args.standards} standards, {args.resources} resources, "
            f"medians of {args.runs} runs\n\n{machine}.\n\n{table}\n"
        )
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as out:
            out.write(section)


if __name__ == "__main__":
    main()
