"""Workbooks as clerks made them, which the first round of issue 21 had not seen: each
test is named after what the registry did wrong with one, and builds the workbook here
(openpyxl, xlwt, bytes of CSV in the encodings and delimiters Excel writes).

Each states its exact results and positions (sheet, row, column) and that the zh
messages read without English words.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from registry.config import Settings
from registry.errors import InputError
from registry.inputs.document import SCSH, Document
from registry.inputs.tabular import BY_KEY, COLUMNS, header_column
from registry.service import Registry
from registry.store import open_store
from tests.inputs.test_workbooks import (
    BASE,
    LATIN,
    PROVIDER,
    PROVIDER_CODE,
    Sheets,
    assert_chinese,
    column,
    header,
    resource,
    results,
    xls_of,
    xlsx_of,
)

PUBLISHER = URIRef(f"{BASE}department/{PROVIDER_CODE}")
SCS_NS = "https://w3id.org/smartcity-std#"


@pytest.fixture(scope="module")
def seeded(seeded_dump: bytes, validator):
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    with Registry(Settings(store="memory", seed=False), validator=validator, store=store) as r:
        yield r


def res_iri(code: str) -> URIRef:
    return URIRef(f"{BASE}resource/{code.replace('/', '-')}")


def text_file(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


# ----------------------------------------------------------------------------- CSV


def test_a_csv_with_semicolons_was_refused_as_having_no_header(seeded) -> None:
    """Excel writes `;` where the comma is the decimal sign; the data-item cells hold
    `;` too, so the header row decides the delimiter."""
    rows = [header(), resource("101001/003001", "分号分隔一"), resource("101001/003002", "二")]
    report = seeded.validate([Document("分号.csv", text_file(rows, ";", "gb18030"))])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]
    graph = seeded.parse([Document("分号.csv", text_file(rows, ";", "gb18030"))])
    assert (
        len(
            list(
                graph.objects(
                    res_iri("101001/003001"), URIRef("https://w3id.org/smartcity-std#dataItem")
                )
            )
        )
        == 2
    )


def test_excels_unicode_text_in_utf16_was_refused(seeded) -> None:
    """Excel's "Unicode text" (Unicode 文本) is UTF-16 with a BOM and tabs."""
    rows = [["沈阳市大数据管理局目录"], header(), resource("101001/003101", "统一编码文本")]
    data = text_file(rows, "\t", "utf-16")
    assert data.startswith(b"\xff\xfe")
    report = seeded.validate([Document("目录.txt.csv", data)])
    assert results(report, sheet=False) == [("Info", None, 2, None, "Input-header-row")]
    assert report.conforms


# ----------------------------------------------------------------------------- headers


def two_row_header_sheet() -> tuple[list[list], list[tuple[int, int, int, int]]]:
    """序号 and 更新周期... merged down both rows; 信息资源 over 分类...信息项, 提供方 over
    名称/代码, 共享属性 over its three columns: the layout of bureaus' catalogue forms."""
    keys = ["class", "name", "code", "abstract", "format", "items", "provider",
            "provider_code", "sharing", "condition", "method", "open", "cycle", "issued",
            "standards"]  # fmt: skip
    top = ["序号", "信息资源", "", "", "", "", "", "提供方", "", "共享属性", "", "",
           "是否向社会开放", "更新周期", "发布日期", "符合标准"]  # fmt: skip
    sub = ["", "分类", "名称", "代码", "摘要", "格式", "信息项", "名称", "代码", "共享类型",
           "共享条件", "共享方式", "", "", "", ""]  # fmt: skip
    rows: list[list] = [top, sub]
    by_key = {c.key: i for i, c in enumerate(COLUMNS)}
    for n in (1, 2):
        full = resource(f"101001/00320{n}", f"企业登记信息{n}")
        rows.append([str(n)] + [full[by_key[k]] for k in keys])
    merged = [(1, 1, 2, 1), (1, 2, 1, 7), (1, 8, 1, 9), (1, 10, 1, 12)]
    merged += [(1, c, 2, c) for c in range(13, 17)]
    return rows, merged


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv"])
def test_a_header_over_two_rows_with_merged_group_titles_was_refused(kind: str, seeded) -> None:
    """It gave 8 "missing column" Violations; 名称 under 提供方 must not be the name."""
    rows, merged = two_row_header_sheet()
    if kind == "csv":
        data = text_file(rows, ",", "utf-8")
    else:
        data = (xlsx_of if kind == "xlsx" else xls_of)([("资源目录", rows, merged)])
    report = seeded.validate([Document(f"两行表头.{kind}", data)])
    sheet = None if kind == "csv" else "资源目录"
    assert results(report) == [
        ("Info", sheet, 2, None, "Input-header-row"),
        ("Warning", sheet, 2, "序号", "Input-unknown-header"),
    ], [r.as_dict() for r in report.results]
    info = next(r for r in report.results if r.source_shape.endswith("header-row"))
    assert "第 1 至 2 行" in info.message_zh
    assert_chinese(report)
    graph = seeded.parse([Document(f"两行表头.{kind}", data)])
    first = res_iri("101001/003201")
    assert graph.value(first, DCTERMS.publisher) == PUBLISHER
    assert str(graph.value(first, DCTERMS.title)) == "企业登记信息1"
    assert graph.value(first, DCTERMS.issued) is not None


def test_a_header_cell_with_the_chinese_and_the_english_title_was_not_recognised(seeded) -> None:
    """信息资源名称⏎Name, 信息资源代码（Resource code）, 提供方代码(18位): the parts name one
    column. Two parts naming two columns name none."""
    cases = {
        "信息资源名称\nName": "name",
        "信息资源代码（Resource code）": "code",
        "Provider code 提供方代码": "provider_code",
        "提供方代码(18位)": "provider_code",
        "发布日期(YYYY-MM-DD)": "issued",
    }
    for text, key in cases.items():
        found = header_column(text)
        assert found is not None and found.key == key, text
    assert header_column("信息资源名称\nResource code") is None
    heads = [f"{c.zh}\n{c.en}" if i % 2 else f"{c.zh}（{c.en}）" for i, c in enumerate(COLUMNS)]
    rows = [heads, resource("101001/003301", "双语表头")]
    report = seeded.validate([Document("双语.xlsx", xlsx_of([("目录 Catalogue", rows, [])]))])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]


# ----------------------------------------------------------------------------- cells


def test_full_width_digits_and_spaces_in_a_resource_code_refused_the_row(seeded) -> None:
    rows = [
        header(),
        resource("１０１００１／００３４０１", "全角代码"),
        resource(" 101001 / 003402 ", "空格代码"),
        resource("101001/003403\n", "换行代码", related="１０１００１/００３４０１"),
    ]
    report = seeded.validate([Document("全角.xlsx", xlsx_of([("目录", rows, [])]))])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]
    graph = seeded.parse([Document("全角.xlsx", xlsx_of([("目录", rows, [])]))])
    for code in ("101001/003401", "101001/003402", "101001/003403"):
        assert (
            str(graph.value(res_iri(code), URIRef("https://w3id.org/smartcity-std#resourceCode")))
            == code
        )
    assert graph.value(res_iri("101001/003403"), DCTERMS.relation) == res_iri("101001/003401")


