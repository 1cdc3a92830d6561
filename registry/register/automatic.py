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
from registry.inputs.identifiers import parse_standard_id
from registry.inputs.load import Reading
from registry.namespaces import EARL, GRAPH_CURRENT, GRAPH_REGISTRY, REGSTATUS, SCS
from registry.register.assessors import ASSESSOR, AUTO_PREFIX
from registry.register.submission import (
    Principal,
    SubmissionResult,
    item_states,
    registered_content,
    split_entries,
    submit,
)
from registry.store import Store
from registry.store.sparql_text import select_in_batches
from registry.validation.validator import Validator

log = logging.getLogger(__name__)

# Who writes them: a registrar's role (it writes for any department), by this name,
# and the one principal that may (registry.register.assessors).
AUTOMATIC = Principal(role="registrar", name="automatic-assessment", automatic=True)
Values = dict[URIRef, list[Node]]
# rdflib's DCAT namespace object lacks dcat:version (it warns)
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
CORE_STANDARD = "GB/T 21063.3-2007"
# The register statuses of the entries the rules assess and the wholes count: valid,
# and deprecated (still valid, no longer recommended: a catalogue that lists one still
# lists it; its whole said "each of its 1 resources passed" of 3 listed).
ASSESSED_STATUSES = ("valid", "deprecated")


@dataclass(frozen=True)
class Verdict:
    outcome: URIRef
    zh: str  # the findings
    en: str
    # A day later than the entry's version that the verdict rests on (a catalogue's
    # resources assessed since): the assessment's date, so that it stays a function of
    # what is registered.
    day: str | None = None


@dataclass(frozen=True)
class Rule:
    kind: str  # the item kind it assesses
    standard: str  # the identifier of the standard edition it checks
    clause: str
    check: Callable[[Store, str, Values], Verdict]


# GB/T 21063.3-2007's mandatory core metadata the shapes of a resource require, with
# the property each is registered as. Which six elements the standard makes mandatory
# is not confirmed from its text (docs/assessment.md, "Clauses"): these are the
# elements the 2017 guide and the registry's shapes require.
CORE_METADATA = (
    ("信息资源名称", "resource name", DCTERMS.title),
    ("信息资源发布日期", "issue date", DCTERMS.issued),
    ("信息资源摘要", "abstract", DCTERMS.description),
    ("信息资源提供方", "provider", DCTERMS.publisher),
    ("信息资源分类", "classification", SCS.resourceClass),
    ("信息资源标识符", "resource identifier", SCS.resourceCode),
)


def _core_metadata(_store: Store, _iri: str, values: Values) -> Verdict:
    missing = [(zh, en) for zh, en, prop in CORE_METADATA if not values.get(prop)]
    if not missing:
        return Verdict(
            EARL.passed,
            "核心元数据必选元素齐全：" + "、".join(zh for zh, _en, _p in CORE_METADATA) + "。",
            "Every mandatory core metadata element is given: "
            + ", ".join(en for _zh, en, _p in CORE_METADATA)
            + ".",
        )
    return Verdict(
        EARL.failed,
        "缺少核心元数据必选元素：" + "、".join(zh for zh, _en in missing) + "。",
        "Mandatory core metadata elements missing: " + ", ".join(en for _zh, en in missing) + ".",
    )


