"""The lists' pages: the search page's filters (category with its sub-categories, kind,
code lists, department), unknown parameters refused, and the download links of the
search and category pages, followed as a browser would.

On the seeded examples (tests/api/test_pages.py's shared app) and on its generated
registry larger than one page.
"""
# ruff: noqa: F811 - the fixtures of tests/api/test_pages.py are imported by name

from __future__ import annotations

import html
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.lists import XLSX
from registry.inputs.workbooks import cell_text, csv_sheets
from tests.api.test_pages import (  # noqa: F401 - fixtures
    HTML,
    assert_page,
    dataset,
    large,
    large_registry,
    reader,
    results_of,
    shared,
)


def download_link(response, fmt: str) -> str:
    found = re.search(rf'<a href="([^"]*format={fmt}[^"]*)" download>', response.text)
    assert found, response.text[-3000:]
    return html.unescape(found[1])


def csv_rows(data: bytes) -> list[list[str]]:
    (sheet,) = csv_sheets(data, "download.csv")
    return [[cell_text(c) for c in row] for row in sheet.rows]


def test_search_filters_by_category_with_its_sub_categories(large: TestClient) -> None:
    read = large.app.state.registry.reader()
    expected = read.search_standards(category="3", limit=0).total
    assert expected > 0
    response = large.get("/search", params={"category": "3"}, headers=HTML)
    assert_page(response)
    # A category is the standards' filter: only standards are listed, with their total.
    assert 'id="res-standard"' in response.text and 'id="res-resource"' not in response.text
    assert f"标准 ({expected})" in response.text
    # The form shows the choice made.
    assert re.search(r'<option value="3" selected>', response.text)
    below = read.search_standards(category="3.2", limit=0).total
    sub = large.get("/search", params={"category": "3.2", "kind": "standard"}, headers=HTML)
    assert f"标准 ({below})" in sub.text and below <= expected


def test_search_filters_by_code_lists_and_department(reader: TestClient) -> None:
    api = reader.get("/api/v1/resources", params={"sharing_type": "conditional"}).json()
    response = reader.get("/search", params={"sharing_type": "conditional"}, headers=HTML)
    assert_page(response)
    assert f"信息资源 ({api['total']})" in response.text
    assert 'id="res-standard"' not in response.text
    # Register status applies to every kind, departments included.
    every = reader.get("/search", params={"register_status": "valid"}, headers=HTML)
    assert_page(every)
    for kind in ("standard", "resource", "interface", "department"):
        assert f'id="res-{kind}"' in every.text
    departments = reader.get("/search", params={"kind": "department"}, headers=HTML)
    assert "沈阳市大数据管理局" in " ".join(results_of(departments, "department"))


@pytest.mark.parametrize(
    "params",
    [
        {"categry": "3"},
        {"q": "GB", "page": "2"},
    ],
)
def test_an_unknown_parameter_is_a_400_page_naming_the_allowed_ones(
    reader: TestClient, params: dict[str, str]
) -> None:
    for path in ("/search", "/category/3"):
        response = reader.get(path, params=params, headers=HTML)
        assert_page(response, 400)
        assert "register_status" in response.text and "offset" in response.text


def test_a_filter_the_kind_does_not_take_is_400(reader: TestClient) -> None:
    response = reader.get(
        "/search", params={"kind": "interface", "sharing_type": "conditional"}, headers=HTML
    )
    assert_page(response, 400)
    response = reader.get(
        "/search", params={"category": "3", "sharing_type": "conditional"}, headers=HTML
    )
    assert_page(response, 400)
    assert_page(reader.get("/search", params={"sharing_type": "nope"}, headers=HTML), 400)


def test_the_search_page_links_its_downloads(large: TestClient) -> None:
    read = large.app.state.registry.reader()
    total = read.list_entries("resource", limit=0).total
    page = large.get("/search", params={"kind": "resource", "offset": "50"}, headers=HTML)
    link = download_link(page, "csv")
    assert "offset" not in link  # the whole list, not the page shown
    data = large.get(link, headers=HTML)
    assert data.status_code == 200 and data.headers["content-type"].startswith("text/csv")
    assert data.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data.content)
    assert len(rows) == total + 1 and rows[0][1] == "信息资源名称"
    book = load_workbook(io.BytesIO(large.get(download_link(page, "xlsx")).content))
    assert book.active.max_row == total + 1


def test_a_search_of_every_kind_downloads_a_sheet_per_kind(large: TestClient) -> None:
    response = large.get("/search", params={"q": "GB"}, headers=HTML)
    data = large.get(download_link(response, "xlsx"))
    assert data.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(data.content), read_only=True)
    read = large.app.state.registry.reader()
    expected = {"标准": read.search_standards(q="GB", limit=0).total}
    for sheet in book.worksheets:
        if sheet.title in expected:
            assert len(list(sheet.iter_rows())) == expected[sheet.title] + 1
    assert "标准" in book.sheetnames


def test_the_category_page_filters_by_register_status_and_downloads(large: TestClient) -> None:
    read = large.app.state.registry.reader()
    expected = read.search_standards(category="3", register_status="valid", limit=0).total
    page = large.get("/category/3", params={"register_status": "valid"}, headers=HTML)
    assert_page(page)
    assert f"共 {expected} 项标准" in page.text
    rows = csv_rows(large.get(download_link(page, "csv")).content)
    assert len(rows) == expected + 1
    # In the headers' language: 有效, not valid.
    assert {row[rows[0].index("登记状态")] for row in rows[1:]} <= {"有效"}
