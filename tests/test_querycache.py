"""The caching SPARQL processor answers exactly as rdflib's own, and parses a text once."""

from __future__ import annotations

import threading

from rdflib import Graph, Literal, URIRef

from registry import querycache

DATA = """
@prefix ex: <http://example.org/> .
ex:a ex:p 1 . ex:b ex:p 2 . ex:c ex:q "x" .
"""
QUERY = "SELECT ?s WHERE { ?s <http://example.org/p> ?o . FILTER(?o > ?min) }"


def test_same_answers_with_bindings_and_one_parse() -> None:
    querycache.install()
    graph = Graph().parse(data=DATA, format="turtle")
    before = len(querycache._cache)
    low = {str(r.s) for r in graph.query(QUERY, initBindings={"min": Literal(0)})}
    high = {str(r.s) for r in graph.query(QUERY, initBindings={"min": Literal(1)})}
    assert low == {"http://example.org/a", "http://example.org/b"}
    assert high == {"http://example.org/b"}
    assert len(querycache._cache) == before + 1  # the second call reused the first parse


def test_prefixes_of_the_graph_take_part_in_the_key() -> None:
    querycache.install()
    one = Graph().parse(data=DATA, format="turtle")
    two = Graph().parse(data=DATA, format="turtle")
    two.bind("ex", "http://example.org/other#", replace=True)
    query = "ASK { ex:a ex:p 1 }"
    assert one.query(query).askAnswer is True
    assert two.query(query).askAnswer is False


def test_parallel_parsing_does_not_break_rdflib_parser() -> None:
    querycache.install()
    graph = Graph().parse(data=DATA, format="turtle")
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            for i in range(20):
                text = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {n * 100 + i + 3}"
                assert len(list(graph.query(text))) == 3
            assert URIRef("http://example.org/a") in {
                r.s for r in graph.query(QUERY, initBindings={"min": Literal(0)})
            }
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
