"""Changing an entry's owner is a transfer (issue 16): a registrar or admin only,
with a reason, recorded in provenance and shown in history (API, page, CLI). Before,
a registrar's submission naming another provider moved the entry silently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from api import create_app
from registry.cli import main
from registry.config import Settings
from registry.inputs.document import Document
from registry.namespaces import GRAPH_REGISTRY, SCS
from registry.register.submission import Principal
from registry.register.tokens import create_token
from registry.service import Registry
from registry.store import Store, open_store

BASE = "http://127.0.0.1:8000/id/"
OWNER = "11210100EXAMPLE01N"  # the Big Data Bureau: owns resource 101001/000001
OTHER = "11210100EXAMPLE02R"
RESOURCE = f"{BASE}resource/101001-000001"
OWNER_IRI, OTHER_IRI = f"{BASE}department/{OWNER}", f"{BASE}department/{OTHER}"
PATH = "/api/v1/items/101001-000001/owner"


def owner_of(store: Store) -> set[str]:
    found = store.match("urn:screg:graph:current", URIRef(RESOURCE), DCTERMS.publisher)
    return {str(o) for _s, _p, o in found}


@pytest.fixture
def served(seeded_dump: bytes, validator) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    secrets = {
        "registrar": create_token(store, "registrar", None, "registrar")[1],
        "owner": create_token(store, "submitter", OWNER, "owner")[1],
        "other": create_token(store, "submitter", OTHER, "other")[1],
    }
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, secrets


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_registrar_transfers_with_a_reason_and_history_shows_it(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, secrets = served
    registry: Registry = client.app.state.registry
    body = {"department": OTHER, "reason": "机构改革，职责划转"}
    answer = client.post(PATH, json=body, headers=bearer(secrets["registrar"]))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"item": RESOURCE, "kind": "resource", "version": 2}
    assert owner_of(registry.store) == {OTHER_IRI}
    assert client.get("/api/v1/resources/101001-000001").json()["publisher"]["id"] == OTHER
    # History over the API: the transfer, from and to whom, and why.
    versions = client.get("/api/v1/items/101001-000001/history").json()["versions"]
    assert [v["change"] for v in versions] == ["submission", "transfer"]
    last = versions[-1]
    assert (last["former_owner"], last["new_owner"]) == ([OWNER_IRI], OTHER_IRI)
    assert last["reason"] == "机构改革，职责划转"
    assert last["status"] == versions[0]["status"] == "valid"
    # Provenance: the activity names the registrar's token, not only a role.
    activity = URIRef(last["activity"])
    assert registry.store.match(GRAPH_REGISTRY, activity, SCS.reason)
    assert registry.store.match(GRAPH_REGISTRY, activity, SCS.viaToken)
    # The page's history shows it too.
    page = client.get("/id/resource/101001-000001", headers={"Accept": "text/html"}).text
    assert "归属转移" in page and "机构改革，职责划转" in page
    # The new owner may now change the entry; the former owner may not.
    graph = registry.show(RESOURCE)
    turtle = graph.serialize(format="turtle").encode()
    for who, status in (("owner", 403), ("other", 201)):
        sent = client.post(
            "/api/v1/submissions",
            content=turtle,
            headers={"Content-Type": "text/turtle", **bearer(secrets[who])},
        )
        assert sent.status_code == status, (who, sent.text)


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("owner", {"department": OTHER, "reason": "x"}, 403),  # a submitter
        ("other", {"department": OTHER, "reason": "x"}, 403),  # the receiving submitter
        ("registrar", {"department": OTHER}, 422),  # no reason
        ("registrar", {"department": OTHER, "reason": ""}, 422),
        ("registrar", {"department": "91110000NOSUCH0001", "reason": "x"}, 404),
        ("registrar", {"department": OWNER, "reason": "x"}, 409),  # owner already
        ("registrar", {"department": "GB/T 22239-2019", "reason": "x"}, 400),  # no dept
    ],
)
def test_a_transfer_that_is_not_allowed_writes_nothing(
    served: tuple[TestClient, dict[str, str]], who: str, body: dict[str, str], status: int
) -> None:
    client, secrets = served
    store = client.app.state.registry.store
    generation = store.generation()
    answer = client.post(PATH, json=body, headers=bearer(secrets[who]))
    assert answer.status_code == status, answer.text
    assert set(answer.json()) == {"error"}
    assert store.generation() == generation
    assert owner_of(store) == {OWNER_IRI}


def test_a_standard_has_no_owner_to_transfer(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, secrets = served
    answer = client.post(
        "/api/v1/items/GB%2FT%2022239-2019/owner",
        json={"department": OTHER, "reason": "x"},
        headers=bearer(secrets["registrar"]),
    )
    assert answer.status_code == 400, answer.text


def test_the_cli_transfers_and_its_history_shows_the_reason(
    tmp_path: Path, seeded_dump: bytes
) -> None:
    path = tmp_path / "store"
    with open_store(str(path)) as store:
        store.load_dump(seeded_dump, "nquads")
    runner = CliRunner()
    refused = runner.invoke(main, ["transfer", "101001/000001", OTHER, "--store", str(path)])
    assert refused.exit_code == 2 and "--reason" in refused.output
    unknown = runner.invoke(
        main,
        ["transfer", "101001/000001", "91210100NOSUCH0000", "--reason", "x", "--store", str(path)],
    )
    assert unknown.exit_code == 2 and "91210100NOSUCH0000" in unknown.output, unknown.output
    done = runner.invoke(
        main, ["transfer", "101001/000001", OTHER, "--reason", "职责划转", "--store", str(path)]
    )
    assert done.exit_code == 0, done.output
    shown = runner.invoke(main, ["history", "101001-000001", "--store", str(path)])
    assert shown.exit_code == 0, shown.output
    assert f"transfer: {OWNER_IRI} -> {OTHER_IRI}" in shown.output
    assert "reason: 职责划转" in shown.output
    with open_store(str(path)) as store:
        assert owner_of(store) == {OTHER_IRI}


def test_a_registrars_catalogue_naming_another_provider_is_refused(registry: Registry) -> None:
    """The submit path, on every back end: 409, nothing written."""
    from registry.errors import ConflictError

    graph = registry.show(RESOURCE)
    graph.set((URIRef(RESOURCE), DCTERMS.publisher, URIRef(OTHER_IRI)))
    generation = registry.store.generation()
    with pytest.raises(ConflictError):
        registry.submit(
            [Document("moved.ttl", graph.serialize(format="turtle").encode())],
            Principal("registrar", None, "registrar"),
        )
    assert registry.store.generation() == generation
