"""Spreadsheet catalogues: CSV and XLSX with Chinese column headers, one row per
information resource (DOMAIN.md §3, docs/inputs.md).

Reading maps each row to the registry's terms (docs/vocabulary.md) and records
where every node came from, so that each validation result names its row and
column. What cannot be read (an unknown header, a malformed cell) is reported in
the same result model before validation, and the cell is left out.

Writing gives the template and the spreadsheet form of a catalogue graph (the
examples are made with it).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD
from rdflib.term import Node

from registry.csvsafe import neutralise_row
from registry.errors import InputError, PayloadTooLargeError
from registry.identifiers import (
    RESOURCE_CODE_PATTERN,
    IdentifierError,
    is_valid_credit_code,
    parse_standard_id,
    resource_slug,
)
from registry.inputs.document import Document, Location, Lookup, SubmissionGraph, input_problem
from registry.namespaces import SCS
from registry.resources import ONTOLOGY_DIR


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    aliases: tuple[str, ...]  # English (and other Chinese) spellings accepted
    properties: tuple[URIRef, ...]  # results on these paths belong to this column
    required: bool
    meaning: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "class",
        "信息资源分类",
        "classification",
        ("resource class", "class", "分类"),
        (SCS.resourceClass,),
        True,
        "类:基础信息资源 / 主题信息资源 / 部门信息资源,或代码 1 / 2 / 3",
        "基础信息资源",
    ),
    Column(
        "name",
        "信息资源名称",
        "name",
        ("title", "resource name", "名称"),
        (DCTERMS.title,),
        True,
        "资源的中文名称",
        "人口基础信息",
    ),
    Column(
        "name_en",
        "英文名称",
        "name (en)",
        ("english name", "title (en)", "name en"),
        (),
        False,
        "资源的英文名称(可选)",
        "Population base information",
    ),
    Column(
        "code",
        "信息资源代码",
        "resource code",
        ("code", "资源代码"),
        (SCS.resourceCode,),
        True,
        "前段码/后段码,如 101001/000001",
        "101001/000099",
    ),
    Column(
        "provider",
        "信息资源提供方",
        "provider",
        ("publisher", "提供方"),
        (DCTERMS.publisher,),
        False,
        "提供方部门名称,须与登记的名称一致",
        "沈阳市大数据管理局",
    ),
    Column(
        "provider_code",
        "提供方代码",
        "provider code",
        ("publisher code", "credit code"),
        (DCTERMS.publisher,),
        False,
        "提供方的统一社会信用代码(18 位)",
        "11210100EXAMPLE01N",
    ),
    Column(
        "abstract",
        "信息资源摘要",
        "abstract",
        ("description", "摘要"),
        (DCTERMS.description,),
        True,
        "资源内容的简要说明",
        "全市户籍人口的身份基础信息。",
    ),
    Column(
        "format",
        "信息资源格式",
        "format",
        ("resource format", "格式"),
        (SCS["format"], SCS.formatDetail),
        True,
        "电子文件、电子表格、数据库、图形图像、流媒体、自描述格式;子类写在斜杠后,如 电子表格/xlsx",
        "数据库/关系型数据库表",
    ),
    Column(
        "items",
        "信息项",
        "data items",
        ("信息项信息", "data item", "items"),
        (SCS.dataItem, SCS.itemName, SCS.itemCode, SCS.dataType, SCS.length, SCS.position),
        True,
        "名称:类型[:长度[:代码]],以 ; 分隔",
        "公民身份号码:C:18:GMSFHM;出生日期:D::CSRQ",
    ),
    Column(
        "sharing",
        "共享类型",
        "sharing type",
        ("sharing",),
        (SCS.sharingType,),
        True,
        "无条件共享 / 有条件共享 / 不予共享",
        "有条件共享",
    ),
    Column(
        "condition",
        "共享条件",
        "sharing condition",
        ("condition",),
        (SCS.sharingCondition, SCS.sharingBasis),
        False,
        "有条件共享时写条件;不予共享时写法律、行政法规或政策依据",
        "仅限核验身份使用。",
    ),
    Column(
        "method",
        "共享方式",
        "sharing method",
        ("sharing methods", "method"),
        (SCS.sharingMethod,),
        False,
        "数据库 / 文件 / 接口 / 其他介质,多个以 ; 分隔",
        "接口",
    ),
    Column(
        "open",
        "是否向社会开放",
        "open to public",
        ("openness", "open"),
        (SCS.openness,),
        True,
        "是 / 否",
        "否",
    ),
    Column(
        "open_condition",
        "开放条件",
        "open condition",
        ("opening condition",),
        (SCS.openCondition,),
        False,
        "向社会开放的条件(可选)",
        "",
    ),
    Column(
        "cycle",
        "更新周期",
        "update cycle",
        ("update frequency", "frequency", "cycle"),
        (DCTERMS.accrualPeriodicity,),
        True,
        "实时、每日、每周、每月、每季度、每半年、每年、不定期",
        "每日",
    ),
    Column(
        "issued",
        "发布日期",
        "issue date",
        ("issued", "date"),
        (DCTERMS.issued,),
        True,
        "CCYY-MM-DD",
        "2025-03-18",
    ),
    Column(
        "related",
        "关联资源代码",
        "related resource codes",
        ("related resources", "relation"),
        (DCTERMS.relation,),
        False,
        "关联资源的信息资源代码,多个以 ; 分隔",
        "10100101/000002",
    ),
    Column(
        "standards",
        "符合标准",
        "conforms to",
        ("standards", "conformsto"),
        (DCTERMS.conformsTo,),
        False,
        "标准编号,任何写法,多个以 ; 分隔",
        "GB/T 21063.3-2007;GB/T 35273-2020",
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}

_SPLIT = re.compile(r"[;；\n]+")
_LIST_SPLIT = re.compile(r"[;；、,，\n]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lstrip("\ufeff").rstrip("*").strip()
    return re.sub(r"[\s_]+", " ", text).casefold()


_HEADERS: dict[str, Column] = {}
for _col in COLUMNS:
    for _spelling in (_col.zh, _col.en, *_col.aliases):
        _HEADERS[_norm_header(_spelling)] = _col


def _norm_label(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# Code-list columns: the scheme each takes its values from.
SCHEMES = {
    "class": SCS.ResourceClasses,
    "format": SCS.ResourceFormats,
    "sharing": SCS.SharingTypes,
    "method": SCS.SharingMethods,
    "open": SCS.OpennessTypes,
    "cycle": SCS.UpdateCycles,
    "items": SCS.DataItemTypes,
}


@lru_cache(maxsize=1)
def code_lists() -> dict[URIRef, dict[str, URIRef]]:
    """Scheme -> every accepted spelling (labels in any language, alt labels,
    notation) -> concept. Parsed once from ontology/codelists.ttl."""
    graph = Graph()
    graph.parse(data=(ONTOLOGY_DIR / "codelists.ttl").read_bytes(), format="turtle")
    lists: dict[URIRef, dict[str, URIRef]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        if not isinstance(concept, URIRef) or not isinstance(scheme, URIRef):
            continue
        spellings = lists.setdefault(scheme, {})
        for prop in (SKOS.notation, SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, prop):
                spellings.setdefault(_norm_label(str(label)), concept)
    return lists


@lru_cache(maxsize=1)
def concept_labels() -> dict[URIRef, str]:
    """Concept -> its Chinese prefLabel, for writing spreadsheets."""
    graph = Graph()
    graph.parse(data=(ONTOLOGY_DIR / "codelists.ttl").read_bytes(), format="turtle")
    return {
        s: str(o)
        for s, o in graph.subject_objects(SKOS.prefLabel)
        if isinstance(s, URIRef) and isinstance(o, Literal) and o.language == "zh"
    }


class CellError(ValueError):
    def __init__(self, rule: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.rule, self.zh, self.en = rule, zh, en


# ----------------------------------------------------------------------------- reading


def read_catalogue(doc: Document, base_iri: str, lookup: Lookup, max_bytes: int | None) -> Graph:
    """The resources of a CSV or XLSX catalogue, as a SubmissionGraph."""
    fmt = (doc.format or doc.name.rsplit(".", 1)[-1]).lower()
    fmt = "csv" if fmt == "tsv" else fmt
    cap = max_bytes if max_bytes is not None else 20 * 1024 * 1024
    rows = _xlsx_rows(doc, cap) if fmt == "xlsx" else _csv_rows(doc, cap)
    return CatalogueReader(doc.name, base_iri, lookup).read(rows, cap)


Cell = Any  # str, or a date/number from an XLSX cell; FORMULA marks a formula


class _Formula:
    def __init__(self, text: str) -> None:
        self.text = text


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312).

    Decided by strict decoding, not guessed: UTF-8 is tried first because a
    GB18030 decoder accepts almost any bytes, while valid UTF-8 Chinese text is
    almost never valid GBK-shaped nonsense the other way round."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{source}: UTF-16 text is not accepted; save the CSV as UTF-8 or GB18030 "
            "(请将 CSV 保存为 UTF-8 或 GB18030 编码)",
            {"file": source, "rule": "encoding"},
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: neither UTF-8 nor GB18030/GBK text (无法识别的文件编码)",
            {"file": source, "rule": "encoding", "byte": exc.start},
        ) from None


def _csv_rows(doc: Document, cap: int) -> Iterator[list[Cell]]:
    text = decode_text(doc.data, doc.name)
    first = text.split("\n", 1)[0]
    # Excel's "Unicode text" and some exports use tabs; the header line tells.
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    except csv.Error as exc:
        raise InputError(
            f"{doc.name}: not a well-formed CSV file ({exc})", {"file": doc.name, "rule": "csv"}
        ) from None


def _xlsx_rows(doc: Document, cap: int) -> Iterator[list[Cell]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(doc.data))
        names = archive.namelist()
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputError(
            f"{doc.name}: not an XLSX workbook (无法读取的 XLSX 文件)",
            {"file": doc.name, "rule": "xlsx"},
        ) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise InputError(
            f"{doc.name}: workbooks with macros are refused; save as .xlsx without macros "
            "(不接受含宏的工作簿)",
            {"file": doc.name, "rule": "no-macros"},
        )
    # The XML inside an XLSX is many times its text, but a zip bomb is thousands of
    # times: refuse one that unpacks beyond 20 times the upload limit before parsing.
    if unpacked > 20 * cap:
        raise PayloadTooLargeError(
            f"{doc.name}: the workbook unpacks to more than {20 * cap} bytes",
            {"file": doc.name, "limit": cap},
        )
    try:
        # read_only streams the sheet; data_only=False so that formulas show as such.
        book = load_workbook(
            io.BytesIO(doc.data), read_only=True, data_only=False, keep_links=False
        )
    except Exception:  # openpyxl raises many types for a broken package; all mean bad input
        raise InputError(
            f"{doc.name}: cannot be read as an XLSX workbook (无法读取的 XLSX 文件)",
            {"file": doc.name, "rule": "xlsx"},
        ) from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows():
            cells: list[Cell] = []
            for cell in row:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    cells.append(_Formula(str(value)))
                else:
                    cells.append(value)
            yield cells
    finally:
        book.close()


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class CatalogueReader:
    """Maps the rows of one spreadsheet; one instance per document."""

    def __init__(self, source: str, base_iri: str, lookup: Lookup) -> None:
        self.source = source
        self.base = base_iri
        self.lookup = lookup
        self.graph = SubmissionGraph()
        self.columns: list[Column | None] = []
        self.codes: dict[str, int] = {}

    def where(self, row: int, column: Column | None = None, header: str = "") -> Location:
        loc: list[tuple[str, Any]] = [("file", self.source), ("row", row)]
        if column is not None:
            loc += [("column", column.zh), ("column_en", column.en)]
        elif header:
            loc += [("column", header), ("column_en", header)]
        return tuple(loc)

    def problem(self, rule: str, zh: str, en: str, location: Location, **kw: Any) -> None:
        self.graph.problems.append(input_problem(rule, zh, en, location=location, **kw))

    def read(self, rows: Iterable[list[Cell]], cap: int | None = None) -> SubmissionGraph:
        iterator = iter(rows)
        header: list[Cell] | None = None
        row_number = 0
        for cells in iterator:
            row_number += 1
            if any(_cell_text(c) for c in cells if not isinstance(c, _Formula)):
                header = cells
                break
        if header is None:
            self.problem(
                "empty",
                "表格中没有表头和数据行。",
                "The spreadsheet holds no header and no row.",
                self.where(1),
            )
            self.graph.fatal = True
            return self.graph
        self._read_header(header, row_number)
        if self.graph.fatal:
            return self.graph
        size = 0
        for number, cells in enumerate(iterator, start=row_number + 1):
            values = dict(zip(self.columns, cells, strict=False))
            values.pop(None, None)
            if not any(isinstance(v, _Formula) or _cell_text(v) for v in values.values()):
                continue  # empty rows are layout, not entries
            size += sum(len(_cell_text(v)) for v in values.values() if not isinstance(v, _Formula))
            if cap is not None and size > cap:
                # An XLSX expands: its cell text may not exceed what the upload limit
                # allows for the same catalogue as CSV.
                raise PayloadTooLargeError(
                    f"{self.source}: the cell text passes the limit of {cap} bytes",
                    {"file": self.source, "limit": cap, "row": number},
                )
            self._read_row(number, values)  # type: ignore[arg-type]
        return self.graph

    def _read_header(self, header: list[Cell], row: int) -> None:
        seen: set[str] = set()
        for cell in header:
            text = _cell_text(cell) if not isinstance(cell, _Formula) else cell.text
            column = _HEADERS.get(_norm_header(text)) if text else None
            if column is None:
                self.columns.append(None)
                if text:
                    self.problem(
                        "unknown-header",
                        f"未知的列标题“{text}”,该列未读取。",
                        f"Unknown column header {text!r}; the column was not read.",
                        self.where(row, header=text),
                        value=text,
                        severity="Warning",
                    )
                continue
            if column.key in seen:
                self.columns.append(None)
                self.problem(
                    "duplicate-header",
                    f"列标题“{column.zh}”重复出现。",
                    f"The column {column.zh} ({column.en}) appears twice.",
                    self.where(row, column),
                    value=text,
                )
                self.graph.fatal = True
                continue
            seen.add(column.key)
            self.columns.append(column)
        missing = [c for c in COLUMNS if c.required and c.key not in seen]
        if not {"provider", "provider_code"} & seen:
            missing.append(BY_KEY["provider_code"])
        for column in missing:
            self.problem(
                "missing-header",
                f"缺少必需的列“{column.zh}”({column.en})。",
                f"The required column {column.zh} ({column.en}) is missing.",
                self.where(row, column),
            )
        if missing:
            self.graph.fatal = True

    # -- one row ------------------------------------------------------------------------

    def _read_row(self, row: int, cells: dict[Column, Cell]) -> None:
        text = {c.key: ("" if isinstance(v, _Formula) else _cell_text(v)) for c, v in cells.items()}
        for column, value in cells.items():
            if isinstance(value, _Formula):
                self.problem(
                    "formula",
                    f"单元格含公式 {value.text},请粘贴为数值。",
                    f"The cell holds the formula {value.text}; paste it as a value.",
                    self.where(row, column),
                    value=value.text,
                )
        code = text.get("code", "")
        if not RESOURCE_CODE_PATTERN.match(code):
            self.problem(
                "resource-code",
                "缺少信息资源代码或其不是“前段码/后段码”形式,该行未读取。",
                "The resource code is missing or not of the form 前段码/后段码; the row was "
                "not read.",
                self.where(row, BY_KEY["code"]),
                value=code or None,
            )
            return
        if code in self.codes:
            self.problem(
                "duplicate-code",
                f"信息资源代码 {code} 已在第 {self.codes[code]} 行出现,该行未读取。",
                f"The resource code {code} is already used on row {self.codes[code]}; the row "
                "was not read.",
                self.where(row, BY_KEY["code"]),
                value=code,
            )
            return
        self.codes[code] = row
        res = URIRef(f"{self.base}resource/{resource_slug(code)}")
        g = self.graph
        paths: dict[str | None, Location] = {None: self.where(row)}
        for column in cells:
            for prop in column.properties:
                paths[str(prop)] = self.where(row, column)
        g.locations[str(res)] = paths
        g.add((res, RDF.type, SCS.InformationResource))
        g.add((res, SCS.resourceCode, Literal(code)))

        def fail(key: str, error: CellError, prop: URIRef) -> None:
            self.problem(
                error.rule,
                error.zh,
                error.en,
                self.where(row, BY_KEY[key]),
                focus=str(res),
                path=str(prop),
                value=text.get(key) or None,
            )

        if text.get("name"):
            g.add((res, DCTERMS.title, Literal(text["name"], lang="zh")))
        if text.get("name_en"):
            g.add((res, DCTERMS.title, Literal(text["name_en"], lang="en")))
        if text.get("abstract"):
            g.add((res, DCTERMS.description, Literal(text["abstract"], lang="zh")))
        self._provider(row, res, text)
        for key, prop in (
            ("class", SCS.resourceClass),
            ("sharing", SCS.sharingType),
            ("open", SCS.openness),
            ("cycle", DCTERMS.accrualPeriodicity),
        ):
            if text.get(key):
                try:
                    g.add((res, prop, concept(key, text[key])))
                except CellError as error:
                    fail(key, error, prop)
        if text.get("format"):
            try:
                main, detail = split_format(text["format"])
                g.add((res, SCS["format"], concept("format", main)))
                if detail:
                    g.add((res, SCS.formatDetail, Literal(detail)))
            except CellError as error:
                fail("format", error, SCS["format"])
        if text.get("items"):
            try:
                for triple in data_items(res, text["items"]):
                    g.add(triple)
                for item in g.objects(res, SCS.dataItem):
                    g.locations[str(item)] = {None: self.where(row, BY_KEY["items"])}
            except CellError as error:
                fail("items", error, SCS.dataItem)
        if text.get("condition"):
            # The guide's one field: a condition when conditional, the basis when not shared.
            none = (
                res,
                SCS.sharingType,
                URIRef("https://w3id.org/smartcity-std/code/sharing-type/none"),
            ) in g
            prop = SCS.sharingBasis if none else SCS.sharingCondition
            g.add((res, prop, Literal(text["condition"])))
        for method in _items(text.get("method", ""), _LIST_SPLIT):
            try:
                g.add((res, SCS.sharingMethod, concept("method", method)))
            except CellError as error:
                fail("method", error, SCS.sharingMethod)
        if text.get("open_condition"):
            g.add((res, SCS.openCondition, Literal(text["open_condition"])))
        if text.get("issued"):
            raw = cells.get(BY_KEY["issued"])
            try:
                g.add((res, DCTERMS.issued, Literal(parse_date(raw), datatype=XSD.date)))
            except CellError as error:
                fail("issued", error, DCTERMS.issued)
        for other in _items(text.get("related", ""), _LIST_SPLIT):
            if RESOURCE_CODE_PATTERN.match(other):
                g.add(
                    (res, DCTERMS.relation, URIRef(f"{self.base}resource/{resource_slug(other)}"))
                )
            else:
                fail(
                    "related",
                    CellError(
                        "resource-code",
                        f"“{other}”不是信息资源代码(前段码/后段码)。",
                        f"{other!r} is not a resource code (前段码/后段码).",
                    ),
                    DCTERMS.relation,
                )
        for ident in _items(text.get("standards", ""), _SPLIT):
            try:
                g.add((res, DCTERMS.conformsTo, URIRef(self.standard(ident))))
            except CellError as error:
                fail("standards", error, DCTERMS.conformsTo)

    def _provider(self, row: int, res: URIRef, text: dict[str, str]) -> None:
        code = unicodedata.normalize("NFKC", text.get("provider_code", "")).strip().upper()
        name = text.get("provider", "")
        departments = self.lookup.departments()
        where = self.where(row, BY_KEY["provider_code"] if code else BY_KEY["provider"])
        if not code and name:
            matches = [c for c, (_iri, n) in departments.items() if n == name]
            if len(matches) != 1:
                self.problem(
                    "provider",
                    f"未找到名称为“{name}”的已登记部门,请填写提供方代码。",
                    f"No single registered department is named {name!r}; give the provider code.",
                    where,
                    focus=str(res),
                    path=str(DCTERMS.publisher),
                    value=name,
                )
                return
            code = matches[0]
        if not code:
            return  # SHACL reports the missing publisher, located on this row
        if not is_valid_credit_code(code):
            self.problem(
                "credit-code",
                f"提供方代码“{code}”不是有效的统一社会信用代码(GB 32100)。",
                f"The provider code {code!r} is not a valid unified social credit code (GB 32100).",
                where,
                focus=str(res),
                path=str(DCTERMS.publisher),
                value=code,
            )
            return
        iri, registered = departments.get(code, (f"{self.base}department/{code}", ""))
        self.graph.add((res, DCTERMS.publisher, URIRef(iri)))
        if name and registered and name != registered:
            self.problem(
                "provider-name",
                f"提供方名称“{name}”与代码 {code} 登记的名称“{registered}”不一致。",
                f"The provider name {name!r} differs from the name registered for {code}, "
                f"{registered!r}.",
                self.where(row, BY_KEY["provider"]),
                focus=str(res),
                path=str(DCTERMS.publisher),
                value=name,
                severity="Warning",
            )

    def standard(self, text: str) -> str:
        return resolve_standard(text, self.lookup, self.base)


def resolve_standard(text: str, lookup: Lookup, base_iri: str) -> str:
    """The IRI of a standard named in any identifier variant: the registered one
    when the registry knows it; an undated identifier means the edition in force."""
    try:
        ident = parse_standard_id(text)
    except IdentifierError:
        raise CellError(
            "standard-identifier",
            f"“{text}”不是标准编号。",
            f"{text!r} is not a standard identifier.",
        ) from None
    registered = lookup.standards()
    if ident.year:
        found = registered.get(str(ident))
        return found[0] if found else f"{base_iri}standard/{ident.slug}"
    editions = [
        (iri, replaced)
        for key, (iri, replaced) in registered.items()
        if key.rsplit("-", 1)[0] == ident.undated
    ]
    current = [iri for iri, replaced in editions if not replaced]
    if len(current) == 1:
        return current[0]
    raise CellError(
        "undated-standard",
        f"未注日期的标准编号“{text}”无法对应到唯一的已登记版本,请写明年代号。",
        f"The undated identifier {text!r} matches no single registered edition; give the year.",
    )


def _items(cell: str, splitter: re.Pattern[str]) -> list[str]:
    return [part.strip() for part in splitter.split(cell) if part.strip()]


def concept(key: str, text: str) -> URIRef:
    """The concept a code-list cell names by Chinese label, alt label or code."""
    scheme = SCHEMES[key]
    found = code_lists().get(scheme, {}).get(_norm_label(text))
    if found is None:
        allowed = sorted(
            {concept_labels().get(c, "") for c in code_lists().get(scheme, {}).values()} - {""}
        )
        raise CellError(
            "code-list",
            f"“{text}”不在代码表中;可用的值:{'、'.join(allowed)}。",
            f"{text!r} is not in the code list; allowed: {', '.join(allowed)}.",
        )
    return found


def split_format(cell: str) -> tuple[str, str]:
    """ "数据库/关系型数据库表" or "电子表格(xlsx)" -> (main format, subtype)."""
    match = re.match(r"^(.*?)\s*[(（](.*)[)）]\s*$", cell)
    if match:
        return match[1].strip(), match[2].strip()
    main, _, detail = cell.partition("/")
    return main.strip(), detail.strip()


def data_items(resource: URIRef, cell: str) -> list[tuple[Node, Node, Node]]:
    """`名称:类型[:长度[:代码]]` entries separated by `;`, in order."""
    triples: list[tuple[Node, Node, Node]] = []
    for position, entry in enumerate(_items(cell, _SPLIT), start=1):
        parts = [p.strip() for p in entry.replace("：", ":").split(":")]
        if len(parts) < 2 or len(parts) > 4 or not parts[0] or not parts[1]:
            raise CellError(
                "data-item",
                f"信息项“{entry}”不是“名称:类型[:长度[:代码]]”形式。",
                f"The data item {entry!r} is not of the form name:type[:length[:code]].",
            )
        name, kind = parts[0], parts[1]
        length = parts[2] if len(parts) > 2 else ""
        code = parts[3] if len(parts) > 3 else ""
        try:
            dtype = concept("items", kind)
        except CellError:
            raise CellError(
                "data-item",
                f"信息项“{name}”的类型“{kind}”不是有效的数据类型(C、N、Y、D、T、L、"
                "M、G、B、I、F)。",
                f"The type {kind!r} of data item {name!r} is not a data type (C, N, Y, D, T, L, "
                "M, G, B, I, F).",
            ) from None
        if length and not length.isdigit():
            raise CellError(
                "data-item",
                f"信息项“{name}”的长度“{length}”不是整数。",
                f"The length {length!r} of data item {name!r} is not a whole number.",
            )
        item = URIRef(f"{resource}/item/{position}")
        triples += [
            (resource, SCS.dataItem, item),
            (item, RDF.type, SCS.DataItem),
            (item, SCS.itemName, Literal(name, lang="zh")),
            (item, SCS.dataType, dtype),
            (item, SCS.position, Literal(position)),
        ]
        if length:
            triples.append((item, SCS.length, Literal(int(length))))
        if code:
            triples.append((item, SCS.itemCode, Literal(code)))
    return triples


def parse_date(value: Cell) -> str:
    """CCYY-MM-DD from a date cell or text such as 2025-03-18, 2025/3/18, 2025年3月18日."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", _cell_text(value))
    match = _DATE.match(text) or (re.match(r"^(\d{4})(\d{2})(\d{2})$", text))
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        pass
    raise CellError(
        "date",
        f"“{text}”不是有效日期,请写作 CCYY-MM-DD。",
        f"{text!r} is not a valid date; write CCYY-MM-DD.",
    )


