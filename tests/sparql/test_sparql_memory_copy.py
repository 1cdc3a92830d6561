"""The SPARQL workers' in-memory copy of the public graphs (setting sparql_memory_copy,
registry/sparql/memory_copy.py) answers exactly as the on-disk store does, after
every kind of write, and is used only where it can give the store's answer.

Each write test reads the seeded registry through a worker dataset (a read-only open
of the on-disk store, as the worker does), lets its copy follow the store's change
log, and compares the answers of a fixed set of queries from the copy and from the
store; the copy must be patched where the log names the subjects, and rebuilt where
it cannot."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import DCTERMS, RDFS

from api import create_app
from api.routers.sparql import ENGINE_HEADER
from registry.config import MIN_WORKER_MEMORY_MB_WITH_COPY, Settings
from registry.namespaces import GRAPH_CURRENT, GRAPH_ONTOLOGY, SCS
from registry.register.submission import REGISTRAR
from registry.register.tokens import TOKEN_GRAPH, create_token
from registry.service import Registry
from registry.sparql import memory_copy, pool, worker
from registry.sparql.endpoint import worker_source
from registry.store import WriteBatch, open_store

BASE = "http://127.0.0.1:8000/id/"
STANDARD = f"{BASE}standard/GB-T-21063.3-2007"
PREFIXES = (
    "PREFIX scs: <https://w3id.org/smartcity-std#>\n"
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
# One of each form and of the features the copy must answer alike: ordering, grouping,
# OPTIONAL, language filters, property paths, the registry graph, the ontology.
QUERIES = {
    "standards": PREFIXES
    + "SELECT ?s ?id ?t WHERE { ?s a scs:Standard ; dct:identifier ?id ; dct:title ?t "
    "FILTER(lang(?t) = 'zh') } ORDER BY ?id",
    "by class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
    "optional": PREFIXES
    + "SELECT ?r ?title ?st WHERE { ?r a scs:InformationResource ; dct:title ?title "
    "OPTIONAL { ?r scs:sharingType ?st } }",
    "two hops": PREFIXES + "SELECT DISTINCT ?a ?c WHERE { ?a dct:references/dct:references ?c }",
    "labels": PREFIXES + "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } ORDER BY ?c ?l",
    "register": PREFIXES + "SELECT ?item ?p ?o WHERE { ?item scs:registerStatus ?s ; ?p ?o }",
    "ask": PREFIXES + "ASK { ?s dct:title '改过的标题'@zh }",
    "construct": PREFIXES + f"CONSTRUCT {{ <{STANDARD}> ?p ?o . ?o ?q ?v }} "
    f"WHERE {{ <{STANDARD}> ?p ?o OPTIONAL {{ ?o ?q ?v }} }}",
    "describe": f"DESCRIBE <{STANDARD}>",
}


@pytest.fixture
def registry(tmp_path: Path, validator: Any, seeded_dump: bytes) -> Iterator[Registry]:
    """The seeded registry on an on-disk store (the only one workers keep copies of)."""
    store = open_store(str(tmp_path / "store"))
    store.load_dump(seeded_dump, "nquads")
    yield Registry(Settings(store=store.location), validator=validator, store=store)
    store.close()


def _answer(dataset: worker._Dataset, name: str, on: Any) -> Any:
    """An answer to compare: unordered rows sorted (the two stores may give them in
    another order), ordered rows as they come, triples as a graph."""
    text = QUERIES[name]
    graph_form = name in ("construct", "describe")
    body, truncated = worker.run_query(
        dataset, text, "ntriples" if graph_form else "json", 10_000, on
    )
    assert not truncated
    if graph_form:  # compared as graphs: blank node labels are each engine's own
        return to_isomorphic(Graph().parse(data=body, format="nt"))
    parsed = json.loads(body)
    if "boolean" in parsed:
        return parsed["boolean"]
    rows = [
        json.dumps(
            # Blank node labels are the engine's own: a built copy names them afresh.
            {k: {"type": "bnode"} if v["type"] == "bnode" else v for k, v in b.items()},
            sort_keys=True,
            ensure_ascii=False,
        )
        for b in parsed["results"]["bindings"]
    ]
    return rows if "ORDER BY" in text else sorted(rows)


class Follower:
    """A worker's dataset and its copy, following one store as the worker would."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.dataset = worker.load(worker_source(store, store.generation()), None, "build")
        self.wait()

    def wait(self) -> None:
        copy = self.dataset.memory_copy
        assert copy is not None
        assert copy.wait(self.dataset.generation, 60), copy.failure

    def next_generation(self) -> frozenset[str] | None:
        """Reopen at the store's generation, as a worker's load does; the changes sent."""
        previous = self.dataset
        changes = self.store.changes_since(previous.generation)
        source = worker_source(self.store, self.store.generation())
        self.dataset = worker.load(source, previous, "update", changes)
        self.wait()
        return changes

    def assert_same_answers(self) -> None:
        copy = self.dataset.copy_for("ASK {}")
        assert copy is not None
        assert len(copy) > 1000  # the copy holds the registry, not an empty store
        for name in QUERIES:
            assert _answer(self.dataset, name, copy) == _answer(self.dataset, name, None), name

    def close(self) -> None:
        if self.dataset.memory_copy is not None:
            self.dataset.memory_copy.close()


