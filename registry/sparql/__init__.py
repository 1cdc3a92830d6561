"""The guarded public SPARQL endpoint: guard, dataset, formats, killable workers.

endpoint = PublicSparql(registry.store, settings)
result = endpoint.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept="text/csv")
"""

from __future__ import annotations

from registry.sparql.dataset import GRAPH_TOKENS, HIDDEN_GRAPHS, PUBLIC_DEFAULT_GRAPHS
from registry.sparql.endpoint import RUNNERS, PublicSparql, QueryRunner, SparqlResult, runner_for
from registry.sparql.errors import (
    NotAcceptableError,
    QueryBusyError,
    QueryCpuLimitError,
    QueryEngineCrashedError,
    QueryMemoryLimitError,
    QueryResultTooLargeError,
)
from registry.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, ResultFormat, choose_format
from registry.sparql.guard import (
    CheckedQuery,
    GuardLimits,
    QueryVerdict,
    check_query,
    decide,
    precheck,
    refuse_dataset_parameters,
    refuse_update,
)

__all__ = [
    "GRAPH_FORMATS",
    "GRAPH_TOKENS",
    "HIDDEN_GRAPHS",
    "PUBLIC_DEFAULT_GRAPHS",
    "RESULT_FORMATS",
    "RUNNERS",
    "CheckedQuery",
    "GuardLimits",
    "NotAcceptableError",
    "PublicSparql",
    "QueryBusyError",
    "QueryCpuLimitError",
    "QueryEngineCrashedError",
    "QueryMemoryLimitError",
    "QueryResultTooLargeError",
    "QueryRunner",
    "QueryVerdict",
    "ResultFormat",
    "SparqlResult",
    "check_query",
    "choose_format",
    "decide",
    "precheck",
    "refuse_dataset_parameters",
    "refuse_update",
    "runner_for",
]
