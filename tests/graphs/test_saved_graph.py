"""The dependency graph kept beside the read model between starts (registry.graphs.saved):
taken up whole, brought up to date with the writes since, and never taken up when it
is of another model, of other code, or damaged. Real embedded stores and real apps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.graphs import graph_from_model, model_facts, saved
from registry.register.submission import REGISTRAR
from registry.service import Registry
from tests.graphs.test_graph_model import check_structure, layout

STD = "http://127.0.0.1:8000/id/standard/"


def _registry(store_path: str, validator) -> Registry:
    return Registry(Settings(store=store_path, seed=False), validator=validator)


def _kept(store_path: str, validator) -> Path:
    """A registry's graph assembled and kept, the registry closed: the file."""
    with _registry(store_path, validator) as registry:
        registry.graph()
        assert registry.save_graph()
        path = registry.graph_file()
    assert path is not None and path.exists()
    return path


def _fresh(registry: Registry):
    """The graph assembled from scratch from the registry's read model, as its cache
    labels it."""
    graph = graph_from_model(registry.reader())
    graph.graph["generation"] = registry.reader().generation()
    return graph


def _facts_equal(one, other) -> None:
    assert one.nodes == other.nodes and list(one.nodes) == list(other.nodes)
    assert one.links == other.links
    for iri in one.nodes:
        assert one.links_from(iri) == other.links_from(iri)
        assert one.citers(iri) == other.citers(iri)
    assert one.successors() == other.successors()


def test_a_kept_graph_is_taken_up_whole_at_the_next_start(store_path: str, validator) -> None:
    path = _kept(store_path, validator)
    assert path.name == "store.graph"  # beside store.read.sqlite
    with _registry(store_path, validator) as registry:
        assert registry.load_graph()
        graph = registry.graph()
        assert registry._graphs.builds == 0 and registry._graphs.updates == 0
        fresh = _fresh(registry)
        assert layout(graph) == layout(fresh)
        check_structure(graph)
        # The facts come back with their indexes: an update after a write needs them.
        _facts_equal(registry._graphs._facts, model_facts(registry.reader()))
        # The sharing the graph relies on survives: one attribute dict per node in
        # the facts and the graph alike.
        facts = registry._graphs._facts
        assert all(graph._node[iri] is attrs for iri, attrs in facts.nodes.items())


def test_writes_made_after_the_graph_was_kept_are_applied_at_its_first_use(
    store_path: str, validator
) -> None:
    _kept(store_path, validator)
    with _registry(store_path, validator) as registry:
        registry.change_status(STD + "GB-T-35273-2017", "deprecated", REGISTRAR)
    with _registry(store_path, validator) as registry:
        assert registry.load_graph()
        graph = registry.graph()
        # Brought up to date from the log of rewrites, not read again whole.
        assert registry._graphs.builds == 0 and registry._graphs.updates == 1
        fresh = _fresh(registry)
        assert graph.nodes[STD + "GB-T-35273-2017"]["register_status"] == "deprecated"
        assert layout(graph) == layout(fresh)
        check_structure(graph)


def test_a_kept_graph_of_a_rebuilt_read_model_is_not_taken_up(store_path: str, validator) -> None:
    _kept(store_path, validator)
    with _registry(store_path, validator) as registry:
        registry.rebuild_read_model()  # same generation, a new lineage
        assert not registry.load_graph()
        registry.graph()
        assert registry._graphs.builds == 1


