"""Tokens over HTTP: the admin listing (with expiry) and revocation, who may use them,
and tokens made before expiry existed. The hostile cases (guessing, expired and
revoked tokens) are in tests/security/test_tokens_hostile.py."""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from api.lists import XLSX
from registry.namespaces import SCS
from registry.register.tokens import (
    TOKEN_GRAPH,
    TOKEN_PREFIX,
    list_tokens,
    token_sha256,
)
from registry.store import Store, WriteBatch
from tests.api.test_api import (  # noqa: F401 - fixtures
    TURTLE,
    api_store,
    app,
    assert_error,
    auth,
    client,
    reader,
    resource_ttl,
    seeded_with_tokens,
    shared,
    shared_store,
    tokens,
)


def _ids(api_store: Store) -> dict[str, str]:
    """Token ids by their label (the fixture names each token)."""
    return {info.name: info.id for info in list_tokens(api_store)}


def test_admin_lists_every_token_with_its_expiry_and_never_a_secret(
    reader: TestClient, tokens: dict[str, str]
) -> None:
    response = reader.get("/api/v1/tokens", headers=auth(tokens["admin"]))
    assert response.status_code == 200, response.text
    listed = {t["name"]: t for t in response.json()["items"]}
    assert set(listed) == {"bureau", "other", "registrar", "admin", "gone"}
    bureau = listed["bureau"]
    assert bureau["role"] == "submitter" and bureau["department"].endswith("11210100EXAMPLE01N")
    assert bureau["state"] == "active" and bureau["active"] is True and bureau["expired"] is False
    created = datetime.fromisoformat(bureau["created"])
    expires = datetime.fromisoformat(bureau["expires"])
    # The default lifetime: the setting token_lifetime_days, 365.
    assert expires - created == timedelta(days=365)
    assert listed["gone"]["state"] == "revoked" and listed["gone"]["revoked"]
    text = response.text
    for secret in tokens.values():
        assert secret not in text and token_sha256(secret) not in text


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_token_endpoints_are_for_admins_only(
    reader: TestClient, tokens: dict[str, str], shared_store: Store, method: str
) -> None:
    target = _ids(shared_store)["bureau"]
    path = "/api/v1/tokens" if method == "GET" else f"/api/v1/tokens/{target}"
    anonymous = reader.request(method, path)
    assert_error(anonymous, 401, "unauthorized")
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    for role in ("bureau", "registrar"):
        refused = assert_error(reader.request(method, path, headers=auth(tokens[role])), 403)
        assert refused["code"] == "forbidden"
    # Nothing was revoked by the refused attempts.
    assert next(i for i in list_tokens(shared_store) if i.id == target).active


