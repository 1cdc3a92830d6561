"""The sheets of a spreadsheet file as rows of cells: CSV (one sheet), XLSX (openpyxl)
and Excel 97-2003 .xls (xlrd), each with its merged ranges.

Rows are given from the sheet's first row, empty ones included, so that a row's
number is the one the spreadsheet program shows. What the cells mean is the
catalogue reader's business (registry/inputs/tabular.py).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from registry.bilingual import Text
from registry.errors import InputError, PayloadTooLargeError

Cell = Any  # str, a number, a date, a bool, None, or a Formula


class Formula:
    """An XLSX cell that holds a formula rather than a value."""

    def __init__(self, text: str) -> None:
        self.text = text


class ErrorValue(Formula):
    """A cell that holds one of Excel's error values (#N/A, #REF!, #VALUE!, ...): what a
    formula gave (a lookup that found nothing, pasted as a value), not data. Read as a
    formula is: not a value, reported on its cell."""


# Excel escapes a character XML cannot hold as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19; a
# Word soft line break pasted into a cell is _x000B_), and an underscore that would
# start such an escape as _x005F_. openpyxl 3.1 leaves them in the text.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Invisible characters copied from web pages (zero-width space, joiners, a BOM inside
# the text): a header holding one was no header, a code holding one no code.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Control characters: those that break a line (vertical tab, form feed) become a line
# break; the others (NUL, ...) are dropped, never turned into a space.
_LINE_BREAKING = re.compile("[\x0b\x0c]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")


def clean_text(text: str) -> str:
    """A cell's text without what a clerk cannot see: invisible characters and control
    characters (docs/inputs.md, "As clerks send them")."""
    text = _INVISIBLE.sub("", text)
    text = _LINE_BREAKING.sub("\n", text)
    return _CONTROL.sub("", text)


# (first row, first column, last row, last column), counted from 1 as the program shows.
Range = tuple[int, int, int, int]
# A clerk's sheet has a few dozen merged ranges; each costs work on every row it spans,
# so a sheet with more is refused rather than filled.
MAX_MERGED_RANGES = 10_000


def _too_many_merged(source: str, sheet: str) -> InputError:
    return InputError(
        Text(
            zh=(f"{source}：工作表“{sheet}”中的合并单元格超过 {MAX_MERGED_RANGES} 处，请取消合并"),
            en=(
                f"{source}: the sheet {sheet} has more than {MAX_MERGED_RANGES} "
                "merged ranges; unmerge the cells"
            ),
        ),
        {"file": source, "sheet": sheet, "rule": "merged-ranges", "limit": MAX_MERGED_RANGES},
    )


@dataclass
class Sheet:
    name: str | None  # None for a CSV file, which has no sheets
    rows: Iterator[list[Cell]]
    merged: tuple[Range, ...] = ()
    # A CSV keeps no merged ranges: a merged cell saved as CSV leaves blanks below it.
    blanks_may_be_merged: bool = False
    # Hidden in the workbook: what the clerk no longer sees (an old year's sheet, a list
    # for drop-downs) is not what they mean to submit.
    hidden: bool = False
    # Rows and columns hidden by hand or by a filter (numbers from 1): read, and said.
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()


def cell_text(value: Cell) -> str:
    if value is None or isinstance(value, Formula):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    # One line break, whatever wrote it: a CSV from Windows keeps CRLF inside a quoted
    # cell, and an XLSX cannot (XML reads CRLF as LF), so the same text sent back as a
    # downloaded workbook was a new version.
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def column_letter(index: int) -> str:
    """A, B, ..., Z, AA, ... for 1, 2, ..."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def range_name(cells: Range) -> str:
    first_row, first_col, last_row, last_col = cells
    return f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"


# ----------------------------------------------------------------------------- CSV


