"""DCAT-AP 3: the export conforms to the published shapes; a foreign DCAT catalogue
is mapped, and what cannot be mapped is reported."""

from __future__ import annotations

import os
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, SKOS

from registry.inputs.dcat import export_store
from registry.inputs.document import Document
from registry.namespaces import ADMS
from registry.register.submission import REGISTRAR
from tests.conftest import EXAMPLES, ROOT, skip_unless_available

# Third-party files the workplace supplies beside the checkout; never copied in.
DCAT_AP_DEFAULT = ROOT.parent / "shared" / "third_party" / "dcat-ap-3.0.1"
CKAN = EXAMPLES / "dcat" / "ckan-catalogue.ttl"
BASE = "http://127.0.0.1:8000/id/"


def dcat_ap_dir() -> Path:
    """The folder of the DCAT-AP 3.0.1 shapes: SCREG_DCAT_AP_DIR, else the workplace's
    shared/ beside the checkout (read when a test runs, not at import)."""
    given = os.environ.get("SCREG_DCAT_AP_DIR")
    return Path(given) if given else DCAT_AP_DEFAULT


def dcat_ap_violations(data: Graph) -> list[str]:
    dcat_ap = dcat_ap_dir()
    skip_unless_available(
        dcat_ap.is_dir(),
        f"DCAT-AP 3.0.1 shapes not found at {dcat_ap} (set SCREG_DCAT_AP_DIR)",
    )
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"):
        shapes.parse(dcat_ap / name, format="turtle")
    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    return [
        f"{results.value(r, SH.focusNode)} {results.value(r, SH.resultPath)} "
        f"{results.value(r, SH.resultMessage)}"
        for r in results.subjects(RDF.type, SH.ValidationResult)
        if results.value(r, SH.resultSeverity) == SH.Violation
    ]


def test_dcat_ap_export_conforms_with_no_violation(memory_registry) -> None:
    # Registered outside any catalogue too: it must land in a department catalogue.
    ckan = memory_registry.submit([Document(CKAN.name, CKAN.read_bytes(), "dcat")], REGISTRAR)
    assert ckan.accepted
    export = export_store(memory_registry.store, BASE)
    assert len(set(export.subjects(RDF.type, DCAT.Dataset))) == 26
    assert len(set(export.subjects(RDF.type, DCAT.DataService))) == 3
    assert set(export.subjects(RDF.type, DCAT.Distribution))
    catalogues = set(export.subjects(RDF.type, DCAT.Catalog))
    assert URIRef(f"{BASE}catalogue/11210100EXAMPLE01N/2026-example") in catalogues
    in_catalogue = set(export.objects(None, DCAT.dataset))
    assert in_catalogue == set(export.subjects(RDF.type, DCAT.Dataset))
    assert dcat_ap_violations(export) == []


def test_dcat_ap_shapes_do_catch_a_broken_export(memory_registry) -> None:
    export = export_store(memory_registry.store, BASE)
    dataset = next(iter(export.subjects(RDF.type, DCAT.Dataset)))
    export.remove((dataset, URIRef("http://purl.org/dc/terms/title"), None))
    assert dcat_ap_violations(export)


