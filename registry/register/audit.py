"""`screg check`: what the register rules forbid but a store may still hold.

The submit path refuses duplicate identifiers, entries at IRIs that disagree with
their identifiers and references to nothing; data written before those rules, loaded
from a dump, or written to a remote store by another tool can still hold them. Each
finding says what is wrong and how to mend it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.bilingual import Text
from registry.namespaces import EARL, GRAPH_CURRENT, SCS
from registry.register.iris import minted_iri
from registry.store import Store
from registry.validation.labels import property_name
from registry.validation.validator import REFERENCE_PROPERTIES, UNIQUE_CODES

# Where each kind of entry is minted: <base><path>/<slug of its code>.
_MINTED = (
    (SCS.Standard, DCTERMS.identifier, "standard"),
    (SCS.InformationResource, SCS.resourceCode, "resource"),
    (SCS.DataInterface, SCS.interfaceCode, "interface"),
    (URIRef("http://www.w3.org/ns/org#Organization"), SCS.creditCode, "department"),
    (EARL.Assertion, SCS.assessmentCode, "assessment"),
)


@dataclass(frozen=True)
class Finding:
    kind: str  # duplicate-identifier, iri-disagrees, dangling-reference
    entry: str
    detail: Text
    mend: Text

    def as_dict(self) -> dict[str, str]:
        # `detail` and `mend` in English as before; their Chinese beside them.
        return {
            "kind": self.kind,
            "entry": self.entry,
            "detail": self.detail.en,
            "mend": self.mend.en,
            "detail_zh": self.detail.zh,
            "mend_zh": self.mend.zh,
        }


def audit(store: Store, base_iri: str) -> list[Finding]:
    """Every finding, sorted: duplicates, then IRIs, then dangling references."""
    return [*_duplicates(store), *_disagreeing(store, base_iri), *_dangling(store)]


def _duplicates(store: Store) -> list[Finding]:
    found = []
    for prop, cls, name_zh, name_en in UNIQUE_CODES:
        rows = store.select(
            f"SELECT ?code ?s WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
            f"?s <{prop}> ?code ; a <{cls}> . "
            f"{{ SELECT ?code WHERE {{ ?t <{prop}> ?code ; a <{cls}> }} "
            f"GROUP BY ?code HAVING (COUNT(DISTINCT ?t) > 1) }} }} }}"
        )
        holders: dict[str, list[str]] = {}
        for row in rows:
            holders.setdefault(str(row["code"]), []).append(str(row["s"]))
        for code, subjects in sorted(holders.items()):
            subjects.sort()
            for subject in subjects:
                others = ", ".join(s for s in subjects if s != subject)
                found.append(
                    Finding(
                        "duplicate-identifier",
                        subject,
                        Text(
                            zh=f"其{name_zh} {code} 也指向 {others}",
                            en=f"its {name_en} {code} also names {others}",
                        ),
                        Text(
                            zh="只保留一个，其余撤销（screg status ID retired --reason ...），"
                            "或在新的提交中为每个条目给出各自的标识",
                            en="retire all but one (screg status ID retired --reason ...) or "
                            "give each its own identifier in a new submission",
                        ),
                    )
                )
    return found


def _disagreeing(store: Store, base_iri: str) -> list[Finding]:
    found = []
    for cls, prop, path in _MINTED:
        rows = store.select(
            f"SELECT ?s ?code WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
            f"?s a <{cls}> ; <{prop}> ?code }} }}"
        )
        for row in sorted(rows, key=lambda r: (str(r["s"]), str(r["code"]))):
            iri, code = str(row["s"]), str(row["code"])
            expected = minted_iri(base_iri, path, code)
            if expected is not None and iri != expected:
                found.append(
                    Finding(
                        "iri-disagrees",
                        iri,
                        Text(
                            zh=f"其{_name(prop, 'zh')} {code} 对应的 IRI 是 {expected}",
                            en=f"its {_name(prop, 'en')} {code} is minted at {expected}",
                        ),
                        Text(
                            zh=f"在 {expected} 重新登记并撤销 {iri}，或在新的提交中更正标识",
                            en=f"register it at {expected} and retire {iri}, or correct the "
                            "identifier in a new submission",
                        ),
                    )
                )
    return found


def _dangling(store: Store) -> list[Finding]:
    props = " ".join(f"<{p}>" for p in REFERENCE_PROPERTIES)
    rows = store.select(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
        f"VALUES ?p {{ {props} }} ?s ?p ?o . FILTER(isIRI(?o)) "
        f"FILTER NOT EXISTS {{ ?o <{RDF.type}> ?any }} }} }}"
    )
    return [
        Finding(
            "dangling-reference",
            str(row["s"]),
            Text(
                zh=f"{_name(row['p'], 'zh')}指向 {row['o']}，它不是现有条目",
                en=f"{_name(row['p'], 'en')} points at {row['o']}, which is no current entry",
            ),
            Text(
                zh=f"登记 {row['o']}，或不带该引用重新提交 {row['s']}",
                en=f"register {row['o']}, or submit {row['s']} again without the reference",
            ),
        )
        for row in sorted(rows, key=lambda r: (str(r["s"]), str(r["p"]), str(r["o"])))
    ]


def _name(iri: object, lang: str) -> str:
    """The property as a report names it (its label), else its local name."""
    local = str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return property_name(str(iri), None, lang) or local