@contextmanager
def following(registry: Registry) -> Iterator[Follower]:
    follower = Follower(registry.store)
    try:
        follower.assert_same_answers()
        yield follower
    finally:
        follower.close()


def _counting_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    builds: list[int] = []
    real = memory_copy._build

    def counted(source: Any, graphs: Any) -> Any:
        builds.append(1)
        return real(source, graphs)

    monkeypatch.setattr(memory_copy, "_build", counted)
    return builds


def _after_write(
    registry: Registry, monkeypatch: pytest.MonkeyPatch, write: Callable[[], Any]
) -> tuple[frozenset[str] | None, int]:
    """The changes a write sent the copy, and how many builds followed it."""
    with following(registry) as follower:
        builds = _counting_builds(monkeypatch)
        write()
        changes = follower.next_generation()
        follower.assert_same_answers()
        return changes, len(builds)


def _resubmitted_title(registry: Registry) -> None:
    from registry.inputs.document import Document

    graph = registry.show(STANDARD)
    for old in list(graph.objects(URIRef(STANDARD), DCTERMS.title)):
        if isinstance(old, Literal) and old.language == "zh":
            graph.remove((URIRef(STANDARD), DCTERMS.title, old))
    graph.add((URIRef(STANDARD), DCTERMS.title, Literal("改过的标题", lang="zh")))
    document = Document("entry.ttl", graph.serialize(format="turtle").encode())
    registry.submit([document], REGISTRAR)


def test_a_resubmitted_entry_is_patched_in(registry: Registry, monkeypatch) -> None:
    changes, builds = _after_write(registry, monkeypatch, lambda: _resubmitted_title(registry))
    assert changes and STANDARD in changes
    assert builds == 0


def test_a_status_change_is_patched_in(registry: Registry, monkeypatch) -> None:
    def deprecate() -> None:
        registry.change_status(STANDARD, "deprecated", REGISTRAR, reason="replaced")

    changes, builds = _after_write(registry, monkeypatch, deprecate)
    assert changes and builds == 0


def test_removed_triples_leave_the_copy(registry: Registry, monkeypatch) -> None:
    titles = [
        (URIRef(STANDARD), DCTERMS.title, t)
        for t in registry.show(STANDARD).objects(URIRef(STANDARD), DCTERMS.title)
    ]

    def remove() -> None:
        registry.store.write(WriteBatch().remove_triples(GRAPH_CURRENT, titles))

    changes, builds = _after_write(registry, monkeypatch, remove)
    assert changes == {STANDARD} and builds == 0


def test_an_ontology_write_rebuilds_the_copy(registry: Registry, monkeypatch) -> None:
    def relabel() -> None:
        registry.store.write(
            WriteBatch().add_triples(
                GRAPH_ONTOLOGY, [(SCS.Standard, RDFS.comment, Literal("新的说明", lang="zh"))]
            )
        )

    changes, builds = _after_write(registry, monkeypatch, relabel)
    assert changes is None and builds == 1


def test_a_blank_node_rebuilds_the_copy(registry: Registry, monkeypatch) -> None:
    def with_blank_node() -> None:
        node = BNode()
        registry.store.write(
            WriteBatch().add_triples(
                GRAPH_CURRENT,
                [
                    (URIRef(STANDARD), RDFS.seeAlso, node),
                    (node, RDFS.label, Literal("a note")),
                ],
            )
        )

    changes, builds = _after_write(registry, monkeypatch, with_blank_node)
    assert builds == 1  # the blank node's own subject is not an IRI: no patch
    # The change log cannot name a blank node either (its label is the store's own):
    # it says the write changed more than it can list.
    assert changes is None


def test_the_copy_serves_only_the_generation_it_holds(registry: Registry) -> None:
    with following(registry) as follower:
        held = follower.dataset.generation
        copy = follower.dataset.memory_copy
        assert copy is not None
        assert copy.store_for(held) is not None
        assert copy.store_for(held + 1) is None
        for text in (
            "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
            "select * where { graph ?g { ?s ?p ?o } }",
            "SELECT * WHERE { \\u0047RAPH ?g { ?s ?p ?o } }",
            "SELECT * WHERE { ?s ?p 'named' }",
        ):
            assert follower.dataset.copy_for(text) is None, text


# -- through the HTTP app ----------------------------------------------------------


@contextmanager
def copy_client(seeded_dump: bytes, folder: Path, **overrides: Any) -> Iterator[TestClient]:
    location = str(folder / "store")
    store = open_store(location)
    store.load_dump(seeded_dump, "nquads")
    settings = Settings(
        store=location,
        seed=False,
        sparql_memory_copy=True,
        sparql_worker_memory_mb=MIN_WORKER_MEMORY_MB_WITH_COPY,
        **overrides,
    )
    with TestClient(create_app(settings, store=store)) as client:
        yield client


