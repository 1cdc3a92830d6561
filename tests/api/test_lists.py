"""The lists of the API: paging with the true total, every filter, unknown parameters
refused with the allowed ones named, and downloads as CSV and XLSX.

Through create_app on a seeded store of the back end under test (tests/api/test_api.py's
fixtures: one app per module for the tests that only read, a fresh one for the test
that writes), the read model the lists are answered from being the real one.
"""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.lists import XLSX
from registry.inputs.tabular import csv_bytes, header_column
from registry.inputs.workbooks import cell_text, csv_sheets
from tests import documents
from tests.api.test_api import (  # noqa: F401  (fixtures)
    BUREAU,
    OTHER_DEPT,
    TURTLE,
    api_store,
    app,
    assert_error,
    auth,
    client,
    reader,
    seeded_with_tokens,
    shared,
    tokens,
)

LISTS = ("standards", "resources", "interfaces", "departments")


def every_item(client: TestClient, path: str, size: int = 7, **params: Any) -> list[dict]:
    """Every item of a list, walked page by page."""
    items: list[dict] = []
    offset = 0
    while True:
        page = client.get(path, params={**params, "limit": size, "offset": offset}).json()
        items += page["items"]
        offset += size
        if offset >= page["total"]:
            assert len(items) == page["total"]
            return items


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_paged_with_its_true_total(reader: TestClient, path: str) -> None:
    whole = reader.get(f"/api/v1/{path}", params={"limit": 500}).json()
    walked = every_item(reader, f"/api/v1/{path}", size=3)
    assert [i["iri"] for i in walked] == [i["iri"] for i in whole["items"]]
    assert len({i["iri"] for i in walked}) == whole["total"] > 0
    first = reader.get(f"/api/v1/{path}", params={"limit": 1}).json()
    assert first["total"] == whole["total"] and len(first["items"]) == 1


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_query_parameter_is_400_naming_the_allowed_ones(
    reader: TestClient, path: str
) -> None:
    error = assert_error(reader.get(f"/api/v1/{path}", params={"categry": "3"}), 400)
    assert error["details"]["unknown"] == ["categry"]
    allowed = error["details"]["allowed"]
    assert {"q", "limit", "offset", "format", "register_status"} <= set(allowed)
    assert "categry" in error["message"] and "register_status" in error["message"]
    # A filter of another list is unknown here too: sharing types are the resources'.
    if path != "resources":
        assert_error(reader.get(f"/api/v1/{path}", params={"sharing_type": "open"}), 400)


def test_resource_filters_choose_what_the_records_hold(reader: TestClient) -> None:
    items = every_item(reader, "/api/v1/resources", size=50)
    for name in ("sharing_type", "openness", "update_cycle", "resource_class"):
        counts = Counter((item[name] or {}).get("code") for item in items)
        assert len(counts) >= 1
        for code, expected in counts.items():
            if code is None:
                continue
            page = reader.get("/api/v1/resources", params={name: code, "limit": 500}).json()
            assert page["total"] == expected, (name, code)
            assert all(item[name]["code"] == code for item in page["items"])
        error = assert_error(reader.get("/api/v1/resources", params={name: "nope"}), 400)
        assert error["details"]["allowed"] and "nope" in error["message"]
    # Filters combine: the bureau's resources shared without condition.
    both = reader.get(
        "/api/v1/resources",
        params={"department": BUREAU, "sharing_type": "conditional", "limit": 500},
    ).json()
    expected = [
        i["code"]
        for i in items
        if i["publisher"]["id"] == BUREAU and (i["sharing_type"] or {}).get("code") == "conditional"
    ]
    assert [i["code"] for i in both["items"]] == expected and expected
    assert reader.get("/api/v1/resources", params={"department": OTHER_DEPT}).json()["total"] == 0
    # The earlier name of the department filter still works.
    assert (
        reader.get("/api/v1/resources", params={"publisher": BUREAU}).json()["total"]
        == reader.get("/api/v1/resources", params={"department": BUREAU}).json()["total"]
    )


