"""The review step (issue 16): with `review_required`, a submitter's conforming
submission waits as `submitted`; registrars see a queue with each submission's
difference and report and accept it (it becomes current and valid) or reject it with a
reason (invalid); until then every read shows the last accepted version, and the
submitter sees its own pending and rejected submissions. Before, every conforming
submission went straight to `valid`: `submitted` could never be reached."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from api import create_app
from registry.config import Settings
from registry.register.sessions import open_session
from registry.register.tokens import authenticate, create_token
from registry.service import Registry
from registry.store import Store
from tests.conftest import dump_after
from tests.documents import resource_ttl

BASE = "http://127.0.0.1:8000/id/"
OWNER = "11210100EXAMPLE01N"  # the Big Data Bureau: owns resource 101001/000001
OTHER = "11210100EXAMPLE02R"
RESOURCE = f"{BASE}resource/101001-000001"
NEW = f"{BASE}resource/101001-000777"


def _make_tokens(store: Store) -> dict[str, str]:
    return {
        "registrar": create_token(store, "registrar", None, "registrar")[1],
        "owner": create_token(store, "submitter", OWNER, "owner")[1],
        "other": create_token(store, "submitter", OTHER, "other")[1],
    }


@pytest.fixture(scope="module")
def dataset(seeded_dump: bytes) -> tuple[bytes, dict[str, str]]:
    """The seeded examples and the tests' tokens, made once per module."""
    return dump_after(seeded_dump, _make_tokens)


@pytest.fixture
def make_client(
    open_seeded, dataset: tuple[bytes, dict[str, str]], validator
) -> Callable[..., TestClient]:
    """Builds an app with the given settings over a store of the back end under test
    holding the dataset; its client carries the tokens' secrets."""

    def make(**settings: object) -> TestClient:
        store = open_seeded(dataset[0])
        app = create_app(
            Settings(store="memory", seed=False, **settings), store=store, validator=validator
        )
        client = TestClient(app, raise_server_exceptions=False)
        client.secrets = dict(dataset[1])  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> Iterator[TestClient]:
    with make_client(review_required=True) as test_client:
        yield test_client


def auth(client: TestClient, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.secrets[who]}"}  # type: ignore[attr-defined]


def retitled(client: TestClient, title: str) -> bytes:
    registry: Registry = client.app.state.registry
    graph = registry.show(RESOURCE)
    zh = [t for t in graph.objects(URIRef(RESOURCE), DCTERMS.title) if t.language == "zh"]
    graph.remove((URIRef(RESOURCE), DCTERMS.title, zh[0]))
    graph.add((URIRef(RESOURCE), DCTERMS.title, Literal(title, lang="zh")))
    return graph.serialize(format="turtle").encode()


def submit(client: TestClient, who: str, body: bytes) -> dict:
    sent = client.post(
        "/api/v1/submissions",
        content=body,
        headers={"Content-Type": "text/turtle", **auth(client, who)},
    )
    assert sent.status_code == 201, sent.text
    return sent.json()


def title_now(client: TestClient) -> str:
    return client.get("/api/v1/resources/101001-000001").json()["title"]["zh"]


