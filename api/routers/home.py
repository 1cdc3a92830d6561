"""The front door at /: where a newcomer who opens http://127.0.0.1:8000 finds things.

A placeholder until the web pages of a later issue: a valid page with the counts
and links to the API documentation, the category tree and the SPARQL endpoint.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import CacheDep, StoreDep
from registry import queries

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(store: StoreDep, cache: CacheDep) -> HTMLResponse:
    snap = queries.snapshot(store, cache)
    counts = [
        ("标准 standards", len(snap.records["standard"]), "/api/v1/standards"),
        ("信息资源 resources", len(snap.records["resource"]), "/api/v1/resources"),
        ("数据接口 interfaces", len(snap.records["interface"]), "/api/v1/interfaces"),
        ("部门 departments", len(snap.records["department"]), "/api/v1/departments"),
    ]
    items = "\n".join(
        f'<li><a href="{escape(href)}">{escape(name)}</a>: {n}</li>' for name, n, href in counts
    )
    return HTMLResponse(
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        "<title>智慧城市标准登记库 smartcity-registry</title>\n</head>\n<body>\n"
        "<h1>智慧城市标准登记库</h1>\n<p>smartcity-registry</p>\n"
        f"<ul>\n{items}\n</ul>\n<ul>\n"
        '<li><a href="/api/v1/categories">标准体系 category tree</a></li>\n'
        '<li><a href="/docs">API 文档 API documentation</a></li>\n'
        '<li><a href="/sparql">SPARQL</a></li>\n</ul>\n</body>\n</html>\n'
    )
