"""The front door at /: the six-category tree with counts by status, progress against
the plan's targets (from the coverage report) and the latest registrations.

A plain `def`: the read model's counts, the dependency graph (kept from the read model
per store generation) and the latest versions are blocking reads.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import ReadDep, RegistryDep
from api.pages.render import KINDS, STATUSES, render
from registry.read import queries

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, registry: RegistryDep, read: ReadDep) -> HTMLResponse:
    store = registry.store
    targets = registry.coverage()["targets"]
    kinds = read.counts()["kinds"]
    counts = {kind: kinds.get(kind, 0) for kind in (*KINDS, "department")}
    return render(
        request,
        "home.html",
        {
            "tree": read.category_tree(),
            "statuses": STATUSES,
            "targets": targets,
            "recent": queries.recent_versions(store, read.record),
            "counts": counts,
        },
    )
