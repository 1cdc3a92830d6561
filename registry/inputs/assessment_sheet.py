"""Conformity assessments from a spreadsheet (CSV, XLSX, XLS) with Chinese column
headers, one row per assessment, as a bureau records them (docs/assessment.md,
"Recording assessments from a spreadsheet").

A spreadsheet's header says what its rows are: a sheet whose header names the
assessment columns (评估编号, 评估结论, ...) is read here, any other by the catalogue
reader (registry/inputs/tabular.py); the format itself is still named or told by
the file's extension. Each row maps to an `earl:Assertion` (docs/vocabulary.md), and
every node remembers its row and column, so each validation result names its cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import closing
from itertools import islice
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from registry.inputs.document import (
    Document,
    Location,
    Lookup,
    SubmissionGraph,
    input_problem,
    mapped_format,
)
from registry.inputs.earl import MODES, OUTCOMES, read_term
from registry.inputs.identifiers import RESOURCE_CODE_PATTERN, is_valid_credit_code, resource_slug
from registry.inputs.tabular import (
    CellError,
    Column,
    parse_date,
    report_missing_columns,
    resolve_standard,
)
from registry.inputs.workbooks import Cell, Sheet, cell_text, csv_sheets, xls_sheets, xlsx_sheets
from registry.namespaces import EARL, SCS

# Its columns are described as the catalogue's are (tabular.Column).
COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "评估编号",
        "assessment code",
        ("编号", "code"),
        (SCS.assessmentCode,),
        True,
        "评估方给出的编号:2-64 个字母、数字、. _ -",
        "SY-CA-2026-099",
    ),
    Column(
        "title",
        "评估名称",
        "title",
        ("名称", "title"),
        (DCTERMS.title,),
        True,
        "评估的中文名称",
        "【示例】人口身份信息核验接口 大数据接口基本要求符合性评估",
    ),
    Column(
        "subject",
        "评估对象代码",
        "subject",
        ("评估对象", "subject code"),
        (EARL.subject,),
        True,
        "接口代码、信息资源代码(前段码/后段码)或部门统一社会信用代码",
        "SY-DSJ-API-001",
    ),
    Column(
        "standard",
        "依据标准",
        "standard",
        ("标准编号", "test", "standard identifier"),
        (EARL.test,),
        True,
        "标准编号,任何写法",
        "GB/T 38672-2020",
    ),
    Column(
        "clause",
        "条款",
        "clause",
        ("标准条款", "requirement"),
        (SCS.clause,),
        False,
        "评估所依据的条款或要求(可选),不写则针对整项标准",
        "6 基本要求",
    ),
    Column(
        "outcome",
        "评估结论",
        "outcome",
        ("结论", "result"),
        (EARL.result, EARL.outcome),
        True,
        "通过 / 不通过 / 无法判定 / 不适用",
        "通过",
    ),
    Column(
        "date",
        "评估日期",
        "date",
        ("日期",),
        (DCTERMS.date,),
        True,
        "年-月-日,如 2026-03-10(也可写 2026/3/10 或 2026年3月10日);不能晚于今天",
        "2026-03-10",
    ),
    Column(
        "mode",
        "评估方式",
        "mode",
        (),
        (EARL.mode,),
        False,
        "人工,不写为人工;自动评估只由登记库自行记录,填写自动的提交将被拒绝",
        "人工",
    ),
    Column(
        "publisher",
        "评估方部门代码",
        "assessor department code",
        ("评估部门代码", "publisher code"),
        (DCTERMS.publisher,),
        True,
        "登记该评估的部门的统一社会信用代码;评估记录归该部门所有",
        "11210100EXAMPLE01N",
    ),
    Column(
        "body",
        "评估机构",
        "assessing body",
        ("第三方机构", "assessor"),
        (EARL.assertedBy,),
        False,
        "由第三方机构评估时写其名称;不写则由评估方部门自行评估",
        "",
    ),
    Column(
        "description",
        "结论说明",
        "description",
        ("说明",),
        (DCTERMS.description,),
        False,
        "结论的简要说明(可选)",
        "接口说明、调用方式和认证方式符合要求。",
    ),
    Column(
        "evidence",
        "证据文件名称",
        "evidence document",
        ("证据文件",),
        (SCS.evidence,),
        False,
        "测评报告或检查记录的名称",
        "人口身份信息核验接口符合性检查记录",
    ),
    Column(
        "sha256",
        "证据文件SHA256",
        "evidence SHA-256",
        ("证据文件摘要", "sha256"),
        (SCS.documentSha256,),
        False,
        "证据文件的 SHA-256 摘要(64 位十六进制)",
        "",
    ),
    Column(
        "location",
        "证据文件位置",
        "evidence kept at",
        ("保存位置",),
        (SCS.documentLocation,),
        False,
        "证据文件的网址或档案号",
        "市大数据局档案室 2026-JC-017",
    ),
    Column(
        "valid_until",
        "有效期至",
        "valid until",
        ("有效期",),
        (SCS.validUntil,),
        False,
        "年-月-日;过期的评估须重新评估",
        "2027-03-09",
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
HEADER_SEARCH_ROWS = 10
EXAMPLE_MARK = "【示例】"
_OBLIGATION = re.compile(r"^[*※]+|[*※]+$|\((必填|选填|可选|必选|required|optional)\)$", re.I)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text).casefold()
    return _OBLIGATION.sub("", text)


_HEADERS = {_norm(name): c for c in COLUMNS for name in (c.zh, c.en, *c.aliases)}


def _header_keys(cells: list[Cell]) -> set[str]:
    return {c.key for t in cells if (c := _HEADERS.get(_norm(cell_text(t)))) is not None}


# Titles only an assessment sheet has (a catalogue's header names none of them).
_OWN_TITLES = {_norm(BY_KEY[k].zh) for k in ("code", "subject", "standard", "outcome", "publisher")}


def _is_header(cells: list[Cell]) -> bool:
    """Two of the assessment sheet's own titles: a missing required column is then
    reported as such, not read as a catalogue's."""
    return len({_norm(cell_text(c)) for c in cells} & _OWN_TITLES) >= 2


