"""One entry point for every submitted document, whatever its format.

The CLI and the HTTP API both call `load_submission`; formats are chosen
explicitly or by file extension, never guessed from content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph

from registry.errors import PayloadTooLargeError
from registry.rdfinput import format_for_filename, parse_rdf, rdf_format


@dataclass(frozen=True)
class Document:
    name: str  # a file name for messages, never opened
    data: bytes
    format: str | None = None  # None: from the name's extension


def load_submission(documents: Sequence[Document], max_bytes: int | None = None) -> Graph:
    """Parse every document and merge them into one graph: one submission."""
    graph = Graph()
    total = 0
    for doc in documents:
        total += len(doc.data)
        if max_bytes is not None and total > max_bytes:
            raise PayloadTooLargeError(
                f"submission larger than the limit of {max_bytes} bytes",
                {"limit": max_bytes},
            )
        fmt = rdf_format(doc.format) if doc.format else format_for_filename(doc.name)
        for triple in parse_rdf(doc.data, fmt, doc.name):
            graph.add(triple)
    return graph
