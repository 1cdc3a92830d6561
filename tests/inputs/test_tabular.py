"""Spreadsheet catalogues: the examples equal the Turtle, encodings agree, every
result names its row and column, and a spreadsheet round-trips through the registry."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from registry.config import Settings
from registry.errors import InputError, PayloadTooLargeError
from registry.inputs.document import Document, SubmissionGraph
from registry.inputs.load import load_submission
from registry.inputs.tabular import COLUMNS, csv_bytes, template_rows, xlsx_bytes
from registry.namespaces import SCS
from registry.register.submission import REGISTRAR, split_entries
from registry.service import Registry
from registry.store import open_store
from tests.conftest import EXAMPLES

SCSH = "https://w3id.org/smartcity-std/shapes#"
BASE = "http://127.0.0.1:8000/id/"
INVALID = sorted((EXAMPLES / "invalid").glob("*.csv"))


@pytest.fixture(scope="module")
def seeded(seeded_dump: bytes, validator):
    """A registry over a memory store holding the seeded examples (shared: read-only use)."""
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    with Registry(Settings(store="memory", seed=False), validator=validator, store=store) as r:
        yield r


def turtle_resources() -> Graph:
    """The information resources (with their data items) of the Turtle example."""
    catalogue = Graph().parse(EXAMPLES / "catalogue-valid.ttl")
    entries, _ = split_entries(catalogue)
    resources = Graph()
    for kind, content in entries.values():
        if kind == "resource":
            resources += content
    return resources


def filled_rows() -> list[list[str]]:
    """The template with its example row filled in as a clerk's own resource (the
    example itself, with its 【示例】 name, is refused: tests/inputs/test_workbooks.py)."""
    header, example = template_rows()
    names = [c.key for c in COLUMNS]
    row = list(example)
    row[names.index("name")] = "人口基础信息"
    return [header, row]


def read(name: str, data: bytes, fmt: str | None = None) -> SubmissionGraph:
    graph = load_submission([Document(name, data, fmt)])
    assert isinstance(graph, SubmissionGraph)
    return graph


@pytest.mark.parametrize("name", ["catalogue-valid.csv", "catalogue-valid.xlsx"])
def test_spreadsheet_example_equals_the_turtle_resources(name: str) -> None:
    graph = read(name, (EXAMPLES / name).read_bytes())
    assert graph.problems == []
    expected = turtle_resources()
    assert len(set(expected.subjects(None, SCS.InformationResource))) == 24
    assert isomorphic(Graph() + graph, expected)


def test_the_csv_example_is_gb18030_and_other_encodings_give_identical_rdf() -> None:
    gb = (EXAMPLES / "catalogue-valid.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")  # really GB18030, so the detection is exercised
    text = gb.decode("gb18030")
    graphs = [
        read("gb.csv", gb),
        read("utf8.csv", text.encode("utf-8")),
        read("bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8")),
    ]
    ntriples = {g.serialize(format="nt", encoding="utf-8") for g in graphs}
    assert len(graphs[0]) > 1000
    assert all(isomorphic(Graph() + graphs[0], Graph() + g) for g in graphs[1:])
    assert len({len(n) for n in ntriples}) == 1


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_spreadsheet_gives_exactly_its_listed_results(path: Path, seeded) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    report = seeded.validate([Document(path.name, path.read_bytes())])
    assert not report.conforms
    got = []
    for r in report.results:
        loc = dict(r.location)
        # Every result names the file, the row and the column, in Chinese and English.
        assert loc["file"] == path.name and loc["row"] >= 1, r
        assert loc["column"] and loc["column_en"], r
        assert r.message_zh and r.message_en
        got.append(
            (
                r.severity,
                loc["row"],
                loc["column"],
                loc["column_en"],
                r.source_shape.removeprefix(SCSH),
            )
        )
    want = [(e["severity"], e["row"], e["column"], e["column_en"], e["rule"]) for e in expected]
    assert sorted(got) == sorted(want)


def test_reading_problems_come_before_validation_and_replace_missing_value_results(
    seeded,
) -> None:
    path = EXAMPLES / "invalid" / "spreadsheet-cells.csv"
    report = seeded.validate([Document(path.name, path.read_bytes())])
    row3 = [r for r in report.results if dict(r.location)["row"] == 3]
    # The unknown label 部分共享 is reported as such, not as "sharing type missing".
    assert [r.source_shape.removeprefix(SCSH) for r in row3] == ["Input-code-list"]
    assert row3[0].value == "部分共享" and "无条件共享" in row3[0].message_zh


def test_headers_in_english_code_list_codes_and_identifier_variants(seeded) -> None:
    header = ",".join(c.en for c in COLUMNS)
    values = {
        "class": "1",
        "name": "测试资源",
        "name_en": "",
        "code": "101001/000777",
        "provider": "",
        "provider_code": "11210100EXAMPLE01N",
        "abstract": "摘要。",
        "format": "spreadsheet(xlsx)",
        "items": "名称：C：20;日期:日期型",
        "sharing": "conditional",
        "condition": "仅限测试。",
        "method": "接口、文件",
        "open": "No",
        "open_condition": "",
        "cycle": "每天",
        "issued": "2025年3月8日",
        "related": "",
        "standards": "GB／T 21063.3—2007;gb/t21063.3-2007;GB/T 35273",
    }
    row = ",".join(values[c.key] for c in COLUMNS)
    graph = seeded.parse([Document("en.csv", f"{header}\n{row}\n".encode())])
    assert graph.problems == []
    res = URIRef(f"{BASE}resource/101001-000777")
    standards = set(graph.objects(res, DCTERMS.conformsTo))
    # Two spellings of one edition, and the undated GB/T 35273 resolved to the edition in force.
    assert standards == {
        URIRef(f"{BASE}standard/GB-T-21063.3-2007"),
        URIRef(f"{BASE}standard/GB-T-35273-2020"),
    }
    assert str(graph.value(res, DCTERMS.issued)) == "2025-03-08"
    assert str(graph.value(res, SCS.formatDetail)) == "xlsx"
    assert len(set(graph.objects(res, SCS.sharingMethod))) == 2
    assert str(graph.value(URIRef(f"{res}/item/2"), SCS.dataType)).endswith("/D")
    assert seeded.validator.validate(graph, seeded.store).conforms


def test_a_spreadsheet_registered_then_exported_as_turtle_round_trips(memory_registry) -> None:
    data = csv_bytes(filled_rows())
    parsed = memory_registry.parse([Document("template.csv", data)])
    result = memory_registry.submit([Document("template.csv", data)], REGISTRAR)
    assert result.accepted, [r.as_dict() for r in result.report.results]
    res = f"{BASE}resource/101001-000099"
    assert [(c.item, c.outcome) for c in result.changes] == [(res, "new")]
    exported = memory_registry.show(res).serialize(format="turtle")
    assert isomorphic(Graph().parse(data=exported, format="turtle"), Graph() + parsed)
    # The whole example catalogue as XLSX is the content the Turtle registered: unchanged.
    xlsx = (EXAMPLES / "catalogue-valid.xlsx").read_bytes()
    again = memory_registry.submit([Document("catalogue-valid.xlsx", xlsx)], REGISTRAR)
    assert {c.outcome for c in again.changes} == {"unchanged"} and len(again.changes) == 24


def test_a_rejected_spreadsheet_writes_nothing_and_stores_located_results(memory_registry) -> None:
    path = EXAMPLES / "invalid" / "spreadsheet-headers.csv"
    result = memory_registry.submit([Document(path.name, path.read_bytes())], REGISTRAR)
    assert not result.accepted and result.submission is None
    assert {dict(r.location)["column"] for r in result.report.results} == {"更新周期", "备注"}


def xlsx_with(cells: dict[str, object], vba: bool = False) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx_bytes(filled_rows())))
    for ref, value in cells.items():
        book.active[ref] = value
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if vba:
        import zipfile

        buffer = io.BytesIO(data)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("xl/vbaProject.bin", b"\x00macro")
        data = buffer.getvalue()
    return data


def test_xlsx_formulas_are_reported_on_their_cell_and_macros_refused() -> None:
    graph = read("f.xlsx", xlsx_with({"G2": '=CONCAT("a","b")'}))
    [problem] = graph.problems
    assert problem.source_shape.endswith("Input-formula")
    assert dict(problem.location)["row"] == 2 and dict(problem.location)["column"] == "信息资源摘要"
    with pytest.raises(InputError) as refused:
        read("m.xlsx", xlsx_with({}, vba=True))
    assert refused.value.details["rule"] == "no-macros"


def test_rows_are_capped_by_the_body_size_limit() -> None:
    example = filled_rows()[1]
    rows = filled_rows() + [[*example[:3], f"1010{n:02d}/000001", *example[4:]] for n in range(50)]
    data = xlsx_bytes(rows)
    assert len(read("ok.xlsx", data)) > 0
    with pytest.raises(PayloadTooLargeError):
        load_submission([Document("big.xlsx", data)], max_bytes=len(data) + 10)


def test_template_command_writes_the_committed_templates() -> None:
    runner = CliRunner()
    from registry.cli import main

    out = runner.invoke(main, ["template", "catalogue", "--format", "csv"])
    assert out.exit_code == 0
    committed = (EXAMPLES / "template" / "catalogue-template.csv").read_bytes()
    assert out.stdout_bytes == committed
    assert committed.startswith(b"\xef\xbb\xbf" + "信息资源分类".encode())
    from openpyxl import load_workbook

    book = load_workbook(EXAMPLES / "template" / "catalogue-template.xlsx", read_only=True)
    sheets = book.sheetnames
    rows = [[c.value or "" for c in row] for row in book.worksheets[0].iter_rows()]
    assert sheets == ["信息资源目录", "说明"]
    assert rows == template_rows()


def test_template_example_row_filled_in_conforms(seeded) -> None:
    report = seeded.validate([Document("t.csv", csv_bytes(filled_rows()))])
    assert report.conforms, [r.as_dict() for r in report.results]


def test_cli_validate_reads_csv_and_names_rows(tmp_path: Path) -> None:
    from registry.cli import main

    bad = EXAMPLES / "invalid" / "spreadsheet-shapes.csv"
    out = CliRunner().invoke(main, ["validate", str(bad), "--store", "memory", "--report", "csv"])
    assert out.exit_code == 1, out.output
    lines = out.output.splitlines()
    assert lines[0].endswith("row,column,file")
    assert any(line.endswith(",2,共享条件,spreadsheet-shapes.csv") for line in lines)


def test_unreadable_encoding_and_empty_file() -> None:
    with pytest.raises(InputError):
        read("u16.csv", b"\xff\xfe\x00\xd8")  # UTF-16 with a lone surrogate
    graph = read("empty.csv", b"")
    assert graph.fatal and graph.problems[0].source_shape.endswith("Input-empty")


def test_docs_list_every_header() -> None:
    docs = (EXAMPLES.parent / "docs" / "inputs.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| {column.zh} | `{column.en}` |" in docs, column.zh


def test_an_xlsm_workbook_was_of_no_format_a_clerk_could_name() -> None:
    """A macro-enabled workbook saved as .xlsm, macros or none, got "cannot tell the
    format: name it with ?format=", an answer for programs, not clerks."""
    from registry.inputs.load import read_documents

    plain = read_documents(
        [Document("目录.xlsm", (EXAMPLES / "catalogue-valid.xlsx").read_bytes())]
    )
    assert plain.mapped is not None and len(plain.mapped) > 0
    with pytest.raises(InputError) as refused:
        read_documents([Document("宏.xlsm", xlsx_with({}, vba=True))])
    assert refused.value.details["rule"] == "no-macros"
