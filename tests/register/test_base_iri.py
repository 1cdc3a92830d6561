"""The base IRI is honoured (issue 16): seeded entries are minted under the configured
base, their /id/ pages dereference and no page links elsewhere; a store minted under
another base is refused with both bases named (exit 2), and `screg rebase` moves it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api import create_app
from registry.cli import main
from registry.config import Settings
from registry.register.base_iri import BaseMismatchError, stored_base
from registry.service import Registry

OWN = "http://testserver/id/"  # TestClient's own address
DEFAULT = "http://127.0.0.1:8000/id/"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.links


@pytest.fixture(scope="module")
def own_client(validator) -> TestClient:
    app = create_app(Settings(store="memory", base_iri=OWN), validator=validator)
    with TestClient(app) as client:
        yield client


def test_seeded_entries_are_minted_under_the_configured_base(own_client: TestClient) -> None:
    items = own_client.get("/api/v1/standards", params={"limit": 500}).json()["items"]
    assert items and all(i["iri"].startswith(OWN) for i in items)
    resource = own_client.get("/api/v1/resources/101001-000001").json()
    assert resource["iri"] == f"{OWN}resource/101001-000001"
    assert resource["publisher"]["iri"].startswith(OWN)


def test_every_page_dereferences_and_links_only_to_this_server(own_client: TestClient) -> None:
    html = {"Accept": "text/html"}
    seen: set[str] = set()
    queue = ["/", "/search?kind=standard", "/search?kind=resource", "/search?kind=interface"]
    entity_pages = 0
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = own_client.get(path, headers=html)
        assert response.status_code == 200, path
        assert DEFAULT not in response.text, f"{path} names the default base"
        assert "127.0.0.1:8000" not in response.text, path
        if path.startswith("/id/"):
            entity_pages += 1
        for link in links_of(response.text):
            target = urlsplit(urljoin(f"http://testserver{path}", link))
            # Vocabulary terms link to their own namespaces; entries only to this server.
            if "/id/" in target.path or target.netloc.startswith("127.0.0.1"):
                assert target.netloc == "testserver", f"{path} links to {link}"
            if target.path.startswith(("/id/", "/category/")) and not target.query:
                queue.append(target.path)
    # Every seeded standard, department, resource and interface page was reached.
    assert entity_pages >= 70, entity_pages


def test_turtle_of_an_entry_uses_the_base(own_client: TestClient) -> None:
    turtle = own_client.get(
        "/id/standard/GB-T-21063.3-2007", headers={"Accept": "text/turtle"}
    ).text
    assert "testserver/id/standard/GB-T-21063.3-2007" in turtle
    assert not re.search(r"127\.0\.0\.1:8000", turtle)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_store_of_another_base_is_refused_and_rebase_moves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = str(tmp_path / "store")
    assert run("history", "GB/T 21063.3-2007", "--store", store).exit_code == 0  # seeds
    monkeypatch.setenv("SCREG_BASE_IRI", OWN)
    refused = run("history", "GB/T 21063.3-2007", "--store", store)
    assert refused.exit_code == 2
    assert DEFAULT in refused.output and OWN in refused.output
    with pytest.raises(BaseMismatchError):
        Registry(Settings(store=store, base_iri=OWN)).store  # noqa: B018
    # screg serve refuses it before starting anything
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("the server started"))
    assert run("serve", "--store", store).exit_code == 2

    moved = run("rebase", "--to", OWN, "--store", store)
    assert moved.exit_code == 0, moved.output
    history = run("history", "GB/T 21063.3-2007", "--store", store, "--json")
    assert history.exit_code == 0, history.output
    assert f'"item": "{OWN}standard/GB-T-21063.3-2007"' in history.output
    assert DEFAULT not in history.output  # the versions' activities moved too
    with Registry(Settings(store=store, base_iri=OWN)) as registry:
        assert stored_base(registry.store) == OWN
        listed = registry.reader().search_standards(limit=500).items
        assert listed and all(i["iri"].startswith(OWN) for i in listed)
    monkeypatch.delenv("SCREG_BASE_IRI")
    assert run("history", "GB/T 21063.3-2007", "--store", store).exit_code == 2


def test_rebase_refuses_a_base_that_is_no_base(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert run("history", "GB/T 21063.3-2007", "--store", store).exit_code == 0
    result = run("rebase", "--to", "ftp://elsewhere", "--store", store)
    assert result.exit_code == 2 and "base IRI" in result.output


def test_a_process_left_running_through_a_rebase_minted_under_the_old_base(
    seeded_dump: bytes, validator
) -> None:
    """On a remote store any number of processes run; one left running while `screg
    rebase` moved the store went on writing under the old base (a probe's store ended
    with both). Every write checks the store's base under the store-wide lock: 409
    base_mismatch, and nothing written."""
    from registry.register.base_iri import rebase_store
    from registry.register.submission import REGISTRAR
    from registry.store import open_store

    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    with Registry(Settings(store="memory", seed=False), store=store, validator=validator) as left:
        item = "GB/T 21063.3-2007"  # found by its identifier, under either base
        left.change_status(item, "deprecated", REGISTRAR)  # writes before the rebase
        rebase_store(store, DEFAULT, OWN)  # another process's `screg rebase`
        generation = store.generation()
        with pytest.raises(BaseMismatchError) as refused:
            left.change_status(item, "valid", REGISTRAR)
        assert refused.value.status == 409 and OWN in refused.value.message.en
        assert store.generation() == generation
        assert stored_base(store) == OWN
