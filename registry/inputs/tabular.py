"""Spreadsheet catalogues: CSV, XLSX and XLS with Chinese column headers, one row per
information resource (DOMAIN.md §3, docs/inputs.md), from every sheet that has the
header (registry/inputs/workbooks.py gives the sheets' rows).

Reading maps each row to the registry's terms (docs/vocabulary.md) and records
where every node came from, so that each validation result names its row and
column. What cannot be read (an unknown header, a malformed cell) is reported in
the same result model before validation, and the cell is left out.

Writing gives the template and the spreadsheet form of a catalogue graph (the
examples are made with it).
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD
from rdflib.term import Node

from registry.bilingual import Text
from registry.errors import PayloadTooLargeError
from registry.inputs.document import (
    Document,
    Location,
    Lookup,
    SubmissionGraph,
    input_problem,
    mapped_format,
)
from registry.inputs.identifiers import (
    RESOURCE_CODE_PATTERN,
    IdentifierError,
    is_valid_credit_code,
    parse_standard_id,
    resource_slug,
)
from registry.inputs.workbooks import (
    Cell,
    ErrorValue,
    Formula,
    Range,
    Sheet,
    cell_text,
    column_letter,
    csv_sheets,
    range_name,
    xls_sheets,
    xlsx_sheets,
)
from registry.namespaces import SCS
from registry.outputs.csvsafe import neutralise_row
from registry.validation.trusted_files import ONTOLOGY_DIR


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
        ("resource class", "class", "分类", "资源分类"),
        (SCS.resourceClass,),
        True,
        "类:基础信息资源 / 主题信息资源 / 部门信息资源,或代码 1 / 2 / 3",
        "基础信息资源",
    ),
    Column(
        "name",
        "信息资源名称",
        "name",
        ("title", "resource name", "名称", "资源名称"),
        (DCTERMS.title,),
        True,
        "资源的中文名称",
        "【示例】人口基础信息",
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
        ("code", "资源代码", "信息资源编码", "资源编码", "资源编号"),
        (SCS.resourceCode,),
        True,
        "前段码/后段码,如 101001/000001",
        "101001/000099",
    ),
    Column(
        "provider",
        "信息资源提供方",
        "provider",
        (
            "publisher",
            "提供方",
            "提供方名称",
            "提供单位",
            "资源提供方",
            "提供部门",
            "资源提供部门",
            "资源提供单位",
        ),
        (DCTERMS.publisher,),
        False,
        "提供方部门名称,须与登记的名称一致",
        "沈阳市大数据管理局",
    ),
    Column(
        "provider_code",
        "提供方代码",
        "provider code",
        (
            "publisher code",
            "credit code",
            "信息资源提供方代码",  # GB/T 21063.3's own element name
            "资源提供方代码",
            "提供方统一社会信用代码",
            "统一社会信用代码",
        ),
        (DCTERMS.publisher,),
        False,
        "提供方的统一社会信用代码(18 位)",
        "11210100EXAMPLE01N",
    ),
    Column(
        "abstract",
        "信息资源摘要",
        "abstract",
        ("description", "摘要", "资源摘要"),
        (DCTERMS.description,),
        True,
        "资源内容的简要说明",
        "全市户籍人口的身份基础信息。",
    ),
    Column(
        "format",
        "信息资源格式",
        "format",
        ("resource format", "格式", "资源格式"),
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
        ("openness", "open", "是否开放", "开放属性"),
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
        ("update frequency", "frequency", "cycle", "更新频率", "更新频次"),
        (DCTERMS.accrualPeriodicity,),
        True,
        "实时、每日、每周、每月、每季度、每半年、每年、不定期",
        "每日",
    ),
    Column(
        "issued",
        "发布日期",
        "issue date",
        ("issued", "date", "发布时间"),
        (DCTERMS.issued,),
        True,
        "年-月-日,如 2025-03-18(也可写 2025/3/18 或 2025年3月18日)",
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

# The data items written one per row in columns of their own, as catalogue forms do
# (a "信息项" group over 名称 / 类型 / 长度): each row's parts make one entry of the
# 信息项 cell. Not template columns.
ITEM_PARTS: tuple[Column, ...] = tuple(
    Column(key, zh, en, aliases, (SCS.dataItem,), False, meaning, "")
    for key, zh, en, aliases, meaning in (
        ("item_name", "信息项名称", "item name", ("数据项名称", "字段中文名称"), "信息项的名称"),
        (
            "item_type",
            "数据类型",
            "data type",
            ("信息项类型", "数据项类型", "字段类型", "item type"),
            "C、N、D 等类型代码或其中文名称",
        ),
        (
            "item_length",
            "数据长度",
            "length",
            ("信息项长度", "数据项长度", "字段长度", "item length"),
            "整数",
        ),
        (
            "item_code",
            "信息项代码",
            "item code",
            ("数据项代码", "字段名", "字段代码"),
            "信息项的代码",
        ),
    )
)
PART_KEYS = tuple(c.key for c in ITEM_PARTS)

_SPLIT = re.compile(r"[;；\n]+")
_LIST_SPLIT = re.compile(r"[;；、,，\n]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Chinese characters with the full-width punctuation written among them.
_WIDE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    # a time of day after the date, as a date cell saved as text shows it: 2024/3/1 0:00
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
# Excel keeps a date as the days since 1899-12-30; a date cell that lost its date format
# shows that number. Five digits are 1927-05-18 to 2173-10-14 (a year alone is four).
_SERIAL_DAYS = (10_000, 99_999)
_EXCEL_EPOCH = date(1899, 12, 30)


# A mark of obligation clerks add to a title: "*信息资源名称", "信息资源名称(必填)".
_OBLIGATION = re.compile(r"^[*※]+|[*※]+$|\((必填|选填|可选|必选|required|optional)\)$", re.I)
# What clerks put around a title: a number before it ("1.信息资源分类", "(2)名称", "③代码",
# which NFKC makes 3) and a colon after it ("信息资源名称：").
_NUMBERING = re.compile(r"^(\(\d{1,2}\)|\d{1,2}[.、)]?)(?=\D)")
_COLON = re.compile(r"[:]+$")


def _norm_header(text: str) -> str:
    """A header as compared: NFKC (full-width forms), no spaces, line breaks or
    underscores anywhere (clerks wrap long titles), no number before it or colon after
    it, no obligation marks, any case."""
    text = re.sub(r"[\s_\ufeff]+", "", unicodedata.normalize("NFKC", text))
    text = _NUMBERING.sub("", _COLON.sub("", text))
    while (stripped := _OBLIGATION.sub("", text)) != text:
        text = stripped
    return text.casefold()


_HEADERS: dict[str, Column] = {}
for _col in (*COLUMNS, *ITEM_PARTS):
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
def _codelist_graph() -> Graph:
    graph = Graph()
    graph.parse(data=(ONTOLOGY_DIR / "codelists.ttl").read_bytes(), format="turtle")
    return graph


@lru_cache(maxsize=1)
def code_lists() -> dict[URIRef, dict[str, URIRef]]:
    """Scheme -> every accepted spelling (labels in any language, alt labels,
    notation) -> concept. Parsed once from ontology/codelists.ttl."""
    graph = _codelist_graph()
    lists: dict[URIRef, dict[str, URIRef]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        if not isinstance(concept, URIRef) or not isinstance(scheme, URIRef):
            continue
        spellings = lists.setdefault(scheme, {})
        for prop in (SKOS.notation, SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, prop):
                spellings.setdefault(_norm_label(str(label)), concept)
    return lists


@lru_cache(maxsize=2)
def concept_labels(lang: str = "zh") -> dict[URIRef, str]:
    """Concept -> its prefLabel in `lang` (Chinese: the word spreadsheets use)."""
    return {
        s: str(o)
        for s, o in _codelist_graph().subject_objects(SKOS.prefLabel)
        if isinstance(s, URIRef) and isinstance(o, Literal) and o.language == lang
    }


@lru_cache(maxsize=1)
def _orders() -> dict[URIRef, int]:
    return {
        s: int(o)
        for s, o in _codelist_graph().subject_objects(SCS.order)
        if isinstance(s, URIRef) and isinstance(o, Literal)
    }


def ordered_concepts(scheme: URIRef) -> list[URIRef]:
    """The concepts of a code list in the list's own order (scs:order), not in the
    order of their labels: 实时, 每日, … 每年, 不定期."""
    concepts = set(code_lists().get(scheme, {}).values())
    order = _orders()
    return sorted(concepts, key=lambda c: (order.get(c, len(order)), str(c)))


# Words that say nothing about the value: 每月更新一次 is 每月.
_FILLER = re.compile(r"更新|一次|的")


def suggestion(scheme: URIRef, text: str) -> URIRef | None:
    """The concept a value not in the list was clearly meant to be, or None.

    Chinese: the value without filler words (每月更新 → 每月), else the one concept whose
    spelling holds the value or is held in it (有条件 → 有条件共享, 接口服务 → 接口). No
    similarity between Chinese words: they are two or three characters, and the one
    that differs carries the meaning (每两周 is not 每周, 每半年 is not 每年). Other
    scripts: difflib, when the close spellings all name one concept (monthy → 每月)."""
    spellings = code_lists().get(scheme, {})
    norm = _norm_label(text)
    if _CJK.search(norm):
        stripped = _FILLER.sub("", norm)
        if stripped and stripped != norm and stripped in spellings:
            return spellings[stripped]
        return _containing(spellings, stripped or norm)
    latin = [s for s in spellings if not _CJK.search(s)]
    close = {spellings[s] for s in difflib.get_close_matches(norm, latin, n=3, cutoff=0.8)}
    return close.pop() if len(close) == 1 else None


# Words that turn a value round: 不予开放 holds 开放 and means its opposite.
_NEGATION = re.compile(r"[不非无未否]")


def _containing(spellings: dict[str, URIRef], norm: str) -> URIRef | None:
    """The one concept whose Chinese spelling holds the value or is held in it (有条件 in
    有条件共享, 接口 in 接口服务, 季度 in 每季度), or None: none, several (共享平台 is in three
    methods' spellings), a value of one character, or a negation on one side only."""
    if len(norm) < 2:
        return None
    found = {
        concept
        for spelling, concept in spellings.items()
        if _CJK.search(spelling)
        and min(len(spelling), len(norm)) >= 2
        and (spelling in norm or norm in spelling)
        and bool(_NEGATION.search(spelling)) == bool(_NEGATION.search(norm))
    }
    return found.pop() if len(found) == 1 else None


# A sheet named as instructions (填写说明, a 说明 sheet repeating the header with 必填 /
# 选填 and examples such as 前段码/后段码): with no resource code in it, it is not data.
# Read as data, its row of explanations was a Violation that blocked the workbook.
_INSTRUCTIONS = re.compile(r"说明|须知|指南|示例说明|instruction|readme|read me|how to", re.I)
_PEEK_ROWS = 1000


def _explains_the_header(sheet: Sheet) -> tuple[Sheet, bool]:
    """Whether the sheet repeats the header and holds no resource code (instructions:
    the header with what each column takes), and the sheet to read on, its rows put
    back in front. One without the header is listed as before, with the sheets that
    have none."""
    first = list(islice(sheet.rows, _PEEK_ROWS + 1))
    again = dataclasses.replace(sheet, rows=chain(first, sheet.rows))
    if len(first) > _PEEK_ROWS:
        return again, False  # a long sheet is data, whatever its name
    if not any(_looks_like_header(cells) for cells in first[:HEADER_SEARCH_ROWS]):
        return again, False
    holds_codes = any(
        RESOURCE_CODE_PATTERN.match(resource_code_text(cell_text(cell)))
        for cells in first
        for cell in cells
    )
    return again, not holds_codes


class CellError(ValueError):
    """A cell that cannot be read. A data item's error says which item (`position`, from
    1), which part (`part`: an ITEM_PARTS key, or "" for the whole entry) and the text."""

    def __init__(
        self, rule: str, zh: str, en: str, position: int = 0, part: str = "", value: str = ""
    ) -> None:
        super().__init__(en)
        self.rule, self.zh, self.en = rule, zh, en
        self.position, self.part, self.value = position, part, value


# ----------------------------------------------------------------------------- reading


def read_catalogue(doc: Document, base_iri: str, lookup: Lookup, max_bytes: int | None) -> Graph:
    """The resources of a CSV, XLSX or XLS catalogue, as a SubmissionGraph."""
    # One table of extensions (registry.inputs.document): a name ending .xlsm was read
    # as CSV here, and refused as neither UTF-8 nor GB18030.
    fmt = (doc.format or mapped_format(doc) or "csv").lower()
    fmt = "csv" if fmt == "tsv" else fmt
    cap = max_bytes if max_bytes is not None else 20 * 1024 * 1024
    if fmt == "xlsx":
        sheets = xlsx_sheets(doc.data, doc.name, cap)
    elif fmt == "xls":
        sheets = xls_sheets(doc.data, doc.name)
    else:
        sheets = csv_sheets(doc.data, doc.name, _looks_like_header)
    with closing(sheets):
        return CatalogueReader(doc.name, base_iri, lookup).read_sheets(sheets, cap)


# Clerks put a title, a date or a unit above the header: it is looked for this far down.
HEADER_SEARCH_ROWS = 10
# Columns usually merged over several rows in bureaus' workbooks (one provider, one
# class for a block of resources): a CSV saved from such a sheet leaves blanks below.
MERGED_LOOKING = ("class", "provider", "provider_code")
# The template's example row is marked in its name, so that it is not registered by
# mistake when a clerk forgets to delete it.
EXAMPLE_MARK = "【示例】"
# What the registry's own XLSX downloads end a text with when it was longer than a cell
# holds (registry/read/tables.py): such a cell sent back is not the text registered,
# and was registered as a new, cut version before it was refused here.
CUT_MARK = "…（已截断，全文见 JSON 或 CSV）"
# The register's columns that a download of the resource list adds after the template's
# (registry/read/tables.py): known titles, not read back (a status is not submitted).
REGISTER_COLUMNS = ("登记状态", "版本", "登记时间", "IRI")
# The mark the registry's CSV puts before a text that a spreadsheet would run as a
# formula (registry/outputs/csvsafe.py): one leading ' before = + - @, dropped when
# such a download is read back, so that a round trip does not change the text.
EXPORT_MARKED = ("'=", "'+", "'-", "'@")


# A remark in brackets after a title: "提供方代码（18位）", "名称(Name)".
_BRACKETED = re.compile(r"^(.*?)[(（\[【](.*?)[)）\]】]$", re.S)
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z ()_-]*")


