"""IRIs are the registry's, and the trusted context is the registry's alone (issue 17).

An attack run found a submitter registering a resource at another department's
data-item IRI, at a code list's concept and at `urn:screg:graph:tokens`; listing or
copying another department's data item into its own resource (and deleting the
victim's triples by re-submitting without it); and making an invalid sharing type
conform by adding `<bogus> skos:inScheme scs:SharingTypes` to the upload. The rules
that close those, each written once, applied by the submit path (and by validation
alone) before anything is validated or written:

- an entry is registered only at the IRI minted under the base for its kind and code
  (`minted_iri`, `unminted_entries`);
- an entry's data items are its own: IRIs under the entry's IRI (`foreign_parts`);
- an upload's triples about a subject that is no entry of it and no part of one are
  refused when the subject is a registered entry, a part of one, anything under the
  base or `urn:screg:`, or a term of the vocabulary; other such subjects are ignored
  (not written, not validated) (`screen_upload`);
- no triple of an upload may state vocabulary: put something in a concept scheme,
  make a class, a property or a shape (`vocabulary_statements`).

Every refusal is a Violation (zh and en) in the same result model as the shapes'.
docs/registration.md ("IRIs are the registry's") and docs/security.md say why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from registry.inputs.identifiers import IdentifierError, parse_standard_id, resource_slug
from registry.namespaces import GRAPH_CURRENT, GRAPH_REGISTRY, SCS, SH
from registry.store import Store
from registry.store.base import is_plain_iri
from registry.store.sparql_text import select_in_batches
from registry.validation.validator import SCSH, ValidationResult

Triple = tuple[Node, Node, Node]
Statements = dict[Node, dict[tuple[Node, Node], None]]

# The registry's own IRIs outside the base: its graphs, tokens, agents and the store.
REGISTRY_PREFIX = "urn:screg:"
# The ontology's namespaces (scs:, categories, code lists) and the ones vocabulary,
# schemes and shapes are written in. A subject in one of them is vocabulary.
VOCABULARY_NAMESPACES = (
    "https://w3id.org/smartcity-std",
    str(RDF),
    str(RDFS),
    str(OWL),
    str(SKOS),
    str(SH),
    str(XSD),
)
# Predicates that put a node into a concept scheme or a class hierarchy, or make it a
# class, a property or a shape: what the code-list, category and sh:class checks read.
# Every OWL and SHACL predicate is one too (checked by namespace).
STRUCTURAL_PREDICATES = frozenset(
    {
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.hasTopConcept,
        SKOS.broader,
        SKOS.narrower,
        SKOS.broaderTransitive,
        SKOS.narrowerTransitive,
        SKOS.member,
        SKOS.memberList,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        RDFS.member,
    }
)
# Classes whose instances are vocabulary; every OWL and SHACL class is one too.
STRUCTURAL_CLASSES = frozenset(
    {
        SKOS.Concept,
        SKOS.ConceptScheme,
        SKOS.Collection,
        SKOS.OrderedCollection,
        RDFS.Class,
        RDFS.Datatype,
        RDF.Property,
    }
)
_STRUCTURAL_NAMESPACES = (str(OWL), str(SH))

# Where each kind of entry is minted: <base><path>/<code>, the code read from this
# property (a catalogue: <base>catalogue/<its department's credit code>/<name>).
CODE_PROPERTIES: dict[str, URIRef] = {
    "standard": DCTERMS.identifier,
    "resource": SCS.resourceCode,
    "interface": SCS.interfaceCode,
    "department": SCS.creditCode,
    "catalogue": DCTERMS.publisher,
    "assessment": SCS.assessmentCode,
}
KIND_ZH = {
    "standard": "标准",
    "department": "部门",
    "resource": "信息资源",
    "interface": "数据接口",
    "catalogue": "目录",
    "assessment": "符合性评估",
}
CODE_ZH = {
    "standard": "标准编号",
    "resource": "信息资源代码",
    "interface": "接口代码",
    "department": "统一社会信用代码",
    "catalogue": "部门统一社会信用代码",
    "assessment": "评估编号",
}


def minted_iri(base_iri: str, kind: str, code: str) -> str | None:
    """The IRI the registry mints for an entry of `kind` with this code, or None when
    the code cannot be read (an identifier that is no identifier, a code that cannot
    stand in an IRI). A catalogue's code is its department's credit code and its IRI
    ends with a name of the catalogue's own: this gives its folder,
    `<base>catalogue/<code>/`."""
    code = code.strip()
    if kind == "standard":
        try:
            slug = parse_standard_id(code).slug
        except IdentifierError:
            return None
    else:
        slug = resource_slug(code) if kind == "resource" else code
    if not slug or "/" in slug or not is_plain_iri(slug):
        return None
    return f"{base_iri}{kind}/{slug}" + ("/" if kind == "catalogue" else "")


def _catalogue_code(base_iri: str, publisher: Node) -> str:
    """A catalogue's code: the credit code its department is minted at."""
    text = str(publisher)
    folder = f"{base_iri}department/"
    return text[len(folder) :] if text.startswith(folder) else ""


