"""Who may record a conformity assessment, in whose name, and with what date: the
rules of the one submit path that read what an assessment says of its assessor
(docs/assessment.md, "Who records what").

An outside probe found a department rewriting the registry's automatic verdicts of
its own entries (a new version of `AUTO-...` with any outcome, still shown as
automatic), registering `AUTO-...` codes in advance for another department's entries
(the registry's own write was then refused and its whole batch lost), recording
"failed" assessments of another department's entry in that department's name, and
dating a verdict 2099 so that it stayed the latest for good. The rules that close
that, each written once:

- an automatic assessment (an `AUTO-` code, `earl:mode earl:automatic`, or the
  registry named as its assessor) is written by the registry's automatic principal
  alone (`check_assessors`, 403): the read model counts every `earl:automatic`
  assessment as the registry's own (ranked after a person's, outdated when the rules
  change), so no one else may make one;
- a submitter asserts an assessment in its own department's name or a named body's,
  never in another registered department's (`check_assessors`, 403; registrars and
  admins may record an assessment another department made);
- an assessment is not dated after today (`future_dates`, a Violation in the report).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF
from rdflib.term import Node

from registry.bilingual import Text
from registry.errors import ForbiddenError
from registry.namespaces import EARL, SCS
from registry.register.iris import REGISTRY_PREFIX, is_part_of
from registry.validation.validator import SCSH, ValidationResult

if TYPE_CHECKING:
    from registry.register.submission import Principal

Triple = tuple[Node, Node, Node]

# The code space of the registry's automatic assessments (`AUTO-<entry code>-<standard>`,
# registry.register.automatic.assessment_code). Compared without case: `auto-` would
# read as the registry's to a person as well.
AUTO_PREFIX = "AUTO-"
# The body the registry names as the assessor of its automatic assessments.
ASSESSOR = {
    "zh": "智慧城市标准登记库（自动评估）",
    "en": "Smart-city standards registry (automatic)",
}
# Places where today has begun before it has in UTC (UTC+14 at most): a date that is
# today somewhere on Earth is not in the future. A clerk in Shenyang (UTC+8) records
# the morning's assessment with today's date while UTC is still on yesterday.
AHEAD_OF_UTC = timedelta(hours=14)


def _plain(name: str) -> str:
    """A name as compared with the registry's: full-width forms folded, no spaces, no
    case, and nothing after an opening bracket (`智慧城市标准登记库` is the registry
    whatever its parenthesis says)."""
    folded = "".join(unicodedata.normalize("NFKC", name).split()).casefold()
    return folded.split("(", 1)[0]


REGISTRY_NAMES = frozenset(_plain(name) for name in ASSESSOR.values())


def is_automatic_code(text: str) -> bool:
    """Whether an assessment code (or the last segment of an assessment's IRI) is in
    the registry's automatic code space."""
    return text.strip().casefold().startswith(AUTO_PREFIX.casefold())


def automatic_marks(entry: URIRef, triples: list[Triple]) -> list[str]:
    """What makes an assessment (its own triples, parts included) the registry's
    automatic one: `code` (an `AUTO-` code or IRI), `mode` (`earl:automatic`),
    `assessor` (the registry named as the assessor, by its name or one of its own
    `urn:screg:` IRIs). Empty for any other assessment."""
    marks = []
    codes = [str(o) for s, p, o in triples if s == entry and p == SCS.assessmentCode]
    if is_automatic_code(str(entry).rstrip("/").rsplit("/", 1)[-1]) or any(
        is_automatic_code(c) for c in codes
    ):
        marks.append("code")
    if (entry, EARL.mode, EARL.automatic) in triples:
        marks.append("mode")
    assessors = {o for s, p, o in triples if s == entry and p == EARL.assertedBy}
    names = {
        _plain(str(o))
        for s, p, o in triples
        if s in assessors and p == FOAF.name and isinstance(o, Literal)
    }
    if names & REGISTRY_NAMES or any(str(a).startswith(REGISTRY_PREFIX) for a in assessors):
        marks.append("assessor")
    return marks


def _in_another_name(entry: URIRef, triples: list[Triple], department: Node | None) -> list[str]:
    """The assessors an assessment names by IRI that are neither the submitter's
    department nor a part of the assessment (a named body sent back by its IRI)."""
    return sorted(
        str(o)
        for s, p, o in triples
        if s == entry
        and p == EARL.assertedBy
        and isinstance(o, URIRef)
        and o != department
        and not is_part_of(o, entry)
    )


def check_assessors(
    entries: Mapping[URIRef, tuple[str, list[Triple]]], principal: Principal
) -> None:
    """Refuse (403, nothing validated or written, every entry named with its rule) an
    upload that holds an automatic assessment (`automatic_marks`) from anyone but the
    registry's automatic principal, or, from a submitter, an assessment asserted by
    another department."""
    if principal.automatic:
        return
    refused: list[dict[str, Any]] = []
    for entry, (kind, triples) in entries.items():
        if kind != "assessment":
            continue
        marks = automatic_marks(entry, triples)
        if marks:
            refused.append({"entry": str(entry), "rule": "automatic-assessment", "marks": marks})
            continue
        if principal.role in ("registrar", "admin"):
            continue
        named = _in_another_name(entry, triples, principal.department)
        if named:
            refused.append({"entry": str(entry), "rule": "asserted-by", "asserted_by": named})
    if not refused:
        return
    automatic = [r["entry"] for r in refused if r["rule"] == "automatic-assessment"]
    foreign = [r["entry"] for r in refused if r["rule"] == "asserted-by"]
    zh, en = [], []
    if automatic:
        zh.append(
            "自动评估（评估编号以「AUTO-」开头、评估方式为自动，或评估方为登记库）只能由"
            "登记库自行记录，部门和登记员都不能提交：" + "、".join(automatic[:5])
        )
        en.append(
            "automatic assessments (an AUTO- code, the automatic mode, or the registry "
            "as the assessor) are recorded by the registry alone, never submitted: "
            + ", ".join(automatic[:5])
        )
    if foreign:
        zh.append(
            "提交者只能以本部门或所列评估机构的名义记录评估，不能以其他部门的名义："
            + "、".join(foreign[:5])
        )
        en.append(
            "a submitter records assessments in its own department's name or a named "
            "body's, not in another department's: " + ", ".join(foreign[:5])
        )
    raise ForbiddenError(
        Text(zh="；".join(zh), en="; ".join(en)),
        {"department": str(principal.department or ""), "entries": refused},
    )


def latest_date(now: datetime | None = None) -> date:
    """The latest date an assessment may have: today where today began first."""
    return ((now or datetime.now(UTC)) + AHEAD_OF_UTC).date()


def future_dates(
    entries: Mapping[URIRef, tuple[str, list[Triple]]], now: datetime | None = None
) -> list[ValidationResult]:
    """A Violation for each assessment whose result is dated after `latest_date`: an
    assessment is dated when it was made, and a later date kept a forged verdict the
    latest one of its claim for good. A date that cannot be read is the shapes' to
    report."""
    latest = latest_date(now)
    results = []
    for entry, (kind, triples) in entries.items():
        if kind != "assessment":
            continue
        made = {o for s, p, o in triples if s == entry and p == EARL.result}
        for s, p, o in triples:
            if s not in made or p != DCTERMS.date:
                continue
            try:
                day = date.fromisoformat(str(o)[:10])
            except ValueError:
                continue
            if day <= latest:
                continue
            results.append(
                ValidationResult(
                    severity="Violation",
                    focus=str(entry),
                    path=str(DCTERMS.date),
                    value=str(o),
                    message_zh=f"评估日期 {o} 尚未到来（今天最晚为 {latest.isoformat()}）："
                    "评估日期是作出评估的日期，不能是将来的日期。",
                    message_en=f"The assessment date {o} has not come yet (today is "
                    f"{latest.isoformat()} at the latest): an assessment is dated when it "
                    "was made, never in the future.",
                    source_shape=f"{SCSH}AssessmentDate",
                    constraint=f"{SCSH}AssessmentDateConstraintComponent",
                    entry=str(entry),
                )
            )
    return results