@pytest.mark.parametrize("path", LISTS)
def test_register_status_filters_every_list(reader: TestClient, path: str) -> None:
    total = reader.get(f"/api/v1/{path}").json()["total"]
    valid = reader.get(f"/api/v1/{path}", params={"register_status": "valid"}).json()
    retired = reader.get(f"/api/v1/{path}", params={"register_status": "retired"}).json()
    assert valid["total"] + retired["total"] <= total
    assert all(i["register"]["status"] == "valid" for i in valid["items"])
    assert_error(reader.get(f"/api/v1/{path}", params={"register_status": "gone"}), 400)


def test_department_and_interface_filters(reader: TestClient) -> None:
    mine = reader.get("/api/v1/interfaces", params={"department": BUREAU}).json()
    assert mine["total"] == 2
    none = reader.get("/api/v1/interfaces", params={"department": OTHER_DEPT}).json()
    assert none["total"] == 0
    found = reader.get("/api/v1/departments", params={"q": "大数据"}).json()
    assert BUREAU in [d["credit_code"] for d in found["items"]]
    assert found["items"][0]["provides"]["resources"] >= 0


# -- downloads ---------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    """The rows as the registry's own CSV reader (registry.inputs) reads them."""
    (sheet,) = csv_sheets(data, "download.csv")
    return [[cell_text(c) for c in row] for row in sheet.rows]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("how", ["query", "accept"])