def _at_minted(iri: str, kind: str, expected: str) -> bool:
    if kind != "catalogue":
        return iri == expected
    name = iri[len(expected) :]
    return iri.startswith(expected) and bool(name) and "/" not in name


def _in_kind_folder(iri: str, base_iri: str, kind: str) -> bool:
    """An IRI of the form the kind is minted in (for an entry whose code is missing or
    unreadable: the shapes report the code, and the IRI cannot be another kind's)."""
    rest = iri.removeprefix(f"{base_iri}{kind}/")
    if rest == iri or not rest:
        return False
    segments = rest.split("/")
    wanted = 2 if kind == "catalogue" else 1
    return len(segments) == wanted and all(segments)


def expected_iris(
    entry: URIRef, kind: str, pairs: Iterable[tuple[Node, Node]], base_iri: str
) -> tuple[list[str], str]:
    """The IRIs the entry may have (one per code it states among its (predicate,
    object) pairs) and, for a message, the one it should have (a pattern when it
    states no readable code)."""
    prop = CODE_PROPERTIES[kind]
    codes = [o for p, o in pairs if p == prop]
    if kind == "catalogue":
        codes = [_catalogue_code(base_iri, o) for o in codes]
    minted = [m for code in codes if (m := minted_iri(base_iri, kind, str(code))) is not None]
    shown = f"{minted[0]}<name>" if kind == "catalogue" and minted else (minted or [""])[0]
    if not shown:
        shown = f"{base_iri}{kind}/<{CODE_ZH[kind]}>" + ("/<name>" if kind == "catalogue" else "")
    return minted, shown


def unminted_entries(
    entries: Mapping[URIRef, tuple[str, list[Triple]]], spo: Statements, base_iri: str
) -> list[ValidationResult]:
    """A Violation for each entry not at the IRI minted for its kind and code."""
    results = []
    for entry, (kind, _triples) in entries.items():
        iri = str(entry)
        minted, shown = expected_iris(entry, kind, spo.get(entry, {}), base_iri)
        if any(_at_minted(iri, kind, m) for m in minted):
            continue
        if not minted and _in_kind_folder(iri, base_iri, kind):
            continue  # no readable code: the shapes say so
        results.append(
            _violation(
                "MintedIri",
                entry,
                None,
                iri,
                f"{KIND_ZH[kind]}条目 {iri} 不在登记库为它生成的 IRI 上:应为 {shown}"
                f"(按{CODE_ZH[kind]}生成)。条目只能登记在登记库生成的 IRI 上。",
                f"The {kind} {iri} is not at the IRI the registry mints for it: it should "
                f"be at {shown} (from its {_code_en(kind)}). Entries are registered only at "
                "the IRIs the registry mints.",
            )
        )
    return results


