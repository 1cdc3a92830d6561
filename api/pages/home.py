"""The front door at /: the six-category tree with counts by status, progress against
the plan's targets and the latest registrations, all from the read model (no graph).

A plain `def`: the read model's reads block.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import ReadDep, RegistryDep
from api.pages.render import KINDS, STATUSES, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, registry: RegistryDep, read: ReadDep) -> HTMLResponse:
    targets = registry.targets()
    kinds = read.kind_counts()
    counts = {kind: kinds.get(kind, 0) for kind in (*KINDS, "department")}
    return render(
        request,
        "home.html",
        {
            "tree": read.category_tree(),
            "statuses": STATUSES,
            "targets": targets,
            "recent": read.recent(),
            "counts": counts,
            "application": read.application(),
        },
    )
