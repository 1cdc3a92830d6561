"""The ontology files (ontology/*.ttl) against docs/vocabulary.md.

Every term the vocabulary names must be declared, labelled and defined in
Chinese and English; the category scheme and the code lists must match the
vocabulary's tables exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as ns

from registry.namespaces import (
    ADOPTION,
    CAT,
    CYCLE,
    DTYPE,
    FORMAT,
    LEVEL,
    METHOD,
    NATURE,
    OPENNESS,
    PREFIXES,
    RCLASS,
    REGSTATUS,
    SCS,
    SHARING,
    STDSTATUS,
)

DCTERMS, OWL, PROV = ns.DCTERMS, ns.OWL, ns.PROV
RDF, RDFS, SKOS = ns.RDF, ns.RDFS, ns.SKOS

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
FILES = ("scs.ttl", "categories.ttl", "codelists.ttl")
VOCABULARY = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
ONTOLOGY_IRI = URIRef("https://w3id.org/smartcity-std")

OWL_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def _parse(name: str) -> Graph:
    return Graph().parse(data=(ONTOLOGY / name).read_bytes(), format="turtle")


_GRAPHS: dict[str, Graph] = {}


def graph(name: str) -> Graph:
    if name not in _GRAPHS:
        _GRAPHS[name] = _parse(name)
    return _GRAPHS[name]


def merged() -> Graph:
    if "*" not in _GRAPHS:
        g = Graph()
        for name in FILES:
            g += graph(name)
        _GRAPHS["*"] = g
    return _GRAPHS["*"]


def expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(str(PREFIXES[prefix]) + local)


def section(title: str) -> str:
    """The text of a '## title' section of vocabulary.md, up to the next '## '."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", VOCABULARY, re.M | re.S)
    assert match, f"section {title!r} not found in vocabulary.md"
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[1:] if rows else rows  # drop the header row


def code_list_table() -> dict[str, list[str]]:
    """scheme curie -> concept curies, from the 'Code lists' table."""
    out: dict[str, list[str]] = {}
    for scheme_cell, concepts_cell in table_rows(section("Code lists")):
        scheme = scheme_cell.strip("`")
        out[scheme] = re.findall(r"`([a-z]+:[\w.\-]+)`", concepts_cell)
    return out


def category_table() -> list[tuple[str, str, str]]:
    return [
        (code, zh, en) for code, zh, en in table_rows(section("The standard system (categories)"))
    ]


def langs(g: Graph, s: URIRef, p: URIRef) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in g.objects(s, p):
        if isinstance(o, Literal) and o.language:
            out.setdefault(o.language, []).append(str(o))
    return out


def pref(g: Graph, s: URIRef, lang: str) -> str:
    values = langs(g, s, SKOS.prefLabel).get(lang, [])
    assert len(values) == 1, f"{s}: expected one skos:prefLabel@{lang}, got {values}"
    return values[0]


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("name", FILES)
def test_parses_from_bytes(name: str) -> None:
    g = _parse(name)
    assert len(g) > 50


@pytest.mark.parametrize("name", FILES)
def test_no_blank_nodes(name: str) -> None:
    blanks = [t for t in graph(name) if any(isinstance(term, BNode) for term in t)]
    assert blanks == []