def test_dates_as_excel_day_numbers_or_with_a_time_were_not_dates(seeded) -> None:
    """45352 is what a date cell shows once its format is lost (2024-03-01); a date saved
    as text keeps its time (2024/3/1 0:00). A year alone is still not a date."""
    written = [45352, 45352.75, "45352", "2024/3/1 0:00", "2024-03-01 00:00:00",
               datetime(2024, 3, 1, 8, 30), "2024年3月1日", "2024.3.1", "2024"]  # fmt: skip
    rows: list[list] = [header()]
    i = column("issued") - 1
    for n, value in enumerate(written, start=1):
        row: list = resource(f"101001/0035{n:02d}", f"日期{n}")
        row[i] = value
        rows.append(row)
    data = xlsx_of([("目录", rows, [])])
    report = seeded.validate([Document("日期.xlsx", data)])
    assert results(report) == [("Violation", "目录", 10, "发布日期", "Input-date")]
    graph = seeded.parse([Document("日期.xlsx", data)])
    for n in range(1, 9):
        issued = graph.value(res_iri(f"101001/0035{n:02d}"), DCTERMS.issued)
        assert issued == Literal("2024-03-01", datatype=XSD.date), (n, issued)


@pytest.mark.parametrize("make", [xlsx_of, xls_of])
def test_a_missing_value_after_a_rows_last_cell_was_reported_without_its_column(
    seeded, make
) -> None:
    """A spreadsheet stores no empty cell after a row's last value: a row whose 发布日期
    and the columns after it were left empty was short, and the missing date's Violation
    named the row only (no 列“发布日期”, no letter)."""
    rows: list[list] = [header(), resource("101001/003701", "短行")]
    rows[1] = rows[1][: column("issued") - 1]
    name = "短行.xlsx" if make is xlsx_of else "短行.xls"
    report = seeded.validate([Document(name, make([("目录", rows, [])]))])
    assert ("Violation", "目录", 2, "发布日期", "InformationResource-issued") in results(report)
    [issued] = [r for r in report.results if r.severity == "Violation"]
    assert dict(issued.location)["column_letter"] == "P"


def test_a_credit_code_kept_as_a_number_was_called_invalid_without_why(seeded) -> None:
    rows: list[list] = [header(), resource("101001/003601", "数值信用代码")]
    rows[1][column("provider_code") - 1] = 912101001234567000  # what Excel keeps of 18 digits
    report = seeded.validate([Document("数值.xlsx", xlsx_of([("目录", rows, [])]))])
    assert results(report) == [("Violation", "目录", 2, "提供方代码", "Input-credit-code")]
    [problem] = report.results
    assert "15 位有效数字" in problem.message_zh and "文本" in problem.message_zh
    assert "912101001234567000" in problem.message_zh
    assert_chinese(report)


def test_a_credit_code_excel_wrote_to_a_csv_as_1_12101e_17_was_called_invalid(seeded) -> None:
    """An XLSX number cell got the message that says why; the same code saved by Excel
    to CSV is the text 1.12101E+17, and was only 'not a valid credit code'."""
    rows: list[list] = [header(), resource("101001/003611", "科学计数法信用代码")]
    rows[1][column("provider_code") - 1] = "1.12101E+17"
    report = seeded.validate([Document("科学计数.csv", text_file(rows, ",", "utf-8-sig"))])
    assert results(report, sheet=False) == [
        ("Violation", None, 2, "提供方代码", "Input-credit-code")
    ]
    [problem] = report.results
    assert "15 位有效数字" in problem.message_zh and "“1.12101E+17”" in problem.message_zh
    assert_chinese(report)


def test_only_the_first_bad_data_item_of_a_cell_was_reported(seeded) -> None:
    """站点编号:C:99999999999999999999;监测时间:日期;备注:字符 gave one Violation (日期);
    fixed, the next run gave 字符. Every bad entry is reported at once, each with what
    was meant where it is clear."""
    items = "站点编号:字符型(20);监测时间:日期;备注:字符;数量:N:-5;名称:C:20"
    rows: list[list] = [header(), resource("101001/003621", "信息项", items=items)]
    report = seeded.validate([Document("信息项.xlsx", xlsx_of([("目录", rows, [])]))])
    problems = [r for r in report.results if r.source_shape.endswith("Input-data-item")]
    assert [p.value for p in problems] == ["字符型(20)", "日期", "字符", "-5"]
    by_value = {p.value: p.message_zh for p in problems}
    assert "是否应为“站点编号:字符型:20”" in by_value["字符型(20)"]
    assert "是否应为“字符型”" in by_value["字符"]
    assert "正整数" in by_value["-5"]
    assert "C(字符型)" in by_value["日期"] and "D(日期型)" in by_value["日期"]
    # One result per problem: the shape's "no data item" for the unread cell is not added.
    assert [r for r in report.results if r.severity == "Violation"] == problems
    assert_chinese(report)


def test_related_codes_got_none_of_the_resource_codes_hints(seeded) -> None:
    """In 关联资源代码, 309023-000001 got no 'did you mean 309023/000001', a code that
    lost its zeros (101001/1) no hint at all, and the resource's own code was taken."""
    rows: list[list] = [
        header(),
        resource("101001/003641", "关联一", related="101001-000001"),
        resource("101001/003642", "关联二", related="101001/1"),
        resource("101001/003643", "关联三", related="101001/003643"),
    ]
    report = seeded.validate([Document("关联.xlsx", xlsx_of([("目录", rows, [])]))])
    found: dict[int, list] = {}
    for r in report.results:
        if dict(r.location).get("column") == "关联资源代码":
            found.setdefault(dict(r.location)["row"], []).append((r.severity, r.message_zh))
    assert any(s == "Violation" and "是否应为“101001/000001”" in m for s, m in found[2])
    assert any(s == "Warning" and "是否应为“101001/000001”" in m for s, m in found[3])
    assert any(s == "Warning" and "自己的代码" in m for s, m in found[4])
    assert_chinese(report)


def test_the_zh_text_report_named_a_cell_by_an_english_property(seeded) -> None:
    """[违规] publisher = ... in a Chinese report: a spreadsheet result is named by its
    column's title."""
    from registry.validation.reports import render_report

    rows: list[list] = [header(), resource("101001/003701", "名称", issued="2024-13-01")]
    report = seeded.validate([Document("列名.xlsx", xlsx_of([("目录", rows, [])]))])
    text = render_report(report, "text", lang="zh")
    assert "[违规] 发布日期 = 2024-13-01" in text, text
    assert "issued" not in text


# ----------------------------------------------------------------------------- rows


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_total_note_and_section_rows_were_refused_as_resources(kind: str, seeded) -> None:
    """A section title merged across the row, then resources, then 合计, a merged note
    and the signatures: none of them is a resource, each is said, nothing is refused."""
    width = len(COLUMNS)
    rows: list[list] = [
        ["沈阳市大数据管理局政务信息资源目录"],
        ["填报单位：沈阳市大数据管理局"],
        header(),
        ["一、基础信息资源"],
        resource("101001/003801", "法人单位信息"),
        resource("101001/003802", "社会组织信息"),
        ["合计：2 项"],
        ["注：共享条件以审批为准。"],
        ["填表人：张三", "", "", "联系电话：024-12345678"],
        ["", "人口"],  # a name alone, no code: not a resource, but not a known note either
        header(),  # the header again, as pasted above a section
        ["以下空白"],
    ]
    merged = [(1, 1, 1, width), (4, 1, 4, width), (8, 1, 8, width)]
    data = (xlsx_of if kind == "xlsx" else xls_of)([("目录", rows, merged)])
    report = seeded.validate([Document(f"合计.{kind}", data)])
    assert results(report) == sorted(
        [
            ("Info", "目录", 3, None, "Input-header-row"),
            ("Info", "目录", 4, None, "Input-note-row"),
            ("Info", "目录", 7, None, "Input-note-row"),
            ("Info", "目录", 8, None, "Input-note-row"),
            ("Info", "目录", 9, None, "Input-note-row"),
            ("Warning", "目录", 10, None, "Input-note-row"),
            ("Info", "目录", 11, None, "Input-note-row"),
            ("Info", "目录", 12, None, "Input-note-row"),
        ],
        key=repr,
    ), [r.as_dict() for r in report.results]
    assert report.conforms
    assert_chinese(report)
    signatures = next(r for r in report.results if dict(r.location).get("row") == 9)
    assert "填表人：张三 / 联系电话：024-12345678" in signatures.message_zh
    # A resource with no code is still reported as one.
    rows = [header(), resource("", "无代码资源")]
    report = seeded.validate(
        [Document(f"无代码.{kind}", (xlsx_of if kind == "xlsx" else xls_of)([("目录", rows, [])]))]
    )
    assert results(report) == [("Violation", "目录", 2, "信息资源代码", "Input-resource-code")]


