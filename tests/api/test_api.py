"""The HTTP API through create_app: the tests that write on a fresh seeded store each,
those that only read on one app per module (`reader`).

Every endpoint's success and its errors, the one error shape on every error
path, tokens and roles, body limits and content negotiation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from api import create_app
from api.deps import get_read, get_store
from registry.config import Settings
from registry.register.tokens import TOKEN_GRAPH, create_token, revoke_token
from registry.store import Store
from tests import documents
from tests.conftest import (
    EXAMPLES,
    ONE_WORKER_EACH,
    dump_after,
    shared_app,
)

BASE = "http://127.0.0.1:8000/id/"
BUREAU = "11210100EXAMPLE01N"  # the department of examples/catalogue-valid.ttl
OTHER_DEPT = "11210100EXAMPLE02R"
STANDARD = f"{BASE}standard/GB-T-21063.3-2007"
TURTLE = {"Content-Type": "text/turtle"}
MAX_BODY = 200_000  # above the largest example (catalogue-valid.ttl, ~56 kB)


def resource_ttl(title: str = "测试资源", with_title: bool = True) -> bytes:
    """Resource 109001/000001 of the bureau, new to the seeded store."""
    return documents.resource_ttl(
        "109001/000001",
        title=title if with_title else None,
        description="测试用的信息资源。",
        items=(documents.NAME, documents.DATE),
    )


# -- fixtures ------------------------------------------------------------------------------


def _make_tokens(store: Store) -> dict[str, str]:
    made = {
        "bureau": create_token(store, "submitter", BUREAU, "bureau")[1],
        "other": create_token(store, "submitter", OTHER_DEPT, "other")[1],
        "registrar": create_token(store, "registrar", name="registrar")[1],
        "admin": create_token(store, "admin", name="admin")[1],
    }
    revoked, made["revoked"] = create_token(store, "registrar", name="gone")
    revoke_token(store, revoked.id)
    return made


@pytest.fixture(scope="module")
def seeded_with_tokens(seeded_dump: bytes) -> tuple[bytes, dict[str, str]]:
    """The seeded examples and the tests' tokens, made once per module: every test's
    store starts from these quads (a remote server keeps them while no test writes)."""
    return dump_after(seeded_dump, _make_tokens)


@pytest.fixture
def api_store(open_seeded, seeded_with_tokens: tuple[bytes, dict[str, str]]) -> Store:
    """A store of the back end under test holding the seeded examples and the tokens;
    the app closes it on shutdown."""
    return open_seeded(seeded_with_tokens[0])


@pytest.fixture
def tokens(seeded_with_tokens: tuple[bytes, dict[str, str]]) -> dict[str, str]:
    return seeded_with_tokens[1]


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _app(store: Store, validator):
    settings = Settings(store="memory", seed=False, max_body_bytes=MAX_BODY, **ONE_WORKER_EACH)
    return create_app(settings, store=store, validator=validator)


@pytest.fixture
def app(api_store: Store, validator, tokens: dict[str, str]):
    """A fresh seeded store and app: for the tests that write (or need an app of their own)."""
    return _app(api_store, validator)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    # raise_server_exceptions=False: a 500 must come back as a response, as a real
    # client would see it.
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


# One app for the module's tests that only read (tests/conftest.py shared_app).
shared, reader = shared_app("seeded_with_tokens", _app)


@pytest.fixture
def shared_store(shared: tuple[TestClient, Store]) -> Store:
    """The store of the shared app (`reader`), for a test that reads it directly."""
    return shared[1]


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, with `status` (and `code`)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "messages", "details"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    # Both languages, and `message` the one Accept-Language chose (Chinese by default).
    messages = body["error"]["messages"]
    assert set(messages) == {"zh", "en"} and re.search("[\u3400-\u9fff]", messages["zh"])
    assert messages["en"] and body["error"]["message"] in (messages["zh"], messages["en"])
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


# -- categories -----------------------------------------------------------------------------


def test_category_tree_counts_every_standard_by_status(reader: TestClient) -> None:
    tree = reader.get("/api/v1/categories").json()
    assert [c["code"] for c in tree] == ["1", "2", "3", "4", "5", "6"]
    data = tree[2]
    assert data["label"]["zh"] == "数据存储与信息共享标准"
    assert "3.2" in [c["code"] for c in data["children"]]
    counts = data["counts"]
    assert counts["total"] >= counts["direct"] + 1  # sub-categories hold standards too
    assert sum(counts["by_status"].values()) == counts["total"]
    assert sum(counts["by_register_status"].values()) == counts["total"]
    listed = reader.get("/api/v1/standards", params={"category": "3", "limit": 500}).json()
    assert listed["total"] == counts["total"]


def test_category_lists_standards_of_its_sub_categories(reader: TestClient) -> None:
    parent = reader.get("/api/v1/categories/3").json()
    child = reader.get("/api/v1/categories/3.2").json()
    assert child["code"] == "3.2" and child["children"] == []
    child_ids = {s["identifier"] for s in child["standards"]}
    assert "GB/T 21063.3-2007" in child_ids
    assert child_ids <= {s["identifier"] for s in parent["standards"]}
    assert len(parent["standards"]) == parent["counts"]["total"]


def test_unknown_category_is_404(reader: TestClient) -> None:
    error = assert_error(reader.get("/api/v1/categories/9.9"), 404, "not_found")
    assert "3" in error["details"]["known"]


# -- standards ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["GB/T21063.3—2007", "gb/t 21063.3-2007", "GB-T-21063.3-2007", "ＧＢ／Ｔ　21063.3－2007"],
)
def test_text_search_normalises_identifier_spellings(reader: TestClient, spelling: str) -> None:
    page = reader.get("/api/v1/standards", params={"q": spelling}).json()
    assert [s["identifier"] for s in page["items"]] == ["GB/T 21063.3-2007"]


def test_text_search_finds_zh_and_en_titles(reader: TestClient) -> None:
    zh = reader.get("/api/v1/standards", params={"q": "核心元数据"}).json()
    assert "GB/T 21063.3-2007" in [s["identifier"] for s in zh["items"]]
    en = reader.get("/api/v1/standards", params={"q": "CORE METADATA"}).json()
    assert "GB/T 21063.3-2007" in [s["identifier"] for s in en["items"]]
    none = reader.get("/api/v1/standards", params={"q": "没有这样的标准xyz"}).json()
    assert none == {"total": 0, "limit": 50, "offset": 0, "items": []}


def test_standard_filters_status_level_and_register_status(reader: TestClient) -> None:
    superseded = reader.get("/api/v1/standards", params={"status": "superseded"}).json()
    assert superseded["total"] > 0
    assert {s["status"]["code"] for s in superseded["items"]} == {"superseded"}
    national = reader.get("/api/v1/standards", params={"level": "national", "limit": 500}).json()
    assert {s["level"]["code"] for s in national["items"]} == {"national"}
    everything = reader.get("/api/v1/standards", params={"limit": 500}).json()
    assert national["total"] < everything["total"]
    valid = reader.get("/api/v1/standards", params={"register_status": "valid"}).json()
    assert valid["total"] == everything["total"]  # the seed registers everything as valid


def test_standards_paging_covers_every_standard_once(reader: TestClient) -> None:
    first = reader.get("/api/v1/standards", params={"limit": 10, "offset": 0}).json()
    total = first["total"]
    seen = []
    for offset in range(0, total, 10):
        page = reader.get("/api/v1/standards", params={"limit": 10, "offset": offset}).json()
        assert page["total"] == total and page["offset"] == offset
        seen += [s["identifier"] for s in page["items"]]
    assert len(seen) == total == len(set(seen))
    assert seen == sorted(seen)
    past = reader.get("/api/v1/standards", params={"offset": total + 5}).json()
    assert past["items"] == [] and past["total"] == total


def test_standard_filter_errors(reader: TestClient) -> None:
    assert_error(reader.get("/api/v1/standards", params={"level": "galactic"}), 400)
    assert_error(reader.get("/api/v1/standards", params={"status": "old"}), 400)
    assert_error(reader.get("/api/v1/standards", params={"category": "42"}), 404)
    error = assert_error(reader.get("/api/v1/standards?limit=0"), 422, "invalid_request")
    assert error["details"][0]["location"] == ["query", "limit"]
    assert_error(reader.get("/api/v1/standards?offset=-1"), 422)


@pytest.mark.parametrize(
    "ident",
    [
        "GB%2FT%2021063.3-2007",
        "GB-T-21063.3-2007",
        "gb%2Ft21063.3%E2%80%942007",
        "http%3A%2F%2F127.0.0.1%3A8000%2Fid%2Fstandard%2FGB-T-21063.3-2007",
    ],
)
def test_standard_by_any_identifier_variant(reader: TestClient, ident: str) -> None:
    response = reader.get(f"/api/v1/standards/{ident}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["iri"] == STANDARD
    assert body["title"]["zh"] == "政务信息资源目录体系 第3部分 核心元数据"
    assert {k: body["register"][k] for k in ("status", "version")} == {
        "status": "valid",
        "version": 1,
    }
    assert body["register"]["time"].startswith("20")  # when the current version was made
    assert body["href"] == "/api/v1/standards/GB%2FT%2021063.3-2007"
    # The resources conforming to it point back at it.
    assert any(r["kind"] == "resource" for r in body["referenced_by"])


def test_standard_not_found(reader: TestClient) -> None:
    assert_error(reader.get("/api/v1/standards/GB%2FT%2099999-2099"), 404, "not_found")
    # A resource code names a registered entry, but not a standard.
    assert_error(reader.get("/api/v1/standards/101001%2F000001"), 404, "not_found")


# -- resources, interfaces, departments --------------------------------------------------------


@pytest.mark.parametrize("code", ["101001%2F000001", "101001-000001"])
def test_resource_by_code_or_slug(reader: TestClient, code: str) -> None:
    body = reader.get(f"/api/v1/resources/{code}").json()
    assert body["code"] == "101001/000001"
    assert body["publisher"]["id"] == BUREAU
    positions = [item["position"] for item in body["data_items"]]
    assert positions == sorted(positions) and positions[0] == 1
    assert body["data_item_count"] == len(positions)
    assert body["sharing_type"]["code"] == "conditional"


def test_resource_list_pages_and_filters(reader: TestClient) -> None:
    page = reader.get("/api/v1/resources", params={"limit": 5}).json()
    assert page["total"] == 24 and len(page["items"]) == 5
    mine = reader.get("/api/v1/resources", params={"publisher": BUREAU, "limit": 500}).json()
    assert mine["total"] == 24
    other = reader.get("/api/v1/resources", params={"publisher": OTHER_DEPT}).json()
    assert other["total"] == 0
    found = reader.get("/api/v1/resources", params={"q": "人口基础信息"}).json()
    assert "101001/000001" in [r["code"] for r in found["items"]]
    assert_error(reader.get("/api/v1/resources/999999%2F000009"), 404, "not_found")
    assert_error(reader.get("/api/v1/resources?limit=501"), 422)


def test_interfaces(reader: TestClient) -> None:
    page = reader.get("/api/v1/interfaces").json()
    assert [i["code"] for i in page["items"]] == ["SY-DSJ-API-001", "SY-DSJ-API-002"]
    body = reader.get("/api/v1/interfaces/SY-DSJ-API-001").json()
    assert body["endpoint_url"].startswith("https://")
    assert body["version"] == "1.0.0"
    assert {r["id"] for r in body["serves"]} == {"101001/000001", "10100101/000002"}
    assert_error(reader.get("/api/v1/interfaces/NO-SUCH-API"), 404, "not_found")


def test_departments(reader: TestClient) -> None:
    page = reader.get("/api/v1/departments").json()
    assert page["total"] == len(page["items"]) == 10
    bureau = next(d for d in page["items"] if d["credit_code"] == BUREAU)
    assert bureau["provides"] == {"resources": 24, "interfaces": 2}
    assert bureau["name"]["zh"] == "沈阳市大数据管理局"
    one = reader.get(f"/api/v1/departments/{BUREAU}").json()
    assert one["iri"] == f"{BASE}department/{BUREAU}"
    # What the list says it provides, the department's own answer says too (it had none).
    assert one["provides"] == bureau["provides"]
    assert_error(reader.get("/api/v1/departments/91210100MA0XXXXX0X"), 404)


# -- history and statuses --------------------------------------------------------------------


def test_history_and_status_change_by_registrar(client: TestClient, tokens: dict[str, str]) -> None:
    history = client.get("/api/v1/items/GB-T-21063.3-2007/history").json()
    assert history["item"] == STANDARD
    assert [v["number"] for v in history["versions"]] == [1]
    response = client.post(
        "/api/v1/items/GB%2FT%2021063.3-2007/status",
        json={"status": "deprecated", "reason": "测试"},
        headers=auth(tokens["registrar"]),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "item": STANDARD,
        "kind": "standard",
        "version": 2,
        "status": "deprecated",
    }
    versions = client.get("/api/v1/items/GB-T-21063.3-2007/history").json()["versions"]
    assert [(v["number"], v["status"]) for v in versions] == [(1, "valid"), (2, "deprecated")]
    # The lists see the change at once: the cache follows the store generation.
    listed = client.get("/api/v1/standards", params={"register_status": "deprecated"}).json()
    assert [s["iri"] for s in listed["items"]] == [STANDARD]


def test_status_change_errors(client: TestClient, tokens: dict[str, str]) -> None:
    url = "/api/v1/items/GB-T-21063.3-2007/status"
    missing = client.post(url, json={"status": "deprecated"})
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.post(url, json={"status": "retired"}, headers=auth("nonsense")), 401)
    revoked = client.post(url, json={"status": "retired"}, headers=auth(tokens["revoked"]))
    assert_error(revoked, 401)
    submitter = client.post(url, json={"status": "retired"}, headers=auth(tokens["bureau"]))
    assert_error(submitter, 403, "forbidden")
    admin = auth(tokens["admin"])
    conflict = client.post(url, json={"status": "submitted"}, headers=admin)
    assert "deprecated" in assert_error(conflict, 409, "conflict")["details"]["allowed"]
    assert_error(client.post(url, json={"status": "superseded"}, headers=admin), 400)
    assert_error(client.post(url, json={"status": "bogus"}, headers=admin), 422)
    assert_error(client.post(url, content=b"{not json", headers=admin), 422)
    unknown = "/api/v1/items/GB-T-99999-2099/status"
    assert_error(client.post(unknown, json={"status": "retired"}, headers=admin), 404)
    assert_error(client.get("/api/v1/items/nothing-here/history"), 404)
    # Nothing above changed the item.
    versions = client.get("/api/v1/items/GB-T-21063.3-2007/history").json()["versions"]
    assert len(versions) == 1


def test_superseded_with_successor_then_resubmission_is_409(
    client: TestClient, tokens: dict[str, str]
) -> None:
    registrar = auth(tokens["registrar"])
    created = client.post(
        "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(tokens["bureau"])}
    )
    assert created.status_code == 201, created.text
    change = client.post(
        "/api/v1/items/109001-000001/status",
        json={"status": "superseded", "successor": "101001/000001"},
        headers=registrar,
    )
    assert change.status_code == 200, change.text
    again = client.post(
        "/api/v1/submissions",
        content=resource_ttl(title="改过的标题"),
        headers={**TURTLE, **auth(tokens["bureau"])},
    )
    assert_error(again, 409, "conflict")


# -- validation ------------------------------------------------------------------------------


def test_validate_conforming_catalogue_writes_nothing(client: TestClient, api_store: Store) -> None:
    before = api_store.generation()
    response = client.post(
        "/api/v1/validate",
        content=(EXAMPLES / "catalogue-valid.ttl").read_bytes(),
        headers=TURTLE,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["conforms"] is True
    assert report["counts"]["Warning"] == 1  # the deliberate one of the example
    assert api_store.generation() == before


def test_validate_reports_violations_in_every_form(client: TestClient) -> None:
    body = resource_ttl(with_title=False)
    report = client.post("/api/v1/validate", content=body, headers=TURTLE).json()
    assert report["conforms"] is False and report["counts"]["Violation"] >= 1
    assert any(r["path"] == str(DCTERMS.title) for r in report["results"])
    turtle = client.post("/api/v1/validate?report=turtle", content=body, headers=TURTLE)
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert any("conforms" in str(p) for p in graph.predicates())
    csv = client.post("/api/v1/validate?report=csv", content=body, headers=TURTLE)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("severity,entry,focus")
    text = client.post("/api/v1/validate?report=text&lang=en", content=body, headers=TURTLE)
    assert text.text.startswith("Does not conform")
    assert_error(client.post("/api/v1/validate?report=pdf", content=body, headers=TURTLE), 422)


def test_validate_takes_every_format(client: TestClient) -> None:
    graph = Graph().parse(data=resource_ttl(), format="turtle")
    for fmt, media in (
        ("nt", "application/n-triples"),
        ("json-ld", "application/ld+json"),
        ("xml", "application/rdf+xml"),
    ):
        data = graph.serialize(format=fmt, encoding="utf-8")
        report = client.post("/api/v1/validate", content=data, headers={"Content-Type": media})
        assert report.status_code == 200, (fmt, report.text)
        assert report.json()["conforms"] is True, fmt
    # ?format= overrides a Content-Type that says nothing useful.
    plain = {"Content-Type": "text/plain"}
    by_param = client.post("/api/v1/validate?format=turtle", content=resource_ttl(), headers=plain)
    assert by_param.json()["conforms"] is True


def test_validate_refuses_bad_input(client: TestClient) -> None:
    url = "/api/v1/validate"
    assert_error(client.post(url, content=b"x", headers={"Content-Type": "image/png"}), 415)
    assert_error(client.post(url, content=b"x"), 415, "unsupported_format")
    assert_error(client.post(url + "?format=docx", content=b"x", headers=TURTLE), 415)
    broken = client.post(url, content=b"@prefix x: <http://x/> .\nx:a x:b .\n", headers=TURTLE)
    assert assert_error(broken, 400, "invalid_input")["details"]["line"] == 2
    entity = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""
    xml = client.post(url, content=entity, headers={"Content-Type": "application/rdf+xml"})
    assert assert_error(xml, 400)["details"]["rule"] == "no-xml-dtd"
    remote = json.dumps({"@context": "https://example.org/context.jsonld", "@id": "x:a"})
    jsonld = client.post(url, content=remote, headers={"Content-Type": "application/ld+json"})
    assert assert_error(jsonld, 400)["details"]["rule"] == "no-remote-context"


def test_body_over_the_cap_is_413(client: TestClient) -> None:
    big = b"#" * (MAX_BODY + 1)
    declared = client.post("/api/v1/validate", content=big, headers=TURTLE)
    assert assert_error(declared, 413, "payload_too_large")["details"]["limit"] == MAX_BODY

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while reading
        for _ in range(MAX_BODY // 10_000 + 2):
            yield b"#" * 10_000

    assert_error(client.post("/api/v1/validate", content=chunks(), headers=TURTLE), 413)
    status = client.post(
        "/api/v1/items/GB-T-21063.3-2007/status",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert_error(status, 413)
    assert client.get("/api/v1/departments").status_code == 200  # still serving


# -- submissions -------------------------------------------------------------------------------


def test_submission_created_then_readable(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(tokens["bureau"])}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] is True
    assert body["entries"] == [
        {
            "item": f"{BASE}resource/109001-000001",
            "kind": "resource",
            "version": 1,
            "outcome": "new",
        }
    ]
    assert response.headers["Location"] == f"/api/v1/submissions/{body['id']}"
    record = client.get(response.headers["Location"]).json()
    assert record["submission"] == body["submission"]
    assert record["agent"] == f"{BASE}department/{BUREAU}"
    assert record["outcome"] == "accepted" and record["conforms"] is True
    assert record["entries"] == [f"{BASE}resource/109001-000001"]
    assert record["report"]["conforms"] is True
    # The new resource is listed at once and readable by its code.
    assert client.get("/api/v1/resources").json()["total"] == 25
    assert client.get("/api/v1/resources/109001%2F000001").json()["title"]["zh"] == "测试资源"


def test_resubmitting_the_same_content_is_unchanged(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = {**TURTLE, **auth(tokens["bureau"])}
    client.post("/api/v1/submissions", content=resource_ttl(), headers=headers)
    again = client.post("/api/v1/submissions", content=resource_ttl(), headers=headers)
    assert again.status_code == 201
    assert [e["outcome"] for e in again.json()["entries"]] == ["unchanged"]
    record = client.get(again.headers["Location"]).json()
    assert record["outcome"] == "unchanged"


def test_non_conforming_submission_is_422_with_report_and_writes_nothing(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    before = api_store.dump("nquads")
    response = client.post(
        "/api/v1/submissions",
        content=resource_ttl(with_title=False),
        headers={**TURTLE, **auth(tokens["bureau"])},
    )
    error = assert_error(response, 422, "not_conforming")
    assert error["details"]["conforms"] is False
    assert any(r["severity"] == "Violation" for r in error["details"]["results"])
    assert api_store.dump("nquads") == before


def test_submission_authorisation(client: TestClient, tokens: dict[str, str]) -> None:
    url = "/api/v1/submissions"
    missing = client.post(url, content=resource_ttl(), headers=TURTLE)
    assert_error(missing, 401, "unauthorized")
    assert "Bearer" in missing.headers["WWW-Authenticate"]
    assert_error(client.post(url, content=resource_ttl(), headers={**TURTLE, **auth("x")}), 401)
    wrong_scheme = {**TURTLE, "Authorization": f"Basic {tokens['bureau']}"}
    assert_error(client.post(url, content=resource_ttl(), headers=wrong_scheme), 401)
    foreign = client.post(url, content=resource_ttl(), headers={**TURTLE, **auth(tokens["other"])})
    assert_error(foreign, 403, "forbidden")
    standard = (EXAMPLES / "standards.ttl").read_bytes()
    as_submitter = client.post(url, content=standard, headers={**TURTLE, **auth(tokens["bureau"])})
    assert_error(as_submitter, 403)
    as_registrar = client.post(
        url, content=standard, headers={**TURTLE, **auth(tokens["registrar"])}
    )
    assert as_registrar.status_code == 201, as_registrar.text
    assert_error(client.post(url, content=b"", headers={**TURTLE, **auth(tokens["bureau"])}), 400)


def test_unknown_submission_is_404(reader: TestClient) -> None:
    assert_error(reader.get("/api/v1/submissions/not-a-uuid"), 404)
    assert_error(reader.get("/api/v1/submissions/00000000-0000-4000-8000-000000000000"), 404)


# -- entity IRIs -------------------------------------------------------------------------------


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json;q=0.5, application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_entity_iri_negotiates_rdf(
    reader: TestClient, accept: str | None, media: str, fmt: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = reader.get("/id/standard/GB-T-21063.3-2007", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    graph = Graph().parse(data=response.content, format=fmt)
    assert (URIRef(STANDARD), DCTERMS.identifier, None) in graph
    # The register record comes with it.
    assert any("registerStatus" in str(p) for p in graph.predicates(URIRef(STANDARD)))


def test_entity_iri_served_rdf_xml_where_it_answered_406(reader: TestClient) -> None:
    """SPARQLWrapper-style clients ask for RDF/XML, which the SPARQL endpoint serves; an
    entity IRI refused it with 406."""
    response = reader.get(
        "/id/standard/GB-T-21063.3-2007", headers={"Accept": "application/rdf+xml"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=response.content, format="xml")
    assert (URIRef(STANDARD), DCTERMS.identifier, None) in graph


def test_entity_iri_malformed_q_is_accepted_as_sparql_accepts_it(reader: TestClient) -> None:
    """`q=high` was 0 (406) here and 1 at /sparql: the two parsers disagreed."""
    response = reader.get(
        "/id/standard/GB-T-21063.3-2007", headers={"Accept": "text/turtle;q=high"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")


def test_entity_iri_html_for_browsers(reader: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = reader.get("/id/standard/GB-T-21063.3-2007", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    page = _Html()
    page.feed(response.text)
    assert page.title.startswith("政务信息资源目录体系 第3部分 核心元数据")
    assert {"html", "head", "body", "table"} <= set(page.tags)


def test_entity_iri_versions_items_and_submissions(
    client: TestClient, tokens: dict[str, str]
) -> None:
    version = client.get("/id/resource/101001-000001/version/1", headers={"Accept": "text/turtle"})
    assert version.status_code == 200
    assert "scs:resourceCode" in version.text or "resourceCode" in version.text
    item = client.get("/id/resource/101001-000001/item/1")
    assert item.status_code == 200 and "itemName" in item.text
    created = client.post(
        "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(tokens["bureau"])}
    ).json()
    submission_path = created["submission"].removeprefix(BASE)
    assert "sourceSha256" in client.get(f"/id/{submission_path}").text
    assert "ValidationReport" in client.get(f"/id/{submission_path}/report").text


def test_entity_iri_errors(reader: TestClient) -> None:
    assert_error(reader.get("/id/standard/GB-T-99999-2099"), 404, "not_found")
    assert_error(reader.get("/id/resource/101001-000001/version/9"), 404)
    assert_error(reader.get("/id/standard/has%20space"), 404)
    refused = reader.get("/id/standard/GB-T-21063.3-2007", headers={"Accept": "image/png"})
    assert "text/turtle" in assert_error(refused, 406, "not_acceptable")["details"]["available"]
    zero = reader.get("/id/standard/GB-T-21063.3-2007", headers={"Accept": "text/turtle;q=0"})
    assert_error(zero, 406)


# -- the error contract ------------------------------------------------------------------------


def test_every_error_path_answers_the_one_shape(client: TestClient, tokens: dict[str, str]) -> None:
    bureau = {**TURTLE, **auth(tokens["bureau"])}
    cases = [
        (client.get("/no/such/page"), 404),
        (client.delete("/api/v1/standards"), 405),
        (client.put("/api/v1/submissions"), 405),
        (client.get("/api/v1/standards?limit=x"), 422),
        (client.get("/api/v1/standards?level=x"), 400),
        (client.get("/api/v1/standards/none"), 404),
        (client.get("/api/v1/resources/none"), 404),
        (client.get("/api/v1/interfaces/none"), 404),
        (client.get("/api/v1/departments/none"), 404),
        (client.get("/api/v1/categories/none"), 404),
        (client.get("/api/v1/items/none/history"), 404),
        (client.get("/api/v1/submissions/none"), 404),
        (client.post("/api/v1/submissions", content=b"x", headers=TURTLE), 401),
        (
            client.post(
                "/api/v1/submissions",
                content=resource_ttl(),
                headers={**TURTLE, **auth(tokens["other"])},
            ),
            403,
        ),
        (
            client.post(
                "/api/v1/submissions", content=resource_ttl(with_title=False), headers=bureau
            ),
            422,
        ),
        (
            client.post(
                "/api/v1/submissions",
                content=b"x",
                headers={**bureau, "Content-Type": "application/pdf"},
            ),
            415,
        ),
        (client.post("/api/v1/validate", content=b"<<<", headers=TURTLE), 400),
        (client.post("/api/v1/validate", content=b"#" * (MAX_BODY + 1), headers=TURTLE), 413),
        (
            client.post(
                "/api/v1/items/GB-T-21063.3-2007/status",
                json={"status": "submitted"},
                headers=auth(tokens["registrar"]),
            ),
            409,
        ),
        (client.post("/api/v1/items/GB-T-21063.3-2007/status", json={}), 401),
        (client.get("/id/standard/GB-T-21063.3-2007", headers={"Accept": "text/csv"}), 406),
        (client.get("/id/nothing"), 404),
    ]
    for response, status in cases:
        assert_error(response, status)


def test_unexpected_failure_is_500_without_internals(app, tokens: dict[str, str]) -> None:
    def broken_store() -> Store:
        raise RuntimeError("secret /var/lib/registry detail")

    app.dependency_overrides[get_store] = broken_store
    app.dependency_overrides[get_read] = broken_store
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/departments")
    error = assert_error(response, 500, "internal_error")
    assert "secret" not in response.text and "/var/lib" not in response.text
    assert error["details"] is None


# -- OpenAPI ------------------------------------------------------------------------------------


def test_openapi_documents_every_endpoint_and_the_error_model(reader: TestClient) -> None:
    schema = reader.get("/openapi.json").json()
    assert "ErrorBody" in schema["components"]["schemas"]
    paths = schema["paths"]
    expected = {
        ("get", "/api/v1/categories"),
        ("get", "/api/v1/categories/{code}"),
        ("get", "/api/v1/standards"),
        ("get", "/api/v1/standards/{id}"),
        ("get", "/api/v1/resources"),
        ("get", "/api/v1/resources/{code}"),
        ("get", "/api/v1/interfaces"),
        ("get", "/api/v1/interfaces/{code}"),
        ("get", "/api/v1/departments"),
        ("get", "/api/v1/items/{id}/history"),
        ("post", "/api/v1/items/{id}/status"),
        ("post", "/api/v1/validate"),
        ("post", "/api/v1/submissions"),
        ("get", "/api/v1/submissions/{id}"),
        ("get", "/id/{path}"),
    }
    documented = {(m, p) for p, ops in paths.items() for m in ops}
    assert expected <= documented
    for method, path in expected:
        responses = paths[path][method]["responses"]
        errors = [s for s in responses if s[0] in "45"]
        assert errors, (method, path)
        for status in errors:
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorBody"), (method, path, status)
    assert "415" in paths["/api/v1/submissions"]["post"]["responses"]
    assert "text/turtle" in paths["/api/v1/submissions"]["post"]["requestBody"]["content"]
    assert reader.get("/docs").status_code == 200


def test_home_page_links_the_api(reader: TestClient) -> None:
    page = reader.get("/")
    assert page.status_code == 200 and 'lang="zh"' in page.text
    assert "/api/v1/categories" in page.text and "/docs" in page.text


# -- tokens ---------------------------------------------------------------------------------


def test_tokens_are_stored_hashed_in_their_own_graph(
    api_store: Store, tokens: dict[str, str]
) -> None:
    dump = api_store.dump("nquads").decode()
    for secret in tokens.values():
        assert secret not in dump
    token_graph = api_store.read_graph(TOKEN_GRAPH)
    assert len(token_graph) > 0
    current = api_store.read_graph("urn:screg:graph:current")
    assert not any("token" in str(s) for s in current.subjects())


def test_docs_cover_every_endpoint_with_curl(app) -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    assert text.count("curl ") >= 15
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith(("/api/v1", "/id/")):
            stem = path.split("{")[0].rstrip("/")
            assert stem in text, path


def test_validate_accepts_spreadsheets_with_row_and_column(client: TestClient) -> None:
    csv_body = (EXAMPLES / "invalid" / "spreadsheet-shapes.csv").read_bytes()
    response = client.post(
        "/api/v1/validate", content=csv_body, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["conforms"] is False
    located = [r for r in report["results"] if r.get("location")]
    assert located and all("row" in r["location"] for r in located)
    xlsx = (EXAMPLES / "catalogue-valid.xlsx").read_bytes()
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ok = client.post("/api/v1/validate", content=xlsx, headers={"Content-Type": media})
    assert ok.status_code == 200 and ok.json()["conforms"] is True, ok.text
    by_query = client.post(
        "/api/v1/validate?format=csv",
        content=(EXAMPLES / "catalogue-valid.csv").read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert by_query.status_code == 200 and by_query.json()["conforms"] is True


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/sparql", "GET, HEAD, POST"),
        ("PATCH", "/api/v1/submissions", "GET, HEAD, POST"),
        ("DELETE", "/api/v1/tokens", "GET, HEAD, POST"),
        ("PATCH", "/api/v1/departments/11210100EXAMPLE01N", "GET, HEAD, PUT"),
        ("DELETE", "/api/v1/standards", "GET, HEAD"),
    ],
)
def test_a_405_named_only_the_first_matching_routes_methods(
    reader: TestClient, method: str, path: str, allowed: str
) -> None:
    """RFC 9110 15.5.6: Allow lists the methods the resource supports; /sparql, served by
    a GET and a POST route, answered a PUT with `Allow: GET`."""
    answer = reader.request(method, path)
    assert_error(answer, 405, "method_not_allowed")
    assert answer.headers["allow"] == allowed


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/departments/a%0Ab",
        "/api/v1/departments/%0A",
        "/api/v1/standards/a%0Ab",
        "/api/v1/items/a%0Ab/history",
    ],
)
def test_a_line_break_in_an_identifier_was_a_405_allowing_put(
    reader: TestClient, path: str
) -> None:
    """GET /api/v1/departments/a%0Ab was 405 `Allow: PUT`: the GET route's `{code:path}`
    matches no line break and the PUT route's `{code}` did. Nothing is registered under
    such a name: 404."""
    assert_error(reader.get(path), 404, "not_found")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "text/turtle"]
)
def test_a_json_route_sent_another_body_answered_422_not_415(
    client: TestClient, tokens: dict[str, str], content_type: str
) -> None:
    """A status change sent as text or a form read as no body at all, and answered 422
    "Input should be a valid dictionary": the body's type is what is wrong (415)."""
    answer = client.post(
        "/api/v1/items/101001-000001/status",
        content='{"status": "deprecated"}',
        headers={"Content-Type": content_type, **auth(tokens["registrar"])},
    )
    error = assert_error(answer, 415, "unsupported_format")
    assert error["details"]["accepted"] == ["application/json"]
    fine = client.post(
        "/api/v1/items/101001-000001/status",
        json={"status": "deprecated"},
        headers=auth(tokens["registrar"]),
    )
    assert fine.status_code == 200, fine.text


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        ("application/x-turtle", "text/turtle"),
        ("application/json", "application/ld+json"),
        ("application/*", "application/ld+json"),  # a wildcard never picks by an alias
    ],
)
def test_an_alias_the_sparql_endpoint_takes_was_406_on_an_entity_iri(
    reader: TestClient, accept: str, served: str
) -> None:
    """docs/api.md: an alias (`application/x-turtle`) counts when named; the SPARQL
    endpoint served Turtle for it, an entity IRI answered 406."""
    response = reader.get("/id/standard/GB-T-21063.3-2007", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(served)


@pytest.mark.parametrize(
    "path",
    ["/id/standard/%FF", "/id/department/%EF%BF%BD", "/id/resource/101001-000001/version/%FF"],
)
def test_an_entity_path_that_is_no_iri_leaked_a_query_error(reader: TestClient, path: str) -> None:
    """%FF decodes to U+FFFD, which no IRI holds: the path passed the character check
    and the store's query answered 400 "invalid_query ... IRI parsing failed"."""
    for accept in ("text/turtle", "text/html"):
        answer = reader.get(path, headers={"Accept": accept})
        assert answer.status_code == 404, answer.text


@pytest.mark.parametrize(
    "path", ["/", "/search", "/api/v1/standards", "/id/standard/GB-T-21063.3-2007", "/catalog"]
)
def test_every_page_answered_head_with_405(reader: TestClient, path: str) -> None:
    """RFC 9110 9.1: a general-purpose server supports GET and HEAD; link checkers,
    monitors and `curl -I` got 405 from every page. HEAD is the GET without its body."""
    accept = {} if path in ("/catalog", "/api/v1/standards") else {"Accept": "text/html"}
    reader.get(path, headers=accept)  # a first visit of a page sets the CSRF cookie
    got = reader.get(path, headers=accept)
    head = reader.head(path, headers=accept)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    for name in ("content-type", "etag", "content-length"):
        assert head.headers.get(name) == got.headers.get(name), name
    assert reader.head("/api/v1/standards/GB%2FT%2099999-2099").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/", {}),
        ("GET", "/register", {}),
        ("GET", "/api/v1/standards/%3Cscript%3E", {}),  # a JSON error quoting the path
        ("HEAD", "/api/v1/standards", {}),
        ("GET", "/sparql", {"Accept": "text/turtle"}),
        ("POST", "/api/v1/submissions", {}),  # 401
    ],
)
def test_no_answer_lacked_the_browser_hardening_headers(
    reader: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    """An outside probe found no nosniff, framing or referrer header on any answer."""
    response = reader.request(method, path, headers=headers)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["referrer-policy"] == "same-origin"
    if response.status_code == 200 and "etag" in response.headers:
        again = reader.request(
            method, path, headers={**headers, "If-None-Match": response.headers["etag"]}
        )
        assert again.status_code == 304 and again.headers["x-frame-options"] == "DENY"


def test_an_interface_list_repeated_every_openapi_document_whole(reader: TestClient) -> None:
    """Each item of the interface list (and of its search) held the interface's whole
    OpenAPI document: five bureau documents made a 7.1 MB answer. An item holds the
    document's length; the interface's own answer holds the document."""
    listed = {
        i["code"]: i
        for i in reader.get("/api/v1/interfaces", params={"limit": 100}).json()["items"]
    }
    described = 0
    for code, item in listed.items():
        whole = reader.get(f"/api/v1/interfaces/{code}").json()
        assert "endpoint_description" not in item
        document = whole.get("endpoint_description")
        assert item["endpoint_description_chars"] == (len(document) if document else None)
        described += bool(document)
        # The entry's answer adds each referenced standard's status now (read when it is
        # answered); a list item is the record as it is.
        refs = ("conforms_to", "dated_references", "undated_references")
        plain = {
            k: [{n: x for n, x in r.items() if n != "status"} for r in v] if k in refs else v
            for k, v in whole.items()
            if k != "endpoint_description"
        }
        assert {k: v for k, v in item.items() if k != "endpoint_description_chars"} == plain
    assert described  # the examples hold at least one document


def test_a_standards_citers_did_not_say_how_they_cite_it(reader: TestClient) -> None:
    """`referenced_by` and the page's list of citing standards did not say whether a
    citation is dated or undated, though an undated citer of a superseded edition
    means its successor (as the graph draws it). Each citer now says how it cites."""
    part1 = reader.get("/api/v1/standards/GB-T-21063.1-2007").json()["referenced_by"]
    citer = next(r for r in part1 if r["id"] == "GB/T 21063.3-2007")
    assert citer["by"] == ["undated_references"]
    dated = reader.get("/api/v1/standards/GB-T-7408-2005").json()["referenced_by"]
    assert next(r for r in dated if r["id"] == "GB/T 21063.3-2007")["by"] == ["dated_references"]
    claimed = reader.get("/api/v1/standards/GB-T-21063.3-2007").json()["referenced_by"]
    assert {tuple(r["by"]) for r in claimed if r["kind"] == "resource"} == {("conforms_to",)}
    page = reader.get("/id/standard/GB-T-21063.1-2007", headers={"Accept": "text/html"}).text
    assert '<span class="by">不注日期引用</span>' in page


def test_a_dry_run_of_a_submission_registered_it(
    client: TestClient, api_store: Store, tokens: dict[str, str]
) -> None:
    """`?dry_run=true` on /submissions was an unknown parameter, silently ignored: a
    portal that mapped `screg register --dry-run` to HTTP registered for real (201)."""
    generation = api_store.generation()
    headers = {**TURTLE, **auth(tokens["bureau"])}
    tried = client.post("/api/v1/submissions?dry_run=true", content=resource_ttl(), headers=headers)
    assert tried.status_code == 200, tried.text
    body = tried.json()
    assert body["dry_run"] is True and body["accepted"] is True
    assert [(e["item"], e["outcome"]) for e in body["entries"]] == [
        (f"{BASE}resource/109001-000001", "new")
    ]
    assert "Location" not in tried.headers
    assert api_store.generation() == generation
    assert client.get("/api/v1/resources/109001-000001").status_code == 404
    # Decided as the registration would be: another department's entry is 403 here too.
    other = {**TURTLE, **auth(tokens["other"])}
    assert_error(
        client.post("/api/v1/submissions?dry_run=1", content=resource_ttl(), headers=other), 403
    )
    # A document that does not conform: 200, not accepted, with the report.
    bad = client.post(
        "/api/v1/submissions?dry_run=true", content=resource_ttl(with_title=False), headers=headers
    )
    assert bad.status_code == 200 and bad.json()["accepted"] is False
    assert bad.json()["report"]["conforms"] is False
    assert api_store.generation() == generation
    # A value that is no yes or no is refused, not taken for either: nothing is written.
    unclear = client.post(
        "/api/v1/submissions?dry_run=maybe", content=resource_ttl(), headers=headers
    )
    assert_error(unclear, 422)
    assert "dry_run" in unclear.text
    assert api_store.generation() == generation


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/submissions?dryrun=true", None),
        ("/api/v1/validate?reprot=csv", None),
        ("/api/v1/items/109001-000001/status?force=1", {"status": "retired"}),
    ],
)
def test_an_unknown_parameter_of_a_write_was_ignored(
    client: TestClient, api_store: Store, tokens: dict[str, str], path: str, body: Any
) -> None:
    """A write route ignored parameters it does not know, so a misspelt `dryrun` wrote."""
    generation = api_store.generation()
    headers = auth(tokens["registrar"])
    if body is None:
        answer = client.post(path, content=resource_ttl(), headers={**TURTLE, **headers})
    else:
        answer = client.post(path, json=body, headers=headers)
    error = assert_error(answer, 400)
    assert error["details"]["unknown"] and isinstance(error["details"]["allowed"], list)
    assert api_store.generation() == generation


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/tokens", {"role": "admin", "name": "typo", "lifetime_day": 1}),
        ("/api/v1/tokens/{token}/expire", {"when": "2030-01-01T00:00:00+08:00"}),
        ("/api/v1/items/GB%2FT%2035274-2017/status", {"status": "deprecated", "reasn": "x"}),
        ("/api/v1/items/101001-000001/owner", {"department": "x", "reason": "y", "why": "z"}),
        ("/api/v1/departments", {"credit_code": "1" * 18, "name": {"zh": "部门", "fr": "x"}}),
        ("/api/v1/reviews/x/reject", {"reason": "r", "reasons": "r"}),
    ],
)
def test_a_misspelt_field_of_a_json_body_was_dropped_and_the_write_done(
    client: TestClient, api_store: Store, tokens: dict[str, str], path: str, body: dict
) -> None:
    """{"lifetime_day": 1} made a token of the default 365 days, {"when": ...} on
    /expire expired the token at once, {"reasn": ...} recorded no reason. A field the
    body does not name is 422, naming it, and nothing is written."""
    admin = auth(tokens["admin"])
    if "{token}" in path:
        made = client.post("/api/v1/tokens", json={"role": "registrar"}, headers=admin).json()
        path = path.format(token=made["token"]["id"])
    generation = api_store.generation()
    refused = assert_error(client.post(path, json=body, headers=admin), 422, "invalid_request")
    assert any(d["type"] == "extra_forbidden" for d in refused["details"]), refused
    assert api_store.generation() == generation


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/standards?status=current&status=superseded",
        "/api/v1/standards?limit=2&limit=3",
        "/api/v1/changes?after=1&after=5&limit=1",
        "/catalog?page=1&page=2",
    ],
)
def test_a_repeated_query_parameter_was_answered_with_its_last_value(
    client: TestClient, query: str
) -> None:
    """`status=current&status=superseded` listed the superseded only, and the change
    feed's `after=1&after=5` skipped four writes without a word: a parameter that takes
    one value, given twice, is 400 naming it."""
    refused = assert_error(client.get(query), 400, "invalid_input")
    assert refused["details"]["repeated"] == [query.split("?")[1].split("=")[0]]