def _sheets(doc: Document, cap: int) -> Iterator[Sheet]:
    # One table of extensions (registry.inputs.document): a name ending .xlsm was read
    # as CSV here, and refused as neither UTF-8 nor GB18030.
    fmt = (doc.format or mapped_format(doc) or "csv").lower()
    if fmt == "xlsx":
        return xlsx_sheets(doc.data, doc.name, cap)
    if fmt == "xls":
        return xls_sheets(doc.data, doc.name)
    return csv_sheets(doc.data, doc.name)


def holds_assessments(doc: Document, max_bytes: int | None = None) -> bool:
    """Whether the spreadsheet's first sheet with a header is one of assessments."""
    cap = max_bytes if max_bytes is not None else 20 * 1024 * 1024
    with closing(_sheets(doc, cap)) as sheets:
        for sheet in sheets:
            head = list(islice(sheet.rows, HEADER_SEARCH_ROWS))
            if any(_is_header(cells) for cells in head):
                return True
            if any(len(_header_keys(cells)) >= 3 for cells in head):
                return False  # another header: a catalogue
    return False


def read_assessments(
    doc: Document, base_iri: str, lookup: Lookup, max_bytes: int | None
) -> SubmissionGraph:
    """The assessments of every sheet of `doc` with the assessment header."""
    cap = max_bytes if max_bytes is not None else 20 * 1024 * 1024
    reader = _Reader(doc.name, base_iri, lookup)
    with closing(_sheets(doc, cap)) as sheets:
        for sheet in sheets:
            reader.read_sheet(sheet)
    if not reader.read_any:
        reader.problem(
            "no-header",
            "表格中没有符合性评估的表头行(应含“评估编号”“评估结论”等列)。",
            "No header row of assessments (with 评估编号, 评估结论, ...) was found.",
            reader.where(1),
        )
        reader.graph.fatal = True
    return reader.graph