def test_a_change_waits_for_review_and_shows_once_accepted(client: TestClient) -> None:
    before = title_now(client)
    answer = submit(client, "owner", retitled(client, "人口基础信息（审核中）"))
    assert answer["outcome"] == "submitted"
    assert [c["outcome"] for c in answer["entries"]] == ["submitted"]
    # Reads keep the accepted version: REST, the page, the lists.
    assert title_now(client) == before
    page = client.get("/id/resource/101001-000001", headers={"Accept": "text/html"}).text
    assert "审核中" not in page
    # The registrar's queue names it, with its difference; the owner sees its own; the
    # other department sees nothing of it.
    queue = client.get("/api/v1/reviews", headers=auth(client, "registrar")).json()
    assert [(i["item"], i["status"]) for i in queue["items"]] == [(RESOURCE, "submitted")]
    assert queue["items"][0]["added_count"] == queue["items"][0]["removed_count"] == 1
    assert queue["items"][0]["department"] == f"{BASE}department/{OWNER}"
    own = client.get("/api/v1/reviews", headers=auth(client, "owner")).json()
    assert [i["item"] for i in own["items"]] == [RESOURCE]
    assert client.get("/api/v1/reviews", headers=auth(client, "other")).json()["items"] == []
    diff = client.get(
        f"/api/v1/reviews/{quote(RESOURCE, safe='')}/difference", headers=auth(client, "owner")
    ).json()
    assert any("审核中" in line for line in diff["added"])
    assert client.get(f"/api/v1/submissions/{answer['id']}").json()["conforms"]
    # A second submission of the same entry waits for the first decision.
    again = client.post(
        "/api/v1/submissions",
        content=retitled(client, "又改了"),
        headers={"Content-Type": "text/turtle", **auth(client, "owner")},
    )
    assert again.status_code == 409, again.text
    # The submitter cannot decide; the registrar accepts.
    path = "/api/v1/reviews/101001-000001/accept"
    assert client.post(path, json={}, headers=auth(client, "owner")).status_code == 403
    # An accept needs no body (it was a 422 without one).
    accepted = client.post(path, headers=auth(client, "registrar"))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "valid"
    assert title_now(client) == "人口基础信息（审核中）"
    history = client.get("/api/v1/items/101001-000001/history").json()["versions"]
    assert [v["status"] for v in history] == ["valid", "valid"]
    assert client.get("/api/v1/reviews", headers=auth(client, "registrar")).json()["total"] == 0
    assert client.post(path, json={}, headers=auth(client, "registrar")).status_code == 404


def test_a_rejected_new_entry_is_never_listed_and_its_submitter_reads_why(
    client: TestClient,
) -> None:
    body = resource_ttl("101001/000777", title="新资源", description="待审核的新资源")
    answer = submit(client, "owner", body)
    assert answer["outcome"] == "submitted"
    assert client.get("/api/v1/resources/101001-000777").status_code == 404
    listed = client.get("/api/v1/resources", params={"q": "新资源"}).json()
    assert listed["total"] == 0
    path = f"/api/v1/reviews/{quote(NEW, safe='')}/reject"
    no_reason = client.post(path, json={}, headers=auth(client, "registrar"))
    assert no_reason.status_code == 400, no_reason.text
    # No body at all was a 422 about the request's shape, where docs/api.md says 400.
    no_body = client.post(path, headers=auth(client, "registrar"))
    assert no_body.status_code == 400, no_body.text
    assert no_body.json()["error"]["code"] == "invalid_input"
    refused = client.post(path, json={"reason": "编码重复"}, headers=auth(client, "registrar"))
    assert refused.status_code == 200 and refused.json()["status"] == "invalid"
    assert client.get("/api/v1/resources/101001-000777").status_code == 404
    mine = client.get(
        "/api/v1/reviews", params={"status": "invalid"}, headers=auth(client, "owner")
    ).json()
    assert [(i["item"], i["reason"]) for i in mine["items"]] == [(NEW, "编码重复")]
    history = client.get(f"/api/v1/items/{quote(NEW, safe='')}/history")
    assert [v["status"] for v in history.json()["versions"]] == ["invalid"]
    # Submitted again after the rejection: a new version number, waiting again.
    again = submit(client, "owner", body)
    assert again["entries"][0]["version"] == 2


def test_review_for_one_department_only(make_client: Callable[..., TestClient]) -> None:
    with make_client(review_departments=[OTHER]) as client:
        # The owner's department is not reviewed: its change is current at once.
        answer = submit(client, "owner", retitled(client, "不审核"))
        assert answer["outcome"] == "accepted"
        assert title_now(client) == "不审核"
        # A registrar is never reviewed.
        registrar = submit(client, "registrar", retitled(client, "登记员改的"))
        assert registrar["outcome"] == "accepted"


def test_without_review_nothing_waits(make_client: Callable[..., TestClient]) -> None:
    with make_client() as client:
        assert submit(client, "owner", retitled(client, "直接生效"))["outcome"] == "accepted"
        assert client.get("/api/v1/reviews", headers=auth(client, "registrar")).json()["total"] == 0


def _session(client: TestClient, name: str) -> str:
    """A page session of the test token `name`, as the sign-in form would open."""
    store = client.app.state.registry.store
    return open_session(store, authenticate(store, client.secrets[name]))  # type: ignore[attr-defined,arg-type]