def _code_en(kind: str) -> str:
    return {
        "standard": "identifier",
        "resource": "resource code",
        "interface": "interface code",
        "department": "unified social credit code",
        "catalogue": "department's credit code",
        "assessment": "assessment code",
    }[kind]


def part_prefix(entry: Node) -> str:
    """Where an entry's own parts (data items, skolemised blank nodes) live."""
    return f"{entry}/"


def is_part_of(node: Node, entry: Node) -> bool:
    """Whether an IRI is under the entry's IRI (and no version graph of it)."""
    text, prefix = str(node), part_prefix(entry)
    return text.startswith(prefix) and not text.startswith(f"{prefix}version/")


def foreign_parts(entries: Iterable[URIRef], spo: Statements) -> list[ValidationResult]:
    """A Violation for each data item an entry lists that is not under the entry's
    IRI: another entry, another entry's data item (listed, or copied with its IRI),
    or anything else. Blank-node data items are the entry's own."""
    data_item = URIRef(str(SCS.dataItem))
    results = []
    for entry in entries:
        for p, o in spo.get(entry, {}):
            if p != data_item or isinstance(o, BNode) or is_part_of(o, entry):
                continue
            results.append(
                _violation(
                    "OwnDataItem",
                    entry,
                    str(SCS.dataItem),
                    str(o),
                    f"数据项 {o} 不是条目 {entry} 自己的:条目的数据项须在 {part_prefix(entry)} "
                    "之下;不能列入或复制其他条目(或其数据项)。",
                    f"The data item {o} is not {entry}'s own: an entry's data items are under "
                    f"{part_prefix(entry)}; another entry or its data item cannot be listed "
                    "or copied.",
                )
            )
    return results


# rdflib namespace attributes build a new term on every access: read once. This check
# runs on every triple of an upload.
_RDF_TYPE = URIRef(str(RDF.type))


def states_vocabulary(predicate: Node, obj: Node) -> bool:
    """Whether a triple puts its subject into a scheme or a class hierarchy, or makes
    it a class, a property or a shape."""
    # Terms are str: str.startswith on the term itself reads its text without a copy
    # (rdflib's own startswith takes no tuple of prefixes).
    if predicate == _RDF_TYPE:
        return obj in STRUCTURAL_CLASSES or (
            isinstance(obj, URIRef) and str.startswith(obj, _STRUCTURAL_NAMESPACES)
        )
    return predicate in STRUCTURAL_PREDICATES or (
        isinstance(predicate, URIRef) and str.startswith(predicate, _STRUCTURAL_NAMESPACES)
    )


def vocabulary_triples(spo: Statements) -> list[Triple]:
    """The triples of a document that state vocabulary (`states_vocabulary`). Run on
    every triple of an upload, so decided once per predicate and per class."""
    predicates: dict[Node, bool] = {}
    classes: dict[Node, bool] = {}
    found = []
    for s, pairs in spo.items():
        for p, o in pairs:
            structural = predicates.get(p)
            if structural is None:
                structural = predicates[p] = p == _RDF_TYPE or states_vocabulary(p, o)
            if not structural:
                continue
            if p == _RDF_TYPE:
                made = classes.get(o)
                if made is None:
                    made = classes[o] = states_vocabulary(p, o)
                if not made:
                    continue
            found.append((s, p, o))
    return found


def vocabulary_statements(
    triples: Iterable[Triple], owners: Mapping[Node, Node]
) -> list[ValidationResult]:
    """A Violation for each triple of the upload that states vocabulary, whoever's
    subject it is: the validation's vocabulary is ontology/ alone."""
    results = []
    for s, p, o in triples:
        shown = f"{s.n3()} {p.n3()} {o.n3()}"
        results.append(
            _violation(
                "TrustedVocabulary",
                s,
                str(p),
                str(o),
                f"上传内容不能陈述词表(代码表、类目、类、属性或形状):{shown}。"
                "词表只来自登记库本身。",
                "An upload cannot make statements of the vocabulary (code lists, "
                f"categories, classes, properties or shapes): {shown}. The "
                "vocabulary comes from the registry alone.",
                entry=owners.get(s, s),
            )
        )
    return results


