"""Dependency graphs on the example data: impact, chains, cycles, undated references,
dates, coverage, exports, the cache, and agreement with SPARQL property paths."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from datetime import date

import networkx as nx
import pytest

from registry.graphs import (
    GraphCache,
    coverage_report,
    dependencies,
    dependents,
    dot_available,
    identifier_year,
    impact_of,
    neighbourhood,
    reference_cycles,
    render,
    replacement_chain,
    shortest_path,
    to_dot,
    to_graphml,
    to_node_link,
    to_svg,
)
from registry.graphs import export as export_module
from registry.graphs.export import RendererUnavailableError
from registry.inputs.document import Document
from registry.namespaces import GRAPH_CURRENT, GRAPH_ONTOLOGY, sparql_prefixes
from registry.register.submission import REGISTRAR
from registry.service import Registry
from tests.conftest import skip_unless_available

BASE = "http://127.0.0.1:8000/id/"
STD = BASE + "standard/"
RES = BASE + "resource/"
PI_2017 = STD + "GB-T-35273-2017"  # superseded by GB/T 35273-2020
PI_2020 = STD + "GB-T-35273-2020"
DEPENDS = "(scs:datedReference|scs:undatedReference|dct:conformsTo|dcat:servesDataset)"


def standard_ttl(ident: str, *, dated: str = "", undated: str = "", year: str = "") -> bytes:
    """A conforming standard of one edition, citing others by slug."""
    slug = ident.replace("/", "-").replace(" ", "-")
    refs = ""
    if dated:
        refs += f" ; scs:datedReference std:{dated}"
    if undated:
        refs += f" ; scs:undatedReference std:{undated}"
    issued = f' ; dct:issued "{year}"^^xsd:date' if year else ""
    return f"""
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix cat: <https://w3id.org/smartcity-std/category/> .
@prefix level: <https://w3id.org/smartcity-std/code/level/> .
@prefix nature: <https://w3id.org/smartcity-std/code/nature/> .
@prefix stdstatus: <https://w3id.org/smartcity-std/code/standard-status/> .
@prefix std: <{STD}> .
std:{slug} a scs:Standard ;
    dct:identifier "{ident}" ;
    dct:title "测试标准 {ident}"@zh ;
    scs:level level:local ;
    scs:nature nature:recommended ;
    scs:standardStatus stdstatus:current ;
    scs:category cat:4.1{refs}{issued} .