def test_admin_revokes_a_token_and_the_record_says_who(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    target = _ids(api_store)["registrar"]
    response = client.delete(f"/api/v1/tokens/{target}", headers=auth(tokens["admin"]))
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["id"] == target and record["state"] == "revoked" and record["revoked"]
    graph = api_store.read_graph(TOKEN_GRAPH)
    node = URIRef(TOKEN_PREFIX + target)
    (by,) = graph.objects(node, SCS.revokedBy)
    assert str(by).endswith("admin:token-" + _ids(api_store)["admin"])
    # Revoking it again answers the same record, and writes nothing.
    generation = api_store.generation()
    again = client.delete(f"/api/v1/tokens/{target}", headers=auth(tokens["admin"]))
    assert again.status_code == 200 and again.json()["revoked"] == record["revoked"]
    assert api_store.generation() == generation


@pytest.mark.parametrize("token_id", ["ffffffffffff", "not-a-token", "x" * 64])
def test_revoking_an_unknown_token_is_404(
    reader: TestClient, tokens: dict[str, str], token_id: str
) -> None:
    response = reader.delete(f"/api/v1/tokens/{token_id}", headers=auth(tokens["admin"]))
    assert_error(response, 404, "not_found")


def test_a_token_made_before_expiry_existed_works_and_lists_as_no_expiry(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    # What a store written before tokens expired holds: no scs:expiresAt.
    node = URIRef(TOKEN_PREFIX + "0123456789ab")
    secret = "an-old-token-made-before-tokens-expired-0000"
    created = Literal("2025-01-01T00:00:00+00:00", datatype=XSD.dateTime)
    api_store.write(
        WriteBatch().add_triples(
            TOKEN_GRAPH,
            [
                (node, RDF.type, SCS.AccessToken),
                (node, SCS.role, Literal("admin")),
                (node, SCS.tokenSha256, Literal(token_sha256(secret))),
                (node, SCS.createdAt, created),
                (node, RDFS.label, Literal("old")),
            ],
        )
    )
    # It still authenticates (here: as the admin it was made as) ...
    response = client.get("/api/v1/tokens", headers=auth(secret))
    assert response.status_code == 200, response.text
    old = next(t for t in response.json()["items"] if t["name"] == "old")
    assert old["expires"] is None and old["state"] == "active" and old["active"] is True
    # ... and is revoked like any other.
    revoked = client.delete("/api/v1/tokens/0123456789ab", headers=auth(tokens["admin"]))
    assert revoked.status_code == 200, revoked.text
    assert_error(client.get("/api/v1/tokens", headers=auth(secret)), 401, "unauthorized")


def test_every_write_names_the_token_it_was_made_with(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    """A submitter's agent is its department: without scs:viaToken the provenance would
    not say which of the department's tokens wrote."""
    ids = _ids(api_store)
    response = client.post(
        "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(tokens["bureau"])}
    )
    assert response.status_code == 201, response.text
    record = client.get(response.headers["Location"]).json()
    assert record["agent"].endswith("/department/11210100EXAMPLE01N")
    assert record["token"] == TOKEN_PREFIX + ids["bureau"]
    changed = client.post(
        "/api/v1/items/GB%2FT%2021063.3-2007/status",
        json={"status": "deprecated"},
        headers=auth(tokens["registrar"]),
    )
    assert changed.status_code == 200, changed.text
    rows = api_store.select(
        f"SELECT ?t WHERE {{ GRAPH ?g {{ ?c a <{SCS.StatusChange}> ; <{SCS.viaToken}> ?t }} }}"
    )
    assert [str(r["t"]) for r in rows] == [TOKEN_PREFIX + ids["registrar"]]
    # The secret is in neither.
    dump = api_store.dump("nquads").decode()
    assert tokens["bureau"] not in dump and tokens["registrar"] not in dump


def test_openapi_documents_the_token_endpoints_and_429(reader: TestClient) -> None:
    paths = reader.get("/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/tokens"] and "delete" in paths["/api/v1/tokens/{token_id}"]
    for operation in (paths["/api/v1/tokens"]["get"], paths["/api/v1/submissions"]["post"]):
        assert {"401", "429"} <= set(operation["responses"])


# The fixture's tokens (tests.api.test_api._make_tokens).
FIXTURE_TOKENS = ["bureau", "other", "registrar", "admin", "gone"]


def test_tokens_list_is_paged_with_the_true_total(
    reader: TestClient, tokens: dict[str, str], shared_store: Store
) -> None:
    """It answered a bare array and ignored `limit`: now the envelope of every list."""
    walked, offset = [], 0
    while True:
        response = reader.get(
            "/api/v1/tokens", params={"limit": 2, "offset": offset}, headers=auth(tokens["admin"])
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"total", "limit", "offset", "items"}
        assert page["total"] == len(FIXTURE_TOKENS)
        assert page["limit"] == 2 and page["offset"] == offset
        assert len(page["items"]) == min(2, len(FIXTURE_TOKENS) - offset)
        walked += [t["name"] for t in page["items"]]
        offset += 2
        if offset >= page["total"]:
            break
    # Oldest first (by creation, then id: the fixture made several in one second).
    assert walked == [info.name for info in list_tokens(shared_store)]
    assert sorted(walked) == sorted(FIXTURE_TOKENS)
    # Past the end: no items, the same total.
    past = reader.get("/api/v1/tokens", params={"offset": 50}, headers=auth(tokens["admin"]))
    assert past.json() == {"total": len(FIXTURE_TOKENS), "limit": 50, "offset": 50, "items": []}


def test_tokens_list_refuses_unknown_parameters(reader: TestClient, tokens: dict[str, str]) -> None:
    """`?role=admin` answered 200 with every token: a filter silently ignored."""
    refused = reader.get("/api/v1/tokens", params={"role": "admin"}, headers=auth(tokens["admin"]))
    error = assert_error(refused, 400, "invalid_input")
    assert error["details"]["unknown"] == ["role"]
    assert {"limit", "offset", "format"} <= set(error["details"]["allowed"])
    assert "未知的查询参数" in error["messages"]["zh"] and "unknown" in error["messages"]["en"]
    # Out of range: the 422 of every list.
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        assert_error(reader.get("/api/v1/tokens", params=bad, headers=auth(tokens["admin"])), 422)


def test_tokens_list_refuses_unknown_parameters_only_to_an_admin(
    reader: TestClient, tokens: dict[str, str]
) -> None:
    """Who is not an admin learns nothing of the list, its parameters neither."""
    assert_error(reader.get("/api/v1/tokens", params={"role": "x"}), 401, "unauthorized")
    refused = reader.get("/api/v1/tokens", params={"role": "x"}, headers=auth(tokens["bureau"]))
    assert_error(refused, 403, "forbidden")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tokens_list_downloads_every_token_without_secrets(
    reader: TestClient, tokens: dict[str, str], shared_store: Store, fmt: str
) -> None:
    response = reader.get(
        "/api/v1/tokens", params={"format": fmt, "limit": 1}, headers=auth(tokens["admin"])
    )
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    if fmt == "csv":
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        assert response.headers["content-type"] == XLSX
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        rows = [["" if c is None else c for c in r] for r in sheet.iter_rows(values_only=True)]
    header, *body = rows
    assert header[:4] == ["令牌编号", "角色", "所属部门", "名称"]
    # Every token, not one page; the state and role in Chinese.
    assert [r[3] for r in body] == [info.name for info in list_tokens(shared_store)]
    states = {r[3]: r[-1] for r in body}
    assert states["gone"] == "已撤销" and states["bureau"] == "有效"
    assert {r[1] for r in body} == {"提交者", "登记员", "管理员"}
    text = response.content.decode("utf-8", "replace")
    for secret in tokens.values():
        assert secret not in text and token_sha256(secret) not in text


def test_openapi_describes_the_tokens_page(reader: TestClient) -> None:
    spec = reader.get("/openapi.json").json()
    listing = spec["paths"]["/api/v1/tokens"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "offset", "format"} <= names
    content = listing["responses"]["200"]["content"]
    assert {"application/json", "text/csv", XLSX} <= set(content)
    ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    page = spec["components"]["schemas"][ref]
    assert set(page["properties"]) == {"total", "limit", "offset", "items"}
    assert page["properties"]["items"]["items"]["$ref"].endswith("/TokenRecord")


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_a_registrar_token_made_with_a_department_acted_for_every_department(
    reader: TestClient, tokens: dict[str, str], shared_store: Store, role: str
) -> None:
    """A department given to a registrar's or an admin's token was stored and shown,
    and limited nothing: refused now, with nothing made."""
    before = len(list_tokens(shared_store))
    refused = reader.post(
        "/api/v1/tokens",
        json={"role": role, "department": "11210100EXAMPLE01N"},
        headers=auth(tokens["admin"]),
    )
    error = assert_error(refused, 400)
    assert "submitter" in error["messages"]["en"] and "提交者" in error["messages"]["zh"]
    assert len(list_tokens(shared_store)) == before
