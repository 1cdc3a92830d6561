"""Catalogues as clerks send them (issue 21): a title above the header, merged cells,
several sheets, Excel 97-2003 .xls files, blanks left by merged cells in a CSV, code
lists with near misses, formula cells and the template's example row.

The workbooks are made here the way clerks make them: openpyxl writes the .xlsx files
and xlwt (a test dependency) the .xls files, each with a title row, merged ranges and
several sheets. Every case states its exact results and positions (sheet, row, column).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from api import create_app
from registry.config import Settings
from registry.inputs.document import Document, SubmissionGraph
from registry.inputs.load import load_submission
from registry.inputs.tabular import (
    BY_KEY,
    COLUMNS,
    CellError,
    concept,
    csv_bytes,
    ordered_concepts,
    template_rows,
    xlsx_bytes,
)
from registry.namespaces import CYCLE, SCS
from registry.service import Registry
from registry.store import open_store

SCSH = "https://w3id.org/smartcity-std/shapes#"
BASE = "http://127.0.0.1:8000/id/"
TITLE = "沈阳市生态环境局政务信息资源目录（2024年度）"
PROVIDER, PROVIDER_CODE = "沈阳市大数据管理局", "11210100EXAMPLE01N"
# Headers as clerks type them: a star for "required", a line break in a long title,
# full-width letters and spaces.
CLERK_HEADERS = {
    "class": "*信息资源分类",
    "name": "信息资源\n名称*",
    "code": "＊信息资源代码",
    "abstract": "信息资源 摘要",
    "sharing": "共享类型（必填）",
    "cycle": "更新\n周期",
    "name_en": "ＮＡＭＥ （ＥＮ）",
}
# English words outside quoted values: a Chinese message must have none. A standard's
# identifier (GB 32100) and a data-type code (C, N, D) are not words.
LATIN = re.compile(r"(?<![A-Za-z])(?!GB(?![A-Za-z]))[A-Za-z]{2,}")
QUOTED = re.compile(r"“[^”]*”")


@pytest.fixture(scope="module")
def seeded(seeded_dump: bytes, validator):
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    with Registry(Settings(store="memory", seed=False), validator=validator, store=store) as r:
        yield r


def header(clerk: bool = False) -> list[str]:
    return [CLERK_HEADERS.get(c.key, c.zh) if clerk else c.zh for c in COLUMNS]


def resource(code: str, name: str, **cells: str) -> list[str]:
    """A filled-in row: the template's example, as a clerk's own resource."""
    row = dict(zip((c.key for c in COLUMNS), template_rows()[1], strict=True))
    row.update(name=name, code=code, **cells)
    return [row[c.key] for c in COLUMNS]


def column(key: str) -> int:
    """The 1-based index of a column in the template's order."""
    return [c.key for c in COLUMNS].index(key) + 1


def results(report, sheet: bool = True) -> list[tuple]:
    """(severity, sheet, row, column, rule) of every result, in a stable order."""
    out = []
    for r in report.results:
        loc = dict(r.location)
        out.append(
            (
                r.severity,
                loc.get("sheet") if sheet else None,
                loc.get("row"),
                loc.get("column"),
                r.source_shape.removeprefix(SCSH),
            )
        )
    return sorted(out, key=repr)


def assert_chinese(report) -> None:
    """The zh report reads without English words: none in a zh message outside the
    quoted cell values."""
    for r in report.results:
        assert not LATIN.search(QUOTED.sub("", r.message_zh)), r.message_zh


# ----------------------------------------------------------------------------- workbooks


Sheets = Sequence[tuple[str, list[list[str]], list[tuple[int, int, int, int]]]]


