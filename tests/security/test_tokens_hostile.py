"""Hostile uses of tokens: guessing them, using one past its expiry or after it was
revoked (issue 17, point 7). Each must be refused at once, in the one error body."""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from api import create_app
from api.pages.forms import SESSION_COOKIE
from api.pages.render import CSRF_COOKIE
from api.ratelimit import FailedAuthLimiter
from registry.config import Settings
from registry.namespaces import SCS
from registry.register import tokens as token_module
from registry.register.tokens import (
    TOKEN_GRAPH,
    TOKEN_PREFIX,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
    token_sha256,
)
from registry.store import Store, WriteBatch
from tests.api.test_api import (  # noqa: F401 - fixtures
    MAX_BODY,
    TURTLE,
    api_store,
    app,
    assert_error,
    auth,
    resource_ttl,
    seeded_with_tokens,
    tokens,
)

ATTACKER = ("203.0.113.7", 40000)
SOMEONE_ELSE = ("198.51.100.20", 40001)
DEFAULT_LIMIT = Settings.model_fields["auth_max_failures"].default
WINDOW = Settings.model_fields["auth_failure_window_seconds"].default


@pytest.fixture
def attacker(app) -> Iterator[TestClient]:
    """A client at the attacker's address; the app's lifespan runs with it."""
    with TestClient(app, raise_server_exceptions=False, client=ATTACKER) as test_client:
        yield test_client


def _guess(n: int) -> str:
    return f"guessed-token-{n:04d}-{'x' * 30}"


def _as_admin_lists(client: TestClient, secret: str) -> int:
    return client.get("/api/v1/tokens", headers=auth(secret)).status_code


# -- guessing --------------------------------------------------------------------------------


def test_guessing_is_429_after_the_limit_and_a_right_guess_is_no_exception(
    app, attacker: TestClient, tokens: dict[str, str]
) -> None:
    assert DEFAULT_LIMIT == 10 and WINDOW == 60.0  # what docs/settings.md promises
    for n in range(DEFAULT_LIMIT):
        assert_error(attacker.get("/api/v1/tokens", headers=auth(_guess(n))), 401)
    refused = attacker.get("/api/v1/tokens", headers=auth(_guess(99)))
    error = assert_error(refused, 429, "too_many_requests")
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= WINDOW and error["details"] == {"retry_after": retry_after}
    # The right token from the blocked address is refused too: were it let through, the
    # 429s would only mark the wrong guesses and guessing would go on at full speed.
    assert_error(attacker.get("/api/v1/tokens", headers=auth(tokens["admin"])), 429)
    # A forwarded-for header is no way out: the app counts the address it was reached from.
    spoofed = {**auth(_guess(100)), "X-Forwarded-For": "192.0.2.1"}
    assert_error(attacker.get("/api/v1/tokens", headers=spoofed), 429)
    # Writes are refused the same way, and write nothing.
    submit = attacker.post(
        "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(tokens["bureau"])}
    )
    assert_error(submit, 429)
    # Public reads present no token and go on.
    assert attacker.get("/api/v1/categories").status_code == 200
    # Another address is not held back: its right token works, its wrong one is a 401.
    other = TestClient(app, raise_server_exceptions=False, client=SOMEONE_ELSE)
    assert _as_admin_lists(other, tokens["admin"]) == 200
    assert_error(other.get("/api/v1/tokens", headers=auth(_guess(1))), 401)


def test_the_limit_lifts_when_the_window_passes(
    app, attacker: TestClient, tokens: dict[str, str]
) -> None:
    now = [1000.0]
    app.state.auth_limiter = FailedAuthLimiter(3, 60.0, clock=lambda: now[0])
    for n in range(3):
        assert_error(attacker.get("/api/v1/tokens", headers=auth(_guess(n))), 401)
    first = attacker.get("/api/v1/tokens", headers=auth(_guess(3)))
    assert_error(first, 429)
    assert first.headers["Retry-After"] == "60"
    now[0] += 30.5
    later = attacker.get("/api/v1/tokens", headers=auth(tokens["admin"]))
    assert_error(later, 429)
    assert later.headers["Retry-After"] == "30"  # rounded up: waiting that long is enough
    now[0] += 29.5  # the window, counted from the first failure, has passed
    assert _as_admin_lists(attacker, tokens["admin"]) == 200
    # Counting starts again from nothing.
    for n in range(3):
        assert_error(attacker.get("/api/v1/tokens", headers=auth(_guess(n))), 401)
    assert_error(attacker.get("/api/v1/tokens", headers=auth(_guess(9))), 429)