def header_column(text: str) -> Column | None:
    """The column a header cell names, or None. A cell of two titles, the Chinese and
    the English one (on two lines, one in brackets, or side by side), names a column
    when its parts name that one column and no other; a remark in brackets is left out."""
    if not text:
        return None
    found = _HEADERS.get(_norm_header(text))
    if found is not None:
        return found
    text = unicodedata.normalize("NFKC", text).strip()
    parts = [line for line in text.splitlines() if line.strip()]
    if bracketed := _BRACKETED.match(text):
        parts += [bracketed[1], bracketed[2]]
    latin = " ".join(_LATIN_RUN.findall(text))
    parts += [_LATIN_RUN.sub("", text), latin]
    named = {_HEADERS.get(_norm_header(part)) for part in parts if part.strip()}
    named.discard(None)
    return named.pop() if len(named) == 1 else None


def _header_score(cells: list[Cell]) -> tuple[int, int]:
    """(distinct known columns, non-empty cells) of a row that may be the header."""
    texts = [cell_text(c) for c in cells]
    known = {col.key for col in map(header_column, texts) if col is not None}
    return len(known), sum(1 for t in texts if t)


def _looks_like_header(cells: list[Cell]) -> bool:
    known, filled = _header_score(cells)
    # Three known titles, or two that are most of a short row: a title line or a data
    # row never names two columns.
    return known >= 3 or (known >= 2 and 2 * known >= filled)


def two_row_header(top: list[Cell], sub: list[Cell]) -> list[str] | None:
    """The column titles of a header written over two rows, or None when `sub` is not
    the second row of the header.

    Clerks group columns under a title merged across them ("提供方" above "名称" and
    "代码"; "共享属性" above "共享类型"...), with the other titles merged down both
    rows. A column's title is the group's and its own together when that names a
    column (提供方 + 名称 = 提供方名称), else its own, else the group's; a blank above
    a title belongs to the group on its left (a merged cell keeps its value in its
    first cell only). Taken only when the two rows name more columns than the first,
    and the second holds no resource code (a data row does)."""
    texts = [cell_text(c) for c in sub]
    if sum(1 for t in texts if t) < 2 or any(
        RESOURCE_CODE_PATTERN.match(resource_code_text(t)) for t in texts
    ):
        return None
    titles: list[str] = []
    group = ""
    for index in range(max(len(top), len(sub))):
        upper = cell_text(top[index]) if index < len(top) else ""
        lower = cell_text(sub[index]) if index < len(sub) else ""
        group = upper or group
        above = upper or (group if lower else "")
        candidates = [above + lower, lower, above] if lower else [above]
        titles.append(next((t for t in candidates if header_column(t) is not None), lower or above))
    known = {c.key for c in map(header_column, titles) if c is not None}
    return titles if len(known) > _header_score(top)[0] else None


# What begins a row that is no resource: a total, a note, a signature, a section's number.
_NOTE_MARK = re.compile(
    r"^\s*(合\s*计|总\s*计|小\s*计|共\s*计|汇\s*总|注|备\s*注|说\s*明|填表|填报|制表|审核|审批|负责人|"
    r"联系人|联系电话|单位(负责人|盖章)|以下(空白|无)|此页|[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十\d]+[类部分章节])"
)


# What begins a totals row, which may count the rows above with a formula (=COUNTA(D2:D9),
# Excel's own =SUBTOTAL(103,...) of a table's total row).
_TOTAL_MARK = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|共\s*计|汇\s*总)")


# The two parts of a resource code, which some catalogues give a column each.
SPLIT_CODE = ("前段码", "后段码")


# A resource's own columns: a row with none of them is no resource, whatever else it holds.
RESOURCE_OWN = frozenset({"code", "name", "name_en", "abstract", "items"})
_HINT = re.compile(r"[(（]?(必填|选填|可选|必选|非必填|可不填|required|optional)[)）]?", re.I)