def test_a_graph_restored_for_another_lineage_is_read_again_whole(
    store_path: str, validator
) -> None:
    """The cache itself checks the lineage at its first use, whoever restored it."""
    with _registry(store_path, validator) as registry:
        registry.graph()
        state = registry._graphs.keep(lambda state: state)
    assert state is not None
    with _registry(store_path, validator) as registry:
        assert registry._graphs.restore(replace(state, lineage="another model"))
        fresh = _fresh(registry)
        assert layout(registry.graph()) == layout(fresh)
        assert registry._graphs.builds == 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:-7], id="truncated"),
        pytest.param(lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:], id="a bit"),
        pytest.param(lambda data: b"not a graph at all", id="another file"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_kept_graph_is_assembled_again(store_path: str, validator, damage) -> None:
    path = _kept(store_path, validator)
    path.write_bytes(damage(path.read_bytes()))
    with _registry(store_path, validator) as registry:
        assert not registry.load_graph()
        fresh = _fresh(registry)
        assert layout(registry.graph()) == layout(fresh)
        assert registry._graphs.builds == 1


def test_a_graph_kept_by_other_code_is_not_taken_up(
    store_path: str, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kept(store_path, validator)
    monkeypatch.setattr(saved, "code_stamp", lambda: "the assembly of another version")
    with _registry(store_path, validator) as registry:
        assert not registry.load_graph()


def test_the_kept_graph_is_written_again_only_when_it_changed(store_path: str, validator) -> None:
    path = _kept(store_path, validator)
    written = path.stat().st_mtime_ns
    with _registry(store_path, validator) as registry:
        assert registry.load_graph()
        registry.graph()
        assert registry.save_graph()
        assert path.stat().st_mtime_ns == written
        registry.change_status(STD + "GB-T-35273-2017", "deprecated", REGISTRAR)
        registry.graph()
        assert registry.save_graph()
    assert path.stat().st_mtime_ns != written
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(path.name)] == [path.name]


def test_a_read_model_in_memory_keeps_no_graph(memory_registry: Registry) -> None:
    memory_registry.graph()
    assert memory_registry.graph_file() is None
    assert not memory_registry.save_graph()
    assert not memory_registry.load_graph()


def test_the_server_keeps_its_graph_at_a_stop_and_takes_it_up_at_the_next_start(
    store_path: str, validator
) -> None:
    settings = Settings(store=store_path, seed=False)
    impact = "/api/v1/impact/GB%2FT%2021063.3-2007?limit=50"
    with TestClient(create_app(settings, validator=validator)) as client:
        first = client.get(impact)
        assert first.status_code == 200
        path = client.app.state.registry.graph_file()
    assert path.exists()
    with TestClient(create_app(settings, validator=validator)) as client:
        again = client.get(impact)
        assert client.app.state.registry._graphs.builds == 0
    assert again.status_code == 200
    assert again.json() == first.json()


def test_a_start_that_builds_the_read_model_keeps_the_graph_before_it_answers(
    store_path: str, validator
) -> None:
    # A first start (no read model beside the store) assembled the graph in the
    # background and kept it only at a clean stop: after a crash, the next start had
    # none either, and each one's first impact page waited for the assembly.
    import threading

    from api import GRAPH_THREAD

    settings = Settings(store=store_path, seed=False)
    with Registry(settings, validator=validator) as registry:
        model, path = Path(registry.read_model_path()), registry.graph_file()
    assert path is not None
    for made in (model, path, *model.parent.glob(model.name + "-*")):
        made.unlink(missing_ok=True)
    impact = "/api/v1/impact/GB%2FT%2021063.3-2007?limit=50"
    with TestClient(create_app(settings, validator=validator)) as client:
        registry = client.app.state.registry
        assert path.exists()  # before the first request
        kept = path.read_bytes()
        assert registry._graphs.builds == 1
        assert GRAPH_THREAD not in {thread.name for thread in threading.enumerate()}
        first = client.get(impact)
        assert registry._graphs.builds == 1
    assert first.status_code == 200
    assert path.read_bytes() == kept  # the stop had nothing to add: a crash loses nothing
    with TestClient(create_app(settings, validator=validator)) as client:
        again = client.get(impact)
        assert client.app.state.registry._graphs.builds == 0
    assert again.json() == first.json()


def test_a_graph_that_cannot_be_kept_stops_neither_the_start_nor_the_stop(
    store_path: str, validator, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    settings = Settings(store=store_path, seed=False)
    with Registry(settings, validator=validator) as registry:
        model, path = Path(registry.read_model_path()), registry.graph_file()
    assert path is not None
    for made in (model, path, *model.parent.glob(model.name + "-*")):
        made.unlink(missing_ok=True)

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saved, "save", disk_full)
    with TestClient(create_app(settings, validator=validator)) as client:
        answer = client.get("/api/v1/impact/GB%2FT%2021063.3-2007?limit=50")
    assert answer.status_code == 200
    assert not path.exists()
    kept = [r for r in caplog.records if "not kept for the next start" in r.getMessage()]
    assert len(kept) == 2  # at the start, which rebuilt the model, and at the stop


def test_a_process_that_rebuilt_the_model_as_it_closed_keeps_the_graph(
    store_path: str, validator
) -> None:
    # `screg serve` writes its token, and so catches the read model up, before the
    # server starts: a store with no model file was rebuilt there, and the server then
    # found a built model and no graph, and its first impact page waited (3.7 s at
    # 50,000 resources).
    from registry.register.tokens import create_token

    with _registry(store_path, validator) as registry:
        model, path = Path(registry.read_model_path()), registry.graph_file()
    assert path is not None
    for made in (model, path, *model.parent.glob(model.name + "-*")):
        made.unlink(missing_ok=True)
    with _registry(store_path, validator) as registry:
        create_token(registry.store, "registrar", name="a server's own")
    assert path.exists()
    with _registry(store_path, validator) as registry:
        assert registry.load_graph()
        assert layout(registry.graph()) == layout(_fresh(registry))
        assert registry._graphs.builds == 0


@pytest.mark.parametrize("command", ["read-model rebuild", "import", "rebase"])
def test_every_command_that_rebuilds_the_read_model_keeps_the_graph_for_the_next_start(
    store_path: str, validator, tmp_path: Path, command: str
) -> None:
    # `import` and `rebase` rebuilt the model and kept no graph: a server started on
    # an imported 50,000-resource registry made its first impact page wait ~3 s.
    from click.testing import CliRunner

    from registry.cli import main

    def run(*args: str) -> None:
        result = CliRunner().invoke(main, [*args, "--store", store_path])
        assert result.exit_code == 0, result.output

    base = None
    if command == "import":
        dump = tmp_path / "dump.nq"
        run("export", "-o", str(dump))
        store_path = str(tmp_path / "imported")
        run("import", str(dump))
    elif command == "rebase":
        base = "https://registry.example.org/id/"
        run("rebase", "--to", base)
    else:
        run("read-model", "rebuild")
    settings = Settings(store=store_path, seed=False, **({"base_iri": base} if base else {}))
    with Registry(settings, validator=validator) as registry:
        path = registry.graph_file()
        assert path is not None and path.exists()
        assert registry.load_graph()
        assert layout(registry.graph()) == layout(_fresh(registry))
        assert registry._graphs.builds == 0


def test_a_start_with_a_kept_graph_makes_its_walks_index_before_the_first_answer(
    store_path: str, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taken up, the graph's coverage and index are made before the server answers:
    nothing is left for the background, and the first impact page does not build
    the index (0.5 s at 50,000 resources)."""
    from registry.graphs import adjacency

    _kept(store_path, validator)
    built: list[int] = []
    build_index = adjacency.build_index

    def counted(graph):
        built.append(len(graph))
        return build_index(graph)

    monkeypatch.setattr(adjacency, "build_index", counted)
    settings = Settings(store=store_path, seed=False)
    with TestClient(create_app(settings, validator=validator)) as client:
        assert len(built) == 1  # before any request
        assert client.get("/api/v1/impact/GB%2FT%2021063.3-2007?limit=50").status_code == 200
        assert len(built) == 1
        assert client.app.state.registry._graphs.builds == 0


@pytest.mark.parametrize(
    ("model", "graph"),
    [
        ("registry.read.sqlite", "registry.graph"),
        ("model.sqlite", "model.graph"),
        ("m.db", "m.db.graph"),
    ],
)
def test_the_kept_graph_lives_beside_the_read_model_set(
    tmp_path: Path, validator, model: str, graph: str
) -> None:
    settings = Settings(store=str(tmp_path / "store"), read_model=str(tmp_path / model), seed=False)
    registry = Registry(settings, validator=validator)
    assert registry.graph_file() == tmp_path / graph


def test_a_graph_is_kept_whole_while_a_request_brings_it_up_to_date(
    store_path: str, validator
) -> None:
    """The facts' tables are live: a refresh after a write changes them in place. Kept
    while one ran, the file held a generation's graph with the next one's facts, and the
    next start, seeing those facts unchanged, left the graph behind them."""
    import threading

    with _registry(store_path, validator) as registry:
        registry.graph()
        registry.change_status(STD + "GB-T-35273-2017", "deprecated", REGISTRAR)
        path = registry.graph_file()
        assert path is not None
        refreshed = threading.Event()
        other = threading.Thread(target=lambda: (registry.graph(), refreshed.set()))

        def write(state):
            other.start()  # a request after the write, while the graph is being kept
            assert not refreshed.wait(0.5)
            saved.save(path, state)
            return True

        assert registry._graphs.keep(write)
        other.join()
        assert refreshed.is_set()
    with _registry(store_path, validator) as registry:
        assert registry.load_graph()
        graph = registry.graph()
        assert graph.nodes[STD + "GB-T-35273-2017"]["register_status"] == "deprecated"
        assert layout(graph) == layout(_fresh(registry))


@pytest.mark.parametrize(
    ("facts", "graph"),
    [
        pytest.param(("not", "facts"), ("nor", "a graph"), id="wrong lengths"),
        pytest.param(({}, {}, {}, {}, {}), ({"a": 1}, {}, {}, {}), id="wrong values"),
    ],
)
def test_a_kept_graph_of_the_right_stamp_but_the_wrong_shape_is_assembled_again(
    store_path: str, validator, facts: tuple, graph: tuple
) -> None:
    """Checksum, code and lineage right, the contents not a graph: taken up, the second
    kind failed only in the coverage walk, and the cache kept it for every page."""
    from api import take_up_graph
    from registry.graphs.build import GraphState

    path = _kept(store_path, validator)
    with _registry(store_path, validator) as registry:
        model = registry.reader()
        saved.save(path, GraphState(model.lineage(), model.generation(), facts, graph))
    with _registry(store_path, validator) as registry:
        assert not take_up_graph(registry)
        assert layout(registry.graph()) == layout(_fresh(registry))
        assert registry._graphs.builds == 1
        assert registry.coverage_walk() is not None
