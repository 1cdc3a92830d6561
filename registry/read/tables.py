"""Lists as tables for people: the rows of a CSV or XLSX download of any list, with
Chinese column headers (what a clerk opens in Excel or WPS).

One table per kind; each column takes its value from the list record the read model
answers (registry.read.queries builds it). The resources' headers are those of the
catalogue template (registry.inputs.tabular.COLUMNS), so a clerk meets the same
words in both. Cells are neutralised against formulas by the writers
(registry/outputs/csvsafe.py), CSV through `tabular.csv_bytes`, the one CSV writer.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from registry.inputs.tabular import (
    BY_KEY,
    CUT_MARK,
    REGISTER_COLUMNS,
    concept_labels,
    csv_bytes,
)
from registry.namespaces import REGSTATUS
from registry.outputs.csvsafe import FORMULA_STARTS

Cell = str | int | None
TimeFormat = Callable[[str | None], str]


def _label(value: Any) -> str:
    """The zh label of a code (else its en label, else its code) or of a name map."""
    if not value:
        return ""
    label = value.get("label", value) if isinstance(value, dict) else {}
    if isinstance(label, dict):
        return label.get("zh") or label.get("en") or label.get("") or value.get("code") or ""
    return str(label)


def _text(record: dict[str, Any], key: str, lang: str) -> str:
    found = record.get(key) or {}
    return found.get(lang) or (found.get("") if lang == "zh" else "") or ""


def _ids(refs: Iterable[dict[str, Any]] | None) -> str:
    return ";".join(str(r.get("id") or r["iri"]) for r in refs or [])


def _labels(codes: Iterable[dict[str, Any]] | None) -> str:
    return ";".join(_label(c) for c in codes or [])


def _categories(codes: Iterable[dict[str, Any]] | None) -> str:
    return ";".join(f"{c['code']} {_label(c)}".strip() for c in codes or [])


def _format(record: dict[str, Any]) -> str:
    """The format as the catalogue template writes it: 数据库/关系型数据库表. Without its
    detail, a re-imported download lost the detail (finding 6 of the workbook probe)."""
    detail = record.get("format_detail")
    return f"{_label(record.get('format'))}/{detail}" if detail else _label(record.get("format"))


def _data_items(record: dict[str, Any]) -> str:
    """The data items in the template's own syntax, 名称:类型:长度:代码;..., so that a
    download re-imports (ReadModel.each_entry gives them with the record)."""
    cells = []
    for item in record.get("data_items") or []:
        name = item.get("name") or {}
        parts = [
            (name.get("zh") or name.get("") or next(iter(name.values()), "")) if name else "",
            str((item.get("data_type") or {}).get("code") or ""),
            "" if item.get("length") is None else str(item["length"]),
            item.get("code") or "",
        ]
        while parts and not parts[-1]:
            parts.pop()
        cells.append(":".join(parts))
    return ";".join(cells)


def _status(record: dict[str, Any]) -> str | None:
    """The register status in the headers' language (Chinese): 有效, not valid."""
    status = (record.get("register") or {}).get("status")
    return concept_labels("zh").get(REGSTATUS[status], status) if status else status


def _publisher(record: dict[str, Any], part: str) -> str:
    publisher = record.get("publisher") or {}
    if part == "id":
        return str(publisher.get("id") or "")
    return _label({"label": publisher.get("label") or {}})


Column = tuple[str, Callable[[dict[str, Any], TimeFormat], Cell]]

# A recorded submission's outcome (scs:outcome) as a clerk reads it.
OUTCOMES_ZH = {"accepted": "已登记", "unchanged": "内容未变化", "submitted": "待审核"}

# A token's role and state (TokenInfo) as a clerk reads them.
TOKEN_ROLES_ZH = {"submitter": "提交者", "registrar": "登记员", "admin": "管理员"}
TOKEN_STATES_ZH = {"active": "有效", "expired": "已过期", "revoked": "已撤销"}

# The register's part, last in every table (the catalogue reader knows these titles and
# leaves them unread: REGISTER_COLUMNS).
_REGISTER: tuple[Column, ...] = tuple(
    zip(
        REGISTER_COLUMNS,
        (
            lambda r, t: _status(r),
            lambda r, t: (r.get("register") or {}).get("version"),
            lambda r, t: t((r.get("register") or {}).get("time")),
            lambda r, t: r["iri"],
        ),
        strict=True,
    )
)