def _shown(cell: Cell) -> str:
    """A cell's text as a report quotes it: a formula's own text."""
    return cell.text if isinstance(cell, Formula) else cell_text(cell)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_missing_columns(
    graph: SubmissionGraph, missing: Sequence[Column], where: Callable[[Column], Location]
) -> None:
    """A Violation for each required column a sheet's header lacks, located by `where`;
    any makes the submission fatal (its rows cannot be read right). The catalogue's and
    the assessment template's readers both report so."""
    for column in missing:
        graph.problems.append(
            input_problem(
                "missing-header",
                f"缺少必需的列“{column.zh}”。",
                f"The required column {column.zh} ({column.en}) is missing.",
                location=where(column),
            )
        )
    if missing:
        graph.fatal = True


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive numbers as (first, last) runs: 3, 4, 5, 9 -> (3, 5), (9, 9)."""
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _meant_column(text: str, missing: Sequence[Column]) -> Column | None:
    """The one missing column whose title or an alias is close to the unknown header
    `text` (difflib, ratio 0.6: 信息资源名 for 信息资源名称), or None."""
    norm = _norm_header(text)
    scores: dict[str, float] = {}
    for column in missing:
        spellings = (column.zh, column.en, *column.aliases)
        ratio = max(difflib.SequenceMatcher(None, norm, _norm_header(s)).ratio() for s in spellings)
        if ratio >= 0.6:
            scores[column.key] = ratio
    best = [key for key, ratio in scores.items() if ratio == max(scores.values(), default=0)]
    return BY_KEY[best[0]] if len(best) == 1 else None


class CatalogueReader:
    """Maps the rows of one spreadsheet; one instance per document."""

    def __init__(self, source: str, base_iri: str, lookup: Lookup) -> None:
        self.source = source
        self.base = base_iri
        self.lookup = lookup
        self.graph = SubmissionGraph()
        self.sheet: str | None = None
        self.columns: list[Column | None] = []
        self._blank_titles: set[int] = set()  # indexes of the header's blank cells
        self.codes: dict[str, tuple[str | None, int]] = {}
        self.size = 0  # cell text read so far, against the upload limit
        self.prefilled: list[tuple[int, list[Column]]] = []  # template rows of this sheet
        self.item_origins: list[tuple[int, bool]] = []  # of the row being read: see _read_sheet

    def where(
        self, row: int, column: Column | None = None, header: str = "", index: int = 0
    ) -> Location:
        """The file, sheet, row and column of a result; the column by its title and, where
        known, by the letter Excel shows (`column_letter`; `index` from 1, else the
        column's place in the header): a title may be there twice."""
        loc: list[tuple[str, Any]] = [("file", self.source)]
        if self.sheet is not None:
            loc.append(("sheet", self.sheet))
        loc.append(("row", row))
        if column is not None:
            loc += [("column", column.zh), ("column_en", column.en)]
            if not index and column in self.columns:
                index = self.columns.index(column) + 1
        elif header:
            loc += [("column", header), ("column_en", header)]
        if index:
            loc.append(("column_letter", column_letter(index)))
        return tuple(loc)

    def problem(self, rule: str, zh: str, en: str, location: Location, **kw: Any) -> None:
        self.graph.problems.append(input_problem(rule, zh, en, location=location, **kw))

    def read_sheets(self, sheets: Iterable[Sheet], cap: int | None = None) -> SubmissionGraph:
        """Every sheet that has the header is read; the others are listed in an Info."""
        read: list[str | None] = []
        without: list[str] = []
        hidden: list[str] = []
        instructions: list[str] = []
        content = False
        for sheet in sheets:
            self.sheet = sheet.name
            if sheet.hidden and sheet.name is not None:
                # What the clerk does not see is not read (last year's sheet, the lists
                # behind drop-downs); one with the header is named, so nothing is lost
                # without a word.
                head = islice(sheet.rows, HEADER_SEARCH_ROWS)
                if any(_looks_like_header(cells) for cells in head):
                    hidden.append(sheet.name)
                continue
            if sheet.name is not None and _INSTRUCTIONS.search(sheet.name):
                sheet, explains = _explains_the_header(sheet)
                if explains:
                    instructions.append(sheet.name)
                    continue
            outcome = self._read_sheet(sheet, cap)
            if self.graph.fatal:
                return self.graph
            content = content or outcome != "empty"
            if outcome == "read":
                read.append(sheet.name)
            elif outcome == "no-header" and sheet.name is not None:
                without.append(sheet.name)
        self.sheet = None
        if instructions:
            names = "、".join(f"“{n}”" for n in instructions)
            self.problem(
                "instructions-sheet",
                f"以下工作表按名称是填写说明，且其中没有信息资源代码，未作为数据读取：{names}。",
                "These sheets are instructions by their name and hold no resource code; they "
                f"were not read as data: {', '.join(instructions)}.",
                (("file", self.source),),
                value="、".join(instructions),
                severity="Info",
            )
        if hidden:
            names = "、".join(f"“{n}”" for n in hidden)
            self.problem(
                "hidden-sheet",
                f"以下工作表已隐藏,其中有表头,但未读取:{names}。如需提交其中的信息资源,"
                "请取消隐藏该工作表后重新提交;否则可以删除它。",
                f"These sheets are hidden and were not read, although they have the header: "
                f"{', '.join(hidden)}. Unhide a sheet to submit its resources, or delete it.",
                (("file", self.source),),
                value="、".join(hidden),
                severity="Warning",
            )
        if not content:
            self.problem(
                "empty",
                "表格中没有表头和数据行。",
                "The spreadsheet holds no header and no row.",
                self.where(1),
            )
            self.graph.fatal = True
        elif not read:
            names = "、".join(f"“{n}”" for n in without)
            self.problem(
                "no-header",
                f"在{'工作表 ' + names + ' 的' if names else ''}前 {HEADER_SEARCH_ROWS} 行中"
                "没有找到表头行。表头行应写出列标题,如“信息资源代码”“信息资源名称”"
                "“信息资源提供方”;请从目录模板复制表头。",
                f"No header row in the first {HEADER_SEARCH_ROWS} rows"
                f"{' of the sheets ' + ', '.join(without) if without else ''}. The header "
                "names the columns, such as 信息资源代码, 信息资源名称, 信息资源提供方 (or "
                "resource code, name, provider); copy it from the template "
                "(screg template catalogue).",
                self.where(1),
            )
            self.graph.fatal = True
        elif without:
            self.problem(
                "sheet-without-header",
                f"以下工作表中没有表头,未读取:{'、'.join(f'“{n}”' for n in without)}。",
                f"These sheets have no header and were not read: {', '.join(without)}.",
                (("file", self.source),),
                severity="Info",
            )
        return self.graph

    def _read_sheet(self, sheet: Sheet, cap: int | None) -> str:
        """ "read", "no-header" or "empty"."""
        head = list(islice(sheet.rows, HEADER_SEARCH_ROWS))
        found = next((i for i, cells in enumerate(head) if _looks_like_header(cells)), None)
        if found is None:
            if any(cell_text(c) for cells in head for c in cells) or any(
                cell_text(c) for cells in sheet.rows for c in cells
            ):
                return "no-header"
            return "empty"
        header_row = found + 1
        header: list[Cell] = head[found]
        following = head[found + 1] if found + 1 < len(head) else []
        combined = two_row_header(header, following)
        if combined is not None:
            header, header_row = list(combined), found + 2
        # A title made by a formula (="…目录（"&YEAR(TODAY())&"年）") is shown as its
        # formula: cell_text gives nothing for one, and such a title went unreported.
        above = [
            " ".join(_shown(c) for c in cells if _shown(c))
            for cells in head[:found]
            if any(_shown(c) for c in cells)
        ]
        self.columns = []
        self._read_header(header, header_row)
        if above or combined is not None:
            text = _clip(" / ".join(above))
            if combined is not None:
                rows_zh = f"第 {found + 1} 至 {header_row} 行(两行列标题合起来读取)"
                rows_en = f"rows {found + 1} to {header_row} (two rows of titles read together)"
            else:
                rows_zh, rows_en = f"第 {header_row} 行", f"row {header_row}"
            self.problem(
                "header-row",
                f"表头在{rows_zh}"
                + (f";其上的 {len(above)} 行未作为数据读取:“{text}”。" if above else "。"),
                f"The header is on {rows_en}"
                + (
                    f"; the {len(above)} row(s) above it were not read as data: {text!r}."
                    if above
                    else "."
                ),
                self.where(header_row),
                value=text or None,
                severity="Info",
            )
        if self.graph.fatal:
            return "read"
        rows = chain(head[header_row:], sheet.rows)
        fill = MergedFill(sheet.merged, header_row, len(self.columns))
        above_values: dict[str, str] = {}
        notes: set[int] = set()
        # A resource over several rows (its cells merged down them, one data item per
        # row) is read when its last row has been seen: (first row, its cells, merged-
        # looking cells), and the rows it spans.
        pending: tuple[int, dict[Column, Cell], dict[Column, str]] | None = None
        spans: dict[int, int] = {}
        last = 0  # the last row read as a resource (CSV: a row of items only follows one)
        code_at = next((i for i, c in enumerate(self.columns, 1) if c and c.key == "code"), 0)

        more_items: list[str] = []  # the further rows' data items, joined once at the end
        # Where each data item of the pending resource was typed: (row, in the item part
        # columns), in order, so that a malformed one is reported on its own cell.
        origins: list[tuple[int, bool]] = []

        def flush() -> None:
            nonlocal pending
            if pending is not None:
                if more_items:
                    items = BY_KEY["items"]
                    first = cell_text(pending[1].get(items))
                    pending[1][items] = "\n".join([first, *more_items] if first else more_items)
                    more_items.clear()
                self.item_origins = list(origins)
                self._read_row(*pending)
                pending = None

        untitled: set[int] = set()  # columns without a title whose data was reported
        marked: list[tuple[int, Column]] = []  # cells whose export mark ' was dropped
        hidden_rows: list[int] = []  # hidden rows that hold something: read
        for number, cells in enumerate(rows, start=header_row + 1):
            cells = fill.apply(number, cells)
            self._report_untitled(number, cells, untitled)
            values = dict(zip(self.columns, cells, strict=False))
            values.pop(None, None)
            for column, value in values.items():
                if isinstance(value, str) and value.startswith(EXPORT_MARKED):
                    values[column] = value[1:]
                    marked.append((number, column))
            if number in sheet.hidden_rows and any(_shown(v) for v in values.values()):
                hidden_rows.append(number)
            item = _item_from_parts(values)
            self.size += sum(len(cell_text(v)) for v in values.values())
            if cap is not None and self.size > cap:
                # An XLSX expands: its cell text may not exceed what the upload limit
                # allows for the same catalogue as CSV.
                raise PayloadTooLargeError(
                    Text(
                        zh=f"{self.source}：单元格文本超过 {cap} 字节的限制",
                        en=f"{self.source}: the cell text passes the limit of {cap} bytes",
                    ),
                    {"file": self.source, "limit": cap, "row": number},
                )
            if pending is not None and code_at in fill.carried:
                typed = self._continued_row(number, pending[0], values, fill.carried)
                origins.extend((number, False) for t in typed for _ in _items(t, _SPLIT))
                origins.extend([(number, True)] if item else [])
                more_items += typed + ([item] if item else [])
                spans[pending[0]] = number
                continue
            flush()
            typed_items = cell_text(values.get(BY_KEY["items"]))
            if item:
                values[BY_KEY["items"]] = f"{typed_items}\n{item}" if typed_items else item
            if not any(isinstance(v, Formula) or cell_text(v) for v in values.values()):
                above_values.clear()  # an empty row ends a block
                continue  # empty rows are layout, not entries
            if sheet.blanks_may_be_merged and self._items_only_row(number, values, last):
                continue
            if self._note_row(number, values):
                notes.add(number)
                above_values.clear()  # a section title starts a block
                continue
            last = number
            merged = (
                self._merged_looking(values, above_values) if sheet.blanks_may_be_merged else {}
            )
            pending = (number, values, merged)  # type: ignore[assignment]
            origins[:] = [(number, False)] * len(_items(typed_items, _SPLIT))
            origins += [(number, True)] if item else []
        flush()
        self._report_hidden(hidden_rows, sheet.hidden_columns, header_row)
        self._report_marked(marked)
        self._report_prefilled()
        self._report_spans_and_ranges(spans, fill.reported(), notes)
        return "read"

    def _report_spans_and_ranges(
        self, spans: dict[int, int], ranges: list[tuple[Range, Cell]], notes: set[int]
    ) -> None:
        """One Info per resource over several rows, and per merged range filled in,
        except a note row's own range and a spanning resource's cells (said already)."""
        for first, end in spans.items():
            self.problem(
                "continued-rows",
                f"第 {first} 至 {end} 行是同一项信息资源:其信息资源代码等单元格合并了这几行,"
                "各行的信息项已依次读入该资源。",
                f"Rows {first} to {end} are one resource: its resource code and other cells "
                "are merged over them; the data items of every row were read into it.",
                self.where(first, BY_KEY["items"]),
                severity="Info",
            )
        for cells, value in ranges:
            first_row, first_col, last_row, last_col = cells
            if first_row in notes and last_row == first_row:
                continue  # the note row's own result says it all
            if spans.get(first_row, 0) >= last_row:
                continue  # a resource's own cells over its rows: said once, above
            column = self._column_at(first_col) if first_col == last_col else None
            rows_zh = (
                f"第 {first_row} 至 {last_row} 行" if last_row > first_row else f"第 {first_row} 行"
            )
            if column is not None:
                cols_zh = f"“{column.zh}”列"
            elif last_col > first_col:
                cols_zh = f"第 {first_col} 至 {last_col} 列"
            else:
                cols_zh = f"第 {first_col} 列"
            shown = _clip(cell_text(value) or getattr(value, "text", ""))
            self.problem(
                "merged-range",
                f"{rows_zh}{cols_zh}的合并单元格,其值“{shown}”已填入该区域的每一个单元格。",
                f"The merged range {range_name(cells)} gives its value {shown!r} to every "
                "cell of the range.",
                self.where(first_row, self._column_at(first_col)),
                value=shown,
                severity="Info",
            )

    def _continued_row(
        self, row: int, first: int, values: dict[Column, Cell], carried: set[int]
    ) -> list[str]:
        """One more row of the resource on row `first`, whose code cell is merged over it:
        its data item is the resource's next (returned); any other cell of its own has no
        place and is said."""
        items = BY_KEY["items"]
        found: list[str] = []
        for index, column in enumerate(self.columns, 1):
            if column is None or index in carried:
                continue
            value = values.get(column)
            text = cell_text(value) if not isinstance(value, Formula) else value.text
            if not text:
                continue
            if column is items and not isinstance(value, Formula):
                found.append(text)
                continue
            self.problem(
                "continued-rows",
                f"第 {row} 行与第 {first} 行是同一项信息资源(信息资源代码的单元格合并了这几行),"
                f"一项资源的“{column.zh}”只能有一个值,该行的“{_clip(text)}”未读取。"
                f"请把该值写在第 {first} 行,或合并该列的单元格。",
                f"Row {row} belongs to the resource of row {first} (its resource code cell is "
                f"merged over both); a resource has one {column.en}, so {_clip(text)!r} on "
                f"this row was not read. Write it on row {first} or merge the column's cells.",
                self.where(row, column),
                value=text,
                severity="Warning",
            )
        return found

    def _items_only_row(self, row: int, values: dict[Column, Cell], last: int) -> bool:
        """CSV: a row holding only data items right under a resource is what a resource
        merged over several rows (one item per row) leaves when saved as text: only
        its first row keeps the code. Nothing is guessed; the message says how to
        write it. Still one result for the row, as in the spreadsheet."""
        filled = {c.key for c, v in values.items() if cell_text(v)}
        if last != row - 1 or filled != {"items"}:
            return False
        self.problem(
            "merged-cell",
            f"该行只有信息项,信息资源代码为空:看起来是第 {last} 行那项资源的续行,原是合并"
            "单元格,另存为文本文件后只有第一行保留了代码。请把一项资源的全部信息项写在同一"
            "行的“信息项”单元格中(以分号分隔),再删除该行;或提交原来的电子表格文件。",
            f"The row holds only data items and no resource code: it looks like a further "
            f"row of the resource on row {last}, whose merged cells keep their value only on "
            "the first row when saved as CSV. Write all of a resource's data items in its "
            "one data-item cell (separated by ;) and delete this row, or submit the "
            "spreadsheet file itself.",
            self.where(row, BY_KEY["code"]),
            value=cell_text(values.get(BY_KEY["items"])),
        )
        return True

    def _note_row(self, row: int, values: dict[Column, Cell]) -> bool:
        """A row in or under the table that is no resource, reported and not read:

        - a section title (一、基础信息资源), a total (合计:3 项), a note, the signatures
          (填表人 ...), 以下空白, often one cell merged across the row; or a row of 必填 /
          选填 hints; or the header again (pasted above each section): Info;
        - a template's row with only its pre-filled columns (the provider, the class)
          and none of a resource's own (code, name, abstract, data items): one Info for
          each run of such rows, at the end of the sheet;
        - any other row holding one text alone, with no code: a Warning, in case it was
          meant as a resource.
        """
        code = BY_KEY["code"]
        if RESOURCE_CODE_PATTERN.match(resource_code_text(cell_text(values.get(code)))):
            return False
        filled = [(c, cell_text(v)) for c, v in values.items() if cell_text(v)]
        texts = list(dict.fromkeys(t for _c, t in filled))
        if any(isinstance(v, Formula) for v in values.values()) and not (
            texts and _TOTAL_MARK.match(texts[0])
        ):
            # A formula is reported on its cell; only a totals row's count is no data.
            return False
        text = _clip(" / ".join(texts))
        if _looks_like_header(list(values.values())):
            zh = f"第 {row} 行重复了表头,未读取。"
            en = f"Row {row} repeats the header; not read."
        elif (_NOTE_MARK.match(texts[0]) and len(texts) <= 3) or all(
            _HINT.fullmatch(t) for t in texts
        ):
            zh = f"第 {row} 行只有“{text}”,是标题、合计、备注或填写提示,不是信息资源行,未读取。"
            en = (
                f"Row {row} holds only {text!r}: a title, total, note or filling hint, not a "
                "resource; not read."
            )
        elif not {c.key for c, _t in filled} & RESOURCE_OWN:
            self.prefilled.append((row, [c for c, _t in filled]))
            return True
        elif len(texts) == 1 and [c for c, _t in filled] != [code]:
            self.problem(
                "note-row",
                f"第 {row} 行只有“{text}”,没有信息资源代码,不像信息资源行,未读取。"
                "如果这是一项信息资源,请把各列填写完整后重新提交。",
                f"Row {row} holds only {text!r} and no resource code: it does not look like a "
                "resource and was not read. If it is one, fill in its columns and submit again.",
                self.where(row),
                value=text,
                severity="Warning",
            )
            return True
        else:
            return False
        self.problem("note-row", zh, en, self.where(row), value=text, severity="Info")
        return True

    def _report_hidden(self, rows: list[int], columns: Iterable[int], header_row: int) -> None:
        """One Warning for the hidden rows and columns of the sheet that were read: the
        registry reads what a filter or the clerk hid, as a hidden sheet is not."""
        read = [(n, c) for n in sorted(columns) if (c := self._column_at(n)) is not None]
        if not rows and not read:
            return
        runs = _runs(rows)
        rows_zh = "、".join(f"第 {a} 至 {b} 行" if b > a else f"第 {a} 行" for a, b in runs)
        rows_en = "rows " + ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in runs)
        cols_zh = "、".join(f"“{c.zh}”列" for _n, c in read)
        cols_en = "columns " + ", ".join(f"{c.en} ({column_letter(n)})" for n, c in read)
        what_zh = ";".join(t for t in (rows_zh if rows else "", cols_zh) if t)
        what_en = "; ".join(t for t in (rows_en if rows else "", cols_en if read else "") if t)
        self.problem(
            "hidden-rows",
            f"以下隐藏的行或列(手动隐藏或被筛选隐藏)已照常读取,其中的内容会被登记:{what_zh}。"
            "如果不想提交这些内容,请删除这些行或列;否则请取消隐藏(或清除筛选)后核对。",
            f"These hidden rows or columns (hidden by hand or by a filter) were read as usual, "
            f"and what they hold is registered: {what_en}. Delete them if they are not meant "
            "to be submitted; otherwise unhide them (or clear the filter) and check them.",
            self.where(rows[0] if rows else header_row, None if rows else read[0][1]),
            value=what_zh,
            severity="Warning",
        )

    def _report_marked(self, marked: list[tuple[int, Column]]) -> None:
        """One Info for the cells whose leading ' (the registry's export mark) was dropped."""
        if not marked:
            return
        row, column = marked[0]
        more_zh = f"等 {len(marked)} 个单元格" if len(marked) > 1 else ""
        more_en = f" and {len(marked) - 1} more cell(s)" if len(marked) > 1 else ""
        self.problem(
            "export-mark",
            f"第 {row} 行“{column.zh}”列{more_zh}开头的单引号未作为内容读取:这是登记系统导出时"
            "加在以 = + - @ 开头的文本前的标记,防止电子表格把它当作公式。",
            f"The leading ' of row {row}, column {column.en}{more_en} was not read: the "
            "registry's export puts it before a text that starts with = + - @, so that a "
            "spreadsheet does not run it as a formula.",
            self.where(row, column),
            value=str(len(marked)),
            severity="Info",
        )

    def _report_prefilled(self) -> None:
        """One Info for each run of template rows that hold only pre-filled columns."""
        runs: list[list[tuple[int, list[Column]]]] = []
        for row, columns in self.prefilled:
            if runs and runs[-1][-1][0] == row - 1:
                runs[-1].append((row, columns))
            else:
                runs.append([(row, columns)])
        self.prefilled = []
        for run in runs:
            first, last = run[0][0], run[-1][0]
            columns = list(dict.fromkeys(c for _row, cs in run for c in cs))
            names_zh = "、".join(f"“{c.zh}”" for c in columns)
            names_en = ", ".join(c.en for c in columns)
            rows_zh = f"第 {first} 至 {last} 行" if last > first else f"第 {first} 行"
            rows_en = f"Rows {first} to {last}" if last > first else f"Row {first}"
            self.problem(
                "note-row",
                f"{rows_zh}只填了{names_zh},没有信息资源代码、名称、摘要和信息项:"
                "是模板中预先填好的空行,不是信息资源,未读取。",
                f"{rows_en} hold only {names_en}, with no resource code, name, abstract or data "
                "items: a template's pre-filled empty rows, not resources; not read.",
                self.where(first),
                severity="Info",
            )

    def _column_at(self, index: int) -> Column | None:
        return self.columns[index - 1] if 0 < index <= len(self.columns) else None

    def _merged_looking(
        self, values: dict[Column, Cell], above: dict[str, str]
    ) -> dict[Column, str]:
        """The blank cells of usually merged columns right under a filled one (or under
        such a blank): column -> the value above. Only where the row lacks what the
        column says: a blank 提供方 beside a 提供方代码 is complete."""
        text = {c.key: cell_text(v) for c, v in values.items()}
        has_provider = bool(text.get("provider") or text.get("provider_code"))
        found: dict[Column, str] = {}
        for column in values:
            key = column.key
            if key not in MERGED_LOOKING:
                continue
            if text[key]:
                above[key] = text[key]
            elif above.get(key) and not (key != "class" and has_provider):
                found[column] = above[key]
            else:
                above.pop(key, None)
        return found

    def _report_untitled(self, row: int, cells: list[Cell], reported: set[int]) -> None:
        """A Warning for each column that holds data and has no title (a blank header
        cell, or none: right of the last title), at its first such cell: its data is
        not read, which went unsaid (a merged header cell over two columns left the
        second's values out)."""
        for index, cell in enumerate(cells):
            if index in reported or not (index >= len(self.columns) or index in self._blank_titles):
                continue
            text = _shown(cell)
            if not text:
                continue
            reported.add(index)
            letter = column_letter(index + 1)
            self.problem(
                "untitled-column",
                f"{letter} 列没有列标题,其中的数据(自第 {row} 行起)未读取:“{_clip(text)}”。"
                "如需登记,请为该列填写列标题。",
                f"Column {letter} has no header: its data (from row {row} on) was not read: "
                f"{_clip(text)!r}. Give the column a header to have it read.",
                self.where(row, header=letter, index=index + 1),
                value=_clip(text),
                severity="Warning",
            )

    def _read_header(self, header: list[Cell], row: int) -> None:
        seen: set[str] = set()
        self._blank_titles = set()
        registers = {_norm_header(t) for t in REGISTER_COLUMNS}
        register_columns: list[str] = []
        unknown: list[tuple[int, str]] = []  # (column from 1, title)
        titles = [_shown(cell) for cell in header]
        # The code in two columns, 前段码 and 后段码, as some catalogues lay it out: one
        # result saying to join them, not two unknown headers and a missing column, or
        # a duplicated 信息资源代码(前段码) / (后段码).
        # A title naming both (信息资源代码(前段码/后段码)) is the whole code's.
        parts = [
            [t for t in titles if part in t and other not in t]
            for part, other in (SPLIT_CODE, SPLIT_CODE[::-1])
        ]
        split = all(parts)
        for index, cell in enumerate(header):
            text = _shown(cell)
            column = header_column(text)
            if split and (text in parts[0] or text in parts[1]):
                self.columns.append(None)
                continue
            if column is None:
                self.columns.append(None)
                if not text:
                    self._blank_titles.add(index)
                elif _norm_header(text) in registers:
                    register_columns.append(text)
                else:
                    unknown.append((index + 1, text))
                continue
            if column.key in seen:
                self.columns.append(None)
                self.problem(
                    "duplicate-header",
                    f"列标题“{column.zh}”重复出现。",
                    f"The column {column.zh} ({column.en}) appears twice.",
                    self.where(row, column, index=index + 1),
                    value=text,
                )
                self.graph.fatal = True
                continue
            seen.add(column.key)
            self.columns.append(column)
        if split and "code" not in seen:
            at = titles.index(parts[0][0]) + 1
            self.problem(
                "split-code",
                "信息资源代码分成了“前段码”“后段码”两列;登记库读取一列“信息资源代码”,写作"
                "“前段码/后段码”(如 101001/000001)。请在新的一列“信息资源代码”中合并两列"
                '(如 =A2&"/"&B2,再“选择性粘贴 → 数值”),删去原来两列后重新提交。',
                "The resource code is in two columns, 前段码 and 后段码; the registry reads one "
                "column 信息资源代码 written 前段码/后段码 (101001/000001). Join the two in a new "
                'column 信息资源代码 (=A2&"/"&B2, then paste as values), delete the two and '
                "submit again.",
                self.where(row, header=titles[at - 1], index=at),
                value=titles[at - 1],
            )
            self.graph.fatal = True
            seen.add("code")  # said here: not "missing" as well
        if register_columns:
            names = "、".join(f"“{t}”" for t in register_columns)
            self.problem(
                "register-columns",
                f"列{names}是登记系统下载目录时加上的登记信息,提交时不读取。",
                f"The columns {', '.join(register_columns)} are the register's, added to a "
                "download of the catalogue; they are not read from a submission.",
                self.where(row),
                value="、".join(register_columns),
                severity="Info",
            )
        # The data items may come in columns of their own, one per row.
        if {"item_name", "item_type"} <= seen:
            seen.add("items")
        missing = [c for c in COLUMNS if c.required and c.key not in seen]
        if not {"provider", "provider_code"} & seen:
            missing.append(BY_KEY["provider_code"])
        for index, text in unknown:
            # A title close to a missing column's is that column mistyped: one result
            # asking, not an unknown header and a missing column for the same cell.
            meant = _meant_column(text, missing)
            if meant is None:
                self.problem(
                    "unknown-header",
                    f"未知的列标题“{text}”,该列未读取。",
                    f"Unknown column header {text!r}; the column was not read.",
                    self.where(row, header=text, index=index),
                    value=text,
                    severity="Warning",
                )
                continue
            missing.remove(meant)
            self.problem(
                "missing-header",
                f"缺少必需的列“{meant.zh}”。列标题“{text}”未能识别,是否应为“{meant.zh}”?",
                f"The required column {meant.zh} ({meant.en}) is missing. Is the unknown "
                f"header {text!r} meant to be {meant.zh}?",
                self.where(row, header=text, index=index),
                value=text,
            )
            self.graph.fatal = True
        report_missing_columns(self.graph, missing, lambda c: self.where(row, c))

    # -- one row ------------------------------------------------------------------------

    def _read_row(
        self, row: int, cells: dict[Column, Cell], merged: dict[Column, str] | None = None
    ) -> None:
        text = {c.key: cell_text(v) for c, v in cells.items()}
        # A text the registry's download cut: not read (as a formula is not), reported.
        cut = [c for c in cells if text[c.key].endswith(CUT_MARK)]
        for column in cut:
            text[column.key] = ""
        for key in ONE_LINE & text.keys():
            text[key] = one_line(text[key])
        # Formulas and error values: not values, each reported on its cell.
        formulas = {c: v for c, v in cells.items() if isinstance(v, Formula)}

        def formula(column: Column, value: Formula, focus: str = "") -> None:
            # On the focus and path of the column, so that the shapes' "missing value"
            # result for the same cell is not listed again.
            if isinstance(value, ErrorValue):
                rule = "error-value"
                zh = (
                    f"单元格中是错误值“{value.text}”,不是数据:多是查找公式没有找到对应的值"
                    "(或引用的单元格已被删除)后粘贴成了数值。请修正查找公式或其引用后重新"
                    "“选择性粘贴 → 数值”,或直接填写正确的值。"
                )
                en = (
                    f"The cell holds the error value {value.text}, not data: usually a lookup "
                    "that found nothing (or a reference to deleted cells) pasted as a value. "
                    "Fix the lookup or its reference and paste values again, or type the value."
                )
            else:
                rule, zh = "formula", "单元格含公式,请复制该单元格后“选择性粘贴 → 数值”。"
                en = f"The cell holds the formula {value.text}; paste it as a value."
            self.problem(
                rule,
                zh,
                en,
                self.where(row, column),
                focus=focus,
                path=str(column.properties[0]) if focus and column.properties else None,
                value=value.text,
            )

        if text.get("name", "").startswith(EXAMPLE_MARK):
            self.problem(
                "example-row",
                "示例行未删除:这是模板中的示例行(信息资源名称以“【示例】”开头),"
                "请删除该行后再提交。该行未读取。",
                "Example row not deleted: this is the template's example row (its name "
                "begins with 【示例】); delete the row before submitting. The row was not read.",
                self.where(row, BY_KEY["name"]),
                value=text["name"],
            )
            return
        written = unicodedata.normalize("NFKC", text.get("code", "")).strip()
        code = resource_code_text(written)
        if BY_KEY["code"] in formulas:
            formula(BY_KEY["code"], formulas[BY_KEY["code"]])
            return  # without its code the row cannot be read: one result, the formula
        if not RESOURCE_CODE_PATTERN.match(code):
            # As written: 101001 000099 was quoted as 101001000099, the space gone.
            code = written if _SEPARATED.match(written) else code
            meant = _SEPARATED.sub(r"\1/\2", code)
            ask = RESOURCE_CODE_PATTERN.match(meant) and meant != code
            self.problem(
                "resource-code",
                "缺少信息资源代码或其不是“前段码/后段码”形式,该行未读取。"
                + (f"是否应为“{meant}”?前段码与后段码之间用斜杠“/”分隔。" if ask else ""),
                "The resource code is missing or not of the form 前段码/后段码; the row was "
                "not read."
                + (f" Did you mean {meant}? A slash separates the two parts." if ask else ""),
                self.where(row, BY_KEY["code"]),
                value=code or None,
            )
            return
        if code in self.codes:
            sheet, first = self.codes[code]
            in_sheet = f"工作表“{sheet}”" if sheet is not None and sheet != self.sheet else ""
            of_sheet = f" of sheet {sheet}" if sheet is not None and sheet != self.sheet else ""
            self.problem(
                "duplicate-code",
                f"信息资源代码 {code} 已在{in_sheet}第 {first} 行出现,该行未读取。",
                f"The resource code {code} is already used on row {first}{of_sheet}; the row "
                "was not read.",
                self.where(row, BY_KEY["code"]),
                value=code,
            )
            return
        self.codes[code] = (self.sheet, row)
        res = URIRef(f"{self.base}resource/{resource_slug(code)}")
        self._sequence_length(row, code, str(res))
        for column, value in formulas.items():
            formula(column, value, str(res))
        for column in cut:
            self.problem(
                "cut-text",
                "该单元格是从本登记系统下载的 XLSX 中被截断的文本(一个单元格最多 32,767 个字符),"
                "不是完整内容,未读取。请改用 CSV 下载修改后提交,或在此处填入完整文本。",
                "The cell holds a text this registry's XLSX download cut (a cell holds at most "
                "32,767 characters), not the whole text; it was not read. Edit and submit the "
                "CSV download instead, or put the whole text here.",
                self.where(row, column),
                focus=str(res),
                path=str(column.properties[0]) if column.properties else None,
                value=_clip(cell_text(cells[column])),
            )
        for column, value in (merged or {}).items():
            self.problem(
                "merged-cell",
                f"该单元格为空,而上方同列的值为“{_clip(value)}”:看起来原是合并单元格,"
                "另存为文本文件后只有第一行保留了值。请在每一行填写该值(在电子表格中取消合并,"
                "再用“向下填充”),然后重新保存。",
                f"The cell is empty while the cell above in this column holds {_clip(value)!r}: "
                "it looks like a merged cell, which keeps its value only on its first row when "
                "saved as CSV. Write the value on every row (unmerge the cells in the "
                "spreadsheet program and fill down), then save again.",
                self.where(row, column),
                focus=str(res),
                path=str(column.properties[0]),
            )
        g = self.graph
        paths: dict[str | None, Location] = {None: self.where(row)}
        # Every column of the header, not only the row's cells: a spreadsheet stores no
        # empty cell after a row's last value, and a missing 发布日期 there was reported
        # without its column.
        for column in dict.fromkeys([*(c for c in self.columns if c is not None), *cells]):
            for prop in column.properties:
                paths[str(prop)] = self.where(row, column)
        g.locations[str(res)] = paths
        g.add((res, RDF.type, SCS.InformationResource))
        g.add((res, SCS.resourceCode, Literal(code)))

        def fail(key: str, error: CellError, prop: URIRef) -> None:
            hint_zh = hint_en = ""
            if key in OPTIONAL_CODE_COLUMNS and _is_placeholder(text.get(key, "")):
                hint_zh = "该列可以不填:没有时请让单元格留空。"
                hint_en = " The column is optional: leave the cell empty when there is none."
            self.problem(
                error.rule,
                error.zh + hint_zh,
                error.en + hint_en,
                self.where(row, BY_KEY[key]),
                focus=str(res),
                path=str(prop),
                value=text.get(key) or None,
            )

        for key in OPTIONAL_TEXT_COLUMNS:
            if _is_placeholder(text.get(key, "")):
                column = BY_KEY[key]
                self.problem(
                    "placeholder",
                    f"第 {row} 行“{column.zh}”列的“{text[key]}”表示没有值,按空单元格处理。",
                    f"{text[key]!r} in row {row}, column {column.en} means there is no value; "
                    "the cell was read as empty.",
                    self.where(row, column),
                    value=text[key],
                    severity="Info",
                )
                text[key] = ""

        if text.get("name"):
            g.add((res, DCTERMS.title, Literal(text["name"], lang="zh")))
        if text.get("name_en"):
            g.add((res, DCTERMS.title, Literal(text["name_en"], lang="en")))
        if text.get("abstract"):
            g.add((res, DCTERMS.description, Literal(text["abstract"], lang="zh")))
        raw_code = cells.get(BY_KEY["provider_code"])
        shown = _as_number_shown(raw_code)
        if shown is not None:
            # Kept as a number, an 18-digit code has lost its last digits: checking the
            # changed code would tell the clerk a wrong code is wrong, not why.
            self.problem(
                "credit-code",
                f"提供方代码存成了数值,电子表格的数值只保留 15 位有效数字,代码已变为“{shown}”。"
                "请把该列设为“文本”格式,再重新输入 18 位代码。",
                f"The provider code is stored as a number; spreadsheets keep 15 significant "
                f"digits, so it has become {shown}. Format the column as text and type the "
                "18-character code again.",
                self.where(row, BY_KEY["provider_code"]),
                focus=str(res),
                path=str(DCTERMS.publisher),
                value=shown,
            )
        else:
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
            items, item_errors = data_items(res, text["items"])
            for triple in items:
                g.add(triple)
            for item in g.objects(res, SCS.dataItem):
                g.locations[str(item)] = {None: self.where(row, BY_KEY["items"])}
            for error in item_errors:
                self.problem(
                    error.rule,
                    error.zh,
                    error.en,
                    self._item_cell(row, error),
                    focus=str(res),
                    path=str(SCS.dataItem),
                    value=error.value or text["items"],
                )
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
        for other in map(resource_code_text, _items(text.get("related", ""), _LIST_SPLIT)):
            if RESOURCE_CODE_PATTERN.match(other):
                g.add(
                    (res, DCTERMS.relation, URIRef(f"{self.base}resource/{resource_slug(other)}"))
                )
                self._related_code(row, code, other, str(res))
                continue
            # As for the resource's own code: 309023-000001 is 309023/000001 meant.
            meant = _SEPARATED.sub(r"\1/\2", other)
            ask = RESOURCE_CODE_PATTERN.match(meant) is not None and meant != other
            fail(
                "related",
                CellError(
                    "resource-code",
                    f"“{other}”不是信息资源代码(前段码/后段码)。"
                    + (f"是否应为“{meant}”?" if ask else ""),
                    f"{other!r} is not a resource code (前段码/后段码)."
                    + (f" Did you mean {meant}?" if ask else ""),
                ),
                DCTERMS.relation,
            )
        for ident in _items(text.get("standards", ""), _SPLIT):
            try:
                g.add((res, DCTERMS.conformsTo, URIRef(self.standard(ident))))
            except CellError as error:
                fail("standards", error, DCTERMS.conformsTo)

    def _related_code(self, row: int, code: str, other: str, focus: str) -> None:
        """A Warning for a related code that is the resource's own, or whose 后段码 is not
        SEQUENCE_DIGITS long (the zeros lost, as in the resource's own code)."""
        column = BY_KEY["related"]
        if other == code:
            self.problem(
                "related-self",
                f"关联资源代码“{other}”是本资源自己的代码:资源不与自身关联,请删去。",
                f"The related code {other} is the resource's own: a resource is not related "
                "to itself; remove it.",
                self.where(row, column),
                focus=focus,
                path=str(DCTERMS.relation),
                value=other,
                severity="Warning",
            )
            return
        back = other.split("/")[1]
        meant = sequence_meant(other)
        if len(back) == SEQUENCE_DIGITS or not meant:
            return
        self.problem(
            "resource-code-length",
            f"关联资源代码“{other}”的后段码有 {len(back)} 位,通常为 {SEQUENCE_DIGITS} 位数字。"
            f"是否应为“{meant}”?如果代码确实如此,可以忽略本提示。",
            f"The related code {other} has a sequence number (后段码) of {len(back)} digits; it "
            f"usually has {SEQUENCE_DIGITS}. Did you mean {meant}? If the code is right, "
            "ignore this.",
            self.where(row, column),
            focus=focus,
            path=str(DCTERMS.relation),
            value=other,
            severity="Warning",
        )

    def _sequence_length(self, row: int, code: str, focus: str) -> None:
        """A Warning for a 后段码 that is not SEQUENCE_DIGITS long, with the code meant when
        it is clear: the zeros put back, or the extra leading zeros taken away."""
        back = code.split("/")[1]
        if len(back) == SEQUENCE_DIGITS:
            return
        meant = sequence_meant(code)
        self.problem(
            "resource-code-length",
            f"信息资源代码“{code}”的后段码有 {len(back)} 位,通常为 {SEQUENCE_DIGITS} 位数字。"
            + (f"是否应为“{meant}”?" if meant else "")
            + "开头的 0 可能在公式拼接或数值格式中丢失;如果代码确实如此,可以忽略本提示。",
            f"The sequence number (后段码) of the resource code {code} has {len(back)} digits; "
            f"it usually has {SEQUENCE_DIGITS}."
            + (f" Did you mean {meant}?" if meant else "")
            + " Leading zeros are lost by a formula join or a number format; if the code is "
            "right, ignore this.",
            self.where(row, BY_KEY["code"]),
            focus=focus,
            path=str(SCS.resourceCode),
            value=code,
            severity="Warning",
        )

    def _item_cell(self, row: int, error: CellError) -> Location:
        """Where the malformed data item was typed: its own row, and the part's column
        when the items are written one per row in columns of their own."""
        if not 0 < error.position <= len(self.item_origins):
            return self.where(row, BY_KEY["items"])
        typed_row, in_parts = self.item_origins[error.position - 1]
        part = next((c for c in ITEM_PARTS if c.key == error.part), None)
        if not in_parts:
            return self.where(typed_row, BY_KEY["items"])
        return self.where(typed_row, part if part in self.columns else None)

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


