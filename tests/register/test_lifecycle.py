"""One lifecycle, shown the same everywhere (issue 16).

Marking a standard `superseded` through the register left "现行" on its page, in
lists, graphs, impact and as-of, and coverage counted it; a newer edition's
`dct:replaces` did not show as the older edition's successor. Each row below walks a
standard through register transitions and checks that the REST answer, the lists'
filter, the page, the graph, impact, today's as-of view and coverage's plan targets
all agree on its own status, whether it is in force and who succeeds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.errors import ConflictError, InputError
from registry.inputs.document import Document
from registry.register.submission import REGISTRAR
from registry.service import Registry
from registry.store import open_store

BASE = "http://127.0.0.1:8000/id/"
STANDARD = "GB/T 22239-2019"
STANDARD_IRI = f"{BASE}standard/GB-T-22239-2019"
SUCCESSOR = "GB/T 38672-2020"
SUCCESSOR_IRI = f"{BASE}standard/GB-T-38672-2020"
LABELS = {"current": "现行", "superseded": "被代替", "abolished": "废止"}

# (register transitions from valid, own status after, in force, successor)
WALKS = [
    ([], "current", True, None),
    (["deprecated"], "current", False, None),
    (["invalid"], "current", False, None),
    (["invalid", "valid"], "current", True, None),
    (["deprecated", "valid"], "current", True, None),
    (["invalid", "retired"], "abolished", False, None),
    (["deprecated", "retired"], "abolished", False, None),
    (["superseded"], "superseded", False, SUCCESSOR_IRI),
    (["deprecated", "superseded"], "superseded", False, SUCCESSOR_IRI),
    (["retired"], "abolished", False, None),
    (["superseded", "retired"], "abolished", False, SUCCESSOR_IRI),
]


@pytest.fixture
def client(seeded_dump: bytes, validator) -> Iterator[TestClient]:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    with TestClient(app) as test_client:
        yield test_client


def national_in_force(client: TestClient) -> int:
    return client.get("/api/v1/coverage").json()["targets"]["national"]["count"]


@pytest.mark.parametrize(("walk", "status", "in_force", "successor"), WALKS)
def test_every_reader_agrees_on_the_lifecycle(
    client: TestClient, walk: list[str], status: str, in_force: bool, successor: str | None
) -> None:
    registry: Registry = client.app.state.registry
    counted_before = national_in_force(client)
    for step in walk:
        registry.change_status(
            STANDARD_IRI,
            step,
            REGISTRAR,
            successor=SUCCESSOR_IRI if step == "superseded" else None,
            reason="lifecycle test",
        )
    path = f"/api/v1/standards/{quote(STANDARD, safe='')}"
    answer = client.get(path).json()
    # REST: its own status, in force, its successor; the successor names it back.
    assert answer["status"]["code"] == status
    assert answer["in_force"] is in_force
    assert [r["iri"] for r in answer["replaced_by"]] == ([successor] if successor else [])
    newer = client.get(f"/api/v1/standards/{quote(SUCCESSOR, safe='')}").json()
    assert (STANDARD_IRI in [r["iri"] for r in newer["replaces"]]) is (successor is not None)
    # The lists' filter by status finds it under its status, and only there.
    for code in LABELS:
        listed = client.get("/api/v1/standards", params={"status": code, "limit": 500}).json()
        assert (STANDARD_IRI in [r["iri"] for r in listed["items"]]) is (code == status)
    # The page shows the same status and successor.
    page = client.get("/id/standard/GB-T-22239-2019", headers={"Accept": "text/html"}).text
    assert f"{LABELS[status]}</dd>" in page or f"{LABELS[status]}</span></dd>" in page
    assert ("GB/T 38672-2020" in page.split("被代替为")[1][:400]) is (successor is not None)
    # The graph and today's as-of view carry the same status and replacement edge.
    for graph in (registry.graph(), registry.graph(date.today())):
        assert graph.nodes[STANDARD_IRI]["status"] == status
        assert graph.has_edge(SUCCESSOR_IRI, STANDARD_IRI) is (successor is not None)
    # Impact moves what depends on it to the same successor.
    impact = client.get(f"/api/v1/impact/{quote(STANDARD, safe='')}").json()
    assert impact["successor"] == successor
    # Coverage's plan target counts it only while it is in force, and the home page's
    # targets (counted by the read model, without the graph) say the same.
    assert national_in_force(client) == counted_before - (0 if in_force else 1)
    assert registry.targets() == client.get("/api/v1/coverage").json()["targets"]
    home = client.get("/").text
    assert str(registry.targets()["national"]["count"]) in home


NEW_EDITION = """
@prefix dct: <http://purl.org/dc/terms/> .
@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix cat: <https://w3id.org/smartcity-std/category/> .
@prefix level: <https://w3id.org/smartcity-std/code/level/> .
@prefix nature: <https://w3id.org/smartcity-std/code/nature/> .
@prefix stdstatus: <https://w3id.org/smartcity-std/code/standard-status/> .
@prefix std: <http://127.0.0.1:8000/id/standard/> .

