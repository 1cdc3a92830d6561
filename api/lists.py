"""What every list answers alike, in the API and on the pages: the query parameters it
accepts (any other is a 400 naming the allowed ones), and its downloads as CSV or XLSX
(`?format=csv|xlsx`, or an Accept header that prefers them to JSON or HTML).

A download holds every entry the filters and the text choose, not one page: `limit`
and `offset` page the JSON and the pages only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import refuse_unknown_query
from api.errors import error_responses
from api.pages.render import local_time
from registry.bilingual import Text
from registry.errors import InputError
from registry.outputs.negotiation import preferred
from registry.read.filters import Filter
from registry.read.model import ReadModel
from registry.read.queries import Page, list_item
from registry.read.tables import TITLES, csv_download, table_rows, xlsx_download

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV, "xlsx": XLSX}

# Every list's paging parameters.
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Entries skipped.")]

#: The document's mark on a list filter: its code list's IRI, beside which api.documented
#: writes the list's codes (`enum`).
CODE_LIST = "x-code-list"


def code_query(known: Filter, description: str, max_length: int = 40) -> Any:
    """The query parameter of a list filter whose values are the codes of a code list."""
    return Query(
        max_length=max_length,
        description=description,
        json_schema_extra={CODE_LIST: str(known.scheme)},
    )


# Every entry of a list, for a download: far above any registry's size, so that SQLite's
# LIMIT never cuts one short (a registry of 50,000 resources is downloaded whole).
EVERY_ENTRY = 1_000_000_000

Format = Annotated[
    str | None,
    Query(
        alias="format",
        max_length=10,
        description="`csv` (UTF-8 with a BOM, Chinese headers) or `xlsx`: every entry "
        "the filters choose, as a download; `json` (the default) one page. "
        "`Accept: text/csv` or the XLSX media type choose the same.",
    ),
]


def list_page(
    read: ReadModel, kind: str, q: str | None, limit: int, offset: int, filters: dict[str, Any]
) -> Page:
    """One page of the `kind` list: departments with what each provides."""
    if kind == "department":
        return read.department_page(q=q, limit=limit, offset=offset, **filters)
    return read.list_entries(kind, q=q, limit=limit, offset=offset, **filters)


def every_entry(
    read: ReadModel, kind: str, q: str | None, filters: dict[str, Any]
) -> Iterable[dict[str, Any]]:
    """Every entry of the `kind` list, for a download: read as the rows are written
    (ReadModel.each_entry); departments, which are few, with what each provides."""
    if kind == "department":
        return read.department_page(q=q, limit=EVERY_ENTRY, **filters).items
    return read.each_entry(kind, q=q, **filters)


def list_answer(
    request: Request,
    read: ReadModel,
    time_zone: str,
    kind: str,
    given: str | None,
    q: str | None,
    limit: int,
    offset: int,
    **filters: str | None,
) -> Any:
    """One page of the `kind` list as JSON, or every entry it chooses as a download
    (`given`: the `format` parameter; else the Accept header): every list route's
    answer once it has its filters."""
    fmt = download_format(request, given, "json")
    if fmt == "json":
        answer = list_page(read, kind, q, limit, offset, filters).as_dict()
        answer["items"] = [list_item(kind, item) for item in answer["items"]]
        return answer
    return download(kind, every_entry(read, kind, q, filters), fmt, time_zone)


LIST_ERRORS = error_responses(400, 404, 422, 500, 503)


def list_route(page: type[BaseModel]) -> dict[str, Any]:
    """A list route's decorator arguments: it refuses a query parameter it does not know
    (400, naming those it does) and documents both of its answers, one page as JSON in
    the shape of `page` (api/schemas.py), or every entry it chooses as a download."""
    return {
        "responses": {
            200: {
                "model": page,
                "description": "One page (JSON: `total`, `limit`, `offset`, `items`), or "
                "with `format=csv|xlsx` every entry chosen, as an attachment with Chinese "
                "headers",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            },
            **LIST_ERRORS,
        },
        "response_model": None,
        "dependencies": [Depends(refuse_unknown_query)],
    }


def download_format(request: Request, given: str | None, default: str) -> str:
    """`csv`, `xlsx` or `default` (`json` for the API, `html` for a page): `?format=`
    when given (an unknown one is InputError), else what the Accept header prefers
    among the default's media type and the two downloads (the default on a tie, and
    when the header accepts none of them)."""
    if given:
        chosen = given.strip().lower()
        if chosen not in (default, *FORMATS):
            raise InputError(
                Text(zh=f"未知的下载格式 {given!r}", en=f"unknown format {given!r}"),
                {"format": given, "allowed": [default, *FORMATS]},
            )
        return chosen
    accept = request.headers.get("accept", "")
    offered = ["text/html" if default == "html" else "application/json", "text/csv", XLSX]
    index = preferred(accept, offered) if accept.strip() else None
    return ("csv", "xlsx")[index - 1] if index else default


def download(
    kind: str,
    records: Iterable[dict[str, Any]],
    fmt: str,
    time_zone: str,
) -> Response:
    """The records of a `kind` list as a CSV or XLSX attachment; times in `time_zone`."""
    rows = table_rows(kind, records, functools.partial(local_time, zone=time_zone))
    return download_sheets([(TITLES[kind], rows)], fmt, TITLES[kind], f"{kind}s")


def _one_after_another(tables: Iterable[Iterable[Sequence[Any]]]) -> Iterator[Sequence[Any]]:
    """The rows of `tables` in one stream, a blank row between two tables."""
    for index, table in enumerate(tables):
        if index:
            yield []
        yield from table


def download_sheets(
    sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]], fmt: str, name: str, ascii_name: str
) -> Response:
    """Tables as one attachment: CSV (the tables one after another, a blank row between)
    or XLSX (a sheet each). `name` is the file's name without its extension, `ascii_name`
    the same for clients that read only the plain `filename`."""
    if fmt == "csv":
        content = csv_download(_one_after_another(table for _, table in sheets))
    else:
        content = xlsx_download(sheets)
    disposition = (
        f'attachment; filename="{ascii_name}.{fmt}"; '
        f"filename*=UTF-8''{quote(name, safe='')}.{fmt}"
    )
    return Response(content, media_type=FORMATS[fmt], headers={"Content-Disposition": disposition})
