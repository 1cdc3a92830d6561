"""HTTP caching (api/caching.py): every read that follows the store carries an ETag made
of the store generation and what selects the representation; a GET that sends it back
gets 304 without the handler running, until a write moves the generation.

Through create_app on a seeded store of the back end under test (`open_seeded`), as the
other API tests: the tests that only read on one app per module (`reader`), those that
write or change the store on a fresh one each (`client`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import GRAPH_THREAD, create_app
from api.caching import none_match
from api.i18n import LANG_COOKIE
from api.pages.forms import SESSION_COOKIE
from api.pages.render import CSRF_COOKIE
from registry.bilingual import Text
from registry.config import Settings
from registry.read import conformity
from registry.read.model import ReadModel
from registry.register.sessions import open_session
from registry.register.submission import REGISTRAR
from registry.register.tokens import authenticate, create_token
from registry.service import Registry
from registry.store import Store, StoreError
from tests import documents
from tests.conftest import dump_after, shared_app

BASE = "http://127.0.0.1:8000/id/"
BUREAU = "11210100EXAMPLE01N"  # the department of examples/catalogue-valid.ttl
STANDARD = f"{BASE}standard/GB-T-21063.3-2007"
LOOKUP = "/api/v1/standards/GB%2FT%2021063.3-2007"
ENTITY = "/id/standard/GB-T-21063.3-2007"
TURTLE = {"Content-Type": "text/turtle"}


def _make_tokens(store: Store) -> dict[str, str]:
    return {
        "bureau": create_token(store, "submitter", BUREAU, "bureau")[1],
        "registrar": create_token(store, "registrar", name="registrar")[1],
    }


@pytest.fixture(scope="module")
def seeded_with_tokens(seeded_dump: bytes) -> tuple[bytes, dict[str, str]]:
    """The seeded examples and the tests' tokens, made once per module (a shared server
    keeps them loaded while no test writes)."""
    return dump_after(seeded_dump, _make_tokens)


@pytest.fixture
def api_store(open_seeded, seeded_with_tokens: tuple[bytes, dict[str, str]]) -> Store:
    """The seeded examples on the back end under test; the app closes it on shutdown."""
    return open_seeded(seeded_with_tokens[0])


@pytest.fixture
def tokens(seeded_with_tokens: tuple[bytes, dict[str, str]]) -> dict[str, str]:
    return seeded_with_tokens[1]


def _app(store: Store, validator):
    return create_app(Settings(store="memory", seed=False), store=store, validator=validator)


@pytest.fixture
def client(api_store: Store, validator, tokens: dict[str, str]) -> Iterator[TestClient]:
    """A fresh seeded store and app: for the tests that write (or change the store).
    Given once the graph's assembly that the app starts in the background has ended:
    it reads the store's generation too, which tests here count or make fail (it took
    the one failure of `test_a_store_error_reading_the_generation_skips_caching` on a
    busy machine)."""
    with TestClient(_app(api_store, validator), raise_server_exceptions=False) as test_client:
        for thread in threading.enumerate():
            if thread.name == GRAPH_THREAD:
                thread.join(timeout=120)
        yield test_client


# One app for the module's tests that only read (tests/conftest.py shared_app).
shared, reader = shared_app("seeded_with_tokens", _app)


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def tag_of(client: TestClient, path: str, **headers: str) -> str:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.headers["etag"]


def assert_not_modified(answer: Any, etag: str) -> None:
    assert answer.status_code == 304, answer.text
    assert answer.content == b""
    assert answer.headers["etag"] == etag
    assert answer.headers["cache-control"] == "no-cache"
    assert "content-length" not in answer.headers or answer.headers["content-length"] == "0"


def assert_untagged(answer: Any) -> None:
    assert "etag" not in answer.headers
    assert answer.headers.get("cache-control") != "no-cache"


# -- tags and revalidation -------------------------------------------------------------------


def test_a_lookup_answers_with_an_etag(reader: TestClient) -> None:
    answer = reader.get(LOOKUP)
    assert answer.status_code == 200
    generation = reader.app.state.registry.store.generation()
    assert answer.headers["etag"].startswith(f'W/"{generation}-')
    assert answer.headers["cache-control"] == "no-cache"
    vary = [v.strip() for v in answer.headers["vary"].split(",")]
    assert {"Accept", "Accept-Language", "Cookie"} <= set(vary)
    assert len(vary) == len({v.lower() for v in vary})  # the route's own Vary merged, once


def test_the_same_get_with_its_etag_is_304_without_the_handler(
    reader: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    etag = tag_of(reader, LOOKUP)
    built: list[str] = []
    entry = ReadModel.entry

    def counting(model: ReadModel, kind: str, ident: str) -> dict[str, Any]:
        built.append(ident)
        return entry(model, kind, ident)

    monkeypatch.setattr(ReadModel, "entry", counting)
    again = reader.get(LOOKUP, headers={"If-None-Match": etag})
    assert_not_modified(again, etag)
    assert "Cookie" in again.headers["vary"]
    assert built == []
    # Without the tag the answer is built again, with the same tag.
    assert reader.get(LOOKUP).headers["etag"] == etag and built


@pytest.mark.parametrize(
    "path",
    [
        LOOKUP,
        "/api/v1/standards?limit=3",
        ENTITY,
        "/sparql?query=ASK%20%7B%7D",
        "/api/v1/changes?after=1&limit=2",
    ],
)
def test_every_kind_of_read_revalidates(reader: TestClient, path: str) -> None:
    etag = tag_of(reader, path)
    assert_not_modified(reader.get(path, headers={"If-None-Match": etag}), etag)


def test_a_page_revalidates_once_the_visitor_has_its_csrf_cookie(reader: TestClient) -> None:
    reader.cookies.clear()
    first = reader.get("/search?q=GB")
    assert first.status_code == 200 and CSRF_COOKIE in first.headers["set-cookie"]
    assert_untagged(first)  # it sets the cookie its forms carry
    assert CSRF_COOKIE in reader.cookies
    etag = tag_of(reader, "/search?q=GB")
    assert_not_modified(reader.get("/search?q=GB", headers={"If-None-Match": etag}), etag)


def write_via_api_status(client: TestClient, tokens: dict[str, str]) -> None:
    changed = client.post(
        "/api/v1/items/GB%2FT%2021063.3-2007/status",
        json={"status": "deprecated", "reason": "replaced"},
        headers=auth(tokens["registrar"]),
    )
    assert changed.status_code == 200, changed.text


def write_via_registry(client: TestClient, tokens: dict[str, str]) -> None:
    registry: Registry = client.app.state.registry
    registry.change_status(STANDARD, "deprecated", REGISTRAR, reason="replaced")


def write_via_submission(client: TestClient, tokens: dict[str, str]) -> None:
    body = documents.resource_ttl("109001/000001", title="测试资源", description="测试。")
    made = client.post(
        "/api/v1/submissions", content=body, headers={**TURTLE, **auth(tokens["bureau"])}
    )
    assert made.status_code == 201, made.text


@pytest.mark.parametrize(
    "write",
    [write_via_api_status, write_via_registry, write_via_submission],
    ids=["status change over the API", "Registry.change_status", "submission"],
)
def test_a_write_changes_every_etag(
    client: TestClient,
    tokens: dict[str, str],
    write: Callable[[TestClient, dict[str, str]], None],
) -> None:
    # The change feed too: its first page, and the last one, which the write extends.
    latest = client.get("/api/v1/changes?limit=1000").json()["next"]
    feed = ["/api/v1/changes?limit=2", f"/api/v1/changes?after={latest}"]
    paths = [LOOKUP, "/api/v1/standards?limit=3", ENTITY, "/api/v1/categories", *feed]
    before = {path: tag_of(client, path) for path in paths}
    write(client, tokens)
    for path, etag in before.items():
        after = client.get(path, headers={"If-None-Match": etag})
        assert after.status_code == 200, path
        assert after.content
        assert after.headers["etag"] != etag, path
        assert_not_modified(
            client.get(path, headers={"If-None-Match": after.headers["etag"]}),
            after.headers["etag"],
        )


def test_what_selects_the_representation_selects_the_tag(reader: TestClient) -> None:
    turtle = tag_of(reader, ENTITY, accept="text/turtle")
    jsonld = tag_of(reader, ENTITY, accept="application/ld+json")
    assert turtle != jsonld
    # Each revalidates only its own representation.
    answer = reader.get(ENTITY, headers={"Accept": "application/ld+json", "If-None-Match": turtle})
    assert answer.status_code == 200 and answer.headers["etag"] == jsonld
    # Another query string is another answer.
    three = tag_of(reader, "/api/v1/standards?limit=3")
    four = tag_of(reader, "/api/v1/standards?limit=4")
    assert three != four
    assert reader.get("/api/v1/standards?limit=4", headers={"If-None-Match": three}).content
    # Another host: the impact page links its pages by absolute URL.
    assert tag_of(reader, LOOKUP, host="registry.example") != tag_of(reader, LOOKUP)
    # The page's language, by cookie or Accept-Language.
    reader.get("/")  # the CSRF cookie, so pages are tagged
    zh = tag_of(reader, "/")
    reader.cookies.set(LANG_COOKIE, "en")
    en = tag_of(reader, "/")
    assert zh != en
    assert tag_of(reader, "/", **{"accept-language": "zh-CN"}) != en


def test_a_list_of_tags_star_and_weak_comparison(reader: TestClient) -> None:
    etag = tag_of(reader, LOOKUP)
    opaque = etag.removeprefix("W/")
    for condition in (f'"nothing", {etag}', f'W/"a,b", {etag} , "c"', opaque, "*", " * "):
        assert_not_modified(reader.get(LOOKUP, headers={"If-None-Match": condition}), etag)
    for condition in ('"nothing"', 'W/"0-0"', etag.replace('"', "")):
        answer = reader.get(LOOKUP, headers={"If-None-Match": condition})
        assert answer.status_code == 200 and answer.headers["etag"] == etag
    # `*` matches a representation that exists, never a 404.
    missing = reader.get("/api/v1/standards/GB%2FT%2099999-2099", headers={"If-None-Match": "*"})
    assert missing.status_code == 404 and missing.json()["error"]


def test_none_match() -> None:
    assert none_match('W/"1-ab"', 'W/"1-ab"')
    assert none_match('"1-ab"', 'W/"1-ab"')
    assert none_match('"x", W/"1-ab"', 'W/"1-ab"')
    assert not none_match('W/"1-abc"', 'W/"1-ab"')
    assert not none_match("1-ab", 'W/"1-ab"')
    assert not none_match("*", 'W/"1-ab"')
    # A header that is no list of tags matched the tags found in it.
    assert not none_match('W/"1-ab"xx', 'W/"1-ab"')
    assert not none_match('junk W/"1-ab"', 'W/"1-ab"')
    assert not none_match('W/"1-ab" "x"', 'W/"1-ab"')
    assert none_match(' W/"1-ab" , ', 'W/"1-ab"')


# -- never tagged ------------------------------------------------------------------------------


def test_writes_and_errors_carry_no_etag(reader: TestClient, tokens: dict[str, str]) -> None:
    etag = tag_of(reader, LOOKUP)
    validated = reader.post(
        "/api/v1/validate",
        content=documents.resource_ttl("109001/000001", title="测试资源", description="测试。"),
        headers={**TURTLE, "If-None-Match": etag},
    )
    assert validated.status_code == 200
    assert_untagged(validated)
    queried = reader.post("/sparql", data={"query": "ASK {}"})
    assert queried.status_code == 200
    assert_untagged(queried)
    for path in ("/api/v1/standards/GB%2FT%2099999-2099", "/id/standard/nothing-here"):
        missing = reader.get(path, headers={"If-None-Match": etag})
        assert missing.status_code == 404
        assert_untagged(missing)
    refused = reader.get("/api/v1/standards?limit=0")
    assert refused.status_code == 422
    assert_untagged(refused)
    # HEAD is the GET without its body: revalidated as the GET is.
    assert_not_modified(reader.head(LOOKUP, headers={"If-None-Match": etag}), etag)


def test_a_request_with_credentials_is_never_cached(
    client: TestClient, tokens: dict[str, str]
) -> None:
    etag = tag_of(client, LOOKUP)
    with_token = client.get(LOOKUP, headers={**auth(tokens["registrar"]), "If-None-Match": etag})
    assert with_token.status_code == 200 and with_token.content
    assert_untagged(with_token)
    client.get("/")  # the CSRF cookie, so only the session cookie differs
    page_etag = tag_of(client, "/register")
    # Opening a session is a write (registry.register.sessions): the writing client.
    store = client.app.state.registry.store
    session = open_session(store, authenticate(store, tokens["registrar"]))
    client.cookies.set(SESSION_COOKIE, session)
    signed_in = client.get("/register", headers={"If-None-Match": page_etag})
    assert signed_in.status_code == 200 and signed_in.content
    assert_untagged(signed_in)


def test_a_page_that_sets_the_csrf_cookie_has_no_etag(reader: TestClient) -> None:
    reader.cookies.clear()
    for path in ("/", "/validate", ENTITY):
        answer = reader.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 200 and CSRF_COOKIE in answer.headers["set-cookie"]
        assert_untagged(answer)
        reader.cookies.clear()
    # Another visitor's CSRF cookie is another page: its forms carry that token.
    reader.cookies.set(CSRF_COOKIE, "a" * 43)
    mine = tag_of(reader, "/validate")
    reader.cookies.set(CSRF_COOKIE, "b" * 43)
    assert tag_of(reader, "/validate") != mine


def test_a_job_status_is_never_cached(reader: TestClient) -> None:
    """A job's status lives in this process and moves without a write."""
    assert tag_of(reader, "/api/v1/categories")  # the reads beside it are tagged
    made = reader.post(
        "/api/v1/validate?job=true",
        content=documents.resource_ttl("109001/000001", title="测试资源", description="测试。"),
        headers=TURTLE,
    )
    assert made.status_code == 202, made.text
    status = reader.get(made.headers["location"])
    assert status.status_code == 200
    assert_untagged(status)


