"""Foreign DCAT catalogues as portals send them: each test is a problem an outside probe
found (reported as findings of /tmp/probe-reports/foreign.md), with the Turtle inline."""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from registry.inputs.document import Document
from registry.namespaces import SCS

BASE = "http://127.0.0.1:8000/id/"
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix fq: <http://publications.europa.eu/resource/authority/frequency/> .
@prefix ar: <http://publications.europa.eu/resource/authority/access-right/> .
@prefix ft: <http://publications.europa.eu/resource/authority/file-type/> .
@prefix dtype: <https://w3id.org/smartcity-std/code/data-type/> .
"""
ITEM = (
    '[ a scs:DataItem ; scs:itemName "名称"@zh ; scs:dataType dtype:C ; scs:length 100 ; '
    "scs:position 1 ]"
)
PUBLISHER = '[ a foaf:Agent ; foaf:name "沈阳市大数据管理局" ]'
DISTRIBUTION = (
    "[ a dcat:Distribution ; dcat:downloadURL <https://p.example/x.csv> ; dct:format ft:CSV ]"
)


def dataset(
    iri: str,
    code: str,
    *,
    items: str = ITEM,
    title: str = '"测试数据集"@zh',
    publisher: str = PUBLISHER,
    distribution: str = DISTRIBUTION,
    extra: str = "",
) -> str:
    return f"""<{iri}> a dcat:Dataset ; dct:identifier "{code}" ; dct:title {title} ;
  dct:description "说明"@zh ; dct:publisher {publisher} ; dct:issued "2026-01-20"^^xsd:date ;
  dct:accrualPeriodicity fq:MONTHLY ; dct:accessRights ar:PUBLIC ;
  dcat:distribution {distribution} ; scs:dataItem {items} {extra} .
