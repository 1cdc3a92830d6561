"""Errors of the store layer.

They extend the registry's domain errors so that the one error handler in api/
and the CLI treat them like every other failure (status, code, message).
"""

from __future__ import annotations

from typing import Any

from registry.bilingual import Text
from registry.errors import RegistryError


class StoreError(RegistryError):
    """The store failed or was misconfigured; nothing the caller sent was at fault."""

    status = 500
    code = "store_error"


class StoreLockedError(StoreError):
    """An embedded store is already open in another process (or elsewhere in this one)."""

    status = 503
    code = "store_locked"


class StoreClosedError(StoreError):
    status = 503
    code = "store_closed"


class StoreUnavailableError(StoreError):
    """A remote store's server cannot be reached (stopped, restarting, network) or sent
    no answer in time: nothing was wrong with the request, so the client should try
    again in `retry_after` seconds (the HTTP layer sends 503 with `Retry-After`). The
    next request reconnects by itself: no restart of the API process is needed."""

    status = 503
    code = "store_unavailable"
    retry_after = 5

    def __init__(self, message: Text, details: Any = None, retry_after: int | None = None) -> None:
        super().__init__(message, details)
        if retry_after is not None:
            self.retry_after = retry_after


class StoreTimeoutError(StoreUnavailableError):
    """The server took longer than the store's timeout to answer one request."""

    code = "store_timeout"


class StoreQueryError(StoreError):
    """The query could not be parsed or evaluated, or is not of the kind asked for."""

    status = 400
    code = "invalid_query"


class StoreWriteError(StoreError):
    """A write batch was refused (a term the store cannot hold); nothing was written."""

    status = 400
    code = "invalid_write"
