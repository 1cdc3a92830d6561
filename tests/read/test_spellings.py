"""Every spelling of an identifier finds its entry, on every way a person asks: the
REST API, the CLI, and a clerk's spreadsheet (issue 16: `GBT 22239-2019` was read as a
prefix "GBT", `GB T 21063.3-2007` and the undated `GB/T 21063.3` were not found, and
`screg show 101001-000001` said nothing was registered)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api import create_app
from registry.cli import main
from registry.config import Settings
from registry.errors import NotFoundError
from registry.inputs.document import Document
from registry.read import queries
from registry.service import Registry
from registry.store import open_store

BASE = "http://127.0.0.1:8000/id/"
GB_21063 = f"{BASE}standard/GB-T-21063.3-2007"
GB_22239 = f"{BASE}standard/GB-T-22239-2019"
GB_35273_2020 = f"{BASE}standard/GB-T-35273-2020"
RESOURCE = f"{BASE}resource/101001-000001"

# (what a person types, the entry it names)
SPELLINGS = [
    ("GB/T 21063.3-2007", GB_21063),
    ("GB T 21063.3-2007", GB_21063),
    ("GBT 21063.3-2007", GB_21063),
    ("gbt21063.3—2007", GB_21063),
    ("GB／T 21063.3-2007", GB_21063),
    ("ＧＢ／Ｔ　２１０６３．３－２００７", GB_21063),
    ("GB-T-21063.3-2007", GB_21063),
    ("GBT 22239-2019", GB_22239),
    ("GB/T 21063.3", GB_21063),  # undated: the edition in force
    ("GB T 35273", GB_35273_2020),  # undated: 2020 replaced 2017
    ("101001/000001", RESOURCE),
    ("101001-000001", RESOURCE),  # the slug the REST API accepts
    (RESOURCE, RESOURCE),
]


@pytest.fixture(scope="module")
def client(validator) -> TestClient:
    app = create_app(Settings(store="memory"), validator=validator)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize(("typed", "iri"), SPELLINGS)
def test_rest_finds_every_spelling(client: TestClient, typed: str, iri: str) -> None:
    kind = "resources" if "/resource/" in iri else "standards"
    response = client.get(f"/api/v1/{kind}/{quote(typed, safe='')}")
    assert response.status_code == 200, response.text
    assert response.json()["iri"] == iri


def test_an_undated_lookup_lists_every_edition(client: TestClient) -> None:
    answer = client.get("/api/v1/standards/GB%2FT%2035273").json()
    assert answer["identifier"] == "GB/T 35273-2020"
    assert [(e["identifier"], e["status"], e["replaced"]) for e in answer["editions"]] == [
        ("GB/T 35273-2017", "superseded", True),
        ("GB/T 35273-2020", "current", False),
    ]
    assert all(client.get(e["href"]).status_code == 200 for e in answer["editions"])
    # A dated lookup answers the edition alone.
    assert "editions" not in client.get("/api/v1/standards/GBT%2035273-2017").json()
    assert client.get("/api/v1/standards/GB%2FT%2099999").status_code == 404


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, seeded_dump: bytes) -> str:
    path = tmp_path_factory.mktemp("spellings") / "store"
    with open_store(str(path)) as store:
        store.load_dump(seeded_dump, "nquads")
    return str(path)


@pytest.mark.parametrize(("typed", "iri"), SPELLINGS)
def test_cli_finds_every_spelling(store_path: str, typed: str, iri: str) -> None:
    result = CliRunner().invoke(main, ["history", typed, "--store", store_path, "--json"])
    assert result.exit_code == 0, result.output
    assert f'"item": "{iri}"' in result.output


def test_a_status_change_names_an_edition(store_path: str) -> None:
    """A write never picks an edition for the caller: the undated identifier is refused."""
    result = CliRunner().invoke(
        main, ["status", "GB/T 35273", "deprecated", "--reason", "x", "--store", store_path]
    )
    assert result.exit_code == 2
    assert "GB/T 35273" in result.output


def test_a_clerks_spelling_in_a_spreadsheet_is_the_registered_standard(
    registry: Registry, tmp_path: Path
) -> None:
    csv = (Path(__file__).resolve().parents[2] / "examples" / "catalogue-valid.csv").read_bytes()
    text = csv.decode("gb18030")  # as a clerk's Excel saves it
    assert "GB/T 22239-2019" in text
    typed = text.replace("GB/T 22239-2019", "GBT 22239-2019").encode("gb18030")
    report = registry.validate([Document("catalogue.csv", typed)])
    unregistered = [r for r in report.results if "22239" in (r.value or "")]
    assert report.conforms, [r.message_en for r in report.results]
    assert not unregistered


@pytest.mark.parametrize(("typed", "iri"), [*SPELLINGS, ("GB/T 99999-2099", None), ("x%_", None)])
def test_the_read_model_and_the_store_resolve_alike(
    registry: Registry, typed: str, iri: str | None
) -> None:
    """Lookups read the read model, writes and history the store: both resolvers must
    name the same entry for every spelling, and both refuse what names none."""
    read = registry.reader()
    if iri is None:
        for resolve in (read.resolve, lambda t: queries.resolve_any(registry.store, t)):
            with pytest.raises(NotFoundError):
                resolve(typed)
        return
    assert read.resolve(typed) == queries.resolve_any(registry.store, typed) == iri


@pytest.mark.parametrize("undated", ["GB/T 35273", "GB/T 21063.3", "GB/T 2106", "GB/T 9999"])
def test_the_read_model_lists_the_editions_the_store_holds(
    registry: Registry, undated: str
) -> None:
    assert registry.reader().editions(undated) == queries.editions(registry.store, undated)
