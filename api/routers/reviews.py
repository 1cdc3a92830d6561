"""The review queue (docs/registration.md, Review): what departments submitted while
`review_required` is on, and the registrar's decisions on it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from api.deps import PrincipalDep, RegistrarDep, RegistryDep, RequestBody, refuse_unknown_query
from api.errors import error_responses
from api.lists import Limit, Offset
from registry.bilingual import Text
from registry.errors import ForbiddenError, NotFoundError
from registry.register import review
from registry.register.submission import Principal

router = APIRouter(prefix="/api/v1", tags=["registration"])

ItemPath = Annotated[
    str, Path(max_length=500, description="The entry: its IRI (a new entry) or any name.")
]


def _department_of(principal: Principal) -> str | None:
    """Whose submissions a principal may read: a registrar's or admin's, everyone's
    (None); a submitter's, its department's."""
    if principal.role in ("registrar", "admin"):
        return None
    if principal.department is None:
        raise ForbiddenError(
            Text(
                zh="该提交者令牌不属于任何部门", en="this submitter token belongs to no department"
            )
        )
    return str(principal.department)


@router.get(
    "/reviews",
    summary="Submissions waiting for review, or rejected",
    responses=error_responses(400, 401, 403, 422, 429, 500, 503),
    dependencies=[Depends(refuse_unknown_query)],
)
def list_reviews(
    registry: RegistryDep,
    principal: PrincipalDep,
    status: Annotated[
        Literal["submitted", "invalid"],
        Query(description="`submitted`: waiting for review; `invalid`: rejected, with why."),
    ] = "submitted",
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A registrar sees every department's; a submitter its own department's, so that
    it knows what waits and why something was rejected. Oldest first, paged (`total`
    counts them all), each waiting one with how many N-Triples lines it adds and
    removes against the accepted version."""
    department = _department_of(principal)
    store = registry.store
    listed = (review.pending if status == "submitted" else review.rejected)(store, department)
    items = []
    for entry in listed[offset : offset + limit]:
        found = entry.as_dict()
        if status == "submitted":
            diff = review.difference(store, entry.item, entry.version)
            found["added_count"] = diff["added_count"]
            found["removed_count"] = diff["removed_count"]
        items.append(found)
    return {
        "status": status,
        "total": len(listed),
        "limit": limit,
        "offset": offset,
        "items": items,
    }


@router.get(
    "/reviews/{id:path}/difference",
    summary="What a version waiting for review changes",
    responses=error_responses(401, 403, 404, 422, 429, 500, 503),
)
def review_difference(id: ItemPath, registry: RegistryDep, principal: PrincipalDep) -> Any:
    """The N-Triples lines the pending version adds and removes against the accepted
    version (at most 200 each way, with the full counts), and the submission whose
    validation report it came with (`GET /api/v1/submissions/{uuid}`)."""
    department = _department_of(principal)
    item = registry.review_item(id)
    waiting = review.pending(registry.store, department, item)
    if not waiting:
        raise NotFoundError(
            Text(zh=f"{id} 没有待审核的版本", en=f"nothing of {id} waits for review")
        )
    entry = waiting[0]
    return {**entry.as_dict(), **review.difference(registry.store, item, entry.version)}


class Decision(RequestBody):
    reason: str | None = Field(
        None, max_length=2000, description="Why; required to reject, shown to the submitter."
    )


@router.post(
    "/reviews/{id:path}/{decision}",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Accept or reject a submission waiting for review (registrar)",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
)
def decide(
    id: ItemPath,
    decision: Annotated[Literal["accept", "reject"], Path(description="accept or reject")],
    registry: RegistryDep,
    principal: RegistrarDep,
    # Optional: an accept needs no body, and a reject without one is the registry's
    # 400 (a reason is required), not a 422 about the request's shape.
    body: Decision | None = None,
) -> dict[str, Any]:
    """Accept (the version becomes current and valid) or reject it with a reason (it
    becomes invalid; the accepted version stays current). 404 when nothing waits."""
    reason = body.reason if body is not None else None
    change = registry.review(id, decision == "accept", principal, reason)
    return {
        "item": change.item,
        "kind": change.kind,
        "version": change.version,
        "status": change.outcome,
    }