def test_parameters_that_take_several_values_may_still_be_repeated(
    client: TestClient, tokens: dict[str, str]
) -> None:
    tried = client.post(
        "/api/v1/submissions?format=openapi&dry_run=true&serves=101001/000001&serves=101002/000001",
        content=b"{}",
        headers={"Content-Type": "application/json", **auth(tokens["bureau"])},
    )
    # read as an OpenAPI document (which "{}" is not), not refused for the repeat
    assert tried.status_code == 400 and "openapi" in tried.text.lower(), tried.text
    assert "repeated" not in tried.text, tried.text


def test_an_error_answer_carried_no_vary_though_it_follows_accept_and_language(
    client: TestClient,
) -> None:
    """A 404's message follows Accept-Language and its form Accept: without Vary a
    shared cache could give one client's error, in its language, to another."""
    for response in (
        client.get("/api/v1/standards/NOPE", headers={"Accept-Language": "zh"}),
        client.get("/sparql", params={"query": "SELEC"}),
        client.get("/id/standard/GB-T-21063.3-2007", headers={"Accept": "image/png"}),
    ):
        assert response.status_code >= 400
        varies = {v.strip() for v in response.headers.get("vary", "").split(",")}
        assert {"Accept", "Accept-Language"} <= varies, (response.url, response.headers)


def test_a_trailing_slash_on_an_api_path_was_taken_for_part_of_an_identifier(
    client: TestClient,
) -> None:
    """`/api/v1/standards/` answered 404 "no standard ''" where `/api/v1/changes/` was
    redirected, and an identifier with a slash after it was looked for as written."""
    for path, to in (
        ("/api/v1/standards/?limit=1", "/api/v1/standards?limit=1"),
        ("/api/v1/standards/GB-T-21063.3-2007/", "/api/v1/standards/GB-T-21063.3-2007"),
        ("/api/v1/resources/101001-000001//", "/api/v1/resources/101001-000001"),
    ):
        moved = client.get(path, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (307, to)
        assert client.get(path).status_code == 200