@pytest.mark.parametrize("name", FILES)
def test_no_owl_imports(name: str) -> None:
    assert list(graph(name).triples((None, OWL.imports, None))) == []
    code_lines = [
        line
        for line in (ONTOLOGY / name).read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert not any("imports" in line for line in code_lines)


# --------------------------------------------------------------------------- scs.ttl


def test_ontology_header() -> None:
    g = graph("scs.ttl")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    for p in (DCTERMS.title, DCTERMS.description):
        found = langs(g, ONTOLOGY_IRI, p)
        assert {"zh", "en"} <= found.keys(), p
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


def test_every_scs_term_of_the_vocabulary_is_declared() -> None:
    g = graph("scs.ttl")
    names = set(re.findall(r"\bscs:([A-Za-z][A-Za-z0-9]*)", VOCABULARY))
    schemes = {c.split(":", 1)[1] for c in code_list_table()}
    missing = []
    for local in sorted(names - schemes):
        term = SCS[local]
        if not any((term, RDF.type, kind) in g for kind in OWL_KINDS):
            missing.append(local)
    assert missing == []
    # nothing declared in scs: that the vocabulary does not name
    declared = {
        str(s)[len(str(SCS)) :]
        for kind in OWL_KINDS
        for s in g.subjects(RDF.type, kind)
        if str(s).startswith(str(SCS))
    }
    assert declared <= names
    assert len(declared) >= 50


@pytest.mark.parametrize(
    ("term", "kind"),
    [
        (SCS.Standard, OWL.Class),
        (SCS.InformationResource, OWL.Class),
        (SCS.DataItem, OWL.Class),
        (SCS.DataInterface, OWL.Class),
        (SCS.RegisterItem, OWL.Class),
        (SCS.ItemVersion, OWL.Class),
        (SCS.Submission, OWL.Class),
        (SCS.StatusChange, OWL.Class),
        (SCS.level, OWL.ObjectProperty),
        (SCS.category, OWL.ObjectProperty),
        (SCS.datedReference, OWL.ObjectProperty),
        (SCS.undatedReference, OWL.ObjectProperty),
        (SCS.dataItem, OWL.ObjectProperty),
        (SCS.registerStatus, OWL.ObjectProperty),
        (SCS.successor, OWL.ObjectProperty),
        (SCS.resourceCode, OWL.DatatypeProperty),
        (SCS.creditCode, OWL.DatatypeProperty),
        (SCS.length, OWL.DatatypeProperty),
        (SCS.versionNumber, OWL.DatatypeProperty),
        (SCS.conforms, OWL.DatatypeProperty),
        (SCS.generation, OWL.DatatypeProperty),
    ],
)
def test_kinds(term: URIRef, kind: URIRef) -> None:
    g = graph("scs.ttl")
    assert (term, RDF.type, kind) in g
    others = [k for k in OWL_KINDS if k != kind and (term, RDF.type, k) in g]
    assert others == []


@pytest.mark.parametrize(
    ("sub", "rel", "sup"),
    [
        (SCS.Standard, RDFS.subClassOf, DCTERMS.Standard),
        (SCS.InformationResource, RDFS.subClassOf, ns.DCAT.Dataset),
        (SCS.DataInterface, RDFS.subClassOf, ns.DCAT.DataService),
        (SCS.ItemVersion, RDFS.subClassOf, PROV.Entity),
        (SCS.Submission, RDFS.subClassOf, PROV.Activity),
        (SCS.StatusChange, RDFS.subClassOf, PROV.Activity),
        (SCS.category, RDFS.subPropertyOf, DCTERMS.subject),
        (SCS.datedReference, RDFS.subPropertyOf, DCTERMS.references),
        (SCS.undatedReference, RDFS.subPropertyOf, DCTERMS.references),
    ],
)
def test_reuse_hierarchy(sub: URIRef, rel: URIRef, sup: URIRef) -> None:
    assert (sub, rel, sup) in graph("scs.ttl")


def test_domains_and_ranges_point_at_known_terms() -> None:
    g = graph("scs.ttl")
    classes = set(g.subjects(RDF.type, OWL.Class))
    for p in (RDFS.domain, RDFS.range):
        for s, o in g.subject_objects(p):
            assert isinstance(o, URIRef), (s, p, o)
            if str(o).startswith(str(SCS)):
                assert o in classes, (s, p, o)
    assert g.value(SCS.dataItem, RDFS.range) == SCS.DataItem
    assert g.value(SCS.currentVersion, RDFS.range) == SCS.ItemVersion
    assert g.value(SCS.versionOf, RDFS.range) == SCS.RegisterItem
    assert g.value(SCS.datedReference, RDFS.range) == SCS.Standard


def test_owl_terms_labelled_and_defined_in_zh_and_en() -> None:
    g = graph("scs.ttl")
    terms = {s for kind in OWL_KINDS for s in g.subjects(RDF.type, kind)}
    assert terms
    problems = []
    for term in sorted(terms):
        labels = langs(g, term, RDFS.label)
        definitions = langs(g, term, SKOS.definition) or langs(g, term, RDFS.comment)
        for lang in ("zh", "en"):
            if len(labels.get(lang, [])) != 1:
                problems.append(f"{term} rdfs:label@{lang}")
            if not definitions.get(lang):
                problems.append(f"{term} definition@{lang}")
    assert problems == []


# --------------------------------------------------------------------------- SKOS, all files


def test_concepts_and_schemes_labelled_and_defined_in_zh_and_en() -> None:
    g = merged()
    nodes = set(g.subjects(RDF.type, SKOS.Concept)) | set(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(nodes) > 80
    problems = []
    for node in sorted(nodes):
        labels = langs(g, node, SKOS.prefLabel)
        definitions = langs(g, node, SKOS.definition)
        for lang in ("zh", "en"):
            if len(labels.get(lang, [])) != 1:
                problems.append(f"{node} skos:prefLabel@{lang}")
            if not definitions.get(lang):
                problems.append(f"{node} skos:definition@{lang}")
    assert problems == []


def test_every_concept_in_a_scheme_with_a_notation() -> None:
    g = merged()
    schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    for concept in g.subjects(RDF.type, SKOS.Concept):
        in_schemes = set(g.objects(concept, SKOS.inScheme))
        assert len(in_schemes) == 1 and in_schemes <= schemes, concept
        notations = list(g.objects(concept, SKOS.notation))
        assert len(notations) == 1, concept
        # the notation is the local name of the IRI
        assert str(concept).endswith("/" + str(notations[0])), concept


def test_top_concepts_are_symmetric() -> None:
    g = merged()
    for concept, scheme in g.subject_objects(SKOS.topConceptOf):
        assert (scheme, SKOS.hasTopConcept, concept) in g
        assert (concept, SKOS.inScheme, scheme) in g
    for scheme, concept in g.subject_objects(SKOS.hasTopConcept):
        assert (concept, SKOS.topConceptOf, scheme) in g


# --------------------------------------------------------------------------- categories.ttl


def test_six_top_categories_match_the_table() -> None:
    g = graph("categories.ttl")
    scheme = SCS.SmartCityStandardSystem
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    tops = set(g.objects(scheme, SKOS.hasTopConcept))
    assert tops == set(g.subjects(SKOS.topConceptOf, scheme))
    assert tops == {CAT[str(n)] for n in range(1, 7)}
    expected = {code: (zh, en) for code, zh, en in category_table() if "." not in code}
    assert sorted(expected) == ["1", "2", "3", "4", "5", "6"]
    assert expected["3"] == (
        "数据存储与信息共享标准",
        "Data storage and information sharing standards",
    )
    for top in tops:
        notation = str(g.value(top, SKOS.notation))
        assert top == CAT[notation]
        assert (pref(g, top, "zh"), pref(g, top, "en")) == expected[notation]
        assert g.value(top, SKOS.broader) is None


def test_sub_categories_match_the_table() -> None:
    g = graph("categories.ttl")
    scheme = SCS.SmartCityStandardSystem
    rows = [(code, zh, en) for code, zh, en in category_table() if "." in code]
    assert len(rows) >= 10
    tops = set(g.objects(scheme, SKOS.hasTopConcept))
    for code, zh, en in rows:
        concept = CAT[code]
        assert (concept, RDF.type, SKOS.Concept) in g, code
        assert (concept, SKOS.inScheme, scheme) in g, code
        assert (concept, SKOS.topConceptOf, None) not in g, code
        assert str(g.value(concept, SKOS.notation)) == code
        assert (pref(g, concept, "zh"), pref(g, concept, "en")) == (zh, en)
        broader = list(g.objects(concept, SKOS.broader))
        assert broader == [CAT[code.split(".")[0]]], code
        assert broader[0] in tops
        assert (broader[0], SKOS.narrower, concept) in g, code
    # every concept of the file is in the table, and narrower is never one-sided
    table = {CAT[code] for code, _, _ in category_table()}
    assert set(g.subjects(RDF.type, SKOS.Concept)) == table
    for parent, child in g.subject_objects(SKOS.narrower):
        assert (child, SKOS.broader, parent) in g


# --------------------------------------------------------------------------- codelists.ttl


def test_code_list_table_read() -> None:
    table = code_list_table()
    assert "scs:SmartCityStandardSystem" in table
    assert len(table) == 13
    assert table["scs:DataItemTypes"][0] == "dtype:C"


def test_every_code_list_of_the_vocabulary_exists_with_its_concepts() -> None:
    g = graph("codelists.ttl")
    table = code_list_table()
    for scheme_curie, concept_curies in table.items():
        if scheme_curie == "scs:SmartCityStandardSystem":
            continue  # in categories.ttl, tested above
        scheme = expand(scheme_curie)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in g, scheme_curie
        expected = {expand(c) for c in concept_curies}
        assert expected, scheme_curie
        in_scheme = set(g.subjects(SKOS.inScheme, scheme))
        assert in_scheme == expected, scheme_curie
        assert set(g.objects(scheme, SKOS.hasTopConcept)) == expected, scheme_curie
        for concept in expected:
            assert (concept, RDF.type, SKOS.Concept) in g
            assert (concept, SKOS.topConceptOf, scheme) in g
    schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == {expand(s) for s in table if s != "scs:SmartCityStandardSystem"}


SPREADSHEET_WORDS: dict[URIRef, str] = {
    LEVEL.international: "国际标准",
    LEVEL.national: "国家标准",
    LEVEL.industry: "行业标准",
    LEVEL.local: "地方标准",
    LEVEL.group: "团体标准",
    LEVEL.enterprise: "企业标准",
    NATURE.mandatory: "强制性",
    NATURE.recommended: "推荐性",
    NATURE.guidance: "指导性技术文件",
    STDSTATUS.current: "现行",
    STDSTATUS.forthcoming: "即将实施",
    STDSTATUS.abolished: "废止",
    STDSTATUS.superseded: "被代替",
    ADOPTION.IDT: "等同采用",
    ADOPTION.MOD: "修改采用",
    ADOPTION.NEQ: "非等效采用",
    SHARING.unconditional: "无条件共享",
    SHARING.conditional: "有条件共享",
    SHARING.none: "不予共享",
    METHOD.database: "数据库",
    METHOD.file: "文件",
    METHOD.interface: "接口",
    METHOD.media: "其他介质",
    OPENNESS.open: "是",
    OPENNESS.closed: "否",
    CYCLE.realtime: "实时",
    CYCLE.daily: "每日",
    CYCLE.weekly: "每周",
    CYCLE.monthly: "每月",
    CYCLE.quarterly: "每季度",
    CYCLE.halfyearly: "每半年",
    CYCLE.yearly: "每年",
    CYCLE.irregular: "不定期",
    FORMAT.document: "电子文件",
    FORMAT.spreadsheet: "电子表格",
    FORMAT.database: "数据库",
    FORMAT.image: "图形图像",
    FORMAT.streaming: "流媒体",
    FORMAT.selfdescribing: "自描述格式",
    DTYPE.C: "字符型",
    DTYPE.N: "数值型",
    DTYPE.Y: "货币型",
    DTYPE.D: "日期型",
    DTYPE.T: "日期时间型",
    DTYPE.L: "逻辑型",
    DTYPE.M: "备注型",
    DTYPE.G: "通用型",
    DTYPE.B: "双精度型",
    DTYPE.I: "整型",
    DTYPE.F: "浮点型",
    RCLASS["1"]: "基础信息资源",
    RCLASS["2"]: "主题信息资源",
    RCLASS["3"]: "部门信息资源",
    REGSTATUS.submitted: "已提交",
    REGSTATUS.valid: "有效",
    REGSTATUS.invalid: "无效",
    REGSTATUS.deprecated: "已弃用",
    REGSTATUS.superseded: "已被取代",
    REGSTATUS.retired: "已撤销",
}


def test_zh_pref_labels_are_the_spreadsheet_words() -> None:
    g = graph("codelists.ttl")
    wrong = {c: pref(g, c, "zh") for c, w in SPREADSHEET_WORDS.items() if pref(g, c, "zh") != w}
    assert wrong == {}
    # every code-list concept is covered by the list above
    assert set(g.subjects(RDF.type, SKOS.Concept)) == set(SPREADSHEET_WORDS)


@pytest.mark.parametrize(
    ("concept", "alt"),
    [
        (RCLASS["1"], "基础"),
        (RCLASS["2"], "主题"),
        (RCLASS["3"], "部门"),
        (OPENNESS.open, "向社会开放"),
    ],
)
def test_alt_labels(concept: URIRef, alt: str) -> None:
    assert Literal(alt, lang="zh") in set(graph("codelists.ttl").objects(concept, SKOS.altLabel))


def test_pref_and_alt_labels_unambiguous_within_a_scheme() -> None:
    """A spreadsheet word must map to one concept of a scheme (tabular input relies on it)."""
    g = graph("codelists.ttl")
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        seen: dict[tuple[str, str | None], URIRef] = {}
        for concept in g.subjects(SKOS.inScheme, scheme):
            for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.notation):
                for label in g.objects(concept, p):
                    key = (str(label).casefold(), getattr(label, "language", None))
                    assert seen.setdefault(key, concept) == concept, (scheme, label)


def test_adoption_notations() -> None:
    g = graph("codelists.ttl")
    assert {str(g.value(c, SKOS.notation)) for c in (ADOPTION.IDT, ADOPTION.MOD, ADOPTION.NEQ)} == {
        "IDT",
        "MOD",
        "NEQ",
    }
