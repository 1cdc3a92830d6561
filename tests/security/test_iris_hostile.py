"""Hostile uploads over HTTP (issue 17, items 2-4): an entry at an IRI the registry did
not mint for it, another department's data item taken over (listed, or copied and
then dropped), and a value smuggled into a code list. Each is a 422 in the one error
body, with the report; nothing is written (the store's generation is unchanged); the
victim's data item still dereferences; the server answers a lookup after."""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from registry.namespaces import GRAPH_CURRENT, SCS
from registry.store import Store
from tests import documents
from tests.api.test_api import (  # noqa: F401 - fixtures
    OTHER_DEPT,
    TURTLE,
    api_store,
    app,
    assert_error,
    auth,
    client,
    seeded_with_tokens,
    tokens,
)

BASE = documents.BASE
VICTIM = f"{BASE}resource/101001-000001"
VICTIM_ITEM = f"{VICTIM}/item/1"
OWN = f"{BASE}resource/109002-000001"


def attacker_resource(iri: str = OWN, extra: str = "") -> bytes:
    """A conforming new resource of the other department at `iri`, plus `extra`."""
    text = documents.resource_ttl("109002/000001", title="攻击者的资源", description="x")
    text = text.decode().replace(OWN, iri)
    text = text.replace(documents.BIG_DATA_BUREAU, f"{BASE}department/{OTHER_DEPT}")
    return (text + extra).encode()


def refused(client: TestClient, secret: str, body: bytes, rule: str) -> list[dict[str, Any]]:
    """POST a submission: 422 not_conforming, the report naming `rule`."""
    response = client.post("/api/v1/submissions", content=body, headers=TURTLE | auth(secret))
    error = assert_error(response, 422, "not_conforming")
    found = [r for r in error["details"]["results"] if r["shape"].endswith(f"#{rule}")]
    assert found, error["details"]["results"][:3]
    for result in found:
        assert result["message"]["zh"] and result["message"]["en"]
    return found


def victim_item_answers(client: TestClient) -> str:
    response = client.get(
        "/id/resource/101001-000001/item/1", headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200, response.text
    return response.text


def test_an_entry_at_another_departments_data_item_iri_is_422(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    generation = api_store.generation()
    for iri in (VICTIM_ITEM, "urn:screg:graph:tokens", f"{documents.CODE_LISTS}/format/api"):
        [result] = refused(client, tokens["other"], attacker_resource(iri), "MintedIri")
        assert result["focus"] == iri and OWN in result["message"]["en"]
    assert api_store.generation() == generation
    assert "itemName" in victim_item_answers(client)


def test_a_data_item_takeover_is_422_and_the_victims_item_still_answers(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    generation = api_store.generation()
    before = victim_item_answers(client)
    listed = (
        f'<{OWN}> <{SCS.dataItem}> <{VICTIM_ITEM}> .\n<{VICTIM_ITEM}> <{SCS.itemName}> "x"@zh .\n'
    )
    refused(client, tokens["other"], attacker_resource(extra=listed), "OwnDataItem")
    # the exact copy, with its IRI, then the attacker's resource without it
    copy = Graph()
    for triple in api_store.match(GRAPH_CURRENT, URIRef(VICTIM_ITEM), None):
        copy.add(triple)
    copy.add((URIRef(OWN), SCS.dataItem, URIRef(VICTIM_ITEM)))
    copied = attacker_resource(extra=copy.serialize(format="nt"))
    refused(client, tokens["other"], copied, "OwnDataItem")
    assert api_store.generation() == generation
    response = client.post(
        "/api/v1/submissions", content=attacker_resource(), headers=TURTLE | auth(tokens["other"])
    )
    assert response.status_code == 201, response.text
    assert victim_item_answers(client) == before


def test_a_value_smuggled_into_a_code_list_is_422(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    generation = api_store.generation()
    bogus = "http://example.org/bogus"
    body = (
        attacker_resource()
        .decode()
        .replace(f"{documents.CODE_LISTS}/sharing-type/unconditional", bogus)
    )
    body += f"<{bogus}> <{SKOS.inScheme}> <{SCS.SharingTypes}> .\n"
    [result] = refused(client, tokens["other"], body.encode(), "TrustedVocabulary")
    assert result["focus"] == bogus
    # validation alone says the same, and the value is outside the code list
    response = client.post("/api/v1/validate", content=body.encode(), headers=TURTLE)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["conforms"] is False
    shapes = {r["shape"].split("#")[-1] for r in report["results"]}
    assert {"TrustedVocabulary", "InformationResource-sharingType"} <= shapes
    assert api_store.generation() == generation
    assert client.get("/api/v1/resources/101001-000001").status_code == 200