# ----------------------------------------------------------------------------- writing


def catalogue_rows(graph: Graph) -> list[list[str]]:
    """The information resources of `graph` as spreadsheet rows (header first).

    Departments' names and standards' identifiers are read from `graph` too, so
    hand it the departments and standards with the catalogue."""
    labels = concept_labels()
    rows = [[c.zh for c in COLUMNS]]
    resources = sorted(
        graph.subjects(RDF.type, SCS.InformationResource),
        key=lambda r: str(graph.value(r, SCS.resourceCode)),
    )
    for res in resources:

        def one(prop: URIRef, lang: str | None = None, node: Node = res) -> str:
            for value in graph.objects(node, prop):
                if lang is None or (isinstance(value, Literal) and value.language == lang):
                    return str(value)
            return ""

        publisher = graph.value(res, DCTERMS.publisher)
        items = sorted(
            graph.objects(res, SCS.dataItem), key=lambda i: int(graph.value(i, SCS.position) or 0)
        )
        item_cells = []
        for item in items:
            dtype = graph.value(item, SCS.dataType)
            parts = [
                one(SCS.itemName, node=item),
                str(dtype).rsplit("/", 1)[-1],
                one(SCS.length, node=item),
                one(SCS.itemCode, node=item),
            ]
            while parts and not parts[-1]:
                parts.pop()
            item_cells.append(":".join(parts))
        fmt = labels.get(graph.value(res, SCS["format"]), "")  # type: ignore[arg-type]
        detail = one(SCS.formatDetail)
        standards = sorted(
            one(DCTERMS.identifier, node=s) or str(s).rsplit("/", 1)[-1]
            for s in graph.objects(res, DCTERMS.conformsTo)
        )
        row = {
            "class": labels.get(graph.value(res, SCS.resourceClass), ""),  # type: ignore[arg-type]
            "name": one(DCTERMS.title, "zh"),
            "name_en": one(DCTERMS.title, "en"),
            "code": one(SCS.resourceCode),
            "provider": one(SKOS.prefLabel, "zh", publisher) if publisher else "",
            "provider_code": one(SCS.creditCode, node=publisher) if publisher else "",
            "abstract": one(DCTERMS.description, "zh") or one(DCTERMS.description),
            "format": f"{fmt}/{detail}" if detail else fmt,
            "items": ";".join(item_cells),
            "sharing": labels.get(graph.value(res, SCS.sharingType), ""),  # type: ignore[arg-type]
            "condition": one(SCS.sharingCondition) or one(SCS.sharingBasis),
            "method": ";".join(
                sorted(
                    labels.get(m, "")  # type: ignore[arg-type]
                    for m in graph.objects(res, SCS.sharingMethod)
                )
            ),
            "open": labels.get(graph.value(res, SCS.openness), ""),  # type: ignore[arg-type]
            "open_condition": one(SCS.openCondition),
            "cycle": labels.get(graph.value(res, DCTERMS.accrualPeriodicity), ""),  # type: ignore[arg-type]
            "issued": one(DCTERMS.issued),
            "related": ";".join(
                sorted(
                    one(SCS.resourceCode, node=r) or str(r).rsplit("/", 1)[-1].replace("-", "/", 1)
                    for r in graph.objects(res, DCTERMS.relation)
                )
            ),
            "standards": ";".join(standards),
        }
        rows.append([row[c.key] for c in COLUMNS])
    return rows