"""


def validate(registry, text: str, **options):
    doc = Document("probe.ttl", (PREFIXES + text).encode(), "dcat", options)
    return registry.validate([doc])


def read(registry, text: str, **options):
    return registry.parse([Document("probe.ttl", (PREFIXES + text).encode(), "dcat", options)])


def rule(result) -> str:
    return result.source_shape.rsplit("#", 1)[-1]


def violations(report) -> list:
    return [r for r in report.results if r.severity == "Violation"]


CJK_ONLY = re.compile(r"[A-Za-z]{3,}")  # an English word in a zh message


def test_a_plain_dataset_conforms(memory_registry) -> None:
    report = validate(memory_registry, dataset("https://p.example/ds/ok", "206901/000001"))
    assert report.conforms, [r.as_dict() for r in violations(report)]


# ----------------------------------------------------------------- data items (finding 7)


def test_data_items_without_a_position_were_merged_into_item_none(memory_registry) -> None:
    items = (
        '[ a scs:DataItem ; scs:itemName "站点名称"@zh ; scs:dataType dtype:C ; scs:length 100 ], '
        '[ a scs:DataItem ; scs:itemName "经度"@zh ; scs:dataType dtype:N ; scs:length 11 ]'
    )
    text = dataset("https://p.example/ds/items", "206907/000001", items=items)
    graph = read(memory_registry, text)
    assert not [s for s in graph.subjects() if str(s).endswith("/item/None")]
    report = validate(memory_registry, text)
    found = violations(report)
    assert sorted((rule(r), r.value) for r in found) == [
        ("Input-dcat-item-position", "站点名称"),
        ("Input-dcat-item-position", "经度"),
    ]
    assert "“站点名称”没有序号" in next(r.message_zh for r in found if r.value == "站点名称")
    assert "206907/000001" in found[0].message_zh


def test_two_data_items_of_one_position_were_merged(memory_registry) -> None:
    items = (
        '[ a scs:DataItem ; scs:itemName "站点名称"@zh ; scs:dataType dtype:C ; scs:position 1 ], '
        '[ a scs:DataItem ; scs:itemName "经度"@zh ; scs:dataType dtype:N ; scs:position 1 ], '
        '[ a scs:DataItem ; scs:itemName "纬度"@zh ; scs:dataType dtype:N ; scs:position 2 ]'
    )
    text = dataset("https://p.example/ds/same", "206907/000002", items=items)
    report = validate(memory_registry, text)
    assert sorted((rule(r), r.value) for r in violations(report)) == [
        ("Input-dcat-item-position", "站点名称"),
        ("Input-dcat-item-position", "经度"),
    ]
    [first] = [r for r in violations(report) if r.value == "站点名称"]
    assert "与“经度”同为序号 1" in first.message_zh
    graph = read(memory_registry, text)
    res = URIRef(f"{BASE}resource/206907-000002")
    assert set(graph.objects(res, SCS.dataItem)) == {URIRef(f"{res}/item/2")}


def test_a_position_that_is_no_whole_number_made_an_iri_with_a_space(memory_registry) -> None:
    for position in ('"1 "', '"一"', "0", "1.5"):
        items = f'[ a scs:DataItem ; scs:itemName "名称"@zh ; scs:position {position} ]'
        text = dataset("https://p.example/ds/pos", "206907/000003", items=items)
        graph = read(memory_registry, text)
        res = URIRef(f"{BASE}resource/206907-000003")
        assert not list(graph.objects(res, SCS.dataItem)), position
        report = validate(memory_registry, text)
        assert [(rule(r), r.value) for r in violations(report)] == [
            ("Input-dcat-item-position", "名称")
        ], position


# ----------------------------------------------------------------- language tags (finding 6)


def test_titles_tagged_zh_cn_were_registered_and_then_shown_nowhere(memory_registry) -> None:
    title = '"公交站点"@zh-CN, "Bus stops"@en-GB'
    text = dataset("https://p.example/ds/zhcn", "206906/000001", title=title)
    text += '<https://p.example/ds/zhcn> dct:description "Stops"@EN-us, "公交"@zh-Hans .\n'
    graph = read(memory_registry, text)
    res = URIRef(f"{BASE}resource/206906-000001")
    assert {(str(t), t.language) for t in graph.objects(res, DCTERMS.title)} == {
        ("公交站点", "zh"),
        ("Bus stops", "en"),
    }
    assert {t.language for t in graph.objects(res, DCTERMS.description)} == {"zh", "en"}
    report = validate(memory_registry, text)
    said = [r for r in report.results if rule(r) == "Input-dcat-language"]
    assert [(r.severity, r.value) for r in said] == [("Info", "EN-us, en-GB, zh-CN, zh-Hans")]
    assert not CJK_ONLY.search(re.sub(r"[A-Za-z]{2}-[A-Za-z]+", "", said[0].message_zh))


def test_rdf_input_reads_regional_chinese_and_english_tags_as_zh_and_en() -> None:
    from registry.inputs.rdf import parse_rdf, rdf_format

    for data, fmt in (
        (b'<http://ex/s> <http://ex/p> "x"@zh-cn, "y"@en-gb, "z"@de-at .', "turtle"),
        (b'<http://ex/s> <http://ex/p> "x"@zh-CN, "y"@en-GB, "z"@de-AT .', "turtle"),
        (
            b'{"@id": "http://ex/s", "http://ex/p": {"@value": "x", "@language": "zh-Hans"}}',
            "jsonld",
        ),
    ):
        graph = parse_rdf(data, rdf_format(fmt))
        tags = {o.language for o in graph.objects()}
        assert tags <= {"zh", "en", "de-at", "de-AT"} and "zh" in tags, (fmt, tags)


# ----------------------------------------------------------------- conformsTo (finding 11)


def test_a_standard_identifier_written_as_text_was_read_by_its_last_segment(
    memory_registry,
) -> None:
    extra = '; dct:conformsTo "GB/T 21063.3-2007", "GBT 21063.3—2007", "not a standard"'
    text = dataset("https://p.example/ds/ct", "206908/000001", extra=extra)
    graph = read(memory_registry, text)
    res = URIRef(f"{BASE}resource/206908-000001")
    assert set(graph.objects(res, DCTERMS.conformsTo)) == {
        URIRef(f"{BASE}standard/GB-T-21063.3-2007")
    }
    report = validate(memory_registry, text)
    assert report.conforms, [r.as_dict() for r in violations(report)]
    [unread] = [r for r in report.results if r.path == str(DCTERMS.conformsTo)]
    assert (unread.severity, unread.value) == ("Warning", "not a standard")


# ----------------------------------------------------------------- formats (finding 4)

TWO_DISTRIBUTIONS = """
<https://p.example/d/csv> a dcat:Distribution ; dcat:downloadURL <https://p.example/f.csv> ;
    dct:format ft:CSV .
<https://p.example/d/pdf> a dcat:Distribution ; dcat:downloadURL <https://p.example/f.pdf> ;
    dct:format ft:PDF .
<https://p.example/d/zip> a dcat:Distribution ; dcat:downloadURL <https://p.example/f.zip> ;
    dct:format ft:ZIP .
