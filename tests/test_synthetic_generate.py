"""The data generator (synthetic/generate.py): deterministic, sized as asked, well-formed RDF."""

from __future__ import annotations

import io

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib import namespace as ns

from registry.inputs.identifiers import WELL_FORMED, is_valid_credit_code
from registry.namespaces import SCS
from synthetic.generate import INVALID_KINDS, generate_catalogue, write_registry

N = 50


@pytest.fixture(scope="module")
def catalogue() -> tuple[str, list[str], Graph]:
    text, invalid = generate_catalogue(N, seed=7)
    return text, invalid, Graph().parse(data=text, format="turtle")


def test_same_seed_same_text(catalogue):
    text, invalid, _graph = catalogue
    again, invalid_again = generate_catalogue(N, seed=7)
    assert again == text
    assert invalid_again == invalid
    assert generate_catalogue(N, seed=8)[0] != text


def test_requested_resources_with_ten_items_each(catalogue):
    _text, _invalid, graph = catalogue
    resources = set(graph.subjects(ns.RDF.type, SCS.InformationResource))
    assert len(resources) == N
    for resource in resources:
        items = list(graph.objects(resource, SCS.dataItem))
        assert len(items) == 10
        assert all(str(item).startswith(f"{resource}/item/") for item in items)
        assert all((item, ns.RDF.type, SCS.DataItem) in graph for item in items)
    catalogs = list(graph.subjects(ns.RDF.type, ns.DCAT.Catalog))
    assert len(catalogs) == 1
    assert set(graph.objects(catalogs[0], ns.DCAT.dataset)) == resources


def test_no_blank_nodes_and_one_valid_department(catalogue):
    _text, _invalid, graph = catalogue
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)
    codes = [str(code) for code in graph.objects(None, SCS.creditCode)]
    assert len(codes) == 1 and is_valid_credit_code(codes[0])
    publishers = set(graph.objects(None, ns.DCTERMS.publisher))
    assert len(publishers) == 1


def test_invalid_ratio_about_right(catalogue):
    _text, invalid, graph = catalogue
    assert len(invalid) == 1  # 2 % of 50
    subjects = set(graph.subjects())
    assert all(URIRef(focus) in subjects for focus in invalid)
    _text, many = generate_catalogue(200, seed=3, invalid_ratio=0.1)
    assert len(many) == 20
    assert generate_catalogue(N, invalid_ratio=0.0)[1] == []


def test_registry_mode_standards_are_well_formed_and_unique():
    out = io.StringIO()
    result = write_registry(out, "ttl", n_standards=60, n_resources=20, n_departments=3)
    graph = Graph().parse(data=out.getvalue(), format="turtle")
    identifiers = [
        str(i)
        for s in graph.subjects(ns.RDF.type, SCS.Standard)
        for i in graph.objects(s, ns.DCTERMS.identifier)
    ]
    assert len(identifiers) == 60 == len(set(identifiers))
    assert all(WELL_FORMED.match(i) for i in identifiers)
    assert len(set(graph.subjects(ns.RDF.type, SCS.InformationResource))) == 20
    assert {kind for _focus, kind in result.invalid} <= set(INVALID_KINDS)


def test_a_fixed_department_gives_one_owner_whatever_the_seed() -> None:
    """Catalogues of one department never give one resource code two providers (a
    registrar's catalogue doing so is refused: an owner changes by a transfer)."""
    publishers = {
        line.split()[-2]
        for seed in (1, 2, 3, 4)
        for line in generate_catalogue(20, seed=seed, department=0)[0].splitlines()
        if "dct:publisher" in line
    }
    assert len(publishers) == 1, publishers


def test_a_generated_catalogue_was_refused_by_a_registry_of_another_base(tmp_path, validator):
    """The generator minted every IRI under http://127.0.0.1:8000/id/: a registry served
    under another base refused each entry (a probe rewrote the file with sed). With
    `--base` the catalogue validates against a registry of that base."""
    from registry.config import Settings
    from registry.inputs.document import Document
    from registry.service import Registry
    from synthetic.generate import main

    base = "https://registry.example.org/id/"
    out = tmp_path / "cat.ttl"
    assert main(["catalogue", "--resources", "5", "--invalid-ratio", "0", "--base", base,
                 "-o", str(out)]) == 0  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert base in text and "127.0.0.1:8000" not in text
    settings = Settings(store="memory", base_iri=base)
    with Registry(settings, validator=validator) as registry:
        report = registry.validate([Document("cat.ttl", text.encode(), "turtle")])
    assert report.conforms, [r.as_dict() for r in report.results if r.severity == "Violation"]
    with pytest.raises(SystemExit):
        main(["catalogue", "--base", "not an iri", "-o", str(out)])
