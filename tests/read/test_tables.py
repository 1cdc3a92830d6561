"""Downloads of lists (registry/read/tables.py) beyond what tests/api/test_lists.py
asks of every list."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from registry.read.tables import CUT_MARK, XLSX_CELL_MAX, csv_download, xlsx_download


def test_an_xlsx_download_cut_a_long_text_without_a_word() -> None:
    """A 102,000-character abstract was whole in JSON and CSV but cut to Excel's 32,767
    characters by the spreadsheet program, with no mark. The cut is now made, and
    marked, in the download."""
    long = "摘" * 102_000
    rows = [["名称", "摘要"], ["人口基础信息", long], ["短", "短摘要"]]
    book = load_workbook(io.BytesIO(xlsx_download([("资源", rows)])))
    cells = [[c.value for c in row] for row in book["资源"].iter_rows()]
    cut = cells[1][1]
    assert len(cut) == XLSX_CELL_MAX and cut.endswith(CUT_MARK)
    assert cut.startswith("摘" * 1000)
    assert cells[2] == ["短", "短摘要"]
    assert long in csv_download(rows).decode("utf-8-sig")  # CSV keeps it whole