# The register's own record of an item: its class as a register item or version, its
# kind, its current or pending version and its register status. Only the registry
# writes them; an entry's /id/ Turtle shows them, so a downloaded entry sent back
# carries them.
REGISTER_RECORD_PREDICATES = frozenset(
    {
        SCS.currentVersion,
        SCS.pendingVersion,
        SCS.registerStatus,
        SCS.itemKind,
        SCS.versionOf,
        SCS.versionNumber,
        SCS.contentSha256,
    }
)
REGISTER_RECORD_CLASSES = frozenset({SCS.RegisterItem, SCS.ItemVersion})


def without_register_record(spo: Statements) -> tuple[Statements, list[ValidationResult]]:
    """The document without its statements of the register's own record (what
    REGISTER_RECORD_PREDICATES and REGISTER_RECORD_CLASSES name), and an Info for each
    subject that had some: they are left out, never stored as an entry's content (the
    register record would then claim a status or a version the register never gave)
    and never refused (a downloaded entry sent back carries them)."""
    kept: Statements = {}
    results = []
    for s, pairs in spo.items():
        # _RDF_TYPE compared as text: rdflib's __eq__ is a Python call on every pair
        dropped = [
            (p, o)
            for p, o in pairs
            if p in REGISTER_RECORD_PREDICATES
            or (str.__eq__(p, _RDF_TYPE) and o in REGISTER_RECORD_CLASSES)
        ]
        if not dropped:
            kept[s] = pairs
            continue
        kept[s] = {pair: None for pair in pairs if pair not in dropped}
        if not kept[s]:
            del kept[s]
        results.append(
            ValidationResult(
                severity="Info",
                focus=_name(s),
                path=str(dropped[0][0]),
                value=None,
                message_zh=f"{len(dropped)} 条登记记录陈述(现行版本、登记状态、类型)由登记库写入，"
                "上传中的已忽略。",
                message_en=f"{len(dropped)} statement(s) of the register record (current "
                "version, register status, kind) are the registry's to write; the upload's "
                "were left out.",
                source_shape=f"{SCSH}RegisterRecord",
                constraint=f"{SCSH}RegisterRecordConstraintComponent",
                entry=_name(s),
            )
        )
    return kept, results


@dataclass
class Screening:
    """What an upload may say, and what it may not."""

    #: Violations: the upload is refused whole when there is any.
    results: list[ValidationResult] = field(default_factory=list)
    #: The statements kept: the entries' own and their parts', less any statement of
    #: the vocabulary; all that is validated.
    kept: Statements = field(default_factory=dict)
    #: Subjects neither kept nor refused: not written, not validated.
    ignored: list[str] = field(default_factory=list)


def screen_upload(
    store: Store | None,
    spo: Statements,
    owners: Mapping[Node, Node],
    entries: Mapping[URIRef, tuple[str, list[Triple]]],
    base_iri: str,
    vocabulary_terms: frozenset[URIRef] | set[URIRef],
) -> Screening:
    """Apply every rule above to a document's statements. `owners` maps each node an
    entry owns (the entry itself, its data items, its blank nodes) to the entry."""
    screening = Screening()
    screening.results += unminted_entries(entries, spo, base_iri)
    screening.results += foreign_parts(entries, spo)
    stated = vocabulary_triples(spo)
    screening.results += vocabulary_statements(stated, owners)
    foreign = [s for s in spo if s not in owners]
    registered = _registered(store, [s for s in foreign if isinstance(s, URIRef)], base_iri)
    for subject in foreign:
        reason = _refusal(subject, entries, base_iri, vocabulary_terms, registered)
        if reason is None:
            screening.ignored.append(str(subject))
            continue
        zh, en = reason
        screening.results.append(
            _violation(
                "OwnSubjects",
                subject,
                None,
                str(subject),
                f"上传内容只能陈述它所提交的条目及其组成部分;{subject} {zh}。",
                f"An upload speaks only about the entries it submits and their parts; "
                f"{subject} {en}.",
            )
        )
    # What is validated: never a statement of the vocabulary, whatever else is wrong.
    screening.kept = {s: pairs for s, pairs in spo.items() if s in owners}
    for s, p, o in stated:
        if s in screening.kept:
            pairs = screening.kept[s] = dict(screening.kept[s])  # the document's is kept
            pairs.pop((p, o), None)
    screening.ignored.sort()
    return screening