def test_a_totals_row_counting_with_a_formula_refused_the_workbook(seeded) -> None:
    """合计 with =COUNTA(...) under the resources, or Excel's own table total row (汇总
    with =SUBTOTAL(103, ...) in the code column): the formula made the row a resource
    row, refused for its missing code or its formula. A totals row is a note row
    whatever it counts with; a formula in a resource row is still reported."""
    rows: list[list] = [
        header(),
        resource("101001/003901", "法人单位信息"),
        resource("101001/003902", "社会组织信息"),
        ["合计"] + [""] * (len(COLUMNS) - 2) + ["=COUNTA(D2:D3)"],
        ["汇总", "", "", "=SUBTOTAL(103,D2:D3)"],
    ]
    rows[4] += [""] * (len(COLUMNS) - len(rows[4]))
    report = seeded.validate([Document("合计公式.xlsx", xlsx_of([("目录", rows, [])]))])
    assert report.conforms, [r.message_zh for r in report.results if r.severity == "Violation"]
    notes = [r for r in report.results if r.source_shape.endswith("Input-note-row")]
    assert [(r.severity, dict(r.location)["row"]) for r in notes] == [("Info", 4), ("Info", 5)]
    assert_chinese(report)


def test_a_hidden_sheet_was_read_and_its_old_rows_refused_the_visible_ones(seeded) -> None:
    """Last year's sheet, hidden, held the same codes: a duplicate-code Violation on a
    sheet the clerk cannot see. Hidden sheets are not read; one with the header is named."""
    from openpyxl import load_workbook

    current = [header(), resource("101001/003901", "当前资源")]
    old = [header(), resource("101001/003901", "旧名称", cycle="每两周")]
    lists = [["实时"], ["每日"]]
    book = load_workbook(io.BytesIO(xlsx_of([("2024年", current, []), ("2023年（旧）", old, []),
                                             ("字典", lists, [])])))  # fmt: skip
    book["2023年（旧）"].sheet_state = "hidden"
    book["字典"].sheet_state = "veryHidden"
    out = io.BytesIO()
    book.save(out)
    report = seeded.validate([Document("隐藏.xlsx", out.getvalue())])
    assert results(report) == [("Warning", None, None, None, "Input-hidden-sheet")]
    assert "“2023年（旧）”" in report.results[0].message_zh
    assert "取消隐藏" in report.results[0].message_zh
    assert_chinese(report)
    graph = seeded.parse([Document("隐藏.xlsx", out.getvalue())])
    titles = {str(t) for t in graph.objects(res_iri("101001/003901"), DCTERMS.title)}
    assert "当前资源" in titles and "旧名称" not in titles


def test_a_hidden_xls_sheet_is_not_read_either(seeded) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in (("2024年", [header(), resource("101001/004001", "甲")]),
                       ("2023年", [header(), resource("101001/004001", "乙")])):  # fmt: skip
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    sheet.visibility = 1
    out = io.BytesIO()
    book.save(out)
    report = seeded.validate([Document("隐藏.xls", out.getvalue())])
    assert results(report) == [("Warning", None, None, None, "Input-hidden-sheet")]
    assert "“2023年”" in report.results[0].message_zh


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_resource_over_several_rows_one_item_each_was_refused_as_duplicate_codes(
    kind: str, seeded
) -> None:
    """The catalogue forms' own layout: a resource's cells merged down its rows, one data
    item per row. Its rows 2 and 3 were "code already on row 1, not read" and their
    items lost. A cell of its own on a further row has no place: a Warning."""
    items = ["统一编号:C:18:TYBH", "名称:C:100:MC", "登记日期:D::DJRQ"]
    i, k = column("items"), column("condition")
    first = resource("101001/004101", "分行信息项资源", items=items[0])
    rows: list[list] = [header(), first]
    for item in items[1:]:
        row = [""] * len(COLUMNS)
        row[i - 1] = item
        rows.append(row)
    rows[3][k - 1] = "另写的条件"  # in a column that is not merged
    rows.append(resource("101001/004102", "下一项资源"))
    merged = [(2, c, 4, c) for c in range(1, len(COLUMNS) + 1) if c not in (i, k)]
    data = (xlsx_of if kind == "xlsx" else xls_of)([("目录", rows, merged)])
    report = seeded.validate([Document(f"分行.{kind}", data)])
    assert results(report) == [
        ("Info", "目录", 2, "信息项", "Input-continued-rows"),
        ("Warning", "目录", 4, "共享条件", "Input-continued-rows"),
    ], [r.as_dict() for r in report.results]
    assert any("第 2 至 4 行" in r.message_zh for r in report.results)
    assert_chinese(report)
    graph = seeded.parse([Document(f"分行.{kind}", data)])
    got = graph.objects(res_iri("101001/004101"), URIRef("https://w3id.org/smartcity-std#dataItem"))
    assert len(list(got)) == 3
    assert graph.value(res_iri("101001/004102"), DCTERMS.title) is not None


def test_a_csv_row_of_items_only_under_a_resource_says_it_was_a_merged_resource(seeded) -> None:
    """The same sheet saved as CSV: the further rows keep only their data item."""
    i = column("items")
    rows: list[list] = [header(), resource("101001/004201", "分行资源")]
    extra = [""] * len(COLUMNS)
    extra[i - 1] = "名称:C:100:MC"
    rows.append(extra)
    report = seeded.validate([Document("分行.csv", text_file(rows, ",", "gb18030"))])
    assert results(report, sheet=False) == [
        ("Violation", None, 3, "信息资源代码", "Input-merged-cell")
    ]
    assert "续行" in report.results[0].message_zh and "第 2 行" in report.results[0].message_zh
    assert_chinese(report)


@pytest.mark.parametrize(
    "titles", [("前段码", "后段码"), ("信息资源代码(前段码)", "信息资源代码(后段码)")]
)
def test_a_code_in_two_columns_got_unknown_headers_or_a_duplicate(seeded, titles) -> None:
    """前段码 | 后段码 as two columns: two unknown-header Warnings and a missing 信息资源代码,
    or, titled 信息资源代码(前段码) / (后段码), '信息资源代码 appears twice' though the
    clerk sees two titles. One result now, saying to join them."""
    head = header()
    at = column("code") - 1
    rows: list[list] = [head[:at] + list(titles) + head[at + 1 :]]
    row = resource("101001/004321", "分列代码")
    rows.append([*row[:at], "101001", "004321", *row[at + 1 :]])
    report = seeded.validate([Document("分列.xlsx", xlsx_of([("目录", rows, [])]))])
    assert [r.source_shape.rsplit("-", 2)[-2:] for r in report.results] == [["split", "code"]]
    [said] = report.results
    assert said.severity == "Violation" and "前段码/后段码" in said.message_zh
    assert dict(said.location)["column"] == titles[0]
    assert_chinese(report)


def test_a_code_columns_title_naming_both_parts_is_the_code(seeded) -> None:
    head = header()
    head[column("code") - 1] = "信息资源代码(前段码/后段码)"
    rows: list[list] = [head, resource("101001/004322", "一列代码")]
    report = seeded.validate([Document("一列.xlsx", xlsx_of([("目录", rows, [])]))])
    assert report.conforms, [r.message_zh for r in report.results]


