"""The administration pages. Tokens: an admin signed in on /register makes a token (its
secret shown on that one answer), expires and revokes tokens; anyone else is refused,
and each action is recorded with the admin (registry.register.tokens.token_actions).
Departments: a registrar adds and renames departments through the submit path.
Each test has a fresh app (`client`): signing in is a write (a page session).
"""
# ruff: noqa: F811 - the fixtures of tests/api/test_pages.py are imported by name

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from api.pages.tokens import TOKENS_PAGE
from registry.inputs.identifiers import credit_code_check_char
from registry.register.tokens import create_token, list_tokens, token_actions
from registry.store import Store
from tests.api.test_pages import (  # noqa: F401 - fixtures
    BUREAU,
    assert_page,
    client,
    csrf,
    dataset,
    page_store,
    reader,
    shared,
    sign_in,
    tokens,
)


def _admin(page_store: Store) -> str:
    return create_token(page_store, "admin", name="页面管理员")[1]


def test_an_admin_makes_a_token_and_sees_its_secret_once(
    client: TestClient, page_store: Store
) -> None:
    sign_in(client, _admin(page_store))
    page = client.get("/admin/tokens")
    assert_page(page)
    assert page.headers["cache-control"] == "no-store"
    assert "全部令牌" in page.text and "新建令牌" in page.text
    made = client.post(
        "/admin/tokens",
        data={
            "role": "submitter",
            "department": BUREAU,
            "name": "新部门令牌",
            "days": "30",
            "csrf_token": csrf(client, "/admin/tokens"),
        },
    )
    assert_page(made, 201)
    assert made.headers["cache-control"] == "no-store"
    secret = html.unescape(re.search(r'id="secret" value="([^"]+)"', made.text)[1])
    assert "只显示这一次" in made.text
    # It works at once, and the page does not show it again.
    assert client.get("/api/v1/reviews", headers={"Authorization": f"Bearer {secret}"}).is_success
    assert secret not in client.get("/admin/tokens").text
    info = next(t for t in list_tokens(page_store) if t.name == "新部门令牌")
    (action,) = token_actions(page_store, info.id)
    assert action["action"] == "create" and action["via_token"] is not None