TABLES: dict[str, tuple[Column, ...]] = {
    "standard": (
        ("标准编号", lambda r, t: r.get("identifier")),
        ("标准名称", lambda r, t: _text(r, "title", "zh")),
        ("英文名称", lambda r, t: _text(r, "title", "en")),
        ("标准层级", lambda r, t: _label(r.get("level"))),
        ("标准性质", lambda r, t: _label(r.get("nature"))),
        ("标准状态", lambda r, t: _label(r.get("status"))),
        ("标准体系分类", lambda r, t: _categories(r.get("categories"))),
        ("发布日期", lambda r, t: r.get("issued")),
        ("实施日期", lambda r, t: r.get("in_force_from")),
        ("废止日期", lambda r, t: r.get("withdrawn_on")),
        ("代替标准", lambda r, t: _ids(r.get("replaces"))),
        ("被代替标准", lambda r, t: _ids(r.get("replaced_by"))),
        ("ICS分类号", lambda r, t: ";".join(r.get("ics") or [])),
        ("CCS分类号", lambda r, t: ";".join(r.get("ccs") or [])),
        ("采标程度", lambda r, t: _label(r.get("adoption_degree"))),
        ("采用的国际标准", lambda r, t: r.get("adopted_from")),
        ("规范性引用（注日期）", lambda r, t: _ids(r.get("dated_references"))),
        ("规范性引用（不注日期）", lambda r, t: _ids(r.get("undated_references"))),
        *_REGISTER,
    ),
    "resource": (
        (BY_KEY["class"].zh, lambda r, t: _label(r.get("resource_class"))),
        (BY_KEY["name"].zh, lambda r, t: _text(r, "title", "zh")),
        (BY_KEY["name_en"].zh, lambda r, t: _text(r, "title", "en")),
        (BY_KEY["code"].zh, lambda r, t: r.get("code")),
        (BY_KEY["provider"].zh, lambda r, t: _publisher(r, "name")),
        (BY_KEY["provider_code"].zh, lambda r, t: _publisher(r, "id")),
        (BY_KEY["abstract"].zh, lambda r, t: _text(r, "description", "zh")),
        (BY_KEY["format"].zh, lambda r, t: _format(r)),
        (BY_KEY["items"].zh, lambda r, t: _data_items(r)),
        (BY_KEY["sharing"].zh, lambda r, t: _label(r.get("sharing_type"))),
        (
            BY_KEY["condition"].zh,
            lambda r, t: r.get("sharing_condition") or r.get("sharing_basis"),
        ),
        (BY_KEY["method"].zh, lambda r, t: _labels(r.get("sharing_methods"))),
        (BY_KEY["open"].zh, lambda r, t: _label(r.get("openness"))),
        (BY_KEY["open_condition"].zh, lambda r, t: r.get("open_condition")),
        (BY_KEY["cycle"].zh, lambda r, t: _label(r.get("update_cycle"))),
        (BY_KEY["issued"].zh, lambda r, t: r.get("issued")),
        (BY_KEY["related"].zh, lambda r, t: _ids(r.get("related"))),
        (BY_KEY["standards"].zh, lambda r, t: _ids(r.get("conforms_to"))),
        *_REGISTER,
    ),
    "interface": (
        ("接口代码", lambda r, t: r.get("code")),
        ("接口名称", lambda r, t: _text(r, "title", "zh")),
        ("英文名称", lambda r, t: _text(r, "title", "en")),
        ("提供方", lambda r, t: _publisher(r, "name")),
        ("提供方代码", lambda r, t: _publisher(r, "id")),
        ("服务地址", lambda r, t: r.get("endpoint_url")),
        ("接口描述", lambda r, t: r.get("endpoint_description")),
        ("协议", lambda r, t: r.get("protocol")),
        ("提供的信息资源", lambda r, t: _ids(r.get("serves"))),
        ("符合标准", lambda r, t: _ids(r.get("conforms_to"))),
        ("版本号", lambda r, t: r.get("version")),
        ("认证方式", lambda r, t: r.get("auth_method")),
        *_REGISTER,
    ),
    "department": (
        ("部门名称", lambda r, t: _text(r, "name", "zh")),
        ("英文名称", lambda r, t: _text(r, "name", "en")),
        ("统一社会信用代码", lambda r, t: r.get("credit_code")),
        ("信息资源数", lambda r, t: (r.get("provides") or {}).get("resources")),
        ("数据接口数", lambda r, t: (r.get("provides") or {}).get("interfaces")),
        *_REGISTER,
    ),
    # The columns of the assessment template (docs/assessment.md), with the outcome.
    "assessment": (
        ("评估编号", lambda r, t: r.get("code")),
        ("评估名称", lambda r, t: _text(r, "title", "zh")),
        ("评估对象", lambda r, t: _ids([r["subject"]] if r.get("subject") else [])),
        ("依据标准", lambda r, t: _ids([r["test"]] if r.get("test") else [])),
        ("条款", lambda r, t: r.get("clause")),
        ("评估结论", lambda r, t: _label(r.get("outcome"))),
        ("评估日期", lambda r, t: r.get("date")),
        ("评估方式", lambda r, t: _label(r.get("mode"))),
        ("评估部门", lambda r, t: _publisher(r, "name")),
        ("评估方", lambda r, t: r.get("assessor_name") or _label(r.get("asserted_by"))),
        ("有效期至", lambda r, t: r.get("valid_until")),
        *_REGISTER,
    ),
    # The recorded submissions (registry.read.queries.submissions), not entries.
    "submission": (
        ("提交编号", lambda r, t: r["id"]),
        ("提交时间", lambda r, t: t(r.get("started"))),
        ("结果", lambda r, t: OUTCOMES_ZH.get(r.get("outcome") or "", r.get("outcome"))),
        ("条目数", lambda r, t: r.get("entries")),
        ("提交方", lambda r, t: r.get("agent")),
        ("IRI", lambda r, t: r["iri"]),
    ),
    # The API tokens (registry.register.tokens.TokenInfo): never a secret or a digest.
    "token": (
        ("令牌编号", lambda r, t: r["id"]),
        ("角色", lambda r, t: TOKEN_ROLES_ZH.get(r.get("role") or "", r.get("role"))),
        ("所属部门", lambda r, t: r.get("department")),
        ("名称", lambda r, t: r.get("name")),
        ("创建时间", lambda r, t: t(r.get("created"))),
        ("到期时间", lambda r, t: t(r.get("expires"))),
        ("撤销时间", lambda r, t: t(r.get("revoked"))),
        ("状态", lambda r, t: TOKEN_STATES_ZH.get(r.get("state") or "", r.get("state"))),
    ),
}

