"""Errors of the public SPARQL endpoint beyond those in registry.errors."""

from __future__ import annotations

from registry.errors import QueryRefusedError, RegistryError


class NotAcceptableError(RegistryError):
    """No result format the endpoint can write matches the request's Accept header."""

    status = 406
    code = "not_acceptable"


class QueryEngineCrashedError(RegistryError):
    """The worker running the query died (a crash of the engine, or killed by the OS).

    A fresh worker is started; the service itself is unaffected."""

    status = 500
    code = "query_engine_crashed"
    public_message = True


class QueryBusyError(RegistryError):
    """Every query worker stayed busy for the whole time a query may run."""

    status = 503
    code = "query_busy"
    public_message = True


# The three limits below are the query's own doing, not the service's: a 4xx, so the
# message (written here, naming no internals) and the limit reach the client, where
# the one handler would replace a 5xx's text with "try again", which would not help.


class QueryMemoryLimitError(RegistryError):
    """The worker running the query reached its memory limit (RLIMIT_AS) and was
    replaced: the query needs more memory than a public query may have."""

    status = 400
    code = "query_memory_limit"


class QueryCpuLimitError(RegistryError):
    """The worker running the query used up its CPU time (RLIMIT_CPU) and was replaced."""

    status = 400
    code = "query_cpu_limit"


class QueryResultTooLargeError(RegistryError):
    """The answer, serialised, is larger than a public query may return."""

    status = 400
    code = "query_result_too_large"


class InvalidQueryError(QueryRefusedError):
    """The query cannot be read as SPARQL 1.1 by the guard's parser (`details.reason`
    `syntax`): the same answer as a syntax error of the engine."""

    status = 400
    code = "invalid_query"