def test_a_no_break_space_in_a_name_made_another_name(seeded) -> None:
    """'Air\u00a0quality  data' (a no-break space pasted from a web page, two spaces) was
    registered as typed: the same name looked alike and was another. A name's spaces are
    one space each; an ideographic space between Chinese words is the clerk's and kept."""
    rows: list[list] = [
        header(),
        resource("101001/004311", "空气质量\u3000监测数据", name_en="Air\u00a0quality  data"),
    ]
    graph = seeded.parse([Document("空格.xlsx", xlsx_of([("目录", rows, [])]))])
    titles = {str(t) for t in graph.objects(res_iri("101001/004311"), DCTERMS.title)}
    assert titles == {"空气质量\u3000监测数据", "Air quality data"}


def test_a_line_break_in_a_name_or_provider_cell_was_kept_in_the_name(seeded) -> None:
    """人口⏎基础信息 (Alt+Enter to fit a narrow column) was registered with the break, and a
    provider name so wrapped matched no department."""
    rows: list[list] = [
        header(),
        resource("101001/004301", "人口\n基础信息", name_en="Population\nbase"),
    ]
    rows[1][column("provider") - 1] = "沈阳市\n大数据管理局"
    rows[1][column("provider_code") - 1] = ""
    rows[1][column("abstract") - 1] = "第一行。\n第二行。"
    data = xlsx_of([("目录", rows, [])])
    report = seeded.validate([Document("换行.xlsx", data)])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]
    graph = seeded.parse([Document("换行.xlsx", data)])
    res = res_iri("101001/004301")
    assert {str(t) for t in graph.objects(res, DCTERMS.title)} == {
        "人口基础信息",
        "Population base",
    }
    assert graph.value(res, DCTERMS.publisher) == PUBLISHER
    # An abstract may have lines of its own.
    assert str(graph.value(res, DCTERMS.description)) == "第一行。\n第二行。"


def test_short_and_wordy_code_list_values_got_no_suggestion() -> None:
    """无条件 / 有条件 / 不共享 are the sharing types' own short forms (now altLabels);
    季度, 接口服务, 基础类 name one value by holding or being held in its spelling, and
    are asked about; a negation on one side only (不予开放 holds 开放) gets no guess."""
    from registry.inputs.tabular import CellError, concept

    sharing = "https://w3id.org/smartcity-std/code/sharing-type/"
    assert str(concept("sharing", "无条件")) == sharing + "unconditional"
    assert str(concept("sharing", "有条件")) == sharing + "conditional"
    assert str(concept("sharing", "不共享")) == sharing + "none"
    asked = {
        ("cycle", "季度"): "每季度",
        ("method", "接口服务"): "接口",
        ("method", "文件下载"): "文件",
        ("class", "基础类"): "基础信息资源",
        ("open", "否（不开放）"): "否",
    }
    for (key, text), meant in asked.items():
        with pytest.raises(CellError) as error:
            concept(key, text)
        assert f"是否应为“{meant}”?" in error.value.zh, text
    for key, text in (
        ("open", "不予开放"),
        ("method", "共享平台"),
        ("cycle", "年"),
        ("cycle", "每两周"),
    ):
        with pytest.raises(CellError) as error:
            concept(key, text)
        assert "是否应为" not in error.value.zh, text


def test_numbered_titles_with_colons_were_no_header(seeded) -> None:
    """1.信息资源分类, (2)信息资源名称：, ③信息资源代码: a clerk's numbering and colon."""
    for text, key in (("1.信息资源分类", "class"), ("(2)信息资源名称：", "name"),
                      ("③信息资源代码", "code"), ("12、发布日期:", "issued")):  # fmt: skip
        found = header_column(text)
        assert found is not None and found.key == key, text
    heads = [f"{i}.{c.zh}：" for i, c in enumerate(COLUMNS, 1)]
    rows = [heads, resource("101001/004401", "编号表头")]
    report = seeded.validate([Document("编号.xlsx", xlsx_of([("目录", rows, [])]))])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]


def test_a_row_of_required_and_optional_hints_under_the_header_was_a_resource(seeded) -> None:
    hints = ["必填" if c.required else "（选填）" for c in COLUMNS]
    rows = [header(), hints, resource("101001/004501", "提示行下的资源")]
    report = seeded.validate([Document("提示.xlsx", xlsx_of([("目录", rows, [])]))])
    assert results(report) == [("Info", "目录", 2, None, "Input-note-row")]
    assert report.conforms


def test_a_code_with_another_separator_was_refused_without_the_code_meant(seeded) -> None:
    rows = [header(), resource("101001-004601", "连字符"), resource("101001\\004602", "反斜杠")]
    rows.append(resource("人口信息", "不是代码"))
    report = seeded.validate([Document("分隔符.xlsx", xlsx_of([("目录", rows, [])]))])
    assert results(report) == [
        ("Violation", "目录", n, "信息资源代码", "Input-resource-code") for n in (2, 3, 4)
    ]
    by_row = {dict(r.location)["row"]: r for r in report.results}
    assert "是否应为“101001/004601”?" in by_row[2].message_zh
    assert "是否应为“101001/004602”?" in by_row[3].message_zh
    assert "是否应为" not in by_row[4].message_zh
    assert "Did you mean 101001/004601?" in by_row[2].message_en
    assert_chinese(report)


def test_a_templates_prefilled_empty_rows_were_each_refused_as_resources(seeded) -> None:
    """A template with 序号 1..60 and the provider and class filled in on every row: the
    rows below the real resources were 58 missing-code Violations. One Info per run."""
    rows: list[list] = [["序号", *header()], ["1", *resource("101001/004701", "预填模板资源")]]
    k, p, pc = column("class"), column("provider"), column("provider_code")
    for n in range(2, 60):
        row = [str(n)] + [""] * len(COLUMNS)
        row[k], row[p], row[pc] = "基础信息资源", PROVIDER, PROVIDER_CODE
        rows.append(row)
    rows.append(["60"] + [""] * len(COLUMNS))
    rows.append(["61", *resource("101001/004702", "空行之后的资源")])
    rows.append(["62"] + [""] * len(COLUMNS))
    rows[-1][p] = PROVIDER
    report = seeded.validate([Document("预填.xlsx", xlsx_of([("目录", rows, [])]))])
    assert results(report) == [
        ("Info", "目录", 3, None, "Input-note-row"),
        ("Info", "目录", 63, None, "Input-note-row"),
        ("Warning", "目录", 1, "序号", "Input-unknown-header"),
    ], [r.as_dict() for r in report.results]
    first = next(r for r in report.results if dict(r.location).get("row") == 3)
    assert "第 3 至 60 行只填了“信息资源分类”、“信息资源提供方”、“提供方代码”" in first.message_zh
    assert_chinese(report)
    graph = seeded.parse([Document("预填.xlsx", xlsx_of([("目录", rows, [])]))])
    assert graph.value(res_iri("101001/004702"), DCTERMS.publisher) == PUBLISHER


def test_rows_below_a_wrong_declared_sheet_size_were_lost_without_a_word(seeded) -> None:
    """Tools other than Excel write a wrong <dimension> (A1:N3 for a sheet of 5 rows);
    openpyxl's read-only mode stopped there: two resources lost, and "conforms"."""
    import re
    import zipfile

    rows = [header()] + [resource(f"101001/00480{n}", f"资源{n}") for n in range(1, 5)]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_of([("目录", rows, [])]))) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C3"', data)
                assert n == 1
            dst.writestr(info, data)
    report = seeded.validate([Document("尺寸.xlsx", out.getvalue())])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]
    graph = seeded.parse([Document("尺寸.xlsx", out.getvalue())])
    for n in range(1, 5):
        assert graph.value(res_iri(f"101001/00480{n}"), DCTERMS.publisher) == PUBLISHER, n


