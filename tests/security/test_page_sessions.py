"""The pages' session cookie is a session of its own, not the token (registry.register.
sessions). It held the token itself: signing out deleted only that browser's cookie,
and a copy of it went on signing in, and served as a bearer token for the API, until
the token expired a year later."""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.pages.forms import SESSION_COOKIE
from api.pages.render import CSRF_COOKIE
from registry.register import tokens as token_module
from registry.register.sessions import open_session, session_principal
from registry.register.tokens import TOKEN_GRAPH, authenticate, revoke_token, token_sha256
from registry.store import Store
from tests.api.test_api import (  # noqa: F401 - fixtures
    api_store,
    app,
    assert_error,
    auth,
    seeded_with_tokens,
    tokens,
)

SIGNED_IN = 'class="who"'


@pytest.fixture
def browser(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _sign_in(client: TestClient, token: str) -> str:
    """Sign in through the form; the session cookie the browser got."""
    client.get("/register")
    answer = client.post(
        "/register/sign-in",
        data={"token": token, "csrf_token": client.cookies[CSRF_COOKIE]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    return client.cookies[SESSION_COOKIE]


def _page_as(app, cookie: str) -> str:
    """/register as another browser holding a copy of `cookie`."""
    # Not entered: the app's lifespan is the first browser's, and a second one would
    # close the store as it ends.
    other = TestClient(app, raise_server_exceptions=False)
    other.cookies.set(SESSION_COOKIE, cookie)
    return other.get("/register").text


def test_the_cookie_holds_a_session_not_the_token(
    app, browser: TestClient, api_store: Store, tokens: dict[str, str]
) -> None:
    cookie = _sign_in(browser, tokens["bureau"])
    assert cookie != tokens["bureau"]
    assert SIGNED_IN in browser.get("/register").text
    # Only its digest is kept, beside the token it stands for.
    stored = {str(o) for _s, _p, o in api_store.match(TOKEN_GRAPH)}
    assert cookie not in stored and token_sha256(cookie) in stored
    # A copied cookie is no bearer token for the API.
    assert_error(browser.get("/api/v1/tokens", headers=auth(cookie)), 401)


def test_a_copied_cookie_stops_working_when_its_browser_signs_out(
    app, browser: TestClient, tokens: dict[str, str]
) -> None:
    cookie = _sign_in(browser, tokens["bureau"])
    assert SIGNED_IN in _page_as(app, cookie)
    out = browser.post(
        "/register/sign-out",
        data={"csrf_token": browser.cookies[CSRF_COOKIE]},
        follow_redirects=False,
    )
    assert out.status_code == 303
    assert SIGNED_IN not in _page_as(app, cookie)
    # The token itself still signs in again.
    _sign_in(browser, tokens["bureau"])
    assert SIGNED_IN in browser.get("/register").text


def test_a_session_ends_with_its_token(
    app, browser: TestClient, api_store: Store, tokens: dict[str, str]
) -> None:
    cookie = _sign_in(browser, tokens["bureau"])
    principal = authenticate(api_store, tokens["bureau"])
    assert principal is not None and principal.token is not None
    revoke_token(api_store, str(principal.token))
    assert SIGNED_IN not in _page_as(app, cookie)
    assert session_principal(api_store, cookie) is None


def test_a_session_expires_after_session_hours(
    api_store: Store, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    principal = authenticate(api_store, tokens["bureau"])
    assert principal is not None
    secret = open_session(api_store, principal, timedelta(hours=12))
    assert session_principal(api_store, secret) == principal
    start = token_module.utcnow()
    monkeypatch.setattr(token_module, "utcnow", lambda: start + timedelta(hours=11, minutes=59))
    assert session_principal(api_store, secret) == principal
    monkeypatch.setattr(token_module, "utcnow", lambda: start + timedelta(hours=12, seconds=1))
    assert session_principal(api_store, secret) is None
    # The next sign-in, of any token, removes the expired session's record.
    open_session(api_store, principal)
    digests = {str(o) for _s, _p, o in api_store.match(TOKEN_GRAPH)}
    assert token_sha256(secret) not in digests


def test_the_cookie_lasts_as_long_as_the_session(
    browser: TestClient, tokens: dict[str, str]
) -> None:
    browser.get("/register")
    answer = browser.post(
        "/register/sign-in",
        data={"token": tokens["bureau"], "csrf_token": browser.cookies[CSRF_COOKIE]},
        follow_redirects=False,
    )
    assert "Max-Age=43200" in answer.headers["set-cookie"]
