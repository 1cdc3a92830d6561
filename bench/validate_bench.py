"""Validation benchmark: the registry's Validator against plain pyshacl, side by side.

    .venv/bin/python bench/validate_bench.py --sizes 1000 --runs 3
    .venv/bin/python bench/validate_bench.py --sizes 10000 --runs 1

For each size it times, on the same generated catalogue (bench/data/catalogue-N.ttl,
generated with the same seed when missing) plus the context its references need
(examples/standards.ttl and examples/departments.ttl):

  (a) the registry's path: `Validator().validate(graph)` (the Validator adds the
      vocabulary of ontology/ itself);
  (b) plain `pyshacl.validate(data, shacl_graph=shapes)` with default options, the
      data being the same graph + ontology/*.ttl, the shapes those of shapes/*.ttl.

Runs alternate (a), (b) so drift hits both; it prints the medians, the ratio
(b)/(a), the result counts, whether both found the same set of
(focus, path, constraint, severity, value, source shape, zh and en messages), and
how the results line up with the generator's list of invalid focus nodes. With the
`screg` command installed it also times `screg validate FILE --store memory --report
json` end to end (a subprocess:
start-up, seeding the memory store with examples/, parsing, validation, report).

One process at a time: nothing here runs in parallel.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import pyshacl  # noqa: E402
import rdflib  # noqa: E402
from rdflib import Graph  # noqa: E402

from synthetic.generate import write_catalogue, write_output  # noqa: E402

EXAMPLES = ROOT / "examples"
CONTEXT_FILES = (EXAMPLES / "standards.ttl", EXAMPLES / "departments.ttl")
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY_DIR = ROOT / "ontology"

# (focus, path, constraint, severity, value, source shape, message zh, message en)
Key = tuple[str, str | None, str, str, str | None, str, str, str]


def parse_files(paths: list[Path], graph: Graph | None = None) -> Graph:
    graph = graph if graph is not None else Graph()
    for path in paths:
        graph.parse(data=path.read_bytes(), format="turtle")
    return graph


def copy_graph(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _norm_path(path: str | None) -> str | None:
    """IRI paths as they are, inverse paths as ^IRI, any other (blank-node) path as one token:
    blank-node labels differ between two reports."""
    if path is None:
        return None
    if path.startswith("^") or path.startswith(("http:", "https:", "urn:")):
        return path
    return "[complex path]"


def _key(r: Any) -> Key:
    return (
        r.focus,
        _norm_path(r.path),
        r.constraint,
        r.severity,
        r.value,
        r.source_shape,
        r.message_zh,
        r.message_en,
    )


def keys_of_registry(report: Any) -> list[Key]:
    return [_key(r) for r in report.results]


def keys_of_pyshacl(results: Graph, data: Graph) -> list[Key]:
    """Top-level results of a pyshacl report graph (sh:detail results left out), read
    by the registry's own reader (registry.validation.validator.read_results)."""
    from registry.validation.validator import read_results

    return [_key(r) for r in read_results(results, data)]


@dataclass
class Side:
    times: list[float] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    def severities(self) -> dict[str, int]:
        return dict(Counter(k[3] for k in self.keys))


def catalogue_path(data_dir: Path, n: int, seed: int) -> Path:
    name = f"catalogue-{n}.ttl" if seed == 1 else f"catalogue-{n}-s{seed}.ttl"
    path = data_dir / name
    if not path.exists() or not Path(f"{path}.invalid-kinds.tsv").exists():
        print(f"generating {path}", flush=True)
        write_output(path, lambda out, fmt: write_catalogue(out, fmt, n, seed))
    return path


def read_invalid(path: Path) -> dict[str, str]:
    kinds_file = Path(f"{path}.invalid-kinds.tsv")
    invalid = {}
    for line in kinds_file.read_text(encoding="utf-8").splitlines():
        focus, _tab, kind = line.partition("\t")
        invalid[focus] = kind
    return invalid


