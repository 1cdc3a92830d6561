"""Automatic conformity assessments: what the registry can check of a standard itself,
recorded as `earl:automatic` assessments through the one submit path
(docs/assessment.md, "Automatic assessments").

Each rule names the standard it checks, the requirement (`scs:clause`) and how the
outcome follows from what the registry holds of the entry. An assessment is made for
every resource and interface a submission registers or changes, when the standard is
registered: its code and content follow from the entry's current version (the date is
that version's), so a run over an unchanged entry gives the same assessment and writes
nothing, and a changed entry gets a new version of its assessment. The department
that provides the entry owns its automatic assessments (their dct:publisher); the
assessor (earl:assertedBy) is the registry, named as a body.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, XSD
from rdflib.term import Node

from registry.errors import RegistryError
from registry.identifiers import parse_standard_id
from registry.inputs.load import Reading
from registry.namespaces import EARL, GRAPH_CURRENT, GRAPH_REGISTRY, SCS
from registry.register.submission import (
    Principal,
    SubmissionResult,
    item_states,
    registered_content,
    split_entries,
    submit,
)
from registry.store import Store
from registry.validation.validator import Validator

log = logging.getLogger(__name__)

# Who writes them: a registrar's role (it writes for any department), by this name.
AUTOMATIC = Principal(role="registrar", name="automatic-assessment")
ASSESSOR = {
    "zh": "智慧城市标准登记库（自动评估）",
    "en": "Smart-city standards registry (automatic)",
}
Values = dict[URIRef, list[Node]]
# rdflib's DCAT namespace object lacks dcat:version (it warns)
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
Verdict = tuple[URIRef, str, str]  # outcome, findings in zh, in en


@dataclass(frozen=True)
class Rule:
    kind: str  # the item kind it assesses
    standard: str  # the identifier of the standard edition it checks
    clause: str
    check: Callable[[Values], Verdict]


# GB/T 21063.3-2007's mandatory core metadata the shapes of a resource require, with
# the property each is registered as.
CORE_METADATA = (
    ("信息资源名称", "resource name", DCTERMS.title),
    ("信息资源发布日期", "issue date", DCTERMS.issued),
    ("信息资源摘要", "abstract", DCTERMS.description),
    ("信息资源提供方", "provider", DCTERMS.publisher),
    ("信息资源分类", "classification", SCS.resourceClass),
    ("信息资源标识符", "resource identifier", SCS.resourceCode),
)


def _core_metadata(values: Values) -> Verdict:
    missing = [(zh, en) for zh, en, prop in CORE_METADATA if not values.get(prop)]
    if not missing:
        return (
            EARL.passed,
            "核心元数据必选元素齐全：" + "、".join(zh for zh, _en, _p in CORE_METADATA) + "。",
            "Every mandatory core metadata element is given: "
            + ", ".join(en for _zh, en, _p in CORE_METADATA)
            + ".",
        )
    return (
        EARL.failed,
        "缺少核心元数据必选元素：" + "、".join(zh for zh, _en in missing) + "。",
        "Mandatory core metadata elements missing: " + ", ".join(en for _zh, en in missing) + ".",
    )


def _interface_rules(values: Values) -> Verdict:
    if not values.get(DCAT.endpointDescription):
        return (
            EARL.cantTell,
            "未登记接口描述（OpenAPI），登记库无法检查该接口。",
            "No interface description (OpenAPI) is registered: the registry cannot check it.",
        )
    failed = []
    if not values.get(SCS.authMethod):
        failed.append(("未说明认证方式", "no authentication method is stated"))
    if not any(str(u).startswith("https://") for u in values.get(DCAT.endpointURL, [])):
        failed.append(("访问地址未使用 HTTPS", "the endpoint does not use HTTPS"))
    if not values.get(DCAT_VERSION):
        failed.append(("未说明接口版本", "no version is stated"))
    if failed:
        return (
            EARL.failed,
            "；".join(zh for zh, _en in failed) + "。",
            "; ".join(en for _zh, en in failed) + ".",
        )
    return (
        EARL.passed,
        "有接口描述（OpenAPI），说明了认证方式和版本，访问地址使用 HTTPS。",
        "An interface description (OpenAPI) is registered, the authentication method and "
        "version are stated, and the endpoint uses HTTPS.",
    )


RULES: tuple[Rule, ...] = (
    Rule("resource", "GB/T 21063.3-2007", "核心元数据必选元素", _core_metadata),
    Rule(
        "interface",
        "GB/T 38672-2020",
        "登记库可检查的接口要求：接口描述、认证方式、HTTPS、版本",
        _interface_rules,
    ),
)


def _values(store: Store, iri: str) -> Values:
    values: Values = {}
    for _s, p, o in store.match(GRAPH_CURRENT, URIRef(iri)):
        values.setdefault(URIRef(str(p)), []).append(o)
    return values


def _standard_iri(store: Store, identifier: str) -> URIRef | None:
    rows = store.select(
        f"SELECT ?s WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?s a <{SCS.Standard}> ; "
        f"<{DCTERMS.identifier}> ?id }} }}",
        {"id": Literal(identifier)},
    )
    return URIRef(str(rows[0]["s"])) if rows else None


def _version_day(store: Store, iri: str) -> str | None:
    rows = store.select(
        f"SELECT ?t WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ ?item <{SCS.currentVersion}> ?v . "
        f"?v <{PROV.generatedAtTime}> ?t }} }}",
        {"item": URIRef(iri)},
    )
    return str(rows[0]["t"])[:10] if rows else None


def assessment_code(entry_code: str, standard: str) -> str:
    """`AUTO-<entry code>-<standard slug>`, shortened with a digest past 64 characters."""
    code = f"AUTO-{entry_code.replace('/', '-')}-{parse_standard_id(standard).slug}"
    if len(code) <= 64:
        return code
    return f"AUTO-{hashlib.sha256(code.encode()).hexdigest()[:24]}"


def assessments_of(
    store: Store, entries: Iterable[tuple[str, str]], base_iri: str
) -> list[tuple[Node, Node, Node]]:
    """The triples of the automatic assessments of `entries` ((IRI, kind) pairs) by
    every rule for their kind whose standard is registered."""
    triples: list[tuple[Node, Node, Node]] = []
    standards: dict[str, URIRef | None] = {}
    for iri, kind in entries:
        rules = [r for r in RULES if r.kind == kind]
        if not rules:
            continue
        values = _values(store, iri)
        day = _version_day(store, iri)
        codes = values.get(SCS.resourceCode if kind == "resource" else SCS.interfaceCode, [])
        publishers = values.get(DCTERMS.publisher, [])
        if day is None or not codes or not publishers:
            continue
        for rule in rules:
            if rule.standard not in standards:
                standards[rule.standard] = _standard_iri(store, rule.standard)
            standard = standards[rule.standard]
            if standard is None:
                continue
            outcome, zh, en = rule.check(values)
            code = assessment_code(str(codes[0]), rule.standard)
            node = URIRef(f"{base_iri}assessment/{code}")
            body, result = BNode(), BNode()
            entry = URIRef(iri)
            triples += [
                (node, RDF.type, EARL.Assertion),
                (node, SCS.assessmentCode, Literal(code)),
                (
                    node,
                    DCTERMS.title,
                    Literal(f"{codes[0]} 对照 {rule.standard} 的自动评估", lang="zh"),
                ),
                (
                    node,
                    DCTERMS.title,
                    Literal(f"{codes[0]} against {rule.standard} (automatic)", lang="en"),
                ),
                (node, DCTERMS.publisher, publishers[0]),
                (node, EARL.assertedBy, body),
                (body, RDF.type, FOAF.Organization),
                (body, FOAF.name, Literal(ASSESSOR["zh"], lang="zh")),
                (body, FOAF.name, Literal(ASSESSOR["en"], lang="en")),
                (node, EARL.subject, entry),
                (node, EARL.test, standard),
                (node, SCS.clause, Literal(rule.clause)),
                (node, EARL.mode, EARL.automatic),
                (node, EARL.result, result),
                (result, RDF.type, EARL.TestResult),
                (result, EARL.outcome, outcome),
                (result, DCTERMS.date, Literal(day, datatype=XSD.date)),
                (result, DCTERMS.description, Literal(zh, lang="zh")),
                (result, DCTERMS.description, Literal(en, lang="en")),
            ]
    return triples


def _all_registered(store: Store, triples: list[tuple[Node, Node, Node]]) -> bool:
    """Whether every assessment of `triples` is registered with this content already:
    then a submission would only record that nothing changed."""
    made, _ignored = split_entries(triples)
    states = item_states(store, [str(e) for e in made])
    for entry, (_kind, own) in made.items():
        state = states.get(str(entry))
        if state is None or state.content_sha256 != registered_content(entry, own)[1]:
            return False
    return True


def record_automatic(
    store: Store,
    validator: Validator,
    entries: Iterable[tuple[str, str]],
    base_iri: str,
) -> SubmissionResult | None:
    """Assess `entries` by the rules and register the assessments through the one submit
    path (unchanged ones write nothing: None when there is nothing to write). A refusal
    is logged, never raised: the submission that called for them is already written."""
    triples = assessments_of(store, entries, base_iri)
    if not triples or _all_registered(store, triples):
        return None
    try:
        result = submit(store, validator, Reading(rdf=[triples]), AUTOMATIC, base_iri)
    except RegistryError as error:
        log.warning("automatic assessments not recorded: %s", error.message)
        return None
    if not result.accepted:
        log.warning(
            "automatic assessments not recorded: %s",
            [r.message_en for r in result.report.results if r.severity == "Violation"][:5],
        )
    return result