def template_rows() -> list[list[str]]:
    """The header and one example row (the example is a valid resource of the
    example department, so a template filled in from it is close to valid)."""
    return [[c.zh for c in COLUMNS], [c.example for c in COLUMNS]]


def csv_bytes(rows: Sequence[Sequence[str]], encoding: str = "utf-8-sig") -> bytes:
    """CSV text; UTF-8 with BOM by default, which Excel opens correctly in China.
    Cells that a spreadsheet would run as formulas get a leading `'`
    (registry/csvsafe.py): the rows carry departments' uploaded text."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(neutralise_row(row) for row in rows)
    return out.getvalue().encode(encoding)


_WHEN = datetime(2026, 1, 1)  # fixed: the same rows always give the same workbook content


def xlsx_bytes(rows: Sequence[Sequence[str]], guide: bool = False) -> bytes:
    """An XLSX workbook of `rows`; with `guide`, a second sheet explains every column
    and code-list columns get drop-down lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.properties.created = book.properties.modified = _WHEN
    sheet = book.active
    sheet.title = "信息资源目录"
    for row in rows:
        # Written as text: a code such as 000001 must not become a number.
        _append_text(sheet, [str(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.zh) * 3))
        sheet.column_dimensions[letter].number_format = "@"
    if guide:
        labels = concept_labels()
        for index, column in enumerate(COLUMNS, start=1):
            scheme = SCHEMES.get(column.key)
            if scheme is None or column.key in ("items", "method", "format"):
                continue
            values = sorted({labels[c] for c in code_lists()[scheme].values() if c in labels})
            rule = DataValidation(
                type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
            )
            letter = sheet.cell(row=1, column=index).column_letter
            rule.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(rule)
        notes = book.create_sheet("说明")
        _append_text(notes, ["列标题", "English", "必填", "说明", "示例"])
        for column in COLUMNS:
            _append_text(
                notes,
                [
                    column.zh,
                    column.en,
                    "是" if column.required else "否",
                    column.meaning,
                    column.example,
                ],
            )
        for cell in notes[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append_text(sheet: Any, row: Sequence[str]) -> None:
    """Append `row` as text cells, neutralised as in CSV (registry/csvsafe.py).
    openpyxl makes a string that starts with `=` a formula and one such as `#REF!`
    an error value; every cell is set back to a plain string ("s"), so no uploaded
    text becomes either, whatever the neutraliser lets through."""
    sheet.append(neutralise_row(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
