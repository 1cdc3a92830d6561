"""The SQLite read model (registry/read/model.py): build, reopen, apply, reads.

    flock /tmp/screg-bench.lock .venv/bin/python bench/read_model_bench.py --resources 2000
    .venv/bin/python bench/read_model_bench.py --store bench/data/store-50000  # 50,000

Data: the registered store of bench/sparql_bench.py for `--resources N` (generated with
synthetic/generate.py, N/5 standards, and bulk-loaded once into `bench/data/store-N`,
kept), or an existing store folder given with `--store`. The store is never written:
the writes go to a copy made next to it, deleted at the end unless `--keep-copy`. The
model file goes to a temporary folder (or `--model`).

In one process over the copy:

1. the model rebuilt from scratch (`ReadModel.rebuild`), its file size, and the time to
   open the file again and answer a first list (what a start costs with the model);
   every record built from the store at once (`queries.build_records`, what the
   in-memory Snapshot that the model replaced built after every start);
2. `--writes` status changes of one resource (`registration.change_status`), each
   followed by `ReadModel.apply` with the subjects the store says it touched, timed;
3. `--repeat` times each read over the model: a page of resources (at a varying
   offset), a filtered list of standards (category, status), a text search of
   resources (a zh title fragment of 3+ characters, through the trigram index), a short
   search (2 characters, a scan), a standard identifier in another spelling, and
   `departments()`; p50 and p99 of each. tests/read/test_model.py checks the answers.

Prints the load average and the figures; `--json` writes them too.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sparql_bench import DATA, ensure_nq, ensure_store  # noqa: E402
from bench.validate_bench import machine  # noqa: E402

BASE = "http://127.0.0.1:8000/id/"


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = call()
    return time.perf_counter() - started, answer


def prepared_store(args: argparse.Namespace) -> Path:
    """The registered store to copy: `--store`, or the one for `--resources`."""
    if args.store is not None:
        if not args.store.is_dir():
            raise SystemExit(f"no store at {args.store}")
        return args.store
    n = args.resources
    nq = ensure_nq(DATA / f"registry-{n}.nq", standards=max(1, n // 5), resources=n)
    return ensure_store(DATA / f"store-{n}", nq)


def reads(model: Any) -> dict[str, Callable[[], Any]]:
    """The reads timed, by name; what they look for is picked from the model."""
    resources = model.list_entries("resource", limit=100_000).items
    title = next((r["title"].get("zh", "") for r in resources if r["title"].get("zh")), "")
    fragment, short = title[1:5], title[1:3]
    standards = model.list_entries("standard", limit=100_000).items
    standard = standards[len(standards) // 2]["id"]
    # The same identifier as people type it: no space, an em dash before the year.
    spelled = standard.replace(" ", "").replace("-", "—")
    offsets = itertools.cycle(
        [random.Random(n).randrange(max(1, len(resources))) for n in range(64)]
    )
    return {
        "list (page of resources)": lambda: model.list_entries(
            "resource", limit=50, offset=next(offsets)
        ),
        "filtered list (category 3, current)": lambda: model.search_standards(
            category="3", status="current", limit=50
        ),
        f"text search {fragment!r}": lambda: model.list_entries("resource", q=fragment, limit=50),
        f"short search {short!r}": lambda: model.list_entries("resource", q=short, limit=50),
        f"identifier {spelled!r}": lambda: model.search_standards(q=spelled, limit=50),
        "departments()": model.departments,
        "counts()": model.counts,
        "category tree": model.category_tree,
    }


def runs(call: Callable[[], Any], repeat: int) -> tuple[list[float], list[Any]]:
    """`repeat` calls: their times in ms and their answers."""
    times, answers = [], []
    for _ in range(repeat):
        seconds, answer = timed(call)
        times.append(seconds * 1000)
        answers.append(answer)
    return times, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=2000, help="size of the registry")
    parser.add_argument("--store", type=Path, default=None, help="an existing store folder")
    parser.add_argument("--copy", type=Path, default=None, help="default: <store>-copy")
    parser.add_argument("--keep-copy", action="store_true")
    parser.add_argument("--model", type=Path, default=None, help="default: a temporary file")
    parser.add_argument("--writes", type=int, default=5, help="status changes, each applied")
    parser.add_argument("--repeat", type=int, default=200, help="runs of each read")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    from registry.read import queries
    from registry.read.model import ReadModel
    from registry.register.submission import REGISTRAR, change_status
    from registry.store import OxigraphStore

    source = prepared_store(args)
    copy = args.copy or source.with_name(source.name + "-copy")
    if copy.exists():
        print(f"{copy} exists; remove it or name another --copy")
        return 2
    info = {**machine(), "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    print(" ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    shutil.copytree(source, copy)
    folder = Path(tempfile.mkdtemp(prefix="screg-read-model-"))
    path = args.model or folder / "read-model.sqlite"
    result: dict[str, Any] = {"machine": info, "store": str(source)}
    equal = True
    try:
        with OxigraphStore(copy) as store, ReadModel(path, base_iri=BASE) as model:
            rebuild_s, generation = timed(lambda: model.rebuild(store))
            size_mb = path.stat().st_size / 1e6
            counts = model.counts()["kinds"]
            print(
                f"rebuild: {rebuild_s:.2f} s, generation {generation}, {counts}, "
                f"file {size_mb:.1f} MB",
                flush=True,
            )

            def reopen() -> int:
                with ReadModel(path, base_iri=BASE) as again:
                    return again.list_entries("resource", limit=50).total

            reopen_s, _ = timed(reopen)
            print(f"open the file again and list a page: {reopen_s * 1000:.1f} ms", flush=True)
            asked = reads(model)
            scratch_s, _built = timed(
                lambda: queries.build_records(store, queries.load_concepts(store))
            )
            del _built
            print(f"every record built from the store (the old snapshot): {scratch_s:.2f} s")
            result.update(
                rebuild_s=rebuild_s,
                model_mb=size_mb,
                reopen_first_page_s=reopen_s,
                records_from_store_s=scratch_s,
                entries=counts,
            )
            timings: dict[str, Any] = {}
            print(f"reads, {args.repeat} runs each: p50 / p99 in ms")
            for name, call in asked.items():
                mine, _answers = runs(call, args.repeat)
                row = {"p50_ms": percentile(mine, 50), "p99_ms": percentile(mine, 99)}
                timings[name] = row
                print(f"  {name:<38} {row['p50_ms']:7.2f} / {row['p99_ms']:7.2f}", flush=True)
            result["reads"] = timings

            resources = model.list_entries("resource", limit=1, offset=counts["resource"] // 2)
            item = resources.items[0]["iri"]
            applied: list[float] = []
            touched = 0
            for n in range(args.writes):
                before = store.generation()
                status = "deprecated" if n % 2 == 0 else "valid"
                change_status(store, item, status, REGISTRAR, BASE)
                after = store.generation()  # one writer here: the write's generation
                changed = store.changes_since(before) or frozenset()
                touched = len(changed)
                started = time.perf_counter()
                model.apply(store, changed, after)
                applied.append(time.perf_counter() - started)
                record = model.record(item) or {}
                equal &= record.get("register", {}).get("status") == status
            print(
                f"one status change ({touched} subjects written), {args.writes} writes: "
                f"apply p50 {statistics.median(applied) * 1000:.1f} ms",
                flush=True,
            )
            result.update(apply_s=applied)
            result["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        if not args.keep_copy:
            shutil.rmtree(copy, ignore_errors=True)
        if args.model is None:
            shutil.rmtree(folder, ignore_errors=True)
    result["equal"] = equal
    print("every write shown by the model:", "yes" if equal else "NO")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if equal else 1


if __name__ == "__main__":
    raise SystemExit(main())
