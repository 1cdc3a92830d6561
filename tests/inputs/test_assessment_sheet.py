"""Conformity assessments from a spreadsheet with Chinese headers (issue 22): the
template, a filled-in CSV and XLSX registered through the one submit path, and the
problems of a row located at their cells."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from rdflib import URIRef

from registry.cli import main
from registry.errors import ForbiddenError
from registry.inputs.assessment_sheet import COLUMNS, template_rows, template_xlsx
from registry.inputs.document import Document
from registry.inputs.tabular import csv_bytes
from registry.register.submission import Principal
from registry.service import Registry
from tests.conftest import EXAMPLES

BASE = "http://127.0.0.1:8000/id/"
BUREAU = Principal("submitter", URIRef(f"{BASE}department/11210100EXAMPLE01N"), "bureau")


def filled(**cells: str) -> list[list[str]]:
    """The template's example row made real: a new code, the example mark taken off,
    and `cells` (by column key) changed."""
    header, example = template_rows()
    row = dict(zip((c.key for c in COLUMNS), example, strict=True))
    row.update(code="SY-CA-2026-100", title=row["title"].removeprefix("【示例】"), **cells)
    return [header, [row[c.key] for c in COLUMNS]]


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_command_writes_the_committed_templates() -> None:
    out = CliRunner().invoke(main, ["template", "assessment", "--format", "csv"])
    assert out.exit_code == 0, out.output
    committed = (EXAMPLES / "template" / "assessment-template.csv").read_bytes()
    assert out.stdout_bytes == committed
    assert committed.startswith(b"\xef\xbb\xbf" + "评估编号".encode())
    book = load_workbook(EXAMPLES / "template" / "assessment-template.xlsx", read_only=True)
    assert book.sheetnames == ["符合性评估", "说明"]
    assert [[c.value or "" for c in row] for row in book.worksheets[0].iter_rows()] == (
        template_rows()
    )


@pytest.mark.parametrize("way", ["csv", "xlsx", "csv-gb18030"])
def test_a_filled_in_row_registers_as_an_assessment(registry: Registry, way: str) -> None:
    rows = filled(outcome="不通过", body="辽宁省软件测评中心", sha256="A" * 64)
    data = {
        "csv": lambda: csv_bytes(rows),
        "csv-gb18030": lambda: csv_bytes(rows, encoding="gb18030"),
        "xlsx": lambda: xlsx(rows),
    }[way]()
    name = "评估.xlsx" if way == "xlsx" else "评估.csv"
    result = registry.submit([Document(name, data)], BUREAU)
    assert result.accepted, [r.as_dict() for r in result.report.results]
    assert [(c.kind, c.outcome) for c in result.changes] == [("assessment", "new")]
    record = registry.reader().entry("assessment", "SY-CA-2026-100")
    assert record["outcome"]["code"] == "failed"
    assert record["mode"]["code"] == "manual"
    assert record["subject"]["id"] == "SY-DSJ-API-001"
    assert record["test"]["id"] == "GB/T 38672-2020"
    assert record["assessor_name"] == {"zh": "辽宁省软件测评中心"}
    assert record["evidence"][0]["sha256"] == "a" * 64
    assert record["valid_until"] == "2027-03-09" and record["date"] == "2026-03-10"


def test_a_row_in_the_automatic_mode_is_refused_as_the_registrys(memory_registry: Registry) -> None:
    """Regression (security probe, section 4): 评估方式 自动 made a department's row an
    automatic assessment, counted as the registry's own; now only the registry writes
    one, and the template offers 人工 alone."""
    generation = memory_registry.store.generation()
    with pytest.raises(ForbiddenError) as refused:
        memory_registry.submit([Document("评估.csv", csv_bytes(filled(mode="自动")))], BUREAU)
    entries = refused.value.details["entries"]
    assert [(e["rule"], e["marks"]) for e in entries] == [("automatic-assessment", ["mode"])]
    assert memory_registry.store.generation() == generation
    book = load_workbook(io.BytesIO(template_xlsx()))
    lists = {str(d.sqref): d.formula1 for d in book.worksheets[0].data_validations.dataValidation}
    assert lists["H2:H10000"] == '"人工"'


def test_an_unknown_outcome_is_a_violation_at_its_cell(registry: Registry) -> None:
    report = registry.validate([Document("评估.csv", csv_bytes(filled(outcome="优秀")))])
    assert not report.conforms
    located = [dict(r.location) for r in report.results if r.severity == "Violation"]
    assert {"row": 2, "column": "评估结论"}.items() <= located[0].items()
    first = next(r for r in report.results if r.severity == "Violation")
    assert "通过 / 不通过 / 无法判定 / 不适用" in first.message_zh
    assert "passed, failed" in first.message_en


def test_the_example_row_and_a_missing_column_are_refused(registry: Registry) -> None:
    report = registry.validate([Document("t.csv", csv_bytes(template_rows()))])
    assert [r.source_shape.rsplit("-", 1)[-1] for r in report.results][:1] == ["row"]
    header, row = filled()
    at = header.index("评估结论")
    cut = [[c for i, c in enumerate(line) if i != at] for line in (header, row)]
    report = registry.validate([Document("t.csv", csv_bytes(cut))])
    assert not report.conforms
    assert any("评估结论" in r.message_zh for r in report.results)


def test_a_future_date_had_no_cell_and_an_unknown_outcome_was_told_twice(
    registry: Registry,
) -> None:
    """A probe's sheet: the future-date Violation (a register rule, not a shape) had no
    row or column, and an unknown outcome came twice, the second time as the result
    node's shape with its blank-node label as the value ("'优秀' is not a outcome")."""
    dated = registry.validate([Document("评估.csv", csv_bytes(filled(date="2099-12-31")))])
    [future] = [r for r in dated.results if r.severity == "Violation"]
    assert {"row": 2, "column": "评估日期"}.items() <= dict(future.location).items()
    unknown = registry.validate([Document("评估.csv", csv_bytes(filled(outcome="优秀")))])
    [told] = [r for r in unknown.results if r.severity == "Violation"]
    assert {"row": 2, "column": "评估结论"}.items() <= dict(told.location).items()
    assert "is not an outcome" in told.message_en
    assert not any((r.value or "").startswith("_:") for r in unknown.results)
