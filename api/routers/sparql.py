"""The public SPARQL 1.1 Protocol endpoint at /sparql (queries only).

Three ways to send a query, as the protocol has them: GET `?query=`, POST
`application/x-www-form-urlencoded` with `query=`, POST `application/sparql-query`
with the query as the body. Updates (an `update=` field, an
`application/sparql-update` body, or update keywords in a query) and the dataset
parameters `default-graph-uri` / `named-graph-uri` are refused with 400. The
result format follows the Accept header (registry/sparql/formats.py).

A browser that opens /sparql (no query and an Accept header preferring text/html,
or `format=html`) gets the query page instead (api/pages/query.py), which runs its
query through the same endpoint.

Everything that can take time runs off the event loop: the handler awaits a
thread that waits for the worker process (registry/sparql/pool.py).
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote_to_bytes

from fastapi import APIRouter, FastAPI, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import RegistryDep, query_slot
from api.errors import error_responses
from api.pages import query as query_page
from registry.bilingual import Text
from registry.errors import InputError, QueryRefusedError, RegistryError, UnsupportedFormatError
from registry.outputs.serialized import serialized
from registry.service import Registry
from registry.sparql import PublicSparql, SparqlResult, refuse_dataset_parameters, refuse_update
from registry.sparql.description import (
    DESCRIPTION_TYPES,
    description_type,
    service_description,
)
from registry.sparql.formats import FORMAT_PARAMETER

router = APIRouter(tags=["sparql"])

# Header names of a capped answer: the first `sparql_max_rows` rows (or triples)
# are sent with status 200, and these say the result was cut and where.
TRUNCATED_HEADER = "X-SPARQL-Truncated"
MAX_ROWS_HEADER = "X-SPARQL-Max-Rows"
# "memory-copy" or "store": which data answered (setting sparql_memory_copy).
ENGINE_HEADER = "X-SPARQL-Engine"

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_create_lock = threading.Lock()

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {**entry, "description": description}
    for (status, entry), description in zip(
        error_responses(400, 406, 415, 429, 500, 503).items(),
        (
            "Refused or invalid query (update, SERVICE, LOAD, FROM, dataset parameters, a "
            "function by IRI, too long, too deep, syntax error; `details.reason` says which), "
            "or stopped at a worker's limit: `query_memory_limit`, `query_cpu_limit`, "
            "`query_result_too_large`.",
            "No acceptable result format for this kind of query.",
            "A POST body other than a form or application/sparql-query.",
            "This client address already has `sparql_per_client` queries running: send the "
            "next when one has finished (`Retry-After`).",
            "The query stopped the SPARQL engine (code `query_engine_crashed`); a fresh "
            "worker was started.",
            "The query ran past the time limit and was stopped (code `query_timeout`), or "
            "every worker stayed busy (`query_busy`).",
        ),
        strict=True,
    )
}
_RESULTS: dict[str, Any] = {
    "description": "Query results: SELECT/ASK as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/"
    "DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML, chosen by Accept. "
    f"`{TRUNCATED_HEADER}: true` when the result was cut at the row cap. "
    f"`{ENGINE_HEADER}` says what answered: `memory-copy` (setting sparql_memory_copy) "
    "or `store`. GET `format=html` (or a "
    "browser's Accept with no query): the query page, HTML. No query and an Accept naming "
    "text/turtle, application/ld+json, application/rdf+xml or application/n-triples: the "
    "SPARQL 1.1 Service Description (formats, graphs, limits).",
    "content": {
        "application/sparql-results+json": {},
        "application/sparql-results+xml": {},
        "text/csv": {},
        "text/tab-separated-values": {},
        "text/turtle": {},
        "application/n-triples": {},
        "application/ld+json": {},
        "application/rdf+xml": {},
        # GET with format=html, or a browser with no query: the query page for people.
        "text/html": {},
    },
}


def _endpoint(app: FastAPI, registry: Registry) -> PublicSparql:
    """The app's endpoint, made on first use over the registry's store.

    Kept on app.state (never a module global) so two apps in one process, as in
    tests, each have their own workers; `close(app)` stops them."""
    endpoint = getattr(app.state, "sparql_endpoint", None)
    if endpoint is not None:
        return endpoint
    with _create_lock:
        endpoint = getattr(app.state, "sparql_endpoint", None)
        if endpoint is None:
            endpoint = PublicSparql(registry.store, registry.settings)
            app.state.sparql_endpoint = endpoint
    return endpoint


def start(app: FastAPI) -> None:
    """Optional, from the lifespan once `app.state.registry` is set: start and load one
    worker in the background, so the first query does not pay ~1 s for the fork
    server and the store open."""
    endpoint = _endpoint(app, app.state.registry)
    thread = threading.Thread(target=_warm_up, args=(endpoint,), name="sparql-warm-up", daemon=True)
    # Kept so that a test can wait for what the warm-up reads (the dataset's hidden
    # graphs) before it counts what a request reads.
    app.state.sparql_warming = thread
    thread.start()


def _warm_up(endpoint: PublicSparql) -> None:
    try:
        endpoint.warm_up()
    except RegistryError:
        return  # the first query starts a worker itself and reports what is wrong


def close(app: FastAPI) -> None:
    """Stop the SPARQL worker processes of this app (called when the app shuts down)."""
    endpoint = getattr(app.state, "sparql_endpoint", None)
    if endpoint is not None:
        app.state.sparql_endpoint = None
        endpoint.close()


def _response(result: SparqlResult) -> Response:
    headers = {"Vary": "Accept", ENGINE_HEADER: result.engine}
    if result.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[MAX_ROWS_HEADER] = str(result.max_rows)
    if result.volatile:
        # Not the same answer next time at the same store generation: no ETag
        # (api.caching leaves an answer with its own Cache-Control alone), and no cache
        # may keep it.
        headers["Cache-Control"] = "no-store"
    return Response(content=result.body, media_type=result.media_type, headers=headers)


async def _answer(
    request: Request, registry: Registry, query: str | None, accept: str | None
) -> Response:
    if query is None:
        raise QueryRefusedError(
            Text(
                zh=(
                    "缺少查询：请以 query 参数（GET 或表单 POST）或 "
                    "application/sparql-query 请求体发送"
                ),
                en=(
                    "no query: send it as `query` (GET or form POST) or as an "
                    "application/sparql-query body"
                ),
            ),
            details={"reason": "missing_query"},
        )
    endpoint = _endpoint(request.app, registry)
    with query_slot(request):
        # The guard is cheap and linear, but everything after it may block up to the
        # timeout: all of it goes to a thread.
        result = await run_in_threadpool(endpoint.query, query, accept)
    return _response(result)


def _max_body_bytes(registry: Registry) -> int:
    """Room for the longest accepted query, percent-encoded (a CJK character is 9 bytes
    as %XX%XX%XX), plus other fields; more than that cannot hold an acceptable query."""
    return registry.settings.sparql_max_query_length * 9 + 4096


async def _read_body(request: Request, registry: Registry) -> bytes:
    limit = _max_body_bytes(registry)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise QueryRefusedError(
                Text(
                    zh="请求体过大，容不下可接受的查询",
                    en="the request body is too large to hold an acceptable query",
                ),
                details={"reason": "too_long", "limit_bytes": limit},
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            Text(zh="查询不是有效的 UTF-8 文本", en="the query is not valid UTF-8")
        ) from exc


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET)",
    responses={200: _RESULTS, **_ERRORS},
)
async def sparql_get(
    request: Request,
    registry: RegistryDep,
    query: Annotated[str | None, Query(description="The SPARQL query.")] = None,
    default_graph_uri: Annotated[
        list[str] | None, Query(alias="default-graph-uri", description="Refused (400).")
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None, Query(alias="named-graph-uri", description="Refused (400).")
    ] = None,
    update: Annotated[str | None, Query(description="Refused (400): read-only.")] = None,
    format: Annotated[
        str | None,
        Query(
            # No length cap: SPARQLWrapper sends media-type lists here (and is only
            # looked up in a table), and a 422 broke its CONSTRUCT as JSON-LD.
            description="`html`: the query page for people (also chosen, when there is no "
            "query, by an Accept header that prefers text/html). `json`, `xml`, `csv`, "
            "`tsv`, `turtle`, `ntriples`, `jsonld`: that result format, in place of the "
            "Accept header (for links). Other values: ignored.",
        ),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    if update is not None:
        raise refuse_update()
    refuse_dataset_parameters(default_graph_uri or [], named_graph_uri or [])
    # FastAPI keeps the last of several; the protocol has one query a request.
    _one_query(request.query_params.getlist("query"))
    if query is not None:
        # Starlette decodes the URL's bytes leniently (U+FFFD for what is no UTF-8):
        # the query it hands over is not the one sent. Read strictly, as a body is.
        _strict_query_string(request.scope.get("query_string", b""))
    if query_page.wants_page(accept, format, query is not None):
        endpoint = _endpoint(request.app, registry)
        # The empty form runs nothing, and takes no place.
        with query_slot(request) if query is not None else nullcontext():
            # Rendering waits for the query: off the event loop, like _answer.
            return await run_in_threadpool(query_page.query_page, request, endpoint.query, query)
    named = FORMAT_PARAMETER.get((format or "").strip().lower())
    if query is None:
        media = description_type(named or accept)
        if media is not None:
            return _description(request, registry, media)
    return await _answer(request, registry, query, named or accept)


def _description(request: Request, registry: Registry, media: str) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint (registry/sparql/description.py):
    a small graph built from the settings, serialised on the event loop."""
    endpoint = str(request.url.replace(query=""))
    graph = service_description(endpoint, registry.settings)
    data = serialized(graph, DESCRIPTION_TYPES[media])
    return Response(data, media_type=media, headers={"Vary": "Accept"})


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query (POST form or application/sparql-query)",
    responses={200: _RESULTS, **_ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                _FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "string"},
                            "named-graph-uri": {"type": "string"},
                            "format": {"type": "string"},
                        },
                        "required": ["query"],
                    }
                },
                _QUERY: {"schema": {"type": "string"}},
            },
        }
    },
)
async def sparql_post(
    request: Request,
    registry: RegistryDep,
    default_graph_uri: Annotated[
        list[str] | None, Query(alias="default-graph-uri", description="Refused (400).")
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None, Query(alias="named-graph-uri", description="Refused (400).")
    ] = None,
    format: Annotated[
        str | None,
        Query(
            description="`json`, `xml`, `csv`, `tsv`, `turtle`, `ntriples`, `jsonld`: that "
            "result format, in place of the Accept header, as on GET; also read from a "
            "form body's `format` field. Other values: ignored."
        ),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
    content_type: Annotated[str | None, Header()] = None,
) -> Response:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == _UPDATE:
        raise refuse_update()
    if media not in (_FORM, _QUERY):
        raise UnsupportedFormatError(
            Text(
                zh=(
                    f"POST /sparql 只接受 {_FORM} 或 {_QUERY}，不接受 {media or '无 Content-Type'}"
                ),
                en=(f"POST /sparql takes {_FORM} or {_QUERY}, not {media or 'no Content-Type'}"),
            ),
            details={"content_type": content_type, "accepted": [_FORM, _QUERY]},
        )
    body = await _read_body(request, registry)
    refuse_dataset_parameters(default_graph_uri or [], named_graph_uri or [])
    # SPARQLWrapper's POST puts `format` in the form, its GET in the URL: the two modes
    # got different answers (Turtle where JSON-LD was asked for a DESCRIBE).
    named = FORMAT_PARAMETER.get((format or "").strip().lower())
    if media == _QUERY:
        _one_query([*request.query_params.getlist("query"), "the body"])
        return await _answer(request, registry, _text(body), named or accept)
    try:
        fields = parse_qs(_text(body), keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:
        raise InputError(Text(zh="表单无法解析", en="the form body cannot be read")) from exc
    if "update" in fields:
        raise refuse_update()
    refuse_dataset_parameters(
        fields.get("default-graph-uri", []), fields.get("named-graph-uri", [])
    )
    queries = fields.get("query", [])
    _one_query([*request.query_params.getlist("query"), *queries])
    for asked in fields.get("format", []):
        named = named or FORMAT_PARAMETER.get(asked.strip().lower())
    return await _answer(request, registry, queries[0] if queries else None, named or accept)


def _strict_query_string(raw: bytes) -> None:
    """InputError when the URL's query string does not decode as UTF-8 (the W3C
    protocol test bad_query_non_utf8)."""
    for pair in raw.split(b"&"):
        _text(unquote_to_bytes(pair.replace(b"+", b" ")))


def _one_query(queries: list[str]) -> None:
    """QueryRefusedError when a request holds more than one query (SPARQL 1.1 Protocol
    2.1: one `query` a request), in its URL, its form, or both."""
    if len(queries) > 1:
        raise QueryRefusedError(
            Text(zh="只能有一个 query 参数", en="more than one `query` parameter"),
            details={"reason": "several_queries"},
        )


__all__ = ["ENGINE_HEADER", "MAX_ROWS_HEADER", "TRUNCATED_HEADER", "close", "router", "start"]
