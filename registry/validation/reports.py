"""Validation reports for people and machines: text, JSON, CSV and SHACL Turtle.

Every form lists at most `max_results` results and says how many it left out,
so a catalogue with ten thousand broken rows still gives a readable report.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from registry.namespaces import SH, bind_prefixes
from registry.outputs.csvsafe import neutralise_row
from registry.store.base import is_plain_iri
from registry.validation.labels import property_name
from registry.validation.validator import ValidationReport, ValidationResult

#: `csv` is the file for programs (both languages, the shapes' IRIs); `sheet` the one for
#: a clerk's spreadsheet (report_sheet).
REPORT_FORMATS = ("text", "json", "turtle", "csv", "sheet")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "turtle": "text/turtle; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "sheet": "text/csv; charset=utf-8",
}

_HEADINGS = {
    "zh": {
        "conforms": "符合:没有违规项",
        "not_conforms": "不符合:存在违规项,未写入任何内容",
        "counts": "违规 {Violation} 项,警告 {Warning} 项,提示 {Info} 项",
        "entry": "条目",
        "document": "整个文档",
        "omitted": "另有 {n} 项结果未列出",
        "severity": {"Violation": "违规", "Warning": "警告", "Info": "提示"},
        "cols": ("级别", "属性", "值", "说明"),
    },
    "en": {
        "conforms": "Conforms: no violation",
        "not_conforms": "Does not conform: violations found, nothing was written",
        "counts": "{Violation} violation(s), {Warning} warning(s), {Info} info",
        "entry": "Entry",
        "document": "the document as a whole",
        "omitted": "{n} more result(s) not listed",
        "severity": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"},
        "cols": ("Severity", "Path", "Value", "Message"),
    },
}


# Where a result came from, in the report's language: a Chinese report names the
# place in Chinese and the column by its Chinese header only.
_PLACES_ZH = {
    "file": "文件",
    "sheet": "工作表",
    "row": "第 {} 行",
    "column": "列“{}”",
    "pointer": "位置",
    "source": "来源",
    "option": "选项",
}


def _where(location: tuple[tuple[str, Any], ...], lang: str) -> str:
    if lang != "zh":
        # The column by its English name, with the header the sheet really has.
        found = dict(location)
        parts = []
        for key, value in location:
            if key in ("column_en", "column_letter"):
                continue
            if key == "column" and found.get("column_en"):
                letter = f", {found['column_letter']}" if found.get("column_letter") else ""
                parts.append(f"column “{found['column_en']}” ({value}{letter})")
            else:
                parts.append(f"{key} {value}")
        return ", ".join(parts)
    parts = []
    for key, value in location:
        if key in ("column_en", "column_letter"):
            continue  # the zh text names a column by its title, as the sheet has it
        word = _PLACES_ZH.get(key, key)
        parts.append(word.format(value) if "{}" in word else f"{word} {value}")
    return ",".join(parts)


def _listed(report: ValidationReport, max_results: int) -> tuple[list[ValidationResult], int]:
    listed = report.results[:max_results]
    return listed, len(report.results) - len(listed)


def report_json(report: ValidationReport, max_results: int = 1000) -> dict[str, Any]:
    listed, omitted = _listed(report, max_results)
    return {
        "conforms": report.conforms,
        "counts": report.counts,
        "total": len(report.results),
        "omitted": omitted,
        "shapes_sha256": report.shapes_sha256,
        "engine": report.engine,
        "results": [_with_names(r) for r in listed],
    }


def _with_names(result: ValidationResult) -> dict[str, Any]:
    """A result as JSON, its path's name for people beside the IRI: a spreadsheet's
    column title where the result has one (as the text report names it), else the
    shape's or the property's name. A reading problem's shape names nothing, so the
    pages showed `issued` and `publisher` where the column was 发布日期, 提供方代码."""
    found = result.as_dict()
    if result.path:
        where = dict(result.location)
        found["path_name"] = {
            lang: where.get("column" if lang == "zh" else "column_en")
            or property_name(result.path, result.source_shape, lang)
            for lang in ("zh", "en")
        }
    return found


def report_from_json(data: dict[str, Any]) -> ValidationReport:
    """A report as `report_json` wrote it (its listed results), read back: what a
    command prints of a report the server sent."""
    results = [
        ValidationResult(
            severity=r["severity"],
            focus=r["focus"],
            path=r.get("path"),
            value=r.get("value"),
            message_zh=r["message"]["zh"],
            message_en=r["message"]["en"],
            source_shape=r["shape"],
            constraint=r["constraint"],
            entry=r["entry"],
            location=tuple((r.get("location") or {}).items()),
        )
        for r in data.get("results", [])
    ]
    return ValidationReport(
        results=results,
        shapes_sha256=data.get("shapes_sha256", ""),
        engine=data.get("engine", ""),
    )


def report_text(report: ValidationReport, lang: str = "zh", max_results: int = 1000) -> str:
    words = _HEADINGS[lang]
    listed, omitted = _listed(report, max_results)
    lines = [
        words["conforms"] if report.conforms else words["not_conforms"],
        words["counts"].format(**report.counts),
    ]
    grouped: dict[str, list[ValidationResult]] = {}
    for result in listed:
        grouped.setdefault(result.entry, []).append(result)
    for entry, results in grouped.items():
        # A reading problem about the document (a title above the header) is no entry's:
        # "Entry: " with nothing after it said so badly.
        lines += ["", f"{words['entry']}: {entry or words['document']}"]
        for r in results:
            where = _where(r.location, lang)
            # A spreadsheet's result is named by its column, the title the clerk typed:
            # a property's own name may be another entry kind's ("publisher").
            column = dict(r.location).get("column" if lang == "zh" else "column_en")
            path = column or property_name(r.path, r.source_shape, lang) or "-"
            # A result without a value (a missing one, a count) shows none, not "= -".
            value = f" = {_clip(r.value)}" if r.value is not None else ""
            sev = words["severity"][r.severity]
            lines.append(f"  [{sev}] {path}{value}" + (f" ({where})" if where else ""))
            lines.append(f"      {r.message(lang)}")
    if omitted:
        lines += ["", words["omitted"].format(n=omitted)]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "severity",
    "entry",
    "focus",
    "path",
    "path_zh",
    "path_en",
    "value",
    "message_zh",
    "message_en",
    "shape",
    "constraint",
    "sheet",
    "row",
    "column",
    # Last, so that programs reading the columns by position before it still read them:
    # two files of one submission gave identical lines that nothing told apart.
    "file",
)


def report_csv(report: ValidationReport, max_results: int = 1000) -> str:
    """The results as CSV, one per row. Values and messages quote uploaded text, so
    every text cell is neutralised (registry/outputs/csvsafe.py): the report is opened in
    spreadsheet programs, where `=HYPERLINK(...)` in a submitted title would run."""
    listed, omitted = _listed(report, max_results)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in listed:
        loc = dict(r.location)
        writer.writerow(
            neutralise_row(
                [
                    r.severity,
                    r.entry,
                    r.focus,
                    r.path or "",
                    property_name(r.path, r.source_shape, "zh") or "",
                    property_name(r.path, r.source_shape, "en") or "",
                    r.value or "",
                    r.message_zh,
                    r.message_en,
                    r.source_shape,
                    r.constraint,
                    loc.get("sheet", ""),
                    loc.get("row", ""),
                    loc.get("column", ""),
                    loc.get("file", ""),
                ]
            )
        )
    if omitted:
        more = ["" for _ in CSV_COLUMNS]
        more[CSV_COLUMNS.index("message_zh")] = f"另有 {omitted} 项结果未列出"
        more[CSV_COLUMNS.index("message_en")] = f"{omitted} more result(s) not listed"
        writer.writerow(more)
    return out.getvalue()


#: The columns of the report as a file for people (the validation page's download), in
#: its language: no IRIs, no English in the Chinese one.
PEOPLE_CSV_COLUMNS = {
    "zh": ("级别", "条目", "文件", "工作表", "行", "列", "属性", "值", "说明", "其他位置"),
    "en": (
        "severity",
        "entry",
        "file",
        "sheet",
        "row",
        "column",
        "property",
        "value",
        "message",
        "place",
    ),
}
_IN_COLUMNS = {"file", "sheet", "row", "column", "column_en", "column_letter"}


def report_csv_for_people(
    report: ValidationReport, lang: str = "zh", max_results: int = 1000
) -> str:
    """The results as CSV for a clerk to sort and work through in a spreadsheet, all in
    one language: the level, the entry, where (sheet, row, column as the sheet names it),
    the property's name, the value and the message. `report_csv` is the file for
    programs, with both languages and the shapes' IRIs; the page gave people that one,
    with English headers and English levels in a Chinese report. Text cells are
    neutralised as there."""
    words = _HEADINGS[lang]
    listed, omitted = _listed(report, max_results)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PEOPLE_CSV_COLUMNS[lang])
    for r in listed:
        loc = dict(r.location)
        column = loc.get("column" if lang == "zh" else "column_en") or loc.get("column", "")
        elsewhere = tuple((k, v) for k, v in r.location if k not in _IN_COLUMNS)
        writer.writerow(
            neutralise_row(
                [
                    words["severity"][r.severity],
                    r.entry or words["document"],
                    loc.get("file", ""),
                    loc.get("sheet", ""),
                    loc.get("row", ""),
                    column,
                    property_name(r.path, r.source_shape, lang) or "",
                    r.value or "",
                    r.message(lang),
                    _where(elsewhere, lang),
                ]
            )
        )
    if omitted:
        more = ["" for _ in PEOPLE_CSV_COLUMNS[lang]]
        more[PEOPLE_CSV_COLUMNS[lang].index("说明" if lang == "zh" else "message")] = words[
            "omitted"
        ].format(n=omitted)
        writer.writerow(more)
    return out.getvalue()


def report_graph(
    report: ValidationReport, node_base: str | None = None, max_results: int | None = None
) -> Graph:
    """The report as a sh:ValidationReport. With `node_base` every node gets an IRI under it
    (stores such as Virtuoso take no blank nodes in INSERT DATA)."""
    listed = report.results if max_results is None else report.results[:max_results]
    graph = Graph()
    bind_prefixes(graph)
    root = URIRef(node_base) if node_base else BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
    for n, r in enumerate(listed, start=1):
        node = URIRef(f"{node_base}/result/{n}") if node_base else BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[r.severity]))
        # A reading problem about the whole document (the header found below a title,
        # a sheet without one) has no focus node, and says so by leaving it out.
        if r.focus:
            graph.add((node, SH.focusNode, _node(r.focus)))
        if r.path:
            graph.add((node, SH.resultPath, _node(r.path.lstrip("^"))))
        if r.value is not None:
            graph.add((node, SH.value, Literal(r.value)))
        for lang, text in (("zh", r.message_zh), ("en", r.message_en)):
            if text:
                graph.add((node, SH.resultMessage, Literal(text, lang=lang)))
        graph.add((node, SH.sourceShape, _node(r.source_shape)))
        graph.add((node, SH.sourceConstraintComponent, _node(r.constraint)))
        for key, value in r.location:
            datatype = XSD.integer if isinstance(value, int) else None
            graph.add(
                (
                    node,
                    URIRef(f"https://w3id.org/smartcity-std#{key}"),
                    Literal(value, datatype=datatype),
                )
            )
    return graph


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _node(text: str) -> URIRef | Literal:
    """A result's focus, path or shape as the term it names: an IRI when it is one a
    store takes, else its text (a blank node's label, a path of several steps), which
    the registry stores and shows as it is. Made an IRI, such a text failed the whole
    registration when its report was written."""
    if _ABSOLUTE.match(text) and is_plain_iri(text):
        return URIRef(text)
    return Literal(text)


def report_sheet(report: ValidationReport, lang: str = "zh", max_results: int = 1000) -> str:
    """`report_csv_for_people` as a file to open in a spreadsheet program: with a BOM,
    without which Excel and WPS read UTF-8 as the system's code page (on a Chinese
    Windows, every message garbled). The clerk probe opened `--report csv --lang zh`,
    the file for programs, and met a garbled file with English titles."""
    return "\ufeff" + report_csv_for_people(report, lang, max_results)


def report_turtle(report: ValidationReport, max_results: int = 1000) -> str:
    return report_graph(report, max_results=max_results).serialize(format="turtle")


def render_report(
    report: ValidationReport, fmt: str, lang: str = "zh", max_results: int = 1000
) -> str:
    """The report in one of REPORT_FORMATS."""
    renderers: dict[str, Callable[[], str]] = {
        "text": lambda: report_text(report, lang, max_results),
        "json": lambda: json.dumps(report_json(report, max_results), ensure_ascii=False, indent=2),
        "turtle": lambda: report_turtle(report, max_results),
        "csv": lambda: report_csv(report, max_results),
        "sheet": lambda: report_sheet(report, lang, max_results),
    }
    return renderers[fmt]()


def _short(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            return iri.rsplit(sep, 1)[-1]
    return iri


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
