"""What every REST route that reads the model shares: the errors a read documents, an
entry's answer as the OpenAPI description gives it, the path parameter that names an
entry, and where a read of the model runs (on the event loop or in the threadpool).

Shared by the routers of api/routers/ (catalogue, conformity), which import it and
not each other.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.errors import error_responses
from registry.read.model import ReadModel
from registry.service import Registry

READ_ERRORS = error_responses(404, 422, 500, 503)


def entry_responses(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """An entry route's documented answers. The answer is JSON-ready as the read model
    built it and sent as it is (no response model, no encoder walking a resource's data
    items again); its 200 is documented as `model` (api/schemas.py), which a test
    checks the answers against."""
    return {200: {"model": model, "description": "The entry"}, **READ_ERRORS}


Ident = Annotated[
    str,
    Path(
        max_length=500, description="Any spelling of the entry's name, URL-encoded (`/` as `%2F`)."
    ),
]


async def from_the_model(registry: Registry, read: ReadModel, method: Any, *args: str) -> Any:
    """A read of the model for an answer. Over the embedded store the model is a SQLite
    file read without a lock (an entry is one row, under a millisecond): on the event
    loop, as a threadpool hop cost more than the read. An in-memory model (memory and
    remote stores) is read under the lock its writer holds: in the threadpool."""
    if registry.store.in_process and not read.in_memory:
        return method(*args)
    return await run_in_threadpool(method, *args)
