"""GET /catalog: the DCAT-AP 3 catalogue for harvesters (api/routers/catalog.py,
registry/read/catalog.py). Pages conform to the DCAT-AP 3.0.1 shapes read from the
workplace's shared/ (never copied in), a harvest loop that follows hydra:next as
ckanext-dcat does collects every dataset once, and pages revalidate with ETag/304.

Through create_app on a seeded store of the back end under test (`open_seeded`), as the
other API tests.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pyshacl
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

from api import create_app
from registry.config import Settings
from registry.namespaces import GRAPH_CURRENT, HYDRA, SCS
from registry.register.tokens import create_token
from registry.store import Store
from tests import documents
from tests.conftest import skip_unless_available
from tests.inputs.test_dcat import dcat_ap_dir, dcat_ap_violations

BUREAU = "11210100EXAMPLE01N"
CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
PAGE_SIZE = 10
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


@pytest.fixture
def api_store(open_seeded, seeded_dump: bytes) -> Store:
    """The seeded examples on the back end under test; the app closes it on shutdown."""
    return open_seeded(seeded_dump)


@pytest.fixture
def client(api_store: Store, validator) -> Iterator[TestClient]:
    settings = Settings(
        store="memory", seed=False, catalog_page_size=PAGE_SIZE, catalog_licence=CC_BY
    )
    app = create_app(settings, store=api_store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def registered(store: Store, kind: URIRef) -> set[URIRef]:
    rows = store.select(f"SELECT ?s WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?s a <{kind}> }} }}")
    return {URIRef(str(row["s"])) for row in rows}


def page_graph(answer, media: str) -> Graph:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media)
    return Graph().parse(data=answer.content, format=FORMATS[media])


def view_of(graph: Graph) -> URIRef:
    [view] = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
    return view  # type: ignore[return-value]


def harvest(client: TestClient, start: str, headers: dict[str, str], media: str) -> list[Graph]:
    """What ckanext-dcat's RDF harvester does: fetch, then follow hydra:next until none."""
    pages: list[Graph] = []
    url: str | None = start
    while url is not None:
        assert len(pages) < 50, "the paging does not end"
        graph = page_graph(client.get(url, headers=headers), media)
        pages.append(graph)
        following = graph.value(view_of(graph), HYDRA.next)
        url = str(following) if following is not None else None
    return pages


@pytest.mark.parametrize(
    ("start", "headers", "media"),
    [
        ("/catalog", {}, "text/turtle"),
        ("/catalog", {"Accept": "application/rdf+xml"}, "application/rdf+xml"),
        ("/catalog.jsonld", {}, "application/ld+json"),
        ("/catalog.rdf", {}, "application/rdf+xml"),
    ],
)
def test_harvest_loop_following_hydra_next_collects_every_dataset_once(
    client: TestClient, api_store: Store, start: str, headers: dict[str, str], media: str
) -> None:
    pages = harvest(client, start, headers, media)
    datasets = registered(api_store, SCS.InformationResource)
    assert len(datasets) > 2 * PAGE_SIZE  # the seeded examples span several pages
    seen = Counter(d for page in pages for d in page.subjects(RDF.type, DCAT.Dataset))
    assert set(seen) == datasets
    assert max(seen.values()) == 1, [d for d, n in seen.items() if n > 1]
    services = {s for page in pages for s in page.subjects(RDF.type, DCAT.DataService)}
    assert services == registered(api_store, SCS.DataInterface)
    first, last = view_of(pages[0]), view_of(pages[-1])
    assert pages[0].value(first, HYDRA.last) == last
    total = int(pages[0].value(first, HYDRA.totalItems))
    assert total == len(datasets) + len(services)
    assert (last, HYDRA.next, None) not in pages[-1]
    assert str(pages[1].value(view_of(pages[1]), HYDRA.previous)) == str(first)
    # Older harvesters follow hydra:PagedCollection / hydra:nextPage: the same links.
    for page in pages:
        view = view_of(page)
        assert (view, RDF.type, HYDRA.PagedCollection) in page
        assert page.value(view, HYDRA.nextPage) == page.value(view, HYDRA.next)