def test_a_sparql_query_that_calls_now_is_never_cached(reader: TestClient) -> None:
    assert tag_of(reader, "/sparql?query=ASK%20%7B%7D")  # a query without them is tagged
    answer = reader.get("/sparql", params={"query": "SELECT (NOW() AS ?t) {}"})
    assert answer.status_code == 200, answer.text
    assert "etag" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"


def test_static_files_and_the_api_description_are_left_alone(reader: TestClient) -> None:
    """StaticFiles revalidates with its own ETag and Last-Modified; /openapi.json follows
    the code, not the store."""
    assert tag_of(reader, "/api/v1/categories")
    style = reader.get("/static/style.css")
    assert style.status_code == 200
    assert not style.headers["etag"].startswith("W/")
    assert "cache-control" not in style.headers
    assert_untagged(reader.get("/openapi.json"))


# -- the generation read ------------------------------------------------------------------------


def test_a_store_error_reading_the_generation_skips_caching(
    client: TestClient, api_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    generation = api_store.generation
    failures = iter([StoreError(Text(zh="存储无法访问", en="the store is unreachable"))])

    def failing_once() -> int:
        error = next(failures, None)
        if error is not None:
            raise error
        return generation()

    monkeypatch.setattr(api_store, "generation", failing_once)
    answer = client.get(LOOKUP)
    assert answer.status_code == 200 and answer.json()["iri"] == STANDARD
    assert_untagged(answer)
    assert "etag" in client.get(LOOKUP).headers


def test_a_remote_store_generation_is_read_off_the_event_loop(
    client: TestClient, api_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remote store's generation is a round trip: read in a worker thread. A 304 runs
    no handler, so every read during it is the middleware's."""
    etag = tag_of(client, LOOKUP)
    generation = api_store.generation
    on_loop: list[bool] = []

    def recording() -> int:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return generation()

    monkeypatch.setattr(api_store, "in_process", False)
    monkeypatch.setattr(api_store, "generation", recording)
    assert_not_modified(client.get(LOOKUP, headers={"If-None-Match": etag}), etag)
    assert on_loop == [False]


def test_a_conformity_answer_from_yesterday_was_still_304_today(
    reader: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conformity answers count what expired by today and say as of when; their tag
    had no date in it, so a client revalidating after midnight kept yesterday's."""
    today = conformity.today_utc()
    paths = ["/api/v1/conformity", LOOKUP, "/"]
    reader.get("/")  # the CSRF cookie, so the home page is tagged
    tags = {path: tag_of(reader, path) for path in paths}
    for path, tag in tags.items():
        assert_not_modified(reader.get(path, headers={"If-None-Match": tag}), tag)
    tomorrow = today + timedelta(days=1)
    monkeypatch.setattr(conformity, "today_utc", lambda: tomorrow)
    for path, tag in tags.items():
        answer = reader.get(path, headers={"If-None-Match": tag})
        assert answer.status_code == 200, path
        assert answer.headers["etag"] != tag