def test_every_list_downloads_as_csv_with_a_bom(reader: TestClient, path: str, how: str) -> None:
    if how == "query":
        response = reader.get(f"/api/v1/{path}", params={"format": "csv", "limit": 1})
    else:
        response = reader.get(f"/api/v1/{path}", headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert f'filename="{path}.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(response.content)
    total = reader.get(f"/api/v1/{path}").json()["total"]
    # Every entry, not one page: limit pages the JSON only.
    assert len(rows) == total + 1
    assert rows[0][-1] == "IRI" and "登记状态" in rows[0]
    iris = {i["iri"] for i in every_item(reader, f"/api/v1/{path}", size=50)}
    assert {row[-1] for row in rows[1:]} == iris


def test_a_filtered_download_holds_what_the_filter_chooses(reader: TestClient) -> None:
    params = {"sharing_type": "conditional", "format": "csv"}
    rows = read_csv(reader.get("/api/v1/resources", params=params).content)
    total = reader.get("/api/v1/resources", params={"sharing_type": "conditional"}).json()
    assert len(rows) - 1 == total["total"] > 0
    header = rows[0]
    # The catalogue template's headers, which the catalogue reader knows.
    assert header[:3] == ["信息资源分类", "信息资源名称", "英文名称"]
    assert all(header_column(h) is not None for h in header[: header.index("登记状态")])
    sharing = header.index("共享类型")
    assert {row[sharing] for row in rows[1:]} == {"有条件共享"}
    dated = header.index("登记时间")
    assert all("(UTC+08:00)" in row[dated] for row in rows[1:])


def test_a_formula_in_a_title_is_neutralised_in_downloads(
    client: TestClient, tokens: dict[str, str]
) -> None:
    doc = documents.resource_ttl(
        "109001/000001", title='=HYPERLINK(\\"http://evil/\\",\\"点击\\")', description="测试"
    )
    answer = client.post(
        "/api/v1/submissions", content=doc, headers={**TURTLE, **auth(tokens["bureau"])}
    )
    assert answer.status_code == 201, answer.text
    params = {"q": "109001/000001", "format": "csv"}
    rows = read_csv(client.get("/api/v1/resources", params=params).content)
    title = rows[1][rows[0].index("信息资源名称")]
    assert title.startswith("'=HYPERLINK(")
    book = load_workbook(
        io.BytesIO(client.get("/api/v1/resources", params={**params, "format": "xlsx"}).content)
    )
    # A string cell with Excel's quotePrefix style (what typing ' gives): never run, and
    # read back as the text itself.
    cell = book.active.cell(row=2, column=2)
    assert cell.data_type == "s" and str(cell.value).startswith("=HYPERLINK(")
    assert cell.quotePrefix


@pytest.mark.parametrize("path", LISTS)
def test_every_list_downloads_as_xlsx(reader: TestClient, path: str) -> None:
    response = reader.get(f"/api/v1/{path}", params={"format": "xlsx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    (sheet,) = book.worksheets
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    csv_rows = read_csv(reader.get(f"/api/v1/{path}", params={"format": "csv"}).content)
    assert rows[0] == csv_rows[0]
    assert len(rows) == len(csv_rows)
    assert [r[-1] for r in rows] == [r[-1] for r in csv_rows]
    by_accept = reader.get(f"/api/v1/{path}", headers={"Accept": XLSX})
    assert by_accept.headers["content-type"] == XLSX


def test_json_stays_the_default_and_an_unknown_format_is_400(reader: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answer = reader.get("/api/v1/standards", headers={"Accept": browser})
    assert answer.headers["content-type"].startswith("application/json")
    error = assert_error(reader.get("/api/v1/standards", params={"format": "pdf"}), 400)
    assert set(error["details"]["allowed"]) == {"json", "csv", "xlsx"}


@pytest.mark.parametrize("path", [*LISTS, "assessments"])
def test_a_control_character_in_a_text_search_is_not_a_500(reader: TestClient, path: str) -> None:
    """`?q=00%00` made SQLite read an FTS5 phrase as an unterminated string (a 500 the
    API fuzz test found): control characters are no part of what a search compares."""
    for q in ("00\x00", "\x00\x01", "数据\x00资源"):
        response = reader.get(f"/api/v1/{path}", params={"q": q})
        assert response.status_code == 200, response.text
    plain = reader.get(f"/api/v1/{path}", params={"q": "数据资源"}).json()
    mixed = reader.get(f"/api/v1/{path}", params={"q": "数据\x00资源"}).json()
    assert mixed == plain


def test_a_control_character_in_the_search_page_is_not_a_500(reader: TestClient) -> None:
    for q in ("00\x00", "数据\x00资源"):
        assert reader.get("/search", params={"q": q}).status_code == 200


def _send_back(client: TestClient, secret: str, data: bytes, media: str) -> Any:
    return client.post(
        "/api/v1/submissions", content=data, headers={"Content-Type": media, **auth(secret)}
    )


def test_an_xlsx_download_with_a_cut_abstract_sent_back_was_registered_cut(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """A 40,005-character abstract comes down cut to a cell's 32,767 characters with a
    mark; sent back, the cut text became a new version without a word. The cell is not
    read now: one Violation on it, and nothing is written."""
    whole = "长" * 40_005
    doc = documents.resource_ttl("109001/000001", title="长摘要资源", description=whole)
    first = _send_back(client, tokens["bureau"], doc, "text/turtle")
    assert first.status_code == 201, first.text
    params = {"q": "109001/000001", "format": "xlsx"}
    download = client.get("/api/v1/resources", params=params).content
    answer = _send_back(client, tokens["bureau"], download, XLSX)
    error = assert_error(answer, 422, "not_conforming")
    violations = [r for r in error["details"]["results"] if r["severity"] == "Violation"]
    assert len(violations) == 1, violations
    assert "截断" in violations[0]["message"]["zh"]
    assert violations[0]["location"]["column"] == "信息资源摘要"
    history = client.get("/api/v1/items/109001-000001/history").json()
    assert len(history["versions"]) == 1
    kept = client.get("/api/v1/resources/109001-000001").json()["description"]["zh"]
    assert kept == whole


def test_a_line_break_from_windows_made_a_new_version_when_sent_back_as_xlsx(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """A CSV from Windows keeps CRLF inside a quoted cell; an XLSX cannot (XML reads it as
    LF). The same resource sent back as its XLSX download was 'updated'."""
    doc = documents.resource_ttl("109001/000001", title="换行资源", description="说明")
    assert _send_back(client, tokens["bureau"], doc, "text/turtle").status_code == 201
    rows = read_csv(
        client.get("/api/v1/resources", params={"q": "109001/000001", "format": "csv"}).content
    )
    rows[1][rows[0].index("信息资源摘要")] = "第一行说明。\r\n第二行说明。"
    with_crlf = csv_bytes(rows)
    assert b"\r\n\xe7\xac\xac\xe4\xba\x8c" in with_crlf  # the CRLF is in the CSV as sent
    sent = _send_back(client, tokens["bureau"], with_crlf, "text/csv")
    assert sent.status_code == 201, sent.text
    params = {"q": "109001/000001", "format": "xlsx"}
    download = client.get("/api/v1/resources", params=params).content
    again = _send_back(client, tokens["bureau"], download, XLSX)
    assert again.status_code == 201, again.text
    assert [e["outcome"] for e in again.json()["entries"]] == ["unchanged"]