def test_successes_are_never_limited_and_do_not_wipe_failures(
    attacker: TestClient, tokens: dict[str, str]
) -> None:
    for _ in range(3 * DEFAULT_LIMIT):
        assert _as_admin_lists(attacker, tokens["admin"]) == 200
    # A holder of one good token cannot reset its count with it between guesses.
    for n in range(DEFAULT_LIMIT - 1):
        assert_error(attacker.get("/api/v1/tokens", headers=auth(_guess(n))), 401)
        assert _as_admin_lists(attacker, tokens["admin"]) == 200
    assert_error(attacker.get("/api/v1/tokens", headers=auth(_guess(99))), 401)
    assert_error(attacker.get("/api/v1/tokens", headers=auth(tokens["admin"])), 429)


def test_guessing_through_the_sign_in_form_is_limited(attacker: TestClient) -> None:
    attacker.get("/register")
    csrf = attacker.cookies.get(CSRF_COOKIE)
    assert csrf
    for n in range(DEFAULT_LIMIT):
        page = attacker.post("/register/sign-in", data={"token": _guess(n), "csrf_token": csrf})
        assert page.status_code == 401, page.text[:500]
    refused = attacker.post("/register/sign-in", data={"token": _guess(99), "csrf_token": csrf})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")


def test_guessing_through_the_session_cookie_is_limited(attacker: TestClient) -> None:
    for n in range(DEFAULT_LIMIT):
        cookie = {"Cookie": f"{SESSION_COOKIE}={_guess(n)}"}
        page = attacker.get("/register", headers=cookie)
        assert page.status_code == 200  # signed out: the form to sign in again
    refused = attacker.get("/register", headers={"Cookie": f"{SESSION_COOKIE}=one-more"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_the_table_of_failures_stays_bounded() -> None:
    limiter = FailedAuthLimiter(1, 60.0, max_clients=100, clock=lambda: 0.0)
    for n in range(10_000):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100
    # The newest addresses are the ones remembered.
    assert limiter.retry_after("10.0.39.15") == 60 and limiter.retry_after("10.0.0.0") is None


# -- expired ---------------------------------------------------------------------------------


def _unknown_401(client: TestClient) -> dict:
    return assert_error(client.get("/api/v1/tokens", headers=auth("never-made")), 401)


def test_an_expired_token_is_refused_like_an_unknown_one(
    attacker: TestClient, api_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    info, secret = create_token(api_store, "admin", name="short", lifetime=timedelta(days=1))
    assert _as_admin_lists(attacker, secret) == 200
    expires = datetime.fromisoformat(info.expires or "")
    monkeypatch.setattr(token_module, "utcnow", lambda: expires + timedelta(seconds=1))
    expired = assert_error(attacker.get("/api/v1/tokens", headers=auth(secret)), 401)
    # The same body as a token never made: nothing tells a holder it was once good.
    assert expired == _unknown_401(attacker)
    assert authenticate(api_store, secret) is None
    (listed,) = [t for t in list_tokens(api_store) if t.id == info.id]
    assert listed.state == "expired" and not listed.active
    # The moment before its expiry it still worked.
    monkeypatch.setattr(token_module, "utcnow", lambda: expires - timedelta(seconds=1))
    assert authenticate(api_store, secret) is not None


def test_an_expired_token_cannot_sign_in_to_the_pages(
    attacker: TestClient, api_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    info, secret = create_token(api_store, "registrar", name="page", lifetime=timedelta(days=2))
    expires = datetime.fromisoformat(info.expires or "")
    monkeypatch.setattr(token_module, "utcnow", lambda: expires)
    attacker.get("/register")
    csrf = attacker.cookies.get(CSRF_COOKIE)
    page = attacker.post("/register/sign-in", data={"token": secret, "csrf_token": csrf})
    assert page.status_code == 401


@pytest.mark.parametrize(
    "stored",
    [
        # No time zone: it cannot be placed on the clock, so it fails closed.
        Literal("2999-01-01T00:00:00", datatype=XSD.dateTime),
        Literal("someday"),
    ],
)
def test_an_expiry_that_cannot_be_read_fails_closed(api_store: Store, stored: Literal) -> None:
    node = URIRef(TOKEN_PREFIX + "00000000beef")
    secret = "a-token-whose-expiry-is-unreadable-00000000"
    created = Literal("2026-01-01T00:00:00+00:00", datatype=XSD.dateTime)
    api_store.write(
        WriteBatch().add_triples(
            TOKEN_GRAPH,
            [
                (node, RDF.type, SCS.AccessToken),
                (node, SCS.role, Literal("admin")),
                (node, SCS.tokenSha256, Literal(token_sha256(secret))),
                (node, SCS.createdAt, created),
                (node, SCS.expiresAt, stored),
            ],
        )
    )
    assert authenticate(api_store, secret) is None


def test_a_token_cannot_be_made_already_expired(api_store: Store) -> None:
    from registry.errors import InputError

    for lifetime in (timedelta(0), timedelta(days=-1)):
        with pytest.raises(InputError):
            create_token(api_store, "admin", lifetime=lifetime)


# -- revoked ---------------------------------------------------------------------------------


def test_a_token_revoked_over_http_is_refused_on_the_very_next_request(
    attacker: TestClient, api_store: Store, tokens: dict[str, str]
) -> None:
    victim, secret = create_token(api_store, "admin", name="victim")
    assert _as_admin_lists(attacker, secret) == 200
    revoked = attacker.delete(f"/api/v1/tokens/{victim.id}", headers=auth(tokens["admin"]))
    assert revoked.status_code == 200, revoked.text
    assert assert_error(attacker.get("/api/v1/tokens", headers=auth(secret)), 401) == (
        _unknown_401(attacker)
    )
    # Its digest is gone from the store: a leaked store no longer knows it.
    assert token_sha256(secret) not in api_store.dump("nquads").decode()


def test_a_revoked_submitter_writes_nothing(
    attacker: TestClient, api_store: Store, tokens: dict[str, str]
) -> None:
    bureau = next(i for i in list_tokens(api_store) if i.name == "bureau")
    attacker.delete(f"/api/v1/tokens/{bureau.id}", headers=auth(tokens["admin"]))
    generation = api_store.generation()
    submit = attacker.post(
        "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(tokens["bureau"])}
    )
    assert_error(submit, 401, "unauthorized")
    assert api_store.generation() == generation


def test_a_revoked_token_signs_the_page_session_out_at_once(
    attacker: TestClient, api_store: Store, tokens: dict[str, str]
) -> None:
    victim, secret = create_token(api_store, "registrar", name="in a browser")
    attacker.get("/register")
    csrf = attacker.cookies.get(CSRF_COOKIE)
    signed = attacker.post(
        "/register/sign-in", data={"token": secret, "csrf_token": csrf}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert "in a browser" in attacker.get("/register").text
    revoke_token(api_store, victim.id)
    after = attacker.get("/register")
    assert after.status_code == 200 and "in a browser" not in after.text


def test_a_revocation_in_one_app_counts_at_once_in_another_over_the_same_store(
    api_store: Store, validator, tokens: dict[str, str]
) -> None:
    """Two API processes over one store, as behind a load balancer over a remote store:
    each reads the tokens from the store on every check, so neither keeps a revoked one."""
    settings = Settings(store="memory", seed=False, max_body_bytes=MAX_BODY)
    first = create_app(settings, store=api_store, validator=validator)
    second = create_app(settings, store=api_store, validator=validator)
    victim, secret = create_token(api_store, "admin", name="victim")
    with TestClient(first) as one, TestClient(second) as two:
        assert _as_admin_lists(two, secret) == 200
        assert one.delete(f"/api/v1/tokens/{victim.id}", headers=auth(tokens["admin"])).is_success
        assert_error(two.get("/api/v1/tokens", headers=auth(secret)), 401)
        # The command line's way (revoke_token on the store) counts at once as well.
        other, other_secret = create_token(api_store, "admin", name="other victim")
        assert _as_admin_lists(one, other_secret) == 200
        revoke_token(api_store, other.id)
        assert_error(one.get("/api/v1/tokens", headers=auth(other_secret)), 401)
        assert_error(two.get("/api/v1/tokens", headers=auth(other_secret)), 401)
