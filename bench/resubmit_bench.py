"""Re-submission through the one submit path: first submission of a catalogue vs the
same catalogue re-submitted with one entry changed, side by side in one run.

    .venv/bin/python bench/resubmit_bench.py --sizes 1000

For each size: a fresh memory store seeded with examples/ (standards, departments),
then (1) `Registry.submit` of bench/data/catalogue-N-valid.ttl as a registrar, with
its time and the most memory it held above what the process held before (resident
set size, sampled every 5 ms) and what it still holds after; (2) the same bytes with
one resource's abstract changed; (3) after a status change of a standard (a write by
someone else: the store's generation moves), the document with the abstract toggled
again. Each time covers everything a client waits for: reading the document,
hashing, the item-state lookup, validation, the write. The catalogue is generated
with no invalid entry (a submission with a Violation writes nothing). (2) and (3)
are timed `--repeat` times (the document toggled between the two versions, so each
differs from the one before by one entry) and reported as medians. Prints the
times, the ratios to (1), what (2) and (3) wrote and how many entries they did not
validate again. Nothing is kept between submissions: (2) is what any process,
`screg register` included, takes.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.validate_bench import machine  # noqa: E402
from synthetic.generate import write_catalogue, write_output  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def valid_catalogue(data_dir: Path, n: int) -> Path:
    """A catalogue of n resources with no invalid entry (a submission with a Violation
    writes nothing, so there would be nothing to re-submit)."""
    path = data_dir / f"catalogue-{n}-valid.ttl"
    if not path.exists():
        write_output(path, lambda out, fmt: write_catalogue(out, fmt, n, 1, 0.0))
    return path


def rss() -> int:
    """The process's resident set size, in bytes (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE


def with_peak_rss(work: Callable[[], Any]) -> tuple[Any, float, int, int]:
    """work()'s answer, seconds, and the most and the last resident memory above what
    the process held before it, in bytes. A thread samples every 5 ms: the peak of a
    run that long is seen."""
    gc.collect()
    before = peak = rss()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.005):
            peak = max(peak, rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        answer = work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    gc.collect()
    after = rss()
    return answer, seconds, max(peak, after) - before, after - before


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
        del text
        # the 10,000-resource document (40 MB) is over the default upload limit
        settings = Settings(store="memory", seed=True, max_body_bytes=1 << 30)
        with Registry(settings) as registry:
            registry.store  # noqa: B018 - open and seed before timing
            one, first_s, first_peak, first_held = with_peak_rss(
                partial(registry.submit, [Document("catalogue.ttl", first, "turtle")], REGISTRAR)
            )
            assert one.accepted
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
                assert two.accepted
            if profiler:
                profiler.disable()
            # (3) someone else writes first (a standard of examples/ deprecated, then
            # valid again): the store's generation moves
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
                assert three.accepted
        assert two is not None and three is not None
        second_s, third_s = statistics.median(second_times), statistics.median(third_times)
        row = {
            "resources": n,
            "document_mib": round(len(first) / 2**20, 1),
            "first_s": round(first_s, 2),
            "first_peak_rss_mib": round(first_peak / 2**20, 1),
            "first_held_rss_mib": round(first_held / 2**20, 1),
            "first_accepted": one.accepted,
            "first_entries": len(one.changes),
            "resubmit_s": [round(t, 3) for t in second_times],
            "resubmit_median_s": round(second_s, 3),
            "resubmit_written": [
                (c.item, c.version) for c in two.changes if c.outcome != "unchanged"
            ],
            "resubmit_skipped_validation": two.report.extra.get("skipped_entries"),
            "ratio": round(first_s / second_s, 1),
            "after_other_write_s": [round(t, 3) for t in third_times],
            "after_other_write_median_s": round(third_s, 3),
            "after_other_write_written": [
                (c.item, c.version) for c in three.changes if c.outcome != "unchanged"
            ],
            "after_other_write_ratio": round(first_s / third_s, 1),
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
