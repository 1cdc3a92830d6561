"""DCAT-AP 3 interoperability (docs/inputs.md has both mappings as tables).

Export: the registry's current entries as DCAT-AP 3.0.1: every registered
catalogue a dcat:Catalog, resources dcat:Dataset (same IRIs), interfaces
dcat:DataService, one dcat:Distribution per sharing method. Everything an
object must be to pass the DCAT-AP range shapes (foaf:Agent, dct:Standard,
dct:Frequency, ...) is stated, since consumers do no inference.

Import: a DCAT catalogue from elsewhere (a CKAN export, or this registry's own)
mapped to the registry's terms. What has no mapping is reported as a Warning
result, never dropped silently; what the registry requires and DCAT cannot say
(data items, for instance) is then reported by the shapes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from registry.bilingual import Text
from registry.config import Settings
from registry.errors import InputError, NothingMappedError
from registry.inputs.document import Document, Lookup, SubmissionGraph, input_problem
from registry.inputs.identifiers import (
    RESOURCE_CODE_PATTERN,
    is_valid_credit_code,
    resource_slug,
)
from registry.inputs.rdf import format_for_filename, parse_rdf, rdf_format
from registry.inputs.tabular import code_of, concept_labels, ordered_concepts, written_date
from registry.namespaces import (
    ADMS,
    CYCLE,
    GRAPH_CURRENT,
    GRAPH_ONTOLOGY,
    OPENNESS,
    RCLASS,
    SCS,
    SHARING,
    VCARD,
    local_name,
)
from registry.store import Store

DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = {
    CYCLE.realtime: f"{EU}frequency/UPDATE_CONT",
    CYCLE.daily: f"{EU}frequency/DAILY",
    CYCLE.weekly: f"{EU}frequency/WEEKLY",
    CYCLE.monthly: f"{EU}frequency/MONTHLY",
    CYCLE.quarterly: f"{EU}frequency/QUARTERLY",
    CYCLE.halfyearly: f"{EU}frequency/ANNUAL_2",
    CYCLE.yearly: f"{EU}frequency/ANNUAL",
    CYCLE.irregular: f"{EU}frequency/IRREG",
}
FREQUENCY_BACK = {URIRef(v): k for k, v in FREQUENCY.items()} | {
    URIRef(f"{EU}frequency/CONT"): CYCLE.realtime,
    URIRef(f"{EU}frequency/SEMIANNUAL"): CYCLE.halfyearly,
}
# The Dublin Core Collection Description frequencies, which older DCAT and CKAN
# catalogues use; those with an update cycle of the same period.
CLD = "http://purl.org/cld/freq/"
FREQUENCY_BACK |= {
    URIRef(f"{CLD}{name}"): cycle
    for name, cycle in (
        ("continuous", CYCLE.realtime),
        ("daily", CYCLE.daily),
        ("weekly", CYCLE.weekly),
        ("monthly", CYCLE.monthly),
        ("quarterly", CYCLE.quarterly),
        ("semiannual", CYCLE.halfyearly),
        ("annual", CYCLE.yearly),
        ("irregular", CYCLE.irregular),
    )
}
# What names a frequency written as a node of its own ([ dct:title "每季度" ]).
_FREQUENCY_NAMES = (SKOS.prefLabel, SKOS.altLabel, SKOS.notation, DCTERMS.title, RDFS.label)
ACCESS_PUBLIC = URIRef(f"{EU}access-right/PUBLIC")
ACCESS_RESTRICTED = URIRef(f"{EU}access-right/RESTRICTED")
ACCESS_NON_PUBLIC = URIRef(f"{EU}access-right/NON_PUBLIC")
FILE_TYPES = {
    "csv": "CSV",
    "xlsx": "XLSX",
    "xls": "XLS",
    "pdf": "PDF",
    "json": "JSON",
    "xml": "XML",
    "geotiff": "GEOTIFF",
    "docx": "DOCX",
    "doc": "DOC",
    "ofd": "OFD",
    "zip": "ZIP",
    "jpeg": "JPEG",
    "png": "PNG",
    "tiff": "TIFF",
    "shp": "SHP",
}
# Source file types -> the registry's resource format. When a dataset's distributions
# give several, the first in this order is the resource's (data a program reads before
# documents and pictures): the first read made a re-harvest in another triple order a
# new version.
FORMAT_OF_TYPE = {
    "CSV": "spreadsheet",
    "XLSX": "spreadsheet",
    "XLS": "spreadsheet",
    "ODS": "spreadsheet",
    "JSON": "selfdescribing",
    "GEOJSON": "selfdescribing",
    "JSON_LD": "selfdescribing",
    "XML": "selfdescribing",
    "RDF": "selfdescribing",
    "SQL": "database",
    "MDB": "database",
    "PDF": "document",
    "OFD": "document",
    "DOCX": "document",
    "DOC": "document",
    "TXT": "document",
    "GEOTIFF": "image",
    "TIFF": "image",
    "PNG": "image",
    "JPEG": "image",
}
FORMAT = "https://w3id.org/smartcity-std/code/format/"
ZHO = URIRef(f"{EU}language/ZHO")
# ADMS publisher types (the vocabulary DCAT-AP recommends for an agent's dct:type).
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
_METHOD_ZH = {"database": "数据库", "file": "文件", "interface": "接口", "media": "其他介质"}


# ----------------------------------------------------------------------------- export


@dataclass(frozen=True)
class CatalogContext:
    """What the registry knows beyond its entries that DCAT-AP's recommended properties
    ask for: the city every entry covers (dct:spatial), the licence of open data and of
    the catalogue (dct:license; none when the operator has not named one), and the
    resource classes the themes come from (their concepts with labels and scheme)."""

    city: URIRef | None = None
    city_names: tuple[Literal, ...] = ()
    licence: URIRef | None = None
    themes: Graph | None = None


def export_dcat_ap(
    current: Graph,
    base_iri: str,
    context: CatalogContext | None = None,
    members: Collection[Node] | None = None,
) -> Graph:
    """The registry's current graph as DCAT-AP 3. With `members`, only those datasets
    and services, and each catalogue listing only them (one page of /catalog)."""
    context = context or CatalogContext()
    out = Graph()
    out.bind("dcat", DCAT)
    out.bind("dct", DCTERMS)
    out.bind("foaf", FOAF)
    out.bind("vcard", VCARD)
    resources = set(current.subjects(RDF.type, SCS.InformationResource))
    interfaces = set(current.subjects(RDF.type, SCS.DataInterface))
    # Which interfaces serve a dataset is read from all of them, on the page or not.
    serving = interfaces
    if members is not None:
        resources &= set(members)
        # A page also describes the services its datasets are reached through, so that
        # every dcat:accessService names a dcat:DataService of the same document.
        interfaces = (interfaces & set(members)) | {
            i for i in interfaces if any((i, DCAT.servesDataset, r) in current for r in resources)
        }
    exported = resources | interfaces
    catalogued: set[Node] = set()
    for catalogue in sorted(current.subjects(RDF.type, DCAT.Catalog)):
        members_of = [
            m
            for m in list(current.objects(catalogue, DCAT.dataset))
            + list(current.objects(catalogue, DCAT.service))
            if members is None or m in exported
        ]
        if members is not None and not members_of:
            continue  # none of its entries is on this page
        catalogued.update(members_of)
        title = _zh(current, catalogue, DCTERMS.title) or str(catalogue)
        _catalog(
            out,
            current,
            catalogue,
            title,
            current.value(catalogue, DCTERMS.publisher),
            members_of,
            current.value(catalogue, DCTERMS.issued),
            context,
        )
    # Entries registered outside any catalogue (a spreadsheet, an OpenAPI import) go
    # into one catalogue per department, so that every dataset is in a catalogue.
    loose: dict[Node, list[Node]] = {}
    for entry in sorted(exported - catalogued):
        publisher = current.value(entry, DCTERMS.publisher)
        if publisher is not None:
            loose.setdefault(publisher, []).append(entry)
    for publisher, members_of in loose.items():
        code = str(current.value(publisher, SCS.creditCode) or str(publisher).rsplit("/", 1)[-1])
        name = _zh(current, publisher, SKOS.prefLabel) or code
        _catalog(
            out,
            current,
            URIRef(f"{base_iri}catalogue/{code}/registered"),
            f"{name}已登记的信息资源和接口",
            publisher,
            members_of,
            None,
            context,
        )
    for resource in resources:
        _dataset(out, current, resource, serving, context)
    for interface in interfaces:
        # On a page, the datasets it serves that are described there (a link to a dataset
        # of another page would name no dcat:Dataset in this document).
        _service(out, current, interface, None if members is None else resources)
    return out


# The entries of a department that no catalogue lists: the members of its
# `catalogue/<code>/registered` catalogue, which the export makes (export_dcat_ap).
_UNCATALOGUED = f"""
SELECT ?e ?type WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
  VALUES ?type {{ <{SCS.InformationResource}> <{SCS.DataInterface}> }}
  ?e a ?type ; <{DCTERMS.publisher}> ?publisher .
  FILTER NOT EXISTS {{ ?catalogue <{DCAT.dataset}>|<{DCAT.service}> ?e }} }} }}"""
_REGISTERED_CATALOGUE = re.compile(r"(?P<base>.+/)catalogue/(?P<code>[^/]+)/registered")


def registered_catalogue(
    store: Store, iri: str, context: CatalogContext | None = None
) -> Graph | None:
    """What the export says of `iri` when it is a department's catalogue of the entries
    registered in no catalogue (`<base>catalogue/<credit code>/registered`), built by
    the export's own builder; None for any other IRI, or one of no department. The
    export names such a catalogue in every harvest, and it did not dereference."""
    match = _REGISTERED_CATALOGUE.fullmatch(iri)
    if match is None:
        return None
    publisher = URIRef(f"{match['base']}department/{match['code']}")
    src = Graph()
    for triple in store.match(GRAPH_CURRENT, publisher):
        src.add(triple)
    if len(src) == 0:
        return None
    members = []
    for row in store.select(_UNCATALOGUED, {"publisher": publisher}):
        src.add((row["e"], RDF.type, row["type"]))
        members.append(row["e"])
    name = _zh(src, publisher, SKOS.prefLabel) or match["code"]
    out = Graph()
    _catalog(
        out,
        src,
        URIRef(iri),
        f"{name}已登记的信息资源和接口",
        publisher,
        sorted(members),
        None,
        context or CatalogContext(),
    )
    return out


def _alternative_identifiers(out: Graph, src: Graph, node: Node) -> None:
    """An entry's dct:identifier (what identified it where it came from, kept when the
    registry gave it a code) as DCAT-AP's other identifier: an adms:Identifier."""
    for value in sorted(src.objects(node, DCTERMS.identifier)):
        identifier = BNode()
        out.add((node, ADMS.identifier, identifier))
        out.add((identifier, RDF.type, ADMS.Identifier))
        out.add((identifier, SKOS.notation, Literal(str(value))))


