"""The documents of one submission, read together (registry.inputs.load.read_documents)."""

from __future__ import annotations

import csv
import io

from registry.inputs.document import Document
from registry.inputs.load import ENTRY_CLASSES, read_documents
from registry.register.submission import ITEM_CLASSES
from tests.conftest import EXAMPLES


def _catalogue_csv(**changed: str) -> bytes:
    """The first resource of the example catalogue as a CSV of one row."""
    rows = list(
        csv.reader(io.StringIO((EXAMPLES / "catalogue-valid.csv").read_bytes().decode("gb18030")))
    )
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    first.update(changed)
    out = io.StringIO()
    csv.writer(out).writerows([header, [first[h] for h in header]])
    return out.getvalue().encode("utf-8")


def test_the_entry_classes_are_the_registers() -> None:
    assert set(ITEM_CLASSES) == ENTRY_CLASSES


def test_one_code_in_two_files_was_merged_into_one_entry() -> None:
    """Two files of one submission with the same code were read into one entry, their
    values merged without a word (a workbook refuses a code used twice)."""
    first = Document("a.csv", _catalogue_csv(共享方式="接口"), "csv")
    second = Document("b.csv", _catalogue_csv(共享方式="数据库"), "csv")
    reading = read_documents([first, second])
    assert reading.mapped is not None
    found = [p for p in reading.mapped.problems if p.source_shape.endswith("Input-duplicate-code")]
    assert len(found) == 1
    problem = found[0]
    assert problem.severity == "Violation" and problem.value == "101001/000001"
    assert dict(problem.location)["file"] == "b.csv" and dict(problem.location)["row"] == 2
    assert "“a.csv”第 2 行" in problem.message_zh and "a.csv, row 2" in problem.message_en


def test_an_rdf_document_and_a_workbook_of_one_entry_are_told_apart() -> None:
    turtle = (EXAMPLES / "catalogue-valid.ttl").read_bytes()
    reading = read_documents(
        [Document("c.ttl", turtle), Document("a.csv", _catalogue_csv(), "csv")]
    )
    assert reading.mapped is not None
    codes = [
        p.value for p in reading.mapped.problems if p.source_shape.endswith("Input-duplicate-code")
    ]
    assert codes == ["101001/000001"]


def test_departments_beside_a_catalogue_are_no_duplicate() -> None:
    """The README's example: the departments and a catalogue naming them, in one form."""
    documents = [
        Document("departments.ttl", (EXAMPLES / "departments.ttl").read_bytes()),
        Document("catalogue-valid.xlsx", (EXAMPLES / "catalogue-valid.xlsx").read_bytes()),
    ]
    reading = read_documents(documents)
    assert reading.mapped is not None
    assert not [p for p in reading.mapped.problems if p.severity == "Violation"]


def test_report_lines_of_two_files_could_not_be_told_apart(memory_registry) -> None:
    """The CSV reports had sheet, row and column but no file: two files' identical
    results were two identical lines."""
    import csv as csv_module

    from registry.validation.reports import report_csv, report_csv_for_people

    bad = _catalogue_csv(更新周期="每两周")
    documents = [
        Document("甲.csv", bad, "csv"),
        Document("乙.csv", bad.replace(b"101001/000001", b"101001/000002"), "csv"),
    ]
    report = memory_registry.validate(documents)
    for text, column in ((report_csv(report), "file"), (report_csv_for_people(report), "文件")):
        rows = list(csv_module.DictReader(io.StringIO(text)))
        assert {r[column] for r in rows} >= {"甲.csv", "乙.csv"}, rows
