"""One-entry lookups read one entry, and their answers follow every write.

At 50,000 resources the first `/api/v1/standards/{id}` used to build the whole-registry
Snapshot (72 s, 1 GB resident). A lookup now reads the entry from the store's indexes
(`Store.match`) and must give exactly the answer the Snapshot gave, and after a write
exactly the answer a fresh build gives. A repeated lookup is not kept in the process:
the client revalidates it with its ETag (api/caching.py, tests/api/test_caching.py).

Over HTTP on the back end `--api-store` names (the seeded store from `open_seeded`); what
one entry reads from each store back end is in tests/read/test_entry_reads.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from api import create_app
from registry.config import Settings
from registry.namespaces import GRAPH_CURRENT
from registry.register.submission import REGISTRAR
from registry.service import Registry
from registry.store import OxigraphStore, Store, WriteBatch, open_store
from registry.store.base import GENERATION_PREDICATE
from tests.conftest import SHARED_SERVERS
from tests.read.oracle import SnapshotAnswers, load_snapshot

BASE = "http://127.0.0.1:8000/id/"
STANDARD = f"{BASE}standard/GB-T-21063.3-2007"


# -- a lookup never builds the whole registry ---------------------------------------------


class RecordingStore(OxigraphStore):
    """The real embedded store, remembering the subjects it was asked about and the
    query texts it ran, to see what one lookup reads."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []
        self.subjects: set[str] = set()

    def select(self, query: str, bindings: Any = None) -> list[Any]:
        self.queries.append(query)
        return super().select(query, bindings)

    def match(self, graph_iri: str, subject: Any = None, predicate: Any = None, obj: Any = None):
        if subject is not None:
            self.subjects.add(str(subject))
        return super().match(graph_iri, subject, predicate, obj)


@pytest.fixture(params=["in process", "round trips"])
def recording(
    request: pytest.FixtureRequest, api_backend: str, seeded_dump: bytes
) -> RecordingStore:
    """The store, once as the embedded store it is (api.caching reads the generation on
    the event loop) and once taking a remote store's path (read in a worker thread)."""
    if api_backend in SHARED_SERVERS:
        # The count is of an embedded RecordingStore whatever the back end: on a server
        # the test would only repeat the memory run ("round trips" is the remote path).
        pytest.skip(
            "counts the reads of an embedded store; its 'round trips' case is the remote path"
        )
    store = RecordingStore()
    store.in_process = request.param == "in process"
    store.load_dump(seeded_dump, "nquads")
    return store


@pytest.fixture
def recording_client(recording: RecordingStore, validator) -> Iterator[TestClient]:
    # The read model is built at start; these tests count what a lookup alone reads.
    settings = Settings(store="memory", seed=False)
    app = create_app(settings, store=recording, validator=validator)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def api_store(open_seeded, seeded_dump: bytes) -> Store:
    """The seeded examples on the back end under test (`--api-store`); the app closes it."""
    return open_seeded(seeded_dump)


@pytest.fixture
def client(api_store: Store, validator) -> Iterator[TestClient]:
    settings = Settings(store="memory", seed=False)
    app = create_app(settings, store=api_store, validator=validator)
    with TestClient(app) as test_client:
        yield test_client


def test_a_lookup_reads_the_read_model_not_the_store(
    recording_client: TestClient, recording: RecordingStore
) -> None:
    client = recording_client
    # What the start read (the read model's first build, the SPARQL worker's warm-up,
    # which reads the unpublished versions) is not the lookup's.
    client.app.state.sparql_warming.join(60)
    recording.queries.clear()
    recording.subjects.clear()
    standard = client.get("/api/v1/standards/GB%2FT%2021063.3-2007")
    resource = client.get("/api/v1/resources/101001%2F000001")
    undated = client.get("/api/v1/standards/GB%2FT%2021063.3")
    assert {standard.status_code, resource.status_code, undated.status_code} == {200}
    assert resource.json()["data_items"] and standard.json()["referenced_by"]
    # No entry's triples were read and no query ran but the generation's (is the
    # model current?): the answers are the read model's.
    assert recording.subjects == set()
    assert all(GENERATION_PREDICATE in q for q in recording.queries), recording.queries