class _Reader:
    def __init__(self, source: str, base_iri: str, lookup: Lookup) -> None:
        self.source, self.base, self.lookup = source, base_iri, lookup
        self.graph = SubmissionGraph()
        self.sheet: str | None = None
        self.columns: list[Column | None] = []
        self.codes: dict[str, int] = {}
        self.read_any = False

    def where(self, row: int, column: Column | None = None) -> Location:
        loc: list[tuple[str, Any]] = [("file", self.source)]
        if self.sheet is not None:
            loc.append(("sheet", self.sheet))
        loc.append(("row", row))
        if column is not None:
            loc += [("column", column.zh), ("column_en", column.en)]
        return tuple(loc)

    def problem(self, rule: str, zh: str, en: str, location: Location, **kw: Any) -> None:
        self.graph.problems.append(input_problem(rule, zh, en, location=location, **kw))

    def read_sheet(self, sheet: Sheet) -> None:
        self.sheet = sheet.name
        head = list(islice(sheet.rows, HEADER_SEARCH_ROWS))
        found = next((i for i, cells in enumerate(head) if _is_header(cells)), None)
        if found is None:
            return
        self.read_any = True
        header_row = found + 1
        self.columns = [_HEADERS.get(_norm(cell_text(c))) for c in head[found]]
        seen = {c.key for c in self.columns if c is not None}
        missing = [c for c in COLUMNS if c.required and c.key not in seen]
        report_missing_columns(self.graph, missing, lambda c: self.where(header_row, c))
        if missing:
            return
        number = header_row
        for cells in [*head[found + 1 :], *sheet.rows]:
            number += 1
            values = {c: v for c, v in zip(self.columns, cells, strict=False) if c is not None}
            if any(cell_text(v) for v in values.values()):
                self._row(number, values)

    def _row(self, row: int, cells: dict[Column, Cell]) -> None:
        text = {c.key: cell_text(v).strip() for c, v in cells.items()}
        if text.get("title", "").startswith(EXAMPLE_MARK):
            self.problem(
                "example-row",
                "示例行未删除:评估名称以“【示例】”开头,该行未读取。",
                "Example row not deleted: its title begins with 【示例】; the row was not read.",
                self.where(row, BY_KEY["title"]),
                value=text["title"],
            )
            return
        code = text.get("code", "")
        if not code:
            self.problem(
                "assessment-code",
                "缺少评估编号,该行未读取。",
                "The assessment code is missing; the row was not read.",
                self.where(row, BY_KEY["code"]),
            )
            return
        if code in self.codes:
            self.problem(
                "duplicate-code",
                f"评估编号 {code} 已在第 {self.codes[code]} 行出现,该行未读取。",
                f"The assessment code {code} is already used on row {self.codes[code]}; the "
                "row was not read.",
                self.where(row, BY_KEY["code"]),
                value=code,
            )
            return
        self.codes[code] = row
        node = URIRef(f"{self.base}assessment/{code}")
        g = self.graph
        paths: dict[str | None, Location] = {None: self.where(row)}
        for column in cells:
            for prop in column.properties:
                paths[str(prop)] = self.where(row, column)
        g.locations[str(node)] = paths

        def fail(key: str, error: CellError, prop: URIRef) -> None:
            self.problem(
                error.rule,
                error.zh,
                error.en,
                self.where(row, BY_KEY[key]),
                focus=str(node),
                path=str(prop),
                value=text.get(key) or None,
            )

        g.add((node, RDF.type, EARL.Assertion))
        g.add((node, SCS.assessmentCode, Literal(code)))
        if text.get("title"):
            g.add((node, DCTERMS.title, Literal(text["title"], lang="zh")))
        publisher = self._department(text.get("publisher", ""))
        if publisher is None:
            if text.get("publisher"):
                fail(
                    "publisher",
                    CellError(
                        "credit-code",
                        f"评估方部门代码“{text['publisher']}”不是有效的统一社会信用代码。",
                        f"The assessor department code {text['publisher']!r} is not a valid "
                        "unified social credit code.",
                    ),
                    DCTERMS.publisher,
                )
        else:
            g.add((node, DCTERMS.publisher, publisher))
        if text.get("body"):
            body = BNode()
            g.add((node, EARL.assertedBy, body))
            g.add((body, RDF.type, FOAF.Organization))
            g.add((body, FOAF.name, Literal(text["body"], lang="zh")))
        elif publisher is not None:
            g.add((node, EARL.assertedBy, publisher))
        if text.get("subject"):
            g.add((node, EARL.subject, self._subject(text["subject"])))
        if text.get("standard"):
            try:
                g.add(
                    (
                        node,
                        EARL.test,
                        URIRef(resolve_standard(text["standard"], self.lookup, self.base)),
                    )
                )
            except CellError as error:
                fail("standard", error, EARL.test)
        if text.get("clause"):
            g.add((node, SCS.clause, Literal(text["clause"])))
        mode = read_term(MODES, text.get("mode") or "人工")
        if mode is None:
            fail("mode", _unknown("mode", text["mode"], MODES), EARL.mode)
        else:
            g.add((node, EARL.mode, mode.iri))
        result = BNode()
        g.add((node, EARL.result, result))
        g.add((result, RDF.type, EARL.TestResult))
        g.locations[str(result)] = {None: self.where(row, BY_KEY["outcome"])}
        if text.get("outcome"):
            outcome = read_term(OUTCOMES, text["outcome"])
            if outcome is None:
                fail("outcome", _unknown("outcome", text["outcome"], OUTCOMES), EARL.result)
            else:
                g.add((result, EARL.outcome, outcome.iri))
        if text.get("date"):
            try:
                day = parse_date(cells[BY_KEY["date"]])
                g.add((result, DCTERMS.date, Literal(day, datatype=XSD.date)))
            except CellError as error:
                fail("date", error, EARL.result)
        if text.get("description"):
            g.add((result, DCTERMS.description, Literal(text["description"], lang="zh")))
        if text.get("evidence") or text.get("sha256") or text.get("location"):
            document = BNode()
            g.add((node, SCS.evidence, document))
            g.add((document, RDF.type, FOAF.Document))
            g.locations[str(document)] = {None: self.where(row, BY_KEY["evidence"])}
            if text.get("evidence"):
                g.add((document, DCTERMS.title, Literal(text["evidence"], lang="zh")))
            if text.get("sha256"):
                g.add((document, SCS.documentSha256, Literal(text["sha256"].lower())))
            if text.get("location"):
                g.add((document, SCS.documentLocation, Literal(text["location"])))
        if text.get("valid_until"):
            try:
                day = parse_date(cells[BY_KEY["valid_until"]])
                g.add((node, SCS.validUntil, Literal(day, datatype=XSD.date)))
            except CellError as error:
                fail("valid_until", error, SCS.validUntil)

    def _department(self, code: str) -> URIRef | None:
        code = unicodedata.normalize("NFKC", code).strip().upper()
        if not code or not is_valid_credit_code(code):
            return None
        iri, _name = self.lookup.departments().get(code, (f"{self.base}department/{code}", ""))
        return URIRef(iri)

    def _subject(self, text: str) -> URIRef:
        """The entry a subject cell names: an IRI, a resource code, a department's credit
        code, or else an interface code (the shapes report one that names nothing)."""
        code = unicodedata.normalize("NFKC", text).strip()
        if code.startswith(("http://", "https://")):
            return URIRef(code)
        if RESOURCE_CODE_PATTERN.match(code):
            return URIRef(f"{self.base}resource/{resource_slug(code)}")
        if is_valid_credit_code(code.upper()):
            return URIRef(f"{self.base}department/{code.upper()}")
        return URIRef(f"{self.base}interface/{code}")


