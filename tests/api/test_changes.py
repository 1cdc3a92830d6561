"""The change feed, GET /api/v1/changes (api/routers/changes.py, registry/read/changes.py):
a consumer that follows `next` sees every write once, in order, with what it changed,
by whom (the department, never the token) and when.

Through create_app on a seeded store of the back end under test, as the other API tests:
the tests that only read on one app per module (`reader`), those that write on a fresh
one each (`client`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from api import create_app
from registry.config import Settings
from registry.namespaces import GRAPH_CHANGES, GRAPH_CURRENT, REGSTATUS, SCS
from registry.register.submission import REGISTRAR
from registry.register.tokens import create_token
from registry.service import Registry
from registry.store import Store
from tests import documents
from tests.conftest import shared_app

BASE = "http://127.0.0.1:8000/id/"
BUREAU = "11210100EXAMPLE01N"  # the department of examples/catalogue-valid.ttl
STANDARD = f"{BASE}standard/GB-T-21063.3-2007"
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture
def api_store(open_seeded, seeded_dump: bytes) -> Store:
    return open_seeded(seeded_dump)


def _app(store: Store, validator):
    return create_app(Settings(store="memory", seed=False), store=store, validator=validator)


@pytest.fixture
def client(api_store: Store, validator) -> Iterator[TestClient]:
    """A fresh seeded store and app: for the tests that write."""
    with TestClient(_app(api_store, validator), raise_server_exceptions=False) as test_client:
        yield test_client


# One app for the module's tests that only read (tests/conftest.py shared_app).
shared, reader = shared_app("seeded_dump", _app)


def registry_of(client: TestClient) -> Registry:
    return client.app.state.registry  # type: ignore[attr-defined, no-any-return]


def page(client: TestClient, **params: Any) -> dict[str, Any]:
    answer = client.get("/api/v1/changes", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # The Link header names the same next page as the body.
    link = re.fullmatch(r'<([^>]+)>; rel="next"', answer.headers["link"])
    assert link is not None and f"after={body['next']}" in link.group(1)
    return body


def submit_resource(client: TestClient, secret: str, code: str) -> None:
    body = documents.resource_ttl(code, title="变更测试资源", description="测试。")
    made = client.post(
        "/api/v1/submissions",
        content=body,
        headers={**TURTLE, "Authorization": f"Bearer {secret}"},
    )
    assert made.status_code == 201, made.text


def test_a_consumer_following_next_sees_every_write_once_in_order(client: TestClient) -> None:
    registry = registry_of(client)
    store = registry.store
    _, bureau = create_token(store, "submitter", f"{BASE}department/{BUREAU}", "bureau")
    token_writes = {store.generation()}

    def make_token() -> None:
        create_token(store, "registrar", name="between pages")
        token_writes.add(store.generation())

    seen: list[dict[str, Any]] = []
    cursor = None
    writes = iter(
        [
            lambda: submit_resource(client, bureau, "109001/000001"),
            lambda: registry.change_status(STANDARD, "deprecated", REGISTRAR, reason="old"),
            make_token,
            lambda: submit_resource(client, bureau, "109001/000002"),
        ]
    )
    while True:
        body = page(client, after=cursor, limit=2) if cursor else page(client, limit=2)
        seen += body["items"]
        cursor = body["next"]
        write = next(writes, None)
        if write is None and not body["items"]:
            break
        if write is not None:
            write()  # a write between two pages
    generations = [item["generation"] for item in seen]
    assert generations == sorted(set(generations))  # once each, in order
    assert [item["cursor"] for item in seen] == [str(n) for n in generations]
    # Every write but the token writes, from the seed on.
    assert set(generations) == set(range(1, store.generation() + 1)) - token_writes
    kinds = [item["kind"] for item in seen]
    assert kinds[0] == "seed" and kinds[-3:] == ["submission", "status-change", "submission"]


def test_an_item_says_what_changed_by_whom_and_when(client: TestClient) -> None:
    store = registry_of(client).store
    info, secret = create_token(store, "submitter", f"{BASE}department/{BUREAU}", "bureau")
    start = store.generation()
    submit_resource(client, secret, "109001/000001")
    registry_of(client).change_status(STANDARD, "deprecated", REGISTRAR, reason="old")
    answer = client.get("/api/v1/changes", params={"after": start})
    submission, status = answer.json()["items"]
    resource = f"{BASE}resource/109001-000001"
    assert submission["kind"] == "submission"
    assert submission["department"] == f"{BASE}department/{BUREAU}"
    assert submission["role"] == "submitter"
    assert submission["activity"].startswith(f"{BASE}submission/")
    assert submission["entries"] == [
        {"iri": resource, "kind": "resource", "version": 1, "status": "valid"}
    ]
    # xsd:dateTime with its offset
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", submission["time"])
    assert status["kind"] == "status-change" and status["department"] is None
    assert status["role"] == "registrar"
    assert status["entries"] == [
        {"iri": STANDARD, "kind": "standard", "version": 2, "status": "deprecated"}
    ]
    # Never the token: not its id, not its secret, not its record.
    assert info.id not in answer.text and secret not in answer.text
    assert "urn:screg:token:" not in answer.text


def test_token_writes_stay_out_of_the_feed_and_the_log_out_of_sparql(
    client: TestClient,
) -> None:
    store = registry_of(client).store
    start = store.generation()
    create_token(store, "registrar", name="hidden")
    body = page(client, after=start)
    assert body["items"] == [] and body["next"] == str(start)
    # The log lists every write, token writes included: not reachable by SPARQL.
    query = f"SELECT * WHERE {{ GRAPH <{GRAPH_CHANGES}> {{ ?s ?p ?o }} }} LIMIT 1"
    answer = client.get("/sparql", params={"query": query})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["details"]["reason"] == "hidden_graph"
    anywhere = (
        "SELECT ?s WHERE { GRAPH ?g { ?s a <https://www.w3.org/ns/activitystreams#Create> } }"
    )
    answer = client.get("/sparql", params={"query": anywhere})
    assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []


def test_limit_and_more(reader: TestClient) -> None:
    first = page(reader, limit=1)
    assert len(first["items"]) == 1 and first["more"] is True and first["limit"] == 1
    everything = page(reader, limit=1000)
    assert everything["more"] is False
    assert page(reader)["limit"] == 100
    last = everything["next"]
    assert page(reader, after=last) == {"items": [], "next": last, "more": False, "limit": 100}


@pytest.mark.parametrize(
    "params",
    [
        {"after": "x"},
        {"after": "-1"},
        {"after": "1.5"},
        {"after": "１"},  # a full-width digit
    ],
)
def test_a_bad_cursor_is_a_400_in_the_one_error_body(
    reader: TestClient, params: dict[str, str]
) -> None:
    answer = reader.get("/api/v1/changes", params=params)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input" and error["message"]
    assert set(answer.json()) == {"error"}


@pytest.mark.parametrize("limit", ["0", "1001", "ten", "１"])
def test_a_limit_outside_1_to_1000_is_a_422_as_every_lists(reader: TestClient, limit: str) -> None:
    """The feed's limit was a string in /openapi.json (and its refusal a 400 of its own):
    a client generated from the document sent text. It is a whole number 1..1000 there
    now, refused as every list's limit is."""
    answer = reader.get("/api/v1/changes", params={"limit": limit})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request" and error["message"]
    schema = reader.get("/openapi.json").json()["paths"]["/api/v1/changes"]["get"]
    (declared,) = [p["schema"] for p in schema["parameters"] if p["name"] == "limit"]
    assert declared["type"] == "integer" and (declared["minimum"], declared["maximum"]) == (1, 1000)


