"""Hostile workbooks through the new ways in of issue 21 (.xls, merged ranges, every
sheet): each gets a 4xx in the one error body or a cheap, correct answer, and the
service stays up."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.inputs.tabular import COLUMNS, MergedFill, template_rows
from registry.store import open_store

XLS = {"Content-Type": "application/vnd.ms-excel"}
XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@pytest.fixture
def client(seeded_dump: bytes, validator) -> Iterator[TestClient]:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    settings = Settings(store="memory", seed=False, max_body_bytes=200_000)
    with TestClient(create_app(settings, store=store, validator=validator)) as test_client:
        yield test_client


def rows() -> list[list[str]]:
    header, example = template_rows()
    row = list(example)
    row[[c.key for c in COLUMNS].index("name")] = "人口基础信息"
    return [header, row, [*row[:3], "101001/000098", *row[4:]]]


def xlsx_with_merges(refs: list[str]) -> bytes:
    """A small workbook whose sheet XML declares `refs` as merged ranges, written into
    the XML as an attacker would (openpyxl would make a cell object per merged cell)."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows():
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>",
                    b"</sheetData>"
                    + f'<mergeCells count="{len(refs)}">{merges}</mergeCells>'.encode(),
                )
            dst.writestr(info, data)
    return out.getvalue()


def assert_error_body(response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) >= {"code", "message", "details"}


def still_up(client: TestClient) -> None:
    assert client.get("/api/v1/standards?limit=1").status_code == 200


def test_garbage_named_xls_is_a_400(client: TestClient) -> None:
    for body in (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, b"not a workbook", b""):
        assert_error_body(client.post("/api/v1/validate", content=body, headers=XLS))
    still_up(client)


def test_a_truncated_xls_is_a_400(client: TestClient) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("表")
    for r, row in enumerate(rows()):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    whole = out.getvalue()
    assert client.post("/api/v1/validate", content=whole, headers=XLS).status_code == 200
    assert_error_body(client.post("/api/v1/validate", content=whole[:1500], headers=XLS))
    still_up(client)


def test_one_far_cell_in_a_small_xls_costs_little(client: TestClient) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("表")
    for r, row in enumerate(rows()):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.write(65535, 255, "远")
    out = io.BytesIO()
    book.save(out)
    started = time.monotonic()
    answer = client.post("/api/v1/validate", content=out.getvalue(), headers=XLS)
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started < 10


def test_a_merged_range_over_the_whole_sheet_is_filled_only_as_wide_as_the_header(
    client: TestClient,
) -> None:
    last = chr(64 + len(COLUMNS))  # the header's last column (符合标准)
    # Each row under a range 16,384 columns wide is filled only as wide as the header:
    # filled to column XFD, 3,000 rows cost ~50 million cell writes.
    fill = MergedFill([(3, len(COLUMNS), 1048576, 16384)], 1, len(COLUMNS))
    for number in range(3, 3003):
        assert len(fill.apply(number, ["x"] * len(COLUMNS))) == len(COLUMNS)
    started = time.monotonic()
    answer = client.post(
        "/api/v1/validate", content=xlsx_with_merges([f"{last}3:XFD1048576"]), headers=XLSX
    )
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started < 10
    infos = [r for r in answer.json()["results"] if r["shape"].endswith("Input-merged-range")]
    assert len(infos) == 1 and infos[0]["location"]["row"] == 3


def test_too_many_merged_ranges_are_refused(client: TestClient) -> None:
    refs = [f"A{n}:B{n}" for n in range(10, 10_012)]
    assert_error_body(client.post("/api/v1/validate", content=xlsx_with_merges(refs), headers=XLSX))
    still_up(client)


def test_a_code_cell_merged_over_many_item_rows_costs_what_one_cell_of_items_costs() -> None:
    """A resource over several rows gathers every row's data item: 10,000 rows under one
    merged code cell cost about what the same items in one cell cost (the items are
    joined once, not row by row: that was quadratic), and the cell text still counts
    against the upload limit."""
    from registry.errors import PayloadTooLargeError
    from registry.inputs.document import Lookup
    from registry.inputs.tabular import CatalogueReader
    from registry.inputs.workbooks import Sheet

    keys = [c.key for c in COLUMNS]
    header, first = rows()[:2]
    code_at, items_at = keys.index("code") + 1, keys.index("items") + 1
    items = [f"项{i}:C:10" for i in range(10_000)]

    def spread() -> Sheet:
        def cells():
            yield header
            yield [*first[: items_at - 1], items[0], *first[items_at:]]
            for item in items[1:]:
                row = [None] * len(COLUMNS)
                row[items_at - 1] = item
                yield row

        return Sheet("表", cells(), ((2, code_at, len(items) + 1, code_at),))

    def one_cell() -> Sheet:
        row = [*first[: items_at - 1], "\n".join(items), *first[items_at:]]
        return Sheet("表", iter([header, row]))

    def read(sheet: Sheet, cap: int | None = None):
        started = time.monotonic()
        graph = CatalogueReader("多行.xlsx", "http://x/", Lookup()).read_sheets([sheet], cap)
        return graph, time.monotonic() - started

    graph, spread_time = read(spread())
    same, cell_time = read(one_cell())
    assert not [p for p in graph.problems if p.severity == "Violation"]
    assert set(graph) - set(same) == set() and len(graph) == len(same)
    assert spread_time < 3 * cell_time + 1, (spread_time, cell_time)
    with pytest.raises(PayloadTooLargeError):
        read(spread(), 100_000)