def test_a_lookup_shows_a_write(client: TestClient, api_store: Store) -> None:
    path = "/api/v1/standards/GB%2FT%2021063.3-2007"
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert client.get(path).content == first.content
    # A write (here straight to the store, as another process would) shows in the
    # next answer, and nothing else of the answer moves.
    titles = api_store.match(GRAPH_CURRENT, URIRef(STANDARD), DCTERMS.title)
    api_store.write(
        WriteBatch()
        .remove_triples(GRAPH_CURRENT, titles)
        .add_triples(
            GRAPH_CURRENT, [(URIRef(STANDARD), DCTERMS.title, Literal("新的标题", lang="zh"))]
        )
    )
    changed = client.get(path)
    assert changed.json()["title"]["zh"] == "新的标题"
    assert {k: v for k, v in changed.json().items() if k != "title"} == {
        k: v for k, v in first.json().items() if k != "title"
    }
    # The lists follow too: the read model caught up with the write.
    listed = client.get("/api/v1/standards", params={"q": "新的标题"}).json()
    assert [item["iri"] for item in listed["items"]] == [STANDARD]


def test_a_write_elsewhere_leaves_the_answer_as_it_was(
    client: TestClient, api_store: Store
) -> None:
    path = "/api/v1/standards/GB%2FT%2021063.3-2007"
    first = client.get(path)
    assert first.status_code == 200
    api_store.write(
        WriteBatch().add_triples(
            GRAPH_CURRENT, [(URIRef("urn:x:elsewhere"), RDFS.label, Literal("elsewhere"))]
        )
    )
    assert client.get(path).content == first.content


def test_after_a_write_every_lookup_equals_a_fresh_build(client: TestClient) -> None:
    """Every entry of the seeded registry looked up, a status change, every entry
    looked up again: each answer is byte for byte the JSON built from the store now;
    the changed standard's answer changed, and not every answer did."""
    registry: Registry = client.app.state.registry
    snapshot = load_snapshot(registry.store)
    paths = {
        (kind, record["id"]): f"/api/v1/{kind}s/{quote(record['id'], safe='')}"
        for kind in ("standard", "resource", "interface", "department")
        for record in snapshot.records[kind]
    }
    assert len(paths) > 50
    before = {key: client.get(path) for key, path in paths.items()}
    assert {answer.status_code for answer in before.values()} == {200}
    registry.change_status(STANDARD, "deprecated", REGISTRAR, reason="replaced")
    oracle = SnapshotAnswers(registry.store)
    changed = set()
    for (kind, ident), path in paths.items():
        after = client.get(path)
        fresh = oracle.entry(kind, ident)
        assert after.status_code == 200 and after.content == JSONResponse(fresh).body, path
        if after.content != before[(kind, ident)].content:
            changed.add(fresh["iri"])
    assert STANDARD in changed
    assert len(changed) < len(paths)


def test_a_repeated_error_is_the_same_error(client: TestClient) -> None:
    for _ in range(2):
        missing = client.get("/api/v1/standards/GB%2FT%2099999-2099")
        assert missing.status_code == 404
        assert set(missing.json()) == {"error"}
    assert client.get("/api/v1/resources/" + "9" * 300).status_code == 422


def test_every_spelling_gets_the_same_answer(client: TestClient) -> None:
    spellings = ["GB%2FT%2021063.3-2007", "GB-T-21063.3-2007", "gb%2Ft21063.3%E2%80%942007"]
    answers = {client.get(f"/api/v1/standards/{s}").content for s in spellings * 2}
    assert len(answers) == 1


def test_memory_store_reads_in_process(api_backend: str) -> None:
    if api_backend in SHARED_SERVERS:
        # open_store("memory") opens the server there (tests/conftest.py): this test is
        # about the memory store itself.
        pytest.skip("about the memory store, which a remote run replaces by the server")
    with open_store("memory") as store:
        assert store.in_process