# The sheet's name, and the download's file name, of each kind's list.
TITLES = {
    "standard": "标准",
    "resource": "信息资源",
    "interface": "数据接口",
    "department": "部门",
    "assessment": "符合性评估",
    "submission": "提交记录",
    "token": "令牌",
}
# The search list holds several kinds: a column says which, in zh.
KIND_LABELS = TITLES


def table_rows(
    kind: str, records: Iterable[dict[str, Any]], time: TimeFormat = lambda t: t or ""
) -> Iterator[list[Cell]]:
    """The header and one row per record of `kind`, made as they are read (a download
    of every resource holds no list of them); `time` shows a register time as people
    read it (in the registry's zone)."""
    columns = TABLES[kind]
    yield [header for header, _ in columns]
    for record in records:
        yield [_cell(value(record, time)) for _, value in columns]


def _cell(value: Any) -> Cell:
    # Numbers the registry made (a version, a count) stay numbers; the rest is text.
    if value is None or isinstance(value, int):
        return value
    return str(value)


def csv_download(rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM (Excel and WPS then read Chinese right), formulas neutralised."""
    return csv_bytes(["" if c is None else c for c in row] for row in rows)


# A cell holds at most 32,767 characters (Excel's and WPS's limit; openpyxl writes more,
# which they cut without a word). A longer text is cut here, where it can be marked.
XLSX_CELL_MAX = 32_767


def _fits_a_cell(value: Cell) -> Cell:
    if isinstance(value, str) and len(value) > XLSX_CELL_MAX:
        return value[: XLSX_CELL_MAX - len(CUT_MARK)] + CUT_MARK
    return value


def xlsx_download(sheets: Iterable[tuple[str, Iterable[Sequence[Cell]]]]) -> bytes:
    """A workbook with one sheet per (title, rows), the header row bold, text cells
    written as text: string cells, never a formula or an error value whatever the text
    (openpyxl makes `=...` a formula and `#REF!` an error unless told), one that starts
    as a formula would with Excel's quotePrefix style (what typing `'` in Excel gives),
    and cut, with a mark saying so, past what a cell holds (XLSX_CELL_MAX)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    # Write-only: a 50,000-row list is streamed to the file, not held as cell objects.
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for index, row in enumerate(rows):
            cells = []
            for value in map(_fits_a_cell, row):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                    # Excel's own mark of a text that would read as a formula: shown and
                    # re-read as the text itself, where a literal ' became part of it.
                    cell.quotePrefix = value.startswith(FORMULA_STARTS)
                if index == 0:
                    cell.font = bold
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