def decode_text(data: bytes, source: str) -> str:
    """UTF-16 with its BOM (Excel's "Unicode text"), UTF-8 (with or without BOM), else
    GB18030 (a superset of GBK and GB2312).

    Decided by strict decoding, not guessed: a BOM names its encoding; then UTF-8 is
    tried first because a GB18030 decoder accepts almost any bytes, while valid UTF-8
    Chinese text is almost never valid GBK-shaped nonsense the other way round."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")  # the BOM gives the byte order
        except UnicodeDecodeError as exc:
            raise InputError(
                Text(
                    zh=f"{source}：UTF-16 文本已损坏，无法识别",
                    en=f"{source}: broken UTF-16 text",
                ),
                {"file": source, "rule": "encoding", "byte": exc.start},
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return _decode_gbk(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            Text(
                zh=f"{source}：第 {line} 行既不是 UTF-8 也不是 GB18030/GBK 编码的文本"
                f"（第 {exc.start} 字节）；请另存为“CSV UTF-8”后重新提交",
                en=f"{source}: line {line} is neither UTF-8 nor GB18030/GBK text (byte "
                f'{exc.start}); save it as "CSV UTF-8" and submit it again',
            ),
            {"file": source, "rule": "encoding", "byte": exc.start, "line": line},
        ) from None


def _decode_gbk(data: bytes) -> str:
    """GB18030 as Excel on a Chinese Windows writes it (code page 936): there the
    single byte 0x80 is the euro sign, which GB18030 has not, and a CSV holding "€"
    was refused whole. One pass: undecodable bytes come back as lone surrogates
    (U+DC80-U+DCFF); 0x80 is the euro sign, any other is the error it was. (Decoding
    again after each 0x80 was quadratic in a body of them.)"""
    text = data.decode("gb18030", errors="surrogateescape")
    bad = _UNDECODED.search(text)
    if bad is not None:
        start = len(text[: bad.start()].encode("gb18030", errors="surrogateescape"))
        raise UnicodeDecodeError("gb18030", data, start, start + 1, "illegal multibyte sequence")
    return text.replace("\udc80", "€")


# A byte GB18030 could not decode, but 0x80 (the euro sign of code page 936).
_UNDECODED = re.compile("[\udc81-\udcff]")


# Excel writes commas, tabs ("Unicode text") or, where the comma is the decimal sign,
# semicolons.
DELIMITERS = (",", "\t", ";")


def _delimiter(text: str, is_header: Callable[[list[Cell]], bool] | None) -> str:
    """The delimiter with which one of the first lines reads as the header; else the
    comma or the tab, whichever is more frequent on the busiest of the first lines (a
    title line has few)."""
    lines = text.split("\n", 10)[:10]
    if is_header is not None:
        for delimiter in DELIMITERS:
            try:
                rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
            except csv.Error:
                continue
            if any(is_header([clean_text(c) for c in row]) for row in rows):
                return delimiter
    # Without a header to go by, only the comma and the tab: semicolons fill data-item
    # and list cells, and would outnumber the commas of a row with many items.
    counts = {d: max((line.count(d) for line in lines), default=0) for d in (",", "\t")}
    return "\t" if counts["\t"] > counts[","] else ","


def csv_sheets(
    data: bytes, source: str, is_header: Callable[[list[Cell]], bool] | None = None
) -> Iterator[Sheet]:
    """The one sheet of a CSV file; `is_header` tells the header row, which decides the
    delimiter (a data row's cells may hold any of them)."""
    text = decode_text(data, source)
    delimiter = _delimiter(text, is_header)

    def rows() -> Iterator[list[Cell]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        row, line = 0, 0  # the rows read, and the lines they took
        try:
            for cells in reader:
                row, line = row + 1, reader.line_num
                yield [clean_text(c) for c in cells]
        except csv.Error as exc:
            raise _broken_csv(source, text, delimiter, row + 1, line, str(exc)) from None

    yield Sheet(None, rows(), blanks_may_be_merged=True)


def _broken_csv(
    source: str, text: str, delimiter: str, row: int, line: int, reason: str
) -> InputError:
    """Why a CSV cannot be read, at the row (as the spreadsheet numbers it) and column
    where the broken record starts: a quote never closed ("unexpected end of data")
    swallowed the rest of the file, and the clerk was told neither where nor in Chinese."""
    record = "".join(text.splitlines(keepends=True)[line:])
    column = _unclosed_quote_column(record, delimiter)
    unclosed = "unexpected end of data" in reason and column
    if unclosed:
        zh = (
            f"{source}：第 {row} 行第 {column} 列的单元格以双引号开头,但直到文件末尾都没有"
            "结束的双引号,文件无法读取。请在该单元格内容的末尾补上双引号(内容中的双引号要"
            "写成两个),或在电子表格中打开后重新另存。"
        )
        en = (
            f"{source}: the cell in row {row}, column {column_letter(column)} begins with a "
            "double quote that is never closed, so the file cannot be read. Close the quote "
            "at the end of the cell (a quote inside a cell is written twice), or open the "
            "file in a spreadsheet program and save it again."
        )
    else:
        zh = (
            f"{source}：第 {row} 行的引号用法不正确(以双引号开头的单元格,结束引号后只能是"
            "分隔符或换行;内容中的双引号要写成两个),文件无法读取。"
        )
        en = f"{source}: row {row} is not well-formed ({reason}); the file cannot be read."
    details: dict[str, Any] = {"file": source, "rule": "csv", "row": row, "reason": reason}
    if unclosed:
        details["column"] = column
    return InputError(Text(zh=zh, en=en), details)


def _unclosed_quote_column(record: str, delimiter: str) -> int:
    """The column (from 1) of the cell whose opening quote `record` never closes, or 0."""
    column, index = 1, 0
    while index < len(record):
        if record[index] == '"':  # a quoted cell: its end is a quote not doubled
            index += 1
            while True:
                index = record.find('"', index)
                if index < 0:
                    return column
                if record.startswith('""', index):
                    index += 2
                    continue
                index += 1
                break
        ends = [i for i in (record.find(delimiter, index), record.find("\n", index)) if i >= 0]
        if not ends or record[min(ends)] == "\n":
            return 0  # the record ends: no quote left open in it
        column, index = column + 1, min(ends) + 1
    return 0


# ----------------------------------------------------------------------------- XLSX


# An OLE compound file: Excel 97-2003 workbooks, and password-protected .xlsx ones
# (their package encrypted inside such a file, beside its EncryptionInfo stream).
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _not_xlsx(data: bytes, source: str) -> InputError:
    """Why `data`, named .xlsx, is no XLSX package: what a clerk can do about it. A
    password-protected workbook opens in Excel and was called "not an XLSX workbook"."""
    if data.startswith(_OLE_MAGIC) and _ENCRYPTION_INFO in data:
        return InputError(
            Text(
                zh=f"{source}：工作簿设有打开密码，无法读取；请在 Excel 中取消密码"
                "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存再提交",
                en=f"{source}: the workbook is password-protected and cannot be read; "
                "remove the password in Excel (File → Info → Protect Workbook → Encrypt "
                "with Password, clear it), save and submit again",
            ),
            {"file": source, "rule": "xlsx-encrypted"},
        )
    if data.startswith(_OLE_MAGIC):
        return InputError(
            Text(
                zh=f"{source}：该文件实为名为 .xlsx 的 Excel 97-2003 工作簿，请将扩展名改为 .xls",
                en=f"{source}: this is an Excel 97-2003 workbook named .xlsx; rename it to .xls",
            ),
            {"file": source, "rule": "xlsx"},
        )
    return InputError(
        Text(zh=f"{source}：不是 XLSX 工作簿", en=f"{source}: not an XLSX workbook"),
        {"file": source, "rule": "xlsx"},
    )


def xlsx_sheets(data: bytes, source: str, cap: int) -> Iterator[Sheet]:
    """Every worksheet, streamed by openpyxl in read-only mode (its XML parsing goes
    through defusedxml), with the merged ranges read from the sheet's own XML."""
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _not_xlsx(data, source) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise InputError(
            Text(
                zh=f"{source}：不接受含宏的工作簿；请另存为不含宏的 .xlsx",
                en=(f"{source}: workbooks with macros are refused; save as .xlsx without macros"),
            ),
            {"file": source, "rule": "no-macros"},
        )
    # The XML inside an XLSX is many times its text, but a zip bomb is thousands of
    # times: refuse one that unpacks beyond 20 times the upload limit before parsing.
    if unpacked > 20 * cap:
        raise PayloadTooLargeError(
            Text(
                zh=f"{source}：工作簿解压后超过 {20 * cap} 字节",
                en=f"{source}: the workbook unpacks to more than {20 * cap} bytes",
            ),
            {"file": source, "limit": cap},
        )
    try:
        # read_only streams the sheet; data_only=False so that formulas show as such.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        merged, hidden_lines = _xlsx_layout(archive)
    except Exception:  # openpyxl raises many types for a broken package; all mean bad input
        raise InputError(
            Text(
                zh=f"{source}：无法按 XLSX 工作簿读取",
                en=f"{source}: cannot be read as an XLSX workbook",
            ),
            {"file": source, "rule": "xlsx"},
        ) from None
    try:
        for sheet in book.worksheets:
            ranges = tuple(merged.get(sheet.title, ()))
            if len(ranges) > MAX_MERGED_RANGES:
                raise _too_many_merged(source, sheet.title)
            hidden = getattr(sheet, "sheet_state", "visible") != "visible"
            # Read-only mode stops at the size the file declares (<dimension>), which
            # tools other than Excel often get wrong: rows below it were lost without a
            # word. Every row is read, each as long as its own last cell.
            sheet.reset_dimensions()
            rows, columns = hidden_lines.get(sheet.title, (frozenset(), frozenset()))
            yield Sheet(
                sheet.title,
                _xlsx_rows(sheet),
                ranges,
                hidden=hidden,
                hidden_rows=rows,
                hidden_columns=columns,
            )
    finally:
        book.close()


def _xlsx_rows(sheet: Any) -> Iterator[list[Cell]]:
    # Read-only sheets give every row from the first, empty ones included, and pad
    # each row from column A: the index in the list is the column.
    for row in sheet.iter_rows():
        cells: list[Cell] = []
        for cell in row:
            value = getattr(cell, "value", None)
            kind = getattr(cell, "data_type", None)
            if kind == "f":
                cells.append(Formula(str(value)))
            elif kind == "e":
                cells.append(ErrorValue(str(value)))
            elif isinstance(value, str):
                cells.append(clean_text(_EXCEL_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)))
            else:
                cells.append(value)
        yield cells


Lines = tuple[frozenset[int], frozenset[int]]  # hidden rows, hidden columns


def _xlsx_layout(
    archive: zipfile.ZipFile,
) -> tuple[dict[str, list[Range]], dict[str, Lines]]:
    """Sheet title -> its merged ranges, and its hidden rows and columns. openpyxl's
    read-only mode keeps neither, so each sheet's XML is scanned for its `mergeCell`,
    hidden `row` and hidden `col` elements (defusedxml)."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.packaging.relationship import get_dependents
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.utils.cell import range_boundaries

    package = get_dependents(archive, "_rels/.rels")
    part = next(r.target for r in package if r.Type.endswith("/officeDocument"))
    parser = WorkbookParser(archive, part, keep_links=False)
    parser.parse()
    found: dict[str, list[Range]] = {}
    lines: dict[str, Lines] = {}
    for sheet, rel in parser.find_sheets():
        if not rel.Type.endswith("/worksheet"):
            continue  # chart sheets hold no cells
        ranges = found.setdefault(sheet.name, [])
        rows: set[int] = set()
        columns: set[int] = set()
        with archive.open(rel.target) as stream:
            for _event, element in iterparse(stream):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "mergeCell" and element.get("ref"):
                    first_col, first_row, last_col, last_row = range_boundaries(element.get("ref"))
                    ranges.append((first_row, first_col, last_row, last_col))
                elif tag in ("row", "col") and element.get("hidden") in ("1", "true"):
                    if tag == "row" and (element.get("r") or "").isdigit():
                        rows.add(int(element.get("r")))
                    elif tag == "col" and (element.get("min") or "").isdigit():
                        # a hidden span as wide as the sheet (min 1, max 16384) is cut to
                        # what a catalogue can use
                        last = min(int(element.get("max") or element.get("min")), 1000)
                        columns.update(range(int(element.get("min")), last + 1))
                element.clear()  # the sheet's rows are not kept: constant memory
        lines[sheet.name] = (frozenset(rows), frozenset(columns))
    return found, lines


# ----------------------------------------------------------------------------- XLS


# What systems export under the name .xls that is no Excel 97-2003 file: a web page's
# table, and Excel 2003's XML spreadsheet. xlrd reads neither ("cannot be read as an
# Excel 97-2003 workbook" told the clerk nothing).
_HTML_START = re.compile(rb"\s*(?:<!doctype\s+html|<html|<table|<meta|<head|<body)", re.I)
_XML_SPREADSHEET = b"urn:schemas-microsoft-com:office:spreadsheet"


def _saved_as_xls(data: bytes) -> Text | None:
    head = data[:2048].removeprefix(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return Text(zh="网页文件（HTML 表格）", en="a web page (an HTML table)")
    if head.lstrip().startswith(b"<?xml") and _XML_SPREADSHEET in head:
        return Text(zh="Excel 2003 XML 表格", en="an Excel 2003 XML spreadsheet")
    return None


def xls_sheets(data: bytes, source: str) -> Iterator[Sheet]:
    """Every sheet of an Excel 97-2003 workbook, read by xlrd. An .xls keeps only the
    last computed value of a formula, so formulas cannot be told from values."""
    import xlrd

    def refused() -> InputError:
        return InputError(
            Text(
                zh=f"{source}：无法按 Excel 97-2003 工作簿读取",
                en=f"{source}: cannot be read as an Excel 97-2003 workbook",
            ),
            {"file": source, "rule": "xls"},
        )

    if data.startswith(b"PK"):
        raise InputError(
            Text(
                zh=(f"{source}：该文件实为名为 .xls 的 XLSX 工作簿，请将扩展名改为 .xlsx"),
                en=(f"{source}: this is an XLSX workbook named .xls; rename it to .xlsx"),
            ),
            {"file": source, "rule": "xls"},
        )
    saved_as = _saved_as_xls(data)
    if saved_as is not None:
        raise InputError(
            Text(
                zh=f"{source}：该文件不是 Excel 工作簿，而是{saved_as.zh}（许多系统导出的"
                "“.xls”即是如此）；请在 Excel 或 WPS 中打开后另存为 .xlsx 再提交",
                en=f"{source}: this is no Excel workbook but {saved_as.en} (what many "
                "systems export as .xls); open it in Excel or WPS, save it as .xlsx and "
                "submit that",
            ),
            {"file": source, "rule": "xls"},
        )
    try:
        # formatting_info keeps the merged ranges; the log would go to stdout otherwise;
        # ragged rows are not padded to the widest row (one far cell in a small file
        # would otherwise make every row that wide).
        book = xlrd.open_workbook(
            file_contents=data,
            formatting_info=True,
            on_demand=True,
            ragged_rows=True,
            logfile=io.StringIO(),
        )
    except Exception:  # xlrd raises many types for a broken file; all mean bad input
        raise refused() from None
    try:
        for index in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(index)
            except Exception:
                raise refused() from None
            if len(sheet.merged_cells) > MAX_MERGED_RANGES:
                raise _too_many_merged(source, sheet.name)
            merged = tuple(
                (first_row + 1, first_col + 1, end_row, end_col)
                for first_row, end_row, first_col, end_col in sheet.merged_cells
            )
            hidden = bool(getattr(sheet, "visibility", 0))
            rows = frozenset(r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden)
            columns = frozenset(c + 1 for c, info in sheet.colinfo_map.items() if info.hidden)
            yield Sheet(
                sheet.name,
                _xls_rows(sheet, book.datemode),
                merged,
                hidden=hidden,
                hidden_rows=rows,
                hidden_columns=columns,
            )
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _xls_rows(sheet: Any, datemode: int) -> Iterator[list[Cell]]:
    import xlrd

    for index in range(sheet.nrows):
        cells: list[Cell] = []
        for cell in sheet.row_slice(index):
            kind, value = cell.ctype, cell.value
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                cells.append(None)
            elif kind == xlrd.XL_CELL_DATE:
                try:
                    cells.append(xlrd.xldate_as_datetime(value, datemode))
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    cells.append(value)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                cells.append(bool(value))
            elif kind == xlrd.XL_CELL_ERROR:
                cells.append(ErrorValue(xlrd.error_text_from_code.get(value, "#ERROR")))
            else:
                cells.append(clean_text(value) if isinstance(value, str) else value)
        yield cells