def expected_check(keys: list[Key], invalid: dict[str, str]) -> dict[str, Any]:
    """How the Violations line up with the generator's invalid focus nodes."""
    violating = {k[0] for k in keys if k[3] == "Violation"}
    caught: dict[str, list[int]] = {}
    for focus, kind in sorted(invalid.items()):
        hit = focus in violating
        caught.setdefault(kind, [0, 0])
        caught[kind][0] += int(hit)
        caught[kind][1] += 1
    invalid_resources = {f.split("/item/")[0] for f in invalid}
    unexpected = sorted(
        f for f in violating if f not in invalid and f.split("/item/")[0] not in invalid_resources
    )
    return {
        "invalid_listed": len(invalid),
        "invalid_with_violation": sum(c[0] for c in caught.values()),
        "by_kind": {kind: f"{c[0]}/{c[1]}" for kind, c in caught.items()},
        "violating_foci_not_listed": len(unexpected),
        "examples_not_listed": unexpected[:5],
    }


def run_cli(screg: str, path: Path, runs: int) -> tuple[list[float], str]:
    # A memory store is seeded with examples/ (standards, departments): the context.
    command = [screg, "validate", str(path), "--store", "memory", "--report", "json"]
    times = []
    note = ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            return [], f"exit {done.returncode}: " + " | ".join(tail)
        note = f"exit {done.returncode}"
        try:
            body = json.loads(done.stdout)
            count = body.get("counts") or body.get("summary") or {}
            note += f", report counts {count}" if count else ""
        except (ValueError, AttributeError):
            pass
    return times, note


def bench_size(
    n: int, args: argparse.Namespace, validator: Any, shapes: Graph, ontology: Graph
) -> dict[str, Any]:
    path = catalogue_path(args.data_dir, n, args.seed)
    invalid = read_invalid(path)
    started = time.perf_counter()
    data = parse_files([path, *CONTEXT_FILES])
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    data_plain = copy_graph(data)
    for triple in ontology:
        data_plain.add(triple)
    build_s = time.perf_counter() - started
    print(
        f"\n== {n} resources: {path.name}, {len(data)} triples with context "
        f"(+ ontology: {len(data_plain)}); parse {parse_s:.1f} s",
        flush=True,
    )

    a, b = Side(), Side()
    runs_a = 0 if args.skip_registry else args.runs
    runs_b = 0 if args.skip_plain else (args.runs_plain or args.runs)
    for run in range(max(runs_a, runs_b)):
        if run < runs_a:
            started = time.perf_counter()
            report = validator.validate(data)
            a.times.append(time.perf_counter() - started)
            a.keys = keys_of_registry(report)
            print(
                f"  run {run + 1} (a) Validator.validate: {a.times[-1]:.2f} s, "
                f"{len(a.keys)} results",
                flush=True,
            )
            del report
        if run < runs_b:
            shacl = copy_graph(shapes)  # pyshacl changes the shapes graph it is given
            started = time.perf_counter()
            conforms, results_graph, _text = pyshacl.validate(data_plain, shacl_graph=shacl)
            b.times.append(time.perf_counter() - started)
            b.keys = keys_of_pyshacl(results_graph, data)
            print(
                f"  run {run + 1} (b) pyshacl.validate:   {b.times[-1]:.2f} s, "
                f"{len(b.keys)} results, conforms={conforms}",
                flush=True,
            )
            del results_graph, shacl

    set_a, set_b = set(a.keys), set(b.keys)
    agree = set_a == set_b if a.times and b.times else None
    out: dict[str, Any] = {
        "resources": n,
        "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "triples_with_context": len(data),
        "triples_with_ontology": len(data_plain),
        "parse_s": round(parse_s, 2),
        "build_plain_data_s": round(build_s, 2),
        "a": {
            "runs": [round(t, 2) for t in a.times],
            "median_s": _round(a.median),
            "results": len(a.keys),
            "distinct": len(set_a),
            "severities": a.severities(),
        },
        "b": {
            "runs": [round(t, 2) for t in b.times],
            "median_s": _round(b.median),
            "results": len(b.keys),
            "distinct": len(set_b),
            "severities": b.severities(),
        },
        "ratio_b_over_a": round(b.median / a.median, 2) if a.median and b.median else None,
        "same_results": agree,
        "expected": expected_check(a.keys if a.times else b.keys, invalid),
        "expected_from": "a" if a.times else "b",
    }
    if agree is False:
        only_a, only_b = sorted(set_a - set_b, key=str), sorted(set_b - set_a, key=str)
        out["only_a"] = {
            "count": len(only_a),
            "examples": only_a[:5],
            "constraints": dict(Counter(_local(k[2]) for k in only_a)),
        }
        out["only_b"] = {
            "count": len(only_b),
            "examples": only_b[:5],
            "constraints": dict(Counter(_local(k[2]) for k in only_b)),
        }
    screg = shutil.which("screg") or str(ROOT / ".venv" / "bin" / "screg")
    if args.skip_cli:
        out["cli"] = {"note": "skipped (--skip-cli)"}
    elif not Path(screg).exists():
        out["cli"] = {"note": "skipped: no screg command"}
    else:
        times, note = run_cli(screg, path, args.cli_runs or args.runs)
        out["cli"] = {
            "runs": [round(t, 2) for t in times],
            "median_s": _round(statistics.median(times)) if times else None,
            "note": note if times else f"skipped: screg validate failed ({note})",
        }
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    import pyoxigraph

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "rdflib": rdflib.__version__,
        "pyshacl": pyshacl.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "platform": platform.platform(),
    }


