"""The read model file beside an embedded store follows writes made by `screg`: the
next `screg serve` finds it at the store's generation and builds nothing (a rebuild at
start took 55 s at 50,000 resources after a `screg token create`)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from registry.cli import main
from registry.read.model import ReadModel
from registry.store import open_store

BASE = "http://127.0.0.1:8000/id/"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_writes_leave_the_model_at_the_stores_generation(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run("history", "GB/T 21063.3-2007", "--store", str(store)).exit_code == 0  # seeds
    model_file = tmp_path / "store.read.sqlite"
    for args in (
        ["token", "create", "--role", "registrar", "--name", "x"],
        ["status", "GB/T 21063.3-2007", "deprecated", "--reason", "test"],
    ):
        result = run(*args, "--store", str(store))
        assert result.exit_code == 0, result.output
        with open_store(str(store)) as opened:
            generation = opened.generation()
        with ReadModel(model_file, base_iri=BASE) as model:
            assert model.generation() == generation, args
    with ReadModel(model_file, base_iri=BASE) as model:
        record = model.record(f"{BASE}standard/GB-T-21063.3-2007")
        assert record is not None and record["register"]["status"] == "deprecated"


def test_closing_while_another_thread_reads_does_not_crash(
    tmp_path: Path, seeded_dump: bytes
) -> None:
    """A server stopping while its graph was assembled in the background closed the
    model's connections under a read in another thread: sqlite3 crashed the process
    (a segmentation fault). `close` now waits for the transactions in flight, and a
    read after it is refused with an error, not a crash."""
    import sqlite3
    import threading

    from registry.graphs.build import ENTRY_PATHS

    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        model = ReadModel(tmp_path / "model.sqlite")
        model.rebuild(store)
    outcomes: list[str] = []
    started = threading.Event()

    def read_until_closed() -> None:
        for _ in range(10_000):
            started.set()
            try:
                model.entry_fields(ENTRY_PATHS)
            except sqlite3.ProgrammingError:
                outcomes.append("refused")
                return
        outcomes.append("never closed")

    reader = threading.Thread(target=read_until_closed)
    reader.start()
    started.wait(10)
    model.close()
    reader.join(60)
    assert outcomes == ["refused"]


def test_a_model_file_without_the_added_indexes_gets_them_on_open_and_is_not_rebuilt(
    tmp_path: Path, seeded_dump: bytes
) -> None:
    """The home page's counts read `entries_lifecycle`, short text needles scan
    `entries_search` (both added after schema 6 without a new version): a file made
    before them gets them when it is opened, keeps its generation and rows, and its
    counts and searches are those of the rows."""
    import sqlite3

    path = tmp_path / "model.sqlite"
    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        with ReadModel(path) as model:
            generation = model.rebuild(store)
            before = (model.application(), model.category_tree(), model.counts())
            found = model.list_entries("resource", q="数据")
    with sqlite3.connect(path) as db:
        db.execute("DROP INDEX entries_lifecycle")
        db.execute("DROP INDEX entries_search")
    with ReadModel(path) as model:
        assert model.generation() == generation
        assert (model.application(), model.category_tree(), model.counts()) == before
        assert model.list_entries("resource", q="数据") == found
    with sqlite3.connect(path) as db:
        names = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        # a two-character needle reads the index, not the rows behind each record
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT n, search FROM entries WHERE kind = 'resource' "
            "AND instr(search, '数据') > 0 ORDER BY sort_key, iri"
        ).fetchall()
    assert {"entries_lifecycle", "entries_search"} <= names
    assert "COVERING INDEX entries_search" in str(plan), plan
    assert found.total > 0
    assert before[0]["in_force"] > 0
