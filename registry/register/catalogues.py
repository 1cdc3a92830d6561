"""A catalogue's new version that leaves out entries its current version lists.

A submitted catalogue replaces the registered one whole, members included, which is
what a department that removes a resource from its catalogue means. But two sources
may name one catalogue: a catalogue written as a blank node is named by its titles
(registry/inputs/dcat.py), and two portals' "数据目录" of one department are then one
entry, each submission dropping the other's members without a word (the DCAT probe).
So the submit path says what a new version drops: a Warning on the catalogue naming
the entries that leave it, and how to keep two sources apart. Nothing is refused: a
department's own removal is the common case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS

from registry.validation.validator import SCSH, ValidationResult

Triple = tuple[object, object, object]
#: The statements that make an entry a member of a catalogue.
MEMBERSHIP = (DCAT.dataset, DCAT.service, DCAT.catalog)
#: How many of the entries that leave a catalogue its message names.
NAMED = 5


def dropped_members(
    entries: Mapping[URIRef, tuple[str, list[Triple]]],
    registered: Callable[[str], Iterable[Triple]],
) -> list[ValidationResult]:
    """A Warning for each catalogue among `entries` whose registered content (read by
    `registered`, empty for a new entry) lists members its submitted content does not."""
    results = []
    for entry, (kind, triples) in entries.items():
        if kind != "catalogue":
            continue
        before = _members(entry, registered(str(entry)))
        if not before:
            continue
        dropped = sorted(before - _members(entry, triples))
        if dropped:
            results.append(_warning(entry, dropped, _title(entry, triples)))
    return results


def _members(entry: URIRef, triples: Iterable[Triple]) -> set[str]:
    return {str(o) for s, p, o in triples if s == entry and p in MEMBERSHIP}


def _title(entry: URIRef, triples: list[Triple]) -> str:
    titles = sorted(str(o) for s, p, o in triples if s == entry and p == DCTERMS.title)
    return titles[0] if titles else str(entry)


def _warning(entry: URIRef, dropped: list[str], title: str) -> ValidationResult:
    shown = "、".join(dropped[:NAMED])
    shown_en = ", ".join(dropped[:NAMED])
    more_zh = f" 等 {len(dropped)} 个" if len(dropped) > NAMED else ""
    more_en = f" and {len(dropped) - NAMED} more" if len(dropped) > NAMED else ""
    return ValidationResult(
        severity="Warning",
        focus=str(entry),
        path=str(DCAT.dataset),
        value=dropped[0],
        message_zh=(
            f"目录“{title}”的登记版本列出的条目不在本次提交中,提交后将不再属于该目录:"
            f"{shown}{more_zh}。若这是另一来源的同名目录(以空白节点写出的目录按标题命名),"
            "请给目录一个 IRI 或不同的标题,两者便是两个目录。"
        ),
        message_en=(
            f"The registered version of the catalogue {title!r} lists entries this "
            f"submission does not, which leave the catalogue: {shown_en}{more_en}. If this "
            "is another source's catalogue of the same name (a catalogue written as a blank "
            "node is named by its titles), give it an IRI or another title to keep the two "
            "apart."
        ),
        source_shape=f"{SCSH}CatalogueMembers",
        constraint=f"{SCSH}CatalogueMembersConstraintComponent",
        entry=str(entry),
    )