def _interface_rules(_store: Store, _iri: str, values: Values) -> Verdict:
    if not values.get(DCAT.endpointDescription):
        return Verdict(
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
        return Verdict(
            EARL.failed,
            "；".join(zh for zh, _en in failed) + "。",
            "; ".join(en for _zh, en in failed) + ".",
        )
    return Verdict(
        EARL.passed,
        "有接口描述（OpenAPI），说明了认证方式和版本，访问地址使用 HTTPS。",
        "An interface description (OpenAPI) is registered, the authentication method and "
        "version are stated, and the endpoint uses HTTPS.",
    )


# How many resource codes a whole's findings name before "..."
NAMED = 10


def _whole(store: Store, iri: str, members: str) -> Verdict:
    """A catalogue or a department as a whole against GB/T 21063.3-2007: each valid or
    deprecated resource it lists (`members`, a SPARQL pattern binding ?r from ?whole;
    retired, superseded or invalid ones left out) by its own automatic
    core-metadata assessment. Passed when every one passed, failed naming those that
    did not (or were not assessed), cannot tell when it lists none."""
    rows = store.select(
        f"""SELECT ?r ?code ?outcome ?day WHERE {{
            GRAPH <{GRAPH_CURRENT}> {{
                {members}
                ?r a <{SCS.InformationResource}> .
                OPTIONAL {{ ?r <{SCS.resourceCode}> ?code }} }}
            VALUES ?status {{ {" ".join(f"<{REGSTATUS[st]}>" for st in ASSESSED_STATUSES)} }}
            GRAPH <{GRAPH_REGISTRY}> {{ ?r <{SCS.registerStatus}> ?status }}
            OPTIONAL {{ GRAPH <{GRAPH_CURRENT}> {{
                ?a <{EARL.subject}> ?r ; <{EARL.mode}> <{EARL.automatic}> ;
                   <{EARL.test}> ?std ; <{EARL.result}> ?res .
                ?std <{DCTERMS.identifier}> ?stdid .
                FILTER (STR(?stdid) = "{CORE_STANDARD}")
                ?res <{EARL.outcome}> ?outcome ; <{DCTERMS.date}> ?day }} }} }}""",
        {"whole": URIRef(iri)},
    )
    outcomes: dict[str, tuple[str, str | None]] = {}
    days = []
    for row in rows:
        code = str(row.get("code") or row["r"])
        outcome = str(row["outcome"]) if row.get("outcome") is not None else None
        outcomes[str(row["r"])] = (code, outcome)
        if row.get("day") is not None:
            days.append(str(row["day"])[:10])
    day = max(days) if days else None
    total = len(outcomes)
    if not total:
        return Verdict(
            EARL.cantTell,
            "未列出已登记的信息资源，无法判定。",
            "It lists no registered information resource: the registry cannot tell.",
        )
    short = sorted(code for code, outcome in outcomes.values() if outcome != str(EARL.passed))
    if not short:
        return Verdict(
            EARL.passed,
            f"所列 {total} 项信息资源的核心元数据自动评估均为通过。",
            f"The automatic core metadata assessment of each of its {total} resources passed.",
            day,
        )
    named = ", ".join(short[:NAMED]) + (" ..." if len(short) > NAMED else "")
    return Verdict(
        EARL.failed,
        f"所列 {total} 项信息资源中 {len(short)} 项的核心元数据自动评估未通过或尚未评估：{named}。",
        f"{len(short)} of its {total} resources did not pass (or have no) automatic core "
        f"metadata assessment: {named}.",
        day,
    )


def _catalogue_whole(store: Store, iri: str, _values: Values) -> Verdict:
    return _whole(store, iri, f"?whole <{DCAT.dataset}> ?r .")


def _department_whole(store: Store, iri: str, _values: Values) -> Verdict:
    return _whole(store, iri, f"?r <{DCTERMS.publisher}> ?whole .")


RULES: tuple[Rule, ...] = (
    Rule("resource", CORE_STANDARD, "核心元数据必选元素", _core_metadata),
    Rule(
        "interface",
        "GB/T 38672-2020",
        "登记库可检查的接口要求：接口描述、认证方式、HTTPS、版本",
        _interface_rules,
    ),
    Rule(
        "catalogue",
        CORE_STANDARD,
        "核心元数据必选元素（目录整体：所列信息资源）",
        _catalogue_whole,
    ),
    Rule(
        "department",
        CORE_STANDARD,
        "核心元数据必选元素（部门整体：所提供的信息资源）",
        _department_whole,
    ),
)
# The kinds whose rules read other entries' automatic assessments: assessed after them.
WHOLES = ("catalogue", "department")
# The kinds a submission's new or changed entries are assessed for (a department is
# assessed as the provider of the resources assessed).
AUTOMATIC_KINDS = ("resource", "interface", "catalogue")

# The rules' own revision, raised by hand with any change to what RULES decide: like a
# change to the shapes, it puts every automatic assessment made before in doubt
# (`rules_version`). Not a digest of this file: a comment or a reformat would then
# give all 50,000 assessments of a large registry a new version each.
RULES_REVISION = 1


def rules_version(shapes_sha256: str) -> str:
    """What an automatic assessment was made under: the shapes (which encode the
    catalogue standards) and these rules, as one short digest. Recorded on each
    automatic assessment (`scs:rulesVersion`); one made under another version is
    outdated until it is run again (docs/assessment.md, "Re-run on change")."""
    return hashlib.sha256(f"{shapes_sha256}|rules {RULES_REVISION}".encode()).hexdigest()[:16]


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
    code = f"{AUTO_PREFIX}{entry_code.replace('/', '-')}-{parse_standard_id(standard).slug}"
    if len(code) <= 64:
        return code
    return f"{AUTO_PREFIX}{hashlib.sha256(code.encode()).hexdigest()[:24]}"


def _code_and_owner(kind: str, iri: str, values: Values) -> tuple[str, Node] | None:
    """The code an entry's automatic assessments are named after, and their owner (the
    department providing the entry; a department owns its own)."""
    if kind == "department":
        codes = values.get(SCS.creditCode, [])
        return (str(codes[0]), URIRef(iri)) if codes else None
    publishers = values.get(DCTERMS.publisher, [])
    if kind == "catalogue":
        # <base>catalogue/<credit code>/<name>: both parts, apart from a resource code
        name = "CAT-" + "-".join(iri.rstrip("/").split("/")[-2:])
        return (name, publishers[0]) if publishers else None
    prop = SCS.resourceCode if kind == "resource" else SCS.interfaceCode
    codes = values.get(prop, [])
    return (str(codes[0]), publishers[0]) if codes and publishers else None


def assessments_of(
    store: Store, entries: Iterable[tuple[str, str]], base_iri: str, version: str
) -> list[tuple[Node, Node, Node]]:
    """The triples of the automatic assessments of `entries` ((IRI, kind) pairs) by
    every rule for their kind whose standard is registered, made under the rules
    `version` (`rules_version`)."""
    triples: list[tuple[Node, Node, Node]] = []
    standards: dict[str, URIRef | None] = {}
    for iri, kind in entries:
        rules = [r for r in RULES if r.kind == kind]
        if not rules:
            continue
        values = _values(store, iri)
        day = _version_day(store, iri)
        named = _code_and_owner(kind, iri, values)
        if day is None or named is None:
            continue
        entry_code, owner = named
        for rule in rules:
            if rule.standard not in standards:
                standards[rule.standard] = _standard_iri(store, rule.standard)
            standard = standards[rule.standard]
            if standard is None:
                continue
            verdict = rule.check(store, iri, values)
            code = assessment_code(entry_code, rule.standard)
            node = URIRef(f"{base_iri}assessment/{code}")
            body, result = BNode(), BNode()
            shown = entry_code.removeprefix("CAT-")
            triples += [
                (node, RDF.type, EARL.Assertion),
                (node, SCS.assessmentCode, Literal(code)),
                (
                    node,
                    DCTERMS.title,
                    Literal(f"{shown} 对照 {rule.standard} 的自动评估", lang="zh"),
                ),
                (
                    node,
                    DCTERMS.title,
                    Literal(f"{shown} against {rule.standard} (automatic)", lang="en"),
                ),
                (node, DCTERMS.publisher, owner),
                (node, EARL.assertedBy, body),
                (body, RDF.type, FOAF.Organization),
                (body, FOAF.name, Literal(ASSESSOR["zh"], lang="zh")),
                (body, FOAF.name, Literal(ASSESSOR["en"], lang="en")),
                (node, EARL.subject, URIRef(iri)),
                (node, EARL.test, standard),
                (node, SCS.clause, Literal(rule.clause)),
                (node, EARL.mode, EARL.automatic),
                (node, SCS.rulesVersion, Literal(version)),
                (node, EARL.result, result),
                (result, RDF.type, EARL.TestResult),
                (result, EARL.outcome, verdict.outcome),
                (
                    result,
                    DCTERMS.date,
                    Literal(max(day, verdict.day or day), datatype=XSD.date),
                ),
                (result, DCTERMS.description, Literal(verdict.zh, lang="zh")),
                (result, DCTERMS.description, Literal(verdict.en, lang="en")),
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


def wholes_of(store: Store, resources: Iterable[str]) -> list[tuple[str, str]]:
    """The catalogues listing any of `resources` and the departments providing them:
    the wholes whose automatic assessment reads theirs."""
    listed = [URIRef(r) for r in resources]
    if not listed:
        return []
    found: set[tuple[str, str]] = set()
    for row in select_in_batches(
        store,
        f"""SELECT ?w ?kind WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ VALUES ?r {{ $VALUES }}
            {{ ?w <{DCAT.dataset}> ?r ; a <{DCAT.Catalog}> . BIND ("catalogue" AS ?kind) }}
            UNION {{ ?r <{DCTERMS.publisher}> ?w . BIND ("department" AS ?kind) }} }} }}""",
        listed,
        500,
    ):
        found.add((str(row["w"]), str(row["kind"])))
    return sorted(found)


def _record(
    store: Store,
    validator: Validator,
    entries: list[tuple[str, str]],
    base_iri: str,
) -> SubmissionResult | None:
    triples = assessments_of(store, entries, base_iri, rules_version(validator.shapes.sha256))
    if not triples or _all_registered(store, triples):
        return None
    pending, _ignored = split_entries(triples)
    # One assessment refused (a write naming entries, such as a retired one changed, or
    # a Violation) is left out and the others written: before, one refusal lost every
    # assessment of the batch (the wholes of a submission with it).
    while pending:
        own = [t for _kind, content in pending.values() for t in content]
        try:
            result = submit(store, validator, Reading(rdf=[own]), AUTOMATIC, base_iri)
        except RegistryError as error:
            named = _named_entries(error.details, pending)
            log.warning(
                "automatic assessments not recorded: %s (left out: %s)",
                error.message.en,
                sorted(named) or "all",
            )
            if not named:
                return None
        else:
            if result.accepted:
                return result
            violations = [r for r in result.report.results if r.severity == "Violation"]
            named = {URIRef(r.entry) for r in violations} & pending.keys()
            log.warning(
                "automatic assessments not recorded: %s (left out: %s)",
                [r.message_en for r in violations][:5],
                sorted(named) or "all",
            )
            if not named:
                return result
        for entry in named:
            del pending[entry]
    return None


def _named_entries(details: object, pending: Iterable[URIRef]) -> set[URIRef]:
    """The entries among `pending` that a refusal's details name (`entries`, each with
    its `entry`)."""
    listed = details.get("entries", []) if isinstance(details, dict) else []
    named = {str(e.get("entry")) for e in listed if isinstance(e, dict)}
    return {e for e in pending if str(e) in named}


def record_automatic(
    store: Store,
    validator: Validator,
    entries: Iterable[tuple[str, str]],
    base_iri: str,
) -> list[SubmissionResult]:
    """Assess `entries` by the rules and register the assessments through the one submit
    path, in up to two writes: the entries' own, then those of the catalogues and
    departments that list or provide a resource among them (and of the wholes among
    `entries`), which read the first. Unchanged assessments write nothing. A refusal is
    logged, never raised: the submission that called for them is already written."""
    given = list(entries)
    own = [(iri, kind) for iri, kind in given if kind not in WHOLES]
    made = [r for r in [_record(store, validator, own, base_iri)] if r is not None]
    wholes = {(iri, kind) for iri, kind in given if kind in WHOLES}
    wholes.update(wholes_of(store, [iri for iri, kind in own if kind == "resource"]))
    if wholes:
        after = _record(store, validator, sorted(wholes), base_iri)
        if after is not None:
            made.append(after)
    return made
