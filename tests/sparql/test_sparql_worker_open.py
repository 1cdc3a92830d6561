"""The query worker's read-only open of the on-disk store, just after a large write."""

from __future__ import annotations

from pathlib import Path

from registry.sparql import worker
from registry.sparql.endpoint import worker_source
from registry.store import open_store


def test_worker_open_races_the_writers_compaction(seeded_dump: bytes, tmp_path: Path) -> None:
    """A read-only open just after a large write failed about one time in twenty with
    RuntimeError("Corruption ... No such file"): a file the MANIFEST named was gone,
    compacted away. The worker now tries again, as it did for OSError. Sixty opens
    right after a load: the old code failed at least one in ~98% of runs."""
    for attempt in range(12):
        store = open_store(str(tmp_path / f"store-{attempt}"))
        store.load_dump(seeded_dump, "nquads")
        for _ in range(5):
            source = worker_source(store, store.generation())
            assert len(worker.load(source).store) == store.quad_count()
        store.close()
