"""The review step: a registrar accepts or rejects what departments submitted.

With `review_required` on (for the registry or for some departments), the submit path
keeps a submitter's conforming entries as `submitted` versions: stored with their
provenance and report, named by their item's `scs:pendingVersion`, not current.
Readers keep seeing the last accepted version (the current graph does not move), and a
new entry stays unlisted, until a registrar decides here:

- accept: the pending version becomes current and `valid`, as an accepted submission's
  version would have;
- reject, with a reason: the version becomes `invalid` and stays in the item's history,
  where its submitter reads why.

Each decision is an activity (`scs:Review`, a `prov:Activity`) with who, when, the
decision and the reason, as status changes and transfers are (ISO 19135's control
body is the registrar here: the bureau accepts departments' entries).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from registry.bilingual import Text
from registry.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from registry.namespaces import GRAPH_REGISTRY, REGSTATUS, SCS
from registry.register import versions
from registry.register.changes import describe_change
from registry.register.submission import (
    ACCEPTED_STATUS,
    CLOSED_STATUSES,
    REVIEW_STATUS,
    EntryChange,
    Principal,
    item_state,
    make_current,
    now_literal,
    refuse_if_incomplete,
    via_token,
)
from registry.store import Store, WriteBatch
from registry.store.base import iri_text
from registry.validation.validator import Validator

REJECTED_STATUS = "invalid"


@dataclass
class Pending:
    """One version waiting for review, or one a registrar rejected."""

    item: str
    kind: str
    version: int
    current_version: int | None  # the accepted version it would replace
    status: str  # submitted, or invalid once rejected
    submitted: str  # when
    submission: str  # the submission that made it (its report is there)
    department: str | None  # who submitted it (the submission's agent)
    reason: str | None = None  # why it was rejected
    decided: str | None = None  # when

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# $ITEM: one item's IRI, or nothing for every item.
_PENDING = f"""
SELECT ?item ?kind ?v ?n ?time ?act ?agent ?current WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
  $ITEM
  ?item <{SCS.pendingVersion}> ?v ; <{SCS.itemKind}> ?kind .
  ?v <{SCS.versionNumber}> ?n ; <{PROV.generatedAtTime}> ?time ; <{PROV.wasGeneratedBy}> ?act .
  OPTIONAL {{ ?act <{PROV.wasAssociatedWith}> ?agent }}
  OPTIONAL {{ ?item <{SCS.currentVersion}> ?cv . ?cv <{SCS.versionNumber}> ?current }}
  $DEPARTMENT }} }}"""

_REJECTED = f"""
SELECT ?item ?kind ?v ?n ?time ?act ?agent ?current ?reason ?decided WHERE {{
  GRAPH <{GRAPH_REGISTRY}> {{
  ?review a <{SCS.Review}> ; <{SCS.decision}> "rejected" ; <{PROV.used}> ?v ;
          <{PROV.startedAtTime}> ?decided .
  OPTIONAL {{ ?review <{SCS.reason}> ?reason }}
  ?v <{SCS.versionOf}> ?item ; <{SCS.versionNumber}> ?n ; <{PROV.generatedAtTime}> ?time ;
     <{PROV.wasGeneratedBy}> ?act .
  ?item <{SCS.itemKind}> ?kind .
  OPTIONAL {{ ?act <{PROV.wasAssociatedWith}> ?agent }}
  OPTIONAL {{ ?item <{SCS.currentVersion}> ?cv . ?cv <{SCS.versionNumber}> ?current }}
  $DEPARTMENT }} }}"""


def _listed(
    store: Store, query: str, department: str | None, status: str, item: str | None = None
) -> list[Pending]:
    # A department's own, and one item's, are chosen in the query: a queue of thousands
    # is not read to show one department a few.
    query = query.replace(
        "$DEPARTMENT",
        f"FILTER(?agent = {iri_text(department)})" if department is not None else "",
    ).replace("$ITEM", f"VALUES ?item {{ {iri_text(item)} }}" if item is not None else "")
    found = [
        Pending(
            item=str(row["item"]),
            kind=str(row["kind"]),
            version=int(row["n"]),
            current_version=int(row["current"]) if row.get("current") is not None else None,
            status=status,
            submitted=str(row["time"]),
            submission=str(row["act"]),
            department=str(row["agent"]) if row.get("agent") is not None else None,
            reason=str(row["reason"]) if row.get("reason") is not None else None,
            decided=str(row["decided"]) if row.get("decided") is not None else None,
        )
        for row in store.select(query)
    ]
    return sorted(found, key=lambda p: (p.submitted, p.item))


def pending(store: Store, department: str | None = None, item: str | None = None) -> list[Pending]:
    """The versions waiting for review, oldest first; those a department submitted;
    the one of `item`."""
    return _listed(store, _PENDING, department, REVIEW_STATUS, item)


def rejected(store: Store, department: str | None = None) -> list[Pending]:
    """The versions a registrar rejected, with the reason; those of a department."""
    return _listed(store, _REJECTED, department, REJECTED_STATUS)


def difference(store: Store, item: str, version: int) -> dict[str, Any]:
    """What version `version` of `item` changes against its current version: the
    N-Triples lines it adds and removes (at most versions.DIFF_LINES each way)."""
    found = versions.against_current(store, item, version).as_dict()
    return {key: found[key] for key in ("added", "removed", "added_count", "removed_count")}


def decide(
    store: Store,
    item: str,
    accept: bool,
    principal: Principal,
    base_iri: str,
    reason: str | None = None,
    validator: Validator | None = None,
) -> EntryChange:
    """Accept or reject the version of `item` waiting for review (registrar or admin;
    a rejection needs a reason). Accepting makes it current and valid; rejecting makes
    it invalid and leaves the current version as it was. With `validator`, a version
    lacking a required value (a provisional registration's) is not accepted (409)."""
    if principal.role not in ("registrar", "admin"):
        raise ForbiddenError(
            Text(zh="只有登记员可以审核", en="only a registrar reviews submissions")
        )
    if not accept and not (reason and reason.strip()):
        raise InputError(Text(zh="驳回须说明理由", en="a rejection needs a reason"))
    rows = store.select(
        f"SELECT ?v ?n ?kind ?sha WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ "
        f"?item <{SCS.pendingVersion}> ?v ; <{SCS.itemKind}> ?kind . "
        f"?v <{SCS.versionNumber}> ?n ; <{SCS.contentSha256}> ?sha }} }}",
        {"item": URIRef(item)},
    )
    if not rows:
        raise NotFoundError(
            Text(zh=f"{item} 没有待审核的版本", en=f"nothing of {item} waits for review")
        )
    version, number, kind = URIRef(str(rows[0]["v"])), int(rows[0]["n"]), str(rows[0]["kind"])
    state = item_state(store, item)
    if accept and state is not None and state.status in CLOSED_STATUSES:
        raise ConflictError(
            Text(
                zh=f"{item} 已变为 {state.status}，不能再修改",
                en=f"{item} was {state.status} meanwhile: it cannot change",
            ),
            {"status": state.status},
        )
    if accept and validator is not None:
        refuse_if_incomplete(store, validator, item, str(version))
    now = now_literal()
    review = URIRef(f"{base_iri}review/{uuid.uuid4()}")
    item_ref = URIRef(item)
    outcome = ACCEPTED_STATUS if accept else REJECTED_STATUS
    batch = WriteBatch()
    batch.remove_triples(
        GRAPH_REGISTRY,
        [
            (item_ref, SCS.pendingVersion, version),
            (version, SCS.registerStatus, REGSTATUS[REVIEW_STATUS]),
        ],
    )
    registry = [
        (version, SCS.registerStatus, REGSTATUS[outcome]),
        (review, RDF.type, SCS.Review),
        (review, RDF.type, PROV.Activity),
        (review, PROV.wasAssociatedWith, principal.agent),
        *via_token(review, principal),
        (review, PROV.startedAtTime, now),
        (review, PROV.used, version),
        (review, SCS.decision, Literal("accepted" if accept else "rejected")),
    ]
    if reason and reason.strip():
        registry.append((review, SCS.reason, Literal(reason.strip())))
    batch.add_triples(GRAPH_REGISTRY, registry)
    if accept:
        # The version becomes current as a submission's would have; its graph and
        # record exist already.
        make_current(
            batch, store, item, version, store.read_graph(str(version)), ACCEPTED_STATUS, state
        )
    describe_change(
        batch,
        "review",
        now,
        role=principal.role,
        department=principal.department,
        activity=review,
        entries=[(item, str(version))],
    )
    store.write(batch)
    return EntryChange(item, kind, number, outcome)


def needs_review(principal: Principal, required: bool, departments: list[str]) -> bool:
    """Whether `principal`'s submissions wait for review: a submitter's, when review is
    required for the registry or for its department (by credit code, the last segment
    of the department's minted IRI); a registrar's or admin's never."""
    if principal.role != "submitter":
        return False
    if required:
        return True
    code = str(principal.department or "").rstrip("/").rsplit("/", 1)[-1]
    return code in {d.strip().upper() for d in departments}
