"""The EARL terms a conformity assessment uses, with the words people read and write.

An assessment is an `earl:Assertion` (W3C Evaluation and Report Language 1.0): its
outcome and mode are EARL's own individuals, which no code list of ontology/ holds
(their IRIs end in `#name`, not in the `/notation` a code list's concepts have), so
their zh/en labels and the spellings a spreadsheet may give live here, once, for the
read model, the pages and the spreadsheet reader alike (docs/assessment.md).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from registry.namespaces import EARL


@dataclass(frozen=True)
class Term:
    iri: URIRef
    code: str
    zh: str
    en: str
    spellings: tuple[str, ...] = ()  # other words a spreadsheet may give

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "iri": str(self.iri), "label": {"zh": self.zh, "en": self.en}}


OUTCOMES: tuple[Term, ...] = (
    Term(EARL.passed, "passed", "通过", "passed", ("符合", "合格", "pass")),
    Term(EARL.failed, "failed", "不通过", "failed", ("不符合", "不合格", "未通过", "fail")),
    Term(EARL.cantTell, "cantTell", "无法判定", "cannot tell", ("待定", "cant tell", "cantell")),
    Term(EARL.inapplicable, "inapplicable", "不适用", "inapplicable", ("n/a", "na")),
)
MODES: tuple[Term, ...] = (
    Term(EARL.manual, "manual", "人工", "manual", ("人工评估", "手工")),
    Term(EARL.automatic, "automatic", "自动", "automatic", ("自动评估", "auto")),
)
BY_IRI: dict[str, Term] = {str(t.iri): t for t in (*OUTCOMES, *MODES)}


def term_of(iri: str | None) -> dict[str, Any] | None:
    """An outcome or mode as records show it ({code, iri, label}), None for none."""
    if iri is None:
        return None
    found = BY_IRI.get(iri)
    return found.as_dict() if found else {"code": iri.rsplit("#", 1)[-1], "iri": iri, "label": {}}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def read_term(terms: tuple[Term, ...], text: str) -> Term | None:
    """The term a cell names by its zh or en label, code or another spelling."""
    wanted = _fold(text)
    for term in terms:
        if wanted in {_fold(w) for w in (term.zh, term.en, term.code, *term.spellings)}:
            return term
    return None
