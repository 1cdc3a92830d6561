"""Administration over HTTP: admins make, read, expire and revoke tokens, registrars add
and update departments; every action recorded with who did it. Through create_app on a
seeded store of the back end under test (tests/api/test_api.py's fixtures: a fresh app per
test that writes, one per module for those only refused, `reader`); the tokens made are
used at once against the same app.
"""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from registry.inputs.identifiers import credit_code_check_char
from registry.register.tokens import list_tokens, token_sha256
from registry.store import Store
from tests.api.test_api import (  # noqa: F401 - fixtures
    BUREAU,
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

# A department new to the seeded store, with a right check character (GB 32100).
NEW_DEPT = "11210100EXAMPLE99" + credit_code_check_char("11210100EXAMPLE99")


def _ids(api_store: Store) -> dict[str, str]:
    return {info.name: info.id for info in list_tokens(api_store)}


def make(client: TestClient, admin: str, **fields: object):
    return client.post("/api/v1/tokens", json=fields, headers=auth(admin))


# -- tokens -------------------------------------------------------------------------------


def test_admin_makes_a_token_whose_secret_is_shown_once_and_works_at_once(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    response = make(client, tokens["admin"], role="submitter", department=BUREAU, name="新令牌")
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    secret, record = body["secret"], body["token"]
    assert record["role"] == "submitter" and record["department"].endswith(BUREAU)
    assert record["state"] == "active" and record["name"] == "新令牌"
    assert response.headers["location"] == f"/api/v1/tokens/{record['id']}"
    # The default lifetime is the setting's.
    created, expires = (datetime.fromisoformat(record[k]) for k in ("created", "expires"))
    assert expires - created == timedelta(days=365)
    # It authenticates on the very next request.
    submitted = client.post(
        "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(secret)}
    )
    assert submitted.status_code == 201, submitted.text
    # Listed without its secret, and recorded as made by the admin.
    listing = client.get("/api/v1/tokens", headers=auth(tokens["admin"]))
    assert secret not in listing.text and token_sha256(secret) not in listing.text
    one = client.get(f"/api/v1/tokens/{record['id']}", headers=auth(tokens["admin"])).json()
    assert secret not in str(one)
    (made,) = one["actions"]
    admin_id = _ids(api_store)["admin"]
    assert made["action"] == "create" and made["via_token"] == admin_id
    assert made["agent"].endswith(f"admin:token-{admin_id}")


def test_a_lifetime_and_the_roles_are_checked(client: TestClient, tokens: dict[str, str]) -> None:
    short = make(client, tokens["admin"], role="registrar", lifetime_days=2).json()["token"]
    created, expires = (datetime.fromisoformat(short[k]) for k in ("created", "expires"))
    assert expires - created == timedelta(days=2)
    assert_error(make(client, tokens["admin"], role="king"), 400)
    assert_error(make(client, tokens["admin"], role="submitter"), 400)
    assert_error(make(client, tokens["admin"], role="submitter", department="nobody"), 404)
    assert_error(make(client, tokens["admin"], role="admin", lifetime_days=0), 422)


@pytest.mark.parametrize("who", ["registrar", "bureau", None])
def test_only_admins_administer_tokens(
    reader: TestClient, tokens: dict[str, str], shared_store: Store, who: str | None
) -> None:
    headers = auth(tokens[who]) if who else {}
    status = 403 if who else 401
    target = _ids(shared_store)["bureau"]
    assert_error(reader.post("/api/v1/tokens", json={"role": "admin"}, headers=headers), status)
    assert_error(reader.get(f"/api/v1/tokens/{target}", headers=headers), status)
    assert_error(reader.post(f"/api/v1/tokens/{target}/expire", headers=headers), status)


def test_expiring_a_token_stops_it_at_once_and_is_recorded(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    target = _ids(api_store)["bureau"]
    headers = {**TURTLE, **auth(tokens["bureau"])}
    response = client.post(f"/api/v1/tokens/{target}/expire", headers=auth(tokens["admin"]))
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "expired"
    refused = client.post("/api/v1/submissions", content=resource_ttl(), headers=headers)
    assert_error(refused, 401)
    one = client.get(f"/api/v1/tokens/{target}", headers=auth(tokens["admin"])).json()
    # Made by the fixture as the command line makes tokens, then expired by the admin.
    assert [a["action"] for a in one["actions"]] == ["create", "expire"]
    assert one["actions"][0]["agent"] == "urn:screg:agent:admin:cli"
    assert one["actions"][0]["via_token"] is None
    assert one["actions"][1]["via_token"] == _ids(api_store)["admin"]
    # One expiry only: the old one was replaced, not added to.
    assert len([t for t in list_tokens(api_store) if t.id == target]) == 1


def test_an_expiry_is_only_brought_forward(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    target = _ids(api_store)["registrar"]
    admin = auth(tokens["admin"])
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    soon = client.post(f"/api/v1/tokens/{target}/expire", json={"at": later}, headers=admin)
    assert soon.status_code == 200 and soon.json()["state"] == "active"
    assert datetime.fromisoformat(soon.json()["expires"]) < datetime.now(UTC) + timedelta(days=31)
    # It still works until then.
    assert client.get("/api/v1/reviews", headers=auth(tokens["registrar"])).status_code == 200
    much_later = (datetime.now(UTC) + timedelta(days=3000)).isoformat()
    assert_error(
        client.post(f"/api/v1/tokens/{target}/expire", json={"at": much_later}, headers=admin),
        400,
    )
    gone = _ids(api_store)["gone"]
    assert_error(client.post(f"/api/v1/tokens/{gone}/expire", headers=admin), 409)
    assert_error(client.post("/api/v1/tokens/ffffffffffff/expire", headers=admin), 404)


def test_revoking_is_recorded_as_an_action(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    target = _ids(api_store)["other"]
    admin = auth(tokens["admin"])
    assert client.delete(f"/api/v1/tokens/{target}", headers=admin).status_code == 200
    actions = client.get(f"/api/v1/tokens/{target}", headers=admin).json()["actions"]
    assert [a["action"] for a in actions] == ["create", "revoke"]
    assert actions[1]["via_token"] == _ids(api_store)["admin"]


# -- departments ----------------------------------------------------------------------------


def test_a_registrar_adds_a_department_recorded_as_a_submission(
    client: TestClient, tokens: dict[str, str], api_store: Store
) -> None:
    before = client.get("/api/v1/departments").json()["total"]
    response = client.post(
        "/api/v1/departments",
        json={"credit_code": NEW_DEPT, "name": {"zh": "沈阳市测试局", "en": "Test Bureau"}},
        headers=auth(tokens["registrar"]),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["department"]["credit_code"] == NEW_DEPT
    assert body["department"]["name"] == {"zh": "沈阳市测试局", "en": "Test Bureau"}
    assert response.headers["location"] == f"/api/v1/departments/{NEW_DEPT}"
    assert client.get("/api/v1/departments").json()["total"] == before + 1
    assert client.get(f"/api/v1/departments/{NEW_DEPT}").status_code == 200
    # Provenance: the submission that made it, by the registrar's token.
    record = client.get(f"/api/v1/submissions/{body['submission']['id']}").json()
    assert record["outcome"] == "accepted"
    assert record["token"].endswith(_ids(api_store)["registrar"])
    assert record["entries"] == [body["department"]["iri"]]
    changes = client.get("/api/v1/changes").json()
    assert body["department"]["iri"] in str(changes)
    # A token for the new department can be made at once.
    made = make(client, tokens["admin"], role="submitter", department=NEW_DEPT)
    assert made.status_code == 201, made.text
    # Added twice is a conflict.
    again = client.post(
        "/api/v1/departments",
        json={"credit_code": NEW_DEPT, "name": {"zh": "重复"}},
        headers=auth(tokens["registrar"]),
    )
    assert_error(again, 409)


def test_a_registrar_updates_a_department(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["registrar"])
    response = client.put(
        f"/api/v1/departments/{BUREAU}",
        json={"name": {"zh": "沈阳市大数据管理局（新）", "en": "Big Data Bureau"}},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["department"]["name"]["zh"] == "沈阳市大数据管理局（新）"
    assert [e["outcome"] for e in response.json()["submission"]["entries"]] == ["updated"]
    history = client.get(f"/api/v1/items/{BUREAU}/history").json()
    assert len(history["versions"]) == 2
    missing = client.put(
        f"/api/v1/departments/{NEW_DEPT}", json={"name": {"zh": "无"}}, headers=headers
    )
    assert_error(missing, 404)


def test_departments_are_checked_and_only_registrars_write_them(
    reader: TestClient, tokens: dict[str, str]
) -> None:
    wrong = NEW_DEPT[:-1] + ("0" if NEW_DEPT[-1] != "0" else "1")
    bad = reader.post(
        "/api/v1/departments",
        json={"credit_code": wrong, "name": {"zh": "校验位错误"}},
        headers=auth(tokens["registrar"]),
    )
    error = assert_error(bad, 422, "not_conforming")
    assert error["details"]["conforms"] is False
    assert reader.get(f"/api/v1/departments/{wrong}").status_code == 404
    for who, status in (("bureau", 403), (None, 401)):
        headers = auth(tokens[who]) if who else {}
        denied = reader.post(
            "/api/v1/departments",
            json={"credit_code": NEW_DEPT, "name": {"zh": "某局"}},
            headers=headers,
        )
        assert_error(denied, status)


def test_renaming_a_department_in_chinese_only_removed_its_english_name(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """The page's English name is optional, and left empty it removed the department's
    English name from the new version; over the API, leaving `en` out did the same."""
    headers = auth(tokens["registrar"])
    before = client.get(f"/api/v1/departments/{BUREAU}").json()["name"]["en"]
    assert before
    for names in ({"zh": "沈阳市大数据管理局（一）"}, {"zh": "沈阳市大数据管理局（二）", "en": ""}):
        response = client.put(
            f"/api/v1/departments/{BUREAU}", json={"name": names}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["department"]["name"] == {"zh": names["zh"], "en": before}