def _contact_point(out: Graph, src: Graph, node: Node, agent: Node | None) -> None:
    """The department as the contact point: its name and its page are what the registry
    knows of it (no mailbox or telephone is registered)."""
    if agent is None:
        return
    contact = URIRef(f"{agent}#contact")
    out.add((node, DCAT.contactPoint, contact))
    # Typed vcard:Kind as well: the range check infers nothing from vcard:Organization.
    out.add((contact, RDF.type, VCARD.Kind))
    out.add((contact, RDF.type, VCARD.Organization))
    for name in src.objects(agent, SKOS.prefLabel):
        out.add((contact, VCARD.fn, name))
    out.add((contact, VCARD.hasURL, agent))


def _spatial(out: Graph, node: Node, context: CatalogContext) -> None:
    if context.city is None:
        return
    out.add((node, DCTERMS.spatial, context.city))
    out.add((context.city, RDF.type, DCTERMS.Location))
    for name in context.city_names:
        out.add((context.city, SKOS.prefLabel, name))


def _licence(out: Graph, node: Node, context: CatalogContext) -> None:
    if context.licence is None:
        return
    out.add((node, DCTERMS.license, context.licence))
    out.add((context.licence, RDF.type, DCTERMS.LicenseDocument))


def _theme(out: Graph, src: Graph, res: Node, context: CatalogContext) -> None:
    """The resource class (基础/主题/部门) as the dataset's theme, from its scheme."""
    if context.themes is None:
        return
    for concept in src.objects(res, SCS.resourceClass):
        labels = list(context.themes.objects(concept, SKOS.prefLabel))
        if not labels:
            continue  # not a concept of the scheme the catalogues name
        out.add((res, DCAT.theme, concept))
        out.add((concept, RDF.type, SKOS.Concept))
        for label in labels:
            out.add((concept, SKOS.prefLabel, label))
        for scheme in context.themes.objects(concept, SKOS.inScheme):
            out.add((concept, SKOS.inScheme, scheme))


def _theme_taxonomy(out: Graph, catalogue: Node, context: CatalogContext) -> None:
    if context.themes is None:
        return
    for scheme in set(context.themes.objects(None, SKOS.inScheme)):
        out.add((catalogue, DCAT.themeTaxonomy, scheme))
        out.add((scheme, RDF.type, SKOS.ConceptScheme))
        # DCAT-AP wants a dct:title on the scheme; SKOS gives it a prefLabel.
        for label in context.themes.objects(scheme, SKOS.prefLabel):
            out.add((scheme, DCTERMS.title, label))


def catalog_context(store: Store, settings: Settings) -> CatalogContext:
    """The context from the settings (city, licence) and the store's resource classes."""
    names = [
        Literal(name, lang=lang)
        for name, lang in ((settings.city_name_zh, "zh"), (settings.city_name_en, "en"))
        if name
    ]
    return CatalogContext(
        city=URIRef(settings.city_iri) if settings.city_iri else None,
        city_names=tuple(names),
        licence=URIRef(settings.catalog_licence) if settings.catalog_licence else None,
        themes=store.construct(_THEMES),
    )


# The resource-class scheme: the concepts dcat:theme takes its values from.
_THEMES = f"""
PREFIX skos: <{SKOS}>
PREFIX scs: <{SCS}>
CONSTRUCT {{
  ?concept skos:prefLabel ?label ; skos:inScheme scs:ResourceClasses .
  scs:ResourceClasses skos:prefLabel ?title .
}} WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{
    ?concept skos:inScheme scs:ResourceClasses ; skos:prefLabel ?label .
    OPTIONAL {{ scs:ResourceClasses skos:prefLabel ?title }}
  }}
}}
"""


def _zh(graph: Graph, node: Node, prop: URIRef) -> str:
    values = list(graph.objects(node, prop))
    for value in values:
        if isinstance(value, Literal) and value.language == "zh":
            return str(value)
    return str(values[0]) if values else ""


def _copy(out: Graph, src: Graph, node: Node, prop: URIRef, to: URIRef | None = None) -> None:
    for value in src.objects(node, prop):
        out.add((node, to or prop, value))


def _agent(out: Graph, src: Graph, agent: Node | None) -> None:
    if agent is None:
        return
    out.add((agent, RDF.type, FOAF.Agent))
    names = [n for n in src.objects(agent, SKOS.prefLabel)]
    for name in names or [Literal(str(agent).rsplit("/", 1)[-1])]:
        out.add((agent, FOAF.name, name))
    for code in src.objects(agent, SCS.creditCode):
        out.add((agent, DCTERMS.identifier, code))
    # Every department the registry holds is a municipal government body.
    out.add((agent, DCTERMS.type, LOCAL_AUTHORITY))
    out.add((LOCAL_AUTHORITY, RDF.type, SKOS.Concept))
    out.add((LOCAL_AUTHORITY, SKOS.prefLabel, Literal("Local Authority", lang="en")))
    out.add((LOCAL_AUTHORITY, SKOS.prefLabel, Literal("地方政府机构", lang="zh")))