def test_an_admin_expires_and_revokes_tokens_from_the_page(
    client: TestClient, page_store: Store, tokens: dict[str, str]
) -> None:
    sign_in(client, _admin(page_store))
    ids = {t.name: t.id for t in list_tokens(page_store)}
    target = ids["registrar"]
    for action, state in (("expire", "expired"), ("revoke", "revoked")):
        done = client.post(
            f"/admin/tokens/{target}/{action}",
            data={"csrf_token": csrf(client, "/admin/tokens")},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"].endswith(f"done={action}")
        assert next(t for t in list_tokens(page_store) if t.id == target).state == state
    assert [a["action"] for a in token_actions(page_store, target)][-2:] == ["expire", "revoke"]
    assert (
        client.get(
            "/api/v1/reviews", headers={"Authorization": f"Bearer {tokens['registrar']}"}
        ).status_code
        == 401
    )


def test_the_tokens_page_pages_through_every_token_with_the_true_total(
    client: TestClient, page_store: Store
) -> None:
    """It listed every token on one page; now TOKENS_PAGE a page, newest first, the
    total counting them all, and walking "next" shows each token exactly once."""
    sign_in(client, _admin(page_store))
    for n in range(TOKENS_PAGE + 3):
        create_token(page_store, "submitter", BUREAU, f"批量令牌{n}")
    every = {t.id for t in list_tokens(page_store)}
    assert len(every) > TOKENS_PAGE
    seen: list[str] = []
    path: str | None = "/admin/tokens"
    while path is not None:
        page = client.get(path)
        assert_page(page)
        assert f"全部令牌 ({len(every)})" in page.text
        assert f"共 {len(every)} 条" in page.text  # the pager's range, with the true total
        ids = re.findall(r"<tr>\s*<td><code>([^<]+)</code>", page.text)
        assert 0 < len(ids) <= TOKENS_PAGE
        seen += ids
        found = re.search(r'<a rel="next" href="([^"]+)"', page.text)
        path = html.unescape(found[1]) if found else None
    assert sorted(seen) == sorted(every)  # each one, once
    newest = list_tokens(page_store)[-1].id
    assert seen[0] == newest
    # Create and revoke still work with the pager there.
    assert 'name="csrf_token"' in client.get("/admin/tokens?offset=50").text
    target = list_tokens(page_store)[0].id
    done = client.post(
        f"/admin/tokens/{target}/revoke",
        data={"csrf_token": csrf(client, "/admin/tokens?offset=50")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert next(t for t in list_tokens(page_store) if t.id == target).state == "revoked"


def test_a_bad_offset_on_the_tokens_page_is_a_400_page(
    client: TestClient, page_store: Store
) -> None:
    sign_in(client, _admin(page_store))
    for offset in ("x", "-1", "1.5", "10000000000"):
        page = client.get("/admin/tokens", params={"offset": offset})
        assert_page(page, 400)
        assert "offset 须为 0 到" in page.text
        assert "新建令牌" in page.text  # the form is still there


def test_the_tokens_page_is_for_admins_only(
    client: TestClient, page_store: Store, tokens: dict[str, str]
) -> None:
    assert_page(client.get("/admin/tokens"), 401)
    sign_in(client, tokens["registrar"])  # a write: the session (registry.register.sessions)
    generation = page_store.generation()
    refused = client.get("/admin/tokens")
    assert_page(refused, 403)
    assert "仅管理员" in refused.text and "全部令牌" not in refused.text
    posted = client.post(
        "/admin/tokens",
        data={"role": "admin", "csrf_token": csrf(client, "/register")},
    )
    assert_page(posted, 403)
    # Without the form's CSRF field nothing is made either.
    assert_page(client.post("/admin/tokens", data={"role": "admin"}), 403)
    assert page_store.generation() == generation  # the refusals wrote nothing


# -- the departments page -------------------------------------------------------------------


def test_a_registrar_adds_and_renames_a_department_on_the_page(
    client: TestClient, page_store: Store, tokens: dict[str, str]
) -> None:
    code = "11210100EXAMPLE97" + credit_code_check_char("11210100EXAMPLE97")
    sign_in(client, tokens["registrar"])
    assert_page(client.get("/admin/departments"))
    added = client.post(
        "/admin/departments",
        data={
            "action": "add",
            "credit_code": code,
            "name_zh": "沈阳市页面测试局",
            "csrf_token": csrf(client, "/admin/departments"),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert client.get(f"/api/v1/departments/{code}").json()["name"]["zh"] == "沈阳市页面测试局"
    renamed = client.post(
        "/admin/departments",
        data={
            "action": "update",
            "credit_code": code,
            "name_zh": "沈阳市页面测试局（新）",
            "name_en": "Page Test Bureau",
            "csrf_token": csrf(client, "/admin/departments"),
        },
    )
    assert_page(renamed)  # followed to the page
    assert "部门名称已更新" in renamed.text
    body = client.get(f"/api/v1/departments/{code}").json()
    assert body["name"] == {"zh": "沈阳市页面测试局（新）", "en": "Page Test Bureau"}
    assert body["register"]["version"] == 2
    # A wrong check character is the report's messages, and nothing is written.
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    refused = client.post(
        "/admin/departments",
        data={
            "action": "add",
            "credit_code": wrong,
            "name_zh": "错误",
            "csrf_token": csrf(client, "/admin/departments"),
        },
    )
    assert_page(refused, 422)
    assert "<li>" in refused.text.split('class="messages"')[1]
    assert client.get(f"/api/v1/departments/{wrong}").status_code == 404


def test_the_departments_page_is_for_registrars(
    client: TestClient, page_store: Store, tokens: dict[str, str]
) -> None:
    assert_page(client.get("/admin/departments"), 401)
    sign_in(client, tokens["bureau"])  # a write: the session (registry.register.sessions)
    generation = page_store.generation()
    assert_page(client.get("/admin/departments"), 403)
    posted = client.post(
        "/admin/departments",
        data={
            "action": "add",
            "credit_code": "x",
            "name_zh": "x",
            "csrf_token": csrf(client, "/register"),
        },
    )
    assert_page(posted, 403)
    assert page_store.generation() == generation  # the refusals wrote nothing