def print_summary(result: dict[str, Any]) -> None:
    a, b = result["a"], result["b"]
    print(
        f"-- {result['resources']} resources ({result['triples_with_context']} triples "
        "with context)"
    )
    if a["runs"]:
        print(
            f"   (a) registry Validator: median {a['median_s']} s over {len(a['runs'])} runs "
            f"{a['runs']}; {a['results']} results {a['severities']}"
        )
    if b["runs"]:
        print(
            f"   (b) plain pyshacl:      median {b['median_s']} s over {len(b['runs'])} runs "
            f"{b['runs']}; {b['results']} results {b['severities']}"
        )
    if a["runs"] and b["runs"]:
        print(f"   ratio (b)/(a): {result['ratio_b_over_a']}")
        print(
            "   same (focus, path, constraint, severity, value, shape, messages) set: "
            + ("yes" if result["same_results"] else "NO")
        )
        for side in ("only_a", "only_b"):
            if side in result:
                print(f"   {side}: {result[side]}")
    exp = result["expected"]
    print(
        f"   invalid focus nodes with a Violation in ({result['expected_from']}): "
        f"{exp['invalid_with_violation']}/{exp['invalid_listed']} {exp['by_kind']}; "
        "Violations on other foci: "
        f"{exp['violating_foci_not_listed']} {exp['examples_not_listed']}"
    )
    cli = result["cli"]
    print(
        f"   screg validate --store memory: {cli.get('median_s')} s {cli.get('runs', '')} "
        f"{cli['note']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1000], help="catalogue sizes in resources [1000]"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each side [3]")
    parser.add_argument(
        "--runs-plain", type=int, default=None, help="runs of plain pyshacl [same as --runs]"
    )
    parser.add_argument(
        "--cli-runs", type=int, default=None, help="runs of screg validate [same as --runs]"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--skip-plain", action="store_true", help="time (a) only")
    parser.add_argument(
        "--skip-registry",
        action="store_true",
        help="time (b) only (the registry's Validator is superlinear in size)",
    )
    parser.add_argument("--skip-cli", action="store_true", help="do not time screg validate")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    from registry.validation.validator import Validator

    info = machine()
    print(" ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    shape_files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not shape_files:
        print("no shapes in shapes/: nothing to validate with", file=sys.stderr)
        return 2
    started = time.perf_counter()
    validator = Validator()
    init_s = time.perf_counter() - started
    shapes = parse_files(shape_files)
    ontology = parse_files(sorted(ONTOLOGY_DIR.glob("*.ttl")))
    print(
        f"shapes: {', '.join(p.name for p in shape_files)} ({len(shapes)} triples, sha256 "
        f"{validator.shapes.sha256[:12]}); ontology {len(ontology)} triples; "
        f"Validator() {init_s:.2f} s",
        flush=True,
    )
    results = []
    for n in args.sizes:
        result = bench_size(n, args, validator, shapes, ontology)
        print_summary(result)
        results.append(result)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak RSS of this process: {peak:.1f} GiB")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "command": " ".join(sys.argv),
                    "validator_init_s": round(init_s, 2),
                    "peak_rss_gib": round(peak, 2),
                    "shapes": [p.name for p in shape_files],
                    "shapes_sha256": validator.shapes.sha256,
                    "results": results,
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            ),
            encoding="utf-8",
        )
        print(f"\nwritten {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