def _catalog(
    out: Graph,
    src: Graph,
    iri: Node,
    title: str,
    publisher: Node | None,
    members: Iterable[Node],
    issued: Node | None,
    context: CatalogContext,
) -> None:
    out.add((iri, RDF.type, DCAT.Catalog))
    _spatial(out, iri, context)
    _licence(out, iri, context)
    _theme_taxonomy(out, iri, context)
    titles = list(src.objects(iri, DCTERMS.title)) or [Literal(title, lang="zh")]
    for value in titles:
        out.add((iri, DCTERMS.title, value))
    out.add(
        (
            iri,
            DCTERMS.description,
            Literal(f"{title}(自智慧城市标准登记库导出的 DCAT-AP 3 目录)", lang="zh"),
        )
    )
    out.add((iri, DCTERMS.language, ZHO))
    out.add((ZHO, RDF.type, DCTERMS.LinguisticSystem))
    if publisher is not None:
        out.add((iri, DCTERMS.publisher, publisher))
        _agent(out, src, publisher)
    if issued is not None:
        out.add((iri, DCTERMS.issued, issued))
    for member in members:
        kind = DCAT.service if (member, RDF.type, SCS.DataInterface) in src else DCAT.dataset
        out.add((iri, kind, member))


def _dataset(
    out: Graph, src: Graph, res: Node, interfaces: set[Node], context: CatalogContext
) -> None:
    out.add((res, RDF.type, DCAT.Dataset))
    _spatial(out, res, context)
    _theme(out, src, res, context)
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.issued, DCTERMS.relation):
        _copy(out, src, res, prop)
    _copy(out, src, res, SCS.resourceCode, DCTERMS.identifier)
    _alternative_identifiers(out, src, res)
    publisher = src.value(res, DCTERMS.publisher)
    if publisher is not None:
        out.add((res, DCTERMS.publisher, publisher))
        _agent(out, src, publisher)
    _contact_point(out, src, res, publisher)
    cycle = src.value(res, DCTERMS.accrualPeriodicity)
    if cycle in FREQUENCY:
        frequency = URIRef(FREQUENCY[cycle])  # type: ignore[index]
        out.add((res, DCTERMS.accrualPeriodicity, frequency))
        out.add((frequency, RDF.type, DCTERMS.Frequency))
    for standard in src.objects(res, DCTERMS.conformsTo):
        out.add((res, DCTERMS.conformsTo, standard))
        out.add((standard, RDF.type, DCTERMS.Standard))
        _copy(out, src, standard, DCTERMS.identifier)
        _copy(out, src, standard, DCTERMS.title)
    open_ = src.value(res, SCS.openness) == OPENNESS.open
    sharing = src.value(res, SCS.sharingType)
    rights = (
        ACCESS_PUBLIC
        if open_
        else (ACCESS_NON_PUBLIC if sharing == SHARING.none else ACCESS_RESTRICTED)
    )
    out.add((res, DCTERMS.accessRights, rights))
    out.add((rights, RDF.type, DCTERMS.RightsStatement))
    for item in src.objects(res, SCS.dataItem):
        for name in src.objects(item, SCS.itemName):
            out.add((res, DCAT.keyword, Literal(str(name), lang="zh")))
    # A landing page: the registry's own page for the resource (its IRI dereferences).
    out.add((res, DCAT.landingPage, res))
    out.add((res, RDF.type, FOAF.Document))
    detail = str(src.value(res, SCS.formatDetail) or "").strip().lower()
    serving = [i for i in interfaces if (i, DCAT.servesDataset, res) in src]
    for method in sorted(src.objects(res, SCS.sharingMethod)):
        name = str(method).rsplit("/", 1)[-1]
        dist = URIRef(f"{res}/distribution/{name}")
        out.add((res, DCAT.distribution, dist))
        out.add((dist, RDF.type, DCAT.Distribution))
        if open_:
            _licence(out, dist, context)  # closed data is shared on conditions, not a licence
        out.add((dist, DCTERMS.title, Literal(f"共享方式:{name}", lang="zh")))
        out.add(
            (
                dist,
                DCTERMS.description,
                Literal(
                    f"通过{_METHOD_ZH.get(name, name)}方式共享,经登记库条目申请使用。", lang="zh"
                ),
            )
        )
        if name == "interface" and serving:
            for interface in serving:
                out.add((dist, DCAT.accessService, interface))
                for url in src.objects(interface, DCAT.endpointURL):
                    out.add((dist, DCAT.accessURL, url))
        else:
            # Access is requested through the registry entry (the sharing platform).
            out.add((dist, DCAT.accessURL, res))
        if name == "file" and detail in FILE_TYPES:
            file_type = URIRef(f"{EU}file-type/{FILE_TYPES[detail]}")
            out.add((dist, DCTERMS["format"], file_type))
            out.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))


def _service(out: Graph, src: Graph, iri: Node, datasets: set[Node] | None = None) -> None:
    out.add((iri, RDF.type, DCAT.DataService))
    for prop in (DCTERMS.title, DCTERMS.description, DCAT.endpointURL, DCAT_VERSION):
        _copy(out, src, iri, prop)
    for dataset in src.objects(iri, DCAT.servesDataset):
        if datasets is None or dataset in datasets:
            out.add((iri, DCAT.servesDataset, dataset))
    _copy(out, src, iri, SCS.interfaceCode, DCTERMS.identifier)
    _alternative_identifiers(out, src, iri)
    publisher = src.value(iri, DCTERMS.publisher)
    if publisher is not None:
        out.add((iri, DCTERMS.publisher, publisher))
        _agent(out, src, publisher)
    _contact_point(out, src, iri, publisher)
    for description in src.objects(iri, DCAT.endpointDescription):
        # DCAT-AP wants a resource here; a spec kept as text stays in the registry.
        if isinstance(description, URIRef):
            out.add((iri, DCAT.endpointDescription, description))
    for standard in src.objects(iri, DCTERMS.conformsTo):
        out.add((iri, DCTERMS.conformsTo, standard))
        out.add((standard, RDF.type, DCTERMS.Standard))
        _copy(out, src, standard, DCTERMS.identifier)
        _copy(out, src, standard, DCTERMS.title)


def export_store(store: Store, base_iri: str, context: CatalogContext | None = None) -> Graph:
    """export_dcat_ap over the store's current graph."""
    return export_dcat_ap(store.read_graph(GRAPH_CURRENT), base_iri, context)


# ----------------------------------------------------------------------------- import

INTERFACE_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")

_MAPPED_DATASET = {
    RDF.type,
    DCTERMS.identifier,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.publisher,
    DCTERMS.issued,
    DCTERMS.accrualPeriodicity,
    DCTERMS.conformsTo,
    DCTERMS.accessRights,
    DCAT.distribution,
    DCTERMS.relation,
    ADMS.identifier,
}
# Said in DCAT but with no place in the registry's model: reported as Info only.
_KNOWN_UNMAPPED = {
    DCAT.keyword,
    DCTERMS.description,
    DCAT.landingPage,
    DCTERMS.modified,
    DCAT.theme,
    DCTERMS.language,
    DCAT.contactPoint,
    DCTERMS.license,
    DCTERMS.spatial,
    DCTERMS.temporal,
}
# A distribution gives the dataset its sharing method and format; what else it says
# (its URLs included: the registry keeps no file) is reported, Info for these.
_MAPPED_DISTRIBUTION = {RDF.type, DCAT.accessService, DCTERMS["format"], DCAT.mediaType}
_KNOWN_UNMAPPED_DISTRIBUTION = {
    DCAT.downloadURL,
    DCAT.accessURL,
    DCAT.byteSize,
    DCAT.compressFormat,
    DCAT.packageFormat,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.license,
    DCTERMS.rights,
    DCTERMS.issued,
    DCTERMS.modified,
    DCTERMS.language,
    DCTERMS.conformsTo,
    URIRef("http://spdx.org/rdf/terms#checksum"),
    URIRef("http://data.europa.eu/r5r/availability"),
}
_MAPPED_SERVICE = {
    RDF.type,
    DCTERMS.identifier,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.publisher,
    DCAT.endpointURL,
    DCAT.endpointDescription,
    DCAT.servesDataset,
    DCTERMS.conformsTo,
    DCAT_VERSION,
    OWL.versionInfo,
}
_MAPPED_CATALOG = {
    RDF.type,
    DCTERMS.title,
    DCTERMS.publisher,
    DCTERMS.issued,
    DCAT.dataset,
    DCAT.service,
}
_CJK = re.compile(r"[\u3400-\u9fff]")