def test_catalog_pages_conform_to_dcat_ap_3_0_1_shapes(client: TestClient) -> None:
    for number in (1, 2, 3):
        graph = page_graph(client.get(f"/catalog?page={number}"), "text/turtle")
        assert set(graph.subjects(RDF.type, DCAT.Dataset))
        assert dcat_ap_violations(graph) == [], number


# Recommended properties the registry knows, which the export now states.
KNOWN = {
    (DCAT.Dataset, DCAT.contactPoint),
    (DCAT.Dataset, DCTERMS.publisher),
    (DCAT.Dataset, DCAT.theme),
    (DCAT.Dataset, DCTERMS.spatial),
    (DCAT.DataService, DCAT.contactPoint),
    (DCAT.Catalog, DCTERMS.spatial),
    (DCAT.Catalog, DCTERMS.license),
    (DCAT.Catalog, DCAT.themeTaxonomy),
    (URIRef("http://xmlns.com/foaf/0.1/Agent"), DCTERMS.type),
}


def test_catalog_states_the_recommended_properties_the_registry_knows(
    client: TestClient,
) -> None:
    """Contact point, licence, theme (the resource class), spatial (the city): no
    recommended-shape Warning about them on any page."""
    dcat_ap = dcat_ap_dir()
    skip_unless_available(dcat_ap.is_dir(), f"DCAT-AP 3.0.1 shapes not found at {dcat_ap}")
    shapes = Graph().parse(dcat_ap / "shapes_recommended.ttl", format="turtle")
    missing = set()
    for number in (1, 2, 3):
        graph = page_graph(client.get(f"/catalog?page={number}"), "text/turtle")
        _conforms, results, _text = pyshacl.validate(
            graph, shacl_graph=shapes, inference="none", allow_warnings=True
        )
        for result in results.subjects(RDF.type, SH.ValidationResult):
            focus, path = results.value(result, SH.focusNode), results.value(result, SH.resultPath)
            for kind in graph.objects(focus, RDF.type):
                if (kind, path) in KNOWN:
                    missing.add((str(focus), str(path)))
        # An open resource's distributions carry the licence; the city is the place.
        assert (None, DCTERMS.license, URIRef(CC_BY)) in graph
        assert (None, DCTERMS.spatial, URIRef("https://sws.geonames.org/2034937/")) in graph
    assert missing == set()