# -- the same feed as a Linked Data Event Stream -------------------------------------------

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")


def test_an_ldes_client_following_the_relations_gets_every_new_version(
    client: TestClient,
) -> None:
    registry_of(client).change_status(STANDARD, "deprecated", REGISTRAR, reason="old")
    expected = {
        URIRef(f"{entry['iri']}/version/{entry['version']}")
        for item in page(client, limit=1000)["items"]
        for entry in item["entries"]
    }
    members: set[URIRef] = set()
    url: str | None = "/api/v1/changes.ttl?limit=2"
    pages = 0
    while url is not None:
        answer = client.get(url)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(
            "text/turtle"
        )
        graph = Graph().parse(data=answer.text, format="turtle")
        stream = graph.value(predicate=RDF.type, object=LDES.EventStream)
        assert stream == URIRef("http://testserver/api/v1/changes.ttl")
        assert graph.value(stream, LDES.versionOfPath) == DCTERMS.isVersionOf
        assert graph.value(stream, LDES.timestampPath) == PROV.generatedAtTime
        for member in graph.objects(stream, TREE.member):
            assert graph.value(member, PROV.generatedAtTime) is not None
            assert graph.value(member, DCTERMS.isVersionOf) is not None
            members.add(member)  # type: ignore[arg-type]
        following = list(graph.objects(None, TREE.node))
        url = str(following[0]).removeprefix("http://testserver") if following else None
        pages += 1
    assert pages > 2 and members == expected
    # A member is the version as registered, the entry's IRI replaced by the version's.
    deprecated = URIRef(f"{STANDARD}/version/2")
    assert (deprecated, DCTERMS.isVersionOf, URIRef(STANDARD)) in graph
    assert graph.value(deprecated, DCTERMS.identifier) == Literal("GB/T 21063.3-2007")
    assert graph.value(deprecated, SCS.registerStatus) == REGSTATUS.deprecated


