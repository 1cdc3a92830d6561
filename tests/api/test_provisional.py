"""Provisional registration over HTTP: `?provisional=true` on POST /api/v1/submissions
and the register form's checkbox (docs/registration.md, docs/api.md, docs/ui.md).

The SEMIC DCAT-AP 3.0.1 examples are read from ../shared (tests/inputs/test_dcat.py);
through create_app on a seeded store of the back end under test, as the other API tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.register.submission import TO_COMPLETE
from registry.register.tokens import create_token
from registry.store import Store
from tests.api.test_pages import sign_in
from tests.api.test_upload_formats import form_post
from tests.conftest import dump_after
from tests.register.test_provisional import BUREAU, PREFIX, mapping_examples

BASE = "http://127.0.0.1:8000/id/"
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def seeded_with_tokens(seeded_dump: bytes) -> tuple[bytes, dict[str, str]]:
    def tokens(store: Store) -> dict[str, str]:
        return {
            "registrar": create_token(store, "registrar", name="r")[1],
            "bureau": create_token(store, "submitter", BUREAU, "bureau")[1],
        }

    return dump_after(seeded_dump, tokens)


@pytest.fixture
def api_store(open_seeded, seeded_with_tokens) -> Store:
    return open_seeded(seeded_with_tokens[0])


@pytest.fixture
def auth(seeded_with_tokens) -> dict[str, dict[str, str]]:
    return {k: {"Authorization": f"Bearer {v}"} for k, v in seeded_with_tokens[1].items()}


@pytest.fixture
def client(api_store: Store, validator) -> Iterator[TestClient]:
    app = create_app(Settings(store="memory", seed=False), store=api_store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def submit(client: TestClient, body: bytes, headers: dict[str, str], provisional: bool):
    # The department of datasets whose publisher maps to none: the token's by default.
    query = f"format=dcat&assign_codes={PREFIX}" + ("&provisional=true" if provisional else "")
    return client.post(f"/api/v1/submissions?{query}", content=body, headers={**TURTLE, **headers})


def test_semic_examples_register_provisionally_over_http(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    for example in mapping_examples():
        refused = submit(client, example.read_bytes(), auth["bureau"], provisional=False)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "not_conforming"
        answer = submit(client, example.read_bytes(), auth["bureau"], provisional=True)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["entries"] and {(e["outcome"], e["status"]) for e in body["entries"]} == {
            ("new", "submitted")
        }
        results = body["report"]["results"]
        to_complete = [r for r in results if r.get("to_complete")]
        assert to_complete and all(r["severity"] == "Warning" for r in to_complete)
        assert all(r["message"]["zh"].startswith(TO_COMPLETE.zh) for r in to_complete)
        assert all(r["constraint"].endswith("MinCountConstraintComponent") for r in to_complete)
        if "data_service" in example.name:
            assert any(r["shape"].endswith("Input-dcat-unmapped") for r in results)
        for entry in body["entries"]:
            kind = {"resource": "resources", "interface": "interfaces"}[entry["kind"]]
            code = entry["item"].rsplit("/", 1)[-1]
            code = code.replace("-", "/", 1) if kind == "resources" else code
            read = client.get(f"/api/v1/{kind}/{quote(code, safe='')}")
            assert read.status_code == 200, read.text
            assert read.json()["register"]["status"] == "submitted"
    # Lists show them with their status, and filter by it.
    listed = client.get("/api/v1/resources?register_status=submitted").json()
    assert {r["iri"] for r in listed["items"]} == {
        f"{BASE}resource/{PREFIX}-000001",
        f"{BASE}resource/{PREFIX}-000002",
    }
    page = client.get(f"/id/resource/{PREFIX}-000001", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "已提交" in page.text


def test_valid_is_refused_over_http_while_incomplete(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    [bee] = [e for e in mapping_examples() if "bee" in e.name]
    assert submit(client, bee.read_bytes(), auth["bureau"], provisional=True).status_code == 201
    item = quote(f"{PREFIX}/000001", safe="")
    for lang, words in (("zh", "尚缺必填值"), ("en", "cannot become valid")):
        refused = client.post(
            f"/api/v1/items/{item}/status",
            json={"status": "valid"},
            headers={**auth["registrar"], "Accept-Language": lang},
        )
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "conflict" and words in error["message"]
        missing = error["details"]["missing"]  # what is still missing, as Violations
        assert len(missing) == 7 and {m["severity"] for m in missing} == {"Violation"}
    read = client.get(f"/api/v1/resources/{item}").json()
    assert read["register"]["status"] == "submitted"


def test_the_register_form_asks_for_a_provisional_registration(
    client: TestClient, api_store: Store
) -> None:
    [bee] = [e for e in mapping_examples() if "bee" in e.name]
    secret = create_token(api_store, "submitter", BUREAU, "form")[1]
    sign_in(client, secret)
    assert 'name="provisional"' in client.get("/register").text
    fields = {"format": "dcat", "assign_codes": PREFIX}
    refused = form_post(client, "/register", bee.name, bee.read_bytes(), **fields)
    assert refused.status_code == 422
    answer = form_post(
        client, "/register", bee.name, bee.read_bytes(), provisional="true", **fields
    )
    assert answer.status_code == 201, answer.text
    assert f"{PREFIX}-000001" in answer.text and "已提交" in answer.text
    assert TO_COMPLETE.zh in answer.text