std:GB-T-22239-2029 a scs:Standard ;
    dct:identifier "GB/T 22239-2029" ;
    dct:title "信息安全技术 网络安全等级保护基本要求"@zh ;
    scs:level level:national ;
    scs:nature nature:recommended ;
    scs:standardStatus stdstatus:current ;
    scs:category cat:6.1 ;
    dct:replaces std:GB-T-22239-2019 .
"""


def test_a_newer_editions_replaces_names_it_as_the_older_editions_successor(
    client: TestClient,
) -> None:
    """A new edition registered with `dct:replaces` only: the older edition, whose own
    data says nothing of it, shows it as its successor in its answer, on its page, in
    the graph and in impact, and an undated lookup leads to the new edition."""
    registry: Registry = client.app.state.registry
    result = registry.submit([Document("edition.ttl", NEW_EDITION.encode())], REGISTRAR)
    assert result.accepted, result.as_dict()
    newer = f"{BASE}standard/GB-T-22239-2029"
    older = client.get(f"/api/v1/standards/{quote(STANDARD, safe='')}").json()
    assert [r["iri"] for r in older["replaced_by"]] == [newer]
    page = client.get("/id/standard/GB-T-22239-2019", headers={"Accept": "text/html"}).text
    assert "GB/T 22239-2029" in page.split("被代替为")[1][:400]
    assert registry.graph().has_edge(newer, STANDARD_IRI)
    impact = client.get(f"/api/v1/impact/{quote(STANDARD, safe='')}").json()
    assert impact["successor"] == newer
    undated = client.get("/api/v1/standards/GB%2FT%2022239").json()
    assert undated["iri"] == newer


def test_a_standard_was_superseded_by_an_information_resource(client: TestClient) -> None:
    """A registrar's status change took a resource as a standard's successor, and the
    standard's page told readers to use the data resource. The successor is an item of
    the item's own kind; the refusal names both kinds, in Chinese without status codes."""
    registry: Registry = client.app.state.registry
    resource = f"{BASE}resource/101001-000001"
    with pytest.raises(InputError) as refused:
        registry.change_status(STANDARD_IRI, "superseded", REGISTRAR, successor=resource)
    assert "信息资源" in refused.value.message.zh and "标准" in refused.value.message.zh
    assert refused.value.details["successor_kind"] == "resource"
    assert client.get(f"/api/v1/standards/{quote(STANDARD, safe='')}").json()["replaced_by"] == []
    # the same standard's own successor is taken; a retired item cannot move on, said in zh
    registry.change_status(STANDARD_IRI, "superseded", REGISTRAR, successor=SUCCESSOR_IRI)
    registry.change_status(STANDARD_IRI, "retired", REGISTRAR)
    with pytest.raises(ConflictError) as closed:
        registry.change_status(STANDARD_IRI, "valid", REGISTRAR)
    assert closed.value.message.zh == "状态为“已撤销”的条目不能变为“有效”"


def test_superseding_asked_for_the_successor_the_newer_edition_already_names(
    client: TestClient,
) -> None:
    """A newer edition registered with dct:replaces already names its predecessor, and
    the older one's answer showed it as replaced_by; marking the older one superseded
    still refused without --successor. The one edition that says it replaces it is its
    successor now; with none, the refusal stands."""
    registry: Registry = client.app.state.registry
    with pytest.raises(InputError):
        registry.change_status(STANDARD_IRI, "superseded", REGISTRAR)
    assert registry.submit([Document("edition.ttl", NEW_EDITION.encode())], REGISTRAR).accepted
    registry.change_status(STANDARD_IRI, "superseded", REGISTRAR, reason="new edition")
    answer = client.get(f"/api/v1/standards/{quote(STANDARD, safe='')}").json()
    assert answer["status"]["code"] == "superseded"
    assert [r["iri"] for r in answer["replaced_by"]] == [f"{BASE}standard/GB-T-22239-2029"]
