"""Errors of the public SPARQL endpoint beyond those in registry.errors."""

from __future__ import annotations

from registry.errors import RegistryError


class NotAcceptableError(RegistryError):
    """No result format the endpoint can write matches the request's Accept header."""

    status = 406
    code = "not_acceptable"


class QueryEngineCrashedError(RegistryError):
    """The worker running the query died (a crash of the engine, or killed by the OS).

    A fresh worker is started; the service itself is unaffected."""

    status = 500
    code = "query_engine_crashed"


class QueryBusyError(RegistryError):
    """Every query worker stayed busy for the whole time a query may run."""

    status = 503
    code = "query_busy"