# How a clerk asks for codes: over HTTP and in the command line (the messages named only
# the command's flag to people who submit over HTTP).
_ASSIGN_CODES_ZH = "网络接口提交时用 ?assign_codes=前段码,命令行用 --assign-codes 前段码"
_ASSIGN_CODES_EN = (
    "?assign_codes=PREFIX over HTTP, --assign-codes PREFIX in the command assigns codes"
)


def _name_key(name: str) -> str:
    """A name as compared with a registered one: full-width forms as ASCII, runs of
    spaces as one, no spaces around it, case ignored."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def read_dcat(doc: Document, base_iri: str, lookup: Lookup, max_bytes: int | None) -> Graph:
    """A DCAT catalogue in an RDF syntax (told by doc.options["syntax"], else the file
    extension, else Turtle) mapped to the registry's entries."""
    syntax = doc.options.get("syntax")
    if syntax:
        fmt = rdf_format(str(syntax))
    elif PurePath(doc.name).suffix:
        fmt = format_for_filename(doc.name)
    else:
        fmt = rdf_format("turtle")
    renamed_tags: set[str] = set()
    source = parse_rdf(doc.data, fmt, doc.name, renamed_tags=renamed_tags)
    mapped = DcatImporter(doc, source, base_iri, lookup).run()
    if renamed_tags:
        tags = "、".join(sorted(renamed_tags))
        mapped.problems.append(
            input_problem(
                "dcat-language",
                f"语言标签 {tags} 按 zh、en 读取:登记库只区分中文与英文。",
                f"The language tags {', '.join(sorted(renamed_tags))} were read as zh and "
                "en: the registry tells Chinese from English only.",
                value=", ".join(sorted(renamed_tags)),
                location=(("file", doc.name),),
                severity="Info",
            )
        )
    return mapped


# xsd:date's lexical form: a year, month and day, and an optional time zone.
_XSD_DATE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?")
# xsd:dateTime's, as Python reads it: a date, T, a time, optional fractions and zone.
_XSD_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?"
)


def _issued_date(issued: Node) -> Literal | None:
    """dct:issued as the xsd:date the registry keeps: a date (typed or plain text) as
    it is, a well-formed xsd:dateTime's date; None for anything else. Cutting every
    text to ten characters made "2024-03-01T25:00:00"^^xsd:dateTime and "2024-03-01
    (approximately)" a valid 2024-03-01; rdflib's own xsd:date reading takes both too."""
    if isinstance(issued, Literal) and issued.datatype == XSD.dateTime:
        if issued.ill_typed or not isinstance(issued.value, datetime):
            return None
        return Literal(issued.value.date().isoformat(), datatype=XSD.date)
    if isinstance(issued, Literal) and issued.datatype in (None, XSD.string, XSD.dateTimeStamp):
        # A date and time written as text (Socrata, DCAT-US, JSON-LD without a context:
        # "2026-01-20T10:00:00.000Z") was refused where the same typed xsd:dateTime was
        # taken; an xsd:dateTimeStamp is a dateTime with its zone.
        moment = _XSD_DATETIME.fullmatch(str(issued))
        if moment is not None:
            try:
                return Literal(
                    datetime.fromisoformat(str(issued)).date().isoformat(), datatype=XSD.date
                )
            except ValueError:
                return None
        if issued.datatype == XSD.dateTimeStamp:
            return None  # a bare date is no dateTimeStamp
    match = _XSD_DATE.fullmatch(str(issued))
    if match is None and isinstance(issued, Literal) and issued.datatype in (None, XSD.string):
        # A date as people write it (2023/05/01, 2023年5月1日, 2023-05-01 10:00:00), as a
        # spreadsheet's cell is read: Chinese portals' exports write them so.
        written = written_date(str(issued))
        return Literal(written, datatype=XSD.date) if written is not None else None
    if match is None or not isinstance(issued, Literal):
        return None
    try:
        date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return Literal(str(issued), datatype=XSD.date)


def _cycle_names() -> tuple[str, str]:
    """The update cycles' names in the code list's own order, in Chinese and English."""
    cycles = ordered_concepts(SCS.UpdateCycles)
    zh, en = concept_labels("zh"), concept_labels("en")
    zh_names = "、".join(zh.get(c, str(c)) for c in cycles)
    return zh_names, ", ".join(en.get(c, str(c)) for c in cycles)