def clerk_workbook_sheets() -> Sheets:
    """Sheet 1: a merged title row above the header, a provider merged over three rows.
    Sheet 2: header on row 1, one resource with an update cycle not in the list.
    Sheet 3: 说明, notes without the header. Merged ranges: (row, col, last row, last col)."""
    width = len(COLUMNS)
    p, pc = column("provider") - 1, column("provider_code") - 1
    first = [[TITLE] + [""] * (width - 1), header(clerk=True)]
    for n in range(3):
        row = resource(f"101001/00020{n + 1}", f"生态环境监测数据{n + 1}")
        if n:
            row[p] = row[pc] = ""  # merged: only the range's first cell holds the value
        first.append(row)
    second = [header(), resource("101001/000211", "排污许可信息", cycle="每两周")]
    notes = [["填表说明"], ["1. 每行填写一项信息资源。"], ["2. 提供方可合并单元格。"]]
    return [
        (
            "生态环境",
            first,
            [(1, 1, 1, width), (3, p + 1, 5, p + 1), (3, pc + 1, 5, pc + 1)],
        ),
        ("排污许可", second, []),
        ("说明", notes, []),
    ]


def xlsx_of(sheets: Sheets) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows, merged in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([v if v != "" else None for v in row])
        for first_row, first_col, last_row, last_col in merged:
            sheet.merge_cells(
                start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_of(sheets: Sheets) -> bytes:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows, merged in sheets:
        sheet = book.add_sheet(name)
        covered = set()
        for first_row, first_col, last_row, last_col in merged:
            value = rows[first_row - 1][first_col - 1]
            sheet.write_merge(first_row - 1, last_row - 1, first_col - 1, last_col - 1, value)
            covered |= {
                (r, c)
                for r in range(first_row, last_row + 1)
                for c in range(first_col, last_col + 1)
            }
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "" and (r, c) not in covered:
                    sheet.write(r - 1, c - 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# What the registry says about the clerk's workbook, in .xlsx and in .xls alike.
CLERK_RESULTS = sorted(
    [
        ("Info", "生态环境", 2, None, "Input-header-row"),
        ("Info", "生态环境", 3, "信息资源提供方", "Input-merged-range"),
        ("Info", "生态环境", 3, "提供方代码", "Input-merged-range"),
        ("Info", None, None, None, "Input-sheet-without-header"),
        ("Violation", "排污许可", 2, "更新周期", "Input-code-list"),
    ],
    key=repr,
)


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_clerks_workbook_is_read_from_every_sheet_below_its_title(kind: str, seeded) -> None:
    data = (xlsx_of if kind == "xlsx" else xls_of)(clerk_workbook_sheets())
    name = f"生态环境局目录.{kind}"
    report = seeded.validate([Document(name, data)])
    assert results(report) == CLERK_RESULTS, [r.as_dict() for r in report.results]
    by_rule = {r.source_shape.removeprefix(SCSH): r for r in report.results}
    # What stood above the header is named; the sheet without the header too.
    assert TITLE in by_rule["Input-header-row"].message_zh
    assert "“说明”" in by_rule["Input-sheet-without-header"].message_zh
    # The merged provider range gave its value to every row: three resources, one publisher.
    merged = [r for r in report.results if r.source_shape.endswith("merged-range")]
    assert {r.value for r in merged} == {PROVIDER, PROVIDER_CODE}
    pc = column("provider_code")
    assert any("第 3 至 5 行" in r.message_zh for r in merged)
    letter = chr(64 + pc)
    assert any(f"{letter}3:{letter}5" in r.message_en for r in merged)
    graph = seeded.parse([Document(name, data)])
    publishers = {
        graph.value(URIRef(f"{BASE}resource/101001-00020{n}"), DCTERMS.publisher) for n in (1, 2, 3)
    }
    assert publishers == {URIRef(f"{BASE}department/{PROVIDER_CODE}")}
    # 每两周 has no clear counterpart: the values are listed in their own order.
    cycle = by_rule["Input-code-list"]
    assert "是否应为" not in cycle.message_zh
    assert "实时、每日、每周、每月、每季度、每半年、每年、不定期" in cycle.message_zh
    assert_chinese(report)


def test_xls_and_xlsx_give_the_same_resources(seeded) -> None:
    sheets = clerk_workbook_sheets()
    from_xlsx = seeded.parse([Document("a.xlsx", xlsx_of(sheets))])
    from_xls = seeded.parse([Document("a.xls", xls_of(sheets))])
    assert len(from_xlsx) > 50
    assert set(from_xlsx) == set(from_xls)


def test_a_resource_code_on_two_sheets_names_the_first_sheet() -> None:
    sheets = [
        ("基础", [header(), resource("101001/000301", "甲")], []),
        ("主题", [header(), resource("101001/000301", "乙")], []),
    ]
    graph = load_submission([Document("两表.xlsx", xlsx_of(sheets))])
    assert isinstance(graph, SubmissionGraph)
    [dup] = graph.problems
    assert dict(dup.location)["sheet"] == "主题" and dict(dup.location)["row"] == 2
    assert "工作表“基础”第 2 行" in dup.message_zh


def test_no_header_in_the_first_rows_is_one_violation(seeded) -> None:
    rows = [[TITLE], ["编号", "资源", "单位"], ["1", "人口信息", PROVIDER]]
    report = seeded.validate([Document("无表头.csv", csv_bytes(rows))])
    assert results(report, sheet=False) == [("Violation", None, 1, None, "Input-no-header")]
    assert "信息资源代码" in report.results[0].message_zh
    assert_chinese(report)


def test_the_header_is_looked_for_only_in_the_first_ten_rows() -> None:
    rows = [[f"说明第 {n} 行"] for n in range(1, 11)] + [header(), resource("101001/000401", "甲")]
    graph = load_submission([Document("深.csv", csv_bytes(rows))])
    assert graph.fatal and [p.source_shape.removeprefix(SCSH) for p in graph.problems] == [
        "Input-no-header"
    ]
    found = load_submission([Document("浅.csv", csv_bytes(rows[1:]))])
    assert not found.fatal
    [info] = found.problems
    assert info.source_shape.endswith("header-row") and dict(info.location)["row"] == 10


def test_csv_blanks_under_merged_looking_cells_are_violations_with_a_way_to_fill_them(
    seeded,
) -> None:
    p, pc, k = column("provider") - 1, column("provider_code") - 1, column("class") - 1
    rows = [header(), resource("101001/000501", "甲")]
    for n, blank_class in ((2, False), (3, True)):
        row = resource(f"101001/00050{n}", f"乙{n}")
        row[p] = row[pc] = ""
        if blank_class:
            row[k] = ""
        rows.append(row)
    # A blank provider name beside a provider code is complete: not reported.
    rows.append(resource("101001/000504", "丁", provider=""))
    report = seeded.validate([Document("合并.csv", csv_bytes(rows))])
    assert results(report, sheet=False) == sorted(
        [
            ("Violation", None, 3, "信息资源提供方", "Input-merged-cell"),
            ("Violation", None, 3, "提供方代码", "Input-merged-cell"),
            ("Violation", None, 4, "信息资源提供方", "Input-merged-cell"),
            ("Violation", None, 4, "提供方代码", "Input-merged-cell"),
            ("Violation", None, 4, "信息资源分类", "Input-merged-cell"),
        ],
        key=repr,
    ), [r.as_dict() for r in report.results]
    first = report.results[0]
    assert "合并单元格" in first.message_zh and "向下填充" in first.message_zh
    assert "merged cell" in first.message_en and "fill down" in first.message_en
    assert_chinese(report)


def test_a_merged_range_in_xlsx_is_not_reported_as_blank_cells(seeded) -> None:
    """The same layout as an XLSX keeps its merged range: filled, one Info, no Violation."""
    p = column("provider")
    rows = [header(), resource("101001/000601", "甲"), resource("101001/000602", "乙")]
    rows[2][p - 1] = ""
    report = seeded.validate([Document("合并.xlsx", xlsx_of([("表", rows, [(2, p, 3, p)])]))])
    assert results(report) == [("Info", "表", 2, "信息资源提供方", "Input-merged-range")]


def test_a_formula_cell_gets_only_the_paste_as_values_result(seeded) -> None:
    """Regression: the formula's cell also got the shapes' "issued missing" result."""
    rows = [header(), resource("101001/000701", "甲", issued="=TODAY()")]
    data = xlsx_of([("表", rows, [])])
    report = seeded.validate([Document("公式.xlsx", data)])
    assert results(report) == [("Violation", "表", 2, "发布日期", "Input-formula")]
    assert "选择性粘贴" in report.results[0].message_zh
    assert_chinese(report)
    # In the code column the row cannot be read: still one result, the formula's.
    rows = [header(), resource("=A1", "甲")]
    report = seeded.validate([Document("公式.xlsx", xlsx_of([("表", rows, [])]))])
    assert results(report) == [("Violation", "表", 2, "信息资源代码", "Input-formula")]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_templates_example_row_is_refused(kind: str, seeded) -> None:
    data = csv_bytes(template_rows()) if kind == "csv" else xlsx_bytes(template_rows(), True)
    report = seeded.validate([Document(f"模板.{kind}", data)])
    violations = [r for r in report.results if r.severity == "Violation"]
    assert [(dict(r.location)["row"], r.source_shape.removeprefix(SCSH)) for r in violations] == [
        (2, "Input-example-row")
    ]
    assert "示例行未删除" in violations[0].message_zh
    assert "Example row not deleted" in violations[0].message_en
    assert_chinese(report)
    # The example edited into a real resource is read.
    rows = [template_rows()[0], resource("101001/000801", "人口基础信息")]
    assert seeded.validate([Document("已填写.csv", csv_bytes(rows))]).conforms


def test_code_lists_are_listed_in_their_own_order_with_a_clear_suggestion() -> None:
    assert ordered_concepts(SCS.UpdateCycles) == [
        CYCLE[n]
        for n in (
            "realtime",
            "daily",
            "weekly",
            "monthly",
            "quarterly",
            "halfyearly",
            "yearly",
            "irregular",
        )
    ]
    # Synonyms recorded as skos:altLabel are the concept itself.
    assert concept("cycle", "按月") == CYCLE.monthly
    assert concept("cycle", "按 季度") == CYCLE.quarterly
    cases = {
        "每月更新一次": "是否应为“每月”",  # filler words around a value
        "monthy": "是否应为“每月”",  # a misspelt English label
        "每两周": None,  # no cycle of two weeks: no guess
        "每半月": None,  # one character from 每月 and from 每半年: no guess
    }
    for text, suggested in cases.items():
        with pytest.raises(CellError) as error:
            concept("cycle", text)
        if suggested:
            assert suggested in error.value.zh, text
            assert "Did you mean 每月 (Monthly)?" in error.value.en
        else:
            assert "是否应为" not in error.value.zh and "Did you mean" not in error.value.en


def test_the_xlsx_templates_drop_down_lists_are_in_the_lists_order() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx_bytes(template_rows(), guide=True)))
    lists = [v.formula1 for v in book.active.data_validations.dataValidation]
    assert '"实时,每日,每周,每月,每季度,每半年,每年,不定期"' in lists


