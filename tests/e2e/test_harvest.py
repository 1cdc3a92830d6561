"""A harvester against a real `screg serve`: follow /catalog's hydra:next over HTTP as
ckanext-dcat does, revalidate a page with its ETag, and read the SPARQL service
description, all through a real uvicorn on a free port."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from registry.namespaces import HYDRA, SCS, SD
from registry.store import open_store
from tests.servers import running_server

PAGE_SIZE = 7


@pytest.fixture(scope="module")
def server(
    seeded_dump: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    folder = tmp_path_factory.mktemp("harvest") / "store"
    with open_store(str(folder)) as store:  # seeded here, then closed: the server takes the lock
        store.load_dump(seeded_dump, "nquads")
    env = {
        **os.environ,
        "SCREG_STORE": str(folder),
        "SCREG_SEED": "false",
        "SCREG_CATALOG_PAGE_SIZE": str(PAGE_SIZE),
    }
    with running_server(env) as (base, process):
        yield base, process


def test_a_harvester_following_hydra_next_over_http_collects_every_dataset_once(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, _process = server
    seen: Counter[URIRef] = Counter()
    url: str | None = f"{base}/catalog.rdf"
    pages = 0
    while url is not None:
        pages += 1
        assert pages < 20
        answer = httpx.get(url, timeout=30)
        assert answer.status_code == 200, answer.text
        graph = Graph().parse(data=answer.content, format="xml")
        seen.update(graph.subjects(RDF.type, DCAT.Dataset))  # type: ignore[arg-type]
        [view] = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
        following = graph.value(view, HYDRA.next)
        url = str(following) if following is not None else None
    rows = httpx.get(
        f"{base}/sparql",
        params={"query": f"SELECT ?s WHERE {{ ?s a <{SCS.InformationResource}> }}"},
        timeout=30,
    ).json()["results"]["bindings"]
    assert set(map(str, seen)) == {row["s"]["value"] for row in rows}
    assert max(seen.values()) == 1
    assert pages > len(seen) // PAGE_SIZE  # several pages, each followed once


def test_a_catalog_page_revalidates_with_304_over_http(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, _process = server
    first = httpx.get(f"{base}/catalog?page=2", timeout=30)
    etag = first.headers["etag"]
    again = httpx.get(f"{base}/catalog?page=2", headers={"If-None-Match": etag}, timeout=30)
    assert again.status_code == 304


def test_the_service_description_over_http(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _process = server
    answer = httpx.get(f"{base}/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert answer.status_code == 200, answer.text
    graph = Graph().parse(data=answer.content, format="turtle")
    assert (URIRef(f"{base}/sparql"), RDF.type, SD.Service) in graph
