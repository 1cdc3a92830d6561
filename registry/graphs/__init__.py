"""Dependency graphs of the registry (networkx): references, replacements, conformance,
services, providers and categories, with impact analysis, coverage and exports.

    graph = registry.graph()                  # from the read model, kept up to date
    impact_of(graph, iri, "superseded").as_dict()
    render(neighbourhood(graph, iri, "both", 2), "svg")

docs/graphs.md explains every query.
"""

from registry.graphs.build import (
    DEPENDENCY_KINDS,
    EDGE_KINDS,
    NODE_KINDS,
    Facts,
    GraphCache,
    assemble,
    graph_from_model,
    identifier_year,
    issued_on,
    model_facts,
)
from registry.graphs.coverage import coverage_page, coverage_report, coverage_walk
from registry.graphs.export import (
    FORMATS,
    RendererUnavailableError,
    dot_available,
    render,
    to_dot,
    to_graphml,
    to_json,
    to_node_link,
    to_svg,
)
from registry.graphs.queries import (
    CHANGES,
    DIRECTIONS,
    Affected,
    Impact,
    dependencies,
    dependents,
    display_name,
    flagged_edges,
    impact_of,
    list_page,
    neighbourhood,
    reference_cycles,
    reference_groups,
    replacement_chain,
    shortest_path,
    summary,
    walk,
)

__all__ = [
    "CHANGES",
    "DEPENDENCY_KINDS",
    "DIRECTIONS",
    "EDGE_KINDS",
    "FORMATS",
    "NODE_KINDS",
    "Affected",
    "Facts",
    "GraphCache",
    "Impact",
    "RendererUnavailableError",
    "assemble",
    "coverage_page",
    "coverage_report",
    "coverage_walk",
    "dependencies",
    "dependents",
    "display_name",
    "dot_available",
    "flagged_edges",
    "graph_from_model",
    "identifier_year",
    "impact_of",
    "issued_on",
    "list_page",
    "model_facts",
    "neighbourhood",
    "reference_cycles",
    "reference_groups",
    "render",
    "replacement_chain",
    "shortest_path",
    "summary",
    "to_dot",
    "to_graphml",
    "to_json",
    "to_node_link",
    "to_svg",
    "walk",
]
