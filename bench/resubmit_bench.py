"""Incremental re-submission: first submission of a catalogue vs the same catalogue
re-submitted with one entry changed, side by side in one run.

    .venv/bin/python bench/resubmit_bench.py --sizes 1000 10000

For each size: a fresh memory store seeded with examples/ (standards, departments),
then (1) `Registry.submit` of bench/data/catalogue-N.ttl as a registrar, (2) the same
bytes with one resource's abstract changed, (3) after a status change of a
standard (a write by someone else: the store's generation moves), the document with
the abstract toggled again. Each time covers everything a client waits for:
reading the document, hashing, the item-state lookup, validation, the write. The
catalogue is generated with no invalid entry (a submission with a Violation writes
nothing). (2) and (3) are timed `--repeat` times (the document toggled between the
two versions, so each differs from the one before by one entry) and reported as
medians; then (4) the same change once more with no document kept, the whole
document read (registration.resubmit). Prints the times, the ratios to (1) and what
(2) and (3) wrote; and how long (1) spent indexing the document it keeps for (2)
(registry.register.kept_documents), timed again on its own.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.validate_bench import machine  # noqa: E402
from synthetic.generate import write_catalogue, write_output  # noqa: E402


def valid_catalogue(data_dir: Path, n: int) -> Path:
    """A catalogue of n resources with no invalid entry (a submission with a Violation
    writes nothing, so there would be nothing to re-submit)."""
    path = data_dir / f"catalogue-{n}-valid.ttl"
    if not path.exists():
        write_output(path, lambda out, fmt: write_catalogue(out, fmt, n, 1, 0.0))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--profile", action="store_true", help="profile the re-submission")
    parser.add_argument("--repeat", type=int, default=5, help="re-submissions timed per case")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    from registry.config import Settings
    from registry.inputs.document import Document
    from registry.inputs.oxparse import parse_triples
    from registry.register.kept_documents import KeptDocuments, keep_document
    from registry.register.submission import REGISTRAR
    from registry.service import Registry

    info = machine()
    print(" ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    out = []
    for n in args.sizes:
        text = valid_catalogue(args.data_dir, n).read_text(encoding="utf-8")
        first = text.encode("utf-8")
        # One entry changed: the abstract of the first resource.
        second = re.sub(r'(dct:description ")', r"\1(修订) ", text, count=1).encode("utf-8")
        assert second != first
        # the 10,000-resource document (40 MB) is over the default upload limit
        settings = Settings(store="memory", seed=True, max_body_bytes=1 << 30)
        with Registry(settings) as registry:
            registry.store  # noqa: B018 - open and seed before timing
            started = time.perf_counter()
            one = registry.submit([Document("catalogue.ttl", first, "turtle")], REGISTRAR)
            first_s = time.perf_counter() - started
            # what keeping the document for (2) cost inside (1): its index, timed alone
            triples = parse_triples(first, "turtle")
            started = time.perf_counter()
            kept = keep_document(first, "turtle", triples, one)
            keep_s = time.perf_counter() - started
            assert kept is not None
            del kept
            # and the memory the index holds beside the document's bytes
            tracemalloc.start()
            kept = keep_document(first, "turtle", triples, one)
            keep_bytes = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            del triples, kept
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            # (2) the changed document, then back, and so on: each differs from the
            # one before by one entry
            docs = [second, first] * (args.repeat + 1)
            second_times, two = [], None
            for data in docs[: args.repeat]:
                started = time.perf_counter()
                two = registry.submit([Document("catalogue.ttl", data, "turtle")], REGISTRAR)
                second_times.append(time.perf_counter() - started)
                assert two.accepted and two.report.extra.get("kept_document_bytes_parsed")
            if profiler:
                profiler.disable()
            # (3) someone else writes first (a standard of examples/ deprecated, then
            # valid again): the store's generation moves, the states are read again
            standard = str(
                registry.store.select(
                    "SELECT ?i WHERE { ?i <https://w3id.org/smartcity-std#itemKind> "
                    '"standard" } ORDER BY ?i LIMIT 1'
                )[0]["i"]
            )
            third_times, three = [], None
            for k, data in enumerate(docs[args.repeat : 2 * args.repeat]):
                status = "valid" if k % 2 else "deprecated"
                registry.change_status(standard, status, REGISTRAR)
                started = time.perf_counter()
                three = registry.submit([Document("catalogue.ttl", data, "turtle")], REGISTRAR)
                third_times.append(time.perf_counter() - started)
                assert three.accepted and three.report.extra.get("kept_document_bytes_parsed")
            # (4) the same one-entry change without a kept document: the whole document
            # read, split and hashed (registration.resubmit)
            registry.kept = KeptDocuments(0)
            started = time.perf_counter()
            four = registry.submit(
                [Document("catalogue.ttl", docs[2 * args.repeat], "turtle")], REGISTRAR
            )
            whole_s = time.perf_counter() - started
            assert four.accepted and "kept_document_bytes_parsed" not in four.report.extra
        assert two is not None and three is not None
        second_s, third_s = statistics.median(second_times), statistics.median(third_times)
        written = [c for c in two.changes if c.outcome != "unchanged"]
        row = {
            "resources": n,
            "first_s": round(first_s, 2),
            "first_keep_index_s": round(keep_s, 2),
            "kept_index_mib": round(keep_bytes / 2**20, 1),
            "document_mib": round(len(first) / 2**20, 1),
            "first_accepted": one.accepted,
            "first_entries": len(one.changes),
            "resubmit_s": [round(t, 3) for t in second_times],
            "resubmit_median_s": round(second_s, 3),
            "resubmit_written": [(c.item, c.version) for c in written],
            "resubmit_skipped_validation": two.report.extra.get("skipped_entries"),
            "resubmit_bytes_parsed": two.report.extra.get("kept_document_bytes_parsed"),
            "ratio": round(first_s / second_s, 1),
            "after_other_write_s": [round(t, 3) for t in third_times],
            "after_other_write_median_s": round(third_s, 3),
            "after_other_write_written": [
                (c.item, c.version) for c in three.changes if c.outcome != "unchanged"
            ],
            "after_other_write_ratio": round(first_s / third_s, 1),
            "whole_document_resubmit_s": round(whole_s, 2),
            "whole_document_ratio": round(first_s / whole_s, 1),
        }
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if profiler:
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(25)
            row["profile_top"] = buffer.getvalue()
            print(buffer.getvalue())
        out.append(row)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "results": out}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
