"""Finished answers of the one-entry REST lookups, served without the framework.

`GET /api/v1/standards/{id}` and its siblings are what other systems call most. The
router (api.routers.catalogue) builds an entry's JSON and keeps the bytes in an
`AnswerCache` keyed by the request path; this pure-ASGI
middleware answers a repeated GET of the same path from those bytes before routing,
dependency resolution and the threadpool, after one cheap check of the store
generation. Everything else, a first lookup, a 404 or 422 included, goes on to the
application unchanged, so answers and errors are the router's own. After a write the
router decides whether a kept answer still holds (registry/kept_answers.py) and, if it
does, keeps it under the new generation, where this middleware serves it again.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from registry.store import StoreError

#: The paths of the entry routes of api.routers.catalogue, which keep their answers;
#: only a path one of them kept can be answered here.
ENTRY_PREFIXES = (
    "/api/v1/standards/",
    "/api/v1/resources/",
    "/api/v1/interfaces/",
    "/api/v1/departments/",
)
JSON_HEADERS = [(b"content-type", b"application/json")]


def answer_key(path: str) -> str:
    """The key of a lookup's answer: the decoded request path, as the router matched
    it (the query string changes nothing in these answers)."""
    return path


class CachedAnswersMiddleware:
    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith(ENTRY_PREFIXES)
        ):
            body = await self._cached(scope["path"])
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-length", str(len(body)).encode("ascii")),
                            *JSON_HEADERS,
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    async def _cached(self, path: str) -> bytes | None:
        registry = getattr(self.state, "registry", None)
        answers = getattr(self.state, "answers", None)
        if registry is None or answers is None:  # before the lifespan: let the app say
            return None
        store = registry.store
        try:
            # The embedded store reads its generation in microseconds; a remote one is
            # a round trip, which must not hold the event loop.
            if store.in_process:
                generation = store.generation()
            else:
                generation = await to_thread.run_sync(store.generation)
        except StoreError:
            return None  # the router answers with the error in its one shape
        return answers.get(generation, answer_key(path))