def items_in_columns(code: str, items: list[tuple[str, str, str, str]]) -> Sheets:
    """The catalogue forms' layout: a "信息项" title merged over 名称 / 类型 / 长度 / 代码
    (columns 8 to 11) in a two-row header, one item per row from row 3, the resource's
    other cells merged down its rows."""
    keys = [c.key for c in COLUMNS if c.key != "items"]
    top = (
        [BY_KEY[k].zh for k in keys[:7]] + ["信息项", "", "", ""] + [BY_KEY[k].zh for k in keys[7:]]
    )
    sub = [""] * 7 + ["名称", "类型", "长度", "代码"] + [""] * (len(keys) - 7)
    full = dict(zip((c.key for c in COLUMNS), resource(code, "分列信息项"), strict=True))
    rows: list[list] = [top, sub]
    for n, item in enumerate(items):
        rows.append([full[k] if n == 0 else "" for k in keys[:7]] + list(item)
                    + [full[k] if n == 0 else "" for k in keys[7:]])  # fmt: skip
    width, last = len(top), 2 + len(items)
    merged = [(1, c, 2, c) for c in range(1, width + 1) if c not in (8, 9, 10, 11)]
    merged += [(1, 8, 1, 11)]
    merged += [(3, c, last, c) for c in range(1, width + 1) if c not in (8, 9, 10, 11)]
    return [("目录", rows, merged)]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_data_items_in_columns_of_their_own_under_a_group_title_were_lost(
    kind: str, seeded
) -> None:
    """The catalogue forms' other layout: a "信息项" title merged over 名称 / 类型 / 长度,
    one item per row, the resource's cells merged down its rows. The type and length
    columns were not read (untitled) and the 信息项 cell was refused as malformed."""
    items = [
        ("统一编号", "C", "18", "TYBH"),
        ("名称", "字符型", "100", ""),
        ("登记日期", "D", "", ""),
    ]
    data = (xlsx_of if kind == "xlsx" else xls_of)(items_in_columns("101001/004901", items))
    report = seeded.validate([Document(f"分列.{kind}", data)])
    assert results(report) == [
        ("Info", "目录", 2, None, "Input-header-row"),
        ("Info", "目录", 3, "信息项", "Input-continued-rows"),
    ], [r.as_dict() for r in report.results]
    assert_chinese(report)
    graph = seeded.parse([Document(f"分列.{kind}", data)])
    res = res_iri("101001/004901")
    scs = "https://w3id.org/smartcity-std#"
    names = {}
    for item in graph.objects(res, URIRef(scs + "dataItem")):
        position = int(graph.value(item, URIRef(scs + "position")))
        names[position] = str(graph.value(item, URIRef(scs + "itemName")))
    assert names == {1: "统一编号", 2: "名称", 3: "登记日期"}
    assert str(graph.value(res, DCTERMS.title)) in ("分列信息项", "Population base information")


# ----------------------------------------------------------------------------- registering


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_workbook_with_reading_notes_was_validated_but_could_not_be_registered(
    kind: str, seeded
) -> None:
    """A reading result about the document as a whole (the header found below a title,
    a sheet without a header) has no focus node: the stored report made one of the
    empty IRI, which the store refused, so every such workbook validated and was then
    refused with "not a valid IRI: rdflib.term.URIRef('')"."""
    from registry.read import queries
    from registry.register.submission import REGISTRAR

    code = "101001/003901" if kind == "xlsx" else "101001/003902"
    title = ["沈阳市大数据管理局政务信息资源目录（2024年度）"]
    sheets = [
        ("目录", [title, header(), resource(code, "标题行下的资源")], []),
        ("说明", [["填表说明：每行一条信息资源。"]], []),
    ]
    data = (xlsx_of if kind == "xlsx" else xls_of)(sheets)
    result = seeded.submit([Document(f"目录.{kind}", data)], REGISTRAR)
    assert result.accepted, [r.as_dict() for r in result.report.results]
    assert sorted(r.source_shape.removeprefix(SCSH) for r in result.report.results) == [
        "Input-header-row",
        "Input-sheet-without-header",
    ]
    assert (res_iri(code), DCTERMS.title, Literal("标题行下的资源", lang="zh")) in seeded.parse(
        [Document(f"目录.{kind}", data)]
    )
    assert result.submission is not None
    stored = queries.submission(seeded.store, BASE, result.submission.rsplit("/", 1)[-1])
    shapes = sorted(r["shape"].removeprefix(SCSH) for r in stored["report"]["results"])
    assert shapes == ["Input-header-row", "Input-sheet-without-header"]


def test_a_password_protected_workbook_was_called_not_an_xlsx_workbook(seeded) -> None:
    """It opens in Excel: "not an XLSX workbook" told the clerk nothing they could do."""
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")

    plain = xlsx_of([("目录", [header(), resource("101001/003903", "加密的资源")], [])])
    encrypted = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(plain)).encrypt("secret", encrypted)
    with pytest.raises(InputError) as refused:
        seeded.validate([Document("加密.xlsx", encrypted.getvalue())])
    assert refused.value.details["rule"] == "xlsx-encrypted"
    assert "密码" in refused.value.message.zh and "password" in refused.value.message.en
    # An Excel 97-2003 workbook named .xlsx is told apart from it.
    old = xls_of([("目录", [header(), resource("101001/003904", "旧格式")], [])])
    with pytest.raises(InputError) as renamed:
        seeded.validate([Document("旧.xlsx", old)])
    assert "rename it to .xls" in renamed.value.message.en


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def test_data_under_a_blank_header_cell_was_dropped_without_a_word(seeded) -> None:
    """A column with no title (a blank header cell, a header cell merged over two
    columns, or data right of the last title) was not read and not reported."""
    title_row = header()
    code = "101001/003905"
    row = resource(code, "无标题列的资源")
    sheet_rows = [
        [*title_row[:1], "", *title_row[1:], ""],
        [*row[:1], "附注一", *row[1:], "", "最右边的值"],
        [
            *resource("101001/003906", "第二行")[:1],
            "附注二",
            *resource("101001/003906", "第二行")[1:],
        ],
    ]
    data = xlsx_of([("目录", sheet_rows, [])])
    report = seeded.validate([Document("无标题.xlsx", data)])
    untitled = [r for r in report.results if r.source_shape.endswith("Input-untitled-column")]
    assert [(r.severity, dict(r.location)["row"], r.value) for r in untitled] == [
        ("Warning", 2, "附注一"),
        ("Warning", 2, "最右边的值"),
    ]
    # The letter Excel shows, in zh as in en (it was 第 2 列), and in the location.
    assert "B 列没有列标题" in untitled[0].message_zh and "Column B" in untitled[0].message_en
    last = _letter(len(sheet_rows[1]))
    assert dict(untitled[1].location)["column_en"] == last
    assert dict(untitled[1].location)["column"] == last
    assert dict(untitled[1].location)["column_letter"] == last
    assert_chinese(report)
    assert report.conforms


def test_a_title_made_by_a_formula_was_not_reported_above_the_header(seeded) -> None:
    title = '="沈阳市政务信息资源目录（"&YEAR(TODAY())&"年）"'
    data = xlsx_of([("目录", [[title], header(), resource("101001/003907", "公式标题")], [])])
    report = seeded.validate([Document("公式.xlsx", data)])
    found = [r for r in report.results if r.source_shape.endswith("Input-header-row")]
    assert len(found) == 1 and "YEAR(TODAY())" in (found[0].value or "")
    assert dict(found[0].location)["row"] == 2


# ----------------------------------------------------------------------------- the probe's cells
# Found from outside by a probe of workbooks as clerks make them (issue: workbooks.md).