class MergedFill:
    """Gives each merged range's value to every cell of the range, for the ranges below
    the header (a merged title above it is not data)."""

    def __init__(self, ranges: Iterable[Range], header_row: int, width: int) -> None:
        self.starting: dict[int, list[Range]] = {}
        for first_row, first_col, last_row, last_col in ranges:
            # Columns right of the header are not read: a range is filled only as wide
            # as the header (a hostile A1:XFD1048576 costs no more than a column).
            last_col = min(last_col, width)
            if first_row <= header_row or first_col > last_col:
                continue
            if (first_row, first_col) != (last_row, last_col):
                self.starting.setdefault(first_row, []).append(
                    (first_row, first_col, last_row, last_col)
                )
        self.active: list[tuple[Range, Cell]] = []
        self.filled: list[tuple[Range, Cell]] = []
        # The columns (from 1) of the last row given that hold the value of a range
        # begun on a row above.
        self.carried: set[int] = set()

    def apply(self, row: int, cells: list[Cell]) -> list[Cell]:
        self.carried = set()
        if not self.starting and not self.active:
            return cells
        for cells_range in self.starting.pop(row, ()):
            index = cells_range[1] - 1
            value = cells[index] if index < len(cells) else None
            if value is None or (not isinstance(value, Formula) and not cell_text(value)):
                continue  # an empty merged range gives nothing
            self.active.append((cells_range, value))
            self.filled.append((cells_range, value))
        if not self.active:
            return cells
        cells = list(cells)
        for (first_row, first_col, _last_row, last_col), value in self.active:
            if len(cells) < last_col:
                cells += [None] * (last_col - len(cells))
            for col in range(first_col, last_col + 1):
                cells[col - 1] = value
                if first_row < row:
                    self.carried.add(col)
        self.active = [(r, v) for r, v in self.active if r[2] > row]
        return cells

    def reported(self) -> list[tuple[Range, Cell]]:
        return self.filled


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