def _engine_when_settled(client: TestClient, query: str, seconds: float = 60) -> str:
    """The engine that answers `query` once the copy had time to catch up."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 200, response.text
        engine = response.headers[ENGINE_HEADER]
        if engine == "memory-copy" or time.monotonic() > deadline:
            return engine
        time.sleep(0.05)


def test_http_answers_from_the_copy_after_a_write(seeded_dump: bytes, tmp_path: Path) -> None:
    ask = "ASK { <urn:new> <urn:p> 'fresh' }"
    with copy_client(seeded_dump, tmp_path) as client:
        assert _engine_when_settled(client, ask) == "memory-copy"
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False
        client.app.state.registry.store.write(
            WriteBatch().add_triples(
                GRAPH_CURRENT, [(URIRef("urn:new"), URIRef("urn:p"), Literal("fresh"))]
            )
        )
        # Whichever answers first, the store or the patched copy, sees the write.
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
        assert _engine_when_settled(client, ask) == "memory-copy"
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True

        graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        response = client.get("/sparql", params={"query": graphs})
        assert response.headers[ENGINE_HEADER] == "store"
        names = {b["g"]["value"] for b in response.json()["results"]["bindings"]}
        assert any("/version/" in name for name in names)  # the store's version graphs


def test_tokens_stay_unreachable_with_a_copy(seeded_dump: bytes, tmp_path: Path) -> None:
    with copy_client(seeded_dump, tmp_path) as client:
        assert _engine_when_settled(client, "ASK { ?s ?p ?o }") == "memory-copy"
        info, _secret = create_token(
            client.app.state.registry.store, "admin", name="copy-secret-holder"
        )
        everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        assert _engine_when_settled(client, everything) == "memory-copy"
        dump = client.get(
            "/sparql", params={"query": everything}, headers={"Accept": "application/n-triples"}
        )
        assert dump.status_code == 200 and len(dump.text) > 10_000
        assert info.id not in dump.text and TOKEN_GRAPH not in dump.text
        assert "copy-secret-holder" not in dump.text


def test_timeouts_cannot_keep_the_workers_building_copies(
    seeded_dump: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each query killed at its deadline takes a copy with it; past the budget a fresh
    worker reads the store instead of building another, until the budget allows."""
    monkeypatch.setattr(pool, "COPY_BUILDS_PER_SLOT", 1)  # two builds for the two slots
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with copy_client(seeded_dump, tmp_path, sparql_timeout_seconds=1.0) as client:
        for _ in range(3):
            assert client.get("/sparql", params={"query": slow}).status_code == 503
        ask = "ASK { ?s ?p ?o }"
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
        assert _engine_when_settled(client, ask, seconds=3) == "store"
        # Once the window has passed, the worker that went without gets its copy.
        monkeypatch.setattr(pool, "COPY_BUILD_WINDOW_SECONDS", 0.0)
        assert _engine_when_settled(client, ask) == "memory-copy"


def test_every_write_is_seen_at_once_while_both_workers_answer(
    seeded_dump: bytes, tmp_path: Path
) -> None:
    """Read-your-writes with copies being patched under load: two threads keep both
    workers busy while writes land one after another; right after each write, a query
    sees it, whichever worker answers and whether from the store or a copy."""
    import threading

    stop = threading.Event()
    engines: list[str] = []
    failures: list[str] = []
    # One test client is one address: two threads and the test query at once.
    with copy_client(seeded_dump, tmp_path, sparql_per_client=3) as client:
        assert _engine_when_settled(client, "ASK { ?s ?p ?o }") == "memory-copy"

        def keep_querying() -> None:
            while not stop.is_set():
                response = client.get("/sparql", params={"query": QUERIES["by class"]})
                if response.status_code != 200:
                    failures.append(response.text)
                engines.append(response.headers.get(ENGINE_HEADER, ""))

        threads = [threading.Thread(target=keep_querying) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            store = client.app.state.registry.store
            for number in range(12):
                subject = URIRef(f"urn:written:{number}")
                store.write(
                    WriteBatch().add_triples(
                        GRAPH_CURRENT, [(subject, RDFS.label, Literal(f"written {number}"))]
                    )
                )
                seen = client.get(
                    "/sparql", params={"query": f"ASK {{ <{subject}> ?p 'written {number}' }}"}
                )
                assert seen.json()["boolean"] is True, number
                time.sleep(0.2)  # time for a patch, so that copies answer too
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert failures == []
        everything = (
            "SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'urn:written:')) }"
        )
        assert _engine_when_settled(client, everything) == "memory-copy"
        count = client.get("/sparql", params={"query": everything}).json()
        assert count["results"]["bindings"][0]["n"]["value"] == "12"
    assert "memory-copy" in engines and len(engines) > 20
