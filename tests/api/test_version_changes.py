"""What a version changed: the history named each version, who made it and when, but
not what it changed, and a bureau engineer compared two pages by eye. The API, a
version's page and `screg history --changes` say it now (registry/register/versions.py).
"""

# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name
from __future__ import annotations

import json

from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import Graph

from api.i18n import LANG_COOKIE
from registry.cli import main
from registry.store import Store
from tests.api.test_api import (  # noqa: F401  (fixtures)
    BASE,
    TURTLE,
    api_store,
    app,
    assert_error,
    auth,
    client,
    resource_ttl,
    seeded_with_tokens,
    tokens,
)

RESOURCE = f"{BASE}resource/109001-000001"
CHANGES = "/api/v1/items/109001-000001/versions/{n}/changes"


def _submit(client: TestClient, secret: str, title: str) -> None:
    answer = client.post(
        "/api/v1/submissions", content=resource_ttl(title), headers={**TURTLE, **auth(secret)}
    )
    assert answer.status_code == 201, answer.text


def _two_versions(client: TestClient, tokens: dict[str, str]) -> None:
    _submit(client, tokens["bureau"], "测试资源")
    _submit(client, tokens["bureau"], "改过的名称")


def test_a_version_names_the_statements_it_added_and_removed(
    client: TestClient, tokens: dict[str, str]
) -> None:
    _two_versions(client, tokens)
    answer = client.get(CHANGES.format(n=2))
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert (changed["item"], changed["version"], changed["against"]) == (RESOURCE, 2, 1)
    assert (changed["added_count"], changed["removed_count"]) == (1, 1)
    (added,), (removed,) = changed["added"], changed["removed"]
    title = "<http://purl.org/dc/terms/title>"
    assert added == f'<{RESOURCE}> {title} "改过的名称"@zh .'
    assert removed == f'<{RESOURCE}> {title} "测试资源"@zh .'
    # The lines are N-Triples: a program reads them as triples.
    assert len(Graph().parse(data=added, format="nt")) == 1


def test_the_first_version_adds_everything_it_holds(
    client: TestClient, tokens: dict[str, str]
) -> None:
    _submit(client, tokens["bureau"], "测试资源")
    changed = client.get(CHANGES.format(n=1)).json()
    whole = Graph().parse(
        data=client.get(
            "/id/resource/109001-000001/version/1", headers={"Accept": "application/n-triples"}
        ).text,
        format="nt",
    )
    assert changed["against"] is None and changed["removed_count"] == 0
    assert changed["added_count"] == len(changed["added"]) > 10
    assert len(whole) >= changed["added_count"]


def test_a_status_change_changes_no_statement(client: TestClient, tokens: dict[str, str]) -> None:
    answer = client.post(
        "/api/v1/items/GB-T-21063.3-2007/status",
        json={"status": "deprecated", "reason": "测试"},
        headers=auth(tokens["registrar"]),
    )
    assert answer.status_code == 200, answer.text
    changed = client.get("/api/v1/items/GB-T-21063.3-2007/versions/2/changes").json()
    assert (changed["against"], changed["added"], changed["removed"]) == (1, [], [])


def test_a_version_not_there_is_404_and_a_bad_number_422(client: TestClient) -> None:
    assert_error(client.get("/api/v1/items/GB-T-21063.3-2007/versions/2/changes"), 404)
    assert_error(client.get("/api/v1/items/nothing-here/versions/1/changes"), 404)
    for bad in ("0", "x", "-1"):
        assert_error(client.get(f"/api/v1/items/GB-T-21063.3-2007/versions/{bad}/changes"), 422)


def test_a_versions_page_shows_what_it_changed_in_both_languages(
    client: TestClient, tokens: dict[str, str]
) -> None:
    _two_versions(client, tokens)
    page = client.get("/id/resource/109001-000001/version/2", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "与第 1 版相比的变更" in page.text
    assert "改过的名称" in page.text and "测试资源" in page.text
    assert "新增" in page.text and "删除" in page.text
    english = client.get(
        "/id/resource/109001-000001/version/2",
        headers={"Accept": "text/html"},
        cookies={LANG_COOKIE: "en"},
    )
    assert "Changes from version 1" in english.text and "Removed" in english.text
    first = client.get("/id/resource/109001-000001/version/1", headers={"Accept": "text/html"})
    assert "首个版本" in first.text
    # The entry's own page (its current version) has its history, not a difference.
    entry = client.get("/id/resource/109001-000001", headers={"Accept": "text/html"})
    assert "与第 1 版相比的变更" not in entry.text


def test_screg_history_changes_prints_them(
    client: TestClient, tokens: dict[str, str], api_store: Store, tmp_path
) -> None:
    _two_versions(client, tokens)
    dump = tmp_path / "registry.nq"
    dump.write_bytes(api_store.dump("nquads"))
    store = tmp_path / "store"
    runner = CliRunner()
    loaded = runner.invoke(main, ["import", str(dump), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    shown = runner.invoke(
        main, ["history", "109001/000001", "--changes", "2", "--store", str(store)]
    )
    assert shown.exit_code == 0, shown.output
    assert "- <" in shown.output and '"测试资源"@zh .' in shown.output
    assert "+ <" in shown.output and '"改过的名称"@zh .' in shown.output
    as_json = runner.invoke(
        main, ["history", "109001/000001", "--changes", "2", "--json", "--store", str(store)]
    )
    assert json.loads(as_json.output)["added_count"] == 1
    missing = runner.invoke(
        main, ["history", "109001/000001", "--changes", "3", "--store", str(store)]
    )
    assert missing.exit_code == 2 and "has no version 3" in missing.output