# Columns of one line: a line break typed in such a cell (Alt+Enter, to fit a narrow
# column) is layout, not part of the name or code.
ONE_LINE = frozenset({"name", "name_en", "provider", "provider_code", "format"})


# Spaces a web page or Word pastes that look like one: a name holding them (Air quality
# with a no-break space) was another name than the one typed, and runs of them too.
_SPACES = re.compile("[ \u00a0\u2007\u202f]+")


def one_line(text: str) -> str:
    """The lines of a cell joined: with nothing between Chinese characters (人口⏎基础信息
    is 人口基础信息), with a space otherwise (Population⏎base); no-break spaces and runs
    of spaces as one space."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines() if line.strip()]
    joined = lines[0] if lines else ""
    for line in lines[1:]:
        cjk = _WIDE.match(joined[-1]) and _WIDE.match(line[0])
        joined += ("" if cjk else " ") + line
    return joined


def _item_from_parts(values: dict[Column, Cell]) -> str:
    """The data item a row writes in columns of its own, as `名称:类型:长度:代码`, or ""
    when it writes none; the part columns are taken out of `values`."""
    parts = [one_line(cell_text(values.pop(column, None))) for column in ITEM_PARTS]
    while parts and not parts[-1]:
        parts.pop()
    return ":".join(parts)


def _is_long_number(value: Cell) -> bool:
    """A number cell too long to hold a code: spreadsheets keep 15 significant digits."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10**15