def _refusal(
    subject: Node,
    entries: Mapping[URIRef, object],
    base_iri: str,
    vocabulary_terms: frozenset[URIRef] | set[URIRef],
    registered: set[str],
) -> tuple[str, str] | None:
    """Why triples about a subject no entry of the upload owns are refused (zh, en), or
    None when they are only ignored."""
    if not isinstance(subject, URIRef):
        return None  # a blank node of no entry: ignored, nobody else can name it
    text = str(subject)
    if subject in vocabulary_terms or text.startswith(VOCABULARY_NAMESPACES):
        return (
            "属于词表(类、属性、代码表或类目),只能由登记库定义",
            "is vocabulary (a class, property, code list or category), which only the "
            "registry defines",
        )
    if text.startswith(REGISTRY_PREFIX):
        return "是登记库自身的 IRI", "is one of the registry's own IRIs"
    if text.startswith(base_iri):
        if _under_an_entry(text, entries):
            return None  # under an entry of the upload that does not list it: ignored
        if text in registered:
            return (
                "是已登记的条目或其组成部分;要修改它须提交该条目本身",
                "is a registered entry or a part of one; submit that entry itself to change it",
            )
        return (
            "在登记库的基址之下,却不是本次提交的条目或其组成部分",
            "is under the registry's base but is no entry of this upload nor a part of one",
        )
    if text in registered:
        return (
            "是已登记的条目或其组成部分;要修改它须提交该条目本身",
            "is a registered entry or a part of one; submit that entry itself to change it",
        )
    return None


def _under_an_entry(text: str, entries: Mapping[URIRef, object]) -> bool:
    """Whether an IRI is a part of one of `entries` (each of its prefixes ending before
    a slash looked up: linear in the IRI, not in the number of entries)."""
    at = text.find("/")
    while at != -1:
        head = URIRef(text[:at])
        if head in entries:
            return is_part_of(URIRef(text), head)
        at = text.find("/", at + 1)
    return False


def _registered(store: Store | None, subjects: list[URIRef], base_iri: str) -> set[str]:
    """The subjects the register describes (in the current graph or the register)."""
    if store is None or not subjects:
        return set()
    query = (
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ $VALUES }} "
        f"{{ GRAPH <{GRAPH_CURRENT}> {{ ?s ?p ?o }} }} UNION "
        f"{{ GRAPH <{GRAPH_REGISTRY}> {{ ?s ?p ?o }} }} }}"
    )
    asked = (
        s
        for s in subjects
        if is_plain_iri(s) and not s.startswith((REGISTRY_PREFIX, *VOCABULARY_NAMESPACES))
    )
    return {str(row["s"]) for row in select_in_batches(store, query, asked)}


def _name(node: Node) -> str:
    return node.n3() if isinstance(node, BNode) else str(node)


def _violation(
    rule: str,
    focus: Node,
    path: str | None,
    value: str | None,
    zh: str,
    en: str,
    entry: Node | None = None,
) -> ValidationResult:
    return ValidationResult(
        severity="Violation",
        focus=_name(focus),
        path=path,
        value=value,
        message_zh=zh,
        message_en=en,
        source_shape=f"{SCSH}{rule}",
        constraint=f"{SCSH}{rule}ConstraintComponent",
        entry=_name(entry if entry is not None else focus),
    )