"""


def test_the_resource_format_came_from_whichever_distribution_was_read_first(
    memory_registry,
) -> None:
    from rdflib import Graph

    text = PREFIXES + TWO_DISTRIBUTIONS
    text += dataset(
        "https://p.example/ds/two",
        "206905/000001",
        distribution="<https://p.example/d/pdf>, <https://p.example/d/zip>, <https://p.example/d/csv>",
    )
    lines = sorted(Graph().parse(data=text, format="turtle").serialize(format="nt").splitlines())
    res = URIRef(f"{BASE}resource/206905-000001")
    for order in (lines, lines[::-1]):
        doc = Document("probe.nt", "\n".join(order).encode(), "dcat")
        graph = memory_registry.parse([doc])
        assert [str(v) for v in graph.objects(res, SCS.formatDetail)] == ["csv"]
        [unused] = [
            r for r in memory_registry.validate([doc]).results if rule(r) == "Input-dcat-format"
        ]
        assert (unused.severity, unused.value) == ("Warning", "PDF, ZIP")


# ----------------------------------------------------------------- publishers (finding 10)


def _publisher_results(report) -> list:
    return [r for r in report.results if rule(r) == "Input-dcat-publisher"]


def test_a_publisher_named_in_english_or_with_spaces_matched_no_department(memory_registry) -> None:
    department = URIRef(f"{BASE}department/11210100EXAMPLE01N")
    for name in (
        '"Shenyang Big Data Administration"@en',
        '"  沈阳市大数据管理局 "',
        '"shenyang  big data administration"',
    ):
        publisher = f"[ a foaf:Agent ; foaf:name {name} ]"
        text = dataset("https://p.example/ds/pub-en", "206909/000001", publisher=publisher)
        graph = read(memory_registry, text)
        assert set(graph.objects(URIRef(f"{BASE}resource/206909-000001"), DCTERMS.publisher)) == {
            department
        }, name


def test_the_first_of_several_publishers_was_taken_silently(memory_registry) -> None:
    police = '[ a foaf:Agent ; foaf:name "沈阳市公安局" ]'
    publisher = police + ', [ a foaf:Agent ; foaf:name "沈阳市大数据管理局" ]'
    text = dataset("https://p.example/ds/pub-2", "206909/000002", publisher=publisher)
    report = validate(memory_registry, text)
    assert not report.conforms
    [several] = _publisher_results(report)
    assert several.severity == "Violation"
    assert "沈阳市公安局" in several.value and "沈阳市大数据管理局" in several.value
    assert "2 个发布者" in several.message_zh


def test_an_unmapped_blank_node_publisher_was_shown_by_its_random_label(memory_registry) -> None:
    from registry.validation.reports import report_json

    publisher = '[ a foaf:Agent ; foaf:name "某某公司" ]'
    text = dataset("https://p.example/ds/pub-x", "206909/000003", publisher=publisher)
    report = validate(memory_registry, text)
    [unmapped] = _publisher_results(report)
    assert unmapped.value == "[a Agent; name 某某公司]"
    assert dict(unmapped.location)["source"] == "https://p.example/ds/pub-x"
    [shown] = [r for r in report_json(report)["results"] if r["shape"].endswith("dcat-publisher")]
    assert shown["path_name"]["zh"] == "提供方"


# ----------------------------------------------------------------- catalogues (finding 3)


def _catalogue(iri: str, title: str, member: str) -> str:
    return f'{iri} a dcat:Catalog ; dct:title "{title}"@zh ; dcat:dataset <{member}> .\n'


def _catalogues(graph) -> set[str]:
    from rdflib.namespace import DCAT, RDF

    return {str(c) for c in graph.subjects(RDF.type, DCAT.Catalog)}


def test_two_portals_catalog_iris_ending_alike_were_one_catalogue(memory_registry) -> None:
    a = _catalogue("<https://a.example/catalog>", "A门户目录", "https://a.example/ds/1")
    a += dataset("https://a.example/ds/1", "206902/000001")
    b = _catalogue("<https://b.example/catalog>", "B门户目录", "https://b.example/ds/1")
    b += dataset("https://b.example/ds/1", "206902/000002")
    [first], [second] = _catalogues(read(memory_registry, a)), _catalogues(read(memory_registry, b))
    assert first != second
    assert first.startswith(f"{BASE}catalogue/11210100EXAMPLE01N/catalog-")
    assert _catalogues(read(memory_registry, a)) == {first}  # stable


def test_a_blank_node_catalogue_was_new_on_every_submission(memory_registry) -> None:
    from registry.register.submission import REGISTRAR

    text = _catalogue("[]", "匿名目录", "https://c.example/ds/1")
    text += dataset("https://c.example/ds/1", "206902/000003")
    assert _catalogues(read(memory_registry, text)) == _catalogues(read(memory_registry, text))
    doc = Document("probe.ttl", (PREFIXES + text).encode(), "dcat")
    assert memory_registry.submit([doc], REGISTRAR).accepted
    again = memory_registry.submit([doc], REGISTRAR)
    assert again.accepted
    assert {c.outcome for c in again.changes} == {"unchanged"}


# ----------------------------------------------------------------- zh answers (finding 16)


def _english_words(zh: str) -> list[str]:
    """English words of a zh message, less IRIs, prefixed names and flags (codes)."""
    zh = re.sub(r"(\?|--)[a-z_-]+=?|\b\w+:[\w/.#-]*|https?://\S+", "", zh)
    return CJK_ONLY.findall(zh)


def test_nothing_mapped_listed_its_reasons_in_english_only(memory_registry) -> None:
    import pytest

    from registry.errors import NothingMappedError

    text = dataset("https://p.example/ds/nocode", "no code")
    with pytest.raises(NothingMappedError) as caught:
        validate(memory_registry, text)
    [left_out] = caught.value.details["not_mapped"]
    assert left_out["reason"] == left_out["reasons"]["en"]
    assert left_out["reasons"]["zh"] and not _english_words(left_out["reasons"]["zh"])


def test_the_identifier_message_named_only_the_command_line_flag(memory_registry) -> None:
    text = dataset("https://p.example/ds/nocode", "no code")
    text += dataset("https://p.example/ds/code", "206912/000001")
    [missing] = [
        r for r in validate(memory_registry, text).results if rule(r) == "Input-dcat-identifier"
    ]
    for message in (missing.message_zh, missing.message_en):
        assert "?assign_codes=" in message and "--assign-codes" in message
    assert not _english_words(missing.message_zh)


# ----------------------------------------------------------------- dropped unsaid (finding 15)


def _unmapped(report, path) -> list[tuple[str, str | None]]:
    return [
        (r.severity, r.value)
        for r in report.results
        if rule(r) == "Input-dcat-unmapped" and r.path == (path and str(path))
    ]


def test_distribution_properties_were_dropped_without_a_word(memory_registry) -> None:
    from rdflib.namespace import DCAT

    distribution = (
        "[ a dcat:Distribution ; dcat:downloadURL <https://p.example/x.csv> ; dct:format ft:CSV ;"
        ' dct:title "下载"@zh ; dcat:byteSize 1024 ]'
    )
    text = dataset("https://p.example/ds/dist", "206913/000001", distribution=distribution)
    report = validate(memory_registry, text)
    assert report.conforms
    assert _unmapped(report, DCAT.distribution) == [
        ("Info", "title 下载; byteSize 1024; downloadURL https://p.example/x.csv")
    ]
    odd = distribution.replace("dcat:byteSize 1024", "<https://p.example/ns#mirror> true")
    text = dataset("https://p.example/ds/dist", "206913/000001", distribution=odd)
    [(severity, _value)] = _unmapped(validate(memory_registry, text), DCAT.distribution)
    assert severity == "Warning"


def test_a_served_dataset_outside_the_document_was_dropped_without_a_word(
    memory_registry,
) -> None:
    text = dataset("https://p.example/ds/served", "206914/000001")
    text += """<https://p.example/api> a dcat:DataService ; dct:identifier "SY-API-914" ;
      dct:title "接口"@zh ; dct:publisher [ a foaf:Agent ; foaf:name "沈阳市大数据管理局" ] ;
      dcat:endpointURL <https://p.example/api/v1> ;
      dcat:servesDataset <https://p.example/ds/served>, <https://elsewhere.example/ds/9> .
    """
    report = validate(memory_registry, text)
    assert _unmapped(report, None) == [("Warning", "https://elsewhere.example/ds/9")]


def test_an_adms_identifier_beside_a_code_was_dropped_without_a_word(memory_registry) -> None:
    from registry.namespaces import ADMS

    notation = '<http://www.w3.org/2004/02/skos/core#notation> "doi:10.1/x"'
    extra = f"; <http://www.w3.org/ns/adms#identifier> [ {notation} ]"
    text = dataset("https://p.example/ds/adms", "206915/000001", extra=extra)
    report = validate(memory_registry, text)
    assert _unmapped(report, ADMS.identifier) == [("Info", "doi:10.1/x")]
    assert not _unmapped(report, DCTERMS.identifier)  # the code itself is registered


def test_an_unmapped_blank_node_frequency_was_shown_by_its_random_label(memory_registry) -> None:
    text = dataset("https://p.example/ds/freq", "206916/000001").replace(
        "dct:accrualPeriodicity fq:MONTHLY", 'dct:accrualPeriodicity [ dct:description "每两周" ]'
    )
    report = validate(memory_registry, text)
    [cycle] = [r for r in report.results if r.path == str(DCTERMS.accrualPeriodicity)]
    assert cycle.value == "[description 每两周]"
    assert "[description 每两周]" in cycle.message_zh


def test_two_sources_blank_node_catalogues_of_one_title_dropped_each_others_members(
    memory_registry,
) -> None:
    """Two portals' blank-node catalogues titled 数据目录 are one entry (a blank node is
    named by its titles): the second replaced the first's members, and its report said
    nothing. It is still one entry, but the report names what leaves the catalogue."""
    from registry.register.submission import REGISTRAR

    first = _catalogue("[]", "数据目录", "https://a.example/ds/1")
    first += dataset("https://a.example/ds/1", "206902/000011")
    second = _catalogue("[]", "数据目录", "https://b.example/ds/21")
    second += dataset("https://b.example/ds/21", "206902/000021")

    def submit(text: str):
        doc = Document("probe.ttl", (PREFIXES + text).encode(), "dcat")
        result = memory_registry.submit([doc], REGISTRAR)
        assert result.accepted, [r.as_dict() for r in result.report.results]
        return result

    submit(first)
    again = submit(first)  # the same catalogue again: nothing leaves it
    assert not [r for r in again.report.results if r.source_shape.endswith("CatalogueMembers")]
    replaced = submit(second)
    [warning] = [r for r in replaced.report.results if r.source_shape.endswith("CatalogueMembers")]
    assert warning.severity == "Warning"
    assert f"{BASE}resource/206902-000011" in warning.message_zh
    assert "数据目录" in warning.message_zh and "IRI" in warning.message_en


# ------------------------------------------------ frequencies and dates as portals write them


@pytest.mark.parametrize(
    ("written", "cycle"),
    [
        ('"每月"', "monthly"),
        ('"按月"', "monthly"),
        ('"Quarterly"@en', "quarterly"),
        ('[ dct:title "每季度" ]', "quarterly"),
        ("<http://purl.org/cld/freq/monthly>", "monthly"),
        ("<http://purl.org/cld/freq/semiannual>", "halfyearly"),
        ("<http://publications.europa.eu/resource/authority/frequency/ANNUAL>", "yearly"),
    ],
)
def test_a_frequency_written_as_the_code_lists_word_or_a_dublin_core_iri_was_refused(
    memory_registry, written: str, cycle: str
) -> None:
    """The spreadsheet reader takes 每月 and 按月; the DCAT reader refused them, the older
    Dublin Core frequency IRIs and a frequency node with a title, each a Violation a
    provisional registration could not downgrade."""
    text = dataset("https://a.example/ds/7", "206902/000070").replace(
        "dct:accrualPeriodicity fq:MONTHLY", f"dct:accrualPeriodicity {written}"
    )
    graph = read(memory_registry, text)
    res = URIRef(f"{BASE}resource/206902-000070")
    assert str(graph.value(res, DCTERMS.accrualPeriodicity)).endswith(f"/{cycle}")
    assert not [p for p in graph.problems if "accrualPeriodicity" in (p.path or "")]


def test_an_unknown_frequency_names_the_cycles_it_may_take(memory_registry) -> None:
    text = dataset("https://a.example/ds/8", "206902/000080").replace(
        "dct:accrualPeriodicity fq:MONTHLY", 'dct:accrualPeriodicity "每两周"'
    )
    graph = read(memory_registry, text)
    [problem] = [p for p in graph.problems if "accrualPeriodicity" in (p.path or "")]
    assert "实时、每日、每周" in problem.message_zh and "不定期" in problem.message_zh
    assert "purl.org/cld/freq" in problem.message_en


@pytest.mark.parametrize(
    "written",
    ['"2023/05/01"', '"2023年5月1日"', '"2023-05-01 10:00:00"', '"2023.5.1"', '"20230501"'],
)
def test_an_issue_date_as_chinese_portals_write_it_was_not_a_date(
    memory_registry, written: str
) -> None:
    text = dataset("https://a.example/ds/9", "206902/000090").replace(
        'dct:issued "2026-01-20"^^xsd:date', f"dct:issued {written}"
    )
    graph = read(memory_registry, text)
    res = URIRef(f"{BASE}resource/206902-000090")
    assert {str(d) for d in graph.objects(res, DCTERMS.issued)} == {"2023-05-01"}
    assert not [p for p in graph.problems if "issued" in (p.path or "")]


@pytest.mark.parametrize("written", ['"2023-05-01 (approximately)"', '"2023"', '"2023/02/30"'])
def test_what_is_no_day_stays_refused(memory_registry, written: str) -> None:
    text = dataset("https://a.example/ds/10", "206902/000100").replace(
        'dct:issued "2026-01-20"^^xsd:date', f"dct:issued {written}"
    )
    graph = read(memory_registry, text)
    assert [p for p in graph.problems if "issued" in (p.path or "")]


def test_two_chinese_titles_folded_into_zh_were_reported_without_either(memory_registry) -> None:
    """dct:title "停车场占用"@zh-CN, "停车位占用情况"@zh-Hans: both are read as zh, and
    the one result was the shape's 'exactly one Chinese title' with no value. One result
    now, naming both titles and why two tags made one language."""
    text = dataset(
        "https://a.example/ds/11",
        "206902/000110",
        title='"停车场占用"@zh-CN , "停车位占用情况"@zh-Hans',
    )
    report = validate(memory_registry, text)
    titles = [r for r in report.results if r.path == str(DCTERMS.title)]
    assert len(titles) == 1, [(r.source_shape, r.message_en) for r in titles]
    [title] = titles
    assert title.severity == "Violation" and title.source_shape.endswith("Input-dcat-title")
    assert "“停车场占用”" in title.message_zh and "“停车位占用情况”" in title.message_zh
    assert "zh-Hans" in title.message_zh


def test_a_publisher_written_as_its_name_in_text_matched_no_department(memory_registry) -> None:
    """dct:publisher "沈阳市大数据管理局" (the registered name, as text, as portals write
    it) was 'could not be mapped', with no word of --department."""
    department = URIRef(f"{BASE}department/11210100EXAMPLE01N")
    text = dataset(
        "https://p.example/ds/pub-text", "206909/000002", publisher='"沈阳市大数据管理局"'
    )
    graph = read(memory_registry, text)
    res = URIRef(f"{BASE}resource/206909-000002")
    assert set(graph.objects(res, DCTERMS.publisher)) == {department}
    unknown = dataset("https://p.example/ds/pub-none", "206909/000003", publisher='"某某局"')
    [problem] = [
        p for p in read(memory_registry, unknown).problems if rule(p) == "Input-dcat-publisher"
    ]
    assert "--department" in problem.message_zh


def test_department_replaced_a_publisher_without_a_word(memory_registry) -> None:
    """With --department, a publisher the document names and the registry cannot map was
    replaced silently: an Info says so now."""
    text = dataset("https://p.example/ds/pub-given", "206909/000004", publisher='"沈阳市交通局"')
    graph = read(memory_registry, text, department="11210100EXAMPLE01N")
    res = URIRef(f"{BASE}resource/206909-000004")
    assert set(graph.objects(res, DCTERMS.publisher)) == {
        URIRef(f"{BASE}department/11210100EXAMPLE01N")
    }
    [said] = [p for p in graph.problems if rule(p) == "Input-dcat-publisher-given"]
    assert said.severity == "Info" and "沈阳市交通局" in said.message_zh
    assert "11210100EXAMPLE01N" in said.message_zh


def test_a_blank_node_datasets_result_was_placed_at_a_random_label(memory_registry) -> None:
    """A dataset written as a blank node was reported at `source de54ddc4…`: its label
    is random. It is named by its identifier now."""
    text = (
        dataset("https://a.example/ds/12", "206902/000120")
        .replace("<https://a.example/ds/12> a dcat:Dataset", "[] a dcat:Dataset")
        .replace('dct:issued "2026-01-20"^^xsd:date', 'dct:issued "不是日期"')
    )
    report = validate(memory_registry, text)
    [issued] = [r for r in report.results if r.path == str(DCTERMS.issued)]
    assert dict(issued.location)["source"] == "[identifier 206902/000120]"
