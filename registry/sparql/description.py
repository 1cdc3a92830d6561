"""The endpoint's SPARQL 1.1 Service Description (GET /sparql with no query and an RDF
Accept header; docs/sparql.md).

It says what a client may rely on: the query language, the result formats of each kind
of query (registry/sparql/formats.py), the dataset a query sees (the default graph is
the union of the public graphs; `GRAPH ?g` reaches every named graph but the hidden
ones, registry/sparql/dataset.py), and the limits of the settings, which the Service
Description vocabulary has no terms for (scs:queryTimeoutSeconds and the like,
docs/vocabulary.md). Built from those modules and the settings, so it cannot drift
from what the endpoint does.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from registry.config import Settings
from registry.namespaces import GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY, SCS, SD
from registry.outputs.negotiation import media_ranges, preferred, quality
from registry.sparql.dataset import PUBLIC_DEFAULT_GRAPHS
from registry.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS

FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")

# The W3C's IRI of each result format the endpoint can answer in.
FORMAT_IRIS = {
    "json": FORMATS.SPARQL_Results_JSON,
    "xml": FORMATS.SPARQL_Results_XML,
    "csv": FORMATS.SPARQL_Results_CSV,
    "tsv": FORMATS.SPARQL_Results_TSV,
    "turtle": FORMATS.Turtle,
    "ntriples": FORMATS["N-Triples"],
    "jsonld": FORMATS["JSON-LD"],
    "rdfxml": FORMATS.RDF_XML,
}

_GRAPH_LABELS = {
    GRAPH_CURRENT: ("当前版本：每个条目的当前内容", "current: every entry as it is now"),
    GRAPH_ONTOLOGY: (
        "本体、标准体系和代码表",
        "ontology: the vocabulary, categories and code lists",
    ),
    GRAPH_REGISTRY: (
        "登记信息：状态、版本、提交和来源",
        "registry: statuses, versions, submissions and provenance",
    ),
}

#: What a service description is offered as, in the server's order of preference.
DESCRIPTION_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


def description_type(accept: str | None) -> str | None:
    """The media type to describe the service in, for a GET with no query: when the
    Accept header names an RDF type and prefers it to every SPARQL results type (a
    program that asks for results and forgot the query still gets the 400 that says
    so, and `*/*` alone names nothing); else None."""
    if not accept or not accept.strip():
        return None
    ranges = media_ranges(accept)
    named = [t for t in DESCRIPTION_TYPES if quality(t, ranges, exact_only=True) > 0]
    if not named:
        return None
    offered = [*DESCRIPTION_TYPES, *(fmt.accepts[0] for fmt in RESULT_FORMATS)]
    index = preferred(accept, offered)
    if index is None or index >= len(DESCRIPTION_TYPES):
        return None
    return offered[index]


def service_description(endpoint: str, settings: Settings) -> Graph:
    """The description of the endpoint at the URL `endpoint`."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("scs", SCS)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, FORMAT_IRIS[fmt.name]))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "只读：拒绝更新、SERVICE、LOAD、FROM/FROM NAMED 和数据集参数；"
                "默认图是三个公共图的并集。",
                lang="zh",
            ),
        )
    )
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only: updates, SERVICE, LOAD, FROM/FROM NAMED and the dataset "
                "parameters are refused; the default graph is the union of the three public "
                "graphs.",
                lang="en",
            ),
        )
    )
    _dataset(graph, service)
    _limits(graph, service, settings)
    return graph


def _dataset(graph: Graph, service: URIRef) -> None:
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add(
        (default, RDFS.comment, Literal("三个公共命名图的并集", lang="zh")),
    )
    graph.add(
        (default, RDFS.comment, Literal("The union of the three public named graphs", lang="en"))
    )
    for name in PUBLIC_DEFAULT_GRAPHS:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        zh, en = _GRAPH_LABELS[name]
        graph.add((named, RDFS.label, Literal(zh, lang="zh")))
        graph.add((named, RDFS.label, Literal(en, lang="en")))
    # The other named graphs a query may reach with GRAPH ?g are many (one for every
    # version of every entry, one for each submission's report): named by kind, not listed.
    graph.add(
        (
            dataset,
            RDFS.comment,
            Literal(
                "GRAPH ?g 还可访问每个条目的每个版本图（<条目 IRI>/version/<n>）和每个提交的"
                "验证报告图（<提交 IRI>/report）；令牌图和变更日志图不可访问。",
                lang="zh",
            ),
        )
    )
    graph.add(
        (
            dataset,
            RDFS.comment,
            Literal(
                "GRAPH ?g also reaches every version of every entry (<item IRI>/version/<n>) "
                "and each submission's validation report (<submission IRI>/report); the "
                "tokens and change log graphs are hidden.",
                lang="en",
            ),
        )
    )


def _limits(graph: Graph, service: URIRef, settings: Settings) -> None:
    graph.add(
        (
            service,
            SCS.queryTimeoutSeconds,
            Literal(str(settings.sparql_timeout_seconds), datatype=XSD.decimal),
        )
    )
    graph.add((service, SCS.maxResultRows, Literal(settings.sparql_max_rows)))
    graph.add((service, SCS.maxQueryLength, Literal(settings.sparql_max_query_length)))
    graph.add((service, SCS.maxResultBytes, Literal(settings.sparql_max_result_bytes)))