def test_the_feed_is_negotiated(reader: TestClient) -> None:
    jsonld = reader.get("/api/v1/changes?limit=3", headers={"Accept": "application/ld+json"})
    assert jsonld.status_code == 200, jsonld.text
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    graph = Graph().parse(data=jsonld.text, format="json-ld")
    assert (None, RDF.type, LDES.EventStream) in graph
    assert reader.get("/api/v1/changes", headers={"Accept": "*/*"}).json()["items"]
    refused = reader.get("/api/v1/changes", headers={"Accept": "text/csv"})
    assert refused.status_code == 406 and set(refused.json()) == {"error"}
    assert reader.get("/api/v1/changes.csv").status_code == 404


# What an entry's page says of its register record, not of its content.
_REGISTER_RECORD = {SCS.currentVersion, SCS.registerStatus, SCS.itemKind, SCS.pendingVersion}


def _owner(subject: str, entries: set[str]) -> str | None:
    """The entry `subject` is, or is a part of (`<entry>/item/1`, `<entry>/node/...`)."""
    if subject in entries:
        return subject
    head = subject
    while "/" in head:
        head = head.rsplit("/", 1)[0]
        if head in entries:
            return head
    return None


def _mirror(client: TestClient, mirror: Graph, entry: str) -> None:
    """Replace what `mirror` holds of `entry` with its current Turtle; drop it when it
    answers 404 (no current version)."""
    for s, p, o in list(mirror):
        if _owner(str(s), {entry}) is not None:
            mirror.remove((s, p, o))
    answer = client.get(entry.removeprefix(BASE[: -len("id/")]), headers={"Accept": "text/turtle"})
    if answer.status_code == 404:
        return
    assert answer.status_code == 200, answer.text
    for s, p, o in Graph().parse(data=answer.text, format="turtle"):
        if p in _REGISTER_RECORD or (p == RDF.type and o == SCS.RegisterItem):
            continue
        mirror.add((s, p, o))


def retitle(client: TestClient, secret: str, code: str, title: str) -> None:
    body = documents.resource_ttl(code, title=title, description="测试。")
    made = client.post(
        "/api/v1/submissions", content=body, headers={**TURTLE, "Authorization": f"Bearer {secret}"}
    )
    assert made.status_code == 201, made.text


