"""The namespaces of docs/vocabulary.md, as rdflib namespaces."""

import re

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

SCS = Namespace("https://w3id.org/smartcity-std#")
CAT = Namespace("https://w3id.org/smartcity-std/category/")
LEVEL = Namespace("https://w3id.org/smartcity-std/code/level/")
NATURE = Namespace("https://w3id.org/smartcity-std/code/nature/")
STDSTATUS = Namespace("https://w3id.org/smartcity-std/code/standard-status/")
ADOPTION = Namespace("https://w3id.org/smartcity-std/code/adoption/")
SHARING = Namespace("https://w3id.org/smartcity-std/code/sharing-type/")
METHOD = Namespace("https://w3id.org/smartcity-std/code/sharing-method/")
OPENNESS = Namespace("https://w3id.org/smartcity-std/code/openness/")
CYCLE = Namespace("https://w3id.org/smartcity-std/code/update-cycle/")
FORMAT = Namespace("https://w3id.org/smartcity-std/code/format/")
DTYPE = Namespace("https://w3id.org/smartcity-std/code/data-type/")
RCLASS = Namespace("https://w3id.org/smartcity-std/code/resource-class/")
REGSTATUS = Namespace("https://w3id.org/smartcity-std/code/register-status/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
# W3C Evaluation and Report Language 1.0: conformity assessments (docs/assessment.md)
EARL = Namespace("http://www.w3.org/ns/earl#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, Namespace] = {
    "scs": SCS,
    "cat": CAT,
    "level": LEVEL,
    "nature": NATURE,
    "stdstatus": STDSTATUS,
    "adoption": ADOPTION,
    "sharing": SHARING,
    "method": METHOD,
    "openness": OPENNESS,
    "cycle": CYCLE,
    "format": FORMAT,
    "dtype": DTYPE,
    "rclass": RCLASS,
    "regstatus": REGSTATUS,
    "dcat": DCAT,
    "dct": DCTERMS,
    "skos": SKOS,
    "org": ORG,
    "prov": PROV,
    "adms": ADMS,
    "earl": EARL,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "foaf": FOAF,
    "sh": SH,
}

GRAPH_ONTOLOGY = "urn:screg:graph:ontology"
GRAPH_CURRENT = "urn:screg:graph:current"
GRAPH_REGISTRY = "urn:screg:graph:registry"
# The change log: one record per write (registry/store/change_log.py), hidden from
# public SPARQL; GET /api/v1/changes is its public face.
GRAPH_CHANGES = "urn:screg:graph:changes"
# ActivityStreams 2.0, for the change log's records (as:object: an entry a change touched).
AS = Namespace("https://www.w3.org/ns/activitystreams#")


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for the registry's own queries."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)


def local_name(iri: str) -> str:
    """The last part of an IRI, after its last # or / (a trailing one left out), for a
    person to read: `sh:Violation` -> Violation, `.../frequency/MONTHLY` -> MONTHLY."""
    return re.split(r"[#/]", str(iri).rstrip("#/"))[-1] or str(iri)