def patched_xlsx(data: bytes, cells: dict[str, str]) -> bytes:
    """`data` with the XML of some cells of its first sheet replaced (address -> <c>), to
    write what openpyxl will not: an error value, Excel's own escapes."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                for address, xml in cells.items():
                    text, n = re.subn(rf'<c r="{address}"[^>]*>.*?</c>', xml, text, count=1)
                    assert n == 1, address
                body = text.encode()
            target.writestr(info, body)
    return out.getvalue()


def _addr(key: str, row: int) -> str:
    return f"{_letter(column(key))}{row}"


ERROR_RESULTS = [
    ("Violation", "目录", 2, "信息资源摘要", "Input-error-value"),
    ("Violation", "目录", 2, "英文名称", "Input-error-value"),
    ("Violation", "目录", 3, "信息资源代码", "Input-error-value"),
]


def test_excel_error_values_in_xlsx_cells_were_registered_as_text(seeded) -> None:
    """#N/A pasted from a VLOOKUP (a cell of type "e") was registered as the title and
    the abstract."""
    rows = [header(), resource("101001/006001", "错误值"), resource("101001/006002", "代码错")]
    data = patched_xlsx(
        xlsx_of([("目录", rows, [])]),
        {
            _addr("name_en", 2): f'<c r="{_addr("name_en", 2)}" t="e"><v>#N/A</v></c>',
            _addr("abstract", 2): f'<c r="{_addr("abstract", 2)}" t="e"><v>#VALUE!</v></c>',
            _addr("code", 3): f'<c r="{_addr("code", 3)}" t="e"><v>#REF!</v></c>',
        },
    )
    report = seeded.validate([Document("错误值.xlsx", data)])
    assert results(report) == ERROR_RESULTS, [r.as_dict() for r in report.results]
    assert {r.value for r in report.results} == {"#N/A", "#VALUE!", "#REF!"}
    assert all("查找公式" in r.message_zh for r in report.results)
    assert_chinese(report)
    graph = seeded.parse([Document("错误值.xlsx", data)])
    res = res_iri("101001/006001")
    assert {str(t) for t in graph.objects(res, DCTERMS.title)} == {"错误值"}
    assert graph.value(res, DCTERMS.description) is None
    assert graph.value(res_iri("101001/006002"), DCTERMS.title) is None


def test_excel_error_values_in_xls_cells_were_registered_as_text(seeded) -> None:
    xlwt = pytest.importorskip("xlwt")
    rows = [header(), resource("101001/006001", "错误值"), resource("101001/006002", "代码错")]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("目录")
    # xlwt takes the codes (its table of names is wrong): #N/A, #VALUE!, #REF!
    errors = {(2, "name_en"): 0x2A, (2, "abstract"): 0x0F, (3, "code"): 0x17}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            key = COLUMNS[c - 1].key
            if (r, key) in errors:
                sheet.row(r - 1).set_cell_error(c - 1, errors[r, key])
            elif value:
                sheet.write(r - 1, c - 1, value)
    out = io.BytesIO()
    book.save(out)
    report = seeded.validate([Document("错误值.xls", out.getvalue())])
    assert results(report) == ERROR_RESULTS, [r.as_dict() for r in report.results]
    assert {r.value for r in report.results} == {"#N/A", "#VALUE!", "#REF!"}


def test_excels_escaped_control_characters_were_registered_literally(seeded) -> None:
    """Excel writes a Word soft line break (U+000B) as _x000B_; the title was registered
    as 人口_x000B_基础信息. An escaped underscore (_x005F_) keeps a typed _x000B_ as text."""
    rows = [
        header(),
        resource("101001/006101", "人口基础信息", abstract="第一段 第二段"),
        resource("101001/006102", "代码里的换行", name_en="A_x B"),
    ]
    name, abstract = _addr("name", 2), _addr("abstract", 2)
    code, name_en = _addr("code", 3), _addr("name_en", 3)

    def text(address: str, value: str) -> str:
        return f'<c r="{address}" t="inlineStr"><is><t>{value}</t></is></c>'

    data = patched_xlsx(
        xlsx_of([("目录", rows, [])]),
        {
            name: text(name, "人口_x000B_基础信息"),
            abstract: text(abstract, "第一段_x000b_第二段"),
            code: text(code, "101001/006102_x000B_"),
            name_en: text(name_en, "Typed _x005F_x000B_ text"),
        },
    )
    report = seeded.validate([Document("转义.xlsx", data)])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]
    graph = seeded.parse([Document("转义.xlsx", data)])
    first, second = res_iri("101001/006101"), res_iri("101001/006102")
    assert Literal("人口基础信息", lang="zh") in set(graph.objects(first, DCTERMS.title))
    assert str(graph.value(first, DCTERMS.description)) == "第一段\n第二段"
    assert Literal("Typed _x000B_ text", lang="en") in set(graph.objects(second, DCTERMS.title))


def test_invisible_characters_made_no_header_and_a_nul_broke_a_standard_number(seeded) -> None:
    """A zero-width space copied from a web page after each header cell gave "no header";
    a NUL in a CSV cell became a space and the standard number no number."""
    heads = [f"{h}\u200b" if n % 2 else f"\ufeff{h}\u200c" for n, h in enumerate(header())]
    rows = [heads, resource("101001/006201", "零宽\u200d字符", standards="GB/T 39477-2020\x00")]
    data = text_file(rows, ",", "utf-8-sig")
    report = seeded.validate([Document("零宽.csv", data)])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]
    graph = seeded.parse([Document("零宽.csv", data)])
    res = res_iri("101001/006201")
    assert Literal("零宽字符", lang="zh") in set(graph.objects(res, DCTERMS.title))
    assert graph.value(res, DCTERMS.conformsTo) is not None
    # The same in a workbook's header.
    book = xlsx_of([("目录", [heads, resource("101001/006202", "工作簿")], [])])
    report = seeded.validate([Document("零宽.xlsx", book)])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_registrys_own_download_did_not_re_import_to_the_same_entry(kind: str, seeded) -> None:
    """GET /api/v1/resources?format=csv|xlsx (api/lists.download: table_rows, then
    csv_download or xlsx_download) had no 信息项 column, lost the format's detail, wrote
    a literal ' before a text starting with - that was registered with it, and English
    statuses. Re-submitted, the download now leaves the entry unchanged."""
    from openpyxl import load_workbook

    from registry.read.tables import csv_download, table_rows, xlsx_download
    from registry.register.submission import REGISTRAR

    code = f"101001/0063{'01' if kind == 'csv' else '02'}"
    row = resource(
        code,
        "往返资源",
        name_en="-2 level data",
        abstract="+86 热线数据",
        format="数据库/关系型数据库表",
        items="公民身份号码:C:18:GMSFHM;出生日期:D::CSRQ;备注:M",
        open_condition="=仅开放名称",
        condition="仅限核验身份使用。",
    )
    first = seeded.submit([Document("原始.csv", text_file([header(), row], ",", "utf-8-sig"))],
                          REGISTRAR)  # fmt: skip
    assert [e.outcome for e in first.changes] == ["new"], first.report.results
    records = list(seeded.reader().each_entry("resource", q=code))
    rows = list(table_rows("resource", records))
    data = csv_download(rows) if kind == "csv" else xlsx_download([("信息资源", rows)])
    # What the clerk sees: the status in Chinese, the data items, the format's detail.
    if kind == "csv":
        titles, values = csv.reader(data.decode("utf-8-sig").splitlines()[:2])
        shown = dict(zip(titles, values, strict=True))
        assert shown["英文名称"] == "'-2 level data"  # a CSV has no types: the mark stays
    else:
        sheet = load_workbook(io.BytesIO(data)).active
        cells = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, sheet.max_column + 1)}
        shown = {k: v.value for k, v in cells.items()}
        assert cells["英文名称"].value == "-2 level data" and cells["英文名称"].quotePrefix
        assert cells["英文名称"].data_type == "s" and cells["开放条件"].quotePrefix
    assert shown["登记状态"] == "有效"
    assert shown["信息资源格式"] == "数据库/关系型数据库表"
    assert shown["信息项"] == "公民身份号码:C:18:GMSFHM;出生日期:D::CSRQ;备注:M"
    again = seeded.submit([Document(f"下载.{kind}", data)], REGISTRAR)
    assert [e.outcome for e in again.changes] == ["unchanged"], [
        r.as_dict() for r in again.report.results
    ]
    expected = [("Info", "信息资源" if kind == "xlsx" else None, 1, None, "Input-register-columns")]
    if kind == "csv":
        expected.append(("Info", None, 2, "英文名称", "Input-export-mark"))
    assert results(again.report) == sorted(expected, key=repr)
    assert_chinese(again.report)


def test_the_standards_own_header_names_and_synonyms_were_unknown_and_reported_twice(
    seeded,
) -> None:
    """GB/T 21063.3's element 信息资源提供方代码, and 资源名称, 资源摘要, 更新频率, 发布时间 ...
    were each an unknown header and a missing column."""
    spoken = {
        "class": "资源分类",
        "name": "资源名称",
        "code": "资源编码",
        "provider": "资源提供部门",
        "provider_code": "信息资源提供方代码",
        "abstract": "资源摘要",
        "format": "资源格式",
        "open": "是否开放",
        "cycle": "更新频率",
        "issued": "发布时间",
    }
    heads = [spoken.get(c.key, c.zh) for c in COLUMNS]
    rows = [heads, resource("101001/006401", "同义表头")]
    report = seeded.validate([Document("同义.xlsx", xlsx_of([("目录", rows, [])]))])
    assert report.conforms and results(report) == [], [r.as_dict() for r in report.results]
    # A mistyped title close to a missing column: one result, asking.
    heads[column("name") - 1] = "信息资源名"
    report = seeded.validate([Document("错字.xlsx", xlsx_of([("目录", rows, [])]))])
    assert results(report) == [("Violation", "目录", 1, "信息资源名", "Input-missing-header")]
    assert "是否应为“信息资源名称”" in report.results[0].message_zh
    assert_chinese(report)


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_data_item_typed_on_a_further_row_was_reported_on_the_resources_first_row(
    kind: str, seeded
) -> None:
    """A type X typed in row 5, column 类型 (under the 信息项 group) was reported at row 3,
    column 信息项, quoting every item of the resource joined."""
    items = [("身份证号", "C", "18", "SFZH"), ("姓名", "C", "50", "XM"), ("出生日期", "X", "", "")]
    data = (xlsx_of if kind == "xlsx" else xls_of)(items_in_columns("101001/006501", items))
    report = seeded.validate([Document(f"分列.{kind}", data)])
    assert results(report) == [
        ("Info", "目录", 2, None, "Input-header-row"),
        ("Info", "目录", 3, "信息项", "Input-continued-rows"),
        ("Violation", "目录", 5, "数据类型", "Input-data-item"),
    ], [r.as_dict() for r in report.results]
    [problem] = [r for r in report.results if r.severity == "Violation"]
    assert problem.value == "X"
    assert_chinese(report)
    # One item per row in the 信息项 column: the row of the item, the 信息项 column.
    i = column("items")
    rows: list[list] = [header(), resource("101001/006502", "分行", items="姓名:C:50")]
    rows.append([""] * len(COLUMNS))
    rows[2][i - 1] = "出生日期:D;更新:Q"
    merged = [(2, c, 3, c) for c in range(1, len(COLUMNS) + 1) if c != i]
    data = (xlsx_of if kind == "xlsx" else xls_of)([("目录", rows, merged)])
    report = seeded.validate([Document(f"分行.{kind}", data)])
    assert results(report) == [
        ("Info", "目录", 2, "信息项", "Input-continued-rows"),
        ("Violation", "目录", 3, "信息项", "Input-data-item"),
    ], [r.as_dict() for r in report.results]
    assert [r.value for r in report.results if r.severity == "Violation"] == ["Q"]


def test_hidden_rows_and_columns_were_read_without_a_word(seeded) -> None:
    """Rows hidden by hand or by a filter, and a hidden column, were read and registered
    (a Violation on hidden row 4 gave no hint that the row was hidden)."""
    from openpyxl import load_workbook

    rows = [header()] + [resource(f"101001/00660{n}", f"隐藏{n}") for n in range(1, 5)]
    book = load_workbook(io.BytesIO(xlsx_of([("目录", rows, [])])))
    sheet = book.active
    sheet.row_dimensions[3].hidden = sheet.row_dimensions[4].hidden = True
    sheet.column_dimensions[_letter(column("name_en"))].hidden = True
    out = io.BytesIO()
    book.save(out)
    report = seeded.validate([Document("隐藏行.xlsx", out.getvalue())])
    assert results(report) == [("Warning", "目录", 3, None, "Input-hidden-rows")]
    [warning] = report.results
    assert "第 3 至 4 行;“英文名称”列" in warning.message_zh
    assert "rows 3-4; columns name (en) (C)" in warning.message_en
    assert_chinese(report)
    # .xls: the same.
    xlwt = pytest.importorskip("xlwt")
    old = xlwt.Workbook(encoding="utf-8")
    written = old.add_sheet("目录")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            written.write(r, c, value)
    written.row(2).hidden = written.row(3).hidden = True
    written.col(column("name_en") - 1).hidden = True
    out = io.BytesIO()
    old.save(out)
    report = seeded.validate([Document("隐藏行.xls", out.getvalue())])
    assert results(report) == [("Warning", "目录", 3, None, "Input-hidden-rows")]
    assert report.results[0].message_zh == warning.message_zh


def test_a_csv_with_an_unclosed_quote_named_no_row_and_gave_an_english_reason(seeded) -> None:
    """A cell that begins with a quote and never closes it swallowed the rest of the file:
    400 "不是格式正确的 CSV 文件（unexpected end of data）", with no row."""
    good = text_file([header(), resource("101001/006701", "第一行")], ",", "utf-8-sig")
    a = column("abstract")
    broken = resource("101001/006702", "第二行")
    line = ",".join(broken[: a - 1]) + ',"全市户籍人口,未闭合,' + ",".join(broken[a:])
    data = good + (line + "\r\n" + ",".join(resource("101001/006703", "三")) + "\r\n").encode()
    with pytest.raises(InputError) as refused:
        seeded.validate([Document("引号.csv", data)])
    error = refused.value
    assert (error.details["row"], error.details["column"]) == (3, a)
    assert f"第 3 行第 {a} 列" in error.message.zh
    assert f"row 3, column {_letter(a)}" in error.message.en
    assert not LATIN.search(error.message.zh.replace("引号.csv", ""))


def test_a_sequence_number_that_lost_its_zeros_and_a_space_or_dash_separator_passed(
    seeded,
) -> None:
    """101001/99 (a formula join over a number cell) registered beside 101001/000099;
    101001 000099 was quoted without its space and, like 101001—000099, got no
    suggestion. DOMAIN.md fixes no length for the 后段码 and the shapes take any: a
    Warning with the code meant, not a refusal."""
    rows = [
        header(),
        resource("101001/99", "丢了零"),
        resource("101001/0000099", "多了零"),
        resource("101001 006801", "空格分隔"),
        resource("101001—006802", "破折号分隔"),
        resource("101001/006803", "正常"),
    ]
    report = seeded.validate([Document("代码.xlsx", xlsx_of([("目录", rows, [])]))])
    assert results(report) == [
        ("Violation", "目录", 4, "信息资源代码", "Input-resource-code"),
        ("Violation", "目录", 5, "信息资源代码", "Input-resource-code"),
        ("Warning", "目录", 2, "信息资源代码", "Input-resource-code-length"),
        ("Warning", "目录", 3, "信息资源代码", "Input-resource-code-length"),
    ], [r.as_dict() for r in report.results]
    said = {dict(r.location)["row"]: (r.value, r.message_zh) for r in report.results}
    assert "是否应为“101001/000099”" in said[2][1] and "是否应为“101001/000099”" in said[3][1]
    assert said[4][0] == "101001 006801" and "是否应为“101001/006801”" in said[4][1]
    assert said[5][0] == "101001—006802" and "是否应为“101001/006802”" in said[5][1]
    assert_chinese(report)


def test_placeholders_for_no_value_were_registered_as_values(seeded) -> None:
    """英文名称 无 became the English title; a related code 无 was refused without saying
    that the column may be left empty."""
    rows = [
        header(),
        resource("101001/006901", "占位一", name_en="无", open_condition="-"),
        resource("101001/006902", "占位二", name_en="N/A", open_condition="／", related="无"),
    ]
    data = xlsx_of([("目录", rows, [])])
    report = seeded.validate([Document("占位.xlsx", data)])
    assert results(report) == [
        ("Info", "目录", 2, "开放条件", "Input-placeholder"),
        ("Info", "目录", 2, "英文名称", "Input-placeholder"),
        ("Info", "目录", 3, "开放条件", "Input-placeholder"),
        ("Info", "目录", 3, "英文名称", "Input-placeholder"),
        ("Violation", "目录", 3, "关联资源代码", "Input-resource-code"),
    ], [r.as_dict() for r in report.results]
    [related] = [r for r in report.results if r.severity == "Violation"]
    assert "留空" in related.message_zh and "leave the cell empty" in related.message_en
    assert_chinese(report)
    graph = seeded.parse([Document("占位.xlsx", data)])
    for code in ("101001/006901", "101001/006902"):
        titles = set(graph.objects(res_iri(code), DCTERMS.title))
        assert {t.language for t in titles} == {"zh"}, titles
    assert graph.value(res_iri("101001/006901"), URIRef(f"{SCS_NS}openCondition")) is None


def test_a_column_given_twice_was_located_by_a_title_the_sheet_has_twice(seeded) -> None:
    """Input-duplicate-header said only 列“信息资源名称”, and that column is there twice:
    the location now has the letter Excel shows (column_letter), as every cell result."""
    heads = [*header(), "name"]
    rows = [heads, [*resource("101001/007001", "两列名称"), "又一个名称"]]
    report = seeded.validate([Document("重复列.xlsx", xlsx_of([("目录", rows, [])]))])
    assert results(report) == [("Violation", "目录", 1, "信息资源名称", "Input-duplicate-header")]
    where = dict(report.results[0].location)
    assert where["column_letter"] == _letter(len(heads))
    assert report.results[0].as_dict()["location"]["column_letter"] == where["column_letter"]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_an_instructions_sheet_repeating_the_header_blocked_the_workbook(kind: str, seeded) -> None:
    """A horizontal 填写说明 sheet (a title, the header, a row of 必填/选填 and a row of
    what each column takes: 前段码/后段码, 年-月-日) was read as data: its explanations
    were a resource-code Violation, and the whole workbook was refused."""
    head = header()
    hints = ["必填" if n % 2 == 0 else "选填" for n in range(len(head))]
    explained = [
        "前段码/后段码"
        if title == "信息资源代码"
        else ("年-月-日" if title == "发布日期" else "见说明")
        for title in head
    ]
    instructions = [["目录填写说明"], head, hints, explained]
    data = [head, resource("101001/003911", "说明旁的资源")]
    make = xlsx_of if kind == "xlsx" else xls_of
    body = make([("目录", data, []), ("填写说明", instructions, [])])
    report = seeded.validate([Document(f"说明.{kind}", body)])
    assert results(report) == [("Info", None, None, None, "Input-instructions-sheet")]
    assert "“填写说明”" in report.results[0].message_zh
    assert_chinese(report)
    # A sheet so named that holds resources is read as any other.
    both = make([("目录", data, []), ("说明", [head, resource("101001/003912", "名为说明")], [])])
    graph = seeded.parse([Document(f"两表.{kind}", both)])
    assert (res_iri("101001/003912"), DCTERMS.title, None) in graph


# ------------------------------------------------------- files that are not what they say


def test_a_gbk_csv_holding_the_euro_sign_was_refused_whole(seeded) -> None:
    """Excel on a Chinese Windows writes code page 936, where the byte 0x80 is €, which
    GB18030 has not: the CSV was refused whole, naming a byte offset only."""
    rows: list[list] = [header(), resource("101001/003631", "价格信息", abstract="单价 €5")]
    data = text_file(rows, ",", "gb18030").replace("€".encode("gb18030"), b"\x80")
    assert b"\x80" in data
    report = seeded.validate([Document("欧元.csv", data)])
    assert report.conforms, [r.message_zh for r in report.results if r.severity == "Violation"]
    graph = seeded.parse([Document("欧元.csv", data)])
    assert str(graph.value(res_iri("101001/003631"), DCTERMS.description)) == "单价 €5"


def test_a_csv_in_no_known_encoding_names_its_line() -> None:
    from registry.inputs.workbooks import decode_text

    with pytest.raises(InputError) as refused:
        decode_text("名称,代码\n".encode() + b"\xff\xfe\xff\n", "坏.csv")
    assert refused.value.details["line"] == 2
    assert "第 2 行" in refused.value.message.zh and "CSV UTF-8" in refused.value.message.zh


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"<html><head><meta charset='utf-8'></head><body><table><tr><td>1</td></tr>", "网页"),
        (
            b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:'
            b'spreadsheet"><Worksheet/></Workbook>',
            "Excel 2003 XML",
        ),
    ],
)
def test_a_web_page_or_xml_spreadsheet_named_xls_could_not_be_read(
    seeded, body: bytes, what: str
) -> None:
    """Government systems export a web page's table, or Excel 2003's XML, as .xls: it
    was 'cannot be read as an Excel 97-2003 workbook', a dead end."""
    with pytest.raises(InputError) as refused:
        seeded.validate([Document("导出.xls", body)])
    assert what in refused.value.message.zh and ".xlsx" in refused.value.message.zh


@pytest.mark.parametrize("name", ["目录.ods", "目录.et"])
def test_an_ods_or_et_spreadsheet_said_only_that_its_format_was_unknown(name: str) -> None:
    from registry.errors import UnsupportedFormatError
    from registry.inputs.rdf import format_for_filename
    from registry.inputs.upload import format_of_upload

    for read in (lambda: format_for_filename(name), lambda: format_of_upload(filename=name)):
        with pytest.raises(UnsupportedFormatError) as refused:
            read()
        assert "另存为 Excel 工作簿（.xlsx）" in refused.value.message.zh


def test_a_body_of_euro_signs_was_decoded_again_after_each_one() -> None:
    """The code page 936 reader decoded the rest of the body again after every 0x80, so
    an anonymous upload of them cost the square of its size. One pass now: each 0x80 is
    a euro sign, wherever it stands, and another bad byte is still named where it is."""
    from registry.inputs.workbooks import decode_text

    body = "名称".encode("gbk") + b"\x80" * 20_000 + "元".encode("gbk")
    assert decode_text(body, "欧元.csv") == "名称" + "€" * 20_000 + "元"
    with pytest.raises(InputError) as refused:
        decode_text(b"\x80" * 10 + b"\n\xff", "坏.csv")
    assert (refused.value.details["byte"], refused.value.details["line"]) == (11, 2)