def test_the_review_page_needs_a_sign_in_and_its_form_a_csrf_token(client: TestClient) -> None:
    page = client.get("/reviews")
    assert page.status_code == 401 and 'href="/register"' in page.text
    forged = client.post(
        "/reviews",
        data={"item": RESOURCE, "decision": "accept", "csrf_token": "forged"},
        cookies={"screg_session": _session(client, "registrar")},
    )
    assert forged.status_code == 403


def test_the_queue_pages_with_its_true_total(client: TestClient) -> None:
    """The queue was one unpaged answer that read two version graphs per waiting entry."""
    for n in (771, 772, 773):
        body = resource_ttl(f"101001/000{n}", title=f"新资源{n}", description="待审核")
        submit(client, "owner", body)
    registrar = auth(client, "registrar")
    first = client.get("/api/v1/reviews", params={"limit": 2}, headers=registrar).json()
    rest = client.get("/api/v1/reviews", params={"limit": 2, "offset": 2}, headers=registrar).json()
    assert first["total"] == rest["total"] == 3
    assert len(first["items"]) == 2 and len(rest["items"]) == 1
    listed = [i["item"] for i in first["items"] + rest["items"]]
    assert listed == [f"{BASE}resource/101001-000{n}" for n in (771, 772, 773)]
    assert all("added_count" in i for i in first["items"])
    # One entry's difference is found without the rest of the queue.
    diff = client.get(
        f"/api/v1/reviews/{quote(listed[1], safe='')}/difference", headers=registrar
    ).json()
    assert diff["item"] == listed[1] and diff["removed_count"] == 0


def test_an_unknown_decision_is_refused_by_the_api_and_the_page(client: TestClient) -> None:
    submit(client, "owner", retitled(client, "待定"))
    answer = client.post(
        "/api/v1/reviews/101001-000001/maybe", json={}, headers=auth(client, "registrar")
    )
    assert answer.status_code == 422, answer.text
    assert "accept" in answer.text
    cookies = {"screg_session": _session(client, "registrar")}
    page = client.get("/reviews", cookies=cookies)
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    posted = client.post(
        "/reviews",
        data={"item": RESOURCE, "decision": "maybe", "csrf_token": token},
        cookies=cookies,
    )
    assert posted.status_code == 400 and "未知的审核决定" in posted.text
    # Nothing was decided: the entry still waits.
    queue = client.get("/api/v1/reviews", headers=auth(client, "registrar")).json()
    assert queue["total"] == 1


def _public_values(client: TestClient, word: str) -> list[str]:
    query = f'SELECT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{word}")) }} }}'
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return [row["o"]["value"] for row in answer.json()["results"]["bindings"]]


def test_public_sparql_showed_versions_waiting_for_review_and_rejected(
    client: TestClient,
) -> None:
    """REST and the pages hid a version waiting for review and a rejected one, but every
    version graph was a public named graph: `GRAPH ?g` read them, a new entry never
    accepted included. Now neither is in the public dataset until accepted."""
    waiting = submit(client, "owner", retitled(client, "暗号甲待审标题"))
    assert waiting["outcome"] == "submitted"
    new = resource_ttl("101001/000778", title="暗号甲新资源", description="待审核的新资源")
    assert submit(client, "owner", new)["outcome"] == "submitted"
    assert _public_values(client, "暗号甲") == []
    # Named outright, the graph answers nothing either (or the query is refused).
    version = f"{RESOURCE}/version/2"
    named = client.get(
        "/sparql",
        params={"query": f"SELECT ?o WHERE {{ GRAPH <{version}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert named.status_code == 400 or named.json()["results"]["bindings"] == [], named.text
    registrar = auth(client, "registrar")
    rejected = client.post(
        f"/api/v1/reviews/{quote(NEW.replace('000777', '000778'), safe='')}/reject",
        json={"reason": "不公开"},
        headers=registrar,
    )
    assert rejected.status_code == 200, rejected.text
    assert _public_values(client, "暗号甲") == []
    # Once accepted, the version is the entry's current one and public.
    accepted = client.post("/api/v1/reviews/101001-000001/accept", headers=registrar)
    assert accepted.status_code == 200, accepted.text
    assert "暗号甲待审标题" in _public_values(client, "暗号甲")
    assert "暗号甲新资源" not in _public_values(client, "暗号甲")