def _unknown(key: str, text: str, terms: tuple[Any, ...]) -> CellError:
    allowed_zh = " / ".join(t.zh for t in terms)
    allowed_en = ", ".join(t.en for t in terms)
    column = BY_KEY[key]
    return CellError(
        f"unknown-{key}",
        f"“{text}”不是可用的{column.zh}:应为 {allowed_zh}。",
        f"{text!r} is not {'an' if column.en[:1] in 'aeiou' else 'a'} {column.en}: "
        f"use {allowed_en}.",
    )


def template_rows() -> list[list[str]]:
    """The header and one example row; the example's title begins with EXAMPLE_MARK,
    so submitted as it is, the row is refused."""
    return [[c.zh for c in COLUMNS], [c.example for c in COLUMNS]]


def template_xlsx() -> bytes:
    """The template as a workbook: the rows as text, drop-down lists for the outcome
    and the mode, and a 说明 sheet explaining every column."""
    import io
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from registry.outputs.csvsafe import neutralise_row

    book = Workbook()
    # fixed: the same rows always give the same workbook content
    book.properties.created = book.properties.modified = datetime(2026, 1, 1)
    sheet = book.active
    sheet.title = "符合性评估"
    notes = book.create_sheet("说明")
    rows = template_rows()
    guide = [["列标题", "English", "必填", "说明", "示例"]] + [
        [c.zh, c.en, "是" if c.required else "否", c.meaning, c.example] for c in COLUMNS
    ]
    for target, lines in ((sheet, rows), (notes, guide)):
        for line in lines:
            target.append(neutralise_row(line))
            for cell in target[target.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # as text: no formula, no number
        for cell in target[1]:
            cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.zh) * 3))
        # Automatic assessments are the registry's alone (registry.register.assessors):
        # the list offers a department only what it may submit.
        manual = tuple(t for t in MODES if t.iri == EARL.manual)
        terms = {"outcome": OUTCOMES, "mode": manual}.get(column.key)
        if terms:
            rule = DataValidation(
                type="list", formula1='"' + ",".join(t.zh for t in terms) + '"', allow_blank=True
            )
            rule.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(rule)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
