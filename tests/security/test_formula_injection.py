"""Formula injection (issue 17, point 8): uploaded text reached the registry's CSV,
TSV and XLSX output raw, so `=HYPERLINK("http://evil/","点击")` in a submitted title
became a live link in the spreadsheet a clerk opened. Every writer now puts a `'`
before a cell that starts with = + - @ or a tab/CR (registry/outputs/csvsafe.py), and XLSX
cells are plain strings. Through the real app, on a seeded memory store."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rdflib import Graph, Literal
from rdflib.util import from_n3

from api import create_app
from registry.config import Settings
from registry.inputs.tabular import COLUMNS, catalogue_rows, csv_bytes, template_rows, xlsx_bytes
from registry.outputs.csvsafe import neutralise_cell
from registry.register.tokens import create_token
from registry.store import Store, open_store
from tests import documents
from tests.api.test_pages import Page

BASE = "http://127.0.0.1:8000/id/"
BUREAU = "11210100EXAMPLE01N"
HOSTILE = ('=HYPERLINK("http://evil.example/","x")', "+1+1", "-2+3", "@SUM(1,1)", "\t=1")
HARMLESS = "城市交通流量"  # starts with none of the characters: written as it is
CODES = [f"109001/00000{n}" for n in range(1, len(HOSTILE) + 2)]  # the last one: HARMLESS
TITLES = [*HOSTILE, HARMLESS]
SRX = "{http://www.w3.org/2005/sparql-results#}"


def turtle_text(text: str) -> str:
    """`text` escaped for a Turtle string between double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")


def hostile_catalogue() -> bytes:
    """One resource of the bureau per hostile text (title, description and data item
    name) and one harmless resource; every one conforms."""
    return b"".join(
        documents.resource_ttl(
            code,
            title=turtle_text(title),
            description=turtle_text(title),
            items=(documents.NAME._replace(name=turtle_text(title)),),
        )
        for code, title in zip(CODES, TITLES, strict=True)
    )


def bad_lengths() -> bytes:
    """A resource whose data items' lengths are the hostile texts (a Violation each,
    the text quoted as the result's value)."""
    items = tuple(documents.DataItem(f"项{n}", f"X{n}", "D") for n in range(1, len(HOSTILE) + 1))
    text = documents.resource_ttl(CODES[0], title="长度", description="长度", items=items)
    iri = f"{BASE}resource/{CODES[0].replace('/', '-')}"
    extra = "".join(
        f'<{iri}/item/{n}> scs:length "{turtle_text(value)}" .\n'
        for n, value in enumerate(HOSTILE, start=1)
    )
    return text + extra.encode()


@pytest.fixture
def app_store(seeded_dump: bytes) -> Store:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    return store


@pytest.fixture
def client(app_store: Store, validator) -> Iterator[TestClient]:
    settings = Settings(store="memory", seed=False, max_body_bytes=200_000)
    with TestClient(create_app(settings, store=app_store, validator=validator)) as test_client:
        yield test_client