class DcatImporter:
    def __init__(self, doc: Document, source: Graph, base_iri: str, lookup: Lookup) -> None:
        self.doc = doc
        self.src = source
        self.base = base_iri
        self.lookup = lookup
        self.out = SubmissionGraph()
        self.mapped: dict[Node, URIRef] = {}
        self.codes: dict[Node, str] = {}
        # Source identifiers of the entries given assigned codes, kept as dct:identifier.
        self.alternatives: dict[Node, list[str]] = {}

    def _nothing_mapped(self, datasets: list[Node], services: list[Node]) -> NothingMappedError:
        """What was found, for a person to see why: the classes of the document's
        subjects and each dataset or service that could not be mapped, with why."""
        found: dict[str, int] = {}
        for kind in self.src.objects(None, RDF.type):
            found[str(kind)] = found.get(str(kind), 0) + 1
        top = dict(sorted(found.items(), key=lambda item: (-item[1], item[0]))[:20])
        not_mapped = [
            # `reason` (English) as it always was; `reasons` in both languages, as an
            # error's `messages`: a zh answer listed only English reasons.
            {
                "node": p.value,
                "reason": p.message_en,
                "reasons": {"zh": p.message_zh, "en": p.message_en},
            }
            for p in self.out.problems
            if p.value is not None
        ][:50]
        without_code = bool(datasets or services)
        # schema.org's Dataset is the other common way to describe one: not read, but
        # the answer only listed it among the types (the DCAT probe).
        schema_org = any(t.split("://", 1)[-1].startswith("schema.org/") for t in found)
        return NothingMappedError(
            Text(
                zh=f"{self.doc.name}：没有可映射为条目的内容：找到 {len(datasets)} 个数据集、"
                f"{len(services)} 个数据服务"
                + ("，均无代码" if without_code else "")
                + (
                    "。文档用的是 schema.org 的词汇（如 schema:Dataset），登记库只读取 DCAT："
                    "请转换为 dcat:Dataset、dct:title 等后提交"
                    if schema_org
                    else ""
                ),
                en=f"{self.doc.name}: nothing in it maps to an entry: {len(datasets)} "
                f"dcat:Dataset and {len(services)} dcat:DataService found"
                + (", none with a code" if without_code else "")
                + (
                    ". The document uses schema.org's terms (schema:Dataset); the registry "
                    "reads DCAT only: convert it to dcat:Dataset, dct:title, ... and submit that"
                    if schema_org
                    else ""
                ),
            ),
            {
                "file": self.doc.name,
                "triples": len(self.src),
                "datasets": len(datasets),
                "services": len(services),
                "types": top,
                "not_mapped": not_mapped,
            },
        )

    def where(self, node: Node) -> tuple[tuple[str, object], ...]:
        """The file and the source node a result came from. A blank node is named by
        what the document says of it, its identifier or title (`[dct:identifier
        208001/000501]`): its label is random, and a report read `source de54ddc4…`."""
        if type(node) is BNode:
            for prop in (DCTERMS.identifier, DCTERMS.title, FOAF.name, RDFS.label):
                value = next(iter(sorted(self.src.objects(node, prop))), None)
                if value is not None:
                    return (
                        ("file", self.doc.name),
                        ("source", f"[{local_name(str(prop))} {value}]"),
                    )
            return (("file", self.doc.name), ("source", self._shown(node)))
        return (("file", self.doc.name), ("source", str(node)))

    def _issued(self, node: Node, subject: URIRef, whose_zh: str, whose_en: str) -> None:
        """`node`'s dct:issued as an xsd:date of `subject`, or a Violation for each value
        that is no date (a dataset's and a catalogue's alike)."""
        for issued in self.src.objects(node, DCTERMS.issued):
            day = _issued_date(issued)
            if day is not None:
                self.out.add((subject, DCTERMS.issued, day))
                continue
            self.report(
                "date",
                f"{whose_zh}发布日期“{issued}”不是有效日期，请写作“年-月-日”，如 2025-03-18。",
                f"{whose_en} issue date {str(issued)!r} is not a valid date; write "
                "CCYY-MM-DD (xsd:date).",
                node,
                focus=str(subject),
                path=str(DCTERMS.issued),
                value=str(issued),
                severity="Violation",
            )

    def report(
        self,
        rule: str,
        zh: str,
        en: str,
        node: Node,
        focus: str = "",
        path: str | None = None,
        value: str | None = None,
        severity: str = "Warning",
    ) -> None:
        self.out.problems.append(
            input_problem(
                rule,
                zh,
                en,
                focus=focus,
                path=path,
                value=value,
                location=self.where(node),
                severity=severity,
            )
        )

    def run(self) -> SubmissionGraph:
        datasets = sorted(set(self.src.subjects(RDF.type, DCAT.Dataset)))
        services = sorted(set(self.src.subjects(RDF.type, DCAT.DataService)))
        prefix = self._assign_prefix()
        self._map_codes(
            datasets,
            RESOURCE_CODE_PATTERN,
            (lambda n: f"{prefix}/{n:06d}") if prefix else None,
            lambda code: f"{self.base}resource/{resource_slug(code)}",
            Text(
                zh="数据集没有“前段码/后段码”形式的 dct:identifier,未能映射为信息资源"
                f"(可为其分配代码:{_ASSIGN_CODES_ZH})。",
                en="The dataset has no dct:identifier of the form 前段码/后段码; it "
                f"was not mapped to an information resource ({_ASSIGN_CODES_EN}).",
            ),
        )
        self._map_codes(
            services,
            INTERFACE_CODE_PATTERN,
            (lambda n: f"{prefix}-API-{n:03d}") if prefix else None,
            lambda code: f"{self.base}interface/{code}",
            Text(
                zh="数据服务没有可作接口代码的 dct:identifier,未能映射为接口"
                f"(可为其分配代码:{_ASSIGN_CODES_ZH})。",
                en="The data service has no dct:identifier usable as interface code; "
                f"it was not mapped ({_ASSIGN_CODES_EN}).",
            ),
        )
        if not self.mapped:
            raise self._nothing_mapped(datasets, services)
        for node in datasets:
            if node in self.mapped:
                self._resource(node, self.mapped[node])
        for node in services:
            if node in self.mapped:
                self._interface(node, self.mapped[node])
        for node in sorted(set(self.src.subjects(RDF.type, DCAT.Catalog))):
            self._catalogue(node)
        return self.out

    def _map_codes(
        self,
        nodes: Iterable[Node],
        pattern: re.Pattern[str],
        assigned_code: Callable[[int], str] | None,
        iri_of: Callable[[str], str],
        unmapped: Text,
    ) -> None:
        """Give each of `nodes` (the datasets, or the services) its code and IRI: its own
        dct:identifier matching `pattern`, else with `assign_codes` the code a registered
        entry with the same source identifier has (an import made again), else the next
        code `assigned_code` makes (1, 2, ... in node order) that no registered entry
        and no other node of the document has, else a Violation (`unmapped`) and the
        node is left out. A code in use was given out again and the import wrote over
        that entry (the seeded 209001/000001 became a Greek dataset)."""
        nodes = list(nodes)
        prefix = self._assign_prefix()
        registered = self.lookup.codes_under(prefix) if prefix else {}
        earlier = {
            alternative: code
            for code, alternatives in registered.items()
            if pattern.match(code)
            for alternative in alternatives
        }
        stated = {node: self._codes(node, pattern) for node in nodes}  # each read once
        taken = {codes[0] for codes in stated.values() if codes} | set(registered)
        reusable = set(earlier.values())
        holder: dict[str, Node] = {}  # each code's node, to refuse a second one
        assigned = 0
        for node in nodes:
            code = stated[node][0] if stated[node] else None
            if code is None and assigned_code is not None:
                code = next(
                    (earlier[k] for k in self._source_ids(node) if earlier.get(k) in reusable),
                    None,
                )
                if code is not None:
                    reusable.discard(code)  # one node of the document per code
                else:
                    assigned += 1
                    code = assigned_code(assigned)
                    while code in taken:
                        assigned += 1
                        code = assigned_code(assigned)
                taken.add(code)
                self._assign(node, code, iri_of(code))
            if code is None:
                self.report(
                    "dcat-identifier",
                    unmapped.zh,
                    unmapped.en,
                    node,
                    value=str(node),
                    severity="Violation",
                )
                continue
            other = holder.get(code)
            if other is not None:
                # Two datasets of one code were merged into one entry (both titles:
                # "needs exactly one Chinese title", which sent the user elsewhere).
                self.report(
                    "duplicate-code",
                    f"编码 {code} 已用于 {other}，同一编码只能登记一条；请为其中一条改用别的编码。",
                    f"the code {code} is also that of {other}: one code, one entry; give "
                    "one of them another code.",
                    node,
                    focus=iri_of(code),
                    value=code,
                    severity="Violation",
                )
                continue
            holder[code] = node
            for extra in stated[node][1:]:
                self.report(
                    "dcat-identifier-extra",
                    f"另一编码 {extra} 未登记：按 {code} 登记；每条只登记一个编码。",
                    f"the other code {extra} is not registered: registered as {code}; an "
                    "entry has one code.",
                    node,
                    focus=iri_of(code),
                    value=extra,
                )
            self.codes[node] = code
            self.mapped[node] = URIRef(iri_of(code))

    def _assign_prefix(self) -> str | None:
        """`assign_codes`: the 前段码 under which datasets without a code get one
        (PREFIX/000001, ...) and services one of their own (PREFIX-API-001, ...)."""
        prefix = str(self.doc.options.get("assign_codes") or "").strip()
        if not prefix:
            return None
        if not RESOURCE_CODE_PATTERN.match(f"{prefix}/000001"):
            raise InputError(
                Text(
                    zh=(
                        "分配代码的前段(?assign_codes=,命令行 --assign-codes)须为前段码"
                        f"（类 项 目，如 209001），而不是 {prefix!r}"
                    ),
                    en=(
                        "?assign_codes= (--assign-codes in the command) takes a segment "
                        f"code (class, item, sub-item, e.g. 209001), not {prefix!r}"
                    ),
                ),
                {"assign_codes": prefix},
            )
        return prefix

    def _assign(self, node: Node, code: str, entry: str) -> None:
        """Give `node` the code `code`; what identified it in the source is kept as the
        entry's dct:identifier (its alternative identifiers), else its IRI."""
        kept = self._source_ids(node)
        self.alternatives[node] = kept
        self.report(
            "dcat-assigned-code",
            f"分配了代码 {code};来源的标识 {'、'.join(kept)} 保留为 dct:identifier。",
            f"Assigned the code {code}; the source's identifier {', '.join(kept)} is kept "
            "as dct:identifier.",
            node,
            focus=entry,
            value=code,
            severity="Info",
        )

    def _source_ids(self, node: Node) -> list[str]:
        """What identified `node` in the source: its dct:identifier, else its IRI."""
        return [str(v) for v in self.src.objects(node, DCTERMS.identifier)] or [str(node)]

    def _code(self, node: Node, pattern: re.Pattern[str]) -> str | None:
        codes = self._codes(node, pattern)
        return codes[0] if codes else None

    def _codes(self, node: Node, pattern: re.Pattern[str]) -> list[str]:
        """Every code `node` states that matches `pattern`, in the order `_code` takes
        them, full-width forms read as ASCII (as a spreadsheet's cells are)."""
        candidates = [str(v) for v in self.src.objects(node, DCTERMS.identifier)]
        for ident in self.src.objects(node, ADMS.identifier):
            candidates += [str(v) for v in self.src.objects(ident, SKOS.notation)]
        candidates += [str(v) for v in self.src.objects(node, SCS.resourceCode)]
        candidates += [str(v) for v in self.src.objects(node, SCS.interfaceCode)]
        found = (unicodedata.normalize("NFKC", c).strip() for c in candidates)
        return list(dict.fromkeys(c for c in found if pattern.match(c)))

    def _text(self, node: Node, prop: URIRef, target: URIRef, to: URIRef) -> None:
        by_lang: dict[str, list[str]] = {}
        for value in self.src.objects(node, prop):
            if not isinstance(value, Literal):
                continue
            lang = value.language or ("zh" if _CJK.search(str(value)) else "en")
            self.out.add((target, to, Literal(str(value), lang=lang)))
            by_lang.setdefault(lang, []).append(str(value))
        for lang, titles in by_lang.items():
            if prop == DCTERMS.title and len(titles) > 1:
                self._titles_of_one_language(node, target, lang, sorted(titles))

    def _titles_of_one_language(
        self, node: Node, target: URIRef, lang: str, titles: list[str]
    ) -> None:
        """Two titles read as one language (zh-CN and zh-Hans both zh): the shape's
        "exactly one Chinese title" named neither, so the submitter could not tell which
        two, nor why two tags made one language."""
        shown = "、".join(f"“{t}”" for t in titles)
        shown_en = ", ".join(repr(t) for t in titles)
        zh_lang, en_lang = ("中文", "Chinese") if lang == "zh" else ("英文", "English")
        self.report(
            "dcat-title",
            f"有 {len(titles)} 个{zh_lang}标题:{shown}(登记库只区分中文与英文,zh-CN、zh-Hans、"
            f"zh-TW 等标签都按 zh 读取,en-US、en-GB 等按 en 读取);每种语言只能有一个标题,"
            "请只保留一个。",
            f"There are {len(titles)} {en_lang} titles: {shown_en} (the registry tells "
            "Chinese from English only: zh-CN, zh-Hans, zh-TW ... are read as zh, en-US, "
            "en-GB ... as en); there is one title a language: keep one.",
            node,
            focus=str(target),
            path=str(DCTERMS.title),
            value="; ".join(titles)[:200],
            severity="Violation",
        )

    def _department(self, node: Node, target: URIRef) -> None:
        """The registered department `node`'s one publisher names (a credit code, else
        a name it is registered under); else --department; else a Violation naming the
        publisher as written. Several publishers are a Violation: the first in document
        order was taken, so swapping two agents gave the entry to another department."""
        agents = sorted(self.src.objects(node, DCTERMS.publisher))
        if len(agents) > 1:
            shown = [self._shown(agent) for agent in agents]
            self.report(
                "dcat-publisher",
                f"数据集有 {len(agents)} 个发布者:{'、'.join(shown)};条目只属于一个部门,"
                "请只写一个。",
                f"The dataset has {len(agents)} publishers: {', '.join(shown)}; an entry "
                "belongs to one department: give one.",
                node,
                focus=str(target),
                path=str(DCTERMS.publisher),
                value="; ".join(shown)[:200],
                severity="Violation",
            )
            return
        agent = agents[0] if agents else None
        named = self._department_code(agent) if agent is not None else None
        given = self.doc.options.get("department")
        code = named or given
        if not code:
            self.report(
                "dcat-publisher",
                "未能将发布者映射为已登记的部门(统一社会信用代码或名称)。请写出部门的统一社会"
                "信用代码或登记名称,或提交时以 --department(接口为 ?department=)指明部门。",
                "The publisher could not be mapped to a registered department (by "
                "credit code or name). Give the department's credit code or registered "
                "name, or name the department with --department (?department= over HTTP).",
                node,
                focus=str(target),
                path=str(DCTERMS.publisher),
                value=None if agent is None else self._shown(agent),
                severity="Violation",
            )
            return
        if agent is not None and named is None:
            # --department stood in for a publisher the document names: said, not silent.
            shown = self._shown(agent)
            self.report(
                "dcat-publisher-given",
                f"发布者“{shown}”未能映射为已登记的部门,按提交时指明的部门 {given} 登记。",
                f"The publisher {shown!r} maps to no registered department; the entry is "
                f"registered as the department given with the submission, {given}.",
                node,
                focus=str(target),
                path=str(DCTERMS.publisher),
                value=shown,
                severity="Info",
            )
        iri, _name = self.lookup.departments().get(code, (f"{self.base}department/{code}", ""))
        self.out.add((target, DCTERMS.publisher, URIRef(iri)))

    def _department_code(self, agent: Node) -> str | None:
        """The credit code in the agent's dct:identifier, scs:creditCode or IRI, else
        that of the one department registered under one of its names (any registered
        name, Chinese or English, compared with spacing and width normalised: only the
        Chinese skos:prefLabel, exactly as written, was compared)."""
        texts = [
            str(v) for p in (DCTERMS.identifier, SCS.creditCode) for v in self.src.objects(agent, p)
        ]
        texts.append(str(agent).rsplit("/", 1)[-1])
        code = next((t for t in texts if is_valid_credit_code(t)), None)
        if code is not None:
            return code
        names = {
            _name_key(str(v))
            for p in (FOAF.name, SKOS.prefLabel, RDFS.label)
            for v in self.src.objects(agent, p)
        }
        if isinstance(agent, Literal):
            # dct:publisher "沈阳市交通运输局": the name written as text, as portals do.
            names.add(_name_key(str(agent)))
        registered = {
            code: {_name_key(zh)} - {""} for code, (_iri, zh) in self.lookup.departments().items()
        }
        for code, found_names in self.lookup.department_names().items():
            registered.setdefault(code, set()).update(_name_key(n) for n in found_names)
        found = [code for code, keys in registered.items() if names & keys]
        return found[0] if len(found) == 1 else None

    def _standards(self, node: Node, target: URIRef) -> None:
        from registry.inputs.tabular import CellError, resolve_standard

        for standard in self.src.objects(node, DCTERMS.conformsTo):
            if isinstance(standard, Literal):
                # The text is the identifier: its last "segment" of "GB/T 21063.3-2007"
                # was read as the group standard T 21063.3-2007.
                names = [str(standard)]
            else:
                names = [
                    str(v)
                    for p in (DCTERMS.identifier, RDFS.label, DCTERMS.title)
                    for v in self.src.objects(standard, p)
                ]
                names.append(str(standard).rsplit("/", 1)[-1])
            for name in names:
                try:
                    iri = resolve_standard(name, self.lookup, self.base)
                except CellError:
                    continue
                self.out.add((target, DCTERMS.conformsTo, URIRef(iri)))
                break
            else:
                self.report(
                    "dcat-unmapped",
                    f"dct:conformsTo {standard} 不是可识别的标准编号,未映射。",
                    f"dct:conformsTo {standard} names no standard identifier; not mapped.",
                    node,
                    focus=str(target),
                    path=str(DCTERMS.conformsTo),
                    value=str(standard),
                )

    def _update_cycle(self, frequency: Node) -> URIRef | None:
        """The update cycle a dct:accrualPeriodicity names: an EU or Dublin Core
        frequency IRI, or a name of the code list (每月, monthly, 按月) written as text or
        as the label of a node of its own."""
        if frequency in FREQUENCY_BACK:
            return FREQUENCY_BACK[frequency]  # type: ignore[index]
        names = [frequency] if isinstance(frequency, Literal) else []
        names += [n for p in _FREQUENCY_NAMES for n in self.src.objects(frequency, p)]
        for name in names:
            if isinstance(name, Literal):
                cycle = code_of(SCS.UpdateCycles, str(name))
                if cycle is not None:
                    return cycle
        return None

    def _shown(self, value: Node) -> str:
        """A value as a person reads it. A blank node (`dct:temporal [ ... ]`) is shown
        by what it says, one level deep (`[a PeriodOfTime; startDate 2019-01-01]`): its
        label is random, and told a submitter nothing of what was left out."""
        if type(value) is not BNode:
            return str(value)
        parts = []
        # sorted as text: one stable order, whatever kinds of term the node holds
        for p, o in sorted(
            self.src.predicate_objects(value), key=lambda po: (str(po[0]), str(po[1]))
        ):
            shown = "[…]" if type(o) is BNode else str(o)
            if p == RDF.type:
                parts.append(f"a {local_name(shown)}")
            else:
                parts.append(f"{local_name(str(p))} {shown}")
        return "[" + "; ".join(parts) + "]"

    def _unmapped(self, node: Node, target: URIRef, mapped: set[URIRef]) -> None:
        for prop in sorted(set(self.src.predicates(node, None))):
            if prop in mapped or str(prop).startswith(str(SCS)):
                continue
            values = sorted(self._shown(v) for v in self.src.objects(node, prop))
            known = prop in _KNOWN_UNMAPPED
            self.report(
                "dcat-unmapped",
                f"{prop} 在登记库中没有对应的属性,未登记。",
                f"{prop} has no counterpart in the registry; it was not registered.",
                node,
                focus=str(target),
                path=str(prop),
                value="; ".join(values)[:200],
                severity="Info" if known else "Warning",
            )

    def _resource(self, node: Node, res: URIRef) -> None:
        g, src = self.out, self.src
        code = self.codes[node]
        g.locations[str(res)] = {None: self.where(node)}
        g.add((res, RDF.type, SCS.InformationResource))
        g.add((res, SCS.resourceCode, Literal(code)))
        for kept in self.alternatives.get(node, ()):
            g.add((res, DCTERMS.identifier, Literal(kept)))
        g.add((res, SCS.resourceClass, RCLASS[code[0]]))  # 类 is the code's first digit
        self._text(node, DCTERMS.title, res, DCTERMS.title)
        self._text(node, DCTERMS.description, res, DCTERMS.description)
        self._department(node, res)
        self._issued(node, res, "", "the")
        for frequency in src.objects(node, DCTERMS.accrualPeriodicity):
            cycle = self._update_cycle(frequency)
            if cycle is not None:
                g.add((res, DCTERMS.accrualPeriodicity, cycle))
            else:
                zh_names, en_names = _cycle_names()
                self.report(
                    "dcat-unmapped",
                    f"更新频率 {self._shown(frequency)} 无法映射到更新周期。可用:{zh_names},"
                    "或欧盟频率词表(publications.europa.eu/resource/authority/frequency)、"
                    "都柏林核心频率词表(purl.org/cld/freq)中同周期的 IRI。",
                    f"The frequency {self._shown(frequency)} maps to no update cycle. Use one "
                    f"of: {en_names}, or the IRI of the same period in the EU frequency "
                    "vocabulary or the Dublin Core frequencies (purl.org/cld/freq).",
                    node,
                    focus=str(res),
                    path=str(DCTERMS.accrualPeriodicity),
                    value=self._shown(frequency),
                )
        for rights in src.objects(node, DCTERMS.accessRights):
            condition = " ".join(
                str(v) for p in (RDFS.label, DCTERMS.description) for v in src.objects(rights, p)
            )
            if rights == ACCESS_PUBLIC:
                g.add((res, SCS.openness, OPENNESS.open))
                g.add((res, SCS.sharingType, SHARING.unconditional))
            elif rights == ACCESS_RESTRICTED:
                g.add((res, SCS.openness, OPENNESS.closed))
                g.add((res, SCS.sharingType, SHARING.conditional))
                if condition:
                    g.add((res, SCS.sharingCondition, Literal(condition)))
            elif rights == ACCESS_NON_PUBLIC:
                g.add((res, SCS.openness, OPENNESS.closed))
            else:
                self.report(
                    "dcat-unmapped",
                    f"访问权限 {self._shown(rights)} 无法映射。",
                    f"The access rights {self._shown(rights)} cannot be mapped.",
                    node,
                    focus=str(res),
                    path=str(DCTERMS.accessRights),
                    value=self._shown(rights),
                )
        self._distributions(node, res)
        for other in src.objects(node, DCTERMS.relation):
            if other in self.mapped:
                g.add((res, DCTERMS.relation, self.mapped[other]))
            else:
                self.report(
                    "dcat-unmapped",
                    f"关联资源 {other} 不在本目录中,未映射。",
                    f"The related resource {other} is not in this catalogue; not mapped.",
                    node,
                    focus=str(res),
                    path=str(DCTERMS.relation),
                    value=str(other),
                )
        self._standards(node, res)
        self._registry_terms(node, res)
        self._unused_identifiers(node, res, RESOURCE_CODE_PATTERN)
        self._unmapped(node, res, _MAPPED_DATASET)

    def _distributions(self, node: Node, res: URIRef) -> None:
        g, src = self.out, self.src
        methods: set[URIRef] = set()
        names: set[str] = set()
        for dist in src.objects(node, DCAT.distribution):
            if (dist, DCAT.accessService, None) in src:
                methods.add(URIRef("https://w3id.org/smartcity-std/code/sharing-method/interface"))
            elif (dist, DCAT.downloadURL, None) in src or (dist, DCAT.accessURL, None) in src:
                methods.add(URIRef("https://w3id.org/smartcity-std/code/sharing-method/file"))
            for fmt in list(src.objects(dist, DCTERMS["format"])) + list(
                src.objects(dist, DCAT.mediaType)
            ):
                names.add(str(fmt).rsplit("/", 1)[-1].upper())
            self._unmapped_distribution(node, res, dist)
        for method in methods:
            g.add((res, SCS.sharingMethod, method))
        chosen = next((name for name in FORMAT_OF_TYPE if name in names), None)
        if chosen is not None:
            g.add((res, SCS["format"], URIRef(FORMAT + FORMAT_OF_TYPE[chosen])))
            g.add((res, SCS.formatDetail, Literal(chosen.lower())))
        unused = sorted(names - {chosen})
        if unused:
            self.report(
                "dcat-format",
                f"分发格式 {'、'.join(unused)} 未用作资源格式"
                + (f"(资源格式取 {chosen})。" if chosen else ":均不是可映射的格式。")
                + "资源只登记一种格式。",
                f"The distribution formats {', '.join(unused)} were not used as the "
                "resource's format"
                + (f" (it is {chosen})." if chosen else ": none of them maps to one.")
                + " A resource has one format.",
                node,
                focus=str(res),
                # The source's property: at scs:format this Warning would stand for the
                # shape's "needs a format" (registry.inputs.load), which a provisional
                # registration turns into "to complete" only as the shape's own result.
                path=str(DCTERMS["format"]),
                value=", ".join(unused),
            )

    def _unmapped_distribution(self, node: Node, res: URIRef, dist: Node) -> None:
        """One result per distribution for what it says beyond its sharing method and
        format, under the dataset's dcat:distribution: these were dropped unsaid. (Not
        under their own paths: a distribution's dct:title there would stand for the
        resource's missing title.)"""
        said = sorted(
            (str(p), self._shown(o))
            for p, o in self.src.predicate_objects(dist)
            if p not in _MAPPED_DISTRIBUTION
        )
        if not said:
            return
        known = all(URIRef(p) in _KNOWN_UNMAPPED_DISTRIBUTION for p, _o in said)
        names = "、".join(dict.fromkeys(local_name(p) for p, _o in said))
        self.report(
            "dcat-unmapped",
            f"分发的 {names} 在登记库中没有对应的属性,未登记(分发只用于共享方式和格式)。",
            f"The distribution's {names.replace('、', ', ')} have no counterpart in the "
            "registry; not registered (a distribution gives only the sharing method and "
            "format).",
            dist if isinstance(dist, URIRef) else node,
            focus=str(res),
            path=str(DCAT.distribution),
            value="; ".join(f"{local_name(p)} {o}" for p, o in said)[:200],
            severity="Info" if known else "Warning",
        )

    def _unused_identifiers(self, node: Node, target: URIRef, pattern: re.Pattern[str]) -> None:
        """The identifiers of `node` that are neither its code, nor another code (each
        reported as Input-dcat-identifier-extra), nor kept as its dct:identifier: an
        adms:identifier beside a dct:identifier code was dropped unsaid."""
        kept = set(self.alternatives.get(node, ()))
        for prop, values in (
            (DCTERMS.identifier, list(self.src.objects(node, DCTERMS.identifier))),
            (
                ADMS.identifier,
                [
                    v
                    for ident in self.src.objects(node, ADMS.identifier)
                    for v in self.src.objects(ident, SKOS.notation)
                ],
            ),
        ):
            unused = sorted(
                str(v)
                for v in values
                if str(v) not in kept
                and not pattern.match(unicodedata.normalize("NFKC", str(v)).strip())
            )
            if unused:
                self.report(
                    "dcat-unmapped",
                    f"标识 {'、'.join(unused)} 不是代码,未登记。",
                    f"The identifier {', '.join(unused)} is no code; not registered.",
                    node,
                    focus=str(target),
                    path=str(prop),
                    value="; ".join(unused)[:200],
                    severity="Info",
                )

    def _registry_terms(self, node: Node, res: URIRef) -> None:
        """The registry's own terms on a dataset pass through: a source can say what
        DCAT cannot (data items, sharing type); data items get IRIs under the resource."""
        g, src = self.out, self.src
        for prop, value in src.predicate_objects(node):
            if not str(prop).startswith(str(SCS)) or prop in (SCS.resourceCode, SCS.dataItem):
                continue
            g.add((res, prop, value))
        for position, item in self._positioned_items(node, res):
            iri = URIRef(f"{res}/item/{position}")
            g.add((res, SCS.dataItem, iri))
            for p, o in src.predicate_objects(item):
                g.add((iri, p, o))
            g.locations[str(iri)] = {None: self.where(item)}

    def _positioned_items(self, node: Node, res: URIRef) -> list[tuple[int, Node]]:
        """The dataset's data items, each with its position: the last part of its IRI.
        An item without one position that is a whole number from 1, or sharing its
        position with another, is reported and left out: such items were merged into
        one node `…/item/None` (the shapes then blamed the name, type and length each
        written once), and "1 " made an IRI with a space that failed the write."""
        by_position: dict[int, list[Node]] = {}
        for item in sorted(self.src.objects(node, SCS.dataItem)):
            positions = list(self.src.objects(item, SCS.position))
            value = positions[0] if len(positions) == 1 else None
            if (
                isinstance(value, Literal)
                and not value.ill_typed
                and type(value.value) is int
                and value.value >= 1
            ):
                by_position.setdefault(value.value, []).append(item)
                continue
            written = "、".join(sorted(f"“{p}”" for p in positions))
            self._item_problem(
                node,
                res,
                item,
                "没有序号(scs:position)"
                if not positions
                else f"的序号 {written} 不是从 1 起的整数",
                "has no position (scs:position)"
                if not positions
                else f"has the position {', '.join(sorted(map(str, positions)))}, not one "
                "whole number from 1",
            )
        kept = []
        for position, items in sorted(by_position.items()):
            if len(items) == 1:
                kept.append((position, items[0]))
                continue
            for item in items:
                others = [self._item_name(other) for other in items if other != item]
                self._item_problem(
                    node,
                    res,
                    item,
                    f"与{'、'.join(f'“{n}”' for n in others)}同为序号 {position}",
                    f"shares the position {position} with {', '.join(map(repr, others))}",
                )
        return kept

    def _item_name(self, item: Node) -> str:
        return _zh(self.src, item, SCS.itemName) or self._shown(item)

    def _item_problem(self, node: Node, res: URIRef, item: Node, zh: str, en: str) -> None:
        """A Violation naming the dataset (its code) and the item (its name), located at
        the dataset's source node (an item is mostly a blank node, its label random)."""
        name = self._item_name(item)
        code = self.codes[node]
        self.report(
            "dcat-item-position",
            f"信息资源 {code} 的信息项“{name}”{zh},未读入;每个信息项须有各不相同的序号,"
            "为从 1 起的整数。",
            f"the data item {name!r} of {code} {en}; it was not read: give each data item "
            "a position of its own, a whole number from 1.",
            node,
            focus=str(res),
            path=str(SCS.dataItem),
            value=name,
            severity="Violation",
        )

    def _interface(self, node: Node, iri: URIRef) -> None:
        g, src = self.out, self.src
        g.locations[str(iri)] = {None: self.where(node)}
        g.add((iri, RDF.type, SCS.DataInterface))
        g.add((iri, SCS.interfaceCode, Literal(self.codes[node])))
        for kept in self.alternatives.get(node, ()):
            g.add((iri, DCTERMS.identifier, Literal(kept)))
        self._text(node, DCTERMS.title, iri, DCTERMS.title)
        self._text(node, DCTERMS.description, iri, DCTERMS.description)
        self._department(node, iri)
        for url in src.objects(node, DCAT.endpointURL):
            g.add((iri, DCAT.endpointURL, url))
            if str(url).startswith(("http://", "https://")):
                g.add((iri, SCS.protocol, Literal("HTTP")))
        for description in src.objects(node, DCAT.endpointDescription):
            g.add((iri, DCAT.endpointDescription, description))
        for version in list(src.objects(node, DCAT_VERSION)) + list(
            src.objects(node, OWL.versionInfo)
        ):
            g.add((iri, DCAT_VERSION, Literal(str(version))))
        for dataset in src.objects(node, DCAT.servesDataset):
            if dataset in self.mapped:
                g.add((iri, DCAT.servesDataset, self.mapped[dataset]))
            else:
                self.report(
                    "dcat-unmapped",
                    f"所服务的数据集 {self._shown(dataset)} 不在本目录中或未映射,未登记。",
                    f"The served dataset {self._shown(dataset)} is not in this catalogue "
                    "or was not mapped; not registered.",
                    node,
                    focus=str(iri),
                    # No path: at dcat:servesDataset it would stand for the shape's
                    # "serves no dataset", as the format's would (_distributions).
                    value=self._shown(dataset),
                )
        self._standards(node, iri)
        self._unused_identifiers(node, iri, INTERFACE_CODE_PATTERN)
        for prop, value in src.predicate_objects(node):
            if str(prop).startswith(str(SCS)) and prop != SCS.interfaceCode:
                g.add((iri, prop, value))
        self._unmapped(node, iri, _MAPPED_SERVICE)

    def _catalogue_name(self, node: Node, members: list[URIRef]) -> str:
        """The last segment of the catalogue's IRI (for people) and a short hash of the
        whole IRI: by the segment alone, two portals' `…/catalog` were one entry, each
        submission replacing the other's title and members. A catalogue written as a
        blank node is named by its titles (else its members), not by its label, which
        is new on every parse: each submission of one document made a new catalogue."""
        if isinstance(node, BNode):
            titles = sorted(str(t) for t in self.src.objects(node, DCTERMS.title))
            segment, key = "dcat", "\n".join(titles or sorted(map(str, members)))
        else:
            segment, key = str(node).rstrip("/#").rsplit("/", 1)[-1], str(node)
        segment = re.sub(r"[^A-Za-z0-9._-]+", "-", segment).strip("-") or "dcat"
        return f"{segment}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"

    def _catalogue(self, node: Node) -> None:
        g, src = self.out, self.src
        members = [
            self.mapped[m]
            for p in (DCAT.dataset, DCAT.service)
            for m in src.objects(node, p)
            if m in self.mapped
        ]
        publishers = {p for m in members for p in g.objects(m, DCTERMS.publisher)}
        if len(publishers) != 1:
            self.report(
                "dcat-catalogue",
                "目录中的条目不属于同一个已映射的部门,目录本身未登记(条目仍登记)。",
                "The catalogue's entries do not belong to one mapped department; the "
                "catalogue itself was not mapped (its entries were).",
                node,
            )
            return
        publisher = next(iter(publishers))
        code = str(publisher).rsplit("/", 1)[-1]
        iri = URIRef(f"{self.base}catalogue/{code}/{self._catalogue_name(node, members)}")
        g.locations[str(iri)] = {None: self.where(node)}
        g.add((iri, RDF.type, DCAT.Catalog))
        g.add((iri, DCTERMS.publisher, publisher))
        self._text(node, DCTERMS.title, iri, DCTERMS.title)
        # Read as a dataset's date is: cut to ten characters, "January 2026" was
        # reported as "January 20", a value in no document.
        self._issued(node, iri, "目录的", "the catalogue's")
        for member in members:
            kind = DCAT.service if (member, RDF.type, SCS.DataInterface) in g else DCAT.dataset
            g.add((iri, kind, member))
        self._unmapped(node, iri, _MAPPED_CATALOG)