def test_a_mirror_built_from_the_feed_alone_equals_the_registrys_current_graph(
    client: TestClient,
) -> None:
    """A consumer that knows nothing but the feed (issue 18): it follows `next` from
    the start, fetches each changed entry's page and keeps its triples, while writes
    land between its pages; caught up, its graph is the registry's public current
    graph, entry by entry."""
    registry = registry_of(client)
    store = registry.store
    _, bureau = create_token(store, "submitter", f"{BASE}department/{BUREAU}", "bureau")
    writes = [
        lambda: submit_resource(client, bureau, "101001/000901"),
        lambda: submit_resource(client, bureau, "101001/000902"),
        lambda: registry.change_status(STANDARD, "deprecated", REGISTRAR, None, "镜像测试"),
        lambda: submit_resource(client, bureau, "101001/000903"),
        lambda: retitle(client, bureau, "101001/000901", "改过名的资源"),  # an update
    ]
    mirror, entries, cursor = Graph(), set(), "0"
    while True:
        body = page(client, after=cursor, limit=3)
        for item in body["items"]:
            for entry in item["entries"]:
                entries.add(entry["iri"])
                _mirror(client, mirror, entry["iri"])
        cursor = body["next"]
        if writes:
            writes.pop(0)()  # a write while the consumer reads
        elif not body["more"]:
            break
    current = store.read_graph(GRAPH_CURRENT)
    held = Graph()
    for s, p, o in current:
        if _owner(str(s), entries) is not None:
            held.add((s, p, o))
    assert len(held) > 500  # the examples and the writes above, not an empty comparison
    assert (
        URIRef(f"{BASE}resource/101001-000901"),
        DCTERMS.title,
        Literal("改过名的资源", lang="zh"),
    ) in mirror
    assert set(mirror) == set(held)
    # Nothing the registry holds is missing from the mirror: every subject of the
    # current graph belongs to an entry the feed named.
    orphans = {str(s) for s in current.subjects() if _owner(str(s), entries) is None}
    assert not orphans, sorted(orphans)[:5]


def test_two_versions_on_one_page_shared_their_data_items(client: TestClient) -> None:
    """Each version of a resource held its data items under the same IRIs, so a page
    with both versions gave each member both names of a renamed item: a member is now
    self-contained, its items blank nodes of its own that say which item they are."""
    store = registry_of(client).store
    _, bureau = create_token(store, "submitter", f"{BASE}department/{BUREAU}", "bureau")
    start = store.generation()
    code = "101001/007701"
    for name in ("公民身份号码", "身份证号"):
        item = documents.DataItem(name, "SFZH", "C", 18)
        body = documents.resource_ttl(
            code, title="版本测试资源", description="测试。", items=(item,)
        )
        made = client.post(
            "/api/v1/submissions",
            content=body,
            headers={**TURTLE, "Authorization": f"Bearer {bureau}"},
        )
        assert made.status_code == 201, made.text
    answer = client.get(f"/api/v1/changes.ttl?after={start}&limit=100")
    assert answer.status_code == 200, answer.text
    graph = Graph().parse(data=answer.text, format="turtle")
    entry = f"{BASE}resource/{code.replace('/', '-')}"
    names = {}
    for n in (1, 2):
        member = URIRef(f"{entry}/version/{n}")
        items = list(graph.objects(member, SCS.dataItem))
        assert len(items) == 1
        assert graph.value(items[0], DCTERMS.isVersionOf) == URIRef(f"{entry}/item/1")
        names[n] = {str(o) for o in graph.objects(items[0], SCS.itemName)}
    assert names == {1: {"公民身份号码"}, 2: {"身份证号"}}


def test_a_cursor_past_the_last_write_was_answered_with_an_empty_page(
    reader: TestClient,
) -> None:
    """A cursor this feed never gave (the registry was emptied and filled again since)
    got an empty page and itself as `next`: the consumer missed every write until the
    count came back. And an unknown parameter (`?since=5`) was ignored, so the feed
    started from the first write."""
    latest = registry_of(reader).store.generation()
    ahead = reader.get("/api/v1/changes", params={"after": latest + 100})
    assert ahead.status_code == 400, ahead.text
    assert ahead.json()["error"]["details"] == {"after": str(latest + 100), "latest": str(latest)}
    assert reader.get("/api/v1/changes.ttl", params={"after": latest + 1}).status_code == 400
    assert page(reader, after=latest)["items"] == []
    unknown = reader.get("/api/v1/changes", params={"since": 5})
    assert unknown.status_code == 400 and unknown.json()["error"]["details"]["unknown"] == ["since"]