def test_the_zh_text_report_names_positions_in_chinese(seeded) -> None:
    from registry.validation.reports import render_report

    report = seeded.validate([Document("目录.xlsx", xlsx_of(clerk_workbook_sheets()))])
    text = render_report(report, "text", lang="zh")
    assert "工作表 排污许可,第 2 行,列“更新周期”" in text
    assert "column_en" not in text and "row" not in text
    assert "sheet,row,column" in render_report(report, "csv").splitlines()[0]
    # The results about the whole workbook (the header below a title) are the
    # document's: their heading was "条目: " with nothing after it.
    assert "\n条目: 整个文档\n" in text and "\n条目: \n" not in text
    english = render_report(report, "text", lang="en")
    assert "\nEntry: the document as a whole\n" in english
    # A result with no value (a sheet without a header) showed "= -".
    assert " = -" not in text and " = -" not in english


# ----------------------------------------------------------------------------- ways in


def test_xls_upload_paths_accept_it(seeded_dump: bytes, validator, tmp_path) -> None:
    """The extension (CLI and load), --format, and Content-Type application/vnd.ms-excel."""
    data = xls_of(clerk_workbook_sheets())
    by_extension = load_submission([Document("目录.xls", data)])
    by_format = load_submission([Document("upload", data, "xls")])
    assert len(by_extension) == len(by_format) > 50

    from registry.cli import main

    path = tmp_path / "目录.xls"
    path.write_bytes(data)
    out = CliRunner().invoke(main, ["validate", str(path), "--store", "memory", "--report", "csv"])
    assert out.exit_code == 1, out.output  # the update cycle 每两周
    assert any(line.endswith("排污许可,2,更新周期,目录.xls") for line in out.output.splitlines())

    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    settings = Settings(store="memory", seed=False)
    with TestClient(create_app(settings, store=store, validator=validator)) as client:
        answer = client.post(
            "/api/v1/validate",
            content=data,
            headers={"Content-Type": "application/vnd.ms-excel"},
        )
        assert answer.status_code == 200, answer.text
        located = [r["location"] for r in answer.json()["results"] if r["severity"] == "Violation"]
        assert located == [
            {
                "file": "upload.xls",
                "sheet": "排污许可",
                "row": 2,
                "column": "更新周期",
                "column_en": "update cycle",
                "column_letter": "O",  # the letter Excel shows
            }
        ]
        by_query = client.post(
            "/api/v1/validate?format=xls",
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert by_query.status_code == 200, by_query.text
        assert by_query.json()["counts"]["Violation"] == 1


def test_a_broken_xls_is_refused_as_input() -> None:
    from registry.errors import InputError

    with pytest.raises(InputError) as refused:
        load_submission([Document("坏.xls", b"\xd0\xcf\x11\xe0 not really")])
    assert refused.value.details["rule"] == "xls"
    with pytest.raises(InputError) as renamed:
        load_submission([Document("改名.xls", xlsx_of(clerk_workbook_sheets()))])
    assert "xlsx" in renamed.value.args[0]


def test_every_column_title_is_recognised_with_stars_breaks_and_full_width_forms() -> None:
    from registry.inputs.tabular import header_column

    for col in COLUMNS:
        for spelling in (f"*{col.zh}", f"{col.zh}*", col.zh[:2] + "\n" + col.zh[2:]):
            assert header_column(spelling) is BY_KEY[col.key], spelling
    assert header_column("ＲＥＳＯＵＲＣＥ　ｃｏｄｅ") is BY_KEY["code"]


def test_every_reading_problem_of_the_examples_reads_in_chinese(seeded) -> None:
    """The Chinese-everywhere rule (docs/inputs.md) for every reading problem of the
    invalid spreadsheet examples and of this file's workbooks, shapes aside."""
    from tests.conftest import EXAMPLES

    documents = [
        Document(path.name, path.read_bytes()) for path in (EXAMPLES / "invalid").glob("*.csv")
    ]
    documents.append(Document("目录.xlsx", xlsx_of(clerk_workbook_sheets())))
    rows = [header(), resource("101001/000901", "甲", issued="2025-13-45", items="名称")]
    documents.append(Document("日期.csv", csv_bytes(rows)))
    seen = set()
    for document in documents:
        report = seeded.validate([document])
        problems = [r for r in report.results if "#Input-" in r.source_shape]
        for r in problems:
            seen.add(r.source_shape.removeprefix(SCSH))
            assert not LATIN.search(QUOTED.sub("", r.message_zh)), r.message_zh
    assert {"Input-date", "Input-data-item", "Input-code-list", "Input-header-row"} <= seen


def test_the_pages_report_named_reading_problems_by_the_propertys_english_name(seeded) -> None:
    """The JSON report (and the pages built on it) named a reading problem's property
    by its local name, `issued`, `conformsTo`, `publisher`, where the text report named
    the column: 发布日期, 符合标准, 提供方代码."""
    from registry.validation.reports import report_json
    from tests.conftest import EXAMPLES

    data = (EXAMPLES / "invalid" / "spreadsheet-cells.csv").read_bytes()
    results = report_json(seeded.validate([Document("c.csv", data)]))["results"]
    names = {r["path_name"]["zh"] for r in results if r.get("path_name")}
    assert {"发布日期", "符合标准", "提供方代码"} <= names
    assert not [n for n in names if LATIN.search(n)], names