# A long number as a spreadsheet writes it to CSV when its column is a number's:
# 1.12101E+17 (Excel's "General" format of 112101001234567000).
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE]\+?(1[5-9]|[2-9]\d)")


def _as_number_shown(value: Cell) -> str | None:
    """What a spreadsheet shows of a code it kept as a number (a number cell, or the
    scientific notation it wrote to a CSV), or None when the cell is no such number."""
    if _is_long_number(value):
        # 15 significant digits, zeros after them.
        return format(Decimal(f"{value:.15g}"), "f")
    text = unicodedata.normalize("NFKC", cell_text(value))
    return text if _SCIENTIFIC.fullmatch(text) else None


# What clerks write in a cell that has no value: the whole cell is one of these.
PLACEHOLDERS = frozenset({"-", "--", "—", "——", "–", "/", "无", "暂无", "n/a", "na", "none"})
# Optional columns of free text, where a placeholder is read as an empty cell (an Info),
# and optional columns of codes, where it is refused with a hint to leave it empty.
OPTIONAL_TEXT_COLUMNS = ("name_en", "condition", "open_condition")
OPTIONAL_CODE_COLUMNS = ("method", "related", "standards")


def _is_placeholder(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().casefold() in PLACEHOLDERS


# Two runs of digits with another separator than the slash: 101001-000001, 101001\000001,
# 101001 000001, 101001—000001 (an em or en dash).
_SEPARATED = re.compile(r"^(\d{6,})(?:\s*[-\\.、_|—–‐]\s*|\s+)(\d+)$")


def sequence_meant(code: str) -> str:
    """The code meant when its 后段码 lost its leading zeros or got extra ones
    (101001/99 -> 101001/000099), or "" when it has more digits than that."""
    front, back = code.split("/")
    digits = back.lstrip("0") or "0"
    return f"{front}/{digits.zfill(SEQUENCE_DIGITS)}" if len(digits) <= SEQUENCE_DIGITS else ""


# The 后段码 (the sequence number) as the catalogues and the template write it. DOMAIN.md
# does not fix its length and the shapes take any, so another length is a Warning: most
# often the zeros were lost (a formula =A2&"/"&B2 over a number cell gives 101001/99).
SEQUENCE_DIGITS = 6


def resource_code_text(text: str) -> str:
    """A resource code as written by hand: full-width digits and slash (１０１００１／
    ０００００１) are the code's own, and so are spaces around the slash or a line break
    in the cell; none of them is part of a code."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _items(cell: str, splitter: re.Pattern[str]) -> list[str]:
    return [part.strip() for part in splitter.split(cell) if part.strip()]


def concept(key: str, text: str) -> URIRef:
    """The concept a code-list cell names by Chinese label, alt label or code."""
    scheme = SCHEMES[key]
    found = code_lists().get(scheme, {}).get(_norm_label(text))
    if found is None:
        zh, en = concept_labels("zh"), concept_labels("en")
        allowed = [zh[c] for c in ordered_concepts(scheme) if c in zh]
        meant = suggestion(scheme, text)
        ask_zh = f"是否应为“{zh[meant]}”?" if meant in zh else ""
        ask_en = f" Did you mean {zh[meant]} ({en.get(meant, '')})?" if meant in zh else ""
        raise CellError(
            "code-list",
            f"“{text}”不在代码表中。{ask_zh}可用的值:{'、'.join(allowed)}。",
            f"{text!r} is not in the code list.{ask_en} Allowed: {', '.join(allowed)}.",
        )
    return found


def split_format(cell: str) -> tuple[str, str]:
    """ "数据库/关系型数据库表" or "电子表格(xlsx)" -> (main format, subtype)."""
    match = re.match(r"^(.*?)\s*[(（](.*)[)）]\s*$", cell)
    if match:
        return match[1].strip(), match[2].strip()
    main, _, detail = cell.partition("/")
    return main.strip(), detail.strip()


def data_items(
    resource: URIRef, cell: str
) -> tuple[list[tuple[Node, Node, Node]], list[CellError]]:
    """`名称:类型[:长度[:代码]]` entries separated by `;`, in order, and the error of
    each entry that cannot be read: every one of them, so that a clerk fixes the cell
    once (only the first was reported, the next one at the next submission). When any
    entry has an error, no triple is given: the cell is not read."""
    triples: list[tuple[Node, Node, Node]] = []
    errors: list[CellError] = []
    for position, entry in enumerate(_items(cell, _SPLIT), start=1):
        try:
            triples += _data_item(resource, position, entry)
        except CellError as error:
            errors.append(error)
    return ([] if errors else triples), errors


# A type written with its length in parentheses, as in SQL or on paper: 字符型(20).
_TYPE_WITH_LENGTH = re.compile(r"^(.+?)\s*[(（]\s*(\d+)\s*[)）]$")


def _data_item(resource: URIRef, position: int, entry: str) -> list[tuple[Node, Node, Node]]:
    parts = [p.strip() for p in entry.replace("：", ":").split(":")]
    if len(parts) < 2 or len(parts) > 4 or not parts[0] or not parts[1]:
        lacking = "" if len(parts) > 4 else "item_name" if not parts[0] else "item_type"
        raise CellError(
            "data-item",
            f"信息项“{entry}”不是“名称:类型[:长度[:代码]]”形式。",
            f"The data item {entry!r} is not of the form name:type[:length[:code]].",
            position,
            lacking,
            entry,
        )
    name, kind = parts[0], parts[1]
    length = parts[2] if len(parts) > 2 else ""
    code = parts[3] if len(parts) > 3 else ""
    try:
        dtype = concept("items", kind)
    except CellError:
        raise _type_error(name, kind, position) from None
    if length and not (length.isascii() and length.isdigit() and int(length) > 0):
        raise CellError(
            "data-item",
            f"信息项“{name}”的长度“{length}”不是正整数(小数位数不在信息项中填写)。",
            f"The length {length!r} of data item {name!r} is not a positive whole number "
            "(decimal places are not written in a data item).",
            position,
            "item_length",
            length,
        )
    item = URIRef(f"{resource}/item/{position}")
    triples: list[tuple[Node, Node, Node]] = [
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


def _type_error(name: str, kind: str, position: int) -> CellError:
    """A data item's type not in the list: the types by code and name, and what was
    meant where it is clear (字符型(20) → 字符型:20, 字符 → 字符型)."""
    scheme = SCHEMES["items"]
    zh, en = concept_labels("zh"), concept_labels("en")
    types = ordered_concepts(scheme)
    notation = {c: n for n, c in code_lists().get(scheme, {}).items() if len(n) == 1}
    listed_zh = "、".join(f"{notation.get(c, '?').upper()}({zh.get(c, '')})" for c in types)
    listed_en = ", ".join(f"{notation.get(c, '?').upper()} ({en.get(c, '')})" for c in types)
    with_length = _TYPE_WITH_LENGTH.match(kind)
    meant_zh = meant_en = ""
    if with_length and code_of(scheme, with_length[1]) is not None:
        meant_zh = (
            f"是否应为“{name}:{with_length[1]}:{with_length[2]}”?长度写在类型之后,用冒号分隔。"
        )
        meant_en = (
            f" Did you mean {name}:{with_length[1]}:{with_length[2]}? The length follows the "
            "type after a colon."
        )
    else:
        meant = suggestion(scheme, kind)
        if meant is not None and meant in zh:
            meant_zh = f"是否应为“{zh[meant]}”?"
            meant_en = f" Did you mean {notation.get(meant, '?').upper()} ({en.get(meant, '')})?"
    return CellError(
        "data-item",
        f"信息项“{name}”的类型“{kind}”不是有效的数据类型。{meant_zh}可用:{listed_zh}。",
        f"The type {kind!r} of data item {name!r} is not a data type.{meant_en} Use one of: "
        f"{listed_en}.",
        position,
        "item_type",
        kind,
    )


def written_date(text: str) -> str | None:
    """CCYY-MM-DD from a date as people write it (2025-03-18, 2025/3/18, 2025.3.18,
    2025年3月18日, 20250318, with a time of day after it or not), or None. The DCAT
    reader takes a plain-text date the same way."""
    text = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.match(text) or (re.match(r"^(\d{4})(\d{2})(\d{2})$", text))
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        pass
    return None


def code_of(scheme: URIRef, text: str) -> URIRef | None:
    """The concept of code list `scheme` that `text` spells (its notation, a label in
    any language or an alternative label such as 按月), or None."""
    return code_lists().get(scheme, {}).get(_norm_label(text))


def parse_date(value: Cell) -> str:
    """CCYY-MM-DD from a date cell or text such as 2025-03-18, 2025/3/18, 2025年3月18日,
    2025/3/18 0:00, or Excel's day number of a date cell that lost its format (45352)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", cell_text(value))
    if text.isdigit() and _SERIAL_DAYS[0] <= int(text) <= _SERIAL_DAYS[1]:
        return date.fromordinal(_EXCEL_EPOCH.toordinal() + int(text)).isoformat()
    if isinstance(value, float) and _SERIAL_DAYS[0] <= value <= _SERIAL_DAYS[1]:
        return parse_date(int(value))  # a date and a time: the day is the whole part
    written = written_date(text)
    if written is not None:
        return written
    raise CellError(
        "date",
        f"“{text}”不是有效日期,请写作“年-月-日”,如 2025-03-18。",
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
    example department, so a template filled in from it is close to valid). The
    example's name begins with EXAMPLE_MARK: submitted as it is, the row is refused."""
    return [[c.zh for c in COLUMNS], [c.example for c in COLUMNS]]


def csv_bytes(rows: Iterable[Sequence[str | int]], encoding: str = "utf-8-sig") -> bytes:
    """CSV text; UTF-8 with BOM by default, which Excel opens correctly in China.
    Cells that a spreadsheet would run as formulas get a leading `'`
    (registry/outputs/csvsafe.py): the rows carry departments' uploaded text."""
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
            values = [labels[c] for c in ordered_concepts(scheme) if c in labels]
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
    """Append `row` as text cells, neutralised as in CSV (registry/outputs/csvsafe.py).
    openpyxl makes a string that starts with `=` a formula and one such as `#REF!`
    an error value; every cell is set back to a plain string ("s"), so no uploaded
    text becomes either, whatever the neutraliser lets through."""
    sheet.append(neutralise_row(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