""".encode()


def submit(registry, *turtles: bytes) -> None:
    docs = [Document(name=f"t{i}.ttl", data=t, format="turtle") for i, t in enumerate(turtles)]
    result = registry.submit(docs, REGISTRAR)
    assert result.accepted, [r.as_dict() for r in result.report.results][:3]


def sparql_set(store, query: str, var: str = "x") -> set[str]:
    return {str(row[var]) for row in store.select(sparql_prefixes() + query)}


# -- impact --------------------------------------------------------------------------------------


def test_impact_of_superseded_personal_information_standard(registry) -> None:
    impact = impact_of(registry.graph(), PI_2017, "superseded")
    by_iri = {a.iri: a for a in impact.affected}
    assert impact.successor == PI_2020
    # standards citing the 2017 edition by date, each linked directly
    for citing in ("GB-T-37932-2019", "GB-T-38664.2-2020"):
        entry = by_iri[STD + citing]
        assert entry.direct and entry.path == [STD + citing, PI_2017]
        assert entry.links == ["references:dated"]
        assert entry.successor == PI_2020
    # a resource conforming to the 2017 edition itself
    assert by_iri[RES + "203002-000001"].links == ["conformsTo"]
    # resources conforming to a standard that cites it: indirect, with the full path
    for code in ("203001-000001", "205001-000001"):
        entry = by_iri[RES + code]
        assert not entry.direct
        assert entry.path == [RES + code, STD + "GB-T-38664.2-2020", PI_2017]
        assert entry.links == ["conformsTo", "references:dated"]
    # the current edition's users are not affected
    assert RES + "10100101-000002" not in by_iri
    assert PI_2020 not in by_iri


def test_impact_agrees_with_sparql_property_path(registry) -> None:
    # Affected when superseded: anything depending (transitively) on an entry that
    # cites the edition by date or conforms to it.
    expected = sparql_set(
        registry.store,
        f"""SELECT DISTINCT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
          ?x {DEPENDS}* ?d . ?d scs:datedReference|dct:conformsTo <{PI_2017}> }} }}""",
    )
    got = {a.iri for a in impact_of(registry.graph(), PI_2017).affected}
    assert got == expected
    assert len(got) >= 5


def test_impact_of_abolition_reaches_undated_citers(registry) -> None:
    graph = registry.graph()
    terms = STD + "GB-T-35295-2017"  # cited undated by GB/T 38667-2020
    superseded = impact_of(graph, terms, "superseded")
    abolished = impact_of(graph, terms, "abolished")
    undated_citer = STD + "GB-T-38667-2020"
    assert undated_citer in {a.iri for a in superseded.follows}
    assert undated_citer not in {a.iri for a in superseded.affected}
    assert undated_citer in {a.iri for a in abolished.affected}
    assert abolished.successor is None
    # abolished: everything depending on it at all is affected
    expected = sparql_set(
        registry.store,
        f"SELECT DISTINCT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?x {DEPENDS}+ <{terms}> }} }}",
    )
    assert {a.iri for a in abolished.affected} == expected


# -- dependents / dependencies agree with SPARQL -------------------------------------------------


@pytest.mark.parametrize(
    "slug", ["GB-T-35295-2017", "GB-T-21063.3-2007", "GB-T-22239-2019", "GB-T-35273-2020"]
)
def test_transitive_dependents_agree_with_sparql(registry, slug: str) -> None:
    root = STD + slug
    expected = sparql_set(
        registry.store,
        f"SELECT DISTINCT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?x {DEPENDS}+ <{root}> }} }}",
    )
    got = {e["iri"] for e in dependents(registry.graph(), root)["entries"]}
    assert got == expected
    assert got  # every one of these roots is used by something


def test_dependencies_agree_with_sparql_and_respect_depth(registry) -> None:
    graph = registry.graph()
    interface = BASE + "interface/SY-DSJ-API-001"
    expected = sparql_set(
        registry.store,
        f"SELECT DISTINCT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ <{interface}> {DEPENDS}+ ?x }} }}",
    )
    assert {e["iri"] for e in dependencies(graph, interface)["entries"]} == expected
    direct = dependencies(graph, STD + "GB-T-38664.2-2020", depth=1)
    assert {e["iri"] for e in direct["entries"]} == {
        STD + s
        for s in (
            "GB-T-21063.4-2007",
            "GB-T-22239-2019",
            "GB-T-35273-2017",
            "GB-T-36073-2018",
            "GB-T-38664.1-2020",
        )
    }
    # the dated reference to the superseded edition is flagged, with the successor
    [flag] = direct["flagged"]
    assert (flag["target"], flag["stale"], flag["successor"]) == (PI_2017, "superseded", PI_2020)


def test_dated_reference_to_superseded_edition_is_flagged_on_the_edge(registry) -> None:
    graph = registry.graph()
    data = graph.get_edge_data(STD + "GB-T-37932-2019", STD + "GB-T-35274-2017")
    assert data["references:dated"]["stale"] == "superseded"
    assert data["references:dated"]["successor"] == STD + "GB-T-35274-2023"
    fresh = graph.get_edge_data(STD + "GB-T-37932-2019", STD + "GB-T-22239-2019")
    assert "stale" not in fresh["references:dated"]


# -- undated references --------------------------------------------------------------------------


def test_undated_reference_resolves_to_the_current_edition(registry) -> None:
    # DB21/T 9001-2024 cites GB/T 35273 undated, naming the superseded 2017 edition.
    submit(registry, standard_ttl("DB21/T 9001-2024", undated="GB-T-35273-2017"))
    graph = registry.graph()
    citer = STD + "DB21-T-9001-2024"
    assert not graph.has_edge(citer, PI_2017)
    data = graph.get_edge_data(citer, PI_2020)["references:undated"]
    assert data["cited"] == PI_2017
    assert "stale" not in data  # the latest edition is current: nothing to flag
    # it follows the successor by itself: not affected when 2017 is superseded
    impact = impact_of(graph, PI_2017)
    assert citer in {f.iri for f in impact.follows}
    assert citer not in {a.iri for a in impact.affected}


def test_replacement_chain(registry) -> None:
    graph = registry.graph()
    for start in ("GB-T-33356-2016", "GB-T-33356-2022"):
        chain = replacement_chain(graph, STD + start)
        assert [e["identifier"] for e in chain] == ["GB/T 33356-2016", "GB/T 33356-2022"]
        assert [e["status"] for e in chain] == ["superseded", "current"]
    single = replacement_chain(graph, STD + "GB-T-34678-2017")
    assert [e["identifier"] for e in single] == ["GB/T 34678-2017"]


# -- cycles and the cache ------------------------------------------------------------------------


def test_cycle_added_on_purpose_is_found_and_write_updates_the_graph(registry) -> None:
    cache = GraphCache()
    before = cache.get(registry.reader())
    assert cache.get(registry.reader()) is before  # unchanged store: the cached graph
    assert reference_cycles(before) == []
    submit(
        registry,
        standard_ttl("DB21/T 9101-2024", dated="DB21-T-9102-2024"),
        standard_ttl("DB21/T 9102-2024", undated="DB21-T-9101-2024"),
    )
    after = cache.get(registry.reader())
    # Brought up to date from the entries the write changed, not read whole again, on
    # every back end: a remote store lists what changed from its change log too.
    assert after is not before
    assert (cache.builds, cache.updates) == (1, 1)
    assert reference_cycles(after) == [[STD + "DB21-T-9101-2024", STD + "DB21-T-9102-2024"]]
    assert reference_cycles(registry.graph()) == reference_cycles(after)
    assert reference_cycles(before) == []  # the graph handed out before is unchanged


def test_two_registries_over_one_store_stay_coherent(registry, validator) -> None:
    # Two processes over one store each hold their own read model (or share its file)
    # and their own graph: model them as two Registry objects over the store.
    other = Registry(registry.settings, validator=validator, store=registry.store)
    assert STD + "DB21-T-9201-2024" not in registry.graph()
    assert STD + "DB21-T-9201-2024" not in other.graph()
    submit(registry, standard_ttl("DB21/T 9201-2024"))
    assert STD + "DB21-T-9201-2024" in registry.graph()
    assert STD + "DB21-T-9201-2024" in other.graph()


def test_concurrent_first_requests_build_once(registry) -> None:
    cache = GraphCache()
    model = registry.reader()
    graphs: list[nx.MultiDiGraph] = []
    threads = [threading.Thread(target=lambda: graphs.append(cache.get(model))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.builds == 1
    assert all(g is graphs[0] for g in graphs) and len(graphs) == 8


def test_shortest_path(registry) -> None:
    graph = registry.graph()
    found = shortest_path(graph, RES + "203001-000001", PI_2017)
    assert found is not None and found["relation"] == "needs"
    assert found["path"] == [RES + "203001-000001", STD + "GB-T-38664.2-2020", PI_2017]
    back = shortest_path(graph, PI_2017, RES + "203001-000001")
    assert back is not None and back["relation"] == "needed-by"
    assert back["path"] == [PI_2017, STD + "GB-T-38664.2-2020", RES + "203001-000001"]


# -- dates ----------------------------------------------------------------------------------------


def test_graph_as_of_a_date(registry) -> None:
    early = registry.graph(date(2019, 6, 1))
    assert PI_2020 not in early  # issued 2020-03-06
    assert early.nodes[PI_2017]["status"] == "current"
    assert early.nodes[STD + "GB-T-22239-2019"]["status"] == "forthcoming"  # in force 2019-12-01
    assert early.nodes[STD + "GB-T-22239-2008"]["status"] == "current"
    assert STD + "GB-T-37932-2019" not in early  # issued 2019-08-30
    assert RES + "203002-000001" not in early  # resources issued in 2025
    # identifier year as fallback: GB/T 33356-2022 has no issue date
    assert STD + "GB-T-33356-2022" not in registry.graph(date(2021, 12, 31))
    assert STD + "GB-T-33356-2022" in registry.graph(date(2022, 1, 1))
    # GB/T 39477-2020 has its dates (M): issued 2020-11-19, in force 2021-06-01
    assert STD + "GB-T-39477-2020" not in registry.graph(date(2020, 11, 18))
    autumn = registry.graph(date(2020, 11, 19)).nodes[STD + "GB-T-39477-2020"]
    assert autumn["status"] == "forthcoming"
    # GB/T 38664.2-2020 has its real dates: issued 2020-04-28, in force 2020-11-01
    assert STD + "GB-T-38664.2-2020" not in registry.graph(date(2020, 4, 27))
    spring = registry.graph(date(2020, 4, 28)).nodes[STD + "GB-T-38664.2-2020"]
    assert spring["status"] == "forthcoming"
    later = registry.graph(date(2020, 11, 1))
    assert later.nodes[PI_2017]["status"] == "superseded"  # withdrawn 2020-10-01
    assert later.nodes[PI_2020]["status"] == "current"
    # GB/T 35274-2017 has no withdrawal date: it gave way when the 2023 edition came into
    # force (issued 2023-08-06, in force 2024-03-01)
    assert later.nodes[STD + "GB-T-35274-2017"]["status"] == "current"
    assert registry.graph(date(2024, 2, 29)).nodes[STD + "GB-T-35274-2017"]["status"] == "current"
    assert registry.graph(date(2024, 3, 1)).nodes[STD + "GB-T-35274-2017"]["status"] == "superseded"
    with pytest.raises(Exception, match="not in the dependency graph"):
        neighbourhood(early, PI_2020)


def test_identifier_year() -> None:
    assert identifier_year("GB 3100-93") == 1993
    assert identifier_year("GB/T 35273-2020") == 2020
    assert identifier_year("GM/T 0054") is None


# -- coverage -------------------------------------------------------------------------------------


def test_coverage_figures_computed_independently(registry) -> None:
    store = registry.store
    report = coverage_report(registry.graph(), 200, 100)
    national = sparql_set(
        store,
        f"""SELECT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
          ?x a scs:Standard ; scs:level ?l ; scs:standardStatus ?s .
          VALUES ?l {{ level:international level:national level:industry }}
          VALUES ?s {{ stdstatus:current stdstatus:forthcoming }} }} }}""",
    )
    assert report["targets"]["national"]["count"] == len(national) > 30
    assert report["targets"]["national"]["target"] == 200
    assert report["targets"]["local"]["count"] == 0  # the examples hold no local standard
    # categories whose whole subtree holds no current standard
    with_current = sparql_set(
        store,
        f"""SELECT DISTINCT ?x WHERE {{
          GRAPH <{GRAPH_CURRENT}> {{ ?s scs:category ?c ; scs:standardStatus stdstatus:current }}
          GRAPH <{GRAPH_ONTOLOGY}> {{ ?c skos:broader* ?x }} }}""",
    )
    all_categories = sparql_set(
        store,
        f"""SELECT ?x WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{
          ?x skos:inScheme scs:SmartCityStandardSystem }} }}""",
    )
    gaps = {c.rsplit("/", 1)[1] for c in all_categories - with_current}
    assert set(report["categories_without_current"]) == gaps
    assert "4.1" in gaps
    unserved = sparql_set(
        store,
        f"""SELECT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?x a scs:InformationResource
          FILTER NOT EXISTS {{ ?i dcat:servesDataset ?x }} }} }}""",
    )
    assert {r["iri"] for r in report["resources_without_interface"]} == unserved
    # per-category counts: category 6 (security) with its sub-categories
    security = sparql_set(
        store,
        f"""SELECT ?x WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?x scs:category ?c ;
          scs:standardStatus stdstatus:superseded }}
          GRAPH <{GRAPH_ONTOLOGY}> {{ ?c skos:broader* cat:6 }} }}""",
    )
    [row6] = [r for r in report["categories"] if r["code"] == "6"]
    assert row6["total"]["superseded"] == len(security) == 4


def test_coverage_counts_resources_citing_only_superseded_editions(registry) -> None:
    report = coverage_report(registry.graph(), 200, 100)
    assert report["only_superseded_standards"] == []  # 203002 also cites GB/T 21063.3-2007
    flagged = {(e["source"], e["target"]) for e in report["flagged_references"]}
    assert (STD + "GB-T-38664.2-2020", PI_2017) in flagged


# -- exports --------------------------------------------------------------------------------------


def test_exports_parse_back(registry) -> None:
    sub = neighbourhood(registry.graph(), STD + "GB-T-38664.2-2020", "both", 2)
    data = json.loads(render(sub, "json"))
    back = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    assert set(back.nodes) == set(sub.nodes)
    assert back.number_of_edges() == sub.number_of_edges()
    assert data["graph"]["root"] == STD + "GB-T-38664.2-2020"
    assert any(f["target"] == PI_2017 for f in data["flagged"])
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels[PI_2017] == "GB/T 35273-2017 信息安全技术 个人信息安全规范"  # zh by default
    assert "Personal information" in to_node_link(sub, "en")["nodes"][0]["label"] or any(
        "Personal information" in n["label"] for n in to_node_link(sub, "en")["nodes"]
    )

    graphml = nx.read_graphml(__import__("io").BytesIO(to_graphml(sub)))
    assert set(graphml.nodes) == set(sub.nodes)
    assert graphml.number_of_edges() == sub.number_of_edges()
    assert graphml.nodes[PI_2017]["status"] == "superseded"

    dot = to_dot(sub)
    assert dot.startswith("digraph screg {") and dot.rstrip().endswith("}")
    assert f'"{STD}GB-T-38664.2-2020" -> "{PI_2017}"' in dot
    assert "已被代替" in dot  # the flagged reference is labelled
    assert dot.count(" -> ") == sub.number_of_edges()


def test_svg_export_is_xml(registry) -> None:
    skip_unless_available(dot_available(), "Graphviz dot is not installed")
    sub = neighbourhood(registry.graph(), PI_2017, "dependents")
    root = ET.fromstring(to_svg(sub))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    assert PI_2017 in titles


def test_svg_without_graphviz_is_a_clear_error(registry, monkeypatch) -> None:
    monkeypatch.setattr(export_module.shutil, "which", lambda name: None)
    sub = neighbourhood(registry.graph(), PI_2017, "dependents", 1)
    with pytest.raises(RendererUnavailableError, match="Graphviz") as info:
        to_svg(sub)
    assert info.value.status == 406
    assert "json" in info.value.details["available"]


def _edition(ident: str, status: str, extra: str = "") -> bytes:
    """A standard of status `status` with extra statements (`dct:replaces std:...`)."""
    body = standard_ttl(ident).decode()
    body = body.replace("stdstatus:current", f"stdstatus:{status}")
    return (body.rstrip().rstrip(".") + extra + " .\n").encode()


def test_an_edition_not_yet_in_force_drew_undated_lookups_and_citers(registry) -> None:
    """A new edition registered ahead of its date of entry into force (即将实施, the
    usual case) replaced the current one at once: the undated identifier led to it, and
    so did every undated citer's edge, although the old edition was still in force."""
    old, new = STD + "DB21-T-9902-2024", STD + "DB21-T-9902-2027"
    citer = STD + "DB21-T-9903-2025"
    submit(
        registry,
        _edition("DB21/T 9902-2024", "current", " ; dct:isReplacedBy std:DB21-T-9902-2027"),
        _edition(
            "DB21/T 9902-2027",
            "forthcoming",
            ' ; dct:replaces std:DB21-T-9902-2024 ; scs:inForceFrom "2027-06-01"^^xsd:date',
        ),
        standard_ttl("DB21/T 9903-2025", undated="DB21-T-9902-2024"),
    )
    assert registry.reader().resolve("DB21/T 9902") == old
    graph = registry.graph()
    assert graph.has_edge(citer, old) and not graph.has_edge(citer, new)
    # What if it were replaced: its successor is the new edition, not yet in force.
    assert impact_of(graph, old).successor == new
    # In force at last: the new edition is the one an undated identifier means.
    submit(
        registry,
        _edition("DB21/T 9902-2024", "superseded", " ; dct:isReplacedBy std:DB21-T-9902-2027"),
        _edition(
            "DB21/T 9902-2027",
            "current",
            ' ; dct:replaces std:DB21-T-9902-2024 ; scs:inForceFrom "2027-06-01"^^xsd:date',
        ),
    )
    assert registry.reader().resolve("DB21/T 9902") == new
    graph = registry.graph()
    assert graph.has_edge(citer, new) and not graph.has_edge(citer, old)