@pytest.fixture
def submitted(client: TestClient, app_store: Store) -> TestClient:
    """The client, after the bureau submitted the hostile catalogue."""
    _info, secret = create_token(app_store, "submitter", BUREAU, "bureau")
    response = client.post(
        "/api/v1/submissions",
        content=hostile_catalogue(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201, response.text
    return client


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


# -- validation reports ------------------------------------------------------------------


def test_validation_report_csv_quoted_uploaded_values_as_formulas(client: TestClient) -> None:
    response = client.post(
        "/api/v1/validate",
        params={"report": "csv"},
        content=bad_lengths(),
        headers={"Content-Type": "text/turtle"},
    )
    assert response.status_code == 200, response.text
    rows = csv_rows(response.text)
    values = {r["value"] for r in rows if r["path"].endswith("#length")}
    assert values == {"'" + text for text in HOSTILE}
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    # The JSON report is for programs: the values as uploaded.
    as_json = client.post(
        "/api/v1/validate", content=bad_lengths(), headers={"Content-Type": "text/turtle"}
    ).json()
    assert {r["value"] for r in as_json["results"] if r["path"].endswith("#length")} == set(HOSTILE)


def test_downloaded_report_of_a_spreadsheet_upload_had_live_formulas(client: TestClient) -> None:
    """The page's "download CSV": a department's CSV with formulas in its cells."""
    header, example = template_rows()
    keys = [c.key for c in COLUMNS]
    rows = [header]
    for n, text in enumerate(HOSTILE, start=1):
        row = list(example)
        row[keys.index("code")] = f"109001/00000{n}"
        row[keys.index("name")] = text
        row[keys.index("sharing")] = text  # not a sharing type: a result quoting the cell
        rows.append(row)
    upload = io.StringIO(newline="")
    csv.writer(upload, lineterminator="\r\n").writerows(rows)  # raw, as an attacker writes
    page = Page(client.get("/validate").text)
    token = page.hidden["csrf_token"]
    shown = client.post(
        "/validate",
        data={"csrf_token": token, "format": ""},
        files={"file": ("hostile.csv", upload.getvalue().encode("utf-8"), "text/csv")},
    )
    assert shown.status_code == 200
    report = Page(shown.text).hidden["report"]
    download = client.post("/validate/report", data={"csrf_token": token, "report": report})
    assert download.status_code == 200
    results = csv_rows(download.text)
    quoted = {r["行"]: r["值"] for r in results if r["列"] == "共享类型" and r["值"]}
    # Spreadsheet cells are read trimmed: "\t=1" arrives as "=1", still a formula.
    assert quoted == {str(n + 1): "'" + text.strip() for n, text in enumerate(HOSTILE, start=1)}
    # A row number is the registry's own number, written as one.
    assert all(r["行"].isdigit() for r in results if r["行"])


# -- the catalogue as CSV and XLSX ---------------------------------------------------------


def exported_rows(client: TestClient) -> list[list[str]]:
    registry = client.app.state.registry  # type: ignore[attr-defined]
    graph = Graph()
    for code in CODES:
        graph += registry.show(f"{BASE}resource/{code.replace('/', '-')}")
    rows = catalogue_rows(graph)
    assert [row[[c.key for c in COLUMNS].index("name")] for row in rows[1:]] == TITLES
    return rows


def test_catalogue_csv_export_carried_submitted_formulas(submitted: TestClient) -> None:
    rows = exported_rows(submitted)
    written = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"), newline="")))
    keys = [c.key for c in COLUMNS]
    for key in ("name", "abstract", "items"):
        cells = [row[keys.index(key)] for row in written[1:]]
        assert cells[:-1] == [neutralise_cell(row[keys.index(key)]) for row in rows[1:-1]]
        assert [cell[0] for cell in cells[:-1]] == ["'"] * len(HOSTILE), key
        assert cells[-1] == rows[-1][keys.index(key)], key  # the harmless one: unchanged
    assert written[1][keys.index("name")] == "'" + HOSTILE[0]
    assert written[-1][keys.index("name")] == HARMLESS
    assert written[0] == rows[0]  # the header as it was


def test_catalogue_xlsx_export_wrote_submitted_text_as_formulas(submitted: TestClient) -> None:
    rows = exported_rows(submitted)
    book = load_workbook(io.BytesIO(xlsx_bytes(rows, guide=True)))
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    sheet = book.worksheets[0]
    names = [sheet.cell(row=n, column=2).value for n in range(2, len(TITLES) + 2)]
    assert names == ["'" + text for text in HOSTILE] + [HARMLESS]


def test_xlsx_never_writes_text_as_a_formula_or_an_error() -> None:
    """openpyxl makes "=..." a formula and "#REF!" an error value on assignment."""
    book = load_workbook(io.BytesIO(xlsx_bytes([["=1+1", "#REF!", "-", "ok"]])))
    cells = next(book.worksheets[0].iter_rows())
    assert [(c.value, c.data_type) for c in cells] == [
        ("'=1+1", "s"),
        ("#REF!", "s"),
        ("'-", "s"),
        ("ok", "s"),
    ]


# -- SPARQL results ------------------------------------------------------------------------

QUERY = """PREFIX scs: <https://w3id.org/smartcity-std#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?code ?title ?description ?n ?s WHERE {
  ?r a scs:InformationResource ; scs:resourceCode ?code ; dct:title ?title ;
     dct:description ?description .
  FILTER(STRSTARTS(?code, "109001/"))
  BIND(-2 AS ?n) BIND("-2" AS ?s)
} ORDER BY ?code"""


def sparql(client: TestClient, accept: str) -> Any:
    response = client.get("/sparql", params={"query": QUERY}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return response


def test_sparql_csv_answer_carried_submitted_formulas(submitted: TestClient) -> None:
    text = sparql(submitted, "text/csv").text
    assert text.startswith("code,title,description,n,s\r\n")  # the header as the standard says
    rows = csv_rows(text)
    assert [r["code"] for r in rows] == CODES
    assert [r["title"] for r in rows] == ["'" + t for t in HOSTILE] + [HARMLESS]
    assert [r["description"] for r in rows] == ["'" + t for t in HOSTILE] + [HARMLESS]
    # A number is a number; the same characters as a string are text, and quoted.
    assert {r["n"] for r in rows} == {"-2"} and {r["s"] for r in rows} == {"'-2"}


def test_sparql_tsv_answer_carried_submitted_formulas(submitted: TestClient) -> None:
    lines = sparql(submitted, "text/tab-separated-values").text.splitlines()
    assert lines[0].split("\t") == ["?code", "?title", "?description", "?n", "?s"]
    # Cells are Turtle terms: a literal's tab is written \t, its quotes \".
    cells = [line.split("\t") for line in lines[1:]]
    assert [str(from_n3(row[0])) for row in cells] == CODES
    titles = [from_n3(row[1]) for row in cells]
    assert titles == [Literal("'" + t, lang="zh") for t in HOSTILE] + [Literal(HARMLESS, lang="zh")]
    assert [from_n3(row[2]) for row in cells] == titles
    assert {row[3] for row in cells} == {"-2"}  # bare, as a number
    assert {from_n3(row[4]) for row in cells} == {Literal("'-2")}


def test_sparql_json_and_xml_answers_keep_the_stored_text(submitted: TestClient) -> None:
    data = sparql(submitted, "application/sparql-results+json").json()
    assert [b["title"]["value"] for b in data["results"]["bindings"]] == TITLES
    root = ET.fromstring(sparql(submitted, "application/sparql-results+xml").content)
    titles = [
        b.findtext(f"{SRX}literal") for b in root.iter(f"{SRX}binding") if b.get("name") == "title"
    ]
    assert titles == TITLES