def test_catalog_revalidates_with_etag_and_a_write_makes_the_old_tag_miss(
    client: TestClient, api_store: Store
) -> None:
    first = client.get("/catalog.ttl?page=3")
    etag = first.headers["etag"]
    again = client.get("/catalog.ttl?page=3", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    secret = create_token(api_store, "submitter", BUREAU, "bureau")[1]
    written = client.post(
        "/api/v1/submissions",
        content=documents.resource_ttl(
            "109001/000001", title="收获测试资源", description="测试用。", items=(documents.NAME,)
        ),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {secret}"},
    )
    assert written.status_code in (200, 201), written.text
    changed = client.get("/catalog.ttl?page=3", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    # 109001/000001 sorts onto page 1 and moves an entry of each page onto the next.
    assert "收获测试资源" in client.get("/catalog.ttl?page=1").text


def test_catalog_negotiation_suffixes_and_errors(client: TestClient) -> None:
    graph = page_graph(
        client.get("/catalog", headers={"Accept": "application/ld+json;q=0.9, text/turtle;q=0.1"}),
        "application/ld+json",
    )
    assert set(graph.subjects(RDF.type, DCAT.Catalog))
    json.loads(client.get("/catalog.jsonld").text)
    refused = client.get("/catalog", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.json()["error"]["details"]["available"]
    assert client.get("/catalog.csv").status_code == 404
    assert client.get("/catalog.nt").headers["content-type"].startswith("application/n-triples")
    for bad in ("0", "-1", "x", "1e3"):
        answer = client.get(f"/catalog?page={bad}")
        assert answer.status_code == 400, bad
        assert answer.json()["error"]["code"]
    # Past the last page: empty, but it still says where the pages are.
    beyond = page_graph(client.get("/catalog?page=99"), "text/turtle")
    assert not set(beyond.subjects(RDF.type, DCAT.Dataset))
    assert beyond.value(view_of(beyond), HYDRA.first) is not None
    assert 'rel="next"' in client.get("/catalog").headers["link"]


def test_a_departments_registered_catalogue_did_not_dereference(
    client: TestClient, api_store: Store
) -> None:
    """The harvest names `<base>catalogue/<credit code>/registered`, the catalogue of a
    department's entries that no catalogue lists, and GET of that IRI was a 404 where
    docs/api.md says every IRI the registry mints dereferences."""
    secret = create_token(api_store, "submitter", BUREAU, "bureau")[1]
    for code in ("101001/009901", "101001/009902"):
        made = client.post(
            "/api/v1/submissions",
            content=documents.resource_ttl(code, title="目录外的资源", description="测试。"),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {secret}"},
        )
        assert made.status_code == 201, made.text
    pages = harvest(client, "/catalog", {}, "text/turtle")
    listed: dict[URIRef, set[URIRef]] = {}
    for page in pages:
        for catalogue in page.subjects(RDF.type, DCAT.Catalog):
            members = set(page.objects(catalogue, DCAT.dataset)) | set(
                page.objects(catalogue, DCAT.service)
            )
            listed.setdefault(catalogue, set()).update(members)  # type: ignore[arg-type]
    registered_ones = [c for c in listed if str(c).endswith("/registered")]
    assert registered_ones, "the seeded examples have entries in no catalogue"
    for catalogue in registered_ones:
        path = str(catalogue).removeprefix("http://127.0.0.1:8000")
        answer = client.get(path, headers={"Accept": "text/turtle"})
        graph = page_graph(answer, "text/turtle")
        assert (catalogue, RDF.type, DCAT.Catalog) in graph
        members = set(graph.objects(catalogue, DCAT.dataset)) | set(
            graph.objects(catalogue, DCAT.service)
        )
        assert members == listed[catalogue]
        assert (catalogue, DCTERMS.license, URIRef(CC_BY)) in graph
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "已登记的信息资源和接口" in page.text
    missing = client.get(
        "/id/catalogue/91210100NOTHERE00X/registered", headers={"Accept": "text/turtle"}
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/x-turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle", "text/turtle"),
    ],
)
def test_one_accept_header_was_a_406_on_one_rdf_route_and_not_another(
    client: TestClient, accept: str, media: str
) -> None:
    """Each RDF route had its own list: application/x-turtle was Turtle at /id/ and 406
    at /catalog and in the feed, N-Triples 406 at /catalog, RDF/XML 406 in the feed."""
    paths = ("/catalog", "/api/v1/changes", "/id/standard/GB-T-21063.3-2007")
    for path in paths:
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == 200, (path, answer.text[:200])
        assert answer.headers["content-type"].startswith(media), path
        fmt = {"text/turtle": "turtle", "application/n-triples": "nt"}.get(media, "xml")
        assert len(Graph().parse(data=answer.text, format=fmt)) > 0, path
    # application/json stays the feed's own JSON, not JSON-LD.
    feed = client.get("/api/v1/changes", headers={"Accept": "application/json"})
    assert feed.headers["content-type"].startswith("application/json") and "items" in feed.json()


def test_the_catalogue_pages_link_back(client: TestClient, api_store: Store) -> None:
    """Link had first, last and next, and no prev (RFC 8288's rel, as hydra:previous)."""
    first = client.get("/catalog").headers["link"]
    assert 'rel="prev"' not in first
    last = first.split('>; rel="last"')[0].rsplit("<", 1)[-1]
    assert int(last.rsplit("page=", 1)[-1]) > 1  # PAGE_SIZE makes several pages
    assert 'rel="prev"' in client.get(last).headers["link"]
    assert '?page=1>; rel="prev"' in client.get("/catalog?page=2").headers["link"]
