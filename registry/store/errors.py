"""Errors of the store layer.

They extend the registry's domain errors so that the one error handler in api/
and the CLI treat them like every other failure (status, code, message).
"""

from __future__ import annotations

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


class StoreQueryError(StoreError):
    """The query could not be parsed or evaluated, or is not of the kind asked for."""

    status = 400
    code = "invalid_query"


class StoreWriteError(StoreError):
    """A write batch was refused (a term the store cannot hold); nothing was written."""

    status = 400
    code = "invalid_write"