def test_cli_export_dcat_ap(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from registry.cli import main

    out = tmp_path / "dcat.ttl"
    result = CliRunner().invoke(
        main, ["export", "--format", "dcat-ap", "-o", str(out), "--store", "memory"]
    )
    assert result.exit_code == 0, result.output
    graph = Graph().parse(out, format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 24


def test_ckan_catalogue_validates_and_registers_with_unmapped_terms_reported(
    memory_registry,
) -> None:
    doc = Document(CKAN.name, CKAN.read_bytes(), "dcat")
    report = memory_registry.validate([doc])
    assert report.conforms, [r.as_dict() for r in report.results if r.severity == "Violation"]
    unmapped = {
        (r.severity, (r.path or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        for r in report.results
        if r.source_shape.endswith("Input-dcat-unmapped")
    }
    assert ("Warning", "viewCount") in unmapped
    assert ("Info", "keyword") in unmapped and ("Info", "modified") in unmapped
    located = [r for r in report.results if r.path and r.path.endswith("viewCount")]
    assert dict(located[0].location)["source"] == "https://ckan.example.org/dataset/bus-stops"
    result = memory_registry.submit([doc], REGISTRAR)
    assert result.accepted
    kinds = sorted((c.kind, c.item.removeprefix(BASE)) for c in result.changes)
    assert kinds == [
        ("catalogue", "catalogue/11210100EXAMPLE01N/catalog-0b2cb774"),
        ("interface", "interface/SY-DSJ-API-090"),
        ("resource", "resource/204009-000001"),
        ("resource", "resource/204009-000002"),
    ]
    parking = memory_registry.show(f"{BASE}resource/204009-000002").serialize(format="turtle")
    assert "仅向承担交通管理职责的部门共享" in parking and "method/interface" in parking


def test_an_unmapped_blank_node_is_shown_by_what_it_says(memory_registry) -> None:
    # Regression: `dct:temporal [ ... ]` was reported as "temporal = a755897b12bd...",
    # its random label, which told the submitter nothing of what was left out.
    text = CKAN.read_text(encoding="utf-8").replace(
        "    ckan:viewCount 1024 ;",
        "    ckan:viewCount 1024 ;\n    dct:temporal [ a dct:PeriodOfTime ; "
        'dcat:startDate "2019-01-01"^^xsd:date ; dcat:endDate [ a dct:Bound ] ] ;',
    )
    report = memory_registry.validate([Document("ckan.ttl", text.encode(), "dcat")])
    [temporal] = [r for r in report.results if (r.path or "").endswith("/temporal")]
    assert temporal.value == "[a PeriodOfTime; endDate […]; startDate 2019-01-01]"


def test_a_dataset_without_a_resource_code_is_reported_not_dropped(memory_registry) -> None:
    text = CKAN.read_text(encoding="utf-8").replace('dct:identifier "204009/000002" ;', "")
    report = memory_registry.validate([Document("ckan.ttl", text.encode(), "dcat")])
    assert not report.conforms
    [missing] = [r for r in report.results if r.source_shape.endswith("Input-dcat-identifier")]
    assert dict(missing.location)["source"] == "https://ckan.example.org/dataset/parking-lots"


def semic_examples() -> list[Path]:
    folder = dcat_ap_dir() / "examples"
    skip_unless_available(folder.is_dir(), f"SEMIC examples not found at {folder}")
    return sorted(folder.glob("*.ttl"))


def test_semic_examples_mapping_nothing_were_said_to_conform(memory_registry) -> None:
    """Regression: `screg validate --format dcat` of a SEMIC example exited 0 "conforms"
    while nothing in it mapped to an entry. Now an error naming what was found."""
    from registry.errors import NothingMappedError

    for example in semic_examples():
        doc = Document(example.name, example.read_bytes(), "dcat")
        with pytest.raises(NothingMappedError) as caught:
            memory_registry.validate([doc])
        assert caught.value.status == 422
        assert "nothing in it maps to an entry" in caught.value.message.en
        assert caught.value.details["types"]


def test_cli_validate_of_a_dcat_document_mapping_nothing_exits_2() -> None:
    from click.testing import CliRunner

    from registry.cli import main

    [simple] = [e for e in semic_examples() if "catalogue_simple" in e.name]
    result = CliRunner().invoke(
        main, ["validate", "--store", "memory", "--format", "dcat", str(simple)]
    )
    assert result.exit_code == 2, result.output
    assert "nothing in it maps to an entry" in result.output
    assert "dcat#Catalogue" in result.output  # what was found: a class DCAT does not have


def test_assign_codes_gives_datasets_without_a_code_one_and_keeps_their_identifier(
    memory_registry,
) -> None:
    """Datasets without a 前段码/后段码 code had no way in; --assign-codes gives them
    PREFIX/000001, ... and keeps what identified them in the source as dct:identifier."""
    text = CKAN.read_text(encoding="utf-8").replace(
        'dct:identifier "204009/000002" ;', 'dct:identifier "PARKING-LOTS" ;'
    )
    doc = Document("ckan.ttl", text.encode(), "dcat", {"assign_codes": "209001"})
    report = memory_registry.validate([doc])
    assert report.conforms, [r.as_dict() for r in report.results if r.severity == "Violation"]
    assigned = [r for r in report.results if r.source_shape.endswith("Input-dcat-assigned-code")]
    # 209001/000001 is a seeded resource's: the first code free is the next one.
    assert [(r.severity, r.value) for r in assigned] == [("Info", "209001/000002")]
    result = memory_registry.submit([doc], REGISTRAR)
    assert result.accepted
    shown = memory_registry.show(f"{BASE}resource/209001-000002")
    iri = URIRef(f"{BASE}resource/209001-000002")
    assert str(shown.value(iri, URIRef("https://w3id.org/smartcity-std#resourceCode"))) == (
        "209001/000002"
    )
    assert "PARKING-LOTS" in {str(v) for v in shown.objects(iri, DCTERMS.identifier)}


def test_assign_codes_never_gives_out_a_code_in_use(memory_registry) -> None:
    """Regression: --assign-codes numbered from PREFIX/000001 whatever the register
    held, so importing SEMIC's bee population catalogue with the prefix 209001 wrote
    the Greek dataset over the seeded resource 209001/000001 (a new version of it).
    Codes in use are skipped; the same catalogue imported again gets the codes it got
    the first time (its source identifiers are kept on the entries), and nothing else
    is written over."""
    seeded = memory_registry.history(f"{BASE}resource/209001-000001")
    text = CKAN.read_text(encoding="utf-8").replace(
        'dct:identifier "204009/000002" ;', 'dct:identifier "PARKING-LOTS" ;'
    )
    doc = Document("ckan.ttl", text.encode(), "dcat", {"assign_codes": "209001"})
    first = memory_registry.submit([doc], REGISTRAR)
    assert first.accepted
    made = {c.item: c.outcome for c in first.changes if "/resource/209001-" in c.item}
    assert made == {f"{BASE}resource/209001-000002": "new"}
    assert memory_registry.history(f"{BASE}resource/209001-000001") == seeded
    # The same catalogue again, the dataset retitled: the same code, a new version.
    again = Document(
        "ckan.ttl",
        text.replace("公共停车场信息", "公共停车场信息（更新）").encode(),
        "dcat",
        {"assign_codes": "209001"},
    )
    second = memory_registry.submit([again], REGISTRAR)
    assert second.accepted
    changed = {c.item: c.outcome for c in second.changes if "/resource/209001-" in c.item}
    assert changed == {f"{BASE}resource/209001-000002": "updated"}
    assert memory_registry.history(f"{BASE}resource/209001-000001") == seeded


def test_assign_codes_maps_the_semic_examples_and_lists_what_does_not_fit(memory_registry) -> None:
    """The SEMIC examples map with assigned codes (no longer "nothing maps"); what the
    registry requires and they do not say is reported by the shapes, entry by entry."""
    for example in semic_examples():
        if "catalogue_simple" in example.name:
            continue  # no dcat:Dataset at all: still nothing to map
        options = {"assign_codes": "209001", "department": "11210100EXAMPLE01N"}
        report = memory_registry.validate(
            [Document(example.name, example.read_bytes(), "dcat", options)]
        )
        entries = {r.focus for r in report.results if r.focus}
        assert any("/resource/209001-" in e or "/interface/209001-API-" in e for e in entries)
        assert any(r.source_shape.endswith("Input-dcat-assigned-code") for r in report.results)


def test_assign_codes_refuses_a_prefix_that_is_no_front_code(memory_registry) -> None:
    from registry.errors import InputError

    doc = Document("ckan.ttl", CKAN.read_bytes(), "dcat", {"assign_codes": "ABC"})
    with pytest.raises(InputError):
        memory_registry.validate([doc])


def test_export_keeps_an_assigned_entrys_source_identifier_as_adms_identifier(
    memory_registry,
) -> None:
    text = CKAN.read_text(encoding="utf-8").replace(
        'dct:identifier "204009/000002" ;', 'dct:identifier "PARKING-LOTS" ;'
    )
    doc = Document("ckan.ttl", text.encode(), "dcat", {"assign_codes": "209001"})
    assert memory_registry.submit([doc], REGISTRAR).accepted
    export = export_store(memory_registry.store, BASE)
    iri = URIRef(f"{BASE}resource/209001-000002")  # 000001 is a seeded resource's
    [identifier] = export.objects(iri, ADMS.identifier)
    assert str(export.value(identifier, SKOS.notation)) == "PARKING-LOTS"
    assert str(export.value(iri, DCTERMS.identifier)) == "209001/000002"
    assert dcat_ap_violations(export) == []


@pytest.mark.parametrize(
    ("issued", "registered"),
    [
        ('"2026-01-20"^^xsd:date', "2026-01-20"),
        ('"2026-01-20T08:30:00+08:00"^^xsd:dateTime', "2026-01-20"),
        ('"2026-01-20"', "2026-01-20"),
        ('"2026-01-20T25:00:00"^^xsd:dateTime', None),
        ('"2026-01-20T00:00:00+25:00"^^xsd:dateTime', None),
        ('"2026-01-20 (approximately, or maybe 2027)"', None),
        ('"2026-02-30"^^xsd:date', None),
        # Text as Socrata and DCAT-US write it was refused where the typed one was taken.
        ('"2026-01-20T10:00:00.000Z"', "2026-01-20"),
        ('"2026-01-20T10:00:00+08:00"', "2026-01-20"),
        ('"2026-01-20T10:00:00+08:00"^^xsd:dateTimeStamp', "2026-01-20"),
        ('"2026-01-20"^^xsd:dateTimeStamp', None),
        ('"2026-01-20T25:00:00"', None),
    ],
)
def test_a_malformed_issued_date_was_cut_to_ten_characters_and_accepted(
    memory_registry, issued: str, registered: str | None
) -> None:
    """docs/inputs.md: a malformed date still refuses the submission. The importer kept
    the first ten characters of any dct:issued, so each of these was 2026-01-20."""
    data = CKAN.read_bytes().decode()
    first = 'dct:issued "2026-01-20"^^xsd:date'
    assert first in data
    doc = Document(CKAN.name, data.replace(first, f"dct:issued {issued}", 1).encode(), "dcat")
    report = memory_registry.validate([doc])
    issued_results = [
        r for r in report.results if r.path == str(DCTERMS.issued) and r.severity == "Violation"
    ]
    if registered is None:
        assert not report.conforms
        # One result, the reader's, naming the value as written.
        assert [r.source_shape.rsplit("#", 1)[-1] for r in issued_results] == ["Input-date"]
        assert issued_results[0].value == issued.split('"')[1]
    else:
        assert not issued_results and report.conforms, [r.as_dict() for r in issued_results]
        graph = memory_registry.parse([doc])
        dates = {
            str(o) for o in graph.objects(URIRef(f"{BASE}resource/204009-000001"), DCTERMS.issued)
        }
        assert dates == {registered}


TWO_DATASETS = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://portal.example.org/catalog> a dcat:Catalog ; dct:title "开放目录"@zh ;
    dct:publisher <http://127.0.0.1:8000/id/department/11210100EXAMPLE01N> ;
    dcat:dataset <https://portal.example.org/ds/d41>, <https://portal.example.org/ds/d42> .
<https://portal.example.org/ds/d41> a dcat:Dataset ; dct:identifier "{first}" ;
    dct:title "第一个数据集"@zh ; dct:description "一。"@zh ;
    dct:publisher <http://127.0.0.1:8000/id/department/11210100EXAMPLE01N> .
<https://portal.example.org/ds/d42> a dcat:Dataset ; dct:identifier {second} ;
    dct:title "第二个数据集"@zh ; dct:description "二。"@zh ;
    dct:publisher <http://127.0.0.1:8000/id/department/11210100EXAMPLE01N> .
"""


def _rules(report) -> list[tuple[str, str, str | None]]:
    return sorted(
        (r.severity, r.source_shape.rsplit("#", 1)[-1], r.value)
        for r in report.results
        if "Input-" in r.source_shape and "unmapped" not in r.source_shape
    )


def test_two_datasets_of_one_code_were_merged_into_one_entry(memory_registry) -> None:
    data = TWO_DATASETS.format(first="204009/000272", second='"204009/000272"')
    report = memory_registry.validate([Document("two.ttl", data.encode(), "dcat")])
    assert not report.conforms
    assert _rules(report) == [("Violation", "Input-duplicate-code", "204009/000272")]
    # Not also "needs exactly one Chinese title" for the merged entry.
    assert not [r for r in report.results if r.path == str(DCTERMS.title)]


def test_a_second_code_of_a_dataset_was_dropped_without_a_word(memory_registry) -> None:
    data = TWO_DATASETS.format(first="204009/000273", second='"204009/000274", "204009/000275"')
    report = memory_registry.validate([Document("two.ttl", data.encode(), "dcat")])
    assert _rules(report) == [("Warning", "Input-dcat-identifier-extra", "204009/000275")]
    # Registered under the first (a minimal dataset lacks what a resource needs: those
    # Violations name the first code's entry, and none names the second).
    focuses = {r.focus for r in report.results if r.severity == "Violation"}
    assert f"{BASE}resource/204009-000274" in focuses
    assert not any("000275" in f for f in focuses)


def test_a_full_width_code_was_no_code(memory_registry) -> None:
    data = TWO_DATASETS.format(first="２０４００９／０００２７６", second='"204009/000277"')
    graph = memory_registry.parse([Document("two.ttl", data.encode(), "dcat")])
    assert (URIRef(f"{BASE}resource/204009-000276"), None, None) in graph


@pytest.mark.parametrize(
    "frequency",
    [
        "<http://publications.europa.eu/resource/authority/frequency/HOURLY>",
        # ("monthly", the code list's English word, is an update cycle now:
        # tests/inputs/test_dcat_foreign.py)
        '"fortnightly"',
        '"R/P1M"',
    ],
)
def test_a_frequency_mapping_to_no_cycle_registered_the_entry_without_one(
    memory_registry, frequency: str
) -> None:
    """The reader's Warning that a frequency maps to no update cycle hid the shape's
    Violation that the entry has none, so the entry was registered valid without the
    value its status check then asked for. Now that one result is a Violation."""
    data = CKAN.read_bytes().decode()
    first = "dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY>"
    assert first in data
    doc = Document(
        CKAN.name, data.replace(first, f"dct:accrualPeriodicity {frequency}", 1).encode(), "dcat"
    )
    report = memory_registry.validate([doc])
    assert not report.conforms
    cycle = [r for r in report.results if r.path == str(DCTERMS.accrualPeriodicity)]
    assert [(r.severity, r.source_shape.rsplit("#", 1)[-1]) for r in cycle] == [
        ("Violation", "Input-dcat-unmapped")
    ]


def test_a_provisional_import_refused_a_frequency_it_could_not_map(memory_registry) -> None:
    """Raised to a Violation, the reader's unmapped frequency kept its own constraint, so
    a provisional registration (which takes missing values as ones to complete) refused
    what it would have taken had the frequency been left out."""
    from registry.register.submission import REGISTRAR

    data = CKAN.read_bytes().decode()
    first = "dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY>"
    hourly = first.replace("MONTHLY", "HOURLY")
    doc = Document(CKAN.name, data.replace(first, hourly, 1).encode(), "dcat")
    result = memory_registry.submit([doc], REGISTRAR, provisional=True)
    assert result.accepted, [
        r.as_dict() for r in result.report.results if r.severity == "Violation"
    ]
    cycle = [r for r in result.report.results if r.path == str(DCTERMS.accrualPeriodicity)]
    assert [(r.severity, r.to_complete) for r in cycle] == [("Warning", True)]


@pytest.mark.parametrize("issued", ['"January 2026"', '"2026-01-20T25:00:00"^^xsd:dateTime'])
def test_a_catalogues_issue_date_was_cut_to_ten_characters(memory_registry, issued: str) -> None:
    """A source catalogue's dct:issued was cut to ten characters: "January 2026" was
    registered as "January 20", and an impossible dateTime accepted."""
    data = TWO_DATASETS.format(first="204009/000281", second='"204009/000282"').replace(
        'dct:title "开放目录"@zh ;', f'dct:title "开放目录"@zh ; dct:issued {issued} ;'
    )
    data = "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + data
    report = memory_registry.validate([Document("two.ttl", data.encode(), "dcat")])
    dated = [r for r in report.results if r.path == str(DCTERMS.issued) and "catalogue" in r.focus]
    assert [(r.severity, r.value) for r in dated] == [("Violation", issued.split('"')[1])]
